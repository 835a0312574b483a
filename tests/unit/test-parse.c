/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for lib/linux/linux-parse.c: each parser on real kernel text, on every
 * documented error, and on the promise of parse.h that an error leaves
 * the output empty (n == 0, pointers NULL) and says why.
 *
 * The helpers take the caller's __LINE__, so a failure in a table of
 * cases points at the case, not at the helper.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "linux/linux-parse.h"

/* A string literal as (buf, len), without its terminating NUL. */
#define LIT(s) (s), (sizeof(s) - 1)

#define CHECK(c, line) \
	_assert_true(cast_to_largest_integral_type(!!(c)), #c, __FILE__, line)
#define CHECK_EQ(a, b, line) \
	_assert_int_equal(cast_to_largest_integral_type(a), \
			  cast_to_largest_integral_type(b), __FILE__, line)

static void expect_rc(int got, int want, int line)
{
	if (got == want)
		return;
	print_error("returned %d, want %d\n", got, want);
	_fail(__FILE__, line);
}

/* ---- np_parse_idlist ---------------------------------------------- */

static void idlist_ok_at(const char *buf, size_t len, unsigned max_id,
			 const unsigned *want, size_t nwant, int line)
{
	struct np_idset l;
	const char *why = NULL;

	expect_rc(np_parse_idlist(buf, len, max_id, &l, &why), 0, line);
	CHECK_EQ(l.n, nwant, line);
	CHECK(nwant ? l.ids != NULL : l.ids == NULL, line);
	for (size_t i = 0; i < nwant; i++)
		CHECK_EQ(l.ids[i], want[i], line);
	np_idset_free(&l);
}

static void idlist_err_at(const char *buf, size_t len, unsigned max_id,
			  int err, int line)
{
	struct np_idset l;
	const char *why = NULL;

	/* Garbage in the output: the parser must not trust it. */
	memset(&l, 0xa5, sizeof(l));
	expect_rc(np_parse_idlist(buf, len, max_id, &l, &why), err, line);
	CHECK_EQ(l.n, 0, line);
	CHECK(l.ids == NULL, line);
	CHECK(why != NULL, line);
}

#define IDS(...) ((const unsigned[]){ __VA_ARGS__ }), \
	(sizeof((const unsigned[]){ __VA_ARGS__ }) / sizeof(unsigned))
#define IDLIST_OK(s, max, ...) \
	idlist_ok_at(LIT(s), max, IDS(__VA_ARGS__), __LINE__)
#define IDLIST_EMPTY(s, max) idlist_ok_at(LIT(s), max, NULL, 0, __LINE__)
#define IDLIST_ERR(s, max, err) idlist_err_at(LIT(s), max, err, __LINE__)

static void test_idlist_single(void **state)
{
	(void)state;
	IDLIST_OK("5", 63, 5);
	IDLIST_OK("0\n", 63, 0);
	IDLIST_OK("63\n", 63, 63);
	IDLIST_OK("1,3,5\n", 63, 1, 3, 5);
}

static void test_idlist_ranges(void **state)
{
	struct np_idset l;
	const char *why = NULL;

	(void)state;
	IDLIST_OK("0-3,8,10-11\n", NP_MAX_CPUS, 0, 1, 2, 3, 8, 10, 11);
	IDLIST_OK("2-2", 63, 2);
	IDLIST_OK("0-1,3-4,6\n", 63, 0, 1, 3, 4, 6);

	/* Two sockets of a 256-thread box: the gap must stay a gap. */
	assert_int_equal(np_parse_idlist(LIT("0-127,256-383\n"), NP_MAX_CPUS,
					 &l, &why), 0);
	assert_int_equal(l.n, 256);
	assert_int_equal(l.ids[0], 0);
	assert_int_equal(l.ids[127], 127);
	assert_int_equal(l.ids[128], 256);
	assert_int_equal(l.ids[255], 383);
	assert_true(np_idset_contains(&l, 300));
	assert_false(np_idset_contains(&l, 200));
	np_idset_free(&l);
}

static void test_idlist_empty(void **state)
{
	(void)state;
	IDLIST_EMPTY("", 63);
	IDLIST_EMPTY("\n", 63);
	IDLIST_EMPTY("  \n", 63);
}

/* bitmap_parselist(): "a-b:used/group" keeps `used` ids of each group. */
static void test_idlist_stride(void **state)
{
	(void)state;
	IDLIST_OK("0-7:2/4", 63, 0, 1, 4, 5);
	IDLIST_OK("2-9:3/4\n", 63, 2, 3, 4, 6, 7, 8);
	IDLIST_OK("0-15:1/8\n", 63, 0, 8);
	IDLIST_OK("0-3:4/4", 63, 0, 1, 2, 3);
	IDLIST_OK("0-9:2/4,12", 63, 0, 1, 4, 5, 8, 9, 12);
	IDLIST_OK("1-3:1/100", 63, 1);
}

static void test_idlist_stride_errors(void **state)
{
	(void)state;
	IDLIST_ERR("0-7:0/4", 63, -EINVAL);
	IDLIST_ERR("0-7:5/4", 63, -EINVAL);
	IDLIST_ERR("0-7:2/0", 63, -EINVAL);
	IDLIST_ERR("0-7:2", 63, -EINVAL);
	IDLIST_ERR("0-7:/4", 63, -EINVAL);
	IDLIST_ERR("0-7:2/", 63, -EINVAL);
	IDLIST_ERR("3:1/2", 63, -EINVAL);
}

static void test_idlist_malformed(void **state)
{
	(void)state;
	IDLIST_ERR("3-1", 63, -EINVAL);
	IDLIST_ERR("0-3x", 63, -EINVAL);
	IDLIST_ERR("1,,2", 63, -EINVAL);
	IDLIST_ERR("1,2,", 63, -EINVAL);
	IDLIST_ERR("1,2,\n", 63, -EINVAL);
	IDLIST_ERR(",1", 63, -EINVAL);
	IDLIST_ERR("-1", 63, -EINVAL);
	IDLIST_ERR("0-", 63, -EINVAL);
	IDLIST_ERR("1-2-3", 63, -EINVAL);
	IDLIST_ERR("1 2", 63, -EINVAL);
	IDLIST_ERR("1\n2\n", 63, -EINVAL);
	IDLIST_ERR("0x10", 63, -EINVAL);
	IDLIST_ERR("+1", 63, -EINVAL);
	IDLIST_ERR("x", 63, -EINVAL);
}

/* Each error here comes after ids were already collected: they must go. */
static void test_idlist_not_ascending(void **state)
{
	(void)state;
	IDLIST_ERR("4,2", 63, -EINVAL);
	IDLIST_ERR("0-3,2", 63, -EINVAL);
	IDLIST_ERR("0-3,3-5", 63, -EINVAL);
	IDLIST_ERR("1,1", 63, -EINVAL);
	IDLIST_ERR("0-7:1/4,2", 63, -EINVAL);
}

static void test_idlist_max_id(void **state)
{
	(void)state;
	IDLIST_OK("0-7", 7, 0, 1, 2, 3, 4, 5, 6, 7);
	IDLIST_ERR("8", 7, -ERANGE);
	IDLIST_ERR("0-8", 7, -ERANGE);
	IDLIST_ERR("0-3,8-9", 7, -ERANGE);
	IDLIST_OK("0", 0, 0);
	IDLIST_ERR("1", 0, -ERANGE);
	IDLIST_OK("65535-65536", NP_MAX_CPUS, 65535, 65536);
	IDLIST_ERR("65537", NP_MAX_CPUS, -ERANGE);
	IDLIST_OK("4096", NP_MAX_NODES, 4096);
	IDLIST_ERR("4097\n", NP_MAX_NODES, -ERANGE);
}

/* Numbers that wrap in 32 or 64 bits must not come back as small ids. */
static void test_idlist_huge_numbers(void **state)
{
	(void)state;
	IDLIST_OK("4294967295", UINT_MAX, 4294967295u);
	IDLIST_ERR("4294967296", UINT_MAX, -ERANGE);
	IDLIST_ERR("4294967297", 63, -ERANGE);
	IDLIST_ERR("18446744073709551615", UINT_MAX, -ERANGE);
	IDLIST_ERR("18446744073709551616", UINT_MAX, -ERANGE);
	IDLIST_ERR("99999999999999999999999999", NP_MAX_CPUS, -ERANGE);
}

static void test_idlist_nul_and_len(void **state)
{
	(void)state;
	IDLIST_ERR("1,\0" "2", 63, -EINVAL);
	IDLIST_ERR("1\0", 63, -EINVAL);
	IDLIST_ERR("\0", 63, -EINVAL);
	/* len ends before the NUL-terminated string does. */
	idlist_ok_at("0-3,8", 3, 63, IDS(0, 1, 2, 3), __LINE__);
	idlist_ok_at("12", 1, 63, IDS(1), __LINE__);
	idlist_ok_at("0-15", 3, 63, IDS(0, 1), __LINE__);
	idlist_err_at("0-3,8", 4, 63, -EINVAL, __LINE__);
	idlist_err_at("0-7:2/4", 6, 63, -EINVAL, __LINE__);
}

/* ---- np_idset_push / np_idset_contains --------------------------- */

static void test_idlist_push(void **state)
{
	struct np_idset l = { NULL, 0 };

	(void)state;
	assert_int_equal(np_idset_push(&l, 0), 0);
	assert_int_equal(np_idset_push(&l, 5), 0);
	assert_int_equal(np_idset_push(&l, 5), -EINVAL);
	assert_int_equal(np_idset_push(&l, 3), -EINVAL);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ids[0], 0);
	assert_int_equal(l.ids[1], 5);
	/* Across many growth steps; valgrind sees any short allocation. */
	for (unsigned id = 6; id < 3000; id += 3)
		assert_int_equal(np_idset_push(&l, id), 0);
	assert_int_equal(l.n, 2 + 998);
	assert_int_equal(l.ids[l.n - 1], 2997);
	assert_int_equal(np_idset_push(&l, UINT_MAX), 0);
	assert_int_equal(np_idset_push(&l, UINT_MAX), -EINVAL);
	assert_int_equal(l.n, 1001);
	np_idset_free(&l);
	assert_null(l.ids);
	assert_int_equal(l.n, 0);
}

