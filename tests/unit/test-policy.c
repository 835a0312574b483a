/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory policies (numaplace/policy.h) and the placement reasoning of
 * `where` (np_placement_account): the mode names, applying a policy to
 * this thread as the kernel then reports it (get_mempolicy), the weights
 * string of run -w, and which pages are outside their policy and why.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <numaplace/pages.h>
#include <numaplace/policy.h>
#include <numaplace/topo.h>

static char dumps[PATH_MAX];

static struct np_topo *machine(const char *name)
{
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	char root[2 * PATH_MAX];

	snprintf(root, sizeof(root), "%s/%s", dumps, name);
	if (np_topo_from_sysroot(root, &t, &err))
		fail_msg("%s: %s", name, err.msg);
	return t;
}

static void test_mode_names(void **state)
{
	static const char *const names[] = {
		"default", "bind", "preferred", "preferred-many", "interleave",
		"weighted-interleave", "local",
	};
	enum np_policy_mode m;

	(void)state;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(np_policy_mode_parse(names[i], &m), 0);
		assert_int_equal(m, i);
		assert_string_equal(np_policy_mode_name(m), names[i]);
	}
	assert_int_equal(np_policy_mode_parse("membind", &m), -EINVAL);
	assert_int_equal(np_policy_mode_parse("", &m), -EINVAL);
	assert_string_equal(np_policy_mode_name((enum np_policy_mode)1000),
			    "unknown");
}

/* The kernel's view of this thread's policy: mode and the first node. */
static int current_policy(unsigned long *first_node)
{
	unsigned long mask[64] = { 0 };
	int mode = -1;

	if (syscall(SYS_get_mempolicy, &mode, mask, 64ul * 64, NULL, 0ul))
		return -1;
	*first_node = ~0ul;
	for (unsigned long i = 0; i < 64ul * 64; i++)
		if (mask[i / 64] & (1ul << (i % 64))) {
			*first_node = i;
			break;
		}
	return mode;
}

static void test_apply(void **state)
{
	unsigned zero = 0, absent = 4000;
	struct np_policy bind0 = { NP_POLICY_BIND, 0, { &zero, 1, 1 } };
	struct np_policy bad = { (enum np_policy_mode)1000, 0, { 0 } };
	struct np_policy dflt = { NP_POLICY_DEFAULT, 0, { 0 } };
	struct np_policy gone = { NP_POLICY_BIND, 0, { &absent, 1, 1 } };
	struct np_err err = { 0 };
	unsigned long node;

	(void)state;
	/* an out-of-range mode is refused before it indexes anything */
	assert_int_equal(np_policy_apply(&bad, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, "unknown policy mode 1000");
	assert_int_equal(np_policy_apply(&bind0, &err), 0);
	assert_int_equal(current_policy(&node), 2);   /* MPOL_BIND */
	assert_int_equal(node, 0);
	/* a node the kernel refuses is not "a mode this kernel lacks" */
	assert_int_equal(np_policy_apply(&gone, &err), -EINVAL);
	assert_string_equal(err.msg, "set_mempolicy(bind): Invalid argument");
	assert_int_equal(current_policy(&node), 2);   /* unchanged */
	assert_int_equal(np_policy_apply(&dflt, &err), 0);
	assert_int_equal(current_policy(&node), 0);   /* MPOL_DEFAULT */
}

static void test_weights(void **state)
{
	struct np_topo *t = machine("sparse-025");  /* nodes 0, 2, 5 (no memory) */
	struct np_wi_weight *w = NULL;
	struct np_err err = { 0 };
	size_t n = 9;
	static const struct {
		const char *s, *msg;
	} bad[] = {
		{ "4294967296:1", "node '4294967296' does not exist" },
		{ "1:1", "node 1 does not exist" },
		{ "5:1", "node 5 has no memory" },
		{ "0:1,0:2", "node 0 is named twice" },
		{ "0:256", "weight '256' of node 0: must be 1 to 255" },
		{ "0:0", "weight '0' of node 0: must be 1 to 255" },
		{ "0:99999999999999999999", "weight '99999999999999999999' of "
		  "node 0: must be 1 to 255" },
		{ "0", "expected NODE:WEIGHT at '0'" },
		{ "+0:1", "expected NODE:WEIGHT at '+0:1'" },
		{ "0:1x", "expected NODE:WEIGHT at '1x'" },
		{ "0:1,", "expected NODE:WEIGHT after the last ','" },
		{ "", "no NODE:WEIGHT given" },
	};

	(void)state;
	assert_int_equal(np_wi_parse_weights("2:3,0:255", t, &w, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].node, 2);
	assert_int_equal(w[0].weight, 3);
	assert_int_equal(w[1].node, 0);
	assert_int_equal(w[1].weight, 255);
	free(w);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w = (struct np_wi_weight *)1;
		assert_int_equal(np_wi_parse_weights(bad[i].s, t, &w, &n, &err),
				 -EINVAL);
		if (strcmp(err.msg, bad[i].msg))
			fail_msg("'%s': \"%s\", want \"%s\"", bad[i].s, err.msg,
				 bad[i].msg);
		assert_int_equal(err.cls, NP_ERR_INPUT);
		assert_null(w);
		assert_int_equal(n, 0);
	}
	np_topo_free(t);
}

