/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace bench alloc: the cost of one frame (allocate, write one byte,
 * free) from numaplace's frame pool against numa_alloc_onnode, glibc,
 * mimalloc, jemalloc and memkind, in one run.
 *
 * Every allocator is measured in a child process of its own, forked once
 * and kept for the whole run, so jemalloc or mimalloc never share a
 * process with another contender and every figure is steady state.  The
 * peers are loaded there with dlopen (the CLI links none of them).  The
 * parent only sequences: in each round it asks every child in turn (the
 * order rotated per round) for one measurement, so only one allocator
 * runs at a time and all of them see the same machine.  A child's
 * measuring threads are pinned, one per CPU, and stay alive between
 * measurements; each measurement is a warm-up, a start line every thread
 * has reached, then a calibrated number of frames (about --time-ms).
 */
#include "cli/cli.h"
#include "cli/cli-json.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include <numaplace/frames.h>
#include <numaplace/stats.h>
#include <numaplace/topo.h>

#define PAGE_BYTES 4096u
#define BATCH 64u                     /* frames of a batch */
#define MIB (1024u * 1024u)
#define MAX_FRAMES_PER_RUN (1ull << 34)
#define REPLY_TIMEOUT_MS 300000       /* a child that says nothing is hung */

/*
 * jemalloc's TLS is initial-exec (2.6 KiB here): dlopen fails with
 * "cannot allocate memory in static TLS block" unless glibc reserved that
 * much at start-up, which only this tunable, read at exec, can ask for.
 */
#define STATIC_TLS_TUNABLE "glibc.rtld.optional_static_tls"
#define STATIC_TLS_BYTES "16384"

void usage_bench(FILE *out)
{
	fprintf(out,
		"usage: numaplace bench alloc [--json] [--threads N] [--frame 4k|2m]\n"
		"                             [--rounds N] [--time-ms MS] [--pool-mib MIB]\n"
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
		"    -h, --help           show this help\n"
		"\n"
		"The threads run on the first N CPUs this task may use.  Exit status 1\n"
		"when numaplace's pool cannot be made or fails; 2 for bad options.\n");
}

/* ---- options ---- */

struct bench_opts {
	bool json;
	unsigned threads, rounds, time_ms, pool_mib;
	unsigned ncpus;           /* this task may use; --threads takes the first */
	size_t frame_bytes;
	uint64_t size_bytes;      /* --size; 0: one frame */
};

enum { OPT_TIME_MS = 256, OPT_POOL_MIB, OPT_SIZE };

/* what_max: why max, for the message ("" or " (...)"). */
static int parse_count(const char *opt, const char *arg, unsigned max,
		       const char *what_max, unsigned *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || arg[0] == '-' || arg[0] == '+' ||
	    x == 0 || x > max) {
		np_err_line("bench alloc: %s '%s': expected a number from 1 to "
			    "%u%s", opt, arg, max, what_max);
		return NP_EXIT_USAGE;
	}
	*v = (unsigned)x;
	return 0;
}

static int parse_frame(const char *s, size_t *bytes)
{
	if (strcmp(s, "4k") == 0 || strcmp(s, "4K") == 0) {
		*bytes = PAGE_BYTES;
	} else if (strcmp(s, "2m") == 0 || strcmp(s, "2M") == 0) {
		*bytes = 2 * MIB;
	} else {
		np_err_line("bench alloc: --frame '%s': expected 4k or 2m", s);
		return NP_EXIT_USAGE;
	}
	return 0;
}

static int set_opt(struct bench_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'j': o->json = true; return 0;
	case 't':
		return parse_count("--threads", arg, o->ncpus,
				   " (the CPUs this task may use)", &o->threads);
	case 'f': return parse_frame(arg, &o->frame_bytes);
	case 'r': return parse_count("--rounds", arg, 100000, "", &o->rounds);
	case OPT_TIME_MS:
		return parse_count("--time-ms", arg, 10000, "", &o->time_ms);
	case OPT_POOL_MIB:
		return parse_count("--pool-mib", arg, 1u << 20, "", &o->pool_mib);
	case OPT_SIZE: {
		struct np_err err = { 0 };

		if (np_frames_parse_size(arg, &o->size_bytes, &err)) {
			np_err_line("bench alloc: --size: %s", err.msg);
			return NP_EXIT_USAGE;
		}
		return 0;
	}
	}
	return NP_EXIT_USAGE;
}

/* argv[0] is "alloc".  -1: help was shown. */
static int parse_alloc_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "threads", required_argument, NULL, 't' },
		{ "frame", required_argument, NULL, 'f' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "time-ms", required_argument, NULL, OPT_TIME_MS },
		{ "pool-mib", required_argument, NULL, OPT_POOL_MIB },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	opterr = 0;
	optind = 1;
	while (!rc && (c = getopt_long(argc, argv, ":jt:f:r:h", longopts,
				       NULL)) != -1) {
		if (c == 'h') {
			usage_bench(stdout);
			return -1;
		}
		if (c == ':' || c == '?')
			return np_opt_fail("bench alloc", c, argv);
		rc = set_opt(o, c, optarg);
	}
	if (!rc && optind < argc) {
		np_err_line("bench alloc: unexpected argument '%s'", argv[optind]);
		rc = NP_EXIT_USAGE;
	}
	if (!rc && o->size_bytes && (o->size_bytes % o->frame_bytes ||
	    (o->size_bytes & (o->size_bytes - 1)) ||
	    o->size_bytes > 1024 * (uint64_t)o->frame_bytes)) {
		np_err_line("bench alloc: --size %llu: a power-of-two number of "
			    "frames, 1 to 1024 (%zu-byte frames)",
			    (unsigned long long)o->size_bytes, o->frame_bytes);
		rc = NP_EXIT_USAGE;
	}
	return rc;
}

/* ---- the plan every child follows ---- */

