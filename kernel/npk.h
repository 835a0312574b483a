/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The numaplace test kernel: a minimal x86-64 kernel that boots the
 * freestanding frame allocator (core/) from the firmware's SRAT, SLIT and
 * MADT under QEMU, on every vCPU, and reports over COM1 (README.md here
 * has the report's format).  One address space, identity-mapped; no
 * interrupts (exceptions only, and they end the run).
 */
#ifndef NPK_H
#define NPK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "npk-layout.h"

/* ---- the machine ---------------------------------------------------- */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* ---- npk-lib.c: output and leaving QEMU ----------------------------- */
void npk_serial_init(void);
/* Waits for a byte on COM1 (as long as it takes: the one unbounded wait,
 * asked for on the command line) and returns it. */
int npk_serial_getc(void);
/* printf's %s %c %d %u %x with l/ll, and %0Nx; one line at a time, under
 * a lock, so lines from several CPUs never interleave. */
void npk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void npk_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
void npk_snprintf(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Leaves QEMU through isa-debug-exit (QEMU's status: 2 * code + 1), after
 * the line "exit CODE"; halts if there is no such device. */
_Noreturn void npk_exit(unsigned code);
/* "error WHAT: WHY", then exit 1. */
_Noreturn void npk_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* ---- npk-acpi.c: finding the tables ---------------------------------- */
struct npk_tables {
	uint64_t rsdp;
	const char *rsdp_from;           /* "start_info" or "bios-scan" */
	const char *root;                /* "xsdt" or "rsdt" */
	const void *srat, *slit, *madt;  /* NULL when absent */
	size_t srat_len, slit_len, madt_len;
};
/* Fills t from the RSDP (start_info's, or 0 to scan the BIOS areas);
 * npk_fatal() on a table it cannot trust. */
void npk_acpi_find(uint64_t rsdp_hint, struct npk_tables *t);
/* The RSDP the BIOS-area scan finds, 0 for none (reported beside
 * start_info's so that both ways are exercised on every boot). */
uint64_t npk_acpi_scan_bios(void);

/* ---- npk-smp.c: CPUs -------------------------------------------------- */
void npk_idt_load(void);
/* Chooses x2APIC or xAPIC, for this CPU (the BSP) and the APs. */
void npk_apic_init(void);
bool npk_apic_x2(void);
uint32_t npk_apic_id(void);
/* Starts the AP with this APIC id on npk_ap_main(index) with its own
 * stack; false when it did not answer in time. */
bool npk_start_ap(uint32_t apic_id, uint32_t index);
void npk_ap_entry(uint32_t index);   /* npk-main.c: what an AP runs */
/* Called by the AP once it has said who it is: the BSP starts the next. */
void npk_ap_started(void);

#endif
