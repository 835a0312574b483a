/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace's JSON form of the topology (schema: docs/topo-json.md), both
 * directions.  The writer and the reader share the key names below, so a
 * topology written by `numaplace topo --json` reads back to the same model.
 */
#include "topo/topo-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/util-json.h"

#define NP_JSON_SCHEMA "numaplace-topo/1"

static const char *const source_names[] = {
	[NP_TOPO_SYSFS] = "sysfs",
	[NP_TOPO_JSON] = "json",
	[NP_TOPO_HWLOC_XML] = "hwloc-xml",
};

/* ---- writing --------------------------------------------------------- */

static json_object *jw_u64(struct jw *w, uint64_t v)
{
	if (v == NP_UNKNOWN)
		return NULL; /* JSON null */
	/* json-c stores int64; counters never reach 2^63 in practice. */
	return jw_check(w, json_object_new_int64(v > INT64_MAX ? INT64_MAX :
						 (int64_t)v));
}

static json_object *jw_ids(struct jw *w, const unsigned *ids, size_t n)
{
	json_object *a = jw_check(w, json_object_new_array());

	for (size_t i = 0; a && i < n; i++)
		jw_push(w, a, jw_check(w, json_object_new_int64(ids[i])));
	return a;
}

static json_object *jw_hugepages(struct jw *w, const struct np_node *n)
{
	json_object *a = jw_check(w, json_object_new_array());

	for (size_t i = 0; a && i < n->nhugepages; i++) {
		const struct np_hugepages *hp = &n->hugepages[i];
		json_object *o = jw_check(w, json_object_new_object());

		if (!o)
			break;
		jw_add(w, o, "size_bytes", jw_u64(w, hp->size_bytes));
		jw_add(w, o, "total", jw_u64(w, hp->total));
		jw_add(w, o, "free", jw_u64(w, hp->free));
		jw_add(w, o, "surplus", jw_u64(w, hp->surplus));
		jw_push(w, a, o);
	}
	return a;
}

static json_object *jw_numastat(struct jw *w, const struct np_node *n)
{
	const struct np_node_numastat *s = &n->numastat;
	json_object *o;

	if (!n->has_numastat)
		return NULL; /* JSON null */
	o = jw_check(w, json_object_new_object());
	if (!o)
		return NULL;
	jw_add(w, o, "numa_hit", jw_u64(w, s->numa_hit));
	jw_add(w, o, "numa_miss", jw_u64(w, s->numa_miss));
	jw_add(w, o, "numa_foreign", jw_u64(w, s->numa_foreign));
	jw_add(w, o, "interleave_hit", jw_u64(w, s->interleave_hit));
	jw_add(w, o, "local_node", jw_u64(w, s->local_node));
	jw_add(w, o, "other_node", jw_u64(w, s->other_node));
	return o;
}

/* meminfo keys carry their unit: "MemTotal_kB", "HugePages_Total". */
static json_object *jw_meminfo(struct jw *w, const struct np_node *n)
{
	json_object *o = jw_check(w, json_object_new_object());
	char key[40];

	for (size_t i = 0; o && i < n->nmeminfo; i++) {
		const struct np_counter *c = &n->meminfo[i];

		snprintf(key, sizeof(key), "%s%s", c->name,
			 c->is_kib ? "_kB" : "");
		jw_add(w, o, key, jw_u64(w, c->value));
	}
	return o;
}

static const char *cache_type_name(char type)
{
	return type == 'd' ? "data" : type == 'i' ? "instruction" : "unified";
}

