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

		n->has_cpus = has_cpu ? np_idset_contains(has_cpu, n->id) :
			n->ncpus > 0;
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
