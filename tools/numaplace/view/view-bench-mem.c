/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "view/view-bench-mem.h"

#include <errno.h>
#include <stdbool.h>

#include <json-c/json.h>

#include <numaplace/units.h>

#include "cli/cli-json.h"

#define MIB (1024.0 * 1024.0)
#define EMULATED "TCG does not model remote latency"

static const char *const kernel_formula[NP_MEM_NKERNELS] = {
	"s += a[i]", "c[i] = w", "c[i] = a[i]", "b[i] = q*c[i]",
	"c[i] = a[i] + b[i]", "a[i] = b[i] + q*c[i]",
};

static bool ran(const struct np_bench_mem_result *r, unsigned k)
{
	return r->kernels & 1u << k;
}

static size_t npairs(const struct np_bench_mem_result *r)
{
	return r->ncpu_nodes * r->nmem_nodes;
}

/* The kernel everything is summed up by: triad, as STREAM. */
static int headline_kernel(const struct np_bench_mem_result *r)
{
	int k = -1;

	for (unsigned i = 0; i < NP_MEM_NKERNELS; i++)
		if (ran(r, i))
			k = (int)i;
	return k;
}

/* ---- text ---- */

static void text_threads(FILE *out, const struct np_bench_mem_result *r)
{
	fprintf(out, "threads:");
	for (size_t i = 0; r->bw && i < r->ncpu_nodes; i++) {
		const struct np_bench_mem_bw *b = &r->bw[i * r->nmem_nodes];

		fprintf(out, "%s CPU node %u on CPU%s", i ? ";" : "", b->cpu_node,
			b->threads == 1 ? "" : "s");
		for (unsigned t = 0; t < b->threads; t++)
			fprintf(out, "%s%u", t ? "," : " ", b->cpus[t]);
	}
	fputc('\n', out);
}

static uint64_t huge_total(const struct np_bench_mem_result *r, bool arrays)
{
	uint64_t n = 0;

	for (size_t x = 0; x < npairs(r); x++)
		n += arrays ? (r->bw ? r->bw[x].huge_bytes : 0) :
		     (r->lat ? r->lat[x].huge_bytes : 0);
	return n;
}

static void text_pages(FILE *out, const struct np_bench_mem_result *r)
{
	uint64_t mem = (r->bw ? 3 * r->array_bytes : 0) +
		       (r->lat ? r->latency_bytes : 0);
	uint64_t huge = huge_total(r, true) + huge_total(r, false);
	char a[32], b[32];

	mem *= npairs(r);
	if (r->page_bytes == 4096)
		fprintf(out, "4 KiB pages (MADV_NOHUGEPAGE)");
	else
		fprintf(out, "2 MiB pages asked (MADV_HUGEPAGE)");
	fprintf(out, ": %s of %s in huge pages (smaps)",
		np_format_bytes(a, sizeof(a), huge), np_format_bytes(b, sizeof(b), mem));
}

static void text_state(FILE *out, const struct np_bench_mem_result *r)
{
	const struct np_bench_host *h = &r->host;

	fprintf(out, "state: NUMA balancing ");
	if (h->numa_balancing < 0)
		fprintf(out, "unknown");
	else
		fprintf(out, "%s", h->numa_balancing ? "on" : "off");
	fprintf(out, ", THP %s, ", h->thp[0] ? h->thp : "unknown");
	text_pages(out, r);
	fprintf(out, ", CPU governor %s\n", h->governor[0] ? h->governor :
		"unknown");
	if (h->lab_guest)
		fprintf(out, "emulated: " EMULATED " (a numaplace lab guest)\n");
}

