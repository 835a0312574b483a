/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test kernel's main line: tables -> allocator -> every CPU -> seed
 * 000's workload -> the report (README.md has its format).
 *
 * Memory: the allocator gets the frames that are in an SRAT range of
 * their node, usable in the boot protocol's memory map (PVH start_info's
 * memmap), and above everything this kernel keeps for itself: the first
 * MiB (the APs' trampoline, the BIOS areas), the image, and the boot heap
 * right after it (the allocator's metadata, one cache per CPU, the
 * workload's frame lists).  So every frame the allocator hands out may be
 * written.
 */
#include "npk.h"

#include <stdatomic.h>

#include "falloc-acpi.h"

#define FRAME_SHIFT 12
#define FRAME_BYTES 4096u
#define WORDS (FRAME_BYTES / 8)
#define MAX_RANGES 256
#define MAX_FRAMES_PER_CPU (1u << 24)
#define BARRIER_TIMEOUT 60000000000ull

extern char npk_image_end[];

/* ---- boot protocol --------------------------------------------------- */
struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;           /* version 1 */
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

#define HVM_START_MAGIC 0x336ec578u
#define E820_RAM 1

struct span {
	uint64_t lo, hi;                 /* bytes [lo, hi) */
};

static struct span usable[MAX_RANGES];
static uint32_t nusable;

/* ---- what the kernel found ------------------------------------------- */
static struct npk_tables tables;
static struct np_acpi_cpu acpi_cpus[256];
static struct np_acpi_mem acpi_mem[MAX_RANGES];
static struct np_acpi_numa numa;
static struct np_fa_range srat_ranges[MAX_RANGES], ranges[MAX_RANGES];
static uint32_t nsrat_ranges;
static uint8_t dist[NP_FA_MAX_NODES * NP_FA_MAX_NODES];
static bool has_cpus[NP_FA_MAX_NODES];
static struct np_fa_config cfg;
static struct np_fa fa;
static struct np_fa_cache caches[NPK_MAX_CPUS];
/* The command line's workload size (npk.frames=N, npk.reads=N): frames per
 * CPU in the local, bind and interleave phases, random reads per CPU. */
static uint32_t frames_per_cpu = 256, reads_per_cpu = 1024;
/* npk.wait: wait for a byte on COM1 before the workload (to pin vCPU
 * threads); npk.hold: after the result (to look at the memory) */
static bool opt_wait, opt_hold;
static uint64_t *pfn_arrays;      /* frames_per_cpu per CPU, in the heap */
static uint8_t *node_arrays;      /* the node the allocator named, likewise */
static uint64_t reserved_end;     /* bytes below this are the kernel's */
static uint32_t ncpus, bsp;
static uint64_t node_frames[NP_FA_MAX_NODES];
static uint32_t cpu_apic[NPK_MAX_CPUS];
static atomic_uint cpu_seen_apic[NPK_MAX_CPUS];

/* "npk.frames=N npk.reads=N npk.wait npk.hold"; anything else is refused. */
static bool word_is(const char *w, size_t len, const char *name)
{
	size_t i = 0;

	while (i < len && name[i] && w[i] == name[i])
		i++;
	return i == len && !name[i];
}

static uint32_t word_number(const char *w, size_t len, size_t skip,
			    uint32_t max)
{
	uint64_t v = 0;

	for (size_t i = skip; i < len; i++) {
		if (w[i] < '0' || w[i] > '9' || (v = v * 10 + (uint64_t)(w[i] - '0')) > max)
			npk_fatal("command line: a number from 1 to %u after "
				  "npk.frames= or npk.reads=", max);
	}
	if (!v)
		npk_fatal("command line: a number from 1 to %u after "
			  "npk.frames= or npk.reads=", max);
	return (uint32_t)v;
}

static void parse_cmdline(const char *s)
{
	if (*s)
		npk_printf("cmdline %s\n", s);
	while (*s) {
		size_t len = 0;

		while (*s == ' ')
			s++;
		while (s[len] && s[len] != ' ')
			len++;
		if (!len)
			break;
		if (word_is(s, len, "npk.wait"))
			opt_wait = true;
		else if (word_is(s, len, "npk.hold"))
			opt_hold = true;
		else if (len > 11 && word_is(s, 11, "npk.frames="))
			frames_per_cpu = word_number(s, len, 11, MAX_FRAMES_PER_CPU);
		else if (len > 10 && word_is(s, 10, "npk.reads="))
			reads_per_cpu = word_number(s, len, 10, 1u << 31);
		else {
			char w[64];
			size_t n = len < sizeof(w) - 1 ? len : sizeof(w) - 1;

			for (size_t i = 0; i < n; i++)
				w[i] = s[i];
			w[n] = '\0';
			npk_fatal("command line: unknown word '%s' (known: "
				  "npk.frames=N npk.reads=N npk.wait npk.hold)", w);
		}
		s += len;
	}
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void read_memmap(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e;

	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
		npk_fatal("memory map: start_info (version %u) has none",
			  si->version);
	e = (const struct hvm_memmap_entry *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		npk_printf("memmap base=0x%lx length=0x%lx type=%u\n", e[i].addr,
			   e[i].size, e[i].type);
		if (e[i].type != E820_RAM || !e[i].size)
			continue;
		if (nusable == MAX_RANGES)
			npk_fatal("memory map: more than %u usable ranges",
				  MAX_RANGES);
		usable[nusable++] = (struct span){ e[i].addr, e[i].addr + e[i].size };
		if (e[i].addr + e[i].size > ((uint64_t)NPK_MAP_GIB << 30))
			npk_fatal("memory map: RAM up to 0x%lx, beyond the %u GiB "
				  "this kernel maps", e[i].addr + e[i].size,
				  NPK_MAP_GIB);
	}
}

static bool is_usable(uint64_t lo, uint64_t hi)
{
	for (uint32_t i = 0; i < nusable; i++)
		if (lo >= usable[i].lo && hi <= usable[i].hi)
			return true;
	return false;
}

/* SRAT ranges (whole frames) cut to the usable map above `floor`. */
static uint32_t cut_ranges(uint64_t floor)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < nsrat_ranges; i++) {
		uint64_t lo = srat_ranges[i].base_pfn << FRAME_SHIFT;
		uint64_t hi = lo + (srat_ranges[i].count << FRAME_SHIFT);

		for (uint32_t u = 0; u < nusable; u++) {
			uint64_t a = lo > usable[u].lo ? lo : usable[u].lo;
			uint64_t b = hi < usable[u].hi ? hi : usable[u].hi;

			a = align_up(a > floor ? a : floor, FRAME_BYTES);
			b &= ~(uint64_t)(FRAME_BYTES - 1);
			if (a >= b)
				continue;
			if (k == MAX_RANGES)
				npk_fatal("memory: more than %u ranges", MAX_RANGES);
			ranges[k++] = (struct np_fa_range){ a >> FRAME_SHIFT,
				(b - a) >> FRAME_SHIFT, srat_ranges[i].node };
		}
	}
	return k;
}

/* The first entry Linux's slit_valid() objects to, in words, before the
 * parser's own verdict: the report says which distance was wrong. */
static void slit_say_why(void)
{
	const uint8_t *t = tables.slit, *m = t + 44;
	uint64_t d;

	if (tables.slit_len < 44)
		return;
	d = 0;
	for (int k = 7; k >= 0; k--)           /* the locality count, LE */
		d = d << 8 | t[36 + k];
	if (d == 0 || d > 255 || 44 + d * d > tables.slit_len)
		return;
	for (uint64_t i = 0; i < d; i++)
		for (uint64_t j = 0; j < d; j++) {
			uint8_t v = m[i * d + j];

			if (i == j && v != 10)
				npk_printf("slit-invalid from=%lu to=%lu distance=%u "
					   "why=local-distance-not-10\n", i, j, v);
			else if (i != j && v <= 10)
				npk_printf("slit-invalid from=%lu to=%lu distance=%u "
					   "why=remote-distance-not-above-10\n",
					   i, j, v);
			else
				continue;
			return;
		}
}

static void parse_tables(void)
{
	int e;

	numa = (struct np_acpi_numa){ .cpus = acpi_cpus, .cpus_cap = 256,
				      .mem = acpi_mem, .mem_cap = MAX_RANGES };
	np_acpi_numa_reset(&numa);
	if (!tables.srat)
		npk_fatal("SRAT: none (QEMU gives one only with -numa)");
	if ((e = np_acpi_parse_srat(tables.srat, tables.srat_len, &numa)))
		npk_fatal("SRAT: %s", np_acpi_strerror(e));
	if (tables.slit && (e = np_acpi_parse_slit(tables.slit, tables.slit_len,
						   &numa))) {
		slit_say_why();
		npk_fatal("SLIT: %s", np_acpi_strerror(e));
	}
	if (!tables.madt)
		npk_fatal("MADT: none, so no CPU to start");
	if ((e = np_acpi_parse_madt(tables.madt, tables.madt_len, &numa)))
		npk_fatal("MADT: %s", np_acpi_strerror(e));
	ncpus = numa.ncpus;
	if (ncpus == 0 || ncpus > NPK_MAX_CPUS)
		npk_fatal("MADT: %u CPUs (this kernel handles 1 to %u)", ncpus,
			  NPK_MAX_CPUS);
}

/* The allocator over the usable frames, its metadata and the CPUs' caches
 * in the boot heap right after the image. */
static void boot_allocator(void)
{
	struct np_fa_acpi_storage st = { srat_ranges, MAX_RANGES, dist, has_cpus };
	uint64_t heap = align_up((uint64_t)(uintptr_t)npk_image_end, 4096);
	size_t meta, cache_bound, cache_bytes;
	uint8_t *p;
	int e;

	if ((e = np_fa_config_from_acpi(&numa, FRAME_SHIFT, false, &st, &cfg)))
		npk_fatal("allocator: the SRAT gives no node or no whole frame "
			  "(np_fa_config_from_acpi: %d)", e);
	/* An upper bound first (every frame above the image), then the
	 * real cut above the heap: fewer frames, less metadata. */
	nsrat_ranges = cfg.nranges;
	cfg.ranges = ranges;
	cfg.nranges = cut_ranges(heap);
	meta = align_up(np_fa_meta_bytes(&cfg), 64);
	if (!meta)
		npk_fatal("allocator: np_fa_meta_bytes refuses the configuration");
	/* list + stats + (6 * 63 + 1) slots per node: Linux's largest batch */
	cache_bound = align_up(numa.nnodes * (sizeof(struct np_fa_list) +
		sizeof(struct np_fa_pcp_stat) + 8 * 380) + 192, 64);
	reserved_end = align_up(heap + meta + ncpus * cache_bound +
				(uint64_t)ncpus * frames_per_cpu * 9, 1 << 21);
	if (!is_usable(heap, reserved_end))
		npk_fatal("memory: the boot heap 0x%lx-0x%lx is not usable RAM",
			  heap, reserved_end);
	cfg.nranges = cut_ranges(reserved_end);
	if (!cfg.nranges)
		npk_fatal("memory: no usable frame above the kernel");
	p = (uint8_t *)(uintptr_t)heap;
	if ((e = np_fa_init(&fa, &cfg, p, np_fa_meta_bytes(&cfg))))
		npk_fatal("allocator: np_fa_init: %d", e);
	p += meta;
	cache_bytes = np_fa_cache_bytes(&fa);
	if (cache_bytes > cache_bound)
		npk_fatal("allocator: a cache needs %lu bytes, more than the %lu "
			  "reserved", (uint64_t)cache_bytes, (uint64_t)cache_bound);
	for (uint32_t c = 0; c < ncpus; c++) {
		int node = np_fa_acpi_cpu_node(&numa, c);

		if ((e = np_fa_cache_attach(&fa, &caches[c], p + c * cache_bound,
					    cache_bound, (uint32_t)node)))
			npk_fatal("allocator: CPU %u's cache on node %d: %d", c,
				  node, e);
	}
	pfn_arrays = (uint64_t *)(uintptr_t)(p + ncpus * cache_bound);
	node_arrays = (uint8_t *)(pfn_arrays + (uint64_t)ncpus * frames_per_cpu);
	for (uint32_t i = 0; i < numa.nnodes; i++)
		node_frames[i] = np_fa_node_free_frames(&fa, i);
}

/* ---- the report's topology part --------------------------------------- */
static void print_topology(void)
{
	npk_printf("tables rsdp=0x%lx from=%s bios_scan=0x%lx root=%s srat=0x%lx "
		   "slit=0x%lx madt=0x%lx\n", tables.rsdp, tables.rsdp_from,
		   npk_acpi_scan_bios(), tables.root,
		   (uint64_t)(uintptr_t)tables.srat, (uint64_t)(uintptr_t)tables.slit,
		   (uint64_t)(uintptr_t)tables.madt);
	npk_printf("machine nodes=%u cpus=%u apic=%s reserved_bytes=0x%lx "
		   "frame_bytes=%u\n", numa.nnodes, ncpus,
		   npk_apic_x2() ? "x2apic" : "xapic", reserved_end, FRAME_BYTES);
	for (uint32_t i = 0; i < numa.nnodes; i++) {
		char row[400], *o = row;
		size_t left = sizeof(row);
		uint32_t nc = 0;

		for (uint32_t j = 0; j < numa.nnodes && left > 8; j++) {
			unsigned d = cfg.distance ? cfg.distance[i * numa.nnodes + j]
						  : (i == j ? 10 : 20);

			npk_snprintf(o, left, "%s%u", j ? "," : "", d);
			while (*o) {
				o++;
				left--;
			}
		}
		for (uint32_t c = 0; c < ncpus; c++)
			nc += numa.cpus[c].node == i;
		npk_printf("node %u pxm=%u cpus=%u memory_bytes=%lu frames=%lu "
			   "batch=%u high=%u distances=%s\n", i, numa.pxm[i],
			   nc, np_acpi_node_bytes(&numa, i),
			   node_frames[i], fa.node[i].batch, fa.node[i].high, row);
	}
	for (uint32_t i = 0; i < numa.nmem; i++)
		npk_printf("srat-range node=%u base=0x%lx length=0x%lx\n",
			   numa.mem[i].node, numa.mem[i].base, numa.mem[i].length);
	for (uint32_t i = 0; i < fa.nranges; i++)
		npk_printf("frames-range node=%u base_pfn=0x%lx count=%lu\n",
			   fa.range[i].node, fa.range[i].base_pfn, fa.range[i].count);
}

/* ---- seed 000's workload ----------------------------------------------- */
enum phase { PH_LOCAL, PH_BIND, PH_INTERLEAVE, PH_STRICT, NPHASES };

static const char *const phase_name[NPHASES] = {
	"local", "bind", "interleave", "strict",
};

struct cpu_work {
	uint64_t *pfn;                                /* [frames_per_cpu] */
	uint8_t *node;                                /* [frames_per_cpu] */
	uint64_t frames[NPHASES][NP_FA_MAX_NODES];   /* allocated, per node */
	uint64_t alloc_cycles, free_cycles;           /* local phase */
	uint64_t phase_cycles[NPHASES];               /* working, not waiting */
	uint64_t strict_head;                         /* strict: a list through the frames */
	uint64_t rng;
	uint64_t checked, errors;
	char first_error[160];
	struct np_fa_policy pol;
} __attribute__((aligned(64)));

static struct cpu_work work[NPK_MAX_CPUS];
static uint32_t bind_node, strict_node;
static uint64_t mem_set;                      /* nodes with memory */
static uint64_t stat_before[NP_FA_MAX_NODES][NP_FA_NR_STATS];
static uint64_t stat_delta[NPHASES][NP_FA_MAX_NODES][NP_FA_NR_STATS];
static int check_held[NPHASES], check_freed[NPHASES];
static atomic_uint bar_count, bar_gen;
static uint64_t t_start, t_end;

static void barrier(uint32_t cpu, const char *where)
{
	unsigned gen = atomic_load(&bar_gen);
	uint64_t t0 = rdtsc();

	if (atomic_fetch_add(&bar_count, 1) == ncpus - 1) {
		atomic_store(&bar_count, 0);
		atomic_fetch_add(&bar_gen, 1);
		return;
	}
	while (atomic_load(&bar_gen) == gen) {
		cpu_relax();
		if (cpu == bsp && rdtsc() - t0 > BARRIER_TIMEOUT)
			npk_fatal("CPUs: only %u of %u reached %s",
				  atomic_load(&bar_count), ncpus, where);
	}
}

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64 */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t pattern(uint64_t pfn, uint32_t word)
{
	return pfn * 0x9e3779b97f4a7c15ull + word;
}

static uint64_t *frame_words(uint64_t pfn)
{
	return (uint64_t *)(uintptr_t)(pfn << FRAME_SHIFT);
}

static void fail(struct cpu_work *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->errors++) {
		va_start(ap, fmt);
		npk_vsnprintf(w->first_error, sizeof(w->first_error), fmt, ap);
		va_end(ap);
	}
}

