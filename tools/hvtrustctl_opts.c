// SPDX-License-Identifier: GPL-2.0
/* hvtrustctl's option parsing (a table of options per command, read with getopt_long) and messages. */
/* Context: user space (root). */
#include <assert.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hvtrustctl_opts.h"

/*
 * getopt_long returns this plus the table index for a long option, so that
 * long-only options need no made-up short letter; above any char value.
 */
#define CLI_LONG_VAL_BASE	0x100

static const char *command;
static char first_error[1024];
static int first_errno;
static bool have_error;

void cli_set_command(const char *name)
{
	command = name;
}

static void vreport(const char *fmt, va_list ap, const char *tail)
{
	char message[sizeof(first_error)];

	vsnprintf(message, sizeof(message), fmt, ap);
	fprintf(stderr, "hvtrustctl: %s%s%s%s\n", command ? command : "", command ? ": " : "",
		message, tail);
	if (!have_error) {
		memcpy(first_error, message, sizeof(first_error));
		have_error = true;
	}
}

void cli_error(int err, const char *fmt, ...)
{
	va_list ap;
	bool first = !have_error;

	va_start(ap, fmt);
	vreport(fmt, ap, "");
	va_end(ap);
	if (first)
		first_errno = err;
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, " (try 'hvtrustctl --help')");
	va_end(ap);
}

const char *cli_first_error(int *err)
{
	*err = first_errno;
	return have_error ? first_error : NULL;
}

static void apply_option(const struct cli_option *option)
{
	if (option->flag)
		*option->flag = true;
	if (option->value)
		*option->value = optarg ? optarg : option->fallback;
}

/* The table entry getopt_long's return @val stands for, or NULL. */
static const struct cli_option *find_option(const struct cli_option *options, size_t count,
					    int val)
{
	size_t i;

	if (val >= CLI_LONG_VAL_BASE && (size_t)(val - CLI_LONG_VAL_BASE) < count)
		return &options[val - CLI_LONG_VAL_BASE];
	for (i = 0; i < count; i++)
		if (options[i].short_name && options[i].short_name == val)
			return &options[i];
	return NULL;
}

/*
 * getopt_long's own messages start with argv[0], a path at the top level and
 * the command after it: they are silenced (opterr = 0) and said here instead.
 * @val is what it returned ('?' or ':'), @word the argument it stopped at.
 */
static void report_invalid(const struct cli_option *options, size_t count, int val,
			   const char *word)
{
	const struct cli_option *option = optopt ? find_option(options, count, optopt) : NULL;
	size_t i, len, matches = 0;

	if (option && val == ':') {
		if (optopt >= CLI_LONG_VAL_BASE)
			cli_usage_error("option '--%s' needs a value", option->long_name);
		else
			cli_usage_error("option '-%c' needs a value", option->short_name);
		return;
	}
	if (option) {		/* a long switch given "=VALUE" */
		cli_usage_error("option '--%s' takes no value", option->long_name);
		return;
	}
	if (optopt) {
		cli_usage_error("unknown option '-%c'", optopt);
		return;
	}
	/* A long option: unknown, or an abbreviation of more than one. */
	len = strcspn(word, "=");
	for (i = 0; len > 2 && !strncmp(word, "--", 2) && i < count; i++)
		matches += !strncmp(options[i].long_name, word + 2, len - 2);
	cli_usage_error("%s option '%.*s'", matches > 1 ? "ambiguous" : "unknown", (int)len, word);
}

int cli_parse_options(int argc, char **argv, const struct cli_option *options, size_t count,
		      enum cli_order order)
{
	/* '+', ':', and per option a letter and up to two ':' */
	char shorts[2 + 3 * CLI_MAX_OPTIONS + 1];
	struct option longs[CLI_MAX_OPTIONS + 1] = { };
	size_t i, len = 0;
	int val;

	assert(count <= CLI_MAX_OPTIONS);
	if (order == CLI_STOP_AT_OPERAND)
		shorts[len++] = '+';
	shorts[len++] = ':';	/* a missing value returns ':', not '?' */
	for (i = 0; i < count; i++) {
		const struct cli_option *option = &options[i];

		longs[i].name = option->long_name;
		longs[i].has_arg = option->arg == CLI_REQUIRED_ARG ? required_argument :
				   option->arg == CLI_OPTIONAL_ARG ? optional_argument :
				   no_argument;
		longs[i].val = CLI_LONG_VAL_BASE + (int)i;
		if (!option->short_name)
			continue;
		shorts[len++] = option->short_name;
		if (option->arg != CLI_NO_ARG)
			shorts[len++] = ':';
		if (option->arg == CLI_OPTIONAL_ARG)
			shorts[len++] = ':';
	}
	shorts[len] = '\0';

	optind = 0;	/* glibc: forget the state of an earlier parse, start afresh */
	opterr = 0;
	while ((val = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct cli_option *option = val == '?' || val == ':' ? NULL :
						  find_option(options, count, val);

		if (!option) {
			report_invalid(options, count, val,
				       optind > 0 && optind <= argc ? argv[optind - 1] : "");
			return -1;
		}
		apply_option(option);
		if (option->ends_parsing)
			break;
	}
	return optind;
}

int cli_parse_options_only(int argc, char **argv, const struct cli_option *options,
			   size_t count)
{
	int first_operand = cli_parse_options(argc, argv, options, count, CLI_PERMUTE);

	if (first_operand < 0)
		return -1;
	if (first_operand != argc) {
		cli_usage_error("unexpected argument '%s'", argv[first_operand]);
		return -1;
	}
	return 0;
}
