/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "view/view-placement.h"

#include <stdbool.h>
#include <string.h>

static size_t node_col(struct table *t, unsigned node)
{
	size_t i;

	for (i = 0; i < t->nnodes && t->nodes[i] < node; i++)
		;
	if (i < t->nnodes && t->nodes[i] == node)
		return i;
	if (t->nnodes == MAX_NODES)
		return MAX_NODES - 1;
	memmove(&t->nodes[i + 1], &t->nodes[i],
		(t->nnodes - i) * sizeof(t->nodes[0]));
	for (int k = 0; k < NP_NKINDS; k++)
		memmove(&t->bytes[k][i + 1], &t->bytes[k][i],
			(t->nnodes - i) * sizeof(uint64_t));
	t->nodes[i] = node;
	for (int k = 0; k < NP_NKINDS; k++)
		t->bytes[k][i] = 0;
	t->nnodes++;
	return i;
}

/* Why pages of this mapping are on a node its policy does not name. */
static const char *reason_for(const struct np_mapping *m, const char *mode)
{
	if (m->kind == NP_KIND_FILE && m->path && strstr(m->path, ".so"))
		return "shared-library pages: the page cache keeps one copy for "
		       "all processes, on the node where it was first read; a "
		       "policy places only pages this process allocates";
	if (m->kind == NP_KIND_FILE)
		return "file pages already in the page cache before this process "
		       "mapped them (placed by whoever read them first); a "
		       "policy places only new pages";
	if (m->kind == NP_KIND_SHMEM)
		return "shared memory: its pages were placed by whoever touched "
		       "them first, possibly another process";
	if (m->kind == NP_KIND_HUGETLB)
		return "hugetlb pages come from the per-node huge page pools; "
		       "the pool of the policy's node was empty";
	if (!strncmp(mode, "prefer", 6))
		return "the preferred node could not supply these pages (full or "
		       "short of free memory), so the kernel fell back by "
		       "distance";
	return "faulted before this policy was set (or migrated here since): "
	       "a policy places new pages, it does not move old ones";
}

static void note_outside(struct placement *w, const struct np_mapping *m,
			 const char *mode, unsigned node, uint64_t bytes)
{
	const char *reason = reason_for(m, mode);

	for (size_t i = 0; i < w->nout; i++) {
		struct outside *o = &w->out[i];

		if (o->node == node && o->kind == m->kind &&
		    o->reason == reason && !strcmp(o->policy, m->policy) &&
		    ((!o->path && !m->path) ||
		     (o->path && m->path && !strcmp(o->path, m->path)))) {
			o->bytes += bytes;
			return;
		}
	}
	if (w->nout < sizeof(w->out) / sizeof(w->out[0]))
		w->out[w->nout++] = (struct outside){ node, m->kind, m->path,
						      m->policy, reason, bytes };
}

void placement_account(struct placement *w, const struct np_numa_maps *maps)
{
	for (size_t i = 0; i < maps->n; i++) {
		const struct np_mapping *m = &maps->maps[i];
		unsigned pol[MAX_NODES];
		char mode[32];
		size_t npol = np_policy_nodes(m->policy, pol, MAX_NODES, mode,
					      sizeof(mode));

		w->thp_bytes += m->thp_bytes;
		for (size_t k = 0; k < m->nnodes; k++) {
			uint64_t bytes = m->nodes[k].pages * m->page_bytes;
			bool inside = npol == 0;

			w->tab.bytes[m->kind][node_col(&w->tab, m->nodes[k].node)] +=
				bytes;
			for (size_t j = 0; j < npol && !inside; j++)
				inside = pol[j] == m->nodes[k].node;
			if (!inside && bytes)
				note_outside(w, m, mode, m->nodes[k].node, bytes);
		}
	}
}

static double mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

