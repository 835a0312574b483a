/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `numaplace ab` as text, JSON and CSV (view-ab.h). */
#include "view/view-ab.h"

#include <errno.h>
#include <math.h>

#include <json-c/json.h>

#include "cli/cli.h"
#include "cli/cli-json.h"

static const char *const side_name[2] = { "A", "B" };

/* At most this many outliers are listed by run in the text. */
#define OUTLIERS_LISTED 5

/* ---- numbers as people read them ---- */

/* "0.00031", "6.8e-08", "1" */
static void fmt_p(char *buf, size_t len, double p)
{
	snprintf(buf, len, p < 1e-4 ? "%.1e" : "%.2g", p);
}

/* "95" for 0.95, "99.9" for 0.999 */
static void fmt_level(char *buf, size_t len, double confidence)
{
	snprintf(buf, len, "%g", round(confidence * 1e4) / 1e2);
}

void view_ab_verdict(char *buf, size_t len, const struct view_ab *v)
{
	const struct np_stats_ab *s = v->st;
	char p[32], level[16];

	fmt_p(p, sizeof(p), s->mw.p);
	fmt_level(level, sizeof(level), s->confidence);
	if (!s->significant)
		snprintf(buf, len, "no significant difference at α = %g (ratio "
			 "%.3f, %s %% CI %.3f … %.3f, Mann-Whitney p = %s)",
			 v->alpha, s->ratio, level, s->ratio_lo, s->ratio_hi, p);
	else if (s->gain > 0)
		snprintf(buf, len, "B is %.1f %% faster (%s %% CI %.1f %% … "
			 "%.1f %%, Mann-Whitney p = %s)", 100 * s->gain, level,
			 100 * s->gain_lo, 100 * s->gain_hi, p);
	else
		snprintf(buf, len, "B is %.1f %% slower (%s %% CI %.1f %% … "
			 "%.1f %%, Mann-Whitney p = %s)", -100 * s->gain, level,
			 -100 * s->gain_hi, -100 * s->gain_lo, p);
}

/* ---- text ---- */

/* Wall time in ms, a metric as it came. */
static void fmt_value(char *buf, size_t len, const struct view_ab *v,
		      double x)
{
	if (v->run->metric)
		snprintf(buf, len, "%.6g", x);
	else
		snprintf(buf, len, "%.3f", x * 1e3);
}

static void text_header(FILE *out, const struct view_ab *v)
{
	const struct np_ab_opts *o = v->run;
	char safe[2][512];

	for (int s = 0; s < 2; s++)
		fprintf(out, "%s: %s\n", side_name[s],
			np_safe(o->cmd[s], safe[s], sizeof(safe[s])));
	if (o->metric)
		fprintf(out, "metric '%s' (%s is better)", np_safe(o->metric,
			safe[0], sizeof(safe[0])), v->higher_is_better ?
			"higher" : "lower");
	else
		fprintf(out, "wall time in ms (lower is better)");
	fprintf(out, "; %u runs each", o->runs);
	if (o->shuffle)
		fprintf(out, " in a shuffled order (seed %llu)",
			(unsigned long long)o->seed);
	else
		fprintf(out, ", alternating A B");
	if (o->warmup)
		fprintf(out, ", after %u warm-up run%s each", o->warmup,
			o->warmup == 1 ? "" : "s");
	fprintf(out, "%s\n", o->shell ? "; through /bin/sh -c" : "");
}

/* "2 (runs 7, 12)" */
static void text_outliers(FILE *out, const struct view_ab *v, int side,
			  const struct np_stats_desc *d)
{
	unsigned listed = 0;

	fprintf(out, "%zu", d->outliers);
	for (size_t i = 0; i < v->res->nsamples && d->outliers; i++) {
		const struct np_ab_sample *smp = &v->res->samples[i];

		if ((int)smp->side != side || !np_stats_is_outlier(d, smp->value))
			continue;
		if (listed == OUTLIERS_LISTED) {
			fprintf(out, ", …");
			break;
		}
		fprintf(out, "%s%zu", listed++ ? ", " : d->outliers > 1 ?
			" (runs " : " (run ", i + 1);
	}
	fprintf(out, "%s\n", d->outliers ? ")" : "");
}

