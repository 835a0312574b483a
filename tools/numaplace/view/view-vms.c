/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "view/view-vms.h"

#include "cli/cli.h"
#include "cli/cli-json.h"

#include <inttypes.h>
#include <string.h>

static double mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

const char *view_idlist(const struct np_idset *s, char *buf, size_t len)
{
	np_idlist_format(buf, len, s->ids, s->n, ",");
	return buf;
}

static const char *source_name(enum np_vm_vcpu_source s)
{
	return s == NP_VCPUS_QMP ? "qmp" :
	       s == NP_VCPUS_THREADS ? "threads" : "none";
}

void vm_verdict_print(FILE *f, const struct np_vm *vm)
{
	char nodes[256], vn[256];
	struct np_idset rn = { 0 };

	for (size_t i = 0; i < vm->nram_nodes; i++)
		if (np_idset_push(&rn, vm->ram_nodes[i].node))
			break;
	view_idlist(&rn, nodes, sizeof(nodes));
	np_idset_free(&rn);
	view_idlist(&vm->vcpu_nodes, vn, sizeof(vn));
	switch (vm->verdict) {
	case NP_VM_LOCAL:
		fprintf(f, "local: all %.1f MiB of guest RAM on node %s, with "
			"its vCPUs\n", mib(vm->ram_bytes), nodes);
		break;
	case NP_VM_SPLIT:
		fprintf(f, "split across %zu nodes (%s): each cell's memory "
			"on its vCPUs' nodes\n", vm->nram_nodes, nodes);
		break;
	case NP_VM_REMOTE:
		fprintf(f, "remote: %.1f of %.1f MiB of guest RAM (%.1f%%) is "
			"on other nodes than the vCPUs using it (vCPUs on "
			"node%s %s, memory on node%s %s)\n",
			mib(vm->remote_bytes), mib(vm->ram_bytes),
			100.0 * (double)vm->remote_bytes /
			(double)vm->ram_bytes,
			vm->vcpu_nodes.n > 1 ? "s" : "", vn,
			vm->nram_nodes > 1 ? "s" : "", nodes);
		break;
	default:
		if (!vm->nvcpus)
			fprintf(f, "unknown: no vCPU threads found (give "
				"--qmp SOCKET, or start QEMU with -name "
				"NAME,debug-threads=on)\n");
		else if (!vm->nram)
			fprintf(f, "unknown: no mapping of a memory "
				"backend's size found\n");
		else
			fprintf(f, "unknown: no guest RAM resident yet\n");
		break;
	}
}

static void vcpus_print(FILE *f, const struct np_vm *vm)
{
	char aff[512];

	fprintf(f, "  %4s %8s %8s %5s %5s  %s\n", "vcpu", "thread",
		"last cpu", "node", "cell", "affinity");
	for (size_t i = 0; i < vm->nvcpus; i++) {
		const struct np_vm_vcpu *v = &vm->vcpus[i];
		char cpu[16] = "-", node[16] = "-", cell[16] = "-";

		if (v->last_cpu >= 0)
			snprintf(cpu, sizeof(cpu), "%d", v->last_cpu);
		if (v->last_node >= 0)
			snprintf(node, sizeof(node), "%d", v->last_node);
		if (v->guest_node >= 0)
			snprintf(cell, sizeof(cell), "%d", v->guest_node);
		fprintf(f, "  %4u %8d %8s %5s %5s  %s\n", v->index,
			(int)v->tid, cpu, node, cell,
			view_idlist(&v->allowed, aff, sizeof(aff)));
	}
}

static uint64_t bytes_on(const struct np_vm_node_bytes *a, size_t n,
			 unsigned node)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].node == node)
			return a[i].bytes;
	return 0;
}

