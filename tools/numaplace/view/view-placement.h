/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process's placement: bytes per kind and node from its numa_maps, and
 * the pages outside their policy's nodes with the likely reason.  Shared
 * by `where` and `run --report`.
 */
#ifndef NP_VIEW_PLACEMENT_H
#define NP_VIEW_PLACEMENT_H

#include <stdio.h>

#include <json-c/json.h>

#include <numaplace/pages.h>

#define MAX_NODES 1024

/* Bytes per kind and node (node index = position in nodes[]). */
struct table {
	unsigned nodes[MAX_NODES];
	size_t nnodes;
	uint64_t bytes[NP_NKINDS][MAX_NODES];
};

/* A group of pages outside their policy, with one reason.  path and
 * policy point into the numa_maps the placement was made from. */
struct outside {
	unsigned node;
	enum np_mem_kind kind;
	const char *path;
	const char *policy;
	const char *reason;
	uint64_t bytes;
};

struct placement {
	struct table tab;
	uint64_t thp_bytes;   /* anonymous memory in transparent huge pages */
	struct outside out[256];
	size_t nout;
};

/* Adds a numa_maps to w (zero it first). */
void placement_account(struct placement *w, const struct np_numa_maps *maps);
void placement_print(FILE *f, const struct placement *w, int pid,
		     const char *comm);
json_object *placement_json(const struct placement *w, int pid,
			    const char *comm);

#endif