/* The frame lies in an SRAT range of its node, in usable RAM, above the
 * kernel: what the allocator must guarantee for every frame. */
static void check_frame(struct cpu_work *w, uint64_t pfn, uint32_t node)
{
	uint64_t lo = pfn << FRAME_SHIFT, hi = lo + FRAME_BYTES;
	bool in_srat = false;

	w->checked++;
	for (uint32_t i = 0; i < numa.nmem && !in_srat; i++)
		in_srat = numa.mem[i].node == node && lo >= numa.mem[i].base &&
			  hi <= numa.mem[i].base + numa.mem[i].length;
	if (!in_srat)
		fail(w, "frame 0x%lx: not in an SRAT range of node %u", pfn, node);
	else if (np_fa_pfn_node(&fa, pfn) != (int)node)
		fail(w, "frame 0x%lx: of node %d, the allocator said %u", pfn,
		     np_fa_pfn_node(&fa, pfn), node);
	else if (lo < reserved_end || !is_usable(lo, hi))
		fail(w, "frame 0x%lx: not usable RAM above the kernel", pfn);
}

/* What the policy allows, with every node far from full: local gets the
 * CPU's nearest node with memory, bind its node, interleave one of its set. */
static void check_policy(struct cpu_work *w, enum phase p, uint32_t node,
			 const struct np_fa_cache *c)
{
	if ((p == PH_LOCAL && node != c->local_pref) ||
	    (p == PH_BIND && node != bind_node) ||
	    (p == PH_INTERLEAVE && !(mem_set & (1ull << node))))
		fail(w, "%s: a frame from node %u, which the policy does not "
		     "give a CPU of node %u", phase_name[p], node, c->node);
}