struct bench_plan {
	size_t frame_bytes;
	size_t alloc_bytes;      /* of every allocation: --size, or a frame */
	unsigned nthreads;       /* of the widest configuration */
	unsigned nconfigs;       /* 1: one thread only; 2: one and nthreads */
	unsigned rounds;
	double target_ns;        /* timed part of one measurement */
	uint64_t pool_bytes;     /* numaplace's pool, per node */
	unsigned *cpus, *nodes;  /* thread i runs on cpus[i], allocates on nodes[i] */
	unsigned *pool_nodes;    /* the distinct nodes[], ascending */
	size_t npool_nodes;
};

static unsigned config_threads(const struct bench_plan *pl, unsigned cfg)
{
	return cfg == 0 ? 1 : pl->nthreads;
}

/*
 * The node a thread on `cpu` allocates from: its own, or the nearest node
 * with memory when its own has none (as the kernel's local policy does).
 * A node whose MemTotal is unknown is taken to have memory.
 */
static long node_with_memory_near(const struct np_topo *t, unsigned cpu)
{
	long home = -1, best = -1;

	for (size_t i = 0; i < t->nnodes && home < 0; i++)
		for (size_t k = 0; k < t->nodes[i].ncpus; k++)
			if (t->nodes[i].cpus[k] == cpu)
				home = (long)i;
	if (home >= 0 && t->nodes[home].total_bytes != 0)
		return t->nodes[home].id;
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct np_node *n = &t->nodes[i];

		if (n->total_bytes == 0)
			continue;
		if (best < 0 || (home >= 0 &&
		    np_topo_distance(t, t->nodes[home].id, n->id) <
		    np_topo_distance(t, t->nodes[home].id, (unsigned)best)))
			best = n->id;
	}
	return best;
}

static int plan_nodes(struct bench_plan *pl)
{
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	int e = np_topo_from_sysroot_parts("/", NP_TOPO_BASIC, &t, &err);

	if (e) {
		np_err_line("bench alloc: %s", err.msg);
		return NP_EXIT_RUNTIME;
	}
	for (unsigned i = 0; i < pl->nthreads; i++) {
		long node = node_with_memory_near(t, pl->cpus[i]);

		if (node < 0) {
			np_err_line("bench alloc: no node with memory for CPU %u",
				    pl->cpus[i]);
			np_topo_free(t);
			return NP_EXIT_RUNTIME;
		}
		pl->nodes[i] = (unsigned)node;
	}
	np_topo_free(t);
	for (unsigned i = 0; i < pl->nthreads; i++) {
		size_t k = 0;

		while (k < pl->npool_nodes && pl->pool_nodes[k] < pl->nodes[i])
			k++;
		if (k < pl->npool_nodes && pl->pool_nodes[k] == pl->nodes[i])
			continue;
		memmove(&pl->pool_nodes[k + 1], &pl->pool_nodes[k],
			(pl->npool_nodes - k) * sizeof(unsigned));
		pl->pool_nodes[k] = pl->nodes[i];
		pl->npool_nodes++;
	}
	return 0;
}

/* A pool big enough for every thread's batch plus its cache on top. */
static uint64_t pool_bytes_per_node(const struct bench_opts *o,
				    const struct bench_plan *pl)
{
	uint64_t most = 0, bytes;

	for (size_t k = 0; k < pl->npool_nodes; k++) {
		uint64_t n = 0;

		for (unsigned i = 0; i < pl->nthreads; i++)
			n += pl->nodes[i] == pl->pool_nodes[k];
		if (n > most)
			most = n;
	}
	if (o->pool_mib)
		return (uint64_t)o->pool_mib * MIB;
	bytes = (uint64_t)pl->alloc_bytes * 2 * BATCH * most;
	return bytes > 64 * MIB ? bytes : 64 * MIB;
}

static int make_plan(const struct bench_opts *o, const cpu_set_t *allowed,
		     struct bench_plan *pl)
{
	unsigned n = 0;

	pl->frame_bytes = o->frame_bytes;
	pl->alloc_bytes = o->size_bytes ? o->size_bytes : o->frame_bytes;
	pl->nthreads = o->threads;
	pl->nconfigs = o->threads > 1 ? 2 : 1;
	pl->rounds = o->rounds;
	pl->target_ns = o->time_ms * 1e6;
	pl->cpus = calloc(o->threads, sizeof(unsigned));
	pl->nodes = calloc(o->threads, sizeof(unsigned));
	pl->pool_nodes = calloc(o->threads, sizeof(unsigned));
	if (!pl->cpus || !pl->nodes || !pl->pool_nodes) {
		np_err_line("bench alloc: out of memory");
		return NP_EXIT_RUNTIME;
	}
	for (unsigned cpu = 0; cpu < CPU_SETSIZE && n < o->threads; cpu++)
		if (CPU_ISSET(cpu, allowed))
			pl->cpus[n++] = cpu;
	if (plan_nodes(pl))
		return NP_EXIT_RUNTIME;
	pl->pool_bytes = pool_bytes_per_node(o, pl);
	return 0;
}

static void free_plan(struct bench_plan *pl)
{
	free(pl->cpus);
	free(pl->nodes);
	free(pl->pool_nodes);
}

/* ---- the measured loops ---- */

/* The one byte every frame gets: volatile, so it cannot be elided. */
static inline void touch(void *p)
{
	*(volatile unsigned char *)p = 1;
}

typedef void *alloc_fn(size_t bytes, unsigned node);
typedef int free_fn(void *p, size_t bytes);

/*
 * Inlined into each allocator's own loop with constant alloc/free, so
 * every contender pays exactly one call into its allocator per operation
 * (a direct call for numaplace and glibc, through the dlsym pointer for
 * the others, as a PLT would).
 */
static inline __attribute__((always_inline)) int
loop_single(alloc_fn *alloc, free_fn *release, uint64_t frames, size_t bytes,
	    unsigned node)
{
	for (uint64_t i = 0; i < frames; i++) {
		void *p = alloc(bytes, node);

		if (!p)
			return -ENOMEM;
		touch(p);
		if (release(p, bytes))
			return -EINVAL;
	}
	return 0;
}

