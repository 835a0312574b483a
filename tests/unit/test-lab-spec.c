/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lab machine spec (lab/lab.h, first part): --nodes and
 * --distances parsing with the exact messages a user sees, the presets,
 * validation limits, the QEMU argument vector string by string, and
 * specs made from topologies (JSON text and the tests/dumps fixtures).
 * Pure functions: no QEMU, no kernel, no I/O beyond reading fixtures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include <numaplace/topo.h>

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char srcdir[PATH_MAX];

/* The 4-socket Opteron pattern of tests/dumps/opteron-8n (its topo.txt). */
static const unsigned char opteron_dist[8][8] = {
	{ 10, 16, 16, 22, 16, 22, 16, 22 },
	{ 16, 10, 22, 16, 22, 16, 22, 16 },
	{ 16, 22, 10, 16, 16, 22, 16, 22 },
	{ 22, 16, 16, 10, 22, 16, 22, 16 },
	{ 16, 22, 16, 22, 10, 16, 16, 22 },
	{ 22, 16, 22, 16, 16, 10, 22, 16 },
	{ 16, 22, 16, 22, 16, 22, 10, 16 },
	{ 22, 16, 22, 16, 22, 16, 16, 10 },
};

static void parse_ok(const char *nodes, struct np_lab_spec *spec)
{
	struct np_err err = { 0 };
	int e = np_lab_parse_nodes(nodes, spec, &err);

	if (e)
		fail_msg("'%s': %d %s", nodes, e, err.msg);
}

static void parse_dist_ok(const char *nodes, const char *dist,
			  struct np_lab_spec *spec)
{
	struct np_err err = { 0 };
	int e;

	parse_ok(nodes, spec);
	e = np_lab_parse_distances(dist, spec, &err);
	if (e)
		fail_msg("'%s': %d %s", dist, e, err.msg);
}

/* A failure must carry the same code in the return value and err. */
static void expect_fail(const char *what, int got, const struct np_err *err,
			int code, const char *msg)
{
	if (got != code)
		fail_msg("'%s': returned %d, want %d (%s)", what, got, code,
			 err->msg);
	if (err->code != code)
		fail_msg("'%s': err.code %d, want %d", what, err->code, code);
	if (msg && strcmp(err->msg, msg) != 0)
		fail_msg("'%s': got \"%s\", want \"%s\"", what, err->msg, msg);
}

static void expect_invalid(const struct np_lab_spec *spec, const char *what,
			   int code, const char *msg)
{
	struct np_err err = { 0 };

	expect_fail(what, np_lab_spec_validate(spec, &err), &err, code, msg);
}

static void expect_valid(const struct np_lab_spec *spec, const char *what)
{
	struct np_err err = { 0 };
	int e = np_lab_spec_validate(spec, &err);

	if (e)
		fail_msg("%s: %d %s", what, e, err.msg);
}

static void expect_argv(char **argv, const char *const *want, size_t nwant)
{
	size_t n = 0;

	assert_non_null(argv);
	while (argv[n])
		n++;
	for (size_t i = 0; i < n && i < nwant; i++)
		if (strcmp(argv[i], want[i]) != 0)
			fail_msg("argv[%zu] = \"%s\", want \"%s\"", i, argv[i],
				 want[i]);
	if (n != nwant)
		fail_msg("argv has %zu strings, want %zu (first extra or "
			 "missing: \"%s\")", n, nwant,
			 n > nwant ? argv[nwant] : want[n]);
}

static char **qemu_args_ok(const struct np_lab_spec *spec)
{
	struct np_err err = { 0 };
	char **argv = NULL;
	int e = np_lab_qemu_numa_args(spec, &argv, &err);

	if (e)
		fail_msg("np_lab_qemu_numa_args: %d %s", e, err.msg);
	return argv;
}

static struct np_topo *topo_from_json_ok(const char *json)
{
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	int e = np_topo_from_json(json, strlen(json), &t, &err);

	if (e)
		fail_msg("np_topo_from_json: %d %s", e, err.msg);
	return t;
}

static void expect_default_distances(const struct np_lab_spec *spec)
{
	for (unsigned i = 0; i < spec->nnodes; i++)
		for (unsigned j = 0; j < spec->nnodes; j++)
			if (spec->distance[i][j] != (i == j ? 10 : 20))
				fail_msg("distance[%u][%u] = %u", i, j,
					 spec->distance[i][j]);
}

/* ---- np_lab_parse_nodes ---------------------------------------------- */

static void test_parse_nodes_basic(void **state)
{
	struct np_lab_spec spec;

	(void)state;
	memset(&spec, 0xa5, sizeof(spec));
	parse_ok("2:512M,2:512M,0:1G", &spec);
	assert_int_equal(spec.nnodes, 3);
	assert_int_equal(spec.nodes[0].cpus, 2);
	assert_int_equal(spec.nodes[0].mem_bytes, 512 * MIB);
	assert_int_equal(spec.nodes[1].cpus, 2);
	assert_int_equal(spec.nodes[1].mem_bytes, 512 * MIB);
	assert_int_equal(spec.nodes[2].cpus, 0);
	assert_int_equal(spec.nodes[2].mem_bytes, GIB);
	expect_default_distances(&spec);
	/* The rest of the spec is cleared, not left from the caller. */
	assert_int_equal(spec.nodes[3].cpus, 0);
	assert_int_equal(spec.nodes[3].mem_bytes, 0);
	assert_int_equal(spec.distance[0][3], 0);
	assert_int_equal(spec.distance[3][0], 0);
	assert_int_equal(np_lab_spec_cpus(&spec), 4);
	assert_int_equal(np_lab_spec_mem_bytes(&spec), 2 * GIB);

	parse_ok("3:128M", &spec);
	assert_int_equal(spec.nnodes, 1);
	assert_int_equal(spec.nodes[0].cpus, 3);
	assert_int_equal(spec.distance[0][0], 10);
	assert_int_equal(spec.distance[0][1], 0);
}

