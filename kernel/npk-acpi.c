/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding SRAT, SLIT and MADT the way a kernel does: the RSDP from the
 * boot protocol (PVH start_info's rsdp_paddr), else the BIOS areas Linux's
 * acpi_find_root_pointer() scans (the first KiB of the EBDA, then
 * 0xe0000-0xfffff, on 16-byte boundaries); then the XSDT when the RSDP has
 * one (revision 2 or later), else the RSDT.  Every table's length and
 * checksum is checked before it is read; the parsers in core/ check the
 * contents again.
 */
#include "npk.h"

#define MAP_LIMIT ((uint64_t)NPK_MAP_GIB << 30)

int memcmp(const void *a, const void *b, size_t n);

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static bool rsdp_valid(const uint8_t *p)
{
	if (memcmp(p, "RSD PTR ", 8) != 0 || sum(p, 20) != 0)
		return false;
	/* revision 2+: the 36-byte structure has its own checksum */
	return p[15] < 2 || (rd32(p + 20) >= 36 && sum(p, 36) == 0);
}

static uint64_t scan(uint64_t lo, uint64_t hi)
{
	for (uint64_t a = lo; a + 36 <= hi; a += 16)
		if (rsdp_valid((const uint8_t *)(uintptr_t)a))
			return a;
	return 0;
}

static uint64_t scan_bios(void);

static uint64_t find_rsdp(uint64_t hint, const char **from)
{
	uint64_t r;

	if (hint) {
		if (hint >= MAP_LIMIT ||
		    !rsdp_valid((const uint8_t *)(uintptr_t)hint))
			npk_fatal("RSDP: start_info gives 0x%lx, which holds no "
				  "valid RSDP (signature or checksum)", hint);
		*from = "start_info";
		return hint;
	}
	*from = "bios-scan";
	if ((r = scan_bios()))
		return r;
	npk_fatal("RSDP: start_info has none and no valid \"RSD PTR \" in the "
		  "EBDA or 0xe0000-0xfffff");
}

uint64_t npk_acpi_scan_bios(void)
{
	return scan_bios();
}

static uint64_t scan_bios(void)
{
	uintptr_t bda_ebda = 0x40e;   /* the BIOS data area's EBDA segment */
	uint64_t ebda, r;

	/* hidden from the compiler, which knows no object at a fixed address */
	__asm__("" : "+r"(bda_ebda));
	ebda = (uint64_t)*(const volatile uint16_t *)bda_ebda << 4;

	if (ebda >= 0x80000 && ebda < 0xa0000 && (r = scan(ebda, ebda + 1024)))
		return r;
	if ((r = scan(0xe0000, 0x100000)))
		return r;
	return 0;
}

/* A table's header, checked: its length and checksum. */
static const uint8_t *table_at(uint64_t addr, const char *what)
{
	const uint8_t *t = (const uint8_t *)(uintptr_t)addr;
	uint32_t len;

	if (!addr || addr + 36 > MAP_LIMIT)
		npk_fatal("%s: table address 0x%lx outside the first %u GiB",
			  what, addr, NPK_MAP_GIB);
	len = rd32(t + 4);
	if (len < 36 || addr + len > MAP_LIMIT)
		npk_fatal("%s at 0x%lx: length %u is impossible", what, addr, len);
	if (sum(t, len) != 0)
		npk_fatal("%s at 0x%lx (%c%c%c%c): checksum does not sum to 0",
			  what, addr, t[0], t[1], t[2], t[3]);
	return t;
}

void npk_acpi_find(uint64_t rsdp_hint, struct npk_tables *t)
{
	const uint8_t *rsdp, *root;
	unsigned entry;
	uint32_t n;

	*t = (struct npk_tables){ 0 };
	t->rsdp = find_rsdp(rsdp_hint, &t->rsdp_from);
	rsdp = (const uint8_t *)(uintptr_t)t->rsdp;
	if (rsdp[15] >= 2 && rd64(rsdp + 24)) {
		root = table_at(rd64(rsdp + 24), "XSDT");
		t->root = "xsdt";
		entry = 8;
	} else {
		root = table_at(rd32(rsdp + 16), "RSDT");
		t->root = "rsdt";
		entry = 4;
	}
	if (memcmp(root, entry == 8 ? "XSDT" : "RSDT", 4) != 0)
		npk_fatal("%s: wrong signature", t->root);
	n = (rd32(root + 4) - 36) / entry;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = root + 36 + i * entry;
		uint64_t a = entry == 8 ? rd64(p) : rd32(p);
		const uint8_t *h = table_at(a, "a table the root lists");
		size_t len = rd32(h + 4);

		if (!memcmp(h, "SRAT", 4) && !t->srat) {
			t->srat = h;
			t->srat_len = len;
		} else if (!memcmp(h, "SLIT", 4) && !t->slit) {
			t->slit = h;
			t->slit_len = len;
		} else if (!memcmp(h, "APIC", 4) && !t->madt) {
			t->madt = h;
			t->madt_len = len;
		}
	}
}
