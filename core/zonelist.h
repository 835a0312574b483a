/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fallback order of nodes for each node, built the way Linux builds
 * its zonelists (mm/page_alloc.c build_zonelists() and
 * find_next_best_node(), 6.1):
 *
 *   1. the local node first;
 *   2. then, among nodes with memory not yet listed, the smallest
 *        (distance(local, n) + (n < local) + (n has CPUs)) * MAX_NODES
 *        + load[n]
 *      where the two +1s prefer "the next node up" and memory-only
 *      (headless) nodes, and ties go to the lowest id;
 *   3. when a node opens a new distance group (its distance differs from
 *      the previous node's), load[node] += 1, so that the next local node
 *      to be built prefers another node of that group: round-robin among
 *      equals.  load[] is shared by all nodes' lists, built in id order.
 *
 * Freestanding: the caller provides every array.
 */
#ifndef NP_CORE_ZONELIST_H
#define NP_CORE_ZONELIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux's MAX_NUMNODES for x86-64 (NODES_SHIFT 10): the load multiplier. */
#define NP_ZONELIST_LOAD_SCALE 1024

struct np_zonelist_input {
	unsigned nnodes;          /* nodes are 0 .. nnodes-1 */
	const uint8_t *distance;  /* distance[i * nnodes + j] */
	const bool *has_cpus;     /* [nnodes] */
	const bool *has_memory;   /* [nnodes] */
};

/*
 * Builds every node's list: order[i * nnodes + k] is the k-th node node i
 * falls back to (order[i * nnodes] == i), count[i] how many there are
 * (the local node plus the other nodes with memory).  load is scratch of
 * nnodes ints.  Returns 0, or -1 when nnodes is 0.
 */
int np_zonelists_build(const struct np_zonelist_input *in, unsigned *order,
		       unsigned *count, int *load);

#endif
