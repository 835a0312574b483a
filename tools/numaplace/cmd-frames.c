/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace frames: makes a pool of node-bound frames, allocates frames
 * under a policy, asks the kernel (move_pages) where each one is, and
 * shows the placement next to the allocator's numastat-style counters.
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

#include <numaplace/frames.h>
#include <numaplace/policy.h>
#include <numaplace/topo.h>

#define MIB (1024.0 * 1024.0)

void usage_frames(FILE *out)
{
	fprintf(out,
		"usage: numaplace frames [--nodes NODES] [--pool SIZE] [--frame 4k|2m]\n"
		"                        [--policy POLICY] [--node NODES] [--strict]\n"
		"                        [--alloc SIZE] [--verify] [--json]\n"
		"\n"
		"Reserves SIZE of memory on each of NODES (mbind to the node, populated),\n"
		"cuts it into frames, allocates --alloc worth of single frames under the\n"
		"policy, and shows where the kernel says each frame is (move_pages) and the\n"
		"allocator's per-node counters (numa_hit, numa_miss, ... as numastat names\n"
		"them).\n"
		"\n"
		"    --nodes NODES     the pool's nodes, as numactl writes them (default: the\n"
		"                      nodes with memory this task may use)\n"
		"    --pool SIZE       memory per node (default 64M); K, M, G suffixes\n"
		"    --frame 4k|2m     frame size (default 4k); 2m uses hugetlbfs pages when\n"
		"                      the nodes have them reserved, else THP\n"
		"    --policy POLICY   local (default), bind, preferred, preferred-many,\n"
		"                      interleave\n"
		"    --node NODES      the policy's nodes (default: all pool nodes;\n"
		"                      preferred takes exactly one)\n"
		"    --strict          fail rather than fall back to another node\n"
		"    --alloc SIZE      how much to allocate, in frames (default 4M)\n"
		"    --verify          also check every frame of every region with\n"
		"                      move_pages and the allocator's invariants\n"
		"    -j, --json        JSON: frame_bytes, frames, placement, stats, ...\n"
		"    -h, --help        show this help\n"
		"\n"
		"Exit status 1 when an allocation fails (a full node under bind or\n"
		"--strict) or a frame is not where the allocator put it.\n");
}

struct frames_opts {
	const char *nodes, *policy_nodes;
	uint64_t pool_bytes, alloc_bytes;
	size_t frame_bytes;
	enum np_policy_mode mode;
	bool strict, verify, json;
};

/* The kernel's policy names, but those a frame pool has. */
static int parse_mode(const struct cli_option *opt, const char *s)
{
	enum np_policy_mode *m = opt->value;

	if (np_policy_mode_parse(s, m) == 0 && *m != NP_POLICY_DEFAULT &&
	    *m != NP_POLICY_WEIGHTED_INTERLEAVE)
		return 0;
	np_err_line("frames: --policy '%s': expected local, bind, preferred, "
		    "preferred-many or interleave", s);
	return NP_EXIT_USAGE;
}

/*
 * No --sysroot: frames makes a pool on this kernel's nodes (mbind,
 * move_pages), so it reads this machine's topology and cpuset live.
 */
static enum cli_next parse_frames_opts(int argc, char **argv,
				       struct frames_opts *o, int *exit_code)
{
	const struct cli_option options[] = {
		CLI_IDS(0, "nodes", &o->nodes, "NODES"),
		CLI_SIZE(0, "pool", &o->pool_bytes, "SIZE"),
		CLI_FRAME(0, "frame", &o->frame_bytes),
		CLI_CALLBACK(0, "policy", &o->mode, "POLICY", parse_mode, 0),
		CLI_IDS(0, "node", &o->policy_nodes, "NODES"),
		CLI_FLAG(0, "strict", &o->strict),
		CLI_SIZE(0, "alloc", &o->alloc_bytes, "SIZE"),
		CLI_FLAG(0, "verify", &o->verify),
		CLI_FLAG('j', "json", &o->json),
		CLI_END(),
	};
	const struct cli_parser parser = {
		"frames", usage_frames, options, CLI_NO_OPERANDS,
	};

