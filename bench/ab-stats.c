/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ab-stats: the A/B statistics of libnumaplace on samples read from
 * stdin, for comparing them with another implementation
 * (bench/ab-vs-scipy.py).  One case per line:
 *     NX NY X1 .. XNX Y1 .. YNY
 * One answer per line: "U_X P METHOD CI_LO CI_HI", METHOD exact or
 * normal, the interval the 95 % percentile bootstrap of median(Y) /
 * median(X) (10,000 resamples, ab's default seed), or "- -" when a value
 * is not positive.
 */
#include <stdio.h>
#include <stdlib.h>

#include <numaplace/stats.h>

static int read_sample(double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (scanf("%lf", &v[i]) != 1)
			return -1;
	return 0;
}

int main(void)
{
	size_t nx, ny;

	while (scanf("%zu %zu", &nx, &ny) == 2) {
		double *x = malloc((nx + 1) * sizeof(double));
		double *y = malloc((ny + 1) * sizeof(double));
		struct np_stats_mw mw;
		struct np_err err;
		double lo, hi;

		if (!x || !y || read_sample(x, nx) || read_sample(y, ny)) {
			fprintf(stderr, "ab-stats: a short or bad line\n");
			return 2;
		}
		if (np_stats_mann_whitney(x, nx, y, ny, &mw, &err)) {
			fprintf(stderr, "ab-stats: %s\n", err.msg);
			return 2;
		}
		printf("%.17g %.17g %s ", mw.u_x, mw.p,
		       mw.method == NP_STATS_MW_EXACT ? "exact" : "normal");
		if (np_stats_bootstrap_median_ratio(x, nx, y, ny, 0.95,
			NP_STATS_AB_RESAMPLES, NP_STATS_AB_SEED, &lo, &hi,
			NULL))
			printf("- -\n");
		else
			printf("%.17g %.17g\n", lo, hi);
		free(x);
		free(y);
	}
	return 0;
}
