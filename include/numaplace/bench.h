/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmarks: numaplace's frame pool against the allocators a user would
 * otherwise reach for.
 *
 * np_bench_alloc_run() measures the cost of one allocation -- allocate,
 * write one byte, free -- and of batches of NP_BENCH_BATCH_FRAMES
 * (allocate them all, write a byte to each, free them; ns per frame),
 * steady state after a warm-up, for each of:
 *     numaplace          np_frames_alloc_onnode / np_frames_free, from a
 *                        pool on the node of the measuring thread's CPU
 *     numa_alloc_onnode  libnuma's numa_alloc_onnode / numa_free
 *     glibc              aligned_alloc(4096) / free
 *     mimalloc           mi_malloc_aligned(4096) / mi_free
 *     jemalloc           mallocx(MALLOCX_ALIGN(4096)) / dallocx
 *     memkind            memkind_posix_memalign(MEMKIND_REGULAR, 4096) /
 *                        memkind_free
 *
 * How: every allocator runs in a process of its own, the helper program
 * numaplace-bench-helper, started once per allocator and kept for the
 * whole run, so no two allocators ever share a process and every figure
 * is steady state.  The peers are loaded there with dlopen (libnumaplace
 * links none of them); one that cannot be loaded is reported as not
 * measured, with dlopen's reason.  The calling process only sequences:
 * each round asks every helper in turn, in an order rotated per round,
 * for one measurement, so one allocator runs at a time and all of them
 * see the same machine.  A helper's measuring threads are pinned, one per
 * CPU, and stay alive between measurements; a measurement is a warm-up, a
 * start line every thread has reached, then a number of frames calibrated
 * to about time_ms.
 *
 * The helper is found by, in order: opts->helper_path; the environment
 * variable NUMAPLACE_BENCH_HELPER (ignored in a set-uid process); the
 * installed path, np_bench_helper_installed_path(), when it is there;
 * opts->helper_fallback (a build tree's helper, for a program run from
 * its build tree); the installed path again (to name it in the error).
 * It runs with
 * glibc.rtld.optional_static_tls raised in GLIBC_TUNABLES (its own
 * environment only), which jemalloc's initial-exec TLS needs to be
 * dlopen'ed.
 *
 * Process-wide state: none is changed.  The helpers are waited for by
 * pid; SIGPIPE is blocked in the calling thread only while the run talks
 * to them (a helper that died is reported, not a signal), and a SIGPIPE
 * the run caused is taken before the mask is restored.
 *
 * Errors: 0 or a negative errno, with one line in err ("<what>: <why>")
 * and its class (numaplace/error.h):
 *   -EINVAL   input: an option out of range (named in err), more threads
 *             than CPUs to run them on
 *   -ENOENT   system: no node with memory for a CPU; the installed
 *             helper not there.  Input when the helper the caller named
 *             (helper_path, NUMAPLACE_BENCH_HELPER) is not there.
 *   -ENOMEM   system: out of memory in the calling process
 *   -EIO      system: numaplace's own contender failed (its pool could
 *             not be made, an allocation failed, its helper died): err
 *             says why.  The peers failing is not an error: they are
 *             reported as not measured.
 *   other     system: from sched_getaffinity, pipe2, posix_spawn;
 *             loading the topology of "/" fails with its own class.
 */
#ifndef NUMAPLACE_BENCH_H
#define NUMAPLACE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>
#include <numaplace/stats.h>
#include <numaplace/topo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Frames of a batch (the "batch64" figures). */
#define NP_BENCH_BATCH_FRAMES 64u

/* The environment variable naming the helper program. */
#define NP_BENCH_HELPER_ENV "NUMAPLACE_BENCH_HELPER"

enum np_bench_mode {
	NP_BENCH_SINGLE,          /* one allocation at a time */
	NP_BENCH_BATCH,           /* NP_BENCH_BATCH_FRAMES at a time */
	NP_BENCH_NMODES,
};

enum np_bench_config {
	NP_BENCH_ONE_THREAD,      /* one thread, on the first CPU */
	NP_BENCH_ALL_THREADS,     /* opts->threads threads (threads > 1 only) */
	NP_BENCH_NCONFIGS,
};

