/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A placed VM as QEMU arguments (np_plan_emit_qemu) and its pins as JSON
 * (np_plan_emit_qemu_pins), as libvirt's qemuBuildNumaCommandLine turns a
 * guest NUMA model into -object memory-backend-* and -numa: one backend
 * per guest cell bound to its host node, cells that are whole sockets,
 * and the distances the host has between the cells' nodes.
 */
#include <numaplace/plan.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-err.h"
#include "util/util-json.h"
#include "util/util-strbuf.h"

#define MIB (1ull << 20)
#define DEFAULT_HUGETLBFS "/dev/hugepages"
/* QEMU's -numa dist takes a uint8 of at least NUMA_DISTANCE_MIN. */
#define DIST_MIN 10u
#define DIST_MAX 255u

static const char *vm_name(const struct np_plan_vm *vm)
{
	return vm->name ? vm->name : "(unnamed)";
}

/*
 * The cells must cover vCPUs 0 .. vcpus-1 once each (cells without vCPUs,
 * memory-only nodes, are allowed) and hold memory; every vCPU has CPUs.
 */
static int check_cells(const struct np_plan_vm *vm, struct np_err *err)
{
	const char *name = vm_name(vm);
	uint64_t covered = 0;

	if (!vm->placed)
		return np_fail_input(err, -EINVAL, "vm %s: not placed%s%s", name,
				     vm->reason ? ": " : "",
				     vm->reason ? vm->reason : "");
	if (!vm->ncells || !vm->cells)
		return np_fail_input(err, -EINVAL, "vm %s: no guest cell", name);
	if (!vm->vcpus || !vm->vcpu_cpus)
		return np_fail_input(err, -EINVAL, "vm %s: no vCPU", name);
	for (size_t k = 0; k < vm->ncells; k++) {
		const struct np_plan_cell *c = &vm->cells[k];

		if (!c->memory_mib)
			return np_fail_input(err, -EINVAL, "vm %s: guest cell %zu "
					     "has no memory", name, k);
		if (c->first_vcpu > vm->vcpus ||
		    c->nvcpus > vm->vcpus - c->first_vcpu)
			return np_fail_input(err, -EINVAL, "vm %s: guest cell %zu "
					     "names vCPUs beyond the VM's %u",
					     name, k, vm->vcpus);
		for (size_t j = 0; j < k; j++) {
			const struct np_plan_cell *o = &vm->cells[j];

			if (c->nvcpus && o->nvcpus &&
			    c->first_vcpu < o->first_vcpu + o->nvcpus &&
			    o->first_vcpu < c->first_vcpu + c->nvcpus)
				return np_fail_input(err, -EINVAL, "vm %s: guest "
						     "cells %zu and %zu share "
						     "vCPUs", name, j, k);
		}
		covered += c->nvcpus;
	}
	if (covered != vm->vcpus)
		return np_fail_input(err, -EINVAL, "vm %s: guest cells hold %llu "
				     "of its %u vCPUs", name,
				     (unsigned long long)covered, vm->vcpus);
	for (unsigned v = 0; v < vm->vcpus; v++)
		if (!vm->vcpu_cpus[v].n)
			return np_fail_input(err, -EINVAL, "vm %s: vCPU %u has no "
					     "host CPU", name, v);
	return 0;
}

static int check_distances(const struct np_plan_vm *vm, struct np_err *err)
{
	size_t n = vm->ncells;

	if (n < 2)
		return 0;
	if (!vm->guest_distances)
		return np_fail_input(err, -EINVAL, "vm %s: %zu guest cells but "
				     "no distances", vm_name(vm), n);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			uint32_t d = vm->guest_distances[i * n + j];

			if (i != j && (d < DIST_MIN || d > DIST_MAX))
				return np_fail_input(err, -EINVAL, "vm %s: distance "
						     "%u from guest cell %zu to "
						     "%zu: QEMU takes %u..%u",
						     vm_name(vm), d, i, j,
						     DIST_MIN, DIST_MAX);
		}
	return 0;
}

static int check_hugepages(const struct np_plan_vm *vm, uint64_t page_bytes,
			   struct np_err *err)
{
	for (size_t k = 0; k < vm->ncells; k++)
		if (vm->cells[k].memory_mib * MIB % page_bytes)
			return np_fail_input(err, -EINVAL, "vm %s: guest cell %zu's "
					     "%llu MiB is not a whole number of "
					     "%llu KiB hugepages", vm_name(vm), k,
					     (unsigned long long)vm->cells[k].memory_mib,
					     (unsigned long long)(page_bytes >> 10));
	return 0;
}

