/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A QEMU command line, read for placement: the VM's name, its QMP socket,
 * its memory backends (size, policy, host nodes) and its guest NUMA cells.
 * Both spellings of -object: QEMU's "memory-backend-ram,id=...,size=..."
 * (numaplace plan --emit qemu) and the JSON libvirt writes.
 */
#include "vm/vm-vms-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "linux/linux-parse.h"

void np_qemu_args_free(struct np_qemu_args *a)
{
	free(a->name);
	free(a->qmp_path);
	for (size_t i = 0; i < a->nbackends; i++) {
		free(a->backends[i].id);
		np_idset_free(&a->backends[i].host_nodes);
	}
	free(a->backends);
	for (size_t i = 0; i < a->nnuma; i++) {
		np_idset_free(&a->numa[i].cpus);
		free(a->numa[i].memdev);
	}
	free(a->numa);
	memset(a, 0, sizeof(*a));
}

/* The value of key= in a "a,key=v,b=w" option string, as a new string
 * (the n-th occurrence, from 0); NULL when absent or out of memory. */
static char *opt_value(const char *s, const char *key, unsigned nth)
{
	size_t klen = strlen(key);
	const char *p = s;

	while (p && *p) {
		size_t len = strcspn(p, ",");

		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=' &&
		    nth-- == 0)
			return strndup(p + klen + 1, len - klen - 1);
		p = p[len] ? p + len + 1 : NULL;
	}
	return NULL;
}

/* Ids from every key=LIST (QEMU repeats the key per range: "host-nodes=0,
 * host-nodes=2-3"; a range "0-1"), added to *set. */
static int opt_ids(const char *s, const char *key, struct np_idset *set)
{
	char *v;

	for (unsigned i = 0; (v = opt_value(s, key, i)); i++) {
		struct np_idset part = { 0 };
		const char *why;
		int e = np_parse_idlist(v, strlen(v), NP_MAX_CPUS - 1, &part,
					&why);

		free(v);
		for (size_t k = 0; !e && k < part.n; k++)
			if (!np_idset_contains(set, part.ids[k]))
				e = np_idset_push(set, part.ids[k]);
		np_idset_free(&part);
		if (e == -ENOMEM)
			return e;
	}
	return 0;
}

static struct np_qemu_backend *add_backend(struct np_qemu_args *a)
{
	struct np_qemu_backend *b = realloc(a->backends, (a->nbackends + 1) *
					    sizeof(*b));

	if (!b)
		return NULL;
	a->backends = b;
	b += a->nbackends++;
	memset(b, 0, sizeof(*b));
	return b;
}

static int backend_from_opts(struct np_qemu_args *a, const char *s)
{
	struct np_qemu_backend *b;
	char *size, *policy;
	const char *end;
	int e;

	if (strncmp(s, "memory-backend-", 15))
		return 0;
	b = add_backend(a);
	if (!b)
		return -ENOMEM;
	b->id = opt_value(s, "id", 0);
	size = opt_value(s, "size", 0);
	if (size && np_parse_size(size, &end, 1, UINT64_MAX, &b->size_bytes))
		b->size_bytes = 0;
	free(size);
	policy = opt_value(s, "policy", 0);
	if (policy)
		snprintf(b->policy, sizeof(b->policy), "%s", policy);
	free(policy);
	e = opt_ids(s, "host-nodes", &b->host_nodes);
	return e;
}

static int backend_from_json(struct np_qemu_args *a, const char *s)
{
	json_object *o = json_tokener_parse(s), *v;
	struct np_qemu_backend *b;
	const char *type;
	int e = 0;

	if (!o)
		return 0;
	if (!json_object_object_get_ex(o, "qom-type", &v) ||
	    !(type = json_object_get_string(v)) ||
	    strncmp(type, "memory-backend-", 15)) {
		json_object_put(o);
		return 0;
	}
	b = add_backend(a);
	if (!b) {
		json_object_put(o);
		return -ENOMEM;
	}
	if (json_object_object_get_ex(o, "id", &v) &&
	    !(b->id = strdup(json_object_get_string(v))))
		e = -ENOMEM;
	if (json_object_object_get_ex(o, "size", &v))
		b->size_bytes = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "policy", &v))
		snprintf(b->policy, sizeof(b->policy), "%s",
			 json_object_get_string(v));
	if (json_object_object_get_ex(o, "host-nodes", &v) &&
	    json_object_is_type(v, json_type_array))
		for (size_t i = 0; !e && i < json_object_array_length(v); i++) {
			int64_t id = json_object_get_int64(
				json_object_array_get_idx(v, i));

			if (id >= 0 && id < NP_MAX_NODES &&
			    !np_idset_contains(&b->host_nodes, (unsigned)id))
				e = np_idset_push(&b->host_nodes, (unsigned)id);
		}
	json_object_put(o);
	return e == -ENOMEM ? e : 0;
}

