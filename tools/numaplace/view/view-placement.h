/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process's placement (struct np_placement, from the library) as text
 * and as JSON.  Shared by `where` and `run --report`.
 */
#ifndef NP_VIEW_PLACEMENT_H
#define NP_VIEW_PLACEMENT_H

#include <stdio.h>

#include <json-c/json.h>

#include <numaplace/pages.h>

void placement_print(FILE *f, const struct np_placement *w, int pid,
		     const char *comm);
json_object *placement_json(const struct np_placement *w, int pid,
			    const char *comm);

#endif
