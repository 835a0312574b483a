/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace lab: run a command on an emulated NUMA machine (QEMU TCG). */
#include "cli/cli.h"
#include "cli/cli-opts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include <numaplace/topo.h>

void usage_lab(FILE *out)
{
	fprintf(out,
		"usage: numaplace lab [--nodes SPEC | --preset NAME | --topology FILE]\n"
		"                     [--distances MATRIX] [--timeout S] [--dump DIR]\n"
		"                     [--add FILE]... [--kernel FILE] (--shell | -- CMD [ARG...])\n"
		"       numaplace lab [--nodes SPEC | --preset NAME | --topology FILE]\n"
		"                     [--distances MATRIX] [--timeout S] --test-kernel FILE\n"
		"                     [-- KERNEL-ARG...]\n"
		"\n"
		"Boots an emulated NUMA machine (QEMU, software emulation, a real Linux\n"
		"kernel) and runs CMD in it with numaplace, numactl and numastat on PATH;\n"
		"prints CMD's output and exits with its status.  Pages really land on the\n"
		"emulated nodes, but remote memory is not slower: check placement here,\n"
		"measure its speed on real hardware.  Standard input, unless it is a\n"
		"terminal, is read to its end before the guest starts and is CMD's (or\n"
		"--shell's) input.\n"
		"\n"
		"    --nodes SPEC        CPUS:MEM per node, e.g. 2:512M,2:512M,0:1G (0 CPUs:\n"
		"                        a memory-only node, like a CXL expander)\n"
		"    --distances MATRIX  rows by ';', entries by ',': 10,21;21,10 (default\n"
		"                        10 local, 20 remote; asymmetric allowed)\n"
		"    --preset NAME       2s (two sockets), 4n (seed 001's 4 nodes), 8n (8 nodes,\n"
		"                        10/16/22), cxl (two sockets and a CPU-less node)\n"
		"    --topology FILE     the shape of a machine from 'numaplace topo --json'\n"
		"    --cpus-per-node N   with --topology: at most N CPUs per node (default 2)\n"
		"    --mem-scale N       with --topology: memory divided by N (default 256)\n"
		"    --timeout S         give up after S seconds (default 120): exit 124, as\n"
		"                        for a guest that stops without CMD's status\n"
		"    --shell             an interactive shell in the guest instead of CMD\n"
		"    --dump DIR          copy the guest's topology files (for --sysroot) and\n"
		"                        ACPI SRAT/SLIT tables into DIR\n"
		"    --add FILE          also put FILE into the guest's PATH (repeatable)\n"
		"    --kernel FILE       boot FILE (bzImage or vmlinux with NUMA and ACPI)\n"
		"                        instead of the newest /boot/vmlinuz-*\n"
		"    --test-kernel FILE  boot numaplace's test kernel (build/kernel/\n"
		"                        numaplace-test-kernel.elf) instead of Linux: print\n"
		"                        its report (COM1) and exit with its status, 0 when\n"
		"                        every check held; words after '--' are its\n"
		"                        command line (npk.frames=N npk.reads=N)\n"
		"    --qemu-args         print the QEMU NUMA arguments for the machine and exit\n"
		"    -v, --verbose       say where the time went, and the guest's last\n"
		"                        console lines when it gave no answer (on stderr)\n"
		"    -h, --help          show this help\n");
}

struct lab_opts {
	const char *nodes, *distances, *preset, *topology;
	unsigned cpus_per_node, mem_scale;
	bool qemu_args, verbose;
	struct np_lab_opts run;
	const char *add[32];
	size_t nadd;
	int cmd;  /* argv index of CMD (argc: none) */
};

/* --add FILE: a file the guest's PATH gets, checked now (exit 2, not later). */
static int add_file(const struct cli_option *opt, const char *arg)
{
	struct lab_opts *o = opt->value;

	if (o->nadd == 31) {
		np_err_line("lab: --add: at most 31 files");
		return NP_EXIT_USAGE;
	}
	if (access(arg, R_OK)) {
		np_err_line("lab: --add: %s: %s", arg, strerror(errno));
		return NP_EXIT_USAGE;
	}
	o->add[o->nadd++] = arg;
	return 0;
}

