/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * spec-check: does a topology (numaplace topo --json, from inside a lab
 * guest or read back from its dump) match the lab spec that booted it?
 *
 *   spec-check TOPO.json (--preset NAME | --nodes SPEC [--distances M])
 *
 * Checks: node count and ids 0..n-1, CPUs per node (count, and that CPU
 * numbers are handed out node by node), memory-only and memoryless nodes,
 * MemTotal between 60% and 100% of the node's size (the kernel keeps some
 * for itself, most on node 0), and the distance matrix exactly.  Prints
 * one line per mismatch and "spec-check: ok" when there is none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include <numaplace/topo.h>

static int bad;

static void mismatch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void mismatch(const char *fmt, ...)
{
	va_list ap;

	printf("spec-check: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	bad++;
}

static void check_node(const struct np_topo *t, const struct np_lab_spec *s,
		       unsigned i, unsigned *next_cpu)
{
	const struct np_node *n = &t->nodes[i];
	const struct np_lab_node *want = &s->nodes[i];
	unsigned long long total = n->total_bytes;

	if (n->id != i)
		mismatch("node at position %u has id %u", i, n->id);
	if (n->ncpus != want->cpus)
		mismatch("node %u: %zu CPUs, spec has %u", i, n->ncpus,
			 want->cpus);
	for (size_t c = 0; c < n->ncpus && n->ncpus == want->cpus; c++, (*next_cpu)++)
		if (n->cpus[c] != *next_cpu)
			mismatch("node %u: CPU %u where %u was expected", i,
				 n->cpus[c], *next_cpu);
	if (n->has_cpus != (want->cpus > 0))
		mismatch("node %u: has_cpus is %d, spec has %u CPUs", i,
			 n->has_cpus, want->cpus);
	if (n->has_memory != (want->mem_bytes > 0))
		mismatch("node %u: has_memory is %d, spec has %llu bytes", i,
			 n->has_memory, (unsigned long long)want->mem_bytes);
	if (total > want->mem_bytes || total < want->mem_bytes / 10 * 6)
		mismatch("node %u: MemTotal %llu bytes for a %llu-byte node", i,
			 total, (unsigned long long)want->mem_bytes);
}

int main(int argc, char **argv)
{
	struct np_err err = { 0 };
	struct np_lab_spec spec;
	struct np_topo *t;
	unsigned next_cpu = 0;
	int e;

	if (argc < 4) {
		fprintf(stderr, "usage: spec-check TOPO.json (--preset NAME | "
			"--nodes SPEC [--distances M])\n");
		return 2;
	}
	if (!strcmp(argv[2], "--preset"))
		e = np_lab_preset(argv[3], &spec, &err);
	else
		e = np_lab_parse_nodes(argv[3], &spec, &err);
	if (!e && argc >= 6 && !strcmp(argv[4], "--distances"))
		e = np_lab_parse_distances(argv[5], &spec, &err);
	if (!e)
		e = np_topo_from_file(argv[1], &t, &err);
	if (e) {
		fprintf(stderr, "spec-check: %s\n", err.msg);
		return 2;
	}
	if (t->nnodes != spec.nnodes)
		mismatch("%zu nodes, spec has %u", t->nnodes, spec.nnodes);
	for (unsigned i = 0; i < spec.nnodes && i < t->nnodes; i++)
		check_node(t, &spec, i, &next_cpu);
	for (unsigned i = 0; i < spec.nnodes && i < t->nnodes; i++)
		for (unsigned j = 0; j < spec.nnodes && j < t->nnodes; j++)
			if (t->distances[i * t->nnodes + j] != spec.distance[i][j])
				mismatch("distance %u -> %u is %u, spec %u", i,
					 j, t->distances[i * t->nnodes + j],
					 spec.distance[i][j]);
	np_topo_free(t);
	if (!bad)
		printf("spec-check: ok\n");
	return bad ? 1 : 0;
}