struct np_bench_alloc_opts {
	unsigned threads;         /* 1 ..; above 1 also measured together */
	size_t frame_bytes;       /* 4096 or 2 MiB, for every allocator */
	/* Bytes of every allocation: 0 for one frame, else a power-of-two
	 * number of frames, at most 1024 (64 KiB of 4 KiB frames takes
	 * numaplace's buddy path, order 4). */
	uint64_t size_bytes;
	unsigned rounds;          /* >= 1 */
	unsigned time_ms;         /* timed part of one measurement, >= 1 */
	/* numaplace's pool per node, MiB; 0: 64 MiB, and at least two
	 * batches per thread of the node. */
	unsigned pool_mib;
	/* The threads run on the first `threads` of these CPUs (ascending);
	 * NULL: the CPUs the calling thread may run on. */
	const struct np_idset *cpus;
	/* The machine, to place each thread's frames on its CPU's node (or
	 * the nearest node with memory); NULL: the live one, read here. */
	const struct np_topo *topo;
	const char *helper_path;  /* NULL: see above */
	const char *helper_fallback;  /* NULL: none */
};

/* One allocator's figures.  Times are ns per frame; with several threads,
 * aggregate: wall time from the first thread's start to the last one's
 * end over all threads' frames. */
struct np_bench_alloc_entry {
	const char *name;         /* "numaplace", "glibc", ... (static) */
	bool measured;
	char why[320];            /* when not measured: why, one line */
	/* The rest is set only when measured. */
	uint64_t frames[NP_BENCH_NMODES];  /* per thread and measurement */
	/* ns[config][mode][round], `rounds` samples each, in round order;
	 * NULL for a configuration not run. */
	double *ns[NP_BENCH_NCONFIGS][NP_BENCH_NMODES];
	struct np_stats_summary summary[NP_BENCH_NCONFIGS][NP_BENCH_NMODES];
	/* The median over numaplace's median (1 for numaplace itself). */
	double ratio[NP_BENCH_NCONFIGS][NP_BENCH_NMODES];
	/* Throughput of all threads over one thread's: the one-thread median
	 * over the all-threads median; 0 with one configuration. */
	double scaling[NP_BENCH_NMODES];
};

struct np_bench_alloc_result {
	size_t frame_bytes;
	size_t alloc_bytes;       /* of every allocation */
	unsigned threads;         /* of the widest configuration */
	unsigned nconfigs;        /* 1, or 2 when threads > 1 */
	unsigned rounds;
	/* Thread i ran on cpus[i] and allocated on nodes[i] (its CPU's node,
	 * or the nearest node with memory): `threads` entries each. */
	unsigned *cpus, *nodes;
	unsigned *pool_nodes;     /* numaplace's pool: the distinct nodes[] */
	size_t npool_nodes;
	uint64_t pool_bytes_per_node;
	/* What the pool is made of: "base pages", "THP, 256 MiB of it huge" */
	char pool_backing[240];
	/* entries[0] is numaplace (always measured), then the peers in the
	 * order above. */
	struct np_bench_alloc_entry *entries;
	size_t nentries;
};

/*
 * Runs the whole benchmark (it takes about rounds * allocators *
 * (configurations * 2 * time_ms + warm-ups) plus every helper's
 * calibration) and hands back the result, which the caller frees with
 * np_bench_alloc_result_free().  *out is NULL on failure.
 */
int np_bench_alloc_run(const struct np_bench_alloc_opts *o,
		       struct np_bench_alloc_result **out, struct np_err *err);

void np_bench_alloc_result_free(struct np_bench_alloc_result *r);

/*
 * The CPUs the calling thread may run on (sched_getaffinity), ascending,
 * into *out (free with np_idset_free): how many threads a run can have.
 * 0 or a negative errno with err set.
 */
int np_bench_cpus_allowed(struct np_idset *out, struct np_err *err);

/* Where the helper is installed (libexecdir), whether it is there or not. */
const char *np_bench_helper_installed_path(void);

#ifdef __cplusplus
}
#endif

#endif