static void test_parse_nodes_sizes(void **state)
{
	static const struct {
		const char *in;
		unsigned cpus;
		uint64_t bytes;
	} cases[] = {
		{ "1:512M", 1, 512 * MIB },
		{ "1:512m", 1, 512 * MIB },
		{ "1:512MiB", 1, 512 * MIB },
		{ "1:512MB", 1, 512 * MIB },
		{ "1:256", 1, 256 * MIB },       /* bare: MiB, like -m */
		{ "1:1", 1, MIB },
		{ "1:2G", 1, 2 * GIB },
		{ "1:2g", 1, 2 * GIB },
		{ "1:2GiB", 1, 2 * GIB },
		{ "1:2GB", 1, 2 * GIB },
		{ "1:1024K", 1, MIB },
		{ "1:131072k", 1, 128 * MIB },
		{ "1:4096KiB", 1, 4 * MIB },
		{ "1:1K", 1, 1024 },             /* validation rejects it, not parsing */
		{ "1:3KB", 1, 3 * 1024 },
		{ "1:0", 1, 0 },
		{ "0:0M", 0, 0 },
		{ "64:64G", 64, 64 * GIB },      /* the per-node limits */
		{ "1:65536", 1, 64 * GIB },
		{ "1:67108864K", 1, 64 * GIB },
		{ "007:0128M", 7, 128 * MIB },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct np_lab_spec spec;

		parse_ok(cases[i].in, &spec);
		assert_int_equal(spec.nnodes, 1);
		if (spec.nodes[0].cpus != cases[i].cpus ||
		    spec.nodes[0].mem_bytes != cases[i].bytes)
			fail_msg("'%s': %u CPUs, %llu bytes; want %u, %llu",
				 cases[i].in, spec.nodes[0].cpus,
				 (unsigned long long)spec.nodes[0].mem_bytes,
				 cases[i].cpus,
				 (unsigned long long)cases[i].bytes);
	}
}

#define WANT_SYNTAX "expected CPUS:MEM like 2:512M"

static void test_parse_nodes_errors(void **state)
{
	static const struct {
		const char *in;
		int code;
		const char *msg;
	} cases[] = {
		{ "2x512M", -EINVAL, "--nodes: bad node '2x512M': " WANT_SYNTAX },
		{ "2:", -EINVAL, "--nodes: bad node '2:': " WANT_SYNTAX },
		{ ":512M", -EINVAL, "--nodes: bad node ':512M': " WANT_SYNTAX },
		{ "a:1G", -EINVAL, "--nodes: bad node 'a:1G': " WANT_SYNTAX },
		{ "2:512M,", -EINVAL, "--nodes: bad node '': " WANT_SYNTAX },
		{ ",", -EINVAL, "--nodes: bad node '': " WANT_SYNTAX },
		{ "2:512M,,2:512M", -EINVAL, "--nodes: bad node '': " WANT_SYNTAX },
		{ "", -EINVAL, "--nodes: empty node list" },
		{ "2", -EINVAL, "--nodes: bad node '2': " WANT_SYNTAX },
		{ "2:1X", -EINVAL, "--nodes: bad node '2:1X': " WANT_SYNTAX },
		{ "2:512M ", -EINVAL, "--nodes: bad node '2:512M ': " WANT_SYNTAX },
		{ " 2:512M", -EINVAL, "--nodes: bad node ' 2:512M': " WANT_SYNTAX },
		{ "2:-1M", -EINVAL, "--nodes: bad node '2:-1M': " WANT_SYNTAX },
		{ "-2:1M", -EINVAL, "--nodes: bad node '-2:1M': " WANT_SYNTAX },
		{ "2:512M;2:512M", -EINVAL,
		  "--nodes: bad node '2:512M;2:512M': " WANT_SYNTAX },
		/* the message names the bad token, not the first one */
		{ "2:512M,1:1Q,2:512M", -EINVAL,
		  "--nodes: bad node '1:1Q': " WANT_SYNTAX },
		{ "99999999999:1G", -ERANGE,
		  "--nodes: bad node '99999999999:1G': number too large" },
		{ "65:1G", -ERANGE, "--nodes: bad node '65:1G': number too large" },
		{ "2:65G", -ERANGE, "--nodes: bad node '2:65G': number too large" },
		{ "2:65537", -ERANGE,
		  "--nodes: bad node '2:65537': number too large" },
		{ "2:67108865K", -ERANGE,
		  "--nodes: bad node '2:67108865K': number too large" },
		{ "2:512M,2:99999999999999999999999", -ERANGE,
		  "--nodes: bad node '2:99999999999999999999999': "
		  "number too large" },
		/* a long token is cut at 40 characters */
		{ "2:512Mxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		  -EINVAL, "--nodes: bad node "
		  "'2:512Mxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx': " WANT_SYNTAX },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct np_err err = { 0 };
		struct np_lab_spec spec;
		int e = np_lab_parse_nodes(cases[i].in, &spec, &err);

		expect_fail(cases[i].in, e, &err, cases[i].code, cases[i].msg);
	}
}

static void test_parse_nodes_limit(void **state)
{
	char list[65 * 8];
	struct np_err err = { 0 };
	struct np_lab_spec spec;
	size_t off = 0;
	int e;

	(void)state;
	/* 64 nodes: accepted, all kept */
	for (unsigned i = 0; i < 64; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%u:8M",
					i ? "," : "", i % 2);
	parse_ok(list, &spec);
	assert_int_equal(spec.nnodes, 64);
	assert_int_equal(spec.nodes[63].cpus, 1);
	assert_int_equal(spec.nodes[63].mem_bytes, 8 * MIB);
	assert_int_equal(spec.distance[63][63], 10);
	assert_int_equal(spec.distance[63][0], 20);
	assert_int_equal(spec.distance[0][63], 20);

	/* 65: -ERANGE, not a syntax error */
	snprintf(list + off, sizeof(list) - off, ",1:8M");
	e = np_lab_parse_nodes(list, &spec, &err);
	expect_fail("65 nodes", e, &err, -ERANGE,
		    "--nodes: more than 64 nodes");
}

