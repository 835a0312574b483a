/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The node layer of the topology, read from sysfs and procfs relative to
 * a root fd.  This is the one module that names kernel paths.
 *
 * Which files are required: a node directory must have cpumap or cpulist
 * (numactl reads only cpumap, which every kernel has had; cpulist came
 * later: when both exist both must parse and cpumap is believed), meminfo
 * with MemTotal, and distance; a dump missing one is damaged and we say
 * so instead of guessing.  numastat, hugepages, buddyinfo, the node state
 * masks, memory tiers and weighted interleave are optional (older
 * kernels, partial dumps) but, when present, must parse.
 *
 * A root with sys/devices/system/cpu but no sys/devices/system/node is a
 * kernel built without NUMA: one implicit node (see struct np_topo).
 */
#include "topo/topo-internal.h"

#include <numaplace/policy.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NODE_DIR "sys/devices/system/node"
#define BUDDYINFO "proc/buddyinfo"
#define MEMINFO "proc/meminfo"
#define CPU_DIR "sys/devices/system/cpu"
#define CPU_ONLINE "sys/devices/system/cpu/online"
#define TIERS_DIR "sys/devices/virtual/memory_tiering"
#define WI_DIR "sys/kernel/mm/mempolicy/weighted_interleave"

/* "prefix<digits>" → 1 and *id; anything else → 0. */
static int match_numbered(const char *name, const char *prefix, unsigned *id)
{
	size_t n = strlen(prefix);
	const char *p = name + n;
	unsigned long v = 0;

	if (strncmp(name, prefix, n) != 0 || *p == '\0')
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v >= NP_MAX_NODES * 16ul)
			return 0;
	}
	*id = (unsigned)v;
	return 1;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

/* Reads rel and parses it as a kernel list; absent file → -ENOENT quietly. */
static int read_idlist(const struct np_root *r, const char *rel,
		       unsigned max_id, struct np_idset *out, bool optional,
		       struct np_err *err)
{
	const char *why = NULL;
	size_t len;
	char *buf;
	int e;

	*out = (struct np_idset){ 0 };
	if (optional && np_root_exists(r, rel) == 0)
		return -ENOENT;
	e = np_root_read(r, rel, &buf, &len, err);
	if (e)
		return e;
	e = np_parse_idlist(buf, len, max_id, out, &why);
	free(buf);
	if (e)
		return np_root_fail(r, rel, -EINVAL, err, why);
	return 0;
}

static int read_u64_file(const struct np_root *r, const char *rel,
			 uint64_t *v, struct np_err *err)
{
	const char *why = NULL;
	size_t len;
	char *buf;
	int e;

	e = np_root_read(r, rel, &buf, &len, err);
	if (e)
		return e;
	e = np_parse_u64(buf, len, v, &why);
	free(buf);
	if (e)
		return np_root_fail(r, rel, -EINVAL, err, why);
	return 0;
}

/* "node<digits>" → 1 and *id (saturated at ULLONG_MAX); else 0. */
static int match_node_dir(const char *name, unsigned long long *id)
{
	const char *p = name + 4;
	unsigned long long v = 0;

	if (strncmp(name, "node", 4) != 0 || *p == '\0')
		return 0;
	for (; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (*p < '0' || *p > '9')
			return 0;
		v = v > (ULLONG_MAX - d) / 10 ? ULLONG_MAX : v * 10 + d;
	}
	*id = v;
	return 1;
}

static int list_node_ids(const struct np_root *r, unsigned **ids, size_t *n,
			 struct np_err *err)
{
	char **names;
	size_t nnames, k = 0;
	int e;

