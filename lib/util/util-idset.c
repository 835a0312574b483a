/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Node and CPU strings as numactl documents them: lists of ids and ranges,
 * "all", "!" for the inverse within the allowed set, "+" for ids relative
 * to the allowed set (the task's cpuset).
 */
#include <numaplace/idset.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/linux-parse.h"
#include "util/util-err.h"

void np_idset_free(struct np_idset *s)
{
	free(s->ids);
	s->ids = NULL;
	s->n = 0;
	s->cap = 0;
}

bool np_idset_contains(const struct np_idset *s, unsigned id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ids[mid] == id)
			return true;
		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int np_idset_push(struct np_idset *s, unsigned id)
{
	if (s->n && s->ids[s->n - 1] >= id)
		return -EINVAL;
	/* Grows by doubling; a cap of 0 on a filled set (built by hand)
	 * is taken as "exactly full". */
	if (s->n >= s->cap) {
		size_t cap = s->n ? s->n * 2 : 4;
		unsigned *ids = realloc(s->ids, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		s->ids = ids;
		s->cap = cap;
	}
	s->ids[s->n++] = id;
	return 0;
}

/* Appends "sep a" or "sep a-b" at buf + *need (cut to len), and adds its
 * whole length to *need. */
static void put_range(char *buf, size_t len, size_t *need, const char *sep,
		      unsigned a, unsigned b)
{
	char *dst = *need < len ? buf + *need : NULL;
	size_t room = *need < len ? len - *need : 0;
	int w = a == b ? snprintf(dst, room, "%s%u", sep, a) :
			 snprintf(dst, room, "%s%u-%u", sep, a, b);

	*need += w > 0 ? (size_t)w : 0;
}

size_t np_idlist_format(char *buf, size_t len, const unsigned *ids, size_t n,
			const char *sep)
{
	size_t need = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && ids[j + 1] == ids[j] + 1)
			j++;
		put_range(buf, len, &need, i ? sep : "", ids[i], ids[j]);
		i = j + 1;
	}
	return need;
}

static bool set_has(const struct np_idset *s, unsigned id)
{
	return np_idset_contains(s, id);
}

static const char *noun(enum np_idstr_kind kind)
{
	return kind == NP_IDSTR_NODES ? "node" : "CPU";
}

struct idparse {
	const char *str;            /* the whole string, for messages */
	enum np_idstr_kind kind;
	const struct np_idset *exists, *allowed;
	bool relative;
	bool *mark;                 /* by id: selected */
	unsigned limit;             /* size of mark[] */
	struct np_err *err;
};

/* A decimal id, or with "+" the index into the allowed set. */
static int read_id(struct idparse *p, const char **s, unsigned *id)
{
	unsigned long v = 0;
	const char *q = *s;

	if (*q < '0' || *q > '9')
		return np_fail_input(p->err, -EINVAL, "%s string '%s': expected a "
			       "number at '%s'", noun(p->kind), p->str, q);
	for (; *q >= '0' && *q <= '9'; q++) {
		v = v * 10 + (unsigned long)(*q - '0');
		if (v >= p->limit * 16ul + 1024) {
			size_t len = strspn(*s, "0123456789");

			return np_fail_input(p->err, -EINVAL, "%s %.*s does not exist",
				       noun(p->kind), (int)(len < 40 ? len : 40),
				       *s);
		}
	}
	*s = q;
	if (p->relative) {
		if (v >= p->allowed->n)
			return np_fail_input(p->err, -EINVAL, "%s string '%s': +%lu "
				       "is beyond the %zu %ss of this task's "
				       "cpuset", noun(p->kind), p->str, v,
				       p->allowed->n, noun(p->kind));
		*id = p->allowed->ids[v];
		return 0;
	}
	*id = (unsigned)v;
	return 0;
}

static int check_allowed(struct idparse *p, unsigned id)
{
	if (!set_has(p->exists, id))
		return np_fail_input(p->err, -EINVAL, "%s %u does not exist",
			       noun(p->kind), id);
	if (!set_has(p->allowed, id))
		return np_fail_input(p->err, -EINVAL, "%s %u is not in this task's "
			       "cpuset", noun(p->kind), id);
	return 0;
}

