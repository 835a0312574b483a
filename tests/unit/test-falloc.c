/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The frame allocator (core/falloc.h): memory maps with holes, Linux's
 * batch rule, fallback along the zonelists, the policies, the
 * zone_statistics counters, the per-CPU cache hysteresis, the invariant
 * check against planted corruption, and a randomized stress against a
 * model that predicts every allocation's node and every counter.
 *
 * Expected values come from the rules in falloc.h and zonelist.h worked
 * out by hand; the comments beside them show the arithmetic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "falloc.h"

#define BIT(n) (1ull << (n))
#define MAXC 8                  /* caches per test */
#define MAXHELD 200000          /* blocks a test holds at once */
#define MAXPFN 262144           /* every test's frames lie below this */

/* ---- helpers ------------------------------------------------------------ */

struct world {
	struct np_fa fa;
	void *meta;
	struct np_fa_cache c[MAXC];
	void *cmem[MAXC];
	unsigned nc;
};

/* What a test holds, and which frames are out (no frame twice). */
struct held {
	uint64_t pfn[MAXHELD];
	uint8_t order[MAXHELD];
	uint32_t n;
};

static struct held H;
static uint8_t owned[MAXPFN];

static void *alloc64(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);

	assert_non_null(p);
	return p;
}

static void world_init(struct world *w, const struct np_fa_config *cfg)
{
	size_t need = np_fa_meta_bytes(cfg);

	memset(w, 0, sizeof(*w));
	assert_true(need > 0);
	w->meta = alloc64(need);
	assert_int_equal(np_fa_init(&w->fa, cfg, w->meta, need), 0);
	H.n = 0;
	memset(owned, 0, sizeof(owned));
}

static struct np_fa_cache *world_cache(struct world *w, uint32_t node)
{
	size_t need = np_fa_cache_bytes(&w->fa);
	unsigned i = w->nc++;

	assert_true(i < MAXC);
	w->cmem[i] = alloc64(need);
	assert_int_equal(np_fa_cache_attach(&w->fa, &w->c[i], w->cmem[i],
					    need, node), 0);
	return &w->c[i];
}

/* Releases the memory only (for a test that left corruption behind). */
static void world_free(struct world *w)
{
	for (unsigned i = 0; i < w->nc; i++)
		free(w->cmem[i]);
	free(w->meta);
}

/* Detaches every cache and proves every frame came home. */
static void world_fini(struct world *w)
{
	uint64_t zero[NP_FA_MAX_NODES] = { 0 };

	assert_int_equal(H.n, 0);
	for (unsigned i = 0; i < w->nc; i++)
		np_fa_cache_detach(&w->c[i]);
	assert_int_equal(np_fa_check(&w->fa, zero), 0);
	for (uint32_t n = 0; n < w->fa.nnodes; n++) {
		const struct np_buddy *b = &w->fa.node[n].buddy;

		assert_int_equal(b->nfree, b->npresent);
		assert_int_equal(np_fa_node_free_frames(&w->fa, n), b->npresent);
		assert_int_equal(np_buddy_check(b), 0);
	}
	world_free(w);
}

static void hold(const struct np_fa *fa, uint64_t pfn, unsigned order,
		 uint32_t node)
{
	assert_true(H.n < MAXHELD);
	assert_int_equal(np_fa_pfn_node(fa, pfn), (int)node);
	assert_int_equal(pfn & ((1ull << order) - 1), 0);
	assert_true(pfn + (1ull << order) <= MAXPFN);
	for (uint64_t f = pfn; f < pfn + (1ull << order); f++) {
		assert_int_equal(owned[f], 0);
		owned[f] = 1;
	}
	H.pfn[H.n] = pfn;
	H.order[H.n++] = (uint8_t)order;
}

/* Gives back everything held, through cache c. */
static void free_held(struct np_fa_cache *c)
{
	while (H.n) {
		H.n--;
		for (uint64_t f = 0; f < (1ull << H.order[H.n]); f++)
			owned[H.pfn[H.n] + f] = 0;
		assert_int_equal(np_fa_free(c, H.pfn[H.n], H.order[H.n]), 0);
	}
}

/* One allocation that must succeed; its node. */
static uint32_t must_alloc(struct np_fa_cache *c, struct np_fa_policy *p,
			   unsigned order, uint64_t *pfn)
{
	uint32_t node = UINT32_MAX;
	uint64_t got;

	assert_int_equal(np_fa_alloc(c, p, order, &got, &node), 0);
	hold(c->fa, got, order, node);
	if (pfn)
		*pfn = got;
	return node;
}

/*
 * Allocates under p until it fails and returns the failure code.  runs
 * gets where the blocks came from, in order, as "node:count" runs:
 * "1:64 2:128 0:256".
 */
static int exhaust(struct np_fa_cache *c, struct np_fa_policy *p,
		   unsigned order, char *runs, size_t len)
{
	uint32_t node = UINT32_MAX, last = UINT32_MAX, n = 0;
	size_t o = 0;
	uint64_t pfn;
	int rc;

	runs[0] = '\0';
	for (;;) {
		rc = np_fa_alloc(c, p, order, &pfn, &node);
		if (rc == 0)
			hold(c->fa, pfn, order, node);
		if (n && (rc || node != last)) {
			o += (size_t)snprintf(runs + o, len - o, "%s%u:%u",
					      o ? " " : "", last, n);
			assert_true(o < len);
			n = 0;
		}
		if (rc)
			return rc;
		last = node;
		n++;
	}
}

/* A node's six counters as one line, for readable failures. */
static const char *stats(struct np_fa *fa, uint32_t node)
{
	static char buf[4][128];
	static unsigned k;
	char *b = buf[k++ % 4];
	uint64_t s[NP_FA_NR_STATS];

	np_fa_node_stats(fa, node, s);
	snprintf(b, sizeof(buf[0]), "hit %" PRIu64 " miss %" PRIu64
		 " foreign %" PRIu64 " il %" PRIu64 " local %" PRIu64
		 " other %" PRIu64, s[NP_FA_NUMA_HIT], s[NP_FA_NUMA_MISS],
		 s[NP_FA_NUMA_FOREIGN], s[NP_FA_INTERLEAVE_HIT],
		 s[NP_FA_LOCAL_NODE], s[NP_FA_OTHER_NODE]);
	return b;
}

#define NOTHING "hit 0 miss 0 foreign 0 il 0 local 0 other 0"

/* "0,3,1" for a node's fallback order. */
static const char *zonelist(const struct np_fa *fa, uint32_t node)
{
	static char buf[64];
	size_t o = 0;

	buf[0] = '\0';
	for (uint32_t k = 0; k < fa->node[node].nzl; k++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u",
				      k ? "," : "", fa->node[node].zl[k]);
	return buf;
}

static struct np_fa_policy policy(enum np_fa_mode mode, uint64_t nodes,
				  uint32_t node, unsigned flags)
{
	return (struct np_fa_policy){ .mode = mode, .flags = flags,
				      .nodes = nodes, .node = node };
}

/* ---- 1. configurations and memory maps ---------------------------------- */

