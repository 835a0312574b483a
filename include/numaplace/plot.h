/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plots through gnuplot: a caller's script rendered to an SVG or PNG file,
 * written whole or not at all (a temporary file beside the target,
 * renamed over it once gnuplot has finished without error).
 */
#ifndef NUMAPLACE_PLOT_H
#define NUMAPLACE_PLOT_H

#include <stddef.h>

#include <numaplace/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Whether path can name a plot: it ends in .svg or .png and its
 * directory exists.  0, or -EINVAL / -ENOENT (class input) naming the
 * file and why.
 */
int np_plot_check_path(const char *path, struct np_err *err);

/*
 * Whether gnuplot is there to draw (an executable "gnuplot" in PATH), for
 * a caller that plots at the end of a long run and would rather refuse
 * before it.  0, or -ENOENT (system) with np_plot_render()'s message.
 */
int np_plot_available(struct np_err *err);

/*
 * Runs gnuplot on `script` (len bytes, gnuplot 5 syntax, without `set
 * terminal` and `set output`, which are set here from path's extension:
 * svg, or pngcairo for .png) and puts the result at path.  width and
 * height in pixels.  gnuplot's own messages go nowhere but into err.
 * 0, or a negative errno: the path's as np_plot_check_path(); -ENOENT
 * (system) without gnuplot; -EIO (system) when gnuplot failed, with its
 * first line of complaint; the errors of mkstemp, rename.
 */
int np_plot_render(const char *script, size_t len, const char *path,
		   unsigned width, unsigned height, struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