static int numa_node(struct np_qemu_args *a, const char *s)
{
	struct np_qemu_numa_node *n;
	char *id;
	int e;

	if (strncmp(s, "node", 4) || (s[4] && s[4] != ','))
		return 0;
	n = realloc(a->numa, (a->nnuma + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	a->numa = n;
	n += a->nnuma++;
	memset(n, 0, sizeof(*n));
	id = opt_value(s, "nodeid", 0);
	/* QEMU numbers nodes without nodeid= in order */
	n->id = id ? (unsigned)strtoul(id, NULL, 10) : (unsigned)a->nnuma - 1;
	free(id);
	n->memdev = opt_value(s, "memdev", 0);
	e = opt_ids(s, "cpus", &n->cpus);
	return e;
}

static int mem_size(struct np_qemu_args *a, const char *s)
{
	char *v = opt_value(s, "size", 0);
	const char *p = v ? v : s, *end;
	uint64_t bytes;

	/* -m 256, -m 256M, -m size=262144k,slots=... (default unit MiB) */
	if (np_parse_size(p, &end, 1ull << 20, UINT64_MAX, &bytes) == 0)
		a->mem_bytes = bytes;
	free(v);
	return 0;
}

static int set_string(char **dst, const char *src, size_t len)
{
	free(*dst);
	*dst = strndup(src, len);
	return *dst ? 0 : -ENOMEM;
}

/* -name guest=NAME,... or -name NAME,... */
static int name_opt(struct np_qemu_args *a, const char *s)
{
	if (!strncmp(s, "guest=", 6))
		s += 6;
	else if (strcspn(s, ",") > strcspn(s, "="))
		return 0;
	return set_string(&a->name, s, strcspn(s, ","));
}

/* -qmp unix:PATH[,server...] or unix:PATH */
static int qmp_opt(struct np_qemu_args *a, const char *s)
{
	if (strncmp(s, "unix:", 5))
		return 0;
	return set_string(&a->qmp_path, s + 5, strcspn(s + 5, ","));
}

/* A control monitor on a socket chardev: -chardev socket,id=X,path=P and
 * -mon chardev=X,mode=control. */
static int mon_chardev(struct np_qemu_args *a, char *const *argv, size_t argc,
		       const char *mon)
{
	char *mode = opt_value(mon, "mode", 0), *dev;
	int e = 0;

	if (!mode || strcmp(mode, "control")) {
		free(mode);
		return 0;
	}
	free(mode);
	dev = opt_value(mon, "chardev", 0);
	if (!dev)
		return 0;
	for (size_t i = 1; i + 1 < argc && !e; i++) {
		char *id, *path;

		if (strcmp(argv[i], "-chardev") ||
		    strncmp(argv[i + 1], "socket,", 7))
			continue;
		id = opt_value(argv[i + 1], "id", 0);
		path = opt_value(argv[i + 1], "path", 0);
		if (id && path && !strcmp(id, dev) && !a->qmp_path) {
			a->qmp_path = path;
			path = NULL;
		}
		free(id);
		free(path);
	}
	free(dev);
	return e;
}

int np_qemu_args_parse(char *const *argv, size_t argc,
		       struct np_qemu_args *out)
{
	int e = 0;

	memset(out, 0, sizeof(*out));
	out->mem_bytes = 128ull << 20;
	for (size_t i = 1; i + 1 < argc && !e; i++) {
		const char *o = argv[i], *v = argv[i + 1];

		/* QEMU takes -opt and --opt alike */
		if (o[0] == '-' && o[1] == '-')
			o++;
		if (!strcmp(o, "-object"))
			e = v[0] == '{' ? backend_from_json(out, v) :
					  backend_from_opts(out, v);
		else if (!strcmp(o, "-numa"))
			e = numa_node(out, v);
		else if (!strcmp(o, "-m"))
			e = mem_size(out, v);
		else if (!strcmp(o, "-name"))
			e = name_opt(out, v);
		else if (!strcmp(o, "-qmp") && !out->qmp_path)
			e = qmp_opt(out, v);
		else if (!strcmp(o, "-mon"))
			e = mon_chardev(out, argv, argc, v);
		else
			continue;
		i++;
	}
	if (e)
		np_qemu_args_free(out);
	return e;
}