/* The end of a run: the error line (and with -v the last lines of the
 * guest's console or the test kernel's report), the result freed, and
 * the exit status: the guest's, or ours for an error, or the lab's own
 * for a guest that never answered. */
static int run_status(const struct lab_opts *o, struct np_lab_result *r,
		      int e, const struct np_err *err, const char *tail_what)
{
	bool no_answer = r->outcome == NP_LAB_TIMED_OUT ||
			 r->outcome == NP_LAB_NO_STATUS;
	int status = r->exit_status;

	if (e) {
		np_err_line("%s", err->msg);
		if (r->console_tail && o->verbose)
			fprintf(stderr, "--- last %s lines:\n%s\n", tail_what,
				r->console_tail);
	}
	np_lab_result_free(r);
	if (no_answer)
		return NP_LAB_STATUS_NO_ANSWER;
	return e ? np_exit_code(err) : status;
}

/* CMD is the first operand: '+', as its own options are not ours. */
static enum cli_next parse_lab_opts(int argc, char **argv, struct lab_opts *o,
				    int *exit_code)
{
	const struct cli_option options[] = {
		CLI_STRING(0, "nodes", &o->nodes, "SPEC"),
		CLI_STRING(0, "distances", &o->distances, "MATRIX"),
		CLI_STRING(0, "preset", &o->preset, "NAME"),
		CLI_STRING(0, "topology", &o->topology, "FILE"),
		CLI_UNSIGNED(0, "cpus-per-node", &o->cpus_per_node, "N", 1,
			     NP_LAB_MAX_CPUS),
		CLI_UNSIGNED(0, "mem-scale", &o->mem_scale, "N", 1, 1u << 20),
		CLI_UNSIGNED(0, "timeout", &o->run.timeout_s, "S", 1, 86400),
		CLI_FLAG(0, "shell", &o->run.shell),
		CLI_STRING(0, "dump", &o->run.dump_dir, "DIR"),
		CLI_CALLBACK(0, "add", o, "FILE", add_file, 0),
		CLI_STRING(0, "kernel", &o->run.kernel, "FILE"),
		CLI_STRING(0, "test-kernel", &o->run.test_kernel, "FILE"),
		CLI_FLAG(0, "qemu-args", &o->qemu_args),
		CLI_FLAG('v', "verbose", &o->verbose),
		CLI_END(),
	};
	const struct cli_parser parser = {
		"lab", usage_lab, options, CLI_STOP_AT_OPERAND,
	};

	if (cli_parse_options(&parser, argc, argv, &o->cmd, exit_code) ==
	    CLI_EXIT)
		return CLI_EXIT;
	if (!!o->nodes + !!o->preset + !!o->topology > 1) {
		np_err_line("lab: --nodes, --preset and --topology exclude each "
			    "other");
		*exit_code = NP_EXIT_USAGE;
		return CLI_EXIT;
	}
	return CLI_CONTINUE;
}

static int make_spec(const struct lab_opts *o, struct np_lab_spec *spec)
{
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	int e;

	if (o->topology) {
		e = np_topo_from_file(o->topology, &t, &err);
		if (!e)
			e = np_lab_spec_from_topo(t, o->cpus_per_node ?
						  o->cpus_per_node : 2,
						  o->mem_scale ? o->mem_scale : 256,
						  spec, &err);
		np_topo_free(t);
	} else if (o->nodes) {
		e = np_lab_parse_nodes(o->nodes, spec, &err);
	} else {
		e = np_lab_preset(o->preset ? o->preset : "2s", spec, &err);
	}
	if (!e && o->distances)
		e = np_lab_parse_distances(o->distances, spec, &err);
	if (!e)
		e = np_lab_spec_validate(spec, &err);
	if (e)
		np_err_line("%s", err.msg);
	return e ? np_exit_code(&err) : 0;
}

