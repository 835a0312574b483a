/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan JSON (NP_PLAN_FORMAT_VERSION), both directions: written from a
 * plan, read back as VMs already running (--existing) whose memory,
 * hugepages and CPUs are subtracted from a host.
 *
 *   {"version":1, "strategy":"best-fit", "placed":2, "refused":0,
 *    "vms":[{"name":"vm1", "placed":true, "vcpus":4, "memory_mib":4096,
 *            "hugepages":null, "dedicated_cpus":false,
 *            "memory_policy":"bind", "nodes":[0],
 *            "memory_per_node_mib":{"0":4096},
 *            "vcpu_pins":[[0,4],[1,5]]   dedicated: one CPU per vCPU,
 *                        [[0,"0-7"],...] shared: the CPUs it floats over,
 *            "guest_cells":[{"cpus":"0-3","memory_mib":4096,
 *                            "host_nodes":[0]}],
 *            "guest_distances":[[10]], "reason":null}],
 *    "host_left":[{"node":0, "free_mib":..., "cpus":"0-7",
 *                  "free_cpus":"0-3", "shared_vcpus":4,
 *                  "hugepages":{"2M":512}}],
 *    "largest_fit":[{"max_nodes":1, "vcpus":8, "memory_mib":...}]}
 */
#include "vm/vm-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-json.h"
#include "util/util-strbuf.h"

static json_object *jw_u64(struct jw *w, uint64_t v)
{
	return jw_check(w, json_object_new_int64((int64_t)v));
}

static json_object *jw_idlist(struct jw *w, const unsigned *ids, size_t n)
{
	struct strbuf sb = { 0 };
	json_object *o;

	sb_idlist(&sb, ids, n);
	o = jw_check(w, json_object_new_string(sb.buf ? sb.buf : ""));
	w->oom |= sb.oom;
	sb_release(&sb);
	return o;
}

static const char *huge_name(uint64_t bytes)
{
	return bytes == UINT64_C(2) << 20 ? "2M" :
	       bytes == UINT64_C(1) << 30 ? "1G" : NULL;
}

static json_object *vm_cells(struct jw *w, const struct np_plan_vm *vm)
{
	json_object *cells = jw_check(w, json_object_new_array());

	for (size_t c = 0; cells && c < vm->ncells; c++) {
		const struct np_plan_cell *cell = &vm->cells[c];
		json_object *o = jw_check(w, json_object_new_object());
		json_object *hn = jw_check(w, json_object_new_array());
		unsigned ids[cell->nvcpus ? cell->nvcpus : 1];

		if (!o || !hn) {
			json_object_put(o);
			json_object_put(hn);
			break;
		}
		for (unsigned v = 0; v < cell->nvcpus; v++)
			ids[v] = cell->first_vcpu + v;
		jw_add(w, o, "cpus", jw_idlist(w, ids, cell->nvcpus));
		jw_add(w, o, "memory_mib", jw_u64(w, cell->memory_mib));
		jw_push(w, hn, jw_u64(w, cell->host_node));
		jw_add(w, o, "host_nodes", hn);
		jw_push(w, cells, o);
	}
	return cells;
}

static json_object *vm_matrix(struct jw *w, const struct np_plan_vm *vm)
{
	json_object *m = jw_check(w, json_object_new_array());

	for (size_t a = 0; m && a < vm->ncells; a++) {
		json_object *row = jw_check(w, json_object_new_array());

		for (size_t b = 0; row && b < vm->ncells; b++)
			jw_push(w, row, jw_u64(w, vm->guest_distances[a *
							vm->ncells + b]));
		jw_push(w, m, row);
	}
	return m;
}

