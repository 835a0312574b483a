/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A process's files below a root (proc/<pid>/...), and what a path is on. */
#ifndef NP_LINUX_PROC_H
#define NP_LINUX_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "linux/linux-root.h"

/*
 * Reads proc/<pid>/<name> below r ("numa_maps", "smaps", "status", ...).
 * A process that does not exist is -ESRCH "no process PID" (class input);
 * numa_maps on a kernel without NUMA -ENOENT saying so; other failures
 * as np_root_read().
 */
int np_proc_read(const struct np_root *r, pid_t pid, const char *name,
		 char **buf, size_t *len, struct np_err *err);

/*
 * After a NUMA system call (set_mempolicy, mbind, move_pages) failed with
 * EPERM: " (...)" explaining that a seccomp filter, as a container's
 * default profile, blocks those calls and what to do, when this process
 * runs under one (proc/self/status "Seccomp: 2"); "" otherwise.
 */
const char *np_numa_eperm_hint(int neg_errno);

/* A live path on tmpfs or ramfs: its "file" pages are shared memory. */
bool np_path_on_memory_fs(const char *path);

/*
 * Whether the process behind pidfd (pidfd_open(2)) still runs: 1 yes,
 * 0 it has exited (a zombie included: its memory is gone), or a negative
 * errno.  Polls the pidfd, which becomes readable when the process exits.
 */
int np_pidfd_alive(int pidfd);

/*
 * Waits up to timeout_ms for the process behind pidfd to exit: 1 when it
 * has, 0 when it still runs, or a negative errno.  A process in the
 * middle of exiting has lost its memory before its pidfd says so: a call
 * on its memory that failed can wait here to tell that from a refusal.
 */
int np_pidfd_exited_within(int pidfd, int timeout_ms);

/*
 * The process a pidfd refers to, from proc/self/fdinfo/<pidfd> ("Pid:"):
 * 0 with *pid its pid (-1 once it has exited and been reaped), or a
 * negative errno (-EBADF: not a pidfd, or a kernel before 5.4 without
 * the line).
 */
int np_pidfd_pid(int pidfd, pid_t *pid);

#endif
