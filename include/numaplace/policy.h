/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory policies and the node and CPU strings that name their nodes.
 *
 * Node strings follow numactl(8): "1", "0-3", "0,2-3", "all", "!1"
 * (every allowed node but 1), "+0-1" (the first two nodes of the task's
 * cpuset), "!+0".  CPU strings have the same forms over CPUs.  Unlike
 * libnuma, ids are decimal only, "!" inverts within the allowed set also
 * when node ids are sparse, and errors say which id is wrong and why
 * ("node 7 does not exist", "node 3 is not in this task's cpuset").
 */
#ifndef NUMAPLACE_POLICY_H
#define NUMAPLACE_POLICY_H

#include <stddef.h>
#include <sys/types.h>

#include <numaplace/error.h>
#include <numaplace/topo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An ascending, duplicate-free set of node or CPU ids (malloc'd). */
struct np_idset {
	unsigned *ids;
	size_t n;
};

void np_idset_free(struct np_idset *s);

enum np_idstr_kind {
	NP_IDSTR_NODES,
	NP_IDSTR_CPUS,
};

/*
 * Parses a node or CPU string.  `exists` is every id the machine has (for
 * "does not exist" errors), `allowed` the ids this task may use (its
 * cpuset; "all", "!" and "+" are relative to it).  An empty result is an
 * error ("selects no node").  Returns 0 or -EINVAL with err set.
 */
int np_idstr_parse(const char *s, enum np_idstr_kind kind,
		   const struct np_idset *exists, const struct np_idset *allowed,
		   struct np_idset *out, struct np_err *err);

/*
 * The task's allowed nodes and CPUs (Mems_allowed_list, Cpus_allowed_list
 * of proc/<pid>/status below root; pid 0 = self).  For a dump without
 * that file: every online node, every CPU of the topology.
 */
int np_task_allowed(const char *root, pid_t pid, const struct np_topo *t,
		    struct np_idset *nodes, struct np_idset *cpus,
		    struct np_err *err);

/* Every node id / CPU id of t, as sets. */
int np_topo_node_set(const struct np_topo *t, struct np_idset *out);
int np_topo_cpu_set(const struct np_topo *t, struct np_idset *out);

/* -EINVAL with "node N has no memory" for the first memoryless node. */
int np_nodes_have_memory(const struct np_topo *t, const struct np_idset *s,
			 struct np_err *err);

/* ---- memory policies ------------------------------------------------- */

enum np_policy_mode {
	NP_POLICY_DEFAULT,
	NP_POLICY_BIND,
	NP_POLICY_PREFERRED,
	NP_POLICY_PREFERRED_MANY,      /* Linux 5.15+ */
	NP_POLICY_INTERLEAVE,
	NP_POLICY_WEIGHTED_INTERLEAVE, /* Linux 6.9+ */
	NP_POLICY_LOCAL,
};

enum np_policy_flags {
	NP_POLICY_STATIC_NODES = 1u << 0,   /* MPOL_F_STATIC_NODES */
	NP_POLICY_RELATIVE_NODES = 1u << 1, /* MPOL_F_RELATIVE_NODES */
	NP_POLICY_BALANCING = 1u << 2,      /* MPOL_F_NUMA_BALANCING (bind) */
};

struct np_policy {
	enum np_policy_mode mode;
	unsigned flags;
	struct np_idset nodes;   /* empty for default and local */
};

/* "bind", "preferred-many", ... as numactl and the kernel name them. */
const char *np_policy_mode_name(enum np_policy_mode mode);

/*
 * Sets the calling thread's memory policy (inherited across fork and
 * exec).  -EOPNOTSUPP with "this kernel does not support <mode>" when the
 * running kernel lacks the mode or flag; -EINVAL for nodes the kernel
 * refuses, with the kernel's reason.
 */
int np_policy_apply(const struct np_policy *p, struct np_err *err);

/*
 * Writes a weighted-interleave weight (1..255) for a node below root
 * (sys/kernel/mm/mempolicy/weighted_interleave/nodeN); needs root.
 */
int np_wi_set_weight(const char *root, unsigned node, unsigned weight,
		     struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
