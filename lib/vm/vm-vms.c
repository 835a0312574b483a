/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace vms: each running QEMU's vCPUs (thread, last CPU, affinity,
 * node), its guest RAM per host node, its guest NUMA cells, and a verdict
 * (numaplace/vms.h).  The /proc reading is lib/linux/linux-qemu.c's; QMP
 * is vm-qmp.c's; this module puts the pieces together.
 */
#include "vm/vm-vms-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/pages.h>
#include <numaplace/qmp.h>
#include <numaplace/topo.h>

#include "linux/linux-qemu.h"
#include "linux/linux-root.h"
#include "util/util-err.h"

const char *np_vm_verdict_name(enum np_vm_verdict v)
{
	switch (v) {
	case NP_VM_LOCAL: return "local";
	case NP_VM_SPLIT: return "split";
	case NP_VM_REMOTE: return "remote";
	default: return "unknown";
	}
}

void np_vm_free(struct np_vm *vm)
{
	free(vm->name);
	free(vm->qmp_path);
	for (size_t i = 0; i < vm->nvcpus; i++)
		np_idset_free(&vm->vcpus[i].allowed);
	free(vm->vcpus);
	for (size_t i = 0; i < vm->nram; i++) {
		free(vm->ram[i].backend);
		np_idset_free(&vm->ram[i].host_nodes);
		free(vm->ram[i].nodes);
	}
	free(vm->ram);
	for (size_t i = 0; i < vm->ncells; i++) {
		np_idset_free(&vm->cells[i].vcpus);
		free(vm->cells[i].memdev);
	}
	free(vm->cells);
	free(vm->other_tids);
	free(vm->ram_nodes);
	np_idset_free(&vm->vcpu_nodes);
	memset(vm, 0, sizeof(*vm));
}

void np_vms_free(struct np_vm *vms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		np_vm_free(&vms[i]);
	free(vms);
}

/* The node id of a CPU, or -1. */
static int cpu_node(const struct np_topo *t, int cpu)
{
	long i = cpu < 0 ? -1 : np_topo_node_of_cpu(t, (unsigned)cpu);

	return i < 0 ? -1 : (int)t->nodes[i].id;
}

/* The one node all of a set's CPUs are on, or -1. */
static int cpus_one_node(const struct np_topo *t, const struct np_idset *s)
{
	int node = -1;

	for (size_t i = 0; i < s->n; i++) {
		int n = cpu_node(t, (int)s->ids[i]);

		if (n < 0 || (node >= 0 && n != node))
			return -1;
		node = n;
	}
	return node;
}

