/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_parse_u64 on the whole input.  An accepted value, printed again,
 * must equal the input's digits without leading zeros; a rejected input
 * leaves the output alone (or zero).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "linux/linux-parse.h"

/* The run of digits in buf (after blanks), leading zeros dropped. */
static const char *digits(const char *buf, size_t len, size_t *n)
{
	size_t i = 0, j;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	for (j = i; j < len && buf[j] >= '0' && buf[j] <= '9'; j++)
		;
	while (i + 1 < j && buf[i] == '0')
		i++;
	*n = j - i;
	return buf + i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *d;
	const char *why = NULL;
	char again[24];
	uint64_t v;
	size_t n;
	int rc;

	v = 0xdead;
	rc = np_parse_u64(buf, size, &v, &why);
	d = digits(buf, size, &n);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL || rc == -ERANGE);
		FUZZ_ASSERT(why != NULL);
		FUZZ_ASSERT(v == 0xdead || v == 0);
		/* Out of range means more than 20 digits' worth. */
		FUZZ_ASSERT(rc != -ERANGE || n >= 20);
		return 0;
	}
	snprintf(again, sizeof(again), "%" PRIu64, v);
	FUZZ_ASSERT(strlen(again) == n && memcmp(again, d, n) == 0);
	for (const char *p = d + n; p < buf + size; p++)
		FUZZ_ASSERT(*p == ' ' || *p == '\t' || *p == '\n');
	return 0;
}
