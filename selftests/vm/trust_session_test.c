// SPDX-License-Identifier: GPL-2.0
/* Selftest: trusted-program sessions: attach, the first hypercall, the library, many at once. */
/* Context: user space inside the test guest (root); registers itself, re-execs itself in roles. */
#include <elf.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/prctl.h>

#include "hvt_trust_harness.h"

static sigjmp_buf segv_env;
static volatile sig_atomic_t segv_code;
static void *volatile segv_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	segv_code = si->si_code;
	segv_addr = si->si_addr;
	siglongjmp(segv_env, 1);
}

static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

TEST_F(trust, attach_requires_a_registered_binary)
{
	pid_t pid;

	ASSERT_EQ(0, make_copy("unregistered"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		setenv("HVT_TRUST_ROLE", "attach", 1);
		execl(COPY_PATH, COPY_PATH, (char *)NULL);
		_exit(127);
	}
	EXPECT_EQ(ENOENT, wait_exit(pid));
	unlink(COPY_PATH);
}

/*
 * Attacker: a root process that is not the registered program but maps the
 * registered file's code beside its own, as the loader would, and asks.
 */
TEST_F(trust, impostor_mapping_the_registered_file_is_refused)
{
	char registered[PATH_MAX];
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", registered, sizeof(registered) - 1);
	ASSERT_LT(0, n);
	registered[n] = 0;
	ASSERT_EQ(0, make_copy("impostor"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		setenv("HVT_TRUST_ROLE", "impostor", 1);
		setenv("HVT_TRUST_REGISTERED", registered, 1);
		execl(COPY_PATH, COPY_PATH, (char *)NULL);
		_exit(127);
	}
	EXPECT_EQ(ENOENT, wait_exit(pid));
	unlink(COPY_PATH);
}

TEST_F(trust, first_hypercall_opens_a_read_only_session_page)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	struct hvtrust_attach again = { .size = sizeof(again) };
	struct raw r;
	uint64_t base;

	ASSERT_EQ(0, raw_attach(&r));
	base = (uintptr_t)r.page;
	ASSERT_NE(0, base);
	EXPECT_EQ(0, base & (PAGE - 1));
	EXPECT_EQ(self->id, r.binary_id);
	ASSERT_EQ((long)base, raw_first_call(&r, base));
	EXPECT_EQ(HVTRUST_SESSION_MAGIC, r.page->magic);
	EXPECT_EQ(HVTRUST_ABI_VERSION, r.page->abi_version);
	EXPECT_NE(0, r.page->session_id);
	EXPECT_EQ(HVTRUST_SESSION_OPEN, r.page->flags);
	EXPECT_NE(0, r.page->token[0] | r.page->token[1] | r.page->token[2] | r.page->token[3]);
	EXPECT_EQ(base + HVTRUST_SESSION_STUB_OFFSET, r.page->safe_hypercall);
	EXPECT_EQ(0, raw_status(&r));

	/* one session per address space */
	EXPECT_EQ(-1, ioctl(r.fd, HVTRUST_IOC_ATTACH, &again));
	EXPECT_EQ(EBUSY, errno);

	/* the page refuses writes: the PTE is read-only, and stays so */
	ASSERT_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	segv_code = 0;
	if (!sigsetjmp(segv_env, 1)) {
		((volatile uint64_t *)r.page)[0] = 0;
		TH_LOG("the write to the session page went through");
	}
	EXPECT_EQ(SEGV_ACCERR, segv_code);
	EXPECT_EQ((void *)base, segv_addr);
	EXPECT_EQ(-1, mprotect((void *)base, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(HVTRUST_SESSION_MAGIC, r.page->magic);
	EXPECT_EQ(0, raw_status(&r));
}

TEST_F(trust, first_hypercall_without_attach_is_esrch)
{
	static char page[PAGE] __attribute__((aligned(PAGE)));

	EXPECT_EQ(-ESRCH, raw_first_call(NULL, (uintptr_t)page));
}

TEST_F(trust, first_hypercall_with_another_page_is_einval)
{
	struct raw r;

	ASSERT_EQ(0, raw_attach(&r));
	EXPECT_EQ(-EINVAL, raw_first_call(&r, (uintptr_t)r.page + PAGE));
}

/*
 * No other code may be mapped once attached: the one executable page
 * outside the binary is the session page itself, whose stub the first
 * hypercall must not come through.
 */
TEST_F(trust, first_hypercall_outside_the_binary_is_eacces)
{
	struct hc h = { .rax = HVTRUST_HC_SESSION_OPEN };
	struct raw r;

	ASSERT_EQ(0, raw_attach(&r));
	prefault_code();
	h.rbx = (uintptr_t)r.page;
	hc_via((uintptr_t)r.page + HVTRUST_SESSION_STUB_OFFSET, &h);
	EXPECT_EQ(-EACCES, (long)h.rax);
	EXPECT_NE(HVTRUST_SESSION_MAGIC, r.page->magic);
	/* The session stays pending: the right call site still opens it. */
	EXPECT_EQ((long)(uintptr_t)r.page, raw_first_call(&r, (uintptr_t)r.page));
}

/* Attacker: a root process reading a core dump of the program. */
TEST_F(trust, session_process_is_not_dumpable)
{
	struct raw r;

	ASSERT_EQ(1, prctl(PR_GET_DUMPABLE));
	ASSERT_EQ(0, raw_open(&r));
	EXPECT_EQ(0, prctl(PR_GET_DUMPABLE));
}

TEST_F(trust, library_session)
{
	struct hvtrust_session_status st, st2;
	struct hvtrust_session *s, *s2;
	struct hvtrust_binary bin;
	uintptr_t changed = 1;
	char *buf, *hole;

	ASSERT_EQ(1, hvtrust_present());
	ASSERT_EQ(0, hvtrust_open(&s));
	ASSERT_EQ(0, hvtrust_status(s, &st));
	EXPECT_NE(0, st.session_id);
	EXPECT_EQ(HVTRUST_SESSION_OPEN, st.flags);
	EXPECT_EQ(0, st.protected_pages);
	ASSERT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, &bin, NULL));
	EXPECT_EQ(1, bin.sessions);
	EXPECT_EQ(-EBUSY, hvtrust_open(&s2));

	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0x5a, 2 * PAGE);
	/* unaligned: the library protects the two pages the range touches */
	ASSERT_EQ(0, hvtrust_protect(s, buf + 10, PAGE));
	ASSERT_EQ(0, hvtrust_status(s, &st));
	EXPECT_EQ(2, st.protected_pages);
	EXPECT_EQ(0, hvtrust_check(s, &changed));
	EXPECT_EQ(0, changed);
	ASSERT_EQ(0, hvtrust_status(s, &st2));
	EXPECT_LT(st.checks, st2.checks);
	EXPECT_EQ(0, hvtrust_unprotect(s, buf, 2 * PAGE));
	ASSERT_EQ(0, hvtrust_status(s, &st));
	EXPECT_EQ(0, st.protected_pages);
	EXPECT_EQ(-ENOENT, hvtrust_unprotect(s, buf, 2 * PAGE));

	hole = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole, PAGE);
	EXPECT_EQ(-EFAULT, hvtrust_protect(s, hole, PAGE));
	EXPECT_EQ(-EINVAL, hvtrust_protect(s, buf, 0));

	EXPECT_EQ(0, hvtrust_close(s));
	/* closed: the address space may open a new session */
	ASSERT_EQ(0, hvtrust_open(&s2));
	ASSERT_EQ(0, hvtrust_status(s2, &st2));
	EXPECT_NE(st.session_id, st2.session_id);
	EXPECT_EQ(0, hvtrust_close(s2));
}