static void test_invalid_configs(void **state)
{
	typedef struct np_fa_range R;
	static const R two[] = { { 0, 100, 0 }, { 100, 100, 1 } };
	static const R across[] = { { 0, 100, 0 }, { 50, 100, 1 } };
	static const R same[] = { { 0, 100, 0 }, { 99, 10, 0 } };
	static const R nonode[] = { { 0, 100, 0 }, { 100, 10, 2 } };
	static const R empty[] = { { 0, 100, 0 }, { 100, 0, 1 } };
	static const R wraps[] = { { 0, 100, 0 }, { UINT64_MAX - 5, 10, 1 } };
	static const R wide[] = { { 0, 10, 0 }, { 1ull << 32, 10, 0 } };
	static const R wide_ok[] = { { 0, 10, 0 }, { 0xfffffff4, 10, 0 } };
	static const R far[] = { { 0, 10, 0 }, { 1ull << 32, 10, 1 } };
	static const R edges[] = { { 0, 10, 0 }, { 10, 10, 63 } };
	static const uint8_t slit_ok[4] = { 10, 20, 30, 10 };
	static const uint8_t slit_diag[4] = { 11, 20, 20, 10 };
	static const uint8_t slit_local[4] = { 10, 10, 20, 10 };
	static const uint8_t slit_below[4] = { 10, 20, 9, 10 };
	const struct np_fa_config ok = { .nnodes = 2, .ranges = two,
					 .nranges = 2, .frame_shift = 12 };
	struct np_fa_config c;
	struct np_fa fa;
	size_t need;
	char *meta;

	(void)state;
	assert_true(np_fa_meta_bytes(&ok) > 0);
#define BAD(field, value) \
	do { c = ok; c.field = value; \
	     assert_int_equal(np_fa_meta_bytes(&c), 0); } while (0)
#define GOOD(field, value) \
	do { c = ok; c.field = value; \
	     assert_true(np_fa_meta_bytes(&c) > 0); } while (0)
	BAD(ranges, across);            /* overlap across nodes */
	BAD(ranges, same);              /* overlap on one node */
	BAD(ranges, nonode);            /* node 2 of 2 */
	BAD(ranges, empty);
	BAD(ranges, wraps);             /* past 2^64 */
	BAD(ranges, wide);              /* node 0 spans 2^32 + 10 frames */
	GOOD(ranges, wide_ok);          /* ... 2^32 - 2 is still fine */
	GOOD(ranges, far);              /* 2^32 apart, on two nodes */
	BAD(ranges, NULL);
	BAD(nranges, 0);
	BAD(nnodes, 0);
	BAD(nnodes, 65);
	GOOD(nnodes, 3);                /* node 2 memoryless */
	GOOD(distance, slit_ok);        /* asymmetric is fine */
	BAD(distance, slit_diag);       /* diagonal must be 10 */
	BAD(distance, slit_local);      /* off-diagonal must exceed 10 */
	BAD(distance, slit_below);
	c = ok;
	c.batch = 8, c.high = 4;        /* batch > high */
	assert_int_equal(np_fa_meta_bytes(&c), 0);
	c.batch = 4, c.high = 4;
	assert_true(np_fa_meta_bytes(&c) > 0);
	c.batch = 8, c.high = 0;        /* high 6 * 8 */
	assert_true(np_fa_meta_bytes(&c) > 0);
	c.batch = 0, c.high = 4;        /* default batch 1 */
	assert_true(np_fa_meta_bytes(&c) > 0);
	c = ok;
	c.nnodes = 64, c.ranges = edges;        /* the largest machine */
	assert_true(np_fa_meta_bytes(&c) > 0);
	c.nnodes = 63;                          /* node 63 of 63 */
	assert_int_equal(np_fa_meta_bytes(&c), 0);
#undef BAD
#undef GOOD

	/* np_fa_init: the same rules, plus meta aligned to 64 and big enough */
	need = np_fa_meta_bytes(&ok);
	meta = alloc64(need + 64);
	assert_int_equal(np_fa_init(&fa, &ok, meta + 8, need), NP_FA_EINVAL);
	assert_int_equal(np_fa_init(&fa, &ok, meta, need - 1), NP_FA_EINVAL);
	assert_int_equal(np_fa_init(&fa, &ok, NULL, need), NP_FA_EINVAL);
	c = ok;
	c.ranges = across;
	assert_int_equal(np_fa_init(&fa, &c, meta, need + 64), NP_FA_EINVAL);
	assert_int_equal(np_fa_init(&fa, &ok, meta + 64, need), 0);
	assert_int_equal(fa.node[0].buddy.nfree, 100);
	assert_int_equal(fa.node[1].buddy.nfree, 100);
	free(meta);
}

/*
 * Node 0 = [0,1000) + [3000,3500) around node 1 = [1000,3000), node 2
 * memoryless (CPUs, no ranges), node 3 = [8192,12288) memory-only (no
 * CPUs).  Ranges are given unsorted.  Default distances 10/20.
 */
static const struct np_fa_range map_ranges[] = {
	{ 3000, 500, 0 }, { 8192, 4096, 3 }, { 1000, 2000, 1 }, { 0, 1000, 0 },
};
static const bool map_cpus[4] = { true, true, true, false };
static const struct np_fa_config map_cfg = {
	.nnodes = 4, .has_cpus = map_cpus, .ranges = map_ranges,
	.nranges = 4, .frame_shift = 12,
};

static void test_memory_map(void **state)
{
	static const uint64_t size[4] = { 1500, 2000, 0, 4096 };
	struct np_fa_policy p;
	struct np_fa_cache *c;
	struct world w;
	char runs[128];
	uint64_t pfn;

	(void)state;
	world_init(&w, &map_cfg);
	assert_int_equal(np_fa_pfn_node(&w.fa, 0), 0);
	assert_int_equal(np_fa_pfn_node(&w.fa, 999), 0);
	assert_int_equal(np_fa_pfn_node(&w.fa, 1000), 1);
	assert_int_equal(np_fa_pfn_node(&w.fa, 2999), 1);
	assert_int_equal(np_fa_pfn_node(&w.fa, 3000), 0);
	assert_int_equal(np_fa_pfn_node(&w.fa, 3499), 0);
	assert_int_equal(np_fa_pfn_node(&w.fa, 3500), -1);
	assert_int_equal(np_fa_pfn_node(&w.fa, 8191), -1);
	assert_int_equal(np_fa_pfn_node(&w.fa, 8192), 3);
	assert_int_equal(np_fa_pfn_node(&w.fa, 12287), 3);
	assert_int_equal(np_fa_pfn_node(&w.fa, 12288), -1);
	assert_int_equal(np_fa_pfn_node(&w.fa, UINT64_MAX), -1);
	assert_int_equal(w.fa.mem_nodes, 0xb);
	for (uint32_t n = 0; n < 4; n++) {
		assert_int_equal(w.fa.node[n].buddy.npresent, size[n]);
		assert_int_equal(w.fa.node[n].has_memory, size[n] > 0);
		assert_int_equal(w.fa.node[n].has_cpus, n != 3);
		assert_int_equal(np_fa_node_free_frames(&w.fa, n), size[n]);
		/* under 4096 frames: 0 / 4 -> 1 -> rounddown(1) - 1 = 0 -> 1 */
		assert_int_equal(w.fa.node[n].batch, 1);
		assert_int_equal(w.fa.node[n].high, 6);
	}
	/*
	 * Zonelists (distance 20 everywhere; +1 for a node below, +1 for
	 * CPUs; the load rises for the first node of a new distance group):
	 * from 0, headless 3 (20) beats 1 (21); load[3] = 1.  From 1, 3
	 * (20 * 1024 + 1) beats 0 (22 * 1024); load[3] = 2.  Memoryless 2
	 * heads its own list, then 3, then 0 and 1 tie at 22 -> lower id.
	 * From 3, 0 and 1 tie at 22 -> 0.
	 */
	assert_string_equal(zonelist(&w.fa, 0), "0,3,1");
	assert_string_equal(zonelist(&w.fa, 1), "1,3,0");
	assert_string_equal(zonelist(&w.fa, 2), "2,3,0,1");
	assert_string_equal(zonelist(&w.fa, 3), "3,0,1");

	/* no cache for a CPU-less node, nor for a node that does not exist */
	{
		size_t need = np_fa_cache_bytes(&w.fa);
		void *mem = alloc64(need);
		struct np_fa_cache x;

		assert_int_equal(np_fa_cache_attach(&w.fa, &x, mem, need, 3),
				 NP_FA_EINVAL);
		assert_int_equal(np_fa_cache_attach(&w.fa, &x, mem, need, 4),
				 NP_FA_EINVAL);
		assert_int_equal(np_fa_cache_attach(&w.fa, &x, mem, need - 1, 0),
				 NP_FA_EINVAL);
		free(mem);
	}
	c = world_cache(&w, 0);

	/*
	 * Buddy blocks align on absolute frame numbers and never cross the
	 * hole [1000,3000) in node 0's span: node 0's largest block is
	 * [0,512), order 9; node 1 has [1024,2048); node 3 has four order-10
	 * blocks from 8192.
	 */
	p = policy(NP_FA_BIND, BIT(0), 0, 0);
	assert_int_equal(np_fa_alloc(c, &p, 10, &pfn, &(uint32_t){ 0 }),
			 NP_FA_ENOMEM);
	must_alloc(c, &p, 9, &pfn);
	assert_int_equal(pfn, 0);
	p = policy(NP_FA_BIND, BIT(1), 0, 0);
	must_alloc(c, &p, 10, &pfn);
	assert_int_equal(pfn, 1024);
	p = policy(NP_FA_BIND, BIT(3), 0, 0);
	must_alloc(c, &p, 10, &pfn);
	assert_int_equal(pfn % 1024, 0);
	assert_true(pfn >= 8192 && pfn < 12288);
	free_held(c);

	/* every frame of every node exactly once, then nothing */
	for (uint32_t n = 0; n < 4; n++) {
		char want[32];

		if (!size[n])
			continue;
		p = policy(NP_FA_BIND, BIT(n), 0, 0);
		assert_int_equal(exhaust(c, &p, 0, runs, sizeof(runs)),
				 NP_FA_ENOMEM);
		snprintf(want, sizeof(want), "%u:%" PRIu64, n, size[n]);
		assert_string_equal(runs, want);
	}
	assert_int_equal(H.n, 1500 + 2000 + 4096);
	p = policy(NP_FA_LOCAL, 0, 0, 0);
	assert_int_equal(np_fa_alloc(c, &p, 0, &pfn, &(uint32_t){ 0 }),
			 NP_FA_ENOMEM);
	/* memoryless node 2: a policy naming only it is a bad policy */
	p = policy(NP_FA_BIND, BIT(2), 0, 0);
	assert_int_equal(np_fa_alloc(c, &p, 0, &pfn, &(uint32_t){ 0 }),
			 NP_FA_EINVAL);
	p = policy(NP_FA_PREFERRED, 0, 2, 0);
	assert_int_equal(np_fa_alloc(c, &p, 0, &pfn, &(uint32_t){ 0 }),
			 NP_FA_EINVAL);
	free_held(c);
	/* bound allocations on a CPU node: hits, local only on node 0 */
	assert_string_equal(stats(&w.fa, 0),
			    "hit 1501 miss 0 foreign 0 il 0 local 1501 other 0");
	assert_string_equal(stats(&w.fa, 1),
			    "hit 2001 miss 0 foreign 0 il 0 local 0 other 2001");
	assert_string_equal(stats(&w.fa, 2), NOTHING);
	assert_string_equal(stats(&w.fa, 3),
			    "hit 4097 miss 0 foreign 0 il 0 local 0 other 4097");
	world_fini(&w);
}

