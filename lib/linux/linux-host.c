/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state of the running kernel that changes a benchmark's numbers
 * (numaplace/bench.h, struct np_bench_host): NUMA balancing, the THP
 * mode, a CPU's frequency governor, and whether this kernel was booted by
 * `numaplace lab` (its command line carries np.lab=1, lab/lab-run.c).
 */
#include <numaplace/bench.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/linux-parse.h"
#include "linux/linux-root.h"

/* The file's first line into buf (no newline); "" when unreadable. */
static void read_line(const struct np_root *r, const char *rel, char *buf,
		      size_t len)
{
	char *text = NULL;
	size_t n = 0;

	buf[0] = 0;
	if (np_root_read(r, rel, &text, &n, NULL))
		return;
	snprintf(buf, len, "%.*s", (int)strcspn(text, "\n"), text);
	free(text);
}

/* "always [madvise] never" -> "madvise". */
static void bracketed(const char *line, char *out, size_t len)
{
	const char *open = strchr(line, '['), *close;

	out[0] = 0;
	if (open && (close = strchr(open, ']')))
		snprintf(out, len, "%.*s", (int)(close - open - 1), open + 1);
}

/* A whole word of the kernel command line, as init.sh reads it. */
static bool cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cmdline; (p = strstr(p, word)); p += n)
		if ((p == cmdline || p[-1] == ' ') &&
		    (p[n] == 0 || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

void np_bench_host_read(unsigned cpu, struct np_bench_host *h)
{
	struct np_root r;
	char line[4096], rel[96];
	uint64_t v;
	const char *why;

	*h = (struct np_bench_host){ .numa_balancing = -1 };
	if (np_root_open(&r, "/", NULL))
		return;
	read_line(&r, "proc/sys/kernel/numa_balancing", line, sizeof(line));
	if (line[0] && !np_parse_u64(line, strlen(line), &v, &why) && v < 1000)
		h->numa_balancing = (int)v;
	read_line(&r, "sys/kernel/mm/transparent_hugepage/enabled", line,
		  sizeof(line));
	bracketed(line, h->thp, sizeof(h->thp));
	snprintf(rel, sizeof(rel),
		 "sys/devices/system/cpu/cpu%u/cpufreq/scaling_governor", cpu);
	read_line(&r, rel, h->governor, sizeof(h->governor));
	read_line(&r, "proc/cmdline", line, sizeof(line));
	h->lab_guest = cmdline_has(line, "np.lab=1");
	np_root_close(&r);
}
