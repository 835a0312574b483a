/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `bench mem` (numaplace/bench.h): the options checked, the CPU and memory
 * nodes resolved against the topology and this task's cpuset, the array
 * size from the last-level cache (hwloc), then every pair measured:
 * bandwidth (bench-mem-stream.c), latency and the sweep
 * (bench-mem-chase.c).
 */
#include <numaplace/bench.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/policy.h>
#include <numaplace/units.h>

#include "bench/bench-mem-internal.h"
#include "util/util-err.h"

#define MIB (1024.0 * 1024.0)
#define MIN_BYTES (16u * 1024u)

/* ---- the kernels ---- */

static const char *const kernel_names[NP_MEM_NKERNELS] = {
	"read", "write", "copy", "scale", "add", "triad",
};
static const unsigned kernel_bytes[NP_MEM_NKERNELS] = { 8, 8, 16, 16, 24, 24 };

const char *np_bench_mem_kernel_name(enum np_bench_mem_kernel k)
{
	return (unsigned)k < NP_MEM_NKERNELS ? kernel_names[k] : "?";
}

unsigned np_bench_mem_kernel_bytes(enum np_bench_mem_kernel k)
{
	return (unsigned)k < NP_MEM_NKERNELS ? kernel_bytes[k] : 0;
}

double np_bench_mem_bus_factor(enum np_bench_mem_kernel k, bool nt)
{
	/* One array written per kernel; without nt its line is read first. */
	if (nt || k == NP_MEM_READ || (unsigned)k >= NP_MEM_NKERNELS)
		return 1.0;
	return (kernel_bytes[k] + 8.0) / kernel_bytes[k];
}

int np_bench_mem_parse_kernels(const char *s, unsigned *mask,
			       struct np_err *err)
{
	*mask = 0;
	for (const char *p = s;; p++) {
		size_t len = strcspn(p, ",");
		unsigned k = 0;

		while (k < NP_MEM_NKERNELS &&
		       (strlen(kernel_names[k]) != len ||
			strncmp(kernel_names[k], p, len)))
			k++;
		if (k == NP_MEM_NKERNELS)
			return np_fail_input(err, -EINVAL, "kernel '%.*s': not "
					     "one of read, write, copy, scale, "
					     "add, triad", (int)len, p);
		if (*mask & 1u << k)
			return np_fail_input(err, -EINVAL, "kernel '%s' named "
					     "twice", kernel_names[k]);
		*mask |= 1u << k;
		p += len;
		if (!*p)
			return 0;
	}
}

/* ---- options ---- */

static int check_counts(const struct np_bench_mem_opts *o, struct np_err *err)
{
	if (o->kernels & ~NP_BENCH_MEM_ALL_KERNELS)
		return np_fail_input(err, -EINVAL, "unknown kernel bits %#x",
				     o->kernels);
	if (!o->kernels && !o->latency && !o->sweep)
		return np_fail_input(err, -EINVAL, "nothing to measure: no "
				     "kernel, no latency, no sweep");
	if (o->kernels && (o->ntimes < 2 || o->ntimes > NP_BENCH_MEM_MAX_NTIMES))
		return np_fail_input(err, -EINVAL, "%u repetitions: from 2 (the "
				     "first is discarded) to %u", o->ntimes,
				     NP_BENCH_MEM_MAX_NTIMES);
	if ((o->latency || o->sweep) && (!o->loads || !o->latency_reps))
		return np_fail_input(err, -EINVAL, "latency: at least one load "
				     "and one repetition");
	if (o->sweep && !o->sweep_loads)
		return np_fail_input(err, -EINVAL, "sweep: at least one load");
	return 0;
}

static int check_opts(const struct np_bench_mem_opts *o, struct np_err *err)
{
	int e = check_counts(o, err);

	if (e)
		return e;
	if (o->page_bytes != NP_MEM_SMALL_PAGE && o->page_bytes != NP_MEM_HUGE_PAGE)
		return np_fail_input(err, -EINVAL, "page size %zu: 4096 or %u "
				     "bytes", o->page_bytes, NP_MEM_HUGE_PAGE);
	if (o->nt && !np_bench_mem_nt_supported())
		return np_fail_sys(err, -EOPNOTSUPP, "non-temporal stores: not "
				   "in this build (x86-64 only)");
	return 0;
}

/* ---- nodes ---- */

