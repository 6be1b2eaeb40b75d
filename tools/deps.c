// SPDX-License-Identifier: GPL-2.0
/* The shared objects an ELF64 x86-64 program needs, found as the dynamic loader finds them. */
/* Context: user space (hvtrustctl register). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deps.h"
#include "manifest.h"

#define MAX_PHDRS	256
#define MAX_DYNAMIC	(64 << 10)
#define MAX_STRTAB	(1 << 20)
#define MAX_NEEDED	128
#define MAX_DIRS	64
#define LD_SO_CONF	"/etc/ld.so.conf"

/* Where the loader looks last (glibc's system directories on x86-64, multiarch first). */
static const char *const system_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
	"/lib", "/usr/lib",
};

/**
 * struct elf_object - what the loader reads of one object's dynamic section
 * @path: its canonical path
 * @interp: PT_INTERP, or NULL
 * @soname: DT_SONAME, or NULL
 * @runpath: DT_RUNPATH, or NULL
 * @rpath: DT_RPATH, or NULL
 * @nr_needed: entries at @needed
 * @needed: DT_NEEDED names, in order
 */
struct elf_object {
	char *path;
	char *interp;
	char *soname;
	char *runpath;
	char *rpath;
	size_t nr_needed;
	char *needed[MAX_NEEDED];
};

struct search_dirs {
	size_t count;
	char *dirs[MAX_DIRS];
};

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static int read_at(int fd, void *buf, size_t len, uint64_t offset)
{
	ssize_t got = pread(fd, buf, len, offset);

	if (got < 0)
		return -errno;
	return (size_t)got == len ? 0 : -ENOEXEC;
}

static void object_free(struct elf_object *obj)
{
	size_t i;

	for (i = 0; i < obj->nr_needed; i++)
		free(obj->needed[i]);
	free(obj->path);
	free(obj->interp);
	free(obj->soname);
	free(obj->runpath);
	free(obj->rpath);
	memset(obj, 0, sizeof(*obj));
}

/* The file offset of @vaddr, through the PT_LOAD that holds it. */
static int file_offset(const Elf64_Phdr *ph, unsigned int n, uint64_t vaddr, uint64_t *offset)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ph[i].p_type == PT_LOAD && vaddr >= ph[i].p_vaddr &&
		    vaddr - ph[i].p_vaddr < ph[i].p_filesz) {
			*offset = ph[i].p_offset + (vaddr - ph[i].p_vaddr);
			return 0;
		}
	}
	return -ENOEXEC;
}

static char *string_at(const char *strtab, uint64_t size, uint64_t at)
{
	if (at >= size || !memchr(strtab + at, 0, size - at))
		return NULL;
	return strdup(strtab + at);
}

/* Whether @ehdr is an ELF64 little-endian x86-64 object the loader would take. */
static bool is_x86_64(const Elf64_Ehdr *ehdr)
{
	return !memcmp(ehdr->e_ident, ELFMAG, SELFMAG) && ehdr->e_ident[EI_CLASS] == ELFCLASS64 &&
	       ehdr->e_ident[EI_DATA] == ELFDATA2LSB && ehdr->e_machine == EM_X86_64 &&
	       (ehdr->e_type == ET_EXEC || ehdr->e_type == ET_DYN) &&
	       ehdr->e_phentsize == sizeof(Elf64_Phdr) && ehdr->e_phnum <= MAX_PHDRS;
}

static int read_dynamic(int fd, const Elf64_Phdr *ph, unsigned int n, const Elf64_Phdr *dyn,
			struct elf_object *obj)
{
	uint64_t strtab_vaddr = 0, strsz = 0, offset, needed[MAX_NEEDED];
	uint64_t soname = UINT64_MAX, runpath = UINT64_MAX, rpath = UINT64_MAX;
	size_t count = dyn->p_filesz / sizeof(Elf64_Dyn), i, nr_needed = 0;
	Elf64_Dyn *entries;
	char *strtab = NULL;
	int err;

	if (dyn->p_filesz > MAX_DYNAMIC)
		return -ENOEXEC;
	entries = malloc(dyn->p_filesz ? dyn->p_filesz : 1);
	if (!entries)
		return -ENOMEM;
	err = read_at(fd, entries, count * sizeof(Elf64_Dyn), dyn->p_offset);
	for (i = 0; !err && i < count && entries[i].d_tag != DT_NULL; i++) {
		uint64_t value = entries[i].d_un.d_val;

		switch (entries[i].d_tag) {
		case DT_NEEDED:
			if (nr_needed == MAX_NEEDED)
				err = -E2BIG;
			else
				needed[nr_needed++] = value;
			break;
		case DT_STRTAB:
			strtab_vaddr = value;
			break;
		case DT_STRSZ:
			strsz = value;
			break;
		case DT_SONAME:
			soname = value;
			break;
		case DT_RUNPATH:
			runpath = value;
			break;
		case DT_RPATH:
			rpath = value;
			break;
		}
	}
	free(entries);
	if (err)
		return err;
	if (!strtab_vaddr || !strsz || strsz > MAX_STRTAB)
		return nr_needed ? -ENOEXEC : 0;
	strtab = malloc(strsz);
	if (!strtab)
		return -ENOMEM;
	err = file_offset(ph, n, strtab_vaddr, &offset);
	if (!err)
		err = read_at(fd, strtab, strsz, offset);
	for (i = 0; !err && i < nr_needed; i++) {
		obj->needed[i] = string_at(strtab, strsz, needed[i]);
		if (!obj->needed[i])
			err = -ENOEXEC;
		else
			obj->nr_needed++;
	}
	if (!err && soname != UINT64_MAX)
		obj->soname = string_at(strtab, strsz, soname);
	if (!err && runpath != UINT64_MAX)
		obj->runpath = string_at(strtab, strsz, runpath);
	if (!err && rpath != UINT64_MAX)
		obj->rpath = string_at(strtab, strsz, rpath);
	free(strtab);
	return err;
}

