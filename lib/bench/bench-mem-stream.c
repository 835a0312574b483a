/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bandwidth of one CPU node x memory node pair, by STREAM's rules
 * (numaplace/bench.h): three arrays bound to the memory node, one thread
 * per CPU of the CPU node first-touching and then measuring its own slice,
 * every page checked before and after, the arrays validated at the end.
 */
#include "bench/bench-mem-internal.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <numaplace/pages.h>

#include "linux/linux-task.h"
#include "util/util-err.h"
#include "util/util-time.h"

/* STREAM's epsilon for doubles. */
#define STREAM_EPSILON 1e-13

/* ---- the expected values ---- */

void np_mem_expect_init(struct np_mem_expect *e)
{
	*e = (struct np_mem_expect){ NP_MEM_INIT_A, NP_MEM_INIT_B,
				     NP_MEM_INIT_C };
}

void np_mem_expect_rep(struct np_mem_expect *e, unsigned mask)
{
	if (mask & 1u << NP_MEM_WRITE)
		e->c = NP_MEM_WRITE_VALUE;
	if (mask & 1u << NP_MEM_COPY)
		e->c = e->a;
	if (mask & 1u << NP_MEM_SCALE)
		e->b = NP_MEM_SCALAR * e->c;
	if (mask & 1u << NP_MEM_ADD)
		e->c = e->a + e->b;
	if (mask & 1u << NP_MEM_TRIAD)
		e->a = e->b + NP_MEM_SCALAR * e->c;
}

static int check_array(const char *name, const double *x, size_t n,
		       double want, char *why, size_t len)
{
	double sum = 0, rel;
	size_t bad = n;

	for (size_t i = 0; i < n; i++) {
		double d = fabs(x[i] - want);

		sum += d;
		if (d != 0 && bad == n)
			bad = i;
	}
	rel = want != 0 ? sum / n / fabs(want) : sum / n;
	if (!(rel <= STREAM_EPSILON)) {
		snprintf(why, len, "validation failed: array %s: average "
			 "relative error %.3g (above %g); %s[%zu] = %.17g, "
			 "expected %.17g", name, rel, STREAM_EPSILON, name, bad,
			 bad < n ? x[bad] : NAN, want);
		return -EIO;
	}
	return 0;
}

int np_mem_validate(const double *a, const double *b, const double *c,
		    size_t n, const struct np_mem_expect *e, char *why,
		    size_t len)
{
	int r = check_array("a", a, n, e->a, why, len);

	if (!r)
		r = check_array("b", b, n, e->b, why, len);
	if (!r)
		r = check_array("c", c, n, e->c, why, len);
	return r;
}

int np_mem_validate_sum(double sum, size_t count, double value, char *why,
			size_t len)
{
	double want = (double)count * value;
	double tol = (double)count * DBL_EPSILON * fabs(want);

	if (fabs(sum - want) <= tol)
		return 0;
	snprintf(why, len, "validation failed: the read kernel summed %.17g "
		 "over %zu elements, expected %.17g", sum, count, want);
	return -EIO;
}

/* ---- the threads ---- */

/*
 * A spinning barrier: every measuring thread owns its CPU, and a thread
 * put to sleep in a futex (pthread_barrier_wait) wakes when the scheduler
 * gets to it -- late by a time slice on a CPU it shares, which the wall
 * time of the repetition then counts.  OpenMP's barrier spins too.
 */
struct spin_barrier {
	atomic_uint arrived;
	atomic_uint phase;
	unsigned n;
};

static void spin_wait(struct spin_barrier *b)
{
	unsigned phase = atomic_load_explicit(&b->phase, memory_order_acquire);

	if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1
	    == b->n) {
		atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
		atomic_fetch_add_explicit(&b->phase, 1, memory_order_release);
		return;
	}
	while (atomic_load_explicit(&b->phase, memory_order_acquire) == phase) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
}

struct stream {
	double *a, *b, *c;
	size_t n;
	unsigned threads, ntimes, kernels;
	bool nt;
	bool measure;             /* phase: first touch, or the timing */
	struct spin_barrier bar;
	/* [(thread * ntimes + rep) * NP_MEM_NKERNELS + k] */
	uint64_t *t0, *t1;
	double *sums;             /* [thread * ntimes + rep] */
	/* The gate every worker waits at until all are created. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int gate;                 /* 0 closed, 1 go, -1 give up */
};

