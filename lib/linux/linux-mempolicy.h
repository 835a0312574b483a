/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The memory-policy system calls (set_mempolicy, mbind).  np_policy_apply()
 * (numaplace/policy.h) is defined here too: it is the system call.
 */
#ifndef NP_LINUX_MEMPOLICY_H
#define NP_LINUX_MEMPOLICY_H

#include <stddef.h>

#include <numaplace/policy.h>

/*
 * mbind(2) of [addr, addr + len) to `nodes` under `mode`, no flags.
 * Returns 0 or the kernel's negative errno, and fills no message: the
 * caller words the refusal with what it knows (which node, which region).
 */
int np_mbind_nodes(void *addr, size_t len, enum np_policy_mode mode,
		   const struct np_idset *nodes);

#endif