	*ids = NULL;
	*n = 0;
	e = np_root_list(r, NODE_DIR, &names, &nnames, err);
	if (e)
		return e;
	*ids = calloc(nnames ? nnames : 1, sizeof(**ids));
	if (!*ids) {
		np_root_list_free(names, nnames);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nnames && !e; i++) {
		unsigned long long id;
		char where[320];

		if (!match_node_dir(names[i], &id))
			continue;
		if (id < NP_MAX_NODES) {
			(*ids)[k++] = (unsigned)id;
			continue;
		}
		/* Skipping it would leave its CPUs and distance column to
		 * be misread: name it instead. */
		snprintf(where, sizeof(where), "%s/" NODE_DIR "/%.64s", r->path,
			 names[i]);
		e = np_fail_node_id(err, where, id);
	}
	np_root_list_free(names, nnames);
	if (!e && k == 0)
		e = np_root_fail(r, NODE_DIR, -ENOENT, err, "no node directories");
	if (e) {
		free(*ids);
		*ids = NULL;
		return e;
	}
	qsort(*ids, k, sizeof(**ids), cmp_unsigned);
	*n = k;
	return 0;
}

static int read_cpumap(const struct np_root *r, const char *rel,
		       struct np_idset *out, struct np_err *err)
{
	const char *why = NULL;
	size_t len;
	char *buf;
	int e;

	e = np_root_read(r, rel, &buf, &len, err);
	if (e)
		return e;
	e = np_parse_cpumap(buf, len, NP_MAX_CPUS - 1, out, &why);
	free(buf);
	if (e)
		return np_root_fail(r, rel, e == -ERANGE ? -ERANGE : -EINVAL, err,
				    why);
	return 0;
}

/*
 * numactl reads only cpumap (kernels before 2.6.26 had no cpulist, and
 * some captures keep only cpumap), so cpumap is the answer; cpulist, when
 * present, must still parse: a damaged file is reported, not ignored.
 */
static int read_node_cpus(const struct np_root *r, struct np_node *node,
			  struct np_err *err)
{
	struct np_idset map = { 0 }, list = { 0 };
	bool have_map, have_list;
	char rel[128];
	int e = 0;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/cpumap", node->id);
	have_map = np_root_exists(r, rel) == 1;
	if (have_map)
		e = read_cpumap(r, rel, &map, err);
	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/cpulist", node->id);
	have_list = np_root_exists(r, rel) == 1;
	if (!e && (have_list || !have_map))
		e = read_idlist(r, rel, NP_MAX_CPUS - 1, &list, false, err);
	if (e) {
		np_idset_free(&map);
		return e;
	}
	if (have_map) {
		np_idset_free(&list);
		list = map;
	}
	node->cpus = list.ids;
	node->ncpus = list.n;
	return 0;
}

static int copy_meminfo(struct np_node *node, const struct np_meminfo *m)
{
	node->meminfo = calloc(m->n ? m->n : 1, sizeof(*node->meminfo));
	if (!node->meminfo)
		return -ENOMEM;
	if (m->n)
		memcpy(node->meminfo, m->fields, m->n * sizeof(*node->meminfo));
	node->nmeminfo = m->n;
	return 0;
}

static int read_node_meminfo(const struct np_root *r, struct np_node *node,
			     struct np_err *err)
{
	const char *why = NULL;
	struct np_meminfo m;
	char rel[128];
	size_t len;
	char *buf;
	int e;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/meminfo", node->id);
	e = np_root_read(r, rel, &buf, &len, err);
	if (e)
		return e;
	e = np_parse_node_meminfo(buf, len, node->id, &m, &why);
	free(buf);
	if (e)
		return np_root_fail(r, rel, -EINVAL, err, why);
	/* The limits of every source (np_topo_check()), said here with the
	 * file's name: a kB value whose bytes do not fit is refused, never
	 * wrapped to "size: 0 MB". */
	for (size_t k = 0; k < m.n; k++) {
		char msg[96];

		if (np_counter_in_range(&m.fields[k]))
			continue;
		snprintf(msg, sizeof(msg), "%s %llu%s out of range",
			 m.fields[k].name, (unsigned long long)m.fields[k].value,
			 m.fields[k].is_kib ? " kB" : "");
		np_meminfo_free(&m);
		return np_root_fail(r, rel, -ERANGE, err, msg);
	}
	np_kib_to_bytes(np_meminfo_get(&m, "MemTotal")->value,
			&node->total_bytes);
	if (np_meminfo_get(&m, "MemFree"))
		np_kib_to_bytes(np_meminfo_get(&m, "MemFree")->value,
				&node->free_bytes);
	e = copy_meminfo(node, &m);
	np_meminfo_free(&m);
	if (e)
		return np_fail_sys(err, e, "out of memory");
	return 0;
}

