/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmdtime: wall time of whole commands, interleaved so that a noisy shared
 * machine slows every contender alike.
 *
 *   cmdtime [-n ROUNDS] [-w WARMUP] -- CMD1 ARGS ::: CMD2 ARGS [::: ...]
 *
 * Each round runs every command once (stdout and stderr to /dev/null);
 * reports per command the median, p10 and p90 in ms, and the ratio of its
 * median to the first command's (the peer).  A command that exits
 * non-zero is an error: a benchmark of a failing command measures nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CMDS 8

struct contender {
	char **argv;
	double *ms;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int run_once(char **argv, double *ms)
{
	posix_spawn_file_actions_t fa;
	double t0;
	pid_t pid;
	int st, e;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now_ms();
	e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e) {
		fprintf(stderr, "cmdtime: %s: %s\n", argv[0], strerror(e));
		return -1;
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	*ms = now_ms() - t0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "cmdtime: %s: failed (status %d)\n", argv[0], st);
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double quantile(const double *sorted, int n, double q)
{
	return sorted[(int)(q * (n - 1) + 0.5)];
}

static int split(int argc, char **argv, struct contender *c)
{
	int n = 0;

	c[n++].argv = argv;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], ":::") != 0)
			continue;
		argv[i] = NULL;
		if (n == MAX_CMDS || i + 1 >= argc)
			return -1;
		c[n++].argv = &argv[i + 1];
	}
	return n;
}

int main(int argc, char **argv)
{
	struct contender c[MAX_CMDS] = { { 0 } };
	int rounds = 200, warmup = 10, opt, n;
	double peer = 0;

	while ((opt = getopt(argc, argv, "+n:w:")) != -1) {
		if (opt == 'n')
			rounds = atoi(optarg);
		else if (opt == 'w')
			warmup = atoi(optarg);
		else
			return 2;
	}
	if (optind >= argc || rounds < 1 || warmup < 0) {
		fprintf(stderr, "usage: cmdtime [-n ROUNDS] [-w WARMUP] -- CMD ARGS ::: CMD ARGS ...\n");
		return 2;
	}
	n = split(argc - optind, argv + optind, c);
	if (n < 1) {
		fprintf(stderr, "cmdtime: empty command after ':::'\n");
		return 2;
	}
	for (int k = 0; k < n; k++)
		if (!(c[k].ms = calloc((size_t)rounds, sizeof(double))))
			return 1;
	for (int r = -warmup; r < rounds; r++)
		for (int k = 0; k < n; k++) {
			double ms;

			if (run_once(c[k].argv, &ms))
				return 1;
			if (r >= 0)
				c[k].ms[r] = ms;
		}
	printf("%-44s %9s %9s %9s %7s\n", "command", "median_ms", "p10_ms",
	       "p90_ms", "ratio");
	for (int k = 0; k < n; k++) {
		char name[256] = "";

		for (char **a = c[k].argv; *a; a++)
			snprintf(name + strlen(name), sizeof(name) - strlen(name),
				 "%s%s", a == c[k].argv ? "" : " ", *a);
		qsort(c[k].ms, (size_t)rounds, sizeof(double), cmp_double);
		if (k == 0)
			peer = quantile(c[k].ms, rounds, 0.5);
		printf("%-44.44s %9.3f %9.3f %9.3f %7.3f\n", name,
		       quantile(c[k].ms, rounds, 0.5),
		       quantile(c[k].ms, rounds, 0.1),
		       quantile(c[k].ms, rounds, 0.9),
		       quantile(c[k].ms, rounds, 0.5) / peer);
	}
	return 0;
}
