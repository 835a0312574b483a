/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numastat's table layout, byte for byte: the cell formatting, column
 * justification and line folding of numastat.c (numactl 2.0.16,
 * fmt_cell_data(), display_justified_cell(), display_table()) with the
 * options numastat uses without -z: zero rows and columns are shown, rows
 * and columns that never received data are not.
 *
 * A table is a grid of cells: the first header_rows rows and header_cols
 * columns are labels, the rest is data.  Columns carry the layout: a
 * width that includes numastat's one-space gutter (0 makes a column print
 * nothing at all), the decimals of its numbers and a justification.
 */
#ifndef NP_VIEW_STAT_TABLE_H
#define NP_VIEW_STAT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum np_stat_cell_kind {
	NP_STAT_EMPTY = 0, /* prints as blanks; not "data" */
	NP_STAT_NUMBER,    /* a double, printed "%.*f" */
	NP_STAT_TEXT,      /* a label */
	NP_STAT_RULE,      /* text[0] repeated over width - 1; not "data" */
};

/* numastat's COL_JUSTIFY_* values: 0 (never set) centres. */
enum np_stat_justify {
	NP_STAT_CENTER = 0,
	NP_STAT_LEFT = 1,
	NP_STAT_RIGHT = 2,
};

struct np_stat_cell {
	enum np_stat_cell_kind kind;
	double number;
	char text[32]; /* a kernel counter name fits (struct np_counter) */
};

struct np_stat_col {
	unsigned width;    /* characters, gutter included; numastat caps at 127 */
	unsigned decimals; /* of NP_STAT_NUMBER cells */
	enum np_stat_justify justify;
};

struct np_stat_table {
	size_t header_rows, header_cols;
	size_t nrows, ncols;        /* headers included */
	struct np_stat_cell *cells; /* cells[row * ncols + col] */
	struct np_stat_col *cols;   /* ncols entries, all zero at init */
};

/* All cells empty, all columns width 0.  0 or -ENOMEM. */
int np_stat_table_init(struct np_stat_table *t, size_t header_rows,
		       size_t header_cols, size_t data_rows, size_t data_cols);
void np_stat_table_fini(struct np_stat_table *t);

/* Longer text is cut to fit; rendering cuts it again to the width. */
void np_stat_set_text(struct np_stat_table *t, size_t row, size_t col,
		      const char *text);
void np_stat_set_rule(struct np_stat_table *t, size_t row, size_t col,
		      char c);
void np_stat_set_number(struct np_stat_table *t, size_t row, size_t col,
			double v);
void np_stat_add_number(struct np_stat_table *t, size_t row, size_t col,
			double v);

/*
 * Writes the table folded to screen_width like numastat: a section holds
 * the label columns and as many data columns as fit, sections are
 * separated by an empty line.  A table without any data prints
 * "Table has no data.".  0, or -ENOMEM before anything is written.
 * Write errors are the stream's (ferror()).
 */
int np_stat_table_render(const struct np_stat_table *t, int screen_width,
			 FILE *out);

/*
 * numastat's screen width: $NUMASTAT_WIDTH (atoi; outside 1..10000000
 * means 80); else 80 when stdout is a terminal (numastat asks `resize`
 * but reads only 7 bytes of its answer, so never gets past 80); else
 * 10000000 (no folding).  Never below 32.  env_width is the variable's
 * value or NULL.
 */
int np_stat_screen_width(const char *env_width, bool stdout_is_tty);

#endif
