/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_parse_cpumap.  data[0] % 8 picks max_id (so '0'..'7' in a corpus
 * file are readable selectors), the rest is the mask text.  An accepted
 * mask gives ascending ids <= max_id, and the kernel's own spelling of
 * that set ("%*pb" with just enough groups) reads back to the same set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "linux/linux-parse.h"

static const unsigned max_ids[8] = {
	0, 31, 63, 79, 255, 8191, NP_MAX_CPUS - 1, NP_MAX_CPUS,
};

/* "%*pb" of l with 32 * ngroups bits. */
static char *format_map(const struct np_idset *l, size_t *len)
{
	size_t ngroups = l->n ? l->ids[l->n - 1] / 32 + 1 : 1;
	char *s = malloc(ngroups * 9 + 1);
	size_t pos = 0, k = l->n;

	if (!s)
		return NULL;
	for (size_t g = ngroups; g-- > 0;) {
		unsigned v = 0;

		while (k > 0 && l->ids[k - 1] / 32 == g)
			v |= 1u << (l->ids[--k] % 32);
		pos += (size_t)sprintf(s + pos, "%s%08x", pos ? "," : "", v);
	}
	s[pos++] = '\n';
	*len = pos;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_idset l, again;
	const char *why = NULL;
	unsigned max_id;
	size_t len;
	char *s;
	int rc;

	if (size < 1)
		return 0;
	max_id = max_ids[data[0] % 8];
	rc = np_parse_cpumap((const char *)data + 1, size - 1, max_id, &l, &why);
	if (rc) {
		FUZZ_ASSERT_PARSE_ERROR(rc, why);
		FUZZ_ASSERT(l.n == 0 && l.ids == NULL);
		return 0;
	}
	for (size_t i = 0; i < l.n; i++) {
		FUZZ_ASSERT(l.ids[i] <= max_id);
		FUZZ_ASSERT(i == 0 || l.ids[i - 1] < l.ids[i]);
	}
	s = format_map(&l, &len);
	if (s) {
		rc = np_parse_cpumap(s, len, max_id, &again, &why);
		FUZZ_ASSERT(rc == 0 && again.n == l.n);
		for (size_t i = 0; i < l.n; i++)
			FUZZ_ASSERT(again.ids[i] == l.ids[i]);
		np_idset_free(&again);
		free(s);
	}
	np_idset_free(&l);
	return 0;
}
