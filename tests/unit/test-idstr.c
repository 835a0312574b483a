/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Node and CPU strings (numactl's forms) and the task's allowed sets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/policy.h>

static const unsigned four[] = { 0, 1, 2, 3 };
static const unsigned sparse[] = { 0, 2, 5 };
static const unsigned upper[] = { 2, 3 };

#define SET(a) { (unsigned *)(a), sizeof(a) / sizeof((a)[0]) }

/* "0,2,3" for a set, into a static buffer. */
static const char *show(const struct np_idset *s)
{
	static char buf[256];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n && o < sizeof(buf) - 16; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u",
				      i ? "," : "", s->ids[i]);
	return buf;
}

struct ok_case {
	const char *in;
	const char *want;
};

static void check_ok(const struct np_idset *exists,
		     const struct np_idset *allowed, enum np_idstr_kind kind,
		     const struct ok_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct np_err err = { 0 };
		struct np_idset out;
		int e = np_idstr_parse(c[i].in, kind, exists, allowed, &out,
				       &err);

		if (e)
			fail_msg("'%s': %s", c[i].in, err.msg);
		if (strcmp(show(&out), c[i].want))
			fail_msg("'%s': got %s, want %s", c[i].in, show(&out),
				 c[i].want);
		np_idset_free(&out);
	}
}

struct bad_case {
	const char *in;
	const char *msg;
};

static void check_bad(const struct np_idset *exists,
		      const struct np_idset *allowed, enum np_idstr_kind kind,
		      const struct bad_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct np_err err = { 0 };
		struct np_idset out = { (unsigned *)1, 99 };
		int e = np_idstr_parse(c[i].in, kind, exists, allowed, &out,
				       &err);

		if (e != -EINVAL || strcmp(err.msg, c[i].msg))
			fail_msg("'%s': got %d \"%s\", want \"%s\"", c[i].in, e,
				 err.msg, c[i].msg);
		assert_null(out.ids);
		assert_int_equal(out.n, 0);
	}
}

static void test_forms(void **state)
{
	struct np_idset all = SET(four);
	static const struct ok_case c[] = {
		{ "1", "1" }, { "0-3", "0,1,2,3" }, { "0,2-3", "0,2,3" },
		{ "3,0", "0,3" }, { "1,1", "1" }, { "all", "0,1,2,3" },
		{ "!1", "0,2,3" }, { "!0-2", "3" }, { "+0-1", "0,1" },
		{ "!+0", "1,2,3" }, { "+3", "3" }, { "2-2", "2" },
	};

	(void)state;
	check_ok(&all, &all, NP_IDSTR_NODES, c, sizeof(c) / sizeof(c[0]));
}

/* libnuma inverts over 0..count-1, wrong for ids 0,2,5; we are not. */
static void test_sparse_ids(void **state)
{
	struct np_idset s = SET(sparse);
	static const struct ok_case c[] = {
		{ "!2", "0,5" }, { "0-5", "0,2,5" }, { "+2", "5" },
		{ "+0-1", "0,2" }, { "!+1", "0,5" }, { "2,5", "2,5" },
	};
	static const struct bad_case b[] = {
		{ "1", "node 1 does not exist" },
		{ "0-4", "node 4 does not exist" },
		{ "+3", "node string '+3': +3 is beyond the 3 nodes of this "
			"task's cpuset" },
	};

	(void)state;
	check_ok(&s, &s, NP_IDSTR_NODES, c, sizeof(c) / sizeof(c[0]));
	check_bad(&s, &s, NP_IDSTR_NODES, b, sizeof(b) / sizeof(b[0]));
}

/* A cpuset of nodes 2-3: "all", "!" and "+" are relative to it. */
static void test_cpuset_relative(void **state)
{
	struct np_idset all = SET(four), cs = SET(upper);
	static const struct ok_case c[] = {
		{ "all", "2,3" }, { "+0", "2" }, { "+1", "3" }, { "!3", "2" },
		{ "2-3", "2,3" }, { "!+1", "2" },
	};
	static const struct bad_case b[] = {
		{ "0", "node 0 is not in this task's cpuset" },
		{ "3,1", "node 1 is not in this task's cpuset" },
		/* as libnuma: a range's ends must be allowed themselves */
		{ "0-3", "node 0 is not in this task's cpuset" },
		{ "!2-3", "node string '!2-3' selects no node" },
	};

	(void)state;
	check_ok(&all, &cs, NP_IDSTR_NODES, c, sizeof(c) / sizeof(c[0]));
	check_bad(&all, &cs, NP_IDSTR_NODES, b, sizeof(b) / sizeof(b[0]));
}

