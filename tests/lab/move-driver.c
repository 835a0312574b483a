/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np-move-driver: np_move_process_pages on a real process in a lab guest
 * with 4 nodes (tests/lab/test-lab-move.sh), checked against what the
 * kernel says afterwards, not against the report alone.
 *
 * np-move-driver TARGET hot RATE [THREADS]
 *   TARGET (np-move-target) with 64 MiB on node 0, of which 40-44 MiB is
 *   written every millisecond, moved hot-first to node 2 at RATE MiB/s in
 *   batches of at most 10 ms, by THREADS threads (default: the mover's).
 *   Checks: every page on node 2 by move_pages
 *   and by numa_maps; the report's before and after equal those read
 *   backs; no batch above the bound the rate implies, and at least as
 *   many batches as that bound needs; the move took at least as long as
 *   the rate allows; the pages moved first are all in the hot part.
 * np-move-driver TARGET kill RATE
 *   The same target, no hot part, killed 500 ms into a move at RATE:
 *   -ESRCH, a partial report (some pages moved, not all, nothing read
 *   after).
 * np-move-driver TARGET cpuset CGROUP
 *   The target put into cgroup v2 directory CGROUP (whose cpuset.mems
 *   lacks node 2) before the move to node 2: refused, input, the node
 *   named; every page still on node 0.
 * np-move-driver TARGET thp
 *   The target's 64 MiB in transparent huge pages (as QEMU's guest RAM
 *   usually is), moved to node 2 with no rate: every page counted moved,
 *   none left behind, all on node 2.
 * np-move-driver TARGET hugetlb
 *   32 MiB of 2 MiB hugetlb pages on node 0 (the pools of nodes 0 and 2
 *   filled by the caller) moved to node 2 as 16 huge pages, hot-first
 *   (none is hot: the soft-dirty bits of huge pages are read too).
 * Prints one line per finding, then "check: ok" or "check: N failed";
 * exits 0 or 1 (2 for bad usage).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <numaplace/migrate.h>
#include <numaplace/pages.h>

#include "linux/linux-pages.h"
#include "move-target-ctl.h"

#define PAGE 4096ull
#define MIB (1ull << 20)
#define TARGET_MIB 64
#define HOT_OFF_MIB 40
#define HOT_MIB 4
#define FROM_NODE 0
#define TO_NODE 2
#define BATCH_NS 10000000ull

static unsigned failures;

