/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace/vms.h on a captured /proc (tests/unit/fixtures/vms, written by
 * its gen.py) and the 4-node Xeon of tests/dumps/xeon-4n-seed001: which
 * processes are QEMU, each vCPU's thread, last CPU, affinity and node,
 * guest RAM per host node told apart from QEMU's heap and code buffer,
 * guest cells, and the verdict.  Also the command-line reader and the
 * verdict's rule on hand-built VMs.
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

#include <numaplace/topo.h>
#include <numaplace/vms.h>

#include "linux/linux-qemu.h"
#include "linux/linux-root.h"
#include "vm/vm-vms-internal.h"

#define MIB (UINT64_C(1) << 20)

static char fixture[4096];
static struct np_topo *topo;

static int setup(void **state)
{
	const char *src = getenv("NP_SRCDIR");
	char path[4096];
	struct np_err err = { 0 };

	(void)state;
	snprintf(fixture, sizeof(fixture), "%s/tests/unit/fixtures/vms",
		 src ? src : ".");
	snprintf(path, sizeof(path), "%s/tests/dumps/xeon-4n-seed001",
		 src ? src : ".");
	if (np_topo_from_sysroot(path, &topo, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	np_topo_free(topo);
	return 0;
}

static struct np_vms_opts opts(void)
{
	return (struct np_vms_opts){ .root = fixture, .topo = topo };
}

static uint64_t node_bytes(const struct np_vm_node_bytes *a, size_t n,
			   unsigned node)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].node == node)
			return a[i].bytes;
	return 0;
}

static void test_list(void **state)
{
	struct np_vms_opts o = opts();
	struct np_err err = { 0 };
	struct np_vm *vms;
	size_t n;

	(void)state;
	assert_int_equal(np_vms_list(&o, NULL, 0, &vms, &n, &err), 0);
	/* bash (6060) is not a VM */
	assert_int_equal(n, 4);
	assert_int_equal(vms[0].pid, 4242);
	assert_int_equal(vms[1].pid, 5151);
	assert_int_equal(vms[2].pid, 7070);
	assert_int_equal(vms[3].pid, 8080);
	assert_string_equal(vms[0].name, "vm-a");
	assert_string_equal(vms[1].name, "vm-b");
	assert_string_equal(vms[2].name, "vm-d");
	np_vms_free(vms, n);

	{
		const char *sel[] = { "vm-d", "5151" };

		assert_int_equal(np_vms_list(&o, sel, 2, &vms, &n, &err), 0);
		assert_int_equal(n, 2);
		assert_int_equal(vms[0].pid, 5151);
		assert_int_equal(vms[1].pid, 7070);
		np_vms_free(vms, n);
	}
	{
		const char *sel[] = { "vm-zz" };

		assert_int_equal(np_vms_list(&o, sel, 1, &vms, &n, &err),
				 -ENOENT);
		assert_int_equal(err.cls, NP_ERR_INPUT);
		assert_string_equal(err.msg, "no QEMU process with PID or name "
				    "'vm-zz'");
		assert_int_equal(n, 0);
	}
}

