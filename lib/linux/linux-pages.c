/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "linux/linux-pages.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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
			return np_fail_sys(err, -e, "move_pages: %s",
					   strerror(e));
		}
	}
	return 0;
}
