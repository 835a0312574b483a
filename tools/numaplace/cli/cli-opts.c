/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table-driven option parser every command uses (cli-opts.h). */
#include "cli/cli-opts.h"
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/frames.h>
#include <numaplace/units.h>

/*
 * getopt_long names an option by its val: a short option by its letter,
 * a long-only one by its table index above every char, so that the two
 * never collide and no long-only option gains a short form.
 */
#define LONG_ONLY_VAL 256

/* Room for ':'/'+', "h", and "x::" per option, and the NUL. */
#define SHORTOPTS_LEN (2 + 1 + 3 * CLI_MAX_OPTIONS + 1)

static int option_val(const struct cli_option *opts, size_t i)
{
	return opts[i].short_name ? opts[i].short_name :
		LONG_ONLY_VAL + (int)i;
}

static const struct cli_option *find_option(const struct cli_option *opts,
					    int val)
{
	for (size_t i = 0; opts[i].kind != CLI_OPT_END; i++)
		if (option_val(opts, i) == val)
			return &opts[i];
	return NULL;
}

/* How messages name an option: "--timeout", or "-p" without a long name. */
#define OPTION_NAME_LEN 64

static const char *option_name(const struct cli_option *opt,
			       char name[OPTION_NAME_LEN])
{
	if (opt->long_name)
		snprintf(name, OPTION_NAME_LEN, "--%s", opt->long_name);
	else
		snprintf(name, OPTION_NAME_LEN, "-%c", opt->short_name);
	return name;
}

/*
 * Builds getopt_long's two descriptions from the table; false when the
 * table is more than they have room for (a programming error).
 */
static bool build_getopt(const struct cli_parser *p, char *shortopts,
			 struct option *longopts)
{
	const struct cli_option *opts = p->options;
	size_t s = 0, l = 0, i;

