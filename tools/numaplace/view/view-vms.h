/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running VMs (struct np_vm, numaplace/vms.h) as a table and as JSON. */
#ifndef NP_VIEW_VMS_H
#define NP_VIEW_VMS_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include <numaplace/vms.h>

/* The text of `numaplace vms`: per VM its verdict line, its vCPUs and its
 * guest RAM per host node. */
void vms_print(FILE *f, const struct np_vm *vms, size_t n);
/* {"schema": "numaplace-vms/1", "vms": [...]}; sets *oom on failure. */
json_object *vms_json(const struct np_vm *vms, size_t n, bool *oom);

/* One VM's verdict as a sentence (the text's first line after the name). */
void vm_verdict_print(FILE *f, const struct np_vm *vm);

/* "0-3,8" for a set, into buf. */
const char *view_idlist(const struct np_idset *s, char *buf, size_t len);

#endif
