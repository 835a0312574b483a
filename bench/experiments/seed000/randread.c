/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np-randread: seed 000's workload.  N threads (default 2), thread t
 * pinned to the CPUs of the t-th node with CPUs; each maps a buffer of
 * SIZE bytes and writes every page itself (so the pages land where the
 * task's memory policy, set by whoever started us, puts a first touch),
 * then all read 8-byte words of their own buffer at random for READS
 * reads each, at the same time.
 *
 *   np-randread [--threads N] [--size SIZE] [--reads N] [--seed S]
 *               [--expect NODE|local] [--thp]
 *
 * The threads set up their buffers one at a time (a mutex around map,
 * touch and check): with two threads on two nodes faulting at once, a 6.1
 * lab guest put 4-20 % of a thread's buffer on the other thread's node in
 * 9-12 of 40 runs -- under the default policy, --localalloc (numaplace's
 * or numactl's) and even an mbind to the thread's own node, the thread
 * never having left its node's CPUs -- and in none of 40 one at a time
 * (not explained: those runs had no madvise, so with the lab kernel's
 * THP "always" the buffers were partly in huge pages, which a local
 * policy may take from another node; whether that was all of it is not
 * known).
 * The reads run concurrently.  The buffers are in 4 KiB pages
 * (MADV_NOHUGEPAGE, before the first touch) unless --thp.
 *
 * Prints, per thread, its node and where its pages are (move_pages), then
 *   reads: N threads x READS in T s
 *   ns_per_read: X        (the read phase's wall time / READS)
 * --expect checks the pages before the timing: all on NODE, or each
 * thread's on its own node (local); a page elsewhere is an error (exit 1,
 * nothing timed), so a comparison never times a placement it did not ask.
 */
#include "../exp-common.h"

#include <pthread.h>
#include <sys/mman.h>

struct worker {
	pthread_t tid;
	unsigned t, node;
	uint64_t *buf;
	uint64_t *pages;         /* [EXP_MAX_NODES] */
	uint64_t seed, sum;
	int placed;              /* exp_pages_per_node()'s result */
};

static uint64_t size_bytes = 256ull << 20, nreads = 20000000;
static bool thp;
static pthread_barrier_t ready, go, done;
static pthread_mutex_t setup = PTHREAD_MUTEX_INITIALIZER;

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t words = size_bytes / 8, x = w->seed | 1, sum = 0;

	exp_pin_node(w->node);
	pthread_mutex_lock(&setup);
	w->buf = mmap(NULL, size_bytes, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->buf == MAP_FAILED)
		exp_die("thread %u: mmap of %" PRIu64 " bytes: %s", w->t,
			size_bytes, strerror(errno));
	/* Before the first touch.  A kernel without THP refuses both
	 * (EINVAL): its pages are 4 KiB anyway, but --thp then cannot be. */
	if (madvise(w->buf, size_bytes, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) &&
	    (thp || errno != EINVAL))
		exp_die("thread %u: madvise(%s): %s", w->t,
			thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", strerror(errno));
	for (uint64_t i = 0; i < words; i++)
		w->buf[i] = i;
	w->placed = exp_pages_per_node((char *)w->buf, size_bytes, w->pages);
	pthread_mutex_unlock(&setup);
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&go);
	for (uint64_t r = 0; r < nreads; r++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sum += w->buf[(uint64_t)(((unsigned __int128)x * words) >> 64)];
	}
	w->sum = sum;
	pthread_barrier_wait(&done);
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: np-randread [--threads N] [--size SIZE] [--reads N] "
		"[--seed S] [--expect NODE|local] [--thp]\n");
}

