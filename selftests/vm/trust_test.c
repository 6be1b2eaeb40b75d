// SPDX-License-Identifier: GPL-2.0
/* Selftest: the trusted-program service: registry, sessions, tokens, protection, audit, seal. */
/* Context: user space inside the test guest (root); registers itself; run it last, it seals. */
#include <grp.h>
#include <link.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "hvt_test_util.h"
#include "../../uapi/hvtrust.h"
#include "../../tools/libhvtrust.h"
#include "../../tools/manifest.h"

#define DEVICE		"/dev/hvtrust"
#define PAGE		HVTRUST_PAGE_SIZE
#define COPY_PATH	"/tmp/trust_test.copy"
/* Wrong tokens an address space may send before it is locked out (-EDQUOT). */
#define BAD_TOKEN_LIMIT	8
#define STUB_BYTES	"\x0f\x01\xc1\xc3"	/* vmcall; ret */

/* This binary's manifest, built once before the tests fork. */
static struct hvtrust_manifest *self_manifest;

/* ---- hypercalls ---- */

struct hc {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, r8;
};

/* VMCALL right here, from this binary's own code. */
static __attribute__((noinline)) void hc_direct(struct hc *h)
{
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register uint64_t r8 asm("r8") = h->r8;
	uint64_t rax = h->rax, rbx = h->rbx, rcx = h->rcx, rdx = h->rdx;
	uint64_t rsi = h->rsi, rdi = h->rdi;

	asm volatile("vmcall"
		     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi), "+D"(rdi),
		       "+r"(r8)
		     :
		     : "memory", "cc");
	h->rax = rax;
	h->rdi = rdi;
	h->r8 = r8;
}

/* CALL a stub (the session page's, or a copy of it elsewhere); red zone kept. */
static __attribute__((noinline)) void hc_via(uint64_t stub, struct hc *h)
{
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register uint64_t r8 asm("r8") = h->r8;
	uint64_t rax = h->rax, rbx = h->rbx, rcx = h->rcx, rdx = h->rdx;
	uint64_t rsi = h->rsi, rdi = h->rdi;

	asm volatile("sub $128, %%rsp\n\t"
		     "call *%[stub]\n\t"
		     "add $128, %%rsp"
		     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi), "+D"(rdi),
		       "+r"(r8)
		     : [stub] "r"(stub)
		     : "r9", "r10", "r11", "memory", "cc");
	h->rax = rax;
	h->rdi = rdi;
	h->r8 = r8;
}

/* A page of anonymous memory outside the binary holding "vmcall; ret". */
static uint64_t foreign_stub(void *where)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (where ? MAP_FIXED_NOREPLACE : 0);
	char *page = mmap(where, PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (page == MAP_FAILED)
		return 0;
	memcpy(page + HVTRUST_SESSION_STUB_OFFSET, STUB_BYTES, 4);
	if (mprotect(page, PAGE, PROT_READ | PROT_EXEC))
		return 0;
	return (uintptr_t)page + HVTRUST_SESSION_STUB_OFFSET;
}

static int code_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start, end;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		start = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(PAGE - 1);
		end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + PAGE - 1) &
		      ~(uintptr_t)(PAGE - 1);
		madvise((void *)start, end - start, MADV_POPULATE_READ);
		mlock((void *)start, end - start);
	}
	return 1;
}

/* The hypervisor hashes every code page at the first hypercall: map them. */
static void prefault_code(void)
{
	dl_iterate_phdr(code_cb, NULL);
}

/* A session driven register by register, so the tests see the session page. */
struct raw {
	int fd;
	volatile struct hvtrust_session_page *page;
	uint32_t binary_id;
};

