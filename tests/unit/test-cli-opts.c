/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CLI's shared option parser (tools/numaplace/cli/cli-opts.c): what
 * each kind stores, the operand index, '+' mode, the exit codes and the
 * exact message lines.  The commands' use of it is tested in tests/cli.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli-opts.h"

struct opts {
	bool flag;
	unsigned bits, count;
	const char *name, *nodes;
	uint64_t size_bytes;
	size_t frame_bytes;
	int calls;        /* of remember() */
	uintptr_t data;   /* the last remember() saw */
	const char *arg;  /* ditto */
};

static int usage_calls;

static void usage_t(FILE *out)
{
	(void)out;
	usage_calls++;
}

static int remember(const struct cli_option *opt, const char *arg)
{
	struct opts *o = opt->value;

	o->calls++;
	o->data = opt->data;
	o->arg = arg;
	return arg && strcmp(arg, "fail") == 0 ? 42 : 0;
}

/* What the last parse wrote to stderr (np_err_line), without its '\n'. */
static char err_line[512];

struct capture {
	FILE *file;
	int saved_fd;
};

static void capture_stderr(struct capture *c)
{
	c->file = tmpfile();
	assert_non_null(c->file);
	fflush(stderr);
	c->saved_fd = dup(STDERR_FILENO);
	dup2(fileno(c->file), STDERR_FILENO);
}

/* Into err_line; at most one line may have been written. */
static void end_capture(struct capture *c)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved_fd, STDERR_FILENO);
	close(c->saved_fd);
	rewind(c->file);
	n = fread(err_line, 1, sizeof(err_line) - 1, c->file);
	err_line[n] = '\0';
	fclose(c->file);
	assert_true(n == 0 || (err_line[n - 1] == '\n' &&
			       strchr(err_line, '\n') == err_line + n - 1));
	if (n)
		err_line[n - 1] = '\0';
}

/* argv is NULL-terminated; argv[0] is the command's name. */
static enum cli_next parse(struct opts *o, unsigned flags, char **argv,
			   int *operand, int *code)
{
	const struct cli_option options[] = {
		CLI_FLAG('f', "flag", &o->flag),
		CLI_BIT('a', "bit-a", &o->bits, 1u),
		CLI_BIT(0, "bit-b", &o->bits, 4u),
		CLI_STRING('n', "name", &o->name, "NAME"),
		CLI_IDS(0, "nodes", &o->nodes, "NODES"),
		CLI_UNSIGNED(0, "count", &o->count, "N", 2, 10),
		CLI_SIZE(0, "size", &o->size_bytes, "SIZE"),
		CLI_FRAME(0, "frame", &o->frame_bytes),
		CLI_CALLBACK('c', "call", o, "X", remember, 7),
		CLI_CALLBACK(0, "call-flag", o, NULL, remember, 9),
		CLI_CALLBACK('s', NULL, o, "S", remember, 11),
		CLI_CALLBACK_OPTARG('o', "opt", o, "SEED", remember, 13),
		CLI_END(),
	};
	const struct cli_parser p = { "t", usage_t, options, flags };
	struct capture cap;
	enum cli_next next;
	int argc = 0;

	while (argv[argc])
		argc++;
	capture_stderr(&cap);
	next = cli_parse_options(&p, argc, argv, operand, code);
	end_capture(&cap);
	return next;
}

#define ARGV(...) ((char *[]){ "t", __VA_ARGS__, NULL })

