/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lab machine spec: parsing "--nodes 2:512M,0:1G", distance matrices
 * and presets, validating what QEMU and Linux will accept, and turning a
 * spec into QEMU's -smp/-m/-object/-numa arguments.  Pure: no I/O.
 */
#include "lab.h"

#include "linux/linux-parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/linux-root.h"

#define MIB (1ull << 20)
/* QEMU's pc machine wants NUMA node memory in multiples of 8 MiB (what
 * Linux needs for its memory sections to fall in one node). */
#define NODE_ALIGN (8 * MIB)
#define MAX_NODE_MEM (64ull << 30)
#define MAX_TOTAL_MEM (16ull << 30)
/* The kernel and the initramfs load at low addresses: into node 0. */
#define MIN_NODE0_MEM (128 * MIB)

/* "512M", "1G", "1024K", "256" (MiB, as QEMU's -m); *end past the token. */
static int parse_size(const char *s, const char **end, uint64_t *bytes)
{
	return np_parse_size(s, end, MIB, MAX_NODE_MEM, bytes);
}

static int parse_uint(const char *s, const char **end, unsigned max,
		      unsigned *v)
{
	unsigned long x = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		x = x * 10 + (unsigned long)(*p - '0');
		if (x > max)
			return -ERANGE;
	}
	*v = (unsigned)x;
	*end = p;
	return 0;
}

/* The token of s that starts at p: up to the next separator. */
static void token_at(const char *p, const char *seps, char *buf, size_t len)
{
	size_t n = strcspn(p, seps);

	snprintf(buf, len, "%.*s", (int)(n < 40 ? n : 40), p);
}

static void spec_default_distances(struct np_lab_spec *spec)
{
	for (unsigned i = 0; i < spec->nnodes; i++)
		for (unsigned j = 0; j < spec->nnodes; j++)
			spec->distance[i][j] = i == j ? 10 : 20;
}

int np_lab_parse_nodes(const char *s, struct np_lab_spec *spec,
		       struct np_err *err)
{
	const char *p = s;
	char tok[48];

	memset(spec, 0, sizeof(*spec));
	if (!*s)
		return np_fail_input(err, -EINVAL, "--nodes: empty node list");
	for (;;) {
		struct np_lab_node *n = &spec->nodes[spec->nnodes];
		const char *q = p;
		int e;

		token_at(p, ",", tok, sizeof(tok));
		if (spec->nnodes == NP_LAB_MAX_NODES) {
			memset(spec, 0, sizeof(*spec));
			return np_fail_input(err, -ERANGE, "--nodes: more than %d nodes",
				       NP_LAB_MAX_NODES);
		}
		e = parse_uint(q, &q, NP_LAB_MAX_CPUS, &n->cpus);
		if (!e && *q != ':')
			e = -EINVAL;
		if (!e)
			e = parse_size(q + 1, &q, &n->mem_bytes);
		if (!e && *q && *q != ',')
			e = -EINVAL;
		if (e) {
			memset(spec, 0, sizeof(*spec));
			return np_fail_input(err, e, "--nodes: bad node '%s': %s", tok,
				       e == -ERANGE ? "number too large" :
				       "expected CPUS:MEM like 2:512M");
		}
		spec->nnodes++;
		if (!*q)
			break;
		p = q + 1;
	}
	spec_default_distances(spec);
	return 0;
}

static int parse_row(const char *p, const char **end, unsigned row,
		     struct np_lab_spec *spec, struct np_err *err)
{
	char tok[48];

	for (unsigned j = 0; j < spec->nnodes; j++) {
		unsigned d;
		int e;

		token_at(p, ",;", tok, sizeof(tok));
		e = parse_uint(p, &p, 255, &d);
		if (!e && *p && *p != ',' && *p != ';')
			e = -EINVAL;
		if (e)
			return np_fail_input(err, e, "--distances: bad entry '%s' in "
				       "row %u", tok, row);
		spec->distance[row][j] = (unsigned char)d;
		if (j + 1 < spec->nnodes) {
			if (*p != ',')
				return np_fail_input(err, -EINVAL, "--distances: row %u "
					       "has %u entr%s, want %u", row,
					       j + 1, j ? "ies" : "y",
					       spec->nnodes);
			p++;
		}
	}
	if (*p && *p != ';')
		return np_fail_input(err, -EINVAL, "--distances: row %u has more "
			       "than %u entries", row, spec->nnodes);
	*end = p;
	return 0;
}

