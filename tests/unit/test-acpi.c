/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's SRAT/SLIT parser: real tables from lab guests against the
 * spec that booted them, corrupted copies, and hand-built tables for what
 * QEMU never emits (proximity domains above 255, x2APIC-only machines,
 * unknown entry types, sparse domains).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

#include "acpi.h"
#include "acpi-fixture.h"

static struct np_acpi_cpu cpus[256];
static struct np_acpi_mem mem[256];

static struct np_acpi_numa *fresh(void)
{
	static struct np_acpi_numa n;

	n.cpus = cpus;
	n.cpus_cap = 256;
	n.mem = mem;
	n.mem_cap = 256;
	np_acpi_numa_reset(&n);
	return &n;
}

/* "--preset 2s" or "--nodes S [--distances M]" into a lab spec. */
static void load_spec(const char *dir, struct np_lab_spec *spec)
{
	struct np_err err = { 0 };
	size_t len;
	char *text = (char *)slurp(dir, "spec", &len), *d;

	text[len] = '\0';
	text[strcspn(text, "\n")] = '\0';
	if (!strncmp(text, "--preset ", 9)) {
		assert_int_equal(np_lab_preset(text + 9, spec, &err), 0);
	} else {
		d = strstr(text, " --distances ");
		if (d)
			*d = '\0';
		assert_int_equal(np_lab_parse_nodes(text + 8, spec, &err), 0);
		if (d)
			assert_int_equal(np_lab_parse_distances(d + 13, spec, &err),
					 0);
	}
	free(text);
}

/* QEMU lists CPUs in the same order in the MADT and the SRAT: numbering
 * by the MADT changes nothing. */
static void check_madt_agrees(const char *dir, struct np_acpi_numa *n)
{
	struct np_acpi_cpu before[256];
	uint32_t ncpus = n->ncpus;
	size_t len;
	uint8_t *madt = slurp(dir, "APIC", &len);

	memcpy(before, n->cpus, ncpus * sizeof(before[0]));
	assert_int_equal(np_acpi_parse_madt(madt, len, n), 0);
	assert_int_equal(n->ncpus, ncpus);
	for (uint32_t i = 0; i < ncpus; i++) {
		assert_int_equal(n->cpus[i].apic_id, before[i].apic_id);
		assert_int_equal(n->cpus[i].node, before[i].node);
	}
	free(madt);
}

static void check_guest(const char *dir)
{
	struct np_acpi_numa *n = fresh();
	struct np_lab_spec spec;
	size_t slen, llen;
	uint8_t *srat = slurp(dir, "SRAT", &slen), *slit = slurp(dir, "SLIT", &llen);
	unsigned cpu = 0;

	load_spec(dir, &spec);
	assert_int_equal(np_acpi_parse_srat(srat, slen, n), 0);
	assert_int_equal(np_acpi_parse_slit(slit, llen, n), 0);
	check_madt_agrees(dir, n);
	if (n->nnodes != spec.nnodes)
		fail_msg("%s: %u nodes, spec %u", dir, n->nnodes, spec.nnodes);
	for (unsigned i = 0; i < spec.nnodes; i++) {
		unsigned count = 0;
		uint64_t bytes = np_acpi_node_bytes(n, i);

		for (unsigned c = 0; c < n->ncpus; c++)
			if (n->cpus[c].node == i) {
				/* CPUs numbered node by node, as the spec */
				assert_int_equal(c, cpu);
				cpu++;
				count++;
			}
		if (count != spec.nodes[i].cpus)
			fail_msg("%s: node %u has %u CPUs, spec %u", dir, i,
				 count, spec.nodes[i].cpus);
		assert_int_equal(n->node_has_cpus[i], spec.nodes[i].cpus > 0);
		assert_int_equal(n->node_has_memory[i],
				 spec.nodes[i].mem_bytes > 0);
		/* node 0 loses the legacy hole below 1 MiB, nothing else */
		if (bytes > spec.nodes[i].mem_bytes ||
		    bytes + (1u << 20) < spec.nodes[i].mem_bytes)
			fail_msg("%s: node %u has %llu bytes, spec %llu", dir, i,
				 (unsigned long long)bytes,
				 (unsigned long long)spec.nodes[i].mem_bytes);
		for (unsigned j = 0; j < spec.nnodes; j++)
			assert_int_equal(n->distance[i][j], spec.distance[i][j]);
	}
	free(srat);
	free(slit);
}