static json_object *vm_pins(struct jw *w, const struct np_plan_vm *vm)
{
	json_object *pins = jw_check(w, json_object_new_array());

	for (unsigned v = 0; pins && vm->vcpu_cpus && v < vm->vcpus; v++) {
		const struct np_idset *s = &vm->vcpu_cpus[v];
		json_object *pin = jw_check(w, json_object_new_array());

		if (!pin)
			break;
		jw_push(w, pin, jw_u64(w, v));
		if (vm->dedicated && s->n == 1)
			jw_push(w, pin, jw_u64(w, s->ids[0]));
		else
			jw_push(w, pin, jw_idlist(w, s->ids, s->n));
		jw_push(w, pins, pin);
	}
	return pins;
}

static json_object *vm_object(struct jw *w, const struct np_plan_vm *vm)
{
	json_object *o = jw_check(w, json_object_new_object());
	json_object *nodes, *per;
	uint64_t total = 0;
	const char *hn;
	char key[16];

	if (!o)
		return NULL;
	jw_add(w, o, "name", jw_check(w, json_object_new_string(vm->name)));
	jw_add(w, o, "placed", jw_check(w,
		json_object_new_boolean(vm->placed)));
	nodes = jw_check(w, json_object_new_array());
	per = jw_check(w, json_object_new_object());
	for (size_t i = 0; nodes && per && i < vm->nodes.n; i++) {
		jw_push(w, nodes, jw_u64(w, vm->nodes.ids[i]));
		snprintf(key, sizeof(key), "%u", vm->nodes.ids[i]);
		jw_add(w, per, key, jw_u64(w, vm->memory_mib[i]));
		total += vm->memory_mib[i];
	}
	jw_add(w, o, "vcpus", jw_u64(w, vm->vcpus));
	jw_add(w, o, "memory_mib", jw_u64(w, total));
	hn = huge_name(vm->hugepage_bytes);
	jw_add(w, o, "hugepages", hn ? jw_check(w,
		json_object_new_string(hn)) : NULL);
	jw_add(w, o, "dedicated_cpus", jw_check(w,
		json_object_new_boolean(vm->dedicated)));
	jw_add(w, o, "memory_policy", vm->placed ? jw_check(w,
		json_object_new_string(vm->interleaved ? "interleave" :
				       "bind")) : NULL);
	jw_add(w, o, "nodes", nodes);
	jw_add(w, o, "memory_per_node_mib", per);
	jw_add(w, o, "vcpu_pins", vm_pins(w, vm));
	jw_add(w, o, "guest_cells", vm_cells(w, vm));
	jw_add(w, o, "guest_distances", vm_matrix(w, vm));
	jw_add(w, o, "reason", vm->reason ? jw_check(w,
		json_object_new_string(vm->reason)) : NULL);
	if (vm->explain)
		jw_add(w, o, "explain", jw_check(w,
			json_object_new_string(vm->explain)));
	return o;
}

static json_object *host_left(struct jw *w, const struct np_plan_host *h)
{
	json_object *arr = jw_check(w, json_object_new_array());

	for (size_t i = 0; arr && i < h->nnodes; i++) {
		const struct np_plan_node *n = &h->nodes[i];
		json_object *o = jw_check(w, json_object_new_object());
		json_object *hp = jw_check(w, json_object_new_object());
		unsigned freec[n->ncpus ? n->ncpus : 1];
		size_t nf = 0;

		if (!o || !hp) {
			json_object_put(o);
			json_object_put(hp);
			break;
		}
		for (size_t a = 0; a < n->ncpus; a++)
			if (!n->cpu_taken || !n->cpu_taken[a])
				freec[nf++] = n->cpus[a];
		jw_add(w, o, "node", jw_u64(w, n->id));
		jw_add(w, o, "free_mib", jw_u64(w, n->free_mib));
		jw_add(w, o, "memory_only", jw_check(w,
			json_object_new_boolean(n->memory_only)));
		jw_add(w, o, "cpus", jw_idlist(w, n->cpus, n->ncpus));
		jw_add(w, o, "free_cpus", jw_idlist(w, freec, nf));
		jw_add(w, o, "shared_vcpus", jw_u64(w, n->shared_vcpus));
		for (size_t k = 0; k < n->nhuge; k++) {
			const char *name = huge_name(n->huge[k].size_bytes);
			char b[32];

			if (!name) {
				snprintf(b, sizeof(b), "%llukB",
					 (unsigned long long)
					 (n->huge[k].size_bytes >> 10));
				name = b;
			}
			jw_add(w, hp, name, jw_u64(w, n->huge[k].free));
		}
		jw_add(w, o, "hugepages", hp);
		jw_push(w, arr, o);
	}
	return arr;
}