/* Adds bytes on node to a sorted node-bytes array. */
static int add_node_bytes(struct np_vm_node_bytes **a, size_t *n,
			  unsigned node, uint64_t bytes)
{
	struct np_vm_node_bytes *na;
	size_t i;

	for (i = 0; i < *n && (*a)[i].node < node; i++)
		;
	if (i < *n && (*a)[i].node == node) {
		(*a)[i].bytes += bytes;
		return 0;
	}
	na = realloc(*a, (*n + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	memmove(na + i + 1, na + i, (*n - i) * sizeof(*na));
	na[i] = (struct np_vm_node_bytes){ node, bytes };
	*a = na;
	(*n)++;
	return 0;
}

static int idset_add(struct np_idset *s, unsigned id)
{
	struct np_idset copy = { 0 };
	int e = 0;

	if (np_idset_contains(s, id))
		return 0;
	if (!s->n || s->ids[s->n - 1] < id)
		return np_idset_push(s, id);
	for (size_t i = 0; i < s->n && !e; i++) {
		if (s->ids[i] > id && (!i || s->ids[i - 1] < id))
			e = np_idset_push(&copy, id);
		if (!e)
			e = np_idset_push(&copy, s->ids[i]);
	}
	if (e) {
		np_idset_free(&copy);
		return e;
	}
	np_idset_free(s);
	*s = copy;
	return 0;
}

/* The vCPUs' home nodes of guest node g (g < 0: of every vCPU). */
static int cell_vcpu_nodes(const struct np_vm *vm, int g, struct np_idset *out)
{
	int e = 0;

	*out = (struct np_idset){ 0 };
	for (size_t i = 0; i < vm->nvcpus && !e; i++)
		if (vm->vcpus[i].home_node >= 0 &&
		    (g < 0 || vm->vcpus[i].guest_node == g))
			e = idset_add(out, (unsigned)vm->vcpus[i].home_node);
	return e;
}

/* Whether vCPU v uses the memory of guest node g: it is in that cell, or
 * the memory has no cell or its cell no vCPU (g_has_vcpus false). */
static bool vcpu_uses(const struct np_vm_vcpu *v, int g, bool g_has_vcpus)
{
	return v->home_node >= 0 &&
	       (g < 0 || !g_has_vcpus || v->guest_node == g);
}

/*
 * The bytes of one range remote to the vCPUs using it: for each such
 * vCPU, the range's bytes off its node, averaged over those vCPUs (two
 * vCPUs on nodes 0 and 1 over memory on node 0: half of it is remote).
 */
static uint64_t range_remote_bytes(const struct np_vm *vm,
				   const struct np_vm_ram *ram)
{
	bool has = false;
	uint64_t sum = 0, users = 0;

	for (size_t i = 0; i < vm->nvcpus && !has; i++)
		has = ram->guest_node >= 0 &&
		      vm->vcpus[i].guest_node == ram->guest_node &&
		      vm->vcpus[i].home_node >= 0;
	for (size_t i = 0; i < vm->nvcpus; i++) {
		const struct np_vm_vcpu *v = &vm->vcpus[i];

		if (!vcpu_uses(v, ram->guest_node, has))
			continue;
		users++;
		for (size_t k = 0; k < ram->nnodes; k++)
			if (ram->nodes[k].node != (unsigned)v->home_node)
				sum += ram->nodes[k].bytes;
	}
	return users ? sum / users : 0;
}

int np_vm_judge(struct np_vm *vm)
{
	int e = 0;

	free(vm->ram_nodes);
	vm->ram_nodes = NULL;
	vm->nram_nodes = 0;
	vm->ram_bytes = vm->remote_bytes = 0;
	np_idset_free(&vm->vcpu_nodes);
	e = cell_vcpu_nodes(vm, -1, &vm->vcpu_nodes);
	for (size_t r = 0; r < vm->nram && !e; r++) {
		const struct np_vm_ram *ram = &vm->ram[r];

		vm->remote_bytes += range_remote_bytes(vm, ram);
		for (size_t k = 0; k < ram->nnodes && !e; k++) {
			vm->ram_bytes += ram->nodes[k].bytes;
			e = add_node_bytes(&vm->ram_nodes, &vm->nram_nodes,
					   ram->nodes[k].node,
					   ram->nodes[k].bytes);
		}
	}
	if (e)
		return e;
	if (!vm->vcpu_nodes.n || !vm->ram_bytes)
		vm->verdict = NP_VM_UNKNOWN;
	else if (vm->remote_bytes)
		vm->verdict = NP_VM_REMOTE;
	else if (vm->nram_nodes > 1)
		vm->verdict = NP_VM_SPLIT;
	else
		vm->verdict = NP_VM_LOCAL;
	return 0;
}

/* ---- vCPUs ---------------------------------------------------------------- */

static const struct np_qemu_thread *find_thread(const struct np_qemu_thread *t,
						size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].tid == tid)
			return &t[i];
	return NULL;
}

static int fill_vcpu(struct np_vm_vcpu *v, const struct np_qemu_thread *t,
		     const struct np_topo *topo)
{
	v->last_cpu = t ? t->last_cpu : -1;
	v->last_node = cpu_node(topo, v->last_cpu);
	v->allowed = (struct np_idset){ 0 };
	for (size_t i = 0; t && i < t->allowed.n; i++)
		if (np_idset_push(&v->allowed, t->allowed.ids[i]))
			return -ENOMEM;
	v->home_node = cpus_one_node(topo, &v->allowed);
	if (v->home_node < 0)
		v->home_node = v->last_node;
	return 0;
}

