/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the fuzz targets and replay.c.  Each target feeds (data, size)
 * to one parser and, when the parser accepts it, checks what parse.h or
 * topo.h promise about the result.  A broken promise is a trap, which
 * libFuzzer (and the replay test) reports as a crash.
 */
#ifndef NP_FUZZ_H
#define NP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c) \
	do { \
		if (!(c)) \
			__builtin_trap(); \
	} while (0)

/* The errors parse.h allows, with a reason. */
#define FUZZ_ASSERT_PARSE_ERROR(rc, why) \
	FUZZ_ASSERT(((rc) == -EINVAL || (rc) == -ERANGE || (rc) == -ENOMEM) && \
		    (why) != NULL)

/* Lines of buf[0..len) holding more than blanks: what a line parser reads. */
static inline size_t fuzz_count_text_lines(const char *buf, size_t len)
{
	size_t n = 0;
	int text = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			n += text;
			text = 0;
		} else if (buf[i] != ' ' && buf[i] != '\t') {
			text = 1;
		}
	}
	return n + text;
}

#endif
