/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/util-spawn.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int np_spawnattr_clean(posix_spawnattr_t *attr, const sigset_t *mask)
{
	sigset_t none, pipe_default;
	int e;

	sigemptyset(&none);
	sigemptyset(&pipe_default);
	sigaddset(&pipe_default, SIGPIPE);
	e = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK |
				     POSIX_SPAWN_SETSIGDEF);
	if (!e)
		e = posix_spawnattr_setsigmask(attr, mask ? mask : &none);
	if (!e)
		e = posix_spawnattr_setsigdefault(attr, &pipe_default);
	return e;
}

static bool is_executable_file(const char *file)
{
	struct stat st;

	return stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
		access(file, X_OK) == 0;
}

int np_spawn_find(const char *name)
{
	const char *path = getenv("PATH");
	char file[PATH_MAX];

	if (strchr(name, '/'))
		return is_executable_file(name) ? 0 : -ENOENT;
	if (!path || !*path)
		path = "/usr/bin:/bin";
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");

		if (snprintf(file, sizeof(file), "%.*s/%s", (int)n,
			     n ? p : ".", name) < (int)sizeof(file) &&
		    is_executable_file(file))
			return 0;
		p += n;
		if (!*p)
			return -ENOENT;
	}
}
