/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt domain XML, read and written with libxml2: a VM spec from a
 * domain, and a placed VM written into one.
 *
 * Reading takes what placement needs: name, vCPUs, memory, hugepages and
 * an existing <numatune> nodeset.  Writing edits the domain as text:
 * libxml2 parses it once more while a SAX hook records where each element
 * starts and ends in the input bytes, and only what placement owns is
 * replaced or inserted (<vcpu>, the pins in <cputune>, <numatune>, <numa>
 * in <cpu>, <hugepages> in <memoryBacking>).  Every other byte (comments,
 * quoting, odd whitespace, elements numaplace does not know) stays as it
 * was: a serialiser would requote attributes and reflow the file.  The
 * new elements themselves are built and escaped by libxml2.
 */
#include <numaplace/plan.h>
#include <numaplace/units.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-err.h"
#include "util/util-strbuf.h"
#include "vm/vm-internal.h"
#define NP_LIBXML_CALLS
#include "vm/vm-libxml.h"

const struct np_libxml *np_lx;

#define MIB (1024ull * 1024)
/* as the other VM readers (vm-spec.c): 1 PiB, above any host */
#define MAX_MIB (UINT64_C(1) << 30)
#define MAX_VCPUS 65536u

/* ---- reading ------------------------------------------------------------- */

static bool named(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

/* The first element child of parent called name, or NULL. */
static xmlNode *child(const xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (named(c, name))
			return c;
	return NULL;
}

/* An attribute's value (xmlFree it), or NULL. */
static char *prop(const xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

/* An element's text without surrounding blanks, malloc'd ("" when empty). */
static char *text_of(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *s = t ? (const char *)t : "";
	size_t len;
	char *out;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len && strchr(" \t\n\r", s[len - 1]))
		len--;
	out = strndup(s, len);
	xmlFree(t);
	return out;
}

/*
 * libvirt's scaled integers (virScaleInteger): "b"/"bytes", "k"/"KiB"
 * 1024, "KB" 1000, and so on to exbibytes; the first letter in any case.
 * unit NULL or "": def.  0, or -EINVAL for a unit it does not know.
 */
static int unit_scale(const char *unit, uint64_t def, uint64_t *scale)
{
	static const char letters[] = "kmgtpe";
	const char *p;
	uint64_t base, s = 1;

	if (!unit || !*unit) {
		*scale = def;
		return 0;
	}
	if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "bytes") == 0) {
		*scale = 1;
		return 0;
	}
	p = strchr(letters, unit[0] | 0x20);
	if (!p || unit[0] == ' ')
		return -EINVAL;
	if (unit[1] == '\0' || strcasecmp(unit + 1, "ib") == 0)
		base = 1024;
	else if (strcasecmp(unit + 1, "b") == 0)
		base = 1000;
	else
		return -EINVAL;
	for (long i = 0; i <= p - letters; i++)
		s *= base;
	*scale = s;
	return 0;
}

/* The text of n, a number of unit (default def), in bytes. */
static int scaled_bytes(const xmlNode *n, const char *what, uint64_t def,
			const char *origin, uint64_t *bytes, struct np_err *err)
{
	char *val = text_of(n), *unit = prop(n, "unit");
	uint64_t v, scale;
	int rc = 0;

	if (!val) {
		rc = np_fail_sys(err, -ENOMEM, "%s: out of memory", origin);
	} else if (unit_scale(unit, def, &scale) < 0) {
		rc = np_fail_input(err, -EINVAL,
				   "%s: %s: unit '%s': not a size unit "
				   "(b, KiB, MiB, GiB, TiB, KB, MB, ...)",
				   origin, what, unit);
	} else if (np_parse_decimal(val, UINT64_MAX, &v) < 0) {
		rc = np_fail_input(err, -EINVAL, "%s: %s: '%s': not a number",
				   origin, what, val);
	} else if (v > UINT64_MAX / scale) {
		rc = np_fail_input(err, -ERANGE, "%s: %s: '%s': too large",
				   origin, what, val);
	} else {
		*bytes = v * scale;
	}
	free(val);
	xmlFree(unit);
	return rc;
}

/*
 * libvirt's node sets (virBitmapParse): "0-3,^2,5", blanks allowed
 * around the items.  An empty result is an error.
 */
static int parse_nodeset(const char *s, const char *origin, const char *what,
			 struct np_idset *out, struct np_err *err)
{
	bool *in = calloc(NP_MAX_NODES, sizeof(*in));
	const char *p = s;
	int rc = 0;

	if (!in)
		return np_fail_sys(err, -ENOMEM, "%s: out of memory", origin);
	while (rc == 0) {
		bool neg = false;
		uint64_t a, b;

		while (*p == ' ')
			p++;
		if (*p == '^') {
			neg = true;
			p++;
		}
		if (np_scan_decimal(&p, NP_MAX_NODES - 1, &a) < 0)
			break;
		b = a;
		if (!neg && *p == '-') {
			p++;
			if (np_scan_decimal(&p, NP_MAX_NODES - 1, &b) < 0 ||
			    b < a)
				break;
		}
		for (uint64_t i = a; i <= b; i++)
			in[i] = !neg;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			rc = 1;
		else if (*p++ != ',')
			break;
	}
	if (rc == 1) {
		rc = 0;
		for (unsigned i = 0; i < NP_MAX_NODES && rc == 0; i++)
			if (in[i] && np_idset_push(out, i) < 0)
				rc = np_fail_sys(err, -ENOMEM,
						 "%s: out of memory", origin);
		if (rc == 0 && out->n == 0)
			rc = np_fail_input(err, -EINVAL,
					   "%s: %s: '%s': selects no node",
					   origin, what, s);
	} else {
		rc = np_fail_input(err, -EINVAL,
				   "%s: %s: '%s': not a node set (\"0-3,^2\", "
				   "ids below %u)", origin, what, s,
				   NP_MAX_NODES);
	}
	free(in);
	return rc;
}

