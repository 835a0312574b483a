/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What another process wrote lately, from the kernel's soft-dirty bits
 * (Documentation/admin-guide/mm/soft-dirty.rst): writing "4" to
 * proc/<pid>/clear_refs clears them, a write to a page sets its bit again,
 * proc/<pid>/pagemap shows it as bit 55 of the page's 64-bit entry.  And
 * the nodes a process may have memory on (its cpuset.mems), which bounds
 * where its pages may be moved.  Every path is below a root (linux-root.h).
 */
#ifndef NP_LINUX_SOFTDIRTY_H
#define NP_LINUX_SOFTDIRTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <numaplace/idset.h>

#include "linux/linux-root.h"

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define NP_PAGEMAP_SOFT_DIRTY (1ull << 55)
#define NP_PAGEMAP_PRESENT    (1ull << 63)

/*
 * proc/<pid>/status "Mems_allowed_list:" (the nodes of the process's
 * cpuset.mems, as the kernel enforces them) into *out, ascending.  A
 * status without the line, or a malformed list: -EINVAL (class input for
 * a dump, system for the live root); no process: -ESRCH (input).
 */
int np_proc_mems_allowed(const struct np_root *r, pid_t pid,
			 struct np_idset *out, struct np_err *err);

/*
 * Whether this kernel keeps soft-dirty bits (CONFIG_MEM_SOFT_DIRTY): a
 * page this process has just written shows bit 55 in its own pagemap.
 * 1 yes, 0 no, negative errno when it could not tell.
 */
int np_softdirty_supported(void);

/* Clears every soft-dirty bit of process pid (clear_refs "4").  EACCES
 * or EPERM (another user's process): -EPERM, class system. */
int np_softdirty_clear(const struct np_root *r, pid_t pid,
		       struct np_err *err);

/*
 * For the npages pages of page_bytes each from start (page-aligned) in
 * process pid: dirty[i] = 1 when page i is present and soft-dirty, else 0.
 */
int np_softdirty_read(const struct np_root *r, pid_t pid, uint64_t start,
		      uint64_t npages, uint64_t page_bytes, uint8_t *dirty,
		      struct np_err *err);

/* 1 when the kernel has DAMON (sys/kernel/mm/damon), else 0. */
int np_damon_present(const struct np_root *r);

#endif
