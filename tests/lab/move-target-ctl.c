/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting and stopping np-move-target (move-target-ctl.h). */
#include "move-target-ctl.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int np_move_target_start(const char *exe, unsigned mib, int node,
			 unsigned hot_off_mib, unsigned hot_mib,
			 const char *kind, struct np_move_target *t)
{
	char a_mib[16], a_node[16], a_off[16], a_hot[16], line[256];
	int p[2];
	FILE *f;

	snprintf(a_mib, sizeof(a_mib), "%u", mib);
	snprintf(a_node, sizeof(a_node), "%d", node);
	snprintf(a_off, sizeof(a_off), "%u", hot_off_mib);
	snprintf(a_hot, sizeof(a_hot), "%u", hot_mib);
	if (pipe(p))
		return -errno;
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(exe, exe, a_mib, a_node, a_off, a_hot, kind, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "ready %llx %llu %llx %llu",
		   (unsigned long long *)&t->addr,
		   (unsigned long long *)&t->len,
		   (unsigned long long *)&t->hot,
		   (unsigned long long *)&t->hot_len) != 4) {
		fprintf(stderr, "%s: %s did not start\n",
			program_invocation_short_name, exe);
		if (f)
			fclose(f);
		else
			close(p[0]);
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
		return -EIO;
	}
	fclose(f);
	t->pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
	return t->pidfd < 0 ? -errno : 0;
}

void np_move_target_stop(struct np_move_target *t)
{
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	close(t->pidfd);
}
