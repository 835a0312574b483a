/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers for the text files the kernel exports about NUMA nodes.
 *
 * Every parser takes a buffer and its length (the buffer need not be
 * NUL-terminated and may contain NUL bytes, which are an error), never
 * reads past len, never prints, and returns 0 or a negative errno:
 *   -EINVAL   malformed text (why is written to *why, a static string)
 *   -ERANGE   a number or id beyond the limits below
 *   -ENOMEM   out of memory
 * On error the output is left empty (owned arrays freed), so the caller
 * never sees half a result.
 *
 * These are internal to libnumaplace (not installed); the unit tests and
 * the fuzz targets include this header directly.
 */
#ifndef NP_LINUX_PARSE_H
#define NP_LINUX_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <numaplace/idset.h>
#include <numaplace/topo.h>

/*
 * Kernel list format ("0-3,8,10-11\n", empty or "\n" for the empty set),
 * as in cpulist, nodelist, possible, online, has_cpu.  Ranges must be
 * ascending (a-b with a <= b).  Ids above max_id give -ERANGE.
 * Also accepts the "a-b:used/group" stride form of bitmap_parselist(),
 * and one NUL after the final newline ("0-1\n\0", as kernels 2.6.23 to
 * 3.2 printed the node state masks).
 */
int np_parse_idlist(const char *buf, size_t len, unsigned max_id,
		    struct np_idset *out, const char **why);

/*
 * Kernel mask format ("%*pb", as in nodeN/cpumap): comma-separated groups
 * of 32 bits in hex, most significant first; the first group may be
 * shorter (nr_cpu_ids % 32 bits), the others have 8 digits.  Optional
 * trailing newline, and one NUL after it as for lists.  Set bits above
 * max_id give -ERANGE.  An all-zero mask is the empty set.
 */
int np_parse_cpumap(const char *buf, size_t len, unsigned max_id,
		    struct np_idset *out, const char **why);

/* A node's meminfo: one struct np_counter (numaplace/topo.h) per line
 * "Node 0 MemTotal:  123 kB", in file order. */
struct np_meminfo {
	struct np_counter *fields;
	size_t n;
};

void np_meminfo_free(struct np_meminfo *m);
/* Looks a field up by exact name; returns NULL when absent. */
const struct np_counter *np_meminfo_get(const struct np_meminfo *m,
					      const char *name);
/*
 * /sys/devices/system/node/nodeN/meminfo.  Every line must read
 * "Node <node> <Name>: <value>[ kB]"; a different node number, a missing
 * value, or MemTotal absent is -EINVAL.  MemFree may be absent (numactl
 * then prints "<not available>").
 */
int np_parse_node_meminfo(const char *buf, size_t len, unsigned node,
			  struct np_meminfo *out, const char **why);

/*
 * nodeN/distance: exactly `want` unsigned decimals separated by blanks,
 * each 1..255 (the kernel keeps distances in a u8; 255 = unreachable).
 * Fewer or more entries is -EINVAL.  A row of zeros (a lone "0", or one 0
 * per node: firmware without a distance table) is "unknown": 0 and an
 * all-zero out[].
 */
int np_parse_distance_row(const char *buf, size_t len, size_t want,
			  uint32_t *out, const char **why);

/* nodeN/numastat: "name value" lines; all six names required, unknown
 * names ignored (newer kernels may add some), duplicates an error. */
int np_parse_numastat(const char *buf, size_t len,
		      struct np_node_numastat *out, const char **why);

/* /proc/buddyinfo: free blocks per order, summed over each node's zones. */
#define NP_MAX_ORDERS 16
struct np_buddy_node {
	unsigned node;
	unsigned norders;                  /* columns in the file (11 on x86) */
	uint64_t free_blocks[NP_MAX_ORDERS]; /* [order] summed over zones */
	unsigned nzones;
};

struct np_buddyinfo {
	struct np_buddy_node *nodes; /* ascending node id */
	size_t n;
};

void np_buddyinfo_free(struct np_buddyinfo *b);
/*
 * Lines "Node N, zone NAME c0 c1 ... ck"; every line must carry the same
 * number of orders (1..NP_MAX_ORDERS).  Node lines may come in any order.
 */
int np_parse_buddyinfo(const char *buf, size_t len, struct np_buddyinfo *out,
		       const char **why);

/* A single unsigned decimal with optional trailing newline (sysfs value). */
int np_parse_u64(const char *buf, size_t len, uint64_t *out,
		 const char **why);

/*
 * A size: digits, then an optional K, M, G or T (binary, "iB" or "B" may
 * follow) or B for bytes; without a suffix the digits count `unit`s.
 * *end is set past the token.  -EINVAL without digits, -ERANGE above max.
 */
int np_parse_size(const char *s, const char **end, uint64_t unit,
		  uint64_t max, uint64_t *bytes);

#endif