static json_object *jw_cpu_structure(struct jw *w, const struct np_node *n)
{
	const struct np_node_cpu_structure *s = &n->cpu_structure;
	json_object *o = jw_check(w, json_object_new_object());
	json_object *caches;

	if (!o)
		return NULL;
	jw_add(w, o, "packages", jw_u64(w, s->packages));
	jw_add(w, o, "dies", jw_u64(w, s->dies));
	jw_add(w, o, "cores", jw_u64(w, s->cores));
	jw_add(w, o, "pus", jw_u64(w, s->pus));
	caches = jw_check(w, json_object_new_array());
	for (unsigned i = 0; caches && i < s->ncache_levels; i++) {
		const struct np_cache_level *c = &s->cache_levels[i];
		json_object *co = jw_check(w, json_object_new_object());

		if (!co)
			break;
		jw_add(w, co, "level", jw_u64(w, c->depth));
		jw_add(w, co, "type", jw_check(w, json_object_new_string(
			       cache_type_name(c->type))));
		jw_add(w, co, "size_bytes", jw_u64(w, c->size_bytes));
		jw_add(w, co, "count", jw_u64(w, c->count));
		jw_push(w, caches, co);
	}
	jw_add(w, o, "caches", caches);
	jw_add(w, o, "local_bandwidth_mibps",
	       s->local_bandwidth_mibps ? jw_u64(w, s->local_bandwidth_mibps) :
	       NULL);
	jw_add(w, o, "local_latency_ns",
	       s->local_latency_ns ? jw_u64(w, s->local_latency_ns) : NULL);
	return o;
}

static json_object *jw_node(struct jw *w, const struct np_node *n)
{
	json_object *o = jw_check(w, json_object_new_object());
	json_object *mem, *orders;

	if (!o)
		return NULL;
	jw_add(w, o, "id", jw_u64(w, n->id));
	jw_add(w, o, "cpus", jw_ids(w, n->cpus, n->ncpus));
	mem = jw_check(w, json_object_new_object());
	if (mem) {
		jw_add(w, mem, "total_bytes", jw_u64(w, n->total_bytes));
		jw_add(w, mem, "free_bytes", jw_u64(w, n->free_bytes));
	}
	jw_add(w, o, "memory", mem);
	jw_add(w, o, "has_cpus",
	       jw_check(w, json_object_new_boolean(n->has_cpus)));
	jw_add(w, o, "has_memory",
	       jw_check(w, json_object_new_boolean(n->has_memory)));
	jw_add(w, o, "has_normal_memory",
	       jw_check(w, json_object_new_boolean(n->has_normal_memory)));
	jw_add(w, o, "hugepages", jw_hugepages(w, n));
	jw_add(w, o, "page_size_bytes", jw_u64(w, n->page_size_bytes));
	orders = jw_check(w, json_object_new_array());
	for (size_t k = 0; orders && k < n->norders; k++)
		jw_push(w, orders, jw_u64(w, n->free_blocks_by_order[k]));
	jw_add(w, o, "free_pages_by_order", orders);
	jw_add(w, o, "numastat", jw_numastat(w, n));
	jw_add(w, o, "meminfo", jw_meminfo(w, n));
	if (n->has_cpu_structure)
		jw_add(w, o, "cpu_structure", jw_cpu_structure(w, n));
	return o;
}

static json_object *jw_distances(struct jw *w, const struct np_topo *t)
{
	json_object *rows;
	bool any = false;

	for (size_t i = 0; t->distances && i < t->nnodes * t->nnodes; i++)
		any |= t->distances[i] != 0;
	if (!any)
		return NULL; /* JSON null */
	rows = jw_check(w, json_object_new_array());
	for (size_t i = 0; rows && i < t->nnodes; i++) {
		json_object *row = jw_check(w, json_object_new_array());

		for (size_t j = 0; row && j < t->nnodes; j++)
			jw_push(w, row, jw_u64(w, t->distances[i * t->nnodes + j]));
		jw_push(w, rows, row);
	}
	return rows;
}

static json_object *jw_tiers(struct jw *w, const struct np_topo *t)
{
	json_object *a = jw_check(w, json_object_new_array());

	for (size_t i = 0; a && i < t->ntiers; i++) {
		json_object *o = jw_check(w, json_object_new_object());

		if (!o)
			break;
		jw_add(w, o, "id", jw_u64(w, t->tiers[i].id));
		jw_add(w, o, "nodes", jw_ids(w, t->tiers[i].nodes,
					     t->tiers[i].nnodes));
		jw_push(w, a, o);
	}
	return a;
}