/* A parsed list keeps growing through push (shared capacity rule). */
static void test_idlist_push_after_parse(void **state)
{
	struct np_idset l;
	const char *why = NULL;

	(void)state;
	assert_int_equal(np_parse_idlist(LIT("0-6\n"), 63, &l, &why), 0);
	for (unsigned id = 7; id < 40; id++)
		assert_int_equal(np_idset_push(&l, id), 0);
	assert_int_equal(l.n, 40);
	for (unsigned id = 0; id < 40; id++)
		assert_int_equal(l.ids[id], id);
	np_idset_free(&l);
}

static void test_idlist_contains(void **state)
{
	struct np_idset empty = { NULL, 0 }, l = { NULL, 0 };
	const unsigned odd[] = { 1, 3, 5, 7, 9, 4095 };

	(void)state;
	assert_false(np_idset_contains(&empty, 0));
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(np_idset_push(&l, odd[i]), 0);
	for (size_t i = 0; i < 6; i++)
		assert_true(np_idset_contains(&l, odd[i]));
	assert_false(np_idset_contains(&l, 0));
	assert_false(np_idset_contains(&l, 2));
	assert_false(np_idset_contains(&l, 8));
	assert_false(np_idset_contains(&l, 10));
	assert_false(np_idset_contains(&l, 4096));
	assert_false(np_idset_contains(&l, UINT_MAX));
	np_idset_free(&l);
}

/* ---- np_parse_node_meminfo ---------------------------------------- */