static void test_lab_guests(void **state)
{
	static const char *const guests[] = {
		"2s", "4n", "8n", "cxl", "asym3", "memless", NULL,
	};

	(void)state;
	for (size_t i = 0; guests[i]; i++)
		check_guest(guests[i]);
}

static void fix_checksum(uint8_t *t, size_t len)
{
	uint8_t sum = 0;

	t[9] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)(0x100 - sum);
}

static void test_corrupt(void **state)
{
	struct np_acpi_numa *n = fresh();
	size_t len;
	uint8_t *t = slurp("cxl", "SRAT", &len);
	uint8_t *c = malloc(len);

	(void)state;
	memcpy(c, t, len);
	c[60] ^= 0x40;      /* a byte inside an entry: checksum breaks */
	assert_int_equal(np_acpi_parse_srat(c, len, n), NP_ACPI_ECHECKSUM);
	assert_int_equal(np_acpi_parse_srat(t, len - 1, n), NP_ACPI_ELENGTH);
	assert_int_equal(np_acpi_parse_srat(t, 20, n), NP_ACPI_ELENGTH);
	memcpy(c, t, len);
	c[48 + 1] = 0;      /* first entry of length 0: must not loop */
	fix_checksum(c, len);
	assert_int_equal(np_acpi_parse_srat(c, len, n), NP_ACPI_EENTRY);
	/* cut after 20 bytes of entries: the second entry (16 bytes at
	 * offset 64) runs past the end the header now states */
	memcpy(c, t, 68);
	c[4] = 68;
	c[5] = c[6] = c[7] = 0;
	fix_checksum(c, 68);
	assert_int_equal(np_acpi_parse_srat(c, 68, n), NP_ACPI_EENTRY);
	memcpy(c, t, len);
	c[0] = 'X';
	assert_int_equal(np_acpi_parse_srat(c, len, n), NP_ACPI_ESIGNATURE);
	assert_string_equal(np_acpi_strerror(NP_ACPI_EENTRY),
			    "table entry is empty, short or runs past the table end");
	free(c);
	free(t);
}

/* ---- hand-built tables ------------------------------------------------ */

struct builder {
	uint8_t t[4096];
	size_t len;
};

static void begin(struct builder *b, const char *sig, uint8_t revision)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->t, sig, 4);
	b->t[8] = revision;
	b->len = 48;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static size_t finish(struct builder *b)
{
	put32(b->t + 4, (uint32_t)b->len);
	fix_checksum(b->t, b->len);
	return b->len;
}

static void cpu_apic(struct builder *b, uint32_t pxm, uint8_t apic, bool on)
{
	uint8_t *e = b->t + b->len;

	e[0] = 0;
	e[1] = 16;
	e[2] = (uint8_t)pxm;
	e[3] = apic;
	put32(e + 4, on);
	e[9] = (uint8_t)(pxm >> 8);
	e[10] = (uint8_t)(pxm >> 16);
	e[11] = (uint8_t)(pxm >> 24);
	b->len += 16;
}

static void cpu_x2apic(struct builder *b, uint32_t pxm, uint32_t apic)
{
	uint8_t *e = b->t + b->len;

	e[0] = 2;
	e[1] = 24;
	put32(e + 4, pxm);
	put32(e + 8, apic);
	put32(e + 12, 1);
	b->len += 24;
}

static void memory(struct builder *b, uint32_t pxm, uint64_t base,
		   uint64_t size, uint32_t flags)
{
	uint8_t *e = b->t + b->len;

	e[0] = 1;
	e[1] = 40;
	put32(e + 2, pxm);
	put64(e + 8, base);
	put64(e + 16, size);
	put32(e + 28, flags);
	b->len += 40;
}

static void unknown(struct builder *b)
{
	uint8_t *e = b->t + b->len;

	e[0] = 0x7e;
	e[1] = 12;
	memset(e + 2, 0xee, 10);
	b->len += 12;
}

static size_t slit(struct builder *b, unsigned d, const uint8_t *m)
{
	begin(b, "SLIT", 1);
	b->len = 44;
	put64(b->t + 36, d);
	memcpy(b->t + 44, m, (size_t)d * d);
	b->len += (size_t)d * d;
	return finish(b);
}

