/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON output helpers; see json-out.h. */
#include "cli/cli-json.h"

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
