/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory for `bench mem`: anonymous mappings bound to one node before a
 * page is touched, and the check that every page is there (move_pages).
 */
#include "bench/bench-mem-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <numaplace/pages.h>

#include "linux/linux-mempolicy.h"
#include "linux/linux-proc.h"
#include "util/util-err.h"

#define MIB (1024.0 * 1024.0)

int np_mem_region_map(struct np_mem_region *r, size_t bytes,
		      size_t page_bytes, unsigned node, struct np_err *err)
{
	size_t align = NP_MEM_HUGE_PAGE;
	uintptr_t a;
	int e;

	*r = (struct np_mem_region){ .node = node };
	r->bytes = (bytes + page_bytes - 1) / page_bytes * page_bytes;
	r->map_bytes = r->bytes + align;
	r->map = mmap(NULL, r->map_bytes, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return np_fail_sys(err, -errno, "mmap of %.0f MiB: %s",
				   r->map_bytes / MIB, strerror(errno));
	}
	/* 2 MiB aligned whatever the pages: a THP region needs it, and the
	 * 4 KiB one is laid out the same. */
	a = ((uintptr_t)r->map + align - 1) & ~(uintptr_t)(align - 1);
	r->addr = (void *)a;
	madvise(r->addr, r->bytes, page_bytes == NP_MEM_SMALL_PAGE ?
		MADV_NOHUGEPAGE : MADV_HUGEPAGE);
	e = np_mbind_nodes(r->addr, r->bytes, NP_POLICY_BIND,
			   &(struct np_idset){ &node, 1, 1 });
	if (e) {
		np_mem_region_unmap(r);
		return np_fail_errno(err, e, "mbind to node %u: %s%s", node,
				     strerror(-e), e == -EINVAL ?
				     " (is the node in this task's cpuset?)" :
				     np_numa_eperm_hint(e));
	}
	return 0;
}

void np_mem_region_unmap(struct np_mem_region *r)
{
	if (r->map)
		munmap(r->map, r->map_bytes);
	r->map = r->addr = NULL;
}

size_t np_mem_pages_off_node(const int *status, size_t n, unsigned node,
			     size_t *first)
{
	size_t off = 0;

	*first = n;
	for (size_t i = 0; i < n; i++)
		if (status[i] != (int)node) {
			if (!off)
				*first = i;
			off++;
		}
	return off;
}

int np_mem_region_check(const struct np_mem_region *r, const char *what,
			struct np_err *err)
{
	size_t n = r->bytes / NP_MEM_SMALL_PAGE, first, off;
	int *status = malloc((n ? n : 1) * sizeof(*status));
	char where[48];
	int e;

	if (!status)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	e = np_pages_nodes(r->addr, r->bytes, NP_MEM_SMALL_PAGE, status, err);
	if (e) {
		free(status);
		return e;
	}
	off = np_mem_pages_off_node(status, n, r->node, &first);
	if (off) {
		if (status[first] >= 0)
			snprintf(where, sizeof(where), "on node %d",
				 status[first]);
		else
			snprintf(where, sizeof(where), "%s",
				 strerror(-status[first]));
		e = np_fail_sys(err, -EIO, "%s on node %u: %zu of %zu pages "
				"are not (the first at +%.1f MiB: %s); a run "
				"with pages off its node gives no figure", what,
				r->node, off, n,
				first * (double)NP_MEM_SMALL_PAGE / MIB, where);
	}
	free(status);
	return e;
}