/* libxml2's last error as "ORIGIN:LINE: malformed XML: why". */
static int fail_parse(xmlParserCtxt *ctxt, const char *origin,
		      struct np_err *err)
{
	const xmlError *e = xmlCtxtGetLastError(ctxt);
	char why[256] = "not well-formed";
	size_t n;

	if (e && e->message) {
		snprintf(why, sizeof(why), "%s", e->message);
		n = strlen(why);
		while (n && (why[n - 1] == '\n' || why[n - 1] == ' '))
			why[--n] = '\0';
	}
	if (e && e->code == XML_ERR_NO_MEMORY)
		return np_fail_sys(err, -ENOMEM, "%s: out of memory", origin);
	return np_fail_input(err, -EINVAL, "%s:%d: malformed XML: %s", origin,
			     e ? e->line : 0, why);
}

enum { PARSE_OPTS = XML_PARSE_NONET | XML_PARSE_NOERROR |
	XML_PARSE_NOWARNING };

static int read_vcpu(const xmlNode *dom, const char *origin,
		     struct np_vm_spec *s, struct np_err *err)
{
	xmlNode *n = child(dom, "vcpu");
	char *val, *place;
	uint64_t v = 0;
	int rc = 0;

	s->vcpus = 1; /* libvirt's default */
	if (!n)
		return 0;
	val = text_of(n);
	place = prop(n, "placement");
	if (!val)
		rc = np_fail_sys(err, -ENOMEM, "%s: out of memory", origin);
	else if (np_parse_decimal(val, MAX_VCPUS, &v) < 0)
		rc = np_fail_input(err, -EINVAL, "%s: <vcpu>: '%s': not a "
				   "number of vCPUs from 1 to %u", origin,
				   val, MAX_VCPUS);
	else if (v == 0)
		rc = np_fail_input(err, -EINVAL,
				   "%s: <vcpu>: '0': at least one vCPU", origin);
	else if (place && strcmp(place, "static") != 0 &&
		 strcmp(place, "auto") != 0)
		rc = np_fail_input(err, -EINVAL, "%s: <vcpu placement='%s'>: "
				   "expected static or auto", origin, place);
	else
		s->vcpus = (unsigned)v;
	free(val);
	xmlFree(place);
	return rc;
}

/* <memory> (the boot size, which placement must hold), else
 * <currentMemory>; both in any unit, KiB by default. */
static int read_memory(const xmlNode *dom, const char *origin,
		       struct np_vm_spec *s, struct np_err *err)
{
	xmlNode *mem = child(dom, "memory"), *cur = child(dom, "currentMemory");
	uint64_t bytes = 0, cur_bytes = 0;
	int rc;

	if (!mem && !cur)
		return np_fail_input(err, -EINVAL, "%s: <memory>: missing",
				     origin);
	if (cur) {
		rc = scaled_bytes(cur, "<currentMemory>", 1024, origin,
				  &cur_bytes, err);
		if (rc < 0)
			return rc;
	}
	if (mem) {
		rc = scaled_bytes(mem, "<memory>", 1024, origin, &bytes, err);
		if (rc < 0)
			return rc;
	} else {
		bytes = cur_bytes;
	}
	if (bytes < MIB)
		return np_fail_input(err, -EINVAL, "%s: <%s>: %llu bytes: "
				     "at least 1 MiB", origin,
				     mem ? "memory" : "currentMemory",
				     (unsigned long long)bytes);
	s->memory_mib = (bytes + MIB - 1) / MIB;
	if (s->memory_mib > MAX_MIB)
		return np_fail_input(err, -ERANGE, "%s: <%s>: %llu MiB: "
				     "more than 1 PiB", origin,
				     mem ? "memory" : "currentMemory",
				     (unsigned long long)s->memory_mib);
	return 0;
}

/* <memoryBacking><hugepages>: one page size (2 MiB when no <page> says). */
static int read_hugepages(const xmlNode *dom, const char *origin,
			  struct np_vm_spec *s, struct np_err *err)
{
	xmlNode *hp = child(child(dom, "memoryBacking"), "hugepages");
	uint64_t size = 0;