static void test_garbled(void **state)
{
	struct np_idset all = SET(four);
	static const struct bad_case b[] = {
		{ "", "empty node string" },
		{ "1,", "node string '1,': unexpected ','" },
		{ ",1", "node string ',1': expected a number at ',1'" },
		{ "a", "node string 'a': expected a number at 'a'" },
		{ "3-1", "node string '3-1': range 3-1 goes down" },
		{ "1-", "node string '1-': expected a number at ''" },
		{ "1x", "node string '1x': unexpected 'x'" },
		{ "1 2", "node string '1 2': unexpected ' 2'" },
		{ "-1", "node string '-1': expected a number at '-1'" },
		{ "0x1", "node string '0x1': unexpected 'x1'" },
		{ "!", "node string '!': expected a number at ''" },
		{ "99999999999", "node 99999999999 does not exist" },
		{ "4", "node 4 does not exist" },
	};

	(void)state;
	check_bad(&all, &all, NP_IDSTR_NODES, b, sizeof(b) / sizeof(b[0]));
}

static void test_cpu_strings(void **state)
{
	static const unsigned cpus[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const unsigned mine[] = { 4, 5, 6, 7 };
	struct np_idset all = SET(cpus), cs = SET(mine);
	static const struct ok_case c[] = {
		{ "all", "4,5,6,7" }, { "+0-1", "4,5" }, { "!5", "4,6,7" },
		{ "4-7", "4,5,6,7" }, { "6", "6" },
	};
	static const struct bad_case b[] = {
		{ "8", "CPU 8 does not exist" },
		{ "0", "CPU 0 is not in this task's cpuset" },
		{ "", "empty CPU string" },
		{ "4;5", "CPU string '4;5': unexpected ';5'" },
	};

	(void)state;
	check_ok(&all, &cs, NP_IDSTR_CPUS, c, sizeof(c) / sizeof(c[0]));
	check_bad(&all, &cs, NP_IDSTR_CPUS, b, sizeof(b) / sizeof(b[0]));
}

static struct np_topo *load(const char *machine)
{
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	char root[PATH_MAX];
	const char *src = getenv("NP_SRCDIR");

	snprintf(root, sizeof(root), "%s/tests/dumps/%s", src ? src : ".",
		 machine);
	if (np_topo_from_sysroot(root, &t, &err))
		fail_msg("%s", err.msg);
	return t;
}

/* A dump has no proc/self/status: everything it has is allowed. */
static void test_task_allowed_dump(void **state)
{
	struct np_topo *t = load("sparse-025");
	struct np_err err = { 0 };
	struct np_idset nodes, cpus, five = { (unsigned[]){ 5 }, 1 };

	(void)state;
	assert_int_equal(np_task_allowed(t->origin, 0, t, &nodes, &cpus, &err),
			 0);
	assert_string_equal(show(&nodes), "0,2,5");
	assert_int_equal(cpus.n, 24);
	assert_int_equal(cpus.ids[23], 23);
	assert_int_equal(np_nodes_have_memory(t, &five, &err), -EINVAL);
	assert_string_equal(err.msg, "node 5 has no memory");
	five.ids[0] = 2;
	assert_int_equal(np_nodes_have_memory(t, &five, &err), 0);
	np_idset_free(&nodes);
	np_idset_free(&cpus);
	np_topo_free(t);
}

/* Live: the sets of /proc/self/status, which always include node 0's. */
static void test_task_allowed_live(void **state)
{
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	struct np_idset nodes, cpus;
	FILE *f;
	char line[512], want[512] = "";

	(void)state;
	assert_int_equal(np_topo_from_sysroot("/", &t, &err), 0);
	assert_int_equal(np_task_allowed("/", 0, t, &nodes, &cpus, &err), 0);
	assert_true(nodes.n >= 1);
	assert_true(cpus.n >= 1);
	f = fopen("/proc/self/status", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:\t", 19))
			snprintf(want, sizeof(want), "%s", line + 19);
	fclose(f);
	want[strcspn(want, "\n")] = '\0';
	/* same CPUs, compared as the kernel writes ranges */
	{
		char got[512] = "";
		size_t o = 0;

		for (size_t i = 0; i < cpus.n;) {
			size_t j = i;

			while (j + 1 < cpus.n && cpus.ids[j + 1] == cpus.ids[j] + 1)
				j++;
			o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%u",
					      i ? "," : "", cpus.ids[i]);
			if (j > i)
				o += (size_t)snprintf(got + o, sizeof(got) - o,
						      "-%u", cpus.ids[j]);
			i = j + 1;
		}
		assert_string_equal(got, want);
	}
	np_idset_free(&nodes);
	np_idset_free(&cpus);
	np_topo_free(t);
}

/* Interleave weights written below a root; the kernel's files there. */
static void test_wi_weights(void **state)
{
	struct np_err err = { 0 };
	char root[] = "/tmp/np-test-wi.XXXXXX", path[256], buf[16] = "";
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	/* no weighted_interleave directory: the kernel predates it */
	assert_int_equal(np_wi_set_weight(root, 0, 3, &err), -EOPNOTSUPP);
	assert_string_equal(err.msg, "this kernel does not support "
			    "weighted-interleave");
	snprintf(path, sizeof(path), "mkdir -p %s/sys/kernel/mm/mempolicy/"
		 "weighted_interleave && echo 1 > %s/sys/kernel/mm/mempolicy/"
		 "weighted_interleave/node0", root, root);
	assert_int_equal(system(path), 0);
	assert_int_equal(np_wi_set_weight(root, 0, 3, &err), 0);
	snprintf(path, sizeof(path), "%s/sys/kernel/mm/mempolicy/"
		 "weighted_interleave/node0", root);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "3\n");
	assert_int_equal(np_wi_set_weight(root, 0, 0, &err), -EINVAL);
	assert_string_equal(err.msg, "weight 0 for node 0: must be 1..255");
	assert_int_equal(np_wi_set_weight(root, 0, 256, &err), -EINVAL);
	/* a node without a weight file */
	assert_int_equal(np_wi_set_weight(root, 7, 2, &err), -ENOENT);
	snprintf(path, sizeof(path), "rm -rf %s", root);
	assert_int_equal(system(path), 0);
}