	*o = (struct frames_opts){ .pool_bytes = 64u << 20,
		.alloc_bytes = 4u << 20, .frame_bytes = 4096,
		.mode = NP_POLICY_LOCAL };
	if (cli_parse_options(&parser, argc, argv, NULL, exit_code) == CLI_EXIT)
		return CLI_EXIT;
	if (o->mode == NP_POLICY_LOCAL && o->policy_nodes) {
		np_err_line("frames: --node: the local policy takes no node");
		*exit_code = NP_EXIT_USAGE;
		return CLI_EXIT;
	}
	return CLI_CONTINUE;
}

/* ---- the run ---------------------------------------------------------- */

struct frames_run {
	struct np_topo *topo;
	struct np_idset pool_nodes, pol_nodes;
	struct np_frames *pool;
	struct np_frames_policy pol;
	void **addrs;
	unsigned *claimed;        /* the node the allocator named */
	int *kernel;              /* the node move_pages named */
	size_t n;
	uint64_t *verify_on, *verify_off; /* per pool node, with --verify */
	int check;                /* np_frames_check(), with --verify */
};

static void run_free(struct frames_run *r)
{
	for (size_t i = 0; r->pool && i < r->n; i++)
		np_frames_free(r->pool, r->addrs[i], np_frames_frame_bytes(r->pool));
	np_frames_destroy(r->pool);
	np_idset_free(&r->pool_nodes);
	np_idset_free(&r->pol_nodes);
	np_topo_free(r->topo);
	free(r->addrs);
	free(r->claimed);
	free(r->kernel);
	free(r->verify_on);
	free(r->verify_off);
}

/* --nodes and --node, as numactl reads node strings. */
static int parse_node_sets(const struct frames_opts *o, struct frames_run *r)
{
	struct np_idset exists = { 0 }, allowed = { 0 }, cpus = { 0 };
	struct np_err err = { 0 };
	int rc = NP_EXIT_RUNTIME;

	if (np_topo_node_set(r->topo, &exists) ||
	    np_task_allowed("/", 0, r->topo, &allowed, &cpus, &err)) {
		np_err_line("frames: %s", err.msg[0] ? err.msg : "out of memory");
		goto out;
	}
	rc = NP_EXIT_USAGE;
	if (np_idstr_parse(o->nodes ? o->nodes : "all", NP_IDSTR_NODES, &exists,
			   &allowed, &r->pool_nodes, &err)) {
		np_err_line("frames: --nodes: %s", err.msg);
		goto out;
	}
	if (!o->nodes) {
		/* the default: only the nodes that have memory */
		size_t k = 0;

		for (size_t i = 0; i < r->pool_nodes.n; i++) {
			long x = np_topo_node_index(r->topo, r->pool_nodes.ids[i]);

			if (x >= 0 && r->topo->nodes[x].has_memory)
				r->pool_nodes.ids[k++] = r->pool_nodes.ids[i];
		}
		r->pool_nodes.n = k;
	}
	if (o->policy_nodes &&
	    np_idstr_parse(o->policy_nodes, NP_IDSTR_NODES, &exists, &allowed,
			   &r->pol_nodes, &err)) {
		np_err_line("frames: --node: %s", err.msg);
		goto out;
	}
	rc = 0;
out:
	np_idset_free(&exists);
	np_idset_free(&allowed);
	np_idset_free(&cpus);
	return rc;
}