	if (!hp)
		return 0;
	for (xmlNode *pg = hp->children; pg; pg = pg->next) {
		char *val, *unit;
		uint64_t v, scale;
		int rc = 0;

		if (!named(pg, "page"))
			continue;
		val = prop(pg, "size");
		unit = prop(pg, "unit");
		if (!val || np_parse_decimal(val, UINT64_MAX, &v) < 0)
			rc = np_fail_input(err, -EINVAL, "%s: <memoryBacking>"
					   "<hugepages><page size='%s'>: not a "
					   "number", origin, val ? val : "");
		else if (unit_scale(unit, 1024, &scale) < 0 ||
			 v > UINT64_MAX / scale)
			rc = np_fail_input(err, -EINVAL, "%s: <memoryBacking>"
					   "<hugepages><page unit='%s'>: not a "
					   "size unit", origin, unit);
		else if (v * scale != 2 * MIB && v * scale != 1024 * MIB)
			rc = np_fail_input(err, -EINVAL, "%s: <memoryBacking>"
					   "<hugepages><page size='%s'%s%s%s>: "
					   "hugepages are 2 MiB or 1 GiB",
					   origin, val, unit ? " unit='" : "",
					   unit ? unit : "", unit ? "'" : "");
		else if (size && size != v * scale)
			rc = np_fail_input(err, -EINVAL, "%s: <memoryBacking>"
					   "<hugepages>: pages of two sizes; "
					   "numaplace places one size per VM",
					   origin);
		else
			size = v * scale;
		xmlFree(val);
		xmlFree(unit);
		if (rc < 0)
			return rc;
	}
	s->hugepage_bytes = size ? size : 2 * MIB;
	return 0;
}

/* <numatune><memory nodeset=...>: the nodes the VM is held to. */
static int read_numatune(const xmlNode *dom, const char *origin, bool replace,
			 struct np_vm_spec *s, struct np_err *err)
{
	xmlNode *m = child(child(dom, "numatune"), "memory");
	char *ns;
	int rc = 0;

	if (!m || replace)
		return 0;
	ns = prop(m, "nodeset");
	if (ns)
		rc = parse_nodeset(ns, origin, "<numatune><memory nodeset>",
				   &s->fixed_nodes, err);
	xmlFree(ns);
	return rc;
}

static int read_domain(const xmlNode *dom, const char *origin, bool replace,
		       struct np_vm_spec *s, struct np_err *err)
{
	xmlNode *nm = child(dom, "name");
	int rc;

	if (!named(dom, "domain"))
		return np_fail_input(err, -EINVAL, "%s: <%s>: not a libvirt "
				     "domain (the root element is <domain>)",
				     origin, dom ? (const char *)dom->name : "");
	if (!nm)
		return np_fail_input(err, -EINVAL, "%s: <name>: missing", origin);
	s->name = text_of(nm);
	if (!s->name)
		return np_fail_sys(err, -ENOMEM, "%s: out of memory", origin);
	if (!*s->name)
		return np_fail_input(err, -EINVAL, "%s: <name>: empty", origin);
	rc = read_vcpu(dom, origin, s, err);
	if (rc == 0)
		rc = read_memory(dom, origin, s, err);
	if (rc == 0)
		rc = read_hugepages(dom, origin, s, err);
	if (rc == 0)
		rc = read_numatune(dom, origin, replace, s, err);
	return rc;
}

int np_vm_spec_from_libvirt(const char *xml, size_t len, const char *origin,
			    bool replace, struct np_vm_specs *out,
			    struct np_err *err)
{
	struct np_vm_specs one = { 0 };
	struct np_vm_spec *s, *d;
	xmlParserCtxt *ctxt;
	xmlDoc *doc;
	int rc;

	origin = origin ? origin : "libvirt";
	if (!xml || !out || len > INT32_MAX)
		return np_fail_input(err, -EINVAL, "%s: no domain XML", origin);
	if (!(np_lx = np_libxml_get(err)))
		return err ? err->code : -ENOENT;
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return np_fail_sys(err, -ENOMEM, "%s: out of memory", origin);
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, origin, NULL, PARSE_OPTS);
	if (!doc) {
		rc = fail_parse(ctxt, origin, err);
		xmlFreeParserCtxt(ctxt);
		return rc;
	}
	/* read into a list of one, so a failure frees what it read */
	s = np_vm_specs_add(&one);
	rc = s ? read_domain(xmlDocGetRootElement(doc), origin, replace, s,
			     err) : np_fail_sys(err, -ENOMEM, "%s: out of "
						"memory", origin);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	if (rc == 0) {
		s->origin = strdup(origin);
		s->libvirt_xml = strndup(xml, len);
		d = s->origin && s->libvirt_xml ? np_vm_specs_add(out) : NULL;
		if (!d) {
			rc = np_fail_sys(err, -ENOMEM, "%s: out of memory",
					 origin);
		} else {
			*d = *s;
			one.n = 0;
		}
	}
	np_vm_specs_free(&one);
	return rc;
}

/* ---- where each element is in the input bytes ------------------------------ */

/* An element of the input: [start, end) is "<x ...>...</x>" or "<x .../>";
 * stag_end is the offset of the '>' (or of the "/>") ending its start tag. */
struct xel {
	const xmlNode *node;
	size_t start, stag_end, end;
	bool empty;
};

struct xmap {
	const char *buf;
	size_t len;
	struct xel *v;
	size_t n, cap;
	bool bad;       /* an offset that does not fit the input */
	bool oom;
};

static void map_start(void *ctx, const xmlChar *localname,
		      const xmlChar *prefix, const xmlChar *uri, int nns,
		      const xmlChar **ns, int nattr, int ndef,
		      const xmlChar **attrs)
{
	xmlParserCtxt *ctxt = ctx;
	struct xmap *m = ctxt->_private;
	long at = xmlByteConsumed(ctxt);
	size_t lt;

	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nns, ns, nattr,
			      ndef, attrs);
	/* at: the '>' or "/>" closing the start tag; no '<' can be inside
	 * a start tag (not even in an attribute value), so the nearest one
	 * before it opens the tag. */
	if (at < 0 || (size_t)at >= m->len ||
	    (m->buf[at] != '>' && m->buf[at] != '/')) {
		m->bad = true;
		return;
	}
	for (lt = (size_t)at; lt > 0 && m->buf[lt] != '<'; lt--)
		;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct xel *v = realloc(m->v, cap * sizeof(*v));

		if (!v) {
			m->oom = true;
			xmlStopParser(ctxt);
			return;
		}
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = (struct xel){ .node = ctxt->node, .start = lt,
		.stag_end = (size_t)at, .empty = m->buf[at] == '/' };
}

