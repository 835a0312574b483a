/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM planner on the topology dumps of tests/dumps (never the live
 * machine): specs from JSON and seed 004's lines, the host with its
 * reserve and SMT siblings, every strategy, guest cells and distances for
 * VMs larger than a node, refusals naming the resource and the nodes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/plan.h>
#include <numaplace/topo.h>

static struct np_plan_host *host_of(const char *dump,
				    const struct np_plan_reserve *r)
{
	const char *src = getenv("NP_SRCDIR");
	struct np_err err = { 0 };
	struct np_plan_host *h = NULL;
	struct np_topo *t = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/dumps/%s", src ? src : ".",
		 dump);
	if (np_topo_from_sysroot(path, &t, &err))
		fail_msg("%s: %s", path, err.msg);
	if (np_plan_host_from_topo(t, r, &h, &err))
		fail_msg("host %s: %s", dump, err.msg);
	np_topo_free(t);
	return h;
}

static void specs_json(const char *json, struct np_vm_specs *s)
{
	struct np_err err = { 0 };

	if (np_vm_specs_from_json(json, strlen(json), "vms.json", s, &err))
		fail_msg("%s: %s", json, err.msg);
}

static void specs_lines(const char *text, struct np_vm_specs *s)
{
	struct np_err err = { 0 };

	if (np_vm_specs_from_lines(text, strlen(text), "input1.txt", s, &err))
		fail_msg("%s: %s", text, err.msg);
}

static struct np_plan *plan(const struct np_plan_host *h,
			    const struct np_vm_specs *s,
			    enum np_plan_strategy st)
{
	struct np_plan_opts o = { .strategy = st, .cpu_overcommit = 1,
				  .seed = 7 };
	struct np_err err = { 0 };
	struct np_plan *p = NULL;

	if (np_plan_make(h, s, NULL, &o, &p, &err))
		fail_msg("np_plan_make: %s", err.msg);
	return p;
}

static void expect_nodes(const struct np_plan_vm *vm, const char *want)
{
	char got[256] = "";
	size_t used = 0;

	for (size_t i = 0; i < vm->nodes.n; i++)
		used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%u",
					 i ? "," : "", vm->nodes.ids[i]);
	if (strcmp(got, want))
		fail_msg("%s on nodes %s, expected %s", vm->name, got, want);
}

/* ---- specs -------------------------------------------------------------- */

static void test_spec_json(void **state)
{
	struct np_vm_specs s = { 0 };

	(void)state;
	specs_json("[{\"name\":\"db\",\"vcpus\":4,\"memory_mib\":4096,"
		   "\"hugepages\":\"1G\",\"dedicated_cpus\":true,"
		   "\"max_nodes\":1},{\"vcpus\":1,\"memory_mib\":512,"
		   "\"hugepages\":null}]", &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].name, "db");
	assert_int_equal(s.v[0].vcpus, 4);
	assert_int_equal(s.v[0].memory_mib, 4096);
	assert_int_equal(s.v[0].hugepage_bytes, 1u << 30);
	assert_true(s.v[0].dedicated_cpus);
	assert_int_equal(s.v[0].max_nodes, 1);
	assert_string_equal(s.v[1].name, "vm2");
	assert_int_equal(s.v[1].hugepage_bytes, 0);
	np_vm_specs_free(&s);
}

