/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every command says to the user: error lines, exit codes, output. */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The first error writing stdout, kept: a failed flush discards the
 * buffer, and errno is long overwritten when main checks stdout. */
static int stdout_errno;

void np_flush_stdout(void)
{
	int saved = errno;     /* callers report their own errno after this */

	errno = 0;
	if (fflush(stdout) != 0 && !stdout_errno)
		stdout_errno = errno ? errno : EIO;
	errno = saved;
}

int np_stdout_errno(void)
{
	return stdout_errno;
}

void np_err_line(const char *fmt, ...)
{
	va_list ap;

	np_flush_stdout();
	fputs("numaplace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void np_scrub(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

const char *np_safe(const char *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s);
	np_scrub(buf);
	return buf;
}

int np_exit_code(const struct np_err *err)
{
	return err->cls == NP_ERR_SYSTEM ? NP_EXIT_RUNTIME : NP_EXIT_USAGE;
}

int np_emit(const char *buf, size_t len)
{
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		np_err_line("write to standard output: %s", strerror(errno));
		return NP_EXIT_RUNTIME;
	}
	return NP_EXIT_OK;
}

int np_render(const char *cmd, int (*view)(FILE *f, const void *ctx),
	      const void *ctx, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	int e = f ? view(f, ctx) : -ENOMEM;

	if (f && ferror(f))
		e = -ENOMEM;
	if (f && fclose(f) && !e)
		e = -ENOMEM;
	if (e) {
		free(*out);
		*out = NULL;
		np_err_line("%s: cannot render: out of memory", cmd);
		return NP_EXIT_RUNTIME;
	}
	return 0;
}
