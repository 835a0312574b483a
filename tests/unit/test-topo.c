/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The topology model against whole-machine fixtures in tests/dumps/:
 * text (numactl -H bytes), JSON and verbose output against the expected
 * files beside each dump, exact model values, the JSON round trip, hwloc
 * XML input, and damaged dumps that must fail with a path and a reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <numaplace/topo.h>

static char dumps[PATH_MAX];

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Compares with the expected file; NP_UPDATE_EXPECTED=1 rewrites it. */
static void expect_file(const char *machine, const char *file,
			const char *got)
{
	char path[PATH_MAX];
	char *want;

	snprintf(path, sizeof(path), "%s/%s/%s", dumps, machine, file);
	if (getenv("NP_UPDATE_EXPECTED"))
		spit(path, got);
	want = slurp(path, NULL);
	if (!want)
		fail_msg("%s: missing expected file", path);
	if (strcmp(want, got) != 0) {
		print_error("%s differs; got:\n%s\n", path, got);
		fail_msg("%s: output differs from the expected file", path);
	}
	free(want);
}

static struct np_topo *load_machine(const char *machine)
{
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	char root[PATH_MAX];
	int e;

	snprintf(root, sizeof(root), "%s/%s", dumps, machine);
	e = np_topo_from_sysroot(root, &t, &err);
	if (e)
		fail_msg("%s: %s", machine, err.msg);
	return t;
}

/* Every directory under tests/dumps/ with a topo.txt is a machine. */
static size_t list_machines(char names[][64], size_t max)
{
	DIR *d = opendir(dumps);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) && n < max) {
		char p[PATH_MAX];
		struct stat st;

		snprintf(p, sizeof(p), "%s/%s/topo.txt", dumps, de->d_name);
		if (de->d_name[0] != '.' && stat(p, &st) == 0)
			snprintf(names[n++], 64, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

static void test_fixtures_text(void **state)
{
	char names[32][64];
	size_t n = list_machines(names, 32);

	(void)state;
	assert_true(n >= 6);
	for (size_t i = 0; i < n; i++) {
		struct np_topo *t = load_machine(names[i]);
		char *out;

		assert_int_equal(np_topo_to_text(t, NP_TEXT_NUMACTL, NULL, &out,
						 NULL), 0);
		expect_file(names[i], "topo.txt", out);
		free(out);
		np_topo_free(t);
	}
}

static void test_fixtures_json(void **state)
{
	char names[32][64];
	size_t n = list_machines(names, 32);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct np_topo *t = load_machine(names[i]);
		char *out;

		assert_int_equal(np_topo_to_json(t, &out, NULL), 0);
		expect_file(names[i], "topo.json", out);
		free(out);
		np_topo_free(t);
	}
}

static void test_fixtures_verbose(void **state)
{
	char names[32][64];
	size_t n = list_machines(names, 32);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct np_topo *t = load_machine(names[i]);
		struct np_err err = { 0 };
		const char *note = NULL;
		char *out;

		if (np_topo_load_cpu_structure(t, &err))
			note = err.msg;
		/* Messages name the dump by absolute path; keep files portable. */
		if (note)
			note = strstr(note, "tests/dumps/") ? strstr(note, "tests/dumps/") :
				note;
		assert_int_equal(np_topo_to_text(t, NP_TEXT_VERBOSE, note, &out,
						 NULL), 0);
		expect_file(names[i], "topo-v.txt", out);
		free(out);
		np_topo_free(t);
	}
}

/* JSON read back gives the same JSON and the same numactl text. */
static void test_json_roundtrip(void **state)
{
	char names[32][64];
	size_t n = list_machines(names, 32);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct np_topo *t = load_machine(names[i]), *back = NULL;
		struct np_err err = { 0 };
		char *j1, *j2, *t1, *t2;
		size_t len;

		assert_int_equal(np_topo_to_json(t, &j1, &len), 0);
		if (np_topo_from_json(j1, len, &back, &err))
			fail_msg("%s: %s", names[i], err.msg);
		assert_int_equal(np_topo_to_json(back, &j2, NULL), 0);
		/* Only the source differs: "sysfs" became "json". */
		assert_non_null(strstr(j1, "\"source\": \"sysfs\""));
		assert_non_null(strstr(j2, "\"source\": \"json\""));
		memcpy(strstr(j1, "\"source\": \"sysfs\""), "\"source\": \"json\" ",
		       strlen("\"source\": \"sysfs\""));
		{
			char *p = strstr(j1, "\"json\" ,");

			assert_non_null(p);
			memmove(p + 6, p + 7, strlen(p + 7) + 1);
		}
		assert_string_equal(j1, j2);
		assert_int_equal(np_topo_to_text(t, 0, NULL, &t1, NULL), 0);
		assert_int_equal(np_topo_to_text(back, 0, NULL, &t2, NULL), 0);
		assert_string_equal(t1, t2);
		free(j1);
		free(j2);
		free(t1);
		free(t2);
		np_topo_free(t);
		np_topo_free(back);
	}
}

