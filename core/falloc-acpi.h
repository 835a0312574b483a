/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * From firmware tables to the frame allocator: what np_acpi_parse_srat()
 * and np_acpi_parse_slit() found, turned into an np_fa_config, the way a
 * kernel would boot the allocator (acpi.h, falloc.h).
 *
 * Memory ranges become whole frames (base rounded up, end rounded down,
 * so a frame never straddles two nodes or a hole); disabled entries were
 * dropped by the parser already.  Hot-pluggable ranges are kept only when
 * asked (Linux keeps them out of the boot allocator's reach when
 * movable_node is set).  The SLIT's distances are used when it was parsed
 * (a full matrix), else NULL: 10 local, 20 remote.  The CPU -> node map is
 * the parser's cpus[].node: CPU i's cache is attached with that node.
 * Freestanding.
 */
#ifndef NP_CORE_FALLOC_ACPI_H
#define NP_CORE_FALLOC_ACPI_H

#include "acpi.h"
#include "falloc.h"

struct np_fa_acpi_storage {
	struct np_fa_range *ranges;      /* room for n->nmem ranges */
	uint32_t ranges_cap;
	uint8_t *distance;               /* room for nnodes * nnodes */
	bool *has_cpus;                  /* room for nnodes */
};

/*
 * Fills cfg (batch/high left 0: Linux's rule) from a parsed SRAT (+SLIT).
 * NP_FA_EINVAL when there is no node or no whole frame, or the storage is
 * too small.
 */
int np_fa_config_from_acpi(const struct np_acpi_numa *n, unsigned frame_shift,
			   bool keep_hotplug, struct np_fa_acpi_storage *st,
			   struct np_fa_config *cfg);

/* The node of CPU `cpu` (SRAT order), or -1. */
int np_fa_acpi_cpu_node(const struct np_acpi_numa *n, uint32_t cpu);

#endif
