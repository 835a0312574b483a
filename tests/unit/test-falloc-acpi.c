/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Booting the frame allocator from firmware tables, as a kernel would:
 * the SRAT, SLIT and MADT captured from six lab guests (tests/acpi/)
 * become an allocator whose nodes hold exactly the SRAT's memory, whose
 * per-CPU caches follow the CPU -> node map (CPUs numbered by the MADT),
 * and whose fallback follows the SLIT.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "acpi-fixture.h"
#include "falloc-acpi.h"

#define MAX_CPUS 64

static struct np_acpi_cpu cpus[256];
static struct np_acpi_mem mem[256];

struct booted {
	struct np_acpi_numa n;
	struct np_fa fa;
	void *meta;
	struct np_fa_cache cache[MAX_CPUS];
	void *cache_mem[MAX_CPUS];
};

/* Parses the guest's tables and builds the allocator, one cache per CPU. */
static void boot(const char *dir, struct booted *b)
{
	static struct np_fa_range ranges[256];
	static uint8_t dist[NP_FA_MAX_NODES * NP_FA_MAX_NODES];
	static bool has_cpus[NP_FA_MAX_NODES];
	struct np_fa_acpi_storage st = { ranges, 256, dist, has_cpus };
	struct np_fa_config cfg;
	size_t slen, llen, bytes;
	uint8_t *srat = slurp(dir, "SRAT", &slen), *slit = slurp(dir, "SLIT", &llen);
	size_t mlen;
	uint8_t *madt = slurp(dir, "APIC", &mlen);

	b->n = (struct np_acpi_numa){ .cpus = cpus, .cpus_cap = 256,
				      .mem = mem, .mem_cap = 256 };
	np_acpi_numa_reset(&b->n);
	assert_int_equal(np_acpi_parse_srat(srat, slen, &b->n), 0);
	assert_int_equal(np_acpi_parse_slit(slit, llen, &b->n), 0);
	assert_int_equal(np_acpi_parse_madt(madt, mlen, &b->n), 0);
	free(srat);
	free(slit);
	free(madt);
	assert_int_equal(np_fa_config_from_acpi(&b->n, 12, false, &st, &cfg), 0);
	assert_non_null(cfg.distance);
	bytes = np_fa_meta_bytes(&cfg);
	assert_true(bytes > 0);
	b->meta = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	assert_int_equal(np_fa_init(&b->fa, &cfg, b->meta, bytes), 0);
	assert_true(b->n.ncpus <= MAX_CPUS);
	for (uint32_t c = 0; c < b->n.ncpus; c++) {
		size_t cb = np_fa_cache_bytes(&b->fa);

		b->cache_mem[c] = aligned_alloc(64, cb);
		assert_int_equal(np_fa_cache_attach(&b->fa, &b->cache[c],
				 b->cache_mem[c], cb,
				 (uint32_t)np_fa_acpi_cpu_node(&b->n, c)), 0);
	}
}

static void shutdown(struct booted *b)
{
	for (uint32_t c = 0; c < b->n.ncpus; c++) {
		np_fa_cache_detach(&b->cache[c]);
		free(b->cache_mem[c]);
	}
	assert_int_equal(np_fa_check(&b->fa, NULL), 0);
	for (uint32_t i = 0; i < b->n.nnodes; i++)
		assert_int_equal(np_fa_node_free_frames(&b->fa, i),
				 np_acpi_node_bytes(&b->n, i) >> 12);
	free(b->meta);
}

/* The SRAT node of a frame, from the table itself. */
static int srat_node(const struct np_acpi_numa *n, uint64_t pfn)
{
	for (uint32_t i = 0; i < n->nmem; i++)
		if ((pfn << 12) >= n->mem[i].base &&
		    (pfn << 12) < n->mem[i].base + n->mem[i].length)
			return (int)n->mem[i].node;
	return -1;
}

/*
 * Every node holds exactly its SRAT memory; a local allocation on each
 * CPU lands on that CPU's node by the SRAT (or on `nearest` for a CPU of
 * a memoryless node).
 */
static void check_guest(const char *dir, int memless, int nearest)
{
	struct booted *b = calloc(1, sizeof(*b));
	struct np_fa_policy local = { NP_FA_LOCAL, 0, 0, 0, 0 };

	boot(dir, b);
	for (uint32_t i = 0; i < b->n.nnodes; i++)
		assert_int_equal(np_fa_node_free_frames(&b->fa, i),
				 np_acpi_node_bytes(&b->n, i) >> 12);
	for (uint32_t c = 0; c < b->n.ncpus; c++) {
		int want = np_fa_acpi_cpu_node(&b->n, c);
		uint64_t pfn;
		uint32_t node;

		if (want == memless)
			want = nearest;
		assert_int_equal(np_fa_alloc(&b->cache[c], &local, 0, &pfn,
					     &node), 0);
		if ((int)node != want || srat_node(&b->n, pfn) != want)
			fail_msg("%s: CPU %u got pfn %#llx on node %u (SRAT %d), "
				 "want node %d", dir, c, (unsigned long long)pfn,
				 node, srat_node(&b->n, pfn), want);
		assert_int_equal(np_fa_free(&b->cache[c], pfn, 0), 0);
	}
	shutdown(b);
	free(b);
}