static inline __attribute__((always_inline)) int
loop_batch(alloc_fn *alloc, free_fn *release, uint64_t frames, size_t bytes,
	   unsigned node)
{
	void *p[BATCH];

	for (uint64_t i = 0; i < frames; i += BATCH) {
		for (unsigned k = 0; k < BATCH; k++) {
			p[k] = alloc(bytes, node);
			if (!p[k]) {
				while (k--)
					release(p[k], bytes);
				return -ENOMEM;
			}
			touch(p[k]);
		}
		for (unsigned k = 0; k < BATCH; k++)
			if (release(p[k], bytes))
				return -EINVAL;
	}
	return 0;
}

#define BENCH_LOOPS(a)                                                      \
	static int a##_single(uint64_t frames, size_t bytes, unsigned node) \
	{                                                                   \
		return loop_single(a##_alloc, a##_free, frames, bytes, node); \
	}                                                                   \
	static int a##_batch(uint64_t frames, size_t bytes, unsigned node)  \
	{                                                                   \
		return loop_batch(a##_alloc, a##_free, frames, bytes, node);  \
	}

/* ---- the contenders (each lives in its own child process) ---- */

/* Loads a library and the symbols named in syms[] into slots[]. */
static int dl_load(const char *soname, const char *const *syms, void **slots,
		   size_t n, char *msg, size_t len)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(msg, len, "%s", dlerror());
		return -ENOENT;
	}
	for (size_t i = 0; i < n; i++) {
		slots[i] = dlsym(h, syms[i]);
		if (!slots[i]) {
			snprintf(msg, len, "%s: no symbol %s", soname, syms[i]);
			return -ENOENT;
		}
	}
	return 0;
}

/* numaplace */
static struct np_frames *bench_pool;

static void *numaplace_alloc(size_t bytes, unsigned node)
{
	return np_frames_alloc_onnode(bench_pool, bytes, node, NULL);
}

static int numaplace_free(void *p, size_t bytes)
{
	return np_frames_free(bench_pool, p, bytes);
}

BENCH_LOOPS(numaplace)

static int numaplace_setup(const struct bench_plan *pl, char *msg, size_t len)
{
	struct np_frames_opts o = {
		.nodes = pl->pool_nodes,
		.nnodes = pl->npool_nodes,
		.bytes_per_node = pl->pool_bytes,
		.frame_bytes = pl->frame_bytes,
	};
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	int e = np_topo_from_sysroot_parts("/", NP_TOPO_COUNTERS, &t, &err);

	o.topo = t;
	if (!e)
		e = np_frames_create(&o, &bench_pool, &err);
	np_topo_free(t);

	if (e)
		snprintf(msg, len, "%s", err.msg[0] ? err.msg : strerror(-e));
	return e;
}

/* libnuma */
static struct {
	void *(*alloc_onnode)(size_t bytes, int node);
	void (*free)(void *p, size_t bytes);
	int (*available)(void);
} libnuma;

static void *libnuma_alloc(size_t bytes, unsigned node)
{
	return libnuma.alloc_onnode(bytes, (int)node);
}

static int libnuma_free(void *p, size_t bytes)
{
	libnuma.free(p, bytes);
	return 0;
}

BENCH_LOOPS(libnuma)

static int libnuma_setup(const struct bench_plan *pl, char *msg, size_t len)
{
	static const char *const syms[] = {
		"numa_alloc_onnode", "numa_free", "numa_available",
	};
	void *slots[3];
	int e = dl_load("libnuma.so.1", syms, slots, 3, msg, len);

	(void)pl;
	if (e)
		return e;
	*(void **)&libnuma.alloc_onnode = slots[0];
	*(void **)&libnuma.free = slots[1];
	*(void **)&libnuma.available = slots[2];
	if (libnuma.available() < 0) {
		snprintf(msg, len, "numa_available() < 0: no NUMA support");
		return -ENOSYS;
	}
	return 0;
}

/* glibc (the child has no other malloc) */
static void *glibc_alloc(size_t bytes, unsigned node)
{
	(void)node;
	return aligned_alloc(PAGE_BYTES, bytes);
}

static int glibc_free(void *p, size_t bytes)
{
	(void)bytes;
	free(p);
	return 0;
}

BENCH_LOOPS(glibc)

static int glibc_setup(const struct bench_plan *pl, char *msg, size_t len)
{
	(void)pl;
	(void)msg;
	(void)len;
	return 0;
}

/* mimalloc */
static struct {
	void *(*malloc_aligned)(size_t bytes, size_t align);
	void (*free)(void *p);
} mimalloc;

static void *mimalloc_alloc(size_t bytes, unsigned node)
{
	(void)node;
	return mimalloc.malloc_aligned(bytes, PAGE_BYTES);
}

static int mimalloc_free(void *p, size_t bytes)
{
	(void)bytes;
	mimalloc.free(p);
	return 0;
}

BENCH_LOOPS(mimalloc)

static int mimalloc_setup(const struct bench_plan *pl, char *msg, size_t len)
{
	static const char *const syms[] = { "mi_malloc_aligned", "mi_free" };
	void *slots[2];
	int e = dl_load("libmimalloc.so.2", syms, slots, 2, msg, len);

	(void)pl;
	if (e)
		return e;
	*(void **)&mimalloc.malloc_aligned = slots[0];
	*(void **)&mimalloc.free = slots[1];
	return 0;
}

/* jemalloc; MALLOCX_ALIGN(a) is lg(a) in the low bits of the flags */
#define JE_ALIGN_PAGE 12

static struct {
	void *(*mallocx)(size_t bytes, int flags);
	void (*dallocx)(void *p, int flags);
} jemalloc;

static void *jemalloc_alloc(size_t bytes, unsigned node)
{
	(void)node;
	return jemalloc.mallocx(bytes, JE_ALIGN_PAGE);
}

static int jemalloc_free(void *p, size_t bytes)
{
	(void)bytes;
	jemalloc.dallocx(p, JE_ALIGN_PAGE);
	return 0;
}

BENCH_LOOPS(jemalloc)

