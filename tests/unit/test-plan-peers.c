/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The peers of bench/plan-compare (bench/plan-peers.c) behave as their
 * sources do, on small hosts where the answer can be worked by hand:
 * Nova's cells in the order Python's stable sorts give, its first fitting
 * permutation taken even when a nearer pair fits (best-fit takes the
 * nearer one), small guests packed into cell 0 until a two-cell guest no
 * longer fits, its refusals (a cell with more vCPUs than the host cell
 * has CPUs, a flavor no equal split fits), the permutations its loop
 * walks counted exactly also when the walk here is cut; numad sizing
 * every node like node 0 (the lab's 256 MiB + 1 GiB guest, where the
 * real numad 0.5 answers 0-1 and numaplace 1: README, numad's advice).
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

#include "plan-peers.h"

#define GIB (UINT64_C(1) << 10)

/* A host of n nodes: free and total memory per node (total NULL: as
 * free), cpus CPUs each, distances dist[n * n] (NULL: 10 and 20). */
static struct np_plan_host *host_new(size_t n, const uint64_t *free_mib,
				     const uint64_t *total_mib, unsigned cpus,
				     const uint32_t *dist)
{
	struct np_plan_host *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->nnodes = n;
	h->nodes = calloc(n, sizeof(*h->nodes));
	h->distances = calloc(n * n, sizeof(*h->distances));
	assert_non_null(h->nodes);
	assert_non_null(h->distances);
	for (size_t i = 0; i < n; i++) {
		struct np_plan_node *nd = &h->nodes[i];

		nd->id = (unsigned)i;
		nd->free_mib = free_mib[i];
		nd->total_mib = total_mib ? total_mib[i] : free_mib[i];
		nd->ncpus = cpus;
		nd->cpus = calloc(cpus, sizeof(*nd->cpus));
		assert_non_null(nd->cpus);
		for (unsigned c = 0; c < cpus; c++)
			nd->cpus[c] = (unsigned)i * cpus + c;
		for (size_t j = 0; j < n; j++)
			h->distances[i * n + j] = dist ? dist[i * n + j] :
				i == j ? 10 : 20;
	}
	return h;
}

static void spec_add(struct np_vm_specs *s, const char *name, unsigned vcpus,
		     uint64_t mib)
{
	struct np_vm_spec *v;

	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	assert_non_null(s->v);
	v = &s->v[s->n++];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	v->vcpus = vcpus;
	v->memory_mib = mib;
}

static struct np_plan *best_fit(const struct np_plan_host *h,
				const struct np_vm_specs *s, double oc)
{
	struct np_plan_opts o = { .strategy = NP_PLAN_BEST_FIT,
				  .cpu_overcommit = oc };
	struct np_err err = { 0 };
	struct np_plan *p = NULL;

	if (np_plan_make(h, s, NULL, &o, &p, &err))
		fail_msg("np_plan_make: %s", err.msg);
	return p;
}

/* ---- Nova ----------------------------------------------------------------- */

/* sorted(cells, key=avail_memory, reverse=not pack), then sorted(...,
 * key=cpu_usage, reverse=pack): both stable, reverse included. */
static void test_nova_cell_order(void **state)
{
	const uint64_t free_[] = { 8 * GIB, 6 * GIB, 8 * GIB, 6 * GIB };
	struct np_plan_host *h = host_new(4, free_, NULL, 4, NULL);
	struct nova_opts spread = { false, 1.0, 0 }, pack = { true, 1.0, 0 };
	size_t o[4];

	(void)state;
	h->nodes[2].shared_vcpus = 1;
	/* spread: by free memory descending [0,2,1,3], then by vCPUs in use
	 * ascending: node 2 goes last, the rest keep their order */
	nova_cell_order(h, &spread, 1, false, o);
	assert_int_equal(o[0], 0);
	assert_int_equal(o[1], 1);
	assert_int_equal(o[2], 3);
	assert_int_equal(o[3], 2);
	/* pack: ascending [1,3,0,2], then vCPUs in use descending */
	nova_cell_order(h, &pack, 1, false, o);
	assert_int_equal(o[0], 2);
	assert_int_equal(o[1], 1);
	assert_int_equal(o[2], 3);
	assert_int_equal(o[3], 0);
	/* as many guest cells as host cells: no sort */
	nova_cell_order(h, &spread, 4, false, o);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(o[i], i);
	np_plan_host_free(h);
}

/* Two sockets of two nodes (12 within, 32 across).  An 80 GiB VM needs
 * two 64 GiB cells (hw:numa_nodes=2, 40 GiB each).  Nova's spread order
 * is by free memory, [0,2,1,3]: the first permutation, (0,2), fits and
 * is taken, across the sockets.  best-fit takes nodes 0 and 1 (the same
 * remote memory on the largest node, less distance), 60 + 20 GiB. */
static void test_nova_first_fit_is_farther(void **state)
{
	const uint32_t dist[] = { 10, 12, 32, 32,
				  12, 10, 32, 32,
				  32, 32, 10, 12,
				  32, 32, 12, 10 };
	const uint64_t free_[] = { 60 * GIB, 50 * GIB, 58 * GIB, 50 * GIB };
	const uint64_t total[] = { 64 * GIB, 64 * GIB, 64 * GIB, 64 * GIB };
	struct np_plan_host *h = host_new(4, free_, total, 8, dist);
	struct nova_opts o = { false, 1.0, 0 };
	struct np_vm_specs s = { 0 };
	struct peer_plan *np = NULL;
	struct np_plan *bp;

	(void)state;
	spec_add(&s, "db", 4, 80 * GIB);
	assert_int_equal(nova_flavor_cells(h, &o, &s.v[0]), 2);
	assert_int_equal(nova_plan(h, &s, &o, NULL, &np), 0);
	assert_true(np->vms[0].placed);
	assert_int_equal(np->vms[0].ncells, 2);
	assert_int_equal(np->vms[0].pos[0], 0);
	assert_int_equal(np->vms[0].pos[1], 2);
	assert_int_equal(h->distances[0 * 4 + 2], 32);
	assert_true(np->vms[0].perms == 1);
	assert_int_equal(np->remote_mib, 40 * GIB);

	bp = best_fit(h, &s, 1.0);
	assert_true(bp->vms[0].placed);
	assert_int_equal(bp->vms[0].nodes.n, 2);
	assert_int_equal(bp->vms[0].nodes.ids[0], 0);
	assert_int_equal(bp->vms[0].nodes.ids[1], 1);
	assert_int_equal(bp->vms[0].memory_mib[0], 60 * GIB);
	assert_int_equal(np_plan_vm_remote_mib(&bp->vms[0]), 20 * GIB);
	np_plan_free(bp);
	peer_plan_free(np);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* Two nodes of 8 GiB; two 2 GiB VMs, then one of 10 GiB (two cells of
 * 5 GiB).  Packing puts both small VMs into cell 0 (4 GiB left there)
 * and the large one no longer fits: both permutations are walked.
 * Spreading (Nova's default) leaves 6 + 6 and it fits; best-fit, which
 * plans the largest VM first, places all three too. */
static void test_nova_packs_cell_0(void **state)
{
	const uint64_t free_[] = { 8 * GIB, 8 * GIB };
	struct np_plan_host *h = host_new(2, free_, NULL, 4, NULL);
	struct nova_opts pack = { true, 1.0, 0 }, spread = { false, 1.0, 0 };
	struct np_vm_specs s = { 0 };
	struct peer_plan *p = NULL;
	struct np_plan *bp;

	(void)state;
	spec_add(&s, "a", 1, 2 * GIB);
	spec_add(&s, "b", 1, 2 * GIB);
	spec_add(&s, "big", 2, 10 * GIB);
	assert_int_equal(nova_plan(h, &s, &pack, NULL, &p), 0);
	assert_int_equal(p->vms[0].pos[0], 0);
	assert_int_equal(p->vms[1].pos[0], 0);
	assert_int_equal(p->vms[2].nova_cells, 2);
	assert_false(p->vms[2].placed);
	assert_true(p->vms[2].perms == 2);
	assert_int_equal(p->placed, 2);
	assert_int_equal(p->left->nodes[0].free_mib, 4 * GIB);
	peer_plan_free(p);

	assert_int_equal(nova_plan(h, &s, &spread, NULL, &p), 0);
	assert_int_equal(p->vms[0].pos[0], 0);
	assert_int_equal(p->vms[1].pos[0], 1);
	assert_true(p->vms[2].placed);
	assert_int_equal(p->placed, 3);
	peer_plan_free(p);

	bp = best_fit(h, &s, 1.0);
	assert_int_equal(bp->placed, 3);
	np_plan_free(bp);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* Nova refuses where numaplace does not: a guest cell may not have more
 * vCPUs than its host cell has CPUs, whatever the overcommit (so a 6-vCPU
 * VM on 4-CPU nodes gets two cells), and a flavor whose vCPUs or memory
 * no N divides evenly is asymmetric (3 vCPUs, 3000 MiB on two 2 GiB
 * nodes: N=2 does not divide 3, N=3 needs three nodes). */
static void test_nova_refusals(void **state)
{
	const uint64_t free_[] = { 2 * GIB, 2 * GIB };
	struct np_plan_host *h = host_new(2, free_, NULL, 4, NULL);
	struct nova_opts o = { false, 16.0, 0 };
	struct np_vm_specs s = { 0 };
	struct peer_plan *p = NULL;
	struct np_plan *bp;

	(void)state;
	spec_add(&s, "wide", 6, 1 * GIB);
	spec_add(&s, "odd", 3, 3000);
	assert_int_equal(nova_flavor_cells(h, &o, &s.v[0]), 2);
	assert_int_equal(nova_flavor_cells(h, &o, &s.v[1]), 0);
	assert_int_equal(nova_plan(h, &s, &o, NULL, &p), 0);
	assert_true(p->vms[0].placed);
	assert_int_equal(p->vms[0].ncells, 2);
	assert_false(p->vms[1].placed);
	peer_plan_free(p);

	bp = best_fit(h, &s, 16.0);
	assert_int_equal(bp->placed, 2);
	for (size_t i = 0; i < 2; i++)
		if (!strcmp(bp->vms[i].name, "wide"))
			assert_int_equal(bp->vms[i].nodes.n, 1);
	np_plan_free(bp);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

static uint64_t rng = 14;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The walk counted: with no budget the permutations enumerated are the
 * rank of the one found (or P(n, k)), which is what the count reports;
 * cut after one permutation, the answer and the count stay the same;
 * and the answer is the first k fitting cells in Nova's order. */
static void test_nova_walk(void **state)
{
	(void)state;
	for (int t = 0; t < 300; t++) {
		size_t n = 3 + next() % 5, k = 1 + next() % n, fit = 0;
		uint64_t free_[7];
		struct np_plan_host *h;
		struct nova_opts all = { next() % 2, 1.0, 0 };
		struct nova_opts cut = { all.pack, 1.0, 1 };
		struct nova_walk wa, wc;
		size_t ca[7], cc[7], order[7], first[7];
		bool ra, rc;

		for (size_t i = 0; i < n; i++)
			free_[i] = (1 + next() % 8) * GIB;
		h = host_new(n, free_, NULL, 4, NULL);
		for (size_t i = 0; i < n; i++)
			h->nodes[i].shared_vcpus = next() % 3;
		ra = nova_fit(h, &all, k, 1, 4 * GIB, 0, false, ca, &wa);
		rc = nova_fit(h, &cut, k, 1, 4 * GIB, 0, false, cc, &wc);
		nova_cell_order(h, &all, k, false, order);
		for (size_t j = 0; j < n && fit < k; j++)
			if (h->nodes[order[j]].free_mib >= 4 * GIB &&
			    h->nodes[order[j]].shared_vcpus + 1 <= 4)
				first[fit++] = order[j];
		assert_int_equal(ra, fit == k);
		assert_int_equal(rc, ra);
		assert_false(wa.capped);
		assert_true(wa.perms == (double)wa.perms_run);
		assert_true(wc.perms == wa.perms);
		assert_int_equal(wc.capped, wa.perms_run > 1);
		for (size_t c = 0; ra && c < k; c++) {
			assert_int_equal(ca[c], first[c]);
			assert_int_equal(cc[c], first[c]);
		}
		np_plan_host_free(h);
	}
}

/* No fit: every one of P(6, 4) = 360 permutations is walked. */
static void test_nova_walk_no_fit(void **state)
{
	const uint64_t free_[] = { 8 * GIB, 1 * GIB, 8 * GIB, 1 * GIB,
				   8 * GIB, 1 * GIB };
	struct np_plan_host *h = host_new(6, free_, NULL, 4, NULL);
	struct nova_opts o = { false, 1.0, 0 }, cut = { false, 1.0, 100 };
	struct nova_walk w;
	size_t chosen[4];

	(void)state;
	assert_false(nova_fit(h, &o, 4, 1, 4 * GIB, 0, false, chosen, &w));
	assert_true(w.perms == 360);
	assert_int_equal(w.perms_run, 360);
	assert_false(nova_fit(h, &cut, 4, 1, 4 * GIB, 0, false, chosen, &w));
	assert_true(w.capped);
	assert_int_equal(w.perms_run, 100);
	assert_true(w.perms == 360);
	/* three fit: the first three in the spread order, 0 2 4 */
	assert_true(nova_fit(h, &o, 3, 1, 4 * GIB, 0, false, chosen, &w));
	assert_int_equal(chosen[0], 0);
	assert_int_equal(chosen[1], 2);
	assert_int_equal(chosen[2], 4);
	np_plan_host_free(h);
}

/* ---- numad ---------------------------------------------------------------- */

/* The lab's guest of README's numad table: node 0 of 256 MiB, node 1 of
 * 1 GiB.  numad counts ceil(600 / 256) = 3 nodes' worth (capped at 2)
 * and names both, 0-1, as the real numad 0.5 does there; one node, 1,
 * holds the VM, which best-fit takes. */
static void test_numad_sizes_like_node_0(void **state)
{
	const uint64_t free_[] = { 256, 1024 };
	struct np_plan_host *h = host_new(2, free_, NULL, 2, NULL);
	struct np_vm_specs s = { 0 };
	struct peer_plan *p = NULL;
	struct np_plan *bp;
	size_t order[2];

	(void)state;
	assert_int_equal(numad_pick(h, 1.0, 1, 600, order), 2);
	/* the seed with the larger magnitude first: node 1 */
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 0);
	assert_int_equal(numad_pick(h, 1.0, 2, 700, order), 2);
	/* with nodes the other way round it needs one */
	h->nodes[0].free_mib = h->nodes[0].total_mib = 1024;
	h->nodes[1].free_mib = h->nodes[1].total_mib = 256;
	assert_int_equal(numad_pick(h, 1.0, 1, 600, order), 1);
	assert_int_equal(order[0], 0);
	h->nodes[0].free_mib = h->nodes[0].total_mib = 256;
	h->nodes[1].free_mib = h->nodes[1].total_mib = 1024;

	spec_add(&s, "vm1", 1, 600);
	spec_add(&s, "vm2", 1, 2000);
	assert_int_equal(numad_plan(h, &s, 1.0, &p), 0);
	assert_true(p->vms[0].placed);
	/* bound to both nodes, its memory all on node 1 */
	assert_int_equal(p->vms[0].ncells, 2);
	assert_int_equal(p->vms[0].mib[0], 600);
	assert_int_equal(p->vms[0].mib[1], 0);
	/* more than the host has: numad names every node, the VM does not
	 * fit in them */
	assert_false(p->vms[1].placed);
	assert_int_equal(p->placed, 1);
	assert_int_equal(p->left->nodes[1].free_mib, 1024 - 600);
	peer_plan_free(p);

	bp = best_fit(h, &s, 1.0);
	assert_true(bp->vms[0].placed);
	assert_int_equal(bp->vms[0].nodes.n, 1);
	assert_int_equal(bp->vms[0].nodes.ids[0], 1);
	np_plan_free(bp);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* Past node 0's size numad's count is right, and the nodes come by
 * distance from the best seed: a 6 GiB request on four 4 GiB nodes in
 * two pairs (12 within, 32 across) takes a pair, not nodes across. */
static void test_numad_by_distance(void **state)
{
	const uint32_t dist[] = { 10, 32, 12, 32,
				  32, 10, 32, 12,
				  12, 32, 10, 32,
				  32, 12, 32, 10 };
	const uint64_t free_[] = { 4 * GIB, 4 * GIB, 4 * GIB, 4 * GIB };
	struct np_plan_host *h = host_new(4, free_, NULL, 4, dist);
	size_t order[4];

	(void)state;
	assert_int_equal(numad_pick(h, 1.0, 2, 6 * GIB, order), 2);
	assert_int_equal(h->distances[order[0] * 4 + order[1]], 12);
	np_plan_host_free(h);
}

/* The CPU view numad would read: idle CPUs, a shared vCPU busy at
 * 1/overcommit, a pinned CPU busy. */
static void test_numad_node_view(void **state)
{
	const uint64_t free_[] = { 4 * GIB };
	struct np_plan_host *h = host_new(1, free_, NULL, 8, NULL);
	struct numad_node v;

	(void)state;
	h->nodes[0].shared_vcpus = 8;
	h->nodes[0].cpu_taken = calloc(8, sizeof(bool));
	assert_non_null(h->nodes[0].cpu_taken);
	h->nodes[0].cpu_taken[0] = true;
	numad_node_view(h, 4.0, 0, &v);
	assert_int_equal(v.cpus_total, 800);
	assert_int_equal(v.cpus_free, 500);     /* 8 - 1 - 8 / 4 */
	assert_int_equal(v.mbs_free, 4 * GIB);
	np_plan_host_free(h);
}

static void test_host_copy(void **state)
{
	const uint64_t free_[] = { 4 * GIB, 2 * GIB };
	struct np_plan_host *h = host_new(2, free_, NULL, 2, NULL), *c;

	(void)state;
	h->nodes[1].cpu_taken = calloc(2, sizeof(bool));
	assert_non_null(h->nodes[1].cpu_taken);
	h->nodes[1].cpu_taken[1] = true;
	c = np_plan_host_clone(h);
	assert_non_null(c);
	c->nodes[0].free_mib = 1;
	c->nodes[1].cpus[0] = 99;
	c->nodes[1].cpu_taken[0] = true;
	c->distances[1] = 30;
	assert_int_equal(h->nodes[0].free_mib, 4 * GIB);
	assert_int_equal(h->nodes[1].cpus[0], 2);
	assert_false(h->nodes[1].cpu_taken[0]);
	assert_true(c->nodes[1].cpu_taken[1]);
	assert_int_equal(h->distances[1], 20);
	np_plan_host_free(c);
	np_plan_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nova_cell_order),
		cmocka_unit_test(test_nova_first_fit_is_farther),
		cmocka_unit_test(test_nova_packs_cell_0),
		cmocka_unit_test(test_nova_refusals),
		cmocka_unit_test(test_nova_walk),
		cmocka_unit_test(test_nova_walk_no_fit),
		cmocka_unit_test(test_numad_sizes_like_node_0),
		cmocka_unit_test(test_numad_by_distance),
		cmocka_unit_test(test_numad_node_view),
		cmocka_unit_test(test_host_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
