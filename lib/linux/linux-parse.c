/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers for sysfs/procfs NUMA text.  All of them walk a (buf, len)
 * cursor and never rely on a terminating NUL, because a dump may hold
 * anything, and the fuzz targets feed arbitrary bytes.
 */
#include "linux/linux-parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	const char *p;
	const char *end;
};

static bool at_end(const struct cursor *c)
{
	return c->p >= c->end;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static void skip_blanks(struct cursor *c)
{
	while (!at_end(c) && is_blank(*c->p))
		c->p++;
}

/* Reads decimal digits into *v; -EINVAL when none, -ERANGE on overflow. */
static int read_u64(struct cursor *c, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = c->p;

	while (!at_end(c) && *c->p >= '0' && *c->p <= '9') {
		unsigned d = (unsigned)(*c->p - '0');

		if (x > (UINT64_MAX - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
		c->p++;
	}
	if (c->p == start)
		return -EINVAL;
	*v = x;
	return 0;
}

/* True when only blanks and newlines remain. */
static bool only_space_left(struct cursor c)
{
	for (; !at_end(&c); c.p++)
		if (!is_blank(*c.p) && *c.p != '\n')
			return false;
	return true;
}

/* Splits off the next line (without '\n'); false at end of buffer. */
static bool next_line(struct cursor *c, struct cursor *line)
{
	const char *nl;

	if (at_end(c))
		return false;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	line->p = c->p;
	line->end = nl ? nl : c->end;
	c->p = nl ? nl + 1 : c->end;
	return true;
}

static bool has_nul(const char *buf, size_t len)
{
	return len && memchr(buf, '\0', len) != NULL;
}

/*
 * Kernels 2.6.23 to 3.2 printed the node state masks with
 * print_nodes_state(), which counted the NUL it wrote after the newline:
 * those files read "0-1\n\0".  One NUL right after the final newline is
 * dropped; a NUL anywhere else is still an error.
 */
static size_t len_without_nul_tail(const char *buf, size_t len)
{
	if (len >= 2 && buf[len - 1] == '\0' && buf[len - 2] == '\n')
		return len - 1;
	return len;
}

static int fail(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

/* One "a", "a-b" or "a-b:used/group" token of a kernel list. */
static int parse_range(struct cursor *c, unsigned max_id,
		       struct np_idset *out, const char **why)
{
	uint64_t a, b, used = 1, group = 1;
	int err;

	err = read_u64(c, &a);
	if (err)
		return fail(why, err == -ERANGE ? "id out of range" :
			    "expected a number", err);
	b = a;
	if (!at_end(c) && *c->p == '-') {
		c->p++;
		err = read_u64(c, &b);
		if (err)
			return fail(why, err == -ERANGE ? "id out of range" :
				    "expected a number after '-'", err);
		if (!at_end(c) && *c->p == ':') {
			c->p++;
			err = read_u64(c, &used);
			if (!err && (at_end(c) || *c->p != '/'))
				err = -EINVAL;
			if (!err) {
				c->p++;
				err = read_u64(c, &group);
			}
			if (err == -ERANGE)
				return fail(why, "stride out of range", err);
			if (err || used == 0 || group == 0 || used > group)
				return fail(why, "bad stride in range", -EINVAL);
		}
	}
	if (a > b)
		return fail(why, "descending range", -EINVAL);
	if (b > max_id)
		return fail(why, "id out of range", -ERANGE);
	for (uint64_t id = a; id <= b; id++) {
		if ((id - a) % group >= used)
			continue;
		if (out->n && out->ids[out->n - 1] >= id)
			return fail(why, "ids not ascending", -EINVAL);
		err = np_idset_push(out, (unsigned)id);
		if (err)
			return fail(why, "out of memory", err);
	}
	return 0;
}

int np_parse_idlist(const char *buf, size_t len, unsigned max_id,
		    struct np_idset *out, const char **why)
{
	struct cursor c;
	int err = 0;

	*out = (struct np_idset){ 0 };
	len = len_without_nul_tail(buf, len);
	c = (struct cursor){ buf, buf + len };
	if (has_nul(buf, len))
		return fail(why, "NUL byte in list", -EINVAL);
	skip_blanks(&c);
	if (only_space_left(c))
		return 0;
	for (;;) {
		err = parse_range(&c, max_id, out, why);
		if (err)
			break;
		if (!at_end(&c) && *c.p == ',') {
			c.p++;
			continue;
		}
		if (!only_space_left(c))
			err = fail(why, "unexpected character in list", -EINVAL);
		break;
	}
	if (err)
		np_idset_free(out);
	return err;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Checks the "%*pb" layout and counts its 32-bit groups. */
static int cpumap_groups(struct cursor c, size_t *ngroups, const char **why)
{
	size_t n = 0, digits = 0;

	for (; !at_end(&c) && (*c.p == ',' || hex_digit(*c.p) >= 0); c.p++) {
		if (*c.p != ',') {
			digits++;
			continue;
		}
		/* The first group may be short (nr_cpu_ids % 32 bits). */
		if (digits == 0 || digits > 8 || (n > 0 && digits != 8))
			return fail(why, "bad group in cpumap", -EINVAL);
		n++;
		digits = 0;
	}
	if (digits == 0 && n == 0)
		return fail(why, "empty cpumap", -EINVAL);
	if (digits == 0 || digits > 8 || (n > 0 && digits != 8))
		return fail(why, "bad group in cpumap", -EINVAL);
	if (!only_space_left(c))
		return fail(why, "unexpected character in cpumap", -EINVAL);
	*ngroups = n + 1;
	return 0;
}

/* The value of group g (0 = leftmost) of a checked cpumap. */
static uint32_t cpumap_group(const char *buf, size_t g)
{
	const char *p = buf;
	uint32_t v = 0;

	for (size_t k = 0; k < g; p++)
		if (*p == ',')
			k++;
	for (; hex_digit(*p) >= 0; p++)
		v = v << 4 | (uint32_t)hex_digit(*p);
	return v;
}

int np_parse_cpumap(const char *buf, size_t len, unsigned max_id,
		    struct np_idset *out, const char **why)
{
	struct cursor c;
	size_t ngroups;
	int err;

	*out = (struct np_idset){ 0 };
	len = len_without_nul_tail(buf, len);
	c = (struct cursor){ buf, buf + len };
	if (has_nul(buf, len))
		return fail(why, "NUL byte in cpumap", -EINVAL);
	skip_blanks(&c);
	err = cpumap_groups(c, &ngroups, why);
	if (err)
		return err;
	/* The rightmost group holds CPUs 0-31: walk right to left so the
	 * ids come out ascending. */
	for (size_t g = ngroups; g-- > 0;) {
		uint32_t v = cpumap_group(c.p, g);
		uint64_t base = (uint64_t)(ngroups - 1 - g) * 32;

		for (unsigned bit = 0; v && bit < 32; bit++) {
			if (!(v & (1u << bit)))
				continue;
			if (base + bit > max_id) {
				np_idset_free(out);
				return fail(why, "CPU out of range", -ERANGE);
			}
			err = np_idset_push(out, (unsigned)(base + bit));
			if (err) {
				np_idset_free(out);
				return fail(why, "out of memory", err);
			}
		}
	}
	return 0;
}

void np_meminfo_free(struct np_meminfo *m)
{
	free(m->fields);
	m->fields = NULL;
	m->n = 0;
}

const struct np_counter *np_meminfo_get(const struct np_meminfo *m,
					      const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->fields[i].name, name) == 0)
			return &m->fields[i];
	return NULL;
}

static bool eat_word(struct cursor *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* "Node <node> <Name>: <value>[ kB]" */
static int parse_meminfo_line(struct cursor line, unsigned node,
			      struct np_counter *f, const char **why)
{
	uint64_t id;
	const char *name, *colon;
	size_t nlen;

	if (!eat_word(&line, "Node "))
		return fail(why, "line does not start with \"Node\"", -EINVAL);
	if (read_u64(&line, &id))
		return fail(why, "bad node number", -EINVAL);
	if (id != node)
		return fail(why, "line for another node", -EINVAL);
	skip_blanks(&line);
	name = line.p;
	colon = at_end(&line) ? NULL :
		memchr(line.p, ':', (size_t)(line.end - line.p));
	if (!colon)
		return fail(why, "field without ':'", -EINVAL);
	nlen = (size_t)(colon - name);
	if (nlen == 0 || nlen >= sizeof(f->name))
		return fail(why, "bad field name", -EINVAL);
	for (size_t i = 0; i < nlen; i++)
		if (is_blank(name[i]))
			return fail(why, "bad field name", -EINVAL);
	memcpy(f->name, name, nlen);
	f->name[nlen] = '\0';
	line.p = colon + 1;
	skip_blanks(&line);
	switch (read_u64(&line, &f->value)) {
	case 0:
		break;
	case -ERANGE:
		return fail(why, "value out of range", -ERANGE);
	default:
		return fail(why, "field without a number", -EINVAL);
	}
	skip_blanks(&line);
	f->is_kib = eat_word(&line, "kB");
	skip_blanks(&line);
	if (!at_end(&line))
		return fail(why, "trailing text after value", -EINVAL);
	return 0;
}

int np_parse_node_meminfo(const char *buf, size_t len, unsigned node,
			  struct np_meminfo *out, const char **why)
{
	struct cursor c = { buf, buf + len }, line;
	size_t cap = 0;
	int err = 0;

	out->fields = NULL;
	out->n = 0;
	if (has_nul(buf, len))
		return fail(why, "NUL byte in meminfo", -EINVAL);
	while (!err && next_line(&c, &line)) {
		struct np_counter f;

		if (only_space_left(line))
			continue;
		err = parse_meminfo_line(line, node, &f, why);
		if (err)
			break;
		if (np_meminfo_get(out, f.name)) {
			err = fail(why, "duplicate field", -EINVAL);
			break;
		}
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 48;
			struct np_counter *nf;

			nf = realloc(out->fields, ncap * sizeof(*nf));
			if (!nf) {
				err = fail(why, "out of memory", -ENOMEM);
				break;
			}
			out->fields = nf;
			cap = ncap;
		}
		out->fields[out->n++] = f;
	}
	if (!err && !np_meminfo_get(out, "MemTotal"))
		err = fail(why, "no MemTotal line", -EINVAL);
	if (err)
		np_meminfo_free(out);
	return err;
}

static int parse_distances(const char *buf, size_t len, size_t want,
			   uint32_t *out, const char **why)
{
	struct cursor c = { buf, buf + len };
	size_t n = 0, zeros = 0;
	int err;

	if (has_nul(buf, len))
		return fail(why, "NUL byte in distance row", -EINVAL);
	for (;;) {
		uint64_t d;

		skip_blanks(&c);
		if (only_space_left(c))
			break;
		err = read_u64(&c, &d);
		if (err == -ERANGE || (!err && d > 255))
			return fail(why, "distance outside 1..255", -ERANGE);
		if (err)
			return fail(why, "expected a number", -EINVAL);
		if (!at_end(&c) && !is_blank(*c.p) && *c.p != '\n')
			return fail(why, "unexpected character", -EINVAL);
		if (n == want)
			return fail(why, "more entries than nodes", -EINVAL);
		zeros += d == 0;
		out[n++] = (uint32_t)d;
	}
	if (n == 0)
		return fail(why, "empty distance row", -EINVAL);
	/* No firmware distance table: a lone "0", or 0 for every node. */
	if (zeros == n && (n == 1 || n == want)) {
		memset(out, 0, want * sizeof(*out));
		return 0;
	}
	if (zeros)
		return fail(why, "distance outside 1..255", -ERANGE);
	if (n != want)
		return fail(why, "fewer entries than nodes", -EINVAL);
	return 0;
}

int np_parse_distance_row(const char *buf, size_t len, size_t want,
			  uint32_t *out, const char **why)
{
	int err = parse_distances(buf, len, want, out, why);

	/* Never hand back half a row. */
	if (err && want)
		memset(out, 0, want * sizeof(*out));
	return err;
}

int np_parse_numastat(const char *buf, size_t len, struct np_node_numastat *out,
		      const char **why)
{
	static const char *const names[] = {
		"numa_hit", "numa_miss", "numa_foreign",
		"interleave_hit", "local_node", "other_node",
	};
	uint64_t *slots[] = {
		&out->numa_hit, &out->numa_miss, &out->numa_foreign,
		&out->interleave_hit, &out->local_node, &out->other_node,
	};
	struct cursor c = { buf, buf + len }, line;
	unsigned seen = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (has_nul(buf, len))
		return fail(why, "NUL byte in numastat", -EINVAL);
	while (next_line(&c, &line)) {
		const char *name = line.p;
		size_t nlen;
		uint64_t v;
		size_t i;

		if (only_space_left(line))
			continue;
		while (!at_end(&line) && !is_blank(*line.p))
			line.p++;
		nlen = (size_t)(line.p - name);
		skip_blanks(&line);
		err = nlen ? read_u64(&line, &v) : -EINVAL;
		if (err == -ERANGE) {
			memset(out, 0, sizeof(*out));
			return fail(why, "counter out of range", -ERANGE);
		}
		if (err || !only_space_left(line)) {
			memset(out, 0, sizeof(*out));
			return fail(why, "expected \"name value\"", -EINVAL);
		}
		for (i = 0; i < 6; i++)
			if (strlen(names[i]) == nlen &&
			    memcmp(names[i], name, nlen) == 0)
				break;
		if (i == 6)
			continue;
		if (seen & (1u << i)) {
			memset(out, 0, sizeof(*out));
			return fail(why, "duplicate counter", -EINVAL);
		}
		seen |= 1u << i;
		*slots[i] = v;
	}
	if (seen != 0x3f) {
		memset(out, 0, sizeof(*out));
		return fail(why, "a counter is missing", -EINVAL);
	}
	return 0;
}

void np_buddyinfo_free(struct np_buddyinfo *b)
{
	free(b->nodes);
	b->nodes = NULL;
	b->n = 0;
}

static struct np_buddy_node *buddy_slot(struct np_buddyinfo *b, unsigned node)
{
	struct np_buddy_node *nodes;
	size_t i;

	for (i = 0; i < b->n && b->nodes[i].node < node; i++)
		;
	if (i < b->n && b->nodes[i].node == node)
		return &b->nodes[i];
	nodes = realloc(b->nodes, (b->n + 1) * sizeof(*nodes));
	if (!nodes)
		return NULL;
	b->nodes = nodes;
	memmove(&nodes[i + 1], &nodes[i], (b->n - i) * sizeof(*nodes));
	memset(&nodes[i], 0, sizeof(*nodes));
	nodes[i].node = node;
	b->n++;
	return &nodes[i];
}

/* "Node N, zone NAME c0 ... ck" */
static int parse_buddy_line(struct cursor line, struct np_buddyinfo *b,
			    unsigned *norders, const char **why)
{
	uint64_t node, counts[NP_MAX_ORDERS];
	struct np_buddy_node *slot;
	unsigned n = 0;

	int err;

	if (!eat_word(&line, "Node "))
		return fail(why, "line does not start with \"Node\"", -EINVAL);
	err = read_u64(&line, &node);
	if (err == -ERANGE || (!err && node >= NP_MAX_NODES))
		return fail(why, "node number out of range", -ERANGE);
	if (err)
		return fail(why, "bad node number", -EINVAL);
	if (!eat_word(&line, ", zone") || at_end(&line) || !is_blank(*line.p))
		return fail(why, "expected \", zone <name>\"", -EINVAL);
	skip_blanks(&line);
	if (at_end(&line) || (*line.p >= '0' && *line.p <= '9'))
		return fail(why, "missing zone name", -EINVAL);
	while (!at_end(&line) && !is_blank(*line.p))
		line.p++;
	for (;;) {
		skip_blanks(&line);
		if (at_end(&line))
			break;
		if (n == NP_MAX_ORDERS)
			return fail(why, "too many orders", -EINVAL);
		err = read_u64(&line, &counts[n]);
		if (err == -ERANGE)
			return fail(why, "count out of range", err);
		if (err)
			return fail(why, "expected a count", -EINVAL);
		n++;
	}
	if (n == 0)
		return fail(why, "zone without counts", -EINVAL);
	if (*norders && n != *norders)
		return fail(why, "zones with different order counts", -EINVAL);
	*norders = n;
	slot = buddy_slot(b, (unsigned)node);
	if (!slot)
		return fail(why, "out of memory", -ENOMEM);
	slot->norders = n;
	slot->nzones++;
	for (unsigned i = 0; i < n; i++) {
		if (slot->free_blocks[i] > UINT64_MAX - counts[i])
			return fail(why, "count overflow", -ERANGE);
		slot->free_blocks[i] += counts[i];
	}
	return 0;
}

int np_parse_buddyinfo(const char *buf, size_t len, struct np_buddyinfo *out,
		       const char **why)
{
	struct cursor c = { buf, buf + len }, line;
	unsigned norders = 0;
	int err = 0;

	out->nodes = NULL;
	out->n = 0;
	if (has_nul(buf, len))
		return fail(why, "NUL byte in buddyinfo", -EINVAL);
	while (!err && next_line(&c, &line))
		if (!only_space_left(line))
			err = parse_buddy_line(line, out, &norders, why);
	if (err)
		np_buddyinfo_free(out);
	return err;
}

int np_parse_u64(const char *buf, size_t len, uint64_t *out, const char **why)
{
	struct cursor c = { buf, buf + len };
	uint64_t v;
	int err;

	if (has_nul(buf, len))
		return fail(why, "NUL byte in value", -EINVAL);
	skip_blanks(&c);
	err = read_u64(&c, &v);
	if (err)
		return fail(why, err == -ERANGE ? "number too large" :
			    "expected a number", err);
	if (!only_space_left(c))
		return fail(why, "trailing text after number", -EINVAL);
	*out = v;
	return 0;
}

int np_parse_size(const char *s, const char **end, uint64_t unit,
		  uint64_t max, uint64_t *bytes)
{
	char *e;
	unsigned long long v;
	uint64_t mult = unit;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno)
		return -ERANGE;
	switch (*e) {
	case 'K': case 'k': mult = 1ull << 10; e++; break;
	case 'M': case 'm': mult = 1ull << 20; e++; break;
	case 'G': case 'g': mult = 1ull << 30; e++; break;
	case 'T': case 't': mult = 1ull << 40; e++; break;
	case 'B': mult = 1; break;	/* "512B": bytes, as in QEMU */
	default: break;
	}
	if (mult > 1 && e[0] == 'i' && e[1] == 'B')
		e += 2;
	else if (e[0] == 'B')
		e++;
	if (v > max / mult)
		return -ERANGE;
	*bytes = v * mult;
	*end = e;
	return 0;
}
