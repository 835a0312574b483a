/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migrate-bench: np_move_process_pages against numactl's migratepages on
 * the same amount of a process's memory (issue 15's speed item), inside
 * a lab guest with at least 2 nodes (bench/migrate-vs-migratepages.sh).
 *
 * migrate-bench TARGET MIB ROUNDS SWEEP_MS
 *   TARGET is np-move-target (tests/lab/move-target.c): MIB MiB written
 *   on node 0.  ROUNDS rounds, alternating which side goes first: a fresh
 *   target moved to node 1 by np_move_process_pages (no rate, batches of
 *   10 ms, address order), and a fresh target moved by `migratepages PID
 *   0 1`.  Throughput is MIB over the wall time of the move: the whole
 *   library call (pidfd checks, cpuset check, read-back before and after
 *   included) against migratepages from fork to exit (its exec and
 *   libnuma's start included).  Each move is verified: every page on
 *   node 1 by move_pages afterwards, else the round fails.  Then one move
 *   per batch time of SWEEP_MS ("1,2,5,10,20,50"): MiB/s, batches, the
 *   longest and the median batch.
 * Prints the per-round lines, then medians; exits 1 when a move failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <numaplace/migrate.h>

#include "linux/linux-pages.h"

#define PAGE 4096ull
#define MIB (1ull << 20)
#define MAX_ROUNDS 64

struct target {
	pid_t pid;
	int pidfd;
	uint64_t addr, len;
};

static const char *target_exe;
static unsigned target_mib;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int start_target(struct target *t)
{
	char mib[16], line[256], hot_addr[32];
	unsigned long long hot_len;
	int p[2];
	FILE *f;

	snprintf(mib, sizeof(mib), "%u", target_mib);
	if (pipe(p))
		return -errno;
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(target_exe, target_exe, mib, "0", "0", "0", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "ready %llx %llu %31s %llu",
		   (unsigned long long *)&t->addr,
		   (unsigned long long *)&t->len, hot_addr, &hot_len) != 4) {
		fprintf(stderr, "migrate-bench: %s did not start\n",
			target_exe);
		if (f)
			fclose(f);
		return -EIO;
	}
	fclose(f);
	t->pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
	return t->pidfd < 0 ? -errno : 0;
}

static void stop_target(struct target *t)
{
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	close(t->pidfd);
}

