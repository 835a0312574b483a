/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "linux/linux-softdirty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linux/linux-parse.h"
#include "linux/linux-proc.h"
#include "util/util-err.h"

/* pagemap has one entry per base page, whatever the mapping's page size */
#define PM_BASE_PAGE 4096u
/* entries read per pread: 32 KiB */
#define PM_CHUNK 4096u

int np_proc_mems_allowed(const struct np_root *r, pid_t pid,
			 struct np_idset *out, struct np_err *err)
{
	static const char key[] = "\nMems_allowed_list:";
	char rel[64], *buf = NULL;
	const char *p, *why = "malformed list";
	size_t len;
	int e;

	snprintf(rel, sizeof(rel), "proc/%d/status", (int)pid);
	e = np_proc_read(r, pid, "status", &buf, &len, err);
	if (e)
		return e;
	p = strstr(buf, key);
	if (!p) {
		free(buf);
		return np_root_fail(r, rel, -EINVAL, err,
				    "no Mems_allowed_list line");
	}
	p += strlen(key);
	p += strspn(p, " \t");
	e = np_parse_idlist(p, strcspn(p, "\n"), NP_MAX_NODES - 1, out, &why);
	free(buf);
	if (e == -ENOMEM)
		return np_fail_sys(err, e, "out of memory");
	if (e)
		return np_root_fail(r, rel, e, err, why);
	return 0;
}

/* The pagemap entry of this process's page at addr, or a negative errno. */
static int self_pagemap_entry(const void *addr, uint64_t *entry)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, entry, sizeof(*entry),
		  (off_t)((uintptr_t)addr / PM_BASE_PAGE * sizeof(*entry)));
	close(fd);
	if (n != (ssize_t)sizeof(*entry))
		return n < 0 ? -errno : -EIO;
	return 0;
}

int np_softdirty_supported(void)
{
	/* A page faulted in by a write is soft-dirty where the kernel keeps
	 * the bits; this process's own bits are not cleared to find out. */
	volatile char *p = mmap(NULL, PM_BASE_PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t entry = 0;
	int e;

	if (p == MAP_FAILED)
		return -errno;
	p[0] = 1;
	e = self_pagemap_entry((const void *)p, &entry);
	munmap((void *)p, PM_BASE_PAGE);
	if (e)
		return e;
	if (!(entry & NP_PAGEMAP_PRESENT))
		return -EIO;
	return (entry & NP_PAGEMAP_SOFT_DIRTY) ? 1 : 0;
}

static int proc_open(const struct np_root *r, pid_t pid, const char *name,
		     int flags, struct np_err *err)
{
	char rel[64];
	int fd;

	snprintf(rel, sizeof(rel), "proc/%d/%s", (int)pid, name);
	fd = openat(r->fd, rel, flags | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return np_fail_input(err, -ESRCH, "no process %d", (int)pid);
	if (errno == EACCES || errno == EPERM)
		return np_fail_sys(err, -EPERM, "/%s: %s (another user's "
				   "process: needs CAP_SYS_NICE and "
				   "CAP_SYS_PTRACE, or root)", rel,
				   strerror(errno));
	return np_root_fail(r, rel, -errno, err, strerror(errno));
}

int np_softdirty_clear(const struct np_root *r, pid_t pid,
		       struct np_err *err)
{
	int fd = proc_open(r, pid, "clear_refs", O_WRONLY, err);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = write(fd, "4", 1);
	if (n != 1) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		if (e == ESRCH)
			return np_fail_input(err, -ESRCH, "no process %d",
					     (int)pid);
		return np_fail_sys(err, -e, "/proc/%d/clear_refs: %s",
				   (int)pid, strerror(e));
	}
	close(fd);
	return 0;
}

int np_softdirty_read(const struct np_root *r, pid_t pid, uint64_t start,
		      uint64_t npages, uint64_t page_bytes, uint8_t *dirty,
		      struct np_err *err)
{
	uint64_t step = page_bytes / PM_BASE_PAGE, *ent;
	int fd;

	if (!step || page_bytes % PM_BASE_PAGE || start % page_bytes)
		return np_fail_input(err, -EINVAL, "pagemap: range not "
				     "aligned to its page size");
	fd = proc_open(r, pid, "pagemap", O_RDONLY, err);
	if (fd < 0)
		return fd;
	ent = malloc(PM_CHUNK * sizeof(*ent));
	if (!ent) {
		close(fd);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	/* A huge page's base-page entries share its flags: its first
	 * entry stands for it, so a huge page reads one entry. */
	for (uint64_t i = 0; i < npages;) {
		uint64_t k = npages - i, want;
		off_t off = (off_t)((start + i * page_bytes) / PM_BASE_PAGE *
				    sizeof(*ent));
		ssize_t got;

		if (step == 1 && k > PM_CHUNK)
			k = PM_CHUNK;
		if (step > 1)
			k = 1;
		want = k * sizeof(*ent);
		got = pread(fd, ent, want, off);
		if (got != (ssize_t)want) {
			int e = got < 0 ? errno : EIO;

			free(ent);
			close(fd);
			if (e == ESRCH)
				return np_fail_input(err, -ESRCH, "no process "
						     "%d", (int)pid);
			return np_fail_sys(err, -e, "/proc/%d/pagemap: %s",
					   (int)pid, strerror(e));
		}
		for (uint64_t j = 0; j < k; j++)
			dirty[i + j] = (ent[j] & NP_PAGEMAP_PRESENT) &&
				       (ent[j] & NP_PAGEMAP_SOFT_DIRTY);
		i += k;
	}
	free(ent);
	close(fd);
	return 0;
}

int np_damon_present(const struct np_root *r)
{
	return np_root_exists(r, "sys/kernel/mm/damon") == 1;
}
