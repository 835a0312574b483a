/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LD_PRELOAD shim for the numactl oracle (numactl-h.sh): libnuma sizes
 * every CPU mask from the byte count sched_getaffinity() returns, which
 * is the HOST kernel's cpumask size.  A dump whose cpumap is wider (an
 * 8192-CPU machine on a small host) then makes numactl print "Cannot
 * parse cpumap".  This shim makes sched_getaffinity, as libnuma calls it
 * (syscall(__NR_sched_getaffinity, ...)), behave as on a kernel whose
 * cpumask has NP_ORACLE_CPUMASK_BYTES (1024 = 8192 CPUs): EINVAL for a
 * smaller buffer (libnuma then doubles it), else that size with the
 * extra bytes zero.  Nothing else changes: the CPUs numactl prints still
 * come from the dump's cpumap.
 *
 * Built by numactl-h.sh at run time: cc -shared -fPIC -o X.so this.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NP_ORACLE_CPUMASK_BYTES 1024L

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;
	long ret;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (nr == SYS_sched_getaffinity && a[1] < NP_ORACLE_CPUMASK_BYTES) {
		errno = EINVAL;
		return -1;
	}
	ret = real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (nr == SYS_sched_getaffinity && ret > 0 &&
	    ret < NP_ORACLE_CPUMASK_BYTES) {
		memset((char *)a[2] + ret, 0, (size_t)(NP_ORACLE_CPUMASK_BYTES - ret));
		ret = NP_ORACLE_CPUMASK_BYTES;
	}
	return ret;
}
