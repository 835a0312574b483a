/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_plan_emit_qemu and np_plan_emit_qemu_pins on hand-built plans: the
 * exact argument list for a one-cell VM, VMs split over 2 and 3 host
 * nodes with asymmetric distances, cells of unequal size, hugepages,
 * sparse host node ids and a memory-only cell; the pins JSON read back;
 * the plans QEMU could not take refused with one line naming the VM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <numaplace/plan.h>

struct range {
	unsigned lo, hi;
};

/* A placed VM with these cells (in order), vCPU v allowed on CPUs
 * pins[v].lo .. pins[v].hi, and the guest distances dist (or NULL). */
static struct np_plan_vm make_vm(const char *name, unsigned vcpus,
				 const struct np_plan_cell *cells, size_t ncells,
				 const uint32_t *dist, const struct range *pins)
{
	struct np_plan_vm vm = {
		.name = strdup(name),
		.placed = true,
		.vcpus = vcpus,
		.ncells = ncells,
	};

	if (ncells) {
		vm.cells = calloc(ncells, sizeof(*vm.cells));
		assert_non_null(vm.cells);
		memcpy(vm.cells, cells, ncells * sizeof(*cells));
	}
	if (dist) {
		vm.guest_distances = malloc(ncells * ncells * sizeof(uint32_t));
		assert_non_null(vm.guest_distances);
		memcpy(vm.guest_distances, dist, ncells * ncells * sizeof(uint32_t));
	}
	vm.vcpu_cpus = calloc(vcpus, sizeof(*vm.vcpu_cpus));
	assert_non_null(vm.vcpu_cpus);
	for (unsigned v = 0; v < vcpus; v++)
		for (unsigned c = pins[v].lo; c <= pins[v].hi; c++)
			assert_int_equal(np_idset_push(&vm.vcpu_cpus[v], c), 0);
	return vm;
}

static void free_vm(struct np_plan_vm *vm)
{
	for (unsigned v = 0; v < vm->vcpus; v++)
		np_idset_free(&vm->vcpu_cpus[v]);
	free(vm->vcpu_cpus);
	free(vm->cells);
	free(vm->guest_distances);
	free(vm->name);
	np_idset_free(&vm->nodes);
}

static void expect_args(const struct np_plan_vm *vm,
			const struct np_vm_spec *spec,
			const struct np_plan_qemu_opts *opts, const char *want)
{
	struct np_err err = { 0 };
	char *out = NULL;

	assert_int_equal(np_plan_emit_qemu(NULL, vm, spec, opts, &out, &err), 0);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void expect_refusal(const struct np_plan_vm *vm,
			   const struct np_vm_spec *spec,
			   const struct np_plan_qemu_opts *opts, const char *msg)
{
	struct np_err err = { 0 };
	char *out = (char *)"untouched";

	assert_int_equal(np_plan_emit_qemu(NULL, vm, spec, opts, &out, &err),
			 -EINVAL);
	assert_null(out);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, msg);
	assert_null(strchr(err.msg, '\n'));
}

static void test_one_cell(void **state)
{
	const struct np_plan_cell cells[] = { { 0, 2, 512, 0 } };
	const struct range pins[] = { { 0, 1 }, { 0, 1 } };
	struct np_plan_vm vm = make_vm("vm1", 2, cells, 1, NULL, pins);

	(void)state;
	/* one cell still gets its backend bound: that is how QEMU binds RAM */
	expect_args(&vm, NULL, NULL,
		"# vm1: 2 vCPUs, 512 MiB on host node 0\n"
		"-smp 2,sockets=1,cores=2,threads=1\n"
		"-m 512M\n"
		"-object memory-backend-ram,id=ram0,size=512M,host-nodes=0,policy=bind\n"
		"-numa node,nodeid=0,cpus=0-1,memdev=ram0\n"
		"# vcpu 0 -> host cpus 0-1\n"
		"# vcpu 1 -> host cpus 0-1\n");
	/* a single vCPU: cpus=0, not 0-0; prealloc asked for */
	vm.vcpus = 1;
	vm.cells[0].nvcpus = 1;
	expect_args(&vm, NULL, &(struct np_plan_qemu_opts){ .prealloc = true },
		"# vm1: 1 vCPU, 512 MiB on host node 0\n"
		"-smp 1,sockets=1,cores=1,threads=1\n"
		"-m 512M\n"
		"-object memory-backend-ram,id=ram0,size=512M,prealloc=on,host-nodes=0,policy=bind\n"
		"-numa node,nodeid=0,cpus=0,memdev=ram0\n"
		"# vcpu 0 -> host cpus 0-1\n");
	vm.vcpus = 2;
	free_vm(&vm);
}