/* node1/meminfo of a 2-socket box on 6.1 (THP on, 2 MiB hugetlb pool).
 * The values agree with each other: MemUsed = MemTotal - MemFree,
 * Active = Active(anon) + Active(file), Slab = SReclaimable + SUnreclaim. */
static const char node1_meminfo[] =
	"Node 1 MemTotal:       65964076 kB\n"
	"Node 1 MemFree:        48215520 kB\n"
	"Node 1 MemUsed:        17748556 kB\n"
	"Node 1 SwapCached:            0 kB\n"
	"Node 1 Active:          3081224 kB\n"
	"Node 1 Inactive:       12597828 kB\n"
	"Node 1 Active(anon):      23612 kB\n"
	"Node 1 Inactive(anon):  4719332 kB\n"
	"Node 1 Active(file):    3057612 kB\n"
	"Node 1 Inactive(file):  7878496 kB\n"
	"Node 1 Unevictable:          28 kB\n"
	"Node 1 Mlocked:              28 kB\n"
	"Node 1 Dirty:               148 kB\n"
	"Node 1 Writeback:             0 kB\n"
	"Node 1 FilePages:      11045280 kB\n"
	"Node 1 Mapped:           356044 kB\n"
	"Node 1 AnonPages:       4625432 kB\n"
	"Node 1 Shmem:            109172 kB\n"
	"Node 1 KernelStack:       11360 kB\n"
	"Node 1 PageTables:        24344 kB\n"
	"Node 1 SecPageTables:         0 kB\n"
	"Node 1 NFS_Unstable:          0 kB\n"
	"Node 1 Bounce:                0 kB\n"
	"Node 1 WritebackTmp:          0 kB\n"
	"Node 1 KReclaimable:     968440 kB\n"
	"Node 1 Slab:            1364996 kB\n"
	"Node 1 SReclaimable:     968440 kB\n"
	"Node 1 SUnreclaim:       396556 kB\n"
	"Node 1 AnonHugePages:   3854336 kB\n"
	"Node 1 ShmemHugePages:        0 kB\n"
	"Node 1 ShmemPmdMapped:        0 kB\n"
	"Node 1 FileHugePages:         0 kB\n"
	"Node 1 FilePmdMapped:         0 kB\n"
	"Node 1 HugePages_Total:   512\n"
	"Node 1 HugePages_Free:    500\n"
	"Node 1 HugePages_Surp:      0\n";

static void field_at(const struct np_meminfo *m, size_t i, const char *name,
		     uint64_t value, int is_kb, int line)
{
	CHECK(i < m->n, line);
	_assert_string_equal(m->fields[i].name, name, __FILE__, line);
	CHECK_EQ(m->fields[i].value, value, line);
	CHECK_EQ(m->fields[i].is_kib, is_kb, line);
	CHECK(np_meminfo_get(m, name) == &m->fields[i], line);
}

#define FIELD(m, i, name, value, is_kb) \
	field_at(m, i, name, value, is_kb, __LINE__)

static void test_meminfo_real(void **state)
{
	struct np_meminfo m;
	const char *why = NULL;

	(void)state;
	assert_int_equal(np_parse_node_meminfo(LIT(node1_meminfo), 1, &m,
					       &why), 0);
	assert_int_equal(m.n, 36);
	FIELD(&m, 0, "MemTotal", 65964076, 1);
	FIELD(&m, 1, "MemFree", 48215520, 1);
	FIELD(&m, 2, "MemUsed", 17748556, 1);
	FIELD(&m, 4, "Active", 3081224, 1);
	FIELD(&m, 6, "Active(anon)", 23612, 1);
	FIELD(&m, 9, "Inactive(file)", 7878496, 1);
	FIELD(&m, 20, "SecPageTables", 0, 1);
	FIELD(&m, 25, "Slab", 1364996, 1);
	FIELD(&m, 28, "AnonHugePages", 3854336, 1);
	FIELD(&m, 33, "HugePages_Total", 512, 0);
	FIELD(&m, 34, "HugePages_Free", 500, 0);
	FIELD(&m, 35, "HugePages_Surp", 0, 0);
	assert_null(np_meminfo_get(&m, "MemTota"));
	assert_null(np_meminfo_get(&m, "memtotal"));
	assert_null(np_meminfo_get(&m, "Active(anon"));
	assert_null(np_meminfo_get(&m, ""));
	np_meminfo_free(&m);
	assert_null(m.fields);
	assert_int_equal(m.n, 0);
}

static void meminfo_err_at(const char *buf, size_t len, unsigned node,
			   int err, int line)
{
	struct np_meminfo m;
	const char *why = NULL;

	memset(&m, 0xa5, sizeof(m));
	expect_rc(np_parse_node_meminfo(buf, len, node, &m, &why), err, line);
	CHECK_EQ(m.n, 0, line);
	CHECK(m.fields == NULL, line);
	CHECK(why != NULL, line);
}

#define MEMINFO_ERR(s, node, err) meminfo_err_at(LIT(s), node, err, __LINE__)

#define TOTAL0 "Node 0 MemTotal:       1000 kB\n"
#define FREE0 "Node 0 MemFree:         400 kB\n"

static void test_meminfo_wrong_node(void **state)
{
	(void)state;
	meminfo_err_at(LIT(node1_meminfo), 0, -EINVAL, __LINE__);
	meminfo_err_at(LIT(node1_meminfo), 11, -EINVAL, __LINE__);
	MEMINFO_ERR(TOTAL0 "Node 1 MemFree: 400 kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 "Node 10 MemFree: 400 kB\n", 1, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 2 Dirty: 4 kB\n", 0, -EINVAL);
}

static void test_meminfo_required_fields(void **state)
{
	(void)state;
	MEMINFO_ERR(FREE0 "Node 0 MemUsed: 600 kB\n", 0, -EINVAL);
	MEMINFO_ERR("Node 0 MemTotalX: 1 kB\n" FREE0, 0, -EINVAL);
	MEMINFO_ERR("", 0, -EINVAL);
	MEMINFO_ERR("\n", 0, -EINVAL);
}

