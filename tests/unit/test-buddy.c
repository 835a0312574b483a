/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The core's buddy allocator: merging, holes, misuse, and a randomized
 * stress against a shadow map with the invariant check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buddy.h"

static struct np_frame_meta meta[8192];

static void test_merge_back(void **state)
{
	struct np_buddy b;
	uint64_t pfn, p2;

	(void)state;
	np_buddy_init(&b, 4096, 1024, meta);
	assert_int_equal(np_buddy_add(&b, 4096, 1024), 0);
	assert_int_equal(b.nfree_order[NP_BUDDY_MAX_ORDER], 1);
	assert_int_equal(np_buddy_alloc(&b, 0, &pfn), 0);
	assert_int_equal(pfn, 4096);
	/* the split left one free block of every order 0..9 */
	for (unsigned k = 0; k < NP_BUDDY_MAX_ORDER; k++)
		assert_int_equal(b.nfree_order[k], 1);
	assert_int_equal(np_buddy_alloc(&b, 3, &p2), 0);
	assert_int_equal(p2, 4096 + 8);
	assert_int_equal(np_buddy_check(&b), 0);
	assert_int_equal(np_buddy_free(&b, pfn, 0), 0);
	assert_int_equal(np_buddy_free(&b, p2, 3), 0);
	assert_int_equal(np_buddy_check(&b), 0);
	assert_int_equal(b.nfree_order[NP_BUDDY_MAX_ORDER], 1);
	assert_int_equal(b.nfree, 1024);
}

/* An unaligned span with a hole: blocks align on absolute frame numbers. */
static void test_holes(void **state)
{
	struct np_buddy b;
	uint64_t pfn, got = 0;
	static uint64_t pfns[400];

	(void)state;
	np_buddy_init(&b, 100, 500, meta);
	assert_int_equal(np_buddy_add(&b, 100, 100), 0);
	assert_int_equal(np_buddy_add(&b, 300, 300), 0);
	assert_int_equal(np_buddy_check(&b), 0);
	assert_int_equal(b.nfree, 400);
	/* [100,200): 100-103 (4), 104-127 (8+16), 128-191 (64), 192-199 (8);
	 * [300,600): ..., 384-511 (128), 512-575 (64), ... */
	assert_int_equal(np_buddy_alloc(&b, 6, &pfn), 0);
	assert_true(pfn == 128 || pfn == 384 || pfn == 448 || pfn == 512);
	assert_int_equal(pfn % 64, 0);
	assert_int_equal(np_buddy_free(&b, pfn, 6), 0);
	while (np_buddy_alloc(&b, 0, &pfn) == 0) {
		assert_true((pfn >= 100 && pfn < 200) || (pfn >= 300 && pfn < 600));
		pfns[got++] = pfn;
		assert_true(got <= 400);
	}
	assert_int_equal(got, 400);
	assert_int_equal(np_buddy_check(&b), 0);
	for (uint64_t i = 0; i < got; i++)
		assert_int_equal(np_buddy_free(&b, pfns[i], 0), 0);
	assert_int_equal(np_buddy_check(&b), 0);
	assert_int_equal(b.nfree, 400);
	/* fully merged again: [300,600)'s largest aligned block is 384..511
	 * (order 7); no order-8 block exists in either range */
	assert_int_equal(np_buddy_alloc(&b, 8, &pfn), -1);
	assert_int_equal(np_buddy_alloc(&b, 7, &pfn), 0);
	assert_int_equal(pfn, 384);
}

static void test_misuse(void **state)
{
	struct np_buddy b;
	uint64_t pfn;

	(void)state;
	np_buddy_init(&b, 0, 64, meta);
	assert_int_equal(np_buddy_add(&b, 0, 64), 0);
	assert_int_equal(np_buddy_add(&b, 10, 4), -1);   /* overlaps */
	assert_int_equal(np_buddy_add(&b, 60, 8), -1);   /* past the span */
	assert_int_equal(np_buddy_alloc(&b, 2, &pfn), 0);
	assert_int_equal(np_buddy_free(&b, pfn, 1), -1); /* wrong order */
	assert_int_equal(np_buddy_free(&b, pfn + 1, 0), -1); /* a tail */
	assert_int_equal(np_buddy_free(&b, pfn, 2), 0);
	assert_int_equal(np_buddy_free(&b, pfn, 2), -1); /* double free */
	assert_int_equal(np_buddy_free(&b, 64, 0), -1);  /* foreign */
	assert_int_equal(np_buddy_alloc(&b, 7, &pfn), -1); /* too big */
	assert_int_equal(np_buddy_check(&b), 0);
}

