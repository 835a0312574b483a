/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Mann-Whitney U test and Cliff's delta (include/numaplace/stats.h),
 * written after scipy.stats.mannwhitneyu of scipy 1.10 so that the two
 * agree to rounding; the unit tests hold values scipy computed.
 */
#include <numaplace/stats.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats/stats-internal.h"
#include "util/util-err.h"

/* scipy 1.10: exact only when the smaller sample has at most this many. */
#define MW_EXACT_MAX 8

struct ranked {
	double v;
	int from_y;
};

static int cmp_ranked(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->v, y = ((const struct ranked *)b)->v;

	return (x > y) - (x < y);
}

/*
 * Average ranks of the combined sorted values: the rank sum of x into
 * *rank_sum_x, sum(t^3 - t) over the groups of t equal values into
 * *tie_term, and whether any group has more than one value.
 */
static void rank_sums(const struct ranked *all, size_t n, double *rank_sum_x,
		      double *tie_term, int *ties)
{
	double rx = 0, tt = 0;
	size_t i = 0;

	*ties = 0;
	while (i < n) {
		size_t j = i + 1;
		double t, avg;

		while (j < n && all[j].v == all[i].v)
			j++;
		t = (double)(j - i);
		/* ranks i + 1 .. j, their mean */
		avg = ((double)(i + 1) + (double)j) / 2;
		for (size_t k = i; k < j; k++)
			if (!all[k].from_y)
				rx += avg;
		if (j - i > 1) {
			*ties = 1;
			tt += t * t * t - t;
		}
		i = j;
	}
	*rank_sum_x = rx;
	*tie_term = tt;
}

/*
 * P(U <= k) for samples of m and n without ties, m <= n.  The number of
 * arrangements with U = u is the coefficient of q^u in the Gaussian
 * binomial prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i); each factor is
 * applied to the series truncated at degree k, dividing first (a running
 * sum with stride i, all terms positive) and then multiplying, so every
 * intermediate series is itself a Gaussian binomial with positive
 * coefficients.  Doubles, as scipy's counts are: exact up to 2^53.
 */
static int exact_cdf(size_t m, size_t n, size_t k, double *out)
{
	double *c = calloc(k + 1, sizeof(double));
	double total = 1, sum = 0;

	if (!c)
		return -ENOMEM;
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t u = i; u <= k; u++)
			c[u] += c[u - i];
		for (size_t u = k + 1; u-- > n + i;)   /* u = k .. n + i */
			c[u] -= c[u - n - i];
		/* the count of all arrangements, binom(n + m, m) */
		total = total * (double)(n + i) / (double)i;
	}
	for (size_t u = 0; u <= k; u++)
		sum += c[u];
	free(c);
	*out = sum / total;
	return 0;
}

static double normal_p(double u_max, double nx, double ny, double tie_term)
{
	double n = nx + ny;
	double var = nx * ny / 12 * ((n + 1) - tie_term / (n * (n - 1)));
	double sd = sqrt(var > 0 ? var : 0);

	if (!(sd > 0))
		return 1;   /* every value equal: no evidence at all */
	/* sf(z) * 2 = erfc(z / sqrt(2)) */
	return erfc((u_max - nx * ny / 2 - 0.5) / sd / sqrt(2.0));
}

int np_stats_mann_whitney(const double *x, size_t nx, const double *y,
			  size_t ny, struct np_stats_mw *out,
			  struct np_err *err)
{
	size_t n = nx + ny;
	struct ranked *all;
	double rank_sum_x, tie_term, u_x, u_y, p;
	int ties, e;

	e = np_stats_check_values(x, nx, "x", false, err);
	if (!e)
		e = np_stats_check_values(y, ny, "y", false, err);
	if (e)
		return e;
	all = malloc(n * sizeof(*all));
	if (!all)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < nx; i++)
		all[i] = (struct ranked){ x[i], 0 };
	for (size_t i = 0; i < ny; i++)
		all[nx + i] = (struct ranked){ y[i], 1 };
	qsort(all, n, sizeof(*all), cmp_ranked);
	rank_sums(all, n, &rank_sum_x, &tie_term, &ties);
	free(all);

	u_x = rank_sum_x - (double)nx * ((double)nx + 1) / 2;
	u_y = (double)nx * (double)ny - u_x;
	if (!ties && (nx <= MW_EXACT_MAX || ny <= MW_EXACT_MAX)) {
		/* no ties: u_x and u_y are whole numbers */
		size_t k = (size_t)fmin(u_x, u_y);

		if (exact_cdf(nx < ny ? nx : ny, nx < ny ? ny : nx, k, &p))
			return np_fail_sys(err, -ENOMEM, "out of memory");
		p *= 2;
		out->method = NP_STATS_MW_EXACT;
	} else {
		p = normal_p(fmax(u_x, u_y), (double)nx, (double)ny, tie_term);
		out->method = NP_STATS_MW_NORMAL;
	}
	out->u_x = u_x;
	out->u_y = u_y;
	out->p = p > 1 ? 1 : p < 0 ? 0 : p;
	return 0;
}

double np_stats_cliffs_delta(const struct np_stats_mw *mw)
{
	double pairs = mw->u_x + mw->u_y;

	return pairs > 0 ? (mw->u_y - mw->u_x) / pairs : 0;
}

const char *np_stats_cliffs_magnitude(double delta)
{
	double d = fabs(delta);

	return d < 0.147 ? "negligible" : d < 0.33 ? "small" :
		d < 0.474 ? "medium" : "large";
}
