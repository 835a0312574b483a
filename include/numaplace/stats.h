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
 * Below them, what `numaplace ab` needs to compare two samples: a
 * description with Tukey's outliers, the Mann-Whitney U test, Cliff's
 * delta, a bootstrap interval of the ratio of medians, and the verdict
 * that combines them.
 *
 * Values are in whatever unit the caller measured (ns, bytes, ...); a
 * summary is in the same unit.  NaN is not a measurement: it is refused.
 * Nothing here allocates memory the caller has to free; the functions are
 * thread-safe (no state; the bootstrap's generator lives on its stack).
 */
#ifndef NUMAPLACE_STATS_H
#define NUMAPLACE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* ---- one sample described, with Tukey's outliers (stats-ab.c) ---- */

/*
 * A sample as `numaplace ab` reports each side.  The quartiles follow the
 * rule above (type 7); an outlier lies outside Tukey's fences,
 * q1 - 1.5 * (q3 - q1) and q3 + 1.5 * (q3 - q1).  Outliers are flagged,
 * never dropped: every figure here counts them.
 */
struct np_stats_desc {
	size_t n;                   /* >= 1 */
	double median, mean;
	double stddev;              /* sample (n - 1 denominator); 0 when n == 1 */
	double min, max;
	double q1, q3;              /* 0.25- and 0.75-quantiles */
	double fence_low, fence_high;
	size_t outliers;            /* values below fence_low or above fence_high */
};

/* 0; -EINVAL (input) when n is 0, v is NULL or a value is not finite;
 * -ENOMEM.  *out is written only on success. */
int np_stats_describe(const double *v, size_t n, struct np_stats_desc *out,
		      struct np_err *err);

/* Whether v is outside d's fences (what d->outliers counted). */
bool np_stats_is_outlier(const struct np_stats_desc *d, double v);

/* ---- the Mann-Whitney U test (stats-rank.c) ---- */

enum np_stats_mw_method {
	NP_STATS_MW_EXACT,    /* the exact null distribution of U */
	NP_STATS_MW_NORMAL,   /* normal approximation, tie- and continuity-corrected */
};

struct np_stats_mw {
	double u_x, u_y;    /* U of x: the pairs (x_i, y_j) with x_i > y_j, a
			     * tie counting one half; U of y likewise; their
			     * sum is nx * ny.  u_x is scipy's statistic. */
	double p;           /* two-sided p-value, in [0, 1] */
	enum np_stats_mw_method method;
};

/*
 * The two-sided Mann-Whitney U test of x[0..nx) against y[0..ny), as
 * scipy.stats.mannwhitneyu(x, y) computes it by default (scipy 1.10,
 * method='auto', use_continuity=True), with which the unit tests check it:
 *   - exact when there is no tie among all nx + ny values and the smaller
 *     sample has at most 8 values (scipy's code: asymptotic only when
 *     both are larger than 8 or there are ties): p = 2 P(U <= min(u_x,
 *     u_y)), from the count of arrangements by U (the coefficients of
 *     the Gaussian binomial [nx + ny, nx]_q), at most 1;
 *   - otherwise with U = max(u_x, u_y), mean nx ny / 2 and the tie-
 *     corrected variance nx ny / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1)))
 *     (n = nx + ny, t the size of each group of equal values):
 *     z = (U - nx ny / 2 - 0.5) / sd and p = erfc(z / sqrt(2)), at most 1.
 *     All values equal (sd 0): p = 1.
 * 0; -EINVAL (input) when a sample is empty or NULL or holds a value that
 * is not finite; -ENOMEM.  *out is written only on success.
 */
int np_stats_mann_whitney(const double *x, size_t nx, const double *y,
			  size_t ny, struct np_stats_mw *out,
			  struct np_err *err);

/*
 * Cliff's delta of y against x: P(y > x) - P(y < x) over all nx * ny
 * pairs, in [-1, 1]; 1 when every y is above every x.  Equal to
 * (u_y - u_x) / (nx ny) of the U test above.
 */
double np_stats_cliffs_delta(const struct np_stats_mw *mw);

/* The usual words for |delta| (Romano et al., 2006): below 0.147
 * "negligible", 0.33 "small", 0.474 "medium", else "large". */
const char *np_stats_cliffs_magnitude(double delta);

/* ---- the bootstrap (stats-bootstrap.c) ---- */

/*
 * The percentile bootstrap interval of median(y) / median(x).
 *
 * Each of `resamples` resamples draws nx values of x and then ny values
 * of y, uniformly with replacement (index np_rand_below() of the
 * library's xoshiro256**, seeded by `seed` through splitmix64: the same
 * numbers on every machine), and takes the ratio of their medians (type
 * 7, as above).  The interval is the (1 - confidence) / 2 and
 * (1 + confidence) / 2 quantiles of the sorted ratios, again type 7.
 * Values must be positive and finite (a ratio of medians of anything else
 * means nothing).
 *
 * 0; -EINVAL (input) when a sample is empty or NULL, holds a value that is
 * not positive and finite, confidence is not within (0, 1) or resamples
 * is 0; -ENOMEM.  *lo and *hi are written only on success.
 */
int np_stats_bootstrap_median_ratio(const double *x, size_t nx,
				    const double *y, size_t ny,
				    double confidence, unsigned resamples,
				    uint64_t seed, double *lo, double *hi,
				    struct np_err *err);

/* ---- A against B (stats-ab.c) ---- */

#define NP_STATS_AB_RESAMPLES 10000u
#define NP_STATS_AB_SEED 20261113u   /* the default bootstrap seed */

struct np_stats_ab_opts {
	double alpha;          /* in (0, 1); the interval's level is 1 - alpha */
	unsigned resamples;    /* of the bootstrap, >= 1 */
	uint64_t seed;         /* of the bootstrap */
	bool higher_is_better; /* a throughput; else a time (lower is better) */
};

/*
 * What `numaplace ab` concludes about B against A.
 *
 * `significant` needs both tests to agree: the Mann-Whitney p below
 * alpha, and the bootstrap interval of the ratio of medians (at level
 * 1 - alpha) entirely on the same side of 1 as the ratio itself.  Each
 * alone could name a difference the other does not see (a shift of the
 * ranks with equal medians, an interval off 1 by resampling luck), and a
 * verdict line that cites both must not contradict either.
 *
 * gain is B's improvement over A as a fraction, positive when B is
 * better: 1 - ratio when lower is better (0.079: B takes 7.9 % less
 * time), ratio - 1 when higher is better; gain_lo <= gain_hi is the
 * interval mapped the same way.
 */
struct np_stats_ab {
	struct np_stats_desc a, b;
	double ratio;                 /* median(B) / median(A) */
	double ratio_lo, ratio_hi;    /* its bootstrap interval */
	double confidence;            /* 1 - alpha */
	unsigned resamples;
	uint64_t seed;
	struct np_stats_mw mw;        /* x = A, y = B */
	double cliffs_delta;          /* of B against A */
	bool significant;
	double gain, gain_lo, gain_hi;
};

/*
 * Compares a[0..na) (A) with b[0..nb) (B).  0; -EINVAL (input): a side
 * empty, a value not positive and finite (err names the side and the
 * value's index), alpha not within (0, 1), resamples 0; -ENOMEM.
 */
int np_stats_ab_compare(const double *a, size_t na, const double *b, size_t nb,
			const struct np_stats_ab_opts *opts,
			struct np_stats_ab *out, struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
