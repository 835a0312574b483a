/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Building JSON with json-c inside the library without losing an
 * out-of-memory: json-c's object calls fail only on ENOMEM, and one flag
 * collects that (the topology JSON, the plan JSON).  Not installed.

 * Writing JSON with json-c without losing an out-of-memory: json-c's
 * constructors and adders fail only on ENOMEM, so every helper records a
 * failure in one flag and frees what it could not attach; a writer
 * checks the flag once at the end (np_jw_render).  The library's JSON
 * formats (topo JSON, the QEMU pins) are written through these.
 */
#ifndef NP_UTIL_JSON_H
#define NP_UTIL_JSON_H

#include <stdbool.h>

#include <json-c/json.h>

struct jw {
	bool oom;
};

static inline json_object *jw_check(struct jw *w, json_object *o)
{
	if (!o)
		w->oom = true;
	return o;
}

/* A NULL val is JSON null (json-c's representation), not a failure:
 * constructors that can fail go through jw_check() first. */
static inline void jw_add(struct jw *w, json_object *obj, const char *key,
			  json_object *val)
{
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		w->oom = true;
	}
}

static inline void jw_push(struct jw *w, json_object *arr, json_object *val)
{
	if (json_object_array_add(arr, val)) {
		json_object_put(val);
		w->oom = true;
	}
}

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct np_jw {
	bool oom;   /* sticky: some constructor or adder failed */
};

/* o, and oom set when o is NULL. */
json_object *np_jw_check(struct np_jw *w, json_object *o);
/* Adds val to obj under key; a NULL val is JSON null (json-c's
 * representation), not a failure: constructors that can fail go through
 * np_jw_check() first.  On failure val is freed and oom set. */
void np_jw_add(struct np_jw *w, json_object *obj, const char *key,
	       json_object *val);
void np_jw_push(struct np_jw *w, json_object *arr, json_object *val);
json_object *np_jw_int(struct np_jw *w, int64_t v);
json_object *np_jw_str(struct np_jw *w, const char *s);
/* [ids[0], ...] */
json_object *np_jw_ids(struct np_jw *w, const unsigned *ids, size_t n);

/*
 * root pretty-printed as every numaplace JSON is, with a final newline,
 * into *out (malloc'd; its length in *len if len is not NULL); frees
 * root.  -ENOMEM (and *out NULL) when w->oom is set or json-c fails.
 */
int np_jw_render(struct np_jw *w, json_object *root, char **out, size_t *len);

#endif
