/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "linux/linux-pages.h"

#include <numaplace/pages.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/linux-proc.h"
#include "util/util-err.h"

int np_move_pages(pid_t pid, size_t n, void **pages, const int *nodes,
		  int *status, int flags, struct np_err *err)
{
	for (size_t i = 0; i < n; i += NP_MOVE_PAGES_CHUNK) {
		size_t k = n - i < NP_MOVE_PAGES_CHUNK ? n - i :
			NP_MOVE_PAGES_CHUNK;
		/* A positive return counts pages not moved: their status
		 * says why, so it is not an error of the call. */
		long r = syscall(SYS_move_pages, pid, k, pages + i,
				 nodes ? nodes + i : NULL, status + i, flags);

		if (r < 0) {
			int e = errno;

			if (e == ESRCH)
				return np_fail_input(err, -e, "move_pages: no "
						     "process %d", (int)pid);
			return np_fail_sys(err, -e, "move_pages: %s%s",
					   strerror(e), np_numa_eperm_hint(-e));
		}
	}
	return 0;
}

int np_pages_nodes(const void *addr, size_t len, size_t page_bytes,
		   int *nodes, struct np_err *err)
{
	size_t n = page_bytes ? (len + page_bytes - 1) / page_bytes : 0;
	void **pages;
	int e;

	if (!page_bytes || (uintptr_t)addr % page_bytes)
		return np_fail_input(err, -EINVAL, "move_pages: address not "
				     "aligned to the page size");
	pages = calloc(n ? n : 1, sizeof(*pages));
	if (!pages)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		pages[i] = (char *)addr + i * page_bytes;
	e = np_move_pages(0, n, pages, NULL, nodes, 0, err);
	free(pages);
	return e;
}