int main(int argc, char **argv)
{
	unsigned nodes[EXP_MAX_NODES], nn, nthreads = 2;
	const char *expect = NULL;
	uint64_t seed = 1;
	struct worker *w;
	double t0, t1;
	unsigned bad = 0, first = 0;
	volatile uint64_t sink = 0;

	exp_prog = "np-randread";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--thp")) {
			thp = true;
			continue;
		}
		if (!v) {
			exp_bad("%s: %s", a, a[0] == '-' ? "needs a value" :
				"unexpected operand");
		}
		if (!strcmp(a, "--threads"))
			nthreads = (unsigned)exp_count(a, v);
		else if (!strcmp(a, "--size"))
			size_bytes = exp_size(a, v);
		else if (!strcmp(a, "--reads"))
			nreads = exp_count(a, v);
		else if (!strcmp(a, "--seed"))
			seed = exp_count(a, v);
		else if (!strcmp(a, "--expect"))
			expect = v;
		else
			exp_bad("%s: unknown option (see --help)", a);
		i++;
	}
	if (nthreads < 1 || nthreads > 1024)
		exp_bad("--threads %u: 1 to 1024", nthreads);
	if (size_bytes < EXP_PAGE || size_bytes % EXP_PAGE)
		exp_bad("--size %" PRIu64 ": a whole number of 4 KiB pages",
			size_bytes);
	if (expect && strcmp(expect, "local")) {
		char *end;
		unsigned long n = strtoul(expect, &end, 10);

		if (*expect < '0' || *expect > '9' || *end || n >= EXP_MAX_NODES)
			exp_bad("--expect '%s': a node number or 'local'", expect);
	}
	nn = exp_cpu_nodes(nodes, EXP_MAX_NODES);
	if (nn == 0)
		exp_die("no node with CPUs in /sys/devices/system/node "
			"(a kernel without NUMA?)");
	w = calloc(nthreads, sizeof(*w));
	if (!w)
		exp_die("out of memory");
	pthread_barrier_init(&ready, NULL, nthreads + 1);
	pthread_barrier_init(&go, NULL, nthreads + 1);
	pthread_barrier_init(&done, NULL, nthreads + 1);
	for (unsigned t = 0; t < nthreads; t++) {
		w[t].t = t;
		w[t].node = nodes[t % nn];
		w[t].seed = seed * 0x9e3779b97f4a7c15ull + t + 1;
		w[t].pages = calloc(EXP_MAX_NODES, sizeof(uint64_t));
		if (!w[t].pages)
			exp_die("out of memory");
		if (pthread_create(&w[t].tid, NULL, work, &w[t]))
			exp_die("cannot start thread %u", t);
	}
	pthread_barrier_wait(&ready);
	for (unsigned t = 0; t < nthreads; t++) {
		unsigned want = expect && strcmp(expect, "local") ?
			(unsigned)atoi(expect) : w[t].node;
		uint64_t total = size_bytes / EXP_PAGE;

		printf("thread %u: cpus of node %u, %" PRIu64 " pages:", t,
		       w[t].node, total);
		for (unsigned n = 0; n < EXP_MAX_NODES; n++)
			if (w[t].pages[n])
				printf(" node%u=%" PRIu64, n, w[t].pages[n]);
		printf("\n");
		if (w[t].placed)
			exp_die("thread %u: move_pages could not say where its "
				"pages are: %s", t, strerror(-w[t].placed));
		if (expect && w[t].pages[want] != total && !bad++)
			first = t;
	}
	fflush(stdout);
	if (bad) {
		unsigned t = first, want = strcmp(expect, "local") ?
			(unsigned)atoi(expect) : w[t].node;

		exp_die("thread %u: %" PRIu64 " of %" PRIu64 " pages on node %u, "
			"expected all (--expect %s)%s", t, w[t].pages[want],
			size_bytes / EXP_PAGE, want, expect, bad > 1 ?
			"; other threads too" : "");
	}
	t0 = exp_now();
	pthread_barrier_wait(&go);
	pthread_barrier_wait(&done);
	t1 = exp_now();
	for (unsigned t = 0; t < nthreads; t++) {
		pthread_join(w[t].tid, NULL);
		sink += w[t].sum;
	}
	printf("reads: %u threads x %" PRIu64 " in %.6f s\n", nthreads, nreads,
	       t1 - t0);
	printf("ns_per_read: %.3f\n", nreads ? (t1 - t0) * 1e9 / nreads : 0.0);
	return 0;
}
