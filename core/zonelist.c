/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "zonelist.h"

/* find_next_best_node(): the local node, then the cheapest unused one. */
static int next_best(const struct np_zonelist_input *in, unsigned local,
		     bool *used, const int *load)
{
	long best_val = -1;
	int best = -1;

	if (!used[local]) {
		used[local] = true;
		return (int)local;
	}
	for (unsigned n = 0; n < in->nnodes; n++) {
		long val;

		if (used[n] || !in->has_memory[n])
			continue;
		val = in->distance[local * in->nnodes + n];
		val += n < local;             /* prefer the next node up */
		val += in->has_cpus[n] ? 1 : 0; /* prefer headless nodes */
		val = val * NP_ZONELIST_LOAD_SCALE + load[n];
		if (best < 0 || val < best_val) {
			best_val = val;
			best = (int)n;
		}
	}
	if (best >= 0)
		used[best] = true;
	return best;
}

static void build_one(const struct np_zonelist_input *in, unsigned local,
		      unsigned *order, unsigned *count, int *load)
{
	bool used[NP_ZONELIST_LOAD_SCALE];
	unsigned prev = local, nr = 0;
	int node;

	for (unsigned n = 0; n < in->nnodes; n++)
		used[n] = false;
	while ((node = next_best(in, local, used, load)) >= 0) {
		const uint8_t *row = &in->distance[local * in->nnodes];

		/* Round-robin among equals: penalise the first of a group. */
		if (row[node] != row[prev])
			load[node] += 1;
		order[nr++] = (unsigned)node;
		prev = (unsigned)node;
	}
	*count = nr;
}

int np_zonelists_build(const struct np_zonelist_input *in, unsigned *order,
		       unsigned *count, int *load)
{
	if (in->nnodes == 0 || in->nnodes > NP_ZONELIST_LOAD_SCALE)
		return -1;
	for (unsigned n = 0; n < in->nnodes; n++)
		load[n] = 0;
	for (unsigned i = 0; i < in->nnodes; i++)
		build_one(in, i, &order[i * in->nnodes], &count[i], load);
	return 0;
}
