/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <numaplace/watch.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/util-err.h"

static void sample_free(struct np_watch_sample *s)
{
	np_numa_maps_free(&s->maps);
	np_topo_free(s->machine);
	*s = (struct np_watch_sample){ 0 };
}

void np_watch_free(struct np_watch *w)
{
	sample_free(&w->peak);
	np_topo_free(w->before);
	w->before = NULL;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static uint64_t resident_bytes(const struct np_numa_maps *m)
{
	uint64_t b = 0;

	for (size_t i = 0; i < m->n; i++)
		for (size_t k = 0; k < m->maps[i].nnodes; k++)
			b += m->maps[i].nodes[k].pages * m->maps[i].page_bytes;
	return b;
}

/* One sample; a failed or empty one is dropped. */
static void take_sample(struct np_watch *w, const struct timespec *t0)
{
	struct np_watch_sample s = { 0 };

	/* A zombie's numa_maps is empty: not a sample. */
	if (np_numa_maps_read("/", w->pid, &s.maps, NULL) || s.maps.n == 0) {
		np_numa_maps_free(&s.maps);
		return;
	}
	if (np_topo_from_sysroot_parts("/", NP_TOPO_BASIC, &s.machine, NULL)) {
		np_numa_maps_free(&s.maps);
		return;
	}
	s.at_ms = ms_since(t0);
	s.bytes = resident_bytes(&s.maps);
	w->samples++;
	w->last_at_ms = s.at_ms;
	w->last_bytes = s.bytes;
	if (!w->peak.machine || s.bytes > w->peak.bytes) {
		sample_free(&w->peak);
		w->peak = s;
	} else {
		sample_free(&s);
	}
}

static void sample_until_exit(struct np_watch *w)
{
	struct timespec t0;
	siginfo_t si;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned n = 0;; n++) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)w->pid, &si,
			   WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == w->pid)
			break;
		take_sample(w, &t0);
		/* Often at first, so that a short command is seen at all. */
		usleep(n < 50 ? 10000 : 100000);
	}
	while (waitpid(w->pid, &w->wait_status, 0) < 0 && errno == EINTR)
		;
}

int np_watch_command(int (*start)(void *ctx), void *ctx, struct np_watch *w,
		     struct np_err *err)
{
	int e;

	*w = (struct np_watch){ .pid = -1 };
	e = np_topo_from_sysroot_parts("/", NP_TOPO_BASIC, &w->before, err);
	if (e)
		return e;
	/* Buffered output of the caller must not be written twice. */
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0)
		return np_fail_sys(err, -errno, "fork: %s", strerror(errno));
	if (w->pid == 0)
		_exit(start(ctx));
	sample_until_exit(w);
	return 0;
}