/* QEMU splits option values at ',' (",," is a literal one); white space
 * would not survive a shell or xargs splitting the lines. */
static int append_path(struct strbuf *sb, const char *path, struct np_err *err)
{
	if (!*path || path[0] != '/')
		return np_fail_input(err, -EINVAL, "hugetlbfs path '%s': not an "
				     "absolute path", path);
	for (const char *c = path; *c; c++) {
		if (strchr(" \t\n\r\"'\\", *c))
			return np_fail_input(err, -EINVAL, "hugetlbfs path '%s': "
					     "white space or quotes", path);
		sb_printf(sb, *c == ',' ? ",," : "%c", *c);
	}
	return 0;
}

static unsigned gcd(unsigned a, unsigned b)
{
	while (b) {
		unsigned t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Cores per socket: the largest count dividing every cell's vCPUs, so
 * each guest cell is whole sockets (vCPU i is in socket i / cores, and a
 * cell starts at a multiple of it) and no socket spans two nodes.
 */
static unsigned cores_per_socket(const struct np_plan_vm *vm)
{
	unsigned g = 0;

	for (size_t k = 0; k < vm->ncells; k++) {
		const struct np_plan_cell *c = &vm->cells[k];

		if (c->nvcpus)
			g = gcd(g, gcd(c->first_vcpu, c->nvcpus));
	}
	return g ? g : 1;
}

static uint64_t total_mib(const struct np_plan_vm *vm)
{
	uint64_t t = 0;

	for (size_t k = 0; k < vm->ncells; k++)
		t += vm->cells[k].memory_mib;
	return t;
}

static void emit_header(struct strbuf *sb, const struct np_plan_vm *vm)
{
	struct strbuf nodes = { 0 };
	unsigned *ids = malloc(vm->ncells * sizeof(*ids));
	size_t n = 0;

	if (!ids) {
		sb->oom = true;
		return;
	}
	/* the cells' host nodes, ascending and once each */
	for (size_t k = 0; k < vm->ncells; k++) {
		unsigned id = vm->cells[k].host_node;
		size_t i = n;

		while (i > 0 && ids[i - 1] > id)
			i--;
		if (i > 0 && ids[i - 1] == id)
			continue;
		memmove(ids + i + 1, ids + i, (n - i) * sizeof(*ids));
		ids[i] = id;
		n++;
	}
	sb_idlist(&nodes, ids, n);
	sb_printf(sb, "# %s: %u vCPU%s, %llu MiB on host node%s %s\n", vm_name(vm),
		  vm->vcpus, vm->vcpus == 1 ? "" : "s",
		  (unsigned long long)total_mib(vm), n == 1 ? "" : "s",
		  nodes.buf ? nodes.buf : "");
	sb->oom |= nodes.oom;
	sb_release(&nodes);
	free(ids);
}

static int emit_backends(struct strbuf *sb, const struct np_plan_vm *vm,
			 const struct np_vm_spec *spec,
			 const struct np_plan_qemu_opts *opts,
			 struct np_err *err)
{
	bool huge = spec && spec->hugepage_bytes;
	const char *mnt = opts && opts->hugetlbfs ? opts->hugetlbfs :
			  DEFAULT_HUGETLBFS;

	for (size_t k = 0; k < vm->ncells; k++) {
		const struct np_plan_cell *c = &vm->cells[k];

		sb_printf(sb, "-object memory-backend-%s,id=ram%zu,size=%lluM",
			  huge ? "file" : "ram", k,
			  (unsigned long long)c->memory_mib);
		if (huge) {
			int e;

			sb_puts(sb, ",mem-path=");
			e = append_path(sb, mnt, err);
			if (e)
				return e;
		}
		if (huge || (opts && opts->prealloc))
			sb_puts(sb, ",prealloc=on");
		sb_printf(sb, ",host-nodes=%u,policy=bind\n", c->host_node);
	}
	return 0;
}

static void emit_numa(struct strbuf *sb, const struct np_plan_vm *vm)
{
	size_t n = vm->ncells;

	for (size_t k = 0; k < n; k++) {
		const struct np_plan_cell *c = &vm->cells[k];

		sb_printf(sb, "-numa node,nodeid=%zu", k);
		if (c->nvcpus == 1)
			sb_printf(sb, ",cpus=%u", c->first_vcpu);
		else if (c->nvcpus)
			sb_printf(sb, ",cpus=%u-%u", c->first_vcpu,
				  c->first_vcpu + c->nvcpus - 1);
		sb_printf(sb, ",memdev=ram%zu\n", k);
	}
	for (size_t i = 0; n > 1 && i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (i != j)
				sb_printf(sb, "-numa dist,src=%zu,dst=%zu,val=%u\n",
					  i, j, vm->guest_distances[i * n + j]);
}

int np_plan_emit_qemu(const struct np_plan *p, const struct np_plan_vm *vm,
		      const struct np_vm_spec *spec,
		      const struct np_plan_qemu_opts *opts, char **out,
		      struct np_err *err)
{
	struct strbuf sb = { 0 };
	unsigned cores;
	int e;

	*out = NULL;
	e = check_cells(vm, err);
	if (!e)
		e = check_distances(vm, err);
	if (!e && spec && spec->hugepage_bytes)
		e = check_hugepages(vm, spec->hugepage_bytes, err);
	if (e)
		return e;
	(void)p;   /* the plan as a whole adds nothing to one VM's arguments */
	cores = cores_per_socket(vm);
	emit_header(&sb, vm);
	sb_printf(&sb, "-smp %u,sockets=%u,cores=%u,threads=1\n", vm->vcpus,
		  vm->vcpus / cores, cores);
	sb_printf(&sb, "-m %lluM\n", (unsigned long long)total_mib(vm));
	e = emit_backends(&sb, vm, spec, opts, err);
	if (e) {
		sb_release(&sb);
		return e;
	}
	emit_numa(&sb, vm);
	for (unsigned v = 0; v < vm->vcpus; v++) {
		sb_printf(&sb, "# vcpu %u -> host cpus ", v);
		sb_idlist(&sb, vm->vcpu_cpus[v].ids, vm->vcpu_cpus[v].n);
		sb_puts(&sb, "\n");
	}
	if (sb.oom) {
		sb_release(&sb);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	*out = sb.buf;
	return 0;
}

/* ---- the pins as JSON ------------------------------------------------- */

/* The guest cell holding vCPU v (check_cells made it exist). */
static size_t cell_of(const struct np_plan_vm *vm, unsigned v)
{
	for (size_t k = 0; k < vm->ncells; k++)
		if (v >= vm->cells[k].first_vcpu &&
		    v - vm->cells[k].first_vcpu < vm->cells[k].nvcpus)
			return k;
	return 0;
}

static json_object *pins_json(struct np_jw *w, const struct np_plan_vm *vm)
{
	json_object *root = np_jw_check(w, json_object_new_object());
	json_object *pins = np_jw_check(w, json_object_new_array());
	json_object *devs = np_jw_check(w, json_object_new_array());

	np_jw_add(w, root, "version", np_jw_int(w, NP_PLAN_QEMU_PINS_VERSION));
	np_jw_add(w, root, "vm", np_jw_str(w, vm_name(vm)));
	np_jw_add(w, root, "vcpus", np_jw_int(w, vm->vcpus));
	for (unsigned v = 0; v < vm->vcpus; v++) {
		json_object *o = np_jw_check(w, json_object_new_object());

		np_jw_add(w, o, "vcpu", np_jw_int(w, v));
		np_jw_add(w, o, "guest_node", np_jw_int(w, cell_of(vm, v)));
		np_jw_add(w, o, "host_cpus", np_jw_ids(w, vm->vcpu_cpus[v].ids,
							  vm->vcpu_cpus[v].n));
		np_jw_push(w, pins, o);
	}
	np_jw_add(w, root, "vcpu_pins", pins);
	for (size_t k = 0; k < vm->ncells; k++) {
		json_object *o = np_jw_check(w, json_object_new_object());
		char id[32];

		snprintf(id, sizeof(id), "ram%zu", k);
		np_jw_add(w, o, "id", np_jw_str(w, id));
		np_jw_add(w, o, "guest_node", np_jw_int(w, k));
		np_jw_add(w, o, "host_nodes",
			  np_jw_ids(w, &vm->cells[k].host_node, 1));
		np_jw_add(w, o, "policy", np_jw_str(w, "bind"));
		np_jw_add(w, o, "size_mib", np_jw_int(w, vm->cells[k].memory_mib));
		np_jw_push(w, devs, o);
	}
	np_jw_add(w, root, "memdevs", devs);
	return root;
}

int np_plan_emit_qemu_pins(const struct np_plan_vm *vm, char **out,
			   struct np_err *err)
{
	struct np_jw w = { 0 };
	int e;

	*out = NULL;
	e = check_cells(vm, err);
	if (e)
		return e;
	if (np_jw_render(&w, pins_json(&w, vm), out, NULL))
		return np_fail_sys(err, -ENOMEM, "out of memory");
	return 0;
}