static int vcpus_from_threads(struct np_vm *vm,
			      const struct np_qemu_thread *t, size_t n,
			      const struct np_topo *topo)
{
	for (size_t i = 0; i < n; i++) {
		int idx = np_qemu_vcpu_of_thread_name(t[i].comm);
		struct np_vm_vcpu *v;
		size_t k;

		if (idx < 0)
			continue;
		v = realloc(vm->vcpus, (vm->nvcpus + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		vm->vcpus = v;
		for (k = vm->nvcpus; k > 0 && v[k - 1].index > (unsigned)idx;
		     k--)
			v[k] = v[k - 1];
		memset(&v[k], 0, sizeof(v[k]));
		v[k].index = (unsigned)idx;
		v[k].tid = t[i].tid;
		v[k].guest_node = -1;
		vm->nvcpus++;
		if (fill_vcpu(&v[k], &t[i], topo))
			return -ENOMEM;
	}
	if (vm->nvcpus)
		vm->vcpu_source = NP_VCPUS_THREADS;
	return 0;
}

static int vcpus_from_qmp(struct np_vm *vm, const struct np_qmp_cpu *c,
			  size_t n, const struct np_qemu_thread *t, size_t nt,
			  const struct np_topo *topo)
{
	vm->vcpus = calloc(n ? n : 1, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct np_vm_vcpu *v = &vm->vcpus[vm->nvcpus++];

		v->index = c[i].cpu_index;
		v->tid = c[i].thread_id;
		v->guest_node = c[i].node_id;
		if (fill_vcpu(v, find_thread(t, nt, v->tid), topo))
			return -ENOMEM;
	}
	vm->vcpu_source = NP_VCPUS_QMP;
	return 0;
}

/* The threads that are not vCPUs: the emulator's main loop, I/O, RCU... */
static int other_threads(struct np_vm *vm, const struct np_qemu_thread *t,
			 size_t n)
{
	vm->other_tids = calloc(n ? n : 1, sizeof(*vm->other_tids));
	if (!vm->other_tids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool vcpu = false;

		for (size_t k = 0; k < vm->nvcpus && !vcpu; k++)
			vcpu = vm->vcpus[k].tid == t[i].tid;
		if (!vcpu)
			vm->other_tids[vm->nother++] = t[i].tid;
	}
	return 0;
}

/* ---- guest RAM ------------------------------------------------------------ */

/* Backends as QMP or the command line name them. */
struct backend {
	const char *id;
	uint64_t size_bytes;
	const char *policy;
	const struct np_idset *host_nodes;
	int guest_node;
};

static const struct np_mapping *numa_map_at(const struct np_numa_maps *m,
					    uint64_t start)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->maps[i].start == start)
			return &m->maps[i];
	return NULL;
}

static bool ram_like(const struct np_proc_vma *v, const struct np_mapping *m)
{
	/* guest RAM is readable and writable, never executable (TCG's code
	 * buffer is), and anonymous, shared memory, hugetlb or a file
	 * mapped shared (memory-backend-file,share=on on a disk file) */
	if (!m || v->perms[0] != 'r' || v->perms[1] != 'w' ||
	    v->perms[2] == 'x')
		return false;
	return m->kind == NP_KIND_ANON || m->kind == NP_KIND_SHMEM ||
	       m->kind == NP_KIND_HUGETLB ||
	       (m->kind == NP_KIND_FILE && v->perms[3] == 's');
}

static bool policy_matches(const struct np_mapping *m,
			   const struct np_idset *want)
{
	struct np_idset nodes = { 0 };
	char mode[32];
	bool same;
	int n = np_policy_nodes(m->policy, &nodes, mode, sizeof(mode));

	same = n >= 0 && nodes.n == want->n &&
	       (!nodes.n || !memcmp(nodes.ids, want->ids,
				    nodes.n * sizeof(*nodes.ids)));
	np_idset_free(&nodes);
	return same;
}

/* The VMA of size b->size_bytes for backend b: one whose numa_maps
 * policy names b's host nodes first, then any of that size. */
static long match_vma(const struct np_proc_vma *v, size_t nv, const bool *used,
		      const struct np_numa_maps *m, const struct backend *b)
{
	long any = -1;

	for (size_t i = 0; i < nv; i++) {
		const struct np_mapping *map = numa_map_at(m, v[i].start);

		if (used[i] || v[i].end - v[i].start != b->size_bytes ||
		    !ram_like(&v[i], map))
			continue;
		if (b->host_nodes && b->host_nodes->n &&
		    policy_matches(map, b->host_nodes))
			return (long)i;
		if (any < 0)
			any = (long)i;
	}
	return any;
}

