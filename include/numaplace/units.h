/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Numbers as users and files write them: the one checked decimal parser
 * behind every count, id and PID numaplace reads (options, node:weight
 * lists, ids in strings).  Decimal digits only: no sign, no blank, no
 * base prefix, no exponent; a value above the limit is an error, never
 * truncated to a narrower type.
 */
#ifndef NUMAPLACE_UNITS_H
#define NUMAPLACE_UNITS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The whole string s as a number <= max: 0, -EINVAL (empty, or not only
 * digits), -ERANGE (above max; *out untouched). */
int np_parse_decimal(const char *s, uint64_t max, uint64_t *out);

/* A number <= max at *s, followed by anything: *s moves past its digits.
 * -EINVAL when *s does not start with a digit, -ERANGE above max. */
int np_scan_decimal(const char **s, uint64_t max, uint64_t *out);

/* Bytes as a short human size with binary units: "16 KiB", "1.5 GiB",
 * "512 B" (one decimal unless whole).  Returns buf. */
const char *np_format_bytes(char *buf, size_t len, uint64_t bytes);

#ifdef __cplusplus
}
#endif

#endif
