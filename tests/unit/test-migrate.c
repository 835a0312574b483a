/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The page mover (lib/mem/mem-migrate.c) on a host of any shape: its
 * batch sizer and rate limiter on injected timings, the hot-first order
 * on a synthetic dirty bitmap, the cpuset.mems refusal from a /proc
 * fixture, and real child processes as targets: the report's accounting
 * read back with move_pages, an exited target through its pidfd, another
 * user's process.  Moving between nodes is tested in a lab guest
 * (tests/lab/test-lab-move.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <numaplace/migrate.h>

#include "linux/linux-pages.h"
#include "linux/linux-softdirty.h"
#include "mem/mem-migrate-internal.h"

#define PAGE 4096u
#define MS 1000000ull

static void test_rate_cap(void **state)
{
	(void)state;
	/* 8 MiB/s over 10 ms: 8 * 2^20 / 100 bytes */
	assert_int_equal(np_move_rate_cap_bytes(8.0, 10 * MS), 83886);
	assert_int_equal(np_move_rate_cap_bytes(100.0, 1 * MS), 104857);
	/* no rate: no bound */
	assert_int_equal(np_move_rate_cap_bytes(0.0, 10 * MS), 0);
	assert_int_equal(np_move_rate_cap_bytes(-1.0, 10 * MS), 0);
	/* a rate below a page per batch still moves one page at a time */
	assert_int_equal(np_move_rate_cap_bytes(0.01, 10 * MS), PAGE);
}

/* one batch: bytes b in t ns */
static uint64_t size1(uint64_t cur, uint64_t b, uint64_t t, uint64_t cap)
{
	return np_move_batch_size(cur, &b, &t, 1, 10 * MS, cap);
}

static void test_batch_size(void **state)
{
	uint64_t b[8], t[8];

	(void)state;
	/* 4 MiB took 20 ms, aim 1.25 ms of 10: a sixteenth of it */
	assert_int_equal(size1(4194304, 4194304, 20 * MS, 0), 262144);
	/* 128 KiB took 20 ms: a sixteenth would be 8 KiB, but no batch is
	 * made smaller than the probe (the call's own cost) */
	assert_int_equal(size1(131072, 131072, 20 * MS, 0),
			 NP_MOVE_PROBE_BYTES);
	/* 1 MiB took 2 ms: 1.25 ms would move 640 KiB */
	assert_int_equal(size1(1048576, 1048576, 2 * MS, 0), 655360);
	/* 128 KiB in 0.1 ms: 6.4 MiB at that speed, but growth is at most
	 * 4 times the last size */
	assert_int_equal(size1(131072, 131072, 100000, 0), 4 * 131072);
	/* and never above the rate's bound */
	assert_int_equal(size1(131072, 131072, 2 * MS, 83886), 83886);
	/* a batch the clock did not see grows by the growth limit */
	assert_int_equal(size1(65536, 65536, 0, 0), 262144);
	/* the speed is the batch's, not the size asked: one 4 KiB page
	 * (more than the 1 byte asked) in 1 ms aims at 5 KiB, capped 4x,
	 * then raised to the floor */
	assert_int_equal(size1(1, 4096, 1 * MS, 0), NP_MOVE_PROBE_BYTES);
	/* an extremely slow batch: the floor, and under a rate's bound below
	 * it, that bound */
	assert_int_equal(size1(4096, 4096, 1000000 * MS, 0),
			 NP_MOVE_PROBE_BYTES);
	assert_int_equal(size1(4096, 4096, 1000000 * MS, 4096), 4096);

	/* 8 batches of 1280 KiB in 1.25 ms, one of them stalled 500 ms: the
	 * size stays 1280 KiB */
	for (int i = 0; i < 8; i++) {
		b[i] = 1310720;
		t[i] = 5 * MS / 4;
	}
	t[5] = 500 * MS;
	assert_int_equal(np_move_batch_size(1310720, b, t, 8, 10 * MS, 0),
			 1310720);
	/* three stalls of eight still do not */
	t[1] = t[7] = 40 * MS;
	assert_int_equal(np_move_batch_size(1310720, b, t, 8, 10 * MS, 0),
			 1310720);
	/* four of eight at 5 ms (4 times slower): the upper median is
	 * slow, the batches shrink to a quarter */
	for (int i = 0; i < 8; i++)
		t[i] = i % 2 ? 5 * MS : 5 * MS / 4;
	assert_int_equal(np_move_batch_size(1310720, b, t, 8, 10 * MS, 0),
			 327680);
	/* more than a window given: only the last 8 count (the first two,
	 * 1 s each, are ignored) */
	{
		uint64_t b10[10], t10[10];

		for (int i = 0; i < 10; i++) {
			b10[i] = 327680;
			t10[i] = i < 2 ? 1000 * MS : 5 * MS / 4;
		}
		t10[2] = t10[3] = t10[4] = 1000 * MS;
		/* 3 slow of the last 8: unchanged */
		assert_int_equal(np_move_batch_size(327680, b10, t10, 10,
						    10 * MS, 0), 327680);
	}
}

static void test_rate_delay(void **state)
{
	(void)state;
	/* 1 MiB at 1 MiB/s is due 1 s after the start; 250 ms have passed */
	assert_int_equal(np_move_rate_delay_ns(1048576, 250 * MS, 1.0),
			 750 * MS);
	/* 4 MiB at 8 MiB/s due at 500 ms: already late, no wait */
	assert_int_equal(np_move_rate_delay_ns(4 * 1048576, 600 * MS, 8.0), 0);
	/* exactly due */
	assert_int_equal(np_move_rate_delay_ns(4 * 1048576, 500 * MS, 8.0), 0);
	/* nothing moved yet */
	assert_int_equal(np_move_rate_delay_ns(0, 0, 8.0), 0);
	/* no rate */
	assert_int_equal(np_move_rate_delay_ns(1ull << 40, 0, 0.0), 0);
}

static void test_order_hot_first(void **state)
{
	struct np_move_page p[10];
	uint8_t hot[10] = { 0, 0, 0, 1, 0, 0, 0, 1, 1, 0 };
	static const unsigned want[10] = { 3, 7, 8, 0, 1, 2, 4, 5, 6, 9 };

	(void)state;
	for (unsigned i = 0; i < 10; i++)
		p[i] = (struct np_move_page){ .addr = 0x10000 + i * PAGE,
					      .page_bytes = PAGE,
					      .node = (int)i % 3 };
	assert_int_equal(np_move_order_hot_first(p, 10, hot), 3);
	for (unsigned i = 0; i < 10; i++) {
		assert_int_equal(p[i].addr, 0x10000 + want[i] * PAGE);
		/* each page keeps its own target */
		assert_int_equal(p[i].node, (int)want[i] % 3);
	}
	/* nothing hot, everything hot: order kept */
	memset(hot, 0, sizeof(hot));
	assert_int_equal(np_move_order_hot_first(p, 10, hot), 0);
	assert_int_equal(p[0].addr, 0x10000 + 3 * PAGE);
	memset(hot, 1, sizeof(hot));
	assert_int_equal(np_move_order_hot_first(p, 10, hot), 10);
	assert_int_equal(p[9].addr, 0x10000 + 9 * PAGE);
}

static void test_median(void **state)
{
	uint64_t a[] = { 5, 1, 3 }, b[] = { 4, 1, 3, 2 }, c[] = { 7 };

	(void)state;
	assert_int_equal(np_move_median_ns(a, 3), 3);
	assert_int_equal(np_move_median_ns(b, 4), 2);
	assert_int_equal(np_move_median_ns(c, 1), 7);
	assert_int_equal(np_move_median_ns(NULL, 0), 0);
}

/* A root directory holding proc/<pid>/status with the given text. */
static char *fixture(pid_t pid, const char *status)
{
	char *dir = strdup("/tmp/np-test-migrate.XXXXXX"), path[256];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/%d", dir, (int)pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/%d/status", dir, (int)pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(status, f);
	fclose(f);
	return dir;
}

static void fixture_free(char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static void test_mems_fixture(void **state)
{
	/* as Linux 6.1 writes it, a process in a cpuset of nodes 0-1 and 3 */
	static const char st[] =
		"Name:\tqemu-system-x86\nUmask:\t0022\nState:\tS (sleeping)\n"
		"Tgid:\t4242\nPid:\t4242\n"
		"Cpus_allowed:\tff\nCpus_allowed_list:\t0-7\n"
		"Mems_allowed:\t00000000,0000000b\n"
		"Mems_allowed_list:\t0-1,3\n"
		"voluntary_ctxt_switches:\t10\n";
	struct np_move_range r[2] = {
		{ .start = 0x7f0000000000, .len_bytes = 16 * PAGE,
		  .page_bytes = PAGE, .target_node = 1 },
		{ .start = 0x7f0000100000, .len_bytes = 16 * PAGE,
		  .page_bytes = PAGE, .target_node = 2 },
	};
	struct np_err err = { 0 };
	struct np_idset mems = { 0 };
	struct np_root root;
	char *dir = fixture(4242, st);

	(void)state;
	assert_int_equal(np_root_open(&root, dir, NULL), 0);
	assert_int_equal(np_proc_mems_allowed(&root, 4242, &mems, &err), 0);
	assert_int_equal(mems.n, 3);
	assert_int_equal(mems.ids[2], 3);
	np_idset_free(&mems);
	/* node 1 and 3 allowed, 2 refused and named */
	assert_int_equal(np_move_check_mems(&root, 4242, r, 1, &err), 0);
	r[0].target_node = 3;
	assert_int_equal(np_move_check_mems(&root, 4242, r, 1, &err), 0);
	assert_int_equal(np_move_check_mems(&root, 4242, r, 2, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, "node 2 is outside the cpuset.mems of "
			    "process 4242 (it may use nodes 0-1,3): no page "
			    "moved");
	/* a process that is not there */
	memset(&err, 0, sizeof(err));
	assert_int_equal(np_move_check_mems(&root, 4243, r, 1, &err), -ESRCH);
	np_root_close(&root);
	fixture_free(dir);

	/* a status without the line: the dump is wrong, and says which file */
	dir = fixture(7, "Name:\tx\nPid:\t7\n");
	assert_int_equal(np_root_open(&root, dir, NULL), 0);
	assert_int_equal(np_move_check_mems(&root, 7, r, 1, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_non_null(strstr(err.msg, "/proc/7/status: no Mems_allowed_list"));
	np_root_close(&root);
	fixture_free(dir);
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

#define CHILD_PAGES 64
#define CHILD_TOUCHED 40
#define HOT_FIRST 10
#define HOT_N 10

/* pages of private anonymous memory in base pages, for a child to write */
static volatile char *map_pages(size_t pages)
{
	void *region = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(region != MAP_FAILED);
	madvise(region, pages * PAGE, MADV_NOHUGEPAGE);
	return region;
}

/* The whole of region as one range to move to node. */
static struct np_move_range whole_range(volatile char *region, size_t pages,
					int node)
{
	return (struct np_move_range){ .start = (uint64_t)(uintptr_t)region,
				       .len_bytes = pages * PAGE,
				       .page_bytes = PAGE,
				       .target_node = (unsigned)node };
}

/*
 * Forks a child that dies with the test (also when an assertion ends it).
 * *fd is the child's end of a pipe in the child (child_ready() says it is
 * ready), the parent's in the parent (wait_ready() waits for that).
 */
static pid_t fork_child(int *fd)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(p[pid == 0 ? 0 : 1]);
	*fd = p[pid == 0 ? 1 : 0];
	return pid;
}

static void child_ready(int fd)
{
	if (write(fd, "r", 1) != 1)
		_exit(1);
}

static void wait_ready(int fd)
{
	char c;

	assert_int_equal(read(fd, &c, 1), 1);
	close(fd);
}

/*
 * A child that writes the first CHILD_TOUCHED pages of region, says so on
 * the pipe, then keeps writing pages HOT_FIRST..HOT_FIRST+HOT_N-1 until
 * killed.
 */
static pid_t spawn_child(volatile char *region, int *ready_fd)
{
	pid_t pid = fork_child(ready_fd);

	if (pid == 0) {
		for (unsigned i = 0; i < CHILD_TOUCHED; i++)
			region[i * PAGE] = 1;
		child_ready(*ready_fd);
		for (unsigned n = 0;; n++) {
			for (unsigned i = HOT_FIRST; i < HOT_FIRST + HOT_N; i++)
				region[i * PAGE] = (char)n;
			usleep(1000);
		}
	}
	return pid;
}

/* The first node with memory on this host: move_pages of a page here. */
static int my_node(void)
{
	static char page[PAGE] __attribute__((aligned(PAGE)));
	void *p = page;
	int st = -1;

	page[0] = 1;
	assert_int_equal(syscall(SYS_move_pages, 0, 1, &p, NULL, &st, 0), 0);
	assert_true(st >= 0);
	return st;
}

static void test_child_report(void **state)
{
	volatile char *region = map_pages(CHILD_PAGES);
	struct np_move_range r;
	struct np_move_opts o = { .order = NP_MOVE_HOT_FIRST,
				  .sample_ns = 100 * MS };
	struct np_move_report rep;
	struct np_err err = { 0 };
	int node = my_node(), fd, pidfd, sd;
	pid_t pid;

	(void)state;
	pid = spawn_child(region, &fd);
	wait_ready(fd);
	pidfd = pidfd_open_(pid);
	assert_true(pidfd >= 0);
	r = whole_range(region, CHILD_PAGES, node);
	/* every page is already where it should be: nothing moves, and the
	 * before and after read back say where the 40 touched pages are */
	assert_int_equal(np_move_process_pages(pidfd, pid, &r, 1, &o, &rep,
					       &err), 0);
	assert_int_equal(rep.pid, pid);
	assert_int_equal(rep.pages_total, CHILD_PAGES);
	assert_int_equal(rep.pages_present, CHILD_TOUCHED);
	assert_int_equal(rep.pages_to_move, 0);
	assert_int_equal(rep.pages_moved, 0);
	assert_int_equal(rep.batches, 0);
	assert_int_equal(rep.nbefore, 1);
	assert_int_equal(rep.before[0].node, node);
	assert_int_equal(rep.before[0].pages, CHILD_TOUCHED);
	assert_int_equal(rep.nafter, 1);
	assert_int_equal(rep.after[0].node, node);
	assert_int_equal(rep.after[0].pages, CHILD_TOUCHED);
	assert_false(rep.target_exited);
	assert_int_equal(rep.damon_present,
			 access("/sys/kernel/mm/damon", F_OK) == 0);
	/* soft-dirty where the kernel keeps the bits: exactly the pages the
	 * child writes; else said so, and the order is the address's */
	sd = np_softdirty_supported();
	assert_true(sd == 0 || sd == 1);
	if (sd == 1) {
		assert_int_equal(rep.hot_source, NP_HOT_SOFT_DIRTY);
		assert_int_equal(rep.pages_hot, HOT_N);
	} else {
		assert_int_equal(rep.hot_source, NP_HOT_NONE);
		assert_int_equal(rep.pages_hot, 0);
	}
	assert_true(rep.elapsed_ns >= (sd == 1 ? 100 * MS : 0));
	np_move_report_free(&rep);

	/* a dry run at 8 MiB/s: the rate's bound, nothing sampled */
	o.dry_run = true;
	o.rate_mibps = 8.0;
	assert_int_equal(np_move_process_pages(pidfd, pid, &r, 1, &o, &rep,
					       &err), 0);
	assert_true(rep.dry_run);
	assert_int_equal(rep.batch_bytes_cap, 83886);
	assert_int_equal(rep.hot_source, NP_HOT_NONE);
	assert_int_equal(rep.pages_present, CHILD_TOUCHED);
	np_move_report_free(&rep);

	/* a range not aligned to its page size: the caller's */
	r.len_bytes = PAGE + 1;
	assert_int_equal(np_move_process_pages(pidfd, pid, &r, 1, &o, &rep,
					       &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	np_move_report_free(&rep);
	r.len_bytes = PAGE;
	r.page_bytes = 3000;
	assert_int_equal(np_move_process_pages(pidfd, pid, &r, 1, &o, &rep,
					       &err), -EINVAL);
	np_move_report_free(&rep);

	/* the pidfd of one process with the pid of another (this one) */
	r = whole_range(region, CHILD_PAGES, node);
	memset(&err, 0, sizeof(err));
	assert_int_equal(np_move_process_pages(pidfd, getpid(), &r, 1, NULL,
					       &rep, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_non_null(strstr(err.msg, "refers to process"));
	np_move_report_free(&rep);
	/* an fd that is no pidfd */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_true(np_move_process_pages(fd, pid, &r, 1, NULL, &rep,
					  &err) < 0);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	np_move_report_free(&rep);
	close(fd);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pidfd);
	munmap((void *)region, CHILD_PAGES * PAGE);
}

/*
 * The placement read by several threads: a region of three chunks and a
 * bit (4096 pages a move_pages call), every 97th page and the last one
 * written by a child; read by three threads and by one, the same counts.
 */
#define READ_PAGES (3 * NP_MOVE_PAGES_CHUNK + 5)

static void test_child_read_threads(void **state)
{
	volatile char *region = map_pages(READ_PAGES);
	int node = my_node(), fd, pidfd;
	struct np_move_range r = whole_range(region, READ_PAGES, node);
	struct np_move_report rep;
	struct np_err err = { 0 };
	unsigned touched = 0;
	pid_t pid;

	(void)state;
	for (unsigned i = 0; i < READ_PAGES; i++)
		touched += i % 97 == 0 || i == READ_PAGES - 1;
	pid = fork_child(&fd);
	if (pid == 0) {
		for (unsigned i = 0; i < READ_PAGES; i++)
			if (i % 97 == 0 || i == READ_PAGES - 1)
				region[(size_t)i * PAGE] = 1;
		child_ready(fd);
		for (;;)
			pause();
	}
	wait_ready(fd);
	pidfd = pidfd_open_(pid);
	assert_true(pidfd >= 0);
	for (unsigned t = 0; t < 2; t++) {
		struct np_move_opts o = { .threads = t ? 1 : 3 };

		assert_int_equal(np_move_process_pages(pidfd, pid, &r, 1, &o,
						       &rep, &err), 0);
		assert_int_equal(rep.pages_total, READ_PAGES);
		assert_int_equal(rep.pages_present, touched);
		assert_int_equal(rep.pages_to_move, 0);
		assert_int_equal(rep.nbefore, 1);
		assert_int_equal(rep.before[0].node, node);
		assert_int_equal(rep.before[0].pages, touched);
		assert_int_equal(rep.nafter, 1);
		assert_int_equal(rep.after[0].pages, touched);
		np_move_report_free(&rep);
	}
	/* more threads than may move at once: the caller's mistake */
	{
		struct np_move_opts o = { .threads = NP_MOVE_MAX_THREADS + 1 };

		assert_int_equal(np_move_process_pages(pidfd, pid, &r, 1, &o,
						       &rep, &err), -EINVAL);
		assert_int_equal(err.cls, NP_ERR_INPUT);
		assert_string_equal(err.msg, "65 threads: at most 64 move pages "
				    "at once");
		np_move_report_free(&rep);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pidfd);
	munmap((void *)region, READ_PAGES * PAGE);
}

/* A target that exited, reaped or a zombie: -ESRCH through its pidfd,
 * the report flags it; a PID reused later would not be touched. */
static void test_child_exited(void **state)
{
	volatile char *region = map_pages(CHILD_PAGES);
	struct np_move_range r = whole_range(region, CHILD_PAGES, my_node());
	struct np_move_report rep;
	struct np_err err = { 0 };
	int fd, pidfd;
	pid_t pid;

	(void)state;
	for (int reap = 0; reap < 2; reap++) {
		pid = spawn_child(region, &fd);
		wait_ready(fd);
		pidfd = pidfd_open_(pid);
		assert_true(pidfd >= 0);
		kill(pid, SIGKILL);
		if (reap) {
			assert_int_equal(waitpid(pid, NULL, 0), pid);
		} else {
			/* a zombie still exists for kill(2), not for us */
			siginfo_t si;

			assert_int_equal(waitid(P_PID, (id_t)pid, &si,
						WEXITED | WNOWAIT), 0);
		}
		memset(&err, 0, sizeof(err));
		assert_int_equal(np_move_process_pages(pidfd, pid, &r, 1, NULL,
						       &rep, &err), -ESRCH);
		assert_int_equal(err.cls, NP_ERR_SYSTEM);
		assert_true(rep.target_exited);
		assert_int_equal(rep.pages_moved, 0);
		assert_non_null(strstr(err.msg, "exited"));
		np_move_report_free(&rep);
		if (!reap)
			waitpid(pid, NULL, 0);
		close(pidfd);
	}
	munmap((void *)region, CHILD_PAGES * PAGE);
}

/* Another user's process, from a caller without CAP_SYS_NICE: -EPERM
 * naming the capability.  Needs root to make both users. */
static void test_other_user(void **state)
{
	volatile char *region;
	int fd, st;
	pid_t target, caller;

	(void)state;
	if (geteuid() != 0)
		skip();
	region = map_pages(CHILD_PAGES);
	target = spawn_child(region, &fd);
	wait_ready(fd);
	caller = fork();
	assert_true(caller >= 0);
	if (caller == 0) {
		struct np_move_range r = whole_range(region, CHILD_PAGES,
						     my_node());
		struct np_move_report rep;
		struct np_err err = { 0 };
		int pidfd = pidfd_open_(target), e;

		if (pidfd < 0 || setgid(65534) || setuid(65533))
			_exit(10);
		e = np_move_process_pages(pidfd, target, &r, 1, NULL, &rep,
					  &err);
		np_move_report_free(&rep);
		if (e != -EPERM)
			_exit(11);
		if (err.cls != NP_ERR_SYSTEM || !strstr(err.msg, "CAP_SYS_NICE"))
			_exit(12);
		_exit(0);
	}
	assert_int_equal(waitpid(caller, &st, 0), caller);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	munmap((void *)region, CHILD_PAGES * PAGE);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_cap),
		cmocka_unit_test(test_batch_size),
		cmocka_unit_test(test_rate_delay),
		cmocka_unit_test(test_order_hot_first),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_mems_fixture),
		cmocka_unit_test(test_child_report),
		cmocka_unit_test(test_child_read_threads),
		cmocka_unit_test(test_child_exited),
		cmocka_unit_test(test_other_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
