/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host backend of the frame allocator (lib/frames/frames.c): pools on this
 * machine's node 0, every error before and after the kernel is asked
 * (dumps for nodes this machine lacks), sizes, thread caches given back
 * at thread exit, frames freed on another thread than the allocating
 * one, pools alternating and replaced in one thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/rseq.h>

#include <numaplace/frames.h>

#define FRAMES 1024   /* 4 MiB of 4 KiB frames */

static char dump_root[4096];

static const char *dump(const char *machine)
{
	const char *src = getenv("NP_SRCDIR");

	snprintf(dump_root, sizeof(dump_root), "%s/tests/dumps/%s",
		 src ? src : ".", machine);
	return dump_root;
}

/* The failure of the last allocation on this thread. */
static _Thread_local struct np_err aerr;

/* The machine below root (NULL: this one), as a pool's caller loads it. */
static struct np_topo *machine(const char *root)
{
	struct np_topo *t = NULL;
	struct np_err err = { 0 };

	if (np_topo_from_sysroot_parts(root ? root : "/", NP_TOPO_COUNTERS, &t,
				       &err))
		fail_msg("%s", err.msg);
	return t;
}

static struct np_frames *pool_node0(size_t frame_bytes, uint64_t bytes)
{
	unsigned node = 0;
	struct np_topo *t = machine(NULL);
	struct np_frames_opts o = { &node, 1, bytes, frame_bytes, t, 0, 0 };
	struct np_frames *p = NULL;
	struct np_err err = { 0 };

	assert_int_equal(np_frames_create(&o, &p, &err), 0);
	np_topo_free(t);
	return p;
}

static int create_err(const char *root, const unsigned *nodes, size_t n,
		      uint64_t bytes, size_t frame, struct np_err *err)
{
	struct np_topo *t = machine(root);
	struct np_frames_opts o = { nodes, n, bytes, frame, t, 0, 0 };
	struct np_frames *p = (struct np_frames *)1;
	int rc = np_frames_create(&o, &p, err);

	assert_null(p);
	np_topo_free(t);
	return rc;
}

static void test_create_errors(void **state)
{
	struct np_err err;
	unsigned n0 = 0, n5 = 5, n9 = 9, twice[2] = { 0, 0 }, n2 = 2;

	(void)state;
	assert_int_equal(create_err(NULL, &n0, 1, 1 << 20, 8192, &err), -EINVAL);
	assert_string_equal(err.msg, "frame size 8192: 4096 or 2097152 bytes");
	assert_int_equal(create_err(NULL, &n0, 0, 1 << 20, 4096, &err), -EINVAL);
	assert_string_equal(err.msg, "no node for the pool");
	assert_int_equal(create_err(NULL, &n0, 1, 100, 4096, &err), -EINVAL);
	assert_int_equal(create_err(NULL, twice, 2, 1 << 20, 4096, &err), -EINVAL);
	assert_string_equal(err.msg, "node 0 is listed twice");
	/* node 5 of the sparse machine has CPUs and no memory */
	assert_int_equal(create_err(dump("sparse-025"), &n5, 1, 1 << 20, 4096,
				    &err), -EINVAL);
	assert_string_equal(err.msg, "node 5 has no memory");
	assert_int_equal(create_err(dump("sparse-025"), &n9, 1, 1 << 20, 4096,
				    &err), -EINVAL);
	assert_string_equal(err.msg, "node 9 does not exist");
	/* more than the node's MemFree */
	assert_int_equal(create_err(dump("laptop-1n"), &n0, 1, 1ull << 42, 4096,
				    &err), -ENOMEM);
	assert_non_null(strstr(err.msg, "node 0 has "));
	assert_non_null(strstr(err.msg, " MiB free; the pool asks 4194304 MiB"));
	/* the dump's node 2 passes the checks; this machine's kernel then
	 * refuses to bind to a node it does not have */
	assert_int_equal(create_err(dump("sparse-025"), &n2, 1, 1 << 20, 4096,
				    &err), -EINVAL);
	assert_string_equal(err.msg, "mbind to node 2: Invalid argument "
			    "(is the node in this task's cpuset?)");
}

