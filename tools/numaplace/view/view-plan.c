/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace plan --emit table: the plan for a terminal. */
#include "view/view-plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/units.h>

#include "cli/cli.h"

/* ids in the list form ("0-3,5"), malloc'd; NULL when memory ran out. */
static char *ids_string(const unsigned *ids, size_t n)
{
	size_t need = np_idlist_format(NULL, 0, ids, n, ",");
	char *s = malloc(need + 1);

	if (s)
		np_idlist_format(s, need + 1, ids, n, ",");
	return s;
}

static void print_ids(FILE *f, const unsigned *ids, size_t n)
{
	char *s = ids_string(ids, n);

	fputs(s ? s : "?", f);
	free(s);
}

static void print_mib(FILE *f, uint64_t mib)
{
	char b[32];

	fputs(np_format_bytes(b, sizeof(b), mib << 20), f);
}

static void vm_row(FILE *f, const struct np_plan_vm *vm)
{
	char name[64];
	uint64_t total = 0;

	for (size_t i = 0; i < vm->nodes.n; i++)
		total += vm->memory_mib[i];
	fprintf(f, "%-16s %5u  ", np_safe(vm->name, name, sizeof(name)),
		vm->vcpus);
	if (!vm->placed) {
		fprintf(f, "refused: %s\n", vm->reason ? vm->reason : "");
		return;
	}
	fprintf(f, "%-8s ", vm->interleaved ? "interlv" : "bind");
	for (size_t i = 0; i < vm->nodes.n; i++) {
		fprintf(f, "%s%u:", i ? " " : "", vm->nodes.ids[i]);
		print_mib(f, vm->memory_mib[i]);
	}
	fputs("  vCPUs ", f);
	for (size_t c = 0; c < vm->ncells; c++) {
		const struct np_plan_cell *cell = &vm->cells[c];

		if (!cell->nvcpus)
			continue;
		fprintf(f, "%s%u-%u→", c ? " " : "", cell->first_vcpu,
			cell->first_vcpu + cell->nvcpus - 1);
		if (vm->dedicated) {
			unsigned cpus[cell->nvcpus];

			for (unsigned v = 0; v < cell->nvcpus; v++)
				cpus[v] = vm->vcpu_cpus[cell->first_vcpu + v].ids[0];
			fputs("CPUs ", f);
			print_ids(f, cpus, cell->nvcpus);
		} else {
			fprintf(f, "node %u", cell->host_node);
		}
	}
	if (vm->interleaved)
		fputs("all nodes", f);
	fputc('\n', f);
}

static void host_rows(FILE *f, const struct np_plan_host *h)
{
	fprintf(f, "\nleft on the host:\n%-6s %12s %-16s %8s  %s\n", "node",
		"free memory", "free CPUs", "shared", "hugepages free");
	for (size_t i = 0; i < h->nnodes; i++) {
		const struct np_plan_node *n = &h->nodes[i];
		unsigned freec[n->ncpus ? n->ncpus : 1];
		size_t nf = 0;
		char b[32], *list;

		for (size_t a = 0; a < n->ncpus; a++)
			if (!n->cpu_taken || !n->cpu_taken[a])
				freec[nf++] = n->cpus[a];
		fprintf(f, "%-6u %12s ", n->id, np_format_bytes(b, sizeof(b),
			n->free_mib << 20));
		list = nf ? ids_string(freec, nf) : NULL;
		fprintf(f, "%-16s", nf ? (list ? list : "?") :
			n->memory_only ? "(memory only)" : "-");
		free(list);
		fprintf(f, " %8llu ", (unsigned long long)n->shared_vcpus);
		for (size_t k = 0; k < n->nhuge; k++)
			fprintf(f, " %s:%llu", np_format_bytes(b, sizeof(b),
				n->huge[k].size_bytes),
				(unsigned long long)n->huge[k].free);
		fputc('\n', f);
	}
}

int view_plan_table(FILE *f, const struct np_plan *p)
{
	fprintf(f, "strategy %s: %zu of %zu VMs placed\n\n",
		np_plan_strategy_name(p->strategy), p->placed, p->nvms);
	fprintf(f, "%-16s %5s  %-8s %s\n", "VM", "vCPUs", "policy",
		"node:memory  vCPUs→host");
	for (size_t i = 0; i < p->nvms; i++)
		vm_row(f, &p->vms[i]);
	host_rows(f, p->left);
	fputs("\nlargest VM that still fits:\n", f);
	for (size_t k = 0; k < p->nlargest; k++) {
		if (k && p->largest_mib[k] == p->largest_mib[k - 1] &&
		    p->largest_vcpus[k] == p->largest_vcpus[k - 1])
			break;
		fprintf(f, "  on ≤ %zu node%s: %u vCPUs, ", k + 1,
			k ? "s" : " ", p->largest_vcpus[k]);
		print_mib(f, p->largest_mib[k]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < p->nvms; i++)
		if (p->vms[i].explain)
			fprintf(f, "%s%s", i ? "" : "\n", p->vms[i].explain);
	return ferror(f) ? -EIO : 0;
}
