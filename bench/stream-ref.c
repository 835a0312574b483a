/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stream-ref: a triad by STREAM's rules, OpenMP, written for numaplace's
 * accuracy check (bench/run-mem.sh) without any of numaplace's code or
 * McCalpin's: three arrays of doubles first touched by the threads that
 * use them (static schedule), NTIMES repetitions of a[j] = b[j] + q*c[j],
 * each timed from the master across the parallel loop and its barrier,
 * the best after the first, 24 bytes per element, MB = 10^6 bytes, and
 * every element checked at the end.
 *
 *   stream-ref BYTES_PER_ARRAY [NTIMES] [nt] [huge]
 *
 * nt: movntpd stores (x86-64); huge: MADV_HUGEPAGE (else
 * MADV_NOHUGEPAGE, 4 KiB pages).  Prints "triad_mbps <best>" and
 * "reps_mbps <every repetition>"; exit 1 on a failed check.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

static double *array(size_t bytes, int huge)
{
	size_t align = 2u << 20;
	char *p = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	p = (char *)(((unsigned long)p + align - 1) & ~(align - 1));
	madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return (double *)p;
}

static void triad(double *a, const double *b, const double *c, long n,
		  double q, int nt)
{
#if defined(__x86_64__)
	if (nt) {
		__m128d vq = _mm_set1_pd(q);
#pragma omp parallel for schedule(static)
		for (long j = 0; j < n; j += 2)
			_mm_stream_pd(a + j, _mm_add_pd(_mm_load_pd(b + j),
					_mm_mul_pd(vq, _mm_load_pd(c + j))));
		_mm_sfence();
		return;
	}
#endif
	(void)nt;
#pragma omp parallel for schedule(static)
	for (long j = 0; j < n; j++)
		a[j] = b[j] + q * c[j];
}

int main(int argc, char **argv)
{
	long n, bad = 0;
	int ntimes = argc > 2 ? atoi(argv[2]) : 10, nt = 0, huge = 0;
	double *a, *b, *c, best = 0, q = 3.0;
	double *mbps;

	if (argc < 2) {
		fprintf(stderr, "usage: stream-ref BYTES [NTIMES] [nt] [huge]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		nt |= !strcmp(argv[i], "nt");
		huge |= !strcmp(argv[i], "huge");
	}
	n = atol(argv[1]) / (long)sizeof(double) / 16 * 16;
	if (n <= 0 || ntimes < 2) {
		fprintf(stderr, "stream-ref: bad size or NTIMES\n");
		return 2;
	}
	a = array(n * sizeof(double), huge);
	b = array(n * sizeof(double), huge);
	c = array(n * sizeof(double), huge);
	mbps = calloc(ntimes, sizeof(*mbps));
#pragma omp parallel for schedule(static)
	for (long j = 0; j < n; j++) {
		a[j] = 1.0;
		b[j] = 2.0;
		c[j] = 0.0;
	}
	for (int k = 0; k < ntimes; k++) {
		double t = omp_get_wtime();

		triad(a, b, c, n, q, nt);
		t = omp_get_wtime() - t;
		mbps[k] = 24.0 * n / t / 1e6;
		if (k > 0 && mbps[k] > best)
			best = mbps[k];
	}
	/* b and c never change: every a[j] is b + q*c = 2 */
	for (long j = 0; j < n; j++)
		bad += fabs(a[j] - 2.0) > 1e-13;
	if (bad) {
		fprintf(stderr, "stream-ref: %ld elements wrong\n", bad);
		return 1;
	}
	printf("threads %d\ntriad_mbps %.1f\nreps_mbps", omp_get_max_threads(),
	       best);
	for (int k = 0; k < ntimes; k++)
		printf(" %.1f", mbps[k]);
	printf("\n");
	return 0;
}
