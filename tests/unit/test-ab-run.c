/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The A/B runner (lib/bench/bench-ab.c, bench-ab-split.c) and the output
 * files `ab` writes through (lib/util/util-output.c, util-plot.c): word
 * splitting, the run order, real runs of real commands, the metric,
 * failures, and files that are whole or absent.
 *
 * The expected words were checked against dash, which performs the same
 * quote removal when the string has nothing to expand:
 *   sh -c 'eval "set -- $1"; for a; do printf "[%s]" "$a"; done' sh LINE
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <numaplace/ab.h>
#include <numaplace/output.h>
#include <numaplace/plot.h>

/* "[a][b]" for the words of line, split as command A. */
static void words(const char *line, char *buf, size_t len)
{
	struct np_err err = { 0 };
	char **argv = NULL;
	size_t used = 0;

	if (np_ab_split(line, "command A", &argv, &err))
		fail_msg("np_ab_split(%s): %s", line, err.msg);
	buf[0] = 0;
	for (char **a = argv; *a; a++)
		used += (size_t)snprintf(buf + used, len - used, "[%s]", *a);
	np_ab_argv_free(argv);
}

static void expect_words(const char *line, const char *want)
{
	char got[256];

	words(line, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("%s: %s, expected %s", line, got, want);
}

static void test_split(void **state)
{
	(void)state;
	expect_words("a b  c", "[a][b][c]");
	expect_words(" \tsleep\t0.1 \n", "[sleep][0.1]");
	expect_words("'a b' c", "[a b][c]");
	expect_words("a'b'\"c\"d", "[abcd]");
	expect_words("''", "[]");
	expect_words("x '' y", "[x][][y]");
	expect_words("\"a \\\"b\\\" \\\\c \\$d\"", "[a \"b\" \\c $d]");
	/* a backslash before any other character stays, inside "..." */
	expect_words("\"a\\b\"", "[a\\b]");
	expect_words("a\\ b", "[a b]");
	expect_words("a\\\\b", "[a\\b]");
	expect_words("'it''s'", "[its]");
	expect_words("\"single ' inside\"", "[single ' inside]");
	expect_words("'double \" inside'", "[double \" inside]");
	expect_words("'back\\slash'", "[back\\slash]");
	expect_words("cont\\\ninued", "[continued]");
	/* nothing is expanded or interpreted */
	expect_words("echo $HOME * ~ `x` a|b;c # d",
		     "[echo][$HOME][*][~][`x`][a|b;c][#][d]");
}

static void expect_split_error(const char *line, const char *msg)
{
	struct np_err err = { 0 };
	char **argv = NULL;

	assert_int_equal(np_ab_split(line, "command B", &argv, &err), -EINVAL);
	assert_null(argv);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, msg);
}

static void test_split_errors(void **state)
{
	(void)state;
	expect_split_error("echo 'hi", "command B: the ' at character 6 is "
			   "never closed");
	expect_split_error("a \"b 'c' d", "command B: the \" at character 3 "
			   "is never closed");
	expect_split_error("\"a\\\"", "command B: the \" at character 1 is "
			   "never closed");
	expect_split_error("echo x\\", "command B ends in a backslash");
	expect_split_error("", "command B is empty");
	expect_split_error(" \t\n", "command B is empty");
}

static void test_order(void **state)
{
	enum np_ab_side o[40], o2[40], o3[40];
	unsigned count[2] = { 0, 0 };

	(void)state;
	np_ab_order(5, false, 0, o);
	for (int i = 0; i < 10; i++)
		assert_int_equal(o[i], i % 2 ? NP_AB_B : NP_AB_A);
	np_ab_order(20, true, 7, o);
	np_ab_order(20, true, 7, o2);
	np_ab_order(20, true, 8, o3);
	assert_memory_equal(o, o2, sizeof(o));
	assert_memory_not_equal(o, o3, sizeof(o));
	for (int i = 0; i < 40; i++)
		count[o[i]]++;
	assert_int_equal(count[0], 20);
	assert_int_equal(count[1], 20);
	/* not the alternation any more */
	np_ab_order(20, false, 0, o2);
	assert_memory_not_equal(o, o2, sizeof(o));
	assert_int_not_equal(np_ab_random_seed(), np_ab_random_seed());
}

struct seen {
	unsigned calls, warmups;
	char sides[64];
};

static void progress(void *ctx, const struct np_ab_progress *p)
{
	struct seen *s = ctx;

	s->warmups += p->warmup;
	if (!p->warmup && s->calls - s->warmups < sizeof(s->sides) - 1)
		s->sides[p->run - 1] = p->side ? 'B' : 'A';
	s->calls++;
}