/* Revision 2 takes bits 8-31 of a type-0 domain from bytes 9-11. */
static void test_pxm_above_255(void **state)
{
	struct np_acpi_numa *n = fresh();
	struct builder b;
	size_t len;

	(void)state;
	begin(&b, "SRAT", 3);
	cpu_apic(&b, 0x12345, 0, true);
	memory(&b, 0x12345, 0, 256 << 20, 1);
	len = finish(&b);
	assert_int_equal(np_acpi_parse_srat(b.t, len, n), 0);
	assert_int_equal(n->nnodes, 1);
	assert_int_equal(n->pxm[0], 0x12345);
	assert_true(n->node_has_memory[0]);
	/* revision 1: only byte 2 for CPUs, 8 bits for memory, as Linux */
	begin(&b, "SRAT", 1);
	cpu_apic(&b, 0x12345, 0, true);
	memory(&b, 0x12345, 0, 256 << 20, 1);
	len = finish(&b);
	assert_int_equal(np_acpi_parse_srat(b.t, len, n), 0);
	assert_int_equal(n->nnodes, 1);
	assert_int_equal(n->pxm[0], 0x45);
}

/* x2APIC-only: large APIC ids become CPUs 0, 1, 2 in order; unknown
 * entries are skipped; disabled ones ignored. */
static void test_x2apic_only(void **state)
{
	struct np_acpi_numa *n = fresh();
	struct builder b;
	size_t len;

	(void)state;
	begin(&b, "SRAT", 3);
	cpu_x2apic(&b, 1, 0x200);
	unknown(&b);
	cpu_x2apic(&b, 1, 0x201);
	cpu_apic(&b, 1, 9, false);
	cpu_x2apic(&b, 2, 0x300);
	memory(&b, 1, 0, 128 << 20, 1);
	memory(&b, 2, 128 << 20, 128 << 20, 1);
	memory(&b, 2, 1ull << 32, 64 << 20, 0);   /* disabled */
	len = finish(&b);
	assert_int_equal(np_acpi_parse_srat(b.t, len, n), 0);
	assert_int_equal(n->ncpus, 3);
	assert_int_equal(n->cpus[0].apic_id, 0x200);
	assert_true(n->cpus[0].x2apic);
	assert_int_equal(n->cpus[2].apic_id, 0x300);
	assert_int_equal(n->cpus[2].node, 1);
	assert_int_equal(n->nmem, 2);
	assert_int_equal(np_acpi_node_bytes(n, 1), 128 << 20);
}

/* Sparse domains 0, 4, 9 become nodes 0, 1, 2 in first-seen order; the
 * memory-only domain keeps its memory; the SLIT is indexed by domain. */
static void test_sparse_and_memory_only(void **state)
{
	struct np_acpi_numa *n = fresh();
	struct builder b;
	uint8_t m[100];
	size_t len;

	(void)state;
	begin(&b, "SRAT", 3);
	cpu_apic(&b, 0, 0, true);
	cpu_apic(&b, 4, 1, true);
	memory(&b, 0, 0, 0xa0000, 1);
	memory(&b, 0, 1 << 20, (256 << 20) - (1 << 20), 1);
	memory(&b, 4, 256 << 20, 256 << 20, 1);
	memory(&b, 9, 512 << 20, 1ull << 30, NP_ACPI_MEM_HOTPLUG | 1);
	len = finish(&b);
	assert_int_equal(np_acpi_parse_srat(b.t, len, n), 0);
	assert_int_equal(n->nnodes, 3);
	assert_int_equal(n->pxm[2], 9);
	assert_false(n->node_has_cpus[2]);
	assert_true(n->node_has_memory[2]);
	assert_int_equal(np_acpi_node_bytes(n, 2), 1ull << 30);
	assert_int_equal(np_acpi_node_bytes(n, 0), (256 << 20) - (1 << 20) +
			 0xa0000);
	assert_int_equal(n->mem[3].flags, NP_ACPI_MEM_HOTPLUG);
	for (unsigned i = 0; i < 10; i++)
		for (unsigned j = 0; j < 10; j++)
			m[i * 10 + j] = i == j ? 10 : (uint8_t)(20 + i + j);
	m[4 * 10 + 9] = 255;   /* unreachable */
	len = slit(&b, 10, m);
	assert_int_equal(np_acpi_parse_slit(b.t, len, n), 0);
	assert_int_equal(n->distance[0][1], 24);
	assert_int_equal(n->distance[1][2], 255);
	assert_int_equal(n->distance[2][1], 33);
	assert_int_equal(n->distance[2][2], 10);
}

