/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "view/view-bench.h"

#include <errno.h>
#include <stdbool.h>

#include <json-c/json.h>

#include "cli/cli-json.h"

#define MIB (1024u * 1024u)

/* ---- text ---- */

static void fmt_ns(char *buf, size_t len, double ns)
{
	snprintf(buf, len, ns < 100 ? "%.2f" : ns < 10000 ? "%.1f" : "%.0f", ns);
}

static void fmt_ratio(char *buf, size_t len, double r)
{
	snprintf(buf, len, r < 10 ? "%.2fx" : r < 100 ? "%.1fx" : "%.0fx", r);
}

static void fmt_iqr(char *buf, size_t len, const struct np_stats_summary *s)
{
	char lo[32], hi[32];

	fmt_ns(lo, sizeof(lo), s->p25);
	fmt_ns(hi, sizeof(hi), s->p75);
	snprintf(buf, len, "%s..%s", lo, hi);
}

static void text_row(FILE *out, const struct np_bench_alloc_entry *en,
		     unsigned cfg)
{
	char ns[NP_BENCH_NMODES][32], iqr[NP_BENCH_NMODES][72];
	char ratio[NP_BENCH_NMODES][32];

	if (!en->measured) {
		fprintf(out, "%s: not measured: %s\n", en->name, en->why);
		return;
	}
	for (int m = 0; m < NP_BENCH_NMODES; m++) {
		fmt_ns(ns[m], sizeof(ns[m]), en->summary[cfg][m].median);
		fmt_iqr(iqr[m], sizeof(iqr[m]), &en->summary[cfg][m]);
		fmt_ratio(ratio[m], sizeof(ratio[m]), en->ratio[cfg][m]);
	}
	fprintf(out, "%-18s %9s  %-17s %9s  %-17s %8s %8s\n", en->name,
		ns[0], iqr[0], ns[1], iqr[1], ratio[0], ratio[1]);
}

static void text_cpus(FILE *out, const struct np_bench_alloc_result *r,
		      unsigned n)
{
	fprintf(out, "%u thread%s on CPU%s", n, n == 1 ? "" : "s",
		n == 1 ? "" : "s");
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s%u", i ? "," : " ", r->cpus[i]);
	fprintf(out, " (node%s", n == 1 ? "" : "s");
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s%u", i ? "," : " ", r->nodes[i]);
	fputc(')', out);
}

static void text_table(FILE *out, const struct np_bench_alloc_result *r,
		       unsigned cfg)
{
	fputc('\n', out);
	text_cpus(out, r, cfg == NP_BENCH_ONE_THREAD ? 1 : r->threads);
	fprintf(out, cfg ? ", aggregate: wall time over all threads' frames\n"
		: "\n");
	fprintf(out, "%-18s %9s  %-17s %9s  %-17s %8s %8s\n", "allocator",
		"ns/op", "p25..p75", "batch64", "p25..p75", "ratio", "ratio64");
	for (size_t i = 0; i < r->nentries; i++)
		text_row(out, &r->entries[i], cfg);
}

static void text_scaling(FILE *out, const struct np_bench_alloc_result *r)
{
	fprintf(out, "\nscaling, %u threads against 1 (throughput ratio of the "
		"medians)\n%-18s %9s %9s\n", r->threads, "allocator", "ns/op",
		"batch64");
	for (size_t i = 0; i < r->nentries; i++) {
		const struct np_bench_alloc_entry *en = &r->entries[i];
		char sc[NP_BENCH_NMODES][32];

		if (!en->measured)
			continue;
		for (int m = 0; m < NP_BENCH_NMODES; m++)
			fmt_ratio(sc[m], sizeof(sc[m]), en->scaling[m]);
		fprintf(out, "%-18s %9s %9s\n", en->name, sc[0], sc[1]);
	}
}

/* "4 KiB", "2 MiB" */
static void fprint_size(FILE *out, size_t bytes)
{
	fprintf(out, "%zu %s", bytes >= MIB ? bytes / MIB : bytes / 1024,
		bytes >= MIB ? "MiB" : "KiB");
}

int view_bench_alloc_text(FILE *out, const struct np_bench_alloc_result *r)
{
	fprintf(out, "bench alloc: ");
	fprint_size(out, r->frame_bytes);
	fprintf(out, " frames");
	if (r->alloc_bytes != r->frame_bytes) {
		fprintf(out, ", allocations of ");
		fprint_size(out, r->alloc_bytes);
	}
	fprintf(out, ", %u round%s; ns per allocation (alloc + write one byte "
		"+ free)%s,\nmedian and 25th..75th percentile of the rounds; "
		"ratio = median / numaplace's median\n",
		r->rounds, r->rounds == 1 ? "" : "s",
		r->cpu_clock ? " in the threads' CPU time" : "");
	fprintf(out, "numaplace pool: %llu MiB per node on node%s",
		(unsigned long long)(r->pool_bytes_per_node / MIB),
		r->npool_nodes == 1 ? "" : "s");
	for (size_t i = 0; i < r->npool_nodes; i++)
		fprintf(out, "%s%u", i ? "," : " ", r->pool_nodes[i]);
	fprintf(out, ", %s\n", r->pool_backing);
	for (unsigned cfg = 0; cfg < r->nconfigs; cfg++)
		text_table(out, r, cfg);
	if (r->nconfigs > 1)
		text_scaling(out, r);
	return 0;
}

