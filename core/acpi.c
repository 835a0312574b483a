/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SRAT and SLIT parsing.  Every read goes through rd8/rd32/rd64 at an
 * offset already checked against the table length, little-endian as ACPI
 * is, without unaligned pointer casts.
 */
#include "acpi.h"

#define HDR_LEN 36u          /* the common ACPI table header */
#define SRAT_ENTRIES 48u     /* header + table revision u32 + reserved u64 */
#define SLIT_MATRIX 44u      /* header + locality count u64 */
#define MADT_ENTRIES 44u     /* header + local APIC address + flags */

enum {
	SRAT_CPU_APIC = 0,
	SRAT_MEMORY = 1,
	SRAT_CPU_X2APIC = 2,
	SRAT_GENERIC_INITIATOR = 5,
	MADT_LOCAL_APIC = 0,
	MADT_LOCAL_X2APIC = 9,
};

static uint8_t rd8(const uint8_t *p, size_t off)
{
	return p[off];
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
	       (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
}

static uint64_t rd64(const uint8_t *p, size_t off)
{
	return (uint64_t)rd32(p, off) | (uint64_t)rd32(p, off + 4) << 32;
}

const char *np_acpi_strerror(int err)
{
	switch (err) {
	case NP_ACPI_OK: return "no error";
	case NP_ACPI_ESIGNATURE: return "wrong table signature";
	case NP_ACPI_ELENGTH: return "table length disagrees with its size";
	case NP_ACPI_ECHECKSUM: return "table checksum is wrong";
	case NP_ACPI_EENTRY: return "table entry is empty, short or runs past "
				    "the table end";
	case NP_ACPI_ETOOMANY: return "more nodes, CPUs or memory ranges than "
				      "there is room for";
	case NP_ACPI_ESLIT: return "SLIT is invalid (a local distance other "
				   "than 10, a remote one of 10 or less, or "
				   "too few localities)";
	default: return "unknown error";
	}
}

void np_acpi_numa_reset(struct np_acpi_numa *n)
{
	struct np_acpi_cpu *cpus = n->cpus;
	struct np_acpi_mem *mem = n->mem;
	uint32_t cc = n->cpus_cap, mc = n->mem_cap;
	unsigned char *b = (unsigned char *)n;

	for (size_t i = 0; i < sizeof(*n); i++)
		b[i] = 0;
	n->cpus = cpus;
	n->cpus_cap = cc;
	n->mem = mem;
	n->mem_cap = mc;
}

/* The checks every ACPI table gets: signature, length, checksum. */
static int check_table(const uint8_t *t, size_t len, const char sig[4],
		       size_t min_len)
{
	uint8_t sum = 0;
	uint32_t tlen;

	if (len < HDR_LEN || t[0] != sig[0] || t[1] != sig[1] ||
	    t[2] != sig[2] || t[3] != sig[3])
		return len < HDR_LEN ? NP_ACPI_ELENGTH : NP_ACPI_ESIGNATURE;
	tlen = rd32(t, 4);
	if (tlen != len || tlen < min_len)
		return NP_ACPI_ELENGTH;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	return sum ? NP_ACPI_ECHECKSUM : NP_ACPI_OK;
}

/* Compact node id for a proximity domain, made on first sight. */
static int node_for(struct np_acpi_numa *n, uint32_t pxm, uint32_t *node)
{
	for (uint32_t i = 0; i < n->nnodes; i++)
		if (n->pxm[i] == pxm) {
			*node = i;
			return NP_ACPI_OK;
		}
	if (n->nnodes == NP_ACPI_MAX_NODES)
		return NP_ACPI_ETOOMANY;
	n->pxm[n->nnodes] = pxm;
	*node = n->nnodes++;
	return NP_ACPI_OK;
}

static int add_cpu(struct np_acpi_numa *n, uint32_t pxm, uint32_t apic,
		   bool x2apic)
{
	uint32_t node;
	int e;

	/* The same APIC id twice (type 0 and type 2 for one CPU): once. */
	for (uint32_t i = 0; i < n->ncpus; i++)
		if (n->cpus[i].apic_id == apic)
			return NP_ACPI_OK;
	if (n->ncpus == n->cpus_cap)
		return NP_ACPI_ETOOMANY;
	e = node_for(n, pxm, &node);
	if (e)
		return e;
	n->cpus[n->ncpus++] = (struct np_acpi_cpu){ apic, node, x2apic };
	n->node_has_cpus[node] = true;
	return NP_ACPI_OK;
}

static int srat_cpu_apic(struct np_acpi_numa *n, const uint8_t *e,
			 uint8_t len)
{
	uint32_t pxm;

	if (len < 16)
		return NP_ACPI_EENTRY;
	if (!(rd32(e, 4) & 1))
		return NP_ACPI_OK;
	/* byte 2, and from SRAT revision 2 bits 8-31 from bytes 9-11 */
	pxm = rd8(e, 2);
	if (n->srat_revision >= 2)
		pxm |= (uint32_t)rd8(e, 9) << 8 | (uint32_t)rd8(e, 10) << 16 |
		       (uint32_t)rd8(e, 11) << 24;
	return add_cpu(n, pxm, rd8(e, 3), false);
}

static int srat_cpu_x2apic(struct np_acpi_numa *n, const uint8_t *e,
			   uint8_t len)
{
	if (len < 24)
		return NP_ACPI_EENTRY;
	if (!(rd32(e, 12) & 1))
		return NP_ACPI_OK;
	return add_cpu(n, rd32(e, 4), rd32(e, 8), true);
}

static int srat_memory(struct np_acpi_numa *n, const uint8_t *e, uint8_t len)
{
	uint32_t pxm, flags, node;
	uint64_t base, size;
	int err;

	if (len < 40)
		return NP_ACPI_EENTRY;
	flags = rd32(e, 28);
	base = rd64(e, 8);
	size = rd64(e, 16);
	if (!(flags & 1) || !size)
		return NP_ACPI_OK;
	pxm = rd32(e, 2);
	if (n->srat_revision < 2)
		pxm &= 0xff;   /* as Linux: older SRATs had an 8-bit domain */
	if (n->nmem == n->mem_cap)
		return NP_ACPI_ETOOMANY;
	err = node_for(n, pxm, &node);
	if (err)
		return err;
	n->mem[n->nmem++] = (struct np_acpi_mem){ base, size, node,
						  flags & (NP_ACPI_MEM_HOTPLUG |
							   NP_ACPI_MEM_NONVOLATILE) };
	n->node_has_memory[node] = true;
	return NP_ACPI_OK;
}

static int srat_initiator(struct np_acpi_numa *n, const uint8_t *e,
			  uint8_t len)
{
	uint32_t node;
	int err;

	if (len < 32)
		return NP_ACPI_EENTRY;
	if (!(rd32(e, 24) & 1))
		return NP_ACPI_OK;
	err = node_for(n, rd32(e, 4), &node);
	if (!err)
		n->node_has_initiator[node] = true;
	return err;
}

int np_acpi_parse_srat(const void *table, size_t len, struct np_acpi_numa *n)
{
	const uint8_t *t = table;
	size_t off = SRAT_ENTRIES;
	int err;

	np_acpi_numa_reset(n);
	err = check_table(t, len, "SRAT", SRAT_ENTRIES);
	if (err)
		return err;
	n->srat_revision = rd8(t, 8);
	while (!err && off < len) {
		const uint8_t *e = t + off;
		uint8_t type, elen;

		if (len - off < 2)
			return NP_ACPI_EENTRY;
		type = rd8(e, 0);
		elen = rd8(e, 1);
		/* Linux stops at a zero length: a loop otherwise. */
		if (elen < 2 || elen > len - off)
			return NP_ACPI_EENTRY;
		switch (type) {
		case SRAT_CPU_APIC: err = srat_cpu_apic(n, e, elen); break;
		case SRAT_MEMORY: err = srat_memory(n, e, elen); break;
		case SRAT_CPU_X2APIC: err = srat_cpu_x2apic(n, e, elen); break;
		case SRAT_GENERIC_INITIATOR: err = srat_initiator(n, e, elen);
			break;
		default: break;   /* GICC, GIC ITS, ...: skipped by length */
		}
		off += elen;
	}
	return err;
}

/* slit_valid(): 10 on the diagonal, more than 10 everywhere else. */
static bool slit_valid(const uint8_t *m, uint64_t d)
{
	for (uint64_t i = 0; i < d; i++)
		for (uint64_t j = 0; j < d; j++) {
			uint8_t v = m[i * d + j];

			if (i == j ? v != 10 : v <= 10)
				return false;
		}
	return true;
}

int np_acpi_parse_slit(const void *table, size_t len, struct np_acpi_numa *n)
{
	const uint8_t *t = table;
	uint64_t d;
	int err;

	for (uint32_t i = 0; i < NP_ACPI_MAX_NODES; i++)
		for (uint32_t j = 0; j < NP_ACPI_MAX_NODES; j++)
			n->distance[i][j] = 0;
	err = check_table(t, len, "SLIT", SLIT_MATRIX);
	if (err)
		return err;
	d = rd64(t, 36);
	if (d == 0 || d > 0xffff || d * d > len - SLIT_MATRIX)
		return NP_ACPI_ESLIT;
	if (!slit_valid(t + SLIT_MATRIX, d))
		return NP_ACPI_ESLIT;
	for (uint32_t i = 0; i < n->nnodes; i++)
		if (n->pxm[i] >= d)
			return NP_ACPI_ESLIT;
	for (uint32_t i = 0; i < n->nnodes; i++)
		for (uint32_t j = 0; j < n->nnodes; j++)
			n->distance[i][j] = t[SLIT_MATRIX + n->pxm[i] * d +
					      n->pxm[j]];
	return NP_ACPI_OK;
}

uint64_t np_acpi_node_bytes(const struct np_acpi_numa *n, uint32_t node)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < n->nmem; i++)
		if (n->mem[i].node == node)
			sum += n->mem[i].length;
	return sum;
}

