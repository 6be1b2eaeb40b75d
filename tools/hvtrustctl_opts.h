/* SPDX-License-Identifier: GPL-2.0 */
/* hvtrustctl's option parsing (a table of options per command, read with getopt_long) and messages. */
/* Context: user space (root). */
#ifndef HVT_TOOLS_HVTRUSTCTL_OPTS_H
#define HVT_TOOLS_HVTRUSTCTL_OPTS_H

#include <stdbool.h>
#include <stddef.h>

/* Room for the longest table; a longer one is a bug caught by an assertion. */
#define CLI_MAX_OPTIONS		8

enum cli_arg {
	CLI_NO_ARG,		/* a switch */
	CLI_REQUIRED_ARG,	/* --name=VALUE, --name VALUE, -cVALUE or -c VALUE */
	CLI_OPTIONAL_ARG,	/* --name or --name=VALUE; --name alone gives @fallback */
};

/* Which options belong to the parser when an operand comes before them. */
enum cli_order {
	CLI_PERMUTE,		/* all of them: GNU order, "FILE -j" as "-j FILE" */
	CLI_STOP_AT_OPERAND,	/* none: they belong to the command the operand names */
};

/**
 * struct cli_option - one option a command accepts
 * @long_name: --long_name
 * @short_name: -short_name, or '\0' for an option with a long name only
 * @arg: whether it takes a value
 * @flag: if not NULL, set to true when the option is given
 * @value: if not NULL, set to the option's value when it is given, the last
 *	one winning: @fallback for a CLI_OPTIONAL_ARG given without one
 * @fallback: see @value
 * @ends_parsing: nothing after it is parsed, not even an invalid option
 *	(--help and --version act at once)
 */
struct cli_option {
	const char *long_name;
	char short_name;
	enum cli_arg arg;
	bool *flag;
	const char **value;
	const char *fallback;
	bool ends_parsing;
};

/*
 * Parses argv[1..argc-1] against @options (@count of them) from the start,
 * whatever was parsed before. The index of the first operand, or -1 once an
 * invalid option was reported with cli_usage_error().
 */
int cli_parse_options(int argc, char **argv, const struct cli_option *options, size_t count,
		      enum cli_order order);

/*
 * The same for a command that takes options only: 0, or -1 as above and also
 * when an operand is left.
 */
int cli_parse_options_only(int argc, char **argv, const struct cli_option *options,
			   size_t count);

/*
 * Every message names the tool and the command it is about, whatever argv[0]
 * is: "hvtrustctl: register: ...". @name is the command now run, or NULL
 * before there is one; it must outlive the messages.
 */
void cli_set_command(const char *name);

/*
 * Reports a failure on stderr, one line. The first one is kept, with @err (a
 * positive errno, or 0 when none fits), for the JSON error object.
 */
void cli_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports a usage error: one line, which points to --help. */
void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The first message cli_error() reported, or NULL; its errno at *@err. */
const char *cli_first_error(int *err);

#endif /* HVT_TOOLS_HVTRUSTCTL_OPTS_H */