/* ---- np_lab_parse_distances ------------------------------------------ */

static void test_parse_distances_symmetric(void **state)
{
	static const unsigned char want[3][3] = {
		{ 10, 21, 30 }, { 21, 10, 40 }, { 30, 40, 10 },
	};
	struct np_lab_spec spec;

	(void)state;
	parse_dist_ok("2:512M,2:512M,0:512M", "10,21,30;21,10,40;30,40,10",
		      &spec);
	assert_int_equal(spec.nnodes, 3);
	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = 0; j < 3; j++)
			assert_int_equal(spec.distance[i][j], want[i][j]);
	expect_valid(&spec, "symmetric");
}

static void test_parse_distances_asymmetric(void **state)
{
	/* every entry differs, so a transposed or shifted store shows */
	static const unsigned char want[3][3] = {
		{ 10, 12, 13 }, { 21, 10, 23 }, { 31, 32, 10 },
	};
	struct np_lab_spec spec;

	(void)state;
	parse_dist_ok("1:256M,1:256M,1:256M", "10,12,13;21,10,23;31,32,10",
		      &spec);
	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = 0; j < 3; j++)
			if (spec.distance[i][j] != want[i][j])
				fail_msg("distance[%u][%u] = %u, want %u", i, j,
					 spec.distance[i][j], want[i][j]);
	/* outside the 3x3 block nothing is written */
	assert_int_equal(spec.distance[0][3], 0);
	assert_int_equal(spec.distance[3][0], 0);
	expect_valid(&spec, "asymmetric");

	/* the extremes Linux accepts */
	parse_dist_ok("1:256M,1:256M", "10,255;11,10", &spec);
	assert_int_equal(spec.distance[0][1], 255);
	assert_int_equal(spec.distance[1][0], 11);
	expect_valid(&spec, "10,255;11,10");

	parse_dist_ok("1:256M", "10", &spec);
	assert_int_equal(spec.distance[0][0], 10);
}

