// SPDX-License-Identifier: GPL-2.0
/* Selftest: attacks on a session: forged or copied tokens, fork, ptrace, proc mem, vm_writev. */
/* Context: user space inside the test guest (root); registers itself. */
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "hvt_trust_harness.h"

/* Wrong tokens an address space may send before it is locked out (-EDQUOT). */
#define BAD_TOKEN_LIMIT	8

/* Whether /proc/self/maps has a mapping that covers @addr. */
static bool mapped_here(uintptr_t addr)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	if (!maps)
		return true;
	while (!found && fgets(line, sizeof(line), maps)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2)
			found = addr >= start && addr < end;
	}
	fclose(maps);
	return found;
}

TEST_F(trust, forged_token_is_rejected)
{
	struct hvtrust_audit rec;
	uint64_t tok[4], rdi = 0, r8 = 0;
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	token_of(&r, tok);
	tok[0] ^= 1;
	EXPECT_EQ(-EKEYREJECTED, call_with(&r, 0, HVTRUST_HC_STATUS, tok, &rdi, &r8));
	token_of(&r, tok);
	tok[3] ^= 1ULL << 63;
	EXPECT_EQ(-EKEYREJECTED, call_with(&r, 0, HVTRUST_HC_STATUS, tok, &rdi, &r8));
	memset(tok, 0, sizeof(tok));
	EXPECT_EQ(-EKEYREJECTED, call_with(&r, 0, HVTRUST_HC_STATUS, tok, &rdi, &r8));
	/* below the lockout the right token still works */
	EXPECT_EQ(0, raw_status(&r));
	EXPECT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_BAD_TOKEN), r.page->session_id, &rec));
	EXPECT_EQ(getpid(), rec.pid);
}

TEST_F(trust, calls_must_come_through_the_safe_address)
{
	struct hc h = { .rax = HVTRUST_HC_STATUS };
	uint64_t tok[4], stub = foreign_stub(NULL);
	struct raw r;

	ASSERT_NE(0, stub);
	ASSERT_EQ(0, raw_open(&r));
	token_of(&r, tok);
	/* the right token from this binary's own VMCALL */
	h.rbx = tok[0];
	h.rcx = tok[1];
	h.rdx = tok[2];
	h.rsi = tok[3];
	hc_direct(&h);
	EXPECT_EQ(-EPERM, (long)h.rax);
	/* and from a copy of the stub elsewhere */
	EXPECT_EQ(-EPERM, call_with(&r, stub, HVTRUST_HC_STATUS, tok, NULL, NULL));
	EXPECT_EQ(0, raw_status(&r));
}

/* Another process reads the token out of /proc/PID/mem: it is useless there. */
TEST_F(trust, token_copied_through_proc_mem_is_useless)
{
	struct raw r;
	pid_t pid;

	ASSERT_EQ(0, raw_open(&r));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct hvtrust_session_page copy;
		struct hc h = { .rax = HVTRUST_HC_STATUS };
		uint64_t stub, tok[4];
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/mem", getppid());
		fd = open(path, O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(fd >= 0, 10);
		CHILD_CHECK(pread(fd, &copy, sizeof(copy), (uintptr_t)r.page) == sizeof(copy), 11);
		CHILD_CHECK(copy.magic == HVTRUST_SESSION_MAGIC, 12);
		/* a stub at the very same address, in this address space */
		stub = foreign_stub((void *)r.page);
		CHILD_CHECK(stub == copy.safe_hypercall, 13);
		memcpy(tok, (const void *)copy.token, sizeof(tok));
		CHILD_CHECK(call_with(&r, stub, HVTRUST_HC_STATUS, tok, NULL, NULL) == -EPERM, 14);
		h.rbx = tok[0];
		h.rcx = tok[1];
		h.rdx = tok[2];
		h.rsi = tok[3];
		hc_direct(&h);
		CHILD_CHECK((long)h.rax == -EPERM, 15);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, raw_status(&r));
}