struct plan {
	struct np_topo *live;
	struct np_topo *t;
	struct np_idset exists, allowed_nodes, allowed_cpus;
	struct np_idset cpu_nodes, mem_nodes;
	struct np_idset *cpus;    /* per CPU node: its CPUs this task may use */
};

static void plan_free(struct plan *pl)
{
	for (size_t i = 0; pl->cpus && i < pl->cpu_nodes.n; i++)
		np_idset_free(&pl->cpus[i]);
	free(pl->cpus);
	np_idset_free(&pl->exists);
	np_idset_free(&pl->allowed_nodes);
	np_idset_free(&pl->allowed_cpus);
	np_idset_free(&pl->cpu_nodes);
	np_idset_free(&pl->mem_nodes);
	np_topo_free(pl->live);
}

/* Keeps the ids of s for which keep(node) holds. */
static void filter(struct plan *pl, struct np_idset *s,
		   bool (*keep)(const struct plan *, unsigned))
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		if (keep(pl, s->ids[i]))
			s->ids[k++] = s->ids[i];
	s->n = k;
}

static const struct np_node *node_of(const struct plan *pl, unsigned id)
{
	long x = np_topo_node_index(pl->t, id);

	return x < 0 ? NULL : &pl->t->nodes[x];
}

static size_t allowed_cpus_of(const struct plan *pl, unsigned id)
{
	const struct np_node *nd = node_of(pl, id);
	size_t n = 0;

	for (size_t i = 0; nd && i < nd->ncpus; i++)
		n += np_idset_contains(&pl->allowed_cpus, nd->cpus[i]);
	return n;
}

static bool has_allowed_cpus(const struct plan *pl, unsigned id)
{
	return allowed_cpus_of(pl, id) > 0;
}

static bool has_memory(const struct plan *pl, unsigned id)
{
	const struct np_node *nd = node_of(pl, id);

	return nd && nd->has_memory && nd->total_bytes != 0;
}

static int parse_nodes(struct plan *pl, const char *s, const char *what,
		       struct np_idset *out, struct np_err *err)
{
	struct np_err why = { 0 };
	int e = np_idstr_parse(s ? s : "all", NP_IDSTR_NODES, &pl->exists,
			       &pl->allowed_nodes, out, &why);

	if (e == -ENOMEM)
		return np_fail_sys(err, e, "out of memory");
	if (e)
		return np_fail_input(err, e, "%s '%s': %s", what,
				     s ? s : "all", why.msg);
	return 0;
}

static int check_cpu_nodes(struct plan *pl, const char *s, struct np_err *err)
{
	for (size_t i = 0; s && i < pl->cpu_nodes.n; i++) {
		unsigned id = pl->cpu_nodes.ids[i];
		const struct np_node *nd = node_of(pl, id);

		if (nd && !nd->ncpus)
			return np_fail_input(err, -EINVAL, "CPU node %u has no "
					     "CPUs (memory only: a column, not "
					     "a row)", id);
		if (!has_allowed_cpus(pl, id))
			return np_fail_input(err, -EINVAL, "CPU node %u: none "
					     "of its CPUs is in this task's "
					     "cpuset", id);
	}
	filter(pl, &pl->cpu_nodes, has_allowed_cpus);
	if (!pl->cpu_nodes.n)
		return np_fail_input(err, -EINVAL, "no node with CPUs this "
				     "task may run on");
	return 0;
}

static int check_mem_nodes(struct plan *pl, const char *s, struct np_err *err)
{
	if (s)
		return np_nodes_have_memory(pl->t, &pl->mem_nodes, err);
	filter(pl, &pl->mem_nodes, has_memory);
	if (!pl->mem_nodes.n)
		return np_fail_sys(err, -ENOENT, "no node with memory");
	return 0;
}

