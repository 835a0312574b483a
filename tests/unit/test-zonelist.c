/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Node fallback order as Linux's build_zonelists() computes it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "zonelist.h"

#define MAXN 8

struct built {
	unsigned order[MAXN * MAXN], count[MAXN];
};

static void build(unsigned n, const uint8_t *dist, const bool *cpus,
		  const bool *memory, struct built *b)
{
	struct np_zonelist_input in = { n, dist, cpus, memory };
	int load[MAXN];

	assert_int_equal(np_zonelists_build(&in, b->order, b->count, load), 0);
}

/* "0,1,2" for node i's list. */
static const char *list(const struct built *b, unsigned n, unsigned i)
{
	static char buf[64];
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned k = 0; k < b->count[i]; k++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u",
				      k ? "," : "", b->order[i * n + k]);
	return buf;
}

static const bool all[MAXN] = { true, true, true, true, true, true, true, true };

/* Equal distances: each node falls back first to a different node. */
static void test_round_robin(void **state)
{
	static const uint8_t d[16] = {
		10, 21, 21, 21, 21, 10, 21, 21, 21, 21, 10, 21, 21, 21, 21, 10,
	};
	struct built b;

	(void)state;
	build(4, d, all, all, &b);
	assert_string_equal(list(&b, 4, 0), "0,1,2,3");
	assert_string_equal(list(&b, 4, 1), "1,2,3,0");
	assert_string_equal(list(&b, 4, 2), "2,3,0,1");
	assert_string_equal(list(&b, 4, 3), "3,0,1,2");
}

/* The lab's asymmetric 3-node machine (tests/acpi/asym3): node 2 has no
 * CPUs; rows are distances from each node. */
static void test_asymmetric(void **state)
{
	static const uint8_t d[9] = { 10, 20, 30, 25, 10, 20, 35, 28, 10 };
	static const bool cpus[3] = { true, true, false };
	struct built b;

	(void)state;
	build(3, d, cpus, all, &b);
	assert_string_equal(list(&b, 3, 0), "0,1,2");
	/* from 1: node 2 at 20 beats node 0 at 25 (+1 below, +1 CPUs) */
	assert_string_equal(list(&b, 3, 1), "1,2,0");
	assert_string_equal(list(&b, 3, 2), "2,1,0");
}

/* At equal distance a memory-only (headless) node comes first. */
static void test_headless_preferred(void **state)
{
	static const uint8_t d[9] = { 10, 20, 20, 20, 10, 20, 20, 20, 10 };
	static const bool cpus[3] = { true, true, false };
	struct built b;

	(void)state;
	build(3, d, cpus, all, &b);
	assert_string_equal(list(&b, 3, 0), "0,2,1");
}

/* A memoryless node is in nobody's list but heads its own. */
static void test_memoryless(void **state)
{
	static const uint8_t d[9] = { 10, 20, 20, 20, 10, 20, 20, 20, 10 };
	static const bool memory[3] = { true, false, true };
	struct built b;

	(void)state;
	build(3, d, all, memory, &b);
	assert_string_equal(list(&b, 3, 0), "0,2");
	assert_int_equal(b.count[0], 2);
	assert_string_equal(list(&b, 3, 1), "1,2,0");
}

/* The 2-hop Opteron (tests/dumps/opteron-8n): local first, distances
 * never decrease along a list, every node exactly once. */
static void test_opteron_properties(void **state)
{
	static const uint8_t d[64] = {
		10, 16, 16, 22, 16, 22, 16, 22, 16, 10, 22, 16, 22, 16, 22, 16,
		16, 22, 10, 16, 16, 22, 16, 22, 22, 16, 16, 10, 22, 16, 22, 16,
		16, 22, 16, 22, 10, 16, 16, 22, 22, 16, 22, 16, 16, 10, 22, 16,
		16, 22, 16, 22, 16, 22, 10, 16, 22, 16, 22, 16, 22, 16, 16, 10,
	};
	struct built b;

	(void)state;
	build(8, d, all, all, &b);
	for (unsigned i = 0; i < 8; i++) {
		unsigned seen = 0;

		assert_int_equal(b.count[i], 8);
		assert_int_equal(b.order[i * 8], i);
		for (unsigned k = 0; k < 8; k++) {
			unsigned n = b.order[i * 8 + k];

			assert_int_equal(seen & (1u << n), 0);
			seen |= 1u << n;
			if (k)
				assert_true(d[i * 8 + n] >=
					    d[i * 8 + b.order[i * 8 + k - 1]]);
		}
	}
	/* node 0's one-hop neighbours are 1, 2, 4, 6 (distance 16), then
	 * 3, 5, 7 (22); round-robin makes node 1's and node 2's first
	 * choice differ */
	assert_string_equal(list(&b, 8, 0), "0,1,2,4,6,3,5,7");
	assert_int_not_equal(b.order[1 * 8 + 1], b.order[2 * 8 + 1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_asymmetric),
		cmocka_unit_test(test_headless_preferred),
		cmocka_unit_test(test_memoryless),
		cmocka_unit_test(test_opteron_properties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