static void test_every_frame_once(void **state)
{
	struct np_frames *p = pool_node0(4096, FRAMES * 4096);
	char **a = calloc(FRAMES, sizeof(char *));
	char *lo = NULL, *hi = NULL;

	(void)state;
	assert_int_equal(np_frames_per_node(p), FRAMES);
	assert_int_equal(np_frames_backing(p), NP_FRAMES_BASE_PAGES);
	for (int i = 0; i < FRAMES; i++) {
		a[i] = np_frames_alloc_onnode(p, 4096, 0, &aerr);
		assert_non_null(a[i]);
		assert_int_equal((uintptr_t)a[i] & 4095, 0);
		memset(a[i], i & 0xff, 4096);
		if (!lo || a[i] < lo)
			lo = a[i];
		if (a[i] > hi)
			hi = a[i];
	}
	/* all 1024 frames of one 4 MiB region, none twice */
	assert_int_equal(hi - lo, (FRAMES - 1) * 4096);
	for (int i = 0; i < FRAMES; i++)
		assert_int_equal((unsigned char)a[i][4095], i & 0xff);
	aerr.code = 0;
	assert_null(np_frames_alloc_onnode(p, 4096, 0, &aerr));
	assert_int_equal(aerr.code, -ENOMEM);
	assert_int_equal(np_frames_free_frames(p, 0), 0);
	assert_int_equal(np_frames_check(p), 0);
	for (int i = 0; i < FRAMES; i++)
		assert_int_equal(np_frames_free(p, a[i], 4096), 0);
	assert_int_equal(np_frames_free_frames(p, 0), FRAMES);
	assert_int_equal(np_frames_check(p), 0);
	free(a);
	np_frames_destroy(p);
}

static void test_sizes_and_bad_frees(void **state)
{
	struct np_frames *p = pool_node0(4096, FRAMES * 4096);
	char *one, *two, *big, x;

	(void)state;
	two = np_frames_alloc_onnode(p, 5000, 0, &aerr);   /* 2 frames, order 1 */
	assert_non_null(two);
	assert_int_equal((uintptr_t)two & 8191, 0);
	big = np_frames_alloc_onnode(p, 4u << 20, 0, &aerr);
	assert_null(big);       /* 1024 frames: the pool is no longer whole */
	assert_int_equal(aerr.code, -ENOMEM);
	aerr.code = 0;
	assert_null(np_frames_alloc_onnode(p, (4u << 20) + 1, 0, &aerr));
	assert_int_equal(aerr.code, -EINVAL);        /* more than 1024 frames */
	assert_null(np_frames_alloc_onnode(p, 0, 0, &aerr));
	assert_int_equal(aerr.code, -EINVAL);
	assert_null(np_frames_alloc_onnode(p, 4096, 1, &aerr));
	assert_int_equal(aerr.code, -EINVAL);        /* not a pool node */
	one = np_frames_alloc_onnode(p, 1, 0, &aerr);
	assert_non_null(one);
	/* wrong size, misaligned, foreign: refused, nothing changes */
	assert_int_equal(np_frames_free(p, two, 16384), -EINVAL);
	assert_int_equal(np_frames_free(p, one + 8, 4096), -EINVAL);
	assert_int_equal(np_frames_free(p, &x, 4096), -EINVAL);
	assert_int_equal(np_frames_free(p, two, 8192), 0);
	assert_int_equal(np_frames_free(p, two, 8192), -EINVAL); /* twice */
	assert_int_equal(np_frames_free(p, one, 4096), 0);
	assert_int_equal(np_frames_check(p), 0);
	np_frames_thread_drain(p);
	big = np_frames_alloc_onnode(p, 4u << 20, 0, &aerr);   /* whole again */
	assert_non_null(big);
	assert_int_equal(np_frames_free(p, big, 4u << 20), 0);
	np_frames_destroy(p);
}

/* Another thread takes every frame it can, gives them back, and says how
 * many it got. */
