// SPDX-License-Identifier: GPL-2.0
/* Selftest: attacks on a session: forged tokens, fork, debuggers, foreign writes, new code. */
/* Context: user space inside the test guest (root); registers itself. */
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "hvt_trust_harness.h"

/* Wrong tokens an address space may send before it is locked out (-EDQUOT). */
#define BAD_TOKEN_LIMIT	8

/* The start of the mapping in /proc/self/maps that covers @addr; 0 for none, 1 unknown. */
static uintptr_t mapping_start(uintptr_t addr)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	uintptr_t found = 0;
	char line[512];

	if (!maps)
		return 1;
	while (!found && fgets(line, sizeof(line), maps)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 && addr >= start && addr < end)
			found = start;
	}
	fclose(maps);
	return found;
}

/* Whether /proc/self/maps has a mapping that covers @addr. */
static bool mapped_here(uintptr_t addr)
{
	return mapping_start(addr) != 0;
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
	uint64_t tok[4];
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	token_of(&r, tok);
	/* the right token from this binary's own VMCALL */
	h.rbx = tok[0];
	h.rcx = tok[1];
	h.rdx = tok[2];
	h.rsi = tok[3];
	hc_direct(&h);
	EXPECT_EQ(-EPERM, (long)h.rax);
	EXPECT_EQ(0, raw_status(&r));
}

/* What the hypervisor audits of calls from outside the stub, per session, at most. */
#define BAD_CALLER_AUDITS	16

/*
 * Records of @kind for @session until one of @until shows up. Return: how
 * many, or -1 when @until did not come within 10 s.
 */
static int count_audit_until(int dev, uint64_t session, uint32_t kind, uint32_t until)
{
	static struct hvtrust_audit recs[32];
	struct timespec start, now;
	int count = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		int i, n = read_audit(dev, recs);

		if (n < 0)
			return -1;
		for (i = 0; i < n; i++) {
			if (recs[i].session_id != session)
				continue;
			if (recs[i].kind == kind)
				count++;
			if (recs[i].kind == until)
				return count;
		}
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 10);
	return -1;
}

/*
 * Attacker: the program, or code in it, calling from outside the stub over
 * and over, to flood the audit log until a revocation's record is pushed
 * out. Only the first few are audited; the close after them is on record.
 */
TEST_F(trust, calls_from_outside_the_stub_cannot_flood_the_audit_log)
{
	struct hc h = { .rax = HVTRUST_HC_STATUS };
	cpu_set_t one;
	struct raw r;
	int i, seen;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));	/* records in order */
	ASSERT_EQ(0, raw_open(&r));
	for (i = 0; i < 10 * BAD_CALLER_AUDITS; i++) {
		h.rax = HVTRUST_HC_STATUS;
		hc_direct(&h);
		ASSERT_EQ(-EPERM, (long)h.rax);
	}
	ASSERT_EQ(0, raw_call(&r, HVTRUST_HC_CLOSE, NULL, NULL));
	seen = count_audit_until(self->dev, r.page->session_id, HVTRUST_AUDIT_BAD_CALLER,
				 HVTRUST_AUDIT_CLOSED);
	EXPECT_LT(0, seen);
	EXPECT_GE(BAD_CALLER_AUDITS, seen);
}

/*
 * Attacker: a trusted program asking the hypervisor to protect 8 GiB of
 * memory that maps the huge zero page (2 million pages; the guest's 512 MiB
 * hold the page tables Linux sets aside for that much, not for 64 GiB):
 * walking and pinning it all would hold every CPU on the service's lock
 * for long. The quota answers first, before any page is looked at, and
 * nothing is left protected.
 */
