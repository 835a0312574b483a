/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Memory policy modes by name, as numactl and the kernel name them. */
#include <numaplace/policy.h>

#include <errno.h>
#include <string.h>

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
