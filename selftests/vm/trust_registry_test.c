// SPDX-License-Identifier: GPL-2.0
/* Selftest: the trusted-program registry and its administration: register, list, ioctls, audit. */
/* Context: user space inside the test guest (root); registers itself. */
#include <grp.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "hvt_trust_harness.h"

TEST_F(trust, register_self_and_list)
{
	struct hvtrust_binary bin;
	struct stat sb;
	uint32_t id = ~0U, flags = ~0U;

	ASSERT_EQ(0, do_unregister(self->dev, self->id));
	EXPECT_EQ(0, find_binary(self->dev, self_manifest->file_sha256, NULL, NULL));
	ASSERT_EQ(0, do_register(self->dev, "/proc/self/exe", self_manifest,
				 self_manifest->size, &id));
	EXPECT_EQ(-EEXIST, do_register(self->dev, "/proc/self/exe", self_manifest,
				       self_manifest->size, NULL));
	ASSERT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, &bin, &flags));
	ASSERT_EQ(0, stat("/proc/self/exe", &sb));
	EXPECT_EQ(id, bin.id);
	EXPECT_EQ(self_manifest->nr_pages, bin.nr_pages);
	EXPECT_EQ(self_manifest->file_size, bin.file_size);
	EXPECT_EQ((uint64_t)sb.st_ino, bin.ino);
	/* new_encode_dev() */
	EXPECT_EQ((uint64_t)((minor(sb.st_dev) & 0xff) | (major(sb.st_dev) << 8) |
			     ((minor(sb.st_dev) & ~0xffU) << 12)), bin.dev);
	EXPECT_EQ(0, bin.sessions);
	EXPECT_EQ(0, bin.programs);	/* a program, not a library */
	EXPECT_EQ(0, flags & HVTRUST_LIST_SEALED);
}

TEST_F(trust, register_refuses_forged_and_malformed_manifests)
{
	struct hvtrust_manifest *m = NULL, *bad;
	struct hvt_mf_status st;
	uint32_t id;

	ASSERT_EQ(0, make_copy("forged"));
	ASSERT_EQ(0, hvt_manifest_build_path(COPY_PATH, &m, &st)) {
		TH_LOG("%s", st.message);
	}
	bad = malloc(m->size);
	ASSERT_NE(NULL, bad);

	/* one bit of one page hash */
	memcpy(bad, m, m->size);
	((uint8_t *)hvt_manifest_page_hash(bad, bad->nr_pages / 2))[7] ^= 0x10;
	EXPECT_EQ(-EBADMSG, do_register(self->dev, COPY_PATH, bad, bad->size, NULL));
	/* the file hash */
	memcpy(bad, m, m->size);
	bad->file_sha256[0] ^= 1;
	EXPECT_EQ(-EBADMSG, do_register(self->dev, COPY_PATH, bad, bad->size, NULL));
	/* the manifest of another file (this binary) for this fd */
	EXPECT_EQ(-EBADMSG, do_register(self->dev, COPY_PATH, self_manifest,
					self_manifest->size, NULL));
	/* malformed: magic, reserved, a length that is not the size field */
	memcpy(bad, m, m->size);
	bad->magic ^= 1;
	EXPECT_EQ(-EINVAL, do_register(self->dev, COPY_PATH, bad, bad->size, NULL));
	memcpy(bad, m, m->size);
	bad->reserved[0] = 1;
	EXPECT_EQ(-EINVAL, do_register(self->dev, COPY_PATH, bad, bad->size, NULL));
	EXPECT_EQ(-EINVAL, do_register(self->dev, COPY_PATH, m, m->size - 32, NULL));
	EXPECT_EQ(0, find_binary(self->dev, m->file_sha256, NULL, NULL));

	/* the honest manifest of the copy registers, and goes */
	ASSERT_EQ(0, do_register(self->dev, COPY_PATH, m, m->size, &id));
	EXPECT_NE(self->id, id);
	EXPECT_EQ(1, find_binary(self->dev, m->file_sha256, NULL, NULL));
	EXPECT_EQ(0, do_unregister(self->dev, id));
	EXPECT_EQ(-ENOENT, do_unregister(self->dev, id));
	EXPECT_EQ(0, find_binary(self->dev, m->file_sha256, NULL, NULL));
	free(bad);
	free(m);
	unlink(COPY_PATH);
}