static json_object *largest(struct jw *w, const struct np_plan *p)
{
	json_object *arr = jw_check(w, json_object_new_array());

	for (size_t k = 0; arr && k < p->nlargest; k++) {
		json_object *o = jw_check(w, json_object_new_object());

		if (!o)
			break;
		jw_add(w, o, "max_nodes", jw_u64(w, k + 1));
		jw_add(w, o, "vcpus", jw_u64(w, p->largest_vcpus[k]));
		jw_add(w, o, "memory_mib", jw_u64(w, p->largest_mib[k]));
		jw_push(w, arr, o);
	}
	return arr;
}

static int finish(struct jw *w, json_object *root, char **out,
		  struct np_err *err)
{
	const char *s = NULL;

	if (!w->oom && root)
		s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						   JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
	*out = s ? malloc(strlen(s) + 2) : NULL;
	if (*out) {
		strcpy(*out, s);
		strcat(*out, "\n");
	}
	json_object_put(root);
	return *out ? 0 : np_fail_sys(err, -ENOMEM, "out of memory");
}

/* The plan JSON of p with every VM (vm NULL) or one VM alone: that one
 * is a plan of its own, readable as --existing, without the host. */
static int emit(const struct np_plan *p, const struct np_plan_vm *vm,
		char **out, struct np_err *err)
{
	struct jw w = { false };
	json_object *root = jw_check(&w, json_object_new_object());
	json_object *vms = jw_check(&w, json_object_new_array());

	*out = NULL;
	if (root && vms) {
		jw_add(&w, root, "version", jw_u64(&w, NP_PLAN_FORMAT_VERSION));
		jw_add(&w, root, "strategy", jw_check(&w,
			json_object_new_string(np_plan_strategy_name(p->strategy))));
		if (!vm) {
			jw_add(&w, root, "placed", jw_u64(&w, p->placed));
			jw_add(&w, root, "refused", jw_u64(&w,
							   p->nvms - p->placed));
		}
		for (size_t i = 0; i < p->nvms; i++)
			if (!vm || vm == &p->vms[i])
				jw_push(&w, vms, vm_object(&w, &p->vms[i]));
		jw_add(&w, root, "vms", vms);
		vms = NULL;
		if (!vm) {
			jw_add(&w, root, "host_left", host_left(&w, p->left));
			jw_add(&w, root, "largest_fit", largest(&w, p));
		}
	}
	json_object_put(vms);
	return finish(&w, root, out, err);
}

int np_plan_emit_json(const struct np_plan *p, char **out, struct np_err *err)
{
	return emit(p, NULL, out, err);
}

int np_plan_emit_json_vm(const struct np_plan *p, const struct np_plan_vm *vm,
			 char **out, struct np_err *err)
{
	return emit(p, vm, out, err);
}

/* ---- reading a plan back: VMs already running -------------------------- */

struct jr {
	const char *origin;
	char where[200];
	struct np_err *err;
};