static int raw_attach(struct raw *r)
{
	struct hvtrust_attach attach = { .size = sizeof(attach) };

	r->fd = open(DEVICE, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (ioctl(r->fd, HVTRUST_IOC_ATTACH, &attach))
		return -errno;
	r->page = (void *)(uintptr_t)attach.session_page;
	r->binary_id = attach.binary_id;
	return 0;
}

static long raw_first_call(struct raw *r, uint64_t rbx)
{
	struct hc h = { .rax = HVTRUST_HC_SESSION_OPEN, .rbx = rbx };

	prefault_code();
	hc_direct(&h);
	return h.rax;
}

/* Attach and first hypercall: 0, or what failed. */
static long raw_open(struct raw *r)
{
	long ret = raw_attach(r);

	if (ret)
		return ret;
	ret = raw_first_call(r, (uintptr_t)r->page);
	if (ret < 0)
		return ret;
	return ret == (long)(uintptr_t)r->page ? 0 : -EPROTO;
}

static void token_of(const struct raw *r, uint64_t tok[4])
{
	int i;

	for (i = 0; i < 4; i++)
		tok[i] = r->page->token[i];
}

/* An authenticated call through @stub (0: the session page's). */
static long call_with(const struct raw *r, uint64_t stub, uint64_t nr, const uint64_t tok[4],
		      uint64_t *rdi, uint64_t *r8)
{
	struct hc h = {
		.rax = nr, .rbx = tok[0], .rcx = tok[1], .rdx = tok[2], .rsi = tok[3],
		.rdi = rdi ? *rdi : 0, .r8 = r8 ? *r8 : 0,
	};

	hc_via(stub ? stub : r->page->safe_hypercall, &h);
	if (rdi)
		*rdi = h.rdi;
	if (r8)
		*r8 = h.r8;
	return h.rax;
}

static long raw_call(const struct raw *r, uint64_t nr, uint64_t *rdi, uint64_t *r8)
{
	uint64_t tok[4];

	token_of(r, tok);
	return call_with(r, 0, nr, tok, rdi, r8);
}

static long raw_status(const struct raw *r)
{
	uint64_t rdi = 0, r8 = 0;

	return raw_call(r, HVTRUST_HC_STATUS, &rdi, &r8);
}

static long raw_protect(const struct raw *r, const void *addr, uint64_t len)
{
	uint64_t rdi = (uintptr_t)addr, r8 = len;

	return raw_call(r, HVTRUST_HC_PROTECT, &rdi, &r8);
}

/* ---- registry ---- */

static int do_register(int dev, const char *path, const void *manifest, uint32_t len,
		       uint32_t *id)
{
	struct hvtrust_register reg = {
		.size = sizeof(reg),
		.manifest_size = len,
		.manifest = (uintptr_t)manifest,
	};
	int ret;

	reg.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (reg.fd < 0)
		return -errno;
	ret = ioctl(dev, HVTRUST_IOC_REGISTER, &reg) ? -errno : 0;
	close(reg.fd);
	if (!ret && id)
		*id = reg.id;
	return ret;
}

static int do_unregister(int dev, uint32_t id)
{
	struct hvtrust_unregister unreg = { .size = sizeof(unreg), .id = id };

	return ioctl(dev, HVTRUST_IOC_UNREGISTER, &unreg) ? -errno : 0;
}

/* The registry entry with @sha256: 1 and *out, 0 when none, or -errno. */
static int find_binary(int dev, const uint8_t *sha256, struct hvtrust_binary *out,
		       uint32_t *flags)
{
	static struct hvtrust_binary bins[64];
	struct hvtrust_list list = {
		.size = sizeof(list),
		.count = 64,
		.entry_size = sizeof(bins[0]),
		.binaries = (uintptr_t)bins,
	};
	uint32_t i;

	if (ioctl(dev, HVTRUST_IOC_LIST, &list))
		return -errno;
	if (flags)
		*flags = list.flags;
	for (i = 0; i < list.count && i < 64; i++) {
		if (!memcmp(bins[i].file_sha256, sha256, HVTRUST_SHA256_SIZE)) {
			if (out)
				*out = bins[i];
			return 1;
		}
	}
	return 0;
}

static int ensure_registered(int dev, uint32_t *id)
{
	struct hvtrust_binary bin;
	int ret = find_binary(dev, self_manifest->file_sha256, &bin, NULL);

	if (ret < 0)
		return ret;
	if (ret) {
		*id = bin.id;
		return 0;
	}
	return do_register(dev, "/proc/self/exe", self_manifest, self_manifest->size, id);
}

/* This binary with @tag appended: another file, another SHA-256, same code. */
static int make_copy(const char *tag)
{
	static char buf[1 << 16];
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), out, ret = 0;
	ssize_t n;

	if (in < 0)
		return -errno;
	unlink(COPY_PATH);
	out = open(COPY_PATH, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			ret = -EIO;
	if (n < 0 || write(out, tag, strlen(tag)) != (ssize_t)strlen(tag))
		ret = -EIO;
	close(in);
	if (close(out))
		ret = -errno;
	return ret;
}

/* ---- audit ---- */

#define KIND(k)	(1U << (k))

/*
 * Consumes audit records until one of the @kinds (KIND() bits) for
 * @session_id shows up. The
 * hypervisor's ring is drained by the module now and then: spin, never
 * sleep (an idle guest second costs a minute of emulation).
 */
static bool find_audit(int dev, uint32_t kinds, uint64_t session_id, struct hvtrust_audit *found)
{
	static struct hvtrust_audit recs[32];
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		struct hvtrust_read_audit req = {
			.size = sizeof(req),
			.count = 32,
			.entry_size = sizeof(recs[0]),
			.records = (uintptr_t)recs,
		};
		uint32_t i;

		if (ioctl(dev, HVTRUST_IOC_READ_AUDIT, &req))
			return false;
		for (i = 0; i < req.count && i < 32; i++) {
			if (recs[i].kind < 32 && (kinds & KIND(recs[i].kind)) &&
			    recs[i].session_id == session_id) {
				*found = recs[i];
				return true;
			}
		}
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 10);
	return false;
}