static void test_parse_distances_errors(void **state)
{
	static const struct {
		const char *in;
		int code;
		const char *msg; /* NULL: only the code is checked */
	} cases[] = {
		{ "10,21", -EINVAL, "--distances: 1 row for 2 nodes" },
		{ "10,21;21,10;10,21", -EINVAL,
		  "--distances: more rows than the 2 nodes" },
		{ "10,21;21,10;", -EINVAL, "--distances: row 2 is empty" },
		{ "10,21x;21,10", -EINVAL,
		  "--distances: bad entry '21x' in row 0" },
		{ "10x,21;21,10", -EINVAL,
		  "--distances: bad entry '10x' in row 0" },
		{ "10;21,10", -EINVAL, "--distances: row 0 has 1 entry, want 2" },
		{ "10,21;21", -EINVAL, "--distances: row 1 has 1 entry, want 2" },
		{ "10,21,30;21,10", -EINVAL,
		  "--distances: row 0 has more than 2 entries" },
		{ "10,21;21,10,30", -EINVAL,
		  "--distances: row 1 has more than 2 entries" },
		{ "10,x;21,10", -EINVAL, "--distances: bad entry 'x' in row 0" },
		{ "10,21;a,10", -EINVAL, "--distances: bad entry 'a' in row 1" },
		{ "10,;21,10", -EINVAL, "--distances: bad entry '' in row 0" },
		{ "10,-21;21,10", -EINVAL,
		  "--distances: bad entry '-21' in row 0" },
		{ "", -EINVAL, "--distances: row 0 is empty" },
		{ "10,256;21,10", -ERANGE,
		  "--distances: bad entry '256' in row 0" },
		{ "10,21;99999999999,10", -ERANGE,
		  "--distances: bad entry '99999999999' in row 1" },
		/* junk after a number: rejected (see the report on wording) */
		{ "10,21x;21,10", -EINVAL, NULL },
		{ "10x,21;21,10", -EINVAL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct np_err err = { 0 };
		struct np_lab_spec spec;
		int e;

		parse_ok("1:256M,1:256M", &spec);
		e = np_lab_parse_distances(cases[i].in, &spec, &err);
		expect_fail(cases[i].in, e, &err, cases[i].code, cases[i].msg);
	}
}

/* ---- presets --------------------------------------------------------- */

static void test_presets_all_valid(void **state)
{
	const char *const *names = np_lab_preset_names();
	char known[128] = "";
	size_t n = 0;

	(void)state;
	assert_non_null(names);
	for (; names[n]; n++) {
		struct np_err err = { 0 };
		struct np_lab_spec spec;
		int e = np_lab_preset(names[n], &spec, &err);

		if (e)
			fail_msg("preset %s: %d %s", names[n], e, err.msg);
		expect_valid(&spec, names[n]);
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", n ? ", " : "", names[n]);
	}
	assert_int_equal(n, 4);
	assert_string_equal(known, "2s, 4n, 8n, cxl");
}

static void test_preset_shapes(void **state)
{
	struct np_err err = { 0 };
	struct np_lab_spec spec;

	(void)state;
	assert_int_equal(np_lab_preset("2s", &spec, &err), 0);
	assert_int_equal(spec.nnodes, 2);
	assert_int_equal(spec.nodes[0].cpus, 2);
	assert_int_equal(spec.nodes[1].cpus, 2);
	assert_true(spec.nodes[0].mem_bytes > 0);
	assert_true(spec.nodes[1].mem_bytes > 0);
	assert_int_equal(spec.distance[0][1], spec.distance[1][0]);
	assert_true(spec.distance[0][1] > 10);

	assert_int_equal(np_lab_preset("4n", &spec, &err), 0);
	assert_int_equal(spec.nnodes, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_true(spec.nodes[i].cpus > 0);
		assert_true(spec.nodes[i].mem_bytes > 0);
		for (unsigned j = 0; j < 4; j++)
			assert_int_equal(spec.distance[i][j], i == j ? 10 : 21);
	}

	assert_int_equal(np_lab_preset("8n", &spec, &err), 0);
	assert_int_equal(spec.nnodes, 8);
	for (unsigned i = 0; i < 8; i++) {
		unsigned twos = 0, ones = 0;

		assert_true(spec.nodes[i].cpus > 0);
		assert_true(spec.nodes[i].mem_bytes > 0);
		for (unsigned j = 0; j < 8; j++) {
			unsigned d = spec.distance[i][j];

			assert_int_equal(d, spec.distance[j][i]);
			if (i == j)
				assert_int_equal(d, 10);
			else if (d == 16)
				ones++;
			else if (d == 22)
				twos++;
			else
				fail_msg("8n: distance[%u][%u] = %u", i, j, d);
		}
		/* every node is one hop from 4 nodes, two from 3 */
		assert_int_equal(ones, 4);
		assert_int_equal(twos, 3);
	}
	/* and it is the opteron-8n fixture's matrix */
	assert_memory_equal(&spec.distance[0][0], &opteron_dist[0][0], 8);
	for (unsigned i = 0; i < 8; i++)
		assert_memory_equal(spec.distance[i], opteron_dist[i], 8);

	assert_int_equal(np_lab_preset("cxl", &spec, &err), 0);
	assert_int_equal(spec.nnodes, 3);
	assert_true(spec.nodes[0].cpus > 0);
	assert_true(spec.nodes[1].cpus > 0);
	assert_int_equal(spec.nodes[2].cpus, 0);
	assert_true(spec.nodes[2].mem_bytes > 0);
	for (unsigned i = 0; i < 2; i++) {
		assert_true(spec.distance[i][2] > spec.distance[0][1]);
		assert_true(spec.distance[i][2] > spec.distance[1][0]);
		assert_true(spec.distance[2][i] > spec.distance[0][1]);
		assert_true(spec.distance[2][i] > spec.distance[1][0]);
	}
}

static void test_preset_unknown(void **state)
{
	struct np_err err = { 0 };
	struct np_lab_spec spec;
	int e;

	(void)state;
	e = np_lab_preset("9n", &spec, &err);
	expect_fail("9n", e, &err, -EINVAL,
		    "--preset: unknown preset '9n' (known: 2s, 4n, 8n, cxl)");
	/* names are matched whole, case and all */
	e = np_lab_preset("2S", &spec, &err);
	expect_fail("2S", e, &err, -EINVAL,
		    "--preset: unknown preset '2S' (known: 2s, 4n, 8n, cxl)");
	e = np_lab_preset("", &spec, &err);
	expect_fail("''", e, &err, -EINVAL,
		    "--preset: unknown preset '' (known: 2s, 4n, 8n, cxl)");
}

/* ---- np_lab_spec_validate -------------------------------------------- */

static void test_validate(void **state)
{
	struct np_lab_spec spec;

	(void)state;
	parse_ok("2:512M,2:512M", &spec);
	expect_valid(&spec, "2:512M,2:512M");

	memset(&spec, 0, sizeof(spec));
	expect_invalid(&spec, "0 nodes", -EINVAL, "the machine has no nodes");

	parse_ok("0:512M,0:512M", &spec);
	expect_invalid(&spec, "0:512M,0:512M", -EINVAL,
		       "--nodes: no node has CPUs");

	parse_ok("2:120M,2:512M", &spec);
	expect_invalid(&spec, "2:120M,2:512M", -EINVAL,
		       "--nodes: node 0 needs at least 128M: the kernel and "
		       "the image load into it");
	parse_ok("2:0,2:512M", &spec);
	expect_invalid(&spec, "2:0,2:512M", -EINVAL,
		       "--nodes: node 0 needs at least 128M: the kernel and "
		       "the image load into it");
	parse_ok("2:128M,2:8M", &spec);
	expect_valid(&spec, "2:128M,2:8M");

	parse_ok("2:512M,2:260M", &spec);
	expect_invalid(&spec, "2:512M,2:260M", -EINVAL,
		       "--nodes: node 1 memory is not a multiple of 8M (QEMU "
		       "and Linux want 8 MiB-aligned nodes)");
	parse_ok("2:132M,2:512M", &spec);
	expect_invalid(&spec, "2:132M,2:512M", -EINVAL,
		       "--nodes: node 0 memory is not a multiple of 8M (QEMU "
		       "and Linux want 8 MiB-aligned nodes)");
	parse_ok("2:512M,2:512M,0:1K", &spec);
	expect_invalid(&spec, "0:1K", -EINVAL,
		       "--nodes: node 2 memory is not a multiple of 8M (QEMU "
		       "and Linux want 8 MiB-aligned nodes)");

	parse_ok("2:512M,2:512M", &spec);
	spec.distance[1][1] = 11;
	expect_invalid(&spec, "diagonal 11", -EINVAL,
		       "--distances: node 1 to itself is 11, must be 10");
	spec.distance[1][1] = 0;
	expect_invalid(&spec, "diagonal 0", -EINVAL,
		       "--distances: node 1 to itself is 0, must be 10");

	parse_ok("2:512M,2:512M", &spec);
	spec.distance[0][1] = 10;
	expect_invalid(&spec, "off-diagonal 10", -EINVAL,
		       "--distances: node 0 to 1 is 10, must be above 10");
	spec.distance[0][1] = 11;
	spec.distance[1][0] = 1;
	expect_invalid(&spec, "off-diagonal 1", -EINVAL,
		       "--distances: node 1 to 0 is 1, must be above 10");
	spec.distance[1][0] = 11;
	expect_valid(&spec, "off-diagonal 11");

	parse_ok("33:512M,32:512M", &spec);
	expect_invalid(&spec, "65 CPUs", -ERANGE,
		       "--nodes: 65 CPUs, at most 64");
	parse_ok("32:512M,32:512M", &spec);
	expect_valid(&spec, "64 CPUs");

	parse_ok("2:8G,2:8200M", &spec);
	expect_invalid(&spec, "16392 MiB", -ERANGE,
		       "--nodes: 16392 MiB in all, at most 16384");
	parse_ok("2:8G,2:8G", &spec);
	expect_valid(&spec, "16 GiB");

	/* memoryless (CPUs, no memory) and memory-only nodes are fine
	 * anywhere but node 0 */
	parse_ok("2:512M,2:0", &spec);
	expect_valid(&spec, "2:512M,2:0");
	parse_ok("2:512M,0:512M,2:0", &spec);
	expect_valid(&spec, "2:512M,0:512M,2:0");
	parse_ok("0:512M,2:0", &spec);
	expect_valid(&spec, "0:512M,2:0");
}

/* ---- np_lab_qemu_numa_args ------------------------------------------- */

static void test_qemu_args_cxl(void **state)
{
	static const char *const want[] = {
		"-m", "1536M",
		"-object", "memory-backend-ram,id=m0,size=512M",
		"-numa", "node,nodeid=0,memdev=m0",
		"-object", "memory-backend-ram,id=m1,size=512M",
		"-numa", "node,nodeid=1,memdev=m1",
		"-object", "memory-backend-ram,id=m2,size=512M",
		"-numa", "node,nodeid=2,memdev=m2",
		"-smp", "4,sockets=2,cores=2,threads=1",
		"-numa", "cpu,node-id=0,socket-id=0",
		"-numa", "cpu,node-id=1,socket-id=1",
		"-numa", "dist,src=0,dst=1,val=21",
		"-numa", "dist,src=0,dst=2,val=30",
		"-numa", "dist,src=1,dst=0,val=21",
		"-numa", "dist,src=1,dst=2,val=40",
		"-numa", "dist,src=2,dst=0,val=30",
		"-numa", "dist,src=2,dst=1,val=40",
	};
	struct np_lab_spec spec;
	char **argv;

	(void)state;
	parse_dist_ok("2:512M,2:512M,0:512M", "10,21,30;21,10,40;30,40,10",
		      &spec);
	argv = qemu_args_ok(&spec);
	expect_argv(argv, want, ARRAY_SIZE(want));
	np_lab_argv_free(argv);
}

static void test_qemu_args_asymmetric(void **state)
{
	static const char *const want[] = {
		"-m", "2304M",
		"-object", "memory-backend-ram,id=m0,size=2048M",
		"-numa", "node,nodeid=0,memdev=m0",
		"-object", "memory-backend-ram,id=m1,size=256M",
		"-numa", "node,nodeid=1,memdev=m1",
		"-smp", "2,sockets=2,cores=1,threads=1",
		"-numa", "cpu,node-id=0,socket-id=0",
		"-numa", "cpu,node-id=1,socket-id=1",
		"-numa", "dist,src=0,dst=1,val=12",
		"-numa", "dist,src=1,dst=0,val=34",
	};
	struct np_lab_spec spec;
	char **argv;

	(void)state;
	/* src/dst follow distance[src][dst], not its transpose */
	parse_dist_ok("1:2G,1:256M", "10,12;34,10", &spec);
	argv = qemu_args_ok(&spec);
	expect_argv(argv, want, ARRAY_SIZE(want));
	np_lab_argv_free(argv);
}

static void test_qemu_args_unequal_cpus(void **state)
{
	static const char *const want[] = {
		"-m", "512M",
		"-object", "memory-backend-ram,id=m0,size=256M",
		"-numa", "node,nodeid=0,memdev=m0",
		"-object", "memory-backend-ram,id=m1,size=256M",
		"-numa", "node,nodeid=1,memdev=m1",
		"-smp", "4,sockets=4,cores=1,threads=1",
		"-numa", "cpu,node-id=0,socket-id=0",
		"-numa", "cpu,node-id=0,socket-id=1",
		"-numa", "cpu,node-id=0,socket-id=2",
		"-numa", "cpu,node-id=1,socket-id=3",
		"-numa", "dist,src=0,dst=1,val=20",
		"-numa", "dist,src=1,dst=0,val=20",
	};
	struct np_lab_spec spec;
	char **argv;

	(void)state;
	parse_ok("3:256M,1:256M", &spec);
	argv = qemu_args_ok(&spec);
	expect_argv(argv, want, ARRAY_SIZE(want));
	np_lab_argv_free(argv);
}

static void test_qemu_args_unequal_with_memonly(void **state)
{
	/* a memory-only node in between gets no socket; socket ids stay
	 * dense and node ids skip it */
	static const char *const want[] = {
		"-m", "768M",
		"-object", "memory-backend-ram,id=m0,size=256M",
		"-numa", "node,nodeid=0,memdev=m0",
		"-object", "memory-backend-ram,id=m1,size=256M",
		"-numa", "node,nodeid=1,memdev=m1",
		"-object", "memory-backend-ram,id=m2,size=256M",
		"-numa", "node,nodeid=2,memdev=m2",
		"-smp", "3,sockets=3,cores=1,threads=1",
		"-numa", "cpu,node-id=0,socket-id=0",
		"-numa", "cpu,node-id=2,socket-id=1",
		"-numa", "cpu,node-id=2,socket-id=2",
		"-numa", "dist,src=0,dst=1,val=20",
		"-numa", "dist,src=0,dst=2,val=20",
		"-numa", "dist,src=1,dst=0,val=20",
		"-numa", "dist,src=1,dst=2,val=20",
		"-numa", "dist,src=2,dst=0,val=20",
		"-numa", "dist,src=2,dst=1,val=20",
	};
	struct np_lab_spec spec;
	char **argv;

	(void)state;
	parse_ok("1:256M,0:256M,2:256M", &spec);
	argv = qemu_args_ok(&spec);
	expect_argv(argv, want, ARRAY_SIZE(want));
	np_lab_argv_free(argv);
}

static void test_qemu_args_memoryless(void **state)
{
	static const char *const want[] = {
		"-m", "256M",
		"-object", "memory-backend-ram,id=m0,size=256M",
		"-numa", "node,nodeid=0,memdev=m0",
		"-numa", "node,nodeid=1",
		"-smp", "4,sockets=2,cores=2,threads=1",
		"-numa", "cpu,node-id=0,socket-id=0",
		"-numa", "cpu,node-id=1,socket-id=1",
		"-numa", "dist,src=0,dst=1,val=20",
		"-numa", "dist,src=1,dst=0,val=20",
	};
	struct np_lab_spec spec;
	char **argv;

	(void)state;
	parse_ok("2:256M,2:0", &spec);
	argv = qemu_args_ok(&spec);
	expect_argv(argv, want, ARRAY_SIZE(want));
	np_lab_argv_free(argv);
}

static void test_qemu_args_one_node(void **state)
{
	static const char *const want[] = {
		"-m", "128M",
		"-object", "memory-backend-ram,id=m0,size=128M",
		"-numa", "node,nodeid=0,memdev=m0",
		"-smp", "1,sockets=1,cores=1,threads=1",
		"-numa", "cpu,node-id=0,socket-id=0",
	};
	struct np_lab_spec spec;
	char **argv;

	(void)state;
	parse_ok("1:128M", &spec);
	argv = qemu_args_ok(&spec);
	expect_argv(argv, want, ARRAY_SIZE(want));
	np_lab_argv_free(argv);
}

static void test_qemu_args_8n_count(void **state)
{
	struct np_err err = { 0 };
	struct np_lab_spec spec;
	char **argv;
	size_t n = 0, dists = 0;

	(void)state;
	assert_int_equal(np_lab_preset("8n", &spec, &err), 0);
	argv = qemu_args_ok(&spec);
	while (argv[n]) {
		if (strncmp(argv[n], "dist,", 5) == 0)
			dists++;
		n++;
	}
	/* -m (2) + 8 x (-object, -numa node) (32) + -smp (2) + 8 -numa cpu
	 * (16) + 56 -numa dist (112) */
	assert_int_equal(dists, 56);
	assert_int_equal(n, 164);
	assert_string_equal(argv[1], "1088M");
	assert_string_equal(argv[35], "8,sockets=8,cores=1,threads=1");
	assert_string_equal(argv[n - 1], "dist,src=7,dst=6,val=16");
	np_lab_argv_free(argv);
	np_lab_argv_free(NULL);
}

static void test_qemu_args_invalid(void **state)
{
	struct np_err err = { 0 };
	struct np_lab_spec spec;
	char *sentinel[] = { NULL };
	char **argv = sentinel;
	int e;

	(void)state;
	parse_ok("2:100M", &spec);
	e = np_lab_qemu_numa_args(&spec, &argv, &err);
	expect_fail("2:100M", e, &err, -EINVAL,
		    "--nodes: node 0 needs at least 128M: the kernel and the "
		    "image load into it");
	assert_null(argv);

	parse_ok("40:512M,40:512M", &spec);
	argv = sentinel;
	e = np_lab_qemu_numa_args(&spec, &argv, &err);
	expect_fail("80 CPUs", e, &err, -ERANGE,
		    "--nodes: 80 CPUs, at most 64");
	assert_null(argv);
}

/* ---- np_lab_spec_from_topo ------------------------------------------- */

/* 64 GiB per memory node; node 2 is a CPU-less expander; asymmetric
 * distances so a transposed copy shows. */
static const char topo3_json[] =
	"{ \"nodes\": ["
	"  { \"id\": 0, \"cpus\": [0, 1, 2, 3],"
	"    \"memory\": { \"total_bytes\": 68719476736,"
	"                  \"free_bytes\": 60000000000 } },"
	"  { \"id\": 1, \"cpus\": [4, 5, 6, 7],"
	"    \"memory\": { \"total_bytes\": 68719476736,"
	"                  \"free_bytes\": 60000000000 } },"
	"  { \"id\": 2, \"cpus\": [],"
	"    \"memory\": { \"total_bytes\": 68719476736,"
	"                  \"free_bytes\": 68000000000 } } ],"
	"  \"distances\": [[10, 21, 31], [22, 10, 41], [32, 42, 10]] }";

static void from_topo_ok(const struct np_topo *t, unsigned cap,
			 unsigned scale, struct np_lab_spec *spec)
{
	struct np_err err = { 0 };
	int e = np_lab_spec_from_topo(t, cap, scale, spec, &err);

	if (e)
		fail_msg("cap %u scale %u: %d %s", cap, scale, e, err.msg);
}

static void expect_node(const struct np_lab_spec *spec, unsigned i,
			unsigned cpus, uint64_t mib)
{
	if (spec->nodes[i].cpus != cpus ||
	    spec->nodes[i].mem_bytes != mib * MIB)
		fail_msg("node %u: %u CPUs, %llu bytes; want %u, %llu MiB", i,
			 spec->nodes[i].cpus,
			 (unsigned long long)spec->nodes[i].mem_bytes, cpus,
			 (unsigned long long)mib);
}

static void test_from_topo_json(void **state)
{
	static const unsigned char want_dist[3][3] = {
		{ 10, 21, 31 }, { 22, 10, 41 }, { 32, 42, 10 },
	};
	struct np_topo *t = topo_from_json_ok(topo3_json);
	struct np_lab_spec spec;

	(void)state;
	assert_int_equal(t->nnodes, 3);

	/* capped CPUs; 64 GiB / 64 = 1024M */
	from_topo_ok(t, 2, 64, &spec);
	assert_int_equal(spec.nnodes, 3);
	expect_node(&spec, 0, 2, 1024);
	expect_node(&spec, 1, 2, 1024);
	expect_node(&spec, 2, 0, 1024);
	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = 0; j < 3; j++)
			if (spec.distance[i][j] != want_dist[i][j])
				fail_msg("distance[%u][%u] = %u, want %u", i, j,
					 spec.distance[i][j], want_dist[i][j]);
	assert_int_equal(spec.distance[0][3], 0);
	expect_valid(&spec, "from topo");

	/* a cap above the count changes nothing */
	from_topo_ok(t, 8, 64, &spec);
	expect_node(&spec, 0, 4, 1024);
	expect_node(&spec, 1, 4, 1024);
	expect_node(&spec, 2, 0, 1024);
	from_topo_ok(t, 4, 64, &spec);
	expect_node(&spec, 0, 4, 1024);
	from_topo_ok(t, 1, 64, &spec);
	expect_node(&spec, 0, 1, 1024);
	expect_node(&spec, 2, 0, 1024);

	/* 4 GiB: clamped to 2048M */
	from_topo_ok(t, 2, 16, &spec);
	expect_node(&spec, 0, 2, 2048);
	expect_node(&spec, 2, 0, 2048);
	from_topo_ok(t, 2, 1, &spec);
	expect_node(&spec, 1, 2, 2048);

	/* 655.36 MiB: rounded down to 8 MiB, not to the nearest */
	from_topo_ok(t, 2, 100, &spec);
	expect_node(&spec, 0, 2, 648);
	expect_node(&spec, 1, 2, 648);
	expect_node(&spec, 2, 0, 648);

	/* 93.6 MiB: 88M, node 0 raised to 128M for the kernel */
	from_topo_ok(t, 2, 700, &spec);
	expect_node(&spec, 0, 2, 128);
	expect_node(&spec, 1, 2, 88);
	expect_node(&spec, 2, 0, 88);

	/* 43.7 MiB: raised to 64M */
	from_topo_ok(t, 2, 1500, &spec);
	expect_node(&spec, 0, 2, 128);
	expect_node(&spec, 1, 2, 64);
	expect_node(&spec, 2, 0, 64);

	/* 16 MiB: at least 64M, node 0 still 128M */
	from_topo_ok(t, 2, 4096, &spec);
	expect_node(&spec, 0, 2, 128);
	expect_node(&spec, 1, 2, 64);
	expect_node(&spec, 2, 0, 64);
	from_topo_ok(t, 2, UINT_MAX, &spec);
	expect_node(&spec, 1, 2, 64);

	np_topo_free(t);
}

