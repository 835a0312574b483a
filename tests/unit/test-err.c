/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The error contract (include/numaplace/error.h): the library says whose
 * fault a failure was, and the CLI maps only that class to an exit code.
 * Each case is a real call whose class a guessing caller would get wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numaplace/pages.h>
#include <numaplace/policy.h>
#include <numaplace/topo.h>

#include "linux/linux-root.h"

static void test_helpers(void **state)
{
	struct np_err err = { 0 };

	(void)state;
	assert_int_equal(np_fail_input(&err, -EINVAL, "node %u", 7u), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.msg, "node 7");
	assert_int_equal(np_fail_sys(&err, -ENOMEM, "out of memory"), -ENOMEM);
	assert_int_equal(err.cls, NP_ERR_SYSTEM);
	/* by what the errno says about the named object */
	assert_int_equal(np_err_class_of_errno(-ENOENT), NP_ERR_INPUT);
	assert_int_equal(np_err_class_of_errno(-ENOTDIR), NP_ERR_INPUT);
	assert_int_equal(np_err_class_of_errno(-EACCES), NP_ERR_SYSTEM);
	assert_int_equal(np_err_class_of_errno(-ETIMEDOUT), NP_ERR_SYSTEM);
	assert_int_equal(np_fail_errno(&err, -EPERM, "x"), -EPERM);
	assert_int_equal(err.cls, NP_ERR_SYSTEM);
	/* one line, always */
	np_fail_input(&err, -EINVAL, "a\nb\033c");
	assert_string_equal(err.msg, "a?b?c");
	/* NULL err: the code only */
	assert_int_equal(np_fail_sys(NULL, -EIO, "x"), -EIO);
}

/* The same missing file: the caller's fault below a dump, the system's
 * below the live root, where the kernel writes every file. */
static void test_root_class(void **state)
{
	char dir[] = "/tmp/np-test-err.XXXXXX";
	struct np_root r;
	struct np_err err = { 0 };
	char *buf;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(np_root_open(&r, dir, &err), 0);
	assert_int_equal(np_root_read(&r, "sys/nothing", &buf, &len, &err),
			 -ENOENT);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	np_root_close(&r);
	assert_int_equal(np_root_open(&r, "/", &err), 0);
	assert_int_equal(np_root_read(&r, "proc/self/no-such-file", &buf, &len,
				      &err), -ENOENT);
	assert_int_equal(err.cls, NP_ERR_SYSTEM);
	assert_string_equal(err.msg, "/proc/self/no-such-file: No such file "
			    "or directory");
	np_root_close(&r);
	rmdir(dir);
}

/* Library calls as a program makes them. */
static void test_calls(void **state)
{
	struct np_err err = { 0 };
	struct np_numa_maps m;
	struct np_topo *t = NULL;
	struct np_idset out = { 0 };
	unsigned none = 0;
	struct np_idset exists = { &none, 1, 1 };

	(void)state;
	/* a process that does not exist: the caller named it */
	assert_int_equal(np_numa_maps_read("/", 0x7ffffff0, &m, &err), -ESRCH);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	/* a topology file that does not exist, one that is not JSON */
	assert_int_equal(np_topo_from_file("/nonexistent.json", &t, &err),
			 -ENOENT);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_int_equal(np_topo_from_json("{", 1, &t, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	/* a node string naming a node that does not exist */
	assert_int_equal(np_idstr_parse("3", NP_IDSTR_NODES, &exists, &exists,
					&out, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, "node 3 does not exist");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_root_class),
		cmocka_unit_test(test_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