int np_lab_parse_distances(const char *s, struct np_lab_spec *spec,
			   struct np_err *err)
{
	const char *p = s;
	unsigned row = 0;

	if (spec->nnodes == 0 || spec->nnodes > NP_LAB_MAX_NODES)
		return np_fail_input(err, -EINVAL, "--distances: give the nodes first");
	for (;;) {
		int e;

		if (!*p)
			return np_fail_input(err, -EINVAL, "--distances: row %u is "
				       "empty", row);
		if (row == spec->nnodes)
			return np_fail_input(err, -EINVAL, "--distances: more rows "
				       "than the %u nodes", spec->nnodes);
		e = parse_row(p, &p, row, spec, err);
		if (e)
			return e;
		row++;
		if (!*p)
			break;
		p++;
	}
	if (row != spec->nnodes)
		return np_fail_input(err, -EINVAL, "--distances: %u row%s for %u "
			       "nodes", row, row == 1 ? "" : "s", spec->nnodes);
	return 0;
}

struct preset {
	const char *name;
	const char *nodes;
	const char *distances; /* NULL: 10/20 */
};

/*
 * 4n is the seed-001 machine (4 sockets, 10/21) with 2 CPUs per node;
 * 8n the 2-hop Opteron pattern of tests/dumps/opteron-8n; cxl two
 * sockets and a CPU-less expander farther than remote DRAM.
 */
static const struct preset presets[] = {
	{ "2s", "2:512M,2:512M", "10,21;21,10" },
	{ "4n", "2:256M,2:256M,2:256M,2:256M",
	  "10,21,21,21;21,10,21,21;21,21,10,21;21,21,21,10" },
	{ "8n", "1:192M,1:128M,1:128M,1:128M,1:128M,1:128M,1:128M,1:128M",
	  "10,16,16,22,16,22,16,22;16,10,22,16,22,16,22,16;"
	  "16,22,10,16,16,22,16,22;22,16,16,10,22,16,22,16;"
	  "16,22,16,22,10,16,16,22;22,16,22,16,16,10,22,16;"
	  "16,22,16,22,16,22,10,16;22,16,22,16,22,16,16,10" },
	{ "cxl", "2:512M,2:512M,0:512M", "10,21,30;21,10,40;30,40,10" },
};

const char *const *np_lab_preset_names(void)
{
	static const char *const names[] = { "2s", "4n", "8n", "cxl", NULL };

	return names;
}

int np_lab_preset(const char *name, struct np_lab_spec *spec,
		  struct np_err *err)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		int e;

		if (strcmp(presets[i].name, name) != 0)
			continue;
		e = np_lab_parse_nodes(presets[i].nodes, spec, err);
		if (!e && presets[i].distances)
			e = np_lab_parse_distances(presets[i].distances, spec, err);
		return e;
	}
	return np_fail_input(err, -EINVAL, "--preset: unknown preset '%s' (known: "
		       "2s, 4n, 8n, cxl)", name);
}

static uint64_t clamp_mem(uint64_t bytes)
{
	if (bytes < 64 * MIB)
		bytes = 64 * MIB;
	if (bytes > 2048 * MIB)
		bytes = 2048 * MIB;
	return bytes / NODE_ALIGN * NODE_ALIGN;
}