static void test_from_topo_memoryless(void **state)
{
	/* sparse ids, a memoryless node last, no distances: 10/20 */
	static const char json[] =
		"{ \"nodes\": ["
		"  { \"id\": 0, \"cpus\": [0, 1, 2],"
		"    \"memory\": { \"total_bytes\": 1073741824,"
		"                  \"free_bytes\": 1000000000 } },"
		"  { \"id\": 3, \"cpus\": [3, 4],"
		"    \"memory\": { \"total_bytes\": 0, \"free_bytes\": 0 } },"
		"  { \"id\": 7, \"cpus\": [],"
		"    \"memory\": { \"total_bytes\": 536870912,"
		"                  \"free_bytes\": 500000000 } } ] }";
	struct np_topo *t = topo_from_json_ok(json);
	struct np_lab_spec spec;
	char **argv;

	(void)state;
	from_topo_ok(t, 16, 2, &spec);
	assert_int_equal(spec.nnodes, 3);
	expect_node(&spec, 0, 3, 512);
	expect_node(&spec, 1, 2, 0);
	expect_node(&spec, 2, 0, 256);
	expect_default_distances(&spec);

	argv = qemu_args_ok(&spec);
	assert_string_equal(argv[1], "768M");
	assert_string_equal(argv[6], "-numa");
	assert_string_equal(argv[7], "node,nodeid=1");
	assert_string_equal(argv[11], "node,nodeid=2,memdev=m2");
	np_lab_argv_free(argv);
	np_topo_free(t);
}

