/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A running QEMU as /proc shows it (linux-qemu.h): proc/PID/{comm,
 * cmdline,maps,status} and proc/PID/task/TID/{comm,stat,status}, all
 * below a root.
 */
#include "linux/linux-qemu.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/linux-parse.h"
#include "linux/linux-proc.h"
#include "util/util-err.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

bool np_qemu_name_is_qemu(const char *name)
{
	return !strncmp(name, "qemu-system-", 12) || !strcmp(name, "qemu-kvm");
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The first line of a file below r, without its newline, into buf. */
static int read_line(const struct np_root *r, const char *rel, char *buf,
		     size_t len)
{
	char *text;
	size_t n;
	int e = np_root_read(r, rel, &text, &n, NULL);

	if (e)
		return e;
	snprintf(buf, len, "%.*s", (int)strcspn(text, "\n"), text);
	free(text);
	return 0;
}

int np_qemu_proc_is_qemu(const struct np_root *r, pid_t pid,
			 struct np_err *err)
{
	char rel[64], comm[64];
	char *cmd;
	size_t len;
	int e;

	snprintf(rel, sizeof(rel), "proc/%d", (int)pid);
	if (np_root_exists(r, rel) != 1)
		return np_fail_input(err, -ESRCH, "no process %d", (int)pid);
	snprintf(rel, sizeof(rel), "proc/%d/comm", (int)pid);
	if (read_line(r, rel, comm, sizeof(comm)) == 0 &&
	    np_qemu_name_is_qemu(comm))
		return 1;
	snprintf(rel, sizeof(rel), "proc/%d/cmdline", (int)pid);
	e = np_root_read(r, rel, &cmd, &len, NULL);
	if (e)
		return 0;
	/* argv[0] ends at the first NUL; its base name */
	{
		const char *slash = strrchr(cmd, '/');

		e = np_qemu_name_is_qemu(slash ? slash + 1 : cmd);
	}
	free(cmd);
	return e;
}

int np_qemu_list(const struct np_root *r, pid_t **pids, size_t *n,
		 struct np_err *err)
{
	char **names;
	size_t nn;
	int e = np_root_list(r, "proc", &names, &nn, err);

	*pids = NULL;
	*n = 0;
	if (e)
		return e;
	*pids = calloc(nn ? nn : 1, sizeof(**pids));
	if (!*pids) {
		np_root_list_free(names, nn);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nn; i++) {
		pid_t pid;

		if (!all_digits(names[i]))
			continue;
		pid = (pid_t)strtol(names[i], NULL, 10);
		/* a process that ended meanwhile is simply not listed */
		if (np_qemu_proc_is_qemu(r, pid, NULL) == 1)
			(*pids)[(*n)++] = pid;
	}
	np_root_list_free(names, nn);
	/* np_root_list sorts by name: "10" before "9" */
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && (*pids)[j - 1] > (*pids)[j]; j--) {
			pid_t t = (*pids)[j];

			(*pids)[j] = (*pids)[j - 1];
			(*pids)[j - 1] = t;
		}
	return 0;
}

void np_qemu_cmdline_free(char **argv, size_t argc)
{
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

int np_qemu_cmdline(const struct np_root *r, pid_t pid, char ***argv,
		    size_t *argc, struct np_err *err)
{
	char *buf, **v;
	size_t len, n = 0;
	int e = np_proc_read(r, pid, "cmdline", &buf, &len, err);

	*argv = NULL;
	*argc = 0;
	if (e)
		return e;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	if (len && buf[len - 1] != '\0')
		n++;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		free(buf);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0, at = 0; i < n; i++) {
		v[i] = strndup(buf + at, len - at);
		if (!v[i]) {
			np_qemu_cmdline_free(v, i);
			free(buf);
			return np_fail_sys(err, -ENOMEM, "out of memory");
		}
		at += strlen(v[i]) + 1;
	}
	free(buf);
	*argv = v;
	*argc = n;
	return 0;
}

void np_qemu_threads_free(struct np_qemu_thread *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		np_idset_free(&t[i].allowed);
	free(t);
}