static int add_ram(struct np_vm *vm, const struct np_proc_vma *v,
		   const struct np_mapping *map, const struct backend *b)
{
	struct np_vm_ram *r = realloc(vm->ram, (vm->nram + 1) * sizeof(*r));
	struct np_vm_ram tmp = { 0 };
	char mode[32];
	size_t k;

	if (!r)
		return -ENOMEM;
	vm->ram = r;
	tmp.start = v->start;
	tmp.len_bytes = v->end - v->start;
	tmp.page_bytes = map->page_bytes;
	tmp.guest_node = b->guest_node;
	snprintf(tmp.policy, sizeof(tmp.policy), "%s", map->policy);
	snprintf(tmp.backend_policy, sizeof(tmp.backend_policy), "%s",
		 b->policy ? b->policy : "");
	if (b->id && !(tmp.backend = strdup(b->id)))
		return -ENOMEM;
	if (np_policy_nodes(map->policy, &tmp.host_nodes, mode,
			    sizeof(mode)) < 0)
		goto oom;
	for (size_t i = 0; i < map->nnodes; i++) {
		uint64_t bytes = map->nodes[i].pages * map->page_bytes;

		if (add_node_bytes(&tmp.nodes, &tmp.nnodes,
				   map->nodes[i].node, bytes))
			goto oom;
		tmp.resident_bytes += bytes;
	}
	for (k = vm->nram; k > 0 && r[k - 1].start > tmp.start; k--)
		r[k] = r[k - 1];
	r[k] = tmp;
	vm->nram++;
	return 0;
oom:
	free(tmp.backend);
	np_idset_free(&tmp.host_nodes);
	free(tmp.nodes);
	return -ENOMEM;
}

static int guest_node_of_memdev(const struct np_qemu_args *a, const char *id)
{
	for (size_t i = 0; id && i < a->nnuma; i++)
		if (a->numa[i].memdev && !strcmp(a->numa[i].memdev, id))
			return (int)a->numa[i].id;
	return -1;
}

static int find_ram(struct np_vm *vm, const struct np_root *r,
		    const char *root, const struct np_qemu_args *a,
		    const struct np_qmp_memdev *md, size_t nmd,
		    struct np_err *err)
{
	struct np_numa_maps maps;
	struct np_proc_vma *v;
	struct backend *b;
	size_t nv, nb;
	bool *used;
	int e;