/* One "N" or "A-B"; a range takes the allowed ids between its ends. */
static int parse_item(struct idparse *p, const char **s)
{
	unsigned a, b;
	int e;

	e = read_id(p, s, &a);
	if (!e)
		e = check_allowed(p, a);
	if (e)
		return e;
	b = a;
	if (**s == '-') {
		(*s)++;
		e = read_id(p, s, &b);
		if (!e)
			e = check_allowed(p, b);
		if (e)
			return e;
		if (b < a)
			return np_fail_input(p->err, -EINVAL, "%s string '%s': range "
				       "%u-%u goes down", noun(p->kind), p->str,
				       a, b);
	}
	for (size_t i = 0; i < p->allowed->n; i++)
		if (p->allowed->ids[i] >= a && p->allowed->ids[i] <= b)
			p->mark[p->allowed->ids[i]] = true;
	return 0;
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The grammar alone, before any id is looked up, so that a malformed
 * string gets the same message whatever ids the machine has ("1e3" is
 * "unexpected 'e3'", not "node 1 does not exist" where node 1 is absent).
 */
static int check_syntax(struct idparse *p, const char *s)
{
	if (!strcmp(s, "all"))
		return 0;
	for (;;) {
		for (int end = 0; end < 2; end++) {
			if (!digit(*s))
				return np_fail_input(p->err, -EINVAL, "%s string "
						     "'%s': expected a number "
						     "at '%s'", noun(p->kind),
						     p->str, s);
			while (digit(*s))
				s++;
			if (*s != '-' || end)
				break;
			s++;
		}
		if (*s == '\0')
			return 0;
		if (*s != ',' || s[1] == '\0')
			return np_fail_input(p->err, -EINVAL, "%s string '%s': "
					     "unexpected '%s'", noun(p->kind),
					     p->str, s);
		s++;
	}
}

static int parse_list(struct idparse *p, const char *s)
{
	if (!strcmp(s, "all")) {
		for (size_t i = 0; i < p->allowed->n; i++)
			p->mark[p->allowed->ids[i]] = true;
		return 0;
	}
	for (;;) {
		int e = parse_item(p, &s);

		if (e)
			return e;
		if (*s == '\0')
			return 0;
		if (*s != ',' || s[1] == '\0')
			return np_fail_input(p->err, -EINVAL, "%s string '%s': "
				       "unexpected '%s'", noun(p->kind), p->str,
				       s);
		s++;
	}
}

static int collect(struct idparse *p, bool invert, struct np_idset *out)
{
	struct np_idset l = { NULL, 0 };

	for (size_t i = 0; i < p->allowed->n; i++) {
		unsigned id = p->allowed->ids[i];

		if (p->mark[id] != invert && np_idset_push(&l, id)) {
			np_idset_free(&l);
			return np_fail_sys(p->err, -ENOMEM, "out of memory");
		}
	}
	if (!l.n)
		return np_fail_input(p->err, -EINVAL, "%s string '%s' selects no %s",
			       noun(p->kind), p->str, noun(p->kind));
	*out = l;
	return 0;
}

int np_idstr_parse(const char *s, enum np_idstr_kind kind,
		   const struct np_idset *exists, const struct np_idset *allowed,
		   struct np_idset *out, struct np_err *err)
{
	struct idparse p = { s, kind, exists, allowed, false, NULL, 0, err };
	bool invert = false;
	int e;

	*out = (struct np_idset){ 0 };
	if (!*s)
		return np_fail_input(err, -EINVAL, "empty %s string", noun(kind));
	for (size_t i = 0; i < exists->n; i++)
		if (exists->ids[i] >= p.limit)
			p.limit = exists->ids[i] + 1;
	for (size_t i = 0; i < allowed->n; i++)
		if (allowed->ids[i] >= p.limit)
			p.limit = allowed->ids[i] + 1;
	p.mark = calloc(p.limit ? p.limit : 1, sizeof(*p.mark));
	if (!p.mark)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	if (*s == '!') {
		invert = true;
		s++;
	}
	if (*s == '+') {
		p.relative = true;
		s++;
	}
	e = check_syntax(&p, s);
	if (!e)
		e = parse_list(&p, s);
	if (!e)
		e = collect(&p, invert, out);
	free(p.mark);
	return e;
}