TEST_F(trust, protect_of_8_gib_is_refused_before_any_walk)
{
	const char *thp_enabled = "/sys/kernel/mm/transparent_hugepage/enabled";
	const size_t huge = 2UL << 20, len = 8UL << 30;
	bool thp_was_off;
	struct timespec start, end;
	uint64_t rdi = 0, r8 = 0;
	volatile char *area;
	char thp[128] = "";
	struct raw r;
	size_t at;
	FILE *f;

	/* 4 KiB zero pages would take 128 MiB of page tables: only with THP. */
	f = fopen(thp_enabled, "r");
	if (f) {
		if (!fgets(thp, sizeof(thp), f))
			thp[0] = 0;
		fclose(f);
	}
	if (!thp[0])
		SKIP(return, "no transparent huge pages in this kernel");
	/* Reads must map the huge zero page, not allocate 2 MiB each. */
	if (hvt_write_text("/sys/kernel/mm/transparent_hugepage/use_zero_page", "1"))
		SKIP(return, "no huge zero page");
	thp_was_off = strstr(thp, "[never]");
	if (thp_was_off)
		ASSERT_EQ(0, hvt_write_text(thp_enabled, "madvise"));
	area = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	madvise((void *)area, len, MADV_HUGEPAGE);
	for (at = 0; at < len; at += huge)
		(void)area[at];		/* the huge zero page where THP has one, else 4 KiB */
	ASSERT_EQ(0, raw_open(&r));
	clock_gettime(CLOCK_MONOTONIC, &start);
	EXPECT_EQ(-ENOSPC, raw_protect(&r, (void *)area, len));
	clock_gettime(CLOCK_MONOTONIC, &end);
	TH_LOG("PROTECT of 8 GiB answered in %ld ms",
	       (long)((end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000));
	ASSERT_EQ(0, raw_call(&r, HVTRUST_HC_STATUS, &rdi, &r8));
	EXPECT_EQ(0, rdi);	/* no page protected */
	EXPECT_EQ(0, raw_protect(&r, (void *)area, PAGE));
	munmap((void *)area, len);
	if (thp_was_off)
		hvt_write_text(thp_enabled, "never");
}

/*
 * Attacker: another root process. Even reading the session's memory
 * through /proc/PID/mem is refused, and the session, whose token it was
 * after, is revoked before the open returns.
 */
TEST_F(trust, token_read_through_proc_mem_is_refused_and_revokes)
{
	struct hvtrust_audit rec;
	struct raw r;
	pid_t pid;

	ASSERT_EQ(0, raw_open(&r));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/mem", getppid());
		fd = open(path, O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(fd < 0 && errno == EACCES, 10);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	EXPECT_EQ(0, r.page->token[0] | r.page->token[1] | r.page->token[2] | r.page->token[3]);
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_TRACED), r.page->session_id, &rec));
	EXPECT_EQ(getpid(), rec.pid);
}

/* Attacker: a debugger that was attached before the program asked for its session. */
TEST_F(trust, attach_while_traced_is_refused)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct raw r;

		CHILD_CHECK(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0, 10);
		CHILD_CHECK(raw_attach(&r) == -EPERM, 11);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/*
 * Attacker: the process itself, or code injected into it, asking for new
 * executable memory once it holds a session.
 */
TEST_F(trust, new_executable_memory_is_refused_and_revokes)
{
	struct hvtrust_audit rec;
	struct raw r;
	void *page;

	ASSERT_EQ(0, raw_open(&r));
	page = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_EQ(MAP_FAILED, page);
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_EXEC_MAPPED),
			       r.page->session_id, &rec));
	/* Each later try is refused too, the session being gone already. */
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	EXPECT_EQ(-1, mprotect(page, PAGE, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EPERM, errno);
}

/* Code made writable would move to a frame root does not guard when written. */

TEST_F(trust, code_made_writable_is_refused_and_revokes)
{
	uintptr_t code = (uintptr_t)victim & ~(uintptr_t)(PAGE - 1);
	struct hvtrust_audit rec;
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	EXPECT_EQ(-1, mprotect((void *)code, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_EXEC_MAPPED),
			       r.page->session_id, &rec));
	/* The kernel's hook sees the mapping, not the range asked for. */
	EXPECT_EQ(mapping_start(code), rec.gva);
}

