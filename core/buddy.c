/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The buddy allocator.  States change in O(1) per split or merge: only
 * block heads carry a state and an order; the other frames of a block are
 * TAIL whether the block is free or allocated, so merging two blocks
 * turns one head into a tail and splitting turns one tail into a head.
 */
#include "buddy.h"

enum {
	HOLE = NP_FRAME_HOLE,
	FREE_HEAD = NP_FRAME_FREE_HEAD,
	TAIL = NP_FRAME_FREE_TAIL,
	ALLOC_HEAD = NP_FRAME_ALLOCATED,
};

size_t np_buddy_meta_bytes(uint32_t nframes)
{
	return (size_t)nframes * sizeof(struct np_frame_meta);
}

void np_buddy_init(struct np_buddy *b, uint64_t base_pfn, uint32_t span,
		   struct np_frame_meta *meta)
{
	b->base_pfn = base_pfn;
	b->span = span;
	b->meta = meta;
	b->nfree = b->npresent = 0;
	for (unsigned k = 0; k <= NP_BUDDY_MAX_ORDER; k++) {
		b->head[k] = NP_BUDDY_NONE;
		b->nfree_order[k] = 0;
	}
	for (uint32_t i = 0; i < span; i++)
		meta[i] = (struct np_frame_meta){ NP_BUDDY_NONE, NP_BUDDY_NONE,
						  HOLE, 0 };
}

static void list_add(struct np_buddy *b, uint32_t idx, unsigned k)
{
	struct np_frame_meta *m = &b->meta[idx];

	m->state = FREE_HEAD;
	m->order = (uint8_t)k;
	m->prev = NP_BUDDY_NONE;
	m->next = b->head[k];
	if (b->head[k] != NP_BUDDY_NONE)
		b->meta[b->head[k]].prev = idx;
	b->head[k] = idx;
	b->nfree_order[k]++;
	b->nfree += 1ull << k;
}

static void list_del(struct np_buddy *b, uint32_t idx, unsigned k)
{
	struct np_frame_meta *m = &b->meta[idx];

	if (m->prev != NP_BUDDY_NONE)
		b->meta[m->prev].next = m->next;
	else
		b->head[k] = m->next;
	if (m->next != NP_BUDDY_NONE)
		b->meta[m->next].prev = m->prev;
	m->next = m->prev = NP_BUDDY_NONE;
	b->nfree_order[k]--;
	b->nfree -= 1ull << k;
}

/* Buddies are found on absolute frame numbers, as Linux does. */
static bool buddy_of(const struct np_buddy *b, uint32_t idx, unsigned k,
		     uint32_t *buddy)
{
	uint64_t pfn = b->base_pfn + idx, bpfn = pfn ^ (1ull << k);

	if (bpfn < b->base_pfn || bpfn + (1ull << k) > b->base_pfn + b->span)
		return false;
	*buddy = (uint32_t)(bpfn - b->base_pfn);
	return true;
}

/* Frees the block headed by idx (state ALLOC_HEAD), merging upwards. */
static void free_block(struct np_buddy *b, uint32_t idx, unsigned k)
{
	uint32_t buddy;

	while (k < NP_BUDDY_MAX_ORDER && buddy_of(b, idx, k, &buddy) &&
	       b->meta[buddy].state == FREE_HEAD && b->meta[buddy].order == k) {
		list_del(b, buddy, k);
		/* the higher of the two heads becomes a tail */
		if (buddy < idx) {
			b->meta[idx].state = TAIL;
			idx = buddy;
		} else {
			b->meta[buddy].state = TAIL;
		}
		k++;
	}
	list_add(b, idx, k);
}

