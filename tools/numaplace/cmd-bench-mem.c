/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace bench mem: memory bandwidth (STREAM's kernels and MLC's read
 * and write) and latency for every CPU node x memory node pair.  Options
 * in, the library's run (numaplace/bench.h), a view out
 * (view/view-bench-mem.c), plots through numaplace/plot.h.
 */
#include "cli/cli.h"
#include "cli/cli-opts.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numaplace/bench.h>
#include <numaplace/plot.h>

#include "view/view-bench-mem.h"

#define LATENCY_REPS 5u
#define DEFAULT_LOADS 10000000u
#define SWEEP_LOADS 1000000u
#define PLOT_PANEL_PX 480u

void usage_bench_mem(FILE *out)
{
	fprintf(out,
		"usage: numaplace bench mem [--cpu-nodes NODES] [--mem-nodes NODES]\n"
		"                           [--threads N] [--size SIZE] [--kernels LIST]\n"
		"                           [--nt] [--pages 4k|2m] [--ntimes N]\n"
		"                           [--latency] [--loads N] [--sweep]\n"
		"                           [--json | --csv] [--plot FILE.svg|FILE.png]\n"
		"\n"
		"Memory bandwidth and latency from every CPU node to every memory node,\n"
		"as matrices laid out like Intel MLC's (rows: CPU node, columns: memory\n"
		"node; a node without CPUs is a column only).  Bandwidth follows STREAM's\n"
		"rules: three arrays of doubles bound to the memory node (mbind), each 4x\n"
		"the last-level cache, one thread per CPU of the CPU node, every page\n"
		"checked with move_pages before and after the timing (a page off its\n"
		"node is an error, not a figure), the best repetition after a discarded\n"
		"first, the arrays validated as STREAM validates them.  MB = 10^6 bytes.\n"
		"Kernels, bytes counted per element (with write-allocate on the bus):\n"
		"    read   s += a[i]               8        write  c[i] = w          8 (16)\n"
		"    copy   c[i] = a[i]            16 (24)   scale  b[i] = q*c[i]    16 (24)\n"
		"    add    c[i] = a[i] + b[i]     24 (32)   triad  a[i] = b[i] + q*c[i]  24 (32)\n"
		"Every report says what changes the numbers: NUMA balancing, THP mode,\n"
		"the pages the memory got, the CPU governor, and whether this is a lab\n"
		"guest (emulated: TCG does not model remote latency).\n"
		"\n"
		"        --cpu-nodes NODES  rows: nodes whose CPUs run the threads (default:\n"
		"                           every node with CPUs this task may use)\n"
		"        --mem-nodes NODES  columns: nodes the memory is bound to (default:\n"
		"                           every node with memory)\n"
		"    -t, --threads N        threads per CPU node (default: all its CPUs)\n"
		"        --size SIZE        bytes of each array and of the latency buffer\n"
		"                           (default 4x the last-level cache; at least the\n"
		"                           cache: smaller would measure the cache)\n"
		"        --kernels LIST     some of read,write,copy,scale,add,triad (default\n"
		"                           all)\n"
		"        --nt               non-temporal stores (x86-64), labelled as such\n"
		"        --pages 4k|2m      4 KiB pages, or transparent huge pages asked\n"
		"                           with MADV_HUGEPAGE (default 4k)\n"
		"        --ntimes N         repetitions, the first discarded (default 10)\n"
		"        --latency          also the latency: dependent loads through one\n"
		"                           random cycle over the buffer, lines shuffled\n"
		"                           within 256 KiB groups (multichase's TLB\n"
		"                           locality); median of 5 repetitions\n"
		"        --loads N          loads per latency repetition (default 10^7)\n"
		"        --sweep            also a latency curve on one pair, 16 KiB to the\n"
		"                           buffer size, with 4 KiB and with huge pages\n"
		"                           (10^6 loads a repetition, or --loads if fewer)\n"
		"    -j, --json             the results as JSON (every repetition kept)\n"
		"        --csv              the results as CSV, one figure a line\n"
		"        --plot FILE        heat-maps of both matrices and the sweep's curve\n"
		"                           through gnuplot, to FILE.svg or FILE.png\n"
		"    -h, --help             show this help\n"
		"\n"
		"Exit status 2 for bad options (an unknown node, a size below the cache,\n"
		"an unknown kernel), 1 when the machine fails the run (pages off their\n"
		"node, a failed validation, gnuplot missing).\n");
}

struct mem_opts {
	bool json, csv;
	const char *kernels;
	const char *plot;
	unsigned loads;
	struct np_bench_mem_opts lib;
};