/* The physical frame behind @addr (root sees PFNs in pagemap), 0 if none. */
/*
 * Reads the audit buffer empty, without waiting for more. Return: the kinds
 * of record it held for @session_id, as KIND() bits (-1 when READ_AUDIT
 * fails); the last one of kind @want goes to @found.
 */
static int audit_now(int dev, uint64_t session_id, uint32_t want, struct hvtrust_audit *found)
{
	struct hvtrust_audit recs[32];
	struct hvtrust_read_audit req;
	int seen = 0;
	uint32_t i;

	do {
		req = (struct hvtrust_read_audit){
			.size = sizeof(req),
			.count = 32,
			.entry_size = sizeof(recs[0]),
			.records = (uintptr_t)recs,
		};
		if (ioctl(dev, HVTRUST_IOC_READ_AUDIT, &req))
			return -1;
		for (i = 0; i < req.count && i < 32; i++) {
			if (recs[i].kind >= 32 || recs[i].session_id != session_id)
				continue;
			seen |= KIND(recs[i].kind);
			if (recs[i].kind == want && found)
				*found = recs[i];
		}
	} while (req.count);
	return seen;
}

static uint64_t pfn_of(const void *addr)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t entry = 0;

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), (uintptr_t)addr / PAGE * 8) != sizeof(entry))
		entry = 0;
	close(fd);
	return entry >> 63 ? entry & ((1ULL << 55) - 1) : 0;
}

/* ---- processes ---- */

