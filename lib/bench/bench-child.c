/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside a helper: one allocator, its measuring threads pinned one per
 * CPU and alive for the whole run, each measurement a warm-up, a start
 * line every thread has reached, then the calibrated number of frames.
 * This is the only library code a helper runs (its main() is
 * tools/bench-helper/bench-helper.c), so ending it with _exit() is the
 * helper's business, not a host's.
 */
#include "bench/bench-internal.h"

#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "linux/linux-task.h"
#include "util/util-time.h"

struct child;

struct worker {
	pthread_t thread;
	sem_t go, done;           /* the child's main thread <-> this worker */
	unsigned cpu, node;
	int status;               /* of the last job */
	uint64_t t0_ns, t1_ns;    /* its timed part */
	uint64_t c0_ns, c1_ns;    /* the same in its CPU time */
	struct child *c;
};

struct child {
	const struct np_bench_allocator *a;
	const struct np_bench_plan *pl;
	struct worker *w;         /* [pl->nthreads] */
	/* The job, written before the workers' go is posted. */
	unsigned job_threads;     /* workers 0 .. job_threads-1 take part */
	int job_mode;
	uint64_t job_frames;      /* per thread, a multiple of the batch */
	atomic_uint at_start;     /* workers past their warm-up */
};

static void sem_wait_eintr(sem_t *s)
{
	while (sem_wait(s) && errno == EINTR)
		;
}

static uint64_t round_to_batch(uint64_t frames)
{
	frames = (frames + NP_BENCH_BATCH_FRAMES - 1) / NP_BENCH_BATCH_FRAMES *
		 NP_BENCH_BATCH_FRAMES;
	return frames ? frames : NP_BENCH_BATCH_FRAMES;
}

/* Warm-up (a quarter of the frames), the start line, the timed part. */
static int run_job(struct child *c, struct worker *w)
{
	int (*run)(uint64_t, size_t, unsigned) =
		c->job_mode == NP_BENCH_BATCH ? c->a->batch : c->a->single;
	size_t bytes = c->pl->alloc_bytes;
	int e = run(round_to_batch(c->job_frames / 4), bytes, w->node);

	/* No thread starts its clock before every one has warmed up. */
	atomic_fetch_add(&c->at_start, 1);
	while (atomic_load(&c->at_start) < c->job_threads)
		sched_yield();
	w->c0_ns = np_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	w->t0_ns = np_clock_ns(CLOCK_MONOTONIC);
	if (!e)
		e = run(c->job_frames, bytes, w->node);
	w->t1_ns = np_clock_ns(CLOCK_MONOTONIC);
	w->c1_ns = np_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	return e;
}

/* Until the helper exits (_exit ends every thread). */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct child *c = w->c;

	for (;;) {
		sem_wait_eintr(&w->go);
		w->status = run_job(c, w);
		sem_post(&w->done);
	}
	return NULL;
}

static int start_workers(struct child *c, char *msg, size_t len)
{
	const struct np_bench_plan *pl = c->pl;

	c->w = calloc(pl->nthreads, sizeof(*c->w));
	if (!c->w)
		return -ENOMEM;
	for (unsigned i = 0; i < pl->nthreads; i++) {
		struct worker *w = &c->w[i];
		pthread_attr_t attr;
		int e;

		w->c = c;
		w->cpu = pl->cpus[i];
		w->node = pl->nodes[i];
		sem_init(&w->go, 0, 0);
		sem_init(&w->done, 0, 0);
		pthread_attr_init(&attr);
		e = np_thread_attr_pin(&attr, w->cpu);
		if (!e)
			e = -pthread_create(&w->thread, &attr, worker_main, w);
		pthread_attr_destroy(&attr);
		if (e) {
			snprintf(msg, len, "a thread on CPU %u: %s", w->cpu,
				 strerror(-e));
			return e;
		}
	}
	return 0;
}