struct worker {
	struct stream *s;
	unsigned idx;
	size_t lo, hi;
};

static void first_touch(struct worker *w)
{
	struct stream *s = w->s;

	for (size_t i = w->lo; i < w->hi; i++) {
		s->a[i] = NP_MEM_INIT_A;
		s->b[i] = NP_MEM_INIT_B;
		s->c[i] = NP_MEM_INIT_C;
	}
}

static void measure(struct worker *w)
{
	struct stream *s = w->s;

	for (unsigned rep = 0; rep < s->ntimes; rep++)
		for (unsigned k = 0; k < NP_MEM_NKERNELS; k++) {
			size_t at = ((size_t)w->idx * s->ntimes + rep) *
				    NP_MEM_NKERNELS + k;
			double sum;

			if (!(s->kernels & 1u << k))
				continue;
			spin_wait(&s->bar);
			s->t0[at] = np_now_ns();
			sum = np_mem_kernel(k, s->nt, s->a, s->b, s->c, w->lo,
					    w->hi);
			s->t1[at] = np_now_ns();
			if (k == NP_MEM_READ)
				s->sums[(size_t)w->idx * s->ntimes + rep] = sum;
		}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct stream *s = w->s;
	int gate;

	pthread_mutex_lock(&s->lock);
	while (!s->gate)
		pthread_cond_wait(&s->cond, &s->lock);
	gate = s->gate;
	pthread_mutex_unlock(&s->lock);
	if (gate < 0)
		return NULL;
	if (s->measure)
		measure(w);
	else
		first_touch(w);
	return NULL;
}

static void open_gate(struct stream *s, int how)
{
	pthread_mutex_lock(&s->lock);
	s->gate = how;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Slices of whole cache lines (8 doubles), the last takes the rest. */
static void slice(const struct stream *s, unsigned i, size_t *lo, size_t *hi)
{
	size_t per = s->n / s->threads / 8 * 8;

	*lo = per * i;
	*hi = i + 1 == s->threads ? s->n : per * (i + 1);
}

/* One phase: a thread per CPU, pinned, started together, joined. */
static int run_phase(struct stream *s, const unsigned *cpus, bool timing,
		     struct np_err *err)
{
	struct worker *w = calloc(s->threads, sizeof(*w));
	pthread_t *tid = calloc(s->threads, sizeof(*tid));
	unsigned made = 0;
	int e = 0;

	if (!w || !tid) {
		free(w);
		free(tid);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	s->measure = timing;
	s->gate = 0;
	for (; made < s->threads; made++) {
		pthread_attr_t attr;

		w[made] = (struct worker){ s, made, 0, 0 };
		slice(s, made, &w[made].lo, &w[made].hi);
		e = -pthread_attr_init(&attr);
		if (!e)
			e = np_thread_attr_pin(&attr, cpus[made]);
		if (!e)
			e = -pthread_create(&tid[made], &attr, worker_main,
					    &w[made]);
		pthread_attr_destroy(&attr);
		if (e) {
			np_fail_sys(err, e, "a thread on CPU %u: %s",
				    cpus[made], strerror(-e));
			break;
		}
	}
	open_gate(s, e ? -1 : 1);
	for (unsigned i = 0; i < made; i++)
		pthread_join(tid[i], NULL);
	free(w);
	free(tid);
	return e;
}

/* ---- the figures ---- */

static void figures(const struct stream *s, struct np_bench_mem_bw *out)
{
	for (unsigned k = 0; k < NP_MEM_NKERNELS; k++) {
		double bytes = (double)np_bench_mem_kernel_bytes(k) * s->n;

		out->best_mbps[k] = 0;
		if (!(s->kernels & 1u << k))
			continue;
		for (unsigned rep = 0; rep < s->ntimes; rep++) {
			uint64_t lo = UINT64_MAX, hi = 0;
			double mbps;

			for (unsigned t = 0; t < s->threads; t++) {
				size_t at = ((size_t)t * s->ntimes + rep) *
					    NP_MEM_NKERNELS + k;

				lo = s->t0[at] < lo ? s->t0[at] : lo;
				hi = s->t1[at] > hi ? s->t1[at] : hi;
			}
			mbps = bytes / ((hi > lo ? hi - lo : 1) * 1e-9) / 1e6;
			out->mbps[k * s->ntimes + rep] = mbps;
			if (rep > 0 && mbps > out->best_mbps[k])
				out->best_mbps[k] = mbps;
		}
	}
}

static int validate(const struct stream *s, struct np_err *err)
{
	struct np_mem_expect e;
	char why[320];
	int r = 0;

	np_mem_expect_init(&e);
	for (unsigned rep = 0; !r && rep < s->ntimes; rep++) {
		for (unsigned t = 0; !r && s->kernels & 1u << NP_MEM_READ &&
		     t < s->threads; t++) {
			size_t lo, hi;

			slice(s, t, &lo, &hi);
			r = np_mem_validate_sum(s->sums[(size_t)t * s->ntimes +
							 rep], hi - lo, e.a,
						why, sizeof(why));
		}
		np_mem_expect_rep(&e, s->kernels);
	}
	if (!r)
		r = np_mem_validate(s->a, s->b, s->c, s->n, &e, why,
				    sizeof(why));
	return r ? np_fail_sys(err, r, "%s", why) : 0;
}

/* ---- one pair ---- */

static int stream_alloc(struct stream *s, struct np_err *err)
{
	size_t slots = (size_t)s->threads * s->ntimes * NP_MEM_NKERNELS;

	s->t0 = calloc(slots, sizeof(*s->t0));
	s->t1 = calloc(slots, sizeof(*s->t1));
	s->sums = calloc((size_t)s->threads * s->ntimes, sizeof(*s->sums));
	if (!s->t0 || !s->t1 || !s->sums)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	s->bar.n = s->threads;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	return 0;
}

static void stream_free(struct stream *s, bool inited)
{
	if (inited) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->cond);
	}
	free(s->t0);
	free(s->t1);
	free(s->sums);
}