static void *take_all(void *arg)
{
	struct np_frames *p = arg;
	void **a = calloc(FRAMES + 1, sizeof(*a));
	uintptr_t n = 0;

	while (n <= FRAMES && (a[n] = np_frames_alloc_onnode(p, 4096, 0, &aerr)))
		n++;
	for (uintptr_t i = 0; i < n; i++)
		np_frames_free(p, a[i], 4096);
	free(a);
	return (void *)n;
}

/*
 * The first frame a thread frees waits in its cache's slot, the next
 * ones on its list: the next allocation is the slot's frame (a list
 * alone would give the last freed), the pool counts it free, and a drain
 * returns it so that another thread can take every frame.
 */
static void test_last_freed_slot(void **state)
{
	struct np_frames *p = pool_node0(4096, FRAMES * 4096);
	char *a, *b;
	pthread_t t;
	void *got;

	(void)state;
	a = np_frames_alloc_onnode(p, 4096, 0, &aerr);
	b = np_frames_alloc_onnode(p, 4096, 0, &aerr);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(np_frames_free(p, a, 4096), 0);   /* the slot */
	assert_int_equal(np_frames_free(p, b, 4096), 0);   /* the list */
	assert_int_equal(np_frames_free_frames(p, 0), FRAMES);
	assert_ptr_equal(np_frames_alloc_onnode(p, 4096, 0, &aerr), a);
	assert_ptr_equal(np_frames_alloc_onnode(p, 4096, 0, &aerr), b);
	assert_int_equal(np_frames_free_frames(p, 0), FRAMES - 2);
	assert_int_equal(np_frames_free(p, b, 4096), 0);
	assert_int_equal(np_frames_free(p, a, 4096), 0);
	/* b in the slot, a and a batch on the list: all given back */
	np_frames_thread_drain(p);
	assert_int_equal(pthread_create(&t, NULL, take_all, p), 0);
	assert_int_equal(pthread_join(t, &got), 0);
	assert_int_equal((uintptr_t)got, FRAMES);
	assert_int_equal(np_frames_free_frames(p, 0), FRAMES);
	assert_int_equal(np_frames_check(p), 0);
	np_frames_destroy(p);
}

static void *worker(void *arg)
{
	struct np_frames *p = arg;
	void *a[100];

	for (int i = 0; i < 100; i++)
		a[i] = np_frames_alloc_onnode(p, 4096, 0, &aerr);
	for (int i = 0; i < 100; i++)
		if (!a[i] || np_frames_free(p, a[i], 4096))
			return arg;
	return NULL;    /* exits with 100 frames in its cache */
}