static void text_head(FILE *out, const struct np_bench_mem_result *r)
{
	char a[32], c[32];

	fprintf(out, "bench mem: ");
	if (r->bw) {
		fprintf(out, "3 arrays of %s each ",
			np_format_bytes(a, sizeof(a), r->array_bytes));
		if (!r->size_given)
			fprintf(out, "(4x the %s L%u cache, STREAM's rule)",
				np_format_bytes(c, sizeof(c), r->llc_bytes),
				r->llc_level);
		else if (r->llc_bytes)
			fprintf(out, "(as asked; the L%u cache is %s)",
				r->llc_level, np_format_bytes(c, sizeof(c),
							r->llc_bytes));
		else
			fprintf(out, "(as asked; the cache size is unknown)");
		fprintf(out, ", best of %u repetition%s after a discarded "
			"first, %s stores\n", r->ntimes - 1,
			r->ntimes == 2 ? "" : "s",
			r->nt ? "non-temporal" : "regular");
		text_threads(out, r);
	} else {
		fprintf(out, "latency only\n");
	}
	text_state(out, r);
}

/* Laid out as MLC's matrices: tabs, rows by CPU node. */
static void text_matrix(FILE *out, const struct np_bench_mem_result *r,
			const double *v)
{
	fprintf(out, "\t\tNuma node\nNuma node");
	for (size_t j = 0; j < r->nmem_nodes; j++)
		fprintf(out, "\t%6u", r->mem_nodes[j]);
	fputc('\n', out);
	for (size_t i = 0; i < r->ncpu_nodes; i++) {
		fprintf(out, "%8u", r->cpu_nodes[i]);
		for (size_t j = 0; j < r->nmem_nodes; j++)
			fprintf(out, "\t%7.1f", v[i * r->nmem_nodes + j]);
		fputc('\n', out);
	}
}

static int text_bandwidth(FILE *out, const struct np_bench_mem_result *r,
			  double *v)
{
	fprintf(out, "\nMeasuring memory bandwidths between nodes (MB/sec, "
		"1 MB = 1,000,000 bytes; rows: CPU node, columns: memory "
		"node)\n");
	for (unsigned k = 0; k < NP_MEM_NKERNELS; k++) {
		if (!ran(r, k))
			continue;
		for (size_t x = 0; x < npairs(r); x++)
			v[x] = r->bw[x].best_mbps[k];
		fprintf(out, "\n%s: %s, %u bytes per element\n",
			np_bench_mem_kernel_name(k), kernel_formula[k],
			np_bench_mem_kernel_bytes(k));
		text_matrix(out, r, v);
	}
	return 0;
}

static void text_bus(FILE *out, const struct np_bench_mem_result *r,
		     double *v)
{
	bool any = false;

	for (unsigned k = NP_MEM_WRITE; k < NP_MEM_NKERNELS; k++)
		any |= ran(r, k);
	if (!any || r->nt)
		return;
	fprintf(out, "\nBytes that cross the bus with write-allocate (a store "
		"reads its line first), MB/sec\n");
	for (unsigned k = NP_MEM_WRITE; k < NP_MEM_NKERNELS; k++) {
		double f = np_bench_mem_bus_factor(k, false);

		if (!ran(r, k))
			continue;
		for (size_t x = 0; x < npairs(r); x++)
			v[x] = r->bw[x].best_mbps[k] * f;
		fprintf(out, "\n%s on the bus: x%.2f (%u + 8 bytes per "
			"element)\n", np_bench_mem_kernel_name(k), f,
			np_bench_mem_kernel_bytes(k));
		text_matrix(out, r, v);
	}
}

static void text_latency(FILE *out, const struct np_bench_mem_result *r,
			 double *v)
{
	char a[32];

	fprintf(out, "\nMeasuring idle latencies (ns per load: dependent loads "
		"through one random cycle over %s,\nlines shuffled within %u "
		"KiB groups; median of %u x %llu loads, one thread; rows: CPU "
		"node, columns: memory node)\n",
		np_format_bytes(a, sizeof(a), r->latency_bytes),
		NP_BENCH_MEM_TLB_GROUP_BYTES / 1024, r->latency_reps,
		(unsigned long long)r->loads);
	for (size_t x = 0; x < npairs(r); x++)
		v[x] = r->lat[x].ns;
	text_matrix(out, r, v);
}

