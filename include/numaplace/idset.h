/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sets of node or CPU ids: the one id-set type of the library (kernel
 * lists, topology queries, policies and numactl-style strings all use it),
 * and the node and CPU strings that name them.
 *
 * Node strings follow numactl(8): "1", "0-3", "0,2-3", "all", "!1"
 * (every allowed node but 1), "+0-1" (the first two nodes of the task's
 * cpuset), "!+0".  CPU strings have the same forms over CPUs.  Unlike
 * libnuma, ids are decimal only, "!" inverts within the allowed set also
 * when node ids are sparse, and errors say which id is wrong and why
 * ("node 7 does not exist", "node 3 is not in this task's cpuset").
 */
#ifndef NUMAPLACE_IDSET_H
#define NUMAPLACE_IDSET_H

#include <stdbool.h>
#include <stddef.h>

#include <numaplace/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Node ids the library accepts: 0 .. NP_MAX_NODES - 1.  The kernel's
 * MAX_NUMNODES is at most 1024 today (x86-64 NODES_SHIFT 10); the margin
 * is for the ids a dump or a file may carry.  Fixed-size node arrays of
 * the freestanding core and the lab are smaller (core/falloc.h
 * NP_FA_MAX_NODES: its node sets are 64-bit masks).
 */
#define NP_MAX_NODES 4096u
/* CPU ids: the kernel's NR_CPUS is at most 8192 today. */
#define NP_MAX_CPUS 65536u

/*
 * An ascending, duplicate-free set of ids.  ids is malloc'd (NULL when
 * n is 0); cap is its capacity in ids (0 is allowed for a set built by
 * hand: np_idset_push() then grows it).  Zero-initialise before use.
 */
struct np_idset {
	unsigned *ids;
	size_t n;
	size_t cap;
};

void np_idset_free(struct np_idset *s);
bool np_idset_contains(const struct np_idset *s, unsigned id);
/* Appends id, which must exceed the last id: 0, -EINVAL, or -ENOMEM. */
int np_idset_push(struct np_idset *s, unsigned id);

/*
 * Writes ids[0..n) (ascending) as ranges, "0-3,5,7-8": the list form of
 * numactl, numad and the kernel's cpulist, with sep before every range
 * but the first ("," for that form; QEMU's memory backends want one
 * key per range, ",host-nodes=").  Like snprintf: buf (len bytes, may be
 * NULL when len is 0) is NUL-terminated and cut to fit, and the return is
 * the length the whole list needs.
 */
size_t np_idlist_format(char *buf, size_t len, const unsigned *ids, size_t n,
			const char *sep);

enum np_idstr_kind {
	NP_IDSTR_NODES,
	NP_IDSTR_CPUS,
};

/*
 * Parses a node or CPU string.  `exists` is every id the machine has (for
 * "does not exist" errors), `allowed` the ids this task may use (its
 * cpuset; "all", "!" and "+" are relative to it).  An empty result is an
 * error ("selects no node").  Returns 0 or -EINVAL with err set (class
 * input), -ENOMEM (class system).
 */
int np_idstr_parse(const char *s, enum np_idstr_kind kind,
		   const struct np_idset *exists, const struct np_idset *allowed,
		   struct np_idset *out, struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
