/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * best-fit against an exhaustive search.  A seeded generator makes
 * hosts of 1 to 4 nodes (1 to 8 GiB free each, distances 10 local and
 * 12..32 remote) and 1 to 6 VMs (1 to 6 GiB, some limited to one node).
 * The brute force below tries, for every VM in turn, refusing it and
 * every split of its memory over the nodes (half the cases with the
 * planner's default, where a VM that fits one node of the host stays
 * whole, half with --allow-split), in whole GiB (memoised on
 * the free memory left): the most VMs placed, and for that many the
 * least remote memory (a VM's memory outside its largest cell).  best-
 * fit must place as many VMs and use no more remote memory.
 *
 * Whole GiB are the brute force's granularity; the planner works in MiB
 * but every size here is whole GiB, so it can do no better than whole
 * GiB splits... and its fill-the-largest split gives whole GiB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/plan.h>

#define MAX_NODES 4
#define MAX_VMS 6
#define MAX_GIB 8
#define CASES 4000
#define CPUS_PER_NODE 64

struct gen {
	uint64_t s;
};

/* splitmix64: the cases are the same on every machine */
static uint64_t next(struct gen *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(struct gen *g, unsigned n)
{
	return (unsigned)(next(g) % n);
}

struct instance {
	unsigned nnodes, nvms;
	unsigned free_gib[MAX_NODES];
	uint32_t dist[MAX_NODES][MAX_NODES];
	unsigned vm_gib[MAX_VMS], vm_vcpus[MAX_VMS];
	bool one_node[MAX_VMS];
};

/* ---- the brute force -------------------------------------------------- */

struct best {
	int placed;          /* -1: not computed */
	int remote;
};

static struct best memo[MAX_VMS + 1][(MAX_GIB + 1) * (MAX_GIB + 1) *
				     (MAX_GIB + 1) * (MAX_GIB + 1)];

static unsigned key_of(const unsigned *free_, unsigned n)
{
	unsigned k = 0;

	for (unsigned i = 0; i < MAX_NODES; i++)
		k = k * (MAX_GIB + 1) + (i < n ? free_[i] : 0);
	return k;
}

static bool better(struct best a, struct best b)
{
	return a.placed > b.placed || (a.placed == b.placed &&
				       a.remote < b.remote);
}

static struct best solve(const struct instance *in, unsigned v,
			 unsigned *free_);

/* Every split of `left` GiB over nodes from..n-1 into d[]. */
static void splits(const struct instance *in, unsigned v, unsigned *free_,
		   unsigned *d, unsigned node, unsigned left, struct best *out)
{
	if (node == in->nnodes) {
		unsigned max = 0, used = 0;
		struct best r;

		if (left)
			return;
		for (unsigned i = 0; i < in->nnodes; i++) {
			max = d[i] > max ? d[i] : max;
			used += d[i] > 0;
		}
		if (in->one_node[v] && used > 1)
			return;
		for (unsigned i = 0; i < in->nnodes; i++)
			free_[i] -= d[i];
		r = solve(in, v + 1, free_);
		for (unsigned i = 0; i < in->nnodes; i++)
			free_[i] += d[i];
		r.placed++;
		r.remote += (int)(in->vm_gib[v] - max);
		if (better(r, *out))
			*out = r;
		return;
	}
	for (unsigned x = 0; x <= left && x <= free_[node]; x++) {
		d[node] = x;
		splits(in, v, free_, d, node + 1, left - x, out);
	}
	d[node] = 0;
}

static struct best solve(const struct instance *in, unsigned v,
			 unsigned *free_)
{
	struct best *m, r;
	unsigned d[MAX_NODES] = { 0 };

	if (v == in->nvms)
		return (struct best){ 0, 0 };
	m = &memo[v][key_of(free_, in->nnodes)];
	if (m->placed >= 0)
		return *m;
	r = solve(in, v + 1, free_);          /* refused */
	splits(in, v, free_, d, 0, in->vm_gib[v], &r);
	*m = r;
	return r;
}

static struct best brute(const struct instance *in)
{
	unsigned free_[MAX_NODES];

	memset(memo, 0xff, sizeof(memo));
	memcpy(free_, in->free_gib, sizeof(free_));
	return solve(in, 0, free_);
}

/* ---- the planner on the same instance ----------------------------------- */

static struct np_plan_host *host_of(const struct instance *in)
{
	struct np_plan_host *h = calloc(1, sizeof(*h));

	h->nnodes = in->nnodes;
	h->nodes = calloc(in->nnodes, sizeof(*h->nodes));
	h->distances = calloc(in->nnodes * in->nnodes, sizeof(*h->distances));
	for (unsigned i = 0; i < in->nnodes; i++) {
		struct np_plan_node *n = &h->nodes[i];

		n->id = i;
		n->free_mib = n->total_mib = (uint64_t)in->free_gib[i] << 10;
		n->ncpus = CPUS_PER_NODE;
		n->cpus = calloc(CPUS_PER_NODE, sizeof(*n->cpus));
		for (unsigned c = 0; c < CPUS_PER_NODE; c++)
			n->cpus[c] = i * CPUS_PER_NODE + c;
		for (unsigned j = 0; j < in->nnodes; j++)
			h->distances[i * in->nnodes + j] = in->dist[i][j];
	}
	return h;
}

static void make(struct gen *g, struct instance *in)
{
	memset(in, 0, sizeof(*in));
	in->nnodes = 1 + below(g, MAX_NODES);
	in->nvms = 1 + below(g, MAX_VMS);
	for (unsigned i = 0; i < in->nnodes; i++) {
		in->free_gib[i] = 1 + below(g, MAX_GIB);
		for (unsigned j = 0; j < i; j++)
			in->dist[i][j] = in->dist[j][i] = 12 + 2 * below(g, 11);
		in->dist[i][i] = 10;
	}
	for (unsigned v = 0; v < in->nvms; v++) {
		in->vm_gib[v] = 1 + below(g, 6);
		in->vm_vcpus[v] = 1 + below(g, 4);
		in->one_node[v] = below(g, 4) == 0;
	}
}

/* The planner's default rule in the brute force's terms: a VM no larger
 * than the largest node is on one node (every VM's vCPUs fit a node). */
static void keep_whole(struct instance *in)
{
	unsigned largest = 0;

	for (unsigned i = 0; i < in->nnodes; i++)
		largest = in->free_gib[i] > largest ? in->free_gib[i] : largest;
	for (unsigned v = 0; v < in->nvms; v++)
		if (in->vm_gib[v] <= largest)
			in->one_node[v] = true;
}

static void describe(const struct instance *in, char *buf, size_t len)
{
	size_t u = (size_t)snprintf(buf, len, "nodes");

	for (unsigned i = 0; i < in->nnodes; i++)
		u += (size_t)snprintf(buf + u, len - u, " %uG", in->free_gib[i]);
	u += (size_t)snprintf(buf + u, len - u, "; VMs");
	for (unsigned v = 0; v < in->nvms; v++)
		u += (size_t)snprintf(buf + u, len - u, " %uG%s", in->vm_gib[v],
				      in->one_node[v] ? "(1 node)" : "");
}

static void test_best_fit_vs_brute_force(void **state)
{
	struct gen g = { 14 };
	unsigned worse_count = 0, worse_remote = 0, cases = 0;

	(void)state;
	for (unsigned c = 0; c < CASES; c++) {
		struct instance in;
		struct np_vm_specs s = { 0 };
		struct np_plan_opts o = { .strategy = NP_PLAN_BEST_FIT,
					  .cpu_overcommit = 1 };
		struct np_err err = { 0 };
		struct np_plan_host *h;
		struct np_plan *p = NULL;
		struct best b;
		uint64_t remote = 0;
		char what[256];

		make(&g, &in);
		/* even cases as the planner's default: a VM that fits one
		 * node of the host stays whole (for the brute force too);
		 * odd cases with --allow-split, any VM may be split */
		o.allow_split = c % 2;
		if (!o.allow_split)
			keep_whole(&in);
		h = host_of(&in);
		s.n = in.nvms;
		s.v = calloc(in.nvms, sizeof(*s.v));
		for (unsigned v = 0; v < in.nvms; v++) {
			char name[16];

			snprintf(name, sizeof(name), "vm%u", v + 1);
			s.v[v].name = strdup(name);
			s.v[v].vcpus = in.vm_vcpus[v];
			s.v[v].memory_mib = (uint64_t)in.vm_gib[v] << 10;
			s.v[v].max_nodes = in.one_node[v] ? 1 : 0;
		}
		if (np_plan_make(h, &s, NULL, &o, &p, &err))
			fail_msg("case %u: %s", c, err.msg);
		b = brute(&in);
		for (size_t v = 0; v < p->nvms; v++)
			remote += np_plan_vm_remote_mib(&p->vms[v]);
		describe(&in, what, sizeof(what));
		if ((int)p->placed < b.placed) {
			worse_count++;
			print_message("case %u (%s): best-fit placed %zu, the "
				      "brute force %d\n", c, what, p->placed,
				      b.placed);
		} else if ((int)p->placed == b.placed &&
			   remote > (uint64_t)b.remote << 10) {
			worse_remote++;
			print_message("case %u (%s): best-fit %llu MiB remote, "
				      "the brute force %d GiB\n", c, what,
				      (unsigned long long)remote, b.remote);
		}
		/* it cannot beat an exhaustive search: a check of the check */
		assert_true((int)p->placed <= b.placed);
		cases++;
		np_plan_free(p);
		np_vm_specs_free(&s);
		np_plan_host_free(h);
	}
	print_message("%u cases: best-fit placed fewer in %u, more remote "
		      "memory in %u\n", cases, worse_count, worse_remote);
	assert_int_equal(worse_count, 0);
	assert_int_equal(worse_remote, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_best_fit_vs_brute_force),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
