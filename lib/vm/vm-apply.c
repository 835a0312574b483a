/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace apply: a running QEMU's vCPU threads pinned as a plan (or
 * --nodes) says, its emulator and I/O threads to the same nodes' CPUs,
 * and its guest RAM moved there in bounded batches by
 * np_move_process_pages() (numaplace/migrate.h).  A bare QEMU is pinned
 * with sched_setaffinity; a libvirt domain through virsh (vcpupin,
 * emulatorpin, numatune), so libvirt's cgroups and its view of the
 * domain stay true.  The target is held by a pidfd from the first look
 * to the last move.
 */
#include "vm/vm-vms-internal.h"
#include "vm/vm-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <numaplace/migrate.h>
#include <numaplace/pages.h>
#include <numaplace/policy.h>
#include <numaplace/topo.h>

#include "linux/linux-parse.h"
#include "linux/linux-proc.h"
#include "linux/linux-qemu.h"
#include "linux/linux-root.h"
#include "util/util-spawn.h"
#include "util/util-strbuf.h"

extern char **environ;

void np_apply_report_free(struct np_apply_report *rep)
{
	free(rep->name);
	for (size_t i = 0; i < rep->npins; i++) {
		np_idset_free(&rep->pins[i].before);
		np_idset_free(&rep->pins[i].after);
	}
	free(rep->pins);
	np_idset_free(&rep->mem_nodes);
	free(rep->ranges);
	if (rep->moved)
		np_move_report_free(&rep->move);
	free(rep->virsh_log);
	free(rep->note);
	memset(rep, 0, sizeof(*rep));
}

/* ---- where each thread and range goes ------------------------------------ */

struct targets {
	struct np_idset *vcpu_cpus;   /* [vm->nvcpus] */
	struct np_idset other_cpus;   /* emulator and I/O threads */
	int *ram_node;                /* [vm->nram]; -1: stays */
	struct np_idset nodes;        /* every node used */
};

static void targets_free(struct targets *t, size_t nvcpus)
{
	for (size_t i = 0; t->vcpu_cpus && i < nvcpus; i++)
		np_idset_free(&t->vcpu_cpus[i]);
	free(t->vcpu_cpus);
	np_idset_free(&t->other_cpus);
	free(t->ram_node);
	np_idset_free(&t->nodes);
}

static int idset_copy(struct np_idset *dst, const struct np_idset *src)
{
	*dst = (struct np_idset){ 0 };
	for (size_t i = 0; i < src->n; i++)
		if (np_idset_push(dst, src->ids[i]))
			return -ENOMEM;
	return 0;
}

static int targets_alloc(struct targets *t, const struct np_vm *vm)
{
	memset(t, 0, sizeof(*t));
	t->vcpu_cpus = calloc(vm->nvcpus + 1, sizeof(*t->vcpu_cpus));
	t->ram_node = calloc(vm->nram + 1, sizeof(*t->ram_node));
	if (!t->vcpu_cpus || !t->ram_node)
		return -ENOMEM;
	for (size_t i = 0; i < vm->nram; i++)
		t->ram_node[i] = -1;
	return 0;
}

/* --nodes [--cpus]: every vCPU on the CPUs (or the nodes' CPUs), the
 * other threads on the nodes' CPUs, cell g's memory (or the i-th
 * backend's) on the (g mod n)-th node. */
static int targets_from_nodes(const struct np_apply_opts *o,
			      const struct np_vm *vm, struct targets *t,
			      struct np_err *err)
{
	int e = targets_alloc(t, vm);

	if (e)
		return np_fail_sys(err, e, "out of memory");
	if (!o->nodes->n)
		return np_fail_input(err, -EINVAL, "no node to apply");
	e = np_topo_cpus_of_nodes(o->topo, o->nodes, NULL, &t->other_cpus,
				  err);
	if (e)
		return e;
	if (idset_copy(&t->nodes, o->nodes))
		return np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < vm->nvcpus; i++)
		if (idset_copy(&t->vcpu_cpus[i], o->cpus && o->cpus->n ?
			       o->cpus : &t->other_cpus))
			return np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < vm->nram; i++) {
		size_t k = vm->ram[i].guest_node >= 0 ?
			(size_t)vm->ram[i].guest_node : i;

		t->ram_node[i] = (int)o->nodes->ids[k % o->nodes->n];
	}
	return 0;
}

