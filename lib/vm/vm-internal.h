/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the modules of lib/vm/; not installed. */
#ifndef NP_VM_INTERNAL_H
#define NP_VM_INTERNAL_H

#include <numaplace/plan.h>

#include <json-c/json.h>

#include "util/util-err.h"

/* Appends a zeroed spec; NULL on ENOMEM. */
struct np_vm_spec *np_vm_specs_add(struct np_vm_specs *s);

/* "2M" / "1G" (and "2MiB", "2048kB", ...) to bytes: 0 or -EINVAL. */
int np_vm_hugepage_parse(const char *s, uint64_t *bytes);

/* A whole JSON text (trailing blanks allowed); NULL with *e and err set. */
json_object *np_vm_parse_json(const char *text, size_t len, const char *origin,
			      struct np_err *err, int *e);

/* Position of node id in h->nodes, or -1. */
long np_plan_host_index(const struct np_plan_host *h, unsigned id);

/* Free hugepages of size bytes on node n (0 when it has no such pool);
 * -1 when the node has no pool of that size. */
long np_plan_node_huge_index(const struct np_plan_node *n, uint64_t bytes);

#endif
