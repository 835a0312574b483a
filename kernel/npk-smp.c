/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Exceptions and CPUs: the IDT (every exception reports and ends the run),
 * the local APIC (x2APIC through MSRs when the CPU has it, else xAPIC
 * through its MMIO page), and INIT-SIPI-SIPI to start an application
 * processor in the real-mode trampoline boot.S carries.
 */
#include "npk.h"

#include <stdatomic.h>

void *memcpy(void *restrict d, const void *restrict s, size_t n);

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EN (1u << 11)
#define APIC_BASE_EXTD (1u << 10)
#define X2APIC_MSR(reg) (0x800 + ((reg) >> 4))
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define ICR_INIT 0x00004500u
#define ICR_SIPI 0x00004600u
#define ICR_BUSY (1u << 12)

/* Cycles of the TSC; QEMU's TSC runs at about the host's rate. */
#define INIT_DELAY 10000000ull
#define SIPI_DELAY 1000000ull
#define AP_TIMEOUT 30000000000ull

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

extern const uint64_t npk_isr_table[32];
extern const char npk_trampoline_start[], npk_trampoline_end[];

static struct idt_entry idt[32];
static bool use_x2apic;
static volatile uint32_t *xapic;

/* Read by boot.S's npk_ap_long and by npk_ap_main. */
uint64_t npk_ap_stack;
static volatile uint32_t ap_index;
static atomic_uint ap_alive;
static uint8_t ap_stacks[NPK_MAX_CPUS][NPK_STACK_BYTES] __attribute__((aligned(16)));

void npk_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	if (!idt[0].attr) {
		for (int i = 0; i < 32; i++) {
			uint64_t a = npk_isr_table[i];

			idt[i] = (struct idt_entry){ (uint16_t)a, NPK_SEL_CODE64, 0,
				0x8e, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };
		}
	}
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

static void delay(uint64_t cycles)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < cycles)
		cpu_relax();
}

bool npk_apic_x2(void)
{
	return use_x2apic;
}

uint32_t npk_apic_id(void)
{
	uint32_t a, b, c, d, max;

	cpuid(0, &max, &b, &c, &d);
	if (max >= 0xb) {
		cpuid(0xb, &a, &b, &c, &d);
		if (b)                  /* leaf 0xb is there: edx, the x2APIC id */
			return d;
	}
	cpuid(1, &a, &b, &c, &d);
	return b >> 24;
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (use_x2apic)
		wrmsr(X2APIC_MSR(reg), v);
	else
		xapic[reg / 4] = v;
}

void npk_apic_init(void)
{
	uint32_t a, b, c, d;
	uint64_t base = rdmsr(MSR_APIC_BASE);

	cpuid(1, &a, &b, &c, &d);
	if (!(d & (1u << 9)))
		npk_fatal("APIC: this CPU has no local APIC (CPUID.1:EDX.APIC)");
	use_x2apic = (c >> 21) & 1;
	if (use_x2apic) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	} else {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
		xapic = (volatile uint32_t *)(uintptr_t)(base & 0xfffff000u);
	}
	apic_write(APIC_SVR, 0x1ff);    /* software-enabled, spurious 0xff */
	memcpy((void *)(uintptr_t)NPK_TRAMPOLINE, npk_trampoline_start,
	       (size_t)(npk_trampoline_end - npk_trampoline_start));
}

static void send_ipi(uint32_t apic_id, uint32_t cmd)
{
	if (use_x2apic) {
		wrmsr(X2APIC_MSR(APIC_ICR_LO), (uint64_t)apic_id << 32 | cmd);
		return;
	}
	xapic[APIC_ICR_HI / 4] = apic_id << 24;
	xapic[APIC_ICR_LO / 4] = cmd;
	for (unsigned i = 0; i < 1000000 && (xapic[APIC_ICR_LO / 4] & ICR_BUSY); i++)
		cpu_relax();
}

bool npk_start_ap(uint32_t apic_id, uint32_t index)
{
	uint64_t t0;

	if (!use_x2apic && apic_id > 0xfe)
		npk_fatal("CPU %u: APIC id %u needs x2APIC, which this CPU lacks",
			  index, apic_id);
	if (index >= NPK_MAX_CPUS)
		npk_fatal("CPU %u: more than %u CPUs", index, NPK_MAX_CPUS);
	npk_ap_stack = (uint64_t)(uintptr_t)(ap_stacks[index] + NPK_STACK_BYTES);
	ap_index = index;
	atomic_store(&ap_alive, 0);
	send_ipi(apic_id, ICR_INIT);
	delay(INIT_DELAY);
	for (int sipi = 0; sipi < 2; sipi++) {
		send_ipi(apic_id, ICR_SIPI | (NPK_TRAMPOLINE >> 12));
		delay(SIPI_DELAY);
		if (atomic_load(&ap_alive))
			return true;
	}
	t0 = rdtsc();
	while (!atomic_load(&ap_alive))
		if (rdtsc() - t0 > AP_TIMEOUT)
			return false;
		else
			cpu_relax();
	return true;
}

void npk_ap_started(void)
{
	atomic_store(&ap_alive, 1);
}

/* boot.S's npk_ap_long calls this on the AP's own stack. */
void npk_ap_main(void);
void npk_ap_main(void)
{
	uint32_t index = ap_index;

	npk_idt_load();
	npk_ap_entry(index);
	npk_fatal("CPU %u: returned from its work", index);
}
