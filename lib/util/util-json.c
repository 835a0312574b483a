/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/util-json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

json_object *np_jw_check(struct np_jw *w, json_object *o)
{
	if (!o)
		w->oom = true;
	return o;
}

void np_jw_add(struct np_jw *w, json_object *obj, const char *key,
	       json_object *val)
{
	if (!obj || json_object_object_add(obj, key, val)) {
		json_object_put(val);
		w->oom = true;
	}
}

void np_jw_push(struct np_jw *w, json_object *arr, json_object *val)
{
	if (!arr || json_object_array_add(arr, val)) {
		json_object_put(val);
		w->oom = true;
	}
}

json_object *np_jw_int(struct np_jw *w, int64_t v)
{
	return np_jw_check(w, json_object_new_int64(v));
}

json_object *np_jw_str(struct np_jw *w, const char *s)
{
	return np_jw_check(w, json_object_new_string(s));
}

json_object *np_jw_ids(struct np_jw *w, const unsigned *ids, size_t n)
{
	json_object *a = np_jw_check(w, json_object_new_array());

	for (size_t i = 0; a && i < n; i++)
		np_jw_push(w, a, np_jw_int(w, ids[i]));
	return a;
}

int np_jw_render(struct np_jw *w, json_object *root, char **out, size_t *len)
{
	const char *s = NULL;
	size_t n = 0;

	*out = NULL;
	if (root && !w->oom)
		s = json_object_to_json_string_length(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	*out = s ? malloc(n + 2) : NULL;
	if (*out) {
		memcpy(*out, s, n);
		(*out)[n] = '\n';
		(*out)[n + 1] = '\0';
		if (len)
			*len = n + 1;
	}
	json_object_put(root);
	return *out ? 0 : -ENOMEM;
}
