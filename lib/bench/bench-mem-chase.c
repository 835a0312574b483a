/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The latency of `bench mem` (numaplace/bench.h): one random cycle through
 * every cache line of a buffer, visited group by group as multichase
 * does (its permutation.c is the idea; this is not its code), chased by
 * one pinned thread; and the sweep over buffer sizes.
 */
#include "bench/bench-mem-internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <numaplace/pages.h>
#include <numaplace/stats.h>

#include "linux/linux-task.h"
#include "util/util-err.h"
#include "util/util-time.h"

#define GROUP_LINES (NP_BENCH_MEM_TLB_GROUP_BYTES / NP_MEM_LINE_BYTES)
#define SEED 0x6e756d61706c6163ull   /* any fixed value: runs repeat */

/* ---- the permutation ---- */

uint64_t np_mem_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fisher-Yates over v[0..n). */
static void shuffle(uint32_t *v, size_t n, uint64_t *state)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(np_mem_rand(state) % i);
		uint32_t t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

int np_mem_chase_order(uint32_t *order, size_t nlines, size_t group_lines,
		       uint64_t seed)
{
	size_t ngroups = (nlines + group_lines - 1) / group_lines, at = 0;
	uint32_t *groups = malloc((ngroups ? ngroups : 1) * sizeof(*groups));
	uint64_t state = seed;

	if (!groups)
		return -ENOMEM;
	for (size_t g = 0; g < ngroups; g++)
		groups[g] = (uint32_t)g;
	shuffle(groups, ngroups, &state);
	for (size_t k = 0; k < ngroups; k++) {
		size_t lo = (size_t)groups[k] * group_lines;
		size_t len = nlines - lo < group_lines ? nlines - lo : group_lines;

		for (size_t i = 0; i < len; i++)
			order[at + i] = (uint32_t)(lo + i);
		shuffle(order + at, len, &state);
		at += len;
	}
	free(groups);
	return 0;
}

void *np_mem_chase_link(void *buf, const uint32_t *order, size_t nlines)
{
	char *base = buf;

	for (size_t k = 0; k < nlines; k++) {
		size_t next = k + 1 < nlines ? order[k + 1] : order[0];

		*(void **)(base + (size_t)order[k] * NP_MEM_LINE_BYTES) =
			base + next * NP_MEM_LINE_BYTES;
	}
	return base + (size_t)order[0] * NP_MEM_LINE_BYTES;
}

/* ---- the chase, on a pinned thread ---- */

struct chase_job {
	void *start, *end;
	uint64_t warm, loads;
	unsigned reps;
	double *ns;               /* reps of them */
};

static void *chase_main(void *arg)
{
	struct chase_job *j = arg;
	void *p = np_mem_chase(j->start, j->warm);

	for (unsigned r = 0; r < j->reps; r++) {
		uint64_t t0 = np_now_ns();

		p = np_mem_chase(p, j->loads);
		j->ns[r] = (double)(np_now_ns() - t0) / (double)j->loads;
	}
	j->end = p;
	return NULL;
}

/* Runs the job on `cpu` and checks where the chase ended: on a line of
 * the buffer (the final pointer consumed, and the cycle intact). */
static int chase_on(unsigned cpu, struct chase_job *j, const void *buf,
		    size_t bytes, struct np_err *err)
{
	pthread_attr_t attr;
	pthread_t tid;
	uintptr_t lo = (uintptr_t)buf, end;
	int e = -pthread_attr_init(&attr);

	if (!e)
		e = np_thread_attr_pin(&attr, cpu);
	if (!e)
		e = -pthread_create(&tid, &attr, chase_main, j);
	pthread_attr_destroy(&attr);
	if (e)
		return np_fail_sys(err, e, "a thread on CPU %u: %s", cpu,
				   strerror(-e));
	pthread_join(tid, NULL);
	end = (uintptr_t)j->end;
	if (end < lo || end >= lo + bytes || (end - lo) % NP_MEM_LINE_BYTES)
		return np_fail_sys(err, -EIO, "the chase left its buffer "
				   "(at %p, the buffer %p + %zu)", j->end, buf,
				   bytes);
	return 0;
}

static int median(const double *v, size_t n, double *out, struct np_err *err)
{
	struct np_stats_summary sum;
	int e = np_stats_summarize(v, n, &sum, err);

	if (!e)
		*out = sum.median;
	return e;
}

/* ---- the latency of one pair ---- */

int np_mem_latency(const struct np_bench_mem_result *r,
		   const struct np_mem_pair *p, const uint32_t *order,
		   struct np_bench_mem_lat *out, struct np_err *err)
{
	size_t nlines = r->latency_bytes / NP_MEM_LINE_BYTES;
	struct np_mem_region reg;
	struct chase_job j = {
		.warm = r->loads, .loads = r->loads, .reps = r->latency_reps,
		.ns = out->reps_ns,
	};
	int e = np_mem_region_map(&reg, r->latency_bytes, r->page_bytes,
				  p->mem_node, err);

