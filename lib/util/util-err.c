/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/util-err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

static int fail(struct np_err *err, enum np_err_class cls, int code,
		const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	err->cls = cls;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	/* One line, always: names from a dump or a JSON key may carry
	 * newlines or terminal escapes; show them as '?'. */
	for (char *p = err->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return code;
}

int np_fail_input(struct np_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = fail(err, NP_ERR_INPUT, code, fmt, ap);
	va_end(ap);
	return code;
}

int np_fail_sys(struct np_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = fail(err, NP_ERR_SYSTEM, code, fmt, ap);
	va_end(ap);
	return code;
}

enum np_err_class np_err_class_of_errno(int code)
{
	switch (-code) {
	case EACCES: case EPERM: case ENOMEM: case EIO: case EAGAIN:
	case EBUSY: case EINTR: case ENOSPC: case EMFILE: case ENFILE:
	case ETIMEDOUT: case EROFS: case EDQUOT: case EFAULT:
		return NP_ERR_SYSTEM;
	default:
		return NP_ERR_INPUT;
	}
}

int np_fail_errno(struct np_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = fail(err, np_err_class_of_errno(code), code, fmt, ap);
	va_end(ap);
	return code;
}
