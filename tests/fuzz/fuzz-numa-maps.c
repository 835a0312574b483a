/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* np_parse_numa_maps and np_policy_nodes on the whole input. */
#include <errno.h>
#include <string.h>

#include <numaplace/pages.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_numa_maps m;
	struct np_err err = { 0 };
	int rc = np_parse_numa_maps((const char *)data, size, &m, &err);

	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL || rc == -ENOMEM);
		FUZZ_ASSERT(err.msg[0] && m.maps == NULL && m.n == 0);
		return 0;
	}
	for (size_t i = 0; i < m.n; i++) {
		const struct np_mapping *map = &m.maps[i];
		struct np_idset nodes = { 0 };
		char mode[32];
		int n;

		FUZZ_ASSERT((unsigned)map->kind < NP_NKINDS);
		FUZZ_ASSERT(map->policy[0] != '\0');
		for (size_t k = 1; k < map->nnodes; k++)
			FUZZ_ASSERT(map->nodes[k - 1].node < map->nodes[k].node);
		n = np_policy_nodes(map->policy, &nodes, mode, sizeof(mode));
		FUZZ_ASSERT(n == -ENOMEM || (size_t)n == nodes.n);
		for (size_t k = 1; n > 0 && k < nodes.n; k++)
			FUZZ_ASSERT(nodes.ids[k - 1] < nodes.ids[k]);
		np_idset_free(&nodes);
		FUZZ_ASSERT(strlen(mode) < sizeof(mode));
	}
	np_numa_maps_free(&m);
	return 0;
}
