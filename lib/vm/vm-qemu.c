/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A placed VM as QEMU arguments (np_plan_emit_qemu) and its pins as JSON
 * (np_plan_emit_qemu_pins), as libvirt's qemuBuildNumaCommandLine turns a
 * guest NUMA model into -object memory-backend-* and -numa: one backend
 * per guest cell bound to its host node, cells that are whole sockets,
 * and the distances the host has between the cells' nodes.  A VM whose
 * memory is interleaved over host nodes (no guest cells) is one guest
 * node with one backend interleaved over them.
 */
#include <numaplace/plan.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-err.h"
#include <json-c/json.h>

#include "util/util-json.h"
#include "util/util-strbuf.h"

#define MIB (1ull << 20)
#define DEFAULT_HUGETLBFS "/dev/hugepages"
/* QEMU's -numa dist takes a uint8 of at least NUMA_DISTANCE_MIN. */
#define DIST_MIN 10u
#define DIST_MAX 255u

/*
 * Guest node k of the emitted VM: vCPUs first_vcpu .. + nvcpus - 1 and
 * a backend "ramK" of mib MiB on host nodes[] under policy.  Points into
 * the plan's VM, which outlives it.
 */
struct guest_node {
	unsigned first_vcpu, nvcpus;
	uint64_t mib;
	const unsigned *nodes;
	size_t nnodes;
	const char *policy;   /* "bind" or "interleave", QEMU's names */
};

static const char *vm_name(const struct np_plan_vm *vm)
{
	return vm->name ? vm->name : "(unnamed)";
}

static uint64_t interleaved_mib(const struct np_plan_vm *vm)
{
	uint64_t t = 0;

	for (size_t i = 0; vm->memory_mib && i < vm->nodes.n; i++)
		t += vm->memory_mib[i];
	return t;
}

/* The VM's guest nodes into g[] (malloc'd, *n of them). */
static int layout(const struct np_plan_vm *vm, struct guest_node **g,
		  size_t *n, struct np_err *err)
{
	const char *name = vm_name(vm);

	*g = NULL;
	*n = 0;
	if (!vm->placed)
		return np_fail_input(err, -EINVAL, "vm %s: not placed%s%s", name,
				     vm->reason ? ": " : "",
				     vm->reason ? vm->reason : "");
	if (!vm->vcpus || !vm->vcpu_cpus)
		return np_fail_input(err, -EINVAL, "vm %s: no vCPU", name);
	/* interleaved (no cells): memory over the host nodes */
	if (vm->interleaved ? !vm->nodes.n : !vm->ncells || !vm->cells)
		return np_fail_input(err, -EINVAL, "vm %s: no %s", name,
				     vm->interleaved ? "host node" : "guest cell");
	*n = vm->interleaved ? 1 : vm->ncells;
	*g = calloc(*n, sizeof(**g));
	if (!*g)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	if (vm->interleaved) {
		(*g)[0] = (struct guest_node){ 0, vm->vcpus, interleaved_mib(vm),
					       vm->nodes.ids, vm->nodes.n,
					       "interleave" };
		return 0;
	}
	for (size_t k = 0; k < vm->ncells; k++) {
		const struct np_plan_cell *c = &vm->cells[k];

		(*g)[k] = (struct guest_node){ c->first_vcpu, c->nvcpus,
					       c->memory_mib, &c->host_node, 1,
					       "bind" };
	}
	return 0;
}

/*
 * The guest nodes must cover vCPUs 0 .. vcpus-1 once each (a node
 * without vCPUs, a memory-only tier, is allowed) and hold memory; every
 * vCPU has host CPUs.
 */