static struct np_fa_policy phase_policy(enum phase p)
{
	switch (p) {
	case PH_BIND:
		return (struct np_fa_policy){ .mode = NP_FA_BIND,
					      .nodes = 1ull << bind_node };
	case PH_INTERLEAVE:
		return (struct np_fa_policy){ .mode = NP_FA_INTERLEAVE,
					      .nodes = mem_set };
	case PH_STRICT:
		return (struct np_fa_policy){ .mode = NP_FA_BIND,
					      .flags = NP_FA_STRICT,
					      .nodes = 1ull << strict_node };
	default:
		return (struct np_fa_policy){ .mode = NP_FA_LOCAL };
	}
}

/* Allocate frames_per_cpu frames, check them, fill them. */
static void alloc_phase(uint32_t cpu, enum phase p)
{
	struct cpu_work *w = &work[cpu];
	struct np_fa_cache *c = &caches[cpu];
	uint64_t t0 = rdtsc();

	w->pol = phase_policy(p);
	for (uint32_t i = 0; i < frames_per_cpu; i++) {
		uint32_t node;
		int e = np_fa_alloc(c, &w->pol, 0, &w->pfn[i], &node);

		if (e) {
			fail(w, "%s: allocation %u failed: %d", phase_name[p], i, e);
			w->pfn[i] = 0;
			continue;
		}
		w->frames[p][node]++;
		w->node[i] = (uint8_t)node;
	}
	if (p == PH_LOCAL)
		w->alloc_cycles = rdtsc() - t0;
	for (uint32_t i = 0; i < frames_per_cpu; i++) {
		uint64_t *f;

		if (!w->pfn[i])
			continue;
		check_frame(w, w->pfn[i], w->node[i]);
		check_policy(w, p, w->node[i], c);
		f = frame_words(w->pfn[i]);
		for (uint32_t k = 0; k < WORDS; k++)
			f[k] = pattern(w->pfn[i], k);
	}
}

