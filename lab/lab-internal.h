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

/*
 * The caller's files, checked before anything is built or started: the
 * --kernel and each payload file must be regular files (not a FIFO, which
 * would block, nor a directory), and payload names must not collide with
 * each other or with the guest's own programs.  Errors are the input's.
 */
int np_lab_check_inputs(const struct np_lab_opts *opts, struct np_err *err);

/*
 * This run's initramfs as a memfd (*out_fd): the cached initrd followed by
 * np-run/nonce and, when stdin_fd >= 0, np-run/stdin (stdin_fd read to
 * its end).
 */
int np_lab_run_initrd(const char *initrd, const char *nonce, int stdin_fd,
		      int *out_fd, struct np_err *err);

/* cpio "newc" pieces: a header (name included and padded; the caller
 * writes len bytes of data and pads them to 4), and the trailer. */
int np_lab_cpio_header(int fd, unsigned ino, unsigned mode, unsigned rmajor,
		       unsigned rminor, const char *name, size_t len);
int np_lab_cpio_trailer(int fd);

/* Finds an executable in PATH; returns a malloc'd path or NULL. */
char *np_lab_which(const char *name);

/* Runs argv with stdin from in_fd (-1: /dev/null) and stdout to out_fd
 * (-1: /dev/null), stderr to /dev/null; returns the exit status or -errno. */
int np_lab_spawn_wait(char *const *argv, int in_fd, int out_fd);

#endif