static void test_meminfo_malformed(void **state)
{
	(void)state;
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 Dirty 4 kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 MemFree: 7 kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 Dirty: kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 Dirty:\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 Dirty: 4 MB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 Dirty: 4 kB 5\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 Dirty: -4 kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 : 4 kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 Di rty: 4 kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Nod 0 Dirty: 4 kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Dirty: 4 kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 FREE0 "Node x Dirty: 4 kB\n", 0, -EINVAL);
	MEMINFO_ERR(TOTAL0 "\0" FREE0, 0, -EINVAL);
}

/* name[32] holds 31 characters and the NUL; 32 characters do not fit. */
static void test_meminfo_name_length(void **state)
{
	static const char ok[] = TOTAL0 FREE0
		"Node 0 A234567890123456789012345678901: 3\n";
	struct np_meminfo m;
	const char *why = NULL;

	(void)state;
	assert_int_equal(np_parse_node_meminfo(LIT(ok), 0, &m, &why), 0);
	FIELD(&m, 2, "A234567890123456789012345678901", 3, 0);
	np_meminfo_free(&m);
	MEMINFO_ERR(TOTAL0 FREE0 "Node 0 A2345678901234567890123456789012: 3\n",
		    0, -EINVAL);
}

static void test_meminfo_values(void **state)
{
	static const char txt[] =
		"Node 3 MemTotal: 18446744073709551615 kB\n"
		"Node 3 MemFree:\t0 kB\n"
		"Node 3 HugePages_Free:      7";
	struct np_meminfo m;
	const char *why = NULL;

	(void)state;
	assert_int_equal(np_parse_node_meminfo(LIT(txt), 3, &m, &why), 0);
	assert_int_equal(m.n, 3);
	FIELD(&m, 0, "MemTotal", UINT64_MAX, 1);
	FIELD(&m, 1, "MemFree", 0, 1);
	FIELD(&m, 2, "HugePages_Free", 7, 0);
	np_meminfo_free(&m);
}

/* The parser must stop at len, even mid-number. */
static void test_meminfo_len(void **state)
{
	static const char txt[] = TOTAL0 "Node 0 MemFree: 1234 kB\n";
	struct np_meminfo m;
	const char *why = NULL;
	size_t cut = sizeof(TOTAL0) - 1 + strlen("Node 0 MemFree: 12");

	(void)state;
	assert_int_equal(np_parse_node_meminfo(txt, cut, 0, &m, &why), 0);
	FIELD(&m, 1, "MemFree", 12, 0);
	np_meminfo_free(&m);
	/* Cut before MemFree: MemFree is optional (numactl prints "<not
	 * available>"); cut inside MemTotal's name: no MemTotal. */
	assert_int_equal(np_parse_node_meminfo(txt, sizeof(TOTAL0) - 1, 0, &m,
					       &why), 0);
	assert_int_equal(m.n, 1);
	assert_null(np_meminfo_get(&m, "MemFree"));
	np_meminfo_free(&m);
	meminfo_err_at(txt, strlen("Node 0 MemTot"), 0, -EINVAL, __LINE__);
}

/* ---- np_parse_distance_row ---------------------------------------- */

#define ROW_SENTINEL 0xeeeeeeeeu

/* Parses into want+1 slots: the extra one must stay untouched. */
static void row_ok_at(const char *buf, size_t len, const uint32_t *want,
		      size_t nwant, int line)
{
	uint32_t row[NP_MAX_ORDERS + 1];
	const char *why = NULL;

	for (size_t i = 0; i <= nwant; i++)
		row[i] = ROW_SENTINEL;
	expect_rc(np_parse_distance_row(buf, len, nwant, row, &why), 0, line);
	for (size_t i = 0; i < nwant; i++)
		CHECK_EQ(row[i], want[i], line);
	CHECK_EQ(row[nwant], ROW_SENTINEL, line);
}

static void row_err_at(const char *buf, size_t len, size_t want, int err,
		       int line)
{
	uint32_t row[NP_MAX_ORDERS + 1];
	const char *why = NULL;

	for (size_t i = 0; i <= want; i++)
		row[i] = ROW_SENTINEL;
	expect_rc(np_parse_distance_row(buf, len, want, row, &why), err, line);
	CHECK_EQ(row[want], ROW_SENTINEL, line);
	CHECK(why != NULL, line);
}

#define U32S(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))
#define ROW_OK(s, ...) row_ok_at(LIT(s), U32S(__VA_ARGS__), __LINE__)
#define ROW_ERR(s, want, err) row_err_at(LIT(s), want, err, __LINE__)

static void test_distance_exact(void **state)
{
	(void)state;
	ROW_OK("10\n", 10);
	ROW_OK("10 21\n", 10, 21);
	ROW_OK("21 10 31 21\n", 21, 10, 31, 21);
	ROW_OK("10 12 12 12 32 32 32 32\n", 10, 12, 12, 12, 32, 32, 32, 32);
	ROW_OK("10 21  \n", 10, 21);
	ROW_OK("10 21", 10, 21);
	ROW_OK("10\t21\n", 10, 21);
	ROW_OK("1 255\n", 1, 255);
	ROW_OK("255 255 255\n", 255, 255, 255);
	row_ok_at("10 20 30", 5, U32S(10, 20), __LINE__);
}

static void test_distance_count(void **state)
{
	(void)state;
	ROW_ERR("10 20\n", 3, -EINVAL);
	ROW_ERR("10\n", 2, -EINVAL);
	ROW_ERR("10 20 30\n", 2, -EINVAL);
	ROW_ERR("10 20 30 40 50\n", 1, -EINVAL);
	ROW_ERR("10\n", 0, -EINVAL);
	ROW_ERR("", 2, -EINVAL);
	ROW_ERR("\n", 2, -EINVAL);
	ROW_ERR("   \n", 1, -EINVAL);
	row_err_at("10 20 30", 5, 3, -EINVAL, __LINE__);
}