/* A plan's CPU value: a number (a dedicated CPU) or a list "20-29". */
static int plan_cpus(json_object *v, struct np_idset *out)
{
	const char *why, *s;

	*out = (struct np_idset){ 0 };
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) < 0 ||
		       json_object_get_int64(v) >= NP_MAX_CPUS ? -EINVAL :
		       np_idset_push(out, (unsigned)json_object_get_int64(v));
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	return np_parse_idlist(s, strlen(s), NP_MAX_CPUS - 1, out, &why);
}

static json_object *plan_vm(json_object *root, const char *name)
{
	json_object *vms, *v, *n;

	if (!json_object_object_get_ex(root, "vms", &vms) ||
	    !json_object_is_type(vms, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(vms); i++) {
		v = json_object_array_get_idx(vms, i);
		if (json_object_object_get_ex(v, "name", &n) &&
		    json_object_is_type(n, json_type_string) &&
		    !strcmp(json_object_get_string(n), name))
			return v;
	}
	return NULL;
}

static int plan_pins(const struct np_apply_opts *o, json_object *pv,
		     const struct np_vm *vm, struct targets *t,
		     struct np_err *err)
{
	json_object *pins;

	if (!json_object_object_get_ex(pv, "vcpu_pins", &pins) ||
	    !json_object_is_type(pins, json_type_array))
		return np_fail_input(err, -EINVAL, "%s: VM %s: no vcpu_pins",
				     o->plan_origin, o->vm_name);
	for (size_t i = 0; i < json_object_array_length(pins); i++) {
		json_object *p = json_object_array_get_idx(pins, i);
		struct np_idset cpus;
		int64_t v;
		size_t k;

		if (!json_object_is_type(p, json_type_array) ||
		    json_object_array_length(p) != 2 ||
		    plan_cpus(json_object_array_get_idx(p, 1), &cpus))
			return np_fail_input(err, -EINVAL, "%s: VM %s: "
					     "vcpu_pins[%zu] is not [VCPU, "
					     "CPUS]", o->plan_origin,
					     o->vm_name, i);
		v = json_object_get_int64(json_object_array_get_idx(p, 0));
		for (k = 0; k < vm->nvcpus && vm->vcpus[k].index != v; k++)
			;
		if (k == vm->nvcpus) {
			np_idset_free(&cpus);
			return np_fail_input(err, -EINVAL, "%s: VM %s plans "
					     "vCPU %lld, which the QEMU of PID "
					     "%d does not have (%zu vCPUs)",
					     o->plan_origin, o->vm_name,
					     (long long)v, (int)vm->pid,
					     vm->nvcpus);
		}
		np_idset_free(&t->vcpu_cpus[k]);
		t->vcpu_cpus[k] = cpus;
	}
	for (size_t k = 0; k < vm->nvcpus; k++)
		if (!t->vcpu_cpus[k].n && idset_copy(&t->vcpu_cpus[k],
						     &t->other_cpus))
			return np_fail_sys(err, -ENOMEM, "out of memory");
	return 0;
}

/* Cell i of the plan is guest node i: its backend's memory goes to the
 * cell's host node. */
static int plan_cells(const struct np_apply_opts *o, json_object *pv,
		      const struct np_vm *vm, struct targets *t,
		      struct np_err *err)
{
	json_object *cells;
	size_t nc;

	if (!json_object_object_get_ex(pv, "guest_cells", &cells) ||
	    !json_object_is_type(cells, json_type_array) ||
	    !(nc = json_object_array_length(cells)))
		return np_fail_input(err, -EINVAL, "%s: VM %s has no guest "
				     "cells (interleaved): apply moves each "
				     "memory backend to one node",
				     o->plan_origin, o->vm_name);
	for (size_t i = 0; i < vm->nram; i++) {
		size_t c = vm->ram[i].guest_node >= 0 ?
			(size_t)vm->ram[i].guest_node : i;
		json_object *hn;

		if (c >= nc ||
		    !json_object_object_get_ex(json_object_array_get_idx(
			    cells, c), "host_nodes", &hn) ||
		    !json_object_is_type(hn, json_type_array) ||
		    json_object_array_length(hn) < 1)
			return np_fail_input(err, -EINVAL, "%s: VM %s: no "
					     "guest cell %zu with host_nodes "
					     "for the QEMU's backend %s",
					     o->plan_origin, o->vm_name, c,
					     vm->ram[i].backend ?
					     vm->ram[i].backend : "(RAM)");
		t->ram_node[i] = (int)json_object_get_int64(
			json_object_array_get_idx(hn, 0));
	}
	return 0;
}

static int targets_from_plan(const struct np_apply_opts *o,
			     const struct np_vm *vm, struct targets *t,
			     struct np_err *err)
{
	json_object *root, *pv, *nodes, *placed;
	int e = 0;

	root = np_vm_parse_json(o->plan_json, o->plan_len, o->plan_origin,
				err, &e);
	if (!root)
		return e;
	e = targets_alloc(t, vm);
	if (e) {
		json_object_put(root);
		return np_fail_sys(err, e, "out of memory");
	}
	pv = plan_vm(root, o->vm_name);
	if (!pv)
		e = np_fail_input(err, -EINVAL, "%s: no VM named '%s'",
				  o->plan_origin, o->vm_name);
	else if (json_object_object_get_ex(pv, "placed", &placed) &&
		 !json_object_get_boolean(placed))
		e = np_fail_input(err, -EINVAL, "%s: VM %s was not placed",
				  o->plan_origin, o->vm_name);
	else if (!json_object_object_get_ex(pv, "nodes", &nodes) ||
		 !json_object_is_type(nodes, json_type_array))
		e = np_fail_input(err, -EINVAL, "%s: VM %s: no nodes",
				  o->plan_origin, o->vm_name);
	for (size_t i = 0; !e && i < json_object_array_length(nodes); i++) {
		int64_t n = json_object_get_int64(
			json_object_array_get_idx(nodes, i));

		if (n < 0 || n >= NP_MAX_NODES ||
		    (t->nodes.n && t->nodes.ids[t->nodes.n - 1] >= n))
			e = np_fail_input(err, -EINVAL, "%s: VM %s: nodes "
					  "not ascending node ids",
					  o->plan_origin, o->vm_name);
		else if (np_idset_push(&t->nodes, (unsigned)n))
			e = np_fail_sys(err, -ENOMEM, "out of memory");
	}
	if (!e)
		e = np_topo_cpus_of_nodes(o->topo, &t->nodes, NULL,
					  &t->other_cpus, err);
	if (!e)
		e = plan_pins(o, pv, vm, t, err);
	if (!e)
		e = plan_cells(o, pv, vm, t, err);
	json_object_put(root);
	return e;
}

/* ---- checks before anything is touched ------------------------------------ */

static int check_target(const struct np_root *r, const struct np_vm *vm,
			const struct targets *t, struct np_err *err)
{
	struct np_idset mems, cpus;
	char safe[64];
	int e;

	e = np_proc_allowed(r, vm->pid, &mems, &cpus, err);
	if (e)
		return e;
	np_idset_free(&cpus);
	for (size_t i = 0; i < vm->nram && !e; i++) {
		struct strbuf sb = { 0 };

		if (t->ram_node[i] < 0 ||
		    np_idset_contains(&mems, (unsigned)t->ram_node[i]))
			continue;
		sb_idlist(&sb, mems.ids, mems.n);
		snprintf(safe, sizeof(safe), "%s", sb.buf ? sb.buf : "");
		sb_release(&sb);
		e = np_fail_input(err, -EINVAL, "node %d is outside the cpuset "
				  "of process %d (cpuset.mems %s): its memory "
				  "cannot go there", t->ram_node[i],
				  (int)vm->pid, safe);
	}
	np_idset_free(&mems);
	return e;
}

/* Another user's process: pinning its threads and moving its pages need
 * CAP_SYS_NICE (sched_setaffinity(2), move_pages(2)). */
static int check_privilege(const char *root, pid_t pid, struct np_err *err)
{
	struct np_root r;
	char comm[64] = "";
	long uid;
	int e;

	if (np_root_open(&r, root, err))
		return err->code;
	/* not QEMU is said first: that needs no privilege to see */
	e = np_qemu_proc_is_qemu(&r, pid, err);
	uid = np_proc_euid(&r, pid);
	np_root_close(&r);
	if (e < 0)
		return e;
	if (!e) {
		np_proc_comm(root, pid, comm, sizeof(comm));
		return np_fail_input(err, -EINVAL, "process %d (%s) is not "
				     "QEMU", (int)pid, comm);
	}
	if (uid >= 0 && (uid_t)uid != geteuid() && !np_self_has_cap_sys_nice())
		return np_fail_sys(err, -EPERM, "process %d belongs to user "
				   "%ld: pinning its threads and moving its "
				   "memory need CAP_SYS_NICE", (int)pid, uid);
	return 0;
}

/* ---- libvirt through virsh ------------------------------------------------- */

/* Runs virsh ARGS, its output and errors read; 0 when it exits 0, else
 * -EIO with its first error line in err. */
static int run_virsh(const char *uri, const char *const *args,
		     struct strbuf *log, struct np_err *err)
{
	const char *argv[16];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char out[4096], *line;
	size_t n = 0, len = 0;
	int fds[2], status, e;
	pid_t child;
	ssize_t got;

	argv[n++] = "virsh";
	argv[n++] = "-q";
	if (uri) {
		argv[n++] = "-c";
		argv[n++] = uri;
	}
	sb_puts(log, "virsh");
	for (size_t i = 0; args[i] && n < 15; i++) {
		argv[n++] = args[i];
		sb_printf(log, " %s", args[i]);
	}
	sb_puts(log, "\n");
	argv[n] = NULL;
	if (pipe2(fds, O_CLOEXEC))
		return np_fail_sys(err, -errno, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawnattr_init(&attr);
	e = np_spawnattr_clean(&attr, NULL);
	if (!e)
		e = posix_spawnp(&child, "virsh", &fa, &attr,
				 (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (e) {
		close(fds[0]);
		return np_fail_sys(err, -e, "virsh: %s%s", strerror(e),
				   e == ENOENT ? " (libvirt-clients has it)" :
				   "");
	}
	while ((got = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0 ||
	       (got < 0 && errno == EINTR))
		if (got > 0)
			len += (size_t)got;
	close(fds[0]);
	out[len] = '\0';
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* "error: ..." lines: the last says why */
	line = out;
	for (char *p = strstr(out, "error: "); p; p = strstr(p + 1, "error: "))
		line = p + 7;
	line[strcspn(line, "\n")] = '\0';
	return np_fail_sys(err, -EIO, "virsh %s: %s", args[0],
			   *line ? line : "failed");
}

static int virsh_pins(const struct np_apply_opts *o, const struct np_vm *vm,
		      const struct targets *t, struct strbuf *log,
		      char **note, struct np_err *err)
{
	struct np_err nerr = { 0 };
	char vcpu[16];
	int e = 0;

	for (size_t i = 0; i < vm->nvcpus && !e; i++) {
		struct strbuf cpus = { 0 };

		sb_idlist(&cpus, t->vcpu_cpus[i].ids, t->vcpu_cpus[i].n);
		snprintf(vcpu, sizeof(vcpu), "%u", vm->vcpus[i].index);
		e = cpus.oom ? np_fail_sys(err, -ENOMEM, "out of memory") :
			run_virsh(o->virsh_uri, (const char *const[]){
				"vcpupin", o->domain, vcpu, cpus.buf, "--live",
				NULL }, log, err);
		sb_release(&cpus);
	}
	if (!e) {
		struct strbuf cpus = { 0 };

		sb_idlist(&cpus, t->other_cpus.ids, t->other_cpus.n);
		e = run_virsh(o->virsh_uri, (const char *const[]){
			"emulatorpin", o->domain, cpus.buf, "--live", NULL },
			log, err);
		sb_release(&cpus);
	}
	if (!e && !o->no_memory) {
		struct strbuf nodes = { 0 };

		sb_idlist(&nodes, t->nodes.ids, t->nodes.n);
		/* libvirt changes a running domain's nodeset in restrictive
		 * mode only, and only where it has a cpuset cgroup: without
		 * one the pages still move below, and the report says why
		 * libvirt's nodeset stayed */
		if (run_virsh(o->virsh_uri, (const char *const[]){
			"numatune", o->domain, "--mode", "restrictive",
			"--nodeset", nodes.buf, "--live", NULL }, log, &nerr))
			*note = strdup(nerr.msg);
		sb_release(&nodes);
	}
	return e;
}

/* ---- bare QEMU: sched_setaffinity ---------------------------------------- */

static int add_pin(struct np_apply_report *rep, pid_t tid, int vcpu,
		   const struct np_idset *want)
{
	struct np_apply_pin *p = &rep->pins[rep->npins];
	struct np_err ignore = { 0 };

	memset(p, 0, sizeof(*p));
	p->tid = tid;
	p->vcpu = vcpu;
	/* a thread that ended meanwhile keeps empty sets */
	np_thread_cpus(tid, &p->before, &ignore);
	if (idset_copy(&p->after, want))
		return -ENOMEM;
	rep->npins++;
	return 0;
}

static int plan_pins_report(struct np_apply_report *rep,
			    const struct np_vm *vm, const struct targets *t)
{
	rep->pins = calloc(vm->nvcpus + vm->nother + 1, sizeof(*rep->pins));
	if (!rep->pins)
		return -ENOMEM;
	for (size_t i = 0; i < vm->nvcpus; i++)
		if (add_pin(rep, vm->vcpus[i].tid, (int)vm->vcpus[i].index,
			    &t->vcpu_cpus[i]))
			return -ENOMEM;
	for (size_t i = 0; i < vm->nother; i++)
		if (add_pin(rep, vm->other_tids[i], -1, &t->other_cpus))
			return -ENOMEM;
	return 0;
}

static int gone(struct np_apply_report *rep, const struct np_vm *vm,
		const char *when, struct np_err *err)
{
	rep->exited = true;
	return np_fail_sys(err, -ESRCH, "process %d (%s) ended %s", (int)vm->pid,
			   vm->name ? vm->name : "QEMU", when);
}

static int set_pins(struct np_apply_report *rep, const struct np_vm *vm,
		    int pidfd, struct np_err *err)
{
	for (size_t i = 0; i < rep->npins; i++) {
		struct np_apply_pin *p = &rep->pins[i];
		int e;

		if (np_pidfd_alive(pidfd) != 1)
			return gone(rep, vm, "while its threads were pinned",
				    err);
		e = np_thread_bind_cpus(p->tid, &p->after, err);
		if (e == -ESRCH && p->vcpu < 0)
			continue;       /* an I/O worker that ended */
		if (e == -EPERM)
			return np_fail_sys(err, e, "thread %d of process %d: "
					   "sched_setaffinity: pinning another "
					   "user's threads needs CAP_SYS_NICE",
					   (int)p->tid, (int)vm->pid);
		if (e)
			return e;
	}
	return 0;
}

/* What the threads' affinity is now (not what was asked). */
static void read_back_pins(struct np_apply_report *rep)
{
	for (size_t i = 0; i < rep->npins; i++) {
		struct np_apply_pin *p = &rep->pins[i];
		struct np_idset now;
		struct np_err ignore = { 0 };

		if (np_thread_cpus(p->tid, &now, &ignore) == 0) {
			np_idset_free(&p->after);
			p->after = now;
		}
	}
}

/* ---- the target ------------------------------------------------------------ */

static bool same_path(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (!strcmp(a, b))
		return true;
	return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

/* The QEMU behind --domain (its -name guest=NAME) or --qmp (its -qmp). */
static int find_pid(const struct np_apply_opts *o, pid_t *pid,
		    struct np_err *err)
{
	struct np_vms_opts vo = { .root = o->root, .topo = o->topo,
				  .no_qmp = true };
	struct np_vm *vms;
	size_t n;
	int e;

	if (o->pid) {
		*pid = o->pid;
		return 0;
	}
	e = np_vms_list(&vo, NULL, 0, &vms, &n, err);
	if (e)
		return e;
	*pid = 0;
	for (size_t i = 0; i < n && !*pid; i++)
		if (o->domain ? vms[i].name && !strcmp(vms[i].name, o->domain) :
		    vms[i].qmp_path && same_path(vms[i].qmp_path, o->qmp))
			*pid = vms[i].pid;
	np_vms_free(vms, n);
	if (*pid)
		return 0;
	if (o->domain)
		return np_fail_input(err, -ENOENT, "no running QEMU of domain "
				     "'%s'", o->domain);
	return np_fail_input(err, -ENOENT, "no running QEMU has its QMP "
			     "socket at %s", o->qmp);
}

static int memory_ranges(struct np_apply_report *rep, const struct np_vm *vm,
			 const struct targets *t)
{
	rep->ranges = calloc(vm->nram + 1, sizeof(*rep->ranges));
	if (!rep->ranges)
		return -ENOMEM;
	for (size_t i = 0; i < vm->nram; i++)
		if (t->ram_node[i] >= 0)
			rep->ranges[rep->nranges++] = (struct np_move_range){
				vm->ram[i].start, vm->ram[i].len_bytes,
				vm->ram[i].page_bytes,
				(unsigned)t->ram_node[i] };
	return idset_copy(&rep->mem_nodes, &t->nodes);
}

static int move_memory(const struct np_apply_opts *o, struct np_apply_report *rep,
		       const struct np_vm *vm, int pidfd, struct np_err *err)
{
	struct np_move_opts mo = o->move;
	int e;

	if (!rep->nranges)
		return 0;
	mo.dry_run = o->dry_run;
	rep->order = mo.order;
	rep->moved = true;
	e = np_move_process_pages(pidfd, vm->pid, rep->ranges, rep->nranges,
				  &mo, &rep->move, err);
	if (e == -ESRCH || rep->move.target_exited)
		rep->exited = true;
	return e;
}

/* Reads each range's pages per node again (numa_maps) and counts those
 * off their target node. */
static int verify_ranges(const struct np_apply_opts *o,
			 struct np_apply_report *rep, const struct np_vm *vm)
{
	struct np_vms_opts vo = { .root = o->root, .topo = o->topo,
				  .no_qmp = true };
	struct np_err ignore = { 0 };
	struct np_vm now;

	if (np_vm_inspect(vm->pid, &vo, &now, &ignore))
		return -1;
	rep->off_target_pages = 0;
	for (size_t i = 0; i < rep->nranges; i++) {
		const struct np_move_range *r = &rep->ranges[i];
		const struct np_vm_ram *ram = NULL;

		for (size_t k = 0; k < now.nram && !ram; k++)
			if (now.ram[k].start == r->start)
				ram = &now.ram[k];
		if (!ram) {
			np_vm_free(&now);
			return -1;
		}
		for (size_t k = 0; k < ram->nnodes; k++)
			if (ram->nodes[k].node != r->target_node)
				rep->off_target_pages += ram->nodes[k].bytes /
							 r->page_bytes;
	}
	np_vm_free(&now);
	rep->verified = true;
	return 0;
}

static int apply_to(const struct np_apply_opts *o, const struct np_root *r,
		    struct np_vm *vm, int pidfd, struct np_apply_report *rep,
		    struct np_err *err)
{
	struct strbuf log = { 0 };
	struct targets t = { 0 };
	int e;

	e = o->plan_json ? targets_from_plan(o, vm, &t, err) :
	    o->nodes ? targets_from_nodes(o, vm, &t, err) :
	    np_fail_input(err, -EINVAL, "give --plan FILE --vm NAME or "
			  "--nodes LIST");
	/* the emulator and I/O threads where told, else the nodes' CPUs */
	if (!e && o->emulator_cpus && o->emulator_cpus->n) {
		np_idset_free(&t.other_cpus);
		if (idset_copy(&t.other_cpus, o->emulator_cpus))
			e = np_fail_sys(err, -ENOMEM, "out of memory");
	}
	if (!e && !vm->nvcpus)
		e = np_fail_input(err, -EINVAL, "process %d: no vCPU threads "
				  "found (give --qmp SOCKET, or start QEMU "
				  "with -name NAME,debug-threads=on)",
				  (int)vm->pid);
	if (!e)
		e = check_target(r, vm, &t, err);
	if (!e && (plan_pins_report(rep, vm, &t) ||
		   (!o->no_memory && memory_ranges(rep, vm, &t))))
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	if (!e && !o->dry_run) {
		if (o->domain)
			e = virsh_pins(o, vm, &t, &log, &rep->note, err);
		else
			e = set_pins(rep, vm, pidfd, err);
		read_back_pins(rep);
	}
	if (!e && np_pidfd_alive(pidfd) != 1)
		e = gone(rep, vm, "before its memory moved", err);
	if (!e && !o->no_memory)
		e = move_memory(o, rep, vm, pidfd, err);
	if ((!e || e == -EAGAIN) && rep->moved && !o->dry_run &&
	    verify_ranges(o, rep, vm) == 0 && e && !rep->off_target_pages) {
		const struct np_move_report *m = &rep->move;
		char note[256];

		snprintf(note, sizeof(note), "move_pages called %llu pages "
			 "busy or failed, yet numa_maps shows every page of "
			 "guest RAM on its target node afterwards",
			 (unsigned long long)(m->failed_ebusy + m->failed_eacces +
					      m->failed_enomem +
					      m->failed_efault +
					      m->failed_other));
		free(rep->note);
		rep->note = strdup(note);
		e = 0;
		memset(err, 0, sizeof(*err));
	}
	if (log.buf && !log.oom)
		rep->virsh_log = strdup(log.buf);
	sb_release(&log);
	targets_free(&t, vm->nvcpus);
	return e;
}

int np_apply(const struct np_apply_opts *o, struct np_apply_report *rep,
	     struct np_err *err)
{
	struct np_vms_opts vo = { .root = o->root, .topo = o->topo,
				  .qmp = o->qmp };
	struct np_root r;
	struct np_vm vm;
	pid_t pid;
	int pidfd, e;

	memset(rep, 0, sizeof(*rep));
	rep->dry_run = o->dry_run;
	rep->via_libvirt = o->domain != NULL;
	if (!o->topo)
		return np_fail_input(err, -EINVAL, "apply: no topology given");
	e = find_pid(o, &pid, err);
	if (e)
		return e;
	rep->pid = pid;
	/* the first look: from here on the pidfd names this process, and
	 * a PID reused after it ends is never touched */
	pidfd = np_pidfd_open(pid, err);
	if (pidfd < 0)
		return pidfd == -ESRCH ? np_fail_input(err, -ESRCH, "no process "
						       "%d", (int)pid) : pidfd;
	e = check_privilege(o->root ? o->root : "/", pid, err);
	if (!e)
		e = np_vm_inspect(pid, &vo, &vm, err);
	if (e) {
		close(pidfd);
		return e;
	}
	if (vm.name && !(rep->name = strdup(vm.name)))
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	if (!e)
		e = np_root_open(&r, o->root ? o->root : "/", err);
	if (!e) {
		e = apply_to(o, &r, &vm, pidfd, rep, err);
		np_root_close(&r);
	}
	np_vm_free(&vm);
	close(pidfd);
	return e;
}
