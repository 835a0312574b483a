/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading a lab guest's captured table (tests/acpi/<dir>/<file>), for the
 * cmocka tests of the ACPI parser and of booting the allocator from it.
 * Include after <cmocka.h>.  The buffer has one spare byte for a NUL.
 */
#ifndef NP_TEST_ACPI_FIXTURE_H
#define NP_TEST_ACPI_FIXTURE_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint8_t *slurp(const char *dir, const char *file, size_t *len)
{
	char path[PATH_MAX];
	const char *src = getenv("NP_SRCDIR");
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/acpi/%s/%s", src ? src : ".",
		 dir, file);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#endif