/*
 * The kernel prints one distance per *online* node, in id order.  A node
 * can be online without a node directory (an offline-then-online memory
 * node on some kernels, or a capture that lost one), so a row longer than
 * the directories is read against the online mask: column k is online
 * node k, and the columns of nodes that have a directory are kept.
 * Without an online mask that explains the row, we say so rather than
 * guess (numactl guesses, and shifts every later column).
 */
static int distance_by_online(const struct np_root *r, struct np_topo *t,
			      size_t idx, const char *rel, const char *buf,
			      size_t len, struct np_err *err)
{
	uint32_t *row = t->distances + idx * t->nnodes, *wide = NULL;
	struct np_idset online = { 0 };
	const char *why = NULL;
	bool fits;
	int e;

	e = read_idlist(r, NODE_DIR "/online", NP_MAX_NODES - 1, &online, true,
			err);
	if (e && e != -ENOENT)
		return e;
	fits = !e && online.n > t->nnodes;
	for (size_t j = 0; fits && j < t->nnodes; j++)
		fits = np_idset_contains(&online, t->nodes[j].id);
	if (fits)
		wide = calloc(online.n, sizeof(*wide));
	if (fits && !wide) {
		np_idset_free(&online);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	if (fits && np_parse_distance_row(buf, len, online.n, wide, &why) == 0) {
		for (size_t j = 0, k = 0; j < t->nnodes; j++) {
			while (online.ids[k] != t->nodes[j].id)
				k++;
			row[j] = wide[k];
		}
		free(wide);
		np_idset_free(&online);
		return 0;
	}
	e = np_fail_input(err, -EINVAL, "%s/%s: more entries than nodes "
			  "(%zu nodes)", r->path, rel, t->nnodes);
	free(wide);
	np_idset_free(&online);
	return e;
}

static int read_node_distance(const struct np_root *r, struct np_topo *t,
			      size_t idx, struct np_err *err)
{
	const char *why = NULL;
	char rel[128];
	size_t len;
	char *buf;
	int e;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/distance",
		 t->nodes[idx].id);
	e = np_root_read(r, rel, &buf, &len, err);
	if (e)
		return e;
	e = np_parse_distance_row(buf, len, t->nnodes,
				  &t->distances[idx * t->nnodes], &why);
	if (e == -EINVAL && why && strstr(why, "entries than nodes") &&
	    strstr(why, "more"))
		e = distance_by_online(r, t, idx, rel, buf, len, err);
	else if (e == -EINVAL && why && strstr(why, "entries than nodes"))
		e = np_fail_input(err, -EINVAL, "%s/%s: %s (%zu nodes)",
				  r->path, rel, why, t->nnodes);
	else if (e)
		e = np_root_fail(r, rel, -EINVAL, err, why);
	free(buf);
	return e;
}

/* An optional file: 0 with *buf NULL when rel is absent below r (older
 * kernels lack it), else as np_root_read(). */
static int read_optional(const struct np_root *r, const char *rel,
			 char **buf, size_t *len, struct np_err *err)
{
	*buf = NULL;
	*len = 0;
	if (np_root_exists(r, rel) == 0)
		return 0;
	return np_root_read(r, rel, buf, len, err);
}

static int read_node_numastat(const struct np_root *r, struct np_node *node,
			      struct np_err *err)
{
	const char *why = NULL;
	char rel[128];
	size_t len;
	char *buf;
	int e;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/numastat", node->id);
	e = read_optional(r, rel, &buf, &len, err);
	if (e || !buf)
		return e;
	e = np_parse_numastat(buf, len, &node->numastat, &why);
	free(buf);
	if (e)
		return np_root_fail(r, rel, -EINVAL, err, why);
	node->has_numastat = true;
	return 0;
}