/* Guest cell 0 on host node 1, cell 1 on host node 0; dedicated CPUs;
 * the host's distances differ by direction (21 one way, 31 back). */
static void test_two_nodes_asymmetric(void **state)
{
	const struct np_plan_cell cells[] = {
		{ 0, 2, 2048, 1 }, { 2, 2, 1024, 0 },
	};
	const uint32_t dist[] = { 10, 21, 31, 10 };
	const struct range pins[] = { { 4, 4 }, { 5, 5 }, { 0, 0 }, { 1, 1 } };
	struct np_plan_vm vm = make_vm("db", 4, cells, 2, dist, pins);

	(void)state;
	expect_args(&vm, NULL, NULL,
		"# db: 4 vCPUs, 3072 MiB on host nodes 0-1\n"
		"-smp 4,sockets=2,cores=2,threads=1\n"
		"-m 3072M\n"
		"-object memory-backend-ram,id=ram0,size=2048M,host-nodes=1,policy=bind\n"
		"-object memory-backend-ram,id=ram1,size=1024M,host-nodes=0,policy=bind\n"
		"-numa node,nodeid=0,cpus=0-1,memdev=ram0\n"
		"-numa node,nodeid=1,cpus=2-3,memdev=ram1\n"
		"-numa dist,src=0,dst=1,val=21\n"
		"-numa dist,src=1,dst=0,val=31\n"
		"# vcpu 0 -> host cpus 4\n"
		"# vcpu 1 -> host cpus 5\n"
		"# vcpu 2 -> host cpus 0\n"
		"# vcpu 3 -> host cpus 1\n");
	free_vm(&vm);
}

/* Three cells of 4, 2 and 2 vCPUs: sockets of 2 cores, so each cell is
 * whole sockets; every ordered pair of cells gets its own distance. */
static void test_three_nodes_unequal(void **state)
{
	const struct np_plan_cell cells[] = {
		{ 0, 4, 4096, 2 }, { 4, 2, 2048, 0 }, { 6, 2, 2048, 3 },
	};
	const uint32_t dist[] = { 10, 16, 22, 17, 10, 28, 23, 29, 10 };
	const struct range pins[] = {
		{ 8, 11 }, { 8, 11 }, { 8, 11 }, { 8, 11 },
		{ 0, 3 }, { 0, 3 }, { 12, 15 }, { 12, 15 },
	};
	struct np_plan_vm vm = make_vm("big", 8, cells, 3, dist, pins);

	(void)state;
	expect_args(&vm, NULL, NULL,
		"# big: 8 vCPUs, 8192 MiB on host nodes 0,2-3\n"
		"-smp 8,sockets=4,cores=2,threads=1\n"
		"-m 8192M\n"
		"-object memory-backend-ram,id=ram0,size=4096M,host-nodes=2,policy=bind\n"
		"-object memory-backend-ram,id=ram1,size=2048M,host-nodes=0,policy=bind\n"
		"-object memory-backend-ram,id=ram2,size=2048M,host-nodes=3,policy=bind\n"
		"-numa node,nodeid=0,cpus=0-3,memdev=ram0\n"
		"-numa node,nodeid=1,cpus=4-5,memdev=ram1\n"
		"-numa node,nodeid=2,cpus=6-7,memdev=ram2\n"
		"-numa dist,src=0,dst=1,val=16\n"
		"-numa dist,src=0,dst=2,val=22\n"
		"-numa dist,src=1,dst=0,val=17\n"
		"-numa dist,src=1,dst=2,val=28\n"
		"-numa dist,src=2,dst=0,val=23\n"
		"-numa dist,src=2,dst=1,val=29\n"
		"# vcpu 0 -> host cpus 8-11\n"
		"# vcpu 1 -> host cpus 8-11\n"
		"# vcpu 2 -> host cpus 8-11\n"
		"# vcpu 3 -> host cpus 8-11\n"
		"# vcpu 4 -> host cpus 0-3\n"
		"# vcpu 5 -> host cpus 0-3\n"
		"# vcpu 6 -> host cpus 12-15\n"
		"# vcpu 7 -> host cpus 12-15\n");
	free_vm(&vm);
}