int np_buddy_add(struct np_buddy *b, uint64_t pfn, uint64_t count)
{
	uint64_t end = pfn + count;

	if (pfn < b->base_pfn || end > b->base_pfn + b->span || end < pfn)
		return -1;
	for (uint64_t p = pfn; p < end; p++)
		if (b->meta[p - b->base_pfn].state != HOLE)
			return -1;
	for (uint64_t p = pfn; p < end; p++)
		b->meta[p - b->base_pfn].state = TAIL;
	b->npresent += count;
	while (pfn < end) {
		unsigned k = 0;

		/* the largest aligned block that fits */
		while (k < NP_BUDDY_MAX_ORDER && !(pfn & (1ull << k)) &&
		       pfn + (2ull << k) <= end)
			k++;
		b->meta[pfn - b->base_pfn].state = ALLOC_HEAD;
		b->meta[pfn - b->base_pfn].order = (uint8_t)k;
		free_block(b, (uint32_t)(pfn - b->base_pfn), k);
		pfn += 1ull << k;
	}
	return 0;
}

int np_buddy_alloc(struct np_buddy *b, unsigned order, uint64_t *pfn)
{
	unsigned k = order;
	uint32_t idx;

	while (k <= NP_BUDDY_MAX_ORDER && b->head[k] == NP_BUDDY_NONE)
		k++;
	if (k > NP_BUDDY_MAX_ORDER)
		return -1;
	idx = b->head[k];
	list_del(b, idx, k);
	/* split: the upper halves go back as free blocks */
	while (k > order) {
		k--;
		list_add(b, idx + (1u << k), k);
	}
	b->meta[idx].state = ALLOC_HEAD;
	b->meta[idx].order = (uint8_t)order;
	*pfn = b->base_pfn + idx;
	return 0;
}

int np_buddy_free(struct np_buddy *b, uint64_t pfn, unsigned order)
{
	uint32_t idx;

	if (pfn < b->base_pfn || pfn >= b->base_pfn + b->span ||
	    order > NP_BUDDY_MAX_ORDER)
		return -1;
	idx = (uint32_t)(pfn - b->base_pfn);
	if (b->meta[idx].state != ALLOC_HEAD || b->meta[idx].order != order)
		return -1;
	free_block(b, idx, order);
	return 0;
}

/* The free lists: linked both ways, heads aligned, fully merged. */
static int check_lists(const struct np_buddy *b, uint64_t *frames)
{
	*frames = 0;
	for (unsigned k = 0; k <= NP_BUDDY_MAX_ORDER; k++) {
		uint32_t prev = NP_BUDDY_NONE, idx = b->head[k], buddy;
		uint64_t n = 0;

		while (idx != NP_BUDDY_NONE) {
			const struct np_frame_meta *m;

			if (idx >= b->span || n > b->span)
				return -1;
			m = &b->meta[idx];
			if (m->state != FREE_HEAD || m->order != k ||
			    m->prev != prev)
				return -2;
			if ((b->base_pfn + idx) & ((1ull << k) - 1) ||
			    idx + (1ull << k) > b->span)
				return -3;
			if (k < NP_BUDDY_MAX_ORDER && buddy_of(b, idx, k, &buddy) &&
			    b->meta[buddy].state == FREE_HEAD &&
			    b->meta[buddy].order == k)
				return -4;   /* should have been merged */
			n++;
			prev = idx;
			idx = m->next;
		}
		if (n != b->nfree_order[k])
			return -5;
		*frames += n << k;
	}
	return *frames == b->nfree ? 0 : -6;
}

int np_buddy_check(const struct np_buddy *b)
{
	uint64_t free_frames, present = 0, scanned_free = 0;
	int e = check_lists(b, &free_frames);

	if (e)
		return e;
	/* every frame belongs to exactly one block, or is a hole */
	for (uint32_t i = 0; i < b->span;) {
		const struct np_frame_meta *m = &b->meta[i];
		uint64_t size;

		if (m->state == HOLE) {
			i++;
			continue;
		}
		if (m->state == TAIL || m->order > NP_BUDDY_MAX_ORDER)
			return -7;   /* a tail with no head before it */
		size = 1ull << m->order;
		if (i + size > b->span)
			return -8;
		for (uint64_t t = 1; t < size; t++)
			if (b->meta[i + t].state != TAIL)
				return -9;
		if (m->state == FREE_HEAD)
			scanned_free += size;
		present += size;
		i += (uint32_t)size;
	}
	if (scanned_free != free_frames)
		return -10;
	return present == b->npresent ? 0 : -11;
}