static void ram_print(FILE *f, const struct np_vm *vm)
{
	char safe[64];

	fprintf(f, "  %-12s %4s %-14s %9s", "guest RAM", "cell", "policy",
		"size MiB");
	for (size_t k = 0; k < vm->nram_nodes; k++) {
		char h[16];

		snprintf(h, sizeof(h), "node %u", vm->ram_nodes[k].node);
		fprintf(f, " %9s", h);
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < vm->nram; i++) {
		const struct np_vm_ram *r = &vm->ram[i];
		char cell[16] = "-";

		if (r->guest_node >= 0)
			snprintf(cell, sizeof(cell), "%d", r->guest_node);
		fprintf(f, "  %-12s %4s %-14s %9.1f",
			np_safe(r->backend ? r->backend : "(RAM)", safe,
				sizeof(safe)), cell, r->policy,
			mib(r->len_bytes));
		for (size_t k = 0; k < vm->nram_nodes; k++)
			fprintf(f, " %9.1f", mib(bytes_on(r->nodes, r->nnodes,
						     vm->ram_nodes[k].node)));
		fprintf(f, "\n");
	}
	if (vm->nram > 1) {
		fprintf(f, "  %-12s %4s %-14s %9s", "total", "", "", "");
		for (size_t k = 0; k < vm->nram_nodes; k++)
			fprintf(f, " %9.1f", mib(vm->ram_nodes[k].bytes));
		fprintf(f, "\n");
	}
}

void vms_print(FILE *f, const struct np_vm *vms, size_t n)
{
	char safe[256];

	if (!n) {
		fprintf(f, "No QEMU process is running.\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct np_vm *vm = &vms[i];

		if (i)
			fprintf(f, "\n");
		fprintf(f, "VM %s (PID %d): ",
			np_safe(vm->name ? vm->name : "-", safe, sizeof(safe)),
			(int)vm->pid);
		vm_verdict_print(f, vm);
		fprintf(f, "  vCPUs (%s):\n", vm->vcpu_source == NP_VCPUS_QMP ?
			"QMP query-cpus-fast" : "thread names");
		if (vm->qmp_error[0])
			fprintf(f, "  (QMP not used: %s)\n",
				np_safe(vm->qmp_error, safe, sizeof(safe)));
		vcpus_print(f, vm);
		if (vm->nram)
			ram_print(f, vm);
	}
}

/* ---- JSON ---------------------------------------------------------------- */

static json_object *node_bytes_json(const struct np_vm_node_bytes *a, size_t n,
				    bool *oom)
{
	json_object *arr = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; arr && i < n; i++) {
		json_object *o = np_json_checked(json_object_new_object(), oom);

		if (!o)
			break;
		np_json_add_u64(o, "node", a[i].node, oom);
		np_json_add_u64(o, "bytes", a[i].bytes, oom);
		if (json_object_array_add(arr, o)) {
			json_object_put(o);
			*oom = true;
		}
	}
	return arr;
}

static json_object *ids_json(const struct np_idset *s, bool *oom)
{
	json_object *arr = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; arr && i < s->n; i++)
		if (json_object_array_add(arr, np_json_checked(
			json_object_new_int64(s->ids[i]), oom)))
			*oom = true;
	return arr;
}

static void add_int(json_object *o, const char *key, int v, bool *oom)
{
	np_json_add(o, key, v < 0 ? NULL :
		    np_json_checked(json_object_new_int(v), oom), oom);
}

static void add_array_item(json_object *arr, json_object *o, bool *oom)
{
	if (!o || json_object_array_add(arr, o)) {
		json_object_put(o);
		*oom = true;
	}
}

static json_object *vcpus_json(const struct np_vm *vm, bool *oom)
{
	json_object *arr = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; arr && i < vm->nvcpus; i++) {
		const struct np_vm_vcpu *v = &vm->vcpus[i];
		json_object *o = np_json_checked(json_object_new_object(), oom);

		if (!o)
			break;
		np_json_add_u64(o, "index", v->index, oom);
		np_json_add_u64(o, "thread", (uint64_t)v->tid, oom);
		add_int(o, "last_cpu", v->last_cpu, oom);
		add_int(o, "last_cpu_node", v->last_node, oom);
		add_int(o, "node", v->home_node, oom);
		add_int(o, "guest_node", v->guest_node, oom);
		np_json_add(o, "affinity", ids_json(&v->allowed, oom), oom);
		add_array_item(arr, o, oom);
	}
	return arr;
}