/* Read back in a random order, then free. */
static void free_phase(uint32_t cpu, enum phase p)
{
	struct cpu_work *w = &work[cpu];
	uint64_t t0;

	for (uint32_t r = 0; r < reads_per_cpu; r++) {
		uint64_t x = next_rand(&w->rng);
		uint32_t i = (uint32_t)(x % frames_per_cpu);
		uint32_t k = (uint32_t)((x >> 32) % WORDS);

		if (w->pfn[i] && frame_words(w->pfn[i])[k] != pattern(w->pfn[i], k))
			fail(w, "%s: frame 0x%lx word %u changed", phase_name[p],
			     w->pfn[i], k);
	}
	t0 = rdtsc();
	for (uint32_t i = 0; i < frames_per_cpu; i++)
		if (w->pfn[i]) {
			int e = np_fa_free(&caches[cpu], w->pfn[i], 0);

			if (e)
				fail(w, "%s: free of 0x%lx: %d", phase_name[p],
				     w->pfn[i], e);
		}
	if (p == PH_LOCAL)
		w->free_cycles = rdtsc() - t0;
}

/* Strict on one node: take frames until the node has none left; each
 * frame holds the list's next frame and a pattern. */
static void strict_alloc(uint32_t cpu)
{
	struct cpu_work *w = &work[cpu];
	uint64_t pfn;
	uint32_t node;
	int e;

	w->pol = phase_policy(PH_STRICT);
	w->strict_head = 0;
	while ((e = np_fa_alloc(&caches[cpu], &w->pol, 0, &pfn, &node)) == 0) {
		uint64_t *f = frame_words(pfn);

		w->frames[PH_STRICT][node]++;
		if (node != strict_node)
			fail(w, "strict: frame 0x%lx from node %u, not %u", pfn,
			     node, strict_node);
		check_frame(w, pfn, node);
		f[0] = w->strict_head;
		f[1] = pattern(pfn, 1);
		w->strict_head = pfn;
	}
	if (e != NP_FA_ENOMEM)
		fail(w, "strict: ended with %d, not ENOMEM", e);
}