	e = np_proc_vmas(r, vm->pid, &v, &nv, err);
	if (e)
		return e;
	e = np_numa_maps_read(root, vm->pid, &maps, err);
	if (e) {
		np_proc_vmas_free(v, nv);
		return e;
	}
	nb = md ? nmd : a->nbackends;
	b = calloc(nb + 1, sizeof(*b));
	used = calloc(nv + 1, sizeof(*used));
	if (!b || !used) {
		e = np_fail_sys(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nb; i++) {
		if (md) {
			b[i] = (struct backend){ md[i].id, md[i].size_bytes,
						 md[i].policy,
						 &md[i].host_nodes, -1 };
		} else {
			const struct np_qemu_backend *q = &a->backends[i];

			b[i] = (struct backend){ q->id, q->size_bytes,
						 q->policy, &q->host_nodes,
						 -1 };
		}
		b[i].guest_node = guest_node_of_memdev(a, b[i].id);
	}
	/* no backend at all: QEMU's own RAM block of -m */
	if (!nb)
		b[nb++] = (struct backend){ NULL, a->mem_bytes, NULL, NULL,
					    -1 };
	for (size_t i = 0; i < nb && !e; i++) {
		long k = match_vma(v, nv, used, &maps, &b[i]);

		if (k < 0)
			continue;
		used[k] = true;
		e = add_ram(vm, &v[k], numa_map_at(&maps, v[k].start), &b[i]);
		if (e)
			e = np_fail_sys(err, e, "out of memory");
	}
out:
	free(b);
	free(used);
	np_numa_maps_free(&maps);
	np_proc_vmas_free(v, nv);
	return e;
}

/* ---- cells ---------------------------------------------------------------- */

static int find_cells(struct np_vm *vm, const struct np_qemu_args *a)
{
	if (!a->nnuma)
		return 0;
	vm->cells = calloc(a->nnuma, sizeof(*vm->cells));
	if (!vm->cells)
		return -ENOMEM;
	for (size_t i = 0; i < a->nnuma; i++) {
		struct np_vm_cell *c = &vm->cells[vm->ncells++];

		c->id = a->numa[i].id;
		if (a->numa[i].memdev &&
		    !(c->memdev = strdup(a->numa[i].memdev)))
			return -ENOMEM;
		for (size_t r = 0; r < vm->nram; r++)
			if (c->memdev && vm->ram[r].backend &&
			    !strcmp(c->memdev, vm->ram[r].backend))
				c->mem_bytes = vm->ram[r].len_bytes;
	}
	/* each vCPU's cell: QMP said it, or the cell's cpus= */
	for (size_t v = 0; v < vm->nvcpus; v++)
		for (size_t i = 0; i < a->nnuma; i++)
			if (vm->vcpus[v].guest_node < 0 &&
			    np_idset_contains(&a->numa[i].cpus,
					      vm->vcpus[v].index))
				vm->vcpus[v].guest_node = (int)a->numa[i].id;
	for (size_t i = 0; i < vm->ncells; i++)
		for (size_t v = 0; v < vm->nvcpus; v++)
			if (vm->vcpus[v].guest_node == (int)vm->cells[i].id &&
			    idset_add(&vm->cells[i].vcpus, vm->vcpus[v].index))
				return -ENOMEM;
	return 0;
}

/* ---- one VM --------------------------------------------------------------- */

struct qmp_facts {
	struct np_qmp_cpu *cpus;
	size_t ncpus;
	struct np_qmp_memdev *md;
	size_t nmd;
	bool ok;
};

static void ask_qmp(struct np_vm *vm, const char *path, unsigned timeout_ms,
		    struct qmp_facts *f)
{
	struct np_err qerr = { 0 };
	struct np_qmp *q = NULL;

	memset(f, 0, sizeof(*f));
	if (np_qmp_open(path, timeout_ms, &q, &qerr) ||
	    np_qmp_query_cpus(q, &f->cpus, &f->ncpus, &qerr) ||
	    np_qmp_query_memdev(q, &f->md, &f->nmd, &qerr)) {
		snprintf(vm->qmp_error, sizeof(vm->qmp_error), "%s", qerr.msg);
		free(f->cpus);
		f->cpus = NULL;
		f->ncpus = 0;
	} else {
		f->ok = true;
	}
	np_qmp_close(q);
}

static int inspect(struct np_vm *vm, const struct np_root *r,
		   const char *root, const struct np_vms_opts *o,
		   const char *qmp, struct np_err *err)
{
	struct np_qemu_thread *t = NULL;
	struct np_qemu_args a;
	struct qmp_facts f = { 0 };
	char **argv;
	size_t argc, nt = 0;
	int e;

	e = np_qemu_cmdline(r, vm->pid, &argv, &argc, err);
	if (e)
		return e;
	e = np_qemu_args_parse(argv, argc, &a);
	np_qemu_cmdline_free(argv, argc);
	if (e)
		return np_fail_sys(err, e, "out of memory");
	if ((a.name && !(vm->name = strdup(a.name))) ||
	    ((qmp || a.qmp_path) &&
	     !(vm->qmp_path = strdup(qmp ? qmp : a.qmp_path)))) {
		e = np_fail_sys(err, -ENOMEM, "out of memory");
		goto out;
	}
	e = np_qemu_threads(r, vm->pid, &t, &nt, err);
	if (e)
		goto out;
	/* QMP only on the live machine: a capture has no sockets */
	if (vm->qmp_path && !o->no_qmp && !r->path[0])
		ask_qmp(vm, vm->qmp_path, o->qmp_timeout_ms, &f);
	/* a socket of another QEMU names threads this process does not have */
	for (size_t i = 0; f.ok && i < f.ncpus; i++)
		if (!find_thread(t, nt, f.cpus[i].thread_id)) {
			snprintf(vm->qmp_error, sizeof(vm->qmp_error),
				 "%s: vCPU %u's thread %d is not a thread of "
				 "process %d", vm->qmp_path, f.cpus[i].cpu_index,
				 (int)f.cpus[i].thread_id, (int)vm->pid);
			f.ok = false;
		}
	e = f.ok ? vcpus_from_qmp(vm, f.cpus, f.ncpus, t, nt, o->topo) :
		   vcpus_from_threads(vm, t, nt, o->topo);
	if (!e)
		e = other_threads(vm, t, nt);
	if (e) {
		e = np_fail_sys(err, e, "out of memory");
		goto out;
	}
	e = find_ram(vm, r, root, &a, f.ok ? f.md : NULL, f.nmd, err);
	if (!e && (find_cells(vm, &a) || np_vm_judge(vm)))
		e = np_fail_sys(err, -ENOMEM, "out of memory");
out:
	np_qemu_threads_free(t, nt);
	free(f.cpus);
	np_qmp_memdevs_free(f.md, f.nmd);
	np_qemu_args_free(&a);
	return e;
}

static int open_root(const struct np_vms_opts *o, struct np_root *r,
		     struct np_err *err)
{
	if (!o->topo)
		return np_fail_input(err, -EINVAL, "vms: no topology given");
	return np_root_open(r, o->root ? o->root : "/", err);
}

static int inspect_one(pid_t pid, const struct np_vms_opts *o,
		       const struct np_root *r, const char *qmp,
		       struct np_vm *out, struct np_err *err)
{
	int e = np_qemu_proc_is_qemu(r, pid, err);

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	if (e < 0)
		return e;
	if (!e) {
		char comm[64] = "";

		np_proc_comm(o->root ? o->root : "/", pid, comm, sizeof(comm));
		return np_fail_input(err, -EINVAL, "process %d (%s) is not "
				     "QEMU", (int)pid, comm);
	}
	e = inspect(out, r, o->root ? o->root : "/", o, qmp, err);
	if (e)
		np_vm_free(out);
	return e;
}

int np_vm_inspect(pid_t pid, const struct np_vms_opts *opts, struct np_vm *out,
		  struct np_err *err)
{
	struct np_root r;
	int e;

