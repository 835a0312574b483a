/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ACPI SRAT and SLIT, parsed into what a NUMA-aware frame allocator needs:
 * memory ranges per node, CPUs per node, the distance matrix.
 *
 * Freestanding: no libc, no allocation (the caller hands in the arrays),
 * no I/O; usable in a kernel.  Follows Linux (drivers/acpi/numa/srat.c,
 * arch/x86/mm/srat.c): proximity domains become compact node ids in the
 * order they are first seen, APIC ids become CPU numbers in the order
 * their enabled entries are first seen (neither is used raw), a memory-
 * only node keeps its own memory, disabled entries are ignored, unknown
 * entry types are skipped by their length, and a SLIT Linux would reject
 * (slit_valid()) is rejected.  A corrupt or truncated table is an error,
 * never a crash or a loop.
 */
#ifndef NP_CORE_ACPI_H
#define NP_CORE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodes.h"

#define NP_ACPI_MAX_NODES NP_CORE_MAX_NODES

enum np_acpi_error {
	NP_ACPI_OK = 0,
	NP_ACPI_ESIGNATURE = -1,   /* not "SRAT" / "SLIT" / "APIC" */
	NP_ACPI_ELENGTH = -2,      /* header length disagrees with the buffer */
	NP_ACPI_ECHECKSUM = -3,    /* bytes do not sum to 0 mod 256 */
	NP_ACPI_EENTRY = -4,       /* zero-length, short or overrunning entry */
	NP_ACPI_ETOOMANY = -5,     /* more nodes, CPUs or ranges than room */
	NP_ACPI_ESLIT = -6,        /* SLIT Linux rejects, or too few localities */
};

/* What failed, in words ("SRAT entry runs past the table end"). */
const char *np_acpi_strerror(int err);

enum np_acpi_mem_flags {
	NP_ACPI_MEM_HOTPLUG = 1u << 1,
	NP_ACPI_MEM_NONVOLATILE = 1u << 2,
};

struct np_acpi_mem {
	uint64_t base, length;  /* bytes */
	uint32_t node;          /* compact node id */
	uint32_t flags;         /* NP_ACPI_MEM_* */
};

struct np_acpi_cpu {
	uint32_t apic_id;       /* (x2)APIC id as the firmware gives it */
	uint32_t node;
	bool x2apic;            /* from a type-2 entry */
};

struct np_acpi_numa {
	/* caller-provided storage and its capacity */
	struct np_acpi_cpu *cpus;
	uint32_t cpus_cap;
	struct np_acpi_mem *mem;
	uint32_t mem_cap;

	/* results: CPU n is cpus[n]; node i's proximity domain is pxm[i] */
	uint32_t ncpus, nmem, nnodes;
	uint32_t pxm[NP_ACPI_MAX_NODES];
	bool node_has_cpus[NP_ACPI_MAX_NODES];
	bool node_has_memory[NP_ACPI_MAX_NODES];
	bool node_has_initiator[NP_ACPI_MAX_NODES]; /* generic initiator */
	uint8_t srat_revision;

	/* from the SLIT: distance[i][j] between compact nodes, 0 = unknown */
	uint8_t distance[NP_ACPI_MAX_NODES][NP_ACPI_MAX_NODES];
};

/* Zeroes the results and keeps the storage the caller set. */
void np_acpi_numa_reset(struct np_acpi_numa *n);

/* Parses an SRAT (the whole table, header included). */
int np_acpi_parse_srat(const void *table, size_t len, struct np_acpi_numa *n);

/*
 * Parses a SLIT after the SRAT: localities are proximity domains, so the
 * distance between compact nodes i and j is entry[pxm[i]][pxm[j]].
 * 255 means unreachable and is kept as is.
 */
int np_acpi_parse_slit(const void *table, size_t len, struct np_acpi_numa *n);

/*
 * Parses the MADT ("APIC") after the SRAT and numbers the CPUs the way
 * Linux numbers logical CPUs: enabled local APIC (type 0) and x2APIC
 * (type 9) entries in table order, the first being the boot CPU (ACPI
 * lists it first), CPU n = cpus[n].  Disabled entries and APIC id 0xff are
 * skipped; an id listed twice counts once.  A CPU the SRAT does not place
 * gets a node with memory round-robin, as Linux's numa_init_array() does;
 * an SRAT CPU the MADT does not enable is dropped.  Without a MADT, the
 * numbering is the SRAT's order, which agrees for QEMU but not for all
 * firmware.
 */
int np_acpi_parse_madt(const void *table, size_t len, struct np_acpi_numa *n);

/* Bytes of memory the SRAT gives node `node` (enabled ranges). */
uint64_t np_acpi_node_bytes(const struct np_acpi_numa *n, uint32_t node);

#endif