static int jemalloc_setup(const struct bench_plan *pl, char *msg, size_t len)
{
	static const char *const syms[] = { "mallocx", "dallocx" };
	void *slots[2];
	int e = dl_load("libjemalloc.so.2", syms, slots, 2, msg, len);

	(void)pl;
	if (e)
		return e;
	*(void **)&jemalloc.mallocx = slots[0];
	*(void **)&jemalloc.dallocx = slots[1];
	return 0;
}

/* memkind; MEMKIND_REGULAR is a variable holding the kind */
static struct {
	int (*posix_memalign)(void *kind, void **p, size_t align, size_t bytes);
	void (*free)(void *kind, void *p);
	void *kind;
} memkind;

static void *memkind_alloc(size_t bytes, unsigned node)
{
	void *p;

	(void)node;
	if (memkind.posix_memalign(memkind.kind, &p, PAGE_BYTES, bytes))
		return NULL;
	return p;
}

static int memkind_free(void *p, size_t bytes)
{
	(void)bytes;
	memkind.free(memkind.kind, p);
	return 0;
}

BENCH_LOOPS(memkind)

static int memkind_setup(const struct bench_plan *pl, char *msg, size_t len)
{
	static const char *const syms[] = {
		"memkind_posix_memalign", "memkind_free", "MEMKIND_REGULAR",
	};
	void *slots[3];
	int e = dl_load("libmemkind.so.0", syms, slots, 3, msg, len);

	(void)pl;
	if (e)
		return e;
	*(void **)&memkind.posix_memalign = slots[0];
	*(void **)&memkind.free = slots[1];
	memkind.kind = *(void **)slots[2];
	return 0;
}

struct allocator {
	const char *name;
	int (*setup)(const struct bench_plan *pl, char *msg, size_t len);
	int (*single)(uint64_t frames, size_t bytes, unsigned node);
	int (*batch)(uint64_t frames, size_t bytes, unsigned node);
};

/* numaplace first: the others' ratios are against it. */
static const struct allocator allocators[] = {
	{ "numaplace", numaplace_setup, numaplace_single, numaplace_batch },
	{ "numa_alloc_onnode", libnuma_setup, libnuma_single, libnuma_batch },
	{ "glibc", glibc_setup, glibc_single, glibc_batch },
	{ "mimalloc", mimalloc_setup, mimalloc_single, mimalloc_batch },
	{ "jemalloc", jemalloc_setup, jemalloc_single, jemalloc_batch },
	{ "memkind", memkind_setup, memkind_single, memkind_batch },
};
#define NALLOCATORS (sizeof(allocators) / sizeof(allocators[0]))

/* ---- inside a child: pinned worker threads ---- */

enum { MODE_SINGLE, MODE_BATCH, NMODES };

struct child;

struct worker {
	pthread_t thread;
	sem_t go, done;           /* the child's main thread <-> this worker */
	unsigned cpu, node;
	int status;               /* of the last job */
	uint64_t t0_ns, t1_ns;    /* its timed part */
	struct child *c;
};

struct child {
	const struct allocator *a;
	const struct bench_plan *pl;
	struct worker *w;         /* [pl->nthreads] */
	/* The job, written before the workers' go is posted. */
	unsigned job_threads;     /* workers 0 .. job_threads-1 take part */
	int job_mode;
	uint64_t job_frames;      /* per thread, a multiple of BATCH */
	atomic_uint at_start;     /* workers past their warm-up */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sem_wait_eintr(sem_t *s)
{
	while (sem_wait(s) && errno == EINTR)
		;
}

static uint64_t round_to_batch(uint64_t frames)
{
	frames = (frames + BATCH - 1) / BATCH * BATCH;
	return frames ? frames : BATCH;
}

/* Warm-up (a quarter of the frames), the start line, the timed part. */
static int run_job(struct child *c, struct worker *w)
{
	int (*run)(uint64_t, size_t, unsigned) =
		c->job_mode == MODE_BATCH ? c->a->batch : c->a->single;
	size_t bytes = c->pl->alloc_bytes;
	int e = run(round_to_batch(c->job_frames / 4), bytes, w->node);

	/* No thread starts its clock before every one has warmed up. */
	atomic_fetch_add(&c->at_start, 1);
	while (atomic_load(&c->at_start) < c->job_threads)
		sched_yield();
	w->t0_ns = now_ns();
	if (!e)
		e = run(c->job_frames, bytes, w->node);
	w->t1_ns = now_ns();
	return e;
}

/* Until the child exits (_exit ends every thread). */
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
	const struct bench_plan *pl = c->pl;

	c->w = calloc(pl->nthreads, sizeof(*c->w));
	if (!c->w)
		return -ENOMEM;
	for (unsigned i = 0; i < pl->nthreads; i++) {
		struct worker *w = &c->w[i];
		pthread_attr_t attr;
		cpu_set_t set;
		int e;

		w->c = c;
		w->cpu = pl->cpus[i];
		w->node = pl->nodes[i];
		sem_init(&w->go, 0, 0);
		sem_init(&w->done, 0, 0);
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		pthread_attr_init(&attr);
		e = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (!e)
			e = pthread_create(&w->thread, &attr, worker_main, w);
		pthread_attr_destroy(&attr);
		if (e) {
			snprintf(msg, len, "a thread on CPU %u: %s", w->cpu,
				 strerror(e));
			return -e;
		}
	}
	return 0;
}

/* One measurement: ns per frame, aggregate over the threads. */
static int child_measure(struct child *c, unsigned nthreads, int mode,
			 uint64_t frames, double *ns)
{
	uint64_t t0 = UINT64_MAX, t1 = 0;
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
	}
	*ns = (double)(t1 - t0) / ((double)frames * nthreads);
	return e;
}

/* Frames for about target_ns on one thread: grow until a run is long
 * enough to time, then scale. */
static int calibrate(struct child *c, int mode, uint64_t *frames)
{
	uint64_t n = BATCH;
	double ns;
	int e;

	for (;;) {
		e = child_measure(c, 1, mode, n, &ns);
		if (e)
			return e;
		if (ns * (double)n >= c->pl->target_ns / 8 ||
		    n >= MAX_FRAMES_PER_RUN / 4)
			break;
		n *= 4;
	}
	ns = ns > 0.01 ? ns : 0.01;
	n = round_to_batch((uint64_t)(c->pl->target_ns / ns));
	*frames = n < MAX_FRAMES_PER_RUN ? n : MAX_FRAMES_PER_RUN;
	return 0;
}