TEST_F(trust, forked_child_has_no_session)
{
	uint64_t tok[4];
	struct raw r;
	pid_t pid;

	ASSERT_EQ(0, raw_open(&r));
	token_of(&r, tok);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t stub;

		/* the session page is not inherited (before the stub takes its place) */
		CHILD_CHECK(!mapped_here((uintptr_t)r.page), 10);
		stub = foreign_stub(NULL);
		CHILD_CHECK(stub, 11);
		CHILD_CHECK(call_with(&r, stub, HVTRUST_HC_STATUS, tok, NULL, NULL) == -EPERM, 12);
		CHILD_CHECK(raw_first_call(&r, (uintptr_t)r.page) == -ESRCH, 13);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, raw_status(&r));
}

/* What a trusted target reports to the attacking test process. */
struct target_info {
	uint64_t code;
	uint64_t data;
	uint64_t session_id;
	int64_t protect_code, protect_data, check;
};

struct target_result {
	int64_t check, changed, status;
};

/*
 * A child holds a session with the page of victim() and a data page
 * protected; the test process attacks it with @attack between its checks.
 */
static void run_target(int ready_w, int go_r, int result_w)
{
	struct target_info info = { .code = (uintptr_t)victim & ~(uintptr_t)(PAGE - 1) };
	struct target_result res;
	unsigned char *data;
	uint64_t rdi = 0, r8 = 0;
	struct raw r;
	char go;

	data = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(data != MAP_FAILED, 20);
	memset(data, 0x3c, PAGE);
	mlock(data, PAGE);
	info.data = (uintptr_t)data;
	CHILD_CHECK(raw_open(&r) == 0, 21);
	info.session_id = r.page->session_id;
	info.protect_code = raw_protect(&r, (void *)info.code, PAGE);
	info.protect_data = raw_protect(&r, data, PAGE);
	info.check = raw_call(&r, HVTRUST_HC_CHECK, &rdi, &r8);
	CHILD_CHECK(write(ready_w, &info, sizeof(info)) == sizeof(info), 22);
	CHILD_CHECK(read(go_r, &go, 1) == 1, 23);
	rdi = r8 = 0;
	res.check = raw_call(&r, HVTRUST_HC_CHECK, &rdi, &r8);
	res.changed = rdi;
	res.status = raw_status(&r);
	CHILD_CHECK(write(result_w, &res, sizeof(res)) == sizeof(res), 24);
	_exit(0);
}

enum attack {
	ATTACK_PTRACE_CODE,
	ATTACK_PROC_MEM_CODE,
	ATTACK_VM_WRITEV_CODE,
	ATTACK_VM_WRITEV_DATA,
};

/* Changes one byte at @addr in @pid; 0 or -errno of the refusal. */
static int attack(pid_t pid, enum attack how, uint64_t addr)
{
	char path[64];
	unsigned char byte = 0x90 ^ 0xff;
	int ret = 0, fd, status;

	switch (how) {
	case ATTACK_PTRACE_CODE: {
		long word;

		if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
			return -errno;
		waitpid(pid, &status, 0);
		errno = 0;
		word = ptrace(PTRACE_PEEKTEXT, pid, (void *)addr, NULL);
		if (errno || ptrace(PTRACE_POKETEXT, pid, (void *)addr, (void *)(word ^ 0xff)))
			ret = -errno;
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		return ret;
	}
	case ATTACK_PROC_MEM_CODE:
		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (pwrite(fd, &byte, 1, addr) != 1)
			ret = -errno;
		close(fd);
		return ret;
	case ATTACK_VM_WRITEV_CODE:
	case ATTACK_VM_WRITEV_DATA: {
		struct iovec local = { .iov_base = &byte, .iov_len = 1 };
		struct iovec remote = { .iov_base = (void *)addr, .iov_len = 1 };

		return process_vm_writev(pid, &local, 1, &remote, 1, 0) == 1 ? 0 : -errno;
	}
	}
	return -EINVAL;
}

