/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migrate-bench: np_move_process_pages against numactl's migratepages on
 * the same amount of a process's memory (issue 15's speed item), inside
 * a lab guest with at least 2 nodes (bench/migrate-vs-migratepages.sh).
 *
 * migrate-bench TARGET MIB ROUNDS SWEEP_MS
 *   TARGET is np-move-target (tests/lab/move-target.c): MIB MiB written
 *   on node 0.  ROUNDS rounds, each of three moves of a fresh target to
 *   node 1 in an order that rotates from round to round: by
 *   np_move_process_pages (no rate, batches of 10 ms, address order)
 *   with one thread, again with the default (two), and by `migratepages
 *   PID 0 1`.  Throughput is MIB over the wall time of the move: the whole
 *   library call (pidfd checks, cpuset check, read-back before and after
 *   included) against migratepages from fork to exit (its exec and
 *   libnuma's start included).  Each move is verified: every page on
 *   node 1 by move_pages afterwards, else the round fails.  Then one move
 *   per batch time of SWEEP_MS ("1,2,5,10,20,50") and thread count (1,
 *   2): MiB/s, batches, the longest and the median batch.
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
#include "../tests/lab/move-target-ctl.h"
#include "util/util-time.h"

#define PAGE 4096ull
#define MIB (1ull << 20)
#define MAX_ROUNDS 64

static const char *target_exe;
static unsigned target_mib;

static int start_target(struct np_move_target *t)
{
	return np_move_target_start(target_exe, target_mib, 0, 0, 0, NULL, t);
}

/* Pages of the target not on node (or absent), by move_pages. */
static long long pages_off_node(const struct np_move_target *t, int node)
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
	uint64_t wall_ns, longest_ns, median_ns, p99_ns;
	unsigned batches, threads, over;   /* over: batches above the bound */
	uint64_t batch_pages;
	bool ok;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The 99th percentile of v[0..n) (nearest rank), v left as it was. */
static uint64_t p99(const uint64_t *v, size_t n)
{
	uint64_t *c, r;

	if (!n || !(c = malloc(n * sizeof(*c))))
		return 0;
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_u64);
	r = c[(n * 99 + 99) / 100 - 1];
	free(c);
	return r;
}

static struct result move_np(uint64_t batch_ns, unsigned threads)
{
	struct np_move_range r;
	struct np_move_opts o = { .batch_ns = batch_ns,
				  .order = NP_MOVE_ADDRESS,
				  .threads = threads };
	struct np_move_report rep;
	struct np_err err = { 0 };
	struct result res = { 0 };
	struct np_move_target t;
	uint64_t t0;
	int rc;

	if (start_target(&t))
		return res;
	r = (struct np_move_range){ .start = t.addr, .len_bytes = t.len,
				    .page_bytes = PAGE, .target_node = 1 };
	t0 = np_now_ns();
	rc = np_move_process_pages(t.pidfd, t.pid, &r, 1, &o, &rep, &err);
	res.wall_ns = np_now_ns() - t0;
	if (rc)
		fprintf(stderr, "migrate-bench: %s\n", err.msg);
	res.ok = rc == 0 && rep.pages_moved == t.len / PAGE &&
		 pages_off_node(&t, 1) == 0;
	res.wall_mibps = (double)t.len / MIB / ((double)res.wall_ns / 1e9);
	res.phase_mibps = rep.move_wall_ns ? (double)t.len / MIB /
		((double)rep.move_wall_ns / 1e9) : 0;
	res.longest_ns = rep.longest_batch_ns;
	res.median_ns = rep.median_batch_ns;
	res.p99_ns = p99(rep.batch_ns, rep.nbatch_ns);
	for (size_t i = 0; i < rep.nbatch_ns; i++)
		res.over += rep.batch_ns[i] > batch_ns;
	res.batches = rep.batches;
	res.threads = rep.threads;
	res.batch_pages = rep.batch_pages;
	if (getenv("MIGRATE_BENCH_DUMP"))
		for (size_t i = 0; i < rep.nbatch_ns; i++)
			if (rep.batch_ns[i] > batch_ns / 2)
				fprintf(stderr, "batch %zu of %zu: %.2f ms\n", i,
					rep.nbatch_ns, rep.batch_ns[i] / 1e6);
	np_move_report_free(&rep);
	np_move_target_stop(&t);
	return res;
}
static struct result move_migratepages(void)
{
	struct result res = { 0 };
	struct np_move_target t;
	char pid[16];
	uint64_t t0;
	pid_t c;
	int st = -1;

	if (start_target(&t))
		return res;
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	t0 = np_now_ns();
	c = fork();
	if (c == 0) {
		execlp("migratepages", "migratepages", pid, "0", "1",
		       (char *)NULL);
		_exit(127);
	}
	if (c > 0)
		waitpid(c, &st, 0);
	res.wall_ns = np_now_ns() - t0;
	res.ok = c > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		 pages_off_node(&t, 1) == 0;
	res.wall_mibps = (double)t.len / MIB / ((double)res.wall_ns / 1e9);
	np_move_target_stop(&t);
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

/*
 * Writes most of node's free memory once, by a target of that size, and
 * frees it: QEMU's guest RAM is faulted in by the host as it is first
 * touched (in huge pages, with compaction), and a move's first use of a
 * node's memory would otherwise time the host's faults, not the move.
 */
static void touch_node(int node)
{
	char path[96], line[160];
	unsigned long long kb = 0;
	struct np_move_target t;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 node);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Node %*d MemFree: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	/* leave 96 MiB: the kernel's own reserves and the page tables */
	if (kb / 1024 <= 128 ||
	    np_move_target_start(target_exe, (unsigned)(kb / 1024 - 96), node,
				 0, 0, NULL, &t))
		return;
	np_move_target_stop(&t);
}