/*
 * task/TID/stat: "tid (comm) S ppid ..."; the comm may hold spaces and
 * parentheses, so the fields count from the last ')'.  Field 39 is the
 * CPU the thread last ran on (proc(5) "processor").
 */
static int stat_last_cpu(const char *stat)
{
	const char *p = strrchr(stat, ')');
	int field = 2;

	if (!p)
		return -1;
	p++;
	while (*p && field < 39) {
		while (*p == ' ')
			p++;
		field++;
		if (field == 39)
			break;
		p += strcspn(p, " ");
	}
	if (field != 39 || !isdigit((unsigned char)*p))
		return -1;
	return (int)strtol(p, NULL, 10);
}

/* "Key:\tvalue" of a status file, as a list: the set, or -ENOENT. */
static int status_list(const char *status, const char *key,
		       struct np_idset *out)
{
	const char *why, *p = status;
	size_t klen = strlen(key);

	*out = (struct np_idset){ 0 };
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			const char *v = p + klen + 1;

			v += strspn(v, " \t");
			return np_parse_idlist(v, strcspn(v, "\n"),
					       NP_MAX_CPUS - 1, out, &why);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

static int read_thread(const struct np_root *r, pid_t pid, pid_t tid,
		       struct np_qemu_thread *t)
{
	char rel[96], *buf;
	size_t len;
	int e;

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->last_cpu = -1;
	snprintf(rel, sizeof(rel), "proc/%d/task/%d/comm", (int)pid, (int)tid);
	e = read_line(r, rel, t->comm, sizeof(t->comm));
	if (e)
		return e;
	snprintf(rel, sizeof(rel), "proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (np_root_read(r, rel, &buf, &len, NULL) == 0) {
		t->last_cpu = stat_last_cpu(buf);
		free(buf);
	}
	snprintf(rel, sizeof(rel), "proc/%d/task/%d/status", (int)pid,
		 (int)tid);
	e = np_root_read(r, rel, &buf, &len, NULL);
	if (e)
		return e;
	e = status_list(buf, "Cpus_allowed_list", &t->allowed);
	free(buf);
	return e == -ENOMEM ? e : 0;
}

int np_qemu_threads(const struct np_root *r, pid_t pid,
		    struct np_qemu_thread **out, size_t *n,
		    struct np_err *err)
{
	char rel[64], **names;
	size_t nn;
	int e;

	*out = NULL;
	*n = 0;
	snprintf(rel, sizeof(rel), "proc/%d", (int)pid);
	if (np_root_exists(r, rel) != 1)
		return np_fail_input(err, -ESRCH, "no process %d", (int)pid);
	snprintf(rel, sizeof(rel), "proc/%d/task", (int)pid);
	e = np_root_list(r, rel, &names, &nn, err);
	if (e)
		return e;
	*out = calloc(nn ? nn : 1, sizeof(**out));
	if (!*out) {
		np_root_list_free(names, nn);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nn && !e; i++) {
		struct np_qemu_thread *t = &(*out)[*n];

		if (!all_digits(names[i]))
			continue;
		e = read_thread(r, pid, (pid_t)strtol(names[i], NULL, 10), t);
		if (e == -ENOMEM)
			break;
		if (e) {
			/* the thread ended meanwhile */
			np_idset_free(&t->allowed);
			e = 0;
			continue;
		}
		(*n)++;
	}
	np_root_list_free(names, nn);
	if (e) {
		np_qemu_threads_free(*out, *n);
		*out = NULL;
		*n = 0;
		return np_fail_sys(err, e, "out of memory");
	}
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && (*out)[j - 1].tid > (*out)[j].tid;
		     j--) {
			struct np_qemu_thread tmp = (*out)[j];

			(*out)[j] = (*out)[j - 1];
			(*out)[j - 1] = tmp;
		}
	return 0;
}

int np_qemu_vcpu_of_thread_name(const char *comm)
{
	char *end;
	long v;

	if (strncmp(comm, "CPU ", 4) || !isdigit((unsigned char)comm[4]))
		return -1;
	v = strtol(comm + 4, &end, 10);
	if (*end != '/' || v < 0 || v > 65535)
		return -1;
	return (int)v;
}

