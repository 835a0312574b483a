/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM specs from JSON and from seed 004's "CPUS MEM_MIB" lines
 * (numaplace/plan.h).  Every refusal names the file, the VM (by position
 * and name) and the field: "vms.json: [1] (vm2): vcpus: 0: a VM needs at
 * least 1 vCPU".
 */
#include "vm/vm-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <numaplace/units.h>

#include "linux/linux-root.h"

#define VM_MAX_VCPUS 65536u
/* 1 PiB: above any host, below every overflow of MiB arithmetic */
#define VM_MAX_MIB (UINT64_C(1) << 30)

static void spec_clear(struct np_vm_spec *v)
{
	free(v->name);
	free(v->origin);
	free(v->libvirt_xml);
	np_idset_free(&v->fixed_nodes);
	memset(v, 0, sizeof(*v));
}

void np_vm_specs_free(struct np_vm_specs *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		spec_clear(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

struct np_vm_spec *np_vm_specs_add(struct np_vm_specs *s)
{
	struct np_vm_spec *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	s->v = v;
	memset(&v[s->n], 0, sizeof(v[0]));
	return &v[s->n++];
}

int np_vm_hugepage_parse(const char *s, uint64_t *bytes)
{
	if (!strcmp(s, "2M") || !strcmp(s, "2MiB") || !strcmp(s, "2048kB"))
		*bytes = UINT64_C(2) << 20;
	else if (!strcmp(s, "1G") || !strcmp(s, "1GiB") ||
		 !strcmp(s, "1048576kB"))
		*bytes = UINT64_C(1) << 30;
	else
		return -EINVAL;
	return 0;
}

/* Names are unique within a list: the emitters name files after them. */
static int check_unique(const struct np_vm_specs *s, size_t from,
			const char *origin, struct np_err *err)
{
	for (size_t i = from; i < s->n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->v[i].name, s->v[j].name))
				return np_fail_input(err, -EINVAL,
					"%s: VM name '%s' appears twice", origin,
					s->v[i].name);
	return 0;
}

/* A name becomes a file name under --out: no '/', no control bytes. */
static bool name_ok(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > 200)
		return false;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* ---- JSON ------------------------------------------------------------- */

struct jspec {
	const char *origin;
	size_t index;
	char where[320]; /* "vms.json: [1] (vm2)" */
	struct np_err *err;
};

static int jfail(struct jspec *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int jfail(struct jspec *j, const char *key, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return np_fail_input(j->err, -EINVAL, "%s: %s%s%s", j->where,
			     key ? key : "", key ? ": " : "", why);
}

static int j_count(struct jspec *j, json_object *v, const char *key,
		   uint64_t min, uint64_t max, uint64_t *out)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return jfail(j, key, "not an integer");
	x = json_object_get_int64(v);
	if (x < 0 || (uint64_t)x < min || (uint64_t)x > max) {
		if (min == 1 && x == 0 && !strcmp(key, "vcpus"))
			return jfail(j, key, "0: a VM needs at least 1 vCPU");
		return jfail(j, key, "%lld: not from %llu to %llu",
			     (long long)x, (unsigned long long)min,
			     (unsigned long long)max);
	}
	*out = (uint64_t)x;
	return 0;
}

static int j_field(struct jspec *j, const char *key, json_object *v,
		   struct np_vm_spec *s)
{
	uint64_t x;
	int e;

	if (!strcmp(key, "name")) {
		if (!json_object_is_type(v, json_type_string) ||
		    !name_ok(json_object_get_string(v)))
			return jfail(j, key, "not a name (a string without '/' "
				     "or control characters)");
		free(s->name);
		s->name = strdup(json_object_get_string(v));
		return s->name ? 0 : np_fail_sys(j->err, -ENOMEM,
						 "out of memory");
	}
	if (!strcmp(key, "vcpus")) {
		e = j_count(j, v, key, 1, VM_MAX_VCPUS, &x);
		s->vcpus = (unsigned)x;
		return e;
	}
	if (!strcmp(key, "memory_mib"))
		return j_count(j, v, key, 1, VM_MAX_MIB, &s->memory_mib);
	if (!strcmp(key, "max_nodes")) {
		e = j_count(j, v, key, 0, NP_MAX_NODES, &x);
		s->max_nodes = (unsigned)x;
		return e;
	}
	if (!strcmp(key, "dedicated_cpus")) {
		if (!json_object_is_type(v, json_type_boolean))
			return jfail(j, key, "not true or false");
		s->dedicated_cpus = json_object_get_boolean(v);
		return 0;
	}
	if (!strcmp(key, "hugepages")) {
		if (!v)
			return 0;
		if (!json_object_is_type(v, json_type_string) ||
		    np_vm_hugepage_parse(json_object_get_string(v),
					 &s->hugepage_bytes))
			return jfail(j, key, "expected \"2M\", \"1G\" or null");
		return 0;
	}
	return jfail(j, NULL, "unknown key '%s' (name, vcpus, memory_mib, "
		     "hugepages, dedicated_cpus, max_nodes)", key);
}

static int j_spec(struct jspec *j, json_object *o, struct np_vm_spec *s)
{
	json_object *v;
	int e;

	snprintf(j->where, sizeof(j->where), "%s: [%zu]", j->origin, j->index);
	if (!json_object_is_type(o, json_type_object))
		return jfail(j, NULL, "not an object");
	if (json_object_object_get_ex(o, "name", &v) && (e = j_field(j, "name",
								    v, s)))
		return e;
	if (s->name)
		snprintf(j->where, sizeof(j->where), "%s: [%zu] (%s)",
			 j->origin, j->index, s->name);
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "name") && (e = j_field(j, key, val, s)))
			return e;
	}
	if (!s->vcpus)
		return jfail(j, "vcpus", "missing");
	if (!s->memory_mib)
		return jfail(j, "memory_mib", "missing");
	return 0;
}