static void strict_free(uint32_t cpu)
{
	struct cpu_work *w = &work[cpu];
	uint64_t pfn = w->strict_head;

	while (pfn) {
		uint64_t *f = frame_words(pfn), next = f[0];
		int e;

		if (f[1] != pattern(pfn, 1))
			fail(w, "strict: frame 0x%lx changed", pfn);
		if ((e = np_fa_free(&caches[cpu], pfn, 0)))
			fail(w, "strict: free of 0x%lx: %d", pfn, e);
		pfn = next;
	}
	w->strict_head = 0;
}

static void snapshot_stats(void)
{
	for (uint32_t i = 0; i < numa.nnodes; i++)
		np_fa_node_stats(&fa, i, stat_before[i]);
}

static void bsp_check(enum phase p, bool held)
{
	uint64_t in_use[NP_FA_MAX_NODES] = { 0 };

	if (held)
		for (uint32_t c = 0; c < ncpus; c++)
			for (uint32_t i = 0; i < numa.nnodes; i++)
				in_use[i] += work[c].frames[p][i];
	if (held) {
		check_held[p] = np_fa_check(&fa, in_use);
		return;
	}
	check_freed[p] = np_fa_check(&fa, in_use);
	for (uint32_t i = 0; i < numa.nnodes; i++) {
		uint64_t now[NP_FA_NR_STATS];

		np_fa_node_stats(&fa, i, now);
		for (int k = 0; k < NP_FA_NR_STATS; k++)
			stat_delta[p][i][k] = now[k] - stat_before[i][k];
	}
	snapshot_stats();
}