TEST_F(trust, administration_needs_cap_sys_admin)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct hvtrust_seal seal = { .size = sizeof(seal) };
		struct hvtrust_audit rec;
		struct hvtrust_read_audit req = {
			.size = sizeof(req), .count = 1, .entry_size = sizeof(rec),
			.records = (uintptr_t)&rec,
		};

		/* the device stays open: only the capability is gone */
		CHILD_CHECK(!setgroups(0, NULL) && !setresgid(65534, 65534, 65534) &&
			    !setresuid(65534, 65534, 65534), 10);
		CHILD_CHECK(do_register(self->dev, "/proc/self/exe", self_manifest,
					self_manifest->size, NULL) == -EPERM, 11);
		CHILD_CHECK(do_unregister(self->dev, self->id) == -EPERM, 12);
		CHILD_CHECK(ioctl(self->dev, HVTRUST_IOC_SEAL, &seal) == -1 && errno == EPERM, 13);
		CHILD_CHECK(ioctl(self->dev, HVTRUST_IOC_READ_AUDIT, &req) == -1 &&
			    errno == EPERM, 14);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, NULL, NULL));
}

/* poll(2): the device turns readable when an audit record arrives, not before. */
TEST_F(trust, poll_waits_for_audit_records)
{
	struct pollfd pfd = { .fd = self->dev, .events = POLLIN };
	struct hvtrust_audit rec;
	uint64_t tok[4], rdi = 0, r8 = 0;
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	ASSERT_LE(0, audit_now(self->dev, 0, 0, NULL));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	token_of(&r, tok);
	tok[1] ^= 4;
	EXPECT_EQ(-EKEYREJECTED, call_with(&r, 0, HVTRUST_HC_STATUS, tok, &rdi, &r8));
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_EQ(POLLIN, pfd.revents & (POLLIN | POLLERR | POLLNVAL));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_BAD_TOKEN), r.page->session_id,
			       &rec));
	ASSERT_LE(0, audit_now(self->dev, 0, 0, NULL));
	pfd.revents = 0;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

/* An argument struct with room for a newer caller's tail. */
union any_arg {
	struct hvtrust_register reg;
	struct hvtrust_unregister unreg;
	struct hvtrust_list list;
	struct hvtrust_seal seal;
	struct hvtrust_attach attach;
	struct hvtrust_read_audit audit;
	struct hvtrust_quote_key key;
	uint8_t bytes[256];
};

