/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What numaplace apply did (struct np_apply_report) as text and JSON. */
#ifndef NP_VIEW_APPLY_H
#define NP_VIEW_APPLY_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include <numaplace/vms.h>

void apply_print(FILE *f, const struct np_apply_report *rep);
/* {"schema": "numaplace-apply/1", ...}; sets *oom on failure. */
json_object *apply_json(const struct np_apply_report *rep, bool *oom);

#endif