static json_object *jw_wi(struct jw *w, const struct np_topo *t)
{
	json_object *o, *weights;

	if (!t->wi.present)
		return NULL; /* JSON null */
	o = jw_check(w, json_object_new_object());
	if (!o)
		return NULL;
	jw_add(w, o, "auto", t->wi.has_auto ?
	       jw_check(w, json_object_new_boolean(t->wi.auto_enabled)) : NULL);
	jw_add(w, o, "auto_file", t->wi.has_auto ?
	       jw_check(w, json_object_new_string(t->wi.auto_file)) : NULL);
	weights = jw_check(w, json_object_new_array());
	for (size_t i = 0; weights && i < t->nnodes; i++) {
		json_object *e;

		if (!t->wi.weights || !t->wi.weights[i])
			continue;
		e = jw_check(w, json_object_new_object());
		if (!e)
			break;
		jw_add(w, e, "node", jw_u64(w, t->nodes[i].id));
		jw_add(w, e, "weight", jw_u64(w, t->wi.weights[i]));
		jw_push(w, weights, e);
	}
	jw_add(w, o, "weights", weights);
	return o;
}

static json_object *jw_topo(struct jw *w, const struct np_topo *t)
{
	json_object *o = jw_check(w, json_object_new_object());
	json_object *nodes;

	if (!o)
		return NULL;
	jw_add(w, o, "schema",
	       jw_check(w, json_object_new_string(NP_JSON_SCHEMA)));
	jw_add(w, o, "source",
	       jw_check(w, json_object_new_string(source_names[t->source])));
	/* Only written when false: the files of NUMA machines stay as they
	 * were, and a reader without the key assumes NUMA. */
	if (t->not_numa)
		jw_add(w, o, "numa", jw_check(w, json_object_new_boolean(0)));
	jw_add(w, o, "possible_nodes", t->possible_nodes ?
	       jw_ids(w, t->possible_nodes, t->npossible) : NULL);
	jw_add(w, o, "online_nodes", t->online_nodes ?
	       jw_ids(w, t->online_nodes, t->nonline) : NULL);
	nodes = jw_check(w, json_object_new_array());
	for (size_t i = 0; nodes && i < t->nnodes; i++)
		jw_push(w, nodes, jw_node(w, &t->nodes[i]));
	jw_add(w, o, "nodes", nodes);
	jw_add(w, o, "distances", jw_distances(w, t));
	jw_add(w, o, "memory_tiers", jw_tiers(w, t));
	jw_add(w, o, "weighted_interleave", jw_wi(w, t));
	jw_add(w, o, "default_hugepage_bytes",
	       jw_u64(w, t->default_hugepage_bytes));
	return o;
}