/* The list form back out: ranges of two or more ids, a separator before
 * every range but the first, snprintf's contract when the buffer is short. */
static void test_idlist_format(void **state)
{
	static const unsigned ids[] = { 0, 1, 2, 3, 5, 7, 8, 1023 };
	char buf[64], small[6];

	(void)state;
	assert_int_equal(np_idlist_format(buf, sizeof(buf), ids, 8, ","), 14);
	assert_string_equal(buf, "0-3,5,7-8,1023");
	assert_int_equal(np_idlist_format(buf, sizeof(buf), ids + 4, 3,
					  ",host-nodes="), 16);
	assert_string_equal(buf, "5,host-nodes=7-8");
	assert_int_equal(np_idlist_format(small, sizeof(small), ids, 8, ","),
			 14);
	assert_string_equal(small, "0-3,5");
	assert_int_equal(np_idlist_format(NULL, 0, ids, 8, ","), 14);
	assert_int_equal(np_idlist_format(buf, sizeof(buf), ids, 0, ","), 0);
	assert_string_equal(buf, "");
	assert_int_equal(np_idlist_format(buf, sizeof(buf), ids + 7, 1, ","),
			 4);
	assert_string_equal(buf, "1023");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_sparse_ids),
		cmocka_unit_test(test_cpuset_relative),
		cmocka_unit_test(test_garbled),
		cmocka_unit_test(test_cpu_strings),
		cmocka_unit_test(test_task_allowed_dump),
		cmocka_unit_test(test_task_allowed_live),
		cmocka_unit_test(test_wi_weights),
		cmocka_unit_test(test_idlist_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