/* 3 + 2 vCPUs share no larger core count than 1: one vCPU per socket. */
static void test_cells_coprime(void **state)
{
	const struct np_plan_cell cells[] = { { 0, 3, 768, 0 }, { 3, 2, 512, 1 } };
	const uint32_t dist[] = { 10, 20, 20, 10 };
	const struct range pins[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 4, 4 }, { 5, 5 },
	};
	struct np_plan_vm vm = make_vm("odd", 5, cells, 2, dist, pins);
	struct np_err err = { 0 };
	char *out;

	(void)state;
	assert_int_equal(np_plan_emit_qemu(NULL, &vm, NULL, NULL, &out, &err), 0);
	assert_non_null(strstr(out, "\n-smp 5,sockets=5,cores=1,threads=1\n"));
	assert_non_null(strstr(out, "\n-numa node,nodeid=1,cpus=3-4,memdev=ram1\n"));
	free(out);
	free_vm(&vm);
}

static void test_hugepages(void **state)
{
	const struct np_plan_cell cells[] = { { 0, 2, 1024, 0 }, { 2, 2, 1024, 1 } };
	const uint32_t dist[] = { 10, 21, 21, 10 };
	const struct range pins[] = { { 0, 1 }, { 0, 1 }, { 2, 3 }, { 2, 3 } };
	struct np_plan_vm vm = make_vm("huge", 4, cells, 2, dist, pins);
	struct np_vm_spec spec = {
		.name = (char *)"huge", .vcpus = 4, .memory_mib = 2048,
		.hugepage_bytes = 2u << 20,
	};
	struct np_plan_qemu_opts gig = { .hugetlbfs = "/mnt/huge,1G" };

	(void)state;
	expect_args(&vm, &spec, NULL,
		"# huge: 4 vCPUs, 2048 MiB on host nodes 0-1\n"
		"-smp 4,sockets=2,cores=2,threads=1\n"
		"-m 2048M\n"
		"-object memory-backend-file,id=ram0,size=1024M,mem-path=/dev/hugepages,prealloc=on,host-nodes=0,policy=bind\n"
		"-object memory-backend-file,id=ram1,size=1024M,mem-path=/dev/hugepages,prealloc=on,host-nodes=1,policy=bind\n"
		"-numa node,nodeid=0,cpus=0-1,memdev=ram0\n"
		"-numa node,nodeid=1,cpus=2-3,memdev=ram1\n"
		"-numa dist,src=0,dst=1,val=21\n"
		"-numa dist,src=1,dst=0,val=21\n"
		"# vcpu 0 -> host cpus 0-1\n"
		"# vcpu 1 -> host cpus 0-1\n"
		"# vcpu 2 -> host cpus 2-3\n"
		"# vcpu 3 -> host cpus 2-3\n");
	/* the plan's own hugepage size, without a spec */
	vm.hugepage_bytes = 2u << 20;
	{
		struct np_err err = { 0 };
		char *out;

		assert_int_equal(np_plan_emit_qemu(NULL, &vm, NULL, NULL, &out,
						   &err), 0);
		assert_non_null(strstr(out, "\n-object memory-backend-file,id=ram0,"
				       "size=1024M,mem-path=/dev/hugepages,"
				       "prealloc=on,host-nodes=0,policy=bind\n"));
		free(out);
	}
	vm.hugepage_bytes = 0;
	/* 1 GiB pages from another mount; QEMU's comma doubled */
	spec.hugepage_bytes = 1u << 30;
	{
		struct np_err err = { 0 };
		char *out;

		assert_int_equal(np_plan_emit_qemu(NULL, &vm, &spec, &gig, &out,
						   &err), 0);
		assert_non_null(strstr(out, "\n-object memory-backend-file,id=ram1,"
				       "size=1024M,mem-path=/mnt/huge,,1G,"
				       "prealloc=on,host-nodes=1,policy=bind\n"));
		free(out);
	}
	/* a cell that is not whole pages */
	vm.cells[1].memory_mib = 1536;
	expect_refusal(&vm, &spec, &gig, "vm huge: guest cell 1's 1536 MiB is "
		       "not a whole number of 1048576 KiB hugepages");
	spec.hugepage_bytes = 2u << 20;
	vm.cells[1].memory_mib = 1024;
	expect_refusal(&vm, &spec, &(struct np_plan_qemu_opts){
		.hugetlbfs = "/mnt/my huge" }, "hugetlbfs path '/mnt/my huge': "
		"white space or quotes");
	expect_refusal(&vm, &spec, &(struct np_plan_qemu_opts){
		.hugetlbfs = "hugepages" }, "hugetlbfs path 'hugepages': not an "
		"absolute path");
	free_vm(&vm);
}

