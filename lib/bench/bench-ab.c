/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The A/B experiment (include/numaplace/ab.h): the run order, each run
 * spawned and timed, its output searched for the metric.
 */
#include <numaplace/ab.h>

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/util-err.h"
#include "util/util-rand.h"
#include "util/util-spawn.h"

extern char **environ;

static const char *const side_name[2] = { "A", "B" };

/* What one experiment holds while it runs. */
struct ab {
	const struct np_ab_opts *o;
	char **argv[2];
	regex_t re;
	bool have_re;
	char *out;            /* the last run's output, NUL-terminated */
	size_t out_cap;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- checking the options ---- */

static int compile_metric(const char *metric, regex_t *re, struct np_err *err)
{
	char why[256];
	int rc = regcomp(re, metric, REG_EXTENDED | REG_NEWLINE);

	if (rc) {
		regerror(rc, re, why, sizeof(why));
		regfree(re);
		return np_fail_input(err, -EINVAL, "the metric '%s' is not a "
				     "regular expression: %s", metric, why);
	}
	if (re->re_nsub < 1) {
		regfree(re);
		return np_fail_input(err, -EINVAL, "the metric '%s' has no "
				     "capture group: put the number in ( )",
				     metric);
	}
	return 0;
}

/* The words of side s: split, or /bin/sh -c and the string whole. */
static int command_argv(const struct np_ab_opts *o, int s, char ***argv,
			struct np_err *err)
{
	char what[16];
	char **v;

	snprintf(what, sizeof(what), "command %s", side_name[s]);
	if (!o->shell)
		return np_ab_split(o->cmd[s], what, argv, err);
	if (!o->cmd[s][strspn(o->cmd[s], " \t\n")])
		return np_fail_input(err, -EINVAL, "%s is empty", what);
	v = calloc(4, sizeof(char *));
	if (!v)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	v[0] = strdup("/bin/sh");
	v[1] = strdup("-c");
	v[2] = strdup(o->cmd[s]);
	if (!v[0] || !v[1] || !v[2]) {
		np_ab_argv_free(v);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	*argv = v;
	return 0;
}

static void ab_release(struct ab *ab)
{
	np_ab_argv_free(ab->argv[0]);
	np_ab_argv_free(ab->argv[1]);
	if (ab->have_re)
		regfree(&ab->re);
	free(ab->out);
}

static int ab_prepare(struct ab *ab, const struct np_ab_opts *o,
		      struct np_err *err)
{
	int e = 0;

	memset(ab, 0, sizeof(*ab));
	ab->o = o;
	if (o->runs == 0)
		return np_fail_input(err, -EINVAL, "no runs: at least one per "
				     "side is needed");
	if (o->runs > NP_AB_RUNS_MAX || o->warmup > NP_AB_RUNS_MAX)
		return np_fail_input(err, -EINVAL, "at most %u runs and %u "
				     "warm-up runs per side", NP_AB_RUNS_MAX,
				     NP_AB_RUNS_MAX);
	for (int s = 0; s < 2 && !e; s++) {
		e = command_argv(o, s, &ab->argv[s], err);
		if (!e && np_spawn_find(ab->argv[s][0]))
			e = np_fail_input(err, -ENOENT, "command %s: '%s' is not "
					  "found%s", side_name[s],
					  ab->argv[s][0],
					  strchr(ab->argv[s][0], '/') ? "" :
					  " in PATH");
	}
	if (!e && o->metric) {
		e = compile_metric(o->metric, &ab->re, err);
		ab->have_re = !e;
	}
	if (e)
		ab_release(ab);
	return e;
}

int np_ab_check(const struct np_ab_opts *o, struct np_err *err)
{
	struct ab ab;
	int e = ab_prepare(&ab, o, err);

	if (!e)
		ab_release(&ab);
	return e;
}

/* ---- the order ---- */

void np_ab_order(unsigned runs, bool shuffle, uint64_t seed,
		 enum np_ab_side *order)
{
	size_t n = 2 * (size_t)runs;
	struct np_rand rng;