	if (p->flags & CLI_STOP_AT_OPERAND)
		shortopts[s++] = '+';
	/* ':' first: a missing argument is ':', apart from an unknown '?' */
	shortopts[s++] = ':';
	shortopts[s++] = 'h';
	for (i = 0; opts[i].kind != CLI_OPT_END; i++) {
		int has_arg = !opts[i].argname ? no_argument :
			opts[i].arg_optional ? optional_argument :
			required_argument;

		if (i == CLI_MAX_OPTIONS)
			return false;
		if (opts[i].short_name) {
			shortopts[s++] = (char)opts[i].short_name;
			if (has_arg != no_argument)
				shortopts[s++] = ':';
			if (has_arg == optional_argument)
				shortopts[s++] = ':';
		}
		if (opts[i].long_name)
			longopts[l++] = (struct option){ opts[i].long_name,
				has_arg, NULL, option_val(opts, i) };
	}
	shortopts[s] = '\0';
	longopts[l++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[l] = (struct option){ NULL, 0, NULL, 0 };
	return true;
}

/*
 * After getopt_long returned ':' or '?': one line, exit 2.  '?' with
 * optopt naming one of our options can only mean "--name=value" for an
 * option that takes no value.
 */
static int report_bad_option(const struct cli_parser *p, int c, char **argv)
{
	const struct cli_option *known = find_option(p->options, optopt);
	char name[OPTION_NAME_LEN];

	if (c == ':')
		np_err_line("%s: option '%s' needs an argument", p->cmd,
			    argv[optind - 1]);
	else if (known)
		np_err_line("%s: option '%s' doesn't allow an argument", p->cmd,
			    option_name(known, name));
	else if (optopt == 'h')
		np_err_line("%s: option '--help' doesn't allow an argument", p->cmd);
	else if (optopt)
		np_err_line("%s: unknown option '-%c'", p->cmd, optopt);
	else
		np_err_line("%s: unknown option '%s'", p->cmd, argv[optind - 1]);
	return NP_EXIT_USAGE;
}

static int store_value(const struct cli_parser *p,
		       const struct cli_option *opt, const char *arg)
{
	char name[OPTION_NAME_LEN];

	switch (opt->kind) {
	case CLI_OPT_FLAG:
		*(bool *)opt->value = true;
		return 0;
	case CLI_OPT_BIT:
		*(unsigned *)opt->value |= (unsigned)opt->data;
		return 0;
	case CLI_OPT_STRING:
	case CLI_OPT_IDS:
		/* No option means anything by an empty path, list or name;
		 * said here, not as "numaplace: : No such file". */
		if (!*arg) {
			np_err_line("%s: %s: empty argument", p->cmd,
				    option_name(opt, name));
			return NP_EXIT_USAGE;
		}
		*(const char **)opt->value = arg;
		return 0;
	case CLI_OPT_UNSIGNED:
		return cli_parse_unsigned(p->cmd, option_name(opt, name), arg,
					  opt->min, opt->max, opt->value);
	case CLI_OPT_SIZE:
		return cli_parse_size(p->cmd, option_name(opt, name), arg,
				      opt->value);
	case CLI_OPT_FRAME:
		return cli_parse_frame(p->cmd, option_name(opt, name), arg,
				       opt->value);
	case CLI_OPT_CALLBACK:
		return opt->callback(opt, arg);
	case CLI_OPT_END:
		break;
	}
	return NP_EXIT_USAGE;
}

/* The end of the loop: help, a bad option, or a value that did not parse. */
static enum cli_next stop(int *exit_code, int code)
{
	*exit_code = code;
	return CLI_EXIT;
}

enum cli_next cli_parse_options(const struct cli_parser *p, int argc,
				char **argv, int *operand, int *exit_code)
{
	struct option longopts[CLI_MAX_OPTIONS + 2];
	char shortopts[SHORTOPTS_LEN];
	int c, rc;

	if (!build_getopt(p, shortopts, longopts)) {
		np_err_line("%s: internal error: more than %d options", p->cmd,
			    CLI_MAX_OPTIONS);
		return stop(exit_code, NP_EXIT_RUNTIME);
	}
	opterr = 0;
	/* 0, not 1: glibc and musl then forget an earlier parse entirely,
	 * including whether it was in '+' mode */
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			p->usage(stdout);
			return stop(exit_code, NP_EXIT_OK);
		}
		if (c == ':' || c == '?')
			return stop(exit_code, report_bad_option(p, c, argv));
		rc = store_value(p, find_option(p->options, c), optarg);
		if (rc)
			return stop(exit_code, rc);
	}
	if ((p->flags & CLI_NO_OPERANDS) && optind < argc) {
		np_err_line("%s: unexpected argument '%s'", p->cmd, argv[optind]);
		return stop(exit_code, NP_EXIT_USAGE);
	}
	if (operand)
		*operand = optind;
	return CLI_CONTINUE;
}

/* ---- the shared value parsers ---- */

/* Digits only: strtoul alone would also take " 5", "+5" and "-1". */

int cli_parse_unsigned(const char *cmd, const char *opt, const char *arg,
		       unsigned min, unsigned max, unsigned *v)
{
	uint64_t x = 0;

	/* the library's one checked decimal parser: digits only, no wrap */
	if (np_parse_decimal(arg, max, &x) || x < min) {
		np_err_line("%s: %s: '%s' is not a number from %u to %u", cmd,
			    opt, arg, min, max);
		return NP_EXIT_USAGE;
	}
	*v = (unsigned)x;
	return 0;
}

int cli_parse_frame(const char *cmd, const char *opt, const char *arg,
		    size_t *bytes)
{
	if (strcmp(arg, "4k") == 0 || strcmp(arg, "4K") == 0) {
		*bytes = 4096;
	} else if (strcmp(arg, "2m") == 0 || strcmp(arg, "2M") == 0) {
		*bytes = (size_t)2 << 20;
	} else {
		np_err_line("%s: %s '%s': expected 4k or 2m", cmd, opt, arg);
		return NP_EXIT_USAGE;
	}
	return 0;
}

int cli_parse_size(const char *cmd, const char *opt, const char *arg,
		   uint64_t *bytes)
{
	struct np_err err = { 0 };

	if (np_frames_parse_size(arg, bytes, &err)) {
		np_err_line("%s: %s: %s", cmd, opt, err.msg);
		return np_exit_code(&err);
	}
	return 0;
}
