/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The layouts of `numaplace ab`, all from the same three structs: the
 * experiment's options and samples (numaplace/ab.h) and the comparison
 * (numaplace/stats.h).  Text for the terminal, JSON (--json), CSV of the
 * samples (--export-csv) and the gnuplot script of the plot (--plot).
 */
#ifndef NP_VIEW_AB_H
#define NP_VIEW_AB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <numaplace/ab.h>
#include <numaplace/stats.h>

struct view_ab {
	const struct np_ab_opts *run;
	const struct np_ab_result *res;
	const struct np_stats_ab *st;
	double alpha;
	bool higher_is_better;
};

/*
 * The one-line verdict, e.g.
 *   "B is 7.9 % faster (95 % CI 6.1 % … 9.8 %, Mann-Whitney p = 0.0003)"
 *   "no significant difference at α = 0.05 (ratio 1.004, 95 % CI 0.980 …
 *    1.030, Mann-Whitney p = 0.41)"
 * into buf (UTF-8).
 */
void view_ab_verdict(char *buf, size_t len, const struct view_ab *v);

/* Each writes to out: 0, or -ENOMEM when the JSON could not be built
 * (what reached out is checked by the caller with ferror). */
int view_ab_text(FILE *out, const struct view_ab *v);
int view_ab_json(FILE *out, const struct view_ab *v);
int view_ab_csv(FILE *out, const struct view_ab *v);
/* view-ab-plot.c: everything but the terminal (the library sets it). */
int view_ab_plot(FILE *out, const struct view_ab *v);

#endif
