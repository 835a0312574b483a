/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "view/view-apply.h"

#include "cli/cli.h"
#include "cli/cli-json.h"

#include <inttypes.h>
#include <string.h>

#include "view/view-vms.h"

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void pins_print(FILE *f, const struct np_apply_report *rep)
{
	char before[512], after[512];

	fprintf(f, "threads pinned (affinity before -> %s):\n",
		rep->dry_run ? "planned" : "after, read back");
	for (size_t i = 0; i < rep->npins; i++) {
		const struct np_apply_pin *p = &rep->pins[i];
		char what[32];

		if (p->vcpu >= 0)
			snprintf(what, sizeof(what), "vCPU %d", p->vcpu);
		else
			snprintf(what, sizeof(what), "other");
		fprintf(f, "  %-8s thread %-8d %s -> %s\n", what, (int)p->tid,
			view_idlist(&p->before, before, sizeof(before)),
			view_idlist(&p->after, after, sizeof(after)));
	}
}

static void node_pages_print(FILE *f, const char *what,
			     const struct np_move_node_pages *a, size_t n)
{
	fprintf(f, "  %-7s", what);
	if (!n)
		fprintf(f, " (no page present)");
	for (size_t i = 0; i < n; i++)
		fprintf(f, " node %u: %" PRIu64 " pages", a[i].node,
			a[i].pages);
	fprintf(f, "\n");
}

static void move_print(FILE *f, const struct np_apply_report *rep)
{
	const struct np_move_report *m = &rep->move;

	if (!rep->nranges && !rep->moved)
		return;
	fprintf(f, "guest RAM: %zu range%s:\n", rep->nranges,
		rep->nranges == 1 ? "" : "s");
	for (size_t i = 0; i < rep->nranges; i++)
		fprintf(f, "  0x%" PRIx64 " %.1f MiB -> node %u\n",
			rep->ranges[i].start,
			(double)rep->ranges[i].len_bytes / (1 << 20),
			rep->ranges[i].target_node);
	if (!rep->moved)
		return;
	fprintf(f, "  pages: %" PRIu64 " in the ranges, %" PRIu64
		" present, %" PRIu64 " to move, %" PRIu64 " moved\n",
		m->pages_total, m->pages_present, m->pages_to_move,
		m->pages_moved);
	fprintf(f, "  failed: EBUSY %" PRIu64 ", EACCES %" PRIu64 ", ENOMEM %"
		PRIu64 ", EFAULT %" PRIu64 ", other %" PRIu64 "\n",
		m->failed_ebusy, m->failed_eacces, m->failed_enomem,
		m->failed_efault, m->failed_other);
	fprintf(f, "  batches: %u of %" PRIu64 " pages by %u thread%s; "
		"longest %.3f ms, median %.3f ms; %.1f MiB/s; %.3f s in all\n",
		m->batches, m->batch_pages, m->threads,
		m->threads == 1 ? "" : "s", ms(m->longest_batch_ns),
		ms(m->median_batch_ns), m->mibps, (double)m->elapsed_ns / 1e9);
	fprintf(f, "  order: %s (hot pages: %s, %" PRIu64 " found)\n",
		rep->order == NP_MOVE_HOT_FIRST ? "hot-first" : "address",
		np_move_hot_source_name(m->hot_source), m->pages_hot);
	node_pages_print(f, "before:", m->before, m->nbefore);
	node_pages_print(f, "after:", m->after, m->nafter);
	if (rep->verified)
		fprintf(f, "  numa_maps afterwards: %llu pages off their "
			"target node\n",
			(unsigned long long)rep->off_target_pages);
}

void apply_print(FILE *f, const struct np_apply_report *rep)
{
	char safe[256];

	fprintf(f, "VM %s (PID %d)%s%s:\n",
		np_safe(rep->name ? rep->name : "-", safe, sizeof(safe)),
		(int)rep->pid, rep->via_libvirt ? " through libvirt" : "",
		rep->dry_run ? ", dry run: nothing changed" : "");
	if (rep->virsh_log)
		fprintf(f, "%s", np_safe(rep->virsh_log, safe, sizeof(safe)));
	pins_print(f, rep);
	move_print(f, rep);
	if (rep->note)
		fprintf(f, "note: %s\n", np_safe(rep->note, safe, sizeof(safe)));
	if (rep->exited)
		fprintf(f, "the VM ended before apply was done: the report is "
			"partial\n");
}

/* ---- JSON ---------------------------------------------------------------- */

static void add(json_object *arr, json_object *o, bool *oom)
{
	if (!o || json_object_array_add(arr, o)) {
		json_object_put(o);
		*oom = true;
	}
}

static json_object *ids(const struct np_idset *s, bool *oom)
{
	json_object *a = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; a && i < s->n; i++)
		add(a, np_json_checked(json_object_new_int64(s->ids[i]), oom),
		    oom);
	return a;
}

static json_object *node_pages(const struct np_move_node_pages *p, size_t n,
			       bool *oom)
{
	json_object *a = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; a && i < n; i++) {
		json_object *o = np_json_checked(json_object_new_object(), oom);

		if (!o)
			break;
		np_json_add_u64(o, "node", p[i].node, oom);
		np_json_add_u64(o, "pages", p[i].pages, oom);
		add(a, o, oom);
	}
	return a;
}

