/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The /proc side of a running QEMU (lib/vm/vm-vms.c and vm-apply.c use
 * it): which processes are QEMU, their command line, their threads (name,
 * the CPU each last ran on, its allowed CPUs) and their mappings with
 * extents.  Every path is below a root (the live "/" or a capture such as
 * tests/unit/fixtures/vms), so the tests read fixtures with the same code.
 */
#ifndef NP_LINUX_QEMU_H
#define NP_LINUX_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>

#include "linux/linux-root.h"

/* A QEMU's executable is named like this: qemu-system-ARCH, or the
 * qemu-kvm of some distributions. */
bool np_qemu_name_is_qemu(const char *name);

/*
 * Whether process pid below r is a QEMU: its comm or the base name of its
 * argv[0] is np_qemu_name_is_qemu().  1 yes, 0 no, -ESRCH when there is
 * no such process (err: "no process PID", input).
 */
int np_qemu_proc_is_qemu(const struct np_root *r, pid_t pid,
			 struct np_err *err);

/* The ids of every QEMU process below r, ascending (*pids malloc'd). */
int np_qemu_list(const struct np_root *r, pid_t **pids, size_t *n,
		 struct np_err *err);

/* proc/PID/cmdline split at its NULs: *argv malloc'd, each word too. */
int np_qemu_cmdline(const struct np_root *r, pid_t pid, char ***argv,
		    size_t *argc, struct np_err *err);
void np_qemu_cmdline_free(char **argv, size_t argc);

struct np_qemu_thread {
	pid_t tid;
	char comm[32];            /* "CPU 0/TCG", "qemu-system-x86", ... */
	int last_cpu;             /* stat field 39 ("processor"); -1 unknown */
	struct np_idset allowed;  /* status Cpus_allowed_list */
};

/* Every thread of pid (task/TID), ascending tid; a thread that ends
 * while being read is left out. */
int np_qemu_threads(const struct np_root *r, pid_t pid,
		    struct np_qemu_thread **out, size_t *n,
		    struct np_err *err);
void np_qemu_threads_free(struct np_qemu_thread *t, size_t n);

/* "CPU 3/KVM", "CPU 3/TCG" (QEMU's -name ...,debug-threads=on vCPU
 * thread names): 3.  -1 for any other name. */
int np_qemu_vcpu_of_thread_name(const char *comm);

/* One line of proc/PID/maps. */
struct np_proc_vma {
	uint64_t start, end;
	char perms[5];
	char *path;               /* NULL for anonymous memory */
};

int np_proc_vmas(const struct np_root *r, pid_t pid, struct np_proc_vma **out,
		 size_t *n, struct np_err *err);
void np_proc_vmas_free(struct np_proc_vma *v, size_t n);

/* The process's cpuset as proc/PID/status says it: Mems_allowed_list
 * and Cpus_allowed_list. */
int np_proc_allowed(const struct np_root *r, pid_t pid, struct np_idset *mems,
		    struct np_idset *cpus, struct np_err *err);

/* The process's effective uid (status "Uid:", second field); -1 unknown. */
long np_proc_euid(const struct np_root *r, pid_t pid);

/* Whether this process has CAP_SYS_NICE in effect (proc/self/status
 * CapEff, bit 23): what moving and pinning another user's threads need. */
bool np_self_has_cap_sys_nice(void);

/* A pidfd for pid (pidfd_open(2)): the fd, or a negative errno with err
 * filled (-ESRCH: gone, input). */
int np_pidfd_open(pid_t pid, struct np_err *err);
/* (np_pidfd_alive(), whether it still runs, is linux-proc.h's.) */

#endif