/* The arms of a round: one thread, the mover's default (two), and
 * migratepages, in an order that rotates from round to round. */
enum { ARM_NP1, ARM_NP2, ARM_MP, NARMS };
static const char *const arm_name[NARMS] = { "np-1", "np-2", "migratepages" };

static struct result run_arm(int arm)
{
	switch (arm) {
	case ARM_NP1:
		return move_np(10000000ull, 1);
	case ARM_NP2:
		return move_np(10000000ull, 0);
	default:
		return move_migratepages();
	}
}

int main(int argc, char **argv)
{
	double mp[MAX_ROUNDS], call[2][MAX_ROUNDS], phase[2][MAX_ROUNDS];
	double ratio[2][MAX_ROUNDS], ratio_call[2][MAX_ROUNDS];
	double longest[2][MAX_ROUNDS], p99s[2][MAX_ROUNDS];
	double over[2][MAX_ROUNDS], nb[2][MAX_ROUNDS];
	unsigned rounds, threads_used = 0;
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
	printf("%u MiB from node 0 to node 1, %u rounds, the three moves of a "
	       "round in rotating order\n", target_mib, rounds);
	printf("numaplace with 1 thread (np-1) and the default (np-2), batch-ms "
	       "10: MiB/s over the whole call (read-backs before and after "
	       "included) and over its batches (first start to last end), "
	       "longest batch; migratepages: MiB/s over fork to exit; "
	       "ratio: numaplace's batches / migratepages\n");
	/* not counted: the guest's first use of the nodes' memory, and a
	 * move of each kind */
	touch_node(0);
	touch_node(1);
	ok = move_migratepages().ok && move_np(10000000ull, 1).ok;
	printf("round  first         migratepages  np-1 call  np-1 batches  "
	       "np-1 longest ms  np-2 call  np-2 batches  np-2 longest ms  "
	       "ratio np-1  ratio np-2\n");
	for (unsigned i = 0; i < rounds; i++) {
		struct result res[NARMS];

		for (int k = 0; k < NARMS; k++) {
			int arm = (int)((i + (unsigned)k) % NARMS);

			res[arm] = run_arm(arm);
			ok = ok && res[arm].ok;
		}
		mp[i] = res[ARM_MP].wall_mibps;
		for (int t = 0; t < 2; t++) {
			const struct result *a = &res[t ? ARM_NP2 : ARM_NP1];

			call[t][i] = a->wall_mibps;
			phase[t][i] = a->phase_mibps;
			ratio[t][i] = a->phase_mibps / mp[i];
			ratio_call[t][i] = a->wall_mibps / mp[i];
			longest[t][i] = (double)a->longest_ns / 1e6;
			p99s[t][i] = (double)a->p99_ns / 1e6;
			over[t][i] = a->over;
			nb[t][i] = a->batches;
		}
		threads_used = res[ARM_NP2].threads;
		printf("%5u  %-12s  %12.1f  %9.1f  %12.1f  %15.2f  %9.1f  "
		       "%12.1f  %15.2f  %10.3f  %10.3f%s\n", i + 1,
		       arm_name[i % NARMS], mp[i], call[0][i], phase[0][i],
		       longest[0][i], call[1][i], phase[1][i], longest[1][i],
		       ratio[0][i], ratio[1][i],
		       res[0].ok && res[1].ok && res[2].ok ? "" :
		       "  (FAILED: pages not on node 1)");
	}
	{
		double m = median(mp, rounds);

		printf("median of %u rounds: migratepages %.1f MiB/s\n", rounds,
		       m);
		for (int t = 0; t < 2; t++) {
			double ph = median(phase[t], rounds);
			double ca = median(call[t], rounds);

			printf("  numaplace, %u thread%s: %.1f MiB/s over its "
			       "batches (%.3f of migratepages), %.1f over the "
			       "call (%.3f); median of the per-round ratios "
			       "%.3f (batches), %.3f (call); longest batch "
			       "(batch-ms 10): median %.2f ms; 99th percentile "
			       "batch: median %.2f ms; batches over 10 ms: median "
			       "%g of %g\n",
			       t ? threads_used : 1u,
			       t && threads_used != 1 ? "s" : "", ph, ph / m, ca,
			       ca / m, median(ratio[t], rounds),
			       median(ratio_call[t], rounds),
			       median(longest[t], rounds),
			       median(p99s[t], rounds), median(over[t], rounds),
			       median(nb[t], rounds));
		}
	}
	printf("\nbatch ms  threads  np call  np batches  batches  "
	       "pages/batch  longest ms  median ms  p99 ms  over bound\n");
	sweep = strdup(argv[4]);
	for (tok = strtok_r(sweep, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		double ms = strtod(tok, NULL);

		for (unsigned th = 1; th <= 2; th++) {
			struct result a = move_np((uint64_t)(ms * 1e6), th);

			ok = ok && a.ok;
			printf("%8g  %7u  %7.1f  %10.1f  %7u  %11llu  %10.2f  "
			       "%9.2f  %6.2f  %10u%s\n", ms, a.threads,
			       a.wall_mibps, a.phase_mibps, a.batches,
			       (unsigned long long)a.batch_pages,
			       (double)a.longest_ns / 1e6,
			       (double)a.median_ns / 1e6,
			       (double)a.p99_ns / 1e6, a.over,
			       a.ok ? "" : "  (FAILED)");
		}
	}
	free(sweep);
	return ok ? 0 : 1;
}
