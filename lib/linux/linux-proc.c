/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "linux/linux-proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <numaplace/pages.h>

#define TMPFS_MAGIC_ 0x01021994ul
#define RAMFS_MAGIC_ 0x858458f6ul

int np_proc_read(const struct np_root *r, pid_t pid, const char *name,
		 char **buf, size_t *len, struct np_err *err)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "proc/%d", (int)pid);
	if (np_root_exists(r, rel) == 0)
		return np_fail_input(err, -ESRCH, "no process %d", (int)pid);
	snprintf(rel, sizeof(rel), "proc/%d/%s", (int)pid, name);
	/* numa_maps exists only on a kernel built with NUMA */
	if (!strcmp(name, "numa_maps") && np_root_exists(r, rel) == 0 &&
	    np_root_exists(r, "sys/devices/system/node") == 0) {
#define NO_NUMA "process %d: the kernel has no NUMA (no " \
		"%s/sys/devices/system/node): its memory is on no node"
		/* the running kernel is the system; a dump is the input */
		if (!r->path[0])
			return np_fail_sys(err, -ENOENT, NO_NUMA, (int)pid, "");
		return np_fail_input(err, -ENOENT, NO_NUMA, (int)pid, r->path);
#undef NO_NUMA
	}
	return np_root_read(r, rel, buf, len, err);
}

/* proc/self/status says this process runs under a seccomp filter. */
static bool seccomp_filtered(void)
{
	struct np_root r;
	char *buf = NULL;
	const char *f;
	size_t len;
	bool filtered = false;

	if (np_root_open(&r, "/", NULL))
		return false;
	if (np_root_read(&r, "proc/self/status", &buf, &len, NULL) == 0 &&
	    (f = strstr(buf, "\nSeccomp:")))
		/* 0 off, 1 strict, 2 filter (proc(5)) */
		filtered = strtol(f + strlen("\nSeccomp:"), NULL, 10) == 2;
	free(buf);
	np_root_close(&r);
	return filtered;
}

const char *np_numa_eperm_hint(int neg_errno)
{
	/* Docker's default profile allows the NUMA calls only to a
	 * container with CAP_SYS_NICE; --privileged also drops every other
	 * protection, which the calls do not need. */
	if (neg_errno == -EPERM && seccomp_filtered())
		return " (a seccomp filter blocks NUMA system calls here, as a "
		       "container's default profile does without CAP_SYS_NICE: "
		       "start the container with --cap-add SYS_NICE, not "
		       "--privileged)";
	return "";
}

bool np_path_on_memory_fs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st) != 0)
		return false;
	return (unsigned long)st.f_type == TMPFS_MAGIC_ ||
	       (unsigned long)st.f_type == RAMFS_MAGIC_;
}

int np_proc_comm(const char *root, pid_t pid, char *comm, size_t len)
{
	struct np_root r;
	char *buf;
	size_t n;
	int e;

	comm[0] = '\0';
	e = np_root_open(&r, root, NULL);
	if (e)
		return e;
	e = np_proc_read(&r, pid, "comm", &buf, &n, NULL);
	if (!e) {
		snprintf(comm, len, "%.*s", (int)strcspn(buf, "\n"), buf);
		free(buf);
	}
	np_root_close(&r);
	return e;
}

int np_pidfd_alive(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int n;

	/* signal 0: only whether the process exists (and pidfd is one);
	 * then a zombie, which still exists, shows as a readable pidfd */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0) {
		if (errno == ESRCH)
			return 0;
		if (errno != EPERM)
			return -errno;
	}
	n = poll(&pfd, 1, 0);
	if (n < 0)
		return -errno;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	return n == 0;
}

int np_pidfd_exited_within(int pidfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	return n == 1;
}

int np_pidfd_pid(int pidfd, pid_t *pid)
{
	struct np_root r;
	char rel[64], *buf = NULL, *f;
	size_t len;
	int e;

	snprintf(rel, sizeof(rel), "proc/self/fdinfo/%d", pidfd);
	e = np_root_open(&r, "/", NULL);
	if (e)
		return e;
	e = np_root_read(&r, rel, &buf, &len, NULL);
	np_root_close(&r);
	if (e)
		return e == -ENOENT ? -EBADF : e;
	/* a pidfd's fdinfo has "Pid:", other fds do not */
	f = strstr(buf, "\nPid:");
	if (!f && !strncmp(buf, "Pid:", 4))
		f = buf - 1;
	if (!f) {
		free(buf);
		return -EBADF;
	}
	*pid = (pid_t)strtol(f + 5, NULL, 10);
	free(buf);
	return 0;
}