/* Every CPU runs this; the BSP checks while the others wait. */
static void run_workload(uint32_t cpu)
{
	work[cpu].pfn = pfn_arrays + (uint64_t)cpu * frames_per_cpu;
	work[cpu].node = node_arrays + (uint64_t)cpu * frames_per_cpu;
	work[cpu].rng = 0x2545f4914f6cdd1dull ^ ((uint64_t)cpu << 32 | (cpu + 1));
	barrier(cpu, "the start");
	if (cpu == bsp)
		t_start = rdtsc();
	for (int p = 0; p < NPHASES; p++) {
		uint64_t t0 = rdtsc(), t1;

		if (p == PH_STRICT)
			strict_alloc(cpu);
		else
			alloc_phase(cpu, (enum phase)p);
		work[cpu].phase_cycles[p] = rdtsc() - t0;
		barrier(cpu, "the end of an allocation phase");
		if (cpu == bsp)
			bsp_check((enum phase)p, true);
		barrier(cpu, "the check of held frames");
		t1 = rdtsc();
		if (p == PH_STRICT)
			strict_free(cpu);
		else
			free_phase(cpu, (enum phase)p);
		work[cpu].phase_cycles[p] += rdtsc() - t1;
		barrier(cpu, "the end of a free phase");
		if (cpu == bsp)
			bsp_check((enum phase)p, false);
		barrier(cpu, "the check of freed frames");
	}
	if (cpu == bsp)
		t_end = rdtsc();
}

