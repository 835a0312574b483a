/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <numaplace/units.h>

#include <errno.h>
#include <stdbool.h>

int np_scan_decimal(const char **s, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;
	bool over = false;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	/* Read every digit even past the limit, so the caller's cursor
	 * lands after the number and the error is ERANGE, not EINVAL. */
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d > max || v > (max - d) / 10)
			over = true;
		else
			v = v * 10 + d;
	}
	*s = p;
	if (over)
		return -ERANGE;
	*out = v;
	return 0;
}

int np_parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
	const char *p = s;
	uint64_t v;
	int e = np_scan_decimal(&p, max, &v);

	if (e == -ERANGE && *p)
		return -EINVAL;
	if (e)
		return e;
	if (*p)
		return -EINVAL;
	*out = v;
	return 0;
}
