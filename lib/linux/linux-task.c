/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The calling task's CPU affinity: sched_setaffinity(2). */
#include <numaplace/policy.h>

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "util/util-err.h"

int np_task_bind_cpus(const struct np_idset *cpus, struct np_err *err)
{
	unsigned max = 0;
	cpu_set_t *set;
	size_t size;
	int e = 0;

	if (!cpus->n)
		return np_fail_input(err, -EINVAL, "no CPU to run on");
	max = cpus->ids[cpus->n - 1];
	/* Sized for the highest CPU, so no id is dropped beyond CPU_SETSIZE. */
	set = CPU_ALLOC(max + 1);
	if (!set)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	size = CPU_ALLOC_SIZE(max + 1);
	CPU_ZERO_S(size, set);
	for (size_t i = 0; i < cpus->n; i++)
		CPU_SET_S(cpus->ids[i], size, set);
	if (sched_setaffinity(0, size, set))
		e = np_fail_errno(err, -errno, "sched_setaffinity: %s",
				  strerror(errno));
	CPU_FREE(set);
	return e;
}