#define CHILD_CHECK(cond, code) do { \
	if (!(cond)) { \
		fprintf(stderr, "# child: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		_exit(code); \
	} \
} while (0)

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

static int wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Never called: its bytes are what the attacks below change. */
static __attribute__((noinline, used, aligned(64))) void victim(void)
{
	asm volatile("nop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop" ::: "memory");
}

static sigjmp_buf segv_env;
static volatile sig_atomic_t segv_code;
static void *volatile segv_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	segv_code = si->si_code;
	segv_addr = si->si_addr;
	siglongjmp(segv_env, 1);
}

/* ---- the tests ---- */

FIXTURE(trust)
{
	int dev;
	uint32_t id;
};

FIXTURE_SETUP(trust)
{
	ASSERT_EQ(0, hvt_ensure_loaded(true));
	ASSERT_TRUE(hvtrust_present());
	ASSERT_NE(NULL, self_manifest);
	self->dev = open(DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, ensure_registered(self->dev, &self->id));
}

FIXTURE_TEARDOWN(trust)
{
	close(self->dev);
}

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
	EXPECT_EQ(0, bin.reserved);
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

TEST_F(trust, first_hypercall_outside_the_binary_is_eacces)
{
	struct hc h = { .rax = HVTRUST_HC_SESSION_OPEN };
	uint64_t stub = foreign_stub(NULL);
	struct raw r;

	ASSERT_NE(0, stub);
	ASSERT_EQ(0, raw_attach(&r));
	prefault_code();
	h.rbx = (uintptr_t)r.page;
	hc_via(stub, &h);
	EXPECT_EQ(-EACCES, (long)h.rax);
	EXPECT_NE(HVTRUST_SESSION_MAGIC, r.page->magic);
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

TEST_F(trust, write_to_protected_data_revokes)
{
	volatile unsigned char *buf;
	struct hvtrust_audit rec;
	uint64_t pfn, session;
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset((void *)buf, 0x5a, PAGE);
	ASSERT_EQ(0, mlock((void *)buf, PAGE));
	pfn = pfn_of((void *)buf);
	ASSERT_NE(0, pfn);
	ASSERT_EQ(0, raw_protect(&r, (void *)buf, PAGE));
	ASSERT_EQ(0, raw_status(&r));

	buf[100] = 0xa5;

	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	EXPECT_NE(0, r.page->flags & HVTRUST_SESSION_REVOKED);
	EXPECT_EQ(0, r.page->flags & HVTRUST_SESSION_OPEN);
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_WRITE), session, &rec));
	EXPECT_EQ(getpid(), rec.pid);
	EXPECT_EQ(pfn, rec.gpa >> 12);
	EXPECT_NE(0, rec.cr3);
	if (rec.gva)
		EXPECT_EQ((uintptr_t)buf, rec.gva & ~(uint64_t)(PAGE - 1));
	EXPECT_EQ(0, strncmp(rec.comm, "trust_test", sizeof(rec.comm)));
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

/* An argument struct with room for a newer caller's tail. */
union any_arg {
	struct hvtrust_register reg;
	struct hvtrust_unregister unreg;
	struct hvtrust_list list;
	struct hvtrust_seal seal;
	struct hvtrust_attach attach;
	struct hvtrust_read_audit audit;
	uint8_t bytes[256];
};

static int ioctl_err(int dev, unsigned long cmd, void *arg)
{
	return ioctl(dev, cmd, arg) ? -errno : 0;
}

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
	a.reg = (struct hvtrust_register){ .size = sizeof(a.reg), .fd = fd, .flags = 1,
		.manifest_size = self_manifest->size, .manifest = (uintptr_t)self_manifest };
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_REGISTER, &a));
	a.reg.flags = 0;
	a.reg.reserved = 1;
	EXPECT_EQ(-EINVAL, ioctl_err(self->dev, HVTRUST_IOC_REGISTER, &a));
	a.reg.reserved = 0;
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
	EXPECT_EQ(-ENOTTY, ioctl_err(self->dev, _IO(HVTRUST_IOCTL_TYPE, 0x09), &a));
	EXPECT_EQ(-ENOTTY, ioctl_err(self->dev, _IO(HVTRUST_IOCTL_TYPE, 0xff), &a));
	EXPECT_EQ(-ENOTTY, ioctl_err(self->dev, _IOW(HVTRUST_IOCTL_TYPE, 0x06,
						     struct hvtrust_seal), &a));
	EXPECT_EQ(-ENOTTY, ioctl_err(self->dev, _IO(HVTRUST_IOCTL_TYPE + 1, 0x06), &a));

	/* none of that changed the registry or sealed it */
	EXPECT_EQ(1, find_binary(self->dev, self_manifest->file_sha256, NULL, NULL));
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

