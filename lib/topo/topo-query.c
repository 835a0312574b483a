/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Questions to a loaded topology that answer with id sets. */
#include <numaplace/topo.h>

#include <errno.h>
#include <stdlib.h>

#include "util/util-err.h"

int np_topo_node_set(const struct np_topo *t, struct np_idset *out)
{
	*out = (struct np_idset){ 0 };
	out->ids = calloc(t->nnodes ? t->nnodes : 1, sizeof(*out->ids));
	if (!out->ids)
		return -ENOMEM;
	out->cap = t->nnodes;
	for (size_t i = 0; i < t->nnodes; i++)
		out->ids[out->n++] = t->nodes[i].id;
	return 0;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

int np_topo_cpu_set(const struct np_topo *t, struct np_idset *out)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nnodes; i++)
		n += t->nodes[i].ncpus;
	*out = (struct np_idset){ 0 };
	out->ids = calloc(n ? n : 1, sizeof(*out->ids));
	if (!out->ids)
		return -ENOMEM;
	for (size_t i = 0; i < t->nnodes; i++)
		for (size_t c = 0; c < t->nodes[i].ncpus; c++)
			out->ids[out->n++] = t->nodes[i].cpus[c];
	qsort(out->ids, out->n, sizeof(*out->ids), cmp_unsigned);
	return 0;
}

int np_nodes_have_memory(const struct np_topo *t, const struct np_idset *s,
			 struct np_err *err)
{
	for (size_t i = 0; i < s->n; i++) {
		long idx = np_topo_node_index(t, s->ids[i]);

		if (idx < 0)
			return np_fail_input(err, -EINVAL, "node %u does not exist",
				       s->ids[i]);
		if (!t->nodes[idx].has_memory)
			return np_fail_input(err, -EINVAL, "node %u has no memory",
				       s->ids[i]);
	}
	return 0;
}

int np_topo_cpus_of_nodes(const struct np_topo *t, const struct np_idset *nodes,
			  const struct np_idset *within, struct np_idset *out,
			  struct np_err *err)
{
	struct np_idset all = { 0 };
	int e;

	*out = (struct np_idset){ 0 };
	for (size_t i = 0; i < nodes->n; i++) {
		long idx = np_topo_node_index(t, nodes->ids[i]);

		if (idx < 0)
			return np_fail_input(err, -EINVAL, "node %u does not "
					     "exist", nodes->ids[i]);
		if (!t->nodes[idx].ncpus)
			return np_fail_input(err, -EINVAL, "node %u has no CPUs",
					     nodes->ids[i]);
	}
	e = np_topo_cpu_set(t, &all);
	/* Ascending over the machine's CPUs keeps out sorted. */
	for (size_t c = 0; !e && c < all.n; c++) {
		long idx = np_topo_node_of_cpu(t, all.ids[c]);

		if (idx >= 0 && np_idset_contains(nodes, t->nodes[idx].id) &&
		    (!within || np_idset_contains(within, all.ids[c])))
			e = np_idset_push(out, all.ids[c]);
	}
	np_idset_free(&all);
	if (e) {
		np_idset_free(out);
		return np_fail_sys(err, e, "out of memory");
	}
	return 0;
}

long np_topo_memory_node_near_cpu(const struct np_topo *t, unsigned cpu)
{
	long home = np_topo_node_of_cpu(t, cpu), best = -1;

	if (home >= 0 && t->nodes[home].total_bytes != 0)
		return home;
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct np_node *n = &t->nodes[i];

		if (n->total_bytes == 0)
			continue;
		if (best < 0 || (home >= 0 &&
		    np_topo_distance(t, t->nodes[home].id, n->id) <
		    np_topo_distance(t, t->nodes[home].id, t->nodes[best].id)))
			best = (long)i;
	}
	return best;
}

long np_topo_node_of_cpu(const struct np_topo *t, unsigned cpu)
{
	for (size_t i = 0; i < t->nnodes; i++)
		for (size_t c = 0; c < t->nodes[i].ncpus; c++)
			if (t->nodes[i].cpus[c] == cpu)
				return (long)i;
	return -1;
}