/* The 2-hop Opteron of tests/unit/test-zonelist.c. */
static const uint8_t opteron[64] = {
	10, 16, 16, 22, 16, 22, 16, 22, 16, 10, 22, 16, 22, 16, 22, 16,
	16, 22, 10, 16, 16, 22, 16, 22, 22, 16, 16, 10, 22, 16, 22, 16,
	16, 22, 16, 22, 10, 16, 16, 22, 22, 16, 22, 16, 16, 10, 22, 16,
	16, 22, 16, 22, 16, 22, 10, 16, 22, 16, 22, 16, 22, 16, 16, 10,
};

/*
 * Eight nodes of unequal size, node 0 in two pieces at both ends of the
 * map.  Under preferred node 0 the frames come node after node in node
 * 0's zonelist, 0,1,2,4,6,3,5,7 (test-zonelist.c), each node emptied
 * before the next is touched.
 */
static void test_eight_nodes(void **state)
{
	static const struct np_fa_range r[] = {
		{ 0, 8192, 0 }, { 8192, 24576, 1 }, { 32768, 4096, 2 },
		{ 36864, 8192, 3 }, { 45056, 1000, 4 }, { 47104, 40960, 5 },
		{ 88064, 65536, 6 }, { 153600, 12288, 7 }, { 165888, 8192, 0 },
	};
	/* zone_batchsize: frames >> 10, / 4, at least 1, then
	 * rounddown_pow2(b + b / 2) - 1, at least 1:
	 *   0: 16384 -> 16 -> 4 -> 6 -> 4 - 1 = 3
	 *   1: 24576 -> 24 -> 6 -> 9 -> 8 - 1 = 7
	 *   2: 4096 -> 4 -> 1 -> 1 -> 0 -> 1    3: 8192 -> 8 -> 2 -> 3 -> 1
	 *   4: 1000 -> 0 -> 1 -> ... -> 1        5: 40960 -> 10 -> 15 -> 7
	 *   6: 65536 -> 16 -> 24 -> 15           7: 12288 -> 3 -> 4 -> 3 */
	static const uint32_t batch[8] = { 3, 7, 1, 1, 1, 7, 15, 3 };
	const struct np_fa_config cfg = {
		.nnodes = 8, .distance = opteron, .ranges = r, .nranges = 9,
		.frame_shift = 12,
	};
	struct np_fa_policy p = policy(NP_FA_PREFERRED, 0, 0, 0);
	struct np_fa_cache *c;
	struct world w;
	char runs[256];

	(void)state;
	world_init(&w, &cfg);
	for (uint32_t n = 0; n < 8; n++) {
		assert_int_equal(w.fa.node[n].batch, batch[n]);
		assert_int_equal(w.fa.node[n].high, 6 * batch[n]);
	}
	assert_int_equal(w.fa.node[0].buddy.npresent, 16384);
	assert_string_equal(zonelist(&w.fa, 0), "0,1,2,4,6,3,5,7");
	c = world_cache(&w, 0);
	assert_int_equal(exhaust(c, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "0:16384 1:24576 2:4096 4:1000 6:65536 "
			    "3:8192 5:40960 7:12288");
	/* 173032 frames in all, 156648 of them not on node 0 */
	assert_string_equal(stats(&w.fa, 0), "hit 16384 miss 0 foreign 156648"
			    " il 0 local 16384 other 0");
	assert_string_equal(stats(&w.fa, 6), "hit 0 miss 65536 foreign 0"
			    " il 0 local 0 other 65536");
	assert_string_equal(stats(&w.fa, 4), "hit 0 miss 1000 foreign 0"
			    " il 0 local 0 other 1000");
	assert_int_equal(np_fa_check(&w.fa, NULL), 0);
	free_held(c);
	world_fini(&w);
}

/* ---- 2. Linux's batch size ---------------------------------------------- */

static void test_default_batch(void **state)
{
	(void)state;
	/* 1 GiB of 4 KiB frames: min(256, 256) / 4 = 64 -> 96 -> 64 - 1 */
	assert_int_equal(np_fa_default_batch(262144, 12), 63);
	assert_int_equal(np_fa_default_batch(1ull << 40, 12), 63);
	/* 63 already from 176128 frames: 172 / 4 = 43 -> 64 -> 63; one
	 * frame less, 171 / 4 = 42 -> 63 -> 32 - 1 */
	assert_int_equal(np_fa_default_batch(176128, 12), 63);
	assert_int_equal(np_fa_default_batch(176127, 12), 31);
	assert_int_equal(np_fa_default_batch(131072, 12), 31); /* 32 -> 48 */
	assert_int_equal(np_fa_default_batch(65536, 12), 15);  /* 16 -> 24 */
	assert_int_equal(np_fa_default_batch(24576, 12), 7);   /* 6 -> 9 */
	assert_int_equal(np_fa_default_batch(16384, 12), 3);   /* 4 -> 6 */
	assert_int_equal(np_fa_default_batch(12288, 12), 3);   /* 3 -> 4 */
	assert_int_equal(np_fa_default_batch(8192, 12), 1);    /* 2 -> 3 */
	assert_int_equal(np_fa_default_batch(4096, 12), 1);    /* 1 -> 0 */
	assert_int_equal(np_fa_default_batch(1000, 12), 1);
	assert_int_equal(np_fa_default_batch(0, 12), 1);
	/* 1 MiB of 64 KiB frames is 16: 16 / 4 = 4 -> 6 -> 3 */
	assert_int_equal(np_fa_default_batch(1ull << 30, 16), 3);
	/* 1 MiB of 16 KiB frames is 64: 16 -> 24 -> 15 */
	assert_int_equal(np_fa_default_batch(1ull << 30, 14), 15);
	/* 2 MiB frames: 1 MiB of them is 0 frames -> 1 */
	assert_int_equal(np_fa_default_batch(1ull << 30, 21), 1);
	assert_int_equal(np_fa_default_batch(262144, 21), 1);
	assert_int_equal(np_fa_default_batch(1, 21), 1);
}

/* ---- 3, 4. fallback order and the policies ------------------------------ */

/*
 * An asymmetric 3-node machine, every node with CPUs:
 *   row 0: 10 20 30   row 1: 25 10 15   row 2: 18 28 10
 * Zonelists (distance + below + CPUs, * 1024 + load):
 *   0: 1 = 21 * 1024, 2 = 31 * 1024 -> 0,1,2; load[1] = load[2] = 1
 *   1: 0 = 27 * 1024, 2 = 16 * 1024 + 1 -> 1,2,0; load[2] = 2, load[0] = 1
 *   2: 0 = 20 * 1024 + 1, 1 = 30 * 1024 + 1 -> 2,0,1
 * Reading the matrix by columns instead would give 1,0,2 and 2,1,0.
 * Node sizes: 0 = 256, 1 = 64, 2 = 128 frames.
 */
static const uint8_t asym_dist[9] = { 10, 20, 30, 25, 10, 15, 18, 28, 10 };
static const struct np_fa_range asym_ranges[] = {
	{ 0, 256, 0 }, { 256, 64, 1 }, { 1024, 128, 2 },
};
static const struct np_fa_config asym_cfg = {
	.nnodes = 3, .distance = asym_dist, .ranges = asym_ranges,
	.nranges = 3, .frame_shift = 12,
};

static void test_fallback_order(void **state)
{
	struct np_fa_policy p;
	struct np_fa_cache *c;
	struct world w;
	char runs[128];

	(void)state;
	world_init(&w, &asym_cfg);
	assert_string_equal(zonelist(&w.fa, 0), "0,1,2");
	assert_string_equal(zonelist(&w.fa, 1), "1,2,0");
	assert_string_equal(zonelist(&w.fa, 2), "2,0,1");
	/* preferred 1 from a CPU of node 0: node 1's list, not node 0's */
	c = world_cache(&w, 0);
	p = policy(NP_FA_PREFERRED, 0, 1, 0);
	assert_int_equal(exhaust(c, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "1:64 2:128 0:256");
	assert_string_equal(stats(&w.fa, 0),
			    "hit 0 miss 256 foreign 0 il 0 local 256 other 0");
	assert_string_equal(stats(&w.fa, 1),
			    "hit 64 miss 0 foreign 384 il 0 local 0 other 64");
	assert_string_equal(stats(&w.fa, 2),
			    "hit 0 miss 128 foreign 0 il 0 local 0 other 128");
	free_held(c);
	world_fini(&w);

	/* preferred 2 from a CPU of node 1: 2,0,1 (node 1's own list would
	 * say 1 next) */
	world_init(&w, &asym_cfg);
	c = world_cache(&w, 1);
	p = policy(NP_FA_PREFERRED, 0, 2, 0);
	assert_int_equal(exhaust(c, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "2:128 0:256 1:64");
	assert_string_equal(stats(&w.fa, 2),
			    "hit 128 miss 0 foreign 320 il 0 local 0 other 128");
	assert_string_equal(stats(&w.fa, 1),
			    "hit 0 miss 64 foreign 0 il 0 local 64 other 0");
	/* order 3 blocks follow the same order: node 2 = 16 blocks, ...
	 * (once the cache gave back the frames that would split them) */
	free_held(c);
	np_fa_cache_drain(c);
	assert_int_equal(exhaust(c, &p, 3, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "2:16 0:32 1:8");
	free_held(c);
	world_fini(&w);
}

static void test_bind(void **state)
{
	struct np_fa_policy p;
	struct np_fa_cache *c0, *c1;
	struct world w;
	char runs[128];
	uint64_t pfn;

	(void)state;
	world_init(&w, &asym_cfg);
	c0 = world_cache(&w, 0);
	c1 = world_cache(&w, 1);
	/* {0,2} from node 1: in node 1's order, 2 then 0; never node 1 */
	p = policy(NP_FA_BIND, BIT(0) | BIT(2), 0, 0);
	assert_int_equal(exhaust(c1, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "2:128 0:256");
	assert_int_equal(np_fa_node_free_frames(&w.fa, 1), 64);
	assert_int_equal(np_fa_alloc(c1, &p, 0, &pfn, &(uint32_t){ 0 }),
			 NP_FA_ENOMEM);
	/* the preferred node is the set's first in node 1's order: 2 */
	assert_string_equal(stats(&w.fa, 2),
			    "hit 128 miss 0 foreign 256 il 0 local 0 other 128");
	assert_string_equal(stats(&w.fa, 0),
			    "hit 0 miss 256 foreign 0 il 0 local 0 other 256");
	/* {1} from node 0: node 1 only, though nothing else is left */
	p = policy(NP_FA_BIND, BIT(1), 0, 0);
	assert_int_equal(exhaust(c0, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "1:64");
	free_held(c0);
	np_fa_cache_drain(c0);
	/* {1,2} from node 0 in node 0's order 1,2, for blocks of 8 */
	p = policy(NP_FA_BIND, BIT(1) | BIT(2), 0, 0);
	assert_int_equal(exhaust(c0, &p, 3, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "1:8 2:16");
	free_held(c0);
	/* bad bind sets */
	p = policy(NP_FA_BIND, 0, 0, 0);
	assert_int_equal(np_fa_alloc(c0, &p, 0, &pfn, &(uint32_t){ 0 }),
			 NP_FA_EINVAL);
	p = policy(NP_FA_BIND, BIT(0) | BIT(3), 0, 0);  /* node 3 of 3 */
	assert_int_equal(np_fa_alloc(c0, &p, 0, &pfn, &(uint32_t){ 0 }),
			 NP_FA_EINVAL);
	p = policy(NP_FA_PREFERRED, 0, 3, 0);
	assert_int_equal(np_fa_alloc(c0, &p, 0, &pfn, &(uint32_t){ 0 }),
			 NP_FA_EINVAL);
	p = policy((enum np_fa_mode)99, BIT(0), 0, 0);
	assert_int_equal(np_fa_alloc(c0, &p, 0, &pfn, &(uint32_t){ 0 }),
			 NP_FA_EINVAL);
	p = policy(NP_FA_LOCAL, 0, 0, 0);
	assert_int_equal(np_fa_alloc(c0, &p, NP_BUDDY_MAX_ORDER + 1, &pfn,
				     &(uint32_t){ 0 }), NP_FA_EINVAL);
	world_fini(&w);
}

/* NP_FA_STRICT: the first node the policy names or nothing. */
static void test_strict(void **state)
{
	struct np_fa_policy p;
	struct np_fa_cache *c0, *c1;
	struct world w;
	char runs[128];
	uint64_t pfn;
	uint32_t node;

	(void)state;
	world_init(&w, &asym_cfg);
	c0 = world_cache(&w, 0);
	c1 = world_cache(&w, 1);
	p = policy(NP_FA_PREFERRED, 0, 1, NP_FA_STRICT);
	assert_int_equal(exhaust(c0, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "1:64");
	/* node 1 is empty: local on node 1 fails, without STRICT it falls
	 * back to 2 (node 1's list 1,2,0) */
	p = policy(NP_FA_LOCAL, 0, 0, NP_FA_STRICT);
	assert_int_equal(np_fa_alloc(c1, &p, 0, &pfn, &node), NP_FA_ENOMEM);
	p.flags = 0;
	assert_int_equal(must_alloc(c1, &p, 0, NULL), 2);
	/* interleave {1,2}: target 1 fails, target 2 works, in turn */
	p = policy(NP_FA_INTERLEAVE, BIT(1) | BIT(2), 0, NP_FA_STRICT);
	assert_int_equal(np_fa_alloc(c0, &p, 0, &pfn, &node), NP_FA_ENOMEM);
	assert_int_equal(must_alloc(c0, &p, 0, NULL), 2);
	assert_int_equal(np_fa_alloc(c0, &p, 0, &pfn, &node), NP_FA_ENOMEM);
	assert_int_equal(must_alloc(c0, &p, 0, NULL), 2);
	/* bind {0,2} from node 1: node 2 (127 - 2 = 125 left) and no more,
	 * though node 0 has 256 */
	p = policy(NP_FA_BIND, BIT(0) | BIT(2), 0, NP_FA_STRICT);
	assert_int_equal(exhaust(c1, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "2:125");
	assert_int_equal(np_fa_node_free_frames(&w.fa, 0), 256);
	/* preferred-many {0,2} from node 1, strict: node 2 or nothing */
	p = policy(NP_FA_PREFERRED_MANY, BIT(0) | BIT(2), 0, NP_FA_STRICT);
	assert_int_equal(np_fa_alloc(c1, &p, 0, &pfn, &node), NP_FA_ENOMEM);
	/* ... and not the others either once the set is tried */
	p = policy(NP_FA_PREFERRED_MANY, BIT(2), 0, NP_FA_STRICT);
	assert_int_equal(np_fa_alloc(c1, &p, 0, &pfn, &node), NP_FA_ENOMEM);
	/* failures count nothing; the one fallback (local on node 1
	 * without STRICT) is a miss on 2, foreign on 1 */
	assert_string_equal(stats(&w.fa, 0), NOTHING);
	assert_string_equal(stats(&w.fa, 1),
			    "hit 64 miss 0 foreign 1 il 0 local 0 other 64");
	assert_string_equal(stats(&w.fa, 2),
			    "hit 127 miss 1 foreign 0 il 2 local 0 other 128");
	free_held(c0);
	world_fini(&w);
}

static void test_preferred_many(void **state)
{
	struct np_fa_policy p;
	struct np_fa_cache *c;
	struct world w;
	char runs[128];

	(void)state;
	/* {1} from node 0: node 1, then the others in node 0's order 0,2 --
	 * not node 1's order (2,0) as preferred 1 would */
	world_init(&w, &asym_cfg);
	c = world_cache(&w, 0);
	p = policy(NP_FA_PREFERRED_MANY, BIT(1), 0, 0);
	assert_int_equal(exhaust(c, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "1:64 0:256 2:128");
	/* outside the set it is Linux's second request, which prefers the
	 * local node 0: hits there, node 2's frames foreign to node 0 */
	assert_string_equal(stats(&w.fa, 1),
			    "hit 64 miss 0 foreign 0 il 0 local 0 other 64");
	assert_string_equal(stats(&w.fa, 0),
			    "hit 256 miss 0 foreign 128 il 0 local 256 other 0");
	assert_string_equal(stats(&w.fa, 2),
			    "hit 0 miss 128 foreign 0 il 0 local 0 other 128");
	free_held(c);
	world_fini(&w);

	/* {0,2} from node 1: the set in node 1's order (2,0), then 1 */
	world_init(&w, &asym_cfg);
	c = world_cache(&w, 1);
	p = policy(NP_FA_PREFERRED_MANY, BIT(0) | BIT(2), 0, 0);
	assert_int_equal(exhaust(c, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "2:128 0:256 1:64");
	/* node 0 is a miss within the set; node 1 a hit of the second pass */
	assert_string_equal(stats(&w.fa, 2),
			    "hit 128 miss 0 foreign 256 il 0 local 0 other 128");
	assert_string_equal(stats(&w.fa, 0),
			    "hit 0 miss 256 foreign 0 il 0 local 0 other 256");
	assert_string_equal(stats(&w.fa, 1),
			    "hit 64 miss 0 foreign 0 il 0 local 64 other 0");
	free_held(c);
	world_fini(&w);
}

/* ---- 5. interleave ------------------------------------------------------ */

/*
 * Four nodes at distance 20, all with CPUs: zonelists 0,1,2,3 / 1,2,3,0 /
 * 2,3,0,1 / 3,0,1,2 (test-zonelist.c's round robin).  Node 1 is small.
 */
static const struct np_fa_range il_ranges[] = {
	{ 0, 1024, 0 }, { 1024, 16, 1 }, { 2048, 1024, 2 }, { 4096, 1024, 3 },
};
static const struct np_fa_config il_cfg = {
	.nnodes = 4, .ranges = il_ranges, .nranges = 4, .frame_shift = 12,
};

static void test_interleave(void **state)
{
	static const uint32_t want[3] = { 0, 2, 3 };
	struct np_fa_policy p = policy(NP_FA_INTERLEAVE,
				       BIT(0) | BIT(2) | BIT(3), 0, 0);
	struct np_fa_cache *c;
	struct world w;

	(void)state;
	world_init(&w, &il_cfg);
	assert_string_equal(zonelist(&w.fa, 1), "1,2,3,0");
	c = world_cache(&w, 0);
	/* 100 rounds over {0,2,3}; every node sees 25 allocations of each
	 * order 0..3, 25 * 15 = 375 frames, and counts 100 */
	for (unsigned i = 0; i < 300; i++)
		assert_int_equal(must_alloc(c, &p, (i / 3) % 4, NULL),
				 want[i % 3]);
	assert_string_equal(stats(&w.fa, 0),
			    "hit 100 miss 0 foreign 0 il 100 local 100 other 0");
	assert_string_equal(stats(&w.fa, 1), NOTHING);
	assert_string_equal(stats(&w.fa, 2),
			    "hit 100 miss 0 foreign 0 il 100 local 0 other 100");
	assert_string_equal(stats(&w.fa, 3),
			    "hit 100 miss 0 foreign 0 il 100 local 0 other 100");
	assert_int_equal(np_fa_node_free_frames(&w.fa, 0), 1024 - 375);
	assert_int_equal(np_fa_node_free_frames(&w.fa, 2), 1024 - 375);
	assert_int_equal(np_fa_node_free_frames(&w.fa, 3), 1024 - 375);
	free_held(c);
	world_fini(&w);

	/* {0,1} from node 3: node 1's 16 frames run out and its turns go
	 * down node 1's list to node 2 -- a miss there, foreign on 1, and
	 * no interleave_hit */
	world_init(&w, &il_cfg);
	c = world_cache(&w, 3);
	p = policy(NP_FA_INTERLEAVE, BIT(0) | BIT(1), 0, 0);
	for (unsigned i = 0; i < 80; i++)
		assert_int_equal(must_alloc(c, &p, 0, NULL),
				 i % 2 == 0 ? 0 : i < 32 ? 1 : 2);
	assert_string_equal(stats(&w.fa, 0),
			    "hit 40 miss 0 foreign 0 il 40 local 0 other 40");
	assert_string_equal(stats(&w.fa, 1),
			    "hit 16 miss 0 foreign 24 il 16 local 0 other 16");
	assert_string_equal(stats(&w.fa, 2),
			    "hit 0 miss 24 foreign 0 il 0 local 0 other 24");
	assert_string_equal(stats(&w.fa, 3), NOTHING);
	assert_int_equal(np_fa_check(&w.fa, NULL), 0);
	free_held(c);
	world_fini(&w);
}

/* ---- 6. counters -------------------------------------------------------- */

/* local_node or other_node follows the cache's node; counts survive the
 * cache (folded when it detaches). */
static void test_counters_locality(void **state)
{
	struct np_fa_policy p = policy(NP_FA_BIND, BIT(0), 0, 0);
	struct np_fa_cache *c0, *c1;
	struct world w;
	uint64_t pfn;

	(void)state;
	world_init(&w, &asym_cfg);
	c0 = world_cache(&w, 0);
	c1 = world_cache(&w, 1);
	for (int i = 0; i < 5; i++)
		must_alloc(c0, &p, 0, NULL);
	for (int i = 0; i < 3; i++)
		must_alloc(c1, &p, 0, NULL);
	must_alloc(c1, &p, 3, NULL);    /* an order-3 block counts once */
	assert_string_equal(stats(&w.fa, 0),
			    "hit 9 miss 0 foreign 0 il 0 local 5 other 4");
	/* the inline fast path counts the same way */
	assert_int_equal(np_fa_alloc_onnode(c0, 0, &pfn), 0);
	hold(&w.fa, pfn, 0, 0);
	assert_int_equal(np_fa_alloc_onnode(c0, 2, &pfn), 0);
	hold(&w.fa, pfn, 0, 2);
	assert_int_equal(np_fa_alloc_onnode(c1, 2, &pfn), 0);
	hold(&w.fa, pfn, 0, 2);
	assert_string_equal(stats(&w.fa, 0),
			    "hit 10 miss 0 foreign 0 il 0 local 6 other 4");
	assert_string_equal(stats(&w.fa, 2),
			    "hit 2 miss 0 foreign 0 il 0 local 0 other 2");
	free_held(c0);
	np_fa_cache_detach(c1);
	w.nc = 1;
	free(w.cmem[1]);
	assert_string_equal(stats(&w.fa, 0),
			    "hit 10 miss 0 foreign 0 il 0 local 6 other 4");
	/* a thread that moved: its cache now counts node 1 as local */
	np_fa_cache_set_node(c0, 1);
	p = policy(NP_FA_LOCAL, 0, 0, 0);
	assert_int_equal(must_alloc(c0, &p, 0, NULL), 1);
	assert_string_equal(stats(&w.fa, 1),
			    "hit 1 miss 0 foreign 0 il 0 local 1 other 0");
	free_held(c0);
	world_fini(&w);
}

/*
 * A CPU on memoryless node 1 (row 1: 30 10 20) prefers the nearest node
 * with memory, 2: hits there, always other_node, nothing on node 1.
 * Zonelist of 1: 2 = 21 * 1024 + 1 beats 0 = 32 * 1024 -> 1,2,0.
 */
static void test_counters_memoryless(void **state)
{
	static const uint8_t d[9] = { 10, 20, 30, 30, 10, 20, 30, 20, 10 };
	static const struct np_fa_range r[] = { { 0, 512, 0 }, { 512, 512, 2 } };
	const struct np_fa_config cfg = {
		.nnodes = 3, .distance = d, .ranges = r, .nranges = 2,
		.frame_shift = 12,
	};
	struct np_fa_policy p = policy(NP_FA_LOCAL, 0, 0, 0);
	struct np_fa_cache *c;
	struct world w;
	char runs[128];

	(void)state;
	world_init(&w, &cfg);
	assert_string_equal(zonelist(&w.fa, 1), "1,2,0");
	c = world_cache(&w, 1);
	assert_int_equal(c->local_pref, 2);
	for (int i = 0; i < 10; i++)
		assert_int_equal(must_alloc(c, &p, 0, NULL), 2);
	assert_int_equal(must_alloc(c, &p, 3, NULL), 2);
	assert_string_equal(stats(&w.fa, 2),
			    "hit 11 miss 0 foreign 0 il 0 local 0 other 11");
	/* 512 - 10 - 8 = 494 frames left on 2, then node 0: misses */
	assert_int_equal(exhaust(c, &p, 0, runs, sizeof(runs)), NP_FA_ENOMEM);
	assert_string_equal(runs, "2:494 0:512");
	assert_string_equal(stats(&w.fa, 2),
			    "hit 505 miss 0 foreign 512 il 0 local 0 other 505");
	assert_string_equal(stats(&w.fa, 0),
			    "hit 0 miss 512 foreign 0 il 0 local 0 other 512");
	assert_string_equal(stats(&w.fa, 1), NOTHING);
	assert_int_equal(np_fa_check(&w.fa, NULL), 0);
	free_held(c);
	world_fini(&w);
}

/* A memory-only node bound explicitly scores hits, never local_node. */
static void test_counters_cpuless(void **state)
{
	static const struct np_fa_range r[] = { { 0, 256, 0 }, { 256, 256, 1 } };
	static const bool cpus[2] = { true, false };
	const struct np_fa_config cfg = {
		.nnodes = 2, .has_cpus = cpus, .ranges = r, .nranges = 2,
		.frame_shift = 12,
	};
	struct np_fa_policy p = policy(NP_FA_BIND, BIT(1), 0, 0);
	struct np_fa_cache *c;
	struct world w;

	(void)state;
	world_init(&w, &cfg);
	c = world_cache(&w, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(must_alloc(c, &p, 0, NULL), 1);
	assert_int_equal(must_alloc(c, &p, 2, NULL), 1);
	p = policy(NP_FA_PREFERRED, 0, 1, 0);
	assert_int_equal(must_alloc(c, &p, 0, NULL), 1);
	p = policy(NP_FA_LOCAL, 0, 0, 0);
	assert_int_equal(must_alloc(c, &p, 0, NULL), 0);
	assert_string_equal(stats(&w.fa, 1),
			    "hit 6 miss 0 foreign 0 il 0 local 0 other 6");
	assert_string_equal(stats(&w.fa, 0),
			    "hit 1 miss 0 foreign 0 il 0 local 1 other 0");
	/* the cache cannot move onto the CPU-less node */
	np_fa_cache_set_node(c, 1);
	assert_int_equal(c->node, 0);
	assert_int_equal(np_fa_check(&w.fa, NULL), 0);
	free_held(c);
	world_fini(&w);
}

/* ---- 7. the per-CPU cache ----------------------------------------------- */

/* Node 0 = 65536 frames (batch 15, high 90), node 1 = 16384 (3, 18). */
static const struct np_fa_range pcp_ranges[] = {
	{ 0, 65536, 0 }, { 65536, 16384, 1 },
};
static const struct np_fa_config pcp_cfg = {
	.nnodes = 2, .ranges = pcp_ranges, .nranges = 2, .frame_shift = 12,
};

static void test_cache_refill(void **state)
{
	struct np_fa_policy p = policy(NP_FA_LOCAL, 0, 0, 0);
	struct np_fa_cache *c;
	struct world w;
	uint64_t first, pfn;

	(void)state;
	world_init(&w, &pcp_cfg);
	assert_int_equal(w.fa.node[0].batch, 15);
	assert_int_equal(w.fa.node[0].high, 90);
	assert_int_equal(w.fa.node[1].batch, 3);
	assert_int_equal(w.fa.node[1].high, 18);
	c = world_cache(&w, 0);
	assert_int_equal(c->list[0].count, 0);
	must_alloc(c, &p, 0, &first);
	/* one refill of batch 15, one handed out */
	assert_int_equal(c->list[0].count, 14);
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536 - 15);
	assert_int_equal(np_fa_node_free_frames(&w.fa, 0), 65536 - 1);
	/* the refill's frames come out lowest first: a fresh order-10
	 * block split upwards gives 15 consecutive frames */
	assert_int_equal(first % 1024, 0);
	for (uint64_t i = 1; i < 15; i++) {
		must_alloc(c, &p, 0, &pfn);
		assert_int_equal(pfn, first + i);
	}
	assert_int_equal(c->list[0].count, 0);
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536 - 15);
	must_alloc(c, &p, 0, NULL);
	assert_int_equal(c->list[0].count, 14);
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536 - 30);
	/* higher orders bypass the cache */
	must_alloc(c, &p, 2, NULL);
	assert_int_equal(c->list[0].count, 14);
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536 - 34);
	free_held(c);
	world_fini(&w);
}

static void test_cache_drain_batch(void **state)
{
	struct np_fa_policy p = policy(NP_FA_LOCAL, 0, 0, 0);
	struct np_fa_cache *c;
	struct world w;
	uint64_t nfree;

	(void)state;
	world_init(&w, &pcp_cfg);
	c = world_cache(&w, 0);
	/* 100 frames: 7 refills of 15 = 105, 5 left on the list */
	for (int i = 0; i < 100; i++)
		must_alloc(c, &p, 0, NULL);
	assert_int_equal(c->list[0].count, 5);
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536 - 105);
	/* free them in the order they came: the list grows to high (90)
	 * at the 85th; the 86th makes 91 > 90 and gives back the 15
	 * coldest -- the 5 left over and the first 10 freed -- leaving 76 */
	for (uint32_t i = 0; i < 86; i++) {
		assert_int_equal(np_fa_free(c, H.pfn[i], 0), 0);
		owned[H.pfn[i]] = 0;
		if (i < 85)
			assert_int_equal(c->list[0].count, 5 + i + 1);
	}
	assert_int_equal(c->list[0].count, 76);
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536 - 105 + 15);
	assert_int_equal(c->list[0].pfn[0], H.pfn[10]);
	assert_int_equal(c->list[0].pfn[75], H.pfn[85]);
	assert_int_equal(np_fa_node_free_frames(&w.fa, 0), 65536 - 14);
	/* hysteresis: a free/alloc see-saw now touches no lock */
	nfree = w.fa.node[0].buddy.nfree;
	for (int i = 0; i < 1000; i++) {
		uint64_t pfn;
		uint32_t node;

		assert_int_equal(np_fa_alloc(c, &p, 0, &pfn, &node), 0);
		assert_int_equal(c->list[0].count, 75);
		assert_int_equal(np_fa_free(c, pfn, 0), 0);
		assert_int_equal(c->list[0].count, 76);
	}
	assert_int_equal(w.fa.node[0].buddy.nfree, nfree);
	/* the last 14 take the list to 90 = high: no drain */
	for (uint32_t i = 86; i < 100; i++) {
		assert_int_equal(np_fa_free(c, H.pfn[i], 0), 0);
		owned[H.pfn[i]] = 0;
	}
	H.n = 0;
	assert_int_equal(c->list[0].count, 90);
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536 - 90);
	assert_int_equal(np_fa_node_free_frames(&w.fa, 0), 65536);
	np_fa_cache_drain(c);
	assert_int_equal(c->list[0].count, 0);
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536);
	world_fini(&w);
}

/* A frame freed on a CPU of another node goes to its own node's list in
 * that cache, and back to its node's buddy a batch at a time. */
static void test_cache_remote_free(void **state)
{
	struct np_fa_policy p = policy(NP_FA_LOCAL, 0, 0, 0);
	struct np_fa_cache *c0, *c1;
	struct world w;
	char before[2][128];

	(void)state;
	world_init(&w, &pcp_cfg);
	c0 = world_cache(&w, 0);
	c1 = world_cache(&w, 1);
	/* 19 frames of node 1: 7 refills of 3 = 21, 2 left */
	for (int i = 0; i < 19; i++)
		assert_int_equal(must_alloc(c1, &p, 0, NULL), 1);
	assert_int_equal(c1->list[1].count, 2);
	assert_int_equal(w.fa.node[1].buddy.nfree, 16384 - 21);
	/* freed on node 0's cache: c0->list[1] grows to 18 = high, the
	 * 19th drains 3; the local list never sees one */
	for (uint32_t i = 0; i < 19; i++) {
		assert_int_equal(np_fa_free(c0, H.pfn[i], 0), 0);
		owned[H.pfn[i]] = 0;
		assert_int_equal(c0->list[0].count, 0);
		assert_int_equal(c0->list[1].count, i < 18 ? i + 1 : 16);
	}
	H.n = 0;
	for (uint32_t k = 0; k < c0->list[1].count; k++)
		assert_int_equal(np_fa_pfn_node(&w.fa, c0->list[1].pfn[k]), 1);
	assert_int_equal(w.fa.node[1].buddy.nfree, 16384 - 21 + 3);
	assert_int_equal(np_fa_node_free_frames(&w.fa, 1), 16384);
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536);
	/* the caller who knows the node uses the inline path */
	assert_int_equal(np_fa_alloc_onnode(c0, 1, &H.pfn[0]), 0);
	assert_int_equal(c0->list[1].count, 15);
	np_fa_free_onnode(c0, H.pfn[0], 1);
	assert_int_equal(c0->list[1].count, 16);
	assert_int_equal(np_fa_check(&w.fa, NULL), 0);
	/* detaching gives everything back and keeps the counts */
	assert_string_equal(stats(&w.fa, 1),
			    "hit 20 miss 0 foreign 0 il 0 local 19 other 1");
	strcpy(before[0], stats(&w.fa, 0));
	strcpy(before[1], stats(&w.fa, 1));
	np_fa_cache_detach(c0);
	np_fa_cache_detach(c1);
	w.nc = 0;
	assert_int_equal(w.fa.node[0].buddy.nfree, 65536);
	assert_int_equal(w.fa.node[1].buddy.nfree, 16384);
	assert_string_equal(stats(&w.fa, 0), before[0]);
	assert_string_equal(stats(&w.fa, 1), before[1]);
	assert_int_equal(np_fa_check(&w.fa, NULL), 0);
	free(w.cmem[0]);
	free(w.cmem[1]);
	world_fini(&w);
}

/* ---- 8. the invariant check finds planted corruption -------------------- */

/* Node 0 = [0,100) + [300,400) around node 1 = [100,200); [200,300) is a
 * hole inside node 0's span.  Batch 4, high 8. */
static const struct np_fa_range bad_ranges[] = {
	{ 0, 100, 0 }, { 100, 100, 1 }, { 300, 100, 0 },
};
static const struct np_fa_config bad_cfg = {
	.nnodes = 2, .ranges = bad_ranges, .nranges = 3, .frame_shift = 12,
	.batch = 4, .high = 8,
};

static void test_check_catches(void **state)
{
	struct np_fa_policy p0 = policy(NP_FA_BIND, BIT(0), 0, 0);
	struct np_fa_policy p1 = policy(NP_FA_BIND, BIT(1), 0, 0);
	uint64_t in_use[2] = { 0, 0 }, a, b, q, blk;
	struct np_fa_cache *c;
	struct world w;
	uint32_t cnt;

	(void)state;
	world_init(&w, &bad_cfg);
	c = world_cache(&w, 0);
	/* the same frame twice in a cache, while the caller holds another:
	 * the buddy lent 4 = 3 cached + 1 held, so only the mark can tell
	 * that one of the 4 cached entries is a copy */
	must_alloc(c, &p0, 0, &b);
	must_alloc(c, &p0, 0, &a);
	in_use[0] = 2;
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);
	assert_int_equal(np_fa_free(c, a, 0), 0);
	H.n = 1, owned[a] = 0, in_use[0] = 1;
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);
	cnt = c->list[0].count;
	assert_int_equal(np_fa_free(c, a, 0), 0);  /* order 0: not looked at */
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	c->list[0].count = cnt;
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);

	/* a frame on the wrong node's list, both ways: node 1's frame q
	 * on list 0 lands in node 0's span (as a hole there) */
	must_alloc(c, &p1, 0, &q);
	in_use[1] = 1;
	np_fa_free_onnode(c, q, 0);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	c->list[0].count--;
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);
	np_fa_free_onnode(c, b, 1);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	c->list[1].count--;
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);

	/* what the caller holds must match what the buddies lent out */
	must_alloc(c, &p1, 2, &blk);
	in_use[1] = 5;
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);
	in_use[1] = 4;
	assert_int_equal(np_fa_check(&w.fa, in_use), NP_FA_ECORRUPT);
	in_use[1] = 6;
	assert_int_equal(np_fa_check(&w.fa, in_use), NP_FA_ECORRUPT);
	in_use[1] = 5, in_use[0] = 2;
	assert_int_equal(np_fa_check(&w.fa, in_use), NP_FA_ECORRUPT);
	in_use[0] = 1;

	/* an order-2 block on a list of single frames */
	cnt = c->list[1].count;
	assert_int_equal(np_fa_free(c, blk, 0), 0);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	c->list[1].count = cnt;
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);

	/* double frees and wrong orders of a block are refused outright */
	assert_int_equal(np_fa_free(c, blk, 1), NP_FA_EINVAL);
	assert_int_equal(np_fa_free(c, blk + 1, 2), NP_FA_EINVAL);
	assert_int_equal(np_fa_free(c, blk, 2), 0);
	in_use[1] = 1;
	assert_int_equal(np_fa_free(c, blk, 2), NP_FA_EINVAL);
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);

	/* frames outside every range: the hole, past the end, far away */
	cnt = c->list[0].count;
	assert_int_equal(np_fa_free(c, 250, 0), NP_FA_EINVAL);
	assert_int_equal(np_fa_free(c, 400, 0), NP_FA_EINVAL);
	assert_int_equal(np_fa_free(c, 1ull << 40, 0), NP_FA_EINVAL);
	assert_int_equal(np_fa_free(c, 248, 3), NP_FA_EINVAL);
	assert_int_equal(np_fa_free(c, b, NP_BUDDY_MAX_ORDER + 1),
			 NP_FA_EINVAL);
	assert_int_equal(c->list[0].count, cnt);
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);

	/* counters that do not add up */
	atomic_fetch_add(&w.fa.node[0].stat[NP_FA_NUMA_MISS], 1);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	atomic_fetch_add(&w.fa.node[1].stat[NP_FA_NUMA_FOREIGN], 1);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	atomic_fetch_add(&w.fa.node[0].stat[NP_FA_OTHER_NODE], 1);
	assert_int_equal(np_fa_check(&w.fa, NULL), 0);
	atomic_fetch_add(&w.fa.node[1].stat[NP_FA_INTERLEAVE_HIT], 100);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	atomic_fetch_sub(&w.fa.node[1].stat[NP_FA_INTERLEAVE_HIT], 100);
	assert_int_equal(np_fa_check(&w.fa, in_use), 0);

	/* last: a frame the buddy never lent, freed as a single frame, is
	 * caught on the list, and once drained the refusal sticks */
	assert_int_equal(w.fa.node[0].buddy.meta[50].state,
			 NP_FRAME_FREE_TAIL);
	assert_int_equal(np_fa_free(c, 50, 0), 0);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	np_fa_cache_drain(c);
	assert_int_equal(w.fa.bad_frees, 1);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	world_free(&w);
}