/* The next node with memory after *rr, round-robin (numa_init_array()). */
static uint32_t next_memory_node(const struct np_acpi_numa *n, uint32_t *rr)
{
	for (uint32_t k = 0; k < n->nnodes; k++) {
		uint32_t i = (*rr + k) % n->nnodes;

		if (n->node_has_memory[i]) {
			*rr = i + 1;
			return i;
		}
	}
	return 0;
}

/* The MADT's next enabled CPU becomes CPU number *placed. */
static int madt_cpu(struct np_acpi_numa *n, uint32_t apic, bool x2apic,
		    uint32_t *placed, uint32_t *rr)
{
	struct np_acpi_cpu c;
	uint32_t node;
	int e;

	for (uint32_t i = 0; i < *placed; i++)
		if (n->cpus[i].apic_id == apic)
			return NP_ACPI_OK;   /* listed as APIC and x2APIC */
	for (uint32_t j = *placed; j < n->ncpus; j++)
		if (n->cpus[j].apic_id == apic) {
			c = n->cpus[j];
			n->cpus[j] = n->cpus[*placed];
			n->cpus[(*placed)++] = c;
			return NP_ACPI_OK;
		}
	/* Not in the SRAT: Linux gives such CPUs nodes round-robin. */
	if (n->ncpus == n->cpus_cap)
		return NP_ACPI_ETOOMANY;
	if (n->nnodes == 0) {
		e = node_for(n, 0, &node);
		if (e)
			return e;
	}
	node = next_memory_node(n, rr);
	if (*placed < n->ncpus)
		n->cpus[n->ncpus] = n->cpus[*placed];
	n->ncpus++;
	n->cpus[(*placed)++] = (struct np_acpi_cpu){ apic, node, x2apic };
	return NP_ACPI_OK;
}