static void text_sweep(FILE *out, const struct np_bench_mem_result *r)
{
	const struct np_bench_mem_sweep *s = r->sweep;
	char a[32], b[32];

	fprintf(out, "\nLatency sweep, CPU node %u to memory node %u (ns per "
		"load, median of %u x %llu loads a point)\n%10s %12s %12s\n",
		s->cpu_node, s->mem_node, r->latency_reps,
		(unsigned long long)r->sweep_loads, "size", "4 KiB pages",
		"huge pages");
	for (size_t i = 0; i < s->n; i++)
		fprintf(out, "%10s %12.2f %12.2f\n",
			np_format_bytes(a, sizeof(a), s->base[i].bytes),
			s->base[i].ns, s->huge[i].ns);
	fprintf(out, "huge pages: %s of the %s buffer were huge (THP, smaps)\n",
		np_format_bytes(a, sizeof(a), s->huge_bytes),
		np_format_bytes(b, sizeof(b), s->buffer_bytes));
}

int view_bench_mem_text(FILE *out, const struct np_bench_mem_result *r)
{
	double *v = calloc(npairs(r) ? npairs(r) : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	text_head(out, r);
	if (r->bw) {
		text_bandwidth(out, r, v);
		text_bus(out, r, v);
	}
	if (r->lat)
		text_latency(out, r, v);
	if (r->sweep)
		text_sweep(out, r);
	free(v);
	return 0;
}

/* ---- JSON ---- */

static json_object *json_host(const struct np_bench_host *h, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);

	np_json_add(o, "numa_balancing", h->numa_balancing < 0 ? NULL :
		    np_json_checked(json_object_new_int(h->numa_balancing), oom),
		    oom);
	np_json_add(o, "thp", h->thp[0] ? np_json_checked(
		    json_object_new_string(h->thp), oom) : NULL, oom);
	np_json_add(o, "governor", h->governor[0] ? np_json_checked(
		    json_object_new_string(h->governor), oom) : NULL, oom);
	np_json_add(o, "lab_guest", np_json_checked(
		    json_object_new_boolean(h->lab_guest), oom), oom);
	return o;
}

static json_object *json_doubles(const double *v, size_t n, bool *oom)
{
	json_object *a = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; a && i < n; i++) {
		char s[32];
		json_object *d;

		snprintf(s, sizeof(s), "%.3f", v[i]);
		d = np_json_checked(json_object_new_double_s(v[i], s), oom);
		if (d && json_object_array_add(a, d)) {
			json_object_put(d);
			*oom = true;
		}
	}
	return a;
}

static json_object *json_uints(const unsigned *v, size_t n, bool *oom)
{
	json_object *a = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; a && i < n; i++) {
		json_object *d = np_json_checked(json_object_new_int64(v[i]), oom);

		if (d && json_object_array_add(a, d)) {
			json_object_put(d);
			*oom = true;
		}
	}
	return a;
}

static void json_add_to(json_object *array, json_object *o, bool *oom)
{
	if (!array || !o || json_object_array_add(array, o)) {
		json_object_put(o);
		*oom = true;
	}
}

