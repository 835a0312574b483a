/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the experiments' workloads share: node lists from sysfs, pinning a
 * thread to a node's CPUs, where a buffer's pages are (move_pages with no
 * target nodes), sizes and counts from the command line.  The workloads
 * measure; they use raw system calls, not libnumaplace, so that they check
 * the placement numaplace made rather than trust it.  Header-only: each
 * workload is one file plus this.
 */
#ifndef NP_EXP_COMMON_H
#define NP_EXP_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define EXP_MAX_NODES 1024
#define EXP_PAGE 4096ul

static const char *exp_prog = "workload";

__attribute__((noreturn))
static inline void exp_vdie(int status, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", exp_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	exit(status);
}

/* One line on stderr and exit 1: the machine or the system refused. */
__attribute__((format(printf, 1, 2), noreturn))
static inline void exp_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	exp_vdie(1, fmt, ap);
}

/* ... and exit 2: the command line was wrong. */
__attribute__((format(printf, 1, 2), noreturn))
static inline void exp_bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	exp_vdie(2, fmt, ap);
}

/* A decimal count; refuses signs, junk and overflow. */
static inline uint64_t exp_count(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		exp_bad("%s '%s': not a number", opt, s);
	v = strtoull(s, &end, 10);
	if (errno || *end)
		exp_bad("%s '%s': not a number", opt, s);
	return v;
}

/* 64M, 1G, 4096: bytes, with binary K/M/G suffixes. */
static inline uint64_t exp_size(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	if (*s < '0' || *s > '9')
		exp_bad("%s '%s': not a size", opt, s);
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (errno || *end || v == 0 || v > (UINT64_MAX >> 30))
		exp_bad("%s '%s': not a size (e.g. 64M, 1G)", opt, s);
	return (uint64_t)v << shift;
}

/* The CPUs of node into *set; false when the node has none (or no file). */
static inline bool exp_node_cpus(unsigned node, cpu_set_t *set)
{
	char path[96], buf[4096];
	FILE *f;
	char *p;
	bool any = false;

	CPU_ZERO(set);
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpulist",
		 node);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (p = buf; *p >= '0' && *p <= '9';) {
		unsigned long lo = strtoul(p, &p, 10), hi = lo;

		if (*p == '-')
			hi = strtoul(p + 1, &p, 10);
		for (unsigned long c = lo; c <= hi && c < CPU_SETSIZE; c++) {
			CPU_SET(c, set);
			any = true;
		}
		if (*p == ',')
			p++;
	}
	return any;
}

/* The online nodes with CPUs, ascending, into nodes[]; their count. */
static inline unsigned exp_cpu_nodes(unsigned *nodes, unsigned max)
{
	unsigned n = 0;
	cpu_set_t set;

	for (unsigned i = 0; i < EXP_MAX_NODES && n < max; i++)
		if (exp_node_cpus(i, &set))
			nodes[n++] = i;
	return n;
}

/* Pins the calling thread to node's CPUs. */
static inline void exp_pin_node(unsigned node)
{
	cpu_set_t set;

	if (!exp_node_cpus(node, &set))
		exp_die("node %u has no CPUs", node);
	if (sched_setaffinity(0, sizeof(set), &set))
		exp_die("pinning to node %u: %s", node, strerror(errno));
}

/*
 * Pages of buf[0..len) per node into count[EXP_MAX_NODES] (zeroed
 * first), asking the kernel for every page; 0, or -errno of the call.
 * A page the kernel could not place (status < 0) counts nowhere and makes
 * the result -EFAULT.
 */
static inline int exp_pages_per_node(const char *buf, size_t len,
				     uint64_t *count)
{
	enum { CHUNK = 4096 };
	void *pages[CHUNK];
	int status[CHUNK], rc = 0;

	memset(count, 0, EXP_MAX_NODES * sizeof(*count));
	for (size_t off = 0; off < len;) {
		unsigned long n = 0;

		for (; n < CHUNK && off < len; n++, off += EXP_PAGE)
			pages[n] = (void *)(buf + off);
		if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0))
			return -errno;
		for (unsigned long i = 0; i < n; i++) {
			if (status[i] >= 0 && status[i] < EXP_MAX_NODES)
				count[status[i]]++;
			else
				rc = -EFAULT;
		}
	}
	return rc;
}

static inline double exp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#endif
