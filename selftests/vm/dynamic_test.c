// SPDX-License-Identifier: GPL-2.0
/* Selftest: a dynamically linked trusted program, registered with its interpreter and libc. */
/* Context: user space inside the test guest (root); registers itself with hvtrustctl. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hvt_test_util.h"
#include "../../uapi/hvtrust.h"
#include "../../tools/libhvtrust.h"

#define DEVICE		"/dev/hvtrust"
#define HVTRUSTCTL	"/bin/hvtrustctl"
#define EXAMPLED	"/bin/hvtrust-exampled"
#define PRELOAD		"/tests/libhvt_preload.so"
#define PRELOAD_V2	"/tests/libhvt_preload_v2.so"
#define LIB_DIR		"/tmp/hvt_lib"
#define LIB_COPY	LIB_DIR "/libhvt_preload.so"
#define ROLE_ENV	"HVT_DYNAMIC_ROLE"
#define PAGE		4096

/* The registry as LIST returns it; the number of entries. */
static int list_registry(int dev, struct hvtrust_binary bins[HVTRUST_MAX_BINARIES])
{
	struct hvtrust_list req = {
		.size = sizeof(req),
		.count = HVTRUST_MAX_BINARIES,
		.entry_size = sizeof(bins[0]),
		.binaries = (uintptr_t)bins,
	};

	if (ioctl(dev, HVTRUST_IOC_LIST, &req))
		return -errno;
	return req.count < HVTRUST_MAX_BINARIES ? (int)req.count : HVTRUST_MAX_BINARIES;
}

/* This program's registry id (a program, not a library), or -1. */
static int own_id(int dev)
{
	struct hvtrust_binary bins[HVTRUST_MAX_BINARIES];
	struct stat self;
	int n, i;

	if (stat("/proc/self/exe", &self))
		return -1;
	n = list_registry(dev, bins);
	for (i = 0; i < n; i++)
		if (bins[i].ino == self.st_ino && !bins[i].programs)
			return bins[i].id;
	return -1;
}