/* "hugepages-2048kB" → 2048; 0 when the name does not match. */
static uint64_t hugepage_dir_kib(const char *name)
{
	const char *p = name + strlen("hugepages-");
	uint64_t v = 0;

	if (strncmp(name, "hugepages-", 10) != 0)
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX >> 14))
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	return strcmp(p, "kB") == 0 ? v : 0;
}

static int read_one_pool(const struct np_root *r, const char *dir,
			 struct np_hugepages *hp, struct np_err *err)
{
	static const char *const files[] = {
		"nr_hugepages", "free_hugepages", "surplus_hugepages",
	};
	uint64_t *slots[] = { &hp->total, &hp->free, &hp->surplus };
	char rel[320];
	int e;

	for (int i = 0; i < 3; i++) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, files[i]);
		e = read_u64_file(r, rel, slots[i], err);
		if (e)
			return e;
	}
	return 0;
}

static int read_node_hugepages(const struct np_root *r, struct np_node *node,
			       struct np_err *err)
{
	char rel[128], sub[256];
	char **names;
	size_t n;
	int e;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%u/hugepages", node->id);
	if (np_root_exists(r, rel) == 0)
		return 0;
	e = np_root_list(r, rel, &names, &n, err);
	if (e)
		return e;
	node->hugepages = calloc(n ? n : 1, sizeof(*node->hugepages));
	if (!node->hugepages) {
		np_root_list_free(names, n);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n && !e; i++) {
		struct np_hugepages *hp = &node->hugepages[node->nhugepages];
		uint64_t kib = hugepage_dir_kib(names[i]);

		if (!kib)
			continue;
		hp->size_bytes = kib * 1024;
		snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]);
		e = read_one_pool(r, sub, hp, err);
		if (!e)
			node->nhugepages++;
	}
	np_root_list_free(names, n);
	if (e)
		return e;
	np_sort_hugepages(node);
	return 0;
}

static int read_node(const struct np_root *r, struct np_topo *t, size_t idx,
		     unsigned parts, struct np_err *err)
{
	struct np_node *node = &t->nodes[idx];
	int e;

	e = read_node_cpus(r, node, err);
	if (!e)
		e = read_node_meminfo(r, node, err);
	if (!e)
		e = read_node_distance(r, t, idx, err);
	if (!e && (parts & NP_TOPO_COUNTERS))
		e = read_node_numastat(r, node, err);
	if (!e && (parts & NP_TOPO_COUNTERS))
		e = read_node_hugepages(r, node, err);
	return e;
}

/* The node state masks; nodes absent from a present mask lack the state. */
static int read_node_states(const struct np_root *r, struct np_topo *t,
			    struct np_err *err)
{
	static const char *const files[] = {
		NODE_DIR "/possible", NODE_DIR "/online", NODE_DIR "/has_cpu",
		NODE_DIR "/has_memory", NODE_DIR "/has_normal_memory",
	};
	struct np_idset l[5] = { { NULL, 0 } };
	bool have[5] = { false };
	int e = 0;

	for (int i = 0; i < 5; i++) {
		int got = e ? -ENOENT :
			read_idlist(r, files[i], NP_MAX_NODES - 1, &l[i], true,
				    err);

		have[i] = got == 0;
		if (got && got != -ENOENT)
			e = got;
	}
	if (!e)
		np_apply_node_states(t, have[0] ? &l[0] : NULL,
				     have[1] ? &l[1] : NULL,
				     have[2] ? &l[2] : NULL,
				     have[3] ? &l[3] : NULL,
				     have[4] ? &l[4] : NULL);
	for (int i = 0; i < 5; i++)
		np_idset_free(&l[i]);
	return e;
}

static int read_buddyinfo(const struct np_root *r, struct np_topo *t,
			  struct np_err *err)
{
	struct np_buddyinfo b;
	const char *why = NULL;
	size_t len;
	char *buf;
	int e;