/* Child role: one session, then STATUS in a loop when the parent says go. */
static int hammer_role(void)
{
	struct hvtrust_session_status st;
	struct hvtrust_session *s;
	int go = atoi(getenv("HVT_TRUST_GO") ?: "-1");
	int out = atoi(getenv("HVT_TRUST_OUT") ?: "-1");
	int rounds = atoi(getenv("HVT_TRUST_ROUNDS") ?: "100");
	int ret, i;
	char c;

	pin_to(atoi(getenv("HVT_TRUST_CPU") ?: "0"));
	ret = hvtrust_open(&s);
	if (ret) {
		fprintf(stderr, "# hammer %d: open: %s\n", getpid(), hvtrust_strerror(ret));
		return 10;
	}
	if (hvtrust_status(s, &st) || write(out, &st.session_id, 8) != 8)
		return 11;
	close(out);
	if (read(go, &c, 1) != 0)	/* EOF: the parent closed the pipe */
		return 12;
	for (i = 0; i < rounds; i++) {
		ret = hvtrust_status(s, &st);
		if (ret) {
			fprintf(stderr, "# hammer %d: status %d: %s\n", getpid(), i,
				hvtrust_strerror(ret));
			return 13;
		}
	}
	return hvtrust_close(s) ? 14 : 0;
}