static void test_sparse_ids(void **state)
{
	struct np_topo *t = load_machine("sparse-025");

	(void)state;
	assert_int_equal(t->nnodes, 3);
	assert_int_equal(t->nodes[0].id, 0);
	assert_int_equal(t->nodes[1].id, 2);
	assert_int_equal(t->nodes[2].id, 5);
	assert_int_equal(np_topo_node_index(t, 5), 2);
	assert_int_equal(np_topo_node_index(t, 1), -1);
	/* node 5: CPUs but no memory */
	assert_true(t->nodes[2].has_cpus);
	assert_false(t->nodes[2].has_memory);
	assert_int_equal(t->nodes[2].total_bytes, 0);
	assert_int_equal(t->nodes[2].norders, 0);
	assert_true(t->nodes[1].has_memory);
	assert_int_equal(t->npossible, 8);
	assert_int_equal(t->nonline, 3);
	/* Distances are indexed by position, looked up by id. */
	assert_int_equal(np_topo_distance(t, 5, 5), 10);
	assert_int_equal(np_topo_distance(t, 0, 5),
			 t->distances[0 * 3 + 2]);
	assert_int_equal(np_topo_distance(t, 0, 1), 0);
	np_topo_free(t);
}

static void test_cxl_memory_only(void **state)
{
	struct np_topo *t = load_machine("cxl-memonly");

	(void)state;
	assert_int_equal(t->nnodes, 3);
	assert_false(t->nodes[2].has_cpus);
	assert_true(t->nodes[2].has_memory);
	assert_int_equal(t->nodes[2].ncpus, 0);
	assert_int_equal(np_topo_distance(t, 0, 2), 14);
	assert_int_equal(np_topo_distance(t, 1, 2), 24);
	assert_int_equal(np_topo_distance(t, 2, 1), 24);
	assert_int_equal(t->ntiers, 2);
	assert_int_equal(t->tiers[0].id, 4);
	assert_int_equal(t->tiers[1].id, 22);
	assert_int_equal(t->tiers[1].nnodes, 1);
	assert_int_equal(t->tiers[1].nodes[0], 2);
	assert_true(t->wi.present);
	assert_true(t->wi.has_auto);
	assert_string_equal(t->wi.auto_file, "__auto_type");
	np_topo_free(t);
}

/* Values a sloppy reader gets wrong: kB→bytes, buddy sums over zones. */
static void test_seed001_values(void **state)
{
	struct np_topo *t = load_machine("xeon-4n-seed001");
	const struct np_node *n0 = &t->nodes[0];
	uint64_t total = 0;

	(void)state;
	assert_int_equal(t->nnodes, 4);
	assert_int_equal(n0->ncpus, 20);
	assert_int_equal(n0->cpus[10], 40);
	assert_int_equal(n0->total_bytes >> 20, 64383);
	assert_int_equal(n0->free_bytes >> 20, 62720);
	assert_int_equal(n0->total_bytes % 1024, 0);
	assert_int_equal(np_topo_distance(t, 3, 0), 21);
	assert_int_equal(n0->norders, 11);
	for (size_t k = 0; k < n0->norders; k++)
		total += n0->free_blocks_by_order[k] << k;
	/* Buddy free pages cannot exceed MemFree, and must be most of it. */
	assert_true(total * 4096 <= n0->free_bytes);
	assert_true(total * 4096 > n0->free_bytes / 2);
	np_topo_free(t);
}