static void expect_json_error(const char *json, const char *want)
{
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };

	assert_int_equal(np_vm_specs_from_json(json, strlen(json), "vms.json",
					       &s, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	if (!strstr(err.msg, want))
		fail_msg("%s: '%s' does not say '%s'", json, err.msg, want);
	/* the list is as it was: empty, nothing to free */
	assert_int_equal(s.n, 0);
	assert_null(s.v);
}

static void test_spec_json_errors(void **state)
{
	(void)state;
	expect_json_error("[{\"vcpus\":4,", "vms.json: invalid JSON");
	expect_json_error("[{\"name\":\"a\",\"vcpus\":0,\"memory_mib\":1}]",
			  "vms.json: [0] (a): vcpus: 0: a VM needs at least 1 "
			  "vCPU");
	expect_json_error("[{\"vcpus\":1,\"memory_mib\":1,\"hugepages\":"
			  "\"4M\"}]", "[0]: hugepages: expected");
	expect_json_error("[{\"vcpus\":1}]", "memory_mib: missing");
	expect_json_error("[{\"vcpus\":1,\"memory_mib\":1,\"cpus\":2}]",
			  "unknown key 'cpus'");
	expect_json_error("[{\"name\":\"a\",\"vcpus\":1,\"memory_mib\":1},"
			  "{\"name\":\"a\",\"vcpus\":1,\"memory_mib\":1}]",
			  "'a' appears twice");
	expect_json_error("{\"vcpus\":1}", "expected a JSON array");
	expect_json_error("[{\"name\":\"../x\",\"vcpus\":1,\"memory_mib\":1}]",
			  "name: not a name");
}

static void test_spec_lines(void **state)
{
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };

	(void)state;
	/* seed 004's input1.txt: two VMs */
	specs_lines("2 1024\n# a comment\n\n4\t2048  \n", &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[1].name, "vm2");
	assert_int_equal(s.v[1].vcpus, 4);
	assert_int_equal(s.v[1].memory_mib, 2048);
	np_vm_specs_free(&s);
	assert_int_equal(np_vm_specs_from_lines("2 1024\n0 512\n", 13, "in",
						&s, &err), -EINVAL);
	assert_string_equal(err.msg, "in:2: CPUS 0: a VM needs at least 1 "
			    "vCPU");
	assert_int_equal(np_vm_specs_from_lines("2 x\n", 4, "in", &s, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "in:1: expected"));
	assert_int_equal(s.n, 0);
}

/* ---- the host ------------------------------------------------------------ */

static void test_host(void **state)
{
	unsigned ids[] = { 0 };
	uint64_t mib[] = { 1000 };
	struct np_plan_reserve r = { .mib_all = 100, .mib_nodes = ids,
				     .mib = mib, .nmib = 1 };
	struct np_plan_host *h;

	(void)state;
	np_idset_push(&r.cpus, 0);
	np_idset_push(&r.cpus, 40);
	h = host_of("xeon-4n-seed001", &r);
	assert_int_equal(h->nnodes, 4);
	/* node 0: 62720 MB free (numactl's MB are MiB) less 100 and 1000 */
	assert_int_equal(h->nodes[0].free_mib, 62720 - 1100);
	assert_int_equal(h->nodes[1].free_mib, 62866 - 100);
	assert_int_equal(h->nodes[0].ncpus, 18);
	assert_int_equal(h->nodes[0].cpus[0], 1);
	/* SMT siblings from the dump's cpuN/topology: 1 and 41 share a core */
	assert_non_null(h->nodes[0].core);
	assert_int_equal(h->nodes[0].core[0], h->nodes[0].core[9]);
	assert_int_equal(h->nodes[0].cpus[9], 41);
	assert_int_not_equal(h->nodes[0].core[0], h->nodes[0].core[1]);
	assert_int_equal(h->distances[0 * 4 + 1], 21);
	np_idset_free(&r.cpus);
	np_plan_host_free(h);
}

static void test_host_reserve_unknown_node(void **state)
{
	unsigned ids[] = { 7 };
	uint64_t mib[] = { 1 };
	struct np_plan_reserve r = { .mib_nodes = ids, .mib = mib, .nmib = 1 };
	const char *src = getenv("NP_SRCDIR");
	struct np_err err = { 0 };
	struct np_plan_host *h = NULL;
	struct np_topo *t = NULL;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/dumps/xeon-4n-seed001",
		 src ? src : ".");
	assert_int_equal(np_topo_from_sysroot(path, &t, &err), 0);
	assert_int_equal(np_plan_host_from_topo(t, &r, &h, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, "--reserve-mem: node 7 does not exist");
	assert_null(h);
	np_topo_free(t);
}

/* ---- best-fit --------------------------------------------------------------- */

