/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The NUMA topology of a Linux host: nodes, their CPUs and memory, the
 * distance matrix, hugepages, free memory by buddy order, numastat
 * counters, memory tiers and weighted-interleave weights.
 *
 * Sources: the live machine ("/"), a sysfs dump directory (any root that
 * holds sys/ and proc/ in the kernel's layout), numaplace's own JSON, or
 * an hwloc XML file.  The node layer is read from sysfs through a root
 * directory fd and never waits for hwloc; the CPU structure (packages,
 * cores, SMT, caches) and HMAT memory attributes come from hwloc and are
 * loaded only by np_topo_load_cpu_structure().
 *
 * Node ids are the kernel's: they may be non-contiguous.  A node may have
 * no CPUs (CXL memory expander) or no memory.  nodes[] is in ascending id
 * order and every per-node array of the whole machine is indexed by the
 * position in nodes[], never by id.
 *
 * Ownership: np_topo_* constructors return a topology the caller frees
 * with np_topo_free(); everything reachable from it belongs to it.
 */
#ifndef NUMAPLACE_TOPO_H
#define NUMAPLACE_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Unknown quantity (e.g. free memory in an hwloc XML input). */
#define NP_UNKNOWN UINT64_MAX

/*
 * The largest count or byte size a topology holds, from any source: what
 * JSON's integers (int64) carry, so what `topo --json` writes reads back.
 * A meminfo value in kB must also fit this in bytes.  Larger values are
 * refused by every loader, never clamped.
 */
#define NP_TOPO_MAX_VALUE ((uint64_t)INT64_MAX)

struct np_hugepages {
	uint64_t size_bytes; /* page size: 2097152, 1073741824, ... */
	uint64_t total;      /* pages in the pool (nr_hugepages) */
	uint64_t free;       /* pages not in use */
	uint64_t surplus;    /* overcommitted pages above total */
};

struct np_counter {
	char name[32]; /* kernel spelling: "MemTotal", "Active(anon)" */
	uint64_t value;
	bool is_kib;   /* value is in KiB (meminfo "kB"), else a count */
};

/*
 * Linux's per-node NUMA counters (nodeN/numastat, numastat(8)): the one
 * counter type of the library, for the kernel's counters and for a frame
 * pool's (np_frames_stats(); the core's are converted in frames.c).
 */
struct np_node_numastat {
	uint64_t numa_hit, numa_miss, numa_foreign;
	uint64_t interleave_hit, local_node, other_node;
};

/* The counters in the kernel's order, by position k < NP_NUMASTAT_COUNTERS:
 * np_numastat_name(0) is "numa_hit", np_numastat_get(s, 0) s->numa_hit. */
#define NP_NUMASTAT_COUNTERS 6
const char *np_numastat_name(unsigned k);
uint64_t np_numastat_get(const struct np_node_numastat *s, unsigned k);

/* What hwloc says about the CPUs and caches of one node. */
struct np_cache_level {
	unsigned depth;       /* 1, 2, 3 ... */
	char type;            /* 'd' data, 'i' instruction, 'u' unified */
	uint64_t size_bytes;  /* of one instance */
	unsigned count;       /* instances whose CPUs lie in this node */
};

struct np_node_cpu_structure {
	unsigned packages, dies, cores, pus;
	unsigned ncache_levels;
	struct np_cache_level cache_levels[8];
	/* HMAT values from this node's CPUs to its own memory, 0 = unknown */
	uint64_t local_bandwidth_mibps;
	uint64_t local_latency_ns;
};

struct np_node {
	unsigned id;

	unsigned *cpus;            /* ascending CPU numbers */
	size_t ncpus;

	uint64_t total_bytes;      /* MemTotal, or NP_UNKNOWN */
	uint64_t free_bytes;       /* MemFree, or NP_UNKNOWN */

	bool has_cpus;             /* in has_cpu (N_CPU) */
	bool has_memory;           /* in has_memory (N_MEMORY) */
	bool has_normal_memory;    /* in has_normal_memory */

	struct np_hugepages *hugepages; /* ascending size_bytes */
	size_t nhugepages;

	/* free_blocks_by_order[k]: free blocks of 2^k pages, all zones. */
	uint64_t *free_blocks_by_order;
	size_t norders;            /* 0 when buddyinfo was not available */
	uint64_t page_size_bytes;  /* base page of the buddy counts */

	bool has_numastat;
	struct np_node_numastat numastat;

	struct np_counter *meminfo; /* every field of nodeN/meminfo */
	size_t nmeminfo;

	bool has_cpu_structure;    /* filled by np_topo_load_cpu_structure */
	struct np_node_cpu_structure cpu_structure;
};

struct np_memory_tier {
	unsigned id;        /* N of memory_tierN (lower = faster) */
	unsigned *nodes;
	size_t nnodes;
};

struct np_weighted_interleave {
	bool present;       /* the kernel has weighted interleave */
	bool has_auto;      /* the kernel exposes the auto-tuning switch */
	bool auto_enabled;
	char auto_file[32]; /* the switch's file name as the kernel spells it */
	/* weights[i] for nodes[i]; 0 = no weight file for that node */
	unsigned *weights;
};

enum np_topo_source_kind {
	NP_TOPO_SYSFS,      /* live "/" or a dump directory */
	NP_TOPO_JSON,       /* numaplace JSON */
	NP_TOPO_HWLOC_XML,  /* hwloc XML */
};

struct np_topo {
	enum np_topo_source_kind source;
	char *origin;             /* root dir or file it came from */

	/* The kernel has no NUMA (no sys/devices/system/node): nodes[] is
	 * one implicit node 0 with every online CPU and /proc/meminfo's
	 * memory, and there are no distances. */
	bool not_numa;

	struct np_node *nodes;    /* ascending id */
	size_t nnodes;

	unsigned *possible_nodes; /* may be NULL when unknown */
	size_t npossible;
	unsigned *online_nodes;
	size_t nonline;

	/* distances[i * nnodes + j], node i to node j by position; NULL or
	 * all zero when unknown.  Asymmetric matrices are kept as read. */
	uint32_t *distances;

	struct np_memory_tier *tiers; /* ascending tier id */
	size_t ntiers;

	struct np_weighted_interleave wi;

	/* Hugepagesize of proc/meminfo (the pool HugePages_* describe), or
	 * NP_UNKNOWN when the source does not say (dumps without it). */
	uint64_t default_hugepage_bytes;

	void *hwloc;              /* hwloc_topology_t once loaded */
};

/*
 * What to read from sysfs.  The basic part is what `numactl -H` shows and
 * is always read: node ids, CPUs, meminfo, distances.  Reading only that
 * keeps `numaplace topo` as fast as numactl; JSON and -v read everything.
 */
enum np_topo_parts {
	NP_TOPO_BASIC = 0,
	NP_TOPO_COUNTERS = 1u << 0, /* numastat, hugepages, buddyinfo */
	NP_TOPO_MACHINE = 1u << 1,  /* node state masks, tiers, interleave */
	NP_TOPO_ALL = NP_TOPO_COUNTERS | NP_TOPO_MACHINE,
};

/*
 * Reads the live machine (root "/") or a dump whose root is `root`: every
 * part.  np_topo_from_sysroot_parts() reads the basic part plus `parts`;
 * a file is checked only if it is read.
 */
int np_topo_from_sysroot(const char *root, struct np_topo **out,
			 struct np_err *err);
int np_topo_from_sysroot_parts(const char *root, unsigned parts,
			       struct np_topo **out, struct np_err *err);

/* Reads numaplace JSON or hwloc XML (told apart by content). */
int np_topo_from_file(const char *path, struct np_topo **out,
		      struct np_err *err);

/* Parses numaplace JSON from a buffer (need not be NUL-terminated). */
int np_topo_from_json(const char *buf, size_t len, struct np_topo **out,
		      struct np_err *err);

void np_topo_free(struct np_topo *t);

/* Position of node `id` in t->nodes, or -1. */
long np_topo_node_index(const struct np_topo *t, unsigned id);

/* Distance from node a to node b by id; 0 when unknown. */
unsigned np_topo_distance(const struct np_topo *t, unsigned a, unsigned b);

/* Position in t->nodes of the node holding CPU cpu, or -1. */
long np_topo_node_of_cpu(const struct np_topo *t, unsigned cpu);

/*
 * Position of the node whose memory a thread on `cpu` uses by default:
 * its own node, or, when that has none (MemTotal 0), the nearest node
 * with memory (the first of equally near ones), as the kernel's local
 * policy does.  A node whose MemTotal is unknown counts as having memory.
 * -1 when no node has memory.
 */
long np_topo_memory_node_near_cpu(const struct np_topo *t, unsigned cpu);

/* Every node id / CPU id of t, as sets: 0 or -ENOMEM. */
int np_topo_node_set(const struct np_topo *t, struct np_idset *out);
int np_topo_cpu_set(const struct np_topo *t, struct np_idset *out);

/* -EINVAL (class input) with "node N does not exist" or "node N has no
 * memory" for the first such node of s. */
int np_nodes_have_memory(const struct np_topo *t, const struct np_idset *s,
			 struct np_err *err);

/*
 * The CPUs of `nodes` (ascending), only those in `within` when it is not
 * NULL (the task's cpuset).  -EINVAL (class input) naming a node that
 * does not exist or has no CPUs; -ENOMEM.
 */
int np_topo_cpus_of_nodes(const struct np_topo *t, const struct np_idset *nodes,
			  const struct np_idset *within, struct np_idset *out,
			  struct np_err *err);

/*
 * Loads hwloc and fills each node's cpu_structure.  A live topology loads
 * the running machine; a dump uses `<root>/hwloc.xml` (which the capture
 * script writes); an hwloc XML input is already loaded.  -ENOENT when the
 * source has no CPU structure (numaplace JSON, a dump without hwloc.xml).
 */
int np_topo_load_cpu_structure(struct np_topo *t, struct np_err *err);

/*
 * Text rendering.  NP_TEXT_NUMACTL gives exactly the bytes `numactl -H`
 * (numactl 2.0.16) prints for the same machine (for a kernel without
 * NUMA, its "No NUMA available on this system"; numactl then exits 1).  NP_TEXT_VERBOSE appends
 * per-node detail: kind, hugepages, free memory by block size, numastat,
 * CPU structure (when loaded), then memory tiers and interleave weights.
 * `note` (may be NULL) is printed in the verbose part as the reason the
 * CPU structure is missing.  Caller frees *out.
 */
enum np_text_flags {
	NP_TEXT_NUMACTL = 0,
	NP_TEXT_VERBOSE = 1,
};
int np_topo_to_text(const struct np_topo *t, unsigned flags, const char *note,
		    char **out, size_t *len);

/* JSON rendering (schema in docs/topo-json.md); caller frees *out. */
int np_topo_to_json(const struct np_topo *t, char **out, size_t *len);

/* hwloc XML of the source (requires the CPU structure); caller frees. */
int np_topo_to_hwloc_xml(struct np_topo *t, char **out, size_t *len,
			 struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