static void test_every_kind_stores(void **state)
{
	struct opts o = { 0 };
	int operand = -1, code = -1;

	(void)state;
	assert_int_equal(parse(&o, 0, ARGV("-f", "op1", "--bit-b", "-a",
			 "--name=x", "-n", "y", "--nodes", "0-3,!1", "--count",
			 "10", "--size", "64K", "--frame", "2M", "-c", "v", "op2",
			 "--call-flag"), &operand, &code), CLI_CONTINUE);
	assert_true(o.flag);
	assert_int_equal(o.bits, 5);
	assert_string_equal(o.name, "y");            /* the last one wins */
	assert_string_equal(o.nodes, "0-3,!1");      /* kept as given */
	assert_int_equal(o.count, 10);
	assert_int_equal(o.size_bytes, 65536);
	assert_int_equal(o.frame_bytes, 2u << 20);
	assert_int_equal(o.calls, 2);
	assert_int_equal(o.data, 9);
	assert_null(o.arg);                          /* takes no argument */
	assert_string_equal(err_line, "");
	/* getopt moved the operands behind the options, in order */
	assert_int_equal(operand, 20 - 2);
	assert_int_equal(optind, operand);
}

/* An optional argument comes with '=' (or glued to -o), never as the
 * next word: "--opt 5" is --opt without one and an operand 5. */
static void test_optional_argument(void **state)
{
	struct opts o = { 0 };
	int operand = -1, code = -1;

	(void)state;
	assert_int_equal(parse(&o, 0, ARGV("--opt"), &operand, &code),
			 CLI_CONTINUE);
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.data, 13);
	assert_null(o.arg);
	assert_int_equal(parse(&o, 0, ARGV("--opt=7"), &operand, &code),
			 CLI_CONTINUE);
	assert_string_equal(o.arg, "7");
	assert_int_equal(parse(&o, 0, ARGV("-o9"), &operand, &code),
			 CLI_CONTINUE);
	assert_string_equal(o.arg, "9");
	assert_int_equal(parse(&o, 0, ARGV("--opt", "5"), &operand, &code),
			 CLI_CONTINUE);
	assert_null(o.arg);
	assert_int_equal(operand, 2);                /* "5" */
	/* the callback's verdict on the value stands */
	assert_int_equal(parse(&o, 0, ARGV("--opt=fail"), &operand, &code),
			 CLI_EXIT);
	assert_int_equal(code, 42);
	assert_string_equal(err_line, "");
}

static void test_operands(void **state)
{
	char **argv = ARGV("-f", "cmd", "-a", "--frob");
	struct opts o = { 0 };
	int operand = -1, code = -1;

	(void)state;
	/* '+': the first operand ends the options; -a and --frob are CMD's */
	assert_int_equal(parse(&o, CLI_STOP_AT_OPERAND, argv, &operand, &code),
			 CLI_CONTINUE);
	assert_int_equal(operand, 2);
	assert_string_equal(argv[operand], "cmd");
	assert_int_equal(o.bits, 0);
	/* none at all: operand is argc */
	assert_int_equal(parse(&o, CLI_NO_OPERANDS, ARGV("-f"), &operand,
			       &code), CLI_CONTINUE);
	assert_int_equal(operand, 2);
	assert_int_equal(parse(&o, CLI_NO_OPERANDS, ARGV("-f", "x", "y"),
			       &operand, &code), CLI_EXIT);
	assert_int_equal(code, NP_EXIT_USAGE);
	assert_string_equal(err_line, "numaplace: t: unexpected argument 'x'");
}

static void test_help(void **state)
{
	struct opts o = { 0 };
	int code = -1;

	(void)state;
	usage_calls = 0;
	assert_int_equal(parse(&o, 0, ARGV("-f", "--help", "--frob"), NULL,
			       &code), CLI_EXIT);
	assert_int_equal(code, NP_EXIT_OK);
	assert_int_equal(usage_calls, 1);
	assert_string_equal(err_line, "");
	assert_int_equal(parse(&o, 0, ARGV("-fh"), NULL, &code), CLI_EXIT);
	assert_int_equal(code, NP_EXIT_OK);
	assert_int_equal(usage_calls, 2);
	/* an earlier problem wins */
	assert_int_equal(parse(&o, 0, ARGV("--frob", "--help"), NULL, &code),
			 CLI_EXIT);
	assert_int_equal(code, NP_EXIT_USAGE);
	assert_int_equal(usage_calls, 2);
}

