/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace where -p PID: where a process's memory is, per node and kind
 * (totals as numastat -p gives them), and why pages lie outside the nodes
 * of the policy that covers them.
 */
#include "cli/cli.h"
#include "cli/cli-json.h"
#include "cli/cli-opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "view/view-placement.h"

void usage_where(FILE *out)
{
	fprintf(out,
		"usage: numaplace where -p PID [--json] [--sysroot DIR]\n"
		"\n"
		"Shows where the memory of process PID is, per NUMA node and kind (heap,\n"
		"stack, other anonymous memory, file page cache, shared memory, hugetlb),\n"
		"with the same totals as 'numastat -p PID', and explains every page that\n"
		"lies outside the nodes of the memory policy that covers it.\n"
		"\n"
		"    -p, --pid PID   the process\n"
		"    -j, --json      the same content as JSON\n"
		"    --sysroot DIR   read DIR/proc/PID instead of /proc/PID (a capture)\n"
		"    -h, --help      show this help\n");
}

/* The kernel's PID_MAX_LIMIT (include/linux/threads.h, 64-bit). */
#define PID_MAX_LIMIT 4194304u

struct where_opts {
	unsigned pid;  /* 0: not given */
	bool json;
	const char *sysroot;  /* NULL: the live /proc */
};

static enum cli_next parse_where_opts(int argc, char **argv,
				      struct where_opts *o, int *exit_code)
{
	const struct cli_option options[] = {
		CLI_UNSIGNED('p', "pid", &o->pid, "PID", 1, PID_MAX_LIMIT),
		CLI_FLAG('j', "json", &o->json),
		CLI_STRING(0, "sysroot", &o->sysroot, "DIR"),
		CLI_END(),
	};
	const struct cli_parser parser = { "where", usage_where, options, 0 };
	int operand;

	*o = (struct where_opts){ .pid = 0 };
	if (cli_parse_options(&parser, argc, argv, &operand, exit_code) ==
	    CLI_EXIT)
		return CLI_EXIT;
	if (!o->pid || operand < argc) {
		np_err_line("where: give one process with -p PID");
		*exit_code = NP_EXIT_USAGE;
		return CLI_EXIT;
	}
	return CLI_CONTINUE;
}

int cmd_where(int argc, char **argv)
{
	struct np_numa_maps maps;
	struct np_err err = { 0 };
	struct where_opts opts;
	struct np_placement w = { 0 };
	const char *root;
	char comm[64];
	int rc;

	if (parse_where_opts(argc, argv, &opts, &rc) == CLI_EXIT)
		return rc;
	rc = NP_EXIT_OK;
	root = opts.sysroot ? opts.sysroot : "/";
	if (np_numa_maps_read(root, (pid_t)opts.pid, &maps, &err)) {
		np_err_line("where: %s", err.msg);
		return np_exit_code(&err);
	}
	np_proc_comm(root, (pid_t)opts.pid, comm, sizeof(comm));
	if (np_placement_account(&w, &maps, &err)) {
		np_placement_free(&w);
		np_numa_maps_free(&maps);
		np_err_line("where: %s", err.msg);
		return np_exit_code(&err);
	}
	if (opts.json &&
	    np_json_write(stdout, placement_json(&w, (int)opts.pid, comm),
			  false)) {
		np_err_line("where: cannot render: out of memory");
		rc = NP_EXIT_RUNTIME;
	} else if (!opts.json) {
		placement_print(stdout, &w, (int)opts.pid, comm);
	}
	np_placement_free(&w);
	np_numa_maps_free(&maps);
	return rc;
}
