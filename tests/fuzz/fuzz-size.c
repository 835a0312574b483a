/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_parse_size (the sizes of numaplace frames --pool/--alloc and bench
 * --size, and of the lab's node specs) on a NUL-terminated copy of the
 * input.  Whatever the bytes: the result never exceeds the maximum, *end
 * stays inside the string and past at least one digit, and an accepted
 * value is the digits times one of the units the parser knows.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "linux/linux-parse.h"

#define MAX_BYTES (1ull << 50)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t units[] = { 1, 1ull << 10, 1ull << 20,
					  1ull << 30, 1ull << 40 };
	char *s = malloc(size + 1);
	const char *end = NULL;
	uint64_t v = 0xdead, digits;
	char *after;
	bool unit_ok = false;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = np_parse_size(s, &end, 1ull << 20, MAX_BYTES, &v);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL || rc == -ERANGE);
		FUZZ_ASSERT(v == 0xdead);
		FUZZ_ASSERT(rc != -EINVAL || s[0] < '0' || s[0] > '9');
		free(s);
		return 0;
	}
	FUZZ_ASSERT(v <= MAX_BYTES);
	FUZZ_ASSERT(end > s && end <= s + strlen(s));
	digits = strtoull(s, &after, 10);
	FUZZ_ASSERT(after > s && after <= end);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (digits * units[i] == v && (digits == 0 || v / units[i] == digits))
			unit_ok = true;
	FUZZ_ASSERT(unit_ok);
	free(s);
	return 0;
}
