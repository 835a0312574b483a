/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Files the library writes for its caller, whole or not at all: data
 * (a CSV export) and plots drawn by gnuplot.
 *
 * Each is written to a new file beside its path ("PATH.tmp-XXXXXX",
 * created with mode 0666 less the umask), flushed to disk and renamed
 * over PATH only when complete; on any failure the temporary file is
 * removed and PATH is as it was.  A caller that will write a file after
 * a long computation checks it first (np_output_check(),
 * np_output_plot_check()), so a wrong directory is said before the work,
 * not after it.
 *
 * Errors: 0 or a negative errno with one line in err:
 *   input:  PATH is a directory, its directory does not exist, a plot
 *           whose name ends neither in .svg nor in .png
 *   system: no permission, a full disk; gnuplot not installed (-ENOENT,
 *           err names the Debian package) or failing (-EIO, with its
 *           last line of stderr)
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

enum np_plot_format {
	NP_PLOT_UNKNOWN,
	NP_PLOT_SVG,      /* gnuplot's svg terminal */
	NP_PLOT_PNG,      /* gnuplot's pngcairo terminal */
};

/* By the name's ending, .svg or .png in any case. */
enum np_plot_format np_output_plot_format(const char *path);

/* np_output_check(), and a known format, and gnuplot on PATH. */
int np_output_plot_check(const char *path, struct np_err *err);

/*
 * Draws PATH with gnuplot from `script`, which sets everything but the
 * terminal and the output: the library starts the script with the
 * terminal of PATH's format at 960 x 540 ("set terminal svg size 960,540
 * dynamic ..." or "set terminal pngcairo size 960,540 ..."), and
 * gnuplot's standard output is the temporary file.
 */
int np_output_plot(const char *path, const char *script, size_t len,
		   struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