static void test_distance_range(void **state)
{
	(void)state;
	ROW_ERR("0 10\n", 2, -ERANGE);
	ROW_ERR("10 0\n", 2, -ERANGE);
	ROW_ERR("10 256\n", 2, -ERANGE);
	ROW_ERR("4294967306 10\n", 2, -ERANGE);
}

static void test_distance_garbage(void **state)
{
	(void)state;
	ROW_ERR("10 2x\n", 2, -EINVAL);
	ROW_ERR("10,20\n", 2, -EINVAL);
	ROW_ERR("-10 20\n", 2, -EINVAL);
	ROW_ERR("10\n20\n", 2, -EINVAL);
	ROW_ERR("10 20\n\n30", 2, -EINVAL);
	ROW_ERR("x\n", 1, -EINVAL);
	ROW_ERR("10 \0" "20\n", 2, -EINVAL);
}

/* ---- np_parse_numastat -------------------------------------------- */

/* local_node + other_node = numa_hit on a real node. */
#define NUMASTAT_REAL \
	"numa_hit 183263949\n" \
	"numa_miss 0\n" \
	"numa_foreign 0\n" \
	"interleave_hit 33426\n" \
	"local_node 183232575\n" \
	"other_node 31374\n"

static void numastat_is(const struct np_node_numastat *s, uint64_t hit,
			uint64_t miss, uint64_t foreign, uint64_t il,
			uint64_t local, uint64_t other)
{
	assert_int_equal(s->numa_hit, hit);
	assert_int_equal(s->numa_miss, miss);
	assert_int_equal(s->numa_foreign, foreign);
	assert_int_equal(s->interleave_hit, il);
	assert_int_equal(s->local_node, local);
	assert_int_equal(s->other_node, other);
}

static void test_numastat_real(void **state)
{
	struct np_node_numastat s;
	const char *why = NULL;

	(void)state;
	assert_int_equal(np_parse_numastat(LIT(NUMASTAT_REAL), &s, &why), 0);
	numastat_is(&s, 183263949, 0, 0, 33426, 183232575, 31374);
	/* Any order; values as large as a u64 holds. */
	assert_int_equal(np_parse_numastat(LIT(
		"other_node 6\nlocal_node 5\ninterleave_hit 4\n"
		"numa_foreign 3\nnuma_miss 2\nnuma_hit 18446744073709551615"),
		&s, &why), 0);
	numastat_is(&s, UINT64_MAX, 2, 3, 4, 5, 6);
}

/* Newer kernels may add counters; the six known ones still land. */
static void test_numastat_unknown_ignored(void **state)
{
	struct np_node_numastat s;
	const char *why = NULL;

	(void)state;
	assert_int_equal(np_parse_numastat(LIT(
		"numa_hit 10\nnuma_miss 20\nnuma_foreign 30\n"
		"numa_newthing 99\ninterleave_hit 40\nlocal_node 50\n"
		"other_node 60\nnuma_hits 77\n"), &s, &why), 0);
	numastat_is(&s, 10, 20, 30, 40, 50, 60);
}

static void numastat_err_at(const char *buf, size_t len, int err, int line)
{
	static const struct np_node_numastat zero;
	struct np_node_numastat s;
	const char *why = NULL;

	memset(&s, 0xa5, sizeof(s));
	expect_rc(np_parse_numastat(buf, len, &s, &why), err, line);
	CHECK(memcmp(&s, &zero, sizeof(s)) == 0, line);
	CHECK(why != NULL, line);
}

#define NUMASTAT_ERR(s, err) numastat_err_at(LIT(s), err, __LINE__)

static void test_numastat_errors(void **state)
{
	(void)state;
	/* other_node missing; "numa_hits" and "numa_h" are not "numa_hit". */
	NUMASTAT_ERR("numa_hit 1\nnuma_miss 2\nnuma_foreign 3\n"
		     "interleave_hit 4\nlocal_node 5\n", -EINVAL);
	NUMASTAT_ERR("numa_hits 1\nnuma_miss 2\nnuma_foreign 3\n"
		     "interleave_hit 4\nlocal_node 5\nother_node 6\n", -EINVAL);
	NUMASTAT_ERR("numa_h 1\nnuma_miss 2\nnuma_foreign 3\n"
		     "interleave_hit 4\nlocal_node 5\nother_node 6\n", -EINVAL);
	NUMASTAT_ERR(NUMASTAT_REAL "numa_miss 1\n", -EINVAL);
	NUMASTAT_ERR("numa_hit 12a\nnuma_miss 2\nnuma_foreign 3\n"
		     "interleave_hit 4\nlocal_node 5\nother_node 6\n", -EINVAL);
	NUMASTAT_ERR(NUMASTAT_REAL "numa_whatever x\n", -EINVAL);
	NUMASTAT_ERR(NUMASTAT_REAL "numa_whatever\n", -EINVAL);
	NUMASTAT_ERR(NUMASTAT_REAL "local_node 1 2\n", -EINVAL);
	NUMASTAT_ERR("numa_hit -1\n", -EINVAL);
	NUMASTAT_ERR("", -EINVAL);
	NUMASTAT_ERR("\n", -EINVAL);
	NUMASTAT_ERR(NUMASTAT_REAL "\0", -EINVAL);
	numastat_err_at(NUMASTAT_REAL, sizeof(NUMASTAT_REAL) - 1 - 17,
			-EINVAL, __LINE__);
}

/* ---- np_parse_buddyinfo ------------------------------------------- */

/* /proc/buddyinfo as the kernel prints it ("%6lu " per order). */
#define BUDDY_N0 \
	"Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n" \
	"Node 0, zone    DMA32      5      4      6      4      6      5      4      5      4      6    709 \n" \
	"Node 0, zone   Normal   2311   1420    893    531    249     96     41     17     10      4  11289 \n"
#define BUDDY_N1 \
	"Node 1, zone   Normal   1802   2219   1277    561    250    104     52     30     11      5  11907 \n"

