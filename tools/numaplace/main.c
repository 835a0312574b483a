/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace: the command table and dispatch (git/bpftool style). */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmd_help(int argc, char **argv);
static void usage_help(FILE *out);

const struct np_cmd np_commands[] = {
	{ "topo", cmd_topo, usage_topo,
	  "show the NUMA topology (numactl -H layout, --json, -v)" },
	{ "where", cmd_where, usage_where,
	  "where a process's memory is, per node and kind, and why" },
	{ "run", cmd_run, usage_run,
	  "run a command under a memory policy (numactl's options)" },
	{ "stat", cmd_stat, usage_stat,
	  "per-node NUMA counters and memory (numastat layout)" },
	{ "lab", cmd_lab, usage_lab,
	  "run a command on an emulated NUMA machine (QEMU)" },
	{ "frames", cmd_frames, usage_frames,
	  "allocate node-placed frames under a policy, verified, with counters" },
	{ "bench", cmd_bench, usage_bench,
	  "benchmarks: frame allocation against numa_alloc_onnode and malloc" },
	{ "ab", cmd_ab, usage_ab,
	  "run two commands alternately: is B faster than A, and by how much" },
	{ "plan", cmd_plan, usage_plan,
	  "fit VMs to NUMA nodes: nodes, pins, guest NUMA cells (JSON, table)" },
	{ "vms", cmd_vms, usage_vms,
	  "running VMs: where their vCPUs and guest memory are, and a verdict" },
	{ "apply", cmd_apply, usage_apply,
	  "pin a running QEMU's vCPUs and move its memory, in bounded batches" },
	{ "help", cmd_help, usage_help, "show help for a command" },
	{ NULL, NULL, NULL, NULL },
};

static void usage_main(FILE *out)
{
	fprintf(out, "usage: numaplace [--version] [--help] <command> [<args>]\n"
		"\nPlace memory and virtual machines on NUMA nodes, and prove "
		"where they landed.\n\ncommands:\n");
	for (const struct np_cmd *c = np_commands; c->name; c++)
		fprintf(out, "   %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'numaplace help <command>' or 'numaplace <command> "
		"--help' shows a command's options.\n");
}

static const struct np_cmd *find_cmd(const char *name)
{
	for (const struct np_cmd *c = np_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage_help(FILE *out)
{
	fprintf(out, "usage: numaplace help [<command>]\n");
}

static int cmd_help(int argc, char **argv)
{
	const struct np_cmd *c;

	if (argc < 2) {
		usage_main(stdout);
		return NP_EXIT_OK;
	}
	if (argc > 2) {
		np_err_line("help: too many arguments");
		return NP_EXIT_USAGE;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		np_err_line("help: '%s' is not a numaplace command", argv[1]);
		return NP_EXIT_USAGE;
	}
	c->usage(stdout);
	return NP_EXIT_OK;
}

static int dispatch(int argc, char **argv)
{
	const struct np_cmd *c;

	/* "--" ends numaplace's own options, as for any command */
	if (argc >= 2 && !strcmp(argv[1], "--")) {
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	if (argc < 2) {
		/* The convention (git, ip): one line and where to look. */
		fprintf(stderr, "usage: numaplace [--version] [--help] <command> "
			"[<args>]\nSee 'numaplace --help' for the commands.\n");
		return NP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_main(stdout);
		return NP_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("numaplace %s\n", np_version());
		return NP_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		np_err_line("unknown option '%s' (see 'numaplace --help')",
			    argv[1]);
		return NP_EXIT_USAGE;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		np_err_line("'%s' is not a numaplace command (see 'numaplace "
			    "--help')", argv[1]);
		return NP_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}

/*
 * Output is checked once, here (git's run_builtin): a full disk or a
 * closed pipe must not pass for success, whatever the command printed
 * and however.  A command that failed has said why already; its exit
 * code stands.  A stdout closed before we started, with nothing written
 * to it, is no failure (fclose says EBADF).
 */
static int finish_stdout(int rc)
{
	int err;

	np_flush_stdout();
	err = np_stdout_errno();
	if (!err && ferror(stdout))
		err = EIO;
	errno = 0;
	if (fclose(stdout) != 0 && !err && errno != EBADF)
		err = errno ? errno : EIO;
	if (!err || rc != NP_EXIT_OK)
		return rc;
	np_err_line("write to standard output: %s", strerror(err));
	return NP_EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
	return finish_stdout(dispatch(argc, argv));
}
