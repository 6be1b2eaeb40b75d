// SPDX-License-Identifier: GPL-2.0
/* hvtrustctl's option parsing: a table of options per command, read with getopt_long. */
/* Context: user space (root). */
#include <assert.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hvtrustctl_opts.h"

/*
 * getopt_long returns this plus the table index for a long option, so that
 * long-only options need no made-up short letter; above any char value.
 */
#define CLI_LONG_VAL_BASE	0x100

static void apply_option(const struct cli_option *option)
{
	if (option->flag)
		*option->flag = true;
	if (option->value)
		*option->value = optarg ? optarg : option->fallback;
}

/* The table entry getopt_long's return @val stands for, or NULL for '?'. */
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

int cli_parse_options(int argc, char **argv, const struct cli_option *options, size_t count,
		      enum cli_order order)
{
	/* '+', and per option a letter and up to two ':' */
	char shorts[1 + 3 * CLI_MAX_OPTIONS + 1];
	struct option longs[CLI_MAX_OPTIONS + 1] = { };
	size_t i, len = 0;
	int val;

	assert(count <= CLI_MAX_OPTIONS);
	if (order == CLI_STOP_AT_OPERAND)
		shorts[len++] = '+';
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
	while ((val = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct cli_option *option = find_option(options, count, val);

		if (!option)
			return -1;
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
		fprintf(stderr, "hvtrustctl: %s takes no arguments\n", argv[0]);
		return -1;
	}
	return 0;
}