	for (size_t i = 0; i < n; i++)
		order[i] = i % 2 ? NP_AB_B : NP_AB_A;
	if (!shuffle)
		return;
	np_rand_seed(&rng, seed);
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)np_rand_below(&rng, i);
		enum np_ab_side t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

uint64_t np_ab_random_seed(void)
{
	static atomic_uint calls;   /* two calls in one nanosecond differ */
	struct timespec t;
	struct np_rand rng;

	clock_gettime(CLOCK_REALTIME, &t);
	np_rand_seed(&rng, (uint64_t)t.tv_sec * 1000000000u ^
		     (uint64_t)t.tv_nsec ^ (uint64_t)getpid() << 32 ^
		     atomic_fetch_add(&calls, 1));
	return np_rand_next(&rng);
}

/* ---- one run ---- */

/* fd moved to 3 or above (close-on-exec), so that placing it on 1 and 2
 * in the child cannot collide with 0, 1 or 2 of a caller that closed its
 * own; -errno, and fd closed, on failure. */
static int above_stdio(int fd)
{
	int moved;

	if (fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	moved = moved < 0 ? -errno : moved;
	close(fd);
	return moved;
}

/* Standard input /dev/null; output to out_fd, or /dev/null when it is
 * -1; nothing else of ours; signals as a fresh process has them. */
static int spawn(char **argv, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int e;

	e = posix_spawn_file_actions_init(&fa);
	if (e)
		return e;
	e = posix_spawnattr_init(&attr);
	if (e) {
		posix_spawn_file_actions_destroy(&fa);
		return e;
	}
	e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!e && out_fd < 0)
		e = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
						     O_WRONLY, 0);
	if (!e && out_fd >= 0)
		e = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (!e)
		e = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (!e)
		e = np_spawnattr_clean(&attr, NULL);
	if (!e)
		e = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return e;
}

/* Everything the child writes, the first NP_AB_OUTPUT_MAX bytes kept
 * (NULs as newlines, so the regex sees all of it), the rest drained. */
static int read_output(struct ab *ab, int fd)
{
	size_t len = 0;
	char drain[4096];

	for (;;) {
		bool keep = len < NP_AB_OUTPUT_MAX;
		ssize_t got;

		if (keep && ab->out_cap - len < 2) {
			size_t cap = ab->out_cap ? 2 * ab->out_cap : 65536;
			char *p = realloc(ab->out, cap);

			if (!p)
				return -ENOMEM;
			ab->out = p;
			ab->out_cap = cap;
		}
		got = keep ? read(fd, ab->out + len, ab->out_cap - len - 1)
			   : read(fd, drain, sizeof(drain));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			break;
		if (keep)
			len += (size_t)got;
	}
	if (len > NP_AB_OUTPUT_MAX)
		len = NP_AB_OUTPUT_MAX;
	for (size_t i = 0; i < len; i++)
		if (!ab->out[i])
			ab->out[i] = '\n';
	ab->out[len] = 0;
	return 0;
}

static int status_of(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

/* A pipe for the child's output, both ends above stdio. */
static int output_pipe(int fds[2], struct np_err *err)
{
	if (pipe2(fds, O_CLOEXEC))
		return np_fail_sys(err, -errno, "pipe: %s", strerror(errno));
	fds[0] = above_stdio(fds[0]);
	fds[1] = above_stdio(fds[1]);
	if (fds[0] >= 0 && fds[1] >= 0)
		return 0;
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return np_fail_sys(err, fds[0] < 0 ? fds[0] : fds[1], "pipe: %s",
			   strerror(-(fds[0] < 0 ? fds[0] : fds[1])));
}

/* Runs argv once: its wall time and status; its output in ab->out when
 * there is a metric.  `where` names the run in messages. */
static int run_once(struct ab *ab, char **argv, const char *where,
		    double *wall_s, int *wstatus, struct np_err *err)
{
	int fds[2] = { -1, -1 }, e;
	double t0;
	pid_t pid;

	if (ab->have_re && (e = output_pipe(fds, err)))
		return e;
	t0 = now_s();
	e = -spawn(argv, fds[1], &pid);
	if (fds[1] >= 0)
		close(fds[1]);
	if (e) {
		if (fds[0] >= 0)
			close(fds[0]);
		return np_fail_errno(err, e, "%s: cannot run '%s': %s", where,
				     argv[0], strerror(-e));
	}
	if (fds[0] >= 0) {
		e = read_output(ab, fds[0]);
		/* before waiting: a child still writing gets EPIPE */
		close(fds[0]);
	}
	while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
		;
	*wall_s = now_s() - t0;
	if (e)
		return np_fail_sys(err, e, "%s: reading its output: %s", where,
				   strerror(-e));
	return 0;
}

/* The metric's number in ab->out. */
static int metric_value(const struct ab *ab, const char *where, double *v,
			struct np_err *err)
{
	const char *metric = ab->o->metric;
	regmatch_t m[2];
	char text[64], *end;
	size_t len;

	if (regexec(&ab->re, ab->out, 2, m, 0) || m[1].rm_so < 0)
		return np_fail_input(err, -EINVAL, "the metric '%s' matches "
				     "nothing in the output of %s", metric,
				     where);
	len = (size_t)(m[1].rm_eo - m[1].rm_so);
	snprintf(text, sizeof(text), "%.*s", (int)len, ab->out + m[1].rm_so);
	errno = 0;
	*v = strtod(text, &end);
	if (!len || len >= sizeof(text) || *end || errno == ERANGE)
		return np_fail_input(err, -EINVAL, "the metric '%s' found "
				     "'%.40s' in the output of %s: not a number",
				     metric, text, where);
	return 0;
}

static void describe_failure(const struct ab *ab, int s, int wstatus,
			     const char *where, struct np_err *err)
{
	if (WIFSIGNALED(wstatus))
		np_fail_sys(err, -ECANCELED, "%s: '%s' was killed by signal %d "
			    "(%s)", where, ab->o->cmd[s], WTERMSIG(wstatus),
			    strsignal(WTERMSIG(wstatus)));
	else
		np_fail_sys(err, -ECANCELED, "%s: '%s' exited with status %d",
			    where, ab->o->cmd[s], WEXITSTATUS(wstatus));
}

/* Run number `run` of `total` of the phase, on side s. */
static int measure(struct ab *ab, int s, unsigned run, unsigned total,
		   bool warmup, struct np_ab_sample *out, struct np_err *err)
{
	struct np_ab_progress p = { run, total, (enum np_ab_side)s, warmup };
	char where[64];
	int wstatus = 0, e;

	snprintf(where, sizeof(where), "%srun %u of %u (%s)",
		 warmup ? "warm-up " : "", run, total, side_name[s]);
	if (ab->o->progress)
		ab->o->progress(ab->o->progress_ctx, &p);
	out->side = (enum np_ab_side)s;
	e = run_once(ab, ab->argv[s], where, &out->wall_s, &wstatus, err);
	if (e)
		return e;
	out->status = status_of(wstatus);
	if (out->status && !ab->o->ignore_failure) {
		describe_failure(ab, s, wstatus, where, err);
		return -ECANCELED;
	}
	out->value = out->wall_s;
	if (ab->have_re)
		return metric_value(ab, where, &out->value, err);
	return 0;
}

static int alloc_result(unsigned runs, struct np_ab_result **out)
{
	struct np_ab_result *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	*out = r;
	r->nsamples = 2 * (size_t)runs;
	r->samples = calloc(r->nsamples, sizeof(*r->samples));
	r->values[0] = calloc(runs, sizeof(double));
	r->values[1] = calloc(runs, sizeof(double));
	return r->samples && r->values[0] && r->values[1] ? 0 : -ENOMEM;
}

static int experiment(struct ab *ab, struct np_ab_result *r,
		      enum np_ab_side *order, struct np_err *err)
{
	const struct np_ab_opts *o = ab->o;
	unsigned warm_total = 2 * o->warmup;
	struct np_ab_sample ignored;
	int e = 0;

	for (unsigned i = 0; i < warm_total && !e; i++)
		e = measure(ab, i % 2, i + 1, warm_total, true, &ignored, err);
	for (size_t i = 0; i < r->nsamples && !e; i++) {
		struct np_ab_sample *smp = &r->samples[i];

		e = measure(ab, order[i], (unsigned)i + 1,
			    (unsigned)r->nsamples, false, smp, err);
		if (e)
			break;
		r->values[smp->side][r->n[smp->side]++] = smp->value;
		r->failed[smp->side] += smp->status != 0;
	}
	return e;
}

int np_ab_run(const struct np_ab_opts *o, struct np_ab_result **out,
	      struct np_err *err)
{
	struct np_ab_result *r = NULL;
	enum np_ab_side *order = NULL;
	struct np_err ignored;
	struct ab ab;
	int e;

	if (!err)
		err = &ignored;   /* the runs' messages need somewhere to go */
	e = ab_prepare(&ab, o, err);
	if (e)
		return e;
	order = calloc(2 * (size_t)o->runs, sizeof(*order));
	if (!order || alloc_result(o->runs, &r)) {
		e = np_fail_sys(err, -ENOMEM, "out of memory");
		goto out;
	}
	np_ab_order(o->runs, o->shuffle, o->seed, order);
	e = experiment(&ab, r, order, err);
out:
	free(order);
	ab_release(&ab);
	if (e) {
		np_ab_result_free(r);
		return e;
	}
	*out = r;
	return 0;
}

void np_ab_result_free(struct np_ab_result *r)
{
	if (!r)
		return;
	free(r->samples);
	free(r->values[0]);
	free(r->values[1]);
	free(r);
}
