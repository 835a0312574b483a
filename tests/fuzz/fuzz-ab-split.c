/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_ab_split on the input up to its first NUL.  Accepted: at least one
 * word, no more bytes in the words than in the line, and the words,
 * each put in single quotes (a ' as '\''), split again into the same
 * words.  Refused: -EINVAL with a one-line message of class input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/ab.h>

#include "fuzz.h"

/* 'w' 'x' ... with each ' as '\'' */
static char *requote(char **argv)
{
	size_t len = 1;
	char *s, *p;

	for (char **a = argv; *a; a++)
		len += 3 + 4 * strlen(*a);
	s = p = malloc(len);
	FUZZ_ASSERT(s != NULL);
	for (char **a = argv; *a; a++) {
		*p++ = '\'';
		for (const char *c = *a; *c; c++) {
			if (*c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		*p++ = '\'';
		*p++ = ' ';
	}
	*p = 0;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = strndup((const char *)data, size), *again;
	struct np_err err = { 0 };
	char **argv = NULL, **argv2 = NULL;
	size_t n = 0, bytes = 0;
	int rc;

	FUZZ_ASSERT(line != NULL);
	rc = np_ab_split(line, "command A", &argv, &err);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL && err.cls == NP_ERR_INPUT &&
			    err.msg[0] && !strchr(err.msg, '\n'));
		FUZZ_ASSERT(argv == NULL);
		free(line);
		return 0;
	}
	for (char **a = argv; *a; a++, n++)
		bytes += strlen(*a);
	FUZZ_ASSERT(n >= 1 && bytes <= strlen(line));
	again = requote(argv);
	FUZZ_ASSERT(np_ab_split(again, "again", &argv2, NULL) == 0);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(argv2[i] && strcmp(argv[i], argv2[i]) == 0);
	FUZZ_ASSERT(argv2[n] == NULL);
	np_ab_argv_free(argv);
	np_ab_argv_free(argv2);
	free(again);
	free(line);
	return 0;
}
