/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/util-strbuf.h"

#include <numaplace/idset.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool sb_grow(struct strbuf *sb, size_t extra)
{
	size_t cap;
	char *nb;

	if (sb->oom)
		return false;
	if (sb->len + extra + 1 <= sb->cap)
		return true;
	cap = sb->cap ? sb->cap : 1024;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	nb = realloc(sb->buf, cap);
	if (!nb) {
		sb->oom = true;
		return false;
	}
	sb->buf = nb;
	sb->cap = cap;
	return true;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_grow(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sb_puts(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	if (!sb_grow(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n + 1);
	sb->len += n;
}

void sb_idlist_sep(struct strbuf *sb, const unsigned *ids, size_t n,
		   const char *sep)
{
	size_t need = np_idlist_format(NULL, 0, ids, n, sep);

	if (!sb_grow(sb, need))
		return;
	np_idlist_format(sb->buf + sb->len, need + 1, ids, n, sep);
	sb->len += need;
}

void sb_idlist(struct strbuf *sb, const unsigned *ids, size_t n)
{
	sb_idlist_sep(sb, ids, n, ",");
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->oom = false;
}