static int set_defaults(struct np_vm_specs *s, size_t from, const char *origin,
			struct np_err *err)
{
	char name[32], where[320];

	for (size_t i = from; i < s->n; i++) {
		struct np_vm_spec *v = &s->v[i];

		if (!v->name) {
			snprintf(name, sizeof(name), "vm%zu", i - from + 1);
			v->name = strdup(name);
		}
		snprintf(where, sizeof(where), "%s: [%zu]", origin, i - from);
		v->origin = strdup(where);
		if (!v->name || !v->origin)
			return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	return check_unique(s, 0, origin, err);
}

/* The specs appended from `from` on get their defaults, or, when the
 * reading failed (e), are taken back: the list is as it was. */
static int finish_specs(struct np_vm_specs *out, size_t from,
			const char *origin, int e, struct np_err *err)
{
	if (!e)
		e = set_defaults(out, from, origin, err);
	if (e)
		while (out->n > from)
			spec_clear(&out->v[--out->n]);
	if (e && !out->n) {
		free(out->v);
		out->v = NULL;
	}
	return e;
}

static json_object *parse_json(const char *text, size_t len, const char *origin,
			       struct np_err *err, int *e)
{
	struct json_tokener *tok;
	json_object *root;

	*e = 0;
	if (len > INT_MAX || (len && memchr(text, '\0', len))) {
		*e = np_fail_input(err, -EINVAL, "%s: not a JSON text", origin);
		return NULL;
	}
	tok = json_tokener_new_ex(64);
	if (!tok) {
		*e = np_fail_sys(err, -ENOMEM, "out of memory");
		return NULL;
	}
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		*e = np_fail_input(err, -EINVAL, "%s: invalid JSON at byte %d: %s",
				   origin, tok->char_offset,
				   je == json_tokener_continue ?
				   "unexpected end" : json_tokener_error_desc(je));
	} else {
		for (size_t i = (size_t)tok->char_offset; i < len; i++)
			if (!strchr(" \t\r\n", text[i])) {
				json_object_put(root);
				root = NULL;
				*e = np_fail_input(err, -EINVAL,
					"%s: trailing data after JSON", origin);
				break;
			}
	}
	json_tokener_free(tok);
	return root;
}

