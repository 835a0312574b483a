/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the numaplace commands: the command table and user messages. */
#ifndef NP_CLI_H
#define NP_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <numaplace/error.h>

/* Exit codes (like git and numactl scripts expect). */
enum {
	NP_EXIT_OK = 0,
	NP_EXIT_RUNTIME = 1, /* the machine refused: permission, full node */
	NP_EXIT_USAGE = 2,   /* bad option, bad input file, missing dump file */
};

struct np_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
	const char *summary;
};

extern const struct np_cmd np_commands[];

/*
 * Flushes stdout (before anything goes to stderr, so the two stay in
 * order) and keeps the first error for main's one check of stdout, which
 * np_stdout_errno() gives (0: none).
 */
void np_flush_stdout(void);
int np_stdout_errno(void);

/* "numaplace: <msg>" on stderr, one line. */
void np_err_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Text from a dump, a process or a file, made safe for a terminal: every
 * control character (a byte below 0x20, or 0x7f) becomes '?', so an
 * escape sequence in a meminfo field name or a mapped file's name cannot
 * reach the screen.  np_scrub() works in place; np_safe() copies into buf
 * (cut to len) and returns it.  Error lines are scrubbed by the library.
 */
void np_scrub(char *s);
const char *np_safe(const char *s, char *buf, size_t len);

/* The exit code for a library error, by the class the library gave it:
 * the caller's input exits 2, the system's failure 1. */
int np_exit_code(const struct np_err *err);

/*
 * Writes the whole buffer to stdout and flushes; on failure prints why
 * and returns NP_EXIT_RUNTIME.  Commands build their output in memory and
 * write it at the end, so an error never leaves half an output behind.
 */
int np_emit(const char *buf, size_t len);

/*
 * Renders into memory: view(f, ctx) writes to a memory stream whose text
 * lands in *out (*len bytes; the caller frees it).  0, or, when the view
 * failed or memory ran out, "<cmd>: cannot render: out of memory" on
 * stderr and NP_EXIT_RUNTIME.
 */
int np_render(const char *cmd, int (*view)(FILE *f, const void *ctx),
	      const void *ctx, char **out, size_t *len);

int cmd_topo(int argc, char **argv);
void usage_topo(FILE *out);
int cmd_lab(int argc, char **argv);
void usage_lab(FILE *out);
int cmd_where(int argc, char **argv);
void usage_where(FILE *out);
int cmd_run(int argc, char **argv);
void usage_run(FILE *out);
int cmd_stat(int argc, char **argv);
void usage_stat(FILE *out);
int cmd_frames(int argc, char **argv);
void usage_frames(FILE *out);
int cmd_bench(int argc, char **argv);
void usage_bench(FILE *out);
int cmd_ab(int argc, char **argv);
void usage_ab(FILE *out);
int cmd_plan(int argc, char **argv);
void usage_plan(FILE *out);
int cmd_vms(int argc, char **argv);
void usage_vms(FILE *out);
int cmd_apply(int argc, char **argv);
void usage_apply(FILE *out);
/* bench's sub-commands (cmd-bench.c has their table) */
int bench_mem(int argc, char **argv);
void usage_bench_mem(FILE *out);

#endif