/* A memoryless node that scored, a CPU-less node that scored local. */
static void test_check_counters_by_node(void **state)
{
	struct world w;

	(void)state;
	world_init(&w, &map_cfg);
	assert_int_equal(np_fa_check(&w.fa, NULL), 0);
	atomic_fetch_add(&w.fa.node[2].stat[NP_FA_NUMA_HIT], 1);
	atomic_fetch_add(&w.fa.node[2].stat[NP_FA_OTHER_NODE], 1);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	atomic_store(&w.fa.node[2].stat[NP_FA_NUMA_HIT], 0);
	atomic_store(&w.fa.node[2].stat[NP_FA_OTHER_NODE], 0);
	atomic_fetch_add(&w.fa.node[3].stat[NP_FA_NUMA_HIT], 1);
	atomic_fetch_add(&w.fa.node[3].stat[NP_FA_LOCAL_NODE], 1);
	assert_int_equal(np_fa_check(&w.fa, NULL), NP_FA_ECORRUPT);
	atomic_store(&w.fa.node[3].stat[NP_FA_LOCAL_NODE], 0);
	atomic_fetch_add(&w.fa.node[3].stat[NP_FA_OTHER_NODE], 1);
	assert_int_equal(np_fa_check(&w.fa, NULL), 0);
	world_fini(&w);
}

