/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How fast `numaplace plan --strategy best-fit` is on large synthetic
 * hosts (issue 14's target: 10,000 VMs onto 64 nodes / 1,024 CPUs in at
 * most 1 s, median), and how it grows with the VM count and the node
 * count.  The library is linked; each figure is the median of RUNS calls
 * of np_plan_make() on the same generated workload (seeded, the same on
 * every machine), with VMs placed and the share of placed memory that is
 * remote (outside each VM's largest cell).
 *
 * The host: nodes in groups of 8 (a socket's dies: distance 16 inside a
 * group, 32 across, 10 local), 2 TiB and 1024 / nodes CPUs per 64 nodes'
 * worth of host (totals fixed: 128 TiB, 1,024 CPUs, whatever the node
 * count).  The VMs: 0.1 % large (24-48 vCPUs, 2.5-3.5 TiB: they span
 * nodes), the rest 1-4 vCPUs and 1-16 GiB; shared CPUs at overcommit 32.
 *
 * usage: plan-scale [RUNS]   (default 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <numaplace/plan.h>

#define TOTAL_MIB (UINT64_C(128) << 20)   /* 128 TiB */
#define TOTAL_CPUS 1024u
#define OVERCOMMIT 32.0

static uint64_t rng = 14;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct np_plan_host *host_make(unsigned nodes)
{
	struct np_plan_host *h = calloc(1, sizeof(*h));
	unsigned per = TOTAL_CPUS / nodes;

	h->nnodes = nodes;
	h->nodes = calloc(nodes, sizeof(*h->nodes));
	h->distances = calloc((size_t)nodes * nodes, sizeof(*h->distances));
	for (unsigned i = 0; i < nodes; i++) {
		struct np_plan_node *n = &h->nodes[i];

		n->id = i;
		n->free_mib = n->total_mib = TOTAL_MIB / nodes;
		n->ncpus = per;
		n->cpus = calloc(per, sizeof(*n->cpus));
		for (unsigned c = 0; c < per; c++)
			n->cpus[c] = i * per + c;
		for (unsigned j = 0; j < nodes; j++)
			h->distances[i * nodes + j] = i == j ? 10 :
				i / 8 == j / 8 ? 16 : 32;
	}
	return h;
}

static void specs_make(size_t n, struct np_vm_specs *s)
{
	rng = 14;
	s->n = n;
	s->v = calloc(n, sizeof(*s->v));
	for (size_t i = 0; i < n; i++) {
		struct np_vm_spec *v = &s->v[i];
		char name[24];

		snprintf(name, sizeof(name), "vm%zu", i + 1);
		v->name = strdup(name);
		if (next() % 1000 == 0) {
			v->vcpus = 24 + (unsigned)(next() % 25);
			v->memory_mib = (UINT64_C(2560) + next() % 1024) << 10;
		} else {
			v->vcpus = 1 + (unsigned)(next() % 4);
			v->memory_mib = (1 + next() % 16) << 10;
		}
	}
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int measure(unsigned nodes, size_t nvms, unsigned runs)
{
	struct np_plan_opts o = { .strategy = NP_PLAN_BEST_FIT,
				  .cpu_overcommit = OVERCOMMIT };
	struct np_plan_host *h = host_make(nodes);
	struct np_vm_specs s = { 0 };
	double t[runs ? runs : 1];
	uint64_t placed_mib = 0, remote = 0;
	size_t placed = 0;

	specs_make(nvms, &s);
	for (unsigned r = 0; r < runs; r++) {
		struct np_err err = { 0 };
		struct np_plan *p = NULL;
		double t0 = now_s();

		if (np_plan_make(h, &s, NULL, &o, &p, &err)) {
			fprintf(stderr, "plan-scale: %s\n", err.msg);
			return 1;
		}
		t[r] = now_s() - t0;
		placed = p->placed;
		placed_mib = remote = 0;
		for (size_t i = 0; i < p->nvms; i++) {
			const struct np_plan_vm *vm = &p->vms[i];

			for (size_t k = 0; k < vm->nodes.n; k++)
				placed_mib += vm->memory_mib[k];
			remote += np_plan_vm_remote_mib(vm);
		}
		np_plan_free(p);
	}
	qsort(t, runs, sizeof(*t), cmp_double);
	printf("%5u %6zu %8.1f %8.1f %8.1f %7zu %8.2f %%\n", nodes, nvms,
	       t[runs / 2] * 1e3, t[0] * 1e3, t[runs - 1] * 1e3, placed,
	       placed_mib ? 100.0 * remote / placed_mib : 0);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t vms[] = { 100, 1000, 3000, 10000 };
	static const unsigned nodes[] = { 4, 16, 64, 256 };
	unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
	int rc = 0;

	if (runs < 1 || runs > 100) {
		fprintf(stderr, "usage: plan-scale [RUNS (1-100)]\n");
		return 2;
	}
	printf("best-fit, %u runs each: 128 TiB and %u CPUs in all, "
	       "overcommit %.0f\n", runs, TOTAL_CPUS, OVERCOMMIT);
	printf("%5s %6s %8s %8s %8s %7s %10s\n", "nodes", "VMs", "median",
	       "min", "max", "placed", "remote");
	printf("%5s %6s %8s %8s %8s %7s %10s\n", "", "", "ms", "ms", "ms", "",
	       "memory");
	for (size_t i = 0; !rc && i < sizeof(vms) / sizeof(vms[0]); i++)
		rc = measure(64, vms[i], runs);
	for (size_t i = 0; !rc && i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (nodes[i] != 64)
			rc = measure(nodes[i], 10000, runs);
	return rc;
}