/* vm-a: two cells, each bound to the node its vCPUs run on */
static void test_two_cells(void **state)
{
	struct np_vms_opts o = opts();
	struct np_err err = { 0 };
	struct np_vm vm;

	(void)state;
	assert_int_equal(np_vm_inspect(4242, &o, &vm, &err), 0);
	/* a capture has no sockets: thread names, the socket still named */
	assert_int_equal(vm.vcpu_source, NP_VCPUS_THREADS);
	assert_string_equal(vm.qmp_path, "/tmp/vm-a.sock");
	assert_int_equal(vm.nvcpus, 4);
	assert_int_equal(vm.vcpus[0].tid, 4250);
	assert_int_equal(vm.vcpus[1].index, 1);
	assert_int_equal(vm.vcpus[1].tid, 4251);
	assert_int_equal(vm.vcpus[1].last_cpu, 43);
	assert_int_equal(vm.vcpus[1].last_node, 0);
	assert_int_equal(vm.vcpus[1].home_node, 0);
	assert_int_equal(vm.vcpus[1].allowed.n, 20);
	assert_int_equal(vm.vcpus[1].guest_node, 0);
	assert_int_equal(vm.vcpus[3].last_cpu, 55);
	assert_int_equal(vm.vcpus[3].last_node, 1);
	assert_int_equal(vm.vcpus[3].guest_node, 1);
	/* main loop, call_rcu, a worker and one named "x) 2 (y" */
	assert_int_equal(vm.nother, 4);
	assert_int_equal(vm.other_tids[0], 4242);
	assert_int_equal(vm.other_tids[2], 4254);
	assert_int_equal(vm.other_tids[3], 4255);
	/* the two 256 MiB backends, not the heap or TCG's buffer of the
	 * same size */
	assert_int_equal(vm.nram, 2);
	assert_true(vm.ram[0].start == UINT64_C(0x7f1000000000));
	assert_string_equal(vm.ram[0].backend, "ram0");
	assert_string_equal(vm.ram[0].policy, "bind:0");
	assert_int_equal(vm.ram[0].guest_node, 0);
	assert_true(vm.ram[0].len_bytes == 256 * MIB);
	assert_true(vm.ram[0].resident_bytes == 256 * MIB);
	assert_string_equal(vm.ram[1].backend, "ram1");
	assert_int_equal(vm.ram[1].guest_node, 1);
	assert_int_equal(vm.ram[1].host_nodes.n, 1);
	assert_int_equal(vm.ram[1].host_nodes.ids[0], 1);
	assert_int_equal(vm.ncells, 2);
	assert_int_equal(vm.cells[1].id, 1);
	assert_string_equal(vm.cells[1].memdev, "ram1");
	assert_true(vm.cells[1].mem_bytes == 256 * MIB);
	assert_int_equal(vm.cells[1].vcpus.n, 2);
	assert_int_equal(vm.cells[1].vcpus.ids[0], 2);
	assert_int_equal(vm.nram_nodes, 2);
	assert_true(node_bytes(vm.ram_nodes, vm.nram_nodes, 0) == 256 * MIB);
	assert_true(node_bytes(vm.ram_nodes, vm.nram_nodes, 1) == 256 * MIB);
	assert_true(vm.ram_bytes == 512 * MIB);
	assert_true(vm.remote_bytes == 0);
	assert_int_equal(vm.verdict, NP_VM_SPLIT);
	assert_string_equal(np_vm_verdict_name(vm.verdict), "split");
	np_vm_free(&vm);
}

/* vm-b: vCPUs on node 2, three quarters of its RAM on node 0 */
static void test_remote(void **state)
{
	struct np_vms_opts o = opts();
	struct np_err err = { 0 };
	struct np_vm vm;

	(void)state;
	assert_int_equal(np_vm_inspect(5151, &o, &vm, &err), 0);
	assert_null(vm.qmp_path);
	assert_int_equal(vm.nvcpus, 2);
	assert_int_equal(vm.vcpus[0].last_cpu, 21);
	assert_int_equal(vm.vcpus[1].last_cpu, 62);
	assert_int_equal(vm.vcpus[1].home_node, 2);
	assert_int_equal(vm.vcpus[1].guest_node, -1);
	assert_int_equal(vm.ncells, 0);
	/* no backend: QEMU's own RAM block of -m 512M */
	assert_int_equal(vm.nram, 1);
	assert_null(vm.ram[0].backend);
	assert_true(vm.ram[0].len_bytes == 512 * MIB);
	assert_int_equal(vm.ram[0].nnodes, 2);
	assert_true(node_bytes(vm.ram_nodes, vm.nram_nodes, 0) == 384 * MIB);
	assert_true(node_bytes(vm.ram_nodes, vm.nram_nodes, 2) == 128 * MIB);
	assert_int_equal(vm.vcpu_nodes.n, 1);
	assert_int_equal(vm.vcpu_nodes.ids[0], 2);
	assert_true(vm.remote_bytes == 384 * MIB);
	assert_int_equal(vm.verdict, NP_VM_REMOTE);
	np_vm_free(&vm);
}