static int make_pool(const struct frames_opts *o, struct frames_run *r)
{
	struct np_frames_opts po = { r->pool_nodes.ids, r->pool_nodes.n,
		o->pool_bytes, o->frame_bytes, r->topo, 0, 0 };
	const struct np_idset *pn = o->policy_nodes ? &r->pol_nodes : &r->pool_nodes;
	struct np_policy pol = { o->mode, o->strict ? NP_POLICY_STRICT : 0,
		o->mode == NP_POLICY_LOCAL ? (struct np_idset){ 0 } : *pn };
	struct np_err err = { 0 };
	int e;

	e = np_frames_create(&po, &r->pool, &err);
	if (e) {
		np_err_line("frames: %s", err.msg);
		return np_exit_code(&err);
	}
	if (o->mode == NP_POLICY_PREFERRED && !o->policy_nodes) {
		np_err_line("frames: --policy preferred needs --node N");
		return NP_EXIT_USAGE;
	}
	e = np_frames_policy_make(r->pool, &pol, &r->pol, &err);
	if (e) {
		np_err_line("frames: --node: %s", err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

static int allocate(const struct frames_opts *o, struct frames_run *r)
{
	size_t fb = o->frame_bytes;
	size_t want = (size_t)((o->alloc_bytes + fb - 1) / fb);

	r->addrs = calloc(want, sizeof(void *));
	r->claimed = calloc(want, sizeof(unsigned));
	r->kernel = calloc(want, sizeof(int));
	if (!r->addrs || !r->claimed || !r->kernel) {
		np_err_line("frames: out of memory for %zu frames", want);
		return NP_EXIT_RUNTIME;
	}
	for (r->n = 0; r->n < want; r->n++) {
		struct np_err err = { 0 };
		void *a = np_frames_alloc(r->pool, fb, &r->pol, &r->claimed[r->n],
					  &err);

		if (!a) {
			np_err_line("frames: frame %zu of %zu: %s under %s%s (the pool "
				    "has %.0f MiB per node)", r->n + 1, want,
				    err.code == -ENOMEM ? "no free frame"
							: strerror(-err.code),
				    np_policy_mode_name(o->mode), o->strict ? " --strict" : "",
				    o->pool_bytes / MIB);
			return NP_EXIT_RUNTIME;
		}
		r->addrs[r->n] = a;
		((volatile char *)a)[0] = 1;
	}
	return 0;
}

static int verify(const struct frames_opts *o, struct frames_run *r)
{
	struct np_err err = { 0 };
	size_t wrong = 0;

	if (np_frames_where(r->pool, r->addrs, r->n, r->kernel, &err)) {
		np_err_line("frames: %s", err.msg);
		return np_exit_code(&err);
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->kernel[i] != (int)r->claimed[i])
			wrong++;
	if (o->verify) {
		r->verify_on = calloc(r->pool_nodes.n, sizeof(uint64_t));
		r->verify_off = calloc(r->pool_nodes.n, sizeof(uint64_t));
		if (!r->verify_on || !r->verify_off) {
			np_err_line("frames: out of memory");
			return NP_EXIT_RUNTIME;
		}
		for (size_t i = 0; i < r->pool_nodes.n; i++)
			if (np_frames_verify_region(r->pool, r->pool_nodes.ids[i],
						    &r->verify_on[i],
						    &r->verify_off[i], &err)) {
				np_err_line("frames: %s", err.msg);
				return np_exit_code(&err);
			}
		r->check = np_frames_check(r->pool);
	}
	for (size_t i = 0; o->verify && i < r->pool_nodes.n; i++)
		if (r->verify_off[i]) {
			np_err_line("frames: %llu frames of node %u's region are not "
				    "on node %u", (unsigned long long)r->verify_off[i],
				    r->pool_nodes.ids[i], r->pool_nodes.ids[i]);
			return NP_EXIT_RUNTIME;
		}
	if (wrong) {
		np_err_line("frames: %zu of %zu frames are not on the node the "
			    "allocator named", wrong, r->n);
		return NP_EXIT_RUNTIME;
	}
	if (r->check) {
		np_err_line("frames: the allocator's invariant check failed");
		return NP_EXIT_RUNTIME;
	}
	return 0;
}

/* ---- output ----------------------------------------------------------- */

static uint64_t placed_on(const struct frames_run *r, unsigned node)
{
	uint64_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->kernel[i] == (int)node;
	return n;
}

static void format_nodes(const struct np_idset *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u",
					i ? "," : "", s->ids[i]);
}

/* Rows over the machine's nodes, numastat's layout. */
static int node_table(const struct frames_run *r, struct np_stat_table *tab,
		      size_t rows)
{
	const struct np_topo *t = r->topo;
	char header[32];

	if (np_stat_table_init(tab, 1, 1, rows, t->nnodes))
		return -ENOMEM;
	tab->cols[0] = (struct np_stat_col){ 16, 0, NP_STAT_LEFT };
	for (size_t i = 0; i < t->nnodes; i++) {
		snprintf(header, sizeof(header), "node%u", t->nodes[i].id);
		np_stat_set_text(tab, 0, 1 + i, header);
		tab->cols[1 + i] = (struct np_stat_col){ 16, 0, NP_STAT_RIGHT };
	}
	return 0;
}

static int render_tables(const struct frames_run *r, FILE *f, int width)
{
	const struct np_topo *t = r->topo;
	struct np_stat_table tab;
	int e;

	if (node_table(r, &tab, 2))
		return -ENOMEM;
	np_stat_set_text(&tab, 1, 0, "frames");
	np_stat_set_text(&tab, 2, 0, "pool_free");
	for (size_t i = 0; i < t->nnodes; i++) {
		np_stat_set_number(&tab, 1, 1 + i,
				   (double)placed_on(r, t->nodes[i].id));
		np_stat_set_number(&tab, 2, 1 + i, (double)np_frames_free_frames(
					   r->pool, t->nodes[i].id));
	}
	fputs("placement (move_pages):\n", f);
	e = np_stat_table_render(&tab, width, f);
	np_stat_table_fini(&tab);
	if (e || node_table(r, &tab, NP_NUMASTAT_COUNTERS))
		return -ENOMEM;
	for (unsigned s = 0; s < NP_NUMASTAT_COUNTERS; s++)
		np_stat_set_text(&tab, 1 + s, 0, np_numastat_name(s));
	for (size_t i = 0; i < t->nnodes; i++) {
		struct np_node_numastat v = { 0 };

		np_frames_stats(r->pool, t->nodes[i].id, &v);
		for (unsigned s = 0; s < NP_NUMASTAT_COUNTERS; s++)
			np_stat_set_number(&tab, 1 + s, 1 + i,
					   (double)np_numastat_get(&v, s));
	}
	fputs("\nallocator counters (one per allocation, as numastat's):\n", f);
	e = np_stat_table_render(&tab, width, f);
	np_stat_table_fini(&tab);
	return e;
}

static void pool_line(const struct frames_opts *o, const struct frames_run *r,
		      FILE *f)
{
	char nodes[256];
	enum np_frames_backing b = np_frames_backing(r->pool);

	format_nodes(&r->pool_nodes, nodes, sizeof(nodes));
	fprintf(f, "pool: node%s %s, %.0f MiB each, %zu frames of %s on %s",
		r->pool_nodes.n > 1 ? "s" : "", nodes, o->pool_bytes / MIB,
		(size_t)np_frames_per_node(r->pool),
		o->frame_bytes == 4096 ? "4 KiB" : "2 MiB",
		np_frames_backing_name(b));
	if (b == NP_FRAMES_THP)
		fprintf(f, " (%.0f of %.0f MiB huge)",
			np_frames_thp_bytes(r->pool) / MIB,
			o->pool_bytes * r->pool_nodes.n / MIB);
	fputc('\n', f);
}

static int render_text(const struct frames_opts *o, const struct frames_run *r,
		       FILE *f)
{
	char nodes[256] = "";

	pool_line(o, r, f);
	if (o->mode != NP_POLICY_LOCAL)
		format_nodes(o->policy_nodes ? &r->pol_nodes : &r->pool_nodes,
			     nodes, sizeof(nodes));
	fprintf(f, "allocated: %zu frames (%.1f MiB) under %s%s%s%s\n", r->n,
		(double)r->n * o->frame_bytes / MIB, np_policy_mode_name(o->mode),
		nodes[0] ? " " : "", nodes, o->strict ? ", strict" : "");
	fprintf(f, "verified: every frame is on the node the allocator named%s\n\n",
		o->verify ? "; every region frame is on its node; invariants hold"
			  : "");
	return render_tables(r, f, np_stat_screen_width(getenv("NUMASTAT_WIDTH"),
							isatty(STDOUT_FILENO)));
}

static json_object *json_nodes(const struct np_idset *s, bool *oom)
{
	json_object *a = np_json_checked(json_object_new_array(), oom);

	for (size_t i = 0; a && i < s->n; i++)
		if (json_object_array_add(a, np_json_checked(
				json_object_new_int64(s->ids[i]), oom)))
			*oom = true;
	return a;
}

static void json_pool(const struct frames_opts *o, const struct frames_run *r,
		      json_object *j, bool *oom)
{
	const struct np_idset *pn = o->policy_nodes ? &r->pol_nodes
						    : &r->pool_nodes;
	struct np_idset none = { NULL, 0 };

	np_json_add_u64(j, "frame_bytes", o->frame_bytes, oom);
	np_json_add(j, "backing", np_json_checked(json_object_new_string(
		np_frames_backing_name(np_frames_backing(r->pool))), oom), oom);
	np_json_add_u64(j, "thp_bytes", np_frames_thp_bytes(r->pool), oom);
	np_json_add(j, "pool_nodes", json_nodes(&r->pool_nodes, oom), oom);
	np_json_add_u64(j, "pool_bytes_per_node", o->pool_bytes, oom);
	np_json_add(j, "policy", np_json_checked(json_object_new_string(
		np_policy_mode_name(o->mode)), oom), oom);
	np_json_add(j, "policy_nodes", json_nodes(o->mode == NP_POLICY_LOCAL
		? &none : pn, oom), oom);
	np_json_add(j, "strict", np_json_checked(
		json_object_new_boolean(o->strict), oom), oom);
	np_json_add_u64(j, "frames", r->n, oom);
}

/* placement (by move_pages) and the counters, for every machine node */
static void json_nodes_stats(const struct frames_run *r, json_object *j,
			     bool *oom)
{
	json_object *pl = np_json_checked(json_object_new_object(), oom);
	json_object *st = np_json_checked(json_object_new_array(), oom);
	char key[16];

	for (size_t i = 0; pl && st && i < r->topo->nnodes; i++) {
		unsigned id = r->topo->nodes[i].id;
		struct np_node_numastat v = { 0 };
		json_object *s = np_json_checked(json_object_new_object(), oom);

		snprintf(key, sizeof(key), "%u", id);
		np_json_add_u64(pl, key, placed_on(r, id), oom);
		np_frames_stats(r->pool, id, &v);
		np_json_add_u64(s, "node", id, oom);
		for (unsigned k = 0; k < NP_NUMASTAT_COUNTERS; k++)
			np_json_add_u64(s, np_numastat_name(k),
					np_numastat_get(&v, k), oom);
		np_json_add_u64(s, "free_frames",
				np_frames_free_frames(r->pool, id), oom);
		if (s && json_object_array_add(st, s)) {
			json_object_put(s);
			*oom = true;
		}
	}
	np_json_add(j, "placement", pl, oom);
	np_json_add(j, "stats", st, oom);
}

static void json_verify(const struct frames_run *r, json_object *j, bool *oom)
{
	json_object *v = np_json_checked(json_object_new_object(), oom);
	char key[16];

	for (size_t i = 0; v && i < r->pool_nodes.n; i++) {
		json_object *n = np_json_checked(json_object_new_object(), oom);

		snprintf(key, sizeof(key), "%u", r->pool_nodes.ids[i]);
		np_json_add_u64(n, "on_node", r->verify_on[i], oom);
		np_json_add_u64(n, "off_node", r->verify_off[i], oom);
		np_json_add(v, key, n, oom);
	}
	np_json_add(j, "regions", v, oom);
	np_json_add(j, "invariants_hold", np_json_checked(
		json_object_new_boolean(r->check == 0), oom), oom);
}

/* The whole result, or NULL when json-c ran out of memory. */
static json_object *json_result(const struct frames_opts *o,
				const struct frames_run *r)
{
	bool oom = false;
	json_object *j = np_json_checked(json_object_new_object(), &oom);

	json_pool(o, r, j, &oom);
	json_nodes_stats(r, j, &oom);
	if (o->verify)
		json_verify(r, j, &oom);
	if (oom) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

static int render(const struct frames_opts *o, const struct frames_run *r,
		  char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	int e = 0;

	if (!f) {
		np_err_line("frames: cannot render: %s", strerror(errno));
		return NP_EXIT_RUNTIME;
	}
	if (o->json) {
		e = np_json_write(f, json_result(o, r), false);
	} else {
		e = render_text(o, r, f);
	}
	if (ferror(f))
		e = -ENOMEM;
	if (fclose(f) && !e)
		e = -ENOMEM;
	if (e) {
		np_err_line("frames: cannot render: out of memory");
		return NP_EXIT_RUNTIME;
	}
	return 0;
}

int cmd_frames(int argc, char **argv)
{
	struct frames_opts o;
	struct frames_run r = { 0 };
	struct np_err err = { 0 };
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (parse_frames_opts(argc, argv, &o, &rc) == CLI_EXIT)
		return rc;
	/* The pool wants free memory and free huge pages per node. */
	if (np_topo_from_sysroot_parts("/", NP_TOPO_ALL, &r.topo, &err)) {
		np_err_line("frames: %s", err.msg);
		return np_exit_code(&err);
	}
	rc = parse_node_sets(&o, &r);
	if (!rc)
		rc = make_pool(&o, &r);
	if (!rc)
		rc = allocate(&o, &r);
	if (!rc)
		rc = verify(&o, &r);
	if (!rc)
		rc = render(&o, &r, &out, &len);
	if (!rc)
		rc = np_emit(out, len);
	free(out);
	run_free(&r);
	return rc;
}
