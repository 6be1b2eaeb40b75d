/* SPDX-License-Identifier: GPL-2.0 */
/* hvtrustctl's configuration files: trusted.d/NAME.conf (what to register) and hvtrust.conf. */
/* Context: user space (root). */
#ifndef HVT_TOOLS_HVTRUSTCTL_CONFIG_H
#define HVT_TOOLS_HVTRUSTCTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../uapi/hvtrust.h"

/**
 * struct conf_entry - one binary a configuration file names
 * @path: absolute path of the binary
 * @sha256: the digest the file must have, when @has_sha256
 * @has_sha256: a sha256 line followed the path line
 * @where: "FILE:LINE" of the path line, for messages
 */
struct conf_entry {
	char *path;
	uint8_t sha256[HVTRUST_SHA256_SIZE];
	bool has_sha256;
	char *where;
};

struct conf_list {
	struct conf_entry *entries;
	size_t count;
	size_t room;
};

/*
 * Appends what every DIR/NAME.conf names, in file name order, to @list; every
 * problem is reported with cli_error(). A NAME.conf that is no regular file
 * (a FIFO, a device, ...) is a problem, never waited on. The number of
 * problems, or -errno. @list is filled even on problems: conf_list_free() it
 * in every case.
 */
int conf_parse_trusted_dir(const char *dir, struct conf_list *list);

void conf_list_free(struct conf_list *list);

/*
 * Whether hvtrust.conf @file asks for the registry to be sealed: 1 when it says
 * seal = yes, 0 when not or when @file does not exist (said on stdout), -1 on a
 * bad line, an unreadable file or one that is no regular file (said on stderr).
 */
int conf_seal_requested(const char *file);

#endif /* HVT_TOOLS_HVTRUSTCTL_CONFIG_H */
