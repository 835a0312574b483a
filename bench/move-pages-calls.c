/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * move-pages-calls: bare move_pages(2) calls of a fixed size, timed one by
 * one, against one migrate_pages(2) call: the measurements the page
 * mover's threads, batch aim and batch floor rest on (lib/mem/
 * mem-migrate.c, issue 15; bench/move-pages-calls.sh runs it in a lab
 * guest with nodes 0 and 1).
 *
 * move-pages-calls TARGET MIB ROUNDS
 *   TARGET is np-move-target (tests/lab/move-target.c).  Each round, on
 *   fresh targets of MIB MiB written on node 0, moved to node 1:
 *     migrate_pages   one call for the whole process;
 *     1 x 1 page      move_pages one page a call (the call's own cost);
 *     1 x 50, 2 x 50  50 pages a call by one thread, and by two threads
 *                     each moving its half of the pages.
 *   One line each: MiB/s over the whole move, calls, and the calls'
 *   times at the 50th, 90th and 99th percentile and the longest, ms.
 *   Every move is checked (every page on node 1 afterwards).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../tests/lab/move-target-ctl.h"
#include "util/util-time.h"

#define PAGE 4096ull
#define MIB (1ull << 20)
#define MPOL_MF_MOVE_ (1 << 1)

static const char *target_exe;
static unsigned target_mib;

/* One thread's share: pages [from, to) of the target, batch a call. */
struct share {
	const struct np_move_target *t;
	size_t from, to, batch;
	uint64_t *ns;          /* each call's time */
	size_t ncalls;
	int e;
};

static void *move_share(void *arg)
{
	struct share *s = arg;
	void **p = malloc(s->batch * sizeof(*p));
	int *nodes = malloc(s->batch * sizeof(*nodes));
	int *st = malloc(s->batch * sizeof(*st));

	s->e = p && nodes && st ? 0 : -ENOMEM;
	for (size_t i = 0; i < s->batch && !s->e; i++)
		nodes[i] = 1;
	for (size_t a = s->from; a < s->to && !s->e; a += s->batch) {
		size_t k = s->to - a < s->batch ? s->to - a : s->batch;
		uint64_t t0;

		for (size_t i = 0; i < k; i++)
			p[i] = (void *)(uintptr_t)(s->t->addr + (a + i) * PAGE);
		t0 = np_now_ns();
		if (syscall(SYS_move_pages, s->t->pid, k, p, nodes, st,
			    MPOL_MF_MOVE_))
			s->e = -errno;
		s->ns[s->ncalls++] = np_now_ns() - t0;
	}
	free(p);
	free(nodes);
	free(st);
	return NULL;
}

/* Pages of the target not on node 1 (or absent), -1 when unknown. */
static long long off_node1(const struct np_move_target *t)
{
	size_t n = (size_t)(t->len / PAGE);
	void **p = malloc(n * sizeof(*p));
	int *st = malloc(n * sizeof(*st));
	long long off = 0;

	if (!p || !st) {
		off = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = (void *)(uintptr_t)(t->addr + i * PAGE);
	if (syscall(SYS_move_pages, t->pid, n, p, NULL, st, 0))
		off = -1;
	for (size_t i = 0; off >= 0 && i < n; i++)
		off += st[i] != 1;
out:
	free(p);
	free(st);
	return off;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ns[0..n) sorted: the nearest-rank percentile q (0..100), in ms. */
static double pct_ms(const uint64_t *ns, size_t n, unsigned q)
{
	size_t r = (n * q + 99) / 100;

	return n ? (double)ns[r ? r - 1 : 0] / 1e6 : 0;
}

/* One move of a fresh target: threads x batch pages a call, or (batch 0)
 * one migrate_pages call.  0, or -1 when it failed. */
static int one_move(const char *what, unsigned threads, size_t batch)
{
	struct np_move_target t;
	struct share sh[2];
	pthread_t th;
	uint64_t *ns = NULL, t0, dt;
	size_t n, ncalls = 0;
	long long off;
	int e = 0;

	if (np_move_target_start(target_exe, target_mib, 0, 0, 0, NULL, &t))
		return -1;
	n = (size_t)(t.len / PAGE);
	t0 = np_now_ns();
	if (!batch) {
		unsigned long from = 1, to = 2;

		if (syscall(SYS_migrate_pages, t.pid, 64, &from, &to) < 0)
			e = -errno;
	} else {
		/* each thread's call times in its own part of ns */
		ns = malloc((n / batch + threads) * sizeof(*ns));
		if (!ns) {
			np_move_target_stop(&t);
			return -1;
		}
		for (unsigned i = 0; i < threads; i++) {
			size_t from = n * i / threads;

			sh[i] = (struct share){ .t = &t, .from = from,
						.to = n * (i + 1) / threads,
						.batch = batch,
						.ns = ns + from / batch + i };
		}
		if (threads == 2 &&
		    pthread_create(&th, NULL, move_share, &sh[1]))
			e = -EAGAIN;
		move_share(&sh[0]);
		if (threads == 2 && !e)
			pthread_join(th, NULL);
		for (unsigned i = 0; i < threads && !e; i++)
			e = sh[i].e;
		/* the second part right after the first */
		if (threads == 2 && !e)
			memmove(ns + sh[0].ncalls, sh[1].ns,
				sh[1].ncalls * sizeof(*ns));
		for (unsigned i = 0; i < threads; i++)
			ncalls += sh[i].ncalls;
	}
	dt = np_now_ns() - t0;
	off = off_node1(&t);
	np_move_target_stop(&t);
	if (e || off) {
		printf("%-16s FAILED (%s, %lld pages not on node 1)\n", what,
		       strerror(e ? -e : EIO), off);
		free(ns);
		return -1;
	}
	printf("%-16s %8.1f", what, (double)t.len / MIB / ((double)dt / 1e9));
	if (ns) {
		qsort(ns, ncalls, sizeof(*ns), cmp_u64);
		printf("  %7zu  %6.3f  %6.3f  %6.3f  %7.3f", ncalls,
		       pct_ms(ns, ncalls, 50), pct_ms(ns, ncalls, 90),
		       pct_ms(ns, ncalls, 99), pct_ms(ns, ncalls, 100));
	}
	printf("\n");
	fflush(stdout);
	free(ns);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned rounds;
	int rc = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: move-pages-calls TARGET MIB ROUNDS\n");
		return 2;
	}
	target_exe = argv[1];
	target_mib = (unsigned)strtoul(argv[2], NULL, 10);
	rounds = (unsigned)strtoul(argv[3], NULL, 10);
	if (!target_mib || !rounds) {
		fprintf(stderr, "move-pages-calls: bad MIB or ROUNDS\n");
		return 2;
	}
	printf("%u MiB from node 0 to node 1 per move; MiB/s over the move, "
	       "then calls and their times (ms) at p50, p90, p99 and the "
	       "longest\n", target_mib);
	for (unsigned r = 0; r < rounds; r++) {
		printf("round %u\n", r + 1);
		rc |= one_move("migrate_pages", 1, 0);
		rc |= one_move("1 x 1 page", 1, 1);
		rc |= one_move("1 x 50 pages", 1, 50);
		rc |= one_move("2 x 50 pages", 2, 50);
	}
	return rc ? 1 : 0;
}