/* ---- JSON ---- */

static void add_summary(json_object *o, const char *key,
			const struct np_stats_summary *s, bool *oom)
{
	static const char *const suffix[] = { "_p25", "_p75", "_min", "_max" };
	const double v[] = { s->p25, s->p75, s->min, s->max };
	char name[64];

	np_json_add_num(o, key, s->median, oom);
	for (size_t i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "%s%s", key, suffix[i]);
		np_json_add_num(o, name, v[i], oom);
	}
}

/* The widest configuration's figures, and one thread's beside them. */
static void json_figures(json_object *o, const struct np_bench_alloc_entry *en,
			 unsigned top, bool *oom)
{
	static const char *const keys[] = { "ns_per_op", "ns_per_op_batch64" };
	static const char *const ratio[] = {
		"ratio_vs_numaplace", "ratio_vs_numaplace_batch64" };
	static const char *const one[] = {
		"ns_per_op_1thread", "ns_per_op_batch64_1thread" };
	static const char *const scaling[] = { "scaling", "scaling_batch64" };
	static const char *const rate[] = { "ops_per_s", "ops_per_s_batch64" };

	for (int m = 0; m < NP_BENCH_NMODES; m++) {
		add_summary(o, keys[m], &en->summary[top][m], oom);
		np_json_add_num(o, rate[m], 1e9 / en->summary[top][m].median, oom);
		np_json_add_num(o, ratio[m], en->ratio[top][m], oom);
		if (top)
			add_summary(o, one[m], &en->summary[0][m], oom);
		if (top)
			np_json_add_num(o, scaling[m], en->scaling[m], oom);
	}
}

static json_object *json_entry(const struct np_bench_alloc_entry *en,
			       unsigned top, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);

	np_json_add_str(o, "name", en->name, oom);
	np_json_add(o, "measured",
		    np_json_checked(json_object_new_boolean(en->measured), oom),
		    oom);
	if (!en->measured) {
		np_json_add_str(o, "error", en->why, oom);
		return o;
	}
	json_figures(o, en, top, oom);
	np_json_add_u64(o, "frames_per_measurement",
			en->frames[NP_BENCH_SINGLE], oom);
	np_json_add_u64(o, "frames_per_measurement_batch64",
			en->frames[NP_BENCH_BATCH], oom);
	return o;
}

static json_object *json_uint_array(const unsigned *v, size_t n, bool *oom)
{
	json_object *a = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; a && i < n; i++) {
		json_object *x = np_json_checked(json_object_new_uint64(v[i]), oom);

		if (x && json_object_array_add(a, x)) {
			json_object_put(x);
			*oom = true;
		}
	}
	return a;
}

static json_object *json_bench(const struct np_bench_alloc_result *r,
			       bool *oom)
{
	json_object *root = np_json_checked(json_object_new_object(), oom);
	json_object *list = np_json_checked(json_object_new_array(), oom);

	np_json_add_u64(root, "frame_bytes", r->frame_bytes, oom);
	np_json_add_u64(root, "alloc_bytes", r->alloc_bytes, oom);
	np_json_add_u64(root, "threads", r->threads, oom);
	np_json_add_u64(root, "rounds", r->rounds, oom);
	np_json_add_str(root, "clock", r->cpu_clock ? "cpu" : "wall", oom);
	np_json_add(root, "cpus", json_uint_array(r->cpus, r->threads, oom), oom);
	np_json_add(root, "nodes", json_uint_array(r->nodes, r->threads, oom),
		    oom);
	np_json_add_u64(root, "pool_bytes_per_node", r->pool_bytes_per_node, oom);
	np_json_add_str(root, "pool_backing", r->pool_backing, oom);
	for (size_t i = 0; list && i < r->nentries; i++) {
		json_object *o = json_entry(&r->entries[i], r->nconfigs - 1, oom);

		if (o && json_object_array_add(list, o)) {
			json_object_put(o);
			*oom = true;
		}
	}
	np_json_add(root, "results", list, oom);
	return root;
}

int view_bench_alloc_json(FILE *out, const struct np_bench_alloc_result *r)
{
	bool oom = false;
	json_object *root = json_bench(r, &oom);

	return np_json_write(out, root, oom);
}