void npk_ap_entry(uint32_t index)
{
	atomic_store(&cpu_seen_apic[index], npk_apic_id() + 1);
	npk_ap_started();
	run_workload(index);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* ---- the report ---------------------------------------------------------- */
static const char *const stat_name[NP_FA_NR_STATS] = {
	"numa_hit", "numa_miss", "numa_foreign", "interleave_hit",
	"local_node", "other_node",
};

static unsigned print_results(void)
{
	unsigned failed = 0;

	npk_printf("workload frames_per_cpu=%u reads_per_cpu=%u bind_node=%u "
		   "strict_node=%u interleave_nodes=0x%lx\n", frames_per_cpu,
		   reads_per_cpu, bind_node, strict_node, mem_set);
	for (int p = 0; p < NPHASES; p++) {
		for (uint32_t i = 0; i < numa.nnodes; i++) {
			char line[300], *o = line;

			for (int k = 0; k < NP_FA_NR_STATS; k++) {
				npk_snprintf(o, sizeof(line) - (size_t)(o - line),
					     " %s=%lu", stat_name[k],
					     stat_delta[p][i][k]);
				while (*o)
					o++;
			}
			npk_printf("counters phase=%s node=%u%s\n", phase_name[p],
				   i, line);
		}
		for (uint32_t c = 0; c < ncpus; c++) {
			char line[1100], *o = line;   /* 64 nodes of 16 digits */

			*o = '\0';
			for (uint32_t i = 0; i < numa.nnodes; i++) {
				npk_snprintf(o, sizeof(line) - (size_t)(o - line),
					     "%s%lu", i ? "," : "",
					     work[c].frames[p][i]);
				while (*o)
					o++;
			}
			npk_printf("frames phase=%s cpu=%u per_node=%s\n",
				   phase_name[p], c, line);
		}
		npk_printf("check phase=%s held=%s freed=%s\n", phase_name[p],
			   check_held[p] ? "corrupt" : "ok",
			   check_freed[p] ? "corrupt" : "ok");
		failed += (check_held[p] != 0) + (check_freed[p] != 0);
	}
	for (uint32_t c = 0; c < ncpus; c++) {
		struct cpu_work *w = &work[c];

		npk_printf("cpu-result cpu=%u frames_checked=%lu errors=%lu "
			   "alloc_cycles_per_frame=%lu free_cycles_per_frame=%lu\n",
			   c, w->checked, w->errors,
			   w->alloc_cycles / frames_per_cpu,
			   w->free_cycles / frames_per_cpu);
		if (w->errors) {
			npk_printf("error cpu %u: %s\n", c, w->first_error);
			failed++;
		}
	}
	for (int p = 0; p < NPHASES; p++) {
		uint64_t mx = 0, sum = 0;

		for (uint32_t c = 0; c < ncpus; c++) {
			sum += work[c].phase_cycles[p];
			mx = work[c].phase_cycles[p] > mx ? work[c].phase_cycles[p] : mx;
		}
		npk_printf("time phase=%s cpu_cycles_max=%lu cpu_cycles_sum=%lu\n",
			   phase_name[p], mx, sum);
	}
	npk_printf("time workload_cycles=%lu\n", t_end - t_start);
	return failed;
}

static void start_cpus(void)
{
	uint32_t me = npk_apic_id();

	bsp = ncpus;
	for (uint32_t c = 0; c < ncpus; c++) {
		cpu_apic[c] = numa.cpus[c].apic_id;
		if (cpu_apic[c] == me)
			bsp = c;
	}
	if (bsp == ncpus)
		npk_fatal("MADT: the boot CPU's APIC id %u is not listed", me);
	atomic_store(&cpu_seen_apic[bsp], me + 1);
	for (uint32_t c = 0; c < ncpus; c++) {
		if (c == bsp)
			continue;
		if (!npk_start_ap(cpu_apic[c], c))
			npk_fatal("CPU %u (APIC id %u): no answer to INIT-SIPI-SIPI",
				  c, cpu_apic[c]);
	}
}

static void print_cpus(void)
{
	for (uint32_t c = 0; c < ncpus; c++)
		npk_printf("cpu %u apic_id=%u node=%u madt=%s boot=%s "
			   "apic_id_seen=%u\n", c, cpu_apic[c], numa.cpus[c].node,
			   numa.cpus[c].x2apic ? "x2apic" : "lapic",
			   c == bsp ? "yes" : "no",
			   atomic_load(&cpu_seen_apic[c]) - 1);
}

static void pick_nodes(void)
{
	int kernel_node = np_fa_pfn_node(&fa, reserved_end >> FRAME_SHIFT);

	mem_set = fa.mem_nodes;
	for (uint32_t i = 0; i < numa.nnodes; i++)
		if (mem_set & (1ull << i))
			bind_node = i;
	/* the last node with memory that does not hold the kernel */
	strict_node = bind_node;
	for (uint32_t i = 0; i < numa.nnodes; i++)
		if ((mem_set & (1ull << i)) && (int)i != kernel_node)
			strict_node = i;
}

static void hold(void)
{
	if (opt_hold) {
		npk_printf("hold\n");
		npk_serial_getc();
	}
}

void npk_main(uint32_t start_info);
void npk_main(uint32_t start_info)
{
	const struct hvm_start_info *si =
		(const struct hvm_start_info *)(uintptr_t)start_info;
	unsigned failed;

	npk_serial_init();
	npk_idt_load();
	npk_printf("npk numaplace test kernel 1\n");
	if (si->magic != HVM_START_MAGIC)
		npk_fatal("boot: no PVH start_info at 0x%x (magic 0x%x)",
			  start_info, si->magic);
	if (si->cmdline_paddr)
		parse_cmdline((const char *)(uintptr_t)si->cmdline_paddr);
	read_memmap(si);
	npk_acpi_find(si->rsdp_paddr, &tables);
	parse_tables();
	npk_apic_init();
	boot_allocator();
	print_topology();
	pick_nodes();
	snapshot_stats();
	start_cpus();
	print_cpus();
	if (opt_wait) {
		npk_printf("wait\n");
		npk_serial_getc();
	}
	for (uint32_t c = 0; c < ncpus; c++)
		if (atomic_load(&cpu_seen_apic[c]) - 1 != cpu_apic[c])
			npk_fatal("CPU %u: runs with APIC id %u, the MADT says %u",
				  c, atomic_load(&cpu_seen_apic[c]) - 1, cpu_apic[c]);
	run_workload(bsp);
	failed = print_results();
	if (failed) {
		npk_printf("result fail failed=%u\n", failed);
		hold();
		npk_exit(1);
	}
	npk_printf("result pass\n");
	hold();
	npk_exit(0);
}
