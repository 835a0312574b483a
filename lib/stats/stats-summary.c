/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Median, quartiles, min and max of a series (include/numaplace/stats.h).
 * The interpolation is written exactly as the benchmarks have always
 * computed it, operation for operation, so their figures do not move in
 * the last digit.
 */
#include <numaplace/stats.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-err.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void np_stats_sort(double *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(double), cmp_double);
}

/* Linear interpolation between closest ranks; q in [0, 1], n >= 1. */
static double quantile(const double *sorted, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)pos;
	double frac = pos - (double)lo;

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int np_stats_quantile(const double *sorted, size_t n, double q, double *out)
{
	/* !(q >= 0) also refuses a NaN q. */
	if (!sorted || n == 0 || !(q >= 0.0) || q > 1.0)
		return -EINVAL;
	*out = quantile(sorted, n, q);
	return 0;
}

int np_stats_summarize(const double *v, size_t n, struct np_stats_summary *out,
		       struct np_err *err)
{
	double *sorted;

	if (!v || n == 0)
		return np_fail_input(err, -EINVAL, "no values to summarize");
	for (size_t i = 0; i < n; i++)
		if (isnan(v[i]))
			return np_fail_input(err, -EINVAL, "value %zu of %zu is "
					     "not a number", i + 1, n);
	sorted = malloc(n * sizeof(double));
	if (!sorted)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	memcpy(sorted, v, n * sizeof(double));
	np_stats_sort(sorted, n);
	out->n = n;
	out->median = quantile(sorted, n, 0.5);
	out->p25 = quantile(sorted, n, 0.25);
	out->p75 = quantile(sorted, n, 0.75);
	out->min = sorted[0];
	out->max = sorted[n - 1];
	free(sorted);
	return 0;
}
