/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How libnumaplace reports failure: one contract for every public call.
 *
 * A call that can fail returns 0 (or a non-negative count) on success and
 * a negative errno on failure; a call that returns a pointer returns NULL
 * and, where it takes one, fills the `struct np_err`.  Every call that can
 * fail for more than one reason takes an optional `struct np_err *` (NULL:
 * no message wanted).  On failure it holds:
 *   - code: the negative errno also returned;
 *   - cls: whose fault it was, decided by the library where it knows the
 *     context, never to be guessed again from the errno by the caller:
 *       NP_ERR_INPUT   the caller's input: an option value, a malformed
 *                      file, a node that does not exist, a dump missing a
 *                      file (numaplace exits 2);
 *       NP_ERR_SYSTEM  the system: out of memory, a missing permission, a
 *                      full node, a kernel refusal, an I/O error, a child
 *                      that hung (numaplace exits 1);
 *   - msg: one line "<what>: <why>", e.g.
 *       "/dump/sys/devices/system/node/node1/distance: fewer entries than nodes"
 *     ready to be printed after "numaplace: ".
 * The library never prints and never exits.
 */
#ifndef NUMAPLACE_ERROR_H
#define NUMAPLACE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum np_err_class {
	NP_ERR_NONE = 0,    /* no failure recorded */
	NP_ERR_INPUT = 1,   /* the caller's input was wrong */
	NP_ERR_SYSTEM = 2,  /* the system could not or would not */
};

struct np_err {
	int code;               /* the negative errno also returned */
	enum np_err_class cls;  /* set by the library with the message */
	char msg[640];          /* "<what>: <why>", no trailing newline */
};

/* The library version, "MAJOR.MINOR.PATCH". */
const char *np_version(void);

#ifdef __cplusplus
}
#endif

#endif