static void test_run_metric(void **state)
{
	struct seen seen = { 0 };
	struct np_ab_opts o = {
		.cmd = { "sh -c 'echo noise; echo \"rate: 100.5 MB/s\"'",
			 "printf 'x\\0rate: 2e2\\n' " },
		.runs = 3, .warmup = 1,
		.metric = "^rate: ([0-9.e]+)",
		.progress = progress, .progress_ctx = &seen,
	};
	struct np_err err = { 0 };
	struct np_ab_result *r = NULL;

	(void)state;
	if (np_ab_run(&o, &r, &err))
		fail_msg("np_ab_run: %s", err.msg);
	assert_int_equal(r->nsamples, 6);
	assert_int_equal(r->n[0], 3);
	assert_int_equal(r->n[1], 3);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(r->samples[i].side, i % 2);
		assert_true(r->samples[i].value == (i % 2 ? 200 : 100.5));
		assert_true(r->samples[i].wall_s > 0);
		assert_int_equal(r->samples[i].status, 0);
	}
	assert_true(r->values[0][2] == 100.5 && r->values[1][0] == 200);
	assert_int_equal(seen.calls, 8);
	assert_int_equal(seen.warmups, 2);
	assert_string_equal(seen.sides, "ABABAB");
	np_ab_result_free(r);
}

static void test_run_wall_time_and_shell(void **state)
{
	struct np_ab_opts o = {
		.cmd = { "sleep 0.001", "sleep 0.03; test -n \"$HOME$PATH\"" },
		.shell = true, .runs = 2, .shuffle = true, .seed = 3,
	};
	struct np_ab_result *r = NULL;
	struct np_err err = { 0 };

	(void)state;
	if (np_ab_run(&o, &r, &err))
		fail_msg("np_ab_run: %s", err.msg);
	for (size_t i = 0; i < r->nsamples; i++) {
		const struct np_ab_sample *s = &r->samples[i];

		assert_true(s->value == s->wall_s);
		if (s->side == NP_AB_B)
			assert_true(s->wall_s >= 0.03);
	}
	np_ab_result_free(r);
}

static const struct run_error {
	const char *a, *b, *metric;
	unsigned runs, warmup;
	int code;
	enum np_err_class cls;
	const char *msg;          /* what err.msg starts with */
} run_errors[] = {
	{ "true", "false", NULL, 2, 0, -ECANCELED, NP_ERR_SYSTEM,
	  "run 2 of 4 (B): 'false' exited with status 1" },
	{ "true", "sh -c 'kill -TERM $$'", NULL, 2, 0, -ECANCELED,
	  NP_ERR_SYSTEM, "run 2 of 4 (B): 'sh -c 'kill -TERM $$'' was killed "
	  "by signal 15" },
	{ "true", "no-such-command-numaplace", NULL, 2, 0, -ENOENT,
	  NP_ERR_INPUT, "command B: 'no-such-command-numaplace' is not found "
	  "in PATH" },
	{ "./no/such/file", "true", NULL, 2, 0, -ENOENT, NP_ERR_INPUT,
	  "command A: './no/such/file' is not found" },
	{ "true", "echo 'x", NULL, 2, 0, -EINVAL, NP_ERR_INPUT,
	  "command B: the ' at character 6 is never closed" },
	{ "true", "true", NULL, 0, 0, -EINVAL, NP_ERR_INPUT, "no runs" },
	{ "true", "true", NULL, NP_AB_RUNS_MAX + 1, 0, -EINVAL, NP_ERR_INPUT,
	  "at most" },
	{ "true", "true", "rate: [0-9]+", 2, 0, -EINVAL, NP_ERR_INPUT,
	  "the metric 'rate: [0-9]+' has no capture group" },
	{ "true", "true", "rate: ([0-9]+", 2, 0, -EINVAL, NP_ERR_INPUT,
	  "the metric 'rate: ([0-9]+' is not a regular expression: " },
	{ "true", "true", "rate: ([0-9]+)", 2, 1, -EINVAL, NP_ERR_INPUT,
	  "the metric 'rate: ([0-9]+)' matches nothing in the output of "
	  "warm-up run 1 of 2 (A)" },
	{ "echo rate", "true", "(r.*)", 2, 0, -EINVAL, NP_ERR_INPUT,
	  "the metric '(r.*)' found 'rate' in the output of run 1 of 4 (A): "
	  "not a number" },
};

