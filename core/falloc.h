/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The NUMA-aware frame allocator: per-node buddy pools (buddy.h), a
 * fallback order per node (zonelist.h), per-CPU caches of single frames,
 * request policies and Linux's per-node NUMA counters.
 *
 * Vocabulary is Linux's (mm/page_alloc.c, include/linux/mmzone.h):
 *
 *  - A *node* owns the frames of its memory ranges, kept in one buddy
 *    allocator under one lock.  A node without ranges is memoryless.
 *  - A *cache* (Linux: struct per_cpu_pages) belongs to one CPU, or to one
 *    thread in user space, and is only ever used by its owner.  It has one
 *    list of order-0 frames per node, and a frame only ever sits on the
 *    list of its own node: a frame freed on a CPU of another node goes to
 *    that node's list in the freeing cache, never onto the local list, and
 *    reaches its node's buddy pool in batches (one lock per batch).
 *  - A list is refilled with `batch` frames when it is empty and gives
 *    `batch` of its coldest frames back when it grows past `high`: never
 *    the whole list, so a free/alloc see-saw at the mark costs one lock
 *    per batch, not per frame (hysteresis).
 *  - Counters follow zone_statistics() (Documentation/admin-guide/
 *    numastat.rst), counted once per allocation whatever its order:
 *      the page's node == the preferred node -> numa_hit on the page's node
 *      otherwise -> numa_miss on the page's node, numa_foreign on the
 *                   preferred node;
 *      then local_node on the page's node if it is the allocating CPU's
 *      node, else other_node on the page's node;
 *      interleave_hit on the page's node when an interleave request got
 *      its target node.
 *    A CPU on a memoryless node prefers the nearest node with memory (its
 *    zonelist's first node with memory), as Linux does: a memoryless node
 *    never scores anything, and a CPU-less node never scores local_node.
 *    The fast path counts hits in its cache only (plain relaxed stores by
 *    the owner, no atomic read-modify-write, no shared line); the cache
 *    folds them into the node's totals whenever it takes the node's lock.
 *
 * Policies (struct np_fa_policy), as Linux's mempolicy.c picks nodes:
 *    local          the cache's node (nearest with memory if it has none),
 *                   then its zonelist;
 *    bind           the nodes of the set in the order of the cache node's
 *                   zonelist; never a node outside the set;
 *    preferred      one node, then that node's zonelist;
 *    preferred-many the set in the cache node's zonelist order, then every
 *                   other node in that order (a second request, as in
 *                   Linux: its preferred node is the local one, so a
 *                   fallback there counts numa_foreign on the CPU's
 *                   nearest node with memory, not on the set);
 *    interleave     the next node of the set round-robin (state in the
 *                   policy), then the target's zonelist.
 *  The preferred node of a request is the first node it tries.  With
 *  NP_FA_STRICT any fallback, even within a bind set, is a failure.
 *
 * Freestanding: no libc, no allocation, no I/O.  The caller sizes the
 * metadata with np_fa_meta_bytes() and a cache with np_fa_cache_bytes()
 * and hands in the memory.  Thread safety: every node has a spinlock;
 * caches are attached/detached under a lock of the allocator; a cache is
 * used by one thread at a time.  Errors are negative numbers equal to
 * Linux's errno values so a kernel or libc caller can pass them on.
 */
#ifndef NP_CORE_FALLOC_H
#define NP_CORE_FALLOC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buddy.h"
#include "nodes.h"

#define NP_FA_MAX_NODES NP_CORE_MAX_NODES /* node sets are 64-bit masks */

enum {
	NP_FA_ENOMEM = -12,         /* no frame under the policy */
	NP_FA_EINVAL = -22,         /* bad argument, config or frame */
	NP_FA_ECORRUPT = -74,       /* an invariant does not hold (EBADMSG) */
};

struct np_fa_range {
	uint64_t base_pfn, count;   /* frames [base_pfn, base_pfn + count) */
	uint32_t node;
};

struct np_fa_config {
	uint32_t nnodes;                 /* nodes 0 .. nnodes-1 */
	const uint8_t *distance;         /* [nnodes * nnodes]; NULL: 10 / 20 */
	const bool *has_cpus;            /* [nnodes]; NULL: every node */
	const struct np_fa_range *ranges;
	uint32_t nranges;
	unsigned frame_shift;            /* log2 frame bytes, for the batch rule */
	uint32_t batch, high;            /* 0: Linux's rule per node (below) */
};

/*
 * The default batch is Linux's zone_batchsize(): min(frames / 1024, 1 MiB
 * of frames) / 4, rounded to 2^n - 1 below 1.5x, at least 1 -- 63 for a
 * node of 1 GiB or more of 4 KiB frames.  The default high mark is
 * 6 * batch (Linux before 5.14, pageset_set_batch(); newer kernels derive
 * it from the low watermark, which this allocator does not have).
 */
uint32_t np_fa_default_batch(uint64_t frames, unsigned frame_shift);

enum np_fa_stat_item {
	NP_FA_NUMA_HIT,
	NP_FA_NUMA_MISS,
	NP_FA_NUMA_FOREIGN,
	NP_FA_INTERLEAVE_HIT,
	NP_FA_LOCAL_NODE,
	NP_FA_OTHER_NODE,
	NP_FA_NR_STATS,
};

typedef struct {
	atomic_uint v;
} np_fa_lock_t;

struct np_fa_node {
	np_fa_lock_t lock;
	uint32_t id;
	uint32_t batch, high;
	bool has_cpus, has_memory;
	uint32_t nzl;                    /* nodes in zl */
	const uint32_t *zl;              /* fallback order, zl[0] == id */
	struct np_buddy buddy;           /* under lock */
	/* Folded counters: atomic adds on the slow path only. */
	_Atomic uint64_t stat[NP_FA_NR_STATS];
} __attribute__((aligned(64)));

struct np_fa_cache;

struct np_fa {
	uint32_t nnodes;
	uint64_t mem_nodes;              /* mask of nodes with memory */
	struct np_fa_node *node;         /* [nnodes] */
	const struct np_fa_range *range; /* sorted by base_pfn */
	uint32_t nranges;
	np_fa_lock_t cache_lock;         /* guards caches */
	struct np_fa_cache *caches;      /* attached caches */
	_Atomic uint64_t bad_frees;      /* drains the buddy refused */
};

/* One list of a cache: frames of one node, hottest last. */
struct np_fa_list {
	uint32_t count, high, batch, node;
	uint64_t *pfn;                   /* [high + 1] */
};

/* A cache's unfolded counters for one node (the node of the page). */
struct np_fa_pcp_stat {
	/* numa_hit, and [0] other_node / [1] local_node: indexed by
	 * "page's node == cache's node" so the fast path has no branch */
	_Atomic uint64_t hit[2];
	_Atomic uint64_t interleave_hit;
};

struct np_fa_cache {
	struct np_fa *fa;
	uint32_t node;                   /* the node of the CPU it serves */
	uint32_t local_pref;             /* local policy's first node */
	struct np_fa_list *list;         /* [nnodes] */
	struct np_fa_pcp_stat *st;       /* [nnodes] */
	struct np_fa_cache *next;        /* in fa->caches */
};

enum np_fa_mode {
	NP_FA_LOCAL,
	NP_FA_BIND,
	NP_FA_PREFERRED,
	NP_FA_PREFERRED_MANY,
	NP_FA_INTERLEAVE,
};

#define NP_FA_STRICT 1u                /* fail instead of falling back */

struct np_fa_policy {
	enum np_fa_mode mode;
	unsigned flags;                  /* NP_FA_STRICT */
	uint64_t nodes;                  /* bind, preferred-many, interleave */
	uint32_t node;                   /* preferred */
	uint32_t il_next;                /* interleave: the next node to try */
};

/* Metadata bytes for cfg, 0 when cfg is invalid (see np_fa_init). */
size_t np_fa_meta_bytes(const struct np_fa_config *cfg);

/*
 * Builds the allocator in meta (np_fa_meta_bytes(cfg) bytes, aligned to
 * 64) with every range's frames free.  NP_FA_EINVAL for no nodes or more
 * than NP_FA_MAX_NODES, a range on a node that does not exist, overlapping
 * or empty ranges, a node spanning 2^32 - 1 frames or more, a distance matrix
 * Linux would reject, or too little meta.  cfg is not kept.
 */
int np_fa_init(struct np_fa *fa, const struct np_fa_config *cfg, void *meta,
	       size_t meta_bytes);

/* The node whose range holds pfn, or -1. */
int np_fa_pfn_node(const struct np_fa *fa, uint64_t pfn);

/* Bytes a cache needs (aligned to 64). */
size_t np_fa_cache_bytes(const struct np_fa *fa);

/* Starts a cache for a CPU of `node` in mem and attaches it; NP_FA_EINVAL
 * for a node that does not exist or has no CPUs, or for mem smaller than
 * np_fa_cache_bytes() or not aligned to 64. */
int np_fa_cache_attach(struct np_fa *fa, struct np_fa_cache *c, void *mem,
		       size_t mem_bytes, uint32_t node);

/* The cache's CPU moved to another node (a thread migrated); ignored for
 * a node that does not exist or has no CPUs. */
void np_fa_cache_set_node(struct np_fa_cache *c, uint32_t node);

/* Gives every cached frame back, folds the counters in and detaches. */
void np_fa_cache_detach(struct np_fa_cache *c);

/* Gives every cached frame back to its node (Linux drain_local_pages). */
void np_fa_cache_drain(struct np_fa_cache *c);

/*
 * A block of 2^order frames under policy p for the cache's CPU: its first
 * frame in *pfn, its node in *node.  NP_FA_ENOMEM when no allowed node
 * has one (never a node the policy does not allow), NP_FA_EINVAL for a
 * bad policy (a node that does not exist, a set with no memory).
 */
int np_fa_alloc(struct np_fa_cache *c, struct np_fa_policy *p,
		unsigned order, uint64_t *pfn, uint32_t *node);

/* Gives back a block; NP_FA_EINVAL for a frame outside every range and,
 * for order > 0, anything the buddy refuses (double free, wrong order). */
int np_fa_free(struct np_fa_cache *c, uint64_t pfn, unsigned order);

/* Slow paths of the inline functions below. */
int np_fa_refill_take(struct np_fa_cache *c, uint32_t node, uint64_t *pfn);
void np_fa_drain_batch(struct np_fa_cache *c, struct np_fa_list *l);

/*
 * A node's counters: the folded totals plus every attached cache's
 * unfolded counts, exact when no allocation is in flight.
 */
void np_fa_node_stats(struct np_fa *fa, uint32_t node,
		      uint64_t out[NP_FA_NR_STATS]);

/* Free frames in a node's buddy pool and in every attached cache.  The
 * lists are read unlocked, so only with no cache in use: a call while
 * their owners allocate or free is a data race (ThreadSanitizer reports
 * it; np_fa_node_stats() is the one reader safe alongside them). */
uint64_t np_fa_node_free_frames(struct np_fa *fa, uint32_t node);

/*
 * Proves the invariants, with nothing in flight: every buddy's own
 * (buddy.h); every cached frame is allocated as far as its buddy knows,
 * lies on its own node's list and in exactly one cache; per node, the
 * frames its buddy counts as allocated equal the cached ones plus
 * in_use[node] (what the caller holds; NULL skips this); the counters add
 * up (hits + misses == local + other in all, misses == foreigns in all,
 * interleave_hit <= numa_hit per node, nothing scored on a memoryless
 * node, no local_node on a CPU-less node); no drain was refused.
 * 0 or NP_FA_ECORRUPT.  Uses a mark bit in the frame metadata.
 */
int np_fa_check(struct np_fa *fa, const uint64_t *in_use);

/* ---- fast paths (the owner of c only) --------------------------------- */

static inline void np_fa_count(_Atomic uint64_t *ctr)
{
#if defined(__x86_64__) && defined(__GNUC__)
	/*
	 * One writer: an add to memory without the lock prefix, one
	 * instruction where the load, add and store below are three (the
	 * frame fast paths are bound by instructions issued, not by one
	 * latency).  An aligned 8-byte store is atomic on x86-64, so a
	 * reader's atomic load still sees the old count or the new one.
	 */
	__asm__("addq $1, %0" : "+m"(*(volatile uint64_t *)(void *)ctr));
#else
	/* One writer: a plain load and store, no locked instruction. */
	atomic_store_explicit(ctr,
		atomic_load_explicit(ctr, memory_order_relaxed) + 1,
		memory_order_relaxed);
#endif
}

/*
 * The counter a hit from the cache's list for `node` goes to: numa_hit
 * with local_node, or with other_node, as the cache's node is now.  A
 * caller may keep it for its own fast path until the next
 * np_fa_cache_set_node() on c, which can change the choice.
 */
static inline _Atomic uint64_t *np_fa_hit_counter(struct np_fa_cache *c,
						  uint32_t node)
{
	return &c->st[node].hit[node == c->node];
}

/*
 * One frame of `node` and nowhere else (bind to one node), from the
 * cache when it has one.  node must be < fa->nnodes.
 */
static inline int np_fa_alloc_onnode(struct np_fa_cache *c, uint32_t node,
				     uint64_t *pfn)
{
	struct np_fa_list *l = &c->list[node];

	if (__builtin_expect(l->count == 0, 0))
		return np_fa_refill_take(c, node, pfn);
	*pfn = l->pfn[--l->count];
	np_fa_count(np_fa_hit_counter(c, node));
	return 0;
}

/*
 * The local policy's one frame from the cache, when it has one: what
 * np_fa_alloc() does for NP_FA_LOCAL at order 0 whenever the list of the
 * cache's nearest node with memory is not empty -- the same frame, the
 * same hit -- without resolving the policy.  NP_FA_ENOMEM, with nothing
 * changed, when that list is empty: np_fa_alloc() then refills it or
 * falls back.
 */
static inline int np_fa_alloc_local_cached(struct np_fa_cache *c,
					   uint64_t *pfn, uint32_t *node)
{
	uint32_t n = c->local_pref;
	struct np_fa_list *l = &c->list[n];

	if (l->count == 0)
		return NP_FA_ENOMEM;
	*pfn = l->pfn[--l->count];
	np_fa_count(np_fa_hit_counter(c, n));
	*node = n;
	return 0;
}

/*
 * Gives back one frame whose node the caller knows (np_fa_pfn_node(), or
 * the caller's own address layout); np_fa_check() finds a wrong one.
 */
static inline void np_fa_free_onnode(struct np_fa_cache *c, uint64_t pfn,
				     uint32_t node)
{
	struct np_fa_list *l = &c->list[node];

	l->pfn[l->count++] = pfn;
	if (__builtin_expect(l->count > l->high, 0))
		np_fa_drain_batch(c, l);
}

#endif
