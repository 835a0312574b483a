/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Memory policy modes by name, as numactl and the kernel name them. */
#include <numaplace/policy.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/units.h>

#include "util/util-err.h"

static const char *const mode_names[] = {
	[NP_POLICY_DEFAULT] = "default",
	[NP_POLICY_BIND] = "bind",
	[NP_POLICY_PREFERRED] = "preferred",
	[NP_POLICY_PREFERRED_MANY] = "preferred-many",
	[NP_POLICY_INTERLEAVE] = "interleave",
	[NP_POLICY_WEIGHTED_INTERLEAVE] = "weighted-interleave",
	[NP_POLICY_LOCAL] = "local",
};

const char *np_policy_mode_name(enum np_policy_mode mode)
{
	return (unsigned)mode < sizeof(mode_names) / sizeof(mode_names[0]) ?
		mode_names[mode] : "unknown";
}

int np_policy_mode_parse(const char *name, enum np_policy_mode *mode)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(name, mode_names[i])) {
			*mode = (enum np_policy_mode)i;
			return 0;
		}
	return -EINVAL;
}

/* One "NODE:WEIGHT" at *s, checked against t and the entries before it. */
static int parse_weight(const char **s, const struct np_topo *t,
			const struct np_wi_weight *seen, size_t nseen,
			struct np_wi_weight *w, struct np_err *err)
{
	const char *at = *s;
	uint64_t node, weight;
	long idx;
	int e;

	e = np_scan_decimal(s, NP_MAX_NODES - 1, &node);
	if (e == -ERANGE)
		return np_fail_input(err, -EINVAL, "node '%.*s' "
				     "does not exist", (int)(*s - at), at);
	if (e || **s != ':')
		return np_fail_input(err, -EINVAL, "expected "
				     "NODE:WEIGHT at '%s'", at);
	idx = np_topo_node_index(t, (unsigned)node);
	if (idx < 0)
		return np_fail_input(err, -EINVAL, "node %u does not "
				     "exist", (unsigned)node);
	if (!t->nodes[idx].has_memory)
		return np_fail_input(err, -EINVAL, "node %u has no "
				     "memory", (unsigned)node);
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].node == node)
			return np_fail_input(err, -EINVAL, "node %u is "
					     "named twice", (unsigned)node);
	(*s)++;
	at = *s;
	e = np_scan_decimal(s, 255, &weight);
	if (e == -ERANGE || (!e && weight == 0))
		return np_fail_input(err, -EINVAL, "weight '%.*s' of "
				     "node %u: must be 1 to 255", (int)(*s - at),
				     at, (unsigned)node);
	if (e || (**s && **s != ','))
		return np_fail_input(err, -EINVAL, "expected "
				     "NODE:WEIGHT at '%s'", at);
	*w = (struct np_wi_weight){ (unsigned)node, (unsigned)weight };
	return 0;
}

int np_wi_parse_weights(const char *s, const struct np_topo *t,
			struct np_wi_weight **out, size_t *n,
			struct np_err *err)
{
	size_t cap = 1;
	struct np_wi_weight *w;
	int e = 0;

	*out = NULL;
	*n = 0;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	w = calloc(cap, sizeof(*w));
	if (!w)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	if (!*s)
		e = np_fail_input(err, -EINVAL, "no NODE:WEIGHT given");
	while (!e && *s) {
		e = parse_weight(&s, t, w, *n, &w[*n], err);
		if (!e)
			(*n)++;
		if (!e && *s == ',' && !*++s)
			e = np_fail_input(err, -EINVAL, "expected "
					  "NODE:WEIGHT after the last ','");
	}
	if (e) {
		free(w);
		*n = 0;
		return e;
	}
	*out = w;
	return 0;
}
