/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench mem's pieces (lib/bench/bench-mem-*.c): the chase's permutation
 * (one cycle through every line, each group of lines visited whole before
 * the next, the groups shuffled), the bytes counted and on the bus, the
 * kernels against STREAM's scalar recurrence and its validation catching a
 * corrupted element, the move_pages check on synthetic answers, the
 * kernel list, and the options the run refuses before it measures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/bench.h>

#include "bench/bench-mem-internal.h"

#define GROUP 4096u     /* lines of a 256 KiB group */

static uint32_t *order_of(size_t nlines, size_t group, uint64_t seed)
{
	uint32_t *o = malloc(nlines * sizeof(*o));

	assert_non_null(o);
	assert_int_equal(np_mem_chase_order(o, nlines, group, seed), 0);
	return o;
}

/* Every line once; each block of `group` positions is one whole group. */
static void test_order_groups(void **state)
{
	const size_t n = 10 * GROUP + 123;  /* a short last group */
	uint32_t *o = order_of(n, GROUP, 7);
	char *seen = calloc(n, 1);
	size_t in_place = 0, at = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_true(o[i] < n);
		assert_false(seen[o[i]]);
		seen[o[i]] = 1;
	}
	while (at < n) {
		size_t g = o[at] / GROUP;
		size_t len = g == n / GROUP ? n % GROUP : GROUP;
		size_t moved = 0;

		for (size_t i = 0; i < len; i++) {
			assert_int_equal(o[at + i] / GROUP, g);
			moved += o[at + i] != g * GROUP + i;
		}
		/* shuffled within the group, not left in address order */
		assert_true(moved > len / 2 || len < 4);
		in_place += g == at / GROUP;
		at += len;
	}
	/* the groups themselves are shuffled */
	assert_true(in_place < 11);
	free(seen);
	free(o);
}

/* A buffer smaller than a group is one group, shuffled whole; the same
 * seed gives the same order, another seed another. */
static void test_order_small_and_seeded(void **state)
{
	uint32_t *a = order_of(256, GROUP, 1), *b = order_of(256, GROUP, 1);
	uint32_t *c = order_of(256, GROUP, 2);

	(void)state;
	assert_memory_equal(a, b, 256 * sizeof(*a));
	assert_memory_not_equal(a, c, 256 * sizeof(*a));
	free(a);
	free(b);
	free(c);
}

/* The link is one cycle: from the start, every line once, then back. */
static void test_link_one_cycle(void **state)
{
	const size_t n = 3 * GROUP + 17;
	uint32_t *o = order_of(n, GROUP, 3);
	char *buf = aligned_alloc(64, n * NP_MEM_LINE_BYTES);
	char *seen = calloc(n, 1);
	void *start, *p;

	(void)state;
	start = np_mem_chase_link(buf, o, n);
	assert_ptr_equal(start, buf + (size_t)o[0] * NP_MEM_LINE_BYTES);
	p = start;
	for (size_t i = 0; i < n; i++) {
		size_t line = (size_t)((char *)p - buf) / NP_MEM_LINE_BYTES;

		assert_int_equal((size_t)((char *)p - buf) % NP_MEM_LINE_BYTES, 0);
		assert_int_equal(line, o[i]);
		assert_false(seen[line]);
		seen[line] = 1;
		p = *(void **)p;
	}
	assert_ptr_equal(p, start);
	/* the measured loop follows the same pointers */
	assert_ptr_equal(np_mem_chase(start, n), start);
	assert_ptr_equal(np_mem_chase(start, 5),
			 buf + (size_t)o[5] * NP_MEM_LINE_BYTES);
	free(seen);
	free(buf);
	free(o);
}

static void test_bytes_and_bus(void **state)
{
	static const unsigned bytes[] = { 8, 8, 16, 16, 24, 24 };
	static const double bus[] = { 1, 2, 1.5, 1.5, 32.0 / 24, 32.0 / 24 };

	(void)state;
	for (unsigned k = 0; k < NP_MEM_NKERNELS; k++) {
		assert_int_equal(np_bench_mem_kernel_bytes(k), bytes[k]);
		assert_true(np_bench_mem_bus_factor(k, false) == bus[k]);
		assert_true(np_bench_mem_bus_factor(k, true) == 1.0);
	}
	assert_string_equal(np_bench_mem_kernel_name(NP_MEM_TRIAD), "triad");
}