/* Host nodes 0, 2 and 5: host-nodes= keeps the host's ids, the guest's
 * nodeid= counts 0, 1, 2. */
static void test_sparse_nodes(void **state)
{
	const struct np_plan_cell cells[] = {
		{ 0, 1, 256, 0 }, { 1, 1, 256, 2 }, { 2, 1, 256, 5 },
	};
	const uint32_t dist[] = { 10, 16, 22, 16, 10, 16, 22, 16, 10 };
	const struct range pins[] = { { 0, 0 }, { 4, 4 }, { 10, 10 } };
	struct np_plan_vm vm = make_vm("sparse", 3, cells, 3, dist, pins);

	(void)state;
	expect_args(&vm, NULL, NULL,
		"# sparse: 3 vCPUs, 768 MiB on host nodes 0,2,5\n"
		"-smp 3,sockets=3,cores=1,threads=1\n"
		"-m 768M\n"
		"-object memory-backend-ram,id=ram0,size=256M,host-nodes=0,policy=bind\n"
		"-object memory-backend-ram,id=ram1,size=256M,host-nodes=2,policy=bind\n"
		"-object memory-backend-ram,id=ram2,size=256M,host-nodes=5,policy=bind\n"
		"-numa node,nodeid=0,cpus=0,memdev=ram0\n"
		"-numa node,nodeid=1,cpus=1,memdev=ram1\n"
		"-numa node,nodeid=2,cpus=2,memdev=ram2\n"
		"-numa dist,src=0,dst=1,val=16\n"
		"-numa dist,src=0,dst=2,val=22\n"
		"-numa dist,src=1,dst=0,val=16\n"
		"-numa dist,src=1,dst=2,val=16\n"
		"-numa dist,src=2,dst=0,val=22\n"
		"-numa dist,src=2,dst=1,val=16\n"
		"# vcpu 0 -> host cpus 0\n"
		"# vcpu 1 -> host cpus 4\n"
		"# vcpu 2 -> host cpus 10\n");
	free_vm(&vm);
}

/* A CXL node as a farther tier: a guest cell with memory and no vCPU. */
static void test_memory_only_cell(void **state)
{
	const struct np_plan_cell cells[] = { { 0, 2, 512, 0 }, { 0, 0, 256, 2 } };
	const uint32_t dist[] = { 10, 14, 14, 10 };
	const struct range pins[] = { { 0, 3 }, { 0, 3 } };
	struct np_plan_vm vm = make_vm("tier", 2, cells, 2, dist, pins);

	(void)state;
	expect_args(&vm, NULL, NULL,
		"# tier: 2 vCPUs, 768 MiB on host nodes 0,2\n"
		"-smp 2,sockets=1,cores=2,threads=1\n"
		"-m 768M\n"
		"-object memory-backend-ram,id=ram0,size=512M,host-nodes=0,policy=bind\n"
		"-object memory-backend-ram,id=ram1,size=256M,host-nodes=2,policy=bind\n"
		"-numa node,nodeid=0,cpus=0-1,memdev=ram0\n"
		"-numa node,nodeid=1,memdev=ram1\n"
		"-numa dist,src=0,dst=1,val=14\n"
		"-numa dist,src=1,dst=0,val=14\n"
		"# vcpu 0 -> host cpus 0-3\n"
		"# vcpu 1 -> host cpus 0-3\n");
	free_vm(&vm);
}

