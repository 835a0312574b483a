/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing a whole buffer to a file descriptor. */
#ifndef NP_UTIL_FD_H
#define NP_UTIL_FD_H

#include <stddef.h>

/* Writes buf[0..len) to fd, again after EINTR and short writes; 0 or
 * -errno. */
int np_write_all(int fd, const void *buf, size_t len);

#endif