/* Has the test module clear NX in @addr's page-table entry, as a hostile kernel can. */
static int make_executable_behind_the_hooks(const void *addr)
{
	char params[96];
	int ret;

	snprintf(params, sizeof(params), "exec_pid=%d exec_va=%#lx", getpid(),
		 (unsigned long)(uintptr_t)addr);
	ret = hvt_load_module("/lib/hvt_peek.ko", params) ? -errno : 0;
	hvt_unload_module("hvt_peek");
	return ret;
}

/* A data page, faulted in, that executes as a bare return once it may. */
static void *data_page(void)
{
	void *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page != MAP_FAILED)
		memset(page, 0xc3, PAGE);
	return page;
}

/*
 * Attacker: a hostile kernel that makes a data page of the session's
 * process executable in the page table itself, past mprotect and so past
 * every hook the module's guard has. Only root's own walk of the executable
 * view can see it: the first hypercall is refused.
 */
TEST_F(trust, page_made_executable_behind_the_hooks_refuses_the_first_call)
{
	struct hvtrust_audit rec;
	struct raw r;
	void *page = data_page();

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, raw_attach(&r));
	ASSERT_EQ(0, make_executable_behind_the_hooks(page));
	EXPECT_EQ(-EACCES, raw_first_call(&r, (uintptr_t)r.page));
	EXPECT_EQ(0, r.page->token[0]);
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_EXEC_VIEW), ANY_SESSION, &rec));
	EXPECT_EQ((uintptr_t)page, rec.gva);
	EXPECT_NE(0, rec.gpa);
	EXPECT_EQ(getpid(), rec.pid);
}

/* The same after the session opened: a full check revokes (or the recurring check did). */
TEST_F(trust, page_made_executable_behind_the_hooks_fails_the_check_and_revokes)
{
	uint64_t rdi = 0, r8 = 0, session;
	struct hvtrust_audit rec;
	struct raw r;
	void *page = data_page();
	long ret;

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	ASSERT_EQ(0, raw_call(&r, HVTRUST_HC_CHECK, &rdi, &r8));
	ASSERT_EQ(0, make_executable_behind_the_hooks(page));
	rdi = 0;
	ret = raw_call(&r, HVTRUST_HC_CHECK, &rdi, &r8);
	if (ret == -EBADMSG) {
		EXPECT_EQ((uintptr_t)page, rdi);
	} else {
		EXPECT_EQ(-EKEYREVOKED, ret);
	}
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_EXEC_VIEW), session, &rec));
	EXPECT_EQ((uintptr_t)page, rec.gva);
}

/* And with no call at all: the hypervisor's own recurring check revokes. */
TEST_F(trust, page_made_executable_behind_the_hooks_is_found_without_calls)
{
	struct hvtrust_audit rec;
	uint64_t session;
	struct raw r;
	void *page = data_page();

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	ASSERT_EQ(0, make_executable_behind_the_hooks(page));
	ASSERT_TRUE(wait_revoked(&r)) {
		TH_LOG("no recurring check within 5 s");
	}
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_EXEC_VIEW), session, &rec));
	EXPECT_EQ((uintptr_t)page, rec.gva);
}

/* Attacker: a process that is not the registered program's image. */
TEST_F(trust, attach_with_other_executable_memory_is_refused)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct hvtrust_audit rec;
		uint64_t stub = foreign_stub(NULL);
		struct raw r;
		int dev;

		CHILD_CHECK(stub, 10);
		CHILD_CHECK(raw_attach(&r) == -EACCES, 11);
		dev = open(DEVICE, O_RDWR | O_CLOEXEC);
		CHILD_CHECK(dev >= 0, 12);
		CHILD_CHECK(find_audit(dev, KIND(HVTRUST_AUDIT_ATTACH_REFUSED), 0, &rec), 13);
		CHILD_CHECK(rec.pid == getpid(), 14);
		CHILD_CHECK(rec.gva == (stub & ~(uint64_t)(PAGE - 1)), 15);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
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
	CHILD_CHECK(read(go_r, &go, 1) == 1, 25);
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
	ATTACK_PROC_MEM_OPENED_BEFORE,
	ATTACK_VM_WRITEV_CODE,
	ATTACK_VM_WRITEV_DATA,
};

