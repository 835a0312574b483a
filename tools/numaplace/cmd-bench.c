/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace bench: the sub-commands (alloc here; mem in cmd-bench-mem.c),
 * their options, the call into the library (include/numaplace/bench.h,
 * which runs bench alloc in helper processes) and the views
 * (view/view-bench.c, view/view-bench-mem.c).
 */
#include "cli/cli.h"
#include "cli/cli-opts.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/bench.h>
#include <numaplace/frames.h>

#include "view/view-bench.h"

#define PAGE_BYTES 4096u

void usage_bench(FILE *out)
{
	fprintf(out,
		"usage: numaplace bench alloc [--json] [--threads N] [--frame 4k|2m]\n"
		"                             [--rounds N] [--time-ms MS] [--pool-mib MIB]\n"
		"                             [--clock wall|cpu]\n"
		"\n"
		"Measures one frame -- allocate, write one byte, free -- and batches of 64\n"
		"(allocate 64, write a byte to each, free them; ns per frame), steady state\n"
		"after a warm-up, for:\n"
		"    numaplace          np_frames_alloc_onnode / np_frames_free, from a pool\n"
		"                       on the node of the measuring thread's CPU\n"
		"    numa_alloc_onnode  libnuma's numa_alloc_onnode / numa_free\n"
		"    glibc              aligned_alloc(4096) / free\n"
		"    mimalloc           mi_malloc_aligned(4096) / mi_free\n"
		"    jemalloc           mallocx(MALLOCX_ALIGN(4096)) / dallocx\n"
		"    memkind            memkind_posix_memalign(MEMKIND_REGULAR, 4096) /\n"
		"                       memkind_free\n"
		"Each allocator runs in a process of its own (the peers are loaded with\n"
		"dlopen; one that cannot be loaded is reported as not measured), its\n"
		"threads pinned one per CPU, one allocator at a time.  Each round measures\n"
		"every allocator once, in an order rotated per round; the figures are the\n"
		"median over the rounds with the 25th..75th percentiles, and every ratio\n"
		"is the allocator's median over numaplace's.\n"
		"\n"
		"    -j, --json           the results as JSON: ns_per_op, ns_per_op_batch64\n"
		"                         (with --threads, of N threads, and also\n"
		"                         *_1thread, scaling, scaling_batch64) per name\n"
		"    -t, --threads N      also measure N threads on N CPUs, each allocating\n"
		"                         on its own: aggregate ns per frame (wall time over\n"
		"                         all threads' frames) and the scaling against one\n"
		"                         thread (default 1)\n"
		"    -f, --frame 4k|2m    frame size, for every allocator (default 4k)\n"
		"        --size SIZE      bytes per allocation, a power-of-two number of\n"
		"                         frames up to 1024 (default one frame): 64K\n"
		"                         takes numaplace's buddy path (order 4)\n"
		"    -r, --rounds N       rounds (default 15)\n"
		"        --time-ms MS     timed part of one measurement (default 30)\n"
		"        --pool-mib MIB   numaplace's pool per node (default 64, and at\n"
		"                         least 128 allocations per thread)\n"
		"        --clock CLOCK    wall (default) or cpu: each thread's CPU time,\n"
		"                         without the time other tasks or a hypervisor\n"
		"                         (steal, where the kernel accounts it) took\n"
		"                         the CPU away; several threads: their mean\n"
		"    -h, --help           show this help\n"
		"\n"
		"The threads run on the first N CPUs this task may use.  Exit status 1\n"
		"when numaplace's pool cannot be made or fails; 2 for bad options.\n"
		"\n");
	usage_bench_mem(out);
}

/* ---- bench alloc ---- */

struct alloc_opts {
	bool json;
	const char *clock;        /* --clock: "wall", "cpu" or NULL */
	struct np_bench_alloc_opts lib;
	struct np_idset cpus;     /* this task may use; --threads takes the first */
};

static int check_size(const struct np_bench_alloc_opts *l)
{
	uint64_t s = l->size_bytes;

	if (s && (s % l->frame_bytes || (s & (s - 1)) ||
		  s > 1024 * (uint64_t)l->frame_bytes)) {
		np_err_line("bench alloc: --size %llu: a power-of-two number of "
			    "frames, 1 to 1024 (%zu-byte frames)",
			    (unsigned long long)s, l->frame_bytes);
		return NP_EXIT_USAGE;
	}
	return 0;
}

