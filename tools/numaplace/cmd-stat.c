/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace stat: the per-node numastat counters and meminfo of this
 * machine or a dump, in the layout of numastat (numactl 2.0.16) run
 * without arguments and with -m, or as JSON.
 */
#include "cli/cli.h"
#include "cli/cli-json.h"
#include "cli/cli-opts.h"
#include "view/view-stat-table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include <numaplace/topo.h>

#define LABEL_WIDTH 16
#define VALUE_WIDTH 16
#define MIB 1048576.0
#define KIB 1024.0

void usage_stat(FILE *out)
{
	fprintf(out,
		"usage: numaplace stat [-m] [--json] [--sysroot DIR]\n"
		"\n"
		"Shows the per-node NUMA allocation counters (numa_hit, numa_miss, ...) in\n"
		"pages, in the layout of 'numastat' without arguments.\n"
		"\n"
		"    -m, --meminfo       per-node meminfo in MB, in the layout of 'numastat -m';\n"
		"                        fields numastat does not know are shown as rows after\n"
		"                        its own (numastat drops them with a warning)\n"
		"    -j, --json          counters and meminfo as JSON, in the kernel's units\n"
		"                        (pages, kB, hugepages): the same with or without -m\n"
		"        --sysroot DIR   read DIR/sys instead of /sys (a dump)\n"
		"    -h, --help          show this help\n"
		"\n"
		"Lines are folded like numastat's: at $NUMASTAT_WIDTH columns if set, else\n"
		"at 80 on a terminal, else not at all.\n");
}

struct stat_opts {
	bool json, meminfo;
	const char *sysroot;
};

static enum cli_next parse_stat_opts(int argc, char **argv,
				     struct stat_opts *o, int *exit_code)
{
	const struct cli_option options[] = {
		CLI_FLAG('m', "meminfo", &o->meminfo),
		CLI_FLAG('j', "json", &o->json),
		CLI_STRING(0, "sysroot", &o->sysroot, "DIR"),
		CLI_END(),
	};
	const struct cli_parser parser = {
		"stat", usage_stat, options, CLI_NO_OPERANDS,
	};

	return cli_parse_options(&parser, argc, argv, NULL, exit_code);
}

/* ---- which meminfo fields, in which order ---- */

/* numastat's system_meminfo[]: its rows, in its order, whatever the file's. */
static const char *const numastat_meminfo_rows[] = {
	"MemTotal", "MemFree", "MemUsed", "HighTotal", "HighFree",
	"LowTotal", "LowFree", "Active", "Inactive", "Active(anon)",
	"Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable",
	"Mlocked", "Dirty", "Writeback", "FilePages", "Mapped", "AnonPages",
	"Shmem", "KernelStack", "PageTables", "NFS_Unstable", "Bounce",
	"WritebackTmp", "Slab", "SReclaimable", "SUnreclaim", "AnonHugePages",
	"ShmemHugePages", "ShmemPmdMapped", "HugePages_Total",
	"HugePages_Free", "HugePages_Surp", "KReclaimable",
};
#define NUMASTAT_MEMINFO_ROWS \
	(sizeof(numastat_meminfo_rows) / sizeof(numastat_meminfo_rows[0]))

#define NUMASTAT_COUNTER_ROWS NP_NUMASTAT_COUNTERS

static long known_meminfo_row(const char *name)
{
	for (size_t i = 0; i < NUMASTAT_MEMINFO_ROWS; i++)
		if (strcmp(numastat_meminfo_rows[i], name) == 0)
			return (long)i;
	return -1;
}

/* Every meminfo field of the machine once, in order of first appearance. */
struct field_list {
	const struct np_counter **f; /* point into the topology */
	size_t n;
};

static long field_index(const struct field_list *l, const struct np_counter *c)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->f[i]->is_kib == c->is_kib &&
		    strcmp(l->f[i]->name, c->name) == 0)
			return (long)i;
	return -1;
}

static int collect_fields(const struct np_topo *t, bool only_unknown,
			  struct field_list *l)
{
	size_t max = 0;

	for (size_t i = 0; i < t->nnodes; i++)
		max += t->nodes[i].nmeminfo;
	l->n = 0;
	l->f = calloc(max ? max : 1, sizeof(*l->f));
	if (!l->f)
		return -ENOMEM;
	for (size_t i = 0; i < t->nnodes; i++) {
		for (size_t k = 0; k < t->nodes[i].nmeminfo; k++) {
			const struct np_counter *c = &t->nodes[i].meminfo[k];

			if (only_unknown && known_meminfo_row(c->name) >= 0)
				continue;
			if (field_index(l, c) < 0)
				l->f[l->n++] = c;
		}
	}
	return 0;
}