static void text_table(FILE *out, const struct view_ab *v)
{
	const struct np_stats_desc *d[2] = { &v->st->a, &v->st->b };

	fprintf(out, "\n%-4s %6s %10s %10s %10s %10s %10s  %s\n", "", "n",
		"median", "mean", "stddev", "min", "max",
		"outliers (Tukey)");
	for (int s = 0; s < 2; s++) {
		const double x[] = { d[s]->median, d[s]->mean, d[s]->stddev,
				     d[s]->min, d[s]->max };
		char f[5][32];

		for (int i = 0; i < 5; i++)
			fmt_value(f[i], sizeof(f[i]), v, x[i]);
		fprintf(out, "%-4s %6zu %10s %10s %10s %10s %10s  ",
			side_name[s], d[s]->n, f[0], f[1], f[2], f[3], f[4]);
		text_outliers(out, v, s, d[s]);
	}
	for (int s = 0; s < 2; s++)
		if (v->res->failed[s])
			fprintf(out, "%s: %u of %zu runs exited non-zero "
				"(measured all the same: --ignore-failure)\n",
				side_name[s], v->res->failed[s], v->res->n[s]);
}

int view_ab_text(FILE *out, const struct view_ab *v)
{
	const struct np_stats_ab *s = v->st;
	char verdict[512], p[32], level[16];

	text_header(out, v);
	text_table(out, v);
	fmt_p(p, sizeof(p), s->mw.p);
	fmt_level(level, sizeof(level), s->confidence);
	fprintf(out, "\nratio of medians B/A: %.4f, %s %% CI %.4f … %.4f "
		"(percentile bootstrap, %u resamples)\n", s->ratio, level,
		s->ratio_lo, s->ratio_hi, s->resamples);
	fprintf(out, "Mann-Whitney U: %g for A, %g for B; two-sided p = %s "
		"(%s)\n", s->mw.u_x, s->mw.u_y, p,
		s->mw.method == NP_STATS_MW_EXACT ? "exact" :
		"normal approximation, tie-corrected");
	fprintf(out, "Cliff's delta, B against A: %.3f (%s)\n",
		s->cliffs_delta, np_stats_cliffs_magnitude(s->cliffs_delta));
	view_ab_verdict(verdict, sizeof(verdict), v);
	fprintf(out, "\n%s\n", verdict);
	return 0;
}

/* ---- JSON ---- */

/* Ten digits: a wall time to the nanosecond, a p-value to what it
 * means (np_json_add_num's three decimals would lose both). */
static void add_num(json_object *o, const char *key, double x, bool *oom)
{
	char s[40];

	snprintf(s, sizeof(s), "%.10g", x);
	np_json_add(o, key, np_json_checked(json_object_new_double_s(x, s),
					    oom), oom);
}

static void add_bool(json_object *o, const char *key, bool b, bool *oom)
{
	np_json_add(o, key, np_json_checked(json_object_new_boolean(b), oom),
		    oom);
}

static json_object *json_side(const struct np_stats_desc *d, unsigned failed,
			      bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);
	const char *const keys[] = { "median", "mean", "stddev", "min", "max",
				     "q1", "q3", "fence_low", "fence_high" };
	const double x[] = { d->median, d->mean, d->stddev, d->min, d->max,
			     d->q1, d->q3, d->fence_low, d->fence_high };

	np_json_add_u64(o, "n", d->n, oom);
	for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++)
		add_num(o, keys[i], x[i], oom);
	np_json_add_u64(o, "outliers", d->outliers, oom);
	np_json_add_u64(o, "failed_runs", failed, oom);
	return o;
}

static json_object *json_samples(const struct view_ab *v, bool *oom)
{
	json_object *a = np_json_checked(json_object_new_array(), oom);
	const struct np_stats_desc *d[2] = { &v->st->a, &v->st->b };

	for (size_t i = 0; a && i < v->res->nsamples; i++) {
		const struct np_ab_sample *smp = &v->res->samples[i];
		json_object *o = np_json_checked(json_object_new_object(), oom);

		np_json_add_u64(o, "run", i + 1, oom);
		np_json_add_str(o, "side", side_name[smp->side], oom);
		add_num(o, "value", smp->value, oom);
		add_num(o, "wall_s", smp->wall_s, oom);
		np_json_add_u64(o, "exit_status", (uint64_t)smp->status, oom);
		add_bool(o, "outlier", np_stats_is_outlier(d[smp->side],
							   smp->value), oom);
		if (o && json_object_array_add(a, o)) {
			json_object_put(o);
			*oom = true;
		}
	}
	return a;
}

static json_object *json_pair(const char *ka, json_object *a, const char *kb,
			      json_object *b, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);

	np_json_add(o, ka, a, oom);
	np_json_add(o, kb, b, oom);
	return o;
}

