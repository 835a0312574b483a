/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The caller's side of one allocator: its helper process started with
 * posix_spawn (the library never forks its host to run code of its own:
 * the host may have threads, and a helper is a clean process anyway), the
 * plan sent, measurements asked for, and a helper that fails dropped with
 * the reason.
 */
#include "bench/bench-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util-spawn.h"

static void wait_for(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

static void close_pipes(struct np_bench_contender *k)
{
	close(k->req_fd);
	close(k->rep_fd);
}

void np_bench_contender_kill(struct np_bench_contender *k)
{
	if (!k->pid)
		return;
	kill(k->pid, SIGKILL);
	close_pipes(k);
	wait_for(k->pid, NULL);
	k->pid = 0;
}

/* The contender is out: why, and its helper gone. */
static void drop(struct np_bench_contender *k, int e, const char *msg)
{
	int status = 0;

	k->measured = false;
	if (e == -EPIPE && k->pid) {
		close_pipes(k);
		wait_for(k->pid, &status);
		k->pid = 0;
		if (WIFSIGNALED(status))
			snprintf(k->why, sizeof(k->why), "its process died: %s",
				 strsignal(WTERMSIG(status)));
		else
			snprintf(k->why, sizeof(k->why),
				 "its process exited with status %d",
				 WEXITSTATUS(status));
		return;
	}
	if (e == -ETIMEDOUT)
		snprintf(k->why, sizeof(k->why), "no answer in %d s",
			 NP_BENCH_REPLY_TIMEOUT_MS / 1000);
	else
		snprintf(k->why, sizeof(k->why), "%s", msg);
	np_bench_contender_kill(k);
}

/* A pipe whose ends are not 0, 1 or 2, so that placing them there in
 * the helper cannot overwrite one with the other. */
static int pipe_above_stdio(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	for (int i = 0; i < 2; i++) {
		int fd;

		if (fds[i] > 2)
			continue;
		fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			int e = -errno;

			close(fds[0]);
			close(fds[1]);
			return e;
		}
		close(fds[i]);
		fds[i] = fd;
	}
	return 0;
}

/*
 * The helper gets the request pipe as stdin, the reply pipe as stdout,
 * stderr as it is, no other descriptor of the host, the signal mask the
 * calling thread had before the run, and SIGPIPE at its default.
 */
static int spawn_helper(const char *helper, const char *name,
			char *const envp[], const sigset_t *mask, int req_rd,
			int rep_wr, pid_t *pid)
{
	char *const argv[] = { (char *)helper, (char *)"alloc", (char *)name,
			       NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int e;

	e = posix_spawn_file_actions_init(&fa);
	if (e)
		return -e;
	e = posix_spawnattr_init(&attr);
	if (e) {
		posix_spawn_file_actions_destroy(&fa);
		return -e;
	}
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, req_rd, 0);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, rep_wr, 1);
	if (!e)
		e = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (!e)
		e = np_spawnattr_clean(&attr, mask);
	if (!e)
		e = posix_spawn(pid, helper, &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -e;
}

static int send_ids(int fd, const unsigned *ids, size_t n)
{
	uint32_t *wire = calloc(n ? n : 1, sizeof(uint32_t));
	int e;

	if (!wire)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		wire[i] = ids[i];
	e = np_bench_write_full(fd, wire, n * sizeof(uint32_t));
	free(wire);
	return e;
}

static int send_plan(int fd, const struct np_bench_plan *pl)
{
	struct np_bench_setup s = {
		.magic = NP_BENCH_PROTO_MAGIC,
		.version = NP_BENCH_PROTO_VERSION,
		.parent_pid = getpid(),
		.nthreads = pl->nthreads,
		.npool_nodes = (uint32_t)pl->npool_nodes,
		.frame_bytes = pl->frame_bytes,
		.alloc_bytes = pl->alloc_bytes,
		.pool_bytes = pl->pool_bytes,
		.target_ns = pl->target_ns,
		.cpu_clock = pl->cpu_clock,
	};
	int e = np_bench_write_full(fd, &s, sizeof(s));

	if (!e)
		e = send_ids(fd, pl->cpus, pl->nthreads);
	if (!e)
		e = send_ids(fd, pl->nodes, pl->nthreads);
	if (!e)
		e = send_ids(fd, pl->pool_nodes, pl->npool_nodes);
	return e;
}

/* Pipes and a helper on their other ends; k->pid is 0 on failure. */
static int start_helper(struct np_bench_contender *k, const char *helper,
			char *const envp[], const sigset_t *mask)
{
	int req[2], rep[2];
	int e = pipe_above_stdio(req);

	if (e)
		return e;
	e = pipe_above_stdio(rep);
	if (e) {
		close(req[0]);
		close(req[1]);
		return e;
	}
	e = spawn_helper(helper, k->a->name, envp, mask, req[0], rep[1],
			 &k->pid);
	close(req[0]);
	close(rep[1]);
	k->req_fd = req[1];
	k->rep_fd = rep[0];
	if (e) {
		k->pid = 0;
		close_pipes(k);
	}
	return e;
}

int np_bench_contender_start(struct np_bench_contender *k,
			     const struct np_bench_plan *pl, const char *helper,
			     char *const envp[], const sigset_t *mask,
			     char *why, size_t len)
{
	struct np_bench_reply r;
	int e = start_helper(k, helper, envp, mask);

	if (e) {
		snprintf(why, len, "cannot start the bench helper %s: %s%s",
			 helper, strerror(-e), e == -ENOENT ?
			 " (" NP_BENCH_HELPER_ENV " names another)" : "");
		return e;
	}
	r.msg[0] = 0;
	e = send_plan(k->req_fd, pl);
	if (!e)
		e = np_bench_read_full(k->rep_fd, &r, sizeof(r),
				       NP_BENCH_REPLY_TIMEOUT_MS);
	if (!e && r.status)
		e = r.status;
	k->measured = !e;
	if (e) {
		drop(k, e, r.msg);
		return 0;
	}
	memcpy(k->frames, r.frames, sizeof(k->frames));
	snprintf(k->note, sizeof(k->note), "%s", r.msg);
	return 0;
}

void np_bench_contender_measure(struct np_bench_contender *k,
				const struct np_bench_plan *pl, unsigned cfg,
				unsigned round)
{
	struct np_bench_request q = { np_bench_config_threads(pl, cfg) };
	struct np_bench_reply r;
	int e = np_bench_write_full(k->req_fd, &q, sizeof(q));

	r.msg[0] = 0;
	if (!e)
		e = np_bench_read_full(k->rep_fd, &r, sizeof(r),
				       NP_BENCH_REPLY_TIMEOUT_MS);
	if (!e && r.status)
		e = r.status;
	if (e) {
		drop(k, e, r.msg);
		return;
	}
	for (int m = 0; m < NP_BENCH_NMODES; m++)
		k->ns[cfg][m][round] = r.ns[m];
}

void np_bench_contenders_stop(struct np_bench_contender *ks, size_t n)
{
	struct np_bench_request quit = { 0 };

	for (size_t i = 0; i < n; i++)
		if (ks[i].pid)
			np_bench_write_full(ks[i].req_fd, &quit, sizeof(quit));
	for (size_t i = 0; i < n; i++) {
		if (!ks[i].pid)
			continue;
		close_pipes(&ks[i]);
		wait_for(ks[i].pid, NULL);
		ks[i].pid = 0;
	}
}
