/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "view/view-placement.h"

#include "cli/cli.h"

#include <stdbool.h>

static double mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* A node's bytes of every kind. */
static uint64_t node_total(const struct np_placement_node *n)
{
	uint64_t sum = 0;

	for (int k = 0; k < NP_NKINDS; k++)
		sum += n->bytes[k];
	return sum;
}

void placement_print(FILE *f, const struct np_placement *w, int pid,
		     const char *comm)
{
	uint64_t all = 0;

	char safe[4096], safe2[256];

	fprintf(f, "Memory of PID %d (%s) by node and kind, in MiB:\n", pid,
		np_safe(comm, safe2, sizeof(safe2)));
	fprintf(f, "%-10s", "");
	for (size_t i = 0; i < w->nnodes; i++) {
		char h[16];

		snprintf(h, sizeof(h), "node %u", w->nodes[i].node);
		fprintf(f, " %10s", h);
	}
	fprintf(f, " %10s\n", "total");
	for (int k = 0; k <= NP_NKINDS; k++) {
		uint64_t row = 0;

		fprintf(f, "%-10s", k < NP_NKINDS ? np_mem_kind_name(k) : "total");
		for (size_t i = 0; i < w->nnodes; i++) {
			uint64_t b = k < NP_NKINDS ? w->nodes[i].bytes[k] :
				node_total(&w->nodes[i]);

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
	if (!w->noutside) {
		fprintf(f, "\nEvery page is on a node its policy allows.\n");
		return;
	}
	fprintf(f, "\nOutside the nodes of their policy:\n");
	for (size_t i = 0; i < w->noutside; i++) {
		const struct np_placement_outside *o = &w->outside[i];

		fprintf(f, "  %8.2f MiB on node %u: %s%s%s (policy %s)\n    %s\n",
		       mib(o->bytes), o->node, np_mem_kind_name(o->kind),
		       o->path ? " " : "",
		       np_safe(o->path ? o->path : "", safe, sizeof(safe)),
		       np_safe(o->policy, safe2, sizeof(safe2)), o->reason);
	}
}

json_object *placement_json(const struct np_placement *w, int pid,
			    const char *comm)
{
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
		for (size_t i = 0; i < w->nnodes; i++) {
			json_object *n = json_object_new_object();
			uint64_t b = w->nodes[i].bytes[k];

			json_object_object_add(n, "node",
					       json_object_new_int64(w->nodes[i].node));
			json_object_object_add(n, "bytes",
					       json_object_new_int64((int64_t)b));
			json_object_array_add(nodes, n);
			row += b;
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
	for (size_t i = 0; i < w->noutside; i++) {
		const struct np_placement_outside *x = &w->outside[i];
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

