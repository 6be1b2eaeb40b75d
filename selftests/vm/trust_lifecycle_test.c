// SPDX-License-Identifier: GPL-2.0
/* Selftest: how sessions and the service end: exit, unregister, exec, unload, enforce, seal. */
/* Context: user space inside the test guest (root); registers itself, reloads hvtrust; seals. */
#include "hvt_trust_harness.h"

/* A session ends with its process; the address spaces that follow inherit nothing. */
TEST_F(trust, exit_ends_the_session_and_cr3_reuse_inherits_nothing)
{
	struct hvtrust_binary bin;
	int i;

	for (i = 0; i < 4; i++) {
		pid_t child = fork();

		ASSERT_LE(0, child);
		if (child == 0) {
			struct raw r;

			CHILD_CHECK(raw_open(&r) == 0, 1);
			CHILD_CHECK(raw_status(&r) == 0, 2);
			_exit(0);
		}
		ASSERT_EQ(0, wait_exit(child));
	}
	ASSERT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, &bin, NULL));
	EXPECT_EQ(0, bin.sessions);
	/* New processes, possibly on the freed page tables: no session, no access. */
	for (i = 0; i < 8; i++) {
		pid_t child = fork();

		ASSERT_LE(0, child);
		if (child == 0) {
			struct hc h = { .rax = HVTRUST_HC_SESSION_OPEN };

			hc_direct(&h);
			CHILD_CHECK((long)h.rax == -ESRCH, 1);
			h = (struct hc){ .rax = HVTRUST_HC_STATUS };
			hc_direct(&h);
			CHILD_CHECK((long)h.rax == -EPERM, 2);
			_exit(0);
		}
		ASSERT_EQ(0, wait_exit(child));
	}
}

/* Unregistering a binary ends its sessions; registering it again works. */
TEST_F(trust, unregister_ends_sessions)
{
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	ASSERT_EQ(0, raw_status(&r));
	ASSERT_EQ(0, do_unregister(self->dev, self->id));
	EXPECT_EQ(-EPERM, raw_status(&r));
	ASSERT_EQ(0, ensure_registered(self->dev, &self->id));
	close(r.fd);
}

/*
 * A child the test talks to over two pipes: it says "ready" on @ready[1]
 * and waits for "go" on @go[0]. Return: fork()'s result, -1 on failure.
 */
static pid_t fork_with_pipes(int ready[2], int go[2])
{
	if (pipe(ready) || pipe(go))
		return -1;
	return fork();
}

/* Roles this binary runs in after exec (HVT_TRUST_ROLE): fds of the pipes to the test. */
#define EXEC_READY_FD	10
#define EXEC_GO_FD	11

/*
 * exec replaces the address space: the session of the old one ends at once
 * (mmu notifier), while the same process runs on, and the new image may
 * attach afresh.
 */
TEST_F(trust, exec_ends_the_session)
{
	struct hvtrust_binary bin;
	int ready[2], go[2];
	char byte;
	pid_t child;

	child = fork_with_pipes(ready, go);
	ASSERT_LE(0, child);
	if (child == 0) {
		char *argv[] = { "trust_test", NULL };
		struct raw r;

		CHILD_CHECK(raw_open(&r) == 0, 1);
		CHILD_CHECK(raw_status(&r) == 0, 2);
		close(r.fd);
		CHILD_CHECK(dup2(ready[1], EXEC_READY_FD) == EXEC_READY_FD, 3);
		CHILD_CHECK(dup2(go[0], EXEC_GO_FD) == EXEC_GO_FD, 4);
		CHILD_CHECK(write(EXEC_READY_FD, "a", 1) == 1, 5);
		CHILD_CHECK(read(EXEC_GO_FD, &byte, 1) == 1, 6);
		setenv("HVT_TRUST_ROLE", "exec", 1);
		execv("/proc/self/exe", argv);
		_exit(7);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &byte, 1));
	ASSERT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, &bin, NULL));
	EXPECT_EQ(1, bin.sessions);
	ASSERT_EQ(1, write(go[1], "g", 1));
	/* The new image says so once it runs; the old session must be gone then. */
	ASSERT_EQ(1, read(ready[0], &byte, 1));
	EXPECT_EQ('b', byte);
	ASSERT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, &bin, NULL));
	EXPECT_EQ(0, bin.sessions);
	ASSERT_EQ(1, write(go[1], "g", 1));
	/* Same pid, new address space: a session of its own. */
	EXPECT_EQ(0, wait_exit(child));
	close(ready[0]);
	close(go[1]);
}

/*
 * rmmod with sessions open: it succeeds (the session pages hold neither
 * the device nor the module), ends every session, and the programs' calls
 * answer -ENODEV from then on, through the library and through the raw
 * stub alike, instead of a VMCALL on a CPU without VMX (SIGILL).
 */