static int print_qemu_args(const struct np_lab_spec *spec)
{
	struct np_err err = { 0 };
	char **argv;

	if (np_lab_qemu_numa_args(spec, &argv, &err)) {
		np_err_line("%s", err.msg);
		return np_exit_code(&err);
	}
	for (size_t i = 0; argv[i]; i++)
		printf("%s%s", argv[i], argv[i + 1] ? " " : "\n");
	np_lab_argv_free(argv);
	return NP_EXIT_OK;
}

static void report_times(const struct np_lab_result *r)
{
	fprintf(stderr, "numaplace lab: image %.0f ms, boot %.0f ms (kernel to "
		"init %.0f ms, init to power-off %.0f ms, QEMU start and exit "
		"%.0f ms), total %.0f ms\n", r->image_ms, r->boot_ms,
		r->kernel_ms, r->init_ms,
		r->boot_ms - r->kernel_ms - r->init_ms, r->total_ms);
}

static int run_guest(struct lab_opts *o, const struct np_lab_spec *spec,
		     char **cmd)
{
	struct np_err err = { 0 };
	struct np_lab_result r;
	const char *payload[33];
	int e;

	for (size_t i = 0; i < o->nadd; i++)
		payload[i] = o->add[i];
	payload[o->nadd] = NULL;
	o->run.payload = payload;
	o->run.add_self = true;
	/* A terminal stays the user's (use --shell to type into the guest);
	 * a pipe, a file or /dev/null is the command's input. */
	o->run.forward_stdin = fcntl(0, F_GETFD) != -1 && !isatty(0);
	e = np_lab_run(spec, &o->run, cmd, &r, &err);
	if (r.out_len)
		fwrite(r.out, 1, r.out_len, stdout);
	np_flush_stdout();
	if (r.err_len)
		fwrite(r.err, 1, r.err_len, stderr);
	if (o->verbose)
		report_times(&r);
	return run_status(o, &r, e, &err, "console");
}

/* --test-kernel: the kernel's report on stdout, its status as ours. */
static int run_test_kernel(struct lab_opts *o, const struct np_lab_spec *spec,
			   char **kargs)
{
	struct np_err err = { 0 };
	struct np_lab_result r;
	int e;

	if (o->run.shell || o->run.dump_dir || o->nadd || o->run.kernel) {
		np_err_line("lab: --test-kernel boots no Linux: it excludes "
			    "--shell, --dump, --add and --kernel");
		return NP_EXIT_USAGE;
	}
	e = np_lab_run(spec, &o->run, kargs, &r, &err);
	if (r.out_len && r.outcome == NP_LAB_EXITED)
		fwrite(r.out, 1, r.out_len, stdout);
	np_flush_stdout();
	if (o->verbose)
		fprintf(stderr, "numaplace lab: QEMU start to exit %.0f ms, total "
			"%.0f ms\n", r.boot_ms, r.total_ms);
	return run_status(o, &r, e, &err, "report");
}

int cmd_lab(int argc, char **argv)
{
	struct lab_opts o;
	struct np_lab_spec spec;
	char *true_cmd[] = { (char *)"true", NULL };
	char **cmd;
	int rc;

	memset(&o, 0, sizeof(o));
	if (parse_lab_opts(argc, argv, &o, &rc) == CLI_EXIT)
		return rc;
	rc = make_spec(&o, &spec);
	if (rc)
		return rc;
	if (o.qemu_args)
		return print_qemu_args(&spec);
	cmd = argv + o.cmd;
	if (o.run.test_kernel)
		return run_test_kernel(&o, &spec, cmd);
	if (!*cmd && !o.run.shell && !o.run.dump_dir) {
		np_err_line("lab: give a command after '--', or --shell");
		return NP_EXIT_USAGE;
	}
	if (*cmd && o.run.shell) {
		np_err_line("lab: --shell and a command exclude each other");
		return NP_EXIT_USAGE;
	}
	return run_guest(&o, &spec, *cmd ? cmd : true_cmd);
}
