/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A clock read as nanoseconds, for timing: header-only, so that the
 * benchmark programs that link nothing of the library use it too. */
#ifndef NP_UTIL_TIME_H
#define NP_UTIL_TIME_H

#include <stdint.h>
#include <time.h>

static inline uint64_t np_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CLOCK_MONOTONIC's now. */
static inline uint64_t np_now_ns(void)
{
	return np_clock_ns(CLOCK_MONOTONIC);
}

#endif
