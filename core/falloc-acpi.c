/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Firmware tables to allocator input; see falloc-acpi.h. */
#include "falloc-acpi.h"

static bool slit_present(const struct np_acpi_numa *n)
{
	for (uint32_t i = 0; i < n->nnodes; i++)
		for (uint32_t j = 0; j < n->nnodes; j++)
			if (n->distance[i][j] == 0)
				return false;
	return true;
}

int np_fa_config_from_acpi(const struct np_acpi_numa *n, unsigned frame_shift,
			   bool keep_hotplug, struct np_fa_acpi_storage *st,
			   struct np_fa_config *cfg)
{
	uint64_t mask = ((uint64_t)1 << frame_shift) - 1;
	uint32_t k = 0;

	if (n->nnodes == 0 || n->nnodes > NP_FA_MAX_NODES || frame_shift >= 40)
		return NP_FA_EINVAL;
	for (uint32_t i = 0; i < n->nmem; i++) {
		const struct np_acpi_mem *m = &n->mem[i];
		uint64_t lo = (m->base + mask) & ~mask;
		uint64_t hi = (m->base + m->length) & ~mask;

		if ((m->flags & NP_ACPI_MEM_HOTPLUG) && !keep_hotplug)
			continue;
		if (hi <= lo)
			continue;
		if (k >= st->ranges_cap)
			return NP_FA_EINVAL;
		st->ranges[k++] = (struct np_fa_range){ lo >> frame_shift,
			(hi - lo) >> frame_shift, m->node };
	}
	if (k == 0)
		return NP_FA_EINVAL;
	for (uint32_t i = 0; i < n->nnodes; i++) {
		st->has_cpus[i] = n->node_has_cpus[i];
		for (uint32_t j = 0; j < n->nnodes; j++)
			st->distance[i * n->nnodes + j] = n->distance[i][j];
	}
	*cfg = (struct np_fa_config){
		.nnodes = n->nnodes,
		.distance = slit_present(n) ? st->distance : 0,
		.has_cpus = st->has_cpus,
		.ranges = st->ranges,
		.nranges = k,
		.frame_shift = frame_shift,
	};
	return 0;
}

int np_fa_acpi_cpu_node(const struct np_acpi_numa *n, uint32_t cpu)
{
	return cpu < n->ncpus ? (int)n->cpus[cpu].node : -1;
}