static void test_from_topo_errors(void **state)
{
	static const char node0_memoryless[] =
		"{ \"nodes\": ["
		"  { \"id\": 0, \"cpus\": [0],"
		"    \"memory\": { \"total_bytes\": 0, \"free_bytes\": 0 } },"
		"  { \"id\": 1, \"cpus\": [1],"
		"    \"memory\": { \"total_bytes\": 1073741824,"
		"                  \"free_bytes\": 1000000000 } } ] }";
	struct np_topo *t = topo_from_json_ok(topo3_json);
	struct np_err err = { 0 };
	struct np_lab_spec spec;
	char json[65 * 80 + 64];
	size_t off;
	int e;

	(void)state;
	e = np_lab_spec_from_topo(t, 0, 64, &spec, &err);
	expect_fail("cap 0", e, &err, -EINVAL,
		    "CPU cap and memory scale must be at least 1");
	e = np_lab_spec_from_topo(t, 2, 0, &spec, &err);
	expect_fail("scale 0", e, &err, -EINVAL,
		    "CPU cap and memory scale must be at least 1");
	/* a cap far above the CPU count is fine */
	e = np_lab_spec_from_topo(t, 64, 64, &spec, &err);
	assert_int_equal(e, 0);
	assert_int_equal(np_lab_spec_cpus(&spec), 8);
	np_topo_free(t);

	t = topo_from_json_ok(node0_memoryless);
	e = np_lab_spec_from_topo(t, 2, 1, &spec, &err);
	expect_fail("memoryless node 0", e, &err, -EINVAL,
		    "--nodes: node 0 needs at least 128M: the kernel and the "
		    "image load into it");
	np_topo_free(t);

	/* 65 nodes */
	off = (size_t)snprintf(json, sizeof(json), "{ \"nodes\": [");
	for (unsigned i = 0; i < 65; i++)
		off += (size_t)snprintf(json + off, sizeof(json) - off,
					"%s{ \"id\": %u, \"cpus\": [%u], "
					"\"memory\": { \"total_bytes\": 0, "
					"\"free_bytes\": 0 } }",
					i ? ", " : "", i, i);
	snprintf(json + off, sizeof(json) - off, "] }");
	t = topo_from_json_ok(json);
	e = np_lab_spec_from_topo(t, 1, 1, &spec, &err);
	expect_fail("65 nodes", e, &err, -ERANGE,
		    "<json>: 65 nodes, the lab has at most 64");
	np_topo_free(t);
}

