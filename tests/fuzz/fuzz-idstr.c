/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_idstr_parse (the node and CPU strings of run, frames and lab): the
 * first byte picks node or CPU ids and a machine (the ids that exist and
 * the task's allowed subset, sparse like a real one), the rest is the
 * string.  An accepted string selects a non-empty, ascending subset of
 * the allowed ids; a refused one says why (one line) and leaves nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/idset.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned ex[64], al[64];
	struct np_idset exists = { ex, 0, 64 }, allowed = { al, 0, 64 };
	struct np_idset out = { (unsigned *)1, 99, 0 };
	struct np_err err = { 0 };
	unsigned sel = size ? data[0] : 0;
	char *s;
	int rc;

	/* ids 0..63 where bit k of a fixed pattern says so, every second
	 * of them allowed, shifted by the selector */
	for (unsigned i = 0; i < 64; i++)
		if ((0x9e3779b97f4a7c15ull >> i) & 1) {
			ex[exists.n++] = i * (1 + (sel & 3));
			if ((exists.n + (sel >> 2)) % 2)
				al[allowed.n++] = i * (1 + (sel & 3));
		}
	s = malloc(size + 1);
	if (!s)
		return 0;
	if (size)
		memcpy(s, data + 1, size - 1);
	s[size ? size - 1 : 0] = '\0';
	rc = np_idstr_parse(s, sel & 0x80 ? NP_IDSTR_CPUS : NP_IDSTR_NODES,
			    &exists, &allowed, &out, &err);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL || rc == -ENOMEM);
		FUZZ_ASSERT(err.msg[0] && !strchr(err.msg, '\n'));
		FUZZ_ASSERT(err.cls == (rc == -EINVAL ? NP_ERR_INPUT :
					NP_ERR_SYSTEM));
		FUZZ_ASSERT(out.n == 0 && out.ids == NULL);
		free(s);
		return 0;
	}
	FUZZ_ASSERT(out.n > 0 && out.n <= allowed.n);
	for (size_t i = 0; i < out.n; i++) {
		FUZZ_ASSERT(np_idset_contains(&allowed, out.ids[i]));
		FUZZ_ASSERT(i == 0 || out.ids[i - 1] < out.ids[i]);
	}
	np_idset_free(&out);
	free(s);
	return 0;
}