void placement_print(FILE *f, const struct placement *w, int pid,
		     const char *comm)
{
	const struct table *t = &w->tab;
	uint64_t total[MAX_NODES] = { 0 }, all = 0;

	fprintf(f, "Memory of PID %d (%s) by node and kind, in MiB:\n", pid, comm);
	fprintf(f, "%-10s", "");
	for (size_t i = 0; i < t->nnodes; i++) {
		char h[16];

		snprintf(h, sizeof(h), "node %u", t->nodes[i]);
		fprintf(f, " %10s", h);
	}
	fprintf(f, " %10s\n", "total");
	for (int k = 0; k <= NP_NKINDS; k++) {
		uint64_t row = 0;

		fprintf(f, "%-10s", k < NP_NKINDS ? np_mem_kind_name(k) : "total");
		for (size_t i = 0; i < t->nnodes; i++) {
			uint64_t b = k < NP_NKINDS ? t->bytes[k][i] : total[i];

			if (k < NP_NKINDS)
				total[i] += b;
			row += b;
			fprintf(f, " %10.2f", mib(b));
		}
		if (k < NP_NKINDS)
			all += row;
		fprintf(f, " %10.2f\n", mib(k < NP_NKINDS ? row : all));
	}
	if (w->thp_bytes)
		fprintf(f, "(of the anonymous memory, %.2f MiB is in transparent "
			"huge pages)\n", mib(w->thp_bytes));
	if (!w->nout) {
		fprintf(f, "\nEvery page is on a node its policy allows.\n");
		return;
	}
	fprintf(f, "\nOutside the nodes of their policy:\n");
	for (size_t i = 0; i < w->nout; i++) {
		const struct outside *o = &w->out[i];

		fprintf(f, "  %8.2f MiB on node %u: %s%s%s (policy %s)\n    %s\n",
		       mib(o->bytes), o->node, np_mem_kind_name(o->kind),
		       o->path ? " " : "", o->path ? o->path : "", o->policy,
		       o->reason);
	}
}

json_object *placement_json(const struct placement *w, int pid,
			    const char *comm)
{
	const struct table *t = &w->tab;
	json_object *o = json_object_new_object(), *kinds, *outs;

	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "comm", json_object_new_string(comm));
	kinds = json_object_new_array();
	for (int k = 0; k < NP_NKINDS; k++) {
		json_object *ko = json_object_new_object(), *nodes;
		uint64_t row = 0;

		json_object_object_add(ko, "kind",
				       json_object_new_string(np_mem_kind_name(k)));
		nodes = json_object_new_array();
		for (size_t i = 0; i < t->nnodes; i++) {
			json_object *n = json_object_new_object();

			json_object_object_add(n, "node",
					       json_object_new_int64(t->nodes[i]));
			json_object_object_add(n, "bytes",
					       json_object_new_int64((int64_t)t->bytes[k][i]));
			json_object_array_add(nodes, n);
			row += t->bytes[k][i];
		}
		json_object_object_add(ko, "nodes", nodes);
		json_object_object_add(ko, "total_bytes",
				       json_object_new_int64((int64_t)row));
		json_object_array_add(kinds, ko);
	}
	json_object_object_add(o, "kinds", kinds);
	json_object_object_add(o, "thp_bytes",
			       json_object_new_int64((int64_t)w->thp_bytes));
	outs = json_object_new_array();
	for (size_t i = 0; i < w->nout; i++) {
		const struct outside *x = &w->out[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "node", json_object_new_int64(x->node));
		json_object_object_add(e, "kind",
				       json_object_new_string(np_mem_kind_name(x->kind)));
		json_object_object_add(e, "path", x->path ?
				       json_object_new_string(x->path) : NULL);
		json_object_object_add(e, "policy", json_object_new_string(x->policy));
		json_object_object_add(e, "bytes",
				       json_object_new_int64((int64_t)x->bytes));
		json_object_object_add(e, "reason", json_object_new_string(x->reason));
		json_object_array_add(outs, e);
	}
	json_object_object_add(o, "outside_policy", outs);
	return o;
}