/* One measurement: ns per frame, aggregate over the threads. */
static int child_measure(struct child *c, unsigned nthreads, int mode,
			 uint64_t frames, double *ns)
{
	uint64_t t0 = UINT64_MAX, t1 = 0, cpu = 0;
	int e = 0;

	c->job_threads = nthreads;
	c->job_mode = mode;
	c->job_frames = frames;
	atomic_store(&c->at_start, 0);
	for (unsigned i = 0; i < nthreads; i++)
		sem_post(&c->w[i].go);
	for (unsigned i = 0; i < nthreads; i++) {
		struct worker *w = &c->w[i];

		sem_wait_eintr(&w->done);
		if (w->status && !e)
			e = w->status;
		t0 = w->t0_ns < t0 ? w->t0_ns : t0;
		t1 = w->t1_ns > t1 ? w->t1_ns : t1;
		cpu += w->c1_ns - w->c0_ns;
	}
	/* wall: the first start to the last end over every thread's
	 * frames; CPU: each thread's own time, the mean over threads */
	*ns = (double)(c->pl->cpu_clock ? cpu : t1 - t0) /
	      ((double)frames * nthreads);
	return e;
}

/* Frames for about target_ns on one thread: grow until a run is long
 * enough to time, then scale. */
static int calibrate(struct child *c, int mode, uint64_t *frames)
{
	uint64_t n = NP_BENCH_BATCH_FRAMES;
	double ns;
	int e;

	for (;;) {
		e = child_measure(c, 1, mode, n, &ns);
		if (e)
			return e;
		if (ns * (double)n >= c->pl->target_ns / 8 ||
		    n >= NP_BENCH_MAX_FRAMES_PER_RUN / 4)
			break;
		n *= 4;
	}
	ns = ns > 0.01 ? ns : 0.01;
	n = round_to_batch((uint64_t)(c->pl->target_ns / ns));
	*frames = n < NP_BENCH_MAX_FRAMES_PER_RUN ? n
		: NP_BENCH_MAX_FRAMES_PER_RUN;
	return 0;
}

static void child_setup(struct child *c, struct np_bench_reply *r)
{
	r->status = c->a->setup(c->pl, r->msg, sizeof(r->msg));
	if (!r->status)
		r->status = start_workers(c, r->msg, sizeof(r->msg));
	for (int m = 0; m < NP_BENCH_NMODES && !r->status; m++)
		r->status = calibrate(c, m, &r->frames[m]);
	if (r->status && !r->msg[0])
		snprintf(r->msg, sizeof(r->msg), "%s %s",
			 r->status == -ENOMEM ? "allocation failed:" : "failed:",
			 strerror(-r->status));
	else if (!r->status && c->a->describe)
		c->a->describe(r->msg, sizeof(r->msg));
}

static const char *measure_error(int e)
{
	if (e == -ENOMEM)
		return "allocation failed: out of memory";
	if (e == -EPROTO)
		return "more threads asked for than planned";
	return "free failed: invalid argument";
}

static void child_serve(struct child *c, int req_fd, int rep_fd,
			struct np_bench_reply *r)
{
	struct np_bench_request q;
	uint64_t frames[NP_BENCH_NMODES];

	memcpy(frames, r->frames, sizeof(frames));
	while (!np_bench_read_full(req_fd, &q, sizeof(q), -1) && q.nthreads) {
		memset(r, 0, sizeof(*r));
		if (q.nthreads > c->pl->nthreads)
			r->status = -EPROTO;
		for (int m = 0; m < NP_BENCH_NMODES && !r->status; m++)
			r->status = child_measure(c, q.nthreads, m, frames[m],
						  &r->ns[m]);
		if (r->status)
			snprintf(r->msg, sizeof(r->msg), "%s",
				 measure_error(r->status));
		if (np_bench_write_full(rep_fd, r, sizeof(*r)) || r->status)
			break;
	}
}

/* ---- the plan, as the caller sent it ---- */

static void free_plan(struct np_bench_plan *pl)
{
	free(pl->cpus);
	free(pl->nodes);
	free(pl->pool_nodes);
}