/* The check finds what the allocator must never do. */
static void test_check_catches(void **state)
{
	struct np_buddy b;
	uint64_t pfn;

	(void)state;
	np_buddy_init(&b, 0, 64, meta);
	assert_int_equal(np_buddy_add(&b, 0, 64), 0);
	assert_int_equal(np_buddy_alloc(&b, 0, &pfn), 0);
	assert_int_equal(np_buddy_check(&b), 0);
	b.nfree++;                              /* counters disagree */
	assert_int_not_equal(np_buddy_check(&b), 0);
	b.nfree--;
	meta[40].state = NP_FRAME_FREE_HEAD;    /* a second owner for a frame */
	assert_int_not_equal(np_buddy_check(&b), 0);
	meta[40].state = NP_FRAME_FREE_TAIL;
	assert_int_equal(np_buddy_check(&b), 0);
	assert_int_equal(np_buddy_free(&b, pfn, 0), 0);
	/* two free buddies left unmerged */
	np_buddy_init(&b, 0, 4, meta);
	assert_int_equal(np_buddy_add(&b, 0, 4), 0);
	assert_int_equal(np_buddy_alloc(&b, 1, &pfn), 0);
	assert_int_equal(np_buddy_alloc(&b, 1, &pfn), 0);
	meta[0].state = meta[2].state = NP_FRAME_FREE_HEAD;
	meta[0].order = meta[2].order = 1;
	meta[0].next = 2;
	meta[2].prev = 0;
	meta[0].prev = meta[2].next = NP_BUDDY_NONE;
	b.head[1] = 0;
	b.nfree_order[1] = 2;
	b.nfree = 4;
	assert_int_not_equal(np_buddy_check(&b), 0);
}

/* Random orders, random frees; a shadow map proves no frame is handed out
 * twice; the invariant check runs every 50,000 operations. */
static void test_stress(void **state)
{
	enum { SPAN = 8192, LIVE = 2048 };
	static uint8_t owned[SPAN];
	static struct { uint64_t pfn; unsigned order; } live[LIVE];
	struct np_buddy b;
	unsigned nlive = 0;
	uint64_t seed = 42;

	(void)state;
	memset(owned, 0, sizeof(owned));
	np_buddy_init(&b, 1 << 20, SPAN, meta);
	assert_int_equal(np_buddy_add(&b, (1 << 20) + 3, 4000), 0);
	assert_int_equal(np_buddy_add(&b, (1 << 20) + 5000, 3000), 0);
	for (unsigned op = 0; op < 1000000; op++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		if ((seed >> 33) % 2 && nlive < LIVE) {
			unsigned order = (unsigned)(seed >> 40) % 4;
			uint64_t pfn;

			if (np_buddy_alloc(&b, order, &pfn))
				continue;
			for (uint64_t f = 0; f < (1ull << order); f++) {
				uint64_t i = pfn - (1 << 20) + f;

				assert_int_equal(owned[i], 0);
				owned[i] = 1;
			}
			live[nlive].pfn = pfn;
			live[nlive++].order = order;
		} else if (nlive) {
			unsigned i = (unsigned)(seed >> 20) % nlive;

			for (uint64_t f = 0; f < (1ull << live[i].order); f++)
				owned[live[i].pfn - (1 << 20) + f] = 0;
			assert_int_equal(np_buddy_free(&b, live[i].pfn,
						       live[i].order), 0);
			live[i] = live[--nlive];
		}
		if (op % 50000 == 0)
			assert_int_equal(np_buddy_check(&b), 0);
	}
	while (nlive) {
		nlive--;
		assert_int_equal(np_buddy_free(&b, live[nlive].pfn,
					       live[nlive].order), 0);
	}
	assert_int_equal(np_buddy_check(&b), 0);
	assert_int_equal(b.nfree, 7000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_back),
		cmocka_unit_test(test_holes),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_check_catches),
		cmocka_unit_test(test_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
