/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Output files written whole or not at all (include/numaplace/output.h):
 * a temporary file beside the target, renamed over it when complete.
 */
#include <numaplace/output.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util-err.h"
#include "util/util-fd.h"

/* A temporary file beside path, its name in tmp; the fd, or -errno. */
static int create_temp(const char *path, char tmp[PATH_MAX])
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	for (unsigned i = 0; i < 100; i++) {
		unsigned tag = (unsigned)(t.tv_nsec ^ getpid() * 2654435761u) +
			i * 40503u;
		int fd;

		if (snprintf(tmp, PATH_MAX, "%s.tmp-%06x", path,
			     tag & 0xffffffu) >= PATH_MAX)
			return -ENAMETOOLONG;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

static int refuse_directory(const char *path, struct np_err *err)
{
	struct stat st;
	size_t len = strlen(path);

	if (!len)
		return np_fail_input(err, -EINVAL, "an empty file name");
	if (path[len - 1] == '/' || (stat(path, &st) == 0 &&
				     S_ISDIR(st.st_mode)))
		return np_fail_input(err, -EISDIR, "%s: is a directory", path);
	return 0;
}

/* The temporary file for path, or -errno with err filled. */
static int open_temp(const char *path, char tmp[PATH_MAX], struct np_err *err)
{
	int fd = refuse_directory(path, err);

	if (fd)
		return fd;
	fd = create_temp(path, tmp);
	if (fd < 0)
		return np_fail_errno(err, fd, "%s: %s", path, strerror(-fd));
	return fd;
}

int np_output_check(const char *path, struct np_err *err)
{
	char tmp[PATH_MAX];
	int fd = open_temp(path, tmp, err);

	if (fd < 0)
		return fd;
	close(fd);
	unlink(tmp);
	return 0;
}

/* Flushes fd, closes it and renames tmp over path; tmp removed on
 * failure. */
static int finish_temp(int fd, const char *tmp, const char *path,
		       struct np_err *err)
{
	int e = fsync(fd) ? -errno : 0;

	if (close(fd) && !e)
		e = -errno;
	if (!e && rename(tmp, path))
		e = -errno;
	if (!e)
		return 0;
	unlink(tmp);
	return np_fail_errno(err, e, "%s: %s", path, strerror(-e));
}

int np_output_replace(const char *path, const void *buf, size_t len,
		      struct np_err *err)
{
	char tmp[PATH_MAX];
	int fd = open_temp(path, tmp, err), e;

	if (fd < 0)
		return fd;
	e = np_write_all(fd, buf, len);
	if (e) {
		close(fd);
		unlink(tmp);
		return np_fail_errno(err, e, "%s: %s", path, strerror(-e));
	}
	return finish_temp(fd, tmp, path, err);
}