static json_object *json_bw(const struct np_bench_mem_result *r,
			    const struct np_bench_mem_bw *b, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);
	json_object *reps = np_json_checked(json_object_new_object(), oom);
	char key[32];

	np_json_add_u64(o, "cpu_node", b->cpu_node, oom);
	np_json_add_u64(o, "mem_node", b->mem_node, oom);
	for (unsigned k = 0; k < NP_MEM_NKERNELS; k++) {
		const char *name = np_bench_mem_kernel_name(k);

		snprintf(key, sizeof(key), "%s_mbps", name);
		if (ran(r, k))
			np_json_add_num(o, key, b->best_mbps[k], oom);
		else
			np_json_add(o, key, NULL, oom);
	}
	for (unsigned k = 0; k < NP_MEM_NKERNELS; k++) {
		const char *name = np_bench_mem_kernel_name(k);

		snprintf(key, sizeof(key), "%s_bus_mbps", name);
		if (ran(r, k))
			np_json_add_num(o, key, b->best_mbps[k] *
					np_bench_mem_bus_factor(k, r->nt), oom);
		if (ran(r, k))
			np_json_add(reps, name, json_doubles(&b->mbps[k *
				    r->ntimes], r->ntimes, oom), oom);
	}
	np_json_add_u64(o, "threads", b->threads, oom);
	np_json_add(o, "cpus", json_uints(b->cpus, b->threads, oom), oom);
	np_json_add_u64(o, "huge_bytes", b->huge_bytes, oom);
	np_json_add(o, "repetitions_mbps", reps, oom);
	return o;
}

static json_object *json_lat(const struct np_bench_mem_result *r,
			     const struct np_bench_mem_lat *l, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);

	np_json_add_u64(o, "cpu_node", l->cpu_node, oom);
	np_json_add_u64(o, "mem_node", l->mem_node, oom);
	np_json_add_num(o, "ns", l->ns, oom);
	np_json_add_u64(o, "cpu", l->cpu, oom);
	np_json_add_u64(o, "huge_bytes", l->huge_bytes, oom);
	np_json_add(o, "repetitions_ns", json_doubles(l->reps_ns,
		    r->latency_reps, oom), oom);
	return o;
}

static json_object *json_sweep(const struct np_bench_mem_result *r,
			       bool *oom)
{
	const struct np_bench_mem_sweep *s = r->sweep;
	json_object *o = np_json_checked(json_object_new_object(), oom);
	json_object *pts = np_json_checked(json_object_new_array(), oom);

	np_json_add_u64(o, "cpu_node", s->cpu_node, oom);
	np_json_add_u64(o, "mem_node", s->mem_node, oom);
	np_json_add_u64(o, "loads", r->sweep_loads, oom);
	np_json_add_u64(o, "buffer_bytes", s->buffer_bytes, oom);
	np_json_add_u64(o, "huge_bytes", s->huge_bytes, oom);
	for (size_t i = 0; i < s->n; i++) {
		json_object *p = np_json_checked(json_object_new_object(), oom);

		np_json_add_u64(p, "bytes", s->base[i].bytes, oom);
		np_json_add_num(p, "ns_4k", s->base[i].ns, oom);
		np_json_add_num(p, "ns_huge", s->huge[i].ns, oom);
		json_add_to(pts, p, oom);
	}
	np_json_add(o, "points", pts, oom);
	return o;
}

static void json_setup(json_object *root, const struct np_bench_mem_result *r,
		       bool *oom)
{
	json_object *ks = np_json_checked(json_object_new_array(), oom);

	np_json_add_str(root, "schema", "numaplace-bench-mem/1", oom);
	np_json_add(root, "emulated", r->host.lab_guest ? np_json_checked(
		    json_object_new_string(EMULATED), oom) : NULL, oom);
	np_json_add(root, "host", json_host(&r->host, oom), oom);
	np_json_add_str(root, "stores", r->nt ? "non-temporal" : "regular",
			oom);
	np_json_add_u64(root, "page_bytes", r->page_bytes, oom);
	np_json_add_u64(root, "array_bytes", r->array_bytes, oom);
	np_json_add_str(root, "array_size", r->size_given ? "given" :
			"4x last-level cache", oom);
	np_json_add_u64(root, "llc_bytes", r->llc_bytes, oom);
	np_json_add_u64(root, "llc_level", r->llc_level, oom);
	np_json_add_u64(root, "ntimes", r->ntimes, oom);
	for (unsigned k = 0; k < NP_MEM_NKERNELS; k++)
		if (ran(r, k))
			json_add_to(ks, np_json_checked(json_object_new_string(
				np_bench_mem_kernel_name(k)), oom), oom);
	np_json_add(root, "kernels", ks, oom);
	if (r->lat || r->sweep) {
		np_json_add_u64(root, "latency_bytes", r->latency_bytes, oom);
		np_json_add_u64(root, "latency_loads", r->loads, oom);
		np_json_add_u64(root, "latency_repetitions", r->latency_reps,
				oom);
		np_json_add_u64(root, "tlb_group_bytes",
				NP_BENCH_MEM_TLB_GROUP_BYTES, oom);
	}
}