static void test_run_errors(void **state)
{
	struct np_ab_opts o = { .cmd = { "true", "false" }, .runs = 2,
				.ignore_failure = true };
	struct np_ab_result *r = NULL;
	struct np_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(run_errors) / sizeof(run_errors[0]); i++) {
		const struct run_error *t = &run_errors[i];
		struct np_ab_opts bad = {
			.cmd = { t->a, t->b }, .metric = t->metric,
			.runs = t->runs, .warmup = t->warmup,
		};

		r = NULL;
		memset(&err, 0, sizeof(err));
		assert_int_equal(np_ab_run(&bad, &r, &err), t->code);
		assert_null(r);
		assert_int_equal(err.cls, t->cls);
		if (strncmp(err.msg, t->msg, strlen(t->msg)))
			fail_msg("message '%s', expected it to start '%s'",
				 err.msg, t->msg);
	}
	/* a failed run is measured with ignore_failure */
	assert_int_equal(np_ab_run(&o, &r, &err), 0);
	assert_int_equal(r->failed[0], 0);
	assert_int_equal(r->failed[1], 2);
	assert_int_equal(r->samples[1].status, 1);
	np_ab_result_free(r);
	/* np_ab_check refuses what np_ab_run would, running nothing */
	o.cmd[0] = "touch /nonexistent-dir/x '";
	assert_int_equal(np_ab_check(&o, &err), -EINVAL);
}

/* ---- output files ---- */

static char dir[PATH_MAX];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/np-ab-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The files in dir, "a b " */
static void list_dir(char *buf, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t used = 0;

	buf[0] = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			used += (size_t)snprintf(buf + used, len - used, "%s ",
						 e->d_name);
	closedir(d);
}

static void test_output_replace(void **state)
{
	char path[PATH_MAX], buf[64], names[256];
	struct np_err err = { 0 };
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/out.csv", dir);
	assert_int_equal(np_output_check(path, &err), 0);
	list_dir(names, sizeof(names));
	assert_string_equal(names, "");           /* the probe is gone */
	assert_int_equal(np_output_replace(path, "a,b\n1,2\n", 8, &err), 0);
	assert_int_equal(np_output_replace(path, "x\n", 2, &err), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "x\n");
	list_dir(names, sizeof(names));
	assert_string_equal(names, "out.csv ");

	assert_int_equal(np_output_check(dir, &err), -EISDIR);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	snprintf(path, sizeof(path), "%s/no/such/dir.csv", dir);
	assert_int_equal(np_output_replace(path, "x", 1, &err), -ENOENT);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_int_equal(np_output_check(path, &err), -ENOENT);
}

/* What `ab --plot` relies on: gnuplot found (or not) before the run, a
 * plot drawn whole, and nothing left when gnuplot refuses the script. */
static void test_output_plot(void **state)
{
	const char script[] = "set xrange [0:1]\nplot x\n";
	const char bad[] = "plot $NO_SUCH_BLOCK using 1:2\n";
	char path[PATH_MAX], names[256], head[8] = { 0 };
	const char *saved = getenv("PATH");
	char *keep = strdup(saved ? saved : "/usr/bin:/bin");
	struct np_err err = { 0 };
	FILE *f;

	(void)state;
	assert_int_equal(np_plot_available(&err), 0);
	setenv("PATH", dir, 1);                  /* no gnuplot there */
	assert_int_equal(np_plot_available(&err), -ENOENT);
	assert_int_equal(err.cls, NP_ERR_SYSTEM);
	assert_string_equal(err.msg, "gnuplot: not installed (Debian: "
			    "gnuplot-nox)");
	setenv("PATH", keep, 1);
	free(keep);

	snprintf(path, sizeof(path), "%s/p.png", dir);
	if (np_plot_render(script, strlen(script), path, 200, 100, &err))
		fail_msg("np_plot_render: %s", err.msg);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 4, f), 4);
	fclose(f);
	assert_memory_equal(head, "\x89PNG", 4);
	unlink(path);

	snprintf(path, sizeof(path), "%s/bad.svg", dir);
	assert_int_equal(np_plot_render(bad, strlen(bad), path, 200, 100, &err),
			 -EIO);
	assert_int_equal(err.cls, NP_ERR_SYSTEM);
	list_dir(names, sizeof(names));
	assert_string_equal(names, "out.csv ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_run_metric),
		cmocka_unit_test(test_run_wall_time_and_shell),
		cmocka_unit_test(test_run_errors),
		cmocka_unit_test(test_output_replace),
		cmocka_unit_test(test_output_plot),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
