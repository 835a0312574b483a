/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_parse_idlist.  data[0] % 8 picks max_id (so '0'..'7' in a corpus
 * file are readable selectors), the rest is the list text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "linux/linux-parse.h"

static const unsigned max_ids[8] = {
	0, 1, 7, 63, 255, NP_MAX_NODES - 1, NP_MAX_NODES, NP_MAX_CPUS,
};

static void check_list(const struct np_idset *l, unsigned max_id)
{
	FUZZ_ASSERT((l->n == 0) == (l->ids == NULL));
	for (size_t i = 0; i < l->n; i++) {
		FUZZ_ASSERT(l->ids[i] <= max_id);
		FUZZ_ASSERT(i == 0 || l->ids[i - 1] < l->ids[i]);
		FUZZ_ASSERT(np_idset_contains(l, l->ids[i]));
	}
}

/* The kernel's own spelling of l: "0-3,8,10-11\n". */
static char *format_list(const struct np_idset *l, size_t *len)
{
	char *s = malloc(l->n * 24 + 2);
	size_t pos = 0, i = 0;

	if (!s)
		return NULL;
	while (i < l->n) {
		size_t j = i;

		while (j + 1 < l->n && l->ids[j + 1] == l->ids[j] + 1)
			j++;
		pos += (size_t)sprintf(s + pos, i ? ",%u" : "%u", l->ids[i]);
		if (j > i)
			pos += (size_t)sprintf(s + pos, "-%u", l->ids[j]);
		i = j + 1;
	}
	s[pos++] = '\n';
	*len = pos;
	return s;
}

/* Reading the canonical text gives the same list; one below its largest
 * id as max_id gives -ERANGE. */
static void check_canonical(const struct np_idset *l, unsigned max_id)
{
	struct np_idset again;
	const char *why = NULL;
	size_t len;
	char *s = format_list(l, &len);
	int rc;

	if (!s)
		return;
	rc = np_parse_idlist(s, len, max_id, &again, &why);
	FUZZ_ASSERT(rc == 0 && again.n == l->n);
	FUZZ_ASSERT(!l->n || !memcmp(again.ids, l->ids, l->n * sizeof(*l->ids)));
	np_idset_free(&again);
	if (l->n && l->ids[l->n - 1] > 0) {
		rc = np_parse_idlist(s, len, l->ids[l->n - 1] - 1, &again, &why);
		FUZZ_ASSERT(rc == -ERANGE && again.n == 0 && !again.ids);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_idset l;
	const char *why = NULL;
	unsigned max_id;
	int rc;

	if (size < 1)
		return 0;
	max_id = max_ids[data[0] % 8];
	rc = np_parse_idlist((const char *)data + 1, size - 1, max_id, &l, &why);
	if (rc) {
		FUZZ_ASSERT_PARSE_ERROR(rc, why);
		FUZZ_ASSERT(l.n == 0 && l.ids == NULL);
		return 0;
	}
	check_list(&l, max_id);
	check_canonical(&l, max_id);
	np_idset_free(&l);
	return 0;
}
