// SPDX-License-Identifier: GPL-2.0
/* hvtrustctl's configuration files: trusted.d/NAME.conf (what to register) and hvtrust.conf. */
/* Context: user space (root). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvtrustctl_config.h"
#include "hvtrustctl_opts.h"
#include "manifest.h"

static int parse_hex_sha256(const char *text, uint8_t out[HVTRUST_SHA256_SIZE])
{
	int i;

	if (strlen(text) != 2 * HVTRUST_SHA256_SIZE)
		return -1;
	for (i = 0; i < 2 * HVTRUST_SHA256_SIZE; i++) {
		char c = text[i];
		int v = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (v < 0)
			return -1;
		if (i % 2)
			out[i / 2] |= v;
		else
			out[i / 2] = v << 4;
	}
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
			   end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/*
 * Splits "key = value" (blank lines and '#' comments give 0); 1 for a pair,
 * -1 for a line that is neither.
 */
static int split_line(char *line, char **key, char **value)
{
	char *eq;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return -1;
	*eq = '\0';
	*key = trim(line);
	*value = trim(eq + 1);
	return **key ? 1 : -1;
}

/* Both files are read line by line, as "key = value" with '#' comments. */
struct conf_reader {
	FILE *file;
	char *line;
	size_t cap;
	unsigned int nr;	/* of the line last read, for messages */
};

/*
 * Opens @file as the tool opens its inputs: a FIFO or a device there must
 * not stall the boot (hvtrust.service runs this). 0, or -errno with *@why.
 */
static int conf_open(struct conf_reader *reader, const char *file, const char **why)
{
	int fd = hvt_open_input(file, why);

	if (fd < 0)
		return fd;
	reader->file = fdopen(fd, "r");
	if (!reader->file) {
		int err = errno;

		close(fd);
		*why = strerror(err);
		return -err;
	}
	return 0;
}

/*
 * The next line that is neither blank nor a comment: 1 with @key and @value,
 * -1 for a line that is not "key = value", 0 at the end (or a read error).
 */
static int next_pair(struct conf_reader *reader, char **key, char **value)
{
	int ret;

	do {
		if (getline(&reader->line, &reader->cap, reader->file) < 0)
			return 0;
		reader->nr++;
		ret = split_line(reader->line, key, value);
	} while (!ret);
	return ret;
}

static int add_entry(struct conf_list *list, const char *path, const char *file,
		     unsigned int line)
{
	struct conf_entry *e;

	if (list->count == list->room) {
		size_t room = list->room ? 2 * list->room : 16;

		e = realloc(list->entries, room * sizeof(*e));
		if (!e)
			return -ENOMEM;
		list->entries = e;
		list->room = room;
	}
	e = &list->entries[list->count];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path || asprintf(&e->where, "%s:%u", file, line) < 0) {
		free(e->path);
		return -ENOMEM;
	}
	list->count++;
	return 0;
}

/* Returns the number of bad lines (each reported), or -errno. */
static int parse_conf_file(const char *file, struct conf_list *list)
{
	struct conf_reader reader = { };
	struct conf_entry *current = NULL;
	bool path_refused = false;
	char *key, *value;
	const char *why;
	int bad = 0, ret;

	ret = conf_open(&reader, file, &why);
	if (ret) {
		cli_error(-ret, "%s: %s", file, why);
		return ret;
	}
	while ((ret = next_pair(&reader, &key, &value))) {
		if (ret < 0) {
			cli_error(EINVAL, "%s:%u: expected 'path = /absolute/path' or 'sha256 = <hex>'",
				  file, reader.nr);
			bad++;
		} else if (!strcmp(key, "path")) {
			current = NULL;
			path_refused = value[0] != '/';
			if (path_refused) {
				cli_error(EINVAL, "%s:%u: path '%s' is not absolute", file,
					  reader.nr, value);
				bad++;
				continue;
			}
			ret = add_entry(list, value, file, reader.nr);
			if (ret) {
				free(reader.line);
				fclose(reader.file);
				return ret;
			}
			current = &list->entries[list->count - 1];
		} else if (!strcmp(key, "sha256")) {
			if (!current) {
				cli_error(EINVAL, "%s:%u: sha256 %s", file, reader.nr,
					  path_refused ? "for a path that was refused" :
					  "without a path line before it");
				bad++;
			} else if (current->has_sha256) {
				cli_error(EINVAL, "%s:%u: second sha256 for %s", file, reader.nr,
					  current->path);
				bad++;
			} else if (parse_hex_sha256(value, current->sha256)) {
				cli_error(EINVAL, "%s:%u: sha256 '%s' is not 64 hex digits", file,
					  reader.nr, value);
				bad++;
			} else {
				current->has_sha256 = true;
			}
		} else {
			cli_error(EINVAL, "%s:%u: unknown key '%s' (known: path, sha256)", file,
				  reader.nr, key);
			bad++;
		}
	}
	ret = ferror(reader.file) ? -EIO : bad;
	if (ret < 0)
		cli_error(EIO, "%s: read error", file);
	free(reader.line);
	fclose(reader.file);
	return ret;
}

static int conf_filter(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 5 && !strcmp(d->d_name + len - 5, ".conf");
}

int conf_parse_trusted_dir(const char *dir, struct conf_list *list)
{
	struct dirent **names;
	int n, i, bad = 0;

	n = scandir(dir, &names, conf_filter, alphasort);
	if (n < 0) {
		int err = errno;

		cli_error(err, "%s: %s", dir, strerror(err));
		return -err;
	}
	if (n == 0)
		cli_error(0, "%s: no *.conf files, nothing to register", dir);
	for (i = 0; i < n; i++) {
		char *file;
		int ret = -ENOMEM;

		if (asprintf(&file, "%s/%s", dir, names[i]->d_name) >= 0) {
			ret = parse_conf_file(file, list);
			free(file);
		}
		if (ret < 0)
			bad++;
		else
			bad += ret;
		free(names[i]);
	}
	free(names);
	return bad;
}

void conf_list_free(struct conf_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		free(list->entries[i].path);
		free(list->entries[i].where);
	}
	free(list->entries);
}

int conf_seal_requested(const char *file)
{
	struct conf_reader reader = { };
	char *key, *value;
	const char *why;
	int seal = 0, ret;

	ret = conf_open(&reader, file, &why);
	if (ret == -ENOENT) {
		printf("not sealing: %s does not exist\n", file);
		return 0;
	}
	if (ret) {
		cli_error(-ret, "%s: %s", file, why);
		return -1;
	}
	while ((ret = next_pair(&reader, &key, &value))) {
		if (ret < 0) {
			cli_error(EINVAL, "%s:%u: expected 'key = value'", file, reader.nr);
			seal = -1;
			break;
		}
		if (strcmp(key, "seal")) {
			/* other components may own other keys */
			continue;
		}
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1")) {
			seal = 1;
		} else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0")) {
			seal = 0;
		} else {
			cli_error(EINVAL, "%s:%u: seal = '%s': expected yes or no", file,
				  reader.nr, value);
			seal = -1;
			break;
		}
	}
	free(reader.line);
	fclose(reader.file);
	if (seal == 0)
		printf("not sealing: %s does not say 'seal = yes'\n", file);
	return seal;
}