/* Child <-> parent, each message one write (well under PIPE_BUF). */
struct bench_request {
	uint32_t nthreads;        /* 0: exit */
};

struct bench_reply {
	int32_t status;           /* 0 or a negative errno */
	uint64_t frames[NMODES];  /* per thread and measurement (setup) */
	double ns[NMODES];        /* ns per frame (a measurement) */
	char msg[240];            /* why not, or (setup) what was made */
};

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 0, -EPIPE at end of file, -ETIMEDOUT when nothing came in time. */
static int read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	char *p = buf;

	while (len) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		int r = poll(&pfd, 1, timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *backing_note(void)
{
	static char note[96];
	enum np_frames_backing b = np_frames_backing(bench_pool);

	if (b == NP_FRAMES_THP)
		snprintf(note, sizeof(note), "%s, %llu MiB of it huge",
			 np_frames_backing_name(b),
			 (unsigned long long)(np_frames_thp_bytes(bench_pool) / MIB));
	else
		snprintf(note, sizeof(note), "%s", np_frames_backing_name(b));
	return note;
}

static void child_setup(struct child *c, struct bench_reply *r)
{
	r->status = c->a->setup(c->pl, r->msg, sizeof(r->msg));
	if (!r->status)
		r->status = start_workers(c, r->msg, sizeof(r->msg));
	for (int m = 0; m < NMODES && !r->status; m++)
		r->status = calibrate(c, m, &r->frames[m]);
	if (r->status && !r->msg[0])
		snprintf(r->msg, sizeof(r->msg), "%s %s",
			 r->status == -ENOMEM ? "allocation failed:" : "failed:",
			 strerror(-r->status));
	else if (!r->status && bench_pool)
		snprintf(r->msg, sizeof(r->msg), "%s", backing_note());
}

static void child_serve(struct child *c, int req_fd, int rep_fd,
			struct bench_reply *r)
{
	struct bench_request q;
	uint64_t frames[NMODES];

	memcpy(frames, r->frames, sizeof(frames));
	while (!read_full(req_fd, &q, sizeof(q), -1) && q.nthreads) {
		memset(r, 0, sizeof(*r));
		for (int m = 0; m < NMODES && !r->status; m++)
			r->status = child_measure(c, q.nthreads, m, frames[m],
						  &r->ns[m]);
		if (r->status)
			snprintf(r->msg, sizeof(r->msg), "%s",
				 r->status == -ENOMEM ? "allocation failed: out of memory"
				 : "free failed: invalid argument");
		if (write_full(rep_fd, r, sizeof(*r)) || r->status)
			break;
	}
}

static __attribute__((noreturn)) void
child_main(const struct allocator *a, const struct bench_plan *pl, int req_fd,
	   int rep_fd, pid_t parent)
{
	struct child c = { .a = a, .pl = pl };
	struct bench_reply r;

	/* Never outlive the parent (a sibling holds our request pipe open). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	memset(&r, 0, sizeof(r));
	child_setup(&c, &r);
	if (!write_full(rep_fd, &r, sizeof(r)) && !r.status)
		child_serve(&c, req_fd, rep_fd, &r);
	_exit(0);
}

/* ---- the parent: children, rounds ---- */

struct contender {
	const struct allocator *a;
	pid_t pid;                /* 0: none (any more) */
	int req_fd, rep_fd;
	bool measured;
	char why[320];            /* why not measured */
	char note[240];           /* numaplace: what its pool is made of */
	uint64_t frames[NMODES];
	double *ns[2][NMODES];    /* [config][mode][round] */
};

static void reap(struct contender *k, bool kill_it)
{
	if (!k->pid)
		return;
	if (kill_it)
		kill(k->pid, SIGKILL);
	close(k->req_fd);
	close(k->rep_fd);
	while (waitpid(k->pid, NULL, 0) < 0 && errno == EINTR)
		;
	k->pid = 0;
}

/* The contender is out: why, and its child gone. */
static void drop(struct contender *k, int e, const char *msg)
{
	int status = 0;

	k->measured = false;
	if (e == -EPIPE && k->pid) {
		close(k->req_fd);
		close(k->rep_fd);
		while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
			;
		k->pid = 0;
		if (WIFSIGNALED(status))
			snprintf(k->why, sizeof(k->why), "its process died: %s",
				 strsignal(WTERMSIG(status)));
		else
			snprintf(k->why, sizeof(k->why),
				 "its process exited with status %d",
				 WEXITSTATUS(status));
		return;
	}
	if (e == -ETIMEDOUT)
		snprintf(k->why, sizeof(k->why), "no answer in %d s",
			 REPLY_TIMEOUT_MS / 1000);
	else
		snprintf(k->why, sizeof(k->why), "%s", msg);
	reap(k, true);
}

static int spawn(struct contender *k, const struct bench_plan *pl)
{
	int req[2], rep[2];
	struct bench_reply r;
	pid_t parent = getpid();
	int e;

	if (pipe2(req, O_CLOEXEC))
		return -errno;
	if (pipe2(rep, O_CLOEXEC)) {
		e = -errno;
		close(req[0]);
		close(req[1]);
		return e;
	}
	fflush(NULL);
	k->pid = fork();
	if (k->pid == 0) {
		close(req[1]);
		close(rep[0]);
		child_main(k->a, pl, req[0], rep[1], parent);
	}
	e = k->pid < 0 ? -errno : 0;
	close(req[0]);
	close(rep[1]);
	k->req_fd = req[1];
	k->rep_fd = rep[0];
	if (e) {
		k->pid = 0;
		close(k->req_fd);
		close(k->rep_fd);
		return e;
	}
	e = read_full(k->rep_fd, &r, sizeof(r), REPLY_TIMEOUT_MS);
	if (!e && r.status)
		e = r.status;
	k->measured = !e;
	if (e) {
		drop(k, e, r.msg);
		return 0;
	}
	memcpy(k->frames, r.frames, sizeof(k->frames));
	snprintf(k->note, sizeof(k->note), "%s", r.msg);
	return 0;
}

/* One measurement of both modes; on failure the contender is dropped. */
static void measure(struct contender *k, const struct bench_plan *pl,
		    unsigned cfg, unsigned round)
{
	struct bench_request q = { config_threads(pl, cfg) };
	struct bench_reply r;
	int e = write_full(k->req_fd, &q, sizeof(q));

	r.msg[0] = 0;
	if (!e)
		e = read_full(k->rep_fd, &r, sizeof(r), REPLY_TIMEOUT_MS);
	if (!e && r.status)
		e = r.status;
	if (e) {
		drop(k, e, r.msg);
		return;
	}
	for (int m = 0; m < NMODES; m++)
		k->ns[cfg][m][round] = r.ns[m];
}

static void stop_children(struct contender *ks, size_t n)
{
	struct bench_request quit = { 0 };

	for (size_t i = 0; i < n; i++)
		if (ks[i].pid)
			write_full(ks[i].req_fd, &quit, sizeof(quit));
	for (size_t i = 0; i < n; i++)
		reap(&ks[i], false);
}

/* numaplace itself failing is the command failing. */
static int numaplace_failed(const struct contender *k)
{
	np_err_line("bench alloc: numaplace: %s", k->why);
	return NP_EXIT_RUNTIME;
}

static int run_rounds(struct contender *ks, const struct bench_plan *pl)
{
	for (unsigned r = 0; r < pl->rounds; r++) {
		for (size_t i = 0; i < NALLOCATORS; i++) {
			struct contender *k = &ks[(i + r) % NALLOCATORS];

			for (unsigned cfg = 0; cfg < pl->nconfigs; cfg++) {
				if (!k->measured)
					break;
				measure(k, pl, cfg, r);
			}
			if (k == &ks[0] && !k->measured)
				return numaplace_failed(k);
		}
	}
	return 0;
}

static int alloc_series(struct contender *k, const struct bench_plan *pl)
{
	for (unsigned cfg = 0; cfg < pl->nconfigs; cfg++)
		for (int m = 0; m < NMODES; m++) {
			k->ns[cfg][m] = calloc(pl->rounds, sizeof(double));
			if (!k->ns[cfg][m])
				return -ENOMEM;
		}
	return 0;
}

static int run_contenders(struct contender *ks, const struct bench_plan *pl)
{
	/* A dead child is an error to report, not a reason to die; the
	 * output itself is written later with the default again. */
	void (*old_sigpipe)(int) = signal(SIGPIPE, SIG_IGN);
	int e = 0;

	for (size_t i = 0; i < NALLOCATORS && !e; i++) {
		ks[i].a = &allocators[i];
		e = alloc_series(&ks[i], pl);
		if (!e)
			e = spawn(&ks[i], pl);
		if (e)
			np_err_line("bench alloc: %s: cannot start: %s",
				    ks[i].a->name, strerror(-e));
		else if (i == 0 && !ks[0].measured)
			e = numaplace_failed(&ks[0]);
	}
	if (!e)
		e = run_rounds(ks, pl);
	for (size_t i = 0; i < NALLOCATORS; i++)
		if (e)
			reap(&ks[i], true);
	if (!e)
		stop_children(ks, NALLOCATORS);
	signal(SIGPIPE, old_sigpipe);
	return e ? NP_EXIT_RUNTIME : 0;
}

/* What the output shows of one contender. */
struct result {
	const struct contender *k;
	struct np_stats_summary s[2][NMODES];  /* [config][mode] */
};

static int summarize_all(const struct contender *ks,
			 const struct bench_plan *pl, struct result *res)
{
	for (size_t i = 0; i < NALLOCATORS; i++) {
		res[i].k = &ks[i];
		for (unsigned cfg = 0; ks[i].measured && cfg < pl->nconfigs; cfg++)
			for (int m = 0; m < NMODES; m++)
				if (np_stats_summarize(ks[i].ns[cfg][m],
						       pl->rounds,
						       &res[i].s[cfg][m]))
					return -ENOMEM;
	}
	return 0;
}

/* ---- text ---- */

static void fmt_ns(char *buf, size_t len, double ns)
{
	snprintf(buf, len, ns < 100 ? "%.2f" : ns < 10000 ? "%.1f" : "%.0f", ns);
}

static void fmt_ratio(char *buf, size_t len, double r)
{
	snprintf(buf, len, r < 10 ? "%.2fx" : r < 100 ? "%.1fx" : "%.0fx", r);
}

static void fmt_iqr(char *buf, size_t len, const struct np_stats_summary *s)
{
	char lo[32], hi[32];

	fmt_ns(lo, sizeof(lo), s->p25);
	fmt_ns(hi, sizeof(hi), s->p75);
	snprintf(buf, len, "%s..%s", lo, hi);
}

static void text_row(const struct result *r, const struct result *np,
		     unsigned cfg, FILE *out)
{
	char ns[NMODES][32], iqr[NMODES][72], ratio[NMODES][32];

	if (!r->k->measured) {
		fprintf(out, "%s: not measured: %s\n", r->k->a->name,
			r->k->why);
		return;
	}
	for (int m = 0; m < NMODES; m++) {
		fmt_ns(ns[m], sizeof(ns[m]), r->s[cfg][m].median);
		fmt_iqr(iqr[m], sizeof(iqr[m]), &r->s[cfg][m]);
		fmt_ratio(ratio[m], sizeof(ratio[m]),
			  r->s[cfg][m].median / np->s[cfg][m].median);
	}
	fprintf(out, "%-18s %9s  %-17s %9s  %-17s %8s %8s\n", r->k->a->name,
		ns[0], iqr[0], ns[1], iqr[1], ratio[0], ratio[1]);
}

static void text_cpus(const struct bench_plan *pl, unsigned n, FILE *out)
{
	fprintf(out, "%u thread%s on CPU%s", n, n == 1 ? "" : "s",
		n == 1 ? "" : "s");
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s%u", i ? "," : " ", pl->cpus[i]);
	fprintf(out, " (node%s", n == 1 ? "" : "s");
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s%u", i ? "," : " ", pl->nodes[i]);
	fputc(')', out);
}

static void text_table(const struct result *res, const struct bench_plan *pl,
		       unsigned cfg, FILE *out)
{
	fputc('\n', out);
	text_cpus(pl, config_threads(pl, cfg), out);
	fprintf(out, cfg ? ", aggregate: wall time over all threads' frames\n"
		: "\n");
	fprintf(out, "%-18s %9s  %-17s %9s  %-17s %8s %8s\n", "allocator",
		"ns/op", "p25..p75", "batch64", "p25..p75", "ratio", "ratio64");
	for (size_t i = 0; i < NALLOCATORS; i++)
		text_row(&res[i], &res[0], cfg, out);
}

static void text_scaling(const struct result *res, const struct bench_plan *pl,
			 FILE *out)
{
	fprintf(out, "\nscaling, %u threads against 1 (throughput ratio of the "
		"medians)\n%-18s %9s %9s\n", pl->nthreads, "allocator", "ns/op",
		"batch64");
	for (size_t i = 0; i < NALLOCATORS; i++) {
		const struct result *r = &res[i];
		char sc[NMODES][32];

		if (!r->k->measured)
			continue;
		for (int m = 0; m < NMODES; m++)
			fmt_ratio(sc[m], sizeof(sc[m]), r->s[0][m].median /
				  r->s[1][m].median);
		fprintf(out, "%-18s %9s %9s\n", r->k->a->name, sc[0], sc[1]);
	}
}

static int render_text(const struct result *res, const struct bench_plan *pl,
		       FILE *out)
{
	fprintf(out, "bench alloc: %zu %s frames", pl->frame_bytes >= MIB
		? pl->frame_bytes / MIB : pl->frame_bytes / 1024,
		pl->frame_bytes >= MIB ? "MiB" : "KiB");
	if (pl->alloc_bytes != pl->frame_bytes)
		fprintf(out, ", allocations of %zu %s", pl->alloc_bytes >= MIB
			? pl->alloc_bytes / MIB : pl->alloc_bytes / 1024,
			pl->alloc_bytes >= MIB ? "MiB" : "KiB");
	fprintf(out, ", %u round%s; ns per allocation (alloc + write one byte "
		"+ free),\nmedian and 25th..75th percentile of the rounds; "
		"ratio = median / numaplace's median\n",
		pl->rounds, pl->rounds == 1 ? "" : "s");
	fprintf(out, "numaplace pool: %llu MiB per node on node%s",
		(unsigned long long)(pl->pool_bytes / MIB),
		pl->npool_nodes == 1 ? "" : "s");
	for (size_t i = 0; i < pl->npool_nodes; i++)
		fprintf(out, "%s%u", i ? "," : " ", pl->pool_nodes[i]);
	fprintf(out, ", %s\n", res[0].k->note);
	for (unsigned cfg = 0; cfg < pl->nconfigs; cfg++)
		text_table(res, pl, cfg, out);
	if (pl->nconfigs > 1)
		text_scaling(res, pl, out);
	return 0;
}

/* ---- JSON ---- */

/* Three decimals (none for rates) are well below the noise; %.17g would
 * only add digits. */
static void add_num(json_object *obj, const char *key, double v, bool *oom)
{
	char s[64];

	snprintf(s, sizeof(s), v >= 1e6 ? "%.0f" : "%.3f", v);
	np_json_add(obj, key, np_json_checked(json_object_new_double_s(v, s), oom), oom);
}

static void add_summary(json_object *o, const char *key,
			const struct np_stats_summary *s, bool *oom)
{
	static const char *const suffix[] = { "_p25", "_p75", "_min", "_max" };
	const double v[] = { s->p25, s->p75, s->min, s->max };
	char name[64];

	add_num(o, key, s->median, oom);
	for (size_t i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "%s%s", key, suffix[i]);
		add_num(o, name, v[i], oom);
	}
}

static json_object *json_result(const struct result *r,
				const struct result *np,
				const struct bench_plan *pl, bool *oom)
{
	static const char *const keys[NMODES] = { "ns_per_op", "ns_per_op_batch64" };
	static const char *const ratio[NMODES] = {
		"ratio_vs_numaplace", "ratio_vs_numaplace_batch64" };
	static const char *const one[NMODES] = {
		"ns_per_op_1thread", "ns_per_op_batch64_1thread" };
	static const char *const scaling[NMODES] = { "scaling", "scaling_batch64" };
	static const char *const rate[NMODES] = { "ops_per_s", "ops_per_s_batch64" };
	json_object *o = np_json_checked(json_object_new_object(), oom);
	unsigned top = pl->nconfigs - 1;

	np_json_add(o, "name", np_json_checked(json_object_new_string(r->k->a->name), oom), oom);
	np_json_add(o, "measured", np_json_checked(json_object_new_boolean(r->k->measured), oom),
		oom);
	if (!r->k->measured) {
		np_json_add(o, "error", np_json_checked(json_object_new_string(r->k->why), oom),
			oom);
		return o;
	}
	for (int m = 0; m < NMODES; m++) {
		add_summary(o, keys[m], &r->s[top][m], oom);
		add_num(o, rate[m], 1e9 / r->s[top][m].median, oom);
		add_num(o, ratio[m], r->s[top][m].median / np->s[top][m].median,
			oom);
		if (top)
			add_summary(o, one[m], &r->s[0][m], oom);
		if (top)
			add_num(o, scaling[m], r->s[0][m].median /
				r->s[top][m].median, oom);
	}
	np_json_add_u64(o, "frames_per_measurement", r->k->frames[MODE_SINGLE], oom);
	np_json_add_u64(o, "frames_per_measurement_batch64", r->k->frames[MODE_BATCH], oom);
	return o;
}

static json_object *json_uint_array(const unsigned *v, size_t n, bool *oom)
{
	json_object *a = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; a && i < n; i++) {
		json_object *x = np_json_checked(json_object_new_uint64(v[i]), oom);

		if (x && json_object_array_add(a, x)) {
			json_object_put(x);
			*oom = true;
		}
	}
	return a;
}

