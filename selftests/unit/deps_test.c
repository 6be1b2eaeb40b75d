// SPDX-License-Identifier: GPL-2.0
/* Unit tests of tools/deps.c: a program's interpreter and libraries, found as the loader does. */
/* Context: user space, native build; reads this machine's own programs and libraries. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../tools/deps.h"

/* The interpreter this build's programs name (PT_INTERP of the x86-64 psABI). */
#define INTERP	"/lib64/ld-linux-x86-64.so.2"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* A dynamically linked program: the interpreter first, libc among the rest, each once. */
TEST(dynamic_program_brings_interpreter_and_libc)
{
	char why[PATH_MAX + 128] = "", *interp = realpath(INTERP, NULL);
	struct hvt_deps deps;
	bool libc = false;
	size_t i, j;

	ASSERT_NE(NULL, interp);
	ASSERT_EQ(0, hvt_deps_resolve("/bin/sh", &deps, why, sizeof(why))) {
		TH_LOG("%s", why);
	}
	ASSERT_LE(2, deps.count);
	EXPECT_STREQ(interp, deps.paths[0]);
	for (i = 0; i < deps.count; i++) {
		libc |= has_suffix(deps.paths[i], "/libc.so.6");
		EXPECT_EQ('/', deps.paths[i][0]);
		for (j = i + 1; j < deps.count; j++)
			EXPECT_STRNE(deps.paths[i], deps.paths[j]);
	}
	EXPECT_TRUE(libc);
	hvt_deps_free(&deps);
	free(interp);
}

/* libc needs the interpreter by its DT_SONAME: already loaded, not searched for again. */
TEST(the_interpreter_satisfies_its_soname)
{
	char why[PATH_MAX + 128] = "";
	struct hvt_deps deps;
	size_t i, interps = 0;

	ASSERT_EQ(0, hvt_deps_resolve("/bin/sh", &deps, why, sizeof(why)));
	for (i = 0; i < deps.count; i++)
		interps += has_suffix(deps.paths[i], "/ld-linux-x86-64.so.2");
	EXPECT_EQ(1, interps);
	hvt_deps_free(&deps);
}

/* busybox-static, which the test bench installs for its guests. */
TEST(static_program_needs_nothing)
{
	char why[PATH_MAX + 128] = "";
	struct hvt_deps deps = { .count = 1 };

	if (access("/bin/busybox", R_OK))
		SKIP(return, "no /bin/busybox");
	ASSERT_EQ(0, hvt_deps_resolve("/bin/busybox", &deps, why, sizeof(why))) {
		TH_LOG("%s", why);
	}
	EXPECT_EQ(0, deps.count);
}

TEST(not_an_elf_program_is_refused_with_a_reason)
{
	char why[PATH_MAX + 128] = "";
	struct hvt_deps deps;

	EXPECT_EQ(-ENOEXEC, hvt_deps_resolve("/etc/passwd", &deps, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "not an ELF64 x86-64 program"));
	EXPECT_EQ(0, deps.count);
	EXPECT_EQ(-ENOENT, hvt_deps_resolve("/nonexistent/prog", &deps, why, sizeof(why)));
}

TEST_HARNESS_MAIN