static void test_best_fit_tightest(void **state)
{
	struct np_plan_host *h = host_of("xeon-4n-seed001", NULL);
	struct np_vm_specs s = { 0 };
	struct np_plan *p;

	(void)state;
	/* free: node 0 62720, 1 62866, 2 62570, 3 63527 MiB.  60000 fits
	 * each: the tightest is node 2; then 2600 fits only 0, 1, 3 and
	 * the tightest of them is node 0 (62720 - 2600 leaves least) */
	specs_json("[{\"name\":\"a\",\"vcpus\":8,\"memory_mib\":60000},"
		   "{\"name\":\"b\",\"vcpus\":2,\"memory_mib\":2600}]", &s);
	p = plan(h, &s, NP_PLAN_BEST_FIT);
	assert_int_equal(p->placed, 2);
	expect_nodes(&p->vms[0], "2");
	expect_nodes(&p->vms[1], "0");
	assert_int_equal(p->vms[0].ncells, 1);
	assert_int_equal(p->vms[0].memory_mib[0], 60000);
	/* shared vCPUs float over their node's CPUs */
	assert_int_equal(p->vms[0].vcpu_cpus[0].n, 20);
	assert_int_equal(p->vms[0].vcpu_cpus[0].ids[0], 20);
	assert_int_equal(p->left->nodes[2].free_mib, 2570);
	assert_int_equal(p->left->nodes[2].shared_vcpus, 8);
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* Opteron 8n: distances 10/16/22.  A VM of three nodes' memory goes to
 * three nodes all 16 apart (total 48 one way), not to the first three
 * (0,1,2: 16+16+22); its guest sees the same distances. */
static void test_guest_cells_nearest(void **state)
{
	struct np_plan_host *h = host_of("opteron-8n", NULL);
	struct np_vm_specs s = { 0 };
	const struct np_plan_vm *vm;
	struct np_plan *p;
	uint64_t sum = 0;

	(void)state;
	specs_json("[{\"name\":\"big\",\"vcpus\":12,\"memory_mib\":36000,"
		   "\"dedicated_cpus\":true}]", &s);
	p = plan(h, &s, NP_PLAN_BEST_FIT);
	vm = &p->vms[0];
	assert_true(vm->placed);
	assert_int_equal(vm->nodes.n, 3);
	assert_int_equal(vm->ncells, 3);
	for (size_t a = 0; a < 3; a++) {
		for (size_t b = 0; b < 3; b++)
			assert_int_equal(vm->guest_distances[a * 3 + b],
					 a == b ? 10 : 16);
		sum += vm->cells[a].memory_mib;
		assert_int_equal(vm->cells[a].host_node, vm->nodes.ids[a]);
	}
	assert_int_equal(sum, 36000);
	/* vCPUs in proportion to memory, consecutive per cell, each on a
	 * distinct CPU of its cell's node */
	assert_int_equal(vm->cells[0].first_vcpu, 0);
	assert_int_equal(vm->cells[1].first_vcpu, vm->cells[0].nvcpus);
	assert_int_equal(vm->cells[0].nvcpus + vm->cells[1].nvcpus +
			 vm->cells[2].nvcpus, 12);
	for (size_t c = 0; c < 3; c++) {
		double share = 12.0 * vm->cells[c].memory_mib / 36000;

		assert_true(vm->cells[c].nvcpus + 1 > share &&
			    vm->cells[c].nvcpus < share + 1);
		for (unsigned v = 0; v < vm->cells[c].nvcpus; v++) {
			unsigned cpu = vm->vcpu_cpus[vm->cells[c].first_vcpu +
						     v].ids[0];

			assert_int_equal(cpu / 6, vm->cells[c].host_node);
		}
	}
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* server-2s-smt: 16 cores x 2 per node.  Dedicated vCPUs take whole
 * cores (both siblings) before splitting one; a second guest never gets
 * the sibling of a CPU the first holds, while whole cores remain. */
static void test_dedicated_smt(void **state)
{
	struct np_plan_host *h = host_of("server-2s-smt", NULL);
	struct np_vm_specs s = { 0 };
	struct np_plan *p;
	unsigned want_a[] = { 0, 32, 1, 33, 2 };

	(void)state;
	specs_json("[{\"name\":\"a\",\"vcpus\":5,\"memory_mib\":1000,"
		   "\"dedicated_cpus\":true,\"max_nodes\":1},"
		   "{\"name\":\"b\",\"vcpus\":2,\"memory_mib\":999,"
		   "\"dedicated_cpus\":true,\"max_nodes\":1}]", &s);
	p = plan(h, &s, NP_PLAN_BEST_FIT);
	assert_int_equal(p->placed, 2);
	expect_nodes(&p->vms[0], "0");
	for (unsigned v = 0; v < 5; v++)
		assert_int_equal(p->vms[0].vcpu_cpus[v].ids[0], want_a[v]);
	/* b: the next whole core (3 and 35), not 34 beside a's 2 */
	expect_nodes(&p->vms[1], "0");
	assert_int_equal(p->vms[1].vcpu_cpus[0].ids[0], 3);
	assert_int_equal(p->vms[1].vcpu_cpus[1].ids[0], 35);
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

static void test_refusal_reasons(void **state)
{
	struct np_plan_host *h = host_of("xeon-4n-seed001", NULL);
	struct np_vm_specs s = { 0 };
	struct np_plan *p;

	(void)state;
	specs_json("[{\"name\":\"mem\",\"vcpus\":2,\"memory_mib\":65536,"
		   "\"max_nodes\":1},"
		   "{\"name\":\"cpu\",\"vcpus\":30,\"memory_mib\":1024,"
		   "\"max_nodes\":1,\"dedicated_cpus\":true},"
		   "{\"name\":\"all\",\"vcpus\":2,\"memory_mib\":300000}]", &s);
	p = plan(h, &s, NP_PLAN_BEST_FIT);
	assert_int_equal(p->placed, 0);
	assert_string_equal(p->vms[0].reason, "needs 64 GiB on ≤ 1 node; the "
			    "largest free node, 3, has 62.0 GiB");
	assert_string_equal(p->vms[1].reason, "needs 30 dedicated CPUs on ≤ 1 "
			    "node; the freest node, 0, has 20 free CPUs");
	assert_string_equal(p->vms[2].reason, "needs 293.0 GiB on 4 nodes; "
			    "the 4 largest free nodes, 0-3, have 245.8 GiB");
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* server-2s-smt has 2 MiB and 1 GiB pools (node 0: 1536 and 6 free,
 * node 1: 2048 and 8): a VM in 1 GiB pages needs that many free pages
 * on its nodes; hugepages that the host lacks are bad input. */
static void test_hugepages(void **state)
{
	struct np_plan_host *h = host_of("server-2s-smt", NULL);
	struct np_plan_host *x = host_of("xeon-4n-seed001", NULL);
	struct np_plan_opts o = { .cpu_overcommit = 1 };
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };
	struct np_plan *p = NULL;

	(void)state;
	specs_json("[{\"name\":\"g7\",\"vcpus\":2,\"memory_mib\":7168,"
		   "\"hugepages\":\"1G\",\"max_nodes\":1},"
		   "{\"name\":\"g8\",\"vcpus\":2,\"memory_mib\":8192,"
		   "\"hugepages\":\"1G\",\"max_nodes\":1}]", &s);
	p = plan(h, &s, NP_PLAN_BEST_FIT);
	/* the larger first: 8 pages fit node 1 only; then 7 fit nowhere
	 * (node 0 has 6); base memory is untouched */
	expect_nodes(&p->vms[1], "1");
	assert_int_equal(p->left->nodes[1].huge[1].free, 0);
	assert_int_equal(p->left->nodes[1].huge[0].free, 2048);
	assert_int_equal(p->left->nodes[1].free_mib, h->nodes[1].free_mib);
	assert_false(p->vms[0].placed);
	assert_string_equal(p->vms[0].reason, "needs 7 GiB of 1 GiB hugepages "
			    "on ≤ 1 node; the largest hugepage node, 0, has "
			    "6 GiB free");
	np_plan_free(p);
	/* a page size without a pool on any node is bad input (the xeon
	 * dump's pools of both sizes are empty: 0 pages set up) */
	np_vm_specs_free(&s);
	specs_json("[{\"name\":\"g\",\"vcpus\":2,\"memory_mib\":1024,"
		   "\"hugepages\":\"1G\"}]", &s);
	assert_int_equal(np_plan_make(x, &s, NULL, &o, &p, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, "vms.json: [0]: hugepages: the host has "
			    "no 1 GiB hugepages");
	np_vm_specs_free(&s);
	np_plan_host_free(h);
	np_plan_host_free(x);
}

/* ---- the other strategies ------------------------------------------------- */

static void test_spread_and_pack(void **state)
{
	struct np_plan_host *h = host_of("xeon-4n-seed001", NULL);
	struct np_vm_specs s = { 0 };
	struct np_plan *p;

	(void)state;
	specs_lines("2 1024\n2 1024\n2 1024\n2 1024\n", &s);
	/* spread: one VM per node, emptiest first (3 has most free) */
	p = plan(h, &s, NP_PLAN_SPREAD);
	expect_nodes(&p->vms[0], "3");
	for (size_t a = 0; a < 4; a++)
		for (size_t b = a + 1; b < 4; b++)
			assert_int_not_equal(p->vms[a].nodes.ids[0],
					     p->vms[b].nodes.ids[0]);
	np_plan_free(p);
	/* pack: all on node 0, nodes 1-3 stay whole */
	p = plan(h, &s, NP_PLAN_PACK);
	for (size_t a = 0; a < 4; a++)
		expect_nodes(&p->vms[a], "0");
	assert_int_equal(p->left->nodes[1].free_mib, h->nodes[1].free_mib);
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* Seed 004's three policies: random picks one node per VM (the seed
 * repeats it), interleave spreads each VM's memory over nodes 0..N-1,
 * round-robin gives VM i node i mod N. */
static void test_seed004_policies(void **state)
{
	struct np_plan_host *h = host_of("xeon-4n-seed001", NULL);
	struct np_vm_specs s = { 0 };
	struct np_plan *p, *q;
	unsigned seen[4] = { 0 };

	(void)state;
	specs_lines("2 1024\n4 2048\n1 512\n2 1024\n2 1024\n1 512\n2 1024\n"
		    "2 1024\n2 1000\n", &s);
	p = plan(h, &s, NP_PLAN_ROUND_ROBIN);
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(p->vms[i].nodes.n, 1);
		assert_int_equal(p->vms[i].nodes.ids[0], i % 4);
	}
	np_plan_free(p);
	p = plan(h, &s, NP_PLAN_INTERLEAVE);
	for (size_t i = 0; i < s.n; i++) {
		assert_true(p->vms[i].interleaved);
		assert_int_equal(p->vms[i].nodes.n, 4);
		assert_int_equal(p->vms[i].ncells, 0);
	}
	/* 1000 MiB over 4 nodes: 250 each; 2048: 512 each */
	assert_int_equal(p->vms[8].memory_mib[3], 250);
	assert_int_equal(p->vms[1].memory_mib[0], 512);
	assert_int_equal(p->vms[1].vcpu_cpus[0].n, 80);
	np_plan_free(p);
	p = plan(h, &s, NP_PLAN_RANDOM);
	q = plan(h, &s, NP_PLAN_RANDOM);
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(p->vms[i].nodes.n, 1);
		assert_int_equal(p->vms[i].nodes.ids[0], q->vms[i].nodes.ids[0]);
		seen[p->vms[i].nodes.ids[0]]++;
	}
	/* 9 draws over 4 nodes: more than one node, not i mod 4 */
	assert_true((seen[0] != 0) + (seen[1] != 0) + (seen[2] != 0) +
		    (seen[3] != 0) >= 2);
	np_plan_free(p);
	np_plan_free(q);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* Interleave splits evenly and gives what does not divide to the nodes
 * with the most room: 48 dedicated 1-vCPU VMs fill opteron-8n's 48 CPUs,
 * six per node, where always starting at the first node refused the
 * seventh VM; 5 MiB over 8 nodes goes to the five roomiest nodes. */
static void test_interleave_remainder(void **state)
{
	struct np_plan_host *h = host_of("opteron-8n", NULL);
	struct np_vm_specs s = { 0 };
	struct np_plan *p;
	char json[8192];
	size_t used = 0;

	(void)state;
	used += (size_t)snprintf(json, sizeof(json), "[");
	for (unsigned i = 0; i < 48; i++)
		used += (size_t)snprintf(json + used, sizeof(json) - used,
			"%s{\"name\":\"v%u\",\"vcpus\":1,\"memory_mib\":5,"
			"\"dedicated_cpus\":true}", i ? "," : "", i);
	snprintf(json + used, sizeof(json) - used, "]");
	specs_json(json, &s);
	p = plan(h, &s, NP_PLAN_INTERLEAVE);
	assert_int_equal(p->placed, 48);
	for (size_t i = 0; i < p->left->nnodes; i++) {
		const struct np_plan_node *n = &p->left->nodes[i];
		unsigned taken = 0;

		for (size_t c = 0; c < n->ncpus; c++)
			taken += n->cpu_taken && n->cpu_taken[c];
		assert_int_equal(taken, 6);
		/* each VM's 5 MiB: 1 MiB from each of the five nodes with
		 * the most free memory (4, 7, 1, 6, 5: GiB apart, so the
		 * same five every time) and none from 0, 2 and 3 */
		assert_int_equal(h->nodes[i].free_mib - n->free_mib,
				 n->id == 0 || n->id == 2 || n->id == 3 ? 0 : 48);
	}
	for (size_t i = 0; i < p->nvms; i++)
		assert_int_equal(p->vms[i].vcpu_cpus[0].n, 1);
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* A VM 1 MiB larger than opteron-8n's roomiest node (4, 14249 MiB free)
 * spans two nodes; its second cell gets 4 MiB (a guest kernel ignores a
 * node under NODE_MIN_SIZE), not the 1 MiB left over, and a vCPU, not
 * none: every cell has at least 4 MiB and one vCPU. */
static void test_cells_not_degenerate(void **state)
{
	struct np_plan_host *h = host_of("opteron-8n", NULL);
	struct np_vm_specs s = { 0 };
	struct np_plan *p;
	const struct np_plan_vm *vm;
	uint64_t sum = 0;

	(void)state;
	assert_int_equal(h->nodes[4].free_mib, 14249);
	specs_json("[{\"name\":\"big\",\"vcpus\":2,\"memory_mib\":14250,"
		   "\"dedicated_cpus\":true}]", &s);
	p = plan(h, &s, NP_PLAN_BEST_FIT);
	vm = &p->vms[0];
	assert_true(vm->placed);
	assert_int_equal(vm->ncells, 2);
	for (size_t i = 0; i < vm->ncells; i++) {
		assert_true(vm->cells[i].memory_mib >= 4);
		assert_int_equal(vm->cells[i].nvcpus, 1);
		sum += vm->cells[i].memory_mib;
		if (vm->cells[i].host_node == 4)
			assert_int_equal(vm->cells[i].memory_mib, 14246);
	}
	assert_int_equal(sum, 14250);
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* Nine VMs on opteron-8n's eight nodes (11.1 to 13.9 GiB free), one of
 * 10 GiB and eight of 8 GiB: each fits one node, but not all nine fit
 * whole.  By default the one left over is refused, saying it is kept
 * whole; with allow_split it is split over two or more nodes. */
static void test_keep_whole(void **state)
{
	struct np_plan_host *h = host_of("opteron-8n", NULL);
	struct np_plan_opts o = { .strategy = NP_PLAN_BEST_FIT,
				  .cpu_overcommit = 1 };
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };
	struct np_plan *p = NULL;
	unsigned refused = 0, split = 0;

	(void)state;
	specs_lines("1 10240\n1 8192\n1 8192\n1 8192\n1 8192\n1 8192\n"
		    "1 8192\n1 8192\n1 8192\n", &s);
	assert_int_equal(np_plan_make(h, &s, NULL, &o, &p, &err), 0);
	assert_int_equal(p->placed, 8);
	for (size_t i = 0; i < p->nvms; i++) {
		if (p->vms[i].placed) {
			assert_int_equal(p->vms[i].nodes.n, 1);
			continue;
		}
		refused++;
		assert_non_null(strstr(p->vms[i].reason, "kept whole"));
	}
	assert_int_equal(refused, 1);
	np_plan_free(p);
	o.allow_split = true;
	assert_int_equal(np_plan_make(h, &s, NULL, &o, &p, &err), 0);
	assert_int_equal(p->placed, 9);
	for (size_t i = 0; i < p->nvms; i++)
		split += p->vms[i].nodes.n > 1;
	assert_int_equal(split, 1);
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* cxl-memonly: node 2 has no CPUs.  Without the option it is never
 * used; with it, only as the farther tier when the CPU nodes lack
 * memory, and the guest gets a memory-only cell at the host's distance. */
static void test_memory_only(void **state)
{
	struct np_plan_host *h = host_of("cxl-memonly", NULL);
	struct np_plan_opts o = { .cpu_overcommit = 1,
				  .allow_memory_only_nodes = true };
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };
	struct np_plan *p;

	(void)state;
	/* node 0 has 115988 MiB free, node 1 122373 */
	specs_json("[{\"name\":\"a\",\"vcpus\":4,\"memory_mib\":150000,"
		   "\"max_nodes\":2}]", &s);
	p = plan(h, &s, NP_PLAN_BEST_FIT);
	expect_nodes(&p->vms[0], "0,1");
	np_plan_free(p);
	assert_int_equal(np_plan_make(h, &s, NULL, &o, &p, &err), 0);
	expect_nodes(&p->vms[0], "0,1");
	np_plan_free(p);
	np_vm_specs_free(&s);
	specs_json("[{\"name\":\"b\",\"vcpus\":4,\"memory_mib\":130000,"
		   "\"max_nodes\":2}]", &s);
	assert_int_equal(np_plan_make(h, &s, NULL, &o, &p, &err), 0);
	/* 1 node is not enough; of the pairs, the two CPU nodes win over a
	 * pair with the memory-only node */
	expect_nodes(&p->vms[0], "0,1");
	np_plan_free(p);
	np_vm_specs_free(&s);
	specs_json("[{\"name\":\"c\",\"vcpus\":4,\"memory_mib\":240000,"
		   "\"max_nodes\":2}]", &s);
	p = plan(h, &s, NP_PLAN_BEST_FIT);
	assert_false(p->vms[0].placed);
	np_plan_free(p);
	assert_int_equal(np_plan_make(h, &s, NULL, &o, &p, &err), 0);
	/* node 0 (115988) or 1 (122373) with memory-only node 2 (128541):
	 * node 0 is nearer to it (14 against 24).  Its cell has no vCPUs
	 * and the guest distance is the host's */
	expect_nodes(&p->vms[0], "0,2");
	assert_int_equal(p->vms[0].cells[1].nvcpus, 0);
	assert_int_equal(p->vms[0].cells[0].nvcpus, 4);
	assert_int_equal(p->vms[0].cells[0].memory_mib, 115988);
	assert_int_equal(p->vms[0].guest_distances[1], 14);
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

static void test_keep_free_and_largest(void **state)
{
	struct np_plan_host *h = host_of("xeon-4n-seed001", NULL);
	struct np_plan_opts o = { .cpu_overcommit = 1, .keep_free_vcpus = 4,
				  .keep_free_mib = 60000 };
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };
	struct np_plan *p;

	(void)state;
	/* nineteen 10 GiB VMs: six fit a node (~61 GiB free each), so all
	 * nineteen fit; but a 60000 MiB VM kept free on one node leaves
	 * three nodes, eighteen VMs */
	specs_lines("2 10240\n2 10240\n2 10240\n2 10240\n2 10240\n2 10240\n"
		    "2 10240\n2 10240\n2 10240\n2 10240\n2 10240\n2 10240\n"
		    "2 10240\n2 10240\n2 10240\n2 10240\n2 10240\n2 10240\n"
		    "2 10240\n", &s);
	assert_int_equal(np_plan_make(h, &s, NULL, &o, &p, &err), 0);
	assert_int_equal(p->placed, 18);
	assert_non_null(strstr(p->vms[18].reason, "--keep-free"));
	assert_true(p->largest_mib[0] >= 60000);
	np_plan_free(p);
	o.keep_free_vcpus = 0;
	o.keep_free_mib = 0;
	assert_int_equal(np_plan_make(h, &s, NULL, &o, &p, &err), 0);
	assert_int_equal(p->placed, 19);
	/* 19 x 10 GiB on 4 nodes of ~61 GiB: 6, 6, 6, 0 or so; the largest
	 * VM that fits on 1 node is what the emptiest node has left */
	{
		uint64_t max = 0, sum2 = 0, free_[4];

		for (size_t i = 0; i < 4; i++) {
			free_[i] = p->left->nodes[i].free_mib;
			if (free_[i] > max)
				max = free_[i];
		}
		assert_int_equal(p->largest_mib[0], max);
		for (size_t i = 0; i < 4; i++)
			sum2 += free_[i];
		assert_int_equal(p->largest_mib[3], sum2);
	}
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
}

/* --existing with a plan file: what it holds is taken before planning. */
static void test_existing_plan(void **state)
{
	struct np_plan_host *h = host_of("server-2s-smt", NULL);
	struct np_plan_host *h2 = host_of("server-2s-smt", NULL);
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };
	struct np_plan *p;
	char *json = NULL;

	(void)state;
	specs_json("[{\"name\":\"a\",\"vcpus\":3,\"memory_mib\":4096,"
		   "\"dedicated_cpus\":true},{\"name\":\"b\",\"vcpus\":6,"
		   "\"memory_mib\":2048,\"hugepages\":\"2M\"}]", &s);
	p = plan(h, &s, NP_PLAN_BEST_FIT);
	assert_int_equal(np_plan_emit_json(p, &json, &err), 0);
	assert_int_equal(np_plan_host_subtract_json(h2, json, strlen(json),
						    "plan.json", &err), 0);
	for (size_t i = 0; i < 2; i++) {
		const struct np_plan_node *a = &p->left->nodes[i];
		const struct np_plan_node *b = &h2->nodes[i];

		assert_int_equal(a->free_mib, b->free_mib);
		assert_int_equal(a->shared_vcpus, b->shared_vcpus);
		for (size_t k = 0; k < a->nhuge; k++)
			assert_int_equal(a->huge[k].free, b->huge[k].free);
		for (size_t c = 0; c < a->ncpus; c++)
			assert_int_equal(a->cpu_taken && a->cpu_taken[c],
					 b->cpu_taken && b->cpu_taken[c]);
	}
	free(json);
	json = strdup("{\"version\":1,\"vms\":[{\"name\":\"x\",\"placed\":true,"
		      "\"memory_per_node_mib\":{\"9\":5}}]}");
	assert_int_equal(np_plan_host_subtract_json(h2, json, strlen(json),
						    "old.json", &err), -EINVAL);
	assert_string_equal(err.msg, "old.json: vms[0] (x): "
			    "memory_per_node_mib: node '9' does not exist on "
			    "this host");
	free(json);
	np_plan_free(p);
	np_vm_specs_free(&s);
	np_plan_host_free(h);
	np_plan_host_free(h2);
}

static void test_advise(void **state)
{
	struct np_plan_host *h = host_of("opteron-8n", NULL);
	struct np_idset n = { 0 };
	struct np_err err = { 0 };

	(void)state;
	/* 4 vCPUs, 13000 MiB: nodes 1 (13615), 4 (14249), 7 (13956) fit;
	 * node 1 is the tightest */
	assert_int_equal(np_plan_advise(h, 4, 13000, &n, &err), 0);
	assert_int_equal(n.n, 1);
	assert_int_equal(n.ids[0], 1);
	np_idset_free(&n);
	/* 20000 MiB: two nodes 16 apart */
	assert_int_equal(np_plan_advise(h, 4, 20000, &n, &err), 0);
	assert_int_equal(n.n, 2);
	assert_int_equal(h->distances[n.ids[0] * 8 + n.ids[1]], 16);
	np_idset_free(&n);
	assert_int_equal(np_plan_advise(h, 4, 1 << 30, &n, &err), -ENOSPC);
	assert_int_equal(err.cls, NP_ERR_SYSTEM);
	np_plan_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_json),
		cmocka_unit_test(test_spec_json_errors),
		cmocka_unit_test(test_spec_lines),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_host_reserve_unknown_node),
		cmocka_unit_test(test_best_fit_tightest),
		cmocka_unit_test(test_guest_cells_nearest),
		cmocka_unit_test(test_dedicated_smt),
		cmocka_unit_test(test_refusal_reasons),
		cmocka_unit_test(test_hugepages),
		cmocka_unit_test(test_spread_and_pack),
		cmocka_unit_test(test_seed004_policies),
		cmocka_unit_test(test_interleave_remainder),
		cmocka_unit_test(test_cells_not_degenerate),
		cmocka_unit_test(test_keep_whole),
		cmocka_unit_test(test_memory_only),
		cmocka_unit_test(test_keep_free_and_largest),
		cmocka_unit_test(test_existing_plan),
		cmocka_unit_test(test_advise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