/* vm-d: libvirt's JSON backend on 2 MiB hugepages, a KVM vCPU */
static void test_libvirt_hugetlb(void **state)
{
	struct np_vms_opts o = opts();
	struct np_err err = { 0 };
	struct np_vm vm;

	(void)state;
	assert_int_equal(np_vm_inspect(7070, &o, &vm, &err), 0);
	/* libvirt passes its monitor as an fd: no path to ask */
	assert_null(vm.qmp_path);
	assert_int_equal(vm.nvcpus, 1);
	assert_int_equal(vm.vcpus[0].tid, 7080);
	assert_int_equal(vm.vcpus[0].home_node, 3);
	assert_int_equal(vm.nram, 1);
	assert_string_equal(vm.ram[0].backend, "pc.ram");
	assert_true(vm.ram[0].page_bytes == 2 * MIB);
	assert_true(vm.ram[0].resident_bytes == 1024 * MIB);
	assert_true(node_bytes(vm.ram_nodes, vm.nram_nodes, 3) == 1024 * MIB);
	assert_int_equal(vm.verdict, NP_VM_LOCAL);
	np_vm_free(&vm);
}

/* vm-f: a backend on a disk file mapped shared, not the private mapping
 * of another file of the same size */
static void test_file_backend(void **state)
{
	struct np_vms_opts o = opts();
	struct np_err err = { 0 };
	struct np_vm vm;

	(void)state;
	assert_int_equal(np_vm_inspect(8080, &o, &vm, &err), 0);
	assert_int_equal(vm.nram, 1);
	assert_true(vm.ram[0].start == UINT64_C(0x7f6000000000));
	assert_string_equal(vm.ram[0].backend, "mf");
	assert_true(node_bytes(vm.ram_nodes, vm.nram_nodes, 1) == 64 * MIB);
	assert_int_equal(vm.verdict, NP_VM_LOCAL);
	np_vm_free(&vm);
}