static void map_end(void *ctx, const xmlChar *localname,
		    const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxt *ctxt = ctx;
	struct xmap *m = ctxt->_private;
	const xmlNode *node = ctxt->node;
	long at;

	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
	at = xmlByteConsumed(ctxt);
	for (size_t i = m->n; i-- > 0;)
		if (m->v[i].node == node && m->v[i].end == 0) {
			if (at <= 0 || (size_t)at > m->len ||
			    m->buf[at - 1] != '>')
				m->bad = true;
			else
				m->v[i].end = (size_t)at;
			return;
		}
}

static const struct xel *map_find(const struct xmap *m, const xmlNode *n)
{
	for (size_t i = 0; n && i < m->n; i++)
		if (m->v[i].node == n)
			return &m->v[i];
	return NULL;
}

/* Parses buf into a tree and the map of its elements' offsets. */
static xmlDoc *map_parse(const char *buf, size_t len, const char *origin,
			 struct xmap *m, struct np_err *err)
{
	xmlParserCtxt *ctxt;
	xmlDoc *doc = NULL;

	*m = (struct xmap){ .buf = buf, .len = len };
	if (len > INT32_MAX) {
		np_fail_input(err, -EFBIG, "%s: domain XML too large", origin);
		return NULL;
	}
	ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (!ctxt) {
		np_fail_sys(err, -ENOMEM, "%s: out of memory", origin);
		return NULL;
	}
	xmlCtxtUseOptions(ctxt, PARSE_OPTS);
	ctxt->_private = m;
	ctxt->sax->startElementNs = map_start;
	ctxt->sax->endElementNs = map_end;
	xmlParseDocument(ctxt);
	if (m->oom) {
		np_fail_sys(err, -ENOMEM, "%s: out of memory", origin);
	} else if (!ctxt->wellFormed || !ctxt->myDoc) {
		fail_parse(ctxt, origin, err);
	} else if (m->bad) {
		/* e.g. a document in another encoding than UTF-8 */
		np_fail_input(err, -EINVAL, "%s: domain XML: cannot edit it in "
			      "place (not UTF-8?)", origin);
	} else {
		doc = ctxt->myDoc;
		ctxt->myDoc = NULL;
	}
	if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	xmlFreeParserCtxt(ctxt);
	if (!doc) {
		free(m->v);
		m->v = NULL;
	}
	return doc;
}

/* ---- edits of the input text ------------------------------------------------ */

/* Replace [start, end) by text (start == end: insert). */
struct edit {
	size_t start, end;
	size_t seq;     /* insertions at one place stay in this order */
	char *text;
};

struct edits {
	struct edit *v;
	size_t n, cap;
	bool oom;
};

static void edit_add(struct edits *e, size_t start, size_t end, char *text)
{
	if (!text) {
		e->oom = true;
		return;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 16;
		struct edit *v = realloc(e->v, cap * sizeof(*v));

		if (!v) {
			free(text);
			e->oom = true;
			return;
		}
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n] = (struct edit){ start, end, e->n, text };
	e->n++;
}

static int edit_cmp(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1; /* a replacement first */
	return x->seq < y->seq ? -1 : 1;
}

/* The input with the edits applied, malloc'd; NULL when out of memory. */
static char *edits_apply(struct edits *e, const char *buf, size_t len)
{
	struct strbuf sb = { 0 };
	size_t at = 0;

	/* qsort is not stable: equal positions keep their order through
	 * edit_cmp's last key. */
	qsort(e->v, e->n, sizeof(*e->v), edit_cmp);
	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i].start > at)
			sb_printf(&sb, "%.*s", (int)(e->v[i].start - at),
				  buf + at);
		sb_puts(&sb, e->v[i].text);
		if (e->v[i].end > at)
			at = e->v[i].end;
		if (e->v[i].start > at)
			at = e->v[i].start;
	}
	sb_printf(&sb, "%.*s", (int)(len - at), buf + at);
	if (sb.oom || !sb.buf) {
		sb_release(&sb);
		return NULL;
	}
	return sb.buf;
}

static void edits_free(struct edits *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].text);
	free(e->v);
}

/* The blanks before the element at start on its line ("" when other text
 * precedes it there). */
static char *indent_of(const char *buf, size_t start)
{
	size_t b = start;

	while (b > 0 && (buf[b - 1] == ' ' || buf[b - 1] == '\t'))
		b--;
	if (b > 0 && buf[b - 1] != '\n')
		return strdup("");
	return strndup(buf + b, start - b);
}

/* Removes element x and, when it stands alone on its line, that line. */
static void edit_remove(struct edits *e, const char *buf, const struct xel *x)
{
	size_t b = x->start;

	while (b > 0 && (buf[b - 1] == ' ' || buf[b - 1] == '\t'))
		b--;
	if (b > 0 && buf[b - 1] == '\n')
		b--;
	else
		b = x->start;
	edit_add(e, b, x->end, strdup(""));
}