void np_proc_vmas_free(struct np_proc_vma *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* "start-end perms offset dev inode   path" */
static int parse_vma(char *line, struct np_proc_vma *v)
{
	char *end, *p;

	memset(v, 0, sizeof(*v));
	v->start = strtoull(line, &end, 16);
	if (*end != '-')
		return -EINVAL;
	v->end = strtoull(end + 1, &end, 16);
	if (*end != ' ' || v->end < v->start)
		return -EINVAL;
	snprintf(v->perms, sizeof(v->perms), "%.4s", end + 1);
	/* skip perms, offset, dev, inode */
	p = end;
	for (int f = 0; f < 4 && p; f++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
	}
	p += strspn(p, " ");
	if (*p) {
		v->path = strdup(p);
		if (!v->path)
			return -ENOMEM;
	}
	return 0;
}

int np_proc_vmas(const struct np_root *r, pid_t pid, struct np_proc_vma **out,
		 size_t *n, struct np_err *err)
{
	char *buf, *line, *save = NULL;
	size_t len, cap = 0;
	int e = np_proc_read(r, pid, "maps", &buf, &len, err);

	*out = NULL;
	*n = 0;
	if (e)
		return e;
	for (line = strtok_r(buf, "\n", &save); line && !e;
	     line = strtok_r(NULL, "\n", &save)) {
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct np_proc_vma *nv = realloc(*out,
							 ncap * sizeof(*nv));

			if (!nv) {
				e = -ENOMEM;
				break;
			}
			*out = nv;
			cap = ncap;
		}
		e = parse_vma(line, &(*out)[*n]);
		if (!e)
			(*n)++;
	}
	free(buf);
	if (e) {
		np_proc_vmas_free(*out, *n);
		*out = NULL;
		*n = 0;
		if (e == -ENOMEM)
			return np_fail_sys(err, e, "out of memory");
		return np_fail_sys(err, e, "%s/proc/%d/maps: a line that is "
				   "not 'start-end perms ...'", r->path,
				   (int)pid);
	}
	return 0;
}

int np_proc_allowed(const struct np_root *r, pid_t pid, struct np_idset *mems,
		    struct np_idset *cpus, struct np_err *err)
{
	char *buf;
	size_t len;
	int e = np_proc_read(r, pid, "status", &buf, &len, err);

	*mems = (struct np_idset){ 0 };
	*cpus = (struct np_idset){ 0 };
	if (e)
		return e;
	e = status_list(buf, "Mems_allowed_list", mems);
	if (!e)
		e = status_list(buf, "Cpus_allowed_list", cpus);
	free(buf);
	if (e) {
		np_idset_free(mems);
		np_idset_free(cpus);
		if (e == -ENOMEM)
			return np_fail_sys(err, e, "out of memory");
		return np_fail_sys(err, e, "%s/proc/%d/status: no "
				   "Mems_allowed_list or Cpus_allowed_list",
				   r->path, (int)pid);
	}
	return 0;
}

long np_proc_euid(const struct np_root *r, pid_t pid)
{
	char *buf;
	const char *u;
	size_t len;
	long uid = -1;

	if (np_proc_read(r, pid, "status", &buf, &len, NULL))
		return -1;
	u = strstr(buf, "\nUid:");
	if (u) {
		char *end;

		strtol(u + 5, &end, 10);          /* real */
		uid = strtol(end, &end, 10);      /* effective */
	}
	free(buf);
	return uid;
}

int np_pidfd_open(pid_t pid, struct np_err *err)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return np_fail_errno(err, -errno, "process %d: pidfd_open: %s",
				     (int)pid, strerror(errno));
	return (int)fd;
}

bool np_self_has_cap_sys_nice(void)
{
	struct np_root r;
	char *buf = NULL;
	const char *c;
	size_t len;
	bool has = false;

	if (np_root_open(&r, "/", NULL))
		return false;
	if (np_root_read(&r, "proc/self/status", &buf, &len, NULL) == 0 &&
	    (c = strstr(buf, "\nCapEff:")))
		/* CAP_SYS_NICE is capability 23 (linux/capability.h) */
		has = (strtoull(c + 8, NULL, 16) >> 23) & 1;
	free(buf);
	np_root_close(&r);
	return has;
}