/* Seed 004's interleave: no guest cells, the memory of one guest node
 * interleaved over host nodes 0, 2 and 3 (QEMU's list syntax repeats the
 * key per range). */
static void test_interleaved(void **state)
{
	const struct range pins[] = { { 0, 7 }, { 0, 7 }, { 0, 7 } };
	struct np_plan_vm vm = make_vm("il", 3, NULL, 0, NULL, pins);
	uint64_t mib[] = { 512, 256, 256 };
	struct np_err err = { 0 };
	json_object *root, *d;
	char *out;

	(void)state;
	for (unsigned id = 0; id < 4; id++)
		if (id != 1)
			assert_int_equal(np_idset_push(&vm.nodes, id), 0);
	vm.memory_mib = mib;
	vm.interleaved = true;
	expect_args(&vm, NULL, NULL,
		"# il: 3 vCPUs, 1024 MiB on host nodes 0,2-3, interleaved\n"
		"-smp 3,sockets=1,cores=3,threads=1\n"
		"-m 1024M\n"
		"-object memory-backend-ram,id=ram0,size=1024M,host-nodes=0,host-nodes=2-3,policy=interleave\n"
		"-numa node,nodeid=0,cpus=0-2,memdev=ram0\n"
		"# vcpu 0 -> host cpus 0-7\n"
		"# vcpu 1 -> host cpus 0-7\n"
		"# vcpu 2 -> host cpus 0-7\n");
	assert_int_equal(np_plan_emit_qemu_pins(&vm, &out, &err), 0);
	root = json_tokener_parse(out);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "memdevs", &d));
	d = json_object_array_get_idx(d, 0);
	assert_string_equal(json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN),
		"{\"id\":\"ram0\",\"guest_node\":0,\"host_nodes\":[0,2,3],"
		"\"policy\":\"interleave\",\"size_mib\":1024}");
	json_object_put(root);
	free(out);
	/* no cells and no host node: nothing to bind */
	np_idset_free(&vm.nodes);
	expect_refusal(&vm, NULL, NULL, "vm il: no host node");
	/* and not interleaved, no cells: nothing to bind either */
	vm.interleaved = false;
	expect_refusal(&vm, NULL, NULL, "vm il: no guest cell");
	vm.memory_mib = NULL;
	free_vm(&vm);
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

static int64_t int_at(json_object *arr, size_t i)
{
	return json_object_get_int64(json_object_array_get_idx(arr, i));
}

static void test_pins_json(void **state)
{
	const struct np_plan_cell cells[] = {
		{ 0, 2, 2048, 5 }, { 2, 1, 1024, 2 },
	};
	const uint32_t dist[] = { 10, 21, 31, 10 };
	const struct range pins[] = { { 6, 7 }, { 6, 7 }, { 3, 3 } };
	struct np_plan_vm vm = make_vm("web \"1\"", 3, cells, 2, dist, pins);
	struct np_err err = { 0 };
	json_object *root, *p, *d;
	char *out;

	(void)state;
	assert_int_equal(np_plan_emit_qemu_pins(&vm, &out, &err), 0);
	root = json_tokener_parse(out);
	assert_non_null(root);
	assert_int_equal(json_object_get_int(member(root, "version")),
			 NP_PLAN_QEMU_PINS_VERSION);
	assert_string_equal(json_object_get_string(member(root, "vm")),
			    "web \"1\"");
	assert_int_equal(json_object_get_int(member(root, "vcpus")), 3);
	p = member(root, "vcpu_pins");
	assert_int_equal(json_object_array_length(p), 3);
	/* vCPU 2 is in guest cell 1, on host CPU 3 only */
	d = json_object_array_get_idx(p, 2);
	assert_int_equal(json_object_get_int(member(d, "vcpu")), 2);
	assert_int_equal(json_object_get_int(member(d, "guest_node")), 1);
	assert_int_equal(json_object_array_length(member(d, "host_cpus")), 1);
	assert_int_equal(int_at(member(d, "host_cpus"), 0), 3);
	d = json_object_array_get_idx(p, 1);
	assert_int_equal(json_object_get_int(member(d, "guest_node")), 0);
	assert_int_equal(json_object_array_length(member(d, "host_cpus")), 2);
	assert_int_equal(int_at(member(d, "host_cpus"), 1), 7);
	p = member(root, "memdevs");
	assert_int_equal(json_object_array_length(p), 2);
	d = json_object_array_get_idx(p, 0);
	assert_string_equal(json_object_get_string(member(d, "id")), "ram0");
	assert_int_equal(int_at(member(d, "host_nodes"), 0), 5);
	assert_int_equal(json_object_get_int64(member(d, "size_mib")), 2048);
	assert_string_equal(json_object_get_string(member(d, "policy")), "bind");
	d = json_object_array_get_idx(p, 1);
	assert_string_equal(json_object_get_string(member(d, "id")), "ram1");
	assert_int_equal(json_object_get_int(member(d, "guest_node")), 1);
	assert_int_equal(int_at(member(d, "host_nodes"), 0), 2);
	assert_int_equal(json_object_get_int64(member(d, "size_mib")), 1024);
	json_object_put(root);
	free(out);
	free_vm(&vm);
}