/* Text "LINE\n<indent>LINE..." (lead false) or "\n<indent>LINE\n
 * <indent>LINE..." (lead true) for a fragment of lines. */
static char *reindent(const char *frag, const char *indent, bool lead)
{
	struct strbuf sb = { 0 };

	if (lead)
		sb_printf(&sb, "\n%s", indent);
	for (const char *p = frag; *p; p++) {
		if (*p == '\n')
			sb_printf(&sb, "\n%s", indent);
		else
			sb_printf(&sb, "%c", *p);
	}
	if (sb.oom) {
		sb_release(&sb);
		return NULL;
	}
	return sb.buf ? sb.buf : strdup("");
}

static char *indented(const char *frag, const char *indent)
{
	return reindent(frag, indent, true);
}

/* Where a new last child of container x goes: before the blanks that
 * precede its end tag. */
static size_t before_end_tag(const char *buf, const struct xel *x)
{
	size_t at = x->end;

	while (at > x->stag_end && buf[at - 1] != '<')
		at--;
	at--;
	while (at > x->stag_end + 1 && strchr(" \t\r\n", buf[at - 1]))
		at--;
	return at;
}

/* Appends the fragment as the last child of container x, one level (two
 * blanks) deeper than x's own line. */
static void edit_append_child(struct edits *e, const char *buf,
			      const struct xel *x, const char *frag)
{
	char *ind = indent_of(buf, x->start), *inner = NULL;
	struct strbuf deeper = { 0 }, sb = { 0 };
	size_t at;

	sb_printf(&deeper, "%s  ", ind ? ind : "");
	if (ind && !deeper.oom)
		inner = indented(frag, deeper.buf);
	if (!inner) {
		e->oom = true;
	} else if (x->empty) {
		/* "<cpu mode='x'/>" becomes "<cpu mode='x'>...</cpu>" */
		sb_printf(&sb, ">%s\n%s</%s>", inner, ind,
			  (const char *)x->node->name);
		edit_add(e, x->stag_end, x->end, sb.oom ? NULL : sb.buf);
	} else {
		at = before_end_tag(buf, x);
		sb_puts(&sb, inner);
		/* "<x>text</x>": the end tag on a line of its own */
		if (!memchr(buf + at, '\n', x->end - at))
			sb_printf(&sb, "\n%s", ind);
		edit_add(e, at, at, sb.oom ? NULL : sb.buf);
	}
	if (sb.oom)
		sb_release(&sb);
	sb_release(&deeper);
	free(inner);
	free(ind);
}

/* ---- the new elements, built by libxml2 ------------------------------------- */

static xmlNode *el(xmlNode *parent, const char *name)
{
	return xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
}

static void attr(xmlNode *n, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void attr(xmlNode *n, const char *name, const char *fmt, ...)
{
	char val[64];
	va_list ap;

	if (!n)
		return;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)val);
}

static void attr_ids(xmlNode *n, const char *name, const unsigned *ids,
		     size_t nids)
{
	struct strbuf sb = { 0 };

	sb_idlist(&sb, ids, nids);
	if (n && sb.buf && !sb.oom)
		xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)sb.buf);
	sb_release(&sb);
}

/* Element n serialised, children two blanks deeper per level, no
 * trailing newline; malloc'd, NULL when out of memory. */
static char *dump(xmlDoc *doc, xmlNode *n)
{
	xmlBuffer *b = xmlBufferCreate();
	char *out = NULL;

	if (b && n && xmlNodeDump(b, doc, n, 0, 1) >= 0)
		out = strdup((const char *)xmlBufferContent(b));
	if (b)
		xmlBufferFree(b);
	return out;
}