static const uint64_t buddy_sum0[11] = {
	2316, 1424, 899, 535, 255, 101, 45, 22, 15, 11, 12001,
};
static const uint64_t buddy_sum1[11] = {
	1802, 2219, 1277, 561, 250, 104, 52, 30, 11, 5, 11907,
};

static void buddy_node_at(const struct np_buddy_node *b, unsigned node,
			  unsigned nzones, const uint64_t *sums,
			  unsigned norders, int line)
{
	CHECK_EQ(b->node, node, line);
	CHECK_EQ(b->nzones, nzones, line);
	CHECK_EQ(b->norders, norders, line);
	for (unsigned k = 0; k < norders; k++)
		CHECK_EQ(b->free_blocks[k], sums[k], line);
}

static void buddy_two_nodes_at(const char *buf, size_t len, int line)
{
	struct np_buddyinfo b;
	const char *why = NULL;

	expect_rc(np_parse_buddyinfo(buf, len, &b, &why), 0, line);
	CHECK_EQ(b.n, 2, line);
	buddy_node_at(&b.nodes[0], 0, 3, buddy_sum0, 11, line);
	buddy_node_at(&b.nodes[1], 1, 1, buddy_sum1, 11, line);
	np_buddyinfo_free(&b);
	CHECK(b.nodes == NULL && b.n == 0, line);
}

static void test_buddyinfo_real(void **state)
{
	(void)state;
	buddy_two_nodes_at(LIT(BUDDY_N0 BUDDY_N1), __LINE__);
}

static void test_buddyinfo_sorted(void **state)
{
	(void)state;
	buddy_two_nodes_at(LIT(BUDDY_N1 BUDDY_N0), __LINE__);
	/* Node 1 between node 0's zones. */
	buddy_two_nodes_at(LIT(
		"Node 0, zone      DMA 0 0 0 0 0 0 0 0 1 1 3\n"
		BUDDY_N1
		"Node 0, zone    DMA32 5 4 6 4 6 5 4 5 4 6 709\n"
		"Node 0, zone   Normal 2311 1420 893 531 249 96 41 17 10 4 11289\n"),
		__LINE__);
}

