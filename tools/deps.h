/* SPDX-License-Identifier: GPL-2.0 */
/* The shared objects an ELF64 x86-64 program needs, found as the dynamic loader finds them. */
/* Context: user space (hvtrustctl register). */
#ifndef HVT_TOOLS_DEPS_H
#define HVT_TOOLS_DEPS_H

#include <stddef.h>

/* Shared objects one program may need at most (its interpreter included). */
#define HVT_DEPS_MAX	64

/**
 * struct hvt_deps - a program's interpreter and libraries
 * @count: entries at @paths
 * @paths: canonical paths (realpath), the interpreter first, then every
 *         DT_NEEDED library of the program and of those libraries,
 *         breadth first, each once
 */
struct hvt_deps {
	size_t count;
	char *paths[HVT_DEPS_MAX];
};

/**
 * hvt_deps_resolve() - what the loader maps for a program before it runs
 * @path: the program
 * @out: filled in; empty for a statically linked program
 * @why: on error, one line saying what failed (no newline)
 * @why_len: room at @why
 *
 * A name with a slash is taken as it is; otherwise the needing object's
 * DT_RPATH (when it has no DT_RUNPATH), then its DT_RUNPATH ($ORIGIN
 * expanded), then the directories of /etc/ld.so.conf and its includes,
 * then the system directories, and the first ELF64 x86-64 file found
 * wins. LD_LIBRARY_PATH and LD_PRELOAD are ignored: what is registered is
 * what a daemon started without them loads. Libraries a program opens
 * with dlopen() are not found: name them explicitly.
 *
 * Return: 0, or -errno (-ENOENT for a library not found, -ENOEXEC for a
 * malformed file, -E2BIG past HVT_DEPS_MAX).
 */
int hvt_deps_resolve(const char *path, struct hvt_deps *out, char *why, size_t why_len);

/* Frees what hvt_deps_resolve() filled in. */
void hvt_deps_free(struct hvt_deps *deps);

#endif /* HVT_TOOLS_DEPS_H */
