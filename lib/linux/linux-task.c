/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPU affinity: the calling task's or any thread's (sched_setaffinity(2)),
 * a thread's allowed CPUs (sched_getaffinity(2)) and a new thread's pin.
 */
#include <numaplace/policy.h>

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "linux/linux-task.h"
#include "util/util-err.h"

/* The kernel's NR_CPUS is unknown here: masks grow until the kernel
 * takes them (it refuses one shorter than its own with EINVAL). */
#define MAX_MASK_CPUS (1u << 20)

int np_thread_bind_cpus(pid_t tid, const struct np_idset *cpus,
			struct np_err *err)
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
	if (sched_setaffinity(tid, size, set)) {
		if (tid)
			e = np_fail_errno(err, -errno, "thread %d: "
					  "sched_setaffinity: %s", (int)tid,
					  strerror(errno));
		else
			e = np_fail_errno(err, -errno, "sched_setaffinity: %s",
					  strerror(errno));
	}
	CPU_FREE(set);
	return e;
}

int np_task_bind_cpus(const struct np_idset *cpus, struct np_err *err)
{
	return np_thread_bind_cpus(0, cpus, err);
}

static int get_affinity(pid_t tid, cpu_set_t **set, size_t *bytes)
{
	for (unsigned ncpus = CPU_SETSIZE; ncpus <= MAX_MASK_CPUS; ncpus *= 2) {
		*bytes = CPU_ALLOC_SIZE(ncpus);
		*set = CPU_ALLOC(ncpus);
		if (!*set)
			return -ENOMEM;
		if (sched_getaffinity(tid, *bytes, *set) == 0)
			return 0;
		CPU_FREE(*set);
		*set = NULL;
		if (errno != EINVAL)
			return -errno;
	}
	return -EINVAL;
}

static int affinity_ids(pid_t tid, struct np_idset *out)
{
	cpu_set_t *set;
	size_t bytes;
	int e = get_affinity(tid, &set, &bytes);

	*out = (struct np_idset){ 0 };
	for (unsigned cpu = 0; !e && cpu < bytes * 8; cpu++)
		if (CPU_ISSET_S(cpu, bytes, set))
			e = np_idset_push(out, cpu);
	if (set)
		CPU_FREE(set);
	if (e)
		np_idset_free(out);
	return e;
}

int np_thread_cpus(pid_t tid, struct np_idset *out, struct np_err *err)
{
	int e = affinity_ids(tid, out);

	if (e == -ENOMEM)
		return np_fail_sys(err, e, "out of memory");
	if (e)
		return np_fail_errno(err, e, "thread %d: sched_getaffinity: %s",
				     (int)tid, strerror(-e));
	return 0;
}

int np_thread_allowed_cpus(struct np_idset *out)
{
	return affinity_ids(0, out);
}

int np_thread_attr_pin(pthread_attr_t *attr, unsigned cpu)
{
	size_t bytes;
	cpu_set_t *set;
	int e;

	if (cpu >= MAX_MASK_CPUS)
		return -EINVAL;
	bytes = CPU_ALLOC_SIZE(cpu + 1);
	set = CPU_ALLOC(cpu + 1);
	if (!set)
		return -ENOMEM;
	CPU_ZERO_S(bytes, set);
	CPU_SET_S(cpu, bytes, set);
	e = pthread_attr_setaffinity_np(attr, bytes, set);
	CPU_FREE(set);
	return -e;
}