	e = read_optional(r, BUDDYINFO, &buf, &len, err);
	if (e || !buf)
		return e;
	e = np_parse_buddyinfo(buf, len, &b, &why);
	free(buf);
	if (e)
		return np_root_fail(r, BUDDYINFO, -EINVAL, err, why);
	e = np_apply_buddyinfo(t, &b);
	np_buddyinfo_free(&b);
	if (e == -ENOENT)
		return np_root_fail(r, BUDDYINFO, -EINVAL, err,
				    "lists a node that has no node directory");
	if (e)
		return np_fail_sys(err, e, "out of memory");
	return 0;
}

/* "Hugepagesize:       2048 kB" of proc/meminfo, when the root has it. */
static int read_default_hugepage(const struct np_root *r, struct np_topo *t,
				 struct np_err *err)
{
	const char *p;
	size_t len;
	char *buf;
	int e;

	e = read_optional(r, MEMINFO, &buf, &len, err);
	if (e || !buf)
		return e;
	p = strstr(buf, "\nHugepagesize:");
	if (p) {
		char *end;
		unsigned long long kib = strtoull(p + 14, &end, 10);

		if (end == p + 14 || strncmp(end + strspn(end, " "), "kB", 2)) {
			free(buf);
			return np_root_fail(r, MEMINFO, -EINVAL, err,
					    "bad Hugepagesize line");
		}
		t->default_hugepage_bytes = kib * 1024;
	}
	free(buf);
	return 0;
}

static int read_tiers(const struct np_root *r, struct np_topo *t,
		      struct np_err *err)
{
	char **names;
	size_t n;
	int e;

	if (np_root_exists(r, TIERS_DIR) == 0)
		return 0;
	e = np_root_list(r, TIERS_DIR, &names, &n, err);
	if (e)
		return e;
	t->tiers = calloc(n ? n : 1, sizeof(*t->tiers));
	if (!t->tiers)
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !e; i++) {
		struct np_memory_tier *tier = &t->tiers[t->ntiers];
		struct np_idset l;
		char rel[192];
		unsigned id;

		if (!match_numbered(names[i], "memory_tier", &id))
			continue;
		snprintf(rel, sizeof(rel), TIERS_DIR "/%s/nodelist", names[i]);
		e = read_idlist(r, rel, NP_MAX_NODES - 1, &l, false, err);
		if (e)
			break;
		tier->id = id;
		tier->nodes = l.ids;
		tier->nnodes = l.n;
		t->ntiers++;
	}
	np_root_list_free(names, n);
	if (!e)
		np_sort_tiers(t);
	return e;
}

/* The auto switch: "true"/"false" (6.13+), or "1"/"0". */
static int parse_bool_text(const char *buf, bool *v)
{
	size_t n = strcspn(buf, "\n");

	if ((n == 4 && !strncmp(buf, "true", 4)) || (n == 1 && buf[0] == '1'))
		*v = true;
	else if ((n == 5 && !strncmp(buf, "false", 5)) ||
		 (n == 1 && buf[0] == '0'))
		*v = false;
	else
		return -EINVAL;
	return 0;
}

static int read_wi_auto(const struct np_root *r, struct np_topo *t,
			const char *name, struct np_err *err)
{
	char rel[192];
	size_t len;
	char *buf;
	int e;

	snprintf(rel, sizeof(rel), WI_DIR "/%s", name);
	e = np_root_read(r, rel, &buf, &len, err);
	if (e)
		return e;
	e = parse_bool_text(buf, &t->wi.auto_enabled);
	free(buf);
	if (e)
		return np_root_fail(r, rel, -EINVAL, err,
				    "expected true/false or 1/0");
	t->wi.has_auto = true;
	snprintf(t->wi.auto_file, sizeof(t->wi.auto_file), "%s", name);
	return 0;
}

static int read_wi_weight(const struct np_root *r, struct np_topo *t,
			  const char *name, unsigned id, struct np_err *err)
{
	long idx = np_topo_node_index(t, id);
	char rel[192];
	uint64_t w;
	int e;

	snprintf(rel, sizeof(rel), WI_DIR "/%s", name);
	e = read_u64_file(r, rel, &w, err);
	if (e)
		return e;
	if (w > 255)
		return np_root_fail(r, rel, -EINVAL, err,
				    "weight outside 0..255");
	/* Weights of possible-but-offline nodes have nowhere to go. */
	if (idx >= 0)
		t->wi.weights[idx] = (unsigned)w;
	return 0;
}