/* STREAM's recurrence: 1, 2, 0 -> write 5, copy, scale, add, triad. */
static void test_expect(void **state)
{
	struct np_mem_expect e;

	(void)state;
	np_mem_expect_init(&e);
	np_mem_expect_rep(&e, NP_BENCH_MEM_ALL_KERNELS);
	assert_true(e.c == 4 && e.b == 3 && e.a == 15);
	np_mem_expect_init(&e);
	np_mem_expect_rep(&e, 1u << NP_MEM_TRIAD);
	assert_true(e.a == 2 && e.b == 2 && e.c == 0);
	np_mem_expect_rep(&e, 1u << NP_MEM_WRITE | 1u << NP_MEM_TRIAD);
	assert_true(e.a == 17 && e.c == 5);
}

/* The kernels over arrays, as two threads' slices would run them. */
#define HALF(n) ((n) / 2 / 8 * 8)

static void run_reps(double *a, double *b, double *c, size_t n, bool nt,
		     unsigned reps, double *sum)
{
	for (size_t i = 0; i < n; i++) {
		a[i] = NP_MEM_INIT_A;
		b[i] = NP_MEM_INIT_B;
		c[i] = NP_MEM_INIT_C;
	}
	/* slices start on a cache line, as the run cuts them */
	for (unsigned r = 0; r < reps; r++)
		for (unsigned k = 0; k < NP_MEM_NKERNELS; k++) {
			double s = np_mem_kernel(k, nt, a, b, c, 0, HALF(n));

			if (k == NP_MEM_READ)
				*sum = s;
			np_mem_kernel(k, nt, a, b, c, HALF(n), n);
		}
}

static void check_kernels(bool nt)
{
	const size_t n = 1001 * 8 + 3;   /* an odd tail for the NT stores */
	double *a = aligned_alloc(64, 8200 * 8), *b = aligned_alloc(64, 8200 * 8);
	double *c = aligned_alloc(64, 8200 * 8), sum = 0;
	struct np_mem_expect e, before;
	char why[320];

	np_mem_expect_init(&e);
	for (unsigned r = 0; r < 3; r++) {
		before = e;
		np_mem_expect_rep(&e, NP_BENCH_MEM_ALL_KERNELS);
	}
	run_reps(a, b, c, n, nt, 3, &sum);
	assert_int_equal(np_mem_validate(a, b, c, n, &e, why, sizeof(why)), 0);
	/* the last read summed the first slice before that repetition */
	assert_int_equal(np_mem_validate_sum(sum, HALF(n), before.a, why,
					     sizeof(why)), 0);
	assert_int_equal(np_mem_validate_sum(sum + before.a, HALF(n), before.a,
					     why, sizeof(why)), -EIO);
	assert_non_null(strstr(why, "the read kernel summed"));
	/* one corrupted element of b is caught, and named */
	b[4321] *= 1.0 + 1e-6;
	assert_int_equal(np_mem_validate(a, b, c, n, &e, why, sizeof(why)), -EIO);
	assert_non_null(strstr(why, "array b"));
	assert_non_null(strstr(why, "b[4321]"));
	free(a);
	free(b);
	free(c);
}

static void test_kernels_validate(void **state)
{
	(void)state;
	check_kernels(false);
	if (np_bench_mem_nt_supported())
		check_kernels(true);
}

/* What move_pages answered: nodes, or -errno for a page not there. */
static void test_pages_off_node(void **state)
{
	const int all_on[] = { 1, 1, 1, 1 };
	const int mixed[] = { 1, 1, 0, 1, -ENOENT, 1 };
	size_t first;

	(void)state;
	assert_int_equal(np_mem_pages_off_node(all_on, 4, 1, &first), 0);
	assert_int_equal(first, 4);
	assert_int_equal(np_mem_pages_off_node(mixed, 6, 1, &first), 2);
	assert_int_equal(first, 2);
	assert_int_equal(np_mem_pages_off_node(mixed, 6, 0, &first), 5);
	assert_int_equal(first, 0);
}

