/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <numaplace/units.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

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

const char *np_format_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%llu %s", (unsigned long long)v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}