/*
 * Reads @path's program headers and dynamic section. Return: 0; -ENOEXEC
 * when it is not an ELF64 x86-64 object (or a malformed one); -errno, with
 * *@why saying what is wrong when the file was refused or could not be opened.
 */
static int read_object(const char *path, struct elf_object *obj, const char **why)
{
	Elf64_Phdr ph[MAX_PHDRS];
	Elf64_Ehdr ehdr;
	unsigned int i;
	int fd, err;

	memset(obj, 0, sizeof(*obj));
	*why = NULL;
	fd = hvt_open_input(path, why);
	if (fd < 0)
		return fd;
	err = read_at(fd, &ehdr, sizeof(ehdr), 0);
	if (!err && !is_x86_64(&ehdr))
		err = -ENOEXEC;
	if (!err)
		err = read_at(fd, ph, ehdr.e_phnum * sizeof(Elf64_Phdr), ehdr.e_phoff);
	for (i = 0; !err && i < ehdr.e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP && !obj->interp) {
			if (!ph[i].p_filesz || ph[i].p_filesz > PATH_MAX)
				err = -ENOEXEC;
			obj->interp = err ? NULL : calloc(1, ph[i].p_filesz + 1);
			if (!err && !obj->interp)
				err = -ENOMEM;
			if (!err)
				err = read_at(fd, obj->interp, ph[i].p_filesz, ph[i].p_offset);
		} else if (ph[i].p_type == PT_DYNAMIC && !obj->nr_needed) {
			err = read_dynamic(fd, ph, ehdr.e_phnum, &ph[i], obj);
		}
	}
	close(fd);
	if (!err) {
		obj->path = realpath(path, NULL);
		if (!obj->path)
			err = -errno;
	}
	if (err)
		object_free(obj);
	return err;
}

static void dirs_add(struct search_dirs *dirs, const char *dir, size_t len)
{
	size_t i;

	if (!len || dir[0] != '/' || dirs->count == MAX_DIRS)
		return;
	for (i = 0; i < dirs->count; i++)
		if (strlen(dirs->dirs[i]) == len && !strncmp(dirs->dirs[i], dir, len))
			return;
	dirs->dirs[dirs->count] = strndup(dir, len);
	if (dirs->dirs[dirs->count])
		dirs->count++;
}

/* /etc/ld.so.conf: one directory per line (or separated by blanks, colons, commas), include globs. */
static void read_ld_so_conf(const char *path, struct search_dirs *dirs, int depth)
{
	char line[PATH_MAX + 16];
	FILE *conf;

	if (depth > 4)
		return;
	conf = fopen(path, "re");
	if (!conf)
		return;
	while (fgets(line, sizeof(line), conf)) {
		char *hash = strchr(line, '#'), *word, *save = NULL;

		if (hash)
			*hash = 0;
		word = strtok_r(line, " \t\r\n:,=", &save);
		if (word && !strcmp(word, "include")) {
			char *pattern = strtok_r(NULL, " \t\r\n", &save);
			glob_t found;
			size_t i;

			if (pattern && !glob(pattern, 0, NULL, &found)) {
				for (i = 0; i < found.gl_pathc; i++)
					read_ld_so_conf(found.gl_pathv[i], dirs, depth + 1);
				globfree(&found);
			}
			continue;
		}
		for (; word; word = strtok_r(NULL, " \t\r\n:,=", &save))
			dirs_add(dirs, word, strlen(word));
	}
	fclose(conf);
}