TEST_F(trust, unload_ends_sessions_and_calls_return_enodev)
{
	struct hvtrust_session_status st;
	struct hvtrust_session *s, *s2;
	int ready[2], go[2];
	char byte;
	pid_t child;

	child = fork_with_pipes(ready, go);
	ASSERT_LE(0, child);
	if (child == 0) {
		uint64_t rdi = 0, r8 = 0;
		struct raw r;

		close(self->dev);
		CHILD_CHECK(raw_open(&r) == 0, 1);
		CHILD_CHECK(raw_status(&r) == 0, 2);
		close(r.fd);
		CHILD_CHECK(write(ready[1], "a", 1) == 1, 3);
		CHILD_CHECK(read(go[0], &byte, 1) == 1, 4);
		/* The stub itself answers now: no VMCALL, no SIGILL. */
		CHILD_CHECK(raw_call(&r, HVTRUST_HC_STATUS, &rdi, &r8) == -ENODEV, 5);
		CHILD_CHECK(r.page->flags == HVTRUST_SESSION_ENDED, 6);
		CHILD_CHECK(r.page->token[0] == 0 && r.page->token[3] == 0, 7);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(0, hvtrust_open(&s));
	ASSERT_EQ(0, hvtrust_status(s, &st));
	ASSERT_EQ(1, read(ready[0], &byte, 1));

	close(self->dev);
	self->dev = -1;
	ASSERT_EQ(0, hvt_unload_module("hvtrust")) {
		TH_LOG("rmmod hvtrust with two sessions open: %s", strerror(errno));
	}
	EXPECT_FALSE(hvtrust_present());
	EXPECT_EQ(-ENODEV, hvtrust_status(s, &st));
	EXPECT_EQ(HVTRUST_SESSION_ENDED, st.flags);
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, wait_exit(child));

	/* Loaded again: the old session stays over, a new one opens. */
	ASSERT_EQ(0, hvt_load_module(hvt_module_path(), ""));
	self->dev = open(DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, ensure_registered(self->dev, &self->id));
	EXPECT_EQ(-ENODEV, hvtrust_status(s, &st));
	EXPECT_EQ(-ENODEV, hvtrust_close(s));
	ASSERT_EQ(0, hvtrust_open(&s2));
	EXPECT_EQ(0, hvtrust_status(s2, &st));
	EXPECT_EQ(0, hvtrust_close(s2));
	close(ready[0]);
	close(go[1]);
}

/*
 * enforce=1: the guest kernel (a test module) writes a protected code frame;
 * the write is dropped, audited, and the session lives on.
 */
TEST_F(trust, enforce_mode_drops_writes_to_code)
{
	uintptr_t code = (uintptr_t)victim & ~(uintptr_t)(PAGE - 1);
	uint64_t pa, session, before;
	struct hvtrust_audit rec;
	char params[64];
	struct raw r;

	close(self->dev);
	self->dev = -1;
	ASSERT_EQ(0, hvt_unload_module("hvtrust")) {
		TH_LOG("rmmod hvtrust: %s", strerror(errno));
	}
	ASSERT_EQ(0, hvt_load_module(hvt_module_path(), "enforce=1"));
	self->dev = open(DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, ensure_registered(self->dev, &self->id));

	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	before = *(volatile uint64_t *)code;
	pa = pfn_of((void *)code) << 12;
	ASSERT_NE(0, pa);
	snprintf(params, sizeof(params), "pa=%#llx", (unsigned long long)pa);
	ASSERT_EQ(0, hvt_load_module("/lib/hvt_peek.ko", params));
	hvt_unload_module("hvt_peek");
	EXPECT_EQ(before, *(volatile uint64_t *)code);
	EXPECT_EQ(0, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_WRITE), session, &rec));
	EXPECT_EQ(pa, rec.gpa & ~(uint64_t)(PAGE - 1));

	/* Back to the default for the tests that follow. */
	munmap((void *)r.page, PAGE);
	close(r.fd);
	close(self->dev);
	self->dev = -1;
	ASSERT_EQ(0, hvt_unload_module("hvtrust")) {
		TH_LOG("rmmod hvtrust: %s", strerror(errno));
	}
	ASSERT_EQ(0, hvt_load_module(hvt_module_path(), ""));
}

/*
 * Last: a sealed registry stays sealed until reboot, the module stays too,
 * and no CPU leaves VMX any more: not for a hibernation a root process
 * starts, nor for a hostile kernel that calls DEVIRTUALIZE with the
 * module's credential. Sessions live on through both tries.
 */
TEST_F(trust, seal_is_final)
{
	struct hvtrust_seal seal = { .size = sizeof(seal) };
	uint32_t flags = 0;
	struct raw r;
	int snapshot;

	ASSERT_EQ(0, raw_open(&r));
	ASSERT_EQ(0, ioctl_err(self->dev, HVTRUST_IOC_SEAL, &seal));
	snapshot = start_hibernation();
	EXPECT_EQ(-1, snapshot);
	EXPECT_EQ(EPERM, errno);
	if (snapshot >= 0)
		close(snapshot);
	if (!access(DEVIRTUALIZE_HOOK, W_OK))
		EXPECT_EQ(-EPERM, devirtualize_cpu(0));
	EXPECT_TRUE(all_cpus_virtualized(self->dev));
	EXPECT_EQ(0, raw_status(&r));
	ASSERT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, NULL, &flags));
	EXPECT_EQ(HVTRUST_LIST_SEALED, flags & HVTRUST_LIST_SEALED);
	ASSERT_EQ(0, make_copy("after seal"));
	EXPECT_EQ(-EPERM, do_register(self->dev, COPY_PATH, self_manifest,
				      self_manifest->size, NULL));
	EXPECT_EQ(-EPERM, do_unregister(self->dev, self->id));
	EXPECT_EQ(-1, hvt_unload_module("hvtrust"));
	EXPECT_TRUE(hvt_module_listed("hvtrust"));
	EXPECT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, NULL, NULL));
	unlink(COPY_PATH);
}

/* Roles a test runs this binary in, by exec, chosen by the environment. */
static int run_role(const char *role)
{
	char byte;

	if (strcmp(role, "exec"))
		return UNKNOWN_ROLE;
	if (write(EXEC_READY_FD, "b", 1) != 1 || read(EXEC_GO_FD, &byte, 1) != 1)
		return 102;
	return attach_role();
}

int main(int argc, char **argv)
{
	return hvt_trust_main(argc, argv, run_role);
}
