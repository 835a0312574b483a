/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace where -p PID: where a process's memory is, per node and kind
 * (totals as numastat -p gives them), and why pages lie outside the nodes
 * of the policy that covers them.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "view/view-placement.h"

void usage_where(FILE *out)
{
	fprintf(out,
		"usage: numaplace where -p PID [--json]\n"
		"\n"
		"Shows where the memory of process PID is, per NUMA node and kind (heap,\n"
		"stack, other anonymous memory, file page cache, shared memory, hugetlb),\n"
		"with the same totals as 'numastat -p PID', and explains every page that\n"
		"lies outside the nodes of the memory policy that covers it.\n"
		"\n"
		"    -p, --pid PID   the process\n"
		"    -j, --json      the same content as JSON\n"
		"    -h, --help      show this help\n");
}

static int parse_where_opts(int argc, char **argv, int *pid, bool *json)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	opterr = 0;
	optind = 1;
	*pid = -1;
	while ((c = getopt_long(argc, argv, ":p:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			*pid = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || *pid <= 0) {
				np_err_line("where: -p: '%s' is not a process id",
					    optarg);
				return NP_EXIT_USAGE;
			}
			break;
		case 'j': *json = true; break;
		case 'h': usage_where(stdout); return -1;
		default:
			return np_opt_fail("where", c, argv);
		}
	}
	if (*pid < 0 || optind < argc) {
		np_err_line("where: give one process with -p PID");
		return NP_EXIT_USAGE;
	}
	return 0;
}

int cmd_where(int argc, char **argv)
{
	struct np_numa_maps maps;
	struct np_err err = { 0 };
	struct np_placement w = { 0 };
	char comm[64];
	bool json = false;
	int pid, rc;

	rc = parse_where_opts(argc, argv, &pid, &json);
	if (rc)
		return rc < 0 ? NP_EXIT_OK : rc;
	if (np_numa_maps_read("/", pid, &maps, &err)) {
		np_err_line("where: %s", err.msg);
		return np_exit_code(&err);
	}
	np_proc_comm("/", pid, comm, sizeof(comm));
	if (np_placement_account(&w, &maps, &err)) {
		np_placement_free(&w);
		np_numa_maps_free(&maps);
		np_err_line("where: %s", err.msg);
		return np_exit_code(&err);
	}
	if (json) {
		json_object *o = placement_json(&w, pid, comm);

		printf("%s\n", json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		placement_print(stdout, &w, pid, comm);
	}
	np_placement_free(&w);
	np_numa_maps_free(&maps);
	return NP_EXIT_OK;
}