/* Sparse ids, 16 orders (the maximum), ids near NP_MAX_NODES. */
static void test_buddyinfo_sparse(void **state)
{
	static const uint64_t a[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
					9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint64_t b2[16] = { 16, 15, 14, 13, 12, 11, 10, 9,
					 8, 7, 6, 5, 4, 3, 2, 1 };
	struct np_buddyinfo b;
	const char *why = NULL;

	(void)state;
	assert_int_equal(np_parse_buddyinfo(LIT(
		"Node 4095, zone Normal 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
		"Node 3, zone Normal 16 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1\n"),
		&b, &why), 0);
	assert_int_equal(b.n, 2);
	buddy_node_at(&b.nodes[0], 3, 1, b2, 16, __LINE__);
	buddy_node_at(&b.nodes[1], 4095, 1, a, 16, __LINE__);
	np_buddyinfo_free(&b);
}

static void buddy_err_at(const char *buf, size_t len, int err, int line)
{
	struct np_buddyinfo b;
	const char *why = NULL;

	memset(&b, 0xa5, sizeof(b));
	expect_rc(np_parse_buddyinfo(buf, len, &b, &why), err, line);
	CHECK_EQ(b.n, 0, line);
	CHECK(b.nodes == NULL, line);
	CHECK(why != NULL, line);
}

#define BUDDY_ERR(s, err) buddy_err_at(LIT(s), err, __LINE__)

static void test_buddyinfo_errors(void **state)
{
	(void)state;
	BUDDY_ERR(BUDDY_N0 "Node 1, zone Normal 1 2 3\n", -EINVAL);
	BUDDY_ERR("Node 0, zone DMA 1 2 3\nNode 0, zone Normal 1 2 3 4\n",
		  -EINVAL);
	BUDDY_ERR(BUDDY_N0 "Node 1, zone      1 2 3 4 5 6 7 8 9 10 11\n",
		  -EINVAL);
	BUDDY_ERR("Node 0, zone\n", -EINVAL);
	BUDDY_ERR("Node 0, zone Normal\n", -EINVAL);
	BUDDY_ERR("Node 0, zone Normal    \n", -EINVAL);
	BUDDY_ERR("Node 0, zone Normal "
		  "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", -EINVAL);
	BUDDY_ERR(BUDDY_N0 "Node 1, zone Normal 1 2 3 4 5 6 7 8 9 10 x\n",
		  -EINVAL);
	BUDDY_ERR("Node x, zone Normal 1 2\n", -EINVAL);
	BUDDY_ERR("Node 0 zone Normal 1 2\n", -EINVAL);
	BUDDY_ERR("node 0, zone Normal 1 2\n", -EINVAL);
	BUDDY_ERR("Node 0, zone Normal 1 -2\n", -EINVAL);
	BUDDY_ERR(BUDDY_N0 "\0" BUDDY_N1, -EINVAL);
	/* The sum over zones would not fit in a u64. */
	BUDDY_ERR("Node 0, zone DMA32 18446744073709551615 1\n"
		  "Node 0, zone Normal 1 1\n", -ERANGE);
}

/* ---- np_parse_u64 ------------------------------------------------- */

static void u64_ok_at(const char *buf, size_t len, uint64_t want, int line)
{
	uint64_t v = 0xdead;
	const char *why = NULL;

	expect_rc(np_parse_u64(buf, len, &v, &why), 0, line);
	CHECK_EQ(v, want, line);
}

static void u64_err_at(const char *buf, size_t len, int err, int line)
{
	uint64_t v = 0xdead;
	const char *why = NULL;

	expect_rc(np_parse_u64(buf, len, &v, &why), err, line);
	CHECK(why != NULL, line);
}

#define U64_OK(s, want) u64_ok_at(LIT(s), want, __LINE__)
#define U64_ERR(s, err) u64_err_at(LIT(s), err, __LINE__)

static void test_u64(void **state)
{
	(void)state;
	U64_OK("0", 0);
	U64_OK("0\n", 0);
	U64_OK("2097152\n", 2097152);
	U64_OK("007\n", 7);
	U64_OK("18446744073709551615\n", UINT64_MAX);
	u64_ok_at("123456", 3, 123, __LINE__);
	U64_ERR("18446744073709551616\n", -ERANGE);
	U64_ERR("99999999999999999999999\n", -ERANGE);
	U64_ERR("", -EINVAL);
	U64_ERR("\n", -EINVAL);
	U64_ERR("-1\n", -EINVAL);
	U64_ERR("+1\n", -EINVAL);
	U64_ERR("0x10\n", -EINVAL);
	U64_ERR("12x\n", -EINVAL);
	U64_ERR("1 2\n", -EINVAL);
	U64_ERR("5\n\n6", -EINVAL);
	U64_ERR("5\0", -EINVAL);
	u64_err_at("12", 0, -EINVAL, __LINE__);
}

/* ---- parse.h's promises on errors, across parsers ------------------ */

/*
 * "On error the output is left empty ... so the caller never sees half a
 * result."  For the caller-owned outputs (a u64, a distance row) empty
 * means untouched or zero; the number read before the bad text is half
 * a result.
 */
static void test_u64_error_leaves_value(void **state)
{
	uint64_t v = 0xdead;
	const char *why = NULL;

	(void)state;
	assert_int_equal(np_parse_u64(LIT("12x\n"), &v, &why), -EINVAL);
	assert_true(v == 0xdead || v == 0);
}

static void row_untouched_at(const char *buf, size_t len, size_t want,
			     int line)
{
	uint32_t row[8];
	const char *why = NULL;

	for (size_t i = 0; i < 8; i++)
		row[i] = ROW_SENTINEL;
	CHECK(np_parse_distance_row(buf, len, want, row, &why) < 0, line);
	for (size_t i = 0; i < want; i++)
		CHECK(row[i] == ROW_SENTINEL || row[i] == 0, line);
}

static void test_distance_error_leaves_row(void **state)
{
	(void)state;
	row_untouched_at(LIT("10 20\n"), 3, __LINE__);
	row_untouched_at(LIT("10 20 30 40\n"), 3, __LINE__);
	row_untouched_at(LIT("10 20 x\n"), 3, __LINE__);
	row_untouched_at(LIT("10 256 20\n"), 3, __LINE__);
}

/*
 * "-ERANGE  a number or id beyond the limits", wherever the number sits:
 * not -EINVAL as if no number were there.  Every case is checked and the
 * wrong ones listed before the test fails.
 */
static const char big[] = "99999999999999999999";

static int erange_case(int rc, const char *what)
{
	if (rc == -ERANGE)
		return 0;
	print_message("  want -ERANGE, got %d: %s\n", rc, what);
	return 1;
}

static int erange_mismatches(void)
{
	char buf[160];
	struct np_idset l;
	struct np_meminfo m;
	struct np_node_numastat s;
	struct np_buddyinfo b;
	uint32_t row[2];
	const char *why;
	int bad = 0;

	snprintf(buf, sizeof(buf), "0-%s", big);
	bad += erange_case(np_parse_idlist(buf, strlen(buf), NP_MAX_CPUS, &l,
					   &why), "idlist \"0-<20 digits>\"");
	snprintf(buf, sizeof(buf), "0-7:%s/4", big);
	bad += erange_case(np_parse_idlist(buf, strlen(buf), NP_MAX_CPUS, &l,
					   &why), "idlist \"0-7:<20 digits>/4\"");
	snprintf(buf, sizeof(buf), "10 %s\n", big);
	bad += erange_case(np_parse_distance_row(buf, strlen(buf), 2, row,
						 &why), "distance \"10 <20 digits>\"");
	snprintf(buf, sizeof(buf), TOTAL0 "Node 0 MemFree: %s kB\n", big);
	bad += erange_case(np_parse_node_meminfo(buf, strlen(buf), 0, &m, &why),
			   "meminfo \"Node 0 MemFree: <20 digits> kB\"");
	snprintf(buf, sizeof(buf), "numa_hit %s\n", big);
	bad += erange_case(np_parse_numastat(buf, strlen(buf), &s, &why),
			   "numastat \"numa_hit <20 digits>\"");
	snprintf(buf, sizeof(buf), "Node 0, zone Normal 1 %s\n", big);
	bad += erange_case(np_parse_buddyinfo(buf, strlen(buf), &b, &why),
			   "buddyinfo \"Node 0, zone Normal 1 <20 digits>\"");
	bad += erange_case(np_parse_buddyinfo(LIT("Node 4096, zone Normal 1\n"),
					      &b, &why),
			   "buddyinfo \"Node 4096, zone Normal 1\"");
	return bad;
}

static void test_beyond_limits_is_erange(void **state)
{
	(void)state;
	assert_int_equal(erange_mismatches(), 0);
}

/* ---- issue 12: "\n\0" tails, cpumap, distance rows of zeros -------- */

/* print_nodes_state() of 2.6.23-3.2 counted a NUL after the newline. */
static void test_idlist_nul_tail(void **state)
{
	(void)state;
	IDLIST_OK("0-1\n\0", 63, 0, 1);
	IDLIST_OK("0,2,5\n\0", 63, 0, 2, 5);
	IDLIST_EMPTY("\n\0", 63);
	/* only right after the final newline, and only one */
	IDLIST_ERR("0-1\0", 63, -EINVAL);
	IDLIST_ERR("0-1\n\0\0", 63, -EINVAL);
	IDLIST_ERR("0\n\0" "1\n", 63, -EINVAL);
}

static void cpumap_ok_at(const char *buf, size_t len, unsigned max_id,
			 const unsigned *want, size_t nwant, int line)
{
	struct np_idset l;
	const char *why = NULL;

	expect_rc(np_parse_cpumap(buf, len, max_id, &l, &why), 0, line);
	CHECK_EQ(l.n, nwant, line);
	for (size_t i = 0; i < nwant; i++)
		CHECK_EQ(l.ids[i], want[i], line);
	np_idset_free(&l);
}

static void cpumap_err_at(const char *buf, size_t len, unsigned max_id,
			  int err, int line)
{
	struct np_idset l;
	const char *why = NULL;

	memset(&l, 0xa5, sizeof(l));
	expect_rc(np_parse_cpumap(buf, len, max_id, &l, &why), err, line);
	CHECK_EQ(l.n, 0, line);
	CHECK(l.ids == NULL, line);
	CHECK(why != NULL, line);
}

#define CPUMAP_OK(s, max, ...) \
	cpumap_ok_at(LIT(s), max, IDS(__VA_ARGS__), __LINE__)
#define CPUMAP_EMPTY(s, max) cpumap_ok_at(LIT(s), max, NULL, 0, __LINE__)
#define CPUMAP_ERR(s, max, err) cpumap_err_at(LIT(s), max, err, __LINE__)

static void test_cpumap(void **state)
{
	(void)state;
	CPUMAP_OK("00ff\n", 63, 0, 1, 2, 3, 4, 5, 6, 7);
	CPUMAP_OK("00000000,00000055\n", 63, 0, 2, 4, 6);
	/* the leading group is short with nr_cpu_ids % 32 bits */
	CPUMAP_OK("0000,0000ffff,0000ffff\n", 79, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
		  10, 11, 12, 13, 14, 15, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
		  42, 43, 44, 45, 46, 47);
	CPUMAP_OK("80000000,00000001\n", 63, 0, 63);
	CPUMAP_OK("f0000000,00000000,00000000\n", 95, 92, 93, 94, 95);
	CPUMAP_OK("00A0", 63, 5, 7);
	CPUMAP_OK("00ff\n\0", 63, 0, 1, 2, 3, 4, 5, 6, 7);
	CPUMAP_EMPTY("00000000,00000000\n", 63);
	CPUMAP_EMPTY("0\n", 63);
	/* a set bit above max_id; zero groups above it are fine */
	CPUMAP_ERR("100,00000000\n", 39, -ERANGE);
	CPUMAP_OK("0,00000000,00000001\n", 39, 0);
	CPUMAP_ERR("", 63, -EINVAL);
	CPUMAP_ERR("\n", 63, -EINVAL);
	CPUMAP_ERR("ff,ff\n", 63, -EINVAL);
	CPUMAP_ERR("000000000\n", 63, -EINVAL);
	CPUMAP_ERR(",000000ff\n", 63, -EINVAL);
	CPUMAP_ERR("000000ff,\n", 63, -EINVAL);
	CPUMAP_ERR("0-3\n", 63, -EINVAL);
	CPUMAP_ERR("00fg\n", 63, -EINVAL);
	CPUMAP_ERR("00ff\0\n", 63, -EINVAL);
	CPUMAP_ERR("00ff\n00ff\n", 63, -EINVAL);
}

/* An 8192-CPU cpumap: 256 groups, CPUs 8188-8191 only. */
static void test_cpumap_wide(void **state)
{
	char buf[256 * 9 + 1];
	size_t len = 0;

	(void)state;
	for (int g = 0; g < 256; g++)
		len += (size_t)sprintf(buf + len, "%s%s", g ? "," : "",
				       g ? "00000000" : "f0000000");
	buf[len++] = '\n';
	cpumap_ok_at(buf, len, 8191, IDS(8188, 8189, 8190, 8191), __LINE__);
	cpumap_err_at(buf, len, 8190, -ERANGE, __LINE__);
}

/* Firmware without a distance table: zeros mean "unknown". */
static void test_distance_zero_rows(void **state)
{
	(void)state;
	ROW_OK("0\n", 0, 0, 0);
	ROW_OK("0 0\n", 0, 0);
	ROW_OK("0\n", 0);
	ROW_ERR("0 0\n", 3, -ERANGE);
	ROW_ERR("0 10\n", 2, -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idlist_single),
		cmocka_unit_test(test_idlist_ranges),
		cmocka_unit_test(test_idlist_empty),
		cmocka_unit_test(test_idlist_stride),
		cmocka_unit_test(test_idlist_stride_errors),
		cmocka_unit_test(test_idlist_malformed),
		cmocka_unit_test(test_idlist_not_ascending),
		cmocka_unit_test(test_idlist_max_id),
		cmocka_unit_test(test_idlist_huge_numbers),
		cmocka_unit_test(test_idlist_nul_and_len),
		cmocka_unit_test(test_idlist_push),
		cmocka_unit_test(test_idlist_push_after_parse),
		cmocka_unit_test(test_idlist_contains),
		cmocka_unit_test(test_meminfo_real),
		cmocka_unit_test(test_meminfo_wrong_node),
		cmocka_unit_test(test_meminfo_required_fields),
		cmocka_unit_test(test_meminfo_malformed),
		cmocka_unit_test(test_meminfo_name_length),
		cmocka_unit_test(test_meminfo_values),
		cmocka_unit_test(test_meminfo_len),
		cmocka_unit_test(test_distance_exact),
		cmocka_unit_test(test_distance_count),
		cmocka_unit_test(test_distance_range),
		cmocka_unit_test(test_distance_garbage),
		cmocka_unit_test(test_idlist_nul_tail),
		cmocka_unit_test(test_cpumap),
		cmocka_unit_test(test_cpumap_wide),
		cmocka_unit_test(test_distance_zero_rows),
		cmocka_unit_test(test_numastat_real),
		cmocka_unit_test(test_numastat_unknown_ignored),
		cmocka_unit_test(test_numastat_errors),
		cmocka_unit_test(test_buddyinfo_real),
		cmocka_unit_test(test_buddyinfo_sorted),
		cmocka_unit_test(test_buddyinfo_sparse),
		cmocka_unit_test(test_buddyinfo_errors),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_u64_error_leaves_value),
		cmocka_unit_test(test_distance_error_leaves_row),
		cmocka_unit_test(test_beyond_limits_is_erange),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