static int jr_fail(struct jr *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int jr_fail(struct jr *r, const char *fmt, ...)
{
	char why[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return np_fail_input(r->err, -EINVAL, "%s: %s: %s", r->origin,
			     r->where, why);
}

static bool get_u64(json_object *o, const char *key, uint64_t *v)
{
	json_object *x;

	if (!json_object_object_get_ex(o, key, &x) ||
	    !json_object_is_type(x, json_type_int) ||
	    json_object_get_int64(x) < 0)
		return false;
	*v = (uint64_t)json_object_get_int64(x);
	return true;
}

static int take_memory_json(struct jr *r, struct np_plan_host *h,
			    json_object *vm, uint64_t huge)
{
	json_object *per;

	if (!json_object_object_get_ex(vm, "memory_per_node_mib", &per) ||
	    !json_object_is_type(per, json_type_object))
		return jr_fail(r, "memory_per_node_mib: missing or not an "
			       "object");
	json_object_object_foreach(per, key, val) {
		char *end;
		unsigned long id = strtoul(key, &end, 10);
		long i = *end || end == key ? -1 : np_plan_host_index(h,
							(unsigned)id);
		int64_t mib;

		if (i < 0)
			return jr_fail(r, "memory_per_node_mib: node '%s' does "
				       "not exist on this host", key);
		if (!json_object_is_type(val, json_type_int) ||
		    (mib = json_object_get_int64(val)) < 0)
			return jr_fail(r, "memory_per_node_mib: %s: not a size "
				       "in MiB", key);
		struct np_plan_node *n = &h->nodes[i];

		if (huge) {
			long k = np_plan_node_huge_index(n, huge);
			uint64_t pages = (uint64_t)mib / (huge >> 20);

			if (k < 0)
				return jr_fail(r, "hugepages: node %s has no "
					       "such pool", key);
			n->huge[k].free = n->huge[k].free > pages ?
					  n->huge[k].free - pages : 0;
		} else {
			n->free_mib = n->free_mib > (uint64_t)mib ?
				      n->free_mib - (uint64_t)mib : 0;
		}
	}
	return 0;
}

static int take_cpu_json(struct jr *r, struct np_plan_host *h, uint64_t cpu)
{
	for (size_t i = 0; i < h->nnodes; i++) {
		struct np_plan_node *n = &h->nodes[i];

		for (size_t a = 0; a < n->ncpus; a++) {
			if (n->cpus[a] != cpu)
				continue;
			if (!n->cpu_taken &&
			    !(n->cpu_taken = calloc(n->ncpus, sizeof(bool))))
				return np_fail_sys(r->err, -ENOMEM,
						   "out of memory");
			n->cpu_taken[a] = true;
			return 0;
		}
	}
	return jr_fail(r, "vcpu_pins: CPU %llu is not a plannable CPU of "
		       "this host", (unsigned long long)cpu);
}

/* Shared vCPUs: counted on their cell's node. */
static int take_shared_json(struct jr *r, struct np_plan_host *h,
			    json_object *vm)
{
	json_object *cells, *hn, *cpus;
	uint64_t node;

	if (!json_object_object_get_ex(vm, "guest_cells", &cells) ||
	    !json_object_is_type(cells, json_type_array))
		return jr_fail(r, "guest_cells: missing or not an array");
	for (size_t c = 0; c < json_object_array_length(cells); c++) {
		json_object *cell = json_object_array_get_idx(cells, c);
		unsigned n = 0, lo, hi;
		const char *s;
		long i;

		if (!json_object_object_get_ex(cell, "host_nodes", &hn) ||
		    !json_object_is_type(hn, json_type_array) ||
		    json_object_array_length(hn) != 1 ||
		    !json_object_is_type(json_object_array_get_idx(hn, 0),
					 json_type_int) ||
		    !json_object_object_get_ex(cell, "cpus", &cpus) ||
		    !json_object_is_type(cpus, json_type_string))
			return jr_fail(r, "guest_cells[%zu]: expected cpus and "
				       "one host node", c);
		node = (uint64_t)json_object_get_int64(
			json_object_array_get_idx(hn, 0));
		i = node > UINT32_MAX ? -1 : np_plan_host_index(h,
							      (unsigned)node);
		if (i < 0)
			return jr_fail(r, "guest_cells[%zu]: node %llu does not "
				       "exist on this host", c,
				       (unsigned long long)node);
		for (s = json_object_get_string(cpus); *s; ) {
			int used = 0;

			if (sscanf(s, "%u-%u%n", &lo, &hi, &used) == 2 &&
			    hi >= lo)
				n += hi - lo + 1;
			else if (sscanf(s, "%u%n", &lo, &used) == 1)
				n++;
			else
				return jr_fail(r, "guest_cells[%zu]: cpus: not "
					       "a list", c);
			s += used;
			if (*s == ',')
				s++;
			else if (*s)
				return jr_fail(r, "guest_cells[%zu]: cpus: not "
					       "a list", c);
		}
		h->nodes[i].shared_vcpus += n;
	}
	return 0;
}

static int take_vm_json(struct jr *r, struct np_plan_host *h, json_object *vm)
{
	json_object *x, *pins;
	uint64_t huge = 0;
	bool dedicated = false;
	int e;

	if (!json_object_is_type(vm, json_type_object))
		return jr_fail(r, "not an object");
	if (!json_object_object_get_ex(vm, "placed", &x) ||
	    !json_object_is_type(x, json_type_boolean))
		return jr_fail(r, "placed: missing");
	if (!json_object_get_boolean(x))
		return 0;
	if (json_object_object_get_ex(vm, "hugepages", &x) && x &&
	    (!json_object_is_type(x, json_type_string) ||
	     np_vm_hugepage_parse(json_object_get_string(x), &huge)))
		return jr_fail(r, "hugepages: expected \"2M\", \"1G\" or null");
	if (json_object_object_get_ex(vm, "dedicated_cpus", &x))
		dedicated = json_object_get_boolean(x);
	e = take_memory_json(r, h, vm, huge);
	if (e || !dedicated)
		return e ? e : take_shared_json(r, h, vm);
	if (!json_object_object_get_ex(vm, "vcpu_pins", &pins) ||
	    !json_object_is_type(pins, json_type_array))
		return jr_fail(r, "vcpu_pins: missing");
	for (size_t i = 0; !e && i < json_object_array_length(pins); i++) {
		json_object *pin = json_object_array_get_idx(pins, i);
		json_object *cpu = json_object_is_type(pin, json_type_array) &&
			json_object_array_length(pin) == 2 ?
			json_object_array_get_idx(pin, 1) : NULL;

		if (!cpu || !json_object_is_type(cpu, json_type_int) ||
		    json_object_get_int64(cpu) < 0)
			return jr_fail(r, "vcpu_pins[%zu]: expected [vcpu, cpu]",
				       i);
		e = take_cpu_json(r, h, (uint64_t)json_object_get_int64(cpu));
	}
	return e;
}

int np_plan_host_subtract_json(struct np_plan_host *host, const char *text,
			       size_t len, const char *origin,
			       struct np_err *err)
{
	struct jr r = { origin, "", err };
	json_object *root, *vms, *name;
	uint64_t version;
	int e;

	root = np_vm_parse_json(text, len, origin, err, &e);
	if (!root)
		return e;
	snprintf(r.where, sizeof(r.where), "version");
	if (!json_object_is_type(root, json_type_object) ||
	    !get_u64(root, "version", &version) ||
	    version != NP_PLAN_FORMAT_VERSION)
		e = jr_fail(&r, "not a plan of version %d", NP_PLAN_FORMAT_VERSION);
	else if (!json_object_object_get_ex(root, "vms", &vms) ||
		 !json_object_is_type(vms, json_type_array)) {
		snprintf(r.where, sizeof(r.where), "vms");
		e = jr_fail(&r, "missing or not an array");
	}
	for (size_t i = 0; !e && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);

		if (json_object_object_get_ex(vm, "name", &name) &&
		    json_object_is_type(name, json_type_string))
			snprintf(r.where, sizeof(r.where), "vms[%zu] (%s)", i,
				 json_object_get_string(name));
		else
			snprintf(r.where, sizeof(r.where), "vms[%zu]", i);
		e = take_vm_json(&r, host, vm);
	}
	json_object_put(root);
	return e;
}