/*
 * Changes one byte at @addr in @pid; 0 or -errno of the refusal. @mem_fd:
 * /proc/PID/mem, opened before the target had a session.
 */
static int attack(pid_t pid, enum attack how, uint64_t addr, int mem_fd)
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
	case ATTACK_PROC_MEM_OPENED_BEFORE:
		return pwrite(mem_fd, &byte, 1, addr) == 1 ? 0 : -errno;
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
	int ready[2], go[2], result[2], ret, mem_fd = -1;
	struct target_result res;
	struct target_info info;
	struct hvtrust_audit rec;
	char path[64];
	uint64_t where;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(result));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		run_target(ready[1], go[0], result[1]);
	if (how == ATTACK_PROC_MEM_OPENED_BEFORE) {
		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		mem_fd = open(path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, mem_fd);
	}
	ASSERT_EQ(1, write(go[1], "s", 1));
	ASSERT_EQ(sizeof(info), read(ready[0], &info, sizeof(info)));
	ASSERT_EQ(0, info.protect_code);
	ASSERT_EQ(0, info.protect_data);
	ASSERT_EQ(0, info.check);

	where = how == ATTACK_VM_WRITEV_DATA ? info.data + 100 : (uintptr_t)victim;
	ret = attack(pid, how, where, mem_fd);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(sizeof(res), read(result[0], &res, sizeof(res)));
	EXPECT_EQ(0, wait_exit(pid));

	/* Refused before anything was written, and the session revoked. */
	switch (how) {
	case ATTACK_PTRACE_CODE:
	case ATTACK_VM_WRITEV_CODE:
	case ATTACK_VM_WRITEV_DATA:
		EXPECT_EQ(-EPERM, ret);
		break;
	case ATTACK_PROC_MEM_CODE:
		EXPECT_EQ(-EACCES, ret);
		break;
	case ATTACK_PROC_MEM_OPENED_BEFORE:
		EXPECT_EQ(-EIO, ret);
		break;
	}
	EXPECT_EQ(-EKEYREVOKED, res.check);
	EXPECT_EQ(-EKEYREVOKED, res.status);
	ASSERT_TRUE(find_audit(dev, KIND(HVTRUST_AUDIT_TRACED), info.session_id, &rec));
	EXPECT_EQ(pid, rec.pid);
	/* Nothing reached the target's memory. */
	EXPECT_EQ(0, audit_now(dev, info.session_id, 0, NULL) &
		  (KIND(HVTRUST_AUDIT_WRITE) | KIND(HVTRUST_AUDIT_CHECK_FAILED) |
		   KIND(HVTRUST_AUDIT_REMAPPED)));
	if (mem_fd >= 0)
		close(mem_fd);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	close(result[0]);
	close(result[1]);
}

/* Attacker: a root debugger. */
TEST_F(trust, ptrace_attach_is_refused_and_revokes)
{
	attack_target(_metadata, self->dev, ATTACK_PTRACE_CODE);
}

/* Attacker: another root process, through the proc file or the syscall. */
TEST_F(trust, proc_mem_write_is_refused_and_revokes)
{
	attack_target(_metadata, self->dev, ATTACK_PROC_MEM_CODE);
}

TEST_F(trust, proc_mem_opened_before_the_session_cannot_write)
{
	attack_target(_metadata, self->dev, ATTACK_PROC_MEM_OPENED_BEFORE);
}

TEST_F(trust, process_vm_writev_to_code_is_refused_and_revokes)
{
	attack_target(_metadata, self->dev, ATTACK_VM_WRITEV_CODE);
}

TEST_F(trust, process_vm_writev_to_data_is_refused_and_revokes)
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
