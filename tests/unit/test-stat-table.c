/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numastat's table layout (tools/numaplace/view/view-stat-table.c): the
 * justification, decimals, rows without data, folding into sections at
 * the screen width, the empty table, and labels scrubbed of control
 * characters.  Expected bytes worked out from numastat.c's rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/view-stat-table.h"

/* Labels in column 0 (width 8, left), three number columns (width 7,
 * right, 2 decimals) headed A, B, C; row "x" has data, row "y" none. */
static void build(struct np_stat_table *t)
{
	assert_int_equal(np_stat_table_init(t, 1, 1, 2, 3), 0);
	t->cols[0] = (struct np_stat_col){ 8, 0, NP_STAT_LEFT };
	for (size_t c = 1; c <= 3; c++) {
		t->cols[c] = (struct np_stat_col){ 7, 2, NP_STAT_RIGHT };
		np_stat_set_text(t, 0, c, (const char[]){ (char)('A' + c - 1), 0 });
	}
	np_stat_set_text(t, 1, 0, "x");
	np_stat_set_number(t, 1, 1, 1);
	np_stat_set_number(t, 1, 2, 2);
	np_stat_add_number(t, 1, 2, 0.5);
	np_stat_set_number(t, 1, 3, 0);     /* a zero is data, shown */
	np_stat_set_text(t, 2, 0, "y");
}

static void render_is(const struct np_stat_table *t, int width,
		      const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(np_stat_table_render(t, width, f), 0);
	fclose(f);
	if (strcmp(buf, want))
		fail_msg("width %d: got\n%s\nwant\n%s", width, buf, want);
	free(buf);
}

static void test_layout(void **state)
{
	struct np_stat_table t;

	(void)state;
	build(&t);
	render_is(&t, 100,
		  "              A      B      C\n"
		  "x          1.00   2.50   0.00\n");
	/* 8 + 7 + 7 fits 22; C starts a second section */
	render_is(&t, 22,
		  "              A      B\n"
		  "x          1.00   2.50\n"
		  "\n"
		  "              C\n"
		  "x          0.00\n");
	np_stat_table_fini(&t);
}

static void test_empty_and_scrubbed(void **state)
{
	struct np_stat_table t;

	(void)state;
	assert_int_equal(np_stat_table_init(&t, 1, 1, 1, 1), 0);
	t.cols[0] = (struct np_stat_col){ 12, 0, NP_STAT_LEFT };
	t.cols[1] = (struct np_stat_col){ 7, 2, NP_STAT_RIGHT };
	np_stat_set_text(&t, 1, 0, "Ev\033[31mil");
	assert_string_equal(t.cells[1 * t.ncols].text, "Ev?[31mil");
	render_is(&t, 100, "Table has no data.\n");
	np_stat_set_number(&t, 1, 1, 5);
	render_is(&t, 100,
		  "                   \n"
		  "Ev?[31mil      5.00\n");
	np_stat_table_fini(&t);
}

static void test_screen_width(void **state)
{
	(void)state;
	assert_int_equal(np_stat_screen_width(NULL, true), 80);
	assert_int_equal(np_stat_screen_width(NULL, false), 10000000);
	assert_int_equal(np_stat_screen_width("120", true), 120);
	assert_int_equal(np_stat_screen_width("10", false), 32);
	assert_int_equal(np_stat_screen_width("0", false), 80);
	assert_int_equal(np_stat_screen_width("x", false), 80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_empty_and_scrubbed),
		cmocka_unit_test(test_screen_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