int view_bench_mem_json(FILE *out, const struct np_bench_mem_result *r)
{
	bool oom = false;
	json_object *root = np_json_checked(json_object_new_object(), &oom);
	json_object *bw = np_json_checked(json_object_new_array(), &oom);
	json_object *lat = np_json_checked(json_object_new_array(), &oom);

	json_setup(root, r, &oom);
	for (size_t x = 0; r->bw && x < npairs(r); x++)
		json_add_to(bw, json_bw(r, &r->bw[x], &oom), &oom);
	for (size_t x = 0; r->lat && x < npairs(r); x++)
		json_add_to(lat, json_lat(r, &r->lat[x], &oom), &oom);
	np_json_add(root, "bandwidth", bw, &oom);
	np_json_add(root, "latency", lat, &oom);
	np_json_add(root, "sweep", r->sweep ? json_sweep(r, &oom) : NULL, &oom);
	return np_json_write(out, root, oom);
}

/* ---- CSV: one measurement a line ---- */

int view_bench_mem_csv(FILE *out, const struct np_bench_mem_result *r)
{
	const char *pages = r->page_bytes == 4096 ? "4k" : "2m";

	fprintf(out, "kind,cpu_node,mem_node,kernel,pages,bytes,value,unit\n");
	for (size_t x = 0; r->bw && x < npairs(r); x++)
		for (unsigned k = 0; k < NP_MEM_NKERNELS; k++) {
			const struct np_bench_mem_bw *b = &r->bw[x];

			if (!ran(r, k))
				continue;
			fprintf(out, "bandwidth,%u,%u,%s,%s,%llu,%.1f,MB/s\n",
				b->cpu_node, b->mem_node,
				np_bench_mem_kernel_name(k), pages,
				(unsigned long long)r->array_bytes,
				b->best_mbps[k]);
			fprintf(out, "bus,%u,%u,%s,%s,%llu,%.1f,MB/s\n",
				b->cpu_node, b->mem_node,
				np_bench_mem_kernel_name(k), pages,
				(unsigned long long)r->array_bytes,
				b->best_mbps[k] *
				np_bench_mem_bus_factor(k, r->nt));
		}
	for (size_t x = 0; r->lat && x < npairs(r); x++)
		fprintf(out, "latency,%u,%u,,%s,%llu,%.2f,ns\n",
			r->lat[x].cpu_node, r->lat[x].mem_node, pages,
			(unsigned long long)r->latency_bytes, r->lat[x].ns);
	for (size_t i = 0; r->sweep && i < r->sweep->n; i++) {
		const struct np_bench_mem_sweep *s = r->sweep;

		fprintf(out, "sweep,%u,%u,,4k,%llu,%.2f,ns\n", s->cpu_node,
			s->mem_node, (unsigned long long)s->base[i].bytes,
			s->base[i].ns);
		fprintf(out, "sweep,%u,%u,,2m,%llu,%.2f,ns\n", s->cpu_node,
			s->mem_node, (unsigned long long)s->huge[i].bytes,
			s->huge[i].ns);
	}
	return 0;
}

/* ---- gnuplot ---- */

static void plot_tics(FILE *out, const char *axis, const unsigned *ids,
		      size_t n)
{
	fprintf(out, "set %stics (", axis);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s\"%u\" %zu", i ? ", " : "", ids[i], i);
	fprintf(out, ")\n");
}