TEST_F_TIMEOUT(trust, many_sessions_hammer_status_on_all_cpus, 300)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = cpus * 2 > 8 ? 8 : cpus * 2 < 2 ? 2 : cpus * 2;
	uint64_t ids[8];
	int go[2], out[2], i, j, got = 0;
	pid_t pids[8];
	char buf[16];

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(out));
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			/* a fresh exec: a fork would have no session and could not get one */
			close(go[1]);
			close(out[0]);
			setenv("HVT_TRUST_ROLE", "hammer", 1);
			snprintf(buf, sizeof(buf), "%d", go[0]);
			setenv("HVT_TRUST_GO", buf, 1);
			snprintf(buf, sizeof(buf), "%d", out[1]);
			setenv("HVT_TRUST_OUT", buf, 1);
			snprintf(buf, sizeof(buf), "%d", i % cpus);
			setenv("HVT_TRUST_CPU", buf, 1);
			execl("/proc/self/exe", "trust_test", (char *)NULL);
			_exit(127);
		}
	}
	close(out[1]);
	close(go[0]);
	/* every child holds its session before any starts hammering */
	while (got < n && read(out[0], &ids[got], 8) == 8)
		got++;
	EXPECT_EQ(n, got);
	for (i = 0; i < got; i++)
		for (j = 0; j < i; j++)
			EXPECT_NE(ids[i], ids[j]);
	close(go[1]);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, wait_exit(pids[i])) {
			TH_LOG("hammer child %d", i);
		}
	close(out[0]);
}

/*
 * The impostor: maps the first code segment of the registered file
 * (HVT_TRUST_REGISTERED) at the file offset the manifest names, then asks
 * for a session. 0 or the errno of the refusal; 102 and up: setup failed.
 */
static int impostor_role(void)
{
	const char *path = getenv("HVT_TRUST_REGISTERED");
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i;

	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		return 102;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * eh.e_phentsize) != sizeof(ph))
			return 103;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
			break;
	}
	if (i == eh.e_phnum)
		return 104;
	if (mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd,
		 ph.p_offset & ~(uint64_t)(PAGE - 1)) == MAP_FAILED)
		return 105;
	return attach_role();
}

/* Roles a test runs this binary in, by exec, chosen by the environment. */
static int run_role(const char *role)
{
	if (!strcmp(role, "impostor"))
		return impostor_role();
	if (!strcmp(role, "hammer"))
		return hammer_role();
	if (!strcmp(role, "attach"))
		return attach_role();
	return UNKNOWN_ROLE;
}

int main(int argc, char **argv)
{
	return hvt_trust_main(argc, argv, run_role);
}