static void test_refusals(void **state)
{
	const struct np_plan_cell cells[] = { { 0, 2, 512, 0 }, { 2, 2, 512, 1 } };
	uint32_t dist[] = { 10, 21, 21, 10 };
	const struct range pins[] = { { 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 3 } };
	struct np_plan_vm vm = make_vm("bad", 4, cells, 2, dist, pins);
	struct np_err err = { 0 };
	char *out = NULL;

	(void)state;
	vm.placed = false;
	vm.reason = (char *)"needs 1024 MiB on 1 node; the largest free node, 1, has 900 MiB";
	expect_refusal(&vm, NULL, NULL, "vm bad: not placed: needs 1024 MiB on 1 "
		       "node; the largest free node, 1, has 900 MiB");
	assert_int_equal(np_plan_emit_qemu_pins(&vm, &out, &err), -EINVAL);
	assert_null(out);
	vm.placed = true;
	vm.reason = NULL;
	vm.guest_distances[1] = 9;
	expect_refusal(&vm, NULL, NULL, "vm bad: distance 9 from guest cell 0 to "
		       "1: QEMU takes 10..255");
	vm.guest_distances[1] = 21;
	vm.guest_distances[2] = 256;
	expect_refusal(&vm, NULL, NULL, "vm bad: distance 256 from guest cell 1 "
		       "to 0: QEMU takes 10..255");
	vm.guest_distances[2] = 21;
	/* overlapping and missing vCPUs */
	vm.cells[1].first_vcpu = 1;
	expect_refusal(&vm, NULL, NULL, "vm bad: guest cells 0 and 1 share vCPUs");
	vm.cells[1].first_vcpu = 2;
	vm.cells[1].nvcpus = 1;
	expect_refusal(&vm, NULL, NULL, "vm bad: guest cells hold 3 of its 4 vCPUs");
	vm.cells[1].nvcpus = 3;
	expect_refusal(&vm, NULL, NULL, "vm bad: guest cell 1 names vCPUs beyond "
		       "the VM's 4");
	vm.cells[1].nvcpus = 2;
	vm.cells[0].memory_mib = 0;
	expect_refusal(&vm, NULL, NULL, "vm bad: guest cell 0 has no memory");
	vm.cells[0].memory_mib = 512;
	np_idset_free(&vm.vcpu_cpus[3]);
	expect_refusal(&vm, NULL, NULL, "vm bad: vCPU 3 has no host CPU");
	free(vm.guest_distances);
	vm.guest_distances = NULL;
	assert_int_equal(np_idset_push(&vm.vcpu_cpus[3], 3), 0);
	expect_refusal(&vm, NULL, NULL, "vm bad: 2 guest cells but no distances");
	free_vm(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_cell),
		cmocka_unit_test(test_two_nodes_asymmetric),
		cmocka_unit_test(test_three_nodes_unequal),
		cmocka_unit_test(test_cells_coprime),
		cmocka_unit_test(test_hugepages),
		cmocka_unit_test(test_sparse_nodes),
		cmocka_unit_test(test_memory_only_cell),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_pins_json),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
