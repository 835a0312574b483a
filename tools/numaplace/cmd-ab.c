/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace ab: run two commands alternately and say whether B differs
 * from A.  The options in, the experiment (numaplace/ab.h) and the
 * comparison (numaplace/stats.h) from the library, the layouts from
 * view/view-ab*.c, the CSV through numaplace/output.h and the plot
 * through numaplace/plot.h, both written whole or not at all.
 */
#include "cli/cli.h"
#include "cli/cli-opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numaplace/ab.h>
#include <numaplace/output.h>
#include <numaplace/plot.h>
#include <numaplace/stats.h>
#include <numaplace/units.h>

#include "view/view-ab.h"

#define RUNS_DEFAULT 10        /* per side, hyperfine's least */
#define ALPHA_MAX 0.5
#define PLOT_WIDTH_PX 960
#define PLOT_HEIGHT_PX 540

void usage_ab(FILE *out)
{
	fprintf(out,
		"usage: numaplace ab [--runs N] [--warmup K] [--shuffle[=SEED]]\n"
		"                    [--metric REGEX [--higher-is-better]] [--alpha A]\n"
		"                    [--json] [--export-csv FILE] [--plot FILE]\n"
		"                    'COMMAND A' 'COMMAND B'\n"
		"\n"
		"Runs A and B alternately (A B A B ..., after the warm-up) and says\n"
		"whether B is faster or slower than A, and by how much.  Each command is\n"
		"one argument, split into words like a shell does (quotes, backslashes)\n"
		"but run without one: no $VAR, no globs, no pipes unless --shell.  A\n"
		"run's output is discarded, its standard input is /dev/null.\n"
		"\n"
		"Each run measures its wall time, or with --metric the number that the\n"
		"regular expression's first group finds in the run's output (stdout and\n"
		"stderr), e.g. --metric 'Copy: +([0-9.]+)' for a benchmark's own MB/s.\n"
		"Per side: n, median, mean, standard deviation, min, max and Tukey's\n"
		"outliers (flagged, never dropped); between them the ratio of medians\n"
		"B/A with its percentile bootstrap interval, the Mann-Whitney U test\n"
		"(two-sided), Cliff's delta, and a verdict: significant when p < alpha\n"
		"and the (1 - alpha) interval of the ratio lies on one side of 1.\n"
		"\n"
		"    -r, --runs N          runs per side (default 10, at least 2)\n"
		"    -w, --warmup K        unmeasured runs per side first (default 0)\n"
		"        --shuffle[=SEED]  the measured runs in a random order, from SEED\n"
		"                          (default: a new one, shown in the output)\n"
		"        --metric REGEX    measure the number REGEX's first ( ) matches in\n"
		"                          each run's output (POSIX extended regex)\n"
		"        --higher-is-better  with --metric: a throughput (default: lower\n"
		"                          is better, as for times)\n"
		"        --alpha A         significance level, above 0, at most 0.5\n"
		"                          (default 0.05; the interval is 1 - A)\n"
		"        --resamples N     bootstrap resamples, 10000 (the default) to\n"
		"                          1000000\n"
		"        --shell           run each command with /bin/sh -c\n"
		"        --ignore-failure  measure runs that exit non-zero too (else the\n"
		"                          first one stops the experiment)\n"
		"    -j, --json            everything as JSON, every sample in run order\n"
		"        --export-csv FILE every sample in run order as CSV\n"
		"        --plot FILE       both distributions and the interval, drawn by\n"
		"                          gnuplot into FILE.svg or FILE.png\n"
		"    -h, --help            show this help\n"
		"\n"
		"Exit status 0 whatever the verdict; 2 for bad options, a command that\n"
		"does not split or is not found, a metric that is no regular expression\n"
		"or matches nothing; 1 when a run fails or a file cannot be written.\n");
}

struct ab_cli {
	struct np_ab_opts run;
	struct np_stats_ab_opts stats;
	bool json, seed_given;
	const char *csv, *plot;
};

