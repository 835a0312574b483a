/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numastat's table layout (see stat-table.h). */
#include "view/view-stat-table.h"

#include "cli/cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* numastat formats a cell into a buffer this big (SMALL_BUF_SIZE). */
#define CELL_BUF 128
#define GUTTER 1
#define DEFAULT_WIDTH 80
#define UNFOLDED_WIDTH 10000000
#define MIN_WIDTH 32

int np_stat_table_init(struct np_stat_table *t, size_t header_rows,
		       size_t header_cols, size_t data_rows, size_t data_cols)
{
	size_t ncells = (header_rows + data_rows) * (header_cols + data_cols);

	t->header_rows = header_rows;
	t->header_cols = header_cols;
	t->nrows = header_rows + data_rows;
	t->ncols = header_cols + data_cols;
	t->cells = calloc(ncells ? ncells : 1, sizeof(*t->cells));
	t->cols = calloc(t->ncols ? t->ncols : 1, sizeof(*t->cols));
	if (!t->cells || !t->cols) {
		np_stat_table_fini(t);
		return -ENOMEM;
	}
	return 0;
}

void np_stat_table_fini(struct np_stat_table *t)
{
	free(t->cells);
	free(t->cols);
	t->cells = NULL;
	t->cols = NULL;
}

static struct np_stat_cell *cell_at(const struct np_stat_table *t, size_t row,
				    size_t col)
{
	return &t->cells[row * t->ncols + col];
}

void np_stat_set_text(struct np_stat_table *t, size_t row, size_t col,
		      const char *text)
{
	struct np_stat_cell *c = cell_at(t, row, col);

	c->kind = NP_STAT_TEXT;
	snprintf(c->text, sizeof(c->text), "%s", text);
	/* labels come from dumps too (meminfo field names) */
	np_scrub(c->text);
}

void np_stat_set_rule(struct np_stat_table *t, size_t row, size_t col, char ch)
{
	struct np_stat_cell *c = cell_at(t, row, col);

	c->kind = NP_STAT_RULE;
	c->text[0] = ch;
	c->text[1] = '\0';
}

void np_stat_set_number(struct np_stat_table *t, size_t row, size_t col,
			double v)
{
	struct np_stat_cell *c = cell_at(t, row, col);

	c->kind = NP_STAT_NUMBER;
	c->number = v;
}

void np_stat_add_number(struct np_stat_table *t, size_t row, size_t col,
			double v)
{
	struct np_stat_cell *c = cell_at(t, row, col);

	/* numastat's double_addto(): an empty cell's union reads as 0.0 */
	if (c->kind != NP_STAT_NUMBER)
		c->number = 0.0;
	c->kind = NP_STAT_NUMBER;
	c->number += v;
}

/* Data, as numastat counts it: anything but empty cells and rules. */
static bool is_data(const struct np_stat_cell *c)
{
	return c->kind == NP_STAT_NUMBER || c->kind == NP_STAT_TEXT;
}

/*
 * numastat tests "non-zero" on the raw bits of the cell's union; -0.0
 * counts as non-zero there, and so here.  Text always does.
 */
static bool is_non_zero(const struct np_stat_cell *c)
{
	uint64_t bits;

	if (c->kind == NP_STAT_TEXT)
		return true;
	memcpy(&bits, &c->number, sizeof(bits));
	return bits != 0;
}

/* fmt_cell_data(): the cell's text, cut to the column width. */
static void format_cell(const struct np_stat_cell *c,
			const struct np_stat_col *col, char buf[CELL_BUF])
{
	unsigned width = col->width < CELL_BUF ? col->width : CELL_BUF - 1;

	buf[0] = '\0';
	switch (c->kind) {
	case NP_STAT_EMPTY:
		break;
	case NP_STAT_NUMBER:
		snprintf(buf, CELL_BUF, "%.*f", (int)col->decimals, c->number);
		break;
	case NP_STAT_TEXT:
		snprintf(buf, CELL_BUF, "%s", c->text);
		break;
	case NP_STAT_RULE:
		if (width >= GUTTER) {
			memset(buf, c->text[0], width - GUTTER);
			buf[width - GUTTER] = '\0';
		}
		break;
	}
	buf[width] = '\0';
}