static json_object *json_bench(const struct result *res,
			       const struct bench_plan *pl, bool *oom)
{
	json_object *root = np_json_checked(json_object_new_object(), oom);
	json_object *list = np_json_checked(json_object_new_array(), oom);

	np_json_add_u64(root, "frame_bytes", pl->frame_bytes, oom);
	np_json_add_u64(root, "alloc_bytes", pl->alloc_bytes, oom);
	np_json_add_u64(root, "threads", pl->nthreads, oom);
	np_json_add_u64(root, "rounds", pl->rounds, oom);
	np_json_add(root, "cpus", json_uint_array(pl->cpus, pl->nthreads, oom), oom);
	np_json_add(root, "nodes", json_uint_array(pl->nodes, pl->nthreads, oom), oom);
	np_json_add_u64(root, "pool_bytes_per_node", pl->pool_bytes, oom);
	np_json_add(root, "pool_backing",
		np_json_checked(json_object_new_string(res[0].k->note), oom), oom);
	for (size_t i = 0; list && i < NALLOCATORS; i++) {
		json_object *r = json_result(&res[i], &res[0], pl, oom);

		if (r && json_object_array_add(list, r)) {
			json_object_put(r);
			*oom = true;
		}
	}
	np_json_add(root, "results", list, oom);
	return root;
}

