// SPDX-License-Identifier: GPL-2.0
/* Unit tests of hvt_open_input() (tools/manifest.h): the tools read regular files only, never blocking. */
/* Context: user space, native build; makes a FIFO and a socket in a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/magic.h>

#include "kselftest_harness.h"
#include "../../tools/manifest.h"

FIXTURE(input)
{
	char dir[64];
	char path[128];
};

FIXTURE_SETUP(input)
{
	strcpy(self->dir, "/tmp/hvt_input_XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

/* What the tests may have made there. */
static const char *const made[] = { "file", "fifo", "sock" };

FIXTURE_TEARDOWN(input)
{
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir, made[i]);
		unlink(path);
	}
	if (rmdir(self->dir))
		TH_LOG("could not remove %s: %s", self->dir, strerror(errno));
}

static const char *in_dir(struct _test_data_input *self, const char *name)
{
	snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, name);
	return self->path;
}

/* A regular file opens, without blocking and close-on-exec. */
TEST_F(input, regular_file_opens)
{
	const char *why = NULL;
	int fd, out;

	out = open(in_dir(self, "file"), O_WRONLY | O_CREAT | O_EXCL, 0600);
	ASSERT_LE(0, out);
	ASSERT_EQ(5, write(out, "hello", 5));
	close(out);
	fd = hvt_open_input(self->path, &why);
	ASSERT_LE(0, fd) {
		TH_LOG("%s", why);
	}
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* A FIFO without a writer: refused at once, where open() alone would wait forever. */
TEST_F(input, fifo_is_refused_without_waiting)
{
	const char *why = NULL;

	ASSERT_EQ(0, mkfifo(in_dir(self, "fifo"), 0600));
	alarm(5);	/* a hang fails the test instead of stalling the run */
	EXPECT_EQ(-EINVAL, hvt_open_input(self->path, &why));
	alarm(0);
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "FIFO"));
}

TEST_F(input, socket_is_refused)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *why = NULL;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	ASSERT_LE(0, s);
	ASSERT_GT(sizeof(addr.sun_path), strlen(in_dir(self, "sock")));
	strcpy(addr.sun_path, self->path);
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&addr, sizeof(addr)));
	EXPECT_EQ(-EINVAL, hvt_open_input(self->path, &why));
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "socket"));
	close(s);
}

TEST_F(input, directory_is_refused)
{
	const char *why = NULL;

	EXPECT_EQ(-EISDIR, hvt_open_input(self->dir, &why));
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "directory"));
}

TEST_F(input, missing_file_says_why)
{
	const char *why = NULL;

	EXPECT_EQ(-ENOENT, hvt_open_input(in_dir(self, "none"), &why));
	ASSERT_NE(NULL, why);
	EXPECT_STREQ(strerror(ENOENT), why);
}

TEST(character_device_is_refused)
{
	const char *why = NULL;

	EXPECT_EQ(-EINVAL, hvt_open_input("/dev/null", &why));
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "character device"));
}

/* Size 0 but contents: the size would be trusted, so the file is not. */
TEST(procfs_file_is_refused)
{
	const char *why = NULL;

	EXPECT_EQ(-EINVAL, hvt_open_input("/proc/self/status", &why));
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "procfs"));
}

/* The verdict on each kind of file, and on regular files by filesystem. */
TEST(refusal_by_kind_and_filesystem)
{
	static const struct {
		mode_t mode;
		unsigned long fs;
		const char *why;	/* a word of the refusal, or NULL: accepted */
	} cases[] = {
		{ S_IFREG, EXT4_SUPER_MAGIC, NULL },
		{ S_IFREG, TMPFS_MAGIC, NULL },
		{ S_IFREG, RAMFS_MAGIC, NULL },	/* an initramfs root */
		{ S_IFREG, 0, NULL },			/* not known yet: checked once open */
		{ S_IFREG, PROC_SUPER_MAGIC, "procfs" },
		{ S_IFREG, SYSFS_MAGIC, "sysfs" },
		{ S_IFREG, DEBUGFS_MAGIC, "pseudo-file" },
		{ S_IFREG, CGROUP2_SUPER_MAGIC, "pseudo-file" },
		{ S_IFBLK, EXT4_SUPER_MAGIC, "block device" },
		{ S_IFCHR, EXT4_SUPER_MAGIC, "character device" },
		{ S_IFIFO, EXT4_SUPER_MAGIC, "FIFO" },
		{ S_IFSOCK, EXT4_SUPER_MAGIC, "socket" },
		{ S_IFDIR, EXT4_SUPER_MAGIC, "directory" },
		{ S_IFLNK, EXT4_SUPER_MAGIC, "not a regular file" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stat sb = { .st_mode = cases[i].mode | 0644 };
		const char *why = hvt_input_refusal(&sb, cases[i].fs);

		if (!cases[i].why) {
			EXPECT_EQ(NULL, why) {
				TH_LOG("case %zu refused: %s", i, why);
			}
			continue;
		}
		ASSERT_NE(NULL, why) {
			TH_LOG("case %zu accepted", i);
		}
		EXPECT_NE(NULL, strstr(why, cases[i].why)) {
			TH_LOG("case %zu: '%s' does not say '%s'", i, why, cases[i].why);
		}
		EXPECT_EQ(S_ISDIR(sb.st_mode) ? EISDIR : EINVAL, hvt_input_refusal_errno(&sb));
	}
}

TEST_HARNESS_MAIN