static struct np_topo *load_dump(const char *machine)
{
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	char root[PATH_MAX + 64];
	int e;

	snprintf(root, sizeof(root), "%s/tests/dumps/%s", srcdir, machine);
	e = np_topo_from_sysroot(root, &t, &err);
	if (e)
		fail_msg("%s: %d %s", root, e, err.msg);
	return t;
}

static void test_from_topo_opteron_8n(void **state)
{
	/* MemTotal/100 of each node (15986..16127 MB), rounded down to 8M */
	static const uint64_t want_mib[8] = {
		152, 160, 160, 160, 160, 160, 160, 160,
	};
	struct np_topo *t = load_dump("opteron-8n");
	struct np_err err = { 0 };
	struct np_lab_spec spec;
	int e;

	(void)state;
	assert_int_equal(t->nnodes, 8);
	from_topo_ok(t, 2, 100, &spec);
	assert_int_equal(spec.nnodes, 8);
	for (unsigned i = 0; i < 8; i++) {
		expect_node(&spec, i, 2, want_mib[i]);
		for (unsigned j = 0; j < 8; j++)
			if (spec.distance[i][j] != opteron_dist[i][j])
				fail_msg("distance[%u][%u] = %u, want %u", i, j,
					 spec.distance[i][j],
					 opteron_dist[i][j]);
	}
	assert_int_equal(np_lab_spec_cpus(&spec), 16);

	/* 6 CPUs a node: all 48 fit */
	from_topo_ok(t, 64, 64, &spec);
	for (unsigned i = 0; i < 8; i++)
		expect_node(&spec, i, 6, 248);

	/* unscaled: 8 x 2048M is exactly the 16 GiB limit */
	from_topo_ok(t, 1, 1, &spec);
	assert_int_equal(np_lab_spec_mem_bytes(&spec), 16 * GIB);

	np_topo_free(t);

	/* 4 x 20 CPUs uncapped is more than the lab has */
	t = load_dump("xeon-4n-seed001");
	e = np_lab_spec_from_topo(t, 20, 64, &spec, &err);
	expect_fail("xeon-4n cap 20", e, &err, -ERANGE,
		    "--nodes: 80 CPUs, at most 64");
	np_topo_free(t);
}

