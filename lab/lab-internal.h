/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lab's image builder and runner share these; not installed. */
#ifndef NP_LAB_INTERNAL_H
#define NP_LAB_INTERNAL_H

#include "lab.h"

struct np_lab_image {
	char *kernel;      /* ELF vmlinux (PVH entry) or bzImage to boot */
	char *initrd;      /* cached cpio */
	char *cache_dir;
};

/*
 * Finds the kernel (decompressing a bzImage once into the cache), builds
 * or reuses the initramfs for opts->payload, and fills img.  Errors name
 * the missing package or the unreadable file.
 */
int np_lab_image_prepare(const struct np_lab_opts *opts,
			 struct np_lab_image *img, struct np_err *err);
void np_lab_image_release(struct np_lab_image *img);

/* Finds an executable in PATH; returns a malloc'd path or NULL. */
char *np_lab_which(const char *name);

/* Runs argv with stdin from in_fd (-1: /dev/null) and stdout to out_fd
 * (-1: /dev/null), stderr to /dev/null; returns the exit status or -errno. */
int np_lab_spawn_wait(char *const *argv, int in_fd, int out_fd);

#endif
