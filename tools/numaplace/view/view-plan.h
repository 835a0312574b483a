/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The human layout of `numaplace plan` (--emit table); JSON is the
 * library's (np_plan_emit_json), from the same struct. */
#ifndef NP_VIEW_PLAN_H
#define NP_VIEW_PLAN_H

#include <stdio.h>

#include <numaplace/plan.h>

/* Per VM one row (placed: nodes, memory per node, vCPU placement; else
 * its reason), then the host left per node and the largest VM that still
 * fits per node count; --explain's text per VM at the end.  0 or -errno. */
int view_plan_table(FILE *f, const struct np_plan *p);

#endif
