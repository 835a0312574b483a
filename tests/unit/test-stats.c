/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Summaries of a series (lib/stats/stats-summary.c): the interpolation
 * rule exactly (type 7: pos = q * (n - 1)), which nearest-rank, type 6
 * (pos = q * (n + 1) - 1) or "middle element" medians would each get wrong
 * somewhere below; odd and even counts, one value, none, input in any
 * order and left as it was, ties.  Every expected value is exact in
 * binary, so the comparisons are ==.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include <numaplace/stats.h>

#include "assert-double.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void summarize(const double *v, size_t n, struct np_stats_summary *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(np_stats_summarize(v, n, s, NULL), 0);
	assert_int_equal(s->n, n);
}

static void test_odd_count(void **state)
{
	const double v[] = { 5, 1, 3 };
	struct np_stats_summary s;

	(void)state;
	summarize(v, N(v), &s);
	assert_exact(s.median, 3);
	/* pos 0.5 and 1.5: halfway between ranks, not a rank */
	assert_exact(s.p25, 2);
	assert_exact(s.p75, 4);
	assert_exact(s.min, 1);
	assert_exact(s.max, 5);
}

static void test_even_count(void **state)
{
	const double v[] = { 4, 1, 3, 2 };
	struct np_stats_summary s;

	(void)state;
	summarize(v, N(v), &s);
	/* the mean of the middle two; type 6 would give 1.25 and 3.75 */
	assert_exact(s.median, 2.5);
	assert_exact(s.p25, 1.75);
	assert_exact(s.p75, 3.25);
	assert_exact(s.min, 1);
	assert_exact(s.max, 4);
}

static void test_interpolation_between_ranks(void **state)
{
	/* gaps that double, so an interpolation on the wrong pair shows */
	const double v[] = { 10, 20, 40, 80, 160 };
	double x = -1;

	(void)state;
	assert_int_equal(np_stats_quantile(v, N(v), 0.25, &x), 0);
	assert_exact(x, 20);                 /* pos 1: a rank exactly */
	assert_int_equal(np_stats_quantile(v, N(v), 0.375, &x), 0);
	assert_exact(x, 30);                 /* pos 1.5: 20 + 0.5 * 20 */
	assert_int_equal(np_stats_quantile(v, N(v), 0.9375, &x), 0);
	assert_exact(x, 140);                /* pos 3.75: 80 + 0.75 * 80 */
	assert_int_equal(np_stats_quantile(v, N(v), 0, &x), 0);
	assert_exact(x, 10);
	assert_int_equal(np_stats_quantile(v, N(v), 1, &x), 0);
	assert_exact(x, 160);
}

static void test_one_value(void **state)
{
	const double v[] = { 7.5 };
	struct np_stats_summary s;
	double x = 0;

	(void)state;
	summarize(v, 1, &s);
	assert_exact(s.median, 7.5);
	assert_exact(s.p25, 7.5);
	assert_exact(s.p75, 7.5);
	assert_exact(s.min, 7.5);
	assert_exact(s.max, 7.5);
	assert_int_equal(np_stats_quantile(v, 1, 0.3, &x), 0);
	assert_exact(x, 7.5);
}

static void test_errors(void **state)
{
	const double v[] = { 1, 2 }, with_nan[] = { 1, NAN, 2 };
	struct np_stats_summary s = { 99, 1, 2, 3, 4, 5 };
	struct np_err err = { 0 };
	double x = 42;

	(void)state;
	assert_int_equal(np_stats_summarize(v, 0, &s, NULL), -EINVAL);
	assert_int_equal(np_stats_summarize(NULL, 2, &s, NULL), -EINVAL);
	assert_int_equal(np_stats_summarize(with_nan, N(with_nan), &s, &err),
			 -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_true(strstr(err.msg, "is not a number") != NULL);
	assert_int_equal(s.n, 99);           /* untouched on failure */
	assert_exact(s.median, 1);
	assert_int_equal(np_stats_quantile(v, 0, 0.5, &x), -EINVAL);
	assert_int_equal(np_stats_quantile(NULL, 2, 0.5, &x), -EINVAL);
	assert_int_equal(np_stats_quantile(v, 2, -0.01, &x), -EINVAL);
	assert_int_equal(np_stats_quantile(v, 2, 1.01, &x), -EINVAL);
	assert_int_equal(np_stats_quantile(v, 2, NAN, &x), -EINVAL);
	assert_exact(x, 42);
}

static void test_unsorted_input_left_alone(void **state)
{
	double v[] = { 9, -3, 0.5, 12, 4, -8, 7 };
	const double before[] = { 9, -3, 0.5, 12, 4, -8, 7 };
	struct np_stats_summary s;

	(void)state;
	summarize(v, N(v), &s);
	/* sorted: -8 -3 0.5 4 7 9 12 */
	assert_exact(s.median, 4);
	assert_exact(s.p25, -1.25);          /* pos 1.5 */
	assert_exact(s.p75, 8);              /* pos 4.5 */
	assert_exact(s.min, -8);
	assert_exact(s.max, 12);
	assert_memory_equal(v, before, sizeof(v));
}

static void test_duplicates(void **state)
{
	const double v[] = { 7, 1, 7, 7 };
	struct np_stats_summary s;

	(void)state;
	summarize(v, N(v), &s);
	/* sorted 1 7 7 7 */
	assert_exact(s.median, 7);
	assert_exact(s.p25, 5.5);            /* pos 0.75: 1 + 0.75 * 6 */
	assert_exact(s.p75, 7);
	assert_exact(s.min, 1);
}

static void test_sort(void **state)
{
	double v[] = { 3, -1, 3, 0, -1, 2.5 };
	const double want[] = { -1, -1, 0, 2.5, 3, 3 };

	(void)state;
	np_stats_sort(v, N(v));
	assert_memory_equal(v, want, sizeof(v));
	np_stats_sort(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odd_count),
		cmocka_unit_test(test_even_count),
		cmocka_unit_test(test_interpolation_between_ranks),
		cmocka_unit_test(test_one_value),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_unsorted_input_left_alone),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
