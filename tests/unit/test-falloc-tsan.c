/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The frame allocator's locking under ThreadSanitizer: tests/unit/
 * meson.build compiles the core's sources into this program with
 * -fsanitize=thread (libnpcore is not instrumented).
 *
 * Two threads, each with its own cache on its own node, allocate and free
 * at the same time: single frames and blocks of up to 8, under local,
 * bind to the other node, preferred to the CPU-less node and interleave.
 * A quarter of the frees go to the other thread through a locked ring and
 * are freed on its cache (remote frees: onto that cache's list for the
 * frame's node, back to the node's buddy a batch at a time, under the
 * node lock the owner's refills take too).  Thread 0 also reads the
 * counters while both run, as a monitor would.  After the join, the
 * invariants must hold and the counters must add up to what the threads
 * did.
 *
 * Plain C: prints "N passed, 0 failed", or what failed and exits 1.  A
 * TSan report exits 66 (TSAN_OPTIONS in meson.build).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "falloc.h"

#define NODES 3
#define HELD 256                /* blocks a thread holds at most */
#define RING 64

struct block {
	uint64_t pfn;
	uint32_t order, node;
};

/* Blocks one thread hands to the other to free. */
struct ring {
	pthread_mutex_t mu;
	struct block b[RING];
	unsigned head, n;
};

struct worker {
	pthread_t tid;
	unsigned id;
	struct np_fa_cache c;
	void *mem;
	struct ring *in, *out;
	struct block held[HELD];
	unsigned nheld;
	struct np_fa_policy il;             /* this thread's interleave */
	uint64_t landed[NODES];             /* allocations per page node */
	uint64_t allocs, enomem, remote_sent, remote_freed;
	const char *fail;                   /* the first thing that went wrong */
};

static struct np_fa fa;
static struct ring rings[2];
static struct worker workers[2];
static uint64_t ops_per_thread = 1000000;
static unsigned passed, failed;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL: %s\n", what);
	}
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static int ring_push(struct ring *r, struct block b)
{
	int ok;

	pthread_mutex_lock(&r->mu);
	ok = r->n < RING;
	if (ok)
		r->b[(r->head + r->n++) % RING] = b;
	pthread_mutex_unlock(&r->mu);
	return ok;
}

static int ring_pop(struct ring *r, struct block *b)
{
	int ok;

	pthread_mutex_lock(&r->mu);
	ok = r->n > 0;
	if (ok) {
		*b = r->b[r->head];
		r->head = (r->head + 1) % RING;
		r->n--;
	}
	pthread_mutex_unlock(&r->mu);
	return ok;
}

static void do_alloc(struct worker *w, uint64_t r)
{
	unsigned order = r % 16 < 13 ? 0 : (unsigned)(r % 16) - 12;
	struct np_fa_policy p = { .mode = NP_FA_LOCAL }, *pp = &p;
	uint64_t pfn;
	uint32_t node;
	int rc;

	switch ((r >> 4) % 4) {
	case 1:
		p.mode = NP_FA_BIND;
		p.nodes = 1ull << (1 - w->id);
		break;
	case 2:
		p.mode = NP_FA_PREFERRED;
		p.node = 2;
		break;
	case 3:
		pp = &w->il;
		break;
	}
	rc = np_fa_alloc(&w->c, pp, order, &pfn, &node);
	if (rc == NP_FA_ENOMEM) {
		w->enomem++;
		return;
	}
	if (rc || node >= NODES || np_fa_pfn_node(&fa, pfn) != (int)node) {
		w->fail = "an allocation failed or named the wrong node";
		return;
	}
	w->landed[node]++;
	w->allocs++;
	w->held[w->nheld++] = (struct block){ pfn, order, node };
}

static void do_free(struct worker *w, uint64_t r)
{
	unsigned i = (unsigned)(r % w->nheld);
	struct block b = w->held[i];

	w->held[i] = w->held[--w->nheld];
	if ((r >> 16) % 4 == 0 && ring_push(w->out, b)) {
		w->remote_sent++;
		return;
	}
	if (np_fa_free(&w->c, b.pfn, b.order))
		w->fail = "a free was refused";
}