static json_object *ram_json(const struct np_vm *vm, bool *oom)
{
	json_object *arr = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; arr && i < vm->nram; i++) {
		const struct np_vm_ram *r = &vm->ram[i];
		json_object *o = np_json_checked(json_object_new_object(), oom);
		char start[32];

		if (!o)
			break;
		snprintf(start, sizeof(start), "0x%" PRIx64, r->start);
		np_json_add_str(o, "start", start, oom);
		np_json_add_u64(o, "size_bytes", r->len_bytes, oom);
		np_json_add_u64(o, "page_bytes", r->page_bytes, oom);
		np_json_add(o, "backend", r->backend ? np_json_checked(
			json_object_new_string(r->backend), oom) : NULL, oom);
		np_json_add_str(o, "policy", r->policy, oom);
		np_json_add(o, "backend_policy", r->backend_policy[0] ?
			    np_json_checked(json_object_new_string(
				    r->backend_policy), oom) : NULL, oom);
		np_json_add(o, "host_nodes", ids_json(&r->host_nodes, oom),
			    oom);
		add_int(o, "guest_node", r->guest_node, oom);
		np_json_add_u64(o, "resident_bytes", r->resident_bytes, oom);
		np_json_add(o, "nodes", node_bytes_json(r->nodes, r->nnodes,
							oom), oom);
		add_array_item(arr, o, oom);
	}
	return arr;
}

static json_object *cells_json(const struct np_vm *vm, bool *oom)
{
	json_object *arr = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; arr && i < vm->ncells; i++) {
		const struct np_vm_cell *c = &vm->cells[i];
		json_object *o = np_json_checked(json_object_new_object(), oom);

		if (!o)
			break;
		np_json_add_u64(o, "id", c->id, oom);
		np_json_add(o, "vcpus", ids_json(&c->vcpus, oom), oom);
		np_json_add(o, "memdev", c->memdev ? np_json_checked(
			json_object_new_string(c->memdev), oom) : NULL, oom);
		np_json_add_u64(o, "memory_bytes", c->mem_bytes, oom);
		add_array_item(arr, o, oom);
	}
	return arr;
}

static json_object *vm_json(const struct np_vm *vm, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);
	json_object *others;

	if (!o)
		return NULL;
	np_json_add_u64(o, "pid", (uint64_t)vm->pid, oom);
	np_json_add(o, "name", vm->name ? np_json_checked(
		json_object_new_string(vm->name), oom) : NULL, oom);
	np_json_add(o, "qmp", vm->qmp_path ? np_json_checked(
		json_object_new_string(vm->qmp_path), oom) : NULL, oom);
	np_json_add(o, "qmp_error", vm->qmp_error[0] ? np_json_checked(
		json_object_new_string(vm->qmp_error), oom) : NULL, oom);
	np_json_add_str(o, "vcpus_from", source_name(vm->vcpu_source), oom);
	np_json_add_str(o, "verdict", np_vm_verdict_name(vm->verdict), oom);
	np_json_add_u64(o, "ram_bytes", vm->ram_bytes, oom);
	np_json_add_u64(o, "remote_bytes", vm->remote_bytes, oom);
	np_json_add_num(o, "remote_share", vm->ram_bytes ?
			(double)vm->remote_bytes / (double)vm->ram_bytes : 0,
			oom);
	np_json_add(o, "vcpu_nodes", ids_json(&vm->vcpu_nodes, oom), oom);
	np_json_add(o, "ram_nodes", node_bytes_json(vm->ram_nodes,
						    vm->nram_nodes, oom), oom);
	np_json_add(o, "vcpus", vcpus_json(vm, oom), oom);
	np_json_add(o, "ram", ram_json(vm, oom), oom);
	np_json_add(o, "cells", cells_json(vm, oom), oom);
	others = np_json_checked(json_object_new_array(), oom);
	for (size_t i = 0; others && i < vm->nother; i++)
		add_array_item(others, np_json_checked(json_object_new_int64(
			vm->other_tids[i]), oom), oom);
	np_json_add(o, "other_threads", others, oom);
	return o;
}

json_object *vms_json(const struct np_vm *vms, size_t n, bool *oom)
{
	json_object *root = np_json_checked(json_object_new_object(), oom);
	json_object *arr;

	if (!root)
		return NULL;
	np_json_add_str(root, "schema", "numaplace-vms/1", oom);
	arr = np_json_checked(json_object_new_array(), oom);
	for (size_t i = 0; arr && i < n; i++)
		add_array_item(arr, vm_json(&vms[i], oom), oom);
	np_json_add(root, "vms", arr, oom);
	return root;
}
