/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/util-spawn.h"

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