/* Frees what the other thread handed over, on this thread's cache. */
static void free_remote(struct worker *w)
{
	struct block b;

	while (ring_pop(w->in, &b)) {
		if (np_fa_free(&w->c, b.pfn, b.order))
			w->fail = "a remote free was refused";
		w->remote_freed++;
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (w->id + 1);

	for (uint64_t i = 0; i < ops_per_thread && !w->fail; i++) {
		uint64_t r = rng(&seed);

		if ((r & 1) && w->nheld < HELD)
			do_alloc(w, r >> 1);
		else if (w->nheld)
			do_free(w, r >> 1);
		if (i % 8 == 0)
			free_remote(w);
		if (w->id == 0 && i % 65536 == 0) {
			uint64_t s[NP_FA_NR_STATS];

			/* a monitor's read while allocations are in flight */
			np_fa_node_stats(&fa, i / 65536 % NODES, s);
		}
	}
	return NULL;
}

/* What the threads (and the rings) hold, per node. */
static void held_frames(uint64_t in_use[NODES])
{
	memset(in_use, 0, NODES * sizeof(in_use[0]));
	for (int t = 0; t < 2; t++) {
		for (unsigned i = 0; i < workers[t].nheld; i++)
			in_use[workers[t].held[i].node] +=
				1ull << workers[t].held[i].order;
		for (unsigned i = 0; i < rings[t].n; i++) {
			const struct ring *r = &rings[t];
			const struct block *b = &r->b[(r->head + i) % RING];

			in_use[b->node] += 1ull << b->order;
		}
	}
}

static void check_counters(void)
{
	uint64_t miss = 0, foreign = 0;
	int ok = 1;

	for (uint32_t n = 0; n < NODES; n++) {
		uint64_t s[NP_FA_NR_STATS];
		uint64_t mine = n < 2 ? workers[n].landed[n] : 0;
		uint64_t all = workers[0].landed[n] + workers[1].landed[n];

		np_fa_node_stats(&fa, n, s);
		/* thread n's cache is on node n: its pages there are local */
		ok &= s[NP_FA_NUMA_HIT] + s[NP_FA_NUMA_MISS] == all;
		ok &= s[NP_FA_LOCAL_NODE] == mine;
		ok &= s[NP_FA_OTHER_NODE] == all - mine;
		ok &= s[NP_FA_INTERLEAVE_HIT] <= s[NP_FA_NUMA_HIT];
		miss += s[NP_FA_NUMA_MISS];
		foreign += s[NP_FA_NUMA_FOREIGN];
	}
	check(ok && miss == foreign,
	      "counters: hit+miss, local_node and other_node per node match "
	      "the allocations, misses == foreigns");
}

static int setup(void)
{
	static const struct np_fa_range r[] = {
		{ 0, 8192, 0 }, { 8192, 8192, 1 }, { 16384, 4096, 2 },
	};
	static const bool cpus[NODES] = { true, true, false };
	const struct np_fa_config cfg = {
		.nnodes = NODES, .has_cpus = cpus, .ranges = r, .nranges = 3,
		.frame_shift = 12, .batch = 7, .high = 28,
	};
	size_t need = np_fa_meta_bytes(&cfg), cbytes;
	void *meta = aligned_alloc(64, (need + 63) & ~(size_t)63);

	if (!need || !meta || np_fa_init(&fa, &cfg, meta, need))
		return -1;
	cbytes = np_fa_cache_bytes(&fa);
	for (unsigned t = 0; t < 2; t++) {
		struct worker *w = &workers[t];

		pthread_mutex_init(&rings[t].mu, NULL);
		w->id = t;
		w->in = &rings[t];
		w->out = &rings[1 - t];
		w->il = (struct np_fa_policy){ .mode = NP_FA_INTERLEAVE,
					       .nodes = 7 };
		w->mem = aligned_alloc(64, cbytes);
		if (!w->mem || np_fa_cache_attach(&fa, &w->c, w->mem, cbytes, t))
			return -1;
	}
	return 0;
}

int main(void)
{
	const char *e = getenv("NP_TSAN_OPS");
	uint64_t in_use[NODES], before[NODES][NP_FA_NR_STATS];
	int ok;

	if (e && *e)
		ops_per_thread = strtoull(e, NULL, 0);
	if (setup()) {
		printf("FAIL: setting up the allocator\n0 passed, 1 failed\n");
		return 1;
	}
	for (int t = 0; t < 2; t++)
		pthread_create(&workers[t].tid, NULL, work, &workers[t]);
	for (int t = 0; t < 2; t++)
		pthread_join(workers[t].tid, NULL);
	for (int t = 0; t < 2; t++)
		check(!workers[t].fail, workers[t].fail ? workers[t].fail
				       : "thread ran clean");

	/* what the threads did covers the cases */
	ok = workers[0].remote_freed > 0 && workers[1].remote_freed > 0;
	for (uint32_t n = 0; n < NODES; n++)
		ok &= workers[0].landed[n] > 0 && workers[1].landed[n] > 0;
	check(ok, "both threads allocated on every node and freed remotely");

	held_frames(in_use);
	check(np_fa_check(&fa, in_use) == 0,
	      "np_fa_check with what the threads and rings hold");
	check_counters();

	/* give everything back through thread 0's cache (the threads are
	 * gone: one user at a time), then detach both */
	ok = 1;
	for (int t = 0; t < 2; t++) {
		struct block b;

		while (workers[t].nheld) {
			b = workers[t].held[--workers[t].nheld];
			ok &= np_fa_free(&workers[0].c, b.pfn, b.order) == 0;
		}
		while (ring_pop(&rings[t], &b))
			ok &= np_fa_free(&workers[0].c, b.pfn, b.order) == 0;
	}
	check(ok, "what was left is freed");
	memset(in_use, 0, sizeof(in_use));
	check(np_fa_check(&fa, in_use) == 0, "np_fa_check with nothing held");
	for (uint32_t n = 0; n < NODES; n++)
		np_fa_node_stats(&fa, n, before[n]);
	np_fa_cache_detach(&workers[0].c);
	np_fa_cache_detach(&workers[1].c);
	ok = 1;
	for (uint32_t n = 0; n < NODES; n++) {
		uint64_t s[NP_FA_NR_STATS];

		np_fa_node_stats(&fa, n, s);
		ok &= memcmp(s, before[n], sizeof(s)) == 0;
		ok &= fa.node[n].buddy.nfree == fa.node[n].buddy.npresent;
		ok &= np_buddy_check(&fa.node[n].buddy) == 0;
	}
	check(ok, "detached: every frame home, counters kept");
	check(np_fa_check(&fa, in_use) == 0, "np_fa_check after detaching");
	printf("%" PRIu64 " + %" PRIu64 " allocations, %" PRIu64 " + %" PRIu64
	       " remote frees, %" PRIu64 " + %" PRIu64 " ENOMEM\n",
	       workers[0].allocs, workers[1].allocs, workers[0].remote_freed,
	       workers[1].remote_freed, workers[0].enomem, workers[1].enomem);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
