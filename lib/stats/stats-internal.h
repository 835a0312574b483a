/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the stats modules; not part of the public API. */
#ifndef NP_STATS_INTERNAL_H
#define NP_STATS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <numaplace/error.h>

/*
 * 0 when v[0..n) is a sample the statistics can use: not empty, every
 * value finite and, with `positive`, above 0 (what a ratio needs).  Else
 * -EINVAL (input) with the sample's `name` ("A", "x") and the first bad
 * value's 1-based index in err.
 */
int np_stats_check_values(const double *v, size_t n, const char *name,
			  bool positive, struct np_err *err);

#endif
