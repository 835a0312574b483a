/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The topology model: construction helpers, look-ups, freeing.  The
 * loaders (linux/linux-topo.c, topo-json.c, topo-hwloc.c) build on it;
 * topo-load.c chooses among them, so nothing here calls a loader. */
#include "topo/topo-internal.h"
#include "topo/topo-hwloc-dl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct np_topo *np_topo_new(enum np_topo_source_kind kind, const char *origin)
{
	struct np_topo *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->source = kind;
	t->default_hugepage_bytes = NP_UNKNOWN;
	t->origin = strdup(origin ? origin : "");
	if (!t->origin) {
		free(t);
		return NULL;
	}
	return t;
}

int np_topo_alloc_nodes(struct np_topo *t, const unsigned *ids, size_t n)
{
	t->nodes = calloc(n, sizeof(*t->nodes));
	t->distances = calloc(n * n, sizeof(*t->distances));
	if (!t->nodes || !t->distances)
		return -ENOMEM;
	t->nnodes = n;
	for (size_t i = 0; i < n; i++) {
		t->nodes[i].id = ids[i];
		t->nodes[i].total_bytes = NP_UNKNOWN;
		t->nodes[i].free_bytes = NP_UNKNOWN;
		t->nodes[i].page_size_bytes = 4096;
	}
	return 0;
}

static int cmp_hugepages(const void *a, const void *b)
{
	uint64_t x = ((const struct np_hugepages *)a)->size_bytes;
	uint64_t y = ((const struct np_hugepages *)b)->size_bytes;

	return (x > y) - (x < y);
}

void np_sort_hugepages(struct np_node *node)
{
	if (node->nhugepages > 1)
		qsort(node->hugepages, node->nhugepages,
		      sizeof(*node->hugepages), cmp_hugepages);
}

static int cmp_tiers(const void *a, const void *b)
{
	unsigned x = ((const struct np_memory_tier *)a)->id;
	unsigned y = ((const struct np_memory_tier *)b)->id;

	return (x > y) - (x < y);
}

void np_sort_tiers(struct np_topo *t)
{
	if (t->ntiers > 1)
		qsort(t->tiers, t->ntiers, sizeof(*t->tiers), cmp_tiers);
}

void np_apply_node_states(struct np_topo *t, struct np_idset *possible,
			  struct np_idset *online, const struct np_idset *has_cpu,
			  const struct np_idset *has_memory,
			  const struct np_idset *has_normal)
{
	for (size_t i = 0; i < t->nnodes; i++) {
		struct np_node *n = &t->nodes[i];
		bool mem = n->total_bytes != NP_UNKNOWN && n->total_bytes > 0;

		/* The node's own CPU list, not has_cpu: some 3.10 kernels
		 * print has_cpu empty on machines whose nodes have CPUs. */
		(void)has_cpu;
		n->has_cpus = n->ncpus > 0;
		n->has_memory = has_memory ?
			np_idset_contains(has_memory, n->id) : mem;
		n->has_normal_memory = has_normal ?
			np_idset_contains(has_normal, n->id) : n->has_memory;
	}
	if (possible) {
		t->possible_nodes = possible->ids;
		t->npossible = possible->n;
		*possible = (struct np_idset){ 0 };
	}
	if (online) {
		t->online_nodes = online->ids;
		t->nonline = online->n;
		*online = (struct np_idset){ 0 };
	}
}

int np_apply_buddyinfo(struct np_topo *t, const struct np_buddyinfo *b)
{
	for (size_t i = 0; i < b->n; i++) {
		long idx = np_topo_node_index(t, b->nodes[i].node);
		struct np_node *n;

		if (idx < 0)
			return -ENOENT;
		n = &t->nodes[idx];
		n->free_blocks_by_order = calloc(b->nodes[i].norders,
						 sizeof(uint64_t));
		if (!n->free_blocks_by_order)
			return -ENOMEM;
		memcpy(n->free_blocks_by_order, b->nodes[i].free_blocks,
		       b->nodes[i].norders * sizeof(uint64_t));
		n->norders = b->nodes[i].norders;
	}
	return 0;
}

int np_kib_to_bytes(uint64_t kib, uint64_t *bytes)
{
	if (kib > NP_TOPO_MAX_VALUE / 1024)
		return -ERANGE;
	*bytes = kib * 1024;
	return 0;
}

int np_fail_node_id(struct np_err *err, const char *where,
		    unsigned long long id)
{
	return np_fail_input(err, -ERANGE, "%s: node id %llu out of range "
			     "(ids go up to %u)", where, id, NP_MAX_NODES - 1);
}

bool np_counter_in_range(const struct np_counter *c)
{
	return c->value <= (c->is_kib ? NP_TOPO_MAX_VALUE / 1024 :
			    NP_TOPO_MAX_VALUE);
}

static bool value_ok(uint64_t v, bool unknown_ok)
{
	return v <= NP_TOPO_MAX_VALUE || (unknown_ok && v == NP_UNKNOWN);
}