/*
 * The directory holds nodeN weight files plus, on 6.13+, the auto-tuning
 * switch.  The switch's name is "auto" in the kernel source, but kernels
 * built with compilers that make `auto` a keyword macro expose it under
 * another spelling (seen: "__auto_type"), so any other file is taken as
 * the switch rather than guessing its name.
 */
static int read_weighted_interleave(const struct np_root *r,
				    struct np_topo *t, struct np_err *err)
{
	char **names;
	size_t n;
	int e;

	if (np_root_exists(r, WI_DIR) == 0)
		return 0;
	e = np_root_list(r, WI_DIR, &names, &n, err);
	if (e)
		return e;
	t->wi.present = true;
	t->wi.weights = calloc(t->nnodes, sizeof(*t->wi.weights));
	if (!t->wi.weights)
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !e; i++) {
		unsigned id;

		if (match_numbered(names[i], "node", &id))
			e = read_wi_weight(r, t, names[i], id, err);
		else
			e = read_wi_auto(r, t, names[i], err);
	}
	np_root_list_free(names, n);
	return e;
}

/* "MemTotal:  123 kB" of proc/meminfo (at the start of a line). */
static int proc_meminfo_kib(const char *buf, const char *key, uint64_t *kib)
{
	size_t klen = strlen(key);
	const char *p = buf;
	char *end;

	while (p && strncmp(p, key, klen) != 0) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || p[klen] != ':')
		return -ENOENT;
	errno = 0;
	*kib = strtoull(p + klen + 1, &end, 10);
	if (errno || end == p + klen + 1 ||
	    strncmp(end + strspn(end, " "), "kB", 2))
		return -EINVAL;
	return 0;
}

static int add_counter(struct np_node *n, const char *name, uint64_t v)
{
	struct np_counter *c = realloc(n->meminfo,
				       (n->nmeminfo + 1) * sizeof(*c));

	if (!c)
		return -ENOMEM;
	n->meminfo = c;
	c += n->nmeminfo++;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->value = v;
	c->is_kib = true;
	return 0;
}

/*
 * A kernel without NUMA: one implicit node 0 holding every online CPU
 * and the machine's memory (proc/meminfo), as numactl's library assumes
 * too.  The memory of a dump without proc/meminfo is unknown.
 */
static int read_not_numa(const struct np_root *r, struct np_topo *t,
			 struct np_err *err)
{
	static const unsigned zero = 0;
	static const char *const keys[] = { "MemTotal", "MemFree" };
	uint64_t *bytes[2];
	struct np_idset cpus;
	struct np_node *n;
	size_t len;
	char *buf;
	int e;

