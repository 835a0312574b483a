/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's SRAT, SLIT and MADT parsers.  The input is an SRAT; when it
 * parses, the same bytes with the signature changed to SLIT (checksum
 * fixed) are parsed as a SLIT against the resulting domains, and with
 * APIC as a MADT that renumbers its CPUs.  Whatever the bytes, results stay within
 * the caller's arrays and refer only to nodes that exist.
 */
#include <string.h>

#include "acpi.h"
#include "fuzz.h"

static struct np_acpi_cpu cpus[64];
static struct np_acpi_mem mem[64];

/* The same bytes as another table: new signature, checksum made right. */
static void retype(uint8_t *t, size_t size, const char *sig)
{
	uint8_t sum = 0;

	memcpy(t, sig, 4);
	if (size < 10)
		return;
	t[9] = 0;
	for (size_t i = 0; i < size; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)-sum;
}

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
	retype(copy, size, "SLIT");
	rc = np_acpi_parse_slit(copy, size, &n);
	for (uint32_t i = 0; !rc && i < n.nnodes; i++)
		FUZZ_ASSERT(n.distance[i][i] == 10);
	retype(copy, size, "APIC");
	rc = np_acpi_parse_madt(copy, size, &n);
	FUZZ_ASSERT(rc <= 0 && rc >= NP_ACPI_ESLIT);
	FUZZ_ASSERT(n.ncpus <= 64);
	for (uint32_t i = 0; i < n.ncpus; i++)
		FUZZ_ASSERT(n.cpus[i].node < n.nnodes ||
			    (n.nnodes == 0 && n.cpus[i].node == 0));
	return 0;
}