/* ---- the two numastat tables ---- */

static void setup_value_col(struct np_stat_table *tab, size_t col,
			    unsigned decimals)
{
	tab->cols[col] = (struct np_stat_col){ VALUE_WIDTH, decimals,
					       NP_STAT_RIGHT };
}

/*
 * `numastat` without arguments (its "compatibility mode"): token labels,
 * "nodeN" headers, raw page counts.  numastat still sums a Total column
 * there but never gives it a header or a width, so it prints nothing and
 * never folds a line: kept as such, so the folding is numastat's.
 */
static int build_counter_table(const struct np_topo *t,
			       struct np_stat_table *tab)
{
	size_t total = 1 + t->nnodes;
	char header[32];

	if (np_stat_table_init(tab, 1, 1, NUMASTAT_COUNTER_ROWS, t->nnodes + 1))
		return -ENOMEM;
	tab->cols[0] = (struct np_stat_col){ LABEL_WIDTH, 0, NP_STAT_LEFT };
	for (size_t k = 0; k < NUMASTAT_COUNTER_ROWS; k++)
		np_stat_set_text(tab, 1 + k, 0, np_numastat_name((unsigned)k));
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct np_node *n = &t->nodes[i];

		snprintf(header, sizeof(header), "node%u", n->id);
		np_stat_set_text(tab, 0, 1 + i, header);
		setup_value_col(tab, 1 + i, 0);
		/* A node without the file has no data: its column is left out. */
		if (!n->has_numastat)
			continue;
		for (size_t k = 0; k < NUMASTAT_COUNTER_ROWS; k++) {
			double v = (double)np_numastat_get(&n->numastat, (unsigned)k);

			np_stat_set_number(tab, 1 + k, 1 + i, v);
			np_stat_add_number(tab, 1 + k, total, v);
		}
	}
	return 0;
}

/*
 * numastat multiplies HugePages_* by the default hugepage size of
 * /proc/meminfo; the topology has it when its source had proc/meminfo.
 * A dump without it: the kernel's HugePages_* lines describe the default
 * pool, so take the pool size whose counts equal them on every node (the
 * smallest if several do), else the smallest pool, else 2 MiB.
 */
static const struct np_counter *meminfo_field(const struct np_node *n,
					      const char *name)
{
	for (size_t k = 0; k < n->nmeminfo; k++)
		if (strcmp(n->meminfo[k].name, name) == 0)
			return &n->meminfo[k];
	return NULL;
}

static bool pool_matches(const struct np_node *n, uint64_t size_bytes)
{
	const struct np_counter *tot = meminfo_field(n, "HugePages_Total");
	const struct np_counter *fr = meminfo_field(n, "HugePages_Free");
	const struct np_counter *su = meminfo_field(n, "HugePages_Surp");
	struct np_hugepages none = { size_bytes, 0, 0, 0 };
	const struct np_hugepages *hp = &none;

	for (size_t k = 0; k < n->nhugepages; k++)
		if (n->hugepages[k].size_bytes == size_bytes)
			hp = &n->hugepages[k];
	return (!tot || tot->value == hp->total) &&
	       (!fr || fr->value == hp->free) &&
	       (!su || su->value == hp->surplus);
}

static double default_hugepage_bytes(const struct np_topo *t)
{
	uint64_t smallest = 0, best = 0;

	if (t->default_hugepage_bytes != NP_UNKNOWN)
		return (double)t->default_hugepage_bytes;

	for (size_t i = 0; i < t->nnodes; i++) {
		for (size_t k = 0; k < t->nodes[i].nhugepages; k++) {
			uint64_t size = t->nodes[i].hugepages[k].size_bytes;
			bool all = true;

			if (!smallest || size < smallest)
				smallest = size;
			for (size_t j = 0; all && j < t->nnodes; j++)
				all = pool_matches(&t->nodes[j], size);
			if (all && (!best || size < best))
				best = size;
		}
	}
	if (best)
		return (double)best;
	return smallest ? (double)smallest : 2.0 * MIB;
}

/* numastat's multiplier: HugePages first, then kB, else bytes. */
static double meminfo_mib(const struct np_counter *c, double hugepage_bytes)
{
	double v = (double)c->value;

	if (strncmp(c->name, "HugePages", 9) == 0)
		v *= hugepage_bytes;
	else if (c->is_kib)
		v *= KIB;
	v /= MIB;
	return v;
}