/* Pages of the target not on node (or absent), by move_pages. */
static long long pages_off_node(const struct target *t, int node)
{
	size_t n = (size_t)(t->len / PAGE);
	void **ptrs = malloc(n * sizeof(*ptrs));
	int *st = malloc(n * sizeof(*st));
	long long off = 0;

	if (!ptrs || !st) {
		free(ptrs);
		free(st);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		ptrs[i] = (void *)(uintptr_t)(t->addr + i * PAGE);
	if (np_move_pages(t->pid, n, ptrs, NULL, st, 0, NULL))
		off = -1;
	for (size_t i = 0; off >= 0 && i < n; i++)
		off += st[i] != node;
	free(ptrs);
	free(st);
	return off;
}

struct result {
	double wall_mibps;     /* MiB / wall time of the move (np: the call) */
	double phase_mibps;    /* np: MiB / first batch's start to last end */
	double move_mibps;     /* np: MiB / time inside move_pages */
	uint64_t wall_ns, longest_ns, median_ns;
	unsigned batches;
	uint64_t batch_pages;
	bool ok;
};

static struct result move_np(uint64_t batch_ns)
{
	struct np_move_range r;
	struct np_move_opts o = { .batch_ns = batch_ns,
				  .order = NP_MOVE_ADDRESS };
	struct np_move_report rep;
	struct np_err err = { 0 };
	struct result res = { 0 };
	struct target t;
	uint64_t t0;
	int rc;

	if (start_target(&t))
		return res;
	r = (struct np_move_range){ .start = t.addr, .len_bytes = t.len,
				    .page_bytes = PAGE, .target_node = 1 };
	t0 = now_ns();
	rc = np_move_process_pages(t.pidfd, t.pid, &r, 1, &o, &rep, &err);
	res.wall_ns = now_ns() - t0;
	if (rc)
		fprintf(stderr, "migrate-bench: %s\n", err.msg);
	res.ok = rc == 0 && rep.pages_moved == t.len / PAGE &&
		 pages_off_node(&t, 1) == 0;
	res.wall_mibps = (double)t.len / MIB / ((double)res.wall_ns / 1e9);
	res.move_mibps = rep.mibps;
	res.phase_mibps = rep.move_wall_ns ? (double)t.len / MIB /
		((double)rep.move_wall_ns / 1e9) : 0;
	res.longest_ns = rep.longest_batch_ns;
	res.median_ns = rep.median_batch_ns;
	res.batches = rep.batches;
	res.batch_pages = rep.batch_pages;
	if (getenv("MIGRATE_BENCH_DUMP"))
		for (size_t i = 0; i < rep.nbatch_ns; i++)
			if (rep.batch_ns[i] > batch_ns)
				fprintf(stderr, "batch %zu of %zu: %.2f ms\n", i,
					rep.nbatch_ns, rep.batch_ns[i] / 1e6);
	np_move_report_free(&rep);
	stop_target(&t);
	return res;
}

static struct result move_migratepages(void)
{
	struct result res = { 0 };
	struct target t;
	char pid[16];
	uint64_t t0;
	pid_t c;
	int st = -1;

	if (start_target(&t))
		return res;
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	t0 = now_ns();
	c = fork();
	if (c == 0) {
		execlp("migratepages", "migratepages", pid, "0", "1",
		       (char *)NULL);
		_exit(127);
	}
	if (c > 0)
		waitpid(c, &st, 0);
	res.wall_ns = now_ns() - t0;
	res.ok = c > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		 pages_off_node(&t, 1) == 0;
	res.wall_mibps = (double)t.len / MIB / ((double)res.wall_ns / 1e9);
	stop_target(&t);
	return res;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	double np_mibps[MAX_ROUNDS], mp_mibps[MAX_ROUNDS], ratio[MAX_ROUNDS];
	double longest[MAX_ROUNDS], np_phase[MAX_ROUNDS];
	double ratio_call[MAX_ROUNDS];
	unsigned rounds;
	char *sweep, *tok, *save = NULL;
	bool ok = true;

	if (argc != 5) {
		fprintf(stderr, "usage: migrate-bench TARGET MIB ROUNDS "
			"SWEEP_MS\n");
		return 2;
	}
	target_exe = argv[1];
	target_mib = (unsigned)strtoul(argv[2], NULL, 10);
	rounds = (unsigned)strtoul(argv[3], NULL, 10);
	if (!target_mib || !rounds || rounds > MAX_ROUNDS) {
		fprintf(stderr, "migrate-bench: bad MIB or ROUNDS\n");
		return 2;
	}
	printf("%u MiB from node 0 to node 1, %u rounds alternating\n",
	       target_mib, rounds);
	printf("numaplace: MiB/s over the whole call (read-backs before and "
	       "after included), over its batches (first start to last end), "
	       "and inside move_pages; migratepages: over fork to exit\n");
	printf("round  first         np call  np batches  np in-call  batches  "
	       "longest ms  migratepages  ratio(batches)  ratio(call)\n");
	for (unsigned i = 0; i < rounds; i++) {
		struct result a, b;

		if (i % 2) {
			b = move_migratepages();
			a = move_np(10000000ull);
		} else {
			a = move_np(10000000ull);
			b = move_migratepages();
		}
		ok = ok && a.ok && b.ok;
		np_mibps[i] = a.wall_mibps;
		np_phase[i] = a.phase_mibps;
		mp_mibps[i] = b.wall_mibps;
		ratio[i] = a.phase_mibps / b.wall_mibps;
		ratio_call[i] = a.wall_mibps / b.wall_mibps;
		longest[i] = (double)a.longest_ns / 1e6;
		printf("%5u  %-12s  %7.1f  %10.1f  %10.1f  %7u  %10.2f  %12.1f  "
		       "%14.3f  %11.3f%s\n", i + 1,
		       i % 2 ? "migratepages" : "numaplace", a.wall_mibps,
		       a.phase_mibps, a.move_mibps, a.batches, longest[i],
		       b.wall_mibps, ratio[i], ratio_call[i],
		       a.ok && b.ok ? "" : "  (FAILED: pages not on node 1)");
	}
	{
		double mp = median(mp_mibps, rounds);

		printf("median of %u rounds: migratepages %.1f MiB/s; numaplace "
		       "%.1f MiB/s over its batches (%.3f of migratepages), "
		       "%.1f MiB/s over the call (%.3f); median of the per-round "
		       "ratios %.3f (batches), %.3f (call); longest batch "
		       "(batch-ms 10): median %.2f ms\n", rounds, mp,
		       median(np_phase, rounds), median(np_phase, rounds) / mp,
		       median(np_mibps, rounds), median(np_mibps, rounds) / mp,
		       median(ratio, rounds), median(ratio_call, rounds),
		       median(longest, rounds));
	}
	printf("\nbatch ms  np call  np batches  np in-call  batches  "
	       "pages/batch  longest ms  median ms\n");
	sweep = strdup(argv[4]);
	for (tok = strtok_r(sweep, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		double ms = strtod(tok, NULL);
		struct result a = move_np((uint64_t)(ms * 1e6));

		ok = ok && a.ok;
		printf("%8g  %7.1f  %10.1f  %10.1f  %7u  %11llu  %10.2f  "
		       "%9.2f%s\n", ms, a.wall_mibps, a.phase_mibps,
		       a.move_mibps, a.batches,
		       (unsigned long long)a.batch_pages,
		       (double)a.longest_ns / 1e6, (double)a.median_ns / 1e6,
		       a.ok ? "" : "  (FAILED)");
	}
	free(sweep);
	return ok ? 0 : 1;
}