/* ---- 9. randomized stress against a model ------------------------------- */

/*
 * Five nodes: 0 = [0,12288) + [40960,45056) (16384 frames, batch 3),
 * 1 = [12288,36864) (24576, batch 7), 2 memoryless, 3 = [36864,40960)
 * CPU-less (4096, batch 1), 4 = [65536,77824) (12288, batch 3).  Caches
 * on the four CPU nodes, used in turn from one thread.  Fill and drain
 * phases of 2^16 operations take the machine to exhaustion and back.
 *
 * The model predicts each allocation: the nodes the policy tries, in
 * order (the zonelist of its base node filtered by its set, the rules of
 * falloc.h), and the first that has a block of the order (the cache's
 * list for order 0, else a free block of that order or larger) is where
 * it must land, or ENOMEM when none has.  Counters are predicted from
 * zone_statistics() and compared in full at every check.
 */
#define S_NODES 5
#define S_CACHES 4
#define S_LIVE 32768
#define S_MEM (BIT(0) | BIT(1) | BIT(3) | BIT(4))
#define S_CHECK_EVERY 100000

#if defined(__SANITIZE_ADDRESS__)
#define NP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NP_ASAN 1
#endif
#endif

static const struct np_fa_range s_ranges[] = {
	{ 0, 12288, 0 }, { 12288, 24576, 1 }, { 36864, 4096, 3 },
	{ 40960, 4096, 0 }, { 65536, 12288, 4 },
};
static const uint8_t s_dist[25] = {
	10, 16, 22, 16, 28,
	16, 10, 16, 22, 22,
	22, 16, 10, 16, 22,
	16, 22, 16, 10, 16,
	28, 22, 22, 22, 10,
};
static const bool s_cpus[S_NODES] = { true, true, true, false, true };
static const uint32_t s_cache_node[S_CACHES] = { 0, 1, 2, 4 };

