/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every process the library starts with posix_spawn gets, so that
 * none inherits the caller's signal state by accident.
 */
#ifndef NP_UTIL_SPAWN_H
#define NP_UTIL_SPAWN_H

#include <signal.h>
#include <spawn.h>

/*
 * Sets attr (initialized by the caller) so that the child starts with
 * the signal mask *mask (NULL: nothing blocked) and SIGPIPE at its
 * default action, whatever the caller ignores.  0 or a positive errno,
 * as the posix_spawnattr_* calls return them.
 */
int np_spawnattr_clean(posix_spawnattr_t *attr, const sigset_t *mask);

/*
 * Whether posix_spawnp would find `name`: a name with a '/' must be an
 * executable file there, any other an executable file in a directory of
 * PATH (unset or empty: /usr/bin:/bin; an empty entry: the current
 * directory).  0, or -ENOENT.
 */
int np_spawn_find(const char *name);

#endif