static void json_experiment(json_object *root, const struct view_ab *v,
			    bool *oom)
{
	const struct np_ab_opts *o = v->run;

	np_json_add_str(root, "schema", "numaplace-ab/1", oom);
	np_json_add(root, "commands", json_pair(
		"A", np_json_checked(json_object_new_string(o->cmd[0]), oom),
		"B", np_json_checked(json_object_new_string(o->cmd[1]), oom),
		oom), oom);
	add_bool(root, "shell", o->shell, oom);
	np_json_add_str(root, "measure", o->metric ? "metric" : "wall_s", oom);
	/* null without a metric, without a shuffle */
	np_json_add(root, "metric", o->metric ? np_json_checked(
		json_object_new_string(o->metric), oom) : NULL, oom);
	add_bool(root, "higher_is_better", v->higher_is_better, oom);
	np_json_add_u64(root, "runs_per_side", o->runs, oom);
	np_json_add_u64(root, "warmup_per_side", o->warmup, oom);
	np_json_add_str(root, "order", o->shuffle ? "shuffle" : "alternate", oom);
	np_json_add(root, "shuffle_seed", o->shuffle ? np_json_checked(
		json_object_new_uint64(o->seed), oom) : NULL, oom);
	add_num(root, "alpha", v->alpha, oom);
}

static void json_statistics(json_object *root, const struct view_ab *v,
			    bool *oom)
{
	const struct np_stats_ab *s = v->st;
	json_object *r = np_json_checked(json_object_new_object(), oom);
	json_object *mw = np_json_checked(json_object_new_object(), oom);
	json_object *cd = np_json_checked(json_object_new_object(), oom);
	json_object *ch = np_json_checked(json_object_new_object(), oom);
	char verdict[512];

	np_json_add(root, "sides", json_pair(
		"A", json_side(&s->a, v->res->failed[0], oom),
		"B", json_side(&s->b, v->res->failed[1], oom), oom), oom);
	add_num(r, "value", s->ratio, oom);
	add_num(r, "ci_low", s->ratio_lo, oom);
	add_num(r, "ci_high", s->ratio_hi, oom);
	add_num(r, "confidence", s->confidence, oom);
	np_json_add_u64(r, "resamples", s->resamples, oom);
	np_json_add_u64(r, "seed", s->seed, oom);
	np_json_add(root, "ratio_of_medians", r, oom);
	add_num(mw, "u_a", s->mw.u_x, oom);
	add_num(mw, "u_b", s->mw.u_y, oom);
	add_num(mw, "p", s->mw.p, oom);
	np_json_add_str(mw, "method", s->mw.method == NP_STATS_MW_EXACT ? "exact" :
		"normal", oom);
	np_json_add(root, "mann_whitney", mw, oom);
	add_num(cd, "value", s->cliffs_delta, oom);
	np_json_add_str(cd, "magnitude", np_stats_cliffs_magnitude(s->cliffs_delta),
		oom);
	np_json_add(root, "cliffs_delta", cd, oom);
	add_bool(root, "significant", s->significant, oom);
	np_json_add_str(ch, "direction", !s->significant ? "none" : s->gain > 0 ?
		"faster" : "slower", oom);
	add_num(ch, "gain_percent", 100 * s->gain, oom);
	add_num(ch, "gain_ci_low_percent", 100 * s->gain_lo, oom);
	add_num(ch, "gain_ci_high_percent", 100 * s->gain_hi, oom);
	np_json_add(root, "change", ch, oom);
	view_ab_verdict(verdict, sizeof(verdict), v);
	np_json_add_str(root, "verdict", verdict, oom);
}

int view_ab_json(FILE *out, const struct view_ab *v)
{
	bool oom = false;
	json_object *root = np_json_checked(json_object_new_object(), &oom);

	json_experiment(root, v, &oom);
	np_json_add(root, "samples", json_samples(v, &oom), &oom);
	json_statistics(root, v, &oom);
	return np_json_write(out, root, oom);
}

/* ---- CSV ---- */

int view_ab_csv(FILE *out, const struct view_ab *v)
{
	const struct np_stats_desc *d[2] = { &v->st->a, &v->st->b };

	fprintf(out, "run,side,value,wall_s,exit_status,outlier\n");
	for (size_t i = 0; i < v->res->nsamples; i++) {
		const struct np_ab_sample *smp = &v->res->samples[i];

		fprintf(out, "%zu,%s,%.10g,%.10g,%d,%d\n", i + 1,
			side_name[smp->side], smp->value, smp->wall_s,
			smp->status, np_stats_is_outlier(d[smp->side],
							 smp->value));
	}
	return 0;
}
