/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plot of `numaplace ab` as a gnuplot script (view-ab.h): on the
 * left both distributions, every sample a point (spread sideways by a
 * fixed pattern so that equal values stay visible), Tukey's box over
 * them (quartiles, median, whiskers to the last values inside the
 * fences) and the outliers marked; on the right the ratio of medians
 * B/A with its bootstrap interval against the line of no difference.
 * The verdict line is the title.  Data travel inline (datablocks), so
 * the script is the whole plot.
 */
#include "view/view-ab.h"

#include <math.h>

#include "cli/cli.h"

static const char *const side_name[2] = { "A", "B" };
static const char *const side_color[2] = { "#4477aa", "#ee7733" };

/* Text for a single-quoted gnuplot string: ' doubled, control
 * characters made '?', long commands cut with an ellipsis. */
static void put_quoted(FILE *out, const char *s, size_t max)
{
	size_t n = 0;

	fputc('\'', out);
	/* a cut never splits a UTF-8 sequence: its continuation bytes
	 * (10xxxxxx) follow their first byte over the limit */
	for (; *s && (n < max || ((unsigned char)*s & 0xc0) == 0x80);
	     s++, n++) {
		if (*s == '\'')
			fputc('\'', out);
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	}
	if (*s)
		fputs("…", out);
	fputc('\'', out);
}

/* The value as the plot shows it: wall time in ms, a metric as is. */
static double shown(const struct view_ab *v, double x)
{
	return v->run->metric ? x : x * 1e3;
}

/* A fixed sideways offset for sample i: the golden-ratio sequence,
 * evenly spread and the same on every run. */
static double jitter(size_t i)
{
	double f = fmod((double)(i + 1) * 0.6180339887498949, 1.0);

	return (f - 0.5) * 0.24;
}

/* Points per side, outliers apart: "x y" rows. */
static void data_points(FILE *out, const struct view_ab *v)
{
	const struct np_stats_desc *d[2] = { &v->st->a, &v->st->b };

	for (int outliers = 0; outliers < 2; outliers++) {
		for (int s = 0; s < 2; s++) {
			fprintf(out, "$%s%s << EOD\n", side_name[s],
				outliers ? "_OUT" : "");
			for (size_t i = 0; i < v->res->nsamples; i++) {
				const struct np_ab_sample *smp =
					&v->res->samples[i];

				if ((int)smp->side != s ||
				    np_stats_is_outlier(d[s], smp->value) !=
				    (bool)outliers)
					continue;
				fprintf(out, "%.4f %.10g\n", s + 1 + jitter(i),
					shown(v, smp->value));
			}
			/* gnuplot refuses an empty block in a plot */
			fprintf(out, "%sEOD\n", outliers ? "NaN NaN\n" : "");
		}
	}
}

/* "x q1 whisker_low median whisker_high q3" per side. */
static void data_boxes(FILE *out, const struct view_ab *v)
{
	const struct np_stats_desc *d[2] = { &v->st->a, &v->st->b };

	fprintf(out, "$BOX << EOD\n");
	for (int s = 0; s < 2; s++) {
		double lo = d[s]->max, hi = d[s]->min;

		for (size_t i = 0; i < v->res->n[s]; i++) {
			double x = v->res->values[s][i];

			if (np_stats_is_outlier(d[s], x))
				continue;
			lo = fmin(lo, x);
			hi = fmax(hi, x);
		}
		fprintf(out, "%d %.10g %.10g %.10g %.10g %.10g\n", s + 1,
			shown(v, d[s]->q1), shown(v, lo), shown(v, d[s]->median),
			shown(v, hi), shown(v, d[s]->q3));
	}
	fprintf(out, "EOD\n");
}

static void plot_distributions(FILE *out, const struct view_ab *v)
{
	fprintf(out, "set origin 0, 0\nset size 0.68, 0.92\n");
	if (v->run->metric) {
		fprintf(out, "set title ");
		put_quoted(out, v->run->metric, 60);
		fprintf(out, " . ' (%s is better)'\n", v->higher_is_better ?
			"higher" : "lower");
	} else {
		fprintf(out, "set title 'wall time (ms), lower is better'\n");
	}
	fprintf(out, "set xrange [0.5:2.5]\nset xtics ('A' 1, 'B' 2)\n"
		"set autoscale y\nset ytics auto\nset grid ytics\n");
	fprintf(out, "set offsets 0, 0, graph 0.05, graph 0.05\n");
	fprintf(out, "set boxwidth 0.4\nset style fill empty\n");
	fprintf(out, "plot $BOX using 1:2:3:5:6 with candlesticks whiskerbars "
		"0.5 lw 1.5 lc rgb '#555555', \\\n"
		"     $BOX using 1:4:4:4:4 with candlesticks lw 2.5 "
		"lc rgb '#222222', \\\n");
	for (int s = 0; s < 2; s++)
		fprintf(out, "     $%s using 1:2 with points pt 7 ps 0.6 "
			"lc rgb '%s', \\\n", side_name[s], side_color[s]);
	fprintf(out, "     $A_OUT using 1:2 with points pt 2 ps 1.4 lw 2 "
		"lc rgb '#cc3311', \\\n"
		"     $B_OUT using 1:2 with points pt 2 ps 1.4 lw 2 "
		"lc rgb '#cc3311'\n");
	fprintf(out, "set offsets 0, 0, 0, 0\n");
}

static void plot_ratio(FILE *out, const struct view_ab *v)
{
	const struct np_stats_ab *s = v->st;
	double lo = fmin(s->ratio_lo, 1), hi = fmax(s->ratio_hi, 1);
	double pad = (hi - lo) * 0.15 + 1e-9;

	fprintf(out, "set origin 0.68, 0\nset size 0.32, 0.92\n");
	fprintf(out, "set title 'ratio of medians B/A, %g %% CI'\n",
		round(s->confidence * 1e4) / 1e2);
	fprintf(out, "set xrange [0:2]\nset xtics ('B/A' 1)\n"
		"set yrange [%.10g:%.10g]\nset xlabel ''\n", lo - pad,
		hi + pad);
	fprintf(out, "$RATIO << EOD\n1 %.10g %.10g %.10g\nEOD\n", s->ratio,
		s->ratio_lo, s->ratio_hi);
	fprintf(out, "plot 1 with lines dt 2 lw 1.5 lc rgb '#777777', \\\n"
		"     $RATIO using 1:2:3:4 with yerrorbars pt 7 ps 1.2 lw 2 "
		"lc rgb '%s'\n", s->significant ? "#cc3311" : "#555555");
}

int view_ab_plot(FILE *out, const struct view_ab *v)
{
	char verdict[512];

	view_ab_verdict(verdict, sizeof(verdict), v);
	fprintf(out, "set encoding utf8\nset termoption noenhanced\n"
		"set key off\nset bmargin 6\n");
	data_points(out, v);
	data_boxes(out, v);
	fprintf(out, "set multiplot\nset label 97 ");
	put_quoted(out, verdict, sizeof(verdict));
	fprintf(out, " at screen 0.5, screen 0.96 center\n");
	for (int s = 0; s < 2; s++) {
		fprintf(out, "set label %d '%s: ' . ", 98 + s, side_name[s]);
		put_quoted(out, v->run->cmd[s], 110);
		fprintf(out, " at screen 0.02, screen %.2f left tc rgb '%s'\n",
			0.07 - 0.04 * s, side_color[s]);
	}
	plot_distributions(out, v);
	fprintf(out, "unset label 97\nunset label 98\nunset label 99\n");
	plot_ratio(out, v);
	fprintf(out, "unset multiplot\n");
	return 0;
}