int np_topo_to_json(const struct np_topo *t, char **out, size_t *len)
{
	struct jw w = { false };
	json_object *root = jw_topo(&w, t);
	const char *s;
	size_t n;

	*out = NULL;
	if (!root || w.oom) {
		json_object_put(root);
		return -ENOMEM;
	}
	s = json_object_to_json_string_length(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	*out = s ? malloc(n + 2) : NULL;
	if (*out) {
		memcpy(*out, s, n);
		(*out)[n] = '\n';
		(*out)[n + 1] = '\0';
		if (len)
			*len = n + 1;
	}
	json_object_put(root);
	return *out ? 0 : -ENOMEM;
}

/* ---- reading --------------------------------------------------------- */

/* Reader state: the input's name and the key path, for error messages. */
struct jr {
	const char *name;
	struct np_err *err;
	char where[96];
};

static int jr_fail(struct jr *r, const char *why)
{
	if (r->where[0])
		return np_fail_input(r->err, -EINVAL, "%s: %s: %s", r->name,
			       r->where, why);
	return np_fail_input(r->err, -EINVAL, "%s: %s", r->name, why);
}

static void jr_at(struct jr *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void jr_at(struct jr *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->where, sizeof(r->where), fmt, ap);
	va_end(ap);
}

static bool is_null(json_object *o)
{
	return !o || json_object_get_type(o) == json_type_null;
}

/* A non-negative integer up to max; null allowed only when null_ok. */
static int jr_u64(struct jr *r, json_object *o, uint64_t max, bool null_ok,
		  uint64_t *v)
{
	int64_t x;

	if (is_null(o)) {
		if (!null_ok)
			return jr_fail(r, "expected a number");
		*v = NP_UNKNOWN;
		return 0;
	}
	if (json_object_get_type(o) != json_type_int)
		return jr_fail(r, "expected an integer");
	x = json_object_get_int64(o);
	/* json-c clamps 2^63 and above to INT64_MAX: ask it as unsigned. */
	if (x == INT64_MAX && json_object_get_uint64(o) > (uint64_t)INT64_MAX)
		return jr_fail(r, "number out of range");
	if (x < 0 || (uint64_t)x > max)
		return jr_fail(r, "number out of range");
	*v = (uint64_t)x;
	return 0;
}

static int jr_get(struct jr *r, json_object *obj, const char *key,
		  json_type type, bool required, json_object **out)
{
	char prefix[sizeof(r->where)];

	*out = NULL;
	snprintf(prefix, sizeof(prefix), "%s", r->where);
	if (!json_object_object_get_ex(obj, key, out) || is_null(*out)) {
		*out = NULL;
		if (!required)
			return 0;
		jr_at(r, "%s%s%s", prefix, prefix[0] ? "." : "", key);
		return jr_fail(r, "missing");
	}
	if (json_object_get_type(*out) != type) {
		jr_at(r, "%s%s%s", prefix, prefix[0] ? "." : "", key);
		return jr_fail(r, type == json_type_array ? "expected an array" :
			       type == json_type_object ? "expected an object" :
			       "wrong type");
	}
	return 0;
}

/* An ascending list of ids, each <= max_id. */
static int jr_ids(struct jr *r, json_object *a, unsigned max_id,
		  unsigned **ids, size_t *n)
{
	size_t len = json_object_array_length(a);
	struct np_idset l = { NULL, 0 };

	for (size_t i = 0; i < len; i++) {
		uint64_t v;
		int e = jr_u64(r, json_object_array_get_idx(a, i), max_id,
			       false, &v);

		if (!e && l.n && l.ids[l.n - 1] >= v)
			e = jr_fail(r, "ids must be ascending and unique");
		if (!e && np_idset_push(&l, (unsigned)v))
			e = np_fail_sys(r->err, -ENOMEM, "out of memory");
		if (e) {
			np_idset_free(&l);
			return e;
		}
	}
	*ids = l.ids;
	*n = l.n;
	return 0;
}

static int jr_bool(struct jr *r, json_object *node, const char *key,
		   bool fallback, bool *v)
{
	json_object *o;
	int e = jr_get(r, node, key, json_type_boolean, false, &o);

	if (e)
		return e;
	*v = o ? json_object_get_boolean(o) : fallback;
	return 0;
}

static int jr_memory(struct jr *r, json_object *node, struct np_node *n,
		     size_t idx)
{
	json_object *mem, *v;
	int e;

	jr_at(r, "nodes[%zu]", idx);
	e = jr_get(r, node, "memory", json_type_object, true, &mem);
	if (e)
		return e;
	jr_at(r, "nodes[%zu].memory.total_bytes", idx);
	json_object_object_get_ex(mem, "total_bytes", &v);
	e = jr_u64(r, v, INT64_MAX, true, &n->total_bytes);
	if (e)
		return e;
	jr_at(r, "nodes[%zu].memory.free_bytes", idx);
	v = NULL;
	json_object_object_get_ex(mem, "free_bytes", &v);
	/* MemFree above MemTotal is kept as the kernel said it, as from
	 * sysfs (numactl prints it too): the per-CPU counter drift of a
	 * nearly empty node can make it so for a moment. */
	return jr_u64(r, v, INT64_MAX, true, &n->free_bytes);
}

static int jr_hugepages(struct jr *r, json_object *node, struct np_node *n,
			size_t idx)
{
	static const char *const keys[] = { "size_bytes", "total", "free",
					    "surplus" };
	json_object *a;
	size_t len;
	int e;

	jr_at(r, "nodes[%zu]", idx);
	e = jr_get(r, node, "hugepages", json_type_array, false, &a);
	if (e || !a)
		return e;
	len = json_object_array_length(a);
	n->hugepages = calloc(len ? len : 1, sizeof(*n->hugepages));
	if (!n->hugepages)
		return np_fail_sys(r->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		json_object *hp = json_object_array_get_idx(a, i), *v;
		uint64_t *slots[] = {
			&n->hugepages[i].size_bytes, &n->hugepages[i].total,
			&n->hugepages[i].free, &n->hugepages[i].surplus,
		};

		jr_at(r, "nodes[%zu].hugepages[%zu]", idx, i);
		if (json_object_get_type(hp) != json_type_object)
			return jr_fail(r, "expected an object");
		for (int k = 0; k < 4; k++) {
			v = NULL;
			json_object_object_get_ex(hp, keys[k], &v);
			jr_at(r, "nodes[%zu].hugepages[%zu].%s", idx, i, keys[k]);
			e = jr_u64(r, v, INT64_MAX, k == 3, slots[k]);
			if (e)
				return e;
		}
		if (n->hugepages[i].surplus == NP_UNKNOWN)
			n->hugepages[i].surplus = 0;
		if (n->hugepages[i].size_bytes == 0)
			return jr_fail(r, "page size 0");
		n->nhugepages++;
	}
	np_sort_hugepages(n);
	return 0;
}

static int jr_orders(struct jr *r, json_object *node, struct np_node *n,
		     size_t idx)
{
	json_object *a, *v;
	size_t len;
	int e;

	jr_at(r, "nodes[%zu]", idx);
	e = jr_get(r, node, "free_pages_by_order", json_type_array, false, &a);
	if (e || !a)
		return e;
	len = json_object_array_length(a);
	jr_at(r, "nodes[%zu].free_pages_by_order", idx);
	if (len > NP_MAX_ORDERS)
		return jr_fail(r, "more than 16 orders");
	if (!len)
		return 0;
	n->free_blocks_by_order = calloc(len, sizeof(uint64_t));
	if (!n->free_blocks_by_order)
		return np_fail_sys(r->err, -ENOMEM, "out of memory");
	n->norders = len;
	for (size_t k = 0; k < len; k++) {
		jr_at(r, "nodes[%zu].free_pages_by_order[%zu]", idx, k);
		e = jr_u64(r, json_object_array_get_idx(a, k), INT64_MAX, false,
			   &n->free_blocks_by_order[k]);
		if (e)
			return e;
	}
	jr_at(r, "nodes[%zu]", idx);
	e = jr_get(r, node, "page_size_bytes", json_type_int, false, &v);
	if (!e && v) {
		jr_at(r, "nodes[%zu].page_size_bytes", idx);
		e = jr_u64(r, v, 1ull << 30, false, &n->page_size_bytes);
		if (!e && n->page_size_bytes == 0)
			e = jr_fail(r, "page size 0");
	}
	return e;
}

static int jr_numastat(struct jr *r, json_object *node, struct np_node *n,
		       size_t idx)
{
	static const char *const keys[] = {
		"numa_hit", "numa_miss", "numa_foreign",
		"interleave_hit", "local_node", "other_node",
	};
	uint64_t *slots[] = {
		&n->numastat.numa_hit, &n->numastat.numa_miss,
		&n->numastat.numa_foreign, &n->numastat.interleave_hit,
		&n->numastat.local_node, &n->numastat.other_node,
	};
	json_object *o, *v;
	int e;

	jr_at(r, "nodes[%zu]", idx);
	e = jr_get(r, node, "numastat", json_type_object, false, &o);
	if (e || !o)
		return e;
	for (int k = 0; k < 6; k++) {
		v = NULL;
		json_object_object_get_ex(o, keys[k], &v);
		jr_at(r, "nodes[%zu].numastat.%s", idx, keys[k]);
		e = jr_u64(r, v, INT64_MAX, false, slots[k]);
		if (e)
			return e;
	}
	n->has_numastat = true;
	return 0;
}

static int jr_meminfo(struct jr *r, json_object *node, struct np_node *n,
		      size_t idx)
{
	json_object *o;
	size_t cnt, i = 0;
	int e;

	jr_at(r, "nodes[%zu]", idx);
	e = jr_get(r, node, "meminfo", json_type_object, false, &o);
	if (e || !o)
		return e;
	cnt = (size_t)json_object_object_length(o);
	n->meminfo = calloc(cnt ? cnt : 1, sizeof(*n->meminfo));
	if (!n->meminfo)
		return np_fail_sys(r->err, -ENOMEM, "out of memory");
	json_object_object_foreach(o, key, val) {
		struct np_counter *c = &n->meminfo[i];
		size_t klen = strlen(key);

		jr_at(r, "nodes[%zu].meminfo.%.40s", idx, key);
		c->is_kib = klen > 3 && strcmp(key + klen - 3, "_kB") == 0;
		if (c->is_kib)
			klen -= 3;
		if (klen == 0 || klen >= sizeof(c->name))
			return jr_fail(r, "bad field name");
		memcpy(c->name, key, klen);
		e = jr_u64(r, val, c->is_kib ? INT64_MAX / 1024 : INT64_MAX,
			   false, &c->value);
		if (e)
			return e;
		n->nmeminfo = ++i;
	}
	return 0;
}

static int jr_node(struct jr *r, json_object *node, struct np_topo *t,
		   size_t idx)
{
	struct np_node *n = &t->nodes[idx];
	json_object *cpus;
	int e;

	jr_at(r, "nodes[%zu]", idx);
	e = jr_get(r, node, "cpus", json_type_array, true, &cpus);
	if (!e) {
		jr_at(r, "nodes[%zu].cpus", idx);
		e = jr_ids(r, cpus, NP_MAX_CPUS - 1, &n->cpus, &n->ncpus);
	}
	if (!e)
		e = jr_memory(r, node, n, idx);
	if (!e)
		e = jr_hugepages(r, node, n, idx);
	if (!e)
		e = jr_orders(r, node, n, idx);
	if (!e)
		e = jr_numastat(r, node, n, idx);
	if (!e)
		e = jr_meminfo(r, node, n, idx);
	jr_at(r, "nodes[%zu]", idx);
	if (!e)
		e = jr_bool(r, node, "has_cpus", n->ncpus > 0, &n->has_cpus);
	if (!e)
		e = jr_bool(r, node, "has_memory", n->total_bytes != NP_UNKNOWN &&
			    n->total_bytes > 0, &n->has_memory);
	if (!e)
		e = jr_bool(r, node, "has_normal_memory", n->has_memory,
			    &n->has_normal_memory);
	return e;
}

static int jr_node_ids(struct jr *r, json_object *nodes, unsigned **ids)
{
	size_t len = json_object_array_length(nodes);

	*ids = calloc(len, sizeof(**ids));
	if (!*ids)
		return np_fail_sys(r->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		json_object *node = json_object_array_get_idx(nodes, i), *id;
		uint64_t v;
		int e;

		jr_at(r, "nodes[%zu]", i);
		if (json_object_get_type(node) != json_type_object)
			return jr_fail(r, "expected an object");
		id = NULL;
		json_object_object_get_ex(node, "id", &id);
		jr_at(r, "nodes[%zu].id", i);
		e = jr_u64(r, id, NP_MAX_NODES - 1, false, &v);
		if (e)
			return e;
		if (i && (*ids)[i - 1] >= v)
			return jr_fail(r, "node ids must be ascending and unique");
		(*ids)[i] = (unsigned)v;
	}
	return 0;
}

static int jr_distances(struct jr *r, json_object *root, struct np_topo *t)
{
	json_object *rows;
	int e;

	jr_at(r, "%s", "");
	e = jr_get(r, root, "distances", json_type_array, false, &rows);
	if (e || !rows)
		return e;
	jr_at(r, "distances");
	if (json_object_array_length(rows) != t->nnodes)
		return jr_fail(r, "needs one row per node");
	for (size_t i = 0; i < t->nnodes; i++) {
		json_object *row = json_object_array_get_idx(rows, i);

		jr_at(r, "distances[%zu]", i);
		if (json_object_get_type(row) != json_type_array ||
		    json_object_array_length(row) != t->nnodes)
			return jr_fail(r, "needs one entry per node");
		for (size_t j = 0; j < t->nnodes; j++) {
			uint64_t d;

			jr_at(r, "distances[%zu][%zu]", i, j);
			e = jr_u64(r, json_object_array_get_idx(row, j), 255,
				   false, &d);
			if (e)
				return e;
			t->distances[i * t->nnodes + j] = (uint32_t)d;
		}
	}
	return 0;
}

static int jr_node_list(struct jr *r, json_object *root, const char *key,
			unsigned **ids, size_t *n)
{
	json_object *a;
	int e;

	jr_at(r, "%s", "");
	e = jr_get(r, root, key, json_type_array, false, &a);
	if (e || !a)
		return e;
	jr_at(r, "%s", key);
	return jr_ids(r, a, NP_MAX_NODES - 1, ids, n);
}

static int jr_tiers(struct jr *r, json_object *root, struct np_topo *t)
{
	json_object *a;
	size_t len;
	int e;

	jr_at(r, "%s", "");
	e = jr_get(r, root, "memory_tiers", json_type_array, false, &a);
	if (e || !a)
		return e;
	len = json_object_array_length(a);
	t->tiers = calloc(len ? len : 1, sizeof(*t->tiers));
	if (!t->tiers)
		return np_fail_sys(r->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		json_object *o = json_object_array_get_idx(a, i), *v = NULL;
		struct np_memory_tier *tier = &t->tiers[i];
		uint64_t id;

		jr_at(r, "memory_tiers[%zu]", i);
		if (json_object_get_type(o) != json_type_object)
			return jr_fail(r, "expected an object");
		json_object_object_get_ex(o, "id", &v);
		e = jr_u64(r, v, UINT_MAX, false, &id);
		if (!e)
			e = jr_get(r, o, "nodes", json_type_array, true, &v);
		if (!e)
			e = jr_ids(r, v, NP_MAX_NODES - 1, &tier->nodes,
				   &tier->nnodes);
		if (e)
			return e;
		tier->id = (unsigned)id;
		t->ntiers++;
	}
	np_sort_tiers(t);
	return 0;
}

static int jr_wi_weights(struct jr *r, json_object *o, struct np_topo *t)
{
	json_object *a;
	size_t len;
	int e;

	jr_at(r, "weighted_interleave");
	e = jr_get(r, o, "weights", json_type_array, false, &a);
	if (e || !a)
		return e;
	len = json_object_array_length(a);
	for (size_t i = 0; i < len; i++) {
		json_object *w = json_object_array_get_idx(a, i), *v = NULL;
		uint64_t node, weight;
		long idx;

		jr_at(r, "weighted_interleave.weights[%zu]", i);
		if (json_object_get_type(w) != json_type_object)
			return jr_fail(r, "expected an object");
		json_object_object_get_ex(w, "node", &v);
		e = jr_u64(r, v, NP_MAX_NODES - 1, false, &node);
		v = NULL;
		json_object_object_get_ex(w, "weight", &v);
		if (!e)
			e = jr_u64(r, v, 255, false, &weight);
		if (e)
			return e;
		idx = np_topo_node_index(t, (unsigned)node);
		if (idx < 0)
			return jr_fail(r, "weight for a node not in nodes");
		t->wi.weights[idx] = (unsigned)weight;
	}
	return 0;
}

static int jr_wi(struct jr *r, json_object *root, struct np_topo *t)
{
	json_object *o, *v;
	int e;

	jr_at(r, "%s", "");
	e = jr_get(r, root, "weighted_interleave", json_type_object, false, &o);
	if (e || !o)
		return e;
	t->wi.present = true;
	t->wi.weights = calloc(t->nnodes, sizeof(*t->wi.weights));
	if (!t->wi.weights)
		return np_fail_sys(r->err, -ENOMEM, "out of memory");
	jr_at(r, "weighted_interleave");
	e = jr_get(r, o, "auto", json_type_boolean, false, &v);
	if (!e && v) {
		t->wi.has_auto = true;
		t->wi.auto_enabled = json_object_get_boolean(v);
		snprintf(t->wi.auto_file, sizeof(t->wi.auto_file), "auto");
		jr_at(r, "weighted_interleave");
		e = jr_get(r, o, "auto_file", json_type_string, false, &v);
		if (!e && v)
			snprintf(t->wi.auto_file, sizeof(t->wi.auto_file), "%s",
				 json_object_get_string(v));
	}
	return e ? e : jr_wi_weights(r, o, t);
}

static int jr_topo(struct jr *r, json_object *root, struct np_topo *t)
{
	json_object *nodes;
	unsigned *ids = NULL;
	size_t len;
	int e;

	if (json_object_get_type(root) != json_type_object)
		return jr_fail(r, "expected a JSON object");
	jr_at(r, "%s", "");
	e = jr_get(r, root, "nodes", json_type_array, true, &nodes);
	if (e)
		return e;
	len = json_object_array_length(nodes);
	if (len == 0 || len > NP_MAX_NODES) {
		jr_at(r, "nodes");
		return jr_fail(r, len ? "too many nodes" : "no nodes");
	}
	e = jr_node_ids(r, nodes, &ids);
	if (!e && np_topo_alloc_nodes(t, ids, len))
		e = np_fail_sys(r->err, -ENOMEM, "out of memory");
	free(ids);
	for (size_t i = 0; !e && i < len; i++)
		e = jr_node(r, json_object_array_get_idx(nodes, i), t, i);
	if (!e)
		e = jr_distances(r, root, t);
	if (!e)
		e = jr_node_list(r, root, "possible_nodes", &t->possible_nodes,
				 &t->npossible);
	if (!e)
		e = jr_node_list(r, root, "online_nodes", &t->online_nodes,
				 &t->nonline);
	if (!e)
		e = jr_tiers(r, root, t);
	if (!e)
		e = jr_wi(r, root, t);
	if (!e) {
		json_object *v = NULL;

		json_object_object_get_ex(root, "default_hugepage_bytes", &v);
		jr_at(r, "default_hugepage_bytes");
		e = jr_u64(r, v, INT64_MAX, true, &t->default_hugepage_bytes);
	}
	if (!e) {
		bool numa = true;

		jr_at(r, "%s", "");
		e = jr_bool(r, root, "numa", true, &numa);
		t->not_numa = !numa;
		if (!e && t->not_numa && t->nnodes != 1) {
			jr_at(r, "numa");
			e = jr_fail(r, "false needs exactly one node");
		}
	}
	return e ? e : np_topo_check(t, r->name, r->err);
}

int np_topo_from_json_named(const char *name, const char *buf, size_t len,
			    struct np_topo **out, struct np_err *err)
{
	struct jr r = { name, err, "" };
	struct json_tokener *tok;
	json_object *root;
	struct np_topo *t;
	int e;

	*out = NULL;
	if (len > INT_MAX)
		return np_fail_input(err, -EFBIG, "%s: too large", name);
	if (len && memchr(buf, '\0', len))
		return np_fail_input(err, -EINVAL, "%s: NUL byte in JSON", name);
	tok = json_tokener_new_ex(64);
	if (!tok)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		json_tokener_free(tok);
		return np_fail_input(err, -EINVAL, "%s: invalid JSON: %s", name,
			       je == json_tokener_continue ? "unexpected end" :
			       json_tokener_error_desc(je));
	}
	if (tok->char_offset < (int)len) {
		/* Allow only trailing whitespace. */
		for (size_t i = (size_t)tok->char_offset; i < len; i++) {
			if (buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\t' &&
			    buf[i] != '\r') {
				json_object_put(root);
				json_tokener_free(tok);
				return np_fail_input(err, -EINVAL,
					       "%s: trailing data after JSON", name);
			}
		}
	}
	json_tokener_free(tok);
	t = np_topo_new(NP_TOPO_JSON, name);
	e = t ? jr_topo(&r, root, t) : np_fail_sys(err, -ENOMEM, "out of memory");
	json_object_put(root);
	if (e) {
		np_topo_free(t);
		return e;
	}
	*out = t;
	return 0;
}

int np_topo_from_json(const char *buf, size_t len, struct np_topo **out,
		      struct np_err *err)
{
	return np_topo_from_json_named("<json>", buf, len, out, err);
}
