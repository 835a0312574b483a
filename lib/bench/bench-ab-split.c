/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A command string split into words as POSIX sh splits them, with quotes
 * and backslashes and nothing else: no expansion, no operators, no
 * comments (include/numaplace/ab.h, np_ab_split()).
 */
#include <numaplace/ab.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-err.h"

struct words {
	char **v;         /* NULL-terminated */
	size_t n;
	char *word;       /* the word being built; as long as the line */
	size_t len;
	bool open;        /* a word has begun (quotes begin an empty one) */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static int end_word(struct words *w)
{
	char **v;

	if (!w->open)
		return 0;
	v = realloc(w->v, (w->n + 2) * sizeof(char *));
	if (!v)
		return -ENOMEM;
	w->v = v;
	v[w->n] = strndup(w->word, w->len);
	if (!v[w->n])
		return -ENOMEM;
	v[++w->n] = NULL;
	w->len = 0;
	w->open = false;
	return 0;
}

static void add(struct words *w, char c)
{
	w->word[w->len++] = c;
	w->open = true;
}

/* After an opening " at s[*i]: up to the closing one.  false when the
 * line ends first. */
static bool double_quoted(struct words *w, const char *s, size_t *i)
{
	w->open = true;
	for ((*i)++; s[*i] && s[*i] != '"'; (*i)++) {
		if (s[*i] == '\\' && s[*i + 1] && strchr("$`\"\\\n", s[*i + 1])) {
			if (s[++*i] != '\n')
				add(w, s[*i]);
			continue;
		}
		add(w, s[*i]);
	}
	return s[*i] == '"';
}

/* One character or quoted run at s[*i], leaving *i on its last byte. */
static int scan(struct words *w, const char *s, size_t *i, const char *what,
		struct np_err *err)
{
	size_t at = *i;
	const char *close;

	switch (s[at]) {
	case '\'':
		close = strchr(s + at + 1, '\'');
		if (!close)
			break;
		w->open = true;
		memcpy(w->word + w->len, s + at + 1, (size_t)(close - s - at - 1));
		w->len += (size_t)(close - s - at - 1);
		*i = (size_t)(close - s);
		return 0;
	case '"':
		if (double_quoted(w, s, i))
			return 0;
		break;
	case '\\':
		if (!s[at + 1])
			return np_fail_input(err, -EINVAL, "%s ends in a "
					     "backslash", what);
		if (s[++*i] != '\n')
			add(w, s[*i]);
		return 0;
	default:
		if (is_blank(s[at]))
			return end_word(w);
		add(w, s[at]);
		return 0;
	}
	return np_fail_input(err, -EINVAL, "%s: the %c at character %zu is "
			     "never closed", what, s[at], at + 1);
}

void np_ab_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

int np_ab_split(const char *line, const char *what, char ***argv,
		struct np_err *err)
{
	struct words w = { 0 };
	int e = 0;

	w.word = malloc(strlen(line) + 1);
	if (!w.word)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; !e && line[i]; i++)
		e = scan(&w, line, &i, what, err);
	if (!e)
		e = end_word(&w);
	if (e == -ENOMEM)
		np_fail_sys(err, e, "out of memory");
	else if (!e && !w.n)
		e = np_fail_input(err, -EINVAL, "%s is empty", what);
	free(w.word);
	if (e) {
		np_ab_argv_free(w.v);
		return e;
	}
	*argv = w.v;
	return 0;
}
