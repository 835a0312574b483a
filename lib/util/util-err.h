/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Filling a struct np_err (include/numaplace/error.h).  Each failure site
 * says whose fault it is; the helpers return `code` so a site reads
 * `return np_fail_input(err, -EINVAL, "...", ...);`.  err may be NULL.
 */
#ifndef NP_UTIL_ERR_H
#define NP_UTIL_ERR_H

#include <numaplace/error.h>

/* The caller's input was wrong: an option, a file's content, an id. */
int np_fail_input(struct np_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The system failed or refused: memory, permission, I/O, a kernel call. */
int np_fail_sys(struct np_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A call on something the caller named (a path, a process, a node) that
 * the kernel refused with `code`: what the errno says about that object
 * decides.  It is missing or malformed (ENOENT, ENOTDIR, EINVAL, ESRCH,
 * ...): the input.  It exists but the system would not (EACCES, EPERM,
 * ENOMEM, EIO, EAGAIN, EBUSY, EINTR, ENOSPC, EMFILE, ENFILE, ETIMEDOUT,
 * EROFS): the system.
 */
int np_fail_errno(struct np_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The class np_fail_errno() gives `code`. */
enum np_err_class np_err_class_of_errno(int code);

#endif