struct bad_case {
	const char *arg1, *arg2;
	int code;
	const char *line;
};

static void test_bad_input(void **state)
{
	static const struct bad_case cases[] = {
		{ "--frob", NULL, 2, "numaplace: t: unknown option '--frob'" },
		{ "-Z", NULL, 2, "numaplace: t: unknown option '-Z'" },
		{ "--bit", NULL, 2, "numaplace: t: unknown option '--bit'" },
		{ "--name", NULL, 2, "numaplace: t: option '--name' needs an argument" },
		{ "-n", NULL, 2, "numaplace: t: option '-n' needs an argument" },
		{ "-s", NULL, 2, "numaplace: t: option '-s' needs an argument" },
		{ "--flag=1", NULL, 2, "numaplace: t: option '--flag' doesn't allow an argument" },
		{ "--bit-b=1", NULL, 2, "numaplace: t: option '--bit-b' doesn't allow an argument" },
		{ "--count", "1", 2, "numaplace: t: --count: '1' is not a number from 2 to 10" },
		{ "--count", "11", 2, "numaplace: t: --count: '11' is not a number from 2 to 10" },
		{ "--count", "+5", 2, "numaplace: t: --count: '+5' is not a number from 2 to 10" },
		{ "--count", "4294967298", 2, "numaplace: t: --count: '4294967298' is not a number from 2 to 10" },
		{ "--frame", "8k", 2, "numaplace: t: --frame '8k': expected 4k or 2m" },
		{ "--size", "12Q", 2, NULL },
		{ "-c", "fail", 42, "" },  /* the callback's code, its own line */
		{ "-s", "fail", 42, "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct opts o = { .count = 3 };
		char *argv[] = { "t", (char *)c->arg1, (char *)c->arg2, NULL };
		int code = -1;

		assert_int_equal(parse(&o, 0, argv, NULL, &code), CLI_EXIT);
		assert_int_equal(code, c->code);
		if (c->line)
			assert_string_equal(err_line, c->line);
		else
			assert_true(strncmp(err_line, "numaplace: t: --size: size '12Q': ",
					    34) == 0);
		assert_int_equal(o.count, 3);  /* a bad value is not stored */
	}
}

static void test_unsigned_bounds(void **state)
{
	struct opts o = { 0 };
	int code = -1;

	(void)state;
	assert_int_equal(parse(&o, 0, ARGV("--count", "2"), NULL, &code),
			 CLI_CONTINUE);
	assert_int_equal(o.count, 2);
	assert_int_equal(parse(&o, 0, ARGV("--count=0010"), NULL, &code),
			 CLI_CONTINUE);
	assert_int_equal(o.count, 10);
	assert_int_equal(cli_parse_unsigned("t", "--n", "0", 0, 0, &o.count), 0);
	assert_int_equal(o.count, 0);
}

static void test_too_many_options(void **state)
{
	struct cli_option many[CLI_MAX_OPTIONS + 2];
	bool flag = false;
	struct cli_parser p = { "t", usage_t, many, 0 };
	char *argv[] = { "t", NULL };
	struct capture cap;
	int code = -1;

	(void)state;
	for (size_t i = 0; i <= CLI_MAX_OPTIONS; i++)
		many[i] = (struct cli_option)CLI_FLAG(0, "x", &flag);
	many[CLI_MAX_OPTIONS + 1] = (struct cli_option)CLI_END();
	capture_stderr(&cap);
	assert_int_equal(cli_parse_options(&p, 1, argv, NULL, &code), CLI_EXIT);
	end_capture(&cap);
	assert_int_equal(code, NP_EXIT_RUNTIME);
	assert_string_equal(err_line, "numaplace: t: internal error: more than "
			    "40 options");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_stores),
		cmocka_unit_test(test_optional_argument),
		cmocka_unit_test(test_operands),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_unsigned_bounds),
		cmocka_unit_test(test_too_many_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