static void test_slit_invalid(void **state)
{
	struct np_acpi_numa *n = fresh();
	struct builder b;
	uint8_t tens[4] = { 10, 10, 10, 10 }, ok[4] = { 10, 20, 20, 10 };
	uint8_t diag[4] = { 11, 20, 20, 10 };
	size_t len;

	(void)state;
	begin(&b, "SRAT", 3);
	cpu_apic(&b, 0, 0, true);
	cpu_apic(&b, 1, 1, true);
	len = finish(&b);
	assert_int_equal(np_acpi_parse_srat(b.t, len, n), 0);
	len = slit(&b, 2, tens);
	assert_int_equal(np_acpi_parse_slit(b.t, len, n), NP_ACPI_ESLIT);
	assert_int_equal(n->distance[0][1], 0);
	len = slit(&b, 2, diag);
	assert_int_equal(np_acpi_parse_slit(b.t, len, n), NP_ACPI_ESLIT);
	len = slit(&b, 2, ok);
	assert_int_equal(np_acpi_parse_slit(b.t, len, n), 0);
	/* localities fewer than the domains the SRAT named */
	len = slit(&b, 1, ok);
	assert_int_equal(np_acpi_parse_slit(b.t, len, n), NP_ACPI_ESLIT);
	/* a locality count the table cannot hold */
	len = slit(&b, 2, ok);
	put64(b.t + 36, 1000);
	fix_checksum(b.t, len);
	assert_int_equal(np_acpi_parse_slit(b.t, len, n), NP_ACPI_ESLIT);
}

static void test_capacity(void **state)
{
	struct np_acpi_numa n = { 0 };
	struct np_acpi_cpu one[1];
	struct builder b;
	size_t len;

	(void)state;
	n.cpus = one;
	n.cpus_cap = 1;
	n.mem = mem;
	n.mem_cap = 256;
	begin(&b, "SRAT", 3);
	cpu_apic(&b, 0, 0, true);
	cpu_apic(&b, 0, 1, true);
	len = finish(&b);
	assert_int_equal(np_acpi_parse_srat(b.t, len, &n), NP_ACPI_ETOOMANY);
	begin(&b, "SRAT", 3);
	for (uint32_t i = 0; i < NP_ACPI_MAX_NODES + 1; i++)
		memory(&b, i, (uint64_t)i << 28, 1 << 20, 1);
	len = finish(&b);
	assert_int_equal(np_acpi_parse_srat(b.t, len, fresh()), NP_ACPI_ETOOMANY);
}


/* ---- MADT: CPU numbers as Linux gives them ----------------------------- */

static void madt_begin(struct builder *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->t, "APIC", 4);
	b->t[8] = 5;
	b->len = 44;
}

static void madt_lapic(struct builder *b, uint8_t apic, uint32_t flags)
{
	uint8_t *e = b->t + b->len;

	e[0] = 0;
	e[1] = 8;
	e[2] = apic;      /* processor UID */
	e[3] = apic;
	put32(e + 4, flags);
	b->len += 8;
}

static void madt_x2apic(struct builder *b, uint32_t apic, uint32_t flags)
{
	uint8_t *e = b->t + b->len;

	e[0] = 9;
	e[1] = 16;
	put32(e + 4, apic);
	put32(e + 8, flags);
	put32(e + 12, apic);
	b->len += 16;
}

static void madt_ioapic(struct builder *b)
{
	uint8_t *e = b->t + b->len;

	e[0] = 1;
	e[1] = 12;
	put32(e + 4, 0xfec00000);
	b->len += 12;
}

/* SRAT: APIC 0, 2 on domain 0; 1, 3 on domain 1; 9 on domain 1 (never
 * enabled by the MADT); memory on both. */
static void srat_four(struct np_acpi_numa *n)
{
	struct builder b;

	begin(&b, "SRAT", 3);
	cpu_apic(&b, 0, 0, true);
	cpu_apic(&b, 1, 1, true);
	cpu_apic(&b, 0, 2, true);
	cpu_apic(&b, 1, 3, true);
	cpu_apic(&b, 1, 9, true);
	memory(&b, 0, 0, 1ull << 30, 1);
	memory(&b, 1, 1ull << 30, 1ull << 30, 1);
	assert_int_equal(np_acpi_parse_srat(b.t, finish(&b), n), 0);
	assert_int_equal(n->ncpus, 5);
}

