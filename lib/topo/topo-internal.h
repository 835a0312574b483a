/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the topology readers (sysfs, JSON, hwloc); not installed. */
#ifndef NP_TOPO_INTERNAL_H
#define NP_TOPO_INTERNAL_H

#include <numaplace/topo.h>

#include "linux/linux-parse.h"
#include "linux/linux-root.h"

/* A zeroed topology of the given kind; origin is copied. NULL on ENOMEM. */
struct np_topo *np_topo_new(enum np_topo_source_kind kind, const char *origin);

/*
 * Allocates nodes[] for ascending ids (n >= 1) and a zeroed n×n distance
 * matrix; sizes default to NP_UNKNOWN until a reader fills them.
 */
int np_topo_alloc_nodes(struct np_topo *t, const unsigned *ids, size_t n);

void np_sort_hugepages(struct np_node *node);
void np_sort_tiers(struct np_topo *t);

/*
 * Takes possible/online lists (moved into t) and sets has_cpus,
 * has_memory and has_normal_memory.  A NULL list means its file was
 * missing: the state is then derived from the node's contents.  has_cpus
 * is always the node's own CPU list: has_cpu is read (and must parse)
 * but not believed, since some 3.10 kernels print it empty.
 */
void np_apply_node_states(struct np_topo *t, struct np_idset *possible,
			  struct np_idset *online, const struct np_idset *has_cpu,
			  const struct np_idset *has_memory,
			  const struct np_idset *has_normal);

/* Copies buddyinfo sums to the nodes; -ENOENT for an unknown node. */
int np_apply_buddyinfo(struct np_topo *t, const struct np_buddyinfo *b);

/*
 * The limits every loader applies, so that no source can hold what
 * another cannot (and JSON written from any source reads back): node ids
 * below NP_MAX_NODES, ascending and unique; CPU ids below NP_MAX_CPUS;
 * every count and size at most NP_TOPO_MAX_VALUE (kB values also in
 * bytes); distances 0..255.  -EINVAL or -ERANGE (class input) with
 * "<name>: <what>".
 */
int np_topo_check(const struct np_topo *t, const char *name,
		  struct np_err *err);

/* A node id is out of range (>= NP_MAX_NODES): one message for all. */
int np_fail_node_id(struct np_err *err, const char *where,
		    unsigned long long id);

/* A meminfo counter within the limits of np_topo_check(). */
bool np_counter_in_range(const struct np_counter *c);

/* kB → bytes within NP_TOPO_MAX_VALUE: 0, or -ERANGE. */
int np_kib_to_bytes(uint64_t kib, uint64_t *bytes);

/* Reads numaplace JSON; `name` is used in error messages. */
int np_topo_from_json_named(const char *name, const char *buf, size_t len,
			    struct np_topo **out, struct np_err *err);

/* Reads hwloc XML (already in buf) into the node layer and keeps hwloc. */
int np_topo_from_hwloc_xml(const char *name, const char *buf, size_t len,
			   struct np_topo **out, struct np_err *err);

/*
 * SMT siblings of cpus[0..n): core[i] is a number shared by the CPUs of
 * one core.  From a loaded hwloc (np_topo_hwloc_core_ids: -ENOENT when
 * hwloc is not loaded) or from sysfs below a root (np_linux_cpu_core_ids
 * in linux-topo.c: -ENOENT when the root has no cpuN/topology files).
 */
int np_topo_hwloc_core_ids(const struct np_topo *t, const unsigned *cpus,
			   size_t n, unsigned *core);
int np_linux_cpu_core_ids(const char *root, const unsigned *cpus, size_t n,
			  unsigned *core, struct np_err *err);

#endif