/* A heat-map of one matrix: a box per cell, its value written in it. */
static void plot_heatmap(FILE *out, const struct np_bench_mem_result *r,
			 const char *block, const char *title, const double *v,
			 const char *fmt)
{
	fprintf(out, "%s << EOD\n", block);
	for (size_t i = 0; i < r->ncpu_nodes; i++)
		for (size_t j = 0; j < r->nmem_nodes; j++)
			fprintf(out, "%zu %zu %.3f\n", j, i,
				v[i * r->nmem_nodes + j]);
	fprintf(out, "EOD\nreset\nset title \"%s\"\n"
		"set xlabel \"memory node\"\nset ylabel \"CPU node\"\n"
		"set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
		"set size square\nset palette defined (0 \"#ffffcc\", 1 "
		"\"#fd8d3c\", 2 \"#bd0026\")\nset cbrange [0:*]\n", title,
		r->nmem_nodes - 1, r->ncpu_nodes - 1);
	plot_tics(out, "x", r->mem_nodes, r->nmem_nodes);
	plot_tics(out, "y", r->cpu_nodes, r->ncpu_nodes);
	fprintf(out, "plot %s using 1:2:(0.5):(0.5):3 with boxxyerror fc "
		"palette fs solid 1.0 notitle, \\\n  %s using 1:2:(sprintf"
		"(\"%s\", $3)) with labels notitle\n", block, block, fmt);
}

static void plot_sweep(FILE *out, const struct np_bench_mem_result *r)
{
	const struct np_bench_mem_sweep *s = r->sweep;
	char a[32], b[32];

	fprintf(out, "$sweep << EOD\n");
	for (size_t i = 0; i < s->n; i++)
		fprintf(out, "%.3f %.3f %.3f\n", s->base[i].bytes / 1024.0,
			s->base[i].ns, s->huge[i].ns);
	fprintf(out, "EOD\nreset\nset title \"latency by buffer size, "
		"CPU node %u to memory node %u\"\nset logscale x 2\n"
		"set xlabel \"buffer (KiB)\"\nset ylabel \"ns per load\"\n"
		"set key top left\nset grid\n"
		"plot $sweep using 1:2 with linespoints title \"4 KiB pages\", "
		"\\\n  $sweep using 1:3 with linespoints title \"huge pages "
		"(%s of %s huge)\"\n", s->cpu_node, s->mem_node,
		np_format_bytes(a, sizeof(a), s->huge_bytes),
		np_format_bytes(b, sizeof(b), s->buffer_bytes));
}

int view_bench_mem_gnuplot(FILE *out, const struct np_bench_mem_result *r,
			   unsigned *panels)
{
	double *v = calloc(npairs(r) ? npairs(r) : 1, sizeof(*v));
	int k = headline_kernel(r);
	char title[160];

	if (!v)
		return -ENOMEM;
	*panels = (r->bw ? 1 : 0) + (r->lat ? 1 : 0) + (r->sweep ? 1 : 0);
	fprintf(out, "set multiplot layout 1,%u title \"numaplace bench mem%s\"\n",
		*panels, r->host.lab_guest ? " (emulated: " EMULATED ")" : "");
	if (r->bw && k >= 0) {
		for (size_t x = 0; x < npairs(r); x++)
			v[x] = r->bw[x].best_mbps[k];
		snprintf(title, sizeof(title), "%s bandwidth, MB/s%s",
			 np_bench_mem_kernel_name(k), r->nt ?
			 " (non-temporal stores)" : "");
		plot_heatmap(out, r, "$bw", title, v, "%.0f");
	}
	if (r->lat) {
		for (size_t x = 0; x < npairs(r); x++)
			v[x] = r->lat[x].ns;
		plot_heatmap(out, r, "$lat", "latency, ns per load", v, "%.1f");
	}
	if (r->sweep)
		plot_sweep(out, r);
	fprintf(out, "unset multiplot\n");
	free(v);
	return 0;
}
