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
	/* Time each thread's CPU time (CLOCK_THREAD_CPUTIME_ID) instead of
	 * the wall clock: without the time other tasks or, on a guest whose
	 * kernel accounts it, the hypervisor (steal) took the CPU away.
	 * With several threads, the mean of the threads' CPU times. */
	bool cpu_clock;
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
	bool cpu_clock;           /* times are threads' CPU time, not wall */
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

/* ---- bench mem: memory bandwidth and latency, CPU node x memory node ----
 *
 * np_bench_mem_run() measures, for every CPU node and every memory node:
 *
 * Bandwidth, by STREAM's rules (McCalpin's stream.c, whose code is not
 * used here): three arrays of doubles a, b, c of array_bytes each, bound
 * to the memory node with mbind (MPOL_BIND) before a page is touched,
 * first touched by the measuring threads (each its own slice), every page
 * checked with move_pages before and after the timing: a page off the
 * memory node is an error (-EIO), never a figure.  The threads are pinned
 * one per CPU to the CPU node's CPUs.  Each repetition runs the chosen
 * kernels in this order, each timed from the first thread's start to the
 * last thread's end:
 *     read    s += a[i]           8 bytes per element (MLC's all-reads)
 *     write   c[i] = w            8 (MLC's write-only; with write-allocate
 *                                    16 cross the bus)
 *     copy    c[i] = a[i]        16 (24 on the bus)
 *     scale   b[i] = q * c[i]    16 (24)
 *     add     c[i] = a[i] + b[i] 24 (32)
 *     triad   a[i] = b[i] + q * c[i]   24 (32)
 * MB/s are 10^6 bytes per second of the counted bytes; the headline is the
 * best repetition after the first, which is discarded (STREAM's NTIMES
 * rule); every repetition is kept.  With nt, every store is non-temporal
 * (SSE2 movntpd, x86-64 only): nothing is read for ownership and the bus
 * carries the counted bytes.  After the run the arrays are validated as
 * STREAM validates them: each element against the value the same kernel
 * sequence gives on scalars (average relative error below 1e-13), and
 * every thread's read sum against its slice's expected sum.  A run that
 * fails validation is an error (-EIO).
 *
 * Latency: dependent loads through one random cyclic permutation of the
 * cache lines of a buffer of latency_bytes (one pointer per 64-byte
 * line), bound and checked like the arrays.  As multichase does, the
 * lines are visited group by group, NP_BENCH_MEM_TLB_GROUP_BYTES at a
 * time (64 pages of 4 KiB: what a first-level data TLB holds), the groups
 * in random order and the lines of a group in random order, so the figure
 * is the memory's latency and not page walks.  One thread on the CPU
 * node's first CPU; ns per load is the median of latency_reps repetitions
 * of `loads` loads each, after one discarded warm-up repetition; the final
 * pointer is checked to lie in the buffer (and so consumed).
 *
 * Sweep: the same chase on one pair (the first CPU node and the memory
 * node of the run nearest to it) over buffers of 16 KiB, 32 KiB, ... up
 * to latency_bytes, once with 4 KiB pages (MADV_NOHUGEPAGE) and once asking
 * for transparent huge pages (MADV_HUGEPAGE); how much of the buffer was
 * huge is read back from smaps.
 *
 * The state that changes the numbers is in the result: NUMA balancing,
 * the THP mode, the page size the memory really got, the CPU frequency
 * governor, and whether this is a `numaplace lab` guest (emulated: TCG
 * does not model remote latency).
 *
 * Errors: 0 or a negative errno with one line in err and its class:
 *   -EINVAL   input: a node string, a node without CPUs as a CPU node or
 *             without memory as a memory node, more threads than a CPU
 *             node has CPUs for this task, an array smaller than the
 *             last-level cache, no kernel, ntimes < 2, ...
 *   -ENOENT   system: hwloc knows no last-level cache (give array_bytes)
 *   -EOPNOTSUPP system: nt on a build without non-temporal stores
 *   -ENOMEM, -EIO (pages off their node, a failed validation) and the
 *             kernel's errors from mmap, mbind, move_pages: system.
 */

/* The kernels, in the order a repetition runs them. */
enum np_bench_mem_kernel {
	NP_MEM_READ,
	NP_MEM_WRITE,
	NP_MEM_COPY,
	NP_MEM_SCALE,
	NP_MEM_ADD,
	NP_MEM_TRIAD,
	NP_MEM_NKERNELS,
};

#define NP_BENCH_MEM_ALL_KERNELS ((1u << NP_MEM_NKERNELS) - 1)
/* Lines of a chase group: 64 pages of 4 KiB. */
#define NP_BENCH_MEM_TLB_GROUP_BYTES (64u * 4096u)
/* The smallest buffer of the sweep. */
#define NP_BENCH_MEM_SWEEP_MIN_BYTES (16u * 1024u)
#define NP_BENCH_MEM_MAX_NTIMES 100u

/* "read", "write", "copy", "scale", "add", "triad". */
const char *np_bench_mem_kernel_name(enum np_bench_mem_kernel k);
/* Bytes counted per element: 8, 8, 16, 16, 24, 24 (STREAM's, MLC's). */
unsigned np_bench_mem_kernel_bytes(enum np_bench_mem_kernel k);
/* What crosses the memory bus per counted byte: with write-allocate a
 * store's line is read first (write 2, copy and scale 1.5, add and triad
 * 4/3, read 1); with non-temporal stores 1. */
