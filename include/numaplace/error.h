/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How libnumaplace reports failure.
 *
 * Every function that can fail returns 0 (or a non-negative count) on
 * success and a negative errno on failure.  Functions that read user
 * input also take an optional `struct np_err *`: on failure it receives
 * one line that names what failed and why, e.g.
 *   "/dump/sys/devices/system/node/node1/distance: fewer entries than nodes"
 * ready to be printed after "numaplace: ".  The library never prints and
 * never exits.
 */
#ifndef NUMAPLACE_ERROR_H
#define NUMAPLACE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

struct np_err {
	int code;       /* the negative errno also returned */
	char msg[640];  /* "<what>: <why>", no trailing newline */
};

/* The library version, "MAJOR.MINOR.PATCH". */
const char *np_version(void);

#ifdef __cplusplus
}
#endif

#endif