static void test_not_qemu(void **state)
{
	struct np_vms_opts o = opts();
	struct np_err err = { 0 };
	struct np_vm vm;

	(void)state;
	assert_int_equal(np_vm_inspect(6060, &o, &vm, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, "process 6060 (bash) is not QEMU");
	assert_int_equal(np_vm_inspect(9999, &o, &vm, &err), -ESRCH);
	assert_string_equal(err.msg, "no process 9999");
}

/* The /proc reader alone: stat's field 39 counted from the last ')'. */
static void test_threads(void **state)
{
	struct np_qemu_thread *t;
	struct np_err err = { 0 };
	struct np_root r;
	size_t n;

	(void)state;
	assert_int_equal(np_root_open(&r, fixture, &err), 0);
	assert_int_equal(np_qemu_threads(&r, 4242, &t, &n, &err), 0);
	assert_int_equal(n, 8);
	assert_string_equal(t[7].comm, "x) 2 (y");
	assert_int_equal(t[7].last_cpu, 44);
	assert_int_equal(t[3].last_cpu, 43);
	assert_int_equal(np_qemu_vcpu_of_thread_name(t[3].comm), 1);
	assert_int_equal(np_qemu_vcpu_of_thread_name("CPU 12/KVM"), 12);
	assert_int_equal(np_qemu_vcpu_of_thread_name("CPU x/KVM"), -1);
	assert_int_equal(np_qemu_vcpu_of_thread_name("worker"), -1);
	np_qemu_threads_free(t, n);
	assert_int_equal(np_qemu_proc_is_qemu(&r, 7070, &err), 1);
	assert_int_equal(np_qemu_proc_is_qemu(&r, 6060, &err), 0);
	np_root_close(&r);
}

static void test_cmdline(void **state)
{
	char *argv[] = {
		"qemu-system-x86_64", "--name", "web,debug-threads=on",
		"-m", "2G", "-object",
		"memory-backend-memfd,id=m0,size=1G,host-nodes=0,host-nodes=2-3,policy=interleave",
		"-numa", "node,memdev=m0,cpus=0,cpus=2-3",
		"-chardev", "socket,id=mon0,path=/run/q.sock,server=on",
		"-mon", "chardev=mon0,mode=control",
	};
	struct np_qemu_args a;

	(void)state;
	assert_int_equal(np_qemu_args_parse(argv, sizeof(argv) /
					    sizeof(*argv), &a), 0);
	assert_string_equal(a.name, "web");
	assert_string_equal(a.qmp_path, "/run/q.sock");
	assert_true(a.mem_bytes == 2048 * MIB);
	assert_int_equal(a.nbackends, 1);
	assert_string_equal(a.backends[0].id, "m0");
	assert_true(a.backends[0].size_bytes == 1024 * MIB);
	assert_string_equal(a.backends[0].policy, "interleave");
	assert_int_equal(a.backends[0].host_nodes.n, 3);
	assert_int_equal(a.backends[0].host_nodes.ids[2], 3);
	assert_int_equal(a.nnuma, 1);
	assert_int_equal(a.numa[0].id, 0);
	assert_int_equal(a.numa[0].cpus.n, 3);
	assert_int_equal(a.numa[0].cpus.ids[1], 2);
	np_qemu_args_free(&a);
}

/* The rule: a cell's memory counts as remote when it is off the nodes of
 * that cell's own vCPUs, even when another cell's vCPUs sit there. */
static void test_judge_cells(void **state)
{
	struct np_vm_vcpu v[2] = {
		{ .index = 0, .home_node = 0, .guest_node = 0 },
		{ .index = 1, .home_node = 1, .guest_node = 1 },
	};
	struct np_vm_node_bytes n0[] = { { 1, 64 * MIB } };
	struct np_vm_node_bytes n1[] = { { 0, 32 * MIB }, { 1, 32 * MIB } };
	struct np_vm_ram r[2] = {
		{ .guest_node = 0, .nodes = n0, .nnodes = 1 },
		{ .guest_node = 1, .nodes = n1, .nnodes = 2 },
	};
	struct np_vm vm = { .vcpus = v, .nvcpus = 2, .ram = r, .nram = 2 };

	(void)state;
	assert_int_equal(np_vm_judge(&vm), 0);
	assert_true(vm.ram_bytes == 128 * MIB);
	/* all of cell 0's (on node 1) and half of cell 1's (on node 0) */
	assert_true(vm.remote_bytes == 96 * MIB);
	assert_int_equal(vm.verdict, NP_VM_REMOTE);
	/* each cell's vCPU moved to its memory's node: split, none remote */
	v[0].home_node = 1;
	n1[0] = (struct np_vm_node_bytes){ 2, 64 * MIB };
	r[1].nnodes = 1;
	v[1].home_node = 2;
	assert_int_equal(np_vm_judge(&vm), 0);
	assert_true(vm.remote_bytes == 0);
	assert_int_equal(vm.verdict, NP_VM_SPLIT);
	free(vm.ram_nodes);
	np_idset_free(&vm.vcpu_nodes);
}

/* One cell, its two vCPUs on nodes 0 and 1, its memory on node 0: the
 * vCPU on node 1 finds all of it remote, the other none: half. */
static void test_judge_spread_vcpus(void **state)
{
	struct np_vm_vcpu v[2] = {
		{ .index = 0, .home_node = 0, .guest_node = -1 },
		{ .index = 1, .home_node = 1, .guest_node = -1 },
	};
	struct np_vm_node_bytes n0[] = { { 0, 256 * MIB } };
	struct np_vm_ram r = { .guest_node = -1, .nodes = n0, .nnodes = 1 };
	struct np_vm vm = { .vcpus = v, .nvcpus = 2, .ram = &r, .nram = 1 };

	(void)state;
	assert_int_equal(np_vm_judge(&vm), 0);
	assert_true(vm.remote_bytes == 128 * MIB);
	assert_int_equal(vm.verdict, NP_VM_REMOTE);
	assert_int_equal(vm.vcpu_nodes.n, 2);
	/* both on node 0: local */
	v[1].home_node = 0;
	assert_int_equal(np_vm_judge(&vm), 0);
	assert_true(vm.remote_bytes == 0);
	assert_int_equal(vm.verdict, NP_VM_LOCAL);
	free(vm.ram_nodes);
	np_idset_free(&vm.vcpu_nodes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_two_cells),
		cmocka_unit_test(test_remote),
		cmocka_unit_test(test_libvirt_hugetlb),
		cmocka_unit_test(test_file_backend),
		cmocka_unit_test(test_not_qemu),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_judge_cells),
		cmocka_unit_test(test_judge_spread_vcpus),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
