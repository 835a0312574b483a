/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plots through gnuplot (numaplace/plot.h): the script goes to gnuplot's
 * stdin from a memfd and its stderr into another, so nothing it says
 * reaches the caller's terminal and no pipe can raise SIGPIPE here.
 */
#include <numaplace/plot.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util-err.h"
#include "util/util-fd.h"
#include "util/util-spawn.h"

extern char **environ;

static const char *terminal_of(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && !strcmp(path + n - 4, ".svg"))
		return "svg dynamic enhanced font 'sans,11'";
	if (n > 4 && !strcmp(path + n - 4, ".png"))
		return "pngcairo enhanced font 'sans,10'";
	return NULL;
}

int np_plot_check_path(const char *path, struct np_err *err)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;

	if (!terminal_of(path))
		return np_fail_input(err, -EINVAL, "%s: a plot is an .svg or a "
				     ".png file", path);
	if (strchr(path, '\n') || strchr(path, '\''))
		return np_fail_input(err, -EINVAL, "%s: a plot's name cannot "
				     "hold a newline or a quote", path);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? path : ".");
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return np_fail_input(err, -ENOENT, "%s: no directory %s", path,
				     dir);
	return 0;
}

/* The memfd gnuplot reads: terminal, output, the script, the end. */
static int script_fd(const char *script, size_t len, const char *tmp,
		     const char *term, unsigned w, unsigned h)
{
	int fd = memfd_create("np-plot", MFD_CLOEXEC);
	char head[4352];
	int e;

	if (fd < 0)
		return -errno;
	snprintf(head, sizeof(head), "set terminal %s size %u,%u\n"
		 "set output '%s'\n", term, w, h, tmp);
	e = np_write_all(fd, head, strlen(head));
	if (!e)
		e = np_write_all(fd, script, len);
	if (!e)
		e = np_write_all(fd, "\nunset output\n", 14);
	if (!e && lseek(fd, 0, SEEK_SET) < 0)
		e = -errno;
	if (e) {
		close(fd);
		return e;
	}
	return fd;
}

/* gnuplot's first line that says something, from its stderr memfd. */
static void first_complaint(int fd, char *buf, size_t len)
{
	char text[2048];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	char *p = text;

	buf[0] = 0;
	if (n <= 0)
		return;
	text[n] = 0;
	while (*p == '\n' || *p == ' ')
		p++;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = '?';
}

static int spawn_gnuplot(int in, int errfd, int *status)
{
	char *argv[] = { "gnuplot", NULL };
	posix_spawn_file_actions_t fa;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	pid_t pid;
	int e;

	if (null < 0)
		return -errno;
	e = posix_spawn_file_actions_init(&fa);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, in, 0);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, null, 1);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	if (!e)
		e = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(null);
	if (e)
		return -e;
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int not_installed(struct np_err *err)
{
	return np_fail_sys(err, -ENOENT, "gnuplot: not installed (Debian: "
			   "gnuplot-nox)");
}

int np_plot_available(struct np_err *err)
{
	return np_spawn_find("gnuplot") ? not_installed(err) : 0;
}

static int run(const char *script, size_t len, const char *tmp,
	       const char *path, unsigned w, unsigned h, struct np_err *err)
{
	int in = script_fd(script, len, tmp, terminal_of(path), w, h);
	int errfd = memfd_create("np-plot-err", MFD_CLOEXEC);
	char why[240];
	struct stat st;
	int status = 0, e;

	if (in < 0 || errfd < 0) {
		e = in < 0 ? in : -errno;
		if (in >= 0)
			close(in);
		return np_fail_sys(err, e, "gnuplot's input: %s", strerror(-e));
	}
	e = spawn_gnuplot(in, errfd, &status);
	first_complaint(errfd, why, sizeof(why));
	close(in);
	close(errfd);
	if (e == -ENOENT)
		return not_installed(err);
	if (e)
		return np_fail_sys(err, e, "gnuplot: %s", strerror(-e));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return np_fail_sys(err, -EIO, "gnuplot failed%s%s",
				   why[0] ? ": " : "", why);
	if (stat(tmp, &st) || st.st_size == 0)
		return np_fail_sys(err, -EIO, "gnuplot wrote nothing");
	return 0;
}

int np_plot_render(const char *script, size_t len, const char *path,
		   unsigned width, unsigned height, struct np_err *err)
{
	char *tmp = NULL;
	mode_t mask;
	int fd, e = np_plot_check_path(path, err);

	if (e)
		return e;
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	fd = mkstemp(tmp);
	if (fd < 0) {
		e = -errno;
		free(tmp);
		return np_fail_errno(err, e, "%s: %s", path, strerror(-e));
	}
	/* mkstemp's 0600 is for secrets; a plot is an ordinary file. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	close(fd);
	e = run(script, len, tmp, path, width, height, err);
	if (!e && rename(tmp, path))
		e = np_fail_errno(err, -errno, "%s: %s", path, strerror(errno));
	if (e)
		unlink(tmp);
	free(tmp);
	return e;
}
