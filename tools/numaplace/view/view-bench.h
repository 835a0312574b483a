/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The layouts of `numaplace bench alloc`: the text tables (one per thread
 * configuration, then the scaling) and the JSON document, both from the
 * library's struct np_bench_alloc_result.
 */
#ifndef NP_VIEW_BENCH_H
#define NP_VIEW_BENCH_H

#include <stdio.h>

#include <numaplace/bench.h>

/* Write to out; 0, or -ENOMEM when the JSON could not be built (what
 * reached out is checked by the caller with ferror). */
int view_bench_alloc_text(FILE *out, const struct np_bench_alloc_result *r);
int view_bench_alloc_json(FILE *out, const struct np_bench_alloc_result *r);

#endif