static long meminfo_row(const struct field_list *unknown,
			const struct np_counter *c)
{
	long row = known_meminfo_row(c->name);

	if (row < 0)
		row = (long)NUMASTAT_MEMINFO_ROWS + field_index(unknown, c);
	return row;
}

static void meminfo_headers(const struct np_topo *t, struct np_stat_table *tab)
{
	char header[32];

	tab->cols[0] = (struct np_stat_col){ LABEL_WIDTH, 0, NP_STAT_LEFT };
	for (size_t i = 0; i <= t->nnodes; i++) {
		if (i < t->nnodes)
			snprintf(header, sizeof(header), "Node %u",
				 t->nodes[i].id);
		else
			snprintf(header, sizeof(header), "Total");
		np_stat_set_text(tab, 0, 1 + i, header);
		np_stat_set_rule(tab, 1, 1 + i, '-');
		setup_value_col(tab, 1 + i, 2);
	}
}

/*
 * `numastat -m`: numastat's rows in its order, then the fields it does
 * not know (it prints "Token X not in hash table." for those and drops
 * them) in the order they first appear.
 */
static int build_meminfo_table(const struct np_topo *t,
			       struct np_stat_table *tab)
{
	double hugepage_bytes = default_hugepage_bytes(t);
	size_t total = 1 + t->nnodes;
	struct field_list unknown;

	if (collect_fields(t, true, &unknown))
		return -ENOMEM;
	if (np_stat_table_init(tab, 2, 1, NUMASTAT_MEMINFO_ROWS + unknown.n,
			       t->nnodes + 1)) {
		free(unknown.f);
		return -ENOMEM;
	}
	meminfo_headers(t, tab);
	for (size_t r = 0; r < NUMASTAT_MEMINFO_ROWS; r++)
		np_stat_set_text(tab, 2 + r, 0, numastat_meminfo_rows[r]);
	for (size_t r = 0; r < unknown.n; r++)
		np_stat_set_text(tab, 2 + NUMASTAT_MEMINFO_ROWS + r, 0,
				 unknown.f[r]->name);
	for (size_t i = 0; i < t->nnodes; i++) {
		for (size_t k = 0; k < t->nodes[i].nmeminfo; k++) {
			const struct np_counter *c = &t->nodes[i].meminfo[k];
			size_t row = 2 + (size_t)meminfo_row(&unknown, c);
			double v = meminfo_mib(c, hugepage_bytes);

			np_stat_set_number(tab, row, 1 + i, v);
			np_stat_add_number(tab, row, total, v);
		}
	}
	free(unknown.f);
	return 0;
}

static int render_text(const struct stat_opts *o, const struct np_topo *t,
		       FILE *out)
{
	int width = np_stat_screen_width(getenv("NUMASTAT_WIDTH"),
					 isatty(STDOUT_FILENO));
	struct np_stat_table tab;
	int e;

	if (o->meminfo) {
		fputs("\nPer-node system memory usage (in MBs):\n", out);
		e = build_meminfo_table(t, &tab);
	} else {
		e = build_counter_table(t, &tab);
	}
	if (e)
		return e;
	e = np_stat_table_render(&tab, width, out);
	np_stat_table_fini(&tab);
	return e;
}

/* ---- JSON ---- */

static json_object *json_counters(const struct np_node_numastat *s, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);

	for (size_t k = 0; k < NUMASTAT_COUNTER_ROWS; k++)
		np_json_add_u64(o, np_numastat_name((unsigned)k), np_numastat_get(s, (unsigned)k), oom);
	return o;
}

/* Keys as in docs/topo-json.md: "MemTotal_kB", "HugePages_Total". */
static void meminfo_key(const struct np_counter *c, char key[40])
{
	snprintf(key, 40, "%s%s", c->name, c->is_kib ? "_kB" : "");
}

static json_object *json_node(const struct np_node *n, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);
	json_object *mi = np_json_checked(json_object_new_object(), oom);
	char key[40];

	np_json_add_u64(o, "id", n->id, oom);
	np_json_add(o, "numastat",
		n->has_numastat ? json_counters(&n->numastat, oom) : NULL, oom);
	for (size_t k = 0; mi && k < n->nmeminfo; k++) {
		meminfo_key(&n->meminfo[k], key);
		np_json_add_u64(mi, key, n->meminfo[k].value, oom);
	}
	np_json_add(o, "meminfo", mi, oom);
	return o;
}

