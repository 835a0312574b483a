/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory policies through the raw system calls: Debian's libnuma 2.0.16
 * has no call for preferred-many or weighted interleave, and its setters
 * print and exit on error; set_mempolicy(2) and mbind(2) return errno and
 * let us say what went wrong.
 */
#include "linux/linux-mempolicy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/linux-proc.h"
#include "util/util-err.h"

/* The kernel's values (include/uapi/linux/mempolicy.h), not every libc's. */
enum {
	K_MPOL_DEFAULT = 0,
	K_MPOL_PREFERRED = 1,
	K_MPOL_BIND = 2,
	K_MPOL_INTERLEAVE = 3,
	K_MPOL_LOCAL = 4,
	K_MPOL_PREFERRED_MANY = 5,
	K_MPOL_WEIGHTED_INTERLEAVE = 6,
	K_MPOL_F_MEMS_ALLOWED = 1 << 2,     /* get_mempolicy */
	K_MPOL_F_NUMA_BALANCING = 1 << 13,
	K_MPOL_F_RELATIVE_NODES = 1 << 14,
	K_MPOL_F_STATIC_NODES = 1 << 15,
};

static int kernel_mode(enum np_policy_mode mode)
{
	switch (mode) {
	case NP_POLICY_BIND: return K_MPOL_BIND;
	case NP_POLICY_PREFERRED: return K_MPOL_PREFERRED;
	case NP_POLICY_PREFERRED_MANY: return K_MPOL_PREFERRED_MANY;
	case NP_POLICY_INTERLEAVE: return K_MPOL_INTERLEAVE;
	case NP_POLICY_WEIGHTED_INTERLEAVE: return K_MPOL_WEIGHTED_INTERLEAVE;
	case NP_POLICY_LOCAL: return K_MPOL_LOCAL;
	case NP_POLICY_DEFAULT: break;
	}
	return K_MPOL_DEFAULT;
}

#define BITS_PER_LONG (8 * sizeof(unsigned long))

static long sys_set_mempolicy(int mode, const unsigned long *mask,
			      unsigned long maxnode)
{
	return syscall(SYS_set_mempolicy, mode, mask, maxnode);
}

/* A kernel nodemask with the set's bits; *maxnode as the syscall wants. */
static unsigned long *node_mask(const struct np_idset *s,
				unsigned long *maxnode)
{
	unsigned long bits = 1;
	unsigned long *m;

	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] + 1 > bits)
			bits = s->ids[i] + 1;
	bits = (bits + BITS_PER_LONG - 1) / BITS_PER_LONG * BITS_PER_LONG;
	m = calloc(bits / BITS_PER_LONG, sizeof(*m));
	if (!m)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		m[s->ids[i] / BITS_PER_LONG] |= 1ul << (s->ids[i] % BITS_PER_LONG);
	/* The kernel reads maxnode - 1 bits (mm/mempolicy.c get_nodes()). */
	*maxnode = bits + 1;
	return m;
}

static int kernel_flags(unsigned flags)
{
	return (flags & NP_POLICY_STATIC_NODES ? K_MPOL_F_STATIC_NODES : 0) |
	       (flags & NP_POLICY_RELATIVE_NODES ? K_MPOL_F_RELATIVE_NODES : 0) |
	       (flags & NP_POLICY_BALANCING ? K_MPOL_F_NUMA_BALANCING : 0);
}

/* The first node this task may allocate on (get_mempolicy's
 * MPOL_F_MEMS_ALLOWED), or 0 when the kernel does not say. */
static unsigned first_allowed_node(void)
{
	unsigned long mask[NP_MAX_NODES / BITS_PER_LONG] = { 0 };

	if (syscall(SYS_get_mempolicy, NULL, mask,
		    (unsigned long)NP_MAX_NODES, NULL, K_MPOL_F_MEMS_ALLOWED))
		return 0;
	for (unsigned i = 0; i < NP_MAX_NODES; i++)
		if (mask[i / BITS_PER_LONG] & (1ul << (i % BITS_PER_LONG)))
			return i;
	return 0;
}

/*
 * EINVAL means a mode or flag the kernel lacks, or nodes it refuses.
 * Tell them apart by asking for the same mode on a node the task surely
 * may use: the policy's own first node may be the one refused (a node
 * that does not exist), which would blame the mode.
 */
static bool mode_supported(int mode)
{
	unsigned long *mask, maxnode;
	unsigned node = first_allowed_node();
	long r;

	if (mode == K_MPOL_LOCAL || mode == K_MPOL_DEFAULT)
		return sys_set_mempolicy(mode, NULL, 0) == 0 || errno != EINVAL;
	mask = node_mask(&(struct np_idset){ &node, 1, 1 }, &maxnode);
	if (!mask)
		return true;
	r = sys_set_mempolicy(mode, mask, maxnode);
	free(mask);
	return r == 0 || errno != EINVAL;
}

/* The calling thread's policy, to put back after probing the kernel. */
struct saved_policy {
	int mode;               /* with its flags; -1: could not be read */
	unsigned long mask[NP_MAX_NODES / BITS_PER_LONG];
};

static void save_policy(struct saved_policy *s)
{
	if (syscall(SYS_get_mempolicy, &s->mode, s->mask,
		    (unsigned long)NP_MAX_NODES, NULL, 0ul))
		s->mode = -1;
}

static void restore_policy(const struct saved_policy *s)
{
	if (s->mode >= 0)
		sys_set_mempolicy(s->mode, s->mask, NP_MAX_NODES);
}

int np_policy_apply(const struct np_policy *p, struct np_err *err)
{
	int mode = kernel_mode(p->mode);
	unsigned long *mask = NULL, maxnode = 0;
	bool empty = p->mode == NP_POLICY_DEFAULT || p->mode == NP_POLICY_LOCAL;
	long r;

	if ((unsigned)p->mode > NP_POLICY_LOCAL)
		return np_fail_input(err, -EINVAL, "unknown policy mode %d", p->mode);
	if (!empty) {
		mask = node_mask(&p->nodes, &maxnode);
		if (!mask)
			return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	r = sys_set_mempolicy(mode | kernel_flags(p->flags), mask, maxnode);
	if (r != 0) {
		int e = errno;
		/* The probes below set policies: a failed call must leave
		 * the thread's policy as it found it. */
		struct saved_policy *was = malloc(sizeof(*was));

		if (was)
			save_policy(was);
		if (e == EINVAL && !mode_supported(mode))
			r = np_fail_sys(err, -EOPNOTSUPP, "this kernel does not "
				    "support %s", np_policy_mode_name(p->mode));
		else if (e == EINVAL && p->flags &&
			 sys_set_mempolicy(mode, mask, maxnode) == 0) {
			/* Same policy without the flags works: the flags. */
			r = np_fail_sys(err, -EOPNOTSUPP, "this kernel does not "
				    "support these %s flags", np_policy_mode_name(p->mode));
		} else {
			r = np_fail_sys(err, -e, "set_mempolicy(%s): %s%s",
				    np_policy_mode_name(p->mode), strerror(e),
				    np_numa_eperm_hint(-e));
		}
		if (was)
			restore_policy(was);
		free(was);
	}
	free(mask);
	return (int)r;
}

int np_mbind_nodes(void *addr, size_t len, enum np_policy_mode mode,
		   const struct np_idset *nodes)
{
	unsigned long *mask, maxnode = 0;
	long r;

	mask = node_mask(nodes, &maxnode);
	if (!mask)
		return -ENOMEM;
	r = syscall(SYS_mbind, addr, len, kernel_mode(mode), mask, maxnode, 0ul);
	free(mask);
	return r ? -errno : 0;
}