static json_object *move_json(const struct np_apply_report *rep, bool *oom)
{
	const struct np_move_report *m = &rep->move;
	json_object *o = np_json_checked(json_object_new_object(), oom);
	json_object *failed, *first;

	if (!o)
		return NULL;
	np_json_add_u64(o, "pages_total", m->pages_total, oom);
	np_json_add_u64(o, "pages_present", m->pages_present, oom);
	np_json_add_u64(o, "pages_to_move", m->pages_to_move, oom);
	np_json_add_u64(o, "pages_moved", m->pages_moved, oom);
	np_json_add_u64(o, "pages_hot", m->pages_hot, oom);
	failed = np_json_checked(json_object_new_object(), oom);
	if (failed) {
		np_json_add_u64(failed, "EBUSY", m->failed_ebusy, oom);
		np_json_add_u64(failed, "EACCES", m->failed_eacces, oom);
		np_json_add_u64(failed, "ENOMEM", m->failed_enomem, oom);
		np_json_add_u64(failed, "EFAULT", m->failed_efault, oom);
		np_json_add_u64(failed, "other", m->failed_other, oom);
	}
	np_json_add(o, "failed", failed, oom);
	np_json_add(o, "before", node_pages(m->before, m->nbefore, oom), oom);
	np_json_add(o, "after", node_pages(m->after, m->nafter, oom), oom);
	np_json_add_u64(o, "batches", m->batches, oom);
	np_json_add_u64(o, "threads", m->threads, oom);
	np_json_add_u64(o, "batch_pages", m->batch_pages, oom);
	np_json_add_u64(o, "batch_bytes_max", m->batch_bytes_max, oom);
	np_json_add_u64(o, "batch_bytes_cap", m->batch_bytes_cap, oom);
	np_json_add_u64(o, "move_ns", m->move_ns, oom);
	np_json_add_u64(o, "longest_batch_ns", m->longest_batch_ns, oom);
	np_json_add_u64(o, "median_batch_ns", m->median_batch_ns, oom);
	np_json_add_u64(o, "elapsed_ns", m->elapsed_ns, oom);
	np_json_add_num(o, "mibps", m->mibps, oom);
	np_json_add_str(o, "order", rep->order == NP_MOVE_HOT_FIRST ?
			"hot-first" : "address", oom);
	np_json_add_str(o, "hot_source", np_move_hot_source_name(m->hot_source),
			oom);
	first = np_json_checked(json_object_new_array(), oom);
	for (size_t i = 0; first && i < m->nfirst_moved; i++) {
		char a[32];

		snprintf(a, sizeof(a), "0x%" PRIx64, m->first_moved[i]);
		add(first, np_json_checked(json_object_new_string(a), oom),
		    oom);
	}
	np_json_add(o, "first_moved", first, oom);
	np_json_add(o, "target_exited", np_json_checked(
		json_object_new_boolean(m->target_exited), oom), oom);
	np_json_add(o, "dry_run", np_json_checked(
		json_object_new_boolean(m->dry_run), oom), oom);
	return o;
}

json_object *apply_json(const struct np_apply_report *rep, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);
	json_object *pins, *ranges;

	if (!o)
		return NULL;
	np_json_add_str(o, "schema", "numaplace-apply/1", oom);
	np_json_add_u64(o, "pid", (uint64_t)rep->pid, oom);
	np_json_add(o, "name", rep->name ? np_json_checked(
		json_object_new_string(rep->name), oom) : NULL, oom);
	np_json_add(o, "libvirt", np_json_checked(json_object_new_boolean(
		rep->via_libvirt), oom), oom);
	np_json_add(o, "dry_run", np_json_checked(json_object_new_boolean(
		rep->dry_run), oom), oom);
	np_json_add(o, "exited", np_json_checked(json_object_new_boolean(
		rep->exited), oom), oom);
	pins = np_json_checked(json_object_new_array(), oom);
	for (size_t i = 0; pins && i < rep->npins; i++) {
		const struct np_apply_pin *p = &rep->pins[i];
		json_object *j = np_json_checked(json_object_new_object(), oom);

		if (!j)
			break;
		np_json_add_u64(j, "thread", (uint64_t)p->tid, oom);
		np_json_add(j, "vcpu", p->vcpu < 0 ? NULL : np_json_checked(
			json_object_new_int(p->vcpu), oom), oom);
		np_json_add(j, "before", ids(&p->before, oom), oom);
		np_json_add(j, "after", ids(&p->after, oom), oom);
		add(pins, j, oom);
	}
	np_json_add(o, "pins", pins, oom);
	ranges = np_json_checked(json_object_new_array(), oom);
	for (size_t i = 0; ranges && i < rep->nranges; i++) {
		json_object *j = np_json_checked(json_object_new_object(), oom);
		char a[32];

		if (!j)
			break;
		snprintf(a, sizeof(a), "0x%" PRIx64, rep->ranges[i].start);
		np_json_add_str(j, "start", a, oom);
		np_json_add_u64(j, "len_bytes", rep->ranges[i].len_bytes, oom);
		np_json_add_u64(j, "page_bytes", rep->ranges[i].page_bytes,
				oom);
		np_json_add_u64(j, "target_node", rep->ranges[i].target_node,
				oom);
		add(ranges, j, oom);
	}
	np_json_add(o, "ranges", ranges, oom);
	np_json_add(o, "off_target_pages_after", rep->verified ?
		    np_json_checked(json_object_new_int64(
			    (int64_t)rep->off_target_pages), oom) : NULL, oom);
	np_json_add(o, "move", rep->moved ? move_json(rep, oom) : NULL,
		    oom);
	np_json_add(o, "virsh", rep->virsh_log ? np_json_checked(
		json_object_new_string(rep->virsh_log), oom) : NULL, oom);
	np_json_add(o, "note", rep->note ? np_json_checked(
		json_object_new_string(rep->note), oom) : NULL, oom);
	return o;
}