/* A process bound to node 1 whose pages partly sit on node 0, each group
 * with the reason a user needs (fs/proc/task_mmu.c line format). */
static const char maps[] =
	"1000 bind:1 heap anon=10 dirty=10 N0=4 N1=6 kernelpagesize_kB=4\n"
	"2000 bind:1 file=/usr/lib/libc.so.6 mapped=5 N0=5 kernelpagesize_kB=4\n"
	"3000 bind:1 file=/data/db mapped=3 N0=1 N1=2 kernelpagesize_kB=4\n"
	"4000 bind:1 file=/dev/shm/seg dirty=2 N0=2 kernelpagesize_kB=4\n"
	"5000 prefer:1 anon=7 dirty=7 N2=7 kernelpagesize_kB=4\n"
	"6000 bind:1 file=/mnt/huge/x huge dirty=1 N0=1 kernelpagesize_kB=2048\n"
	"7000 default anon=9 dirty=9 N2=9 kernelpagesize_kB=4\n"
	"8000 bind:1 anon=3 dirty=3 N0=3 kernelpagesize_kB=4\n";

static void test_placement(void **state)
{
	struct np_numa_maps m;
	struct np_placement w = { 0 };
	struct np_err err = { 0 };
	const uint64_t P = 4096;

	(void)state;
	assert_int_equal(np_parse_numa_maps(maps, strlen(maps), &m, &err), 0);
	assert_int_equal(np_placement_account(&w, &m, &err), 0);
	assert_int_equal(w.nnodes, 3);
	assert_int_equal(w.nodes[0].node, 0);
	assert_int_equal(w.nodes[1].node, 1);
	assert_int_equal(w.nodes[2].node, 2);
	assert_int_equal(w.nodes[0].bytes[NP_KIND_HEAP], 4 * P);
	assert_int_equal(w.nodes[1].bytes[NP_KIND_HEAP], 6 * P);
	assert_int_equal(w.nodes[0].bytes[NP_KIND_FILE], 6 * P);
	assert_int_equal(w.nodes[0].bytes[NP_KIND_SHMEM], 2 * P);
	assert_int_equal(w.nodes[0].bytes[NP_KIND_HUGETLB], 2u << 20);
	assert_int_equal(w.nodes[0].bytes[NP_KIND_ANON], 3 * P);
	assert_int_equal(w.nodes[2].bytes[NP_KIND_ANON], 16 * P);
	/* default allows every node: its 9 pages on node 2 are not outside;
	 * the two anonymous groups on node 0 (heap, anon) stay apart */
	assert_int_equal(w.noutside, 7);
	assert_int_equal(w.outside[0].kind, NP_KIND_HEAP);
	assert_int_equal(w.outside[0].bytes, 4 * P);
	assert_non_null(strstr(w.outside[0].reason, "faulted before this policy"));
	assert_string_equal(w.outside[1].path, "/usr/lib/libc.so.6");
	assert_non_null(strstr(w.outside[1].reason, "shared-library pages"));
	assert_string_equal(w.outside[2].path, "/data/db");
	assert_int_equal(w.outside[2].bytes, P);
	assert_non_null(strstr(w.outside[2].reason, "page cache"));
	assert_non_null(strstr(w.outside[3].reason, "shared memory"));
	assert_int_equal(w.outside[4].node, 2);
	assert_non_null(strstr(w.outside[4].reason, "preferred node could not"));
	assert_non_null(strstr(w.outside[5].reason, "huge page pools"));
	assert_int_equal(w.outside[6].kind, NP_KIND_ANON);
	assert_int_equal(w.outside[6].bytes, 3 * P);
	/* accounting the same maps again doubles every figure, groups kept */
	assert_int_equal(np_placement_account(&w, &m, &err), 0);
	assert_int_equal(w.noutside, 7);
	assert_int_equal(w.outside[0].bytes, 8 * P);
	assert_int_equal(w.nodes[2].bytes[NP_KIND_ANON], 32 * P);
	np_placement_free(&w);
	np_numa_maps_free(&m);
}