struct stress {
	struct world w;
	struct np_fa_cache *c[S_CACHES];
	struct np_fa_policy il[S_CACHES];     /* each cache's interleave */
	uint64_t want[S_NODES][NP_FA_NR_STATS];
	uint64_t in_use[S_NODES];
	struct { uint64_t pfn; uint8_t order, node; } live[S_LIVE];
	uint32_t nlive;
	/* what happened, to prove the run covered it */
	uint64_t allocs[NP_BUDDY_MAX_ORDER + 1], misses, enomem, strict_fail;
	uint64_t local_cached;          /* np_fa_alloc_local_cached() hits */
	uint64_t il_hits, remote_frees, checks, reattach;
};

static struct stress S;

static uint64_t rng(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static uint64_t stress_ops(void)
{
	const char *e = getenv("NP_STRESS_OPS");
	char *end;
	double v;

	if (e && *e) {
		v = strtod(e, &end);
		assert_true(*end == '\0' && v >= 1);
		return (uint64_t)v;
	}
#ifdef NP_ASAN
	/* -O0 with ASan and UBSan is some 20x slower: 10^6 there. */
	return 1000000;
#else
	return 10000000;
#endif
}

/* Is there a block of `order` for cache c on node n right now? */
static bool node_has(const struct np_fa_cache *c, uint32_t n, unsigned order)
{
	const struct np_buddy *b = &c->fa->node[n].buddy;

	if (order == 0 && c->list[n].count)
		return true;
	for (unsigned k = order; k <= NP_BUDDY_MAX_ORDER; k++)
		if (b->nfree_order[k])
			return true;
	return false;
}

/* The nodes a request tries, in order (falloc.h, "Policies"). */
static unsigned try_order(const struct np_fa_cache *c,
			  const struct np_fa_policy *p, uint32_t target,
			  uint32_t *out)
{
	const struct np_fa *fa = c->fa;
	uint64_t set = p->nodes & fa->mem_nodes, mask = fa->mem_nodes;
	uint64_t mask2 = 0;
	uint32_t base = c->node;
	unsigned n = 0;

	switch (p->mode) {
	case NP_FA_PREFERRED:
		base = p->node;
		break;
	case NP_FA_BIND:
		mask = set;
		break;
	case NP_FA_PREFERRED_MANY:
		mask = set, mask2 = fa->mem_nodes & ~set;
		break;
	case NP_FA_INTERLEAVE:
		base = target;
		break;
	default:
		break;
	}
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t k = 0; k < fa->node[base].nzl; k++) {
			uint32_t z = fa->node[base].zl[k];

			if ((pass ? mask2 : mask) & BIT(z))
				out[n++] = z;
		}
	if (p->flags & NP_FA_STRICT)
		n = n ? 1 : 0;
	return n;
}