/* The guest kernel (a test module) writes the session page: the write never lands. */
TEST_F(trust, kernel_cannot_write_the_session_page)
{
	uint64_t before[4], after[4], pa, session;
	struct hvtrust_audit rec;
	char params[64];
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	token_of(&r, before);
	pa = pfn_of((const void *)r.page) << 12;
	ASSERT_NE(0, pa);
	snprintf(params, sizeof(params), "pa=%#llx", (unsigned long long)pa);
	ASSERT_EQ(0, hvt_load_module("/lib/hvt_peek.ko", params)) {
		TH_LOG("hvt_peek: %s", strerror(errno));
	}
	hvt_unload_module("hvt_peek");
	/* hvt_peek wrote a pattern over the first word: the magic and version. */
	EXPECT_EQ(HVTRUST_SESSION_MAGIC, r.page->magic);
	EXPECT_EQ(HVTRUST_ABI_VERSION, r.page->abi_version);
	token_of(&r, after);
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	EXPECT_EQ(0, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_WRITE), session, &rec));
	EXPECT_EQ(pa, rec.gpa & ~(uint64_t)(PAGE - 1));
}

/*
 * Protected data replaced behind the hypervisor's back (a new page mapped
 * over it: no write ever touches the protected frame) is found by the
 * recurring check alone: the program makes no call, it only watches its
 * session page.
 */
TEST_F(trust, recurring_check_finds_a_replaced_page_without_calls)
{
	volatile unsigned char *buf, *again;
	struct timespec start, now;
	struct hvtrust_audit rec;
	uint64_t session;
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset((void *)buf, 0x5a, PAGE);
	ASSERT_EQ(0, raw_protect(&r, (void *)buf, PAGE));
	again = mmap((void *)buf, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(buf, again);
	memset((void *)again, 0x66, PAGE);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!(r.page->flags & HVTRUST_SESSION_REVOKED) && now.tv_sec - start.tv_sec < 5);
	ASSERT_NE(0, r.page->flags & HVTRUST_SESSION_REVOKED) {
		TH_LOG("no recurring check within 5 s");
	}
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_CHECK_FAILED), session, &rec));
	EXPECT_EQ((uintptr_t)buf, rec.gva);
}

#define SILENT_WRITE	"/sys/kernel/debug/hvtrust/silent_write"