/* display_justified_cell() */
static void put_cell(const struct np_stat_cell *c,
		     const struct np_stat_col *col, FILE *out)
{
	char text[CELL_BUF], line[CELL_BUF];
	size_t width = col->width < CELL_BUF ? col->width : CELL_BUF - 1;
	size_t l;

	format_cell(c, col, text);
	l = strlen(text);
	memset(line, ' ', width);
	switch (col->justify) {
	case NP_STAT_LEFT:
		memcpy(line, text, l);
		break;
	case NP_STAT_RIGHT:
		memcpy(line + width - l, text, l);
		break;
	default:
		memcpy(line + (width - l + 1) / 2, text, l);
		break;
	}
	fwrite(line, 1, width, out);
}

struct seen {
	bool *row_data, *row_non_zero;
	bool *col_data, *col_non_zero;
	bool any_data;
};

static int mark_seen(const struct np_stat_table *t, struct seen *s)
{
	bool *flags = calloc(2 * (t->nrows + t->ncols) + 1, sizeof(*flags));

	if (!flags)
		return -ENOMEM;
	s->row_data = flags;
	s->row_non_zero = flags + t->nrows;
	s->col_data = flags + 2 * t->nrows;
	s->col_non_zero = flags + 2 * t->nrows + t->ncols;
	s->any_data = false;
	for (size_t r = t->header_rows; r < t->nrows; r++) {
		for (size_t c = t->header_cols; c < t->ncols; c++) {
			const struct np_stat_cell *cell = cell_at(t, r, c);

			if (!is_data(cell))
				continue;
			s->any_data = true;
			s->row_data[r] = s->col_data[c] = true;
			if (is_non_zero(cell))
				s->row_non_zero[r] = s->col_non_zero[c] = true;
		}
	}
	return 0;
}

/*
 * Zero rows and columns are shown (numastat without -z), so only data
 * decides; the non-zero flags are kept for the day -z is wanted.
 */
static bool col_shown(const struct seen *s, size_t col)
{
	return s->col_data[col];
}

static bool row_shown(const struct np_stat_table *t, const struct seen *s,
		      size_t row)
{
	return row < t->header_rows || s->row_data[row];
}

/* One line of a section; returns the column the next section starts at. */
static size_t put_line(const struct np_stat_table *t, const struct seen *s,
		       size_t row, size_t first, int screen_width, FILE *out)
{
	long line_width = 0;
	size_t col;

	for (col = 0; col < t->header_cols; col++) {
		put_cell(cell_at(t, row, col), &t->cols[col], out);
		line_width += t->cols[col].width;
	}
	/* The first column of a section prints even if it does not fit. */
	for (col = first;;) {
		if (col_shown(s, col)) {
			put_cell(cell_at(t, row, col), &t->cols[col], out);
			line_width += t->cols[col].width;
		}
		col++;
		/* numastat looks at the next column's width, shown or not */
		if (col >= t->ncols ||
		    line_width + (long)t->cols[col].width > screen_width)
			break;
	}
	fputc('\n', out);
	return col;
}

int np_stat_table_render(const struct np_stat_table *t, int screen_width,
			 FILE *out)
{
	struct seen s;
	size_t first = t->header_cols, next;
	bool sectioned = false;

	if (mark_seen(t, &s))
		return -ENOMEM;
	if (!s.any_data) {
		fputs("Table has no data.\n", out);
		free(s.row_data);
		return 0;
	}
	while (first < t->ncols) {
		if (!col_shown(&s, first)) {
			first++;
			continue;
		}
		if (sectioned)
			fputc('\n', out);
		sectioned = true;
		next = first + 1;
		for (size_t row = 0; row < t->nrows; row++)
			if (row_shown(t, &s, row))
				next = put_line(t, &s, row, first,
						screen_width, out);
		first = next;
	}
	free(s.row_data);
	return 0;
}

int np_stat_screen_width(const char *env_width, bool stdout_is_tty)
{
	int width = DEFAULT_WIDTH;

	if (env_width) {
		/* atoi() as glibc has it: strtol() cut to int */
		width = (int)strtol(env_width, NULL, 10);
		if (width < 1 || width > UNFOLDED_WIDTH)
			width = DEFAULT_WIDTH;
	} else if (!stdout_is_tty) {
		width = UNFOLDED_WIDTH;
	}
	return width < MIN_WIDTH ? MIN_WIDTH : width;
}