	if (e)
		return e;
	j.start = np_mem_chase_link(reg.addr, order, nlines);
	e = np_mem_region_check(&reg, "the latency buffer", err);
	if (!e)
		e = chase_on(p->cpus[0], &j, reg.addr, reg.bytes, err);
	if (!e)
		e = np_mem_region_check(&reg, "the latency buffer", err);
	if (!e)
		e = median(out->reps_ns, r->latency_reps, &out->ns, err);
	if (!e) {
		out->cpu = p->cpus[0];
		out->huge_bytes = np_pages_thp_bytes(reg.addr, reg.bytes);
	}
	np_mem_region_unmap(&reg);
	return e;
}

/* ---- the sweep ---- */

/* 16 KiB, 32 KiB, ... below max, then max. */
static size_t sweep_sizes(uint64_t max, uint64_t *sizes)
{
	size_t n = 0;

	for (uint64_t s = NP_BENCH_MEM_SWEEP_MIN_BYTES; s < max; s *= 2) {
		if (sizes)
			sizes[n] = s;
		n++;
	}
	if (sizes)
		sizes[n] = max;
	return n + 1;
}

/* One point: the first `bytes` of reg linked in order, checked, chased. */
static int sweep_point(const struct np_bench_mem_result *r, unsigned cpu,
		       const struct np_mem_region *reg, const uint32_t *order,
		       uint64_t bytes, double *ns, struct np_err *err)
{
	size_t nlines = bytes / NP_MEM_LINE_BYTES;
	struct np_mem_region part = *reg;
	double *v = calloc(r->latency_reps, sizeof(*v));
	struct chase_job j = {
		.warm = nlines < r->sweep_loads ? nlines : r->sweep_loads,
		.loads = r->sweep_loads, .reps = r->latency_reps, .ns = v,
	};
	int e;

	if (!v)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	part.bytes = (bytes + NP_MEM_SMALL_PAGE - 1) / NP_MEM_SMALL_PAGE *
		     NP_MEM_SMALL_PAGE;
	j.start = np_mem_chase_link(reg->addr, order, nlines);
	e = np_mem_region_check(&part, "the sweep's buffer", err);
	if (!e)
		e = chase_on(cpu, &j, reg->addr, bytes, err);
	if (!e)
		e = median(v, r->latency_reps, ns, err);
	free(v);
	return e;
}

static int sweep_all(const struct np_bench_mem_result *r, unsigned cpu,
		     const struct np_mem_region *reg, uint32_t *order,
		     struct np_bench_mem_sweep *out, struct np_err *err)
{
	int e = 0;

	for (size_t i = 0; !e && i < out->n; i++) {
		uint64_t bytes = out->base[i].bytes;
		size_t nlines = bytes / NP_MEM_LINE_BYTES;

		if (np_mem_chase_order(order, nlines, GROUP_LINES, SEED + i))
			return np_fail_sys(err, -ENOMEM, "out of memory");
		e = sweep_point(r, cpu, &reg[0], order, bytes,
				&out->base[i].ns, err);
		if (!e)
			e = sweep_point(r, cpu, &reg[1], order, bytes,
					&out->huge[i].ns, err);
	}
	return e;
}

int np_mem_sweep(const struct np_bench_mem_result *r,
		 const struct np_mem_pair *p, struct np_bench_mem_sweep *out,
		 struct np_err *err)
{
	uint64_t max = r->latency_bytes;
	size_t n = sweep_sizes(max, NULL);
	uint64_t *sizes = calloc(n, sizeof(*sizes));
	uint32_t *order = malloc(max / NP_MEM_LINE_BYTES * sizeof(*order));
	struct np_mem_region reg[2] = { 0 };
	int e = 0;

	out->base = calloc(n, sizeof(*out->base));
	out->huge = calloc(n, sizeof(*out->huge));
	if (!sizes || !order || !out->base || !out->huge)
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	out->n = n;
	out->cpu_node = p->cpu_node;
	out->mem_node = p->mem_node;
	out->buffer_bytes = max;
	if (!e) {
		sweep_sizes(max, sizes);
		for (size_t i = 0; i < n; i++)
			out->base[i].bytes = out->huge[i].bytes = sizes[i];
		e = np_mem_region_map(&reg[0], max, NP_MEM_SMALL_PAGE,
				      p->mem_node, err);
	}
	if (!e)
		e = np_mem_region_map(&reg[1], max, NP_MEM_HUGE_PAGE,
				      p->mem_node, err);
	if (!e)
		e = sweep_all(r, p->cpus[0], reg, order, out, err);
	if (!e)
		out->huge_bytes = np_pages_thp_bytes(reg[1].addr, reg[1].bytes);
	np_mem_region_unmap(&reg[0]);
	np_mem_region_unmap(&reg[1]);
	free(sizes);
	free(order);
	return e;
}
