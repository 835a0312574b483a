/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting and stopping np-move-target (tests/lab/move-target.c), the
 * process whose memory the page mover's lab test (move-driver.c) and
 * its benchmark (bench/migrate-bench.c) move.
 */
#ifndef NP_MOVE_TARGET_CTL_H
#define NP_MOVE_TARGET_CTL_H

#include <stdint.h>
#include <sys/types.h>

struct np_move_target {
	pid_t pid;
	int pidfd;                 /* held from its start to its stop */
	uint64_t addr, len;        /* its memory */
	uint64_t hot, hot_len;     /* the part it keeps writing (len 0: none) */
};

/*
 * Starts exe with mib MiB bound to node, of which [hot_off_mib,
 * +hot_mib) is kept hot, in pages of kind (NULL: 4 KiB, "thp" or
 * "hugetlb"), and waits until it says it is ready.  0, or a negative
 * errno with one line on stderr.
 */
int np_move_target_start(const char *exe, unsigned mib, int node,
			 unsigned hot_off_mib, unsigned hot_mib,
			 const char *kind, struct np_move_target *t);

/* Kills and reaps it, and closes its pidfd. */
void np_move_target_stop(struct np_move_target *t);

#endif
