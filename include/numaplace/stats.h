/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Summaries of repeated measurements: the median and the 25th and 75th
 * percentiles (the quartiles a benchmark reports as "p25..p75"), min and
 * max.
 *
 * Quantiles interpolate linearly between the closest ranks (Hyndman and
 * Fan's type 7, the default of R, NumPy and a spreadsheet's
 * PERCENTILE.INC): the q-quantile of n ascending values v[0..n-1] sits at
 * position pos = q * (n - 1), and is
 *     v[lo] + (pos - lo) * (v[lo + 1] - v[lo]),   lo = floor(pos),
 * or v[n - 1] when lo is the last rank.  So the median of an even count
 * is the mean of the two middle values, and the 25th percentile of
 * {1, 2, 3, 4} is 1.75.
 *
 * Values are in whatever unit the caller measured (ns, bytes, ...); a
 * summary is in the same unit.  NaN is not a measurement: it is refused.
 * Nothing here allocates memory the caller has to free; the functions are
 * thread-safe (no state).
 */
#ifndef NUMAPLACE_STATS_H
#define NUMAPLACE_STATS_H

#include <stddef.h>

#include <numaplace/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct np_stats_summary {
	size_t n;              /* values summarized, >= 1 */
	double median;         /* the 0.5-quantile */
	double p25, p75;       /* the 0.25- and 0.75-quantiles */
	double min, max;       /* min <= p25 <= median <= p75 <= max */
};

/* Sorts v[0..n-1] ascending, in place (n == 0 is a no-op).  The order of
 * NaNs is unspecified: sort only values np_stats_summarize() accepts. */
void np_stats_sort(double *v, size_t n);

/*
 * The q-quantile of the ascending values sorted[0..n-1], by the rule
 * above, into *out.  -EINVAL (and *out untouched) when n is 0, sorted is
 * NULL, or q is not within [0, 1].  The values are not checked for
 * order: unsorted input gives a meaningless figure, not an error.
 */
int np_stats_quantile(const double *sorted, size_t n, double q, double *out);

/*
 * Summarizes v[0..n-1], in any order (v is not modified: a sorted copy
 * is made and freed).  0; -EINVAL (class input) when n is 0, v is NULL
 * or a value is NaN; -ENOMEM.  *out is written only on success.
 */
int np_stats_summarize(const double *v, size_t n, struct np_stats_summary *out,
		       struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
