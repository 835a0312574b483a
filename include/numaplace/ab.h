/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A/B experiments on whole commands (`numaplace ab`): run command A and
 * command B alternately, measure each run, and hand back every sample in
 * run order.  What the samples say is numaplace/stats.h's
 * np_stats_ab_compare(); this module only measures.
 *
 * A command is a string split into words as POSIX sh splits them, with
 * no expansion at all (np_ab_split()), and started with posix_spawnp
 * (PATH searched) -- or, with `shell`, given whole to /bin/sh -c.  Its
 * standard input is /dev/null.  Without a metric its output goes to
 * /dev/null; with one, its standard output and error go, merged, to a
 * pipe the library reads.
 *
 * The order: `warmup` runs of each first, A B A B ..., not measured
 * (their output is still searched for the metric, so a metric that never
 * matches stops the experiment at its first run); then `runs` of each,
 * A B A B ..., or with `shuffle` the 2 * runs measured runs in a random
 * order (a Fisher-Yates shuffle by the library's xoshiro256**, seeded
 * with `seed`: the same seed gives the same order on every machine).
 *
 * A sample is the run's wall time in seconds, CLOCK_MONOTONIC from just
 * before posix_spawn to just after waitpid (so it includes starting the
 * process, as any user of the command pays it); or, with `metric`, the
 * number the metric's first capture group matched in the run's output:
 * a POSIX extended regular expression (regcomp REG_EXTENDED |
 * REG_NEWLINE: ^ and $ match at line ends), its first match in the
 * first NP_AB_OUTPUT_MAX bytes, the group's text read by strtod (all of
 * it: "12.5", "1e9"; not "12 MB").
 *
 * A run that exits non-zero or dies of a signal stops the experiment,
 * unless `ignore_failure`: then it is measured like any other and
 * counted in failed[].
 *
 * Errors: 0 or a negative errno with one line in err and its class:
 *   -EINVAL   input: runs 0 or above NP_AB_RUNS_MAX, a command that is empty or does not split
 *             (an unbalanced quote, a trailing backslash), a metric that
 *             does not compile or has no capture group, a metric that
 *             matched nothing in a run's output or matched text that is
 *             not a number (err names the run and the side)
 *   -ENOENT   input: a command that is not found (looked up in PATH
 *             before the first run; a spawn that fails later is classed
 *             by np_fail_errno's rule)
 *   -ECANCELED system: a run exited non-zero or died of a signal (err
 *             says which run, which side, which status)
 *   -ENOMEM, other  system: pipes, /dev/null, reading the output
 * Nothing is printed; the progress callback is how a caller shows where
 * the experiment is.
 */
#ifndef NUMAPLACE_AB_H
#define NUMAPLACE_AB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <numaplace/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A run's output searched for the metric: the first this many bytes. */
#define NP_AB_OUTPUT_MAX (64u << 20)
/* At most this many measured runs, and warm-up runs, per side. */
#define NP_AB_RUNS_MAX 1000000u

enum np_ab_side { NP_AB_A = 0, NP_AB_B = 1 };

/* Where the experiment is, before each run (warm-up runs included). */
struct np_ab_progress {
	unsigned run;            /* 1-based, within the warm-up or the measured runs */
	unsigned total;          /* runs of that phase, both sides */
	enum np_ab_side side;
	bool warmup;
};

struct np_ab_opts {
	const char *cmd[2];      /* A and B, as the user wrote them */
	bool shell;              /* each given whole to /bin/sh -c */
	unsigned runs;           /* measured runs per side, >= 1 */
	unsigned warmup;         /* unmeasured runs per side before them */
	bool shuffle;            /* the measured runs in a seeded random order */
	uint64_t seed;           /* of that order */
	const char *metric;      /* NULL: wall time */
	bool ignore_failure;
	/* called before every run, NULL for none */
	void (*progress)(void *ctx, const struct np_ab_progress *p);
	void *progress_ctx;
};

struct np_ab_sample {
	enum np_ab_side side;
	double value;            /* wall seconds, or the metric */
	double wall_s;           /* wall seconds in either case */
	int status;              /* the exit status; 128 + N for signal N */
};

struct np_ab_result {
	size_t nsamples;              /* 2 * runs */
	struct np_ab_sample *samples; /* in run order */
	double *values[2];            /* per side, in run order */
	size_t n[2];                  /* runs per side */
	unsigned failed[2];           /* runs that failed (ignore_failure) */
};

/*
 * Splits `line` into words as POSIX sh does, with no expansion: blanks
 * (space, tab, newline) separate words; '...' keeps everything to the
 * next ' as it is; "..." likewise, except that a backslash before
 * $ ` " \ or a newline keeps just that character (and removes a
 * backslash-newline); outside quotes a backslash keeps the next
 * character (a backslash-newline is removed).  Quotes join the word they
 * touch: a'b'"c" is abc, '' an empty word.  $, `, *, ~, # and the
 * operators (| ; & < > ( )) are ordinary characters: nothing runs a shell.
 * *argv gets a NULL-terminated array of the words (at least one), freed
 * with np_ab_argv_free().  `what` names the line in messages ("command
 * A").  0; -EINVAL (input): an unbalanced quote, a trailing backslash,
 * no word; -ENOMEM.
 */
int np_ab_split(const char *line, const char *what, char ***argv,
		struct np_err *err);
void np_ab_argv_free(char **argv);

/*
 * Checks what np_ab_run() would refuse before running anything: runs 0,
 * a command that does not split or is not found, a metric that does not
 * compile or has no group.  0, -EINVAL or -ENOENT (input), -ENOMEM.
 */
int np_ab_check(const struct np_ab_opts *o, struct np_err *err);

/*
 * The order of the measured runs: order[i] is the side of run i, for
 * 2 * runs runs (see above).  order has room for 2 * runs.
 */
void np_ab_order(unsigned runs, bool shuffle, uint64_t seed,
		 enum np_ab_side *order);

/* A seed for `shuffle` when the user gave none: from the clock and the
 * process id, different from one call to the next. */
uint64_t np_ab_random_seed(void);

/* Runs the experiment; *out is the caller's, freed with
 * np_ab_result_free() (which takes NULL). */
int np_ab_run(const struct np_ab_opts *o, struct np_ab_result **out,
	      struct np_err *err);
void np_ab_result_free(struct np_ab_result *r);

#ifdef __cplusplus
}
#endif

#endif