/* Test builds of the module only: a store into a protected frame that no trap sees. */
static int silent_write(uint64_t pa, uint64_t value)
{
	char text[64];
	int fd, len, ret = 0;

	fd = open(SILENT_WRITE, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(text, sizeof(text), "%llx %llx", (unsigned long long)pa,
		       (unsigned long long)value);
	if (write(fd, text, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The write trap bypassed (the test build's hook stores from VMX root, as
 * DMA would): the frame and the mapping stay the same, so the recurring
 * check, hashing on its own schedule, is the one way to find the change.
 */
TEST_F(trust, recurring_check_finds_a_write_the_trap_missed)
{
	struct timespec start, now;
	struct hvtrust_audit rec;
	uint64_t session, pa;
	unsigned char *buf;
	struct raw r;
	int seen;

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (access(SILENT_WRITE, W_OK))
		SKIP(return, "the module is not a test build (no %s)", SILENT_WRITE);
	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0x5a, 2 * PAGE);
	ASSERT_EQ(0, raw_protect(&r, buf, PAGE));
	/* The hook refuses frames the service does not protect. */
	pa = pfn_of(buf + PAGE) << 12;
	ASSERT_NE(0, pa);
	EXPECT_EQ(-EINVAL, silent_write(pa, 0));
	pa = pfn_of(buf) << 12;
	ASSERT_NE(0, pa);
	ASSERT_EQ(0, silent_write(pa + 64, 0x1122334455667788ULL));
	EXPECT_EQ(0x88, buf[64]);
	/* No trap saw it; the recurring check may have found it already. */
	seen = audit_now(self->dev, session, HVTRUST_AUDIT_CHECK_FAILED, &rec);
	ASSERT_LE(0, seen);
	EXPECT_EQ(0, seen & KIND(HVTRUST_AUDIT_WRITE));
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!(r.page->flags & HVTRUST_SESSION_REVOKED) && now.tv_sec - start.tv_sec < 5);
	ASSERT_NE(0, r.page->flags & HVTRUST_SESSION_REVOKED) {
		TH_LOG("no recurring check within 5 s");
	}
	if (!(seen & KIND(HVTRUST_AUDIT_CHECK_FAILED)))
		ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_CHECK_FAILED), session,
				       &rec));
	EXPECT_EQ((uintptr_t)buf, rec.gva);
	EXPECT_EQ(pa, rec.gpa & ~(uint64_t)(PAGE - 1));
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
}

/* A modified copy of a code page mapped over the original: the next call sees it. */
TEST_F(trust, map_fixed_over_code_is_caught)
{
	uintptr_t code = (uintptr_t)victim & ~(uintptr_t)(PAGE - 1);
	struct hvtrust_audit rec;
	unsigned char copy[PAGE];
	uint64_t session;
	struct raw r;
	void *at;

	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	memcpy(copy, (void *)code, PAGE);
	copy[(uintptr_t)victim - code] ^= 0x01;	/* the bytes of a function never called */
	at = mmap((void *)code, PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ((void *)code, at);
	memcpy(at, copy, PAGE);
	ASSERT_EQ(0, mprotect(at, PAGE, PROT_READ | PROT_EXEC));
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	/* The call finds it, unless the recurring check came first. */
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_REMAPPED) |
			       KIND(HVTRUST_AUDIT_CHECK_FAILED), session, &rec));
	EXPECT_EQ(code, rec.gva);
}

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

/* Last: a sealed registry stays sealed until reboot, the module stays too. */
TEST_F(trust, seal_is_final)
{
	struct hvtrust_seal seal = { .size = sizeof(seal) };
	uint32_t flags = 0;

	ASSERT_EQ(0, ioctl_err(self->dev, HVTRUST_IOC_SEAL, &seal));
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
	struct hvtrust_attach attach = { .size = sizeof(attach) };
	int fd;

	if (!strcmp(role, "hammer"))
		return hammer_role();
	if (!strcmp(role, "exec")) {
		char byte;

		if (write(EXEC_READY_FD, "b", 1) != 1 || read(EXEC_GO_FD, &byte, 1) != 1)
			return 102;
		fd = open(DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return 100;
		return ioctl(fd, HVTRUST_IOC_ATTACH, &attach) ? errno : 0;
	}
	if (!strcmp(role, "attach")) {
		fd = open(DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return 100;
		return ioctl(fd, HVTRUST_IOC_ATTACH, &attach) ? errno : 0;
	}
	return 101;
}

int main(int argc, char **argv)
{
	const char *role = getenv("HVT_TRUST_ROLE");
	struct hvt_mf_status st;

	if (role)
		return run_role(role);
	if (hvt_manifest_build_path("/proc/self/exe", &self_manifest, &st))
		fprintf(stderr, "# trust_test: no manifest of /proc/self/exe: %s\n", st.message);
	return test_harness_run(argc, argv);
}