static void finding(bool good, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void finding(bool good, const char *fmt, ...)
{
	va_list ap;

	if (!good)
		failures++;
	printf("%s", good ? "" : "FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* kind: NULL (4 KiB pages), "thp" or "hugetlb" (np-move-target's) */
static int start_target(const char *exe, unsigned mib, unsigned hot_mib,
			const char *kind, struct np_move_target *t)
{
	return np_move_target_start(exe, mib, FROM_NODE,
				    hot_mib ? HOT_OFF_MIB : 0, hot_mib, kind,
				    t);
}

/* Pages of the target's range per node, by move_pages from here:
 * counts[node] for nodes 0..7, *absent for pages on no node. */
static int read_back(const struct np_move_target *t, uint64_t counts[8],
		     uint64_t *absent)
{
	size_t n = (size_t)(t->len / PAGE);
	void **ptrs = malloc(n * sizeof(*ptrs));
	int *st = malloc(n * sizeof(*st)), e;

	memset(counts, 0, 8 * sizeof(*counts));
	*absent = 0;
	if (!ptrs || !st) {
		free(ptrs);
		free(st);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		ptrs[i] = (void *)(uintptr_t)(t->addr + i * PAGE);
	e = np_move_pages(t->pid, n, ptrs, NULL, st, 0, NULL);
	for (size_t i = 0; !e && i < n; i++) {
		if (st[i] >= 0 && st[i] < 8)
			counts[st[i]]++;
		else
			(*absent)++;
	}
	free(ptrs);
	free(st);
	return e;
}

/* The report's per-node list equals counts[] (nodes with pages). */
static bool same_nodes(const struct np_move_node_pages *v, size_t nv,
		       const uint64_t counts[8])
{
	size_t k = 0;

	for (unsigned node = 0; node < 8; node++) {
		if (!counts[node])
			continue;
		if (k >= nv || v[k].node != node || v[k].pages != counts[node])
			return false;
		k++;
	}
	return k == nv;
}

/* numa_maps of the target's mapping: "N2=16384" and no other node. */
static void check_numa_maps(const struct np_move_target *t, unsigned node,
			    uint64_t page_bytes)
{
	struct np_numa_maps m;
	struct np_err err = { 0 };
	char root[] = "/";
	bool found = false;

	if (np_numa_maps_read(root, t->pid, &m, &err)) {
		finding(false, "numa_maps: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < m.n; i++) {
		if (m.maps[i].start != t->addr)
			continue;
		found = true;
		finding(m.maps[i].nnodes == 1 && m.maps[i].nodes[0].node ==
			node && m.maps[i].nodes[0].pages ==
			t->len / page_bytes,
			"numa_maps: %zu node(s), N%u=%llu (want N%u=%llu only)",
			m.maps[i].nnodes,
			m.maps[i].nnodes ? m.maps[i].nodes[0].node : 0,
			m.maps[i].nnodes ? (unsigned long long)
			m.maps[i].nodes[0].pages : 0ull, node,
			(unsigned long long)(t->len / page_bytes));
	}
	if (!found)
		finding(false, "numa_maps: no mapping at %llx",
			(unsigned long long)t->addr);
	np_numa_maps_free(&m);
}

static void print_report(const struct np_move_report *r, int rc,
			 const struct np_err *err)
{
	printf("report: rc=%d moved=%llu/%llu present=%llu hot=%llu (%s) "
	       "batches=%u threads=%u batch_pages=%llu cap=%llu max_bytes=%llu "
	       "longest=%lluus median=%lluus mibps=%.1f elapsed=%llums "
	       "exited=%d failed=%llu/%llu/%llu/%llu/%llu%s%s\n", rc,
	       (unsigned long long)r->pages_moved,
	       (unsigned long long)r->pages_to_move,
	       (unsigned long long)r->pages_present,
	       (unsigned long long)r->pages_hot,
	       np_move_hot_source_name(r->hot_source), r->batches, r->threads,
	       (unsigned long long)r->batch_pages,
	       (unsigned long long)r->batch_bytes_cap,
	       (unsigned long long)r->batch_bytes_max,
	       (unsigned long long)r->longest_batch_ns / 1000,
	       (unsigned long long)r->median_batch_ns / 1000, r->mibps,
	       (unsigned long long)r->elapsed_ns / 1000000, r->target_exited,
	       (unsigned long long)r->failed_ebusy,
	       (unsigned long long)r->failed_eacces,
	       (unsigned long long)r->failed_enomem,
	       (unsigned long long)r->failed_efault,
	       (unsigned long long)r->failed_other,
	       rc ? " err=" : "", rc ? err->msg : "");
}

static struct np_move_range target_range(const struct np_move_target *t)
{
	return (struct np_move_range){ .start = t->addr, .len_bytes = t->len,
				       .page_bytes = PAGE,
				       .target_node = TO_NODE };
}

static void run_hot(const char *exe, double rate, unsigned threads)
{
	struct np_move_target t;
	struct np_move_opts o = { .rate_mibps = rate, .batch_ns = BATCH_NS,
				  .order = NP_MOVE_HOT_FIRST,
				  .sample_ns = 200000000ull,
				  .threads = threads };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want_threads = threads ? threads :
		ncpu < (long)NP_MOVE_DEFAULT_THREADS ? (unsigned)ncpu :
		NP_MOVE_DEFAULT_THREADS;
	struct np_move_report rep;
	struct np_move_range r;
	struct np_err err = { 0 };
	uint64_t before[8], after[8], absent, cap, need, in_hot = 0;
	int rc, e;

	if (start_target(exe, TARGET_MIB, HOT_MIB, NULL, &t)) {
		finding(false, "target did not start");
		return;
	}
	r = target_range(&t);
	e = read_back(&t, before, &absent);
	finding(!e && before[FROM_NODE] == t.len / PAGE,
		"before: %llu pages on node %d, %llu absent",
		(unsigned long long)before[FROM_NODE], FROM_NODE,
		(unsigned long long)absent);
	rc = np_move_process_pages(t.pidfd, t.pid, &r, 1, &o, &rep, &err);
	print_report(&rep, rc, &err);
	finding(rc == 0, "rc %d", rc);
	finding(rep.threads == want_threads, "threads: %u (want %u)",
		rep.threads, want_threads);
	e = read_back(&t, after, &absent);
	finding(!e && after[TO_NODE] == t.len / PAGE && !absent,
		"after: %llu of %llu pages on node %d by move_pages",
		(unsigned long long)after[TO_NODE],
		(unsigned long long)(t.len / PAGE), TO_NODE);
	check_numa_maps(&t, TO_NODE, PAGE);
	finding(same_nodes(rep.before, rep.nbefore, before),
		"report before matches move_pages read back");
	finding(same_nodes(rep.after, rep.nafter, after),
		"report after matches move_pages read back");
	finding(rep.pages_moved == t.len / PAGE &&
		rep.pages_to_move == t.len / PAGE,
		"report: %llu of %llu pages moved",
		(unsigned long long)rep.pages_moved,
		(unsigned long long)rep.pages_to_move);
	/* the batch bound the rate implies: rate x 10 ms */
	cap = (uint64_t)(rate * MIB * 0.01);
	need = (t.len + cap - 1) / cap;
	finding(rep.batch_bytes_cap == cap && rep.batch_bytes_max <= cap &&
		rep.batch_pages * PAGE <= cap,
		"batches within the rate's bound: largest %llu bytes "
		"(%llu pages), bound %llu",
		(unsigned long long)rep.batch_bytes_max,
		(unsigned long long)rep.batch_pages,
		(unsigned long long)cap);
	finding(rep.batches >= need && rep.nbatch_ns == rep.batches,
		"batches: %u, at least %llu needed", rep.batches,
		(unsigned long long)need);
	/* the rate: the last batch can start no earlier than the bytes
	 * before it allow */
	finding((double)rep.elapsed_ns / 1e9 >=
		(double)(t.len - rep.batch_bytes_max) / (rate * MIB),
		"took %.2f s, the rate allows no less than %.2f s",
		(double)rep.elapsed_ns / 1e9,
		(double)(t.len - rep.batch_bytes_max) / (rate * MIB));
	/* hot first: the hot part was found and moved before anything else */
	finding(rep.hot_source == NP_HOT_SOFT_DIRTY &&
		rep.pages_hot == t.hot_len / PAGE,
		"hot: %llu pages by %s (want %llu by soft-dirty)",
		(unsigned long long)rep.pages_hot,
		np_move_hot_source_name(rep.hot_source),
		(unsigned long long)(t.hot_len / PAGE));
	for (size_t i = 0; i < rep.nfirst_moved; i++)
		in_hot += rep.first_moved[i] >= t.hot &&
			  rep.first_moved[i] < t.hot + t.hot_len;
	finding(rep.nfirst_moved == NP_MOVE_FIRST_PAGES &&
		in_hot == rep.nfirst_moved &&
		rep.first_moved[0] == t.hot,
		"first %zu pages moved: %llu in the hot part, first at "
		"+%llu MiB", rep.nfirst_moved, (unsigned long long)in_hot,
		(unsigned long long)((rep.first_moved[0] - t.addr) / MIB));
	np_move_report_free(&rep);
	np_move_target_stop(&t);
}

struct killer {
	pid_t pid;
	unsigned ms;
};

static void *kill_later(void *arg)
{
	const struct killer *k = arg;
	struct timespec ts = { .tv_sec = k->ms / 1000,
			       .tv_nsec = (long)(k->ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
	kill(k->pid, SIGKILL);
	return NULL;
}

static void run_kill(const char *exe, double rate)
{
	struct np_move_target t;
	struct np_move_opts o = { .rate_mibps = rate, .batch_ns = BATCH_NS };
	struct np_move_report rep;
	struct np_move_range r;
	struct np_err err = { 0 };
	struct killer k;
	pthread_t th;
	int rc;

	if (start_target(exe, TARGET_MIB, 0, NULL, &t)) {
		finding(false, "target did not start");
		return;
	}
	r = target_range(&t);
	k = (struct killer){ .pid = t.pid, .ms = 500 };
	pthread_create(&th, NULL, kill_later, &k);
	rc = np_move_process_pages(t.pidfd, t.pid, &r, 1, &o, &rep, &err);
	pthread_join(th, NULL);
	print_report(&rep, rc, &err);
	finding(rc == -ESRCH && err.cls == NP_ERR_SYSTEM,
		"rc %d class %d: %s", rc, (int)err.cls, err.msg);
	finding(rep.target_exited, "report says the target exited");
	finding(rep.pages_moved > 0 && rep.pages_moved < rep.pages_to_move &&
		rep.pages_to_move == t.len / PAGE,
		"partial: %llu of %llu pages moved",
		(unsigned long long)rep.pages_moved,
		(unsigned long long)rep.pages_to_move);
	finding(rep.nbefore == 1 && rep.before[0].node == FROM_NODE &&
		rep.nafter == 0, "before on node %d, no after read back",
		FROM_NODE);
	np_move_report_free(&rep);
	waitpid(t.pid, NULL, 0);
	close(t.pidfd);
}

static void run_cpuset(const char *exe, const char *cgroup)
{
	struct np_move_target t;
	struct np_move_opts o = { .batch_ns = BATCH_NS };
	struct np_move_report rep;
	struct np_move_range r;
	struct np_err err = { 0 };
	uint64_t after[8], absent;
	char path[512];
	FILE *f;
	int rc, e;

	if (start_target(exe, TARGET_MIB, 0, NULL, &t)) {
		finding(false, "target did not start");
		return;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", (int)t.pid) < 0 || fclose(f)) {
		finding(false, "%s: %s", path, strerror(errno));
		np_move_target_stop(&t);
		return;
	}
	r = target_range(&t);
	rc = np_move_process_pages(t.pidfd, t.pid, &r, 1, &o, &rep, &err);
	print_report(&rep, rc, &err);
	finding(rc == -EINVAL && err.cls == NP_ERR_INPUT &&
		strstr(err.msg, "node 2 is outside the cpuset.mems"),
		"refused: rc %d class %d: %s", rc, (int)err.cls, err.msg);
	finding(rep.pages_moved == 0 && rep.batches == 0, "nothing moved");
	e = read_back(&t, after, &absent);
	finding(!e && after[FROM_NODE] == t.len / PAGE,
		"after: %llu pages still on node %d",
		(unsigned long long)after[FROM_NODE], FROM_NODE);
	np_move_report_free(&rep);
	np_move_target_stop(&t);
}

/* kB of transparent huge pages in the process (smaps_rollup), or -1. */
static long long anon_huge_kb(pid_t pid)
{
	char path[64], line[256];
	long long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void run_thp(const char *exe)
{
	struct np_move_target t;
	struct np_move_opts o = { .batch_ns = BATCH_NS };
	struct np_move_report rep;
	struct np_move_range r;
	struct np_err err = { 0 };
	uint64_t after[8], absent;
	long long kb;
	int rc, e;

	if (start_target(exe, TARGET_MIB, 0, "thp", &t)) {
		finding(false, "target did not start");
		return;
	}
	kb = anon_huge_kb(t.pid);
	finding(kb > 0, "transparent huge pages before: %lld kB", kb);
	r = target_range(&t);
	rc = np_move_process_pages(t.pidfd, t.pid, &r, 1, &o, &rep, &err);
	print_report(&rep, rc, &err);
	finding(rc == 0, "rc %d", rc);
	finding(rep.pages_moved == t.len / PAGE && !rep.failed_ebusy &&
		!rep.failed_other, "report: %llu of %llu pages moved, none "
		"left behind", (unsigned long long)rep.pages_moved,
		(unsigned long long)rep.pages_to_move);
	e = read_back(&t, after, &absent);
	finding(!e && after[TO_NODE] == t.len / PAGE && !absent,
		"after: %llu of %llu pages on node %d by move_pages",
		(unsigned long long)after[TO_NODE],
		(unsigned long long)(t.len / PAGE), TO_NODE);
	finding(same_nodes(rep.after, rep.nafter, after),
		"report after matches move_pages read back");
	printf("transparent huge pages after: %lld kB\n", anon_huge_kb(t.pid));
	np_move_report_free(&rep);
	np_move_target_stop(&t);
}

#define HUGE_MIB 32
#define HUGE_BYTES (2ull << 20)

static void run_hugetlb(const char *exe)
{
	struct np_move_target t;
	struct np_move_opts o = { .batch_ns = BATCH_NS,
				  .order = NP_MOVE_HOT_FIRST,
				  .sample_ns = 100000000ull };
	struct np_move_report rep;
	struct np_move_range r;
	struct np_err err = { 0 };
	uint64_t after[8], absent, n = HUGE_MIB * MIB / HUGE_BYTES;
	int rc, e;

	if (start_target(exe, HUGE_MIB, 0, "hugetlb", &t)) {
		finding(false, "target did not start");
		return;
	}
	r = (struct np_move_range){ .start = t.addr, .len_bytes = t.len,
				    .page_bytes = HUGE_BYTES,
				    .target_node = TO_NODE };
	rc = np_move_process_pages(t.pidfd, t.pid, &r, 1, &o, &rep, &err);
	print_report(&rep, rc, &err);
	finding(rc == 0, "rc %d", rc);
	finding(rep.pages_total == n && rep.pages_moved == n &&
		rep.nbefore == 1 && rep.before[0].node == FROM_NODE &&
		rep.before[0].pages == n && rep.nafter == 1 &&
		rep.after[0].node == TO_NODE && rep.after[0].pages == n,
		"report: %llu of %llu huge pages moved, from node %d to %d",
		(unsigned long long)rep.pages_moved, (unsigned long long)n,
		FROM_NODE, TO_NODE);
	/* the read back here asks for every 4 KiB address in them */
	e = read_back(&t, after, &absent);
	finding(!e && after[TO_NODE] == t.len / PAGE && !absent,
		"after: %llu of %llu 4 KiB addresses on node %d by move_pages",
		(unsigned long long)after[TO_NODE],
		(unsigned long long)(t.len / PAGE), TO_NODE);
	check_numa_maps(&t, TO_NODE, HUGE_BYTES);
	/* an idle target: soft-dirty read once per huge page, none hot */
	finding(rep.hot_source == NP_HOT_SOFT_DIRTY && rep.pages_hot == 0,
		"hot: %llu huge pages by %s",
		(unsigned long long)rep.pages_hot,
		np_move_hot_source_name(rep.hot_source));
	/* while the target holds them: node 0's pool got its pages back,
	 * node 2's gave them */
	for (int node = 0; node <= 2; node += 2) {
		char path[128];
		long free_n = -1, nr = -1;
		FILE *f;

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/"
			 "hugepages/hugepages-2048kB/free_hugepages", node);
		if ((f = fopen(path, "r"))) {
			if (fscanf(f, "%ld", &free_n) != 1)
				free_n = -1;
			fclose(f);
		}
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/"
			 "hugepages/hugepages-2048kB/nr_hugepages", node);
		if ((f = fopen(path, "r"))) {
			if (fscanf(f, "%ld", &nr) != 1)
				nr = -1;
			fclose(f);
		}
		printf("node%d free %ld of %ld\n", node, free_n, nr);
	}
	np_move_report_free(&rep);
	np_move_target_stop(&t);
}

int main(int argc, char **argv)
{
	const char *mode = argc >= 3 ? argv[2] : "";

	if (argc == 3 && !strcmp(mode, "thp"))
		run_thp(argv[1]);
	else if (argc == 3 && !strcmp(mode, "hugetlb"))
		run_hugetlb(argv[1]);
	else if ((argc == 4 || argc == 5) && !strcmp(mode, "hot"))
		run_hot(argv[1], strtod(argv[3], NULL),
			argc == 5 ? (unsigned)strtoul(argv[4], NULL, 10) : 0);
	else if (argc == 4 && !strcmp(mode, "kill"))
		run_kill(argv[1], strtod(argv[3], NULL));
	else if (argc == 4 && !strcmp(mode, "cpuset"))
		run_cpuset(argv[1], argv[3]);
	else {
		fprintf(stderr, "usage: np-move-driver TARGET hot RATE [THREADS]\n"
			"       np-move-driver TARGET kill RATE\n"
			"       np-move-driver TARGET cpuset CGROUP\n"
			"       np-move-driver TARGET thp|hugetlb\n");
		return 2;
	}
	if (failures)
		printf("check: %u failed\n", failures);
	else
		printf("check: ok\n");
	return failures ? 1 : 0;
}
