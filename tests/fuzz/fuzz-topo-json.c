/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_topo_from_json on the whole input.  An accepted topology must keep
 * the ordering promises of topo.h, and writing it out and reading that
 * back must give the same JSON again (the reader and the writer agree).
 * A rejected one must come with an error code and a one-line message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/topo.h>

#include "fuzz.h"
#include "linux/linux-parse.h"

static void check_node(const struct np_node *n)
{
	for (size_t i = 0; i < n->ncpus; i++)
		FUZZ_ASSERT(i == 0 || n->cpus[i - 1] < n->cpus[i]);
	FUZZ_ASSERT(n->ncpus == 0 || n->cpus != NULL);
	for (size_t i = 1; i < n->nhugepages; i++)
		FUZZ_ASSERT(n->hugepages[i - 1].size_bytes <=
			    n->hugepages[i].size_bytes);
	FUZZ_ASSERT(n->norders <= NP_MAX_ORDERS);
	FUZZ_ASSERT(n->norders == 0 || n->free_blocks_by_order != NULL);
	/* Every loader's limits (np_topo_check): what the writer writes
	 * reads back. */
	FUZZ_ASSERT(n->total_bytes == NP_UNKNOWN ||
		    n->total_bytes <= NP_TOPO_MAX_VALUE);
	FUZZ_ASSERT(n->free_bytes == NP_UNKNOWN ||
		    n->free_bytes <= NP_TOPO_MAX_VALUE);
	FUZZ_ASSERT(n->nmeminfo == 0 || n->meminfo != NULL);
}

static void check_topo(const struct np_topo *t)
{
	for (size_t i = 0; i < t->nnodes; i++) {
		FUZZ_ASSERT(i == 0 || t->nodes[i - 1].id < t->nodes[i].id);
		FUZZ_ASSERT(np_topo_node_index(t, t->nodes[i].id) == (long)i);
		check_node(&t->nodes[i]);
	}
	for (size_t i = 0; t->distances && i < t->nnodes; i++)
		for (size_t j = 0; j < t->nnodes; j++)
			FUZZ_ASSERT(np_topo_distance(t, t->nodes[i].id,
						     t->nodes[j].id) ==
				    t->distances[i * t->nnodes + j]);
	for (size_t i = 1; i < t->ntiers; i++)
		FUZZ_ASSERT(t->tiers[i - 1].id <= t->tiers[i].id);
}

static void check_error(int rc, const struct np_err *err)
{
	FUZZ_ASSERT(rc < 0 && err->code == rc);
	FUZZ_ASSERT(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	FUZZ_ASSERT(err->msg[0] != '\0' && !strchr(err->msg, '\n'));
}

/* to_json(t) reads back, and writing that again gives the same bytes. */
static void check_round_trip(const struct np_topo *t)
{
	struct np_topo *again = NULL;
	struct np_err err = { 0 };
	char *first, *second;
	size_t len1 = 0, len2 = 0;
	int rc;

	if (np_topo_to_json(t, &first, &len1))
		return; /* out of memory */
	rc = np_topo_from_json(first, len1, &again, &err);
	FUZZ_ASSERT(rc == 0 || rc == -ENOMEM);
	if (rc == 0 && np_topo_to_json(again, &second, &len2) == 0) {
		FUZZ_ASSERT(len1 == len2 && memcmp(first, second, len1) == 0);
		free(second);
	}
	np_topo_free(again);
	free(first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_topo *t = NULL;
	struct np_err err = { 0 };
	int rc;

	rc = np_topo_from_json((const char *)data, size, &t, &err);
	if (rc) {
		check_error(rc, &err);
		return 0;
	}
	FUZZ_ASSERT(t != NULL);
	check_topo(t);
	check_round_trip(t);
	np_topo_free(t);
	return 0;
}