/* This program re-executed with @preload in LD_PRELOAD, opening a session: its -error. */
static int run_preloaded(const char *self, const char *preload)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		setenv(ROLE_ENV, "open", 1);
		setenv("LD_PRELOAD", preload, 1);
		execl(self, self, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int run_status(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

FIXTURE(dynamic)
{
	int dev;
	int id;
	char self[PATH_MAX];
};

FIXTURE_SETUP(dynamic)
{
	char cmd[PATH_MAX + 64];
	ssize_t n;

	self->dev = open(DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	n = readlink("/proc/self/exe", self->self, sizeof(self->self) - 1);
	ASSERT_LT(0, n);
	self->self[n] = 0;
	self->id = own_id(self->dev);
	if (self->id >= 0)
		return;
	snprintf(cmd, sizeof(cmd), HVTRUSTCTL " register %s", self->self);
	ASSERT_EQ(0, run_status(cmd));
	self->id = own_id(self->dev);
	ASSERT_LE(0, self->id);
}

FIXTURE_TEARDOWN(dynamic)
{
	close(self->dev);
}

/* hvtrustctl found the interpreter and libc, as the loader does, and registered them for us. */
TEST_F(dynamic, registered_with_its_interpreter_and_libraries)
{
	struct hvtrust_binary bins[HVTRUST_MAX_BINARIES];
	int n = list_registry(self->dev, bins), i, libs = 0;

	ASSERT_LT(0, n);
	for (i = 0; i < n; i++)
		if (bins[i].programs & (1U << self->id))
			libs++;
	EXPECT_LE(2, libs);
}

/* The whole story through libhvtrust: open, protect, check, a change found, revoked. */
TEST_F(dynamic, session_opens_protects_and_is_checked)
{
	struct hvtrust_session_status st;
	struct hvtrust_session *s = NULL;
	uintptr_t changed = 0;
	char *buf, *again;
	int ret;

	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0x5a, PAGE);
	ret = hvtrust_open(&s);
	ASSERT_EQ(0, ret) {
		TH_LOG("hvtrust_open: %s", hvtrust_strerror(ret));
	}
	ASSERT_EQ(0, hvtrust_protect(s, buf, PAGE));
	EXPECT_EQ(0, hvtrust_check(s, &changed));
	ASSERT_EQ(0, hvtrust_status(s, &st));
	EXPECT_EQ(1, st.protected_pages);
	/* Another page mapped over it, no write to the protected frame: found by a walk. */
	again = mmap(buf, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		     -1, 0);
	ASSERT_EQ(buf, again);
	memset(again, 0x66, PAGE);
	ret = hvtrust_check(s, &changed);
	EXPECT_TRUE(ret == -EBADMSG || ret == -EKEYREVOKED) {
		TH_LOG("check after the remap: %d", ret);
	}
	EXPECT_EQ(-EKEYREVOKED, hvtrust_status(s, &st));
	hvtrust_close(s);
}

/*
 * Attacker: whoever starts the daemon, with a library of their own in
 * LD_PRELOAD. The library is registered for no one: no session.
 */
TEST_F(dynamic, ld_preload_library_is_refused)
{
	ASSERT_EQ(0, access(PRELOAD, R_OK));
	EXPECT_EQ(EACCES, run_preloaded(self->self, PRELOAD));
}

/*
 * A package upgrade replaces a registered library: a new file where the
 * old one was. A daemon started after it is refused at its first
 * hypercall (-EBADMSG: the code is not what was registered), and the audit
 * log names the file.
 */
TEST_F(dynamic, library_replaced_on_disk_fails_the_first_call)
{
	struct hvtrust_unregister unreg = { .size = sizeof(unreg), .id = self->id };
	struct hvtrust_audit recs[8] = { 0 };
	struct hvtrust_read_audit drain = {
		.size = sizeof(drain), .count = 8, .entry_size = sizeof(recs[0]),
		.records = (uintptr_t)recs,
	};
	struct hvtrust_binary bins[HVTRUST_MAX_BINARIES];
	char cmd[2 * PATH_MAX];
	int kmsg, n, i, lib_id = -1;
	bool named = false;
	struct stat lib;

	mkdir(LIB_DIR, 0755);
	ASSERT_EQ(0, hvt_copy_file(PRELOAD, LIB_COPY));
	/* The program again, with the library it preloads named explicitly. */
	ASSERT_EQ(0, ioctl(self->dev, HVTRUST_IOC_UNREGISTER, &unreg));
	snprintf(cmd, sizeof(cmd), HVTRUSTCTL " register %s --lib " LIB_COPY, self->self);
	ASSERT_EQ(0, run_status(cmd));
	EXPECT_EQ(0, run_preloaded(self->self, LIB_COPY));
	ASSERT_EQ(0, stat(LIB_COPY, &lib));
	n = list_registry(self->dev, bins);
	for (i = 0; i < n; i++)
		if (bins[i].ino == lib.st_ino && bins[i].programs)
			lib_id = bins[i].id;
	ASSERT_LE(0, lib_id);
	/* The upgrade: another build renamed over it. */
	ASSERT_EQ(0, hvt_copy_file(PRELOAD_V2, LIB_COPY ".new"));
	ASSERT_EQ(0, rename(LIB_COPY ".new", LIB_COPY));
	kmsg = hvt_kmsg_open();
	ASSERT_LE(0, kmsg);
	/* What earlier tests left in the audit buffer goes first. */
	do {
		drain.count = 8;
		drain.lost = 0;
		ASSERT_EQ(0, ioctl(self->dev, HVTRUST_IOC_READ_AUDIT, &drain));
	} while (drain.count);
	EXPECT_EQ(EBADMSG, run_preloaded(self->self, LIB_COPY));
	/* To dmesg now; the record itself names the file by its registry id. */
	do {
		drain.count = 8;
		drain.lost = 0;
		ASSERT_EQ(0, ioctl(self->dev, HVTRUST_IOC_READ_AUDIT, &drain));
		for (i = 0; i < (int)drain.count; i++)
			named |= recs[i].kind == HVTRUST_AUDIT_BAD_CODE &&
				 recs[i].binary == lib_id + 1u;
	} while (drain.count && !named);
	EXPECT_TRUE(hvt_kmsg_find(kmsg, "code differs from the manifest", LIB_COPY));
	EXPECT_TRUE(named);
	close(kmsg);
	unlink(LIB_COPY);
}

/* Whether this process maps a file with inode @ino (the libraries it runs). */
static bool maps_inode(uint64_t ino)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	unsigned long long inode;
	char line[512];
	bool found = false;

	if (!maps)
		return false;
	while (!found && fgets(line, sizeof(line), maps))
		found = sscanf(line, "%*s %*s %*s %*s %llu", &inode) == 1 && inode == ino;
	fclose(maps);
	return found;
}

/*
 * A session counts for each library its process runs, as LIST reports it,
 * and not for a library registered for the program that it does not map.
 */
TEST_F(dynamic, library_counts_the_sessions_that_run_it)
{
	struct hvtrust_binary bins[HVTRUST_MAX_BINARIES];
	struct hvtrust_session *s = NULL;
	int n, i, mapped = 0, ret = hvtrust_open(&s);

	ASSERT_EQ(0, ret) {
		TH_LOG("hvtrust_open: %s", hvtrust_strerror(ret));
	}
	n = list_registry(self->dev, bins);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		unsigned int expected;

		if (!(bins[i].programs & (1U << self->id)))
			continue;
		expected = maps_inode(bins[i].ino);
		mapped += expected;
		EXPECT_EQ(expected, bins[i].sessions) {
			TH_LOG("library id %u counts %u sessions", bins[i].id, bins[i].sessions);
		}
	}
	EXPECT_LE(2, mapped);	/* ld.so and libc at least */
	hvtrust_close(s);
}