/* The host CPUs of every vCPU of vm, as one ascending set. */
static int vm_cpus(const struct np_plan_vm *vm, struct np_idset *out)
{
	unsigned max = 0;
	bool *in;

	for (unsigned v = 0; v < vm->vcpus; v++)
		for (size_t i = 0; i < vm->vcpu_cpus[v].n; i++)
			if (vm->vcpu_cpus[v].ids[i] > max)
				max = vm->vcpu_cpus[v].ids[i];
	in = calloc((size_t)max + 1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	for (unsigned v = 0; v < vm->vcpus; v++)
		for (size_t i = 0; i < vm->vcpu_cpus[v].n; i++)
			in[vm->vcpu_cpus[v].ids[i]] = true;
	for (unsigned c = 0; c <= max; c++)
		if (in[c] && np_idset_push(out, c) < 0) {
			free(in);
			return -ENOMEM;
		}
	free(in);
	return 0;
}

/* The vcpupin and emulatorpin elements, as lines. */
static char *frag_pins(xmlDoc *doc, const struct np_plan_vm *vm)
{
	xmlNode *tmp = xmlNewDocNode(doc, NULL, (const xmlChar *)"cputune",
				     NULL);
	struct np_idset all = { 0 };
	struct strbuf sb = { 0 };

	for (unsigned v = 0; tmp && v < vm->vcpus; v++) {
		xmlNode *pin = el(tmp, "vcpupin");

		attr(pin, "vcpu", "%u", v);
		attr_ids(pin, "cpuset", vm->vcpu_cpus[v].ids,
			 vm->vcpu_cpus[v].n);
	}
	if (tmp && vm_cpus(vm, &all) == 0)
		attr_ids(el(tmp, "emulatorpin"), "cpuset", all.ids, all.n);
	else
		sb.oom = true;
	np_idset_free(&all);
	for (xmlNode *c = tmp ? tmp->children : NULL; c && !sb.oom;
	     c = c->next) {
		char *d = dump(doc, c);

		if (!d)
			sb.oom = true;
		else
			sb_printf(&sb, "%s%s", sb.len ? "\n" : "", d);
		free(d);
	}
	xmlFreeNode(tmp);
	if (sb.oom || !sb.buf) {
		sb_release(&sb);
		return NULL;
	}
	return sb.buf;
}

/*
 * The guest cells libvirt is given: the plan's, less those of 0 MiB.  A
 * guest node with CPUs and no memory is real (Linux has memoryless
 * nodes), but libvirt backs every cell with a QEMU memory backend, and
 * QEMU refuses one of size 0 (seen with libvirt 9, QEMU 7.2).  Such a
 * cell's vCPUs join the nearest cell with memory: their pins, and so
 * where they run, stay as planned; only the guest's view is coarser.
 */
struct gcells {
	size_t n;       /* cells kept */
	size_t *keep;   /* [n]: the plan's cell */
	size_t *of;     /* [vm->ncells]: the kept cell each plan cell is in */
};

static int gcells_make(const struct np_plan_vm *vm, struct gcells *g)
{
	g->n = 0;
	g->keep = calloc(vm->ncells + 1, sizeof(*g->keep));
	g->of = calloc(vm->ncells + 1, sizeof(*g->of));
	if (!g->keep || !g->of)
		return -ENOMEM;
	for (size_t c = 0; c < vm->ncells; c++)
		if (vm->cells[c].memory_mib) {
			g->of[c] = g->n;
			g->keep[g->n++] = c;
		}
	for (size_t c = 0; c < vm->ncells; c++) {
		uint32_t best = UINT32_MAX;

		for (size_t k = 0; !vm->cells[c].memory_mib && k < g->n; k++) {
			uint32_t d = vm->guest_distances ? vm->guest_distances[
				c * vm->ncells + g->keep[k]] : 0;

			if (d < best) {
				best = d;
				g->of[c] = k;
			}
		}
	}
	return 0;
}

static void gcells_free(struct gcells *g)
{
	free(g->keep);
	free(g->of);
}

static const char *RESTRICTIVE_WHY =
	" mode='restrictive': libvirt changes the nodeset of a running "
	"domain (virsh numatune) only in this mode ";

static char *frag_numatune(xmlDoc *doc, const struct np_plan_vm *vm,
			   const struct gcells *g,
			   const struct np_plan_opts *opts)
{
	/* an interleaved VM has no guest cells: its memory is spread
	 * page by page over its nodes */
	const char *mode = vm->interleaved ? "interleave" :
		opts && opts->restrictive ? "restrictive" : "strict";
	xmlNode *nt = xmlNewDocNode(doc, NULL, (const xmlChar *)"numatune",
				    NULL), *m;
	char *out;

	if (nt && opts && opts->restrictive && opts->explain &&
	    !vm->interleaved)
		xmlAddChild(nt, xmlNewDocComment(doc,
				(const xmlChar *)RESTRICTIVE_WHY));
	m = el(nt, "memory");
	attr(m, "mode", "%s", mode);
	attr_ids(m, "nodeset", vm->nodes.ids, vm->nodes.n);
	for (size_t k = 0; nt && k < g->n; k++) {
		xmlNode *mn = el(nt, "memnode");

		attr(mn, "cellid", "%zu", k);
		attr(mn, "mode", "%s", mode);
		attr(mn, "nodeset", "%u", vm->cells[g->keep[k]].host_node);
	}
	out = dump(doc, nt);
	xmlFreeNode(nt);
	return out;
}

/* Guest cell k: its vCPUs (from every plan cell in it) and memory. */
static void numa_cell(xmlNode *numa, const struct np_plan_vm *vm,
		      const struct gcells *g, size_t k)
{
	xmlNode *n = el(numa, "cell");
	struct np_idset cpus = { 0 };
	uint64_t mib = 0;

	for (size_t c = 0; c < vm->ncells; c++) {
		if (g->of[c] != k)
			continue;
		mib += vm->cells[c].memory_mib;
		for (unsigned v = 0; v < vm->cells[c].nvcpus; v++)
			np_idset_push(&cpus, vm->cells[c].first_vcpu + v);
	}
	attr(n, "id", "%zu", k);
	if (cpus.n)     /* else memory only: a CPU-less guest node */
		attr_ids(n, "cpus", cpus.ids, cpus.n);
	attr(n, "memory", "%llu", (unsigned long long)mib);
	attr(n, "unit", "MiB");
	np_idset_free(&cpus);
	if (g->n < 2 || !vm->guest_distances)
		return;
	xmlNode *d = el(n, "distances");

	for (size_t o = 0; o < g->n; o++) {
		xmlNode *sib = el(d, "sibling");

		attr(sib, "id", "%zu", o);
		attr(sib, "value", "%u", vm->guest_distances[
			g->keep[k] * vm->ncells + g->keep[o]]);
	}
}

/* <numa>: a guest cell per host node used (less the memoryless ones),
 * distances mirroring the host's when there is more than one. */
static char *frag_numa(xmlDoc *doc, const struct np_plan_vm *vm,
		       const struct gcells *g, const struct np_plan_opts *opts)
{
	xmlNode *numa = xmlNewDocNode(doc, NULL, (const xmlChar *)"numa",
				      NULL);
	char *out;

	for (size_t c = 0; numa && opts && opts->explain && c < vm->ncells;
	     c++) {
		char why[160];

		if (vm->cells[c].memory_mib)
			continue;
		snprintf(why, sizeof(why), " vCPUs of host node %u, which "
			 "gives no memory, are in cell %zu: libvirt cannot "
			 "start a cell of 0 MiB ", vm->cells[c].host_node,
			 g->of[c]);
		xmlAddChild(numa, xmlNewDocComment(doc, (const xmlChar *)why));
	}
	for (size_t k = 0; numa && k < g->n; k++)
		numa_cell(numa, vm, g, k);
	out = dump(doc, numa);
	xmlFreeNode(numa);
	return out;
}

/* <hugepages><page size= unit='KiB' nodeset=every guest cell/> */
static char *frag_hugepages(xmlDoc *doc, const struct gcells *g,
			    uint64_t bytes)
{
	xmlNode *hp = xmlNewDocNode(doc, NULL, (const xmlChar *)"hugepages",
				    NULL), *pg = el(hp, "page");
	char *out;

	attr(pg, "size", "%llu",
	     (unsigned long long)(bytes / 1024));
	attr(pg, "unit", "KiB");
	if (g->n == 0)
		; /* no guest cells: every page of the VM */
	else if (g->n > 1)
		attr(pg, "nodeset", "0-%zu", g->n - 1);
	else
		attr(pg, "nodeset", "0");
	out = dump(doc, hp);
	xmlFreeNode(hp);
	return out;
}

/* The domain to edit when the spec has none: what libvirt needs to define
 * and start one (paused) under TCG. */
static char *skeleton(const struct np_vm_spec *spec)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *dom = xmlNewDocNode(doc, NULL, (const xmlChar *)"domain",
				     NULL), *n;
	char *out;

	xmlDocSetRootElement(doc, dom);
	attr(dom, "type", "qemu");
	xmlNewTextChild(dom, NULL, (const xmlChar *)"name",
			(const xmlChar *)spec->name);
	n = xmlNewChild(dom, NULL, (const xmlChar *)"memory", NULL);
	attr(n, "unit", "MiB");
	if (n) {
		char mib[32];

		snprintf(mib, sizeof(mib), "%llu",
			 (unsigned long long)spec->memory_mib);
		xmlNodeAddContent(n, (const xmlChar *)mib);
	}
	n = el(dom, "os");
	xmlNewChild(n, NULL, (const xmlChar *)"type", (const xmlChar *)"hvm");
	out = dom ? dump(doc, dom) : NULL;
	xmlFreeDoc(doc);
	return out;
}

