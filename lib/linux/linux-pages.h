/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * move_pages(2), the library's one wrapper: asks where pages are (nodes
 * NULL) or moves them (nodes given), in chunks so that a large request
 * neither pins the kernel for long nor needs one huge array copied in.
 */
#ifndef NP_LINUX_PAGES_H
#define NP_LINUX_PAGES_H

#include <stddef.h>
#include <sys/types.h>

#include <numaplace/error.h>

/* move_pages(2) flag: move pages mapped by this process only (the
 * kernel's MPOL_MF_MOVE, <numaif.h>). */
#define NP_MPOL_MF_MOVE (1 << 1)

/* Pages per move_pages call. */
#define NP_MOVE_PAGES_CHUNK 4096

/*
 * For the n pages at pages[] of process pid (0: this one): status[i] is
 * the page's node after the call, or a negative errno for that page
 * (-ENOENT: never touched, -EFAULT: not mapped).  nodes == NULL only asks;
 * otherwise page i moves to nodes[i] (flags: MPOL_MF_MOVE or
 * MPOL_MF_MOVE_ALL).  Returns 0 or the call's negative errno (class
 * system, except -ESRCH for a pid that does not exist: input).
 */
int np_move_pages(pid_t pid, size_t n, void **pages, const int *nodes,
		  int *status, int flags, struct np_err *err);

#endif