static int check_all(const struct np_mem_region *reg, struct np_err *err)
{
	static const char *const names[3] = { "array a", "array b",
					      "array c" };
	int e = 0;

	for (int i = 0; !e && i < 3; i++)
		e = np_mem_region_check(&reg[i], names[i], err);
	return e;
}

static int timed_run(struct stream *s, const struct np_mem_region *reg,
		     const struct np_mem_pair *p, struct np_bench_mem_bw *out,
		     struct np_err *err)
{
	int e = run_phase(s, p->cpus, false, err);

	if (!e)
		e = check_all(reg, err);
	if (!e)
		e = run_phase(s, p->cpus, true, err);
	if (!e)
		e = check_all(reg, err);
	if (!e)
		e = validate(s, err);
	if (e)
		return e;
	figures(s, out);
	for (int i = 0; i < 3; i++)
		out->huge_bytes += np_pages_thp_bytes(reg[i].addr,
						      reg[i].bytes);
	return 0;
}

int np_mem_bandwidth(const struct np_bench_mem_result *r,
		     const struct np_mem_pair *p, struct np_bench_mem_bw *out,
		     struct np_err *err)
{
	struct stream s = {
		.n = r->array_bytes / sizeof(double), .threads = p->threads,
		.ntimes = r->ntimes, .kernels = r->kernels, .nt = r->nt,
	};
	struct np_mem_region reg[3] = { 0 };
	int e = stream_alloc(&s, err);
	bool inited = !e;

	for (int i = 0; !e && i < 3; i++)
		e = np_mem_region_map(&reg[i], r->array_bytes, r->page_bytes,
				      p->mem_node, err);
	if (!e) {
		s.a = reg[0].addr;
		s.b = reg[1].addr;
		s.c = reg[2].addr;
		e = timed_run(&s, reg, p, out, err);
	}
	for (int i = 0; i < 3; i++)
		np_mem_region_unmap(&reg[i]);
	stream_free(&s, inited);
	return e;
}