static void test_madt_numbering(void **state)
{
	struct np_acpi_numa *n = fresh();
	struct builder b;
	static const uint32_t want_apic[] = { 2, 0, 3, 1, 5, 300, 7 };
	static const uint32_t want_node[] = { 0, 0, 1, 1, 0, 1, 0 };

	(void)state;
	srat_four(n);
	madt_begin(&b);
	madt_lapic(&b, 2, 1);          /* the boot CPU: CPU 0 */
	madt_ioapic(&b);
	madt_lapic(&b, 0, 1);
	madt_lapic(&b, 8, 0);          /* disabled: no number */
	madt_lapic(&b, 3, 1);
	madt_lapic(&b, 0xff, 1);       /* invalid id */
	madt_x2apic(&b, 1, 1);
	madt_lapic(&b, 3, 1);          /* listed twice: once */
	madt_lapic(&b, 5, 1);          /* not in the SRAT: round-robin */
	madt_x2apic(&b, 300, 1);
	madt_x2apic(&b, 7, 1);
	assert_int_equal(np_acpi_parse_madt(b.t, finish(&b), n), 0);
	/* APIC 9 of the SRAT is never enabled: dropped */
	assert_int_equal(n->ncpus, 7);
	for (uint32_t i = 0; i < 7; i++) {
		assert_int_equal(n->cpus[i].apic_id, want_apic[i]);
		assert_int_equal(n->cpus[i].node, want_node[i]);
	}
	assert_true(n->cpus[5].x2apic);
	assert_false(n->cpus[4].x2apic);
	assert_true(n->node_has_cpus[0] && n->node_has_cpus[1]);
}

static void test_madt_drops_node_cpus(void **state)
{
	struct np_acpi_numa *n = fresh();
	struct builder b;

	(void)state;
	srat_four(n);
	madt_begin(&b);
	madt_lapic(&b, 0, 1);
	madt_lapic(&b, 2, 1);
	madt_lapic(&b, 1, 0);          /* node 1's CPUs all disabled */
	assert_int_equal(np_acpi_parse_madt(b.t, finish(&b), n), 0);
	assert_int_equal(n->ncpus, 2);
	assert_true(n->node_has_cpus[0]);
	assert_false(n->node_has_cpus[1]);
}

static void test_madt_corrupt(void **state)
{
	struct np_acpi_numa *n = fresh();
	struct builder b;
	size_t len;

	(void)state;
	srat_four(n);
	madt_begin(&b);
	madt_lapic(&b, 0, 1);
	madt_x2apic(&b, 1, 1);
	len = finish(&b);
	b.t[9] ^= 1;                   /* checksum */
	assert_int_equal(np_acpi_parse_madt(b.t, len, n), NP_ACPI_ECHECKSUM);
	b.t[9] ^= 1;
	assert_int_equal(np_acpi_parse_madt(b.t, len - 1, n), NP_ACPI_ELENGTH);
	memcpy(b.t, "SRAT", 4);
	assert_int_equal(np_acpi_parse_madt(b.t, len, n), NP_ACPI_ESIGNATURE);
	madt_begin(&b);
	madt_lapic(&b, 0, 1);
	b.t[b.len - 7] = 0;            /* zero-length entry */
	assert_int_equal(np_acpi_parse_madt(b.t, finish(&b), n), NP_ACPI_EENTRY);
	madt_begin(&b);
	madt_x2apic(&b, 1, 1);
	b.t[b.len - 15] = 12;          /* x2APIC entry too short */
	b.len -= 4;
	assert_int_equal(np_acpi_parse_madt(b.t, finish(&b), n), NP_ACPI_EENTRY);
	madt_begin(&b);
	madt_lapic(&b, 0, 1);
	b.t[b.len - 7] = 200;          /* runs past the end */
	assert_int_equal(np_acpi_parse_madt(b.t, finish(&b), n), NP_ACPI_EENTRY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_guests),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_pxm_above_255),
		cmocka_unit_test(test_x2apic_only),
		cmocka_unit_test(test_sparse_and_memory_only),
		cmocka_unit_test(test_slit_invalid),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_madt_numbering),
		cmocka_unit_test(test_madt_drops_node_cpus),
		cmocka_unit_test(test_madt_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
