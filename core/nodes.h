/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The node limit of everything with fixed-size node arrays: the core's
 * node sets are 64-bit masks (falloc.h), the ACPI parser fills arrays per
 * proximity domain for them (acpi.h), and a lab machine must fit them
 * (lab/lab.h), since its firmware tables boot this core in the tests.
 * The library's own node ids go up to NP_MAX_NODES
 * (include/numaplace/idset.h); a pool or a lab machine with more nodes
 * than this is refused with a message, never truncated.
 */
#ifndef NP_CORE_NODES_H
#define NP_CORE_NODES_H

#define NP_CORE_MAX_NODES 64

#endif
