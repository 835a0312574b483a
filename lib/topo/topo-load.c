/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading a topology from a file: numaplace JSON or hwloc XML, by content. */
#include "topo/topo-internal.h"

#include <stdbool.h>
#include <stdlib.h>

/* An hwloc XML file starts with an XML declaration or <topology>. */
static bool looks_like_xml(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' ||
			   buf[i] == '\r'))
		i++;
	return i < len && buf[i] == '<';
}

int np_topo_from_file(const char *path, struct np_topo **out,
		      struct np_err *err)
{
	char *buf;
	size_t len;
	int e;

	*out = NULL;
	e = np_read_file(path, &buf, &len, err);
	if (e)
		return e;
	if (looks_like_xml(buf, len))
		e = np_topo_from_hwloc_xml(path, buf, len, out, err);
	else
		e = np_topo_from_json_named(path, buf, len, out, err);
	free(buf);
	return e;
}
