/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* np_parse_buddyinfo on the whole input. */
#include <errno.h>

#include "fuzz.h"
#include "linux/linux-parse.h"

static void check_nodes(const struct np_buddyinfo *b, size_t lines)
{
	size_t zones = 0;

	FUZZ_ASSERT((b->n == 0) == (b->nodes == NULL));
	for (size_t i = 0; i < b->n; i++) {
		const struct np_buddy_node *n = &b->nodes[i];

		FUZZ_ASSERT(i == 0 || b->nodes[i - 1].node < n->node);
		FUZZ_ASSERT(n->node < NP_MAX_NODES);
		FUZZ_ASSERT(n->norders >= 1 && n->norders <= NP_MAX_ORDERS);
		FUZZ_ASSERT(n->norders == b->nodes[0].norders);
		FUZZ_ASSERT(n->nzones >= 1);
		zones += n->nzones;
	}
	/* Every line is one zone of one node. */
	FUZZ_ASSERT(zones == lines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_buddyinfo b;
	const char *why = NULL;
	int rc;

	rc = np_parse_buddyinfo((const char *)data, size, &b, &why);
	if (rc) {
		FUZZ_ASSERT_PARSE_ERROR(rc, why);
		FUZZ_ASSERT(b.n == 0 && b.nodes == NULL);
		return 0;
	}
	check_nodes(&b, fuzz_count_text_lines((const char *)data, size));
	np_buddyinfo_free(&b);
	return 0;
}
