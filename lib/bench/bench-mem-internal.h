/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pieces of `bench mem` (numaplace/bench.h), internal to libnumaplace
 * and its unit tests:
 *
 *   bench-mem.c          the run: options, nodes, the pairs, results
 *   bench-mem-region.c   memory bound to a node and checked page by page
 *   bench-mem-stream.c   the bandwidth of one pair: threads, timing,
 *                        STREAM's validation
 *   bench-mem-chase.c    the latency: the permutation, the chase, the sweep
 *   bench-mem-kernels.c  the measured loops, compiled -O3 on their own
 */
#ifndef NP_BENCH_MEM_INTERNAL_H
#define NP_BENCH_MEM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <numaplace/bench.h>

#define NP_MEM_LINE_BYTES 64u
#define NP_MEM_SMALL_PAGE 4096u
#define NP_MEM_HUGE_PAGE (2u * 1024u * 1024u)

/* STREAM's scalar, and the value the write kernel stores. */
#define NP_MEM_SCALAR 3.0
#define NP_MEM_WRITE_VALUE 5.0
/* STREAM's initial values. */
#define NP_MEM_INIT_A 1.0
#define NP_MEM_INIT_B 2.0
#define NP_MEM_INIT_C 0.0

/* ---- the loops (bench-mem-kernels.c) ---- */

/*
 * One kernel over elements [lo, hi) of the arrays (lo a multiple of 8
 * and the arrays 64-byte aligned, so the non-temporal stores are aligned).
 * Returns the read kernel's sum (0 for the others).
 */
double np_mem_kernel(enum np_bench_mem_kernel k, bool nt, double *a,
		     double *b, double *c, size_t lo, size_t hi);

/* Follows n pointers from p and returns the last: every load depends on
 * the one before, and the result is the caller's to consume. */
void *np_mem_chase(void *p, uint64_t n);

/* ---- STREAM's validation (bench-mem-stream.c) ---- */

/* What every element of a, b and c holds after a number of repetitions. */
struct np_mem_expect {
	double a, b, c;
};

/* The initial values, then one repetition of the kernels in `mask`, in
 * the order of enum np_bench_mem_kernel, on scalars. */
void np_mem_expect_init(struct np_mem_expect *e);
void np_mem_expect_rep(struct np_mem_expect *e, unsigned mask);

/*
 * STREAM's check: for each array the average of |x[i] - expected| over
 * |expected| must be below 1e-13 (doubles).  0, or -EIO with why naming
 * the array, its expected value and the error (or the first element that
 * differs, for the report).
 */
int np_mem_validate(const double *a, const double *b, const double *c,
		    size_t n, const struct np_mem_expect *e, char *why,
		    size_t len);

/* A read kernel's sum of `count` elements of value `value`: within
 * count * DBL_EPSILON relative.  0 or -EIO with why. */
int np_mem_validate_sum(double sum, size_t count, double value, char *why,
			size_t len);

/* ---- regions bound to a node (bench-mem-region.c) ---- */

struct np_mem_region {
	void *addr;               /* page_bytes aligned (2 MiB for THP) */
	size_t bytes;             /* what was asked, rounded to the page */
	void *map;                /* the mapping, for munmap */
	size_t map_bytes;
	unsigned node;
};

/*
 * Maps `bytes` (rounded up to page_bytes) of anonymous memory, asks for
 * 4 KiB pages (page_bytes 4096: MADV_NOHUGEPAGE) or transparent huge
 * pages (2 MiB: MADV_HUGEPAGE), and binds it to `node` (mbind
 * MPOL_BIND) before any page is touched.  0 or a negative errno, err set.
 */
int np_mem_region_map(struct np_mem_region *r, size_t bytes,
		      size_t page_bytes, unsigned node, struct np_err *err);
void np_mem_region_unmap(struct np_mem_region *r);

/*
 * Counts the entries of move_pages' status[] that are not `node` (a page
 * on another node, or a negative errno: not there); *first is the index
 * of the first such entry (n when none).
 */
size_t np_mem_pages_off_node(const int *status, size_t n, unsigned node,
			     size_t *first);

/*
 * Asks move_pages where every 4 KiB page of the region is: 0 when every
 * one is on r->node, else -EIO (class system) with
 * "<what> on node N: K of M pages are not (the first at +X MiB: on node
 * Y); a run with pages off its node gives no figure".
 */
int np_mem_region_check(const struct np_mem_region *r, const char *what,
			struct np_err *err);

/* ---- the chase's permutation (bench-mem-chase.c) ---- */

/* splitmix64: small, fast, and the same sequence everywhere. */
uint64_t np_mem_rand(uint64_t *state);

/*
 * The order in which a chase visits the nlines lines of a buffer: groups
 * of group_lines consecutive lines (the last may be shorter) in random
 * order, and within each group its lines in random order.  order[k] is
 * the k-th line visited; every line is in it once.  0 or -ENOMEM.
 */
int np_mem_chase_order(uint32_t *order, size_t nlines, size_t group_lines,
			uint64_t seed);

/* Writes the cycle into buf: line order[k] points to line order[k + 1],
 * the last to the first.  Returns the first. */
void *np_mem_chase_link(void *buf, const uint32_t *order, size_t nlines);

/* ---- one pair (bench-mem-stream.c, bench-mem-chase.c) ---- */

/* What the pair runs with, made by bench-mem.c. */
struct np_mem_pair {
	unsigned cpu_node, mem_node;
	const unsigned *cpus;     /* the threads' CPUs */
	unsigned threads;
};

/* The arrays, threads and figures of one pair into out (its mbps[] and
 * cpus[] allocated by the caller). */
int np_mem_bandwidth(const struct np_bench_mem_result *r,
		     const struct np_mem_pair *p, struct np_bench_mem_bw *out,
		     struct np_err *err);

/* The chase on cpu over a region of r->latency_bytes on p->mem_node;
 * order[] is the permutation of its lines (made once per run). */
int np_mem_latency(const struct np_bench_mem_result *r,
		   const struct np_mem_pair *p, const uint32_t *order,
		   struct np_bench_mem_lat *out, struct np_err *err);

int np_mem_sweep(const struct np_bench_mem_result *r,
		 const struct np_mem_pair *p, struct np_bench_mem_sweep *out,
		 struct np_err *err);

#endif
