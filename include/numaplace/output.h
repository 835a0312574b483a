/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Files the library writes for its caller, whole or not at all (a CSV
 * export; plots go through numaplace/plot.h, which keeps the same rule).
 *
 * A file is written to a new file beside its path ("PATH.tmp-XXXXXX",
 * created with mode 0666 less the umask), flushed to disk and renamed
 * over PATH only when complete; on any failure the temporary file is
 * removed and PATH is as it was.  A caller that will write a file after
 * a long computation checks it first (np_output_check()), so a wrong
 * directory is said before the work, not after it.
 *
 * Errors: 0 or a negative errno with one line in err:
 *   input:  PATH is empty or a directory, its directory does not exist
 *   system: no permission, a full disk
 */
#ifndef NUMAPLACE_OUTPUT_H
#define NUMAPLACE_OUTPUT_H

#include <stddef.h>

#include <numaplace/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether PATH can be written: a temporary file is created beside it
 * and removed again. */
int np_output_check(const char *path, struct np_err *err);

/* Writes buf[0..len) to PATH. */
int np_output_replace(const char *path, const void *buf, size_t len,
		      struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