/* Interleave's target: the set's next node round-robin from il_next. */
static uint32_t next_target(const struct np_fa_policy *p)
{
	uint64_t set = p->nodes & S_MEM;

	for (uint32_t k = 0; k < S_NODES; k++) {
		uint32_t i = (p->il_next + k) % S_NODES;

		if (set & BIT(i))
			return i;
	}
	return UINT32_MAX;
}

/* The preferred node of the request that got `page`: the first node
 * tried, except for a preferred-many frame from outside the set, which
 * Linux's second request prefers the local node for (the first node with
 * memory in the cache node's zonelist). */
static uint32_t pref_of(const struct np_fa_cache *c,
			const struct np_fa_policy *p, uint32_t page,
			uint32_t first)
{
	const struct np_fa_node *nd = &c->fa->node[c->node];

	if (p->mode != NP_FA_PREFERRED_MANY || (p->nodes & BIT(page)))
		return first;
	for (uint32_t k = 0; k < nd->nzl; k++)
		if (c->fa->node[nd->zl[k]].has_memory)
			return nd->zl[k];
	return first;
}

static void model_count(const struct np_fa_cache *c, uint32_t page,
			uint32_t pref, uint32_t target)
{
	if (page == pref) {
		S.want[page][NP_FA_NUMA_HIT]++;
	} else {
		S.want[page][NP_FA_NUMA_MISS]++;
		S.want[pref][NP_FA_NUMA_FOREIGN]++;
		S.misses++;
	}
	S.want[page][page == c->node ? NP_FA_LOCAL_NODE : NP_FA_OTHER_NODE]++;
	if (page == target) {
		S.want[page][NP_FA_INTERLEAVE_HIT]++;
		S.il_hits++;
	}
}

