/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The percentile bootstrap of a ratio of medians (include/numaplace/
 * stats.h).  A resample is never materialized: the sample is sorted once,
 * a resample is the count of times each sorted value was drawn, and its
 * median is found by walking those counts, so one resample costs O(n)
 * and no sort.  The medians are the same as sorting the drawn values
 * would give, bit for bit.
 */
#include <numaplace/stats.h>

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats-internal.h"
#include "util/util-err.h"
#include "util/util-rand.h"

/* The value at position pos of the resample whose counts are given. */
static size_t nth_drawn(const unsigned *count, size_t pos)
{
	size_t i = 0, seen = count[0];

	while (seen <= pos)
		seen += count[++i];
	return i;
}

/*
 * Draws n of sorted[0..n) with replacement and returns their median by
 * the type 7 rule, written as np_stats_quantile() computes it.
 */
static double resample_median(const double *sorted, size_t n, unsigned *count,
			      struct np_rand *rng)
{
	size_t lo = (n - 1) / 2, i, j;

	memset(count, 0, n * sizeof(*count));
	for (size_t k = 0; k < n; k++)
		count[np_rand_below(rng, n)]++;
	i = nth_drawn(count, lo);
	if (n % 2)
		return sorted[i];
	j = nth_drawn(count, lo + 1);
	return sorted[i] + 0.5 * (sorted[j] - sorted[i]);
}

/*
 * Reorders v[0..n) so that v[k] is the value a sort would put there, none
 * before it larger and none after it smaller: Wirth's selection
 * (Algorithms + Data Structures = Programs, 1976), the pivot the value at
 * k.  The ratios come in random order, so its worst case does not.
 */
static void select_nth(double *v, size_t n, size_t k)
{
	ptrdiff_t l = 0, m = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (l < m) {
		double x = v[kk];
		ptrdiff_t i = l, j = m;

		do {
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i <= j) {
				double t = v[i];

				v[i++] = v[j];
				v[j--] = t;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			m = j;
	}
}

/*
 * The q-quantile of v[0..n) by the type 7 rule, without sorting all of
 * v (it is reordered): the same two order statistics and the same
 * arithmetic as np_stats_quantile() on the sorted values.
 */
static double select_quantile(double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1), next;
	size_t lo = (size_t)pos;

	if (lo + 1 >= n) {
		select_nth(v, n, n - 1);
		return v[n - 1];
	}
	select_nth(v, n, lo);
	next = v[lo + 1];
	for (size_t i = lo + 2; i < n; i++)
		if (v[i] < next)
			next = v[i];
	return v[lo] + (pos - (double)lo) * (next - v[lo]);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *c = malloc(n * sizeof(double));

	if (c) {
		memcpy(c, v, n * sizeof(double));
		np_stats_sort(c, n);
	}
	return c;
}

int np_stats_bootstrap_median_ratio(const double *x, size_t nx,
				    const double *y, size_t ny,
				    double confidence, unsigned resamples,
				    uint64_t seed, double *lo, double *hi,
				    struct np_err *err)
{
	double *sx = NULL, *sy = NULL, *ratio = NULL;
	unsigned *count = NULL;
	struct np_rand rng;
	int e;

	e = np_stats_check_values(x, nx, "x", true, err);
	if (!e)
		e = np_stats_check_values(y, ny, "y", true, err);
	if (e)
		return e;
	if (!(confidence > 0 && confidence < 1))
		return np_fail_input(err, -EINVAL, "confidence %g is not "
				     "between 0 and 1", confidence);
	if (resamples == 0)
		return np_fail_input(err, -EINVAL, "no resamples");
	sx = sorted_copy(x, nx);
	sy = sorted_copy(y, ny);
	ratio = malloc(resamples * sizeof(double));
	count = malloc((nx > ny ? nx : ny) * sizeof(unsigned));
	if (!sx || !sy || !ratio || !count) {
		e = np_fail_sys(err, -ENOMEM, "out of memory");
		goto out;
	}
	np_rand_seed(&rng, seed);
	for (unsigned r = 0; r < resamples; r++) {
		double mx = resample_median(sx, nx, count, &rng);

		ratio[r] = resample_median(sy, ny, count, &rng) / mx;
	}
	*lo = select_quantile(ratio, resamples, (1 - confidence) / 2);
	*hi = select_quantile(ratio, resamples, (1 + confidence) / 2);
out:
	free(sx);
	free(sy);
	free(ratio);
	free(count);
	return e;
}