/* A thread that waits until told, so another thread can pin it. */
struct sleeper {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pid_t tid;
	bool done;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;

	pthread_mutex_lock(&s->lock);
	s->tid = (pid_t)syscall(SYS_gettid);
	pthread_cond_broadcast(&s->cond);
	while (!s->done)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Another thread's affinity set by its id and read back, both through
 * the library and through sched_getaffinity itself; a thread that does
 * not exist is the caller's mistake. */
static void test_thread_pin(void **state)
{
	struct sleeper s = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			     0, false };
	struct np_idset allowed = { 0 }, one = { 0 }, back = { 0 };
	struct np_err err = { 0 };
	pthread_t t;
	cpu_set_t set;

	(void)state;
	assert_int_equal(np_thread_cpus(0, &allowed, &err), 0);
	assert_true(allowed.n >= 1);
	assert_int_equal(pthread_create(&t, NULL, sleeper_main, &s), 0);
	pthread_mutex_lock(&s.lock);
	while (!s.tid)
		pthread_cond_wait(&s.cond, &s.lock);
	pthread_mutex_unlock(&s.lock);
	/* the last CPU this process may use: not the whole set unless it
	 * has only one */
	assert_int_equal(np_idset_push(&one, allowed.ids[allowed.n - 1]), 0);
	assert_int_equal(np_thread_bind_cpus(s.tid, &one, &err), 0);
	assert_int_equal(np_thread_cpus(s.tid, &back, &err), 0);
	assert_int_equal(back.n, 1);
	assert_int_equal(back.ids[0], one.ids[0]);
	CPU_ZERO(&set);
	assert_int_equal(sched_getaffinity(s.tid, sizeof(set), &set), 0);
	assert_int_equal(CPU_COUNT(&set), 1);
	assert_true(CPU_ISSET(one.ids[0], &set));
	/* the caller's thread kept its own */
	np_idset_free(&back);
	assert_int_equal(np_thread_cpus(0, &back, &err), 0);
	assert_int_equal(back.n, allowed.n);
	np_idset_free(&back);
	pthread_mutex_lock(&s.lock);
	s.done = true;
	pthread_cond_broadcast(&s.cond);
	pthread_mutex_unlock(&s.lock);
	pthread_join(t, NULL);
	/* the thread is gone now: its id names nothing (ids are not reused
	 * this soon) */
	assert_int_equal(np_thread_bind_cpus(s.tid, &one, &err), -ESRCH);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_non_null(strstr(err.msg, "sched_setaffinity"));
	assert_int_equal(np_thread_cpus(s.tid, &back, &err), -ESRCH);
	assert_int_equal(back.n, 0);
	np_idset_free(&one);
	np_idset_free(&allowed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_thread_pin),
	};
	const char *src = getenv("NP_SRCDIR");

	snprintf(dumps, sizeof(dumps), "%s/tests/dumps", src ? src : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