static int set_shuffle(const struct cli_option *opt, const char *arg)
{
	struct ab_cli *o = opt->value;
	uint64_t seed;

	o->run.shuffle = true;
	if (!arg)
		return 0;
	if (np_parse_decimal(arg, UINT64_MAX, &seed)) {
		np_err_line("ab: --shuffle=%s: the seed is a number from 0 to "
			    "%llu", arg, (unsigned long long)UINT64_MAX);
		return NP_EXIT_USAGE;
	}
	o->run.seed = seed;
	o->seed_given = true;
	return 0;
}

static int set_alpha(const struct cli_option *opt, const char *arg)
{
	struct ab_cli *o = opt->value;
	char *end;
	double a;

	errno = 0;
	a = strtod(arg, &end);
	if (end == arg || *end || errno || !(a > 0 && a <= ALPHA_MAX)) {
		np_err_line("ab: --alpha: '%s' is not a number above 0 and at "
			    "most %g", arg, ALPHA_MAX);
		return NP_EXIT_USAGE;
	}
	o->stats.alpha = a;
	return 0;
}

static enum cli_next parse_ab_opts(int argc, char **argv, struct ab_cli *o,
				   int *rc)
{
	const struct cli_option options[] = {
		CLI_UNSIGNED('r', "runs", &o->run.runs, "N", 2, NP_AB_RUNS_MAX),
		CLI_UNSIGNED('w', "warmup", &o->run.warmup, "K", 0,
			     NP_AB_RUNS_MAX),
		CLI_CALLBACK_OPTARG(0, "shuffle", o, "SEED", set_shuffle, 0),
		CLI_STRING(0, "metric", &o->run.metric, "REGEX"),
		CLI_FLAG(0, "higher-is-better", &o->stats.higher_is_better),
		CLI_CALLBACK(0, "alpha", o, "A", set_alpha, 0),
		CLI_UNSIGNED(0, "resamples", &o->stats.resamples, "N",
			     NP_STATS_AB_RESAMPLES, 1000000),
		CLI_FLAG(0, "shell", &o->run.shell),
		CLI_FLAG(0, "ignore-failure", &o->run.ignore_failure),
		CLI_FLAG('j', "json", &o->json),
		CLI_STRING(0, "export-csv", &o->csv, "FILE"),
		CLI_STRING(0, "plot", &o->plot, "FILE"),
		CLI_END(),
	};
	const struct cli_parser parser = { "ab", usage_ab, options, 0 };
	int first;

	if (cli_parse_options(&parser, argc, argv, &first, rc) == CLI_EXIT)
		return CLI_EXIT;
	*rc = NP_EXIT_USAGE;
	if (argc - first < 2) {
		np_err_line("ab: needs two commands, A and B, each one argument "
			    "(see 'numaplace ab --help')");
		return CLI_EXIT;
	}
	if (argc - first > 2) {
		np_err_line("ab: unexpected argument '%s' (quote each command "
			    "as one argument)", argv[first + 2]);
		return CLI_EXIT;
	}
	if (o->stats.higher_is_better && !o->run.metric) {
		np_err_line("ab: --higher-is-better needs --metric: wall time "
			    "is lower-is-better");
		return CLI_EXIT;
	}
	o->run.cmd[0] = argv[first];
	o->run.cmd[1] = argv[first + 1];
	*rc = 0;
	return CLI_CONTINUE;
}

/* "ab: --plot: <why>": one line, the exit code by the error's class. */
static int refuse(const char *opt, const struct np_err *err)
{
	np_err_line("ab: %s%s%s", opt ? opt : "", opt ? ": " : "", err->msg);
	return np_exit_code(err);
}