/* A region really bound and checked: on node 0 of this machine. */
static void test_region_check(void **state)
{
	struct np_mem_region r;
	struct np_err err = { 0 };

	(void)state;
	assert_int_equal(np_mem_region_map(&r, 1 << 20, NP_MEM_SMALL_PAGE, 0,
					   &err), 0);
	assert_int_equal((uintptr_t)r.addr % NP_MEM_HUGE_PAGE, 0);
	memset(r.addr, 1, r.bytes);
	assert_int_equal(np_mem_region_check(&r, "test", &err), 0);
	/* a page never touched is not on the node: refused, and said */
	r.bytes += NP_MEM_SMALL_PAGE;
	assert_int_equal(np_mem_region_check(&r, "test", &err), -EIO);
	assert_int_equal(err.cls, NP_ERR_SYSTEM);
	assert_non_null(strstr(err.msg, "test on node 0: 1 of 257 pages are "
			       "not (the first at +1.0 MiB"));
	np_mem_region_unmap(&r);
}

static void test_parse_kernels(void **state)
{
	struct np_err err = { 0 };
	unsigned m;

	(void)state;
	assert_int_equal(np_bench_mem_parse_kernels("triad,read", &m, &err), 0);
	assert_int_equal(m, 1u << NP_MEM_TRIAD | 1u << NP_MEM_READ);
	assert_int_equal(np_bench_mem_parse_kernels("read,write,copy,scale,"
						    "add,triad", &m, &err), 0);
	assert_int_equal(m, NP_BENCH_MEM_ALL_KERNELS);
	assert_int_equal(np_bench_mem_parse_kernels("copy,foo", &m, &err),
			 -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, "kernel 'foo': not one of read, write, "
			    "copy, scale, add, triad");
	assert_int_equal(np_bench_mem_parse_kernels("add,add", &m, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "kernel 'add' named twice");
	assert_int_equal(np_bench_mem_parse_kernels("", &m, &err), -EINVAL);
	assert_int_equal(np_bench_mem_parse_kernels("copy,", &m, &err), -EINVAL);
	assert_int_equal(np_bench_mem_parse_kernels("tri", &m, &err), -EINVAL);
}

static void refused(const struct np_bench_mem_opts *o, const char *msg)
{
	struct np_bench_mem_result *r = (void *)1;
	struct np_err err = { 0 };

	assert_int_equal(np_bench_mem_run(o, &r, &err), -EINVAL);
	assert_null(r);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' does not say '%s'", err.msg, msg);
}

static void test_run_refuses(void **state)
{
	const struct np_bench_mem_opts good = {
		.kernels = NP_BENCH_MEM_ALL_KERNELS, .page_bytes = 4096,
		.ntimes = 10, .loads = 1000, .latency_reps = 5,
		.sweep_loads = 1000,
	};
	struct np_bench_mem_opts o;

	(void)state;
	o = good;
	o.ntimes = 1;
	refused(&o, "1 repetitions: from 2");
	o = good;
	o.kernels = 0;
	refused(&o, "nothing to measure");
	o = good;
	o.page_bytes = 8192;
	refused(&o, "page size 8192");
	o = good;
	o.cpu_nodes = "4095";
	refused(&o, "CPU nodes '4095': node 4095 does not exist");
	o = good;
	o.mem_nodes = "0-1x";
	refused(&o, "memory nodes '0-1x'");
	o = good;
	o.threads = 65536;
	refused(&o, "65536 threads: CPU node");
	o = good;
	o.array_bytes = 4096;
	refused(&o, "arrays of 4 KiB: at least 16 KiB");
	o = good;
	o.latency = true;
	o.loads = 0;
	refused(&o, "latency: at least one load");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_groups),
		cmocka_unit_test(test_order_small_and_seeded),
		cmocka_unit_test(test_link_one_cycle),
		cmocka_unit_test(test_bytes_and_bus),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_kernels_validate),
		cmocka_unit_test(test_pages_off_node),
		cmocka_unit_test(test_region_check),
		cmocka_unit_test(test_parse_kernels),
		cmocka_unit_test(test_run_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
