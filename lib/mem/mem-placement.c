/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process's placement from its numa_maps: bytes per node and kind, and
 * the pages that sit outside their policy's nodes, with the likely reason.
 */
#include <numaplace/pages.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-err.h"

void np_placement_free(struct np_placement *w)
{
	free(w->nodes);
	free(w->outside);
	*w = (struct np_placement){ 0 };
}

/* The column of `node`, inserted in ascending order; NULL on ENOMEM. */
static struct np_placement_node *node_col(struct np_placement *w,
					  size_t *cap, unsigned node)
{
	size_t i;

	for (i = 0; i < w->nnodes && w->nodes[i].node < node; i++)
		;
	if (i < w->nnodes && w->nodes[i].node == node)
		return &w->nodes[i];
	if (w->nnodes == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct np_placement_node *n = realloc(w->nodes,
						      ncap * sizeof(*n));

		if (!n)
			return NULL;
		w->nodes = n;
		*cap = ncap;
	}
	memmove(&w->nodes[i + 1], &w->nodes[i],
		(w->nnodes - i) * sizeof(w->nodes[0]));
	w->nodes[i] = (struct np_placement_node){ .node = node };
	w->nnodes++;
	return &w->nodes[i];
}

/* Why pages of this mapping are on a node its policy does not name. */
static const char *reason_for(const struct np_mapping *m, const char *mode)
{
	if (m->kind == NP_KIND_FILE && m->path && strstr(m->path, ".so"))
		return "shared-library pages: the page cache keeps one copy for "
		       "all processes, on the node where it was first read; a "
		       "policy places only pages this process allocates";
	if (m->kind == NP_KIND_FILE)
		return "file pages already in the page cache before this process "
		       "mapped them (placed by whoever read them first); a "
		       "policy places only new pages";
	if (m->kind == NP_KIND_SHMEM)
		return "shared memory: its pages were placed by whoever touched "
		       "them first, possibly another process";
	if (m->kind == NP_KIND_HUGETLB)
		return "hugetlb pages come from the per-node huge page pools; "
		       "the pool of the policy's node was empty";
	if (!strncmp(mode, "prefer", 6))
		return "the preferred node could not supply these pages (full or "
		       "short of free memory), so the kernel fell back by "
		       "distance";
	return "faulted before this policy was set (or migrated here since): "
	       "a policy places new pages, it does not move old ones";
}

static bool same_group(const struct np_placement_outside *o,
		       const struct np_mapping *m, unsigned node,
		       const char *reason)
{
	return o->node == node && o->kind == m->kind && o->reason == reason &&
	       !strcmp(o->policy, m->policy) &&
	       ((!o->path && !m->path) ||
		(o->path && m->path && !strcmp(o->path, m->path)));
}

static int note_outside(struct np_placement *w, size_t *cap,
			const struct np_mapping *m, const char *mode,
			unsigned node, uint64_t bytes)
{
	const char *reason = reason_for(m, mode);

	for (size_t i = 0; i < w->noutside; i++)
		if (same_group(&w->outside[i], m, node, reason)) {
			w->outside[i].bytes += bytes;
			return 0;
		}
	if (w->noutside == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct np_placement_outside *o = realloc(w->outside,
							 ncap * sizeof(*o));

		if (!o)
			return -ENOMEM;
		w->outside = o;
		*cap = ncap;
	}
	w->outside[w->noutside++] = (struct np_placement_outside){
		node, m->kind, m->path, m->policy, reason, bytes };
	return 0;
}

static int account_mapping(struct np_placement *w, size_t caps[2],
			   const struct np_mapping *m)
{
	struct np_idset pol = { 0 };
	char mode[32];
	int e = 0;

	if (np_policy_nodes(m->policy, &pol, mode, sizeof(mode)) < 0)
		return -ENOMEM;
	w->thp_bytes += m->thp_bytes;
	for (size_t k = 0; k < m->nnodes && !e; k++) {
		uint64_t bytes = m->nodes[k].pages * m->page_bytes;
		struct np_placement_node *col = node_col(w, &caps[0],
							 m->nodes[k].node);

		if (!col) {
			e = -ENOMEM;
			break;
		}
		col->bytes[m->kind] += bytes;
		if (bytes && pol.n && !np_idset_contains(&pol, m->nodes[k].node))
			e = note_outside(w, &caps[1], m, mode, m->nodes[k].node,
					 bytes);
	}
	np_idset_free(&pol);
	return e;
}

int np_placement_account(struct np_placement *w,
			 const struct np_numa_maps *maps, struct np_err *err)
{
	size_t caps[2] = { w->nnodes, w->noutside };

	for (size_t i = 0; i < maps->n; i++)
		if (account_mapping(w, caps, &maps->maps[i]))
			return np_fail_sys(err, -ENOMEM, "out of memory");
	return 0;
}
