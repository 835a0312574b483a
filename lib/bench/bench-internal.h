/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pieces of `bench alloc` (include/numaplace/bench.h) and how they
 * talk.  Internal to libnumaplace and its helper program.
 *
 *   bench-alloc.c        the run: options, the plan, rounds, results
 *   bench-contender.c    the caller's side of one allocator's helper:
 *                        start it, ask it for measurements, drop it
 *   bench-child.c        inside the helper: the plan received, pinned
 *                        worker threads, calibration, the reply loop
 *   bench-alloc-peers.c  the measured loops and the allocators
 *   bench-proto.c        the messages on the pipes
 *   bench-helper.c       main() of numaplace-bench-helper
 *
 * The protocol, on two pipes (the helper's stdin and stdout):
 *   caller -> helper  struct np_bench_setup, then the plan's arrays
 *   helper -> caller  struct np_bench_reply: status, the calibrated
 *                     frames per measurement, a note (numaplace's pool)
 *                     or why it cannot run
 *   then, until the request says 0 threads:
 *   caller -> helper  struct np_bench_request: measure with N threads
 *   helper -> caller  struct np_bench_reply: ns per frame, both modes
 * A helper that fails once says why and stops serving.
 */
#ifndef NP_BENCH_INTERNAL_H
#define NP_BENCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include <numaplace/bench.h>

#define NP_BENCH_PAGE_BYTES 4096u
#define NP_BENCH_MIB (1024u * 1024u)
#define NP_BENCH_MAX_FRAMES_PER_RUN (1ull << 34)
/* A helper that says nothing for this long is hung. */
#define NP_BENCH_REPLY_TIMEOUT_MS 300000

/* What every helper follows, made once by the caller. */
struct np_bench_plan {
	size_t frame_bytes;
	size_t alloc_bytes;      /* of every allocation: size_bytes or a frame */
	unsigned nthreads;       /* of the widest configuration */
	unsigned nconfigs;       /* 1: one thread only; 2: one and nthreads */
	unsigned rounds;
	double target_ns;        /* timed part of one measurement */
	uint64_t pool_bytes;     /* numaplace's pool, per node */
	bool cpu_clock;          /* time threads' CPU time, not wall time */
	/* Thread i runs on cpus[i] and allocates on nodes[i]. */
	unsigned *cpus, *nodes;
	unsigned *pool_nodes;    /* the distinct nodes[], ascending */
	size_t npool_nodes;
};

static inline unsigned np_bench_config_threads(const struct np_bench_plan *pl,
					       unsigned cfg)
{
	return cfg == NP_BENCH_ONE_THREAD ? 1 : pl->nthreads;
}

/* ---- the allocators (bench-alloc-peers.c) ---- */

struct np_bench_allocator {
	const char *name;
	/* Loads and prepares the allocator in the helper; msg: why not. */
	int (*setup)(const struct np_bench_plan *pl, char *msg, size_t len);
	/* What it was given (numaplace: its pool's backing); may be NULL. */
	void (*describe)(char *msg, size_t len);
	/* `frames` allocations of `bytes` on `node`, one at a time / in
	 * batches; frames is a multiple of NP_BENCH_BATCH_FRAMES.
	 * -ENOMEM when an allocation failed, -EINVAL when a free did. */
	int (*single)(uint64_t frames, size_t bytes, unsigned node);
	int (*batch)(uint64_t frames, size_t bytes, unsigned node);
};

/* numaplace first: the others' ratios are against it. */
extern const struct np_bench_allocator np_bench_allocators[];
extern const size_t np_bench_nallocators;

/* ---- the wire (bench-proto.c) ---- */

#define NP_BENCH_PROTO_MAGIC 0x6e70626eu    /* "npbn" */
#define NP_BENCH_PROTO_VERSION 2u

/* The plan, for one helper; followed on the pipe by uint32_t cpus[nthreads],
 * nodes[nthreads] and pool_nodes[npool_nodes]. */
struct np_bench_setup {
	uint32_t magic, version;  /* a helper of another build refuses */
	int32_t parent_pid;       /* the helper ends when it is not its parent */
	uint32_t nthreads, npool_nodes;
	uint64_t frame_bytes, alloc_bytes, pool_bytes;
	double target_ns;
	uint32_t cpu_clock;       /* 1: threads' CPU time, 0: wall time */
	uint32_t pad;
};

/* Each message is one write (well under PIPE_BUF, but for the setup's
 * arrays, which nobody else writes to the pipe). */
struct np_bench_request {
	uint32_t nthreads;        /* 0: exit */
};

struct np_bench_reply {
	int32_t status;           /* 0 or a negative errno */
	uint64_t frames[NP_BENCH_NMODES]; /* (setup) per thread, measurement */
	double ns[NP_BENCH_NMODES];       /* ns per frame (a measurement) */
	char msg[240];            /* why not, or (setup) what was made */
};

/* All of buf, retrying after signals; -EPIPE when the other end is gone. */
int np_bench_write_full(int fd, const void *buf, size_t len);

/* All of len bytes: 0, -EPIPE at end of file, -ETIMEDOUT when nothing
 * came for timeout_ms (-1: wait for ever). */
int np_bench_read_full(int fd, void *buf, size_t len, int timeout_ms);

/* ---- the caller's side of one helper (bench-contender.c) ---- */

struct np_bench_contender {
	const struct np_bench_allocator *a;
	pid_t pid;                /* 0: none (any more) */
	int req_fd, rep_fd;
	bool measured;
	char why[320];            /* why not measured */
	char note[240];           /* from its setup reply */
	uint64_t frames[NP_BENCH_NMODES];
	double *ns[NP_BENCH_NCONFIGS][NP_BENCH_NMODES];  /* [round] */
};

/*
 * Starts a helper for k->a with the plan and waits for its setup reply.
 * 0 when it runs, or when it came up and could not measure (then
 * k->measured is false and k->why says why); a negative errno when no
 * helper could be started at all (then *why says so).
 */
int np_bench_contender_start(struct np_bench_contender *k,
			     const struct np_bench_plan *pl, const char *helper,
			     char *const envp[], const sigset_t *mask,
			     char *why, size_t len);

/* One measurement of both modes in configuration cfg into round `round`;
 * on failure the contender is dropped (measured false, why set). */
void np_bench_contender_measure(struct np_bench_contender *k,
				const struct np_bench_plan *pl, unsigned cfg,
				unsigned round);

/* Asks every helper to exit and waits for them. */
void np_bench_contenders_stop(struct np_bench_contender *ks, size_t n);

/* Kills a helper (if any) and waits for it. */
void np_bench_contender_kill(struct np_bench_contender *k);

/* ---- inside the helper (bench-child.c) ---- */

/*
 * Serves one allocator (by name) on req_fd / rep_fd until told to exit or
 * the caller is gone; returns the helper's exit status.  The worker
 * threads it starts never end: the helper leaves with _exit().
 */
int np_bench_child_serve(const char *allocator, int req_fd, int rep_fd);

#endif