static int madt_entry(struct np_acpi_numa *n, const uint8_t *e, uint8_t len,
		      uint32_t *placed, uint32_t *rr)
{
	switch (rd8(e, 0)) {
	case MADT_LOCAL_APIC:
		if (len < 8)
			return NP_ACPI_EENTRY;
		/* disabled, or the invalid id 0xff: not a CPU Linux brings up */
		if (!(rd32(e, 4) & 1) || rd8(e, 3) == 0xff)
			return NP_ACPI_OK;
		return madt_cpu(n, rd8(e, 3), false, placed, rr);
	case MADT_LOCAL_X2APIC:
		if (len < 16)
			return NP_ACPI_EENTRY;
		if (!(rd32(e, 8) & 1))
			return NP_ACPI_OK;
		return madt_cpu(n, rd32(e, 4), true, placed, rr);
	default:
		return NP_ACPI_OK;   /* I/O APICs, overrides, NMIs, ... */
	}
}

int np_acpi_parse_madt(const void *table, size_t len, struct np_acpi_numa *n)
{
	const uint8_t *t = table;
	size_t off = MADT_ENTRIES;
	uint32_t placed = 0, rr = 0;
	int err = check_table(t, len, "APIC", MADT_ENTRIES);

	while (!err && off < len) {
		const uint8_t *e = t + off;
		uint8_t elen;

		if (len - off < 2)
			return NP_ACPI_EENTRY;
		elen = rd8(e, 1);
		if (elen < 2 || elen > len - off)
			return NP_ACPI_EENTRY;
		err = madt_entry(n, e, elen, &placed, &rr);
		off += elen;
	}
	if (err)
		return err;
	/* SRAT CPUs the MADT does not enable are never brought up. */
	n->ncpus = placed;
	for (uint32_t i = 0; i < n->nnodes; i++)
		n->node_has_cpus[i] = false;
	for (uint32_t i = 0; i < n->ncpus; i++)
		n->node_has_cpus[n->cpus[i].node] = true;
	return NP_ACPI_OK;
}