/* argv[0] is "alloc". */
static enum cli_next parse_alloc_opts(int argc, char **argv,
				      struct alloc_opts *o, int *rc)
{
	struct np_bench_alloc_opts *l = &o->lib;
	const struct cli_option options[] = {
		CLI_FLAG('j', "json", &o->json),
		/* at most the CPUs this task may use */
		CLI_UNSIGNED('t', "threads", &l->threads, "N", 1,
			     (unsigned)o->cpus.n),
		CLI_FRAME('f', "frame", &l->frame_bytes),
		CLI_UNSIGNED('r', "rounds", &l->rounds, "N", 1, 100000),
		CLI_UNSIGNED(0, "time-ms", &l->time_ms, "MS", 1, 10000),
		CLI_UNSIGNED(0, "pool-mib", &l->pool_mib, "MIB", 1, 1u << 20),
		CLI_SIZE(0, "size", &l->size_bytes, "SIZE"),
		CLI_STRING(0, "clock", &o->clock, "CLOCK"),
		CLI_END(),
	};
	const struct cli_parser parser = {
		"bench alloc", usage_bench, options, CLI_NO_OPERANDS,
	};

	if (cli_parse_options(&parser, argc, argv, NULL, rc) == CLI_EXIT)
		return CLI_EXIT;
	if (o->clock && strcmp(o->clock, "wall") && strcmp(o->clock, "cpu")) {
		np_err_line("bench alloc: --clock: expected wall or cpu, not "
			    "'%s'", o->clock);
		*rc = NP_EXIT_USAGE;
		return CLI_EXIT;
	}
	l->cpu_clock = o->clock && !strcmp(o->clock, "cpu");
	*rc = check_size(l);
	return *rc ? CLI_EXIT : CLI_CONTINUE;
}

struct rendering {
	const struct alloc_opts *o;
	const struct np_bench_alloc_result *r;
};

static int view(FILE *f, const void *ctx)
{
	const struct rendering *x = ctx;

	return x->o->json ? view_bench_alloc_json(f, x->r) :
	       view_bench_alloc_text(f, x->r);
}

/* The helper beside this build, for a numaplace run from its build tree
 * with nothing installed (meson passes its path). */
static const char *build_tree_helper(void)
{
#ifdef NP_BENCH_HELPER_BUILD
	return NP_BENCH_HELPER_BUILD;
#else
	return NULL;
#endif
}

static int run_alloc(const struct alloc_opts *o)
{
	struct np_bench_alloc_result *r = NULL;
	struct np_err err = { 0 };
	char *out = NULL;
	size_t len = 0;
	int e = np_bench_alloc_run(&o->lib, &r, &err);

	if (e) {
		np_err_line("bench alloc: %s", err.msg);
		return np_exit_code(&err);
	}
	e = np_render("bench alloc", view, &(struct rendering){ o, r }, &out,
		      &len);
	np_bench_alloc_result_free(r);
	if (!e)
		e = np_emit(out, len);
	free(out);
	return e;
}

static int bench_alloc(int argc, char **argv)
{
	struct alloc_opts o = {
		.lib = {
			.threads = 1, .rounds = 15, .time_ms = 30,
			.frame_bytes = PAGE_BYTES,
			.helper_fallback = build_tree_helper(),
		},
	};
	struct np_err err = { 0 };
	int rc;

	if (np_bench_cpus_allowed(&o.cpus, &err)) {
		np_err_line("bench alloc: %s", err.msg);
		return np_exit_code(&err);
	}
	o.lib.cpus = &o.cpus;
	if (parse_alloc_opts(argc, argv, &o, &rc) == CLI_CONTINUE)
		rc = run_alloc(&o);
	np_idset_free(&o.cpus);
	return rc;
}

/* ---- the sub-commands ---- */

static const struct bench_cmd {
	const char *name;
	int (*run)(int argc, char **argv);   /* argv[0] is the name */
} bench_cmds[] = {
	{ "alloc", bench_alloc },
	{ "mem", bench_mem },
	{ NULL, NULL },
};

/* "alloc, mem": for the messages. */
static void list_bench_cmds(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (const struct bench_cmd *c = bench_cmds; c->name && used < len; c++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 c == bench_cmds ? "" : ", ", c->name);
}

int cmd_bench(int argc, char **argv)
{
	char names[128];

	list_bench_cmds(names, sizeof(names));
	if (argc < 2) {
		np_err_line("bench: which benchmark? (%s; see 'numaplace "
			    "bench --help')", names);
		return NP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_bench(stdout);
		return NP_EXIT_OK;
	}
	for (const struct bench_cmd *c = bench_cmds; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	np_err_line("bench: '%s' is not a benchmark (%s; see "
		    "'numaplace bench --help')", argv[1], names);
	return NP_EXIT_USAGE;
}
