/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A growing text buffer for rendering; appends never fail loudly, oom is sticky. */
#ifndef NP_UTIL_STRBUF_H
#define NP_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len, cap;
	bool oom; /* sticky: set when an append could not allocate */
};

void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_puts(struct strbuf *sb, const char *s);
/* "0-3,8,10-11" for an ascending id list. */
void sb_idlist(struct strbuf *sb, const unsigned *ids, size_t n);
/* The same with sep before every range but the first (np_idlist_format). */
void sb_idlist_sep(struct strbuf *sb, const unsigned *ids, size_t n,
		   const char *sep);
void sb_release(struct strbuf *sb);

#endif
