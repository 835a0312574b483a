/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The layouts of `numaplace bench mem`, all from the library's struct
 * np_bench_mem_result: text matrices laid out as Intel MLC lays them out
 * (rows: CPU node, columns: memory node), JSON, CSV, and the gnuplot
 * script of the plots (heat-maps of both matrices, the sweep's curve).
 */
#ifndef NP_VIEW_BENCH_MEM_H
#define NP_VIEW_BENCH_MEM_H

#include <stdio.h>

#include <numaplace/bench.h>

/* Write to out; 0, or -ENOMEM when the JSON could not be built (what
 * reached out is checked by the caller with ferror). */
int view_bench_mem_text(FILE *out, const struct np_bench_mem_result *r);
int view_bench_mem_json(FILE *out, const struct np_bench_mem_result *r);
int view_bench_mem_csv(FILE *out, const struct np_bench_mem_result *r);

/* The plots' script (no terminal, no output: numaplace/plot.h sets them);
 * *panels is how many plots side by side. */
int view_bench_mem_gnuplot(FILE *out, const struct np_bench_mem_result *r,
			   unsigned *panels);

#endif
