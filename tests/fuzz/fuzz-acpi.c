/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's SRAT and SLIT parsers.  The input is an SRAT; when it parses,
 * the same bytes with the signature changed to SLIT are parsed as a SLIT
 * against the resulting domains.  Whatever the bytes, results stay within
 * the caller's arrays and refer only to nodes that exist.
 */
#include <string.h>

#include "acpi.h"
#include "fuzz.h"

static struct np_acpi_cpu cpus[64];
static struct np_acpi_mem mem[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t copy[1 << 16];
	struct np_acpi_numa n = { 0 };
	int rc;

	n.cpus = cpus;
	n.cpus_cap = 64;
	n.mem = mem;
	n.mem_cap = 64;
	rc = np_acpi_parse_srat(data, size, &n);
	FUZZ_ASSERT(rc <= 0 && rc >= NP_ACPI_ESLIT);
	FUZZ_ASSERT(n.nnodes <= NP_ACPI_MAX_NODES && n.ncpus <= 64 &&
		    n.nmem <= 64);
	for (uint32_t i = 0; i < n.ncpus; i++)
		FUZZ_ASSERT(n.cpus[i].node < n.nnodes);
	for (uint32_t i = 0; i < n.nmem; i++)
		FUZZ_ASSERT(n.mem[i].node < n.nnodes);
	if (rc || size > sizeof(copy) || size < 4)
		return 0;
	memcpy(copy, data, size);
	memcpy(copy, "SLIT", 4);
	rc = np_acpi_parse_slit(copy, size, &n);
	for (uint32_t i = 0; !rc && i < n.nnodes; i++)
		FUZZ_ASSERT(n.distance[i][i] == 10);
	return 0;
}
