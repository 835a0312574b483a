/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one checked decimal parser (numaplace/units.h): what strtoul would
 * accept and a user did not mean (a sign, blanks, an exponent, a value
 * that wraps in a narrower type) is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include <numaplace/units.h>

static void test_whole(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(np_parse_decimal("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(np_parse_decimal("4194304", 4194304, &v), 0);
	assert_int_equal(v, 4194304);
	assert_int_equal(np_parse_decimal("18446744073709551615", UINT64_MAX,
					  &v), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	/* 2^32 + 2: (int)strtol made it PID 2 */
	assert_int_equal(np_parse_decimal("4294967298", 4194304, &v), -ERANGE);
	assert_int_equal(np_parse_decimal("18446744073709551616", UINT64_MAX,
					  &v), -ERANGE);
	assert_int_equal(np_parse_decimal("4194305", 4194304, &v), -ERANGE);
	assert_int_equal(v, 7);
	const char *bad[] = { "", " 5", "5 ", "+5", "-5", "0x10", "1e3", "5s",
			      "\t5", "٣" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(np_parse_decimal(bad[i], 1000, &v), -EINVAL);
	/* out of range and trailing junk: the junk is the error */
	assert_int_equal(np_parse_decimal("99999x", 10, &v), -EINVAL);
	assert_int_equal(v, 7);
	/* a limit below a single digit */
	assert_int_equal(np_parse_decimal("5", 0, &v), -ERANGE);
	assert_int_equal(np_parse_decimal("0", 0, &v), 0);
}

static void test_scan(void **state)
{
	const char *s = "12:300,x";
	uint64_t v = 0;

	(void)state;
	assert_int_equal(np_scan_decimal(&s, 100, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(*s, ':');
	s++;
	assert_int_equal(np_scan_decimal(&s, 255, &v), -ERANGE);
	assert_int_equal(*s, ',');     /* past the number even when too big */
	s++;
	assert_int_equal(np_scan_decimal(&s, 255, &v), -EINVAL);
	assert_int_equal(*s, 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
