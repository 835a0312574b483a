/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner's working parts, shared by vm-plan.c (passes, strategies,
 * results) and vm-plan-fit.c (what a node can still give, node sets, how
 * a VM is split over them).  Not installed.
 */
#ifndef NP_VM_PLAN_INTERNAL_H
#define NP_VM_PLAN_INTERNAL_H

#include "vm/vm-internal.h"
#include "util/util-strbuf.h"

/* What one VM asks, checked against the host. */
struct vm_need {
	unsigned vcpus;
	uint64_t mib;
	uint64_t huge_bytes;     /* 0: base pages */
	uint64_t unit_mib;       /* memory granularity: 1, 2 or 1024 */
	bool dedicated;
	unsigned max_nodes;      /* 0: any */
	bool whole;              /* max_nodes 1 because the VM fits one
				  * node of the host (not --allow-split) */
	const struct np_idset *fixed; /* NULL or empty: any node */
};

/* A node set and how the VM is split over it (positions in host->nodes). */
struct vm_split {
	size_t k;
	size_t *idx;             /* [k] ascending position */
	uint64_t *mem_mib;       /* [k] */
	unsigned *vcpus;         /* [k] */
};

struct vm_ctx {
	struct np_plan_host *h;  /* the working state */
	const struct np_plan_opts *o;
	double oc;               /* cpu_overcommit, >= 1 */
	size_t *nfree;           /* [nnodes] CPUs not taken */
	struct strbuf *explain;  /* NULL unless asked */
	/* the exact search's decision for the VM being planned: -1 none,
	 * 0 left out, else a mask of node positions */
	long force_mask;
};

/* Ranking of node sets (which strategy asks). */
enum vm_rank {
	VM_RANK_BEST,    /* least distance, then tightest fit */
	VM_RANK_SPREAD,  /* most left free (balanced), then least distance */
	VM_RANK_PACK,    /* lowest node ids first */
};

uint64_t vm_mem_avail(const struct vm_ctx *c, size_t i, const struct vm_need *q);
uint64_t vm_cpu_avail(const struct vm_ctx *c, size_t i, const struct vm_need *q);
bool vm_node_eligible(const struct vm_ctx *c, size_t i, const struct vm_need *q);
uint32_t vm_dist(const struct np_plan_host *h, size_t a, size_t b);

/*
 * The node set for q by rank: fewest nodes first (at most q->max_nodes),
 * then the rank's order.  1 with *s filled (free with vm_split_free),
 * 0 when no set fits, negative errno.
 */
int vm_find_set(struct vm_ctx *c, const struct vm_need *q, enum vm_rank rank,
		struct vm_split *s);
/* Splits q over the k nodes in s->idx (memory to the nodes with most
 * available first, vCPUs in proportion to the memory): 1 when it fits,
 * 0 when not. */
int vm_split_over(struct vm_ctx *c, const struct vm_need *q,
		  struct vm_split *s);
int vm_split_alloc(struct vm_split *s, size_t k);
void vm_split_free(struct vm_split *s);

/* Why q fits nowhere on at most kmax nodes: one line, malloc'd. */
char *vm_refusal(const struct vm_ctx *c, const struct vm_need *q);

#endif