static void test_from_topo_dumps(void **state)
{
	struct np_topo *t;
	struct np_lab_spec spec;

	(void)state;
	/* ids 0, 2, 5 become 0, 1, 2; node 5 has CPUs and no memory */
	t = load_dump("sparse-025");
	from_topo_ok(t, 4, 64, &spec);
	assert_int_equal(spec.nnodes, 3);
	expect_node(&spec, 0, 4, 248);
	expect_node(&spec, 1, 4, 248);
	expect_node(&spec, 2, 4, 0);
	assert_int_equal(spec.distance[0][1], 16);
	assert_int_equal(spec.distance[0][2], 22);
	assert_int_equal(spec.distance[1][2], 16);
	assert_int_equal(spec.distance[2][0], 22);
	np_topo_free(t);

	/* node 2 is a 128 GiB CPU-less expander */
	t = load_dump("cxl-memonly");
	from_topo_ok(t, 2, 64, &spec);
	assert_int_equal(spec.nnodes, 3);
	expect_node(&spec, 0, 2, 2000);
	expect_node(&spec, 1, 2, 2008);
	expect_node(&spec, 2, 0, 2048);
	assert_int_equal(spec.distance[0][2], 14);
	assert_int_equal(spec.distance[1][2], 24);
	assert_int_equal(spec.distance[2][1], 24);
	np_topo_free(t);
}

/* Review fixes: sizes in bytes, specs built by hand beyond the limits. */
static void test_spec_limits_by_hand(void **state)
{
	struct np_lab_spec spec;
	struct np_err err = { 0 };

	(void)state;
	assert_int_equal(np_lab_parse_nodes("1:134217728B", &spec, &err), 0);
	assert_int_equal(spec.nodes[0].mem_bytes, 134217728ull);
	assert_int_equal(np_lab_parse_nodes("2:512M,x", &spec, &err), -EINVAL);
	assert_int_equal(spec.nnodes, 0);
	assert_int_equal(np_lab_parse_nodes("1:256M,1:8M", &spec, &err), 0);
	spec.nodes[1].mem_bytes = 0 - (128ull << 20);
	assert_int_equal(np_lab_spec_validate(&spec, &err), -ERANGE);
	memset(&spec, 0, sizeof(spec));
	spec.nnodes = 5000;
	assert_int_equal(np_lab_spec_validate(&spec, &err), -ERANGE);
	assert_int_equal(np_lab_parse_distances("10", &spec, &err), -EINVAL);
	assert_string_equal(err.msg, "--distances: give the nodes first");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_nodes_basic),
		cmocka_unit_test(test_parse_nodes_sizes),
		cmocka_unit_test(test_parse_nodes_errors),
		cmocka_unit_test(test_parse_nodes_limit),
		cmocka_unit_test(test_parse_distances_symmetric),
		cmocka_unit_test(test_parse_distances_asymmetric),
		cmocka_unit_test(test_parse_distances_errors),
		cmocka_unit_test(test_presets_all_valid),
		cmocka_unit_test(test_preset_shapes),
		cmocka_unit_test(test_preset_unknown),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_spec_limits_by_hand),
		cmocka_unit_test(test_qemu_args_cxl),
		cmocka_unit_test(test_qemu_args_asymmetric),
		cmocka_unit_test(test_qemu_args_unequal_cpus),
		cmocka_unit_test(test_qemu_args_unequal_with_memonly),
		cmocka_unit_test(test_qemu_args_memoryless),
		cmocka_unit_test(test_qemu_args_one_node),
		cmocka_unit_test(test_qemu_args_8n_count),
		cmocka_unit_test(test_qemu_args_invalid),
		cmocka_unit_test(test_from_topo_json),
		cmocka_unit_test(test_from_topo_memoryless),
		cmocka_unit_test(test_from_topo_errors),
		cmocka_unit_test(test_from_topo_opteron_8n),
		cmocka_unit_test(test_from_topo_dumps),
	};
	const char *src = getenv("NP_SRCDIR");

	snprintf(srcdir, sizeof(srcdir), "%s", src ? src : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
