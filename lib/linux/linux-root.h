/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reads files relative to a root directory fd, so that the live machine
 * ("/") and a dump directory are read by the same code.  Paths handed to
 * these functions are relative ("sys/devices/system/node/online"); the
 * module that names them is topo-sysfs.c.  Error messages name the path
 * as the user would type it: "<root>/<rel>" (or "/<rel>" for the live root).
 */
#ifndef NP_LINUX_ROOT_H
#define NP_LINUX_ROOT_H

#include <stdarg.h>
#include <stddef.h>

#include <numaplace/error.h>

#include "util/util-err.h"

struct np_root {
	int fd;         /* O_PATH|O_DIRECTORY fd of the root */
	char *path;     /* as given, without trailing '/' ("" for "/") */
};

int np_root_open(struct np_root *r, const char *path, struct np_err *err);
void np_root_close(struct np_root *r);

/*
 * Reads a whole file into a malloc'd, NUL-terminated buffer (*len excludes
 * the NUL).  Files larger than 16 MiB are -EFBIG.  On failure fills err
 * with "<path>: <strerror>" unless err is NULL.
 */
int np_root_read(const struct np_root *r, const char *rel, char **buf,
		 size_t *len, struct np_err *err);

/* 1 when rel exists (any type), 0 when not, negative errno otherwise. */
int np_root_exists(const struct np_root *r, const char *rel);

/*
 * Lists the entries of directory rel (without "." and ".."), sorted by
 * name; *names is a malloc'd array of malloc'd strings.
 */
int np_root_list(const struct np_root *r, const char *rel, char ***names,
		 size_t *n, struct np_err *err);
void np_root_list_free(char **names, size_t n);

/*
 * Opens a user-named input file for reading without blocking in open(2)
 * (a FIFO with no writer would hang there) and refuses anything that is
 * not a regular file: err says "<path>: is a directory" or "<path>: not a
 * regular file", class input (np_read_file() opens with it).  Returns the
 * fd (O_CLOEXEC, back in blocking mode) or a negative errno with err
 * filled as np_fail_errno() does.
 */
int np_open_regular(const char *path, struct np_err *err);

/* Reads a whole file by ordinary path (user-named input files). */
int np_read_file(const char *path, char **buf, size_t *len,
		 struct np_err *err);

/*
 * The few paths of the running process itself live here too, beside the
 * root-relative readers: an fd's path (/dev/fd/N, to hand a memfd to
 * another program or to link an O_TMPFILE), the running executable, and
 * reading an fd's whole content from its start.
 */
void np_proc_fd_path(int fd, char *buf, size_t len);
int np_link_tmpfile(int fd, const char *path);
int np_self_exe(char *buf, size_t len);
int np_read_fd_all(int fd, char **buf, size_t *len);

/* Sets err to "<root>/<rel>: <why>" and returns code.  The class: the
 * system's below the live root, by np_fail_errno() below a dump. */
int np_root_fail(const struct np_root *r, const char *rel, int code,
		 struct np_err *err, const char *why);

#endif
