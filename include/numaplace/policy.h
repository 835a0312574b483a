/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory policies: the one policy type of the library (numaplace run
 * applies it to a task, the frame pools allocate under it, and the
 * freestanding core's copy, core/falloc.h, is converted from it in one
 * place, lib/frames/frames.c), and the task's allowed nodes and CPUs.
 * The node and CPU strings that name a policy's nodes: numaplace/idset.h.
 */
#ifndef NUMAPLACE_POLICY_H
#define NUMAPLACE_POLICY_H

#include <stddef.h>
#include <sys/types.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>
#include <numaplace/topo.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The task's allowed nodes and CPUs (Mems_allowed_list, Cpus_allowed_list
 * of proc/<pid>/status below root; pid 0 = self).  For a dump without
 * that file: every online node, every CPU of the topology.
 */
int np_task_allowed(const char *root, pid_t pid, const struct np_topo *t,
		    struct np_idset *nodes, struct np_idset *cpus,
		    struct np_err *err);

/*
 * Lets the calling thread run only on `cpus` (inherited across fork and
 * exec): sched_setaffinity(2).  -EINVAL for an empty set or CPUs the
 * kernel refuses (class input), the kernel's errno otherwise.
 */
int np_task_bind_cpus(const struct np_idset *cpus, struct np_err *err);

/*
 * The same for thread tid of any process (a vCPU thread of a QEMU; 0:
 * the calling thread): sched_setaffinity(2).  -ESRCH (input) for a thread
 * that does not exist, -EPERM (system) for another user's thread without
 * CAP_SYS_NICE.
 */
int np_thread_bind_cpus(pid_t tid, const struct np_idset *cpus,
			struct np_err *err);

/* The CPUs thread tid (0: the calling thread) may run on, ascending, into
 * *out (zeroed first; free with np_idset_free): sched_getaffinity(2). */
int np_thread_cpus(pid_t tid, struct np_idset *out, struct np_err *err);

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
	/* Frame pools only (numaplace/frames.h): fail rather than fall back
	 * to a node the policy does not name first.  The kernel has no such
	 * flag; its bind is strict already. */
	NP_POLICY_STRICT = 1u << 3,
};

struct np_policy {
	enum np_policy_mode mode;
	unsigned flags;
	struct np_idset nodes;   /* empty for default and local */
};

/* "bind", "preferred-many", ... as numactl and the kernel name them. */
const char *np_policy_mode_name(enum np_policy_mode mode);
/* The mode of such a name: 0, or -EINVAL for a name that is none. */
int np_policy_mode_parse(const char *name, enum np_policy_mode *mode);

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

/* One node's weight for weighted interleave. */
struct np_wi_weight {
	unsigned node;
	unsigned weight;   /* 1..255 */
};

/*
 * "0:3,2:1" (NODE:WEIGHT,...) into *out (malloc'd; *n entries, in the
 * string's order), checked before anything is written: every node a node
 * of t with memory, named once, every weight 1..255, ids read without
 * wrapping.  -EINVAL (class input) naming the bad entry, -ENOMEM.
 */
int np_wi_parse_weights(const char *s, const struct np_topo *t,
			struct np_wi_weight **out, size_t *n,
			struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