/* A path list (DT_RUNPATH, DT_RPATH) with $ORIGIN the directory of @origin. */
static void path_list_add(struct search_dirs *dirs, const char *list, const char *origin)
{
	const char *at = list;
	char expanded[PATH_MAX];

	while (at && *at) {
		size_t len = strcspn(at, ":");
		char entry[PATH_MAX];
		const char *slash = strrchr(origin, '/');
		int n;

		if (len >= sizeof(entry))
			return;
		memcpy(entry, at, len);
		entry[len] = 0;
		if (!strncmp(entry, "$ORIGIN", 7) || !strncmp(entry, "${ORIGIN}", 9)) {
			const char *rest = entry + (entry[1] == '{' ? 9 : 7);

			n = snprintf(expanded, sizeof(expanded), "%.*s%s",
				     (int)(slash ? slash - origin : 0), origin, rest);
			if (n > 0 && (size_t)n < sizeof(expanded))
				dirs_add(dirs, expanded, strlen(expanded));
		} else {
			dirs_add(dirs, entry, len);
		}
		at += len;
		if (*at == ':')
			at++;
	}
}

static void dirs_free(struct search_dirs *dirs)
{
	size_t i;

	for (i = 0; i < dirs->count; i++)
		free(dirs->dirs[i]);
	dirs->count = 0;
}

/* Where the loader finds @name for @by: the first x86-64 ELF object in the search order. */
static int find_library(const struct elf_object *by, const char *name,
			const struct search_dirs *conf_dirs, struct elf_object *found)
{
	struct search_dirs dirs = { 0 };
	const char *why;
	size_t i;
	int err = -ENOENT;

	if (strchr(name, '/'))
		return read_object(name, found, &why);
	if (by->rpath && !by->runpath)
		path_list_add(&dirs, by->rpath, by->path);
	if (by->runpath)
		path_list_add(&dirs, by->runpath, by->path);
	for (i = 0; i < conf_dirs->count; i++)
		dirs_add(&dirs, conf_dirs->dirs[i], strlen(conf_dirs->dirs[i]));
	for (i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++)
		dirs_add(&dirs, system_dirs[i], strlen(system_dirs[i]));
	for (i = 0; i < dirs.count && err; i++) {
		char candidate[PATH_MAX];
		int n = snprintf(candidate, sizeof(candidate), "%s/%s", dirs.dirs[i], name);

		if (n > 0 && (size_t)n < sizeof(candidate) && !access(candidate, R_OK))
			err = read_object(candidate, found, &why) ? -ENOENT : 0;
	}
	dirs_free(&dirs);
	return err;
}

/* Already loaded: the same file, or an object whose DT_SONAME is @name. */
static bool loaded(const struct elf_object *objs, size_t count, const char *name,
		   const char *path)
{
	size_t i;

	for (i = 0; i < count; i++)
		if ((path && !strcmp(objs[i].path, path)) ||
		    (name && objs[i].soname && !strcmp(objs[i].soname, name)))
			return true;
	return false;
}

int hvt_deps_resolve(const char *path, struct hvt_deps *out, char *why, size_t why_len)
{
	static struct elf_object objs[HVT_DEPS_MAX + 1];
	struct search_dirs conf_dirs = { 0 };
	size_t count = 0, next, i, k;
	const char *refused;
	int err;

	memset(out, 0, sizeof(*out));
	err = read_object(path, &objs[0], &refused);
	if (err) {
		say(why, why_len, "%s: %s", path,
		    refused ? refused :
		    err == -ENOEXEC ? "not an ELF64 x86-64 program" : strerror(-err));
		return err;
	}
	count = 1;
	if (!objs[0].interp) {		/* statically linked: nothing else is loaded */
		object_free(&objs[0]);
		return 0;
	}
	err = read_object(objs[0].interp, &objs[1], &refused);
	if (err) {
		say(why, why_len, "interpreter %s: %s", objs[0].interp,
		    refused ? refused :
		    err == -ENOEXEC ? "not an ELF64 x86-64 object" : strerror(-err));
		goto out;
	}
	count = 2;
	read_ld_so_conf(LD_SO_CONF, &conf_dirs, 0);
	for (next = 0; next < count && !err; next++) {
		for (k = 0; k < objs[next].nr_needed && !err; k++) {
			const char *name = objs[next].needed[k];
			struct elf_object lib;

			if (loaded(objs, count, name, NULL))
				continue;
			err = find_library(&objs[next], name, &conf_dirs, &lib);
			if (err) {
				say(why, why_len, "%s (needed by %s): not found", name,
				    objs[next].path);
				break;
			}
			if (loaded(objs, count, NULL, lib.path)) {
				object_free(&lib);
				continue;
			}
			if (count == HVT_DEPS_MAX + 1) {
				object_free(&lib);
				say(why, why_len, "more than %d shared objects", HVT_DEPS_MAX);
				err = -E2BIG;
				break;
			}
			objs[count++] = lib;
		}
	}
	for (i = 1; !err && i < count; i++) {
		out->paths[out->count] = strdup(objs[i].path);
		if (!out->paths[out->count])
			err = -ENOMEM;
		else
			out->count++;
	}
out:
	for (i = 0; i < count; i++)
		object_free(&objs[i]);
	dirs_free(&conf_dirs);
	if (err)
		hvt_deps_free(out);
	return err;
}

void hvt_deps_free(struct hvt_deps *deps)
{
	size_t i;

	for (i = 0; i < deps->count; i++)
		free(deps->paths[i]);
	deps->count = 0;
}