static int parse_mem_opts(int argc, char **argv, struct mem_opts *o)
{
	struct np_bench_mem_opts *l = &o->lib;
	const struct cli_option options[] = {
		CLI_IDS(0, "cpu-nodes", &l->cpu_nodes, "NODES"),
		CLI_IDS(0, "mem-nodes", &l->mem_nodes, "NODES"),
		CLI_UNSIGNED('t', "threads", &l->threads, "N", 1, NP_MAX_CPUS),
		CLI_SIZE(0, "size", &l->array_bytes, "SIZE"),
		CLI_STRING(0, "kernels", &o->kernels, "LIST"),
		CLI_FLAG(0, "nt", &l->nt),
		CLI_FRAME(0, "pages", &l->page_bytes),
		CLI_UNSIGNED(0, "ntimes", &l->ntimes, "N", 2,
			     NP_BENCH_MEM_MAX_NTIMES),
		CLI_FLAG(0, "latency", &l->latency),
		CLI_UNSIGNED(0, "loads", &o->loads, "N", 1000, 4000000000u),
		CLI_FLAG(0, "sweep", &l->sweep),
		CLI_FLAG('j', "json", &o->json),
		CLI_FLAG(0, "csv", &o->csv),
		CLI_STRING(0, "plot", &o->plot, "FILE"),
		CLI_END(),
	};
	const struct cli_parser parser = {
		"bench mem", usage_bench_mem, options, CLI_NO_OPERANDS,
	};
	struct np_err err = { 0 };
	int rc;

	if (cli_parse_options(&parser, argc, argv, NULL, &rc) == CLI_EXIT)
		return rc ? rc : -1;
	if (o->json && o->csv) {
		np_err_line("bench mem: --json and --csv: one output format at "
			    "a time");
		return NP_EXIT_USAGE;
	}
	if (o->kernels &&
	    np_bench_mem_parse_kernels(o->kernels, &l->kernels, &err)) {
		np_err_line("bench mem: --kernels: %s", err.msg);
		return np_exit_code(&err);
	}
	if (o->plot && np_plot_check_path(o->plot, &err)) {
		np_err_line("bench mem: --plot: %s", err.msg);
		return np_exit_code(&err);
	}
	l->loads = o->loads;
	l->sweep_loads = o->loads < SWEEP_LOADS ? o->loads : SWEEP_LOADS;
	return 0;
}

/* ---- output ---- */

static void progress_line(void *arg, const char *what)
{
	(void)arg;
	np_flush_stdout();
	fprintf(stderr, "\rnumaplace: bench mem: %s\033[K", what);
	fflush(stderr);
}

/* A terminal a person reads: not a serial line, as a lab guest's
 * output ports are (their bytes go to a program's pipe on the host). */
static bool user_terminal(int fd)
{
	const char *name;

	if (!isatty(fd))
		return false;
	name = ttyname(fd);
	return !name || strncmp(name, "/dev/ttyS", 9) != 0;
}

static void progress_end(const struct mem_opts *o)
{
	if (o->lib.progress) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}

struct rendering {
	const struct mem_opts *o;
	const struct np_bench_mem_result *r;
	unsigned panels;          /* of the plot */
};

static int report_view(FILE *f, const void *ctx)
{
	const struct rendering *x = ctx;

	return x->o->json ? view_bench_mem_json(f, x->r) :
	       x->o->csv ? view_bench_mem_csv(f, x->r) :
	       view_bench_mem_text(f, x->r);
}

static int plot_view(FILE *f, const void *ctx)
{
	struct rendering *x = (struct rendering *)ctx;

	return view_bench_mem_gnuplot(f, x->r, &x->panels);
}

static int plot(const struct mem_opts *o, const struct np_bench_mem_result *r)
{
	struct rendering x = { o, r, 1 };
	struct np_err err = { 0 };
	char *script = NULL;
	size_t len = 0;
	int e = np_render("bench mem: --plot", plot_view, &x, &script, &len);

	if (e)
		return e;
	e = np_plot_render(script, len, o->plot, x.panels * PLOT_PANEL_PX,
			   PLOT_PANEL_PX, &err);
	free(script);
	if (e) {
		np_err_line("bench mem: --plot: %s", err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

int bench_mem(int argc, char **argv)
{
	struct mem_opts o = {
		.loads = DEFAULT_LOADS,
		.lib = {
			.kernels = NP_BENCH_MEM_ALL_KERNELS, .page_bytes = 4096,
			.ntimes = 10, .latency_reps = LATENCY_REPS,
		},
	};
	struct np_bench_mem_result *r = NULL;
	struct np_err err = { 0 };
	char *out = NULL;
	size_t len = 0;
	int rc = parse_mem_opts(argc, argv, &o);

	if (rc)
		return rc < 0 ? NP_EXIT_OK : rc;
	if (user_terminal(STDERR_FILENO))
		o.lib.progress = progress_line;
	rc = np_bench_mem_run(&o.lib, &r, &err);
	progress_end(&o);
	if (rc) {
		np_err_line("bench mem: %s", err.msg);
		return np_exit_code(&err);
	}
	rc = o.plot ? plot(&o, r) : 0;
	if (!rc)
		rc = np_render("bench mem", report_view,
			       &(struct rendering){ &o, r, 0 }, &out, &len);
	np_bench_mem_result_free(r);
	if (!rc)
		rc = np_emit(out, len);
	free(out);
	return rc;
}
