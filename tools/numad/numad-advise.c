/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "numad-advise.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/plan.h>
#include <numaplace/topo.h>
#include <numaplace/units.h>

static int bad_request(const char *arg, struct np_err *err)
{
	if (err) {
		err->code = -EINVAL;
		err->cls = NP_ERR_INPUT;
		snprintf(err->msg, sizeof(err->msg), "'%s': expected "
			 "CPUS[:MIB], e.g. 2:1024 (numad's form)", arg);
	}
	return -EINVAL;
}

int numad_parse_request(const char *arg, unsigned *vcpus, uint64_t *mib,
			struct np_err *err)
{
	const char *p = arg;
	uint64_t whole, frac = 0, m = 0;

	if (np_scan_decimal(&p, 65536, &whole) < 0)
		return bad_request(arg, err);
	if (*p == '.') {
		/* numad keeps two decimals and ignores the rest */
		unsigned digits = 0;

		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits++ < 2 && *p != '0')
				frac = 1;
	}
	if (*p == ':') {
		p++;
		if (np_scan_decimal(&p, UINT32_MAX, &m) < 0)
			return bad_request(arg, err);
	}
	if (*p || whole + frac == 0)
		return bad_request(arg, err);
	*vcpus = (unsigned)(whole + frac);
	*mib = m;
	return 0;
}

/* numad's list form: ranges of two ids or more as "a-b", comma between,
 * and a newline. */
char *numad_nodes_line(const struct np_idset *s)
{
	size_t need = np_idlist_format(NULL, 0, s->ids, s->n, ",");
	char *out = malloc(need + 2);

	if (!out)
		return NULL;
	np_idlist_format(out, need + 1, s->ids, s->n, ",");
	strcpy(out + need, "\n");
	return out;
}

int numad_advise(const char *root, unsigned vcpus, uint64_t mib, char **out,
		 struct np_err *err)
{
	struct np_topo *t = NULL;
	struct np_plan_host *host = NULL;
	struct np_idset nodes = { 0 };
	int e;

	*out = NULL;
	/* as numaplace plan loads it, so both give one answer */
	e = np_topo_from_sysroot(root, &t, err);
	if (e == 0)
		e = np_plan_host_from_topo(t, NULL, &host, err);
	if (e == 0)
		e = np_plan_advise(host, vcpus, mib, &nodes, err);
	if (e == 0 && !(*out = numad_nodes_line(&nodes))) {
		err->code = e = -ENOMEM;
		err->cls = NP_ERR_SYSTEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
	np_idset_free(&nodes);
	np_plan_host_free(host);
	np_topo_free(t);
	return e;
}