/*
 * A library that cannot be registered leaves no program behind that could
 * never open a session: hvtrustctl takes back the program it registered.
 */
TEST_F(dynamic, failed_library_takes_the_program_back)
{
	struct hvtrust_binary before[HVTRUST_MAX_BINARIES], after[HVTRUST_MAX_BINARIES];
	const char *copy = "/tmp/hvt_dynamic_copy";
	char cmd[PATH_MAX + 128];
	int n_before, n_after, i, k, fd;
	bool known;

	ASSERT_EQ(0, hvt_copy_file(self->self, copy));
	/* One byte more: another SHA-256, the same program. */
	fd = open(copy, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "", 1));
	close(fd);
	n_before = list_registry(self->dev, before);
	ASSERT_LE(0, n_before);
	snprintf(cmd, sizeof(cmd), HVTRUSTCTL " register %s --lib /tmp/hvt_no_such_lib.so", copy);
	EXPECT_EQ(1, run_status(cmd));
	/* Nothing new stays: every entry now was there before. */
	n_after = list_registry(self->dev, after);
	ASSERT_LE(0, n_after);
	for (i = 0; i < n_after; i++) {
		for (known = false, k = 0; k < n_before && !known; k++)
			known = after[i].id == before[k].id &&
				!memcmp(after[i].file_sha256, before[k].file_sha256,
					sizeof(after[i].file_sha256));
		EXPECT_TRUE(known) {
			TH_LOG("id %u (the copy) stayed registered", after[i].id);
		}
	}
	unlink(copy);
}

/*
 * The example daemon, linked against the shared libc and libcrypto as
 * daemons are: registered with its three libraries, it opens a session,
 * protects its code and data and passes three checks, its own libcrypto
 * hash of the data among them.
 */
TEST_F(dynamic, example_daemon_runs_with_libcrypto)
{
	struct hvtrust_binary bins[HVTRUST_MAX_BINARIES];
	struct hvtrust_unregister unreg = { .size = sizeof(unreg) };
	struct stat st;
	int n, i, libs = 0;
	bool found = false;

	ASSERT_EQ(0, stat(EXAMPLED, &st));
	ASSERT_EQ(0, run_status(HVTRUSTCTL " register " EXAMPLED));
	n = list_registry(self->dev, bins);
	ASSERT_LT(0, n);
	for (i = 0; i < n && !found; i++) {
		found = bins[i].ino == st.st_ino && bins[i].dev == st.st_dev && !bins[i].programs;
		unreg.id = bins[i].id;
	}
	ASSERT_TRUE(found);
	for (i = 0; i < n; i++)
		if (bins[i].programs & (1U << unreg.id))
			libs++;
	EXPECT_LE(3, libs);	/* ld.so, libc, libcrypto */
	EXPECT_EQ(0, run_status(EXAMPLED " --count 3 --interval 10"));
	ASSERT_EQ(0, ioctl(self->dev, HVTRUST_IOC_UNREGISTER, &unreg));
}

/* Last: unregistering the program takes the libraries only it used along. */
TEST_F(dynamic, unregister_takes_its_libraries_along)
{
	struct hvtrust_binary bins[HVTRUST_MAX_BINARIES];
	struct hvtrust_unregister unreg = { .size = sizeof(unreg), .id = self->id };
	int n, i;

	ASSERT_EQ(0, ioctl(self->dev, HVTRUST_IOC_UNREGISTER, &unreg));
	n = list_registry(self->dev, bins);
	ASSERT_LE(0, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, bins[i].programs & (1U << self->id)) {
			TH_LOG("id %u still serves the program", bins[i].id);
		}
}

/* The role a re-executed copy plays: open a session, exit with the error. */
static int run_role(const char *role)
{
	struct hvtrust_session *s = NULL;
	int ret;

	if (strcmp(role, "open"))
		return 101;
	ret = hvtrust_open(&s);
	if (!ret)
		hvtrust_close(s);
	return -ret;
}

int main(int argc, char **argv)
{
	const char *role = getenv(ROLE_ENV);

	if (role)
		return run_role(role);
	return test_harness_run(argc, argv);
}
