/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The affinity calls of linux-task.c that are internal to libnumaplace
 * (np_task_bind_cpus() is public, in numaplace/policy.h).
 */
#ifndef NP_LINUX_TASK_H
#define NP_LINUX_TASK_H

#include <pthread.h>

#include <numaplace/idset.h>

/*
 * The CPUs the calling thread may run on (sched_getaffinity), ascending,
 * into *out (free with np_idset_free).  0 or a negative errno (-ENOMEM,
 * or the kernel's); *out is empty on failure.
 */
int np_thread_allowed_cpus(struct np_idset *out);

/* Makes a thread created with attr run on `cpu` only.  0 or a negative
 * errno (-ENOMEM, -EINVAL for a CPU beyond any kernel's limit). */
int np_thread_attr_pin(pthread_attr_t *attr, unsigned cpu);

#endif
