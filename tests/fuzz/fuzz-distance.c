/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_parse_distance_row.  data[0] % 16 is the wanted entry count ('1'..'9'
 * in a corpus file mean 1..9 nodes), the rest is the row.  The row
 * buffer has guard slots after `want` that must stay untouched, and on
 * error the first `want` slots hold no half row.  A row of zeros ("0", or
 * one 0 per node) parses as the all-zero row: no distance table.
 */
#include <errno.h>

#include "fuzz.h"
#include "linux/linux-parse.h"

#define GUARD 0xeeeeeeeeu

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t row[16 + 4];
	const char *why = NULL;
	size_t want;
	int rc;

	if (size < 1)
		return 0;
	want = data[0] % 16;
	for (size_t i = 0; i < 20; i++)
		row[i] = GUARD;
	rc = np_parse_distance_row((const char *)data + 1, size - 1, want, row,
				   &why);
	for (size_t i = want; i < 20; i++)
		FUZZ_ASSERT(row[i] == GUARD);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL || rc == -ERANGE);
		FUZZ_ASSERT(why != NULL);
		/* No half row: untouched or cleared. */
		for (size_t i = 0; i < want; i++)
			FUZZ_ASSERT(row[i] == GUARD || row[i] == 0);
		return 0;
	}
	FUZZ_ASSERT(want > 0);
	/* A row of zeros is "no distance table": all 0, else all 1..255. */
	for (size_t i = 0; i < want; i++)
		FUZZ_ASSERT(row[0] == 0 ? row[i] == 0 :
			    row[i] >= 1 && row[i] <= 255);
	return 0;
}