/* ---- the domain ------------------------------------------------------------- */

struct dom_parts {
	const struct xel *vcpu, *cputune, *numatune, *cpu, *backing;
	const struct xel *anchor;   /* new top-level elements go after it */
};

static void find_parts(const struct xmap *m, const xmlNode *dom,
		       struct dom_parts *p)
{
	memset(p, 0, sizeof(*p));
	for (xmlNode *c = dom->children; c; c = c->next) {
		const struct xel *x = map_find(m, c);

		if (!x)
			continue;
		if (named(c, "vcpu") && !p->vcpu)
			p->vcpu = x;
		else if (named(c, "cputune") && !p->cputune)
			p->cputune = x;
		else if (named(c, "numatune") && !p->numatune)
			p->numatune = x;
		else if (named(c, "cpu") && !p->cpu)
			p->cpu = x;
		else if (named(c, "memoryBacking") && !p->backing)
			p->backing = x;
		if (named(c, "memory") || named(c, "currentMemory") ||
		    named(c, "vcpu") || named(c, "name"))
			p->anchor = x;
	}
}

/* Container x (or a new one named name after the anchor): its children
 * called drop removed, frag appended. */
static void edit_container(struct edits *e, const struct xmap *m,
			   const struct dom_parts *p, const struct xel *x,
			   const char *name, const char *drop[],
			   const char *ind, const char *frag)
{
	if (!frag) {
		e->oom = true;
		return;
	}
	if (!x) {
		struct strbuf sb = { 0 };
		char *whole;

		sb_printf(&sb, "<%s>\n  ", name);
		for (const char *q = frag; *q; q++)
			sb_printf(&sb, *q == '\n' ? "\n  " : "%c", *q);
		sb_printf(&sb, "\n</%s>", name);
		whole = sb.oom ? NULL : indented(sb.buf, ind);
		sb_release(&sb);
		edit_add(e, p->anchor->end, p->anchor->end, whole);
		return;
	}
	for (xmlNode *c = x->node->children; c; c = c->next)
		for (size_t d = 0; drop[d]; d++)
			if (named(c, drop[d]) && map_find(m, c))
				edit_remove(e, m->buf, map_find(m, c));
	edit_append_child(e, m->buf, x, frag);
}

