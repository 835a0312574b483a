/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* np_parse_numastat on the whole input. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "linux/linux-parse.h"

static const char *const counters[] = {
	"numa_hit", "numa_miss", "numa_foreign",
	"interleave_hit", "local_node", "other_node",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct np_node_numastat zero;
	struct np_node_numastat s;
	const char *why = NULL;
	int rc;

	memset(&s, 0xa5, sizeof(s));
	rc = np_parse_numastat((const char *)data, size, &s, &why);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL || rc == -ERANGE);
		FUZZ_ASSERT(why != NULL);
		FUZZ_ASSERT(memcmp(&s, &zero, sizeof(s)) == 0);
		return 0;
	}
	/* All six counters are required, so all six names are in the text. */
	for (size_t i = 0; i < 6; i++)
		FUZZ_ASSERT(memmem(data, size, counters[i],
				   strlen(counters[i])) != NULL);
	return 0;
}