static void test_hwloc_xml_input(void **state)
{
	struct np_topo *xml = NULL, *sys = load_machine("server-2s-smt");
	struct np_err err = { 0 };
	char path[PATH_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/server-2s-smt/hwloc.xml", dumps);
	if (np_topo_from_file(path, &xml, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(xml->source, NP_TOPO_HWLOC_XML);
	assert_int_equal(xml->nnodes, sys->nnodes);
	for (size_t i = 0; i < sys->nnodes; i++) {
		assert_int_equal(xml->nodes[i].id, sys->nodes[i].id);
		assert_int_equal(xml->nodes[i].ncpus, sys->nodes[i].ncpus);
		assert_memory_equal(xml->nodes[i].cpus, sys->nodes[i].cpus,
				    sys->nodes[i].ncpus * sizeof(unsigned));
		assert_int_equal(xml->nodes[i].total_bytes,
				 sys->nodes[i].total_bytes);
		assert_int_equal(xml->nodes[i].free_bytes, NP_UNKNOWN);
	}
	assert_memory_equal(xml->distances, sys->distances,
			    sys->nnodes * sys->nnodes * sizeof(uint32_t));
	/* XML input already carries the CPU structure. */
	assert_int_equal(np_topo_load_cpu_structure(xml, &err), 0);
	assert_int_equal(xml->nodes[0].cpu_structure.packages, 1);
	assert_int_equal(xml->nodes[0].cpu_structure.cores, 16);
	assert_int_equal(xml->nodes[0].cpu_structure.pus, 32);
	np_topo_free(xml);
	np_topo_free(sys);
}

/* ---- damaged dumps -------------------------------------------------- */

struct damage {
	const char *file;    /* relative to the dump root */
	const char *content; /* NULL: delete the file */
	int code;
	const char *why;     /* expected after "<root>/<file>: " */
};

static const struct damage damages[] = {
	{ "sys/devices/system/node/node1/distance", "", -EINVAL,
	  "empty distance row" },
	{ "sys/devices/system/node/node1/distance", "21 10 10\n", -EINVAL,
	  "more entries than nodes (2 nodes)" },
	{ "sys/devices/system/node/node0/distance", "10\n", -EINVAL,
	  "fewer entries than nodes (2 nodes)" },
	{ "sys/devices/system/node/node0/distance", "10 300\n", -EINVAL,
	  "distance outside 1..255" },
	{ "sys/devices/system/node/node0/cpulist", "0-15,32-47x\n", -EINVAL,
	  "unexpected character in list" },
	{ "sys/devices/system/node/node1/cpulist", "31-16\n", -EINVAL,
	  "descending range" },
	{ "sys/devices/system/node/node0/meminfo",
	  "Node 0 MemFree:  1000 kB\nNode 0 MemUsed:  10 kB\n", -EINVAL,
	  "no MemTotal line" },
	{ "sys/devices/system/node/node1/meminfo",
	  "Node 0 MemTotal:  1000 kB\nNode 0 MemFree:  10 kB\n", -EINVAL,
	  "line for another node" },
	{ "sys/devices/system/node/node1/meminfo", NULL, -ENOENT,
	  "No such file or directory" },
	{ "sys/devices/system/node/node0/numastat", "numa_hit x\n", -EINVAL,
	  "expected \"name value\"" },
	{ "sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages",
	  "lots\n", -EINVAL, "expected a number" },
	{ "proc/buddyinfo", "Node 0, zone Normal 1 2 x\n", -EINVAL,
	  "expected a count" },
	{ "proc/buddyinfo", "Node 7, zone Normal 1 2 3\n", -EINVAL,
	  "lists a node that has no node directory" },
	{ "sys/devices/system/node/online", "0-1,\n", -EINVAL,
	  "expected a number" },
	{ "sys/kernel/mm/mempolicy/weighted_interleave/auto", "maybe\n",
	  -EINVAL, "expected true/false or 1/0" },
	{ "proc/meminfo", "MemTotal:  1000 kB\nHugepagesize:   lots\n",
	  -EINVAL, "bad Hugepagesize line" },
};

/* Copies the parts of a dump the node layer reads (not the thousands of
 * CPU topology files that only hwloc.xml was made from). */
static void copy_tree(const char *from, const char *to)
{
	char cmd[4 * PATH_MAX];

	snprintf(cmd, sizeof(cmd),
		 "rm -rf '%s' && mkdir -p '%s/sys/devices/system' && "
		 "cp -r '%s/proc' '%s/' && cp -r '%s/sys/kernel' '%s/sys/' && "
		 "cp -r '%s/sys/devices/virtual' '%s/sys/devices/' && "
		 "cp -r '%s/sys/devices/system/node' '%s/sys/devices/system/'",
		 to, to, from, to, from, to, from, to, from, to);
	assert_int_equal(system(cmd), 0);
}

static void test_damaged_dumps(void **state)
{
	char src[PATH_MAX], root[PATH_MAX], path[2 * PATH_MAX], want[3 * PATH_MAX];

	(void)state;
	snprintf(src, sizeof(src), "%s/server-2s-smt", dumps);
	snprintf(root, sizeof(root), "/tmp/np-test-topo.%d", (int)getpid());
	for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		const struct damage *d = &damages[i];
		struct np_err err = { 0 };
		struct np_topo *t = (struct np_topo *)1;
		int e;

		copy_tree(src, root);
		snprintf(path, sizeof(path), "%s/%s", root, d->file);
		if (d->content)
			spit(path, d->content);
		else
			assert_int_equal(unlink(path), 0);
		e = np_topo_from_sysroot(root, &t, &err);
		snprintf(want, sizeof(want), "%s: %s", path, d->why);
		if (e != d->code || strcmp(err.msg, want) != 0)
			fail_msg("damage %zu: got %d \"%s\", want %d \"%s\"", i,
				 e, err.msg, d->code, want);
		/* A damaged dump is the caller's input, never the system's. */
		if (err.cls != NP_ERR_INPUT)
			fail_msg("damage %zu: class %d, want input", i, err.cls);
		assert_null(t);
	}
	/* A root with proc/meminfo says which pool HugePages_* describe. */
	copy_tree(src, root);
	snprintf(path, sizeof(path), "%s/proc/meminfo", root);
	spit(path, "MemTotal:  1000 kB\nHugepagesize:    1048576 kB\n");
	{
		struct np_err err = { 0 };
		struct np_topo *t = NULL;

		assert_int_equal(np_topo_from_sysroot(root, &t, &err), 0);
		assert_int_equal(t->default_hugepage_bytes, 1ull << 30);
		np_topo_free(t);
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
}

static void test_missing_root(void **state)
{
	struct np_err err = { 0 };
	struct np_topo *t;

	(void)state;
	assert_int_equal(np_topo_from_sysroot("/nonexistent/np", &t, &err),
			 -ENOENT);
	assert_string_equal(err.msg, "/nonexistent/np: No such file or directory");
	assert_int_equal(np_topo_from_sysroot("/tmp", &t, &err), -ENOENT);
	assert_string_equal(err.msg,
			    "/tmp/sys/devices/system/node: No such file or directory");
}

/* ---- JSON input errors ---------------------------------------------- */

struct bad_json {
	const char *text;
	const char *msg;
};

static const struct bad_json bad_jsons[] = {
	{ "", "<json>: invalid JSON: unexpected end" },
	{ "[1,2]", "<json>: expected a JSON object" },
	{ "{}", "<json>: nodes: missing" },
	{ "{\"nodes\":[]}", "<json>: nodes: no nodes" },
	{ "{\"nodes\":[{\"id\":1},{\"id\":0}]}",
	  "<json>: nodes[1].id: node ids must be ascending and unique" },
	{ "{\"nodes\":[{\"id\":0,\"cpus\":[1,0],\"memory\":{}}]}",
	  "<json>: nodes[0].cpus: ids must be ascending and unique" },
	{ "{\"nodes\":[{\"id\":0,\"cpus\":[0]}]}", "<json>: nodes[0].memory: missing" },
	{ "{\"nodes\":[{\"id\":0,\"cpus\":[0],\"memory\":{\"total_bytes\":-5}}]}",
	  "<json>: nodes[0].memory.total_bytes: number out of range" },
	{ "{\"nodes\":[{\"id\":0,\"cpus\":[0],\"memory\":{}}],"
	  "\"distances\":[[10,20]]}",
	  "<json>: distances[0]: needs one entry per node" },
	{ "{\"nodes\":[{\"id\":0,\"cpus\":[0],\"memory\":{}}]} x",
	  "<json>: trailing data after JSON" },
	/* Found by fuzz-topo-json: a key with a newline must not split the
	 * one-line message. */
	{ "{\"nodes\":[{\"id\":0,\"cpus\":[],\"memory\":{},"
	  "\"meminfo\":{\"a\\nb\":\"x\"}}]}",
	  "<json>: nodes[0].meminfo.a?b: expected an integer" },
};

static void test_bad_json(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_jsons) / sizeof(bad_jsons[0]); i++) {
		struct np_err err = { 0 };
		struct np_topo *t = NULL;
		int e = np_topo_from_json(bad_jsons[i].text,
					  strlen(bad_jsons[i].text), &t, &err);

		assert_int_equal(e, -EINVAL);
		assert_null(t);
		if (strcmp(err.msg, bad_jsons[i].msg) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.msg,
				 bad_jsons[i].msg);
	}
}

/* The id-set queries of topo-query.c on machines with a memoryless node
 * (sparse-025's node 5) and a CPU-less one (cxl-memonly's node 2). */
static void test_cpu_queries(void **state)
{
	struct np_topo *sparse = load_machine("sparse-025");
	struct np_topo *cxl = load_machine("cxl-memonly");
	unsigned two_five[] = { 2, 5 }, within_ids[] = { 9, 17, 30 }, seven = 7;
	struct np_idset nodes = { two_five, 2, 2 }, within = { within_ids, 3, 3 };
	struct np_idset out = { 0 };
	struct np_err err = { 0 };

	(void)state;
	/* node 5 has CPUs and no memory: its CPUs use node 2, nearer (16)
	 * than node 0 (22); node 0's CPUs their own node */
	assert_int_equal(sparse->nodes[np_topo_memory_node_near_cpu(sparse,
				17)].id, 2);
	assert_int_equal(sparse->nodes[np_topo_memory_node_near_cpu(sparse,
				3)].id, 0);
	assert_int_equal(np_topo_node_of_cpu(sparse, 23), 2);
	assert_int_equal(np_topo_node_of_cpu(sparse, 24), -1);
	assert_int_equal(np_topo_cpus_of_nodes(sparse, &nodes, NULL, &out,
					       &err), 0);
	assert_int_equal(out.n, 16);
	assert_int_equal(out.ids[0], 8);
	assert_int_equal(out.ids[15], 23);
	np_idset_free(&out);
	assert_int_equal(np_topo_cpus_of_nodes(sparse, &nodes, &within, &out,
					       &err), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.ids[0], 9);
	assert_int_equal(out.ids[1], 17);
	np_idset_free(&out);
	nodes = (struct np_idset){ &seven, 1, 1 };
	assert_int_equal(np_topo_cpus_of_nodes(sparse, &nodes, NULL, &out,
					       &err), -EINVAL);
	assert_string_equal(err.msg, "node 7 does not exist");
	/* the CXL expander's node 2 has memory and no CPU */
	nodes = (struct np_idset){ &two_five[0], 1, 1 };
	assert_int_equal(np_topo_cpus_of_nodes(cxl, &nodes, NULL, &out, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "node 2 has no CPUs");
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_null(out.ids);
	np_topo_free(sparse);
	np_topo_free(cxl);
}

/* ---- real machines' sysfs (issue 12) -------------------------------- */

/* Each quirk of an older or non-NUMA kernel, as the model must see it. */
static void test_quirky_machines(void **state)
{
	struct np_topo *t;

	(void)state;
	/* cpumap without cpulist (2.6.18): CPUs interleaved over nodes */
	t = load_machine("cpumap-only-2618");
	assert_int_equal(t->nodes[0].ncpus, 4);
	assert_int_equal(t->nodes[0].cpus[3], 6);
	assert_int_equal(t->nodes[1].cpus[0], 1);
	assert_null(t->possible_nodes);
	np_topo_free(t);
	/* "\n\0" after the state masks, cpulist and cpumap (2.6.32) */
	t = load_machine("nul-2632");
	assert_int_equal(t->nonline, 2);
	assert_int_equal(t->nodes[1].cpus[0], 4);
	np_topo_free(t);
	/* empty has_cpu (3.10): the nodes' CPU lists are believed */
	t = load_machine("hascpu-empty-310");
	assert_true(t->nodes[0].has_cpus);
	assert_true(t->nodes[1].has_cpus);
	np_topo_free(t);
	/* distance "0 0": no distance table, all unknown */
	t = load_machine("nodist-0");
	assert_int_equal(np_topo_distance(t, 0, 0), 0);
	assert_int_equal(np_topo_distance(t, 1, 0), 0);
	np_topo_free(t);
	/* meminfo without MemFree */
	t = load_machine("no-memfree");
	assert_int_equal(t->nodes[1].free_bytes, NP_UNKNOWN);
	assert_int_equal(t->nodes[1].total_bytes, 16777216ull * 1024);
	np_topo_free(t);
	/* node ids up to 1023, cpumaps of 8192 bits */
	t = load_machine("wide-1023");
	assert_int_equal(t->nnodes, 4);
	assert_int_equal(t->nodes[3].id, 1023);
	assert_int_equal(t->nodes[3].cpus[3], 8191);
	assert_int_equal(t->nodes[1].cpus[0], 4096);
	assert_int_equal(np_topo_distance(t, 1023, 0), 30);
	assert_int_equal(t->npossible, 1024);
	np_topo_free(t);
	/* no sys/devices/system/node: one implicit node */
	t = load_machine("no-numa");
	assert_true(t->not_numa);
	assert_int_equal(t->nnodes, 1);
	assert_int_equal(t->nodes[0].ncpus, 4);
	assert_int_equal(t->nodes[0].total_bytes, 8039532ull * 1024);
	assert_int_equal(t->nodes[0].free_bytes, 5207848ull * 1024);
	assert_int_equal(np_topo_distance(t, 0, 0), 0);
	np_topo_free(t);
}

/*
 * An online node without a node directory (offline-node): numactl
 * misreads it (numactl-H.txt), so the expected text is by hand; the
 * columns are matched to nodes through the online mask.
 */
static void test_offline_node(void **state)
{
	struct np_topo *t = load_machine("offline-node"), *back = NULL;
	struct np_err err = { 0 };
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(t->nnodes, 3);
	assert_int_equal(np_topo_distance(t, 0, 3), 16);
	assert_int_equal(np_topo_distance(t, 1, 3), 22);
	assert_int_equal(np_topo_distance(t, 3, 3), 10);
	assert_int_equal(np_topo_to_text(t, NP_TEXT_NUMACTL, NULL, &out, NULL), 0);
	expect_file("offline-node", "topo-by-hand.txt", out);
	free(out);
	assert_int_equal(np_topo_to_json(t, &out, &len), 0);
	expect_file("offline-node", "topo.json", out);
	assert_int_equal(np_topo_from_json(out, len, &back, &err), 0);
	free(out);
	assert_int_equal(np_topo_to_text(back, NP_TEXT_NUMACTL, NULL, &out, NULL), 0);
	expect_file("offline-node", "topo-by-hand.txt", out);
	free(out);
	assert_int_equal(np_topo_load_cpu_structure(t, &err), 0);
	assert_int_equal(np_topo_to_text(t, NP_TEXT_VERBOSE, NULL, &out, NULL), 0);
	expect_file("offline-node", "topo-v.txt", out);
	free(out);
	np_topo_free(back);
	np_topo_free(t);
}

/* A copy of a dump's sys/ and proc/ (no hwloc.xml); "" for an empty root. */
static void copy_sys_proc(const char *machine, const char *root)
{
	char cmd[4 * PATH_MAX];

	if (!machine[0])
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", root,
			 root);
	else
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s' && "
			 "cp -r '%s/%s/sys' '%s/%s/proc' '%s/'", root, root, dumps,
			 machine, dumps, machine, root);
	assert_int_equal(system(cmd), 0);
}