double np_bench_mem_bus_factor(enum np_bench_mem_kernel k, bool nt);
/* "read,triad" into a mask of 1u << kernel: 0, or -EINVAL (class input)
 * naming the unknown or repeated name. */
int np_bench_mem_parse_kernels(const char *s, unsigned *mask,
			       struct np_err *err);
/* Whether this build has non-temporal stores (x86-64). */
bool np_bench_mem_nt_supported(void);

struct np_bench_mem_opts {
	/* Node strings (numaplace/idset.h), NULL: every node with CPUs this
	 * task may use / every node with memory it may allocate on. */
	const char *cpu_nodes;
	const char *mem_nodes;
	unsigned threads;         /* per CPU node; 0: every CPU of the node */
	/* Bytes of each array; 0: 4x the last-level cache (STREAM's rule).
	 * Given, it must be at least the last-level cache. */
	uint64_t array_bytes;
	unsigned kernels;         /* mask of 1u << kernel; 0: none */
	bool nt;                  /* non-temporal stores */
	size_t page_bytes;        /* 4096 (MADV_NOHUGEPAGE) or 2 MiB (THP) */
	unsigned ntimes;          /* repetitions, the first discarded: 2.. */
	bool latency;
	uint64_t latency_bytes;   /* 0: as the arrays */
	uint64_t loads;           /* per latency repetition, >= 1 */
	unsigned latency_reps;    /* >= 1 (5 by the rule) */
	bool sweep;
	uint64_t sweep_loads;     /* per repetition of a sweep point */
	/* The machine; NULL: the live one, read here.  Its CPU structure is
	 * loaded (hwloc) when it is not yet. */
	struct np_topo *topo;
	/* Called before each measurement with what comes next ("bandwidth
	 * 2/4: CPU node 0, memory node 1"); NULL: not called. */
	void (*progress)(void *arg, const char *what);
	void *progress_arg;
};

/* What changes the numbers, as read from the running kernel. */
struct np_bench_host {
	int numa_balancing;       /* the sysctl's value (0 off); -1 unknown */
	char thp[16];             /* "always", "madvise", "never"; "" unknown */
	char governor[32];        /* of the first measured CPU; "" unknown */
	bool lab_guest;           /* booted by numaplace lab (TCG) */
};

/* One CPU node x memory node pair. */
struct np_bench_mem_bw {
	unsigned cpu_node, mem_node;
	unsigned threads;
	unsigned *cpus;           /* `threads` CPUs, thread i on cpus[i] */
	/* Best MB/s after the first repetition; 0 for a kernel not run. */
	double best_mbps[NP_MEM_NKERNELS];
	/* mbps[k * ntimes + r]: every repetition, r = 0 the discarded one. */
	double *mbps;
	uint64_t huge_bytes;      /* of the arrays, in huge pages (smaps) */
};

struct np_bench_mem_lat {
	unsigned cpu_node, mem_node;
	unsigned cpu;             /* the chasing thread's */
	double ns;                /* median ns per load */
	double *reps_ns;          /* latency_reps of them, in order */
	uint64_t huge_bytes;
};

struct np_bench_mem_point {
	uint64_t bytes;
	double ns;                /* median ns per load */
};

struct np_bench_mem_sweep {
	unsigned cpu_node, mem_node;
	struct np_bench_mem_point *base, *huge;   /* n points each */
	size_t n;
	uint64_t huge_bytes;      /* of the huge buffer, really huge (smaps) */
	uint64_t buffer_bytes;    /* its size */
};

struct np_bench_mem_result {
	struct np_bench_host host;
	unsigned kernels;
	bool nt;
	size_t page_bytes;        /* asked for */
	unsigned ntimes;
	uint64_t array_bytes;
	bool size_given;          /* array_bytes came from the caller */
	uint64_t llc_bytes;       /* the largest CPU node's last-level cache */
	unsigned llc_level;       /* 3 for L3, ... (0: unknown) */
	unsigned *cpu_nodes, *mem_nodes;
	size_t ncpu_nodes, nmem_nodes;
	/* bw[i * nmem_nodes + j]: cpu_nodes[i] x mem_nodes[j]; NULL when no
	 * kernel ran. */
	struct np_bench_mem_bw *bw;
	/* lat[i * nmem_nodes + j], NULL without latency. */
	struct np_bench_mem_lat *lat;
	uint64_t latency_bytes, loads;
	unsigned latency_reps;
	struct np_bench_mem_sweep *sweep;    /* NULL without sweep */
	uint64_t sweep_loads;
};

/*
 * Runs the measurements and hands back the result, which the caller
 * frees with np_bench_mem_result_free().  *out is NULL on failure.
 */
int np_bench_mem_run(const struct np_bench_mem_opts *o,
		     struct np_bench_mem_result **out, struct np_err *err);
void np_bench_mem_result_free(struct np_bench_mem_result *r);

/* Reads the state above from the live machine (never fails: what cannot
 * be read is "unknown"); governor of CPU `cpu`. */
void np_bench_host_read(unsigned cpu, struct np_bench_host *h);

#ifdef __cplusplus
}
#endif

#endif