static void edit_domain(struct edits *e, const struct xmap *m,
			xmlDoc *doc, const struct dom_parts *p,
			const struct np_plan_vm *vm,
			const struct np_vm_spec *spec,
			const struct np_plan_opts *opts)
{
	static const char *pins[] = { "vcpupin", "emulatorpin", NULL };
	static const char *numa[] = { "numa", NULL };
	static const char *hp[] = { "hugepages", NULL };
	uint64_t huge = vm->hugepage_bytes ? vm->hugepage_bytes :
		spec->hugepage_bytes;
	char *ind = indent_of(m->buf, p->anchor->start), *t;
	struct gcells g = { 0 };
	char vcpu[64];

	if (!ind || gcells_make(vm, &g) < 0) {
		e->oom = true;
		free(ind);
		gcells_free(&g);
		return;
	}
	snprintf(vcpu, sizeof(vcpu), "<vcpu placement='static'>%u</vcpu>",
		 vm->vcpus);
	if (p->vcpu)
		edit_add(e, p->vcpu->start, p->vcpu->end, strdup(vcpu));
	else
		edit_add(e, p->anchor->end, p->anchor->end,
			 indented(vcpu, ind));
	t = frag_pins(doc, vm);
	edit_container(e, m, p, p->cputune, "cputune", pins, ind, t);
	free(t);
	t = frag_numatune(doc, vm, &g, opts);
	if (p->numatune)
		edit_add(e, p->numatune->start, p->numatune->end,
			 t ? reindent(t, ind, false) : NULL);
	else
		edit_add(e, p->anchor->end, p->anchor->end,
			 t ? indented(t, ind) : NULL);
	free(t);
	if (vm->ncells) {
		t = frag_numa(doc, vm, &g, opts);
		edit_container(e, m, p, p->cpu, "cpu", numa, ind, t);
		free(t);
	}
	if (huge) {
		t = frag_hugepages(doc, &g, huge);
		edit_container(e, m, p, p->backing, "memoryBacking", hp,
			       ind, t);
		free(t);
	}
	gcells_free(&g);
	free(ind);
}

static int check_vm(const struct np_plan_vm *vm, const struct np_vm_spec *spec,
		    struct np_err *err)
{
	unsigned cell_vcpus = 0;
	bool cell_mib = false;

	if (!vm->placed)
		return np_fail_input(err, -EINVAL, "%s: not placed: %s",
				     vm->name, vm->reason ? vm->reason : "");
	if ((!vm->ncells && !vm->interleaved) || (vm->ncells && !vm->cells) ||
	    !vm->vcpu_cpus || !vm->nodes.n)
		return np_fail_input(err, -EINVAL, "%s: the plan has no guest "
				     "cells, vCPU pins or nodes", vm->name);
	for (size_t c = 0; c < vm->ncells; c++) {
		if (vm->cells[c].first_vcpu != cell_vcpus)
			return np_fail_input(err, -EINVAL, "%s: guest cell %zu "
					     "does not start at vCPU %u",
					     vm->name, c, cell_vcpus);
		if (vm->cells[c].memory_mib)
			cell_mib = true;
		cell_vcpus += vm->cells[c].nvcpus;
	}
	if (vm->ncells && !cell_mib)
		return np_fail_input(err, -EINVAL, "%s: no guest cell has "
				     "memory", vm->name);
	if (vm->interleaved)
		cell_vcpus = vm->vcpus;
	if (cell_vcpus != vm->vcpus || vm->vcpus != spec->vcpus)
		return np_fail_input(err, -EINVAL, "%s: the plan has %u vCPUs "
				     "in its cells and %u in all, the spec %u",
				     vm->name, cell_vcpus, vm->vcpus,
				     spec->vcpus);
	for (unsigned v = 0; v < vm->vcpus; v++)
		if (!vm->vcpu_cpus[v].n)
			return np_fail_input(err, -EINVAL, "%s: vCPU %u has no "
					     "host CPU", vm->name, v);
	return 0;
}

int np_plan_emit_libvirt(const struct np_plan *p, const struct np_plan_vm *vm,
			 const struct np_vm_spec *spec,
			 const struct np_plan_opts *opts, char **out,
			 struct np_err *err)
{
	const char *origin;
	struct edits e = { 0 };
	struct dom_parts parts;
	struct xmap m;
	char *input;
	xmlDoc *doc;
	xmlNode *dom;
	int rc;

	(void)p;
	if (!vm || !spec || !out)
		return np_fail_input(err, -EINVAL, "libvirt: no VM to write");
	*out = NULL;
	rc = check_vm(vm, spec, err);
	if (rc < 0)
		return rc;
	if (!(np_lx = np_libxml_get(err)))
		return err ? err->code : -ENOENT;
	origin = spec->origin ? spec->origin : vm->name;
	input = spec->libvirt_xml ? strdup(spec->libvirt_xml) : skeleton(spec);
	if (!input)
		return np_fail_sys(err, -ENOMEM, "%s: out of memory", origin);
	doc = map_parse(input, strlen(input), origin, &m, err);
	if (!doc) {
		free(input);
		return err ? err->code : -EINVAL;
	}
	dom = xmlDocGetRootElement(doc);
	find_parts(&m, dom, &parts);
	if (!named(dom, "domain") || !parts.anchor) {
		rc = np_fail_input(err, -EINVAL, "%s: <domain>: no <name>, "
				   "<memory> or <vcpu> to place the new "
				   "elements after", origin);
	} else {
		edit_domain(&e, &m, doc, &parts, vm, spec, opts);
		*out = e.oom ? NULL : edits_apply(&e, input, strlen(input));
		if (!*out)
			rc = np_fail_sys(err, -ENOMEM, "%s: out of memory",
					 origin);
	}
	edits_free(&e);
	free(m.v);
	xmlFreeDoc(doc);
	free(input);
	return rc;
}