	e = read_idlist(r, CPU_ONLINE, NP_MAX_CPUS - 1, &cpus, false, err);
	if (e)
		return e;
	if (np_topo_alloc_nodes(t, &zero, 1)) {
		np_idset_free(&cpus);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	t->not_numa = true;
	n = &t->nodes[0];
	n->cpus = cpus.ids;
	n->ncpus = cpus.n;
	if (np_root_exists(r, MEMINFO) != 1)
		return 0;
	e = np_root_read(r, MEMINFO, &buf, &len, err);
	if (e)
		return e;
	bytes[0] = &n->total_bytes;
	bytes[1] = &n->free_bytes;
	for (int i = 0; i < 2 && !e; i++) {
		uint64_t kib;

		e = proc_meminfo_kib(buf, keys[i], &kib);
		if (e == -ENOENT && i == 1) {
			e = 0;
			continue;
		}
		if (e)
			break;
		if (np_kib_to_bytes(kib, bytes[i]))
			*bytes[i] = NP_UNKNOWN;
		if (add_counter(n, keys[i], kib))
			e = -ENOMEM;
	}
	free(buf);
	if (e == -ENOMEM)
		return np_fail_sys(err, e, "out of memory");
	if (e)
		return np_root_fail(r, MEMINFO, -EINVAL, err,
				    "no readable MemTotal line");
	return 0;
}

static int read_all(const struct np_root *r, struct np_topo *t,
		    unsigned parts, struct np_err *err)
{
	unsigned *ids;
	size_t n;
	int e;

	if (np_root_exists(r, NODE_DIR) == 0 && np_root_exists(r, CPU_DIR) == 1)
		e = read_not_numa(r, t, err);
	else
		e = list_node_ids(r, &ids, &n, err);
	if (e)
		return e;
	if (!t->not_numa) {
		e = np_topo_alloc_nodes(t, ids, n);
		free(ids);
		if (e)
			return np_fail_sys(err, e, "out of memory");
	}
	for (size_t i = 0; i < t->nnodes && !e && !t->not_numa; i++)
		e = read_node(r, t, i, parts, err);
	if (e)
		return e;
	if (parts & NP_TOPO_COUNTERS)
		e = read_buddyinfo(r, t, err);
	if (!e && (parts & NP_TOPO_COUNTERS))
		e = read_default_hugepage(r, t, err);
	if (!(parts & NP_TOPO_MACHINE) || t->not_numa) {
		np_apply_node_states(t, NULL, NULL, NULL, NULL, NULL);
		return e;
	}
	if (!e)
		e = read_node_states(r, t, err);
	if (!e)
		e = read_tiers(r, t, err);
	if (!e)
		e = read_weighted_interleave(r, t, err);
	return e;
}

int np_topo_from_sysroot(const char *root, struct np_topo **out,
			 struct np_err *err)
{
	return np_topo_from_sysroot_parts(root, NP_TOPO_ALL, out, err);
}

int np_topo_from_sysroot_parts(const char *root, unsigned parts,
			       struct np_topo **out, struct np_err *err)
{
	struct np_topo *t;
	struct np_root r;
	int e;

	*out = NULL;
	e = np_root_open(&r, root, err);
	if (e)
		return e;
	t = np_topo_new(NP_TOPO_SYSFS, root);
	if (!t) {
		np_root_close(&r);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	e = read_all(&r, t, parts, err);
	if (!e)
		e = np_topo_check(t, r.path[0] ? r.path : "/", err);
	/* A dump does not record the page size; the live root does. */
	for (size_t i = 0; !e && i < t->nnodes; i++)
		t->nodes[i].page_size_bytes = r.path[0] ?
			4096 : (uint64_t)sysconf(_SC_PAGESIZE);
	np_root_close(&r);
	if (e) {
		np_topo_free(t);
		return e;
	}
	*out = t;
	return 0;
}

/* ---- the task's cpuset ------------------------------------------------ */

/* "Mems_allowed_list:\t0-3\n" → the list after the tab. */
static int status_list(const char *buf, const char *key, unsigned max_id,
		       struct np_idset *out, const char **why)
{
	const char *p = strstr(buf, key), *end;
	struct np_idset l;
	int e;

	if (!p)
		return -ENOENT;
	p += strlen(key);
	end = strchr(p, '\n');
	e = np_parse_idlist(p, end ? (size_t)(end - p) : strlen(p), max_id, &l,
			    why);
	if (e)
		return e;
	out->ids = l.ids;
	out->n = l.n;
	return 0;
}

int np_task_allowed(const char *root, pid_t pid, const struct np_topo *t,
		    struct np_idset *nodes, struct np_idset *cpus,
		    struct np_err *err)
{
	const char *why = NULL;
	struct np_root r;
	char rel[64], *buf = NULL;
	size_t len;
	int e;

