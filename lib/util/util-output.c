/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Output files written whole or not at all (include/numaplace/output.h):
 * a temporary file beside the target, renamed over it when complete.
 * Plots are drawn by gnuplot reading its script from a memfd and writing
 * the image to the temporary file, its stderr kept in another memfd, so
 * no pipe can fill up and block either side.
 */
#include <numaplace/output.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/util-err.h"
#include "util/util-spawn.h"

extern char **environ;

#define GNUPLOT "gnuplot"
#define GNUPLOT_PACKAGE "gnuplot-nox"

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

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int np_output_replace(const char *path, const void *buf, size_t len,
		      struct np_err *err)
{
	char tmp[PATH_MAX];
	int fd = open_temp(path, tmp, err), e;

	if (fd < 0)
		return fd;
	e = write_all(fd, buf, len);
	if (e) {
		close(fd);
		unlink(tmp);
		return np_fail_errno(err, e, "%s: %s", path, strerror(-e));
	}
	return finish_temp(fd, tmp, path, err);
}

/* ---- plots ---- */

enum np_plot_format np_output_plot_format(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return NP_PLOT_UNKNOWN;
	if (!strcasecmp(dot, ".svg"))
		return NP_PLOT_SVG;
	if (!strcasecmp(dot, ".png"))
		return NP_PLOT_PNG;
	return NP_PLOT_UNKNOWN;
}

static int gnuplot_missing(struct np_err *err)
{
	return np_fail_sys(err, -ENOENT, "gnuplot is not installed (Debian "
			   "package %s): it draws the plots", GNUPLOT_PACKAGE);
}

int np_output_plot_check(const char *path, struct np_err *err)
{
	int e = refuse_directory(path, err);

	if (e)
		return e;
	if (np_output_plot_format(path) == NP_PLOT_UNKNOWN)
		return np_fail_input(err, -EINVAL, "%s: a plot is drawn as .svg "
				     "or .png: name the file so", path);
	if (np_spawn_find(GNUPLOT))
		return gnuplot_missing(err);
	return np_output_check(path, err);
}

/* A memfd holding a, then b. */
static int memfd_with(const char *a, const char *b, size_t blen)
{
	int fd = memfd_create("numaplace-plot", MFD_CLOEXEC), e;

	if (fd < 0)
		return -errno;
	e = write_all(fd, a, strlen(a));
	if (!e)
		e = write_all(fd, b, blen);
	if (!e && lseek(fd, 0, SEEK_SET) < 0)
		e = -errno;
	if (e) {
		close(fd);
		return e;
	}
	return fd;
}

/* gnuplot with stdin `in`, stdout `out`, stderr `errfd`; its wait
 * status, or -errno when it could not be started. */
static int run_gnuplot(int in, int out, int errfd, int *wstatus)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)GNUPLOT, NULL };
	pid_t pid;
	int e = posix_spawn_file_actions_init(&fa);

	if (e)
		return -e;
	e = posix_spawn_file_actions_adddup2(&fa, in, 0);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, out, 1);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	if (!e)
		e = posix_spawnp(&pid, GNUPLOT, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e)
		return -e;
	while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* gnuplot's last non-empty line on stderr, into buf. */
static void last_line(int fd, char *buf, size_t len)
{
	char all[4096];
	ssize_t n = pread(fd, all, sizeof(all) - 1, 0);
	char *end, *start;

	buf[0] = 0;
	if (n <= 0)
		return;
	all[n] = 0;
	end = all + n;
	while (end > all && (end[-1] == '\n' || end[-1] == ' '))
		*--end = 0;
	start = strrchr(all, '\n');
	start = start ? start + 1 : all;
	n = (ssize_t)strlen(start);
	if ((size_t)n >= len)
		n = (ssize_t)len - 1;
	memcpy(buf, start, (size_t)n);
	buf[n] = 0;
}

static const char *terminal_line(enum np_plot_format f)
{
	return f == NP_PLOT_SVG ?
		"set terminal svg size 960,540 dynamic font 'sans,11' "
		"background rgb 'white'\n" :
		"set terminal pngcairo size 960,540 font 'sans,11'\n";
}

int np_output_plot(const char *path, const char *script, size_t len,
		   struct np_err *err)
{
	enum np_plot_format f = np_output_plot_format(path);
	int in = -1, errfd = -1, out, wstatus = 0, e;
	char tmp[PATH_MAX], why[256];

	if (f == NP_PLOT_UNKNOWN)
		return np_output_plot_check(path, err);
	out = open_temp(path, tmp, err);
	if (out < 0)
		return out;
	in = memfd_with(terminal_line(f), script, len);
	errfd = in < 0 ? in : memfd_with("", "", 0);
	e = errfd < 0 ? errfd : run_gnuplot(in, out, errfd, &wstatus);
	if (e == -ENOENT)
		gnuplot_missing(err);
	else if (e)
		np_fail_sys(err, e, "cannot run gnuplot: %s", strerror(-e));
	else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus)) {
		last_line(errfd, why, sizeof(why));
		e = np_fail_sys(err, -EIO, "gnuplot failed drawing %s: %s",
				path, why[0] ? why : "no reason given");
	}
	if (in >= 0)
		close(in);
	if (errfd >= 0)
		close(errfd);
	if (e) {
		close(out);
		unlink(tmp);
		return e;
	}
	return finish_temp(out, tmp, path, err);
}