TEST_F(trust, new_ioctls_check_their_arguments)
{
	static const struct {
		unsigned long cmd;
		uint32_t v1;
	} cmds[] = {
		{ HVTRUST_IOC_REGISTER, HVTRUST_REGISTER_SIZE_V1 },
		{ HVTRUST_IOC_UNREGISTER, HVTRUST_UNREGISTER_SIZE_V1 },
		{ HVTRUST_IOC_LIST, HVTRUST_LIST_SIZE_V1 },
		{ HVTRUST_IOC_SEAL, HVTRUST_SEAL_SIZE_V1 },
		{ HVTRUST_IOC_ATTACH, HVTRUST_ATTACH_SIZE_V1 },
		{ HVTRUST_IOC_READ_AUDIT, HVTRUST_READ_AUDIT_SIZE_V1 },
		{ HVTRUST_IOC_GET_QUOTE_KEY, HVTRUST_QUOTE_KEY_SIZE_V1 },
	};
	static struct hvtrust_binary bins[4];
	struct hvtrust_audit rec;
	union any_arg a;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		memset(&a, 0, sizeof(a));
		EXPECT_EQ(-EINVAL, ioctl_err(self->dev, cmds[i].cmd, &a)) {
			TH_LOG("command %zu with size 0", i);
		}
		a.reg.size = cmds[i].v1 - 1;
		EXPECT_EQ(-EINVAL, ioctl_err(self->dev, cmds[i].cmd, &a)) {
			TH_LOG("command %zu with size %u", i, cmds[i].v1 - 1);
		}
		a.reg.size = cmds[i].v1 + 8;
		a.bytes[cmds[i].v1 + 3] = 1;
		EXPECT_EQ(-E2BIG, ioctl_err(self->dev, cmds[i].cmd, &a)) {
			TH_LOG("command %zu with a nonzero tail", i);
		}
		EXPECT_EQ(-EFAULT, ioctl_err(self->dev, cmds[i].cmd, NULL));
		EXPECT_EQ(-EFAULT, ioctl_err(self->dev, cmds[i].cmd, (void *)8));
	}

	/* reserved and flags fields */
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	memset(&a, 0, sizeof(a));
	a.reg = (struct hvtrust_register){ .size = sizeof(a.reg), .fd = fd, .flags = 0x80,
		.manifest_size = self_manifest->size, .manifest = (uintptr_t)self_manifest };
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_REGISTER, &a));
	a.reg.flags = 0;
	a.reg.program = 1;	/* only a library names its program */
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_REGISTER, &a));
	a.reg.flags = HVTRUST_REGISTER_LIBRARY;
	a.reg.program = HVTRUST_MAX_BINARIES;
	EXPECT_EQ(-ENOENT, ioctl_err(self->dev, HVTRUST_IOC_REGISTER, &a));
	a.reg.flags = 0;
	a.reg.program = 0;
	a.reg.manifest = 8;
	EXPECT_EQ(-EFAULT, ioctl_err(self->dev, HVTRUST_IOC_REGISTER, &a));
	a.reg.manifest = (uintptr_t)self_manifest;
	a.reg.fd = -1;
	EXPECT_EQ(-EBADF, ioctl_err(self->dev, HVTRUST_IOC_REGISTER, &a));
	close(fd);

	memset(&a, 0, sizeof(a));
	a.seal = (struct hvtrust_seal){ .size = sizeof(a.seal), .flags = 1 };
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_SEAL, &a));
	memset(&a, 0, sizeof(a));
	a.attach = (struct hvtrust_attach){ .size = sizeof(a.attach), .flags = 1 };
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_ATTACH, &a));
	a.attach.flags = 0;
	a.attach.reserved = 1;
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_ATTACH, &a));

	/* user pointers and entry sizes inside the structs */
	memset(&a, 0, sizeof(a));
	a.list = (struct hvtrust_list){ .size = sizeof(a.list), .count = 4,
		.entry_size = sizeof(bins[0]), .binaries = 8 };
	EXPECT_EQ(-EFAULT, ioctl_err(self->dev, HVTRUST_IOC_LIST, &a));
	a.list.binaries = (uintptr_t)bins;
	a.list.entry_size = 0;
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_LIST, &a));
	memset(&a, 0, sizeof(a));
	a.audit = (struct hvtrust_read_audit){ .size = sizeof(a.audit), .count = 1,
		.entry_size = 0, .records = (uintptr_t)&rec };
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_READ_AUDIT, &a));

	memset(&a, 0, sizeof(a));
	a.unreg = (struct hvtrust_unregister){ .size = sizeof(a.unreg), .id = 0xfffffff0 };
	EXPECT_EQ(-ENOENT, ioctl_err(self->dev, HVTRUST_IOC_UNREGISTER, &a));

	/* unknown commands, and known numbers with another encoding */
	memset(&a, 0, sizeof(a));
	a.seal.size = sizeof(a.seal);
	EXPECT_EQ(-ENOTTY, ioctl_err(self->dev, _IO(HVTRUST_IOCTL_TYPE, 0x0a), &a));
	/* the quote key's reserved word */
	memset(&a, 0, sizeof(a));
	a.key.size = sizeof(a.key);
	a.key.reserved = 1;
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_GET_QUOTE_KEY, &a));
	EXPECT_EQ(-ENOTTY, ioctl_err(self->dev, _IO(HVTRUST_IOCTL_TYPE, 0xff), &a));
	EXPECT_EQ(-ENOTTY, ioctl_err(self->dev, _IOW(HVTRUST_IOCTL_TYPE, 0x06,
						     struct hvtrust_seal), &a));
	EXPECT_EQ(-ENOTTY, ioctl_err(self->dev, _IO(HVTRUST_IOCTL_TYPE + 1, 0x06), &a));

	/* none of that changed the registry or sealed it */
	EXPECT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, NULL, NULL));
}

int main(int argc, char **argv)
{
	return hvt_trust_main(argc, argv, NULL);
}
