/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One sample described with Tukey's fences, and the verdict on A against
 * B that `numaplace ab` prints (include/numaplace/stats.h): the figures
 * come from stats-rank.c and stats-bootstrap.c; this file decides what
 * they say together.
 */
#include <numaplace/stats.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats-internal.h"
#include "util/util-err.h"

/* Tukey's fences: this many interquartile ranges beyond the quartiles. */
#define TUKEY_K 1.5

static void mean_stddev(const double *v, size_t n, double *mean, double *sd)
{
	double sum = 0, ss = 0, m;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	m = sum / (double)n;
	/* two passes: the squares of deviations, not of values, so times
	 * of a second with microsecond spread lose no digits */
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - m) * (v[i] - m);
	*mean = m;
	*sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
}

int np_stats_describe(const double *v, size_t n, struct np_stats_desc *out,
		      struct np_err *err)
{
	struct np_stats_desc d = { .n = n };
	int e = np_stats_check_values(v, n, "the sample", false, err);
	double *s, iqr;

	if (e)
		return e;
	s = malloc(n * sizeof(double));
	if (!s)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	memcpy(s, v, n * sizeof(double));
	np_stats_sort(s, n);
	np_stats_quantile(s, n, 0.5, &d.median);
	np_stats_quantile(s, n, 0.25, &d.q1);
	np_stats_quantile(s, n, 0.75, &d.q3);
	d.min = s[0];
	d.max = s[n - 1];
	free(s);
	mean_stddev(v, n, &d.mean, &d.stddev);
	iqr = d.q3 - d.q1;
	d.fence_low = d.q1 - TUKEY_K * iqr;
	d.fence_high = d.q3 + TUKEY_K * iqr;
	for (size_t i = 0; i < n; i++)
		if (np_stats_is_outlier(&d, v[i]))
			d.outliers++;
	*out = d;
	return 0;
}

bool np_stats_is_outlier(const struct np_stats_desc *d, double v)
{
	return v < d->fence_low || v > d->fence_high;
}

int np_stats_check_values(const double *v, size_t n, const char *name,
			  bool positive, struct np_err *err)
{
	if (!v || n == 0)
		return np_fail_input(err, -EINVAL, "no values in %s", name);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			return np_fail_input(err, -EINVAL, "value %zu of %s is "
					     "not a finite number", i + 1, name);
		if (positive && !(v[i] > 0))
			return np_fail_input(err, -EINVAL, "value %zu of %s is "
					     "%g: a ratio of medians needs "
					     "positive values", i + 1, name,
					     v[i]);
	}
	return 0;
}

/* B's gain and its interval from the ratio, by the direction. */
static void set_gain(struct np_stats_ab *r, bool higher_is_better)
{
	if (higher_is_better) {
		r->gain = r->ratio - 1;
		r->gain_lo = r->ratio_lo - 1;
		r->gain_hi = r->ratio_hi - 1;
	} else {
		r->gain = 1 - r->ratio;
		r->gain_lo = 1 - r->ratio_hi;
		r->gain_hi = 1 - r->ratio_lo;
	}
}

int np_stats_ab_compare(const double *a, size_t na, const double *b, size_t nb,
			const struct np_stats_ab_opts *opts,
			struct np_stats_ab *out, struct np_err *err)
{
	struct np_stats_ab r = {
		.confidence = 1 - opts->alpha,
		.resamples = opts->resamples,
		.seed = opts->seed,
	};
	bool interval_off_one;
	int e;

	/* named as the user knows the sides; the modules below say x, y */
	e = np_stats_check_values(a, na, "A", true, err);
	if (!e)
		e = np_stats_check_values(b, nb, "B", true, err);
	if (e)
		return e;
	if (!(opts->alpha > 0 && opts->alpha < 1))
		return np_fail_input(err, -EINVAL, "alpha %g is not between 0 "
				     "and 1", opts->alpha);
	e = np_stats_describe(a, na, &r.a, err);
	if (!e)
		e = np_stats_describe(b, nb, &r.b, err);
	if (!e)
		e = np_stats_mann_whitney(a, na, b, nb, &r.mw, err);
	if (!e)
		e = np_stats_bootstrap_median_ratio(a, na, b, nb, r.confidence,
						    opts->resamples, opts->seed,
						    &r.ratio_lo, &r.ratio_hi,
						    err);
	if (e)
		return e;
	r.ratio = r.b.median / r.a.median;
	r.cliffs_delta = np_stats_cliffs_delta(&r.mw);
	interval_off_one = (r.ratio > 1 && r.ratio_lo > 1) ||
		(r.ratio < 1 && r.ratio_hi < 1);
	r.significant = r.mw.p < opts->alpha && interval_off_one;
	set_gain(&r, opts->higher_is_better);
	*out = r;
	return 0;
}