static void attack_target(struct __test_metadata *_metadata, int dev, enum attack how)
{
	int ready[2], go[2], result[2], ret;
	struct target_result res;
	struct target_info info;
	struct hvtrust_audit rec;
	uint64_t where;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(result));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		run_target(ready[1], go[0], result[1]);
	ASSERT_EQ(sizeof(info), read(ready[0], &info, sizeof(info)));
	ASSERT_EQ(0, info.protect_code);
	ASSERT_EQ(0, info.protect_data);
	ASSERT_EQ(0, info.check);

	where = how == ATTACK_VM_WRITEV_DATA ? info.data + 100 : (uintptr_t)victim;
	ret = attack(pid, how, where);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(sizeof(res), read(result[0], &res, sizeof(res)));
	EXPECT_EQ(0, wait_exit(pid));

	switch (how) {
	case ATTACK_PTRACE_CODE:
	case ATTACK_PROC_MEM_CODE:
		/* the kernel copies the page on write: the next check sees another frame */
		ASSERT_EQ(0, ret);
		EXPECT_EQ(-EBADMSG, res.check);
		EXPECT_EQ(info.code, (uint64_t)res.changed & ~(uint64_t)(PAGE - 1));
		EXPECT_EQ(-EKEYREVOKED, res.status);
		EXPECT_TRUE(find_audit(dev, KIND(HVTRUST_AUDIT_CHECK_FAILED) |
				       KIND(HVTRUST_AUDIT_REMAPPED), info.session_id, &rec));
		break;
	case ATTACK_VM_WRITEV_CODE:
		/* process_vm_writev honours the mapping's protection: nothing changed */
		EXPECT_EQ(-EFAULT, ret);
		EXPECT_EQ(0, res.check);
		EXPECT_EQ(0, res.status);
		break;
	case ATTACK_VM_WRITEV_DATA:
		/* the kernel writes the frame itself: the hypervisor sees the write */
		ASSERT_EQ(0, ret);
		EXPECT_EQ(-EKEYREVOKED, res.check);
		EXPECT_EQ(-EKEYREVOKED, res.status);
		EXPECT_TRUE(find_audit(dev, KIND(HVTRUST_AUDIT_WRITE), info.session_id, &rec));
		break;
	}
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	close(result[0]);
	close(result[1]);
}

TEST_F(trust, ptrace_poketext_is_detected)
{
	attack_target(_metadata, self->dev, ATTACK_PTRACE_CODE);
}

TEST_F(trust, proc_mem_write_is_detected)
{
	attack_target(_metadata, self->dev, ATTACK_PROC_MEM_CODE);
}

TEST_F(trust, process_vm_writev_to_code_is_refused)
{
	attack_target(_metadata, self->dev, ATTACK_VM_WRITEV_CODE);
}

TEST_F(trust, process_vm_writev_to_data_revokes)
{
	attack_target(_metadata, self->dev, ATTACK_VM_WRITEV_DATA);
}

TEST_F(trust, lockout_after_too_many_bad_tokens)
{
	struct hvtrust_audit rec;
	uint64_t tok[4], bad[4];
	struct raw r;
	pid_t pid;
	int i;

	ASSERT_EQ(0, raw_open(&r));
	token_of(&r, tok);
	memcpy(bad, tok, sizeof(bad));
	bad[1] ^= 0x100;
	for (i = 0; i < BAD_TOKEN_LIMIT; i++)
		EXPECT_EQ(-EKEYREJECTED, call_with(&r, 0, HVTRUST_HC_STATUS, bad, NULL, NULL)) {
			TH_LOG("bad token %d", i + 1);
		}
	/* locked: even the right token */
	EXPECT_EQ(-EDQUOT, call_with(&r, 0, HVTRUST_HC_STATUS, tok, NULL, NULL));
	EXPECT_EQ(-EDQUOT, call_with(&r, 0, HVTRUST_HC_STATUS, bad, NULL, NULL));
	EXPECT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_LOCKED_OUT), r.page->session_id, &rec));

	/* the lockout is this address space's: another process opens a session */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct raw child;

		CHILD_CHECK(raw_open(&child) == 0, 10);
		CHILD_CHECK(raw_status(&child) == 0, 11);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

int main(int argc, char **argv)
{
	return hvt_trust_main(argc, argv, NULL);
}