static int read_ids(int fd, unsigned **ids, size_t n)
{
	uint32_t *wire = calloc(n ? n : 1, sizeof(uint32_t));
	int e;

	*ids = calloc(n ? n : 1, sizeof(unsigned));
	if (!wire || !*ids) {
		free(wire);
		return -ENOMEM;
	}
	e = np_bench_read_full(fd, wire, n * sizeof(uint32_t), -1);
	for (size_t i = 0; !e && i < n; i++)
		(*ids)[i] = wire[i];
	free(wire);
	return e;
}

/* The head first (magic, version, caller), whatever the version: a
 * caller of another build learns why instead of waiting for a reply. */
static int check_head(const struct np_bench_setup *s, char *msg, size_t len)
{
	if (s->magic != NP_BENCH_PROTO_MAGIC) {
		snprintf(msg, len, "not a numaplace bench caller");
		return -EPROTO;
	}
	if (s->version != NP_BENCH_PROTO_VERSION) {
		snprintf(msg, len, "the helper speaks protocol %u, the caller "
			 "%u (a helper of another build?)",
			 NP_BENCH_PROTO_VERSION, s->version);
		return -EPROTO;
	}
	return 0;
}

static int check_body(const struct np_bench_setup *s, char *msg, size_t len)
{
	if (s->nthreads == 0 || s->nthreads > 65536 || s->npool_nodes == 0 ||
	    s->npool_nodes > s->nthreads || s->alloc_bytes == 0 ||
	    s->frame_bytes == 0 || !(s->target_ns > 0) || s->cpu_clock > 1) {
		snprintf(msg, len, "a plan out of range");
		return -EPROTO;
	}
	return 0;
}

static int receive_plan(int fd, struct np_bench_plan *pl, pid_t *parent,
			char *msg, size_t len)
{
	const size_t head = offsetof(struct np_bench_setup, nthreads);
	struct np_bench_setup s;
	int e = np_bench_read_full(fd, &s, head, -1);

	if (e)
		return e;
	*parent = s.parent_pid;
	e = check_head(&s, msg, len);
	if (!e)
		e = np_bench_read_full(fd, (char *)&s + head, sizeof(s) - head,
				       -1);
	if (!e)
		e = check_body(&s, msg, len);
	if (e)
		return e;
	pl->frame_bytes = s.frame_bytes;
	pl->alloc_bytes = s.alloc_bytes;
	pl->nthreads = s.nthreads;
	pl->pool_bytes = s.pool_bytes;
	pl->target_ns = s.target_ns;
	pl->cpu_clock = s.cpu_clock;
	pl->npool_nodes = s.npool_nodes;
	e = read_ids(fd, &pl->cpus, s.nthreads);
	if (!e)
		e = read_ids(fd, &pl->nodes, s.nthreads);
	if (!e)
		e = read_ids(fd, &pl->pool_nodes, s.npool_nodes);
	return e;
}

static const struct np_bench_allocator *find_allocator(const char *name)
{
	for (size_t i = 0; i < np_bench_nallocators; i++)
		if (!strcmp(np_bench_allocators[i].name, name))
			return &np_bench_allocators[i];
	return NULL;
}

int np_bench_child_serve(const char *allocator, int req_fd, int rep_fd)
{
	struct np_bench_plan pl = { 0 };
	struct child c = { .pl = &pl };
	struct np_bench_reply r;
	pid_t parent = 0;

	/* Never outlive the caller. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&r, 0, sizeof(r));
	r.status = receive_plan(req_fd, &pl, &parent, r.msg, sizeof(r.msg));
	if (r.status == -EPIPE || r.status == -ENOMEM ||
	    getppid() != parent) {
		/* Nobody to answer (or its parent died before PDEATHSIG was
		 * set: then it would be reparented and serve no one). */
		free_plan(&pl);
		return 1;
	}
	c.a = find_allocator(allocator);
	if (!r.status && !c.a) {
		snprintf(r.msg, sizeof(r.msg), "no allocator '%s'", allocator);
		r.status = -EINVAL;
	}
	if (!r.status)
		child_setup(&c, &r);
	if (!np_bench_write_full(rep_fd, &r, sizeof(r)) && !r.status)
		child_serve(&c, req_fd, rep_fd, &r);
	/* The workers still wait on their semaphores: the helper leaves
	 * with _exit, and the plan goes with it. */
	return 0;
}