static int check_layout(const struct np_plan_vm *vm, const struct guest_node *g,
			size_t n, struct np_err *err)
{
	const char *name = vm_name(vm);
	uint64_t covered = 0;

	for (size_t k = 0; k < n; k++) {
		if (!g[k].mib)
			return np_fail_input(err, -EINVAL, "vm %s: guest cell %zu "
					     "has no memory", name, k);
		if (g[k].first_vcpu > vm->vcpus ||
		    g[k].nvcpus > vm->vcpus - g[k].first_vcpu)
			return np_fail_input(err, -EINVAL, "vm %s: guest cell %zu "
					     "names vCPUs beyond the VM's %u",
					     name, k, vm->vcpus);
		for (size_t j = 0; j < k; j++)
			if (g[k].nvcpus && g[j].nvcpus &&
			    g[k].first_vcpu < g[j].first_vcpu + g[j].nvcpus &&
			    g[j].first_vcpu < g[k].first_vcpu + g[k].nvcpus)
				return np_fail_input(err, -EINVAL, "vm %s: guest "
						     "cells %zu and %zu share "
						     "vCPUs", name, j, k);
		covered += g[k].nvcpus;
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

static int check_distances(const struct np_plan_vm *vm, size_t n,
			   struct np_err *err)
{
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

static int check_hugepages(const struct np_plan_vm *vm,
			   const struct guest_node *g, size_t n,
			   uint64_t page_bytes, struct np_err *err)
{
	for (size_t k = 0; k < n; k++)
		if (g[k].mib * MIB % page_bytes)
			return np_fail_input(err, -EINVAL, "vm %s: guest cell %zu's "
					     "%llu MiB is not a whole number of "
					     "%llu KiB hugepages", vm_name(vm), k,
					     (unsigned long long)g[k].mib,
					     (unsigned long long)(page_bytes >> 10));
	return 0;
}

/* QEMU splits option values at ',' (",," is a literal one); white space
 * would not survive a shell or xargs splitting the lines. */
static int append_path(struct strbuf *sb, const char *path, struct np_err *err)
{
	if (path[0] != '/')
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
 * Cores per socket: the largest count dividing every guest node's vCPUs
 * and first vCPU, so each is whole sockets (vCPU i is in socket i / cores)
 * and no socket spans two nodes.
 */
static unsigned cores_per_socket(const struct guest_node *g, size_t n)
{
	unsigned d = 0;

	for (size_t k = 0; k < n; k++)
		if (g[k].nvcpus)
			d = gcd(d, gcd(g[k].first_vcpu, g[k].nvcpus));
	return d ? d : 1;
}

static uint64_t total_mib(const struct guest_node *g, size_t n)
{
	uint64_t t = 0;

	for (size_t k = 0; k < n; k++)
		t += g[k].mib;
	return t;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

/* The host nodes of all guest nodes, ascending and once each. */
static int host_nodes(const struct guest_node *g, size_t n,
		      struct np_idset *out)
{
	size_t total = 0, m = 0;
	unsigned *ids;
	int e = 0;

	*out = (struct np_idset){ 0 };
	for (size_t k = 0; k < n; k++)
		total += g[k].nnodes;
	ids = malloc((total ? total : 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < g[k].nnodes; i++)
			ids[m++] = g[k].nodes[i];
	qsort(ids, m, sizeof(*ids), cmp_unsigned);
	for (size_t i = 0; !e && i < m; i++)
		if (!i || ids[i] != ids[i - 1])
			e = np_idset_push(out, ids[i]);
	free(ids);
	return e;
}

static void emit_header(struct strbuf *sb, const struct np_plan_vm *vm,
			const struct guest_node *g, size_t n)
{
	struct np_idset nodes;

	if (host_nodes(g, n, &nodes)) {
		sb->oom = true;
		return;
	}
	sb_printf(sb, "# %s: %u vCPU%s, %llu MiB on host node%s ", vm_name(vm),
		  vm->vcpus, vm->vcpus == 1 ? "" : "s",
		  (unsigned long long)total_mib(g, n), nodes.n == 1 ? "" : "s");
	sb_idlist(sb, nodes.ids, nodes.n);
	sb_printf(sb, "%s\n", n == 1 && g[0].nnodes > 1 ? ", interleaved" : "");
	np_idset_free(&nodes);
}

/* ",host-nodes=0-1,host-nodes=3": QEMU's list syntax, a key per range. */
static void emit_host_nodes(struct strbuf *sb, const unsigned *ids, size_t n)
{
	if (!n)
		return;
	sb_puts(sb, ",host-nodes=");
	sb_idlist_sep(sb, ids, n, ",host-nodes=");
}

static int emit_backends(struct strbuf *sb, const struct guest_node *g,
			 size_t n, bool huge,
			 const struct np_plan_qemu_opts *opts,
			 struct np_err *err)
{
	const char *mnt = opts && opts->hugetlbfs ? opts->hugetlbfs :
			  DEFAULT_HUGETLBFS;

	for (size_t k = 0; k < n; k++) {
		sb_printf(sb, "-object memory-backend-%s,id=ram%zu,size=%lluM",
			  huge ? "file" : "ram", k,
			  (unsigned long long)g[k].mib);
		if (huge) {
			int e;

			sb_puts(sb, ",mem-path=");
			e = append_path(sb, mnt, err);
			if (e)
				return e;
		}
		if (huge || (opts && opts->prealloc))
			sb_puts(sb, ",prealloc=on");
		emit_host_nodes(sb, g[k].nodes, g[k].nnodes);
		sb_printf(sb, ",policy=%s\n", g[k].policy);
	}
	return 0;
}

static void emit_numa(struct strbuf *sb, const struct np_plan_vm *vm,
		      const struct guest_node *g, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		sb_printf(sb, "-numa node,nodeid=%zu", k);
		if (g[k].nvcpus == 1)
			sb_printf(sb, ",cpus=%u", g[k].first_vcpu);
		else if (g[k].nvcpus)
			sb_printf(sb, ",cpus=%u-%u", g[k].first_vcpu,
				  g[k].first_vcpu + g[k].nvcpus - 1);
		sb_printf(sb, ",memdev=ram%zu\n", k);
	}
	for (size_t i = 0; n > 1 && i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (i != j)
				sb_printf(sb, "-numa dist,src=%zu,dst=%zu,val=%u\n",
					  i, j, vm->guest_distances[i * n + j]);
}

static int render_args(struct strbuf *sb, const struct np_plan_vm *vm,
		       const struct guest_node *g, size_t n,
		       const struct np_vm_spec *spec,
		       const struct np_plan_qemu_opts *opts, struct np_err *err)
{
	uint64_t page_bytes = vm->hugepage_bytes ? vm->hugepage_bytes :
			      spec ? spec->hugepage_bytes : 0;
	bool huge = page_bytes != 0;
	unsigned cores = cores_per_socket(g, n);
	int e = check_layout(vm, g, n, err);

	if (!e)
		e = check_distances(vm, vm->ncells ? n : 0, err);
	if (!e && huge)
		e = check_hugepages(vm, g, n, page_bytes, err);
	if (e)
		return e;
	emit_header(sb, vm, g, n);
	sb_printf(sb, "-smp %u,sockets=%u,cores=%u,threads=1\n", vm->vcpus,
		  vm->vcpus / cores, cores);
	sb_printf(sb, "-m %lluM\n", (unsigned long long)total_mib(g, n));
	e = emit_backends(sb, g, n, huge, opts, err);
	if (e)
		return e;
	emit_numa(sb, vm, g, n);
	for (unsigned v = 0; v < vm->vcpus; v++) {
		sb_printf(sb, "# vcpu %u -> host cpus ", v);
		sb_idlist(sb, vm->vcpu_cpus[v].ids, vm->vcpu_cpus[v].n);
		sb_puts(sb, "\n");
	}
	return 0;
}

int np_plan_emit_qemu(const struct np_plan *p, const struct np_plan_vm *vm,
		      const struct np_vm_spec *spec,
		      const struct np_plan_qemu_opts *opts, char **out,
		      struct np_err *err)
{
	struct strbuf sb = { 0 };
	struct guest_node *g;
	size_t n;
	int e;

	(void)p;   /* the plan as a whole adds nothing to one VM's arguments */
	*out = NULL;
	e = layout(vm, &g, &n, err);
	if (!e)
		e = render_args(&sb, vm, g, n, spec, opts, err);
	free(g);
	if (!e && sb.oom)
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	if (e) {
		sb_release(&sb);
		return e;
	}
	*out = sb.buf;
	return 0;
}

/* ---- the pins as JSON ------------------------------------------------- */

/* json-c's writers, with the out-of-memory flag of util-json.h */
static json_object *jw_int(struct jw *w, int64_t v)
{
	return jw_check(w, json_object_new_int64(v));
}

static json_object *jw_str(struct jw *w, const char *s)
{
	return jw_check(w, json_object_new_string(s));
}

static json_object *jw_ids(struct jw *w, const unsigned *ids, size_t n)
{
	json_object *a = jw_check(w, json_object_new_array());

	for (size_t i = 0; a && i < n; i++)
		jw_push(w, a, jw_int(w, ids[i]));
	return a;
}

/* The guest node holding vCPU v (check_layout made it exist). */
static size_t node_of(const struct guest_node *g, size_t n, unsigned v)
{
	for (size_t k = 0; k < n; k++)
		if (v >= g[k].first_vcpu && v - g[k].first_vcpu < g[k].nvcpus)
			return k;
	return 0;
}

static json_object *vcpu_json(struct jw *w, const struct np_plan_vm *vm,
			      const struct guest_node *g, size_t n, unsigned v)
{
	json_object *o = jw_check(w, json_object_new_object());

	if (!o)
		return NULL;
	jw_add(w, o, "vcpu", jw_int(w, v));
	jw_add(w, o, "guest_node", jw_int(w, node_of(g, n, v)));
	jw_add(w, o, "host_cpus", jw_ids(w, vm->vcpu_cpus[v].ids,
					 vm->vcpu_cpus[v].n));
	return o;
}

static json_object *memdev_json(struct jw *w, const struct guest_node *g,
				size_t k)
{
	json_object *o = jw_check(w, json_object_new_object());
	char id[32];

	if (!o)
		return NULL;
	snprintf(id, sizeof(id), "ram%zu", k);
	jw_add(w, o, "id", jw_str(w, id));
	jw_add(w, o, "guest_node", jw_int(w, k));
	jw_add(w, o, "host_nodes", jw_ids(w, g[k].nodes, g[k].nnodes));
	jw_add(w, o, "policy", jw_str(w, g[k].policy));
	jw_add(w, o, "size_mib", jw_int(w, g[k].mib));
	return o;
}

/* NULL only when out of memory (w->oom set). */
static json_object *pins_json(struct jw *w, const struct np_plan_vm *vm,
			      const struct guest_node *g, size_t n)
{
	json_object *root = jw_check(w, json_object_new_object());
	json_object *pins = jw_check(w, json_object_new_array());
	json_object *devs = jw_check(w, json_object_new_array());

	if (w->oom) {
		json_object_put(root);
		json_object_put(pins);
		json_object_put(devs);
		return NULL;
	}
	jw_add(w, root, "version", jw_int(w, NP_PLAN_QEMU_PINS_VERSION));
	jw_add(w, root, "vm", jw_str(w, vm_name(vm)));
	jw_add(w, root, "vcpus", jw_int(w, vm->vcpus));
	for (unsigned v = 0; v < vm->vcpus; v++)
		jw_push(w, pins, vcpu_json(w, vm, g, n, v));
	jw_add(w, root, "vcpu_pins", pins);
	for (size_t k = 0; k < n; k++)
		jw_push(w, devs, memdev_json(w, g, k));
	jw_add(w, root, "memdevs", devs);
	return root;
}

/* root pretty-printed as numaplace's JSON is, with a final newline. */
static char *render(json_object *root)
{
	const char *s = json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out = s ? malloc(strlen(s) + 2) : NULL;

	if (out)
		sprintf(out, "%s\n", s);
	return out;
}

int np_plan_emit_qemu_pins(const struct np_plan_vm *vm, char **out,
			   struct np_err *err)
{
	struct jw w = { false };
	struct guest_node *g;
	json_object *root;
	size_t n;
	int e;

	*out = NULL;
	e = layout(vm, &g, &n, err);
	if (!e)
		e = check_layout(vm, g, n, err);
	if (e) {
		free(g);
		return e;
	}
	root = pins_json(&w, vm, g, n);
	free(g);
	if (!w.oom)
		*out = render(root);
	json_object_put(root);
	if (!*out)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	return 0;
}
