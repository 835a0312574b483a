/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Building JSON with json-c inside the library without losing an
 * out-of-memory: json-c's object calls fail only on ENOMEM, and one flag
 * collects that (the topology JSON, the plan JSON).  Not installed.
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

#endif