/* Sums over the nodes that have the counters; null when none has. */
static json_object *json_total_counters(const struct np_topo *t, bool *oom)
{
	struct np_node_numastat sum = { 0 };
	bool any = false;

	for (size_t i = 0; i < t->nnodes; i++) {
		const struct np_node_numastat *s = &t->nodes[i].numastat;

		if (!t->nodes[i].has_numastat)
			continue;
		any = true;
		sum.numa_hit += s->numa_hit;
		sum.numa_miss += s->numa_miss;
		sum.numa_foreign += s->numa_foreign;
		sum.interleave_hit += s->interleave_hit;
		sum.local_node += s->local_node;
		sum.other_node += s->other_node;
	}
	return any ? json_counters(&sum, oom) : NULL;
}

static json_object *json_total_meminfo(const struct np_topo *t, bool *oom)
{
	json_object *o = np_json_checked(json_object_new_object(), oom);
	struct field_list all;
	uint64_t *sums;
	char key[40];

	if (!o || collect_fields(t, false, &all)) {
		*oom = true;
		return o;
	}
	sums = calloc(all.n ? all.n : 1, sizeof(*sums));
	if (!sums)
		*oom = true;
	for (size_t i = 0; sums && i < t->nnodes; i++)
		for (size_t k = 0; k < t->nodes[i].nmeminfo; k++)
			sums[field_index(&all, &t->nodes[i].meminfo[k])] +=
				t->nodes[i].meminfo[k].value;
	for (size_t f = 0; sums && f < all.n; f++) {
		meminfo_key(all.f[f], key);
		np_json_add_u64(o, key, sums[f], oom);
	}
	free(sums);
	free(all.f);
	return o;
}

static json_object *json_stat(const struct np_topo *t, bool *oom)
{
	json_object *root = np_json_checked(json_object_new_object(), oom);
	json_object *nodes = np_json_checked(json_object_new_array(), oom);
	json_object *total = np_json_checked(json_object_new_object(), oom);

	for (size_t i = 0; nodes && i < t->nnodes; i++) {
		json_object *n = json_node(&t->nodes[i], oom);

		if (n && json_object_array_add(nodes, n)) {
			json_object_put(n);
			*oom = true;
		}
	}
	np_json_add(total, "numastat", json_total_counters(t, oom), oom);
	np_json_add(total, "meminfo", json_total_meminfo(t, oom), oom);
	np_json_add(root, "nodes", nodes, oom);
	np_json_add(root, "total", total, oom);
	return root;
}

static int render_json(const struct np_topo *t, FILE *out)
{
	bool oom = false;
	json_object *root = json_stat(t, &oom);

	return np_json_write(out, root, oom);
}

/* ---- the command ---- */

static int load(const struct stat_opts *o, struct np_topo **t)
{
	struct np_err err = { 0 };
	int e;

	e = np_topo_from_sysroot_parts(o->sysroot ? o->sysroot : "/",
				       NP_TOPO_COUNTERS, t, &err);
	if (e) {
		np_err_line("%s", err.msg);
		return np_exit_code(&err);
	}
	/* numastat: "sysfs not mounted or system not NUMA aware", exit 1. */
	if ((*t)->not_numa) {
		np_err_line("stat: %s: the kernel has no NUMA (no "
			    "sys/devices/system/node): no per-node counters",
			    o->sysroot ? o->sysroot : "/");
		return NP_EXIT_RUNTIME;
	}
	return 0;
}

static int render(const struct stat_opts *o, const struct np_topo *t,
		  char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	int e;

	if (!f) {
		np_err_line("stat: cannot render: %s", strerror(errno));
		return NP_EXIT_RUNTIME;
	}
	e = o->json ? render_json(t, f) : render_text(o, t, f);
	if (ferror(f))
		e = -ENOMEM;
	if (fclose(f) && !e)
		e = -ENOMEM;
	if (e) {
		np_err_line("stat: cannot render: out of memory");
		return NP_EXIT_RUNTIME;
	}
	return 0;
}

int cmd_stat(int argc, char **argv)
{
	struct stat_opts o = { 0 };
	struct np_topo *t = NULL;
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (parse_stat_opts(argc, argv, &o, &rc) == CLI_EXIT)
		return rc;
	rc = load(&o, &t);
	if (!rc)
		rc = render(&o, t, &out, &len);
	if (!rc)
		rc = np_emit(out, len);
	free(out);
	np_topo_free(t);
	return rc;
}
