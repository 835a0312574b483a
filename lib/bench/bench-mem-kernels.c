/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The measured loops of `bench mem`, alone in this file so that it is
 * compiled with the flags they need (lib/meson.build): -O3 for the
 * vectoriser, -fno-tree-loop-distribute-patterns so that copy and write
 * stay loops and never become memcpy/memset (glibc's switch to
 * non-temporal stores above a size would change what is measured).
 * Nothing here is tuned for one CPU: no -march, baseline x86-64 (SSE2)
 * for the non-temporal stores.
 */
#include "bench/bench-mem-internal.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#define HAVE_NT 1
#else
#define HAVE_NT 0
#endif

bool np_bench_mem_nt_supported(void)
{
	return HAVE_NT;
}

/* Eight independent sums: one chain of dependent adds would measure the
 * adder's latency, not the memory. */
static double k_read(const double *restrict a, size_t lo, size_t hi)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
	size_t i = lo;

	for (; i + 8 <= hi; i += 8) {
		s0 += a[i];
		s1 += a[i + 1];
		s2 += a[i + 2];
		s3 += a[i + 3];
		s4 += a[i + 4];
		s5 += a[i + 5];
		s6 += a[i + 6];
		s7 += a[i + 7];
	}
	for (; i < hi; i++)
		s0 += a[i];
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

static void k_write(double *restrict c, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		c[i] = NP_MEM_WRITE_VALUE;
}

static void k_copy(const double *restrict a, double *restrict c, size_t lo,
		   size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		c[i] = a[i];
}

static void k_scale(double *restrict b, const double *restrict c, size_t lo,
		    size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		b[i] = NP_MEM_SCALAR * c[i];
}

static void k_add(const double *restrict a, const double *restrict b,
		  double *restrict c, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		c[i] = a[i] + b[i];
}

static void k_triad(double *restrict a, const double *restrict b,
		    const double *restrict c, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		a[i] = b[i] + NP_MEM_SCALAR * c[i];
}

#if HAVE_NT
/*
 * The same kernels with movntpd, two doubles a store, 16-byte aligned
 * (the caller's slices start on a cache line); an odd tail element is
 * stored normally.  The sfence orders the streaming stores before the
 * thread reports its time.
 */
static void nt_write(double *c, size_t lo, size_t hi)
{
	__m128d w = _mm_set1_pd(NP_MEM_WRITE_VALUE);
	size_t i = lo;

	for (; i + 2 <= hi; i += 2)
		_mm_stream_pd(c + i, w);
	for (; i < hi; i++)
		c[i] = NP_MEM_WRITE_VALUE;
	_mm_sfence();
}

static void nt_copy(const double *a, double *c, size_t lo, size_t hi)
{
	size_t i = lo;

	for (; i + 2 <= hi; i += 2)
		_mm_stream_pd(c + i, _mm_load_pd(a + i));
	for (; i < hi; i++)
		c[i] = a[i];
	_mm_sfence();
}

static void nt_scale(double *b, const double *c, size_t lo, size_t hi)
{
	__m128d q = _mm_set1_pd(NP_MEM_SCALAR);
	size_t i = lo;

	for (; i + 2 <= hi; i += 2)
		_mm_stream_pd(b + i, _mm_mul_pd(q, _mm_load_pd(c + i)));
	for (; i < hi; i++)
		b[i] = NP_MEM_SCALAR * c[i];
	_mm_sfence();
}

static void nt_add(const double *a, const double *b, double *c, size_t lo,
		   size_t hi)
{
	size_t i = lo;

	for (; i + 2 <= hi; i += 2)
		_mm_stream_pd(c + i, _mm_add_pd(_mm_load_pd(a + i),
						_mm_load_pd(b + i)));
	for (; i < hi; i++)
		c[i] = a[i] + b[i];
	_mm_sfence();
}

static void nt_triad(double *a, const double *b, const double *c, size_t lo,
		     size_t hi)
{
	__m128d q = _mm_set1_pd(NP_MEM_SCALAR);
	size_t i = lo;

	for (; i + 2 <= hi; i += 2)
		_mm_stream_pd(a + i, _mm_add_pd(_mm_load_pd(b + i),
				_mm_mul_pd(q, _mm_load_pd(c + i))));
	for (; i < hi; i++)
		a[i] = b[i] + NP_MEM_SCALAR * c[i];
	_mm_sfence();
}

static void run_nt(enum np_bench_mem_kernel k, double *a, double *b,
		   double *c, size_t lo, size_t hi)
{
	switch (k) {
	case NP_MEM_WRITE: nt_write(c, lo, hi); break;
	case NP_MEM_COPY: nt_copy(a, c, lo, hi); break;
	case NP_MEM_SCALE: nt_scale(b, c, lo, hi); break;
	case NP_MEM_ADD: nt_add(a, b, c, lo, hi); break;
	case NP_MEM_TRIAD: nt_triad(a, b, c, lo, hi); break;
	default: break;
	}
}
#endif

double np_mem_kernel(enum np_bench_mem_kernel k, bool nt, double *a,
		     double *b, double *c, size_t lo, size_t hi)
{
	if (k == NP_MEM_READ)
		return k_read(a, lo, hi);
#if HAVE_NT
	if (nt) {
		run_nt(k, a, b, c, lo, hi);
		return 0;
	}
#else
	(void)nt;
#endif
	switch (k) {
	case NP_MEM_WRITE: k_write(c, lo, hi); break;
	case NP_MEM_COPY: k_copy(a, c, lo, hi); break;
	case NP_MEM_SCALE: k_scale(b, c, lo, hi); break;
	case NP_MEM_ADD: k_add(a, b, c, lo, hi); break;
	case NP_MEM_TRIAD: k_triad(a, b, c, lo, hi); break;
	default: break;
	}
	return 0;
}

void *np_mem_chase(void *p, uint64_t n)
{
	void **q = p;

	for (; n >= 8; n -= 8) {
		q = *q; q = *q; q = *q; q = *q;
		q = *q; q = *q; q = *q; q = *q;
	}
	while (n--)
		q = *q;
	return q;
}