json_object *np_vm_parse_json(const char *text, size_t len, const char *origin,
			      struct np_err *err, int *e)
{
	return parse_json(text, len, origin, err, e);
}

int np_vm_specs_from_json(const char *text, size_t len, const char *origin,
			  struct np_vm_specs *out, struct np_err *err)
{
	size_t from = out->n;
	json_object *root;
	int e;

	root = parse_json(text, len, origin, err, &e);
	if (!root)
		return e;
	if (!json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return np_fail_input(err, -EINVAL, "%s: expected a JSON array "
				     "of VMs", origin);
	}
	for (size_t i = 0; !e && i < json_object_array_length(root); i++) {
		struct jspec j = { origin, i, "", err };
		struct np_vm_spec *s = np_vm_specs_add(out);

		e = s ? j_spec(&j, json_object_array_get_idx(root, i), s) :
			np_fail_sys(err, -ENOMEM, "out of memory");
	}
	json_object_put(root);
	return finish_specs(out, from, origin, e, err);
}

/* ---- seed 004's lines ----------------------------------------------------- */

static int line_spec(const char *line, const char *origin, unsigned lineno,
		     struct np_vm_spec *s, struct np_err *err)
{
	const char *p = line;
	uint64_t cpus, mib;

	while (*p == ' ' || *p == '\t')
		p++;
	if (np_scan_decimal(&p, VM_MAX_VCPUS, &cpus) || (*p != ' ' &&
							 *p != '\t'))
		return np_fail_input(err, -EINVAL, "%s:%u: expected \"CPUS "
				     "MEM_MIB\", a count of vCPUs first",
				     origin, lineno);
	while (*p == ' ' || *p == '\t')
		p++;
	if (np_scan_decimal(&p, VM_MAX_MIB, &mib))
		return np_fail_input(err, -EINVAL, "%s:%u: expected \"CPUS "
				     "MEM_MIB\", memory in MiB second (at most "
				     "%llu)", origin, lineno,
				     (unsigned long long)VM_MAX_MIB);
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (*p && *p != '#')
		return np_fail_input(err, -EINVAL, "%s:%u: unexpected text "
				     "after MEM_MIB", origin, lineno);
	if (!cpus)
		return np_fail_input(err, -EINVAL, "%s:%u: CPUS 0: a VM needs "
				     "at least 1 vCPU", origin, lineno);
	if (!mib)
		return np_fail_input(err, -EINVAL, "%s:%u: MEM_MIB 0: a VM "
				     "needs memory", origin, lineno);
	s->vcpus = (unsigned)cpus;
	s->memory_mib = mib;
	return 0;
}

int np_vm_specs_from_lines(const char *text, size_t len, const char *origin,
			   struct np_vm_specs *out, struct np_err *err)
{
	size_t from = out->n, pos = 0;
	unsigned lineno = 0;
	char line[256];
	int e = 0;

	while (!e && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - text) : len) - pos;
		const char *p;

		lineno++;
		if (n >= sizeof(line) || memchr(text + pos, '\0', n)) {
			e = np_fail_input(err, -EINVAL, "%s:%u: not a line "
					  "\"CPUS MEM_MIB\"", origin, lineno);
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		for (p = line; *p == ' ' || *p == '\t' || *p == '\r'; p++)
			;
		if (!*p || *p == '#')
			continue;
		struct np_vm_spec *s = np_vm_specs_add(out);

		e = s ? line_spec(line, origin, lineno, s, err) :
			np_fail_sys(err, -ENOMEM, "out of memory");
	}
	if (!e && out->n == from)
		e = np_fail_input(err, -EINVAL, "%s: no VM (expected lines "
				  "\"CPUS MEM_MIB\")", origin);
	return finish_specs(out, from, origin, e, err);
}

int np_vm_file_read(const char *path, char **text, size_t *len,
		    struct np_err *err)
{
	return np_read_file(path, text, len, err);
}