/* Everything that can be refused is refused before the first run. */
static int check_before_running(struct ab_cli *o)
{
	struct np_err err = { 0 };

	if (np_ab_check(&o->run, &err))
		return refuse(NULL, &err);
	if (o->csv && np_output_check(o->csv, &err))
		return refuse("--export-csv", &err);
	if (o->plot && (np_plot_check_path(o->plot, &err) ||
			np_output_check(o->plot, &err) ||
			np_plot_available(&err)))
		return refuse("--plot", &err);
	if (o->run.shuffle && !o->seed_given)
		o->run.seed = np_ab_random_seed();
	return 0;
}

/* On a terminal only: "ab: run 7 of 20 (B)", rewritten in place. */
static void show_progress(void *ctx, const struct np_ab_progress *p)
{
	(void)ctx;
	fprintf(stderr, "\r\033[Kab: %srun %u of %u (%s)", p->warmup ?
		"warm-up " : "", p->run, p->total, p->side ? "B" : "A");
}

static void clear_progress(const struct ab_cli *o)
{
	if (o->run.progress)
		fputs("\r\033[K", stderr);
}

/* The layouts, for np_render (ctx is the struct view_ab). */
static int text_view(FILE *f, const void *ctx)
{
	return view_ab_text(f, ctx);
}

static int json_view(FILE *f, const void *ctx)
{
	return view_ab_json(f, ctx);
}

static int csv_view(FILE *f, const void *ctx)
{
	return view_ab_csv(f, ctx);
}

static int plot_view(FILE *f, const void *ctx)
{
	return view_ab_plot(f, ctx);
}

/* All rendered first; then the plot, the CSV, stdout: each file whole
 * or absent, and nothing on stdout when a file failed. */
static int write_outputs(const struct ab_cli *o, const struct view_ab *v)
{
	char *out = NULL, *csv = NULL, *plot = NULL;
	size_t out_len = 0, csv_len = 0, plot_len = 0;
	struct np_err err = { 0 };
	int rc;

	rc = np_render("ab", o->json ? json_view : text_view, v, &out,
		       &out_len);
	if (!rc && o->csv)
		rc = np_render("ab: --export-csv", csv_view, v, &csv, &csv_len);
	if (!rc && o->plot)
		rc = np_render("ab: --plot", plot_view, v, &plot, &plot_len);
	if (rc)
		goto out;
	if (o->plot && np_plot_render(plot, plot_len, o->plot, PLOT_WIDTH_PX,
				      PLOT_HEIGHT_PX, &err))
		rc = refuse("--plot", &err);
	else if (o->csv && np_output_replace(o->csv, csv, csv_len, &err))
		rc = refuse("--export-csv", &err);
	else
		rc = np_emit(out, out_len);
out:
	free(out);
	free(csv);
	free(plot);
	return rc;
}

static int run_ab(struct ab_cli *o)
{
	struct np_ab_result *res = NULL;
	struct np_err err = { 0 };
	struct np_stats_ab st;
	int e, rc;

	e = np_ab_run(&o->run, &res, &err);
	clear_progress(o);
	if (!e)
		e = np_stats_ab_compare(res->values[0], res->n[0],
					res->values[1], res->n[1], &o->stats,
					&st, &err);
	if (e) {
		np_err_line("ab: %s%s", err.msg, e == -ECANCELED ?
			    " (--ignore-failure measures failed runs too)" : "");
		np_ab_result_free(res);
		return np_exit_code(&err);
	}
	rc = write_outputs(o, &(struct view_ab){ &o->run, res, &st,
		o->stats.alpha, o->stats.higher_is_better });
	np_ab_result_free(res);
	return rc;
}

int cmd_ab(int argc, char **argv)
{
	struct ab_cli o = {
		.run = { .runs = RUNS_DEFAULT },
		.stats = {
			.alpha = 0.05, .resamples = NP_STATS_AB_RESAMPLES,
			.seed = NP_STATS_AB_SEED,
		},
	};
	int rc;

	if (parse_ab_opts(argc, argv, &o, &rc) == CLI_EXIT)
		return rc;
	rc = check_before_running(&o);
	if (rc)
		return rc;
	if (isatty(STDERR_FILENO))
		o.run.progress = show_progress;
	return run_ab(&o);
}
