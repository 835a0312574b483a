/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One option parser for every command, in the spirit of git's
 * parse_options: a command declares one table of its options and calls
 * cli_parse_options() once.  getopt_long does the scanning underneath, so
 * abbreviations, "--opt=value", bundled short options and permutation
 * behave as getopt_long always made them behave.
 *
 * The table is for parsing only: each command keeps its hand-written
 * usage text (its layout is part of the interface; tests compare it).
 *
 *	const struct cli_option options[] = {
 *		CLI_FLAG('j', "json", &o->json),
 *		CLI_STRING(0, "sysroot", &o->sysroot, "DIR"),
 *		CLI_UNSIGNED(0, "timeout", &o->timeout_s, "S", 1, 86400),
 *		CLI_END(),
 *	};
 *	const struct cli_parser parser = {
 *		"stat", usage_stat, options, CLI_NO_OPERANDS,
 *	};
 *	if (cli_parse_options(&parser, argc, argv, NULL, &rc) == CLI_EXIT)
 *		return rc;
 *
 * -h and --help are always there: they print the usage to stdout.
 */
#ifndef NP_CLI_OPTS_H
#define NP_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What an option's argument is, and so the type *value has. */
enum cli_opt_kind {
	CLI_OPT_END,      /* ends a table */
	CLI_OPT_FLAG,     /* no argument; bool *value becomes true */
	CLI_OPT_BIT,      /* no argument; unsigned *value |= data */
	CLI_OPT_STRING,   /* const char **value: the argument, pointing into argv */
	CLI_OPT_IDS,      /* a node or CPU string ("0-3,!1", "+0", "all"), kept
			   * as a string like CLI_OPT_STRING: it can only be
			   * resolved against the topology and the task's cpuset,
			   * which the command loads after parsing */
	CLI_OPT_UNSIGNED, /* unsigned *value: decimal digits, min..max */
	CLI_OPT_SIZE,     /* uint64_t *value: bytes, "64M" (np_frames_parse_size) */
	CLI_OPT_FRAME,    /* size_t *value: a frame size, 4k (4096) or 2m (2 MiB) */
	CLI_OPT_CALLBACK, /* callback(opt, arg) does the rest */
};

struct cli_option;

/*
 * A callback stores the value itself (opt->value and opt->data are its
 * context) and returns 0, or prints one line (np_err_line) and returns
 * the exit code.  arg is NULL when the option takes no argument.
 */
typedef int cli_option_fn(const struct cli_option *opt, const char *arg);

struct cli_option {
	enum cli_opt_kind kind;
	int short_name;          /* 'v', or 0: long only.  Not 'h', ':', '?' */
	const char *long_name;   /* "verbose", or NULL: short only */
	void *value;             /* where the value goes, of the kind's type */
	const char *argname;     /* the argument's name ("DIR"): NULL exactly
				  * when the option takes no argument */
	unsigned min, max;       /* CLI_OPT_UNSIGNED: the accepted range */
	uintptr_t data;          /* CLI_OPT_BIT: the bits; CLI_OPT_CALLBACK:
				  * anything the callback wants */
	cli_option_fn *callback; /* CLI_OPT_CALLBACK */
	bool arg_optional;       /* CLI_OPT_CALLBACK with an argname: the
				  * argument may be left out ("--shuffle" or
				  * "--shuffle=7", never "--shuffle 7"); the
				  * callback then gets NULL */
};

/*
 * Messages name an option as the user may type it: "--timeout", or "-p"
 * for a short-only one:
 *   "<cmd>: unknown option '--frob'"            "<cmd>: unknown option '-Z'"
 *   "<cmd>: option '--sysroot' needs an argument"
 *   "<cmd>: option '--json' doesn't allow an argument"  (--json=x)
 *   "<cmd>: --timeout: 'x' is not a number from 1 to 86400"
 *   "<cmd>: --frame '8k': expected 4k or 2m"
 *   "<cmd>: --pool: <the library's reason>"     (exit code by its class)
 *   "<cmd>: unexpected argument 'x'"            (with CLI_NO_OPERANDS)
 */

/* Compile-time type check of a value pointer (C11 _Generic). */
#define CLI_TYPED_(type, p) _Generic((p), type: (p))

#define CLI_FLAG(s, l, v) \
	{ .kind = CLI_OPT_FLAG, .short_name = (s), .long_name = (l), \
	  .value = CLI_TYPED_(bool *, v) }
#define CLI_BIT(s, l, v, bits) \
	{ .kind = CLI_OPT_BIT, .short_name = (s), .long_name = (l), \
	  .value = CLI_TYPED_(unsigned *, v), .data = (bits) }