static uint64_t random_set(uint64_t r)
{
	uint64_t set = r & (BIT(S_NODES) - 1);

	/* at least one node with memory; node 2 may ride along */
	return set & S_MEM ? set : set | BIT((r >> 5) % 2 ? 1 : 3);
}

static void stress_alloc(unsigned ci, uint64_t r)
{
	static const uint32_t mem_node[4] = { 0, 1, 3, 4 };
	struct np_fa_cache *c = S.c[ci];
	unsigned order = r % 10 < 7 ? 0 : (unsigned)(r % 10) - 6;
	struct np_fa_policy tmp, *p = &tmp;
	uint32_t try[S_NODES], target = UINT32_MAX, node = UINT32_MAX, want;
	unsigned ntry;
	uint64_t pfn;
	int rc;

	r /= 10;
	tmp = policy((enum np_fa_mode)(r % 5), random_set(r >> 3),
		     mem_node[(r >> 9) % 4], (r >> 11) % 8 ? 0 : NP_FA_STRICT);
	if (tmp.mode == NP_FA_INTERLEAVE) {
		p = &S.il[ci];
		p->flags = tmp.flags;
		target = next_target(p);
	}
	ntry = try_order(c, p, target, try);
	want = UINT32_MAX;
	for (unsigned k = 0; k < ntry && want == UINT32_MAX; k++)
		if (node_has(c, try[k], order))
			want = try[k];
	/* the local policy's cached case must be np_fa_alloc()'s, count too */
	if (order == 0 && p->mode == NP_FA_LOCAL && (r >> 13) % 2 &&
	    np_fa_alloc_local_cached(c, &pfn, &node) == 0) {
		S.local_cached++;
		rc = 0;
	} else {
		rc = np_fa_alloc(c, p, order, &pfn, &node);
	}
	if (want == UINT32_MAX) {
		assert_int_equal(rc, NP_FA_ENOMEM);
		S.enomem++;
		if (p->flags & NP_FA_STRICT)
			S.strict_fail++;
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(node, want);
	assert_int_equal(np_fa_pfn_node(c->fa, pfn), (int)node);
	assert_int_equal(pfn & ((1ull << order) - 1), 0);
	for (uint64_t f = pfn; f < pfn + (1ull << order); f++) {
		assert_int_equal(owned[f], 0);
		owned[f] = 1;
	}
	S.live[S.nlive].pfn = pfn;
	S.live[S.nlive].order = (uint8_t)order;
	S.live[S.nlive++].node = (uint8_t)node;
	S.in_use[node] += 1ull << order;
	S.allocs[order]++;
	model_count(c, node, pref_of(c, &tmp, node, try[0]), target);
}

static void stress_free(unsigned ci, uint64_t r)
{
	struct np_fa_cache *c = S.c[ci];
	uint32_t i = (uint32_t)(r % S.nlive);
	uint64_t pfn = S.live[i].pfn;
	unsigned order = S.live[i].order, node = S.live[i].node;

	for (uint64_t f = pfn; f < pfn + (1ull << order); f++)
		owned[f] = 0;
	S.in_use[node] -= 1ull << order;
	if (node != c->node)
		S.remote_frees++;
	if (order == 0 && (r >> 32) % 2)
		np_fa_free_onnode(c, pfn, node);
	else
		assert_int_equal(np_fa_free(c, pfn, order), 0);
	S.live[i] = S.live[--S.nlive];
}

/* Now and then: drain a cache, move its thread, or detach and attach it
 * again (its counts must survive). */
static void stress_churn(unsigned ci, uint64_t r)
{
	struct np_fa_cache *c = S.c[ci];

	switch (r % 8) {
	case 0:
		np_fa_cache_drain(c);
		for (uint32_t n = 0; n < S_NODES; n++)
			assert_int_equal(c->list[n].count, 0);
		break;
	case 1:
		np_fa_cache_set_node(c, s_cache_node[(r >> 3) % S_CACHES]);
		break;
	case 2: {
		uint32_t node = c->node;

		np_fa_cache_detach(c);
		assert_int_equal(np_fa_cache_attach(&S.w.fa, c, S.w.cmem[ci],
				np_fa_cache_bytes(&S.w.fa), node), 0);
		S.reattach++;
		break;
	}
	default:
		break;
	}
}

static void stress_check(void)
{
	assert_int_equal(np_fa_check(&S.w.fa, S.in_use), 0);
	for (uint32_t n = 0; n < S_NODES; n++) {
		uint64_t s[NP_FA_NR_STATS];

		np_fa_node_stats(&S.w.fa, n, s);
		assert_memory_equal(s, S.want[n], sizeof(s));
	}
	S.checks++;
}

static void test_stress(void **state)
{
	const struct np_fa_config cfg = {
		.nnodes = S_NODES, .distance = s_dist, .has_cpus = s_cpus,
		.ranges = s_ranges, .nranges = 5, .frame_shift = 12,
	};
	uint64_t ops = stress_ops(), seed = 0x9e3779b97f4a7c15ull;

	(void)state;
	memset(&S, 0, sizeof(S));
	world_init(&S.w, &cfg);
	assert_int_equal(S.w.fa.node[0].batch, 3);
	assert_int_equal(S.w.fa.node[1].batch, 7);
	assert_int_equal(S.w.fa.node[4].batch, 3);
	for (unsigned i = 0; i < S_CACHES; i++) {
		/* {0,1,3}, {1,3,4}, {0,2,4} (2 has no memory), {0,1,3,4} */
		static const uint64_t il_set[] = { 0xb, 0x1a, 0x15, 0x1b };

		S.c[i] = world_cache(&S.w, s_cache_node[i]);
		S.il[i] = policy(NP_FA_INTERLEAVE, il_set[i], 0, 0);
	}
	for (uint64_t op = 0; op < ops; op++) {
		unsigned ci = (unsigned)(op % S_CACHES);
		bool fill = !((op >> 16) & 1);
		uint64_t r = rng(&seed);

		if ((r & 3) < (fill ? 3u : 1u) && S.nlive < S_LIVE)
			stress_alloc(ci, r >> 2);
		else if (S.nlive)
			stress_free(ci, r >> 2);
		if ((op & 4095) == 4095)
			stress_churn(ci, rng(&seed));
		if (op % S_CHECK_EVERY == S_CHECK_EVERY - 1)
			stress_check();
	}
	stress_check();
	while (S.nlive)
		stress_free((unsigned)(S.nlive % S_CACHES), rng(&seed) >> 2);
	stress_check();
	for (unsigned i = 0; i < S_CACHES; i++)
		np_fa_cache_detach(S.c[i]);
	S.w.nc = 0;
	stress_check();
	for (uint32_t n = 0; n < S_NODES; n++) {
		const struct np_buddy *b = &S.w.fa.node[n].buddy;

		assert_int_equal(b->nfree, b->npresent);
		assert_int_equal(np_buddy_check(b), 0);
	}
	/* the run went where it should: every order, fallbacks, failures,
	 * interleave hits, frees on other nodes' caches, churn */
	for (unsigned k = 0; k <= 3; k++)
		assert_true(S.allocs[k] > 0);
	assert_true(S.misses > 0 && S.enomem > 0 && S.strict_fail > 0);
	assert_true(S.il_hits > 0 && S.remote_frees > 0 && S.reattach > 0);
	assert_true(S.local_cached > 0);
	assert_int_equal(S.want[2][NP_FA_NUMA_HIT], 0);  /* memoryless */
	assert_int_equal(S.want[2][NP_FA_NUMA_MISS], 0);
	print_message("stress: %" PRIu64 " ops, %" PRIu64 " allocations, %"
		      PRIu64 " misses, %" PRIu64 " ENOMEM, %" PRIu64 " checks\n",
		      ops, S.allocs[0] + S.allocs[1] + S.allocs[2] + S.allocs[3],
		      S.misses, S.enomem, S.checks);
	for (unsigned i = 0; i < S_CACHES; i++)
		free(S.w.cmem[i]);
	free(S.w.meta);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_configs),
		cmocka_unit_test(test_memory_map),
		cmocka_unit_test(test_eight_nodes),
		cmocka_unit_test(test_default_batch),
		cmocka_unit_test(test_fallback_order),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_preferred_many),
		cmocka_unit_test(test_interleave),
		cmocka_unit_test(test_counters_locality),
		cmocka_unit_test(test_counters_memoryless),
		cmocka_unit_test(test_counters_cpuless),
		cmocka_unit_test(test_cache_refill),
		cmocka_unit_test(test_cache_drain_batch),
		cmocka_unit_test(test_cache_remote_free),
		cmocka_unit_test(test_check_catches),
		cmocka_unit_test(test_check_counters_by_node),
		cmocka_unit_test(test_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