static void test_lab_guests(void **state)
{
	(void)state;
	check_guest("2s", -1, -1);
	check_guest("4n", -1, -1);
	check_guest("8n", -1, -1);
	check_guest("cxl", -1, -1);
	check_guest("asym3", -1, -1);
	/* node 1 has CPUs, no memory; 0 and 2 are both 20 away, and Linux
	 * prefers the node above (find_next_best_node) */
	check_guest("memless", 1, 2);
}

/*
 * asym3's SLIT row 1 is 25 10 20: node 1 full under preferred falls back
 * to node 2, though node 0 is the lower id; and the counters say so.
 */
static void test_fallback_follows_slit(void **state)
{
	struct booted *b = calloc(1, sizeof(*b));
	struct np_fa_policy pref = { NP_FA_PREFERRED, 0, 0, 1, 0 };
	uint64_t frames, pfn, s[NP_FA_NR_STATS];
	uint64_t *held;
	uint32_t node, cpu = 1;   /* CPU 1 is node 1's (1:256M,2:256M,...) */

	(void)state;
	boot("asym3", b);
	assert_int_equal(np_fa_acpi_cpu_node(&b->n, cpu), 1);
	frames = np_acpi_node_bytes(&b->n, 1) >> 12;
	held = malloc((frames + 1) * sizeof(*held));
	for (uint64_t i = 0; i <= frames; i++) {
		assert_int_equal(np_fa_alloc(&b->cache[cpu], &pref, 0, &held[i],
					     &node), 0);
		assert_int_equal(node, i < frames ? 1 : 2);
		assert_int_equal(srat_node(&b->n, held[i]), (int)node);
	}
	np_fa_node_stats(&b->fa, 1, s);
	assert_int_equal(s[NP_FA_NUMA_HIT], frames);
	assert_int_equal(s[NP_FA_NUMA_FOREIGN], 1);
	assert_int_equal(s[NP_FA_LOCAL_NODE], frames);
	np_fa_node_stats(&b->fa, 2, s);
	assert_int_equal(s[NP_FA_NUMA_MISS], 1);
	assert_int_equal(s[NP_FA_OTHER_NODE], 1);
	assert_int_equal(s[NP_FA_NUMA_HIT], 0);
	for (uint64_t i = 0; i <= frames; i++)
		assert_int_equal(np_fa_free(&b->cache[cpu], held[i], 0), 0);
	(void)pfn;
	free(held);
	shutdown(b);
	free(b);
}

/* Frames never straddle a range end; hot-pluggable ranges stay out unless
 * asked; no memory at all is an error. */
static void test_config_edges(void **state)
{
	struct np_acpi_numa n = { .cpus = cpus, .cpus_cap = 256, .mem = mem,
				  .mem_cap = 256 };
	struct np_fa_range ranges[4];
	uint8_t dist[4];
	bool has_cpus[2];
	struct np_fa_acpi_storage st = { ranges, 4, dist, has_cpus };
	struct np_fa_config cfg;

	(void)state;
	np_acpi_numa_reset(&n);
	n.nnodes = 2;
	n.nmem = 3;
	mem[0] = (struct np_acpi_mem){ 0x1800, 0x10000 - 0x1800, 0, 0 };
	mem[1] = (struct np_acpi_mem){ 0x10000, 0x2000, 1, 0 };
	mem[2] = (struct np_acpi_mem){ 0x100000, 0x100000, 1,
				       NP_ACPI_MEM_HOTPLUG };
	assert_int_equal(np_fa_config_from_acpi(&n, 12, false, &st, &cfg), 0);
	assert_int_equal(cfg.nranges, 2);
	assert_int_equal(ranges[0].base_pfn, 2);     /* 0x1800 rounded up */
	assert_int_equal(ranges[0].count, 14);
	assert_int_equal(ranges[1].base_pfn, 16);
	assert_int_equal(ranges[1].count, 2);
	assert_null(cfg.distance);                   /* no SLIT parsed */
	assert_int_equal(np_fa_config_from_acpi(&n, 12, true, &st, &cfg), 0);
	assert_int_equal(cfg.nranges, 3);
	assert_int_equal(ranges[2].count, 256);
	st.ranges_cap = 2;
	assert_int_equal(np_fa_config_from_acpi(&n, 12, true, &st, &cfg),
			 NP_FA_EINVAL);
	n.nmem = 0;
	assert_int_equal(np_fa_config_from_acpi(&n, 12, true, &st, &cfg),
			 NP_FA_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_guests),
		cmocka_unit_test(test_fallback_follows_slit),
		cmocka_unit_test(test_config_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