	memset(out, 0, sizeof(*out));
	e = open_root(opts, &r, err);
	if (e)
		return e;
	e = inspect_one(pid, opts, &r, opts->qmp, out, err);
	np_root_close(&r);
	return e;
}

static bool selected(const struct np_vm *vm, const char *s)
{
	char pid[24];

	snprintf(pid, sizeof(pid), "%d", (int)vm->pid);
	return !strcmp(s, pid) || (vm->name && !strcmp(s, vm->name));
}

int np_vms_list(const struct np_vms_opts *opts, const char *const *select,
		size_t nselect, struct np_vm **out, size_t *n,
		struct np_err *err)
{
	struct np_root r;
	pid_t *pids;
	size_t np;
	int e;

	*out = NULL;
	*n = 0;
	e = open_root(opts, &r, err);
	if (e)
		return e;
	e = np_qemu_list(&r, &pids, &np, err);
	if (e) {
		np_root_close(&r);
		return e;
	}
	*out = calloc(np ? np : 1, sizeof(**out));
	if (!*out)
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < np && !e; i++) {
		struct np_vm *vm = &(*out)[*n];
		bool keep = !nselect;

		e = inspect_one(pids[i], opts, &r, NULL, vm, err);
		if (e == -ESRCH || e == -EINVAL) {
			/* ended meanwhile (or became something else) */
			e = 0;
			continue;
		}
		for (size_t s = 0; !e && s < nselect && !keep; s++)
			keep = selected(vm, select[s]);
		/* --qmp names the socket of the one VM asked for */
		if (!e && keep && nselect == 1 && opts->qmp) {
			np_vm_free(vm);
			e = inspect_one(pids[i], opts, &r, opts->qmp, vm, err);
		}
		if (!e && keep)
			(*n)++;
		else if (!e)
			np_vm_free(vm);
	}
	for (size_t s = 0; !e && s < nselect; s++) {
		bool found = false;

		for (size_t i = 0; i < *n && !found; i++)
			found = selected(&(*out)[i], select[s]);
		if (!found)
			e = np_fail_input(err, -ENOENT, "no QEMU process with "
					  "PID or name '%s'", select[s]);
	}
	free(pids);
	np_root_close(&r);
	if (e) {
		np_vms_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return e;
}
