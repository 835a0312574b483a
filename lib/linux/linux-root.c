/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "linux/linux-root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#define NP_MAX_FILE_BYTES (16u << 20)

int np_root_fail(const struct np_root *r, const char *rel, int code,
		 struct np_err *err, const char *why)
{
	/* Below the live root the kernel wrote every file: what is missing
	 * or unreadable there is the system's doing.  Below a dump, the
	 * dump is the caller's input unless the system refused to read it. */
	if (!r->path[0])
		return np_fail_sys(err, code, "/%s: %s", rel, why);
	return np_fail_errno(err, code, "%s/%s: %s", r->path, rel, why);
}

int np_root_open(struct np_root *r, const char *path, struct np_err *err)
{
	size_t n = strlen(path);

	r->fd = -1;
	r->path = NULL;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 1 && path[0] == '/')
		n = 0;
	r->path = strndup(path, n);
	if (!r->path)
		return np_fail_sys(err, -ENOMEM, "%s: out of memory", path);
	r->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0) {
		int e = -errno;

		free(r->path);
		r->path = NULL;
		return np_fail_errno(err, e, "%s: %s", path, strerror(-e));
	}
	return 0;
}

void np_root_close(struct np_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	r->fd = -1;
	r->path = NULL;
}

static int read_fd(int fd, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);

	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *nb;

			if (cap >= NP_MAX_FILE_BYTES) {
				free(b);
				return -EFBIG;
			}
			cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			got = -errno;
			free(b);
			return (int)got;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/*
 * Opens for reading without waiting (a FIFO's open blocks until a writer
 * comes) and accepts only what a file of sysfs, procfs, a dump or a
 * user's input file is: a regular file.  0 with *fd open, or -errno with
 * *why set (NULL: strerror of it).
 */
static int open_regular(int dirfd, const char *path, int *fd,
			const char **why)
{
	struct stat st;

	*why = NULL;
	*fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0)
		return -errno;
	if (fstat(*fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		*why = "not a regular file";
		return -EINVAL;
	}
	/* Blocking reads from here: a regular file never blocks anyway,
	 * but the flag is not ours to leave behind. */
	fcntl(*fd, F_SETFL, 0);
	return 0;
}

int np_root_read(const struct np_root *r, const char *rel, char **buf,
		 size_t *len, struct np_err *err)
{
	const char *why;
	int fd, e;

	*buf = NULL;
	*len = 0;
	e = open_regular(r->fd, rel, &fd, &why);
	if (e)
		return np_root_fail(r, rel, e, err, why ? why : strerror(-e));
	e = read_fd(fd, buf, len);
	close(fd);
	if (e)
		return np_root_fail(r, rel, e, err, strerror(-e));
	return 0;
}

int np_open_regular(const char *path, struct np_err *err)
{
	const char *why;
	int fd, e;

	e = open_regular(AT_FDCWD, path, &fd, &why);
	if (e == -EISDIR)
		return np_fail_input(err, e, "%s: is a directory", path);
	if (e)
		return np_fail_errno(err, e, "%s: %s", path,
				     why ? why : strerror(-e));
	return fd;
}

int np_read_file(const char *path, char **buf, size_t *len,
		 struct np_err *err)
{
	int fd, e;

	*buf = NULL;
	*len = 0;
	fd = np_open_regular(path, err);
	if (fd < 0)
		return fd;
	e = read_fd(fd, buf, len);
	close(fd);
	if (e)
		return np_fail_errno(err, e, "%s: %s", path,
			       e == -EISDIR ? "is a directory" : strerror(-e));
	return 0;
}

/* /dev/fd/N: the descriptor's name as another program (or linkat) can
 * open it; the kernel resolves it through the process's fd directory. */
void np_proc_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/fd/%d", fd);
}

/* O_TMPFILE files get a name by linking their fd's path (open(2)). */
int np_link_tmpfile(int fd, const char *path)
{
	char name[64];

	np_proc_fd_path(fd, name, sizeof(name));
	if (linkat(AT_FDCWD, name, AT_FDCWD, path, AT_SYMLINK_FOLLOW) &&
	    errno != EEXIST)
		return -errno;
	return 0;
}

/* The program as exec(2) was given it (AT_EXECFN; right also under
 * valgrind), made absolute: this process never changes directory before
 * asking. */
int np_self_exe(char *buf, size_t len)
{
	const char *fn = (const char *)getauxval(AT_EXECFN);
	char *abs;

	if (!fn)
		return -ENOENT;
	abs = realpath(fn, NULL);
	if (!abs)
		return -errno;
	if (strlen(abs) >= len) {
		free(abs);
		return -ENAMETOOLONG;
	}
	strcpy(buf, abs);
	free(abs);
	return 0;
}

int np_read_fd_all(int fd, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return read_fd(fd, buf, len);
}

int np_root_exists(const struct np_root *r, const char *rel)
{
	struct stat st;

	if (fstatat(r->fd, rel, &st, 0) == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void np_root_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int push_name(char ***names, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **nn = realloc(*names, ncap * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		*names = nn;
		*cap = ncap;
	}
	(*names)[*n] = strdup(s);
	if (!(*names)[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

int np_root_list(const struct np_root *r, const char *rel, char ***names,
		 size_t *n, struct np_err *err)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int fd, e = 0;

	*names = NULL;
	*n = 0;
	fd = openat(r->fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		e = -errno;
		return np_root_fail(r, rel, e, err, strerror(-e));
	}
	d = fdopendir(fd);
	if (!d) {
		e = -errno;
		close(fd);
		return np_root_fail(r, rel, e, err, strerror(-e));
	}
	while (!e && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		e = push_name(names, n, &cap, de->d_name);
	}
	closedir(d);
	if (e) {
		np_root_list_free(*names, *n);
		*names = NULL;
		*n = 0;
		return np_root_fail(r, rel, e, err, strerror(-e));
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_names);
	return 0;
}