int np_lab_spec_from_topo(const struct np_topo *t, unsigned cpu_cap,
			  unsigned mem_scale, struct np_lab_spec *spec,
			  struct np_err *err)
{
	memset(spec, 0, sizeof(*spec));
	if (t->nnodes > NP_LAB_MAX_NODES)
		return np_fail_input(err, -ERANGE, "%s: %zu nodes, the lab has at most "
			       "%d", t->origin, t->nnodes, NP_LAB_MAX_NODES);
	if (!cpu_cap || !mem_scale)
		return np_fail_input(err, -EINVAL, "CPU cap and memory scale must be "
			       "at least 1");
	spec->nnodes = (unsigned)t->nnodes;
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct np_node *n = &t->nodes[i];
		struct np_lab_node *ln = &spec->nodes[i];

		ln->cpus = n->ncpus < cpu_cap ? (unsigned)n->ncpus : cpu_cap;
		if (n->has_memory && n->total_bytes != NP_UNKNOWN &&
		    n->total_bytes)
			ln->mem_bytes = clamp_mem(n->total_bytes / mem_scale);
	}
	/* The boot memory lives in the first node; give it enough. */
	if (spec->nodes[0].mem_bytes && spec->nodes[0].mem_bytes < MIN_NODE0_MEM)
		spec->nodes[0].mem_bytes = MIN_NODE0_MEM;
	spec_default_distances(spec);
	for (size_t i = 0; t->distances && i < t->nnodes; i++)
		for (size_t j = 0; j < t->nnodes; j++)
			if (t->distances[i * t->nnodes + j])
				spec->distance[i][j] = (unsigned char)
					t->distances[i * t->nnodes + j];
	return np_lab_spec_validate(spec, err);
}

unsigned np_lab_spec_cpus(const struct np_lab_spec *spec)
{
	unsigned n = 0;

	for (unsigned i = 0; i < spec->nnodes; i++)
		n += spec->nodes[i].cpus;
	return n;
}

uint64_t np_lab_spec_mem_bytes(const struct np_lab_spec *spec)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < spec->nnodes; i++)
		n += spec->nodes[i].mem_bytes;
	return n;
}

static int validate_distances(const struct np_lab_spec *spec,
			      struct np_err *err)
{
	for (unsigned i = 0; i < spec->nnodes; i++)
		for (unsigned j = 0; j < spec->nnodes; j++) {
			unsigned d = spec->distance[i][j];

			/* Linux's slit_valid(): 10 local, > 10 remote. */
			if (i == j && d != 10)
				return np_fail_input(err, -EINVAL, "--distances: "
					       "node %u to itself is %u, must be "
					       "10", i, d);
			if (i != j && d <= 10)
				return np_fail_input(err, -EINVAL, "--distances: "
					       "node %u to %u is %u, must be "
					       "above 10", i, j, d);
		}
	return 0;
}

int np_lab_spec_validate(const struct np_lab_spec *spec, struct np_err *err)
{
	unsigned cpus;
	uint64_t mem;

	if (spec->nnodes == 0)
		return np_fail_input(err, -EINVAL, "the machine has no nodes");
	if (spec->nnodes > NP_LAB_MAX_NODES)
		return np_fail_input(err, -ERANGE, "--nodes: more than %d nodes",
			       NP_LAB_MAX_NODES);
	/* Per node first, so that the sums below cannot wrap. */
	for (unsigned i = 0; i < spec->nnodes; i++)
		if (spec->nodes[i].mem_bytes > MAX_TOTAL_MEM ||
		    spec->nodes[i].cpus > NP_LAB_MAX_CPUS)
			return np_fail_input(err, -ERANGE, "--nodes: node %u is larger "
				       "than the whole lab may be (%d CPUs, "
				       "%llu MiB)", i, NP_LAB_MAX_CPUS,
				       (unsigned long long)(MAX_TOTAL_MEM / MIB));
	cpus = np_lab_spec_cpus(spec);
	mem = np_lab_spec_mem_bytes(spec);
	if (cpus == 0)
		return np_fail_input(err, -EINVAL, "--nodes: no node has CPUs");
	if (cpus > NP_LAB_MAX_CPUS)
		return np_fail_input(err, -ERANGE, "--nodes: %u CPUs, at most %d",
			       cpus, NP_LAB_MAX_CPUS);
	if (mem > MAX_TOTAL_MEM)
		return np_fail_input(err, -ERANGE, "--nodes: %llu MiB in all, at most "
			       "%llu", (unsigned long long)(mem / MIB),
			       (unsigned long long)(MAX_TOTAL_MEM / MIB));
	if (spec->nodes[0].mem_bytes < MIN_NODE0_MEM)
		return np_fail_input(err, -EINVAL, "--nodes: node 0 needs at least "
			       "128M: the kernel and the image load into it");
	for (unsigned i = 0; i < spec->nnodes; i++)
		if (spec->nodes[i].mem_bytes % NODE_ALIGN)
			return np_fail_input(err, -EINVAL, "--nodes: node %u memory is "
				       "not a multiple of 8M (QEMU and Linux "
				       "want 8 MiB-aligned nodes)", i);
	return validate_distances(spec, err);
}