/* Damage to a copy of a dump; returns the load's result. */
static int load_damaged(const char *machine, const char *file,
			const char *content, const char *root,
			struct np_topo **t, struct np_err *err)
{
	char path[2 * PATH_MAX];

	copy_sys_proc(machine, root);
	if (file) {
		snprintf(path, sizeof(path), "%s/%s", root, file);
		spit(path, content);
	}
	return np_topo_from_sysroot(root, t, err);
}

static void rm_tree(const char *root)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_sysfs_quirks_in_a_dump(void **state)
{
	char root[PATH_MAX], want[2 * PATH_MAX], cmd[3 * PATH_MAX];
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	char *out;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/np-test-quirk.%d", (int)getpid());
	/* cpumap and cpulist disagree: cpumap (numactl's answer) wins */
	assert_int_equal(load_damaged("server-2s-smt",
				      "sys/devices/system/node/node0/cpulist",
				      "0-3\n", root, &t, &err), 0);
	assert_int_equal(np_topo_to_text(t, NP_TEXT_NUMACTL, NULL, &out, NULL), 0);
	expect_file("server-2s-smt", "topo.txt", out);
	free(out);
	np_topo_free(t);
	/* a lone "0" in every distance file, as the captures had
	 * (one such row alone is that row unknown, as numactl reads it) */
	assert_int_equal(load_damaged("server-2s-smt",
				      "sys/devices/system/node/node0/distance",
				      "0\n", root, &t, &err), 0);
	assert_int_equal(np_topo_distance(t, 0, 1), 0);
	assert_int_equal(np_topo_distance(t, 1, 0), 21);
	np_topo_free(t);
	snprintf(cmd, sizeof(cmd), "printf '0\\n' >'%s/sys/devices/system/node/"
		 "node1/distance'", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(np_topo_from_sysroot(root, &t, &err), 0);
	assert_int_equal(np_topo_to_text(t, NP_TEXT_NUMACTL, NULL, &out, NULL), 0);
	assert_non_null(strstr(out, "\nNo distance information available.\n"));
	free(out);
	np_topo_free(t);
	/* defect 18: an out-of-range node directory is named, not skipped */
	copy_sys_proc("", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys/devices/system/node/"
		 "node100000'", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(np_topo_from_sysroot(root, &t, &err), -ERANGE);
	snprintf(want, sizeof(want), "%s/sys/devices/system/node/node100000: "
		 "node id 100000 out of range (ids go up to 4095)", root);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	/* defect 12: kB x 1024 beyond 63 bits is refused, not "size: 0 MB" */
	assert_int_equal(load_damaged("laptop-1n",
				      "sys/devices/system/node/node0/meminfo",
				      "Node 0 MemTotal: 18014398509481984 kB\n"
				      "Node 0 MemFree: 1 kB\n", root, &t, &err),
			 -ERANGE);
	snprintf(want, sizeof(want), "%s/sys/devices/system/node/node0/meminfo: "
		 "MemTotal 18014398509481984 kB out of range", root);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	/* ... and numastat counters beyond JSON's int64 likewise */
	assert_int_equal(load_damaged("laptop-1n",
				      "sys/devices/system/node/node0/numastat",
				      "numa_hit 9223372036854775808\nnuma_miss 0\n"
				      "numa_foreign 0\ninterleave_hit 0\n"
				      "local_node 0\nother_node 0\n", root, &t,
				      &err), -ERANGE);
	assert_non_null(strstr(err.msg, "numastat numa_hit out of range"));
	/* defect 12: MemFree > MemTotal is kept, from sysfs and from JSON */
	assert_int_equal(load_damaged("laptop-1n",
				      "sys/devices/system/node/node0/meminfo",
				      "Node 0 MemTotal: 1000 kB\n"
				      "Node 0 MemFree: 2000 kB\n", root, &t, &err), 0);
	{
		struct np_topo *back = NULL;
		size_t len;

		assert_int_equal(np_topo_to_json(t, &out, &len), 0);
		if (np_topo_from_json(out, len, &back, &err))
			fail_msg("%s", err.msg);
		assert_int_equal(back->nodes[0].free_bytes, 2000 * 1024);
		free(out);
		np_topo_free(back);
	}
	np_topo_free(t);
	rm_tree(root);
}

/* Defect 12: JSON numbers at 2^63 and above are refused, never clamped;
 * the same limits as sysfs for meminfo kB values; "numa": false. */
static void test_json_limits(void **state)
{
	static const struct bad_json cases[] = {
		{ "{\"nodes\":[{\"id\":0,\"cpus\":[0],\"memory\":"
		  "{\"total_bytes\":9223372036854775808}}]}",
		  "<json>: nodes[0].memory.total_bytes: number out of range" },
		{ "{\"nodes\":[{\"id\":0,\"cpus\":[0],\"memory\":"
		  "{\"total_bytes\":18446744073709551615}}]}",
		  "<json>: nodes[0].memory.total_bytes: number out of range" },
		{ "{\"nodes\":[{\"id\":0,\"cpus\":[0],\"memory\":{},"
		  "\"meminfo\":{\"MemTotal_kB\":18014398509481984}}]}",
		  "<json>: nodes[0].meminfo.MemTotal_kB: number out of range" },
		{ "{\"nodes\":[{\"id\":0,\"cpus\":[0],\"memory\":{},"
		  "\"numastat\":{\"numa_hit\":9223372036854775808}}]}",
		  "<json>: nodes[0].numastat.numa_hit: number out of range" },
		{ "{\"nodes\":[{\"id\":4096,\"cpus\":[0],\"memory\":{}}]}",
		  "<json>: nodes[0].id: number out of range" },
		{ "{\"numa\":false,\"nodes\":[{\"id\":0,\"cpus\":[0],\"memory\":{}},"
		  "{\"id\":1,\"cpus\":[1],\"memory\":{}}]}",
		  "<json>: numa: false needs exactly one node" },
	};
	static const char ok[] = "{\"numa\":false,\"nodes\":[{\"id\":0,"
		"\"cpus\":[0,1],\"memory\":{\"total_bytes\":9223372036854775807,"
		"\"free_bytes\":null}}]}";
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int e = np_topo_from_json(cases[i].text, strlen(cases[i].text),
					  &t, &err);

		assert_int_equal(e, -EINVAL);
		assert_null(t);
		if (strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.msg,
				 cases[i].msg);
	}
	assert_int_equal(np_topo_from_json(ok, strlen(ok), &t, &err), 0);
	assert_true(t->not_numa);
	assert_int_equal(t->nodes[0].total_bytes, (uint64_t)INT64_MAX);
	assert_int_equal(np_topo_to_text(t, NP_TEXT_NUMACTL, NULL, &out, NULL), 0);
	assert_string_equal(out, "No NUMA available on this system\n");
	free(out);
	np_topo_free(t);
}

/* hwloc XML text: laptop-1n's with one substitution, in a temp file. */
static int load_xml_variant(const char *from, const char *to,
			    struct np_topo **t, struct np_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	char *xml, *hit, *text;
	size_t len;
	int e;

	snprintf(path, sizeof(path), "%s/laptop-1n/hwloc.xml", dumps);
	xml = slurp(path, &len);
	assert_non_null(xml);
	hit = strstr(xml, from);
	assert_non_null(hit);
	text = malloc(len + strlen(to) + 1);
	assert_non_null(text);
	sprintf(text, "%.*s%s%s", (int)(hit - xml), xml, to, hit + strlen(from));
	snprintf(tmp, sizeof(tmp), "/tmp/np-test-xml.%d.xml", (int)getpid());
	spit(tmp, text);
	*t = NULL;
	e = np_topo_from_file(tmp, t, err);
	unlink(tmp);
	free(text);
	free(xml);
	return e;
}

/* Defect 3: the node id limits of every input, in hwloc XML too. */
static void test_hwloc_xml_ids(void **state)
{
	struct np_err err = { 0 };
	struct np_topo *t;

	(void)state;
	assert_int_equal(load_xml_variant("type=\"NUMANode\" os_index=\"0\"",
					  "type=\"NUMANode\" os_index=\"4294967295\"",
					  &t, &err), -ERANGE);
	assert_non_null(strstr(err.msg, ": node id 4294967295 out of range "
			       "(ids go up to 4095)"));
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_null(t);
	assert_int_equal(load_xml_variant("type=\"NUMANode\" os_index=\"0\"",
					  "type=\"NUMANode\" os_index=\"4096\"",
					  &t, &err), -ERANGE);
	/* two NUMANode os_index="0": a duplicate, not "2 nodes (0-0)" */
	assert_int_equal(load_xml_variant("<object type=\"NUMANode\"",
					  "<object type=\"NUMANode\" os_index=\"0\" "
					  "local_memory=\"4096\"/><object "
					  "type=\"NUMANode\"", &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ": node 0 appears twice"));
	assert_int_equal(load_xml_variant("type=\"PU\" os_index=\"0\"",
					  "type=\"PU\" os_index=\"65536\"", &t,
					  &err), -ERANGE);
	assert_non_null(strstr(err.msg, ": CPU 65536 out of range"));
	/* a valid id still loads */
	assert_int_equal(load_xml_variant("type=\"NUMANode\" os_index=\"0\"",
					  "type=\"NUMANode\" os_index=\"1023\"",
					  &t, &err), 0);
	assert_int_equal(t->nodes[0].id, 1023);
	np_topo_free(t);
}

/* Defect 19: a dump's hwloc.xml that is there but garbage is an error
 * (class input), not the "no CPU structure" note of a missing one. */
static void test_garbage_dump_hwloc_xml(void **state)
{
	char root[PATH_MAX], path[2 * PATH_MAX];
	struct np_err err = { 0 };
	struct np_topo *t = NULL;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/np-test-gxml.%d", (int)getpid());
	assert_int_equal(load_damaged("laptop-1n", NULL, NULL, root, &t, &err), 0);
	assert_int_equal(np_topo_load_cpu_structure(t, &err), -ENOENT);
	np_topo_free(t);
	snprintf(path, sizeof(path), "%s/hwloc.xml", root);
	spit(path, "<topology>garbage");
	assert_int_equal(np_topo_from_sysroot(root, &t, &err), 0);
	assert_int_equal(np_topo_load_cpu_structure(t, &err), -EINVAL);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	np_topo_free(t);
	rm_tree(root);
}

/* A node that lists CPUs is never "memory only", whatever has_cpus says
 * (an empty has_cpu mask read by an older numaplace, hand-written JSON). */
static void test_cpus_never_memory_only(void **state)
{
	static const char j[] = "{\"nodes\":[{\"id\":0,\"cpus\":[0,1],"
		"\"memory\":{\"total_bytes\":1048576,\"free_bytes\":0},"
		"\"has_cpus\":false,\"has_memory\":true}]}";
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	char *out;

	(void)state;
	assert_int_equal(np_topo_from_json(j, strlen(j), &t, &err), 0);
	assert_int_equal(np_topo_to_text(t, NP_TEXT_VERBOSE, NULL, &out, NULL), 0);
	assert_non_null(strstr(out, "\nnode 0: CPUs and memory\n"));
	assert_null(strstr(out, "memory only"));
	free(out);
	np_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_text),
		cmocka_unit_test(test_fixtures_json),
		cmocka_unit_test(test_fixtures_verbose),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_sparse_ids),
		cmocka_unit_test(test_cxl_memory_only),
		cmocka_unit_test(test_seed001_values),
		cmocka_unit_test(test_hwloc_xml_input),
		cmocka_unit_test(test_damaged_dumps),
		cmocka_unit_test(test_missing_root),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_cpu_queries),
		cmocka_unit_test(test_quirky_machines),
		cmocka_unit_test(test_offline_node),
		cmocka_unit_test(test_sysfs_quirks_in_a_dump),
		cmocka_unit_test(test_json_limits),
		cmocka_unit_test(test_hwloc_xml_ids),
		cmocka_unit_test(test_garbage_dump_hwloc_xml),
		cmocka_unit_test(test_cpus_never_memory_only),
	};
	const char *src = getenv("NP_SRCDIR");

	snprintf(dumps, sizeof(dumps), "%s/tests/dumps", src ? src : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
