/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON output helpers; see json-out.h. */
#include "cli/cli-json.h"

#include <errno.h>

json_object *np_json_checked(json_object *o, bool *oom)
{
	if (!o)
		*oom = true;
	return o;
}

void np_json_add(json_object *obj, const char *key, json_object *v, bool *oom)
{
	if (!obj || json_object_object_add(obj, key, v)) {
		json_object_put(v);
		*oom = true;
	}
}

void np_json_add_u64(json_object *obj, const char *key, uint64_t v, bool *oom)
{
	np_json_add(obj, key, np_json_checked(json_object_new_uint64(v), oom), oom);
}

void np_json_add_num(json_object *obj, const char *key, double v, bool *oom)
{
	char s[64];

	snprintf(s, sizeof(s), v >= 1e6 ? "%.0f" : "%.3f", v);
	np_json_add(obj, key, np_json_checked(json_object_new_double_s(v, s), oom),
		    oom);
}

void np_json_add_str(json_object *obj, const char *key, const char *s,
		     bool *oom)
{
	np_json_add(obj, key, np_json_checked(json_object_new_string(s), oom),
		    oom);
}

int np_json_write(FILE *out, json_object *root, bool oom)
{
	const char *s = NULL;

	if (root && !oom)
		s = json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s)
		fprintf(out, "%s\n", s);
	json_object_put(root);
	return s ? 0 : -ENOMEM;
}
