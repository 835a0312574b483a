/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A buddy allocator over the frames of one node.
 *
 * Frames are numbered (page frame numbers); the allocator never touches
 * the frames themselves, only a metadata array the caller provides, one
 * entry per frame of the node's span [base_pfn, base_pfn + span).  Holes
 * in the span are frames never added.  Free blocks of 2^order frames sit
 * on per-order doubly linked lists threaded through the metadata by index,
 * so the core needs no pointers into memory it may not be able to map.
 *
 * Invariants (checked by np_buddy_check()):
 *  - every frame of the span is in exactly one state: hole, allocated,
 *    or part of exactly one free block;
 *  - a free block of order k starts at a frame index that is a multiple
 *    of 2^k and lies wholly inside the span;
 *  - no free block has a free buddy of the same order (they would have
 *    been merged);
 *  - nfree equals the frames in free blocks, per order and in all.
 * Not thread-safe: callers serialise per node (the per-CPU caches above
 * it take most traffic).  Freestanding.
 */
#ifndef NP_CORE_BUDDY_H
#define NP_CORE_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_BUDDY_MAX_ORDER 10       /* blocks of up to 1024 frames */
#define NP_BUDDY_NONE UINT32_MAX

enum np_frame_state {
	NP_FRAME_HOLE = 0,      /* not memory (never added) */
	NP_FRAME_FREE_HEAD,     /* first frame of a free block */
	NP_FRAME_FREE_TAIL,     /* other frames of a free block */
	NP_FRAME_ALLOCATED,     /* handed out (head or tail) */
};

struct np_frame_meta {
	uint32_t next, prev;    /* free list links (frame indexes) */
	uint8_t state;          /* enum np_frame_state */
	uint8_t order;          /* of the block this frame heads */
	uint8_t mark;           /* scratch for the layer above's checks */
};

struct np_buddy {
	uint64_t base_pfn;
	uint32_t span;          /* frames covered by meta[] */
	struct np_frame_meta *meta;
	uint32_t head[NP_BUDDY_MAX_ORDER + 1];  /* first free block per order */
	uint64_t nfree_order[NP_BUDDY_MAX_ORDER + 1];  /* blocks per order */
	uint64_t nfree;         /* free frames */
	uint64_t npresent;      /* frames added */
};

/* Metadata bytes for a span of n frames (the caller allocates them). */
size_t np_buddy_meta_bytes(uint32_t nframes);

void np_buddy_init(struct np_buddy *b, uint64_t base_pfn, uint32_t span,
		   struct np_frame_meta *meta);

/* Adds [pfn, pfn + count) as free memory; -1 if outside the span or
 * overlapping what was added already. */
int np_buddy_add(struct np_buddy *b, uint64_t pfn, uint64_t count);

/* A block of 2^order frames: its first pfn in *pfn; -1 when none. */
int np_buddy_alloc(struct np_buddy *b, unsigned order, uint64_t *pfn);

/* Gives back a block; -1 when it was not an allocated block of that order
 * (double free, wrong order, foreign frame). */
int np_buddy_free(struct np_buddy *b, uint64_t pfn, unsigned order);

/* 0 when every invariant above holds, else a negative code. */
int np_buddy_check(const struct np_buddy *b);

#endif
