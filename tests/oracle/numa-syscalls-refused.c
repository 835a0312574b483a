/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numa-syscalls-refused ENOSYS|EPERM COMMAND [ARG...]: runs COMMAND with
 * the NUMA memory-policy system calls (get_mempolicy, set_mempolicy,
 * mbind, migrate_pages, move_pages) failing with that errno, through a
 * seccomp filter:
 *   ENOSYS as on a kernel built without CONFIG_NUMA (kernel/sys_ni.c):
 *     the numactl oracle (numactl-h.sh, which builds this file with cc
 *     at run time) uses it for dumps without sys/devices/system/node, as
 *     numactl's numa_available() says "No NUMA available" only then;
 *   EPERM as in a container under Docker's default seccomp profile
 *     without CAP_SYS_NICE: the CLI tests (test-hardening.sh) check what
 *     numaplace tells the user there.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "add this architecture's AUDIT_ARCH"
#endif

#define REFUSE(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0 /* patched */)

int main(int argc, char **argv)
{
	unsigned refused_errno;

	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		REFUSE(SYS_get_mempolicy),
		REFUSE(SYS_set_mempolicy),
		REFUSE(SYS_mbind),
		REFUSE(SYS_migrate_pages),
		REFUSE(SYS_move_pages),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (argc < 3 || (strcmp(argv[1], "ENOSYS") && strcmp(argv[1], "EPERM"))) {
		fprintf(stderr, "usage: %s ENOSYS|EPERM COMMAND [ARG...]\n",
			argv[0]);
		return 2;
	}
	refused_errno = !strcmp(argv[1], "ENOSYS") ? ENOSYS : EPERM;
	for (size_t i = 0; i < prog.len; i++)
		if (filter[i].code == (BPF_RET | BPF_K) &&
		    filter[i].k == SECCOMP_RET_ERRNO)
			filter[i].k |= refused_errno & SECCOMP_RET_DATA;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("numa-syscalls-refused: seccomp");
		return 77;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