static void test_thread_exit_gives_back(void **state)
{
	struct np_frames *p = pool_node0(4096, FRAMES * 4096);
	struct np_node_numastat s;
	pthread_t t;
	void *ret;

	(void)state;
	for (int round = 0; round < 3; round++) {
		assert_int_equal(pthread_create(&t, NULL, worker, p), 0);
		assert_int_equal(pthread_join(t, &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(np_frames_check(p), 0);
	assert_int_equal(np_frames_free_frames(p, 0), FRAMES);
	/* the exited threads' counts were folded in, not lost */
	assert_int_equal(np_frames_stats(p, 0, &s), 0);
	assert_int_equal(s.numa_hit, 300);
	assert_int_equal(s.local_node, 300);
	assert_int_equal(s.numa_miss + s.other_node, 0);
	assert_int_equal(np_frames_stats(p, 7, &s), -EINVAL);
	np_frames_destroy(p);
}

/*
 * The fast free takes a frame of the hot node's region by one rotated
 * compare: everything just outside it (below, past the last frame in the
 * slot's padding, a byte off) must still be refused, and the counts of
 * the fast paths must be exact without a refill or drain to fold them.
 */
static void test_hot_entry_edges(void **state)
{
	/* 1000 frames in a 4 MiB slot: 24 frames of padding after the region */
	struct np_frames *p = pool_node0(4096, 1000 * 4096);
	struct np_node_numastat s;
	char **a = calloc(1000, sizeof(*a)), *lo, *hi, *one;

	(void)state;
	assert_non_null(a);
	/* every frame, so that lo and hi are the region's first and last */
	lo = hi = a[0] = np_frames_alloc_onnode(p, 4096, 0, &aerr);
	assert_non_null(a[0]);
	for (int i = 1; i < 1000; i++) {
		a[i] = np_frames_alloc_onnode(p, 4096, 0, &aerr);
		assert_non_null(a[i]);
		lo = a[i] < lo ? a[i] : lo;
		hi = a[i] > hi ? a[i] : hi;
	}
	assert_ptr_equal(hi, lo + 999 * 4096);
	assert_null(np_frames_alloc_onnode(p, 4096, 0, &aerr));
	assert_int_equal(np_frames_stats(p, 0, &s), 0);
	assert_int_equal(s.numa_hit, 1000);
	assert_int_equal(s.local_node + s.other_node, 1000);
	assert_int_equal(np_frames_free(p, lo - 4096, 4096), -EINVAL);
	assert_int_equal(np_frames_free(p, lo - 1, 4096), -EINVAL);
	assert_int_equal(np_frames_free(p, hi + 4096, 4096), -EINVAL);
	assert_int_equal(np_frames_free(p, lo + 1023 * 4096, 4096), -EINVAL);
	assert_int_equal(np_frames_free(p, hi + 1, 4096), -EINVAL);
	assert_int_equal(np_frames_free(p, hi + 2048, 4096), -EINVAL);
	assert_int_equal(np_frames_free(p, hi + 4095, 4096), -EINVAL);
	assert_int_equal(np_frames_free(p, hi, 0), -EINVAL);
	assert_int_equal(np_frames_free(p, hi, 4097), -EINVAL);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(np_frames_free(p, a[i], 4096), 0);
	assert_int_equal(np_frames_free_frames(p, 0), 1000);
	assert_int_equal(np_frames_check(p), 0);
	for (int i = 0; i < 1000; i++) {
		a[0] = np_frames_alloc_onnode(p, 4096, 0, &aerr);
		assert_non_null(a[0]);
		assert_int_equal(np_frames_free(p, a[0], 4096), 0);
	}
	assert_int_equal(np_frames_stats(p, 0, &s), 0);
	assert_int_equal(s.numa_hit, 2000);
	assert_int_equal(s.local_node + s.other_node, 2000);
	assert_int_equal(s.numa_miss + s.numa_foreign, 0);
	/* a frame asked for and given back by less than its size goes the
	 * slow way (the fast paths take the frame size only): a frame of the
	 * region all the same, counted, and given back */
	one = np_frames_alloc_onnode(p, 1, 0, &aerr);
	assert_non_null(one);
	assert_in_range((uintptr_t)one, (uintptr_t)lo, (uintptr_t)hi);
	assert_int_equal(((uintptr_t)one - (uintptr_t)lo) % 4096, 0);
	assert_int_equal(np_frames_free(p, one + 64, 1), -EINVAL);
	assert_int_equal(np_frames_free(p, one, 1), 0);
	one = np_frames_alloc_onnode(p, 4095, 0, &aerr);
	assert_non_null(one);
	assert_int_equal(np_frames_free(p, one, 4095), 0);
	assert_int_equal(np_frames_stats(p, 0, &s), 0);
	assert_int_equal(s.numa_hit, 2002);
	assert_int_equal(np_frames_free_frames(p, 0), 1000);
	assert_int_equal(np_frames_check(p), 0);
	free(a);
	np_frames_destroy(p);
}

static bool on_cpu(unsigned cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0 &&
	       sched_getcpu() == (int)cpu;
}

/*
 * One frame by the local policy, then n of node 0 on the fast path: the
 * policy's call is the first to see the new CPU, so the fast path must
 * not keep counting for the CPU it armed on.
 */
static void alloc_free(struct np_frames *p, int n)
{
	struct np_frames_policy pol;
	unsigned node = 99;
	void *f;

	assert_int_equal(np_frames_policy_make(p, &(struct np_policy){
		NP_POLICY_LOCAL, 0, { NULL, 0, 0 } }, &pol, NULL), 0);
	f = np_frames_alloc(p, 4096, &pol, &node, &aerr);
	assert_non_null(f);
	assert_int_equal(node, 0);
	assert_int_equal(np_frames_free(p, f, 4096), 0);
	for (int i = 0; i < n; i++) {
		f = np_frames_alloc_onnode(p, 4096, 0, &aerr);
		assert_non_null(f);
		assert_int_equal(np_frames_free(p, f, 4096), 0);
	}
}

/*
 * A thread that moves to a CPU of another node keeps its hot list (the
 * frames are node 0's wherever it runs) but must score other_node there
 * and local_node again back home.  This machine's topology, with CPU 1
 * moved to a node 1 of its own without memory (a pool cannot have it, so
 * the kernel is never asked about it).
 */
static void test_migration_counts(void **state)
{
	struct np_topo *t = machine(NULL);
	struct np_node *n0, *n1;
	struct np_frames *p = NULL;
	unsigned node = 0, k = 0, far;
	struct np_frames_opts o = { &node, 1, 256 * 4096, 4096, NULL, 0, 0 };
	struct np_node_numastat s;
	cpu_set_t saved;

	(void)state;
	if (t->nnodes != 1 || t->nodes[0].ncpus < 2 || __rseq_size == 0 ||
	    sched_getaffinity(0, sizeof(saved), &saved) || !on_cpu(0) ||
	    !on_cpu(t->nodes[0].cpus[1])) {
		np_topo_free(t);
		skip();
	}
	t->nodes = realloc(t->nodes, 2 * sizeof(*t->nodes));
	assert_non_null(t->nodes);
	t->nnodes = 2;
	n0 = &t->nodes[0];
	n1 = &t->nodes[1];
	*n1 = (struct np_node){ .id = 1, .has_cpus = true, .ncpus = 1,
				.total_bytes = 0, .free_bytes = 0 };
	n1->cpus = malloc(sizeof(unsigned));
	assert_non_null(n1->cpus);
	n1->cpus[0] = n0->cpus[1];
	for (size_t i = 0; i < n0->ncpus; i++)
		if (i != 1)
			n0->cpus[k++] = n0->cpus[i];
	n0->ncpus = k;
	far = n1->cpus[0];
	free(t->distances);
	t->distances = NULL;
	o.topo = t;
	assert_int_equal(np_frames_create(&o, &p, NULL), 0);
	np_topo_free(t);

	assert_true(on_cpu(0));
	alloc_free(p, 100);
	assert_true(on_cpu(far));
	alloc_free(p, 30);
	assert_true(on_cpu(0));
	alloc_free(p, 7);
	assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
	assert_int_equal(np_frames_stats(p, 0, &s), 0);
	assert_int_equal(s.numa_hit, 140);
	assert_int_equal(s.local_node, 109);
	assert_int_equal(s.other_node, 31);
	assert_int_equal(s.numa_miss + s.numa_foreign, 0);
	assert_int_equal(np_frames_stats(p, 1, &s), 0);
	assert_int_equal(s.numa_hit + s.local_node + s.other_node +
			 s.numa_miss + s.numa_foreign, 0);
	assert_int_equal(np_frames_check(p), 0);
	np_frames_destroy(p);
}

/* Frames allocated on one thread and freed on another, concurrently:
 * a free lands in the freeing thread's cache and goes home in batches. */
struct handoff {
	struct np_frames *p;
	pthread_mutex_t lock;
	void *q[256];
	unsigned head, tail, done;
};

static void *producer(void *arg)
{
	struct handoff *h = arg;

	for (int i = 0; i < 20000; i++) {
		void *a = np_frames_alloc_onnode(h->p, 4096, 0, &aerr);

		for (;;) {
			pthread_mutex_lock(&h->lock);
			if (a && h->head - h->tail < 256) {
				h->q[h->head++ % 256] = a;
				pthread_mutex_unlock(&h->lock);
				break;
			}
			pthread_mutex_unlock(&h->lock);
			if (!a)   /* all in flight: wait for frees */
				a = np_frames_alloc_onnode(h->p, 4096, 0, &aerr);
		}
	}
	pthread_mutex_lock(&h->lock);
	h->done = 1;
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static void *consumer(void *arg)
{
	struct handoff *h = arg;
	long bad = 0;

	for (;;) {
		void *a = NULL;
		unsigned done;

		pthread_mutex_lock(&h->lock);
		if (h->tail != h->head)
			a = h->q[h->tail++ % 256];
		done = h->done && h->tail == h->head;
		pthread_mutex_unlock(&h->lock);
		if (a)
			bad += np_frames_free(h->p, a, 4096) != 0;
		if (done)
			return (void *)bad;
	}
}

static void test_remote_frees(void **state)
{
	struct handoff h = { .p = pool_node0(4096, FRAMES * 4096) };
	pthread_t a, b;
	void *bad;

	(void)state;
	pthread_mutex_init(&h.lock, NULL);
	assert_int_equal(pthread_create(&a, NULL, producer, &h), 0);
	assert_int_equal(pthread_create(&b, NULL, consumer, &h), 0);
	assert_int_equal(pthread_join(a, NULL), 0);
	assert_int_equal(pthread_join(b, &bad), 0);
	assert_null(bad);
	/* both threads exited: every frame is back in the pool */
	assert_int_equal(np_frames_free_frames(h.p, 0), FRAMES);
	assert_int_equal(np_frames_check(h.p), 0);
	pthread_mutex_destroy(&h.lock);
	np_frames_destroy(h.p);
}

static void test_pools_alternate_and_replaced(void **state)
{
	struct np_frames *p1 = pool_node0(4096, 64 * 4096);
	struct np_frames *p2 = pool_node0(2u << 20, 4u << 20);
	void *a, *b;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		a = np_frames_alloc_onnode(p1, 4096, 0, &aerr);
		b = np_frames_alloc_onnode(p2, 2u << 20, 0, &aerr);
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal((uintptr_t)b & ((2u << 20) - 1), 0);
		assert_int_equal(np_frames_free(p1, b, 4096), -EINVAL);
		assert_int_equal(np_frames_free(p1, a, 4096), 0);
		assert_int_equal(np_frames_free(p2, b, 2u << 20), 0);
	}
	assert_int_equal(np_frames_check(p1), 0);
	assert_int_equal(np_frames_check(p2), 0);
	np_frames_destroy(p1);
	/* a new pool, likely at p1's address: this thread's cache of p1 must
	 * not be taken for the new pool's */
	for (int i = 0; i < 5; i++) {
		p1 = pool_node0(4096, 64 * 4096);
		a = np_frames_alloc_onnode(p1, 4096, 0, &aerr);
		assert_non_null(a);
		assert_int_equal(np_frames_free_frames(p1, 0), 63);
		assert_int_equal(np_frames_free(p1, a, 4096), 0);
		assert_int_equal(np_frames_check(p1), 0);
		np_frames_destroy(p1);
	}
	np_frames_destroy(p2);
}

static void test_policies(void **state)
{
	struct np_frames *p = pool_node0(4096, 16 * 4096);
	struct np_frames_policy pol;
	struct np_err err;
	unsigned two[2] = { 0, 1 }, n1 = 1, node = 99;
	struct np_node_numastat s;
	void *a[17];

	(void)state;
	assert_int_equal(np_frames_policy_make(p, &(struct np_policy){
		NP_POLICY_PREFERRED, 0, { two, 2, 2 } }, &pol, &err), -EINVAL);
	assert_string_equal(err.msg, "preferred takes one node");
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_int_equal(np_frames_policy_make(p, &(struct np_policy){
		NP_POLICY_BIND, 0, { &n1, 1, 1 } }, &pol, &err), -EINVAL);
	assert_string_equal(err.msg, "node 1 is not in the pool");
	/* the kernel's flags and weighted interleave mean nothing to a pool */
	assert_int_equal(np_frames_policy_make(p, &(struct np_policy){
		NP_POLICY_BIND, NP_POLICY_STATIC_NODES, { two, 1, 1 } }, &pol,
		&err), -EINVAL);
	assert_int_equal(np_frames_policy_make(p, &(struct np_policy){
		NP_POLICY_WEIGHTED_INTERLEAVE, 0, { two, 1, 1 } }, &pol, &err),
		-EOPNOTSUPP);
	assert_string_equal(err.msg, "frame pools have no weighted-interleave "
			    "policy");
	assert_int_equal(np_frames_policy_make(p, &(struct np_policy){
		NP_POLICY_INTERLEAVE, 0, { two, 1, 1 } }, &pol, &err), 0);
	for (int i = 0; i < 16; i++) {
		a[i] = np_frames_alloc(p, 4096, &pol, &node, &aerr);
		assert_non_null(a[i]);
		assert_int_equal(node, 0);
	}
	assert_null(np_frames_alloc(p, 4096, &pol, &node, &aerr));
	assert_int_equal(aerr.code, -ENOMEM);
	for (int i = 0; i < 16; i++)
		assert_int_equal(np_frames_free(p, a[i], 4096), 0);
	assert_int_equal(np_frames_stats(p, 0, &s), 0);
	assert_int_equal(s.numa_hit, 16);
	assert_int_equal(s.interleave_hit, 16);
	assert_string_equal(np_numastat_name(2), "numa_foreign");
	assert_int_equal(np_numastat_get(&s, 4), s.local_node);
	np_frames_destroy(p);
}

static void test_where(void **state)
{
	struct np_frames *p = pool_node0(4096, 16 * 4096);
	struct np_err err;
	void *a[2] = { np_frames_alloc_onnode(p, 4096, 0, &aerr),
		       np_frames_alloc_onnode(p, 4096, 0, &aerr) };
	int nodes[2] = { -5, -5 };
	uint64_t on, off;

	(void)state;
	assert_int_equal(np_frames_where(p, a, 2, nodes, &err), 0);
	assert_int_equal(nodes[0], 0);
	assert_int_equal(nodes[1], 0);
	assert_int_equal(np_frames_verify_region(p, 0, &on, &off, &err), 0);
	assert_int_equal(on, 16);
	assert_int_equal(off, 0);
	assert_int_equal(np_frames_verify_region(p, 3, &on, &off, &err), -EINVAL);
	np_frames_free(p, a[0], 4096);
	np_frames_free(p, a[1], 4096);
	np_frames_destroy(p);
}

static void test_parse_size(void **state)
{
	struct np_err err;
	uint64_t v;

	(void)state;
	assert_int_equal(np_frames_parse_size("4096", &v, &err), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(np_frames_parse_size("64K", &v, &err), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(np_frames_parse_size("16MiB", &v, &err), 0);
	assert_int_equal(v, 16u << 20);
	assert_int_equal(np_frames_parse_size("2g", &v, &err), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(np_frames_parse_size("1T", &v, &err), 0);
	assert_int_equal(v, 1ull << 40);
	assert_int_equal(np_frames_parse_size("0", &v, &err), -EINVAL);
	assert_int_equal(np_frames_parse_size("", &v, &err), -EINVAL);
	assert_int_equal(np_frames_parse_size("12Q", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "size '12Q': expected a number of bytes "
			    "with K, M, G or T");
	assert_int_equal(np_frames_parse_size("-1", &v, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_every_frame_once),
		cmocka_unit_test(test_sizes_and_bad_frees),
		cmocka_unit_test(test_thread_exit_gives_back),
		cmocka_unit_test(test_hot_entry_edges),
		cmocka_unit_test(test_last_freed_slot),
		cmocka_unit_test(test_migration_counts),
		cmocka_unit_test(test_remote_frees),
		cmocka_unit_test(test_pools_alternate_and_replaced),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