/* Each CPU node's CPUs in this task's cpuset, the first `threads`. */
static int node_cpus(struct plan *pl, unsigned threads, struct np_err *err)
{
	pl->cpus = calloc(pl->cpu_nodes.n, sizeof(*pl->cpus));
	if (!pl->cpus)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < pl->cpu_nodes.n; i++) {
		unsigned id = pl->cpu_nodes.ids[i];
		const struct np_node *nd = node_of(pl, id);
		size_t have = allowed_cpus_of(pl, id);

		if (threads > have)
			return np_fail_input(err, -EINVAL, "%u threads: CPU "
					     "node %u has %zu CPU%s this task "
					     "may run on", threads, id, have,
					     have == 1 ? "" : "s");
		for (size_t c = 0; c < nd->ncpus; c++) {
			if (threads && pl->cpus[i].n == threads)
				break;
			if (np_idset_contains(&pl->allowed_cpus, nd->cpus[c]) &&
			    np_idset_push(&pl->cpus[i], nd->cpus[c]))
				return np_fail_sys(err, -ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int plan_nodes(const struct np_bench_mem_opts *o, struct plan *pl,
		      struct np_err *err)
{
	int e;

	pl->t = o->topo;
	if (!pl->t) {
		e = np_topo_from_sysroot_parts("/", NP_TOPO_BASIC, &pl->live, err);
		if (e)
			return e;
		pl->t = pl->live;
	}
	if (np_topo_node_set(pl->t, &pl->exists))
		return np_fail_sys(err, -ENOMEM, "out of memory");
	e = np_task_allowed("/", 0, pl->t, &pl->allowed_nodes,
			    &pl->allowed_cpus, err);
	if (!e)
		e = parse_nodes(pl, o->cpu_nodes, "CPU nodes", &pl->cpu_nodes,
				err);
	if (!e)
		e = parse_nodes(pl, o->mem_nodes, "memory nodes",
				&pl->mem_nodes, err);
	if (!e)
		e = check_cpu_nodes(pl, o->cpu_nodes, err);
	if (!e)
		e = check_mem_nodes(pl, o->mem_nodes, err);
	if (!e)
		e = node_cpus(pl, o->threads, err);
	return e;
}

/* ---- sizes ---- */

/* The last-level cache of a node, all its instances: 0 when unknown. */
static uint64_t node_llc(const struct np_node *nd, unsigned *level)
{
	const struct np_node_cpu_structure *cs = &nd->cpu_structure;
	uint64_t bytes = 0;
	unsigned depth = 0;

	for (unsigned i = 0; nd->has_cpu_structure && i < cs->ncache_levels;
	     i++) {
		const struct np_cache_level *c = &cs->cache_levels[i];

		if (c->type == 'i' || c->depth < depth)
			continue;
		if (c->depth > depth)
			bytes = 0;
		depth = c->depth;
		bytes += c->size_bytes * c->count;
	}
	*level = depth;
	return bytes;
}

static void find_llc(struct plan *pl, struct np_bench_mem_result *r)
{
	/* No hwloc (a JSON topology): the cache is unknown, said below. */
	if (!pl->t->hwloc && np_topo_load_cpu_structure(pl->t, NULL))
		return;
	for (size_t i = 0; i < pl->cpu_nodes.n; i++) {
		unsigned level;
		uint64_t b = node_llc(node_of(pl, pl->cpu_nodes.ids[i]), &level);

		if (b > r->llc_bytes) {
			r->llc_bytes = b;
			r->llc_level = level;
		}
	}
}

static int check_size(const char *what, uint64_t bytes,
		      const struct np_bench_mem_result *r, struct np_err *err)
{
	char a[32], b[32];

	np_format_bytes(a, sizeof(a), bytes);
	if (bytes < MIN_BYTES)
		return np_fail_input(err, -EINVAL, "%s of %s: at least %u KiB",
				     what, a, MIN_BYTES / 1024);
	if (r->llc_bytes && bytes < r->llc_bytes)
		return np_fail_input(err, -EINVAL, "%s of %s: below the %s L%u "
				     "cache, it would measure the cache (at "
				     "least the cache; 4x by STREAM's rule)",
				     what, a, np_format_bytes(b, sizeof(b),
							      r->llc_bytes),
				     r->llc_level);
	if (bytes / NP_MEM_LINE_BYTES > UINT32_MAX)
		return np_fail_input(err, -EINVAL, "%s of %s: at most 256 GiB",
				     what, a);
	return 0;
}

static int plan_sizes(const struct np_bench_mem_opts *o, struct plan *pl,
		      struct np_bench_mem_result *r, struct np_err *err)
{
	int e = 0;

	find_llc(pl, r);
	r->size_given = o->array_bytes != 0;
	if (!o->array_bytes && !r->llc_bytes)
		return np_fail_sys(err, -ENOENT, "the last-level cache size is "
				   "unknown (hwloc gave none): give the array "
				   "size");
	r->array_bytes = o->array_bytes ? o->array_bytes : 4 * r->llc_bytes;
	r->array_bytes = r->array_bytes / NP_MEM_LINE_BYTES * NP_MEM_LINE_BYTES;
	r->latency_bytes = o->latency_bytes ? o->latency_bytes : r->array_bytes;
	r->latency_bytes = r->latency_bytes / NP_MEM_LINE_BYTES *
			   NP_MEM_LINE_BYTES;
	if (r->kernels)
		e = check_size("arrays", r->array_bytes, r, err);
	if (!e && (o->latency || o->sweep))
		e = check_size("a latency buffer", r->latency_bytes, r, err);
	return e;
}

/* What a pair needs at once on its memory node, against what is free:
 * a bound allocation beyond it would meet the OOM killer, not an error. */
static int check_free(const struct np_bench_mem_opts *o, struct plan *pl,
		      const struct np_bench_mem_result *r, struct np_err *err)
{
	uint64_t need = r->kernels ? 3 * r->array_bytes : 0;

	if (o->latency && r->latency_bytes > need)
		need = r->latency_bytes;
	if (o->sweep && 2 * r->latency_bytes > need)
		need = 2 * r->latency_bytes;
	for (size_t j = 0; j < pl->mem_nodes.n; j++) {
		const struct np_node *nd = node_of(pl, pl->mem_nodes.ids[j]);

		if (nd->free_bytes != NP_UNKNOWN && need > nd->free_bytes)
			return np_fail_sys(err, -ENOMEM, "node %u has %.0f MiB "
					   "free; the run needs %.0f MiB there "
					   "at once (a smaller size?)", nd->id,
					   nd->free_bytes / MIB, need / MIB);
	}
	return 0;
}

/* ---- the result ---- */

void np_bench_mem_result_free(struct np_bench_mem_result *r)
{
	size_t n;

	if (!r)
		return;
	n = r->ncpu_nodes * r->nmem_nodes;
	for (size_t i = 0; r->bw && i < n; i++) {
		free(r->bw[i].cpus);
		free(r->bw[i].mbps);
	}
	for (size_t i = 0; r->lat && i < n; i++)
		free(r->lat[i].reps_ns);
	if (r->sweep) {
		free(r->sweep->base);
		free(r->sweep->huge);
	}
	free(r->sweep);
	free(r->bw);
	free(r->lat);
	free(r->cpu_nodes);
	free(r->mem_nodes);
	free(r);
}

static unsigned *copy_ids(const struct np_idset *s)
{
	unsigned *v = calloc(s->n ? s->n : 1, sizeof(*v));

	if (v && s->n)
		memcpy(v, s->ids, s->n * sizeof(*v));
	return v;
}

static int alloc_pairs(const struct np_bench_mem_opts *o,
		       const struct plan *pl, struct np_bench_mem_result *r)
{
	size_t n = r->ncpu_nodes * r->nmem_nodes;

	if (r->kernels && !(r->bw = calloc(n, sizeof(*r->bw))))
		return -ENOMEM;
	if (o->latency && !(r->lat = calloc(n, sizeof(*r->lat))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct np_idset *cpus = &pl->cpus[i / r->nmem_nodes];

		if (r->bw) {
			struct np_bench_mem_bw *b = &r->bw[i];

			b->cpu_node = r->cpu_nodes[i / r->nmem_nodes];
			b->mem_node = r->mem_nodes[i % r->nmem_nodes];
			b->threads = (unsigned)cpus->n;
			b->cpus = copy_ids(cpus);
			b->mbps = calloc((size_t)NP_MEM_NKERNELS * r->ntimes,
					 sizeof(double));
			if (!b->cpus || !b->mbps)
				return -ENOMEM;
		}
		if (r->lat) {
			struct np_bench_mem_lat *l = &r->lat[i];

			l->cpu_node = r->cpu_nodes[i / r->nmem_nodes];
			l->mem_node = r->mem_nodes[i % r->nmem_nodes];
			l->reps_ns = calloc(r->latency_reps, sizeof(double));
			if (!l->reps_ns)
				return -ENOMEM;
		}
	}
	return 0;
}

static int make_result(const struct np_bench_mem_opts *o, struct plan *pl,
		       struct np_bench_mem_result **out, struct np_err *err)
{
	struct np_bench_mem_result *r = calloc(1, sizeof(*r));
	int e;

	*out = r;
	if (!r)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	r->kernels = o->kernels;
	r->nt = o->nt;
	r->page_bytes = o->page_bytes;
	r->ntimes = o->ntimes;
	r->loads = o->loads;
	r->latency_reps = o->latency_reps;
	r->sweep_loads = o->sweep_loads;
	r->ncpu_nodes = pl->cpu_nodes.n;
	r->nmem_nodes = pl->mem_nodes.n;
	r->cpu_nodes = copy_ids(&pl->cpu_nodes);
	r->mem_nodes = copy_ids(&pl->mem_nodes);
	if (!r->cpu_nodes || !r->mem_nodes)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	e = plan_sizes(o, pl, r, err);
	if (!e)
		e = check_free(o, pl, r, err);
	if (!e && alloc_pairs(o, pl, r))
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	if (!e && o->sweep && !(r->sweep = calloc(1, sizeof(*r->sweep))))
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	np_bench_host_read(pl->cpus[0].ids[0], &r->host);
	return e;
}

/* ---- the measurements ---- */

static void progress(const struct np_bench_mem_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void progress(const struct np_bench_mem_opts *o, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (!o->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->progress(o->progress_arg, line);
}

static struct np_mem_pair pair_of(const struct plan *pl,
				  const struct np_bench_mem_result *r,
				  size_t i, size_t j)
{
	return (struct np_mem_pair){ r->cpu_nodes[i], r->mem_nodes[j],
		pl->cpus[i].ids, (unsigned)pl->cpus[i].n };
}

static int run_bandwidth(const struct np_bench_mem_opts *o,
			 const struct plan *pl, struct np_bench_mem_result *r,
			 struct np_err *err)
{
	size_t n = r->ncpu_nodes * r->nmem_nodes;
	int e = 0;

	for (size_t x = 0; !e && x < n; x++) {
		struct np_mem_pair p = pair_of(pl, r, x / r->nmem_nodes,
					       x % r->nmem_nodes);

		progress(o, "bandwidth %zu/%zu: CPU node %u, memory node %u",
			 x + 1, n, p.cpu_node, p.mem_node);
		e = np_mem_bandwidth(r, &p, &r->bw[x], err);
	}
	return e;
}

static int run_latency(const struct np_bench_mem_opts *o,
		       const struct plan *pl, struct np_bench_mem_result *r,
		       struct np_err *err)
{
	size_t n = r->ncpu_nodes * r->nmem_nodes;
	size_t nlines = r->latency_bytes / NP_MEM_LINE_BYTES;
	uint32_t *order = malloc(nlines * sizeof(*order));
	int e = 0;

	if (!order || np_mem_chase_order(order, nlines,
			NP_BENCH_MEM_TLB_GROUP_BYTES / NP_MEM_LINE_BYTES, 1)) {
		free(order);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	for (size_t x = 0; !e && x < n; x++) {
		struct np_mem_pair p = pair_of(pl, r, x / r->nmem_nodes,
					       x % r->nmem_nodes);

		progress(o, "latency %zu/%zu: CPU node %u, memory node %u",
			 x + 1, n, p.cpu_node, p.mem_node);
		e = np_mem_latency(r, &p, order, &r->lat[x], err);
	}
	free(order);
	return e;
}

/* The sweep's pair: the first CPU node and the nearest memory node. */
static int run_sweep(const struct np_bench_mem_opts *o,
		     const struct plan *pl, struct np_bench_mem_result *r,
		     struct np_err *err)
{
	size_t best = 0;

	for (size_t j = 1; j < r->nmem_nodes; j++)
		if (np_topo_distance(pl->t, r->cpu_nodes[0], r->mem_nodes[j]) <
		    np_topo_distance(pl->t, r->cpu_nodes[0], r->mem_nodes[best]))
			best = j;
	{
		struct np_mem_pair p = pair_of(pl, r, 0, best);

		progress(o, "sweep: CPU node %u, memory node %u, 16 KiB to "
			 "%.0f MiB", p.cpu_node, p.mem_node,
			 r->latency_bytes / MIB);
		return np_mem_sweep(r, &p, r->sweep, err);
	}
}

int np_bench_mem_run(const struct np_bench_mem_opts *o,
		     struct np_bench_mem_result **out, struct np_err *err)
{
	struct plan pl = { 0 };
	struct np_bench_mem_result *r = NULL;
	int e = check_opts(o, err);

	*out = NULL;
	if (!e)
		e = plan_nodes(o, &pl, err);
	if (!e)
		e = make_result(o, &pl, &r, err);
	if (!e && r->kernels)
		e = run_bandwidth(o, &pl, r, err);
	if (!e && o->latency)
		e = run_latency(o, &pl, r, err);
	if (!e && o->sweep)
		e = run_sweep(o, &pl, r, err);
	plan_free(&pl);
	if (e) {
		np_bench_mem_result_free(r);
		return e;
	}
	*out = r;
	return 0;
}
