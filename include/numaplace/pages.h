/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where a process's memory is: /proc/PID/numa_maps parsed per mapping into
 * kinds and per-node bytes, with the policy the kernel applies to each.
 */
#ifndef NUMAPLACE_PAGES_H
#define NUMAPLACE_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>

#ifdef __cplusplus
extern "C" {
#endif

enum np_mem_kind {
	NP_KIND_HEAP,      /* anonymous: the brk heap */
	NP_KIND_STACK,     /* anonymous: the main stack */
	NP_KIND_ANON,      /* other anonymous memory (mmap, thread stacks) */
	NP_KIND_FILE,      /* page cache of mapped files */
	NP_KIND_SHMEM,     /* tmpfs, /dev/shm, SysV shm, memfd, shared anon */
	NP_KIND_HUGETLB,   /* hugetlbfs pages */
	NP_NKINDS,
};

const char *np_mem_kind_name(enum np_mem_kind kind);

struct np_node_pages {
	unsigned node;
	uint64_t pages;    /* in units of the mapping's page size */
};

struct np_mapping {
	uint64_t start;
	enum np_mem_kind kind;
	char policy[64];       /* as numa_maps writes it: "bind:1", "default" */
	char *path;            /* file=..., or NULL */
	uint64_t page_bytes;   /* kernelpagesize_kB * 1024 (4096 if absent) */
	struct np_node_pages *nodes;  /* ascending node */
	size_t nnodes;
	uint64_t thp_bytes;    /* AnonHugePages from smaps (0 if unknown) */
};

struct np_numa_maps {
	struct np_mapping *maps;
	size_t n;
};

void np_numa_maps_free(struct np_numa_maps *m);

/* Parses numa_maps text (not necessarily NUL-terminated): 0, -EINVAL with
 * err naming the bad line (class input), -ENOMEM; out is empty on error. */
int np_parse_numa_maps(const char *buf, size_t len, struct np_numa_maps *out,
		       struct np_err *err);

/*
 * Fills thp_bytes of each mapping from smaps text (AnonHugePages per VMA,
 * matched by start address); lines it does not know are skipped.
 */
void np_numa_maps_add_smaps(struct np_numa_maps *m, const char *smaps,
			    size_t len);

/* Reads <root>/proc/<pid>/numa_maps (and smaps for THP, if readable). */
int np_numa_maps_read(const char *root, pid_t pid, struct np_numa_maps *out,
		      struct np_err *err);

/*
 * The node of every page of [addr, addr + len) in the calling process
 * (move_pages(2) with no target nodes): nodes[i] for the i-th page of
 * page_bytes, or a negative errno for a page that is not there (-ENOENT:
 * never touched).  Returns 0 or a negative errno.
 */
int np_pages_nodes(const void *addr, size_t len, size_t page_bytes,
		   int *nodes, struct np_err *err);

/*
 * Bytes of [addr, addr + len) of the calling process in transparent huge
 * pages: AnonHugePages (smaps) of the mappings that start in the range
 * (a range that starts its own mappings, as an mmap'ed region does).
 * 0 when none, or when smaps cannot be read.
 */
uint64_t np_pages_thp_bytes(const void *addr, size_t len);

/* The command name of a process (proc/<pid>/comm below root). */
int np_proc_comm(const char *root, pid_t pid, char *comm, size_t len);

/*
 * The nodes a numa_maps policy names ("bind:1-2" → 1,2; "prefer:0";
 * "interleave:0,2"; "prefer (many):1,3"; "weighted interleave:0-1") into
 * *nodes (zero it first; the caller frees it); returns their count (0 for
 * default/local, which allow every node, and for a node list it cannot
 * read) or -ENOMEM; the mode word ("bind", "prefer", ...) in mode.
 */
int np_policy_nodes(const char *policy, struct np_idset *nodes, char *mode,
		    size_t mode_len);

/* ---- placement: where a process's memory is, and why ---------------- */

struct np_placement_node {
	unsigned node;
	uint64_t bytes[NP_NKINDS];   /* by enum np_mem_kind */
};

/*
 * Pages on a node that their mapping's policy does not name, grouped by
 * node, kind, path, policy and reason.  path and policy point into the
 * numa_maps the placement was made from (keep it alive); reason is a
 * static sentence saying why such pages sit there.
 */
struct np_placement_outside {
	unsigned node;
	enum np_mem_kind kind;
	const char *path;
	const char *policy;
	const char *reason;
	uint64_t bytes;
};

struct np_placement {
	struct np_placement_node *nodes;   /* ascending node */
	size_t nnodes;
	uint64_t thp_bytes;   /* anonymous memory in transparent huge pages */
	struct np_placement_outside *outside;   /* in numa_maps order */
	size_t noutside;
};

/* Adds a numa_maps to w (zero-initialised first): 0 or -ENOMEM. */
int np_placement_account(struct np_placement *w,
			 const struct np_numa_maps *maps, struct np_err *err);
void np_placement_free(struct np_placement *w);

#ifdef __cplusplus
}
#endif

#endif