static int render_json(const struct result *res, const struct bench_plan *pl,
		       FILE *out)
{
	bool oom = false;
	json_object *root = json_bench(res, pl, &oom);
	const char *s = NULL;

	if (root && !oom)
		s = json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s)
		fprintf(out, "%s\n", s);
	json_object_put(root);
	return s ? 0 : -ENOMEM;
}

static int render(const struct bench_opts *o, const struct contender *ks,
		  const struct bench_plan *pl, char **out, size_t *len)
{
	struct result res[NALLOCATORS];
	FILE *f;
	int e;

	memset(res, 0, sizeof(res));
	if (summarize_all(ks, pl, res))
		goto oom;
	f = open_memstream(out, len);
	if (!f)
		goto oom;
	e = o->json ? render_json(res, pl, f) : render_text(res, pl, f);
	if (ferror(f))
		e = -ENOMEM;
	if (fclose(f) && !e)
		e = -ENOMEM;
	if (!e)
		return 0;
oom:
	np_err_line("bench alloc: cannot render: out of memory");
	return NP_EXIT_RUNTIME;
}

/* ---- the command ---- */

/*
 * Runs `numaplace bench alloc ...` again with the static TLS jemalloc
 * needs (see STATIC_TLS_TUNABLE); returns only when that cannot be done,
 * and then jemalloc is reported as not measured with dlopen's reason.
 */