void np_lab_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

struct argv_buf {
	char **v;
	size_t n, cap;
	bool oom;
};

static void push_arg(struct argv_buf *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void push_arg(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->oom)
		return;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		char **v = realloc(a->v, cap * sizeof(*v));

		if (!v) {
			a->oom = true;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		a->oom = true;
		s = NULL;
	}
	va_end(ap);
	a->v[a->n] = s;
	if (s)
		a->n++;
	a->v[a->n] = NULL;
}

/*
 * CPUs: one socket per CPU node when all CPU nodes have the same count
 * (the guest then sees packages = nodes, like a real multi-socket box),
 * otherwise one single-core socket per CPU.
 */
static void push_cpus(struct argv_buf *a, const struct np_lab_spec *spec)
{
	unsigned per = 0, sockets = 0, cpus = np_lab_spec_cpus(spec);
	bool uniform = true;

	for (unsigned i = 0; i < spec->nnodes; i++) {
		if (!spec->nodes[i].cpus)
			continue;
		if (per && spec->nodes[i].cpus != per)
			uniform = false;
		per = spec->nodes[i].cpus;
		sockets++;
	}
	if (!uniform) {
		per = 1;
		sockets = cpus;
	}
	push_arg(a, "-smp");
	push_arg(a, "%u,sockets=%u,cores=%u,threads=1", cpus, sockets, per);
	for (unsigned i = 0, s = 0; i < spec->nnodes; i++)
		for (unsigned c = 0; c < spec->nodes[i].cpus; c += per, s++) {
			push_arg(a, "-numa");
			push_arg(a, "cpu,node-id=%u,socket-id=%u", i, s);
		}
}

int np_lab_qemu_numa_args(const struct np_lab_spec *spec, char ***argv,
			  struct np_err *err)
{
	struct argv_buf a = { NULL, 0, 0, false };
	int e = np_lab_spec_validate(spec, err);

	*argv = NULL;
	if (e)
		return e;
	push_arg(&a, "-m");
	push_arg(&a, "%lluM", (unsigned long long)(np_lab_spec_mem_bytes(spec) /
						   MIB));
	for (unsigned i = 0; i < spec->nnodes; i++) {
		uint64_t mib = spec->nodes[i].mem_bytes / MIB;

		if (mib) {
			push_arg(&a, "-object");
			push_arg(&a, "memory-backend-ram,id=m%u,size=%lluM", i,
				 (unsigned long long)mib);
		}
		push_arg(&a, "-numa");
		if (mib)
			push_arg(&a, "node,nodeid=%u,memdev=m%u", i, i);
		else
			push_arg(&a, "node,nodeid=%u", i);
	}
	push_cpus(&a, spec);
	/* QEMU wants every pair once a single distance is given. */
	for (unsigned i = 0; i < spec->nnodes; i++)
		for (unsigned j = 0; j < spec->nnodes; j++) {
			if (i == j)
				continue;
			push_arg(&a, "-numa");
			push_arg(&a, "dist,src=%u,dst=%u,val=%u", i, j,
				 spec->distance[i][j]);
		}
	if (a.oom) {
		np_lab_argv_free(a.v);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	*argv = a.v;
	return 0;
}