static int check_node_values(const struct np_node *n, const char *name,
			     struct np_err *err)
{
	for (size_t k = 0; k < n->ncpus; k++)
		if (n->cpus[k] >= NP_MAX_CPUS || (k && n->cpus[k - 1] >= n->cpus[k]))
			return np_fail_input(err, -ERANGE, "%s: node %u: CPU %u out "
					     "of range or not ascending", name,
					     n->id, n->cpus[k]);
	if (!value_ok(n->total_bytes, true) || !value_ok(n->free_bytes, true))
		return np_fail_input(err, -ERANGE, "%s: node %u: memory size "
				     "out of range", name, n->id);
	for (size_t k = 0; k < n->nmeminfo; k++) {
		const struct np_counter *c = &n->meminfo[k];

		if (!np_counter_in_range(c))
			return np_fail_input(err, -ERANGE, "%s: node %u: meminfo "
					     "%s %llu%s out of range", name, n->id,
					     c->name, (unsigned long long)c->value,
					     c->is_kib ? " kB" : "");
	}
	for (size_t k = 0; k < n->nhugepages; k++) {
		const struct np_hugepages *hp = &n->hugepages[k];

		if (!value_ok(hp->size_bytes, false) || !value_ok(hp->total, true) ||
		    !value_ok(hp->free, true) || !value_ok(hp->surplus, true))
			return np_fail_input(err, -ERANGE, "%s: node %u: hugepage "
					     "count out of range", name, n->id);
	}
	for (size_t k = 0; k < n->norders; k++)
		if (!value_ok(n->free_blocks_by_order[k], false))
			return np_fail_input(err, -ERANGE, "%s: node %u: free "
					     "block count out of range", name, n->id);
	for (unsigned k = 0; n->has_numastat && k < NP_NUMASTAT_COUNTERS; k++)
		if (!value_ok(np_numastat_get(&n->numastat, k), false))
			return np_fail_input(err, -ERANGE, "%s: node %u: numastat "
					     "%s out of range", name, n->id,
					     np_numastat_name(k));
	return 0;
}

int np_topo_check(const struct np_topo *t, const char *name,
		  struct np_err *err)
{
	int e;

	if (!t->nnodes)
		return np_fail_input(err, -EINVAL, "%s: no NUMA nodes", name);
	for (size_t i = 0; i < t->nnodes; i++) {
		unsigned id = t->nodes[i].id;

		if (id >= NP_MAX_NODES)
			return np_fail_node_id(err, name, id);
		if (i && t->nodes[i - 1].id == id)
			return np_fail_input(err, -EINVAL, "%s: node %u appears "
					     "twice", name, id);
		e = check_node_values(&t->nodes[i], name, err);
		if (e)
			return e;
	}
	for (size_t i = 0; t->distances && i < t->nnodes * t->nnodes; i++)
		if (t->distances[i] > 255)
			return np_fail_input(err, -ERANGE, "%s: distance outside "
					     "0..255", name);
	if (!value_ok(t->default_hugepage_bytes, true))
		return np_fail_input(err, -ERANGE, "%s: default hugepage size "
				     "out of range", name);
	return 0;
}

long np_topo_node_index(const struct np_topo *t, unsigned id)
{
	size_t lo = 0, hi = t->nnodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->nodes[mid].id == id)
			return (long)mid;
		if (t->nodes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

unsigned np_topo_distance(const struct np_topo *t, unsigned a, unsigned b)
{
	long i = np_topo_node_index(t, a), j = np_topo_node_index(t, b);

	if (i < 0 || j < 0 || !t->distances)
		return 0;
	return t->distances[(size_t)i * t->nnodes + (size_t)j];
}

static void node_free(struct np_node *n)
{
	free(n->cpus);
	free(n->hugepages);
	free(n->free_blocks_by_order);
	free(n->meminfo);
}

void np_topo_free(struct np_topo *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nnodes; i++)
		node_free(&t->nodes[i]);
	for (size_t i = 0; i < t->ntiers; i++)
		free(t->tiers[i].nodes);
	np_hwloc_release(t->hwloc);
	free(t->tiers);
	free(t->nodes);
	free(t->distances);
	free(t->possible_nodes);
	free(t->online_nodes);
	free(t->wi.weights);
	free(t->origin);
	free(t);
}

const char *np_numastat_name(unsigned k)
{
	static const char *const names[NP_NUMASTAT_COUNTERS] = {
		"numa_hit", "numa_miss", "numa_foreign",
		"interleave_hit", "local_node", "other_node",
	};

	return k < NP_NUMASTAT_COUNTERS ? names[k] : "?";
}

uint64_t np_numastat_get(const struct np_node_numastat *s, unsigned k)
{
	const uint64_t v[NP_NUMASTAT_COUNTERS] = {
		s->numa_hit, s->numa_miss, s->numa_foreign,
		s->interleave_hit, s->local_node, s->other_node,
	};

	return k < NP_NUMASTAT_COUNTERS ? v[k] : 0;
}