static void reexec_with_static_tls(int argc, char **argv)
{
	const char *old = getenv("GLIBC_TUNABLES");
	/* The path this program was started by (also right under valgrind,
	 * where the kernel's link to the executable names valgrind). */
	const char *self = (const char *)getauxval(AT_EXECFN);
	char **args = calloc((size_t)argc + 3, sizeof(char *));
	char *val = NULL;

	if (!self || (old && strstr(old, STATIC_TLS_TUNABLE)))
		goto out;
	if (!args || asprintf(&val, "%s%s" STATIC_TLS_TUNABLE "=" STATIC_TLS_BYTES,
			      old ? old : "", old ? ":" : "") < 0)
		goto out;
	args[0] = (char *)"numaplace";
	args[1] = (char *)"bench";
	memcpy(&args[2], argv, (size_t)argc * sizeof(char *));
	if (setenv("GLIBC_TUNABLES", val, 1) == 0)
		execv(self, args);
	if (old)
		setenv("GLIBC_TUNABLES", old, 1);
	else
		unsetenv("GLIBC_TUNABLES");
out:
	free(val);
	free(args);
}

static int bench_alloc(int argc, char **argv, char **out, size_t *len)
{
	struct bench_opts o = {
		.threads = 1, .rounds = 15, .time_ms = 30, .frame_bytes = PAGE_BYTES,
	};
	struct contender ks[NALLOCATORS];
	struct bench_plan pl = { 0 };
	cpu_set_t allowed;
	int rc;

	if (sched_getaffinity(0, sizeof(allowed), &allowed)) {
		np_err_line("bench alloc: sched_getaffinity: %s", strerror(errno));
		return NP_EXIT_RUNTIME;
	}
	o.ncpus = (unsigned)CPU_COUNT(&allowed);
	rc = parse_alloc_opts(argc, argv, &o);
	if (rc)
		return rc;
	reexec_with_static_tls(argc, argv);
	memset(ks, 0, sizeof(ks));
	rc = make_plan(&o, &allowed, &pl);
	if (!rc)
		rc = run_contenders(ks, &pl);
	if (!rc)
		rc = render(&o, ks, &pl, out, len);
	for (size_t i = 0; i < NALLOCATORS; i++)
		for (unsigned cfg = 0; cfg < 2; cfg++)
			for (int m = 0; m < NMODES; m++)
				free(ks[i].ns[cfg][m]);
	free_plan(&pl);
	return rc;
}

int cmd_bench(int argc, char **argv)
{
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (argc < 2) {
		np_err_line("bench: which benchmark? (alloc; see 'numaplace "
			    "bench --help')");
		return NP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_bench(stdout);
		return NP_EXIT_OK;
	}
	if (strcmp(argv[1], "alloc") != 0) {
		np_err_line("bench: '%s' is not a benchmark (alloc; see "
			    "'numaplace bench --help')", argv[1]);
		return NP_EXIT_USAGE;
	}
	rc = bench_alloc(argc - 1, argv + 1, &out, &len);
	if (rc < 0)
		rc = NP_EXIT_OK;
	else if (!rc)
		rc = np_emit(out, len);
	free(out);
	return rc;
}