	*nodes = *cpus = (struct np_idset){ 0 };
	e = np_root_open(&r, root, err);
	if (e)
		return e;
	if (pid)
		snprintf(rel, sizeof(rel), "proc/%d/status", (int)pid);
	else
		snprintf(rel, sizeof(rel), "proc/self/status");
	e = np_root_exists(&r, rel) == 1 ? np_root_read(&r, rel, &buf, &len, err) :
		-ENOENT;
	if (!e) {
		e = status_list(buf, "Mems_allowed_list:\t", NP_MAX_NODES - 1,
				nodes, &why);
		if (!e)
			e = status_list(buf, "Cpus_allowed_list:\t",
					NP_MAX_CPUS - 1, cpus, &why);
		if (e) {
			np_idset_free(nodes);
			e = np_root_fail(&r, rel, -EINVAL, err, why ? why :
					 "no Mems_allowed_list/Cpus_allowed_list");
		}
	} else if (e == -ENOENT) {
		/* A dump: everything the topology has is allowed. */
		e = np_topo_node_set(t, nodes);
		if (!e)
			e = np_topo_cpu_set(t, cpus);
		if (e)
			e = np_fail_sys(err, e, "out of memory");
	}
	free(buf);
	np_root_close(&r);
	if (e) {
		np_idset_free(nodes);
		np_idset_free(cpus);
	}
	return e;
}

int np_wi_set_weight(const char *root, unsigned node, unsigned weight,
		     struct np_err *err)
{
	struct np_root r;
	char rel[128], val[16];
	int fd, e = 0, n;

	if (weight < 1 || weight > 255)
		return np_fail_input(err, -EINVAL, "weight %u for node %u: must be "
			       "1..255", weight, node);
	e = np_root_open(&r, root, err);
	if (e)
		return e;
	if (np_root_exists(&r, WI_DIR) != 1) {
		np_root_close(&r);
		return np_fail_sys(err, -EOPNOTSUPP, "this kernel does not support "
			       "weighted-interleave");
	}
	snprintf(rel, sizeof(rel), WI_DIR "/node%u", node);
	fd = openat(r.fd, rel, O_WRONLY | O_CLOEXEC);
	n = snprintf(val, sizeof(val), "%u\n", weight);
	if (fd < 0 || write(fd, val, (size_t)n) != n) {
		e = -errno;
		np_root_fail(&r, rel, e, err, e == -EACCES || e == -EPERM ?
			     "permission denied (setting interleave weights "
			     "needs root)" : strerror(-e));
	}
	if (fd >= 0)
		close(fd);
	np_root_close(&r);
	return e;
}

/*
 * SMT siblings below a root, for the VM planner: core[i] is the lowest
 * CPU that shares cpus[i]'s package and core id (cpuN/topology/
 * physical_package_id and core_id).  -ENOENT when a CPU has no topology
 * directory (the dump did not capture it): the caller then knows nothing
 * of cores, which is no error.  Other failures are the root's.
 */
int np_linux_cpu_core_ids(const char *root, const unsigned *cpus, size_t n,
			  unsigned *core, struct np_err *err)
{
	struct np_root r;
	uint64_t *key = calloc(n ? n : 1, sizeof(*key));
	int e = key ? np_root_open(&r, root, err) : -ENOMEM;

	if (e) {
		free(key);
		return e;
	}
	for (size_t i = 0; !e && i < n; i++) {
		static const char *const files[] = { "physical_package_id",
						     "core_id" };
		uint64_t v[2];

		for (int f = 0; !e && f < 2; f++) {
			char rel[128], *buf = NULL;
			size_t len;

			snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/topology/%s",
				 cpus[i], files[f]);
			e = np_root_exists(&r, rel);
			if (e == 0) {
				e = -ENOENT;
				break;
			}
			if (e < 0)
				break;
			e = np_root_read(&r, rel, &buf, &len, err);
			const char *why = NULL;

			if (!e && np_parse_u64(buf, len, &v[f], &why))
				e = np_root_fail(&r, rel, -EINVAL, err,
						 why ? why : "not a number");
			free(buf);
		}
		if (!e)
			key[i] = v[0] << 32 | (v[1] & 0xffffffffu);
	}
	for (size_t i = 0; !e && i < n; i++) {
		core[i] = cpus[i];
		for (size_t j = 0; j < i; j++)
			if (key[j] == key[i]) {
				core[i] = core[j];
				break;
			}
	}
	free(key);
	np_root_close(&r);
	return e;
}
