/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Watching a command's memory while it runs (`numaplace run --report`):
 * where its pages are, by its numa_maps, and what every node's meminfo
 * says, sampled until it exits, so that a command that ends (or is
 * killed) can still be described as it was at its last sample.
 */
#ifndef NUMAPLACE_WATCH_H
#define NUMAPLACE_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <numaplace/error.h>
#include <numaplace/pages.h>
#include <numaplace/topo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One sample: the command's numa_maps, every node's meminfo, when. */
struct np_watch_sample {
	struct np_numa_maps maps;
	struct np_topo *machine;    /* NULL: no sample taken */
	double at_ms;               /* after the start */
	uint64_t bytes;             /* the command's resident pages, all nodes */
};

struct np_watch {
	pid_t pid;
	int wait_status;            /* as waitpid(2) reports it */
	struct np_topo *before;     /* every node's meminfo before the start */
	/* Of the samples at which the command had a numa_maps (a zombie's
	 * is empty), the one with the most memory: a program that frees as
	 * it exits (python) shows little at its last sample, and the peak
	 * is what it used.  peak.machine is NULL when the command ended
	 * before it could be sampled.  Of the last one, when and how much. */
	struct np_watch_sample peak;
	double last_at_ms;
	uint64_t last_bytes;
	unsigned samples;           /* taken, empty ones not counted */
};

/*
 * Forks a child that calls start(ctx) and exits with what it returns;
 * start applies what the child should run under and execs the command
 * (the library execs nothing itself).  The parent samples the child below
 * the live root every 10 ms for the first half second, then every 100 ms,
 * until it exits, and reaps it.  Returns 0 when the child ran (whatever
 * its status), or a negative errno: the nodes' meminfo unreadable, fork
 * refused (class system).  Free w with np_watch_free() in any case.
 */
int np_watch_command(int (*start)(void *ctx), void *ctx, struct np_watch *w,
		     struct np_err *err);
void np_watch_free(struct np_watch *w);

#ifdef __cplusplus
}
#endif

#endif
