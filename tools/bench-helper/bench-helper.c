/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace-bench-helper: the process one allocator of `bench alloc` is
 * measured in (include/numaplace/bench.h).  libnumaplace starts it with
 * its request pipe as stdin and its reply pipe as stdout; it is not meant
 * to be run by hand.
 *
 *     numaplace-bench-helper alloc <allocator>
 *
 * A program of its own, not a fork of the library's caller, so that the
 * library never re-executes its host (the static TLS tunable jemalloc
 * needs is read only at exec) and every allocator gets a clean process.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench-internal.h"

int main(int argc, char **argv)
{
	int rep_fd;

	if (argc != 3 || strcmp(argv[1], "alloc") != 0 || isatty(0)) {
		fprintf(stderr, "usage: numaplace-bench-helper alloc <allocator>"
			"\n(started by libnumaplace for `numaplace bench alloc`, "
			"with pipes on stdin and stdout)\n");
		return 2;
	}
	/* Replies get a descriptor of their own, and stdout goes to stderr:
	 * nothing an allocator prints can land in the middle of a reply. */
	rep_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (rep_fd < 0)
		return 1;
	if (dup2(2, 1) < 0)
		close(1);
	/* The worker threads never return: leave without running exit
	 * handlers under them. */
	_exit(np_bench_child_serve(argv[2], 0, rep_fd));
}