#define CLI_STRING(s, l, v, arg) \
	{ .kind = CLI_OPT_STRING, .short_name = (s), .long_name = (l), \
	  .value = CLI_TYPED_(const char **, v), .argname = (arg) }
#define CLI_IDS(s, l, v, arg) \
	{ .kind = CLI_OPT_IDS, .short_name = (s), .long_name = (l), \
	  .value = CLI_TYPED_(const char **, v), .argname = (arg) }
#define CLI_UNSIGNED(s, l, v, arg, lo, hi) \
	{ .kind = CLI_OPT_UNSIGNED, .short_name = (s), .long_name = (l), \
	  .value = CLI_TYPED_(unsigned *, v), .argname = (arg), \
	  .min = (lo), .max = (hi) }
#define CLI_SIZE(s, l, v, arg) \
	{ .kind = CLI_OPT_SIZE, .short_name = (s), .long_name = (l), \
	  .value = CLI_TYPED_(uint64_t *, v), .argname = (arg) }
#define CLI_FRAME(s, l, v) \
	{ .kind = CLI_OPT_FRAME, .short_name = (s), .long_name = (l), \
	  .value = CLI_TYPED_(size_t *, v), .argname = "4k|2m" }
/* arg NULL: the option takes no argument and the callback gets NULL. */
#define CLI_CALLBACK(s, l, v, arg, fn, d) \
	{ .kind = CLI_OPT_CALLBACK, .short_name = (s), .long_name = (l), \
	  .value = (v), .argname = (arg), .data = (uintptr_t)(d), \
	  .callback = (fn) }
/* The same with an optional argument, getopt's "x::" (see arg_optional). */
#define CLI_CALLBACK_OPTARG(s, l, v, arg, fn, d) \
	{ .kind = CLI_OPT_CALLBACK, .short_name = (s), .long_name = (l), \
	  .value = (v), .argname = (arg), .data = (uintptr_t)(d), \
	  .callback = (fn), .arg_optional = true }
#define CLI_END() { .kind = CLI_OPT_END }

/* At most this many options per table, -h/--help not counted. */
#define CLI_MAX_OPTIONS 40

enum {
	/* getopt's '+': the first operand ends the options, as the
	 * operands are a command line whose options are not ours (run, lab) */
	CLI_STOP_AT_OPERAND = 1u << 0,
	/* the command takes no operands: the first is reported as
	 * "<cmd>: unexpected argument '<it>'" */
	CLI_NO_OPERANDS = 1u << 1,
};

struct cli_parser {
	const char *cmd;                  /* "topo", "bench alloc": starts
					   * every message */
	void (*usage)(FILE *out);         /* -h/--help print it to stdout */
	const struct cli_option *options; /* ends with CLI_END() */
	unsigned flags;                   /* CLI_STOP_AT_OPERAND, ... */
};

/* Whether the command goes on after cli_parse_options(). */
enum cli_next {
	CLI_CONTINUE, /* every option given was stored in its value */
	CLI_EXIT,     /* return *exit_code from the command, nothing else */
};

/*
 * Parses the options in argv[1..argc), argv[0] being the command's name,
 * storing each value as it comes (left to right; a later one overwrites an
 * earlier one).  getopt_long's global state (optind, optarg) is reset first.
 *
 * CLI_CONTINUE: *operand (unless NULL) is the index in argv of the first
 * operand, argc when there is none, and so is optind; getopt may have
 * moved the operands behind the options (unless CLI_STOP_AT_OPERAND).
 *
 * CLI_EXIT, *exit_code is:
 *   NP_EXIT_OK     -h/--help: the usage is on stdout, nothing on stderr;
 *   NP_EXIT_USAGE  an unknown option, a missing argument, a bad value or
 *                  an operand the command does not take: one line on
 *                  stderr, nothing on stdout;
 *   other          what a callback or the library's class of a bad size
 *                  said, after one line on stderr; NP_EXIT_RUNTIME for a
 *                  table longer than CLI_MAX_OPTIONS (a programming error).
 * Parsing stops at the first problem, so there is one line at most.
 */
enum cli_next cli_parse_options(const struct cli_parser *p, int argc,
				char **argv, int *operand, int *exit_code);

/* The shared value parsers, for callbacks and for commands that read a
 * value from elsewhere.  Each prints "<cmd>: <opt>..." and returns the exit
 * code on a bad value, 0 when it stored the value. */
int cli_parse_unsigned(const char *cmd, const char *opt, const char *arg,
		       unsigned min, unsigned max, unsigned *v);
int cli_parse_frame(const char *cmd, const char *opt, const char *arg,
		    size_t *bytes);
int cli_parse_size(const char *cmd, const char *opt, const char *arg,
		   uint64_t *bytes);

#endif
