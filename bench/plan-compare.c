/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace's best-fit (np_plan_make) side by side with OpenStack Nova's
 * NUMA fit (default spread order and pack order) and numad 0.5's choice
 * (bench/plan-peers.c), on the same seeded workloads in one run (issue
 * 14): VMs placed, memory placed, the share of placed memory outside
 * each VM's largest cell (np_plan_vm_remote_mib's definition), and the
 * time of the whole workload, median (min, max) of RUNS.
 *
 * The hosts: 32 CPUs and 128 GiB per node, node 0 with 8 GiB less free
 * (the host's own use); distances as machines have them:
 *   4n   four sockets, 10 local, 21 remote (one remote tier)
 *   8n   two sockets of four nodes (an EPYC in NPS4): 12 within a socket,
 *        32 across (two tiers)
 *   8nu  the same with unequal nodes: 0-3 hold 64 GiB, 4-7 192 GiB
 *        (socket 0 with half as many DIMMs, socket 1 with larger ones)
 *   16n  four sockets of four nodes: 12 within, 21 across
 *   32n  eight sockets of four nodes in two chassis: 13 within a socket,
 *        21 within a chassis, 31 across (three tiers)
 * The VMs, drawn until they ask for LOAD % of the host's free memory:
 * 85 % small (1-4 vCPUs, 1-16 GiB), 13 % medium (4-16 vCPUs, 16-64
 * GiB), 2 % larger than a node (1.25 up to 2 + nodes/4 nodes' worth of
 * memory in 32 GiB steps, 8 vCPUs per node's worth); shared CPUs at
 * overcommit 4 (Nova: cpu_allocation_ratio 4.0, ram_allocation_ratio
 * 1.0).  "nodes/VM" is how many host nodes a placed VM is bound to on
 * average (numad binds a VM to every node it names, also those that
 * hold none of its memory).
 *
 * Nova places a VM with hw:numa_nodes = the smallest N whose equal split
 * fits N cells of the empty host (nova_flavor_cells(); the flavors are
 * computed before the clock starts).  Its permutation walk is cut at
 * BUDGET permutations per decision (default 1,000,000; 0: none) and
 * finished with the same answer by a direct search; "perms" is what
 * Nova's loop walks in all, exactly, and "capped" how many decisions
 * were cut: their time here is a lower bound.
 *
 * usage: plan-compare [RUNS [BUDGET [MAXNODES]]]   (RUNS default 5;
 * MAXNODES: only the hosts of at most that many nodes, so that BUDGET 0
 * can walk Nova's permutations whole where that ends, up to 16 nodes)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <numaplace/plan.h>

#include "plan-peers.h"

#define NODE_CPUS 32u
#define NODE_MIB (UINT64_C(128) << 10)
#define HOST_OWN_MIB (UINT64_C(8) << 10)
#define OVERCOMMIT 4.0
#define GIB (UINT64_C(1) << 10)

struct shape {
	const char *name;
	unsigned nodes;
	unsigned per_socket, per_chassis;      /* nodes */
	uint32_t d_socket, d_chassis, d_far;
	bool unequal;
};

static const struct shape shapes[] = {
	{ "4n", 4, 1, 4, 10, 21, 21, false },
	{ "8n", 8, 4, 8, 12, 32, 32, false },
	{ "8nu", 8, 4, 8, 12, 32, 32, true },
	{ "16n", 16, 4, 16, 12, 21, 21, false },
	{ "32n", 32, 4, 16, 13, 21, 31, false },
};

static const unsigned loads[] = { 90, 105 };
/* workloads per host and load, drawn from consecutive seeds */
#define SEEDS 4

static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return next() % n;
}

static uint32_t distance(const struct shape *s, unsigned a, unsigned b)
{
	if (a == b)
		return 10;
	if (a / s->per_socket == b / s->per_socket)
		return s->d_socket;
	if (a / s->per_chassis == b / s->per_chassis)
		return s->d_chassis;
	return s->d_far;
}

static struct np_plan_host *host_make(const struct shape *s)
{
	struct np_plan_host *h = calloc(1, sizeof(*h));
	unsigned n = s->nodes;

	if (!h)
		return NULL;
	h->nnodes = n;
	h->nodes = calloc(n, sizeof(*h->nodes));
	h->distances = calloc((size_t)n * n, sizeof(*h->distances));
	if (!h->nodes || !h->distances) {
		np_plan_host_free(h);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		struct np_plan_node *nd = &h->nodes[i];

		nd->id = i;
		nd->total_mib = !s->unequal ? NODE_MIB :
			i < n / 2 ? NODE_MIB / 2 : NODE_MIB * 3 / 2;
		nd->free_mib = nd->total_mib - (i ? 0 : HOST_OWN_MIB);
		nd->ncpus = NODE_CPUS;
		nd->cpus = calloc(NODE_CPUS, sizeof(*nd->cpus));
		if (!nd->cpus) {
			np_plan_host_free(h);
			return NULL;
		}
		for (unsigned c = 0; c < NODE_CPUS; c++)
			nd->cpus[c] = i * NODE_CPUS + c;
		for (unsigned j = 0; j < n; j++)
			h->distances[i * n + j] = distance(s, i, j);
	}
	return h;
}

static int specs_make(const struct np_plan_host *h, unsigned load,
		      uint64_t seed, struct np_vm_specs *out)
{
	uint64_t want = 0, asked = 0;
	unsigned kmax = 2 + (unsigned)h->nnodes / 4;
	size_t cap = 0;

	for (size_t i = 0; i < h->nnodes; i++)
		want += h->nodes[i].free_mib;
	want = want * load / 100;
	rng = seed;
	memset(out, 0, sizeof(*out));
	while (asked < want) {
		struct np_vm_spec *v;
		uint64_t u = below(100), units;
		char name[24];

		if (out->n == cap) {
			size_t c = cap ? cap * 2 : 64;
			struct np_vm_spec *nv = realloc(out->v, c * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			out->v = nv;
			cap = c;
		}
		v = &out->v[out->n];
		memset(v, 0, sizeof(*v));
		if (u < 2) {
			/* 32 GiB units, a node is 4 */
			units = 5 + below(4 * kmax - 4);
			v->memory_mib = units * 32 * GIB;
			v->vcpus = 8 * (unsigned)((units + 3) / 4);
		} else if (u < 15) {
			v->vcpus = 2 * (2 + (unsigned)below(7));
			v->memory_mib = 4 * GIB * (4 + below(13));
		} else {
			v->vcpus = 1 + (unsigned)below(4);
			v->memory_mib = GIB * (1 + below(16));
		}
		snprintf(name, sizeof(name), "vm%zu", out->n + 1);
		if (!(v->name = strdup(name)))
			return -ENOMEM;
		asked += v->memory_mib;
		out->n++;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One VM as a planner left it. */
struct vm_out {
	bool placed;
	uint64_t mib, remote_mib;
	size_t nodes;              /* host nodes it is bound to */
};

/* What one planner did with a workload's seeds, and how long it took. */
struct result {
	const char *planner;
	size_t placed, bound, capped;
	uint64_t placed_mib, remote_mib;
	/* the VMs every planner placed: their memory and its remote part */
	uint64_t common_mib, common_remote_mib;
	double perms;
	double t[100];             /* per run, the seeds' times summed */
	struct vm_out *vm;         /* [nvms] of the seed being run */
};

/* The plan left the host consistent: every node gave what its VMs hold
 * and no node gave more than it had. */
static int check_left(const char *who, const struct np_plan_host *h,
		      const struct np_plan_host *left, const struct vm_out *vm,
		      size_t nvms)
{
	uint64_t given = 0, placed_mib = 0;

	for (size_t i = 0; i < nvms; i++)
		placed_mib += vm[i].placed ? vm[i].mib : 0;
	for (size_t i = 0; i < h->nnodes; i++) {
		if (left->nodes[i].free_mib > h->nodes[i].free_mib) {
			fprintf(stderr, "plan-compare: %s: node %zu gave more "
				"than it had\n", who, i);
			return -1;
		}
		given += h->nodes[i].free_mib - left->nodes[i].free_mib;
	}
	if (given != placed_mib) {
		fprintf(stderr, "plan-compare: %s: %" PRIu64 " MiB placed, %"
			PRIu64 " MiB taken from the nodes\n", who, placed_mib,
			given);
		return -1;
	}
	return 0;
}

static int run_best_fit(const struct np_plan_host *h,
			const struct np_vm_specs *s, double *t,
			struct result *out)
{
	struct np_plan_opts o = { .strategy = NP_PLAN_BEST_FIT,
				  .cpu_overcommit = OVERCOMMIT };
	struct np_err err = { 0 };
	struct np_plan *p = NULL;
	double t0 = now_s();
	int rc;

	if (np_plan_make(h, s, NULL, &o, &p, &err)) {
		fprintf(stderr, "plan-compare: %s\n", err.msg);
		return -1;
	}
	*t = now_s() - t0;
	for (size_t i = 0; i < p->nvms; i++) {
		const struct np_plan_vm *vm = &p->vms[i];
		struct vm_out *v = &out->vm[i];

		memset(v, 0, sizeof(*v));
		v->placed = vm->placed;
		v->nodes = vm->placed ? vm->nodes.n : 0;
		for (size_t k = 0; vm->placed && k < vm->nodes.n; k++)
			v->mib += vm->memory_mib[k];
		v->remote_mib = np_plan_vm_remote_mib(vm);
	}
	rc = check_left(out->planner, h, p->left, out->vm, p->nvms);
	np_plan_free(p);
	return rc;
}

static int run_peer(const struct np_plan_host *h, const struct np_vm_specs *s,
		    const struct nova_opts *nova, const unsigned *flavors,
		    double *t, double *perms, size_t *capped,
		    struct result *out)
{
	struct peer_plan *p = NULL;
	double t0 = now_s();
	int rc = nova ? nova_plan(h, s, nova, flavors, &p) :
		numad_plan(h, s, OVERCOMMIT, &p);

	if (rc) {
		fprintf(stderr, "plan-compare: %s: %s\n", out->planner,
			strerror(-rc));
		return -1;
	}
	*t = now_s() - t0;
	*perms = p->perms;
	*capped = p->capped;
	for (size_t i = 0; i < p->nvms; i++) {
		const struct peer_vm *pv = &p->vms[i];
		struct vm_out *v = &out->vm[i];

		memset(v, 0, sizeof(*v));
		v->placed = pv->placed;
		v->nodes = pv->placed ? pv->ncells : 0;
		for (size_t c = 0; pv->placed && c < pv->ncells; c++)
			v->mib += pv->mib[c];
		v->remote_mib = peer_vm_remote_mib(pv);
	}
	rc = check_left(out->planner, h, p->left, out->vm, p->nvms);
	peer_plan_free(p);
	return rc;
}

#define NPLANNERS 4

/* Adds one seed's plans (the last run's: the planners are deterministic)
 * to the results; PLAN_COMPARE_LIST in the environment lists on stderr
 * the VMs each planner left out or split with remote memory. */
static void tally(struct result *res, const struct np_vm_specs *s,
		  const char *workload, uint64_t seed)
{
	bool list = getenv("PLAN_COMPARE_LIST") != NULL;

	for (size_t i = 0; i < s->n; i++) {
		bool all = true;

		for (int k = 0; k < NPLANNERS; k++)
			all &= res[k].vm[i].placed;
		for (int k = 0; k < NPLANNERS; k++) {
			struct result *x = &res[k];
			const struct vm_out *v = &x->vm[i];

			if (list && !v->placed)
				fprintf(stderr, "%s seed %" PRIu64 ": %s leaves "
					"out %s (%u vCPUs, %" PRIu64 " GiB)\n",
					workload, seed, x->planner,
					s->v[i].name, s->v[i].vcpus,
					s->v[i].memory_mib / GIB);
			if (list && v->remote_mib)
				fprintf(stderr, "%s seed %" PRIu64 ": %s splits "
					"%s (%u vCPUs, %" PRIu64 " GiB) over %zu "
					"nodes, %" PRIu64 " MiB remote\n",
					workload, seed, x->planner,
					s->v[i].name, s->v[i].vcpus,
					s->v[i].memory_mib / GIB, v->nodes,
					v->remote_mib);
			if (!v->placed)
				continue;
			x->placed++;
			x->bound += v->nodes;
			x->placed_mib += v->mib;
			x->remote_mib += v->remote_mib;
			if (all) {
				x->common_mib += v->mib;
				x->common_remote_mib += v->remote_mib;
			}
		}
	}
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_result(const char *workload, size_t nvms,
			 struct result *x, unsigned runs)
{
	char extra[64] = "";

	qsort(x->t, runs, sizeof(x->t[0]), cmp_double);
	if (x->perms > 0)
		snprintf(extra, sizeof(extra), "  %.3g perms, %zu capped",
			 x->perms, x->capped);
	printf("%-8s %5zu  %-9s %6zu %6.0f %5.2f %6.2f %% %6.2f %% %8.2f "
	       "%8.2f %8.2f%s\n", workload, nvms, x->planner, x->placed,
	       (double)x->placed_mib / GIB,
	       x->placed ? (double)x->bound / (double)x->placed : 0.0,
	       share(x->remote_mib, x->placed_mib),
	       share(x->common_remote_mib, x->common_mib),
	       x->t[runs / 2] * 1e3, x->t[0] * 1e3, x->t[runs - 1] * 1e3,
	       extra);
}

/* One seed of a workload: every planner RUNS times, times added to
 * res[].t. */
static int seed_run(const struct shape *sh, unsigned load, uint64_t seed,
		    unsigned runs, uint64_t budget, struct result *res,
		    size_t *nvms)
{
	struct nova_opts spread = { false, OVERCOMMIT, budget };
	struct nova_opts pack = { true, OVERCOMMIT, budget };
	struct np_plan_host *h = host_make(sh);
	struct np_vm_specs s = { 0 };
	unsigned *flavors = NULL;
	char name[32];
	int rc = -1;

	snprintf(name, sizeof(name), "%s-%u%%", sh->name, load);
	if (!h || specs_make(h, load, seed, &s) ||
	    !(flavors = calloc(s.n, sizeof(*flavors))))
		goto oom;
	for (int k = 0; k < NPLANNERS; k++)
		if (!(res[k].vm = calloc(s.n, sizeof(*res[k].vm))))
			goto oom;
	/* spread and pack share the flavors: they follow the cells' size */
	nova_flavors(h, &spread, &s, flavors);
	for (unsigned r = 0; r < runs; r++) {
		double t[NPLANNERS], perms[NPLANNERS] = { 0 };
		size_t capped[NPLANNERS] = { 0 };

		if (run_best_fit(h, &s, &t[0], &res[0]) ||
		    run_peer(h, &s, &spread, flavors, &t[1], &perms[1],
			     &capped[1], &res[1]) ||
		    run_peer(h, &s, &pack, flavors, &t[2], &perms[2],
			     &capped[2], &res[2]) ||
		    run_peer(h, &s, NULL, NULL, &t[3], &perms[3], &capped[3],
			     &res[3]))
			goto out;
		for (int k = 0; k < NPLANNERS; k++) {
			res[k].t[r] += t[k];
			if (r == runs - 1) {
				res[k].perms += perms[k];
				res[k].capped += capped[k];
			}
		}
	}
	tally(res, &s, name, seed);
	*nvms += s.n;
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "plan-compare: out of memory\n");
out:
	for (int k = 0; k < NPLANNERS; k++) {
		free(res[k].vm);
		res[k].vm = NULL;
	}
	free(flavors);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
	return rc;
}

static int workload(const struct shape *sh, unsigned load, uint64_t seed,
		    unsigned runs, uint64_t budget)
{
	struct result res[NPLANNERS] = { { .planner = "best-fit" },
					 { .planner = "nova" },
					 { .planner = "nova-pack" },
					 { .planner = "numad" } };
	size_t nvms = 0;
	char name[32];

	for (unsigned k = 0; k < SEEDS; k++)
		if (seed_run(sh, load, seed + k, runs, budget, res, &nvms))
			return -1;
	snprintf(name, sizeof(name), "%s-%u%%", sh->name, load);
	for (int k = 0; k < NPLANNERS; k++)
		print_result(name, nvms, &res[k], runs);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
	uint64_t budget = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	unsigned maxnodes = argc > 3 ? (unsigned)atoi(argv[3]) : 1024;
	int rc = 0;

	if (argc > 4 || runs < 1 || runs > 100 || maxnodes < 1) {
		fprintf(stderr, "usage: plan-compare [RUNS (1-100) [BUDGET "
			"[MAXNODES]]]\n");
		return 2;
	}
	printf("best-fit, Nova's fit (spread, pack) and numad's choice, "
	       "%u runs each; ", runs);
	if (budget)
		printf("Nova's walk cut at %" PRIu64 " permutations per "
		       "decision\n", budget);
	else
		printf("Nova's walk not cut\n");
	printf("%-8s %5s  %-9s %6s %6s %5s %8s %8s %8s %8s %8s\n",
	       "workload", "VMs", "planner", "placed", "GiB", "nodes",
	       "remote", "remote", "median", "min", "max");
	printf("%-8s %5s  %-9s %6s %6s %5s %8s %8s %8s %8s %8s\n", "", "", "",
	       "", "placed", "/VM", "memory", "common", "ms", "ms", "ms");
	for (size_t i = 0; !rc && i < sizeof(shapes) / sizeof(shapes[0]) &&
	     shapes[i].nodes <= maxnodes; i++)
		for (size_t l = 0; !rc && l < sizeof(loads) / sizeof(loads[0]);
		     l++)
			rc = workload(&shapes[i], loads[l],
				      14 + 100 * i + 10 * l, runs, budget);
	return rc ? 1 : 0;
}
