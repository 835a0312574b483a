/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Building JSON output with json-c without losing an out-of-memory: every
 * helper sets *oom when json-c returned NULL or refused, and frees what
 * it could not attach, so a command checks one flag at the end.
 */
#ifndef NP_CLI_JSON_H
#define NP_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* o, and *oom = true when o is NULL. */
json_object *np_json_checked(json_object *o, bool *oom);

/* Adds v (NULL is JSON null) to obj under key, or frees it and sets *oom. */
void np_json_add(json_object *obj, const char *key, json_object *v, bool *oom);

void np_json_add_u64(json_object *obj, const char *key, uint64_t v, bool *oom);

/* A measured figure: three decimals (none from 10^6 up), well below the
 * noise; %.17g would only add digits. */
void np_json_add_num(json_object *obj, const char *key, double v, bool *oom);

void np_json_add_str(json_object *obj, const char *key, const char *s,
		     bool *oom);

/*
 * Writes root, pretty-printed as every command's --json is, and a newline
 * to out, then frees root.  -ENOMEM (and nothing written) when root is
 * NULL, oom is set or json-c cannot render it.
 */
int np_json_write(FILE *out, json_object *root, bool oom);

#endif
