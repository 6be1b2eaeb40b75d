/* SPDX-License-Identifier: GPL-2.0 */
/* Harness of the trust_*_test selftests: hypercalls, raw sessions, registry, audit, main. */
/* Context: user space inside the test guest (root); each binary registers itself. */
#ifndef HVT_TRUST_HARNESS_H
#define HVT_TRUST_HARNESS_H

#include <link.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "hvt_test_util.h"
#include "../../uapi/hvtrust.h"
#include "../../tools/libhvtrust.h"
#include "../../tools/manifest.h"

/* Each binary uses some of the helpers below, and wants no warning for the rest. */
#ifndef __maybe_unused
#define __maybe_unused	__attribute__((unused))
#endif

#define DEVICE		"/dev/hvtrust"
#define PAGE		HVTRUST_PAGE_SIZE
#define COPY_PATH	"/tmp/trust_test.copy"

/* This binary's manifest, built once before the tests fork. */
static struct hvtrust_manifest *self_manifest;

/* ---- hypercalls ---- */

struct hc {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, r8, r9, r10;
};

/* VMCALL right here, from this binary's own code. */
static __attribute__((noinline)) void hc_direct(struct hc *h)
{
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register uint64_t r8 asm("r8") = h->r8;
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register uint64_t r9 asm("r9") = h->r9;
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register uint64_t r10 asm("r10") = h->r10;
	uint64_t rax = h->rax, rbx = h->rbx, rcx = h->rcx, rdx = h->rdx;
	uint64_t rsi = h->rsi, rdi = h->rdi;

	asm volatile("vmcall"
		     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi), "+D"(rdi),
		       "+r"(r8), "+r"(r9), "+r"(r10)
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
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register uint64_t r9 asm("r9") = h->r9;
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register uint64_t r10 asm("r10") = h->r10;
	uint64_t rax = h->rax, rbx = h->rbx, rcx = h->rcx, rdx = h->rdx;
	uint64_t rsi = h->rsi, rdi = h->rdi;

	asm volatile("sub $128, %%rsp\n\t"
		     "call *%[stub]\n\t"
		     "add $128, %%rsp"
		     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi), "+D"(rdi),
		       "+r"(r8), "+r"(r9), "+r"(r10)
		     : [stub] "r"(stub)
		     : "r11", "memory", "cc");
	h->rax = rax;
	h->rdi = rdi;
	h->r8 = r8;
}

/* A page of anonymous memory outside the binary holding "vmcall; ret". */
static __maybe_unused uint64_t foreign_stub(void *where)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (where ? MAP_FIXED_NOREPLACE : 0);
	char *page = mmap(where, PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (page == MAP_FAILED)
		return 0;
	memcpy(page + HVTRUST_SESSION_STUB_OFFSET, HVTRUST_SESSION_STUB,
	       sizeof(HVTRUST_SESSION_STUB) - 1);
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
static __maybe_unused void prefault_code(void)
{
	dl_iterate_phdr(code_cb, NULL);
}

/* A session driven register by register, so the tests see the session page. */
struct raw {
	int fd;
	volatile struct hvtrust_session_page *page;
	uint32_t binary_id;
};

static __maybe_unused int raw_attach(struct raw *r)
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

static __maybe_unused long raw_first_call(struct raw *r, uint64_t rbx)
{
	struct hc h = { .rax = HVTRUST_HC_SESSION_OPEN, .rbx = rbx };

	prefault_code();
	hc_direct(&h);
	return h.rax;
}

/* Attach and first hypercall: 0, or what failed. */
static __maybe_unused long raw_open(struct raw *r)
{
	long ret = raw_attach(r);

	if (ret)
		return ret;
	ret = raw_first_call(r, (uintptr_t)r->page);
	if (ret < 0)
		return ret;
	return ret == (long)(uintptr_t)r->page ? 0 : -EPROTO;
}

/*
 * The program makes no call and watches its session page until the
 * hypervisor's recurring check revokes it: spin, never sleep (see
 * find_audit()). Return: whether it did within 5 s.
 */
static __maybe_unused bool wait_revoked(const struct raw *r)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		if (__atomic_load_n(&r->page->flags, __ATOMIC_RELAXED) & HVTRUST_SESSION_REVOKED)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 5);
	return false;
}

static __maybe_unused void token_of(const struct raw *r, uint64_t tok[4])
{
	int i;

	for (i = 0; i < 4; i++)
		tok[i] = r->page->token[i];
}

/* An authenticated call through @stub (0: the session page's). */
static __maybe_unused long call_with(const struct raw *r, uint64_t stub, uint64_t nr,
				     const uint64_t tok[4], uint64_t *rdi, uint64_t *r8)
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

static __maybe_unused long raw_call(const struct raw *r, uint64_t nr, uint64_t *rdi, uint64_t *r8)
{
	uint64_t tok[4];

	token_of(r, tok);
	return call_with(r, 0, nr, tok, rdi, r8);
}

static __maybe_unused long raw_status(const struct raw *r)
{
	uint64_t rdi = 0, r8 = 0;

	return raw_call(r, HVTRUST_HC_STATUS, &rdi, &r8);
}

static __maybe_unused long raw_protect(const struct raw *r, const void *addr, uint64_t len)
{
	uint64_t rdi = (uintptr_t)addr, r8 = len;

	return raw_call(r, HVTRUST_HC_PROTECT, &rdi, &r8);
}

/* ---- registry ---- */

static __maybe_unused int do_register(int dev, const char *path, const void *manifest, uint32_t len,
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

static __maybe_unused int do_unregister(int dev, uint32_t id)
{
	struct hvtrust_unregister unreg = { .size = sizeof(unreg), .id = id };

	return ioctl(dev, HVTRUST_IOC_UNREGISTER, &unreg) ? -errno : 0;
}

/* The registry entry with @sha256: 1 and *out, 0 when none, or -errno. */
static __maybe_unused int find_binary(int dev, const uint8_t *sha256, struct hvtrust_binary *out,
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

static __maybe_unused int ensure_registered(int dev, uint32_t *id)
{
	struct hvtrust_binary bin = { 0 };	/* set when found; the compiler cannot tell */
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
static __maybe_unused int make_copy(const char *tag)
{
	int ret = hvt_copy_file("/proc/self/exe", COPY_PATH), out;

	if (ret)
		return ret;
	out = open(COPY_PATH, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (out < 0)
		return -errno;
	if (write(out, tag, strlen(tag)) != (ssize_t)strlen(tag))
		ret = -EIO;
	if (close(out))
		ret = -errno;
	return ret;
}

/* ---- leaving VMX ---- */

#define SNAPSHOT_DEV		"/dev/snapshot"
#define DEVIRTUALIZE_HOOK	"/sys/kernel/debug/hvtrust/devirtualize"

/*
 * Opening /dev/snapshot for reading starts a hibernation: the kernel
 * notifies PM_HIBERNATION_PREPARE, and PM_POST_HIBERNATION on close.
 * Return: the file, or -1 with errno.
 */
static __maybe_unused int start_hibernation(void)
{
	if (mknod(SNAPSHOT_DEV, S_IFCHR | 0600, makedev(10, 231)) && errno != EEXIST)
		return -1;
	return open(SNAPSHOT_DEV, O_RDONLY | O_CLOEXEC);
}

/* Test builds: DEVIRTUALIZE on @cpu with the credential. Return: 0 or -errno. */
static __maybe_unused int devirtualize_cpu(int cpu)
{
	char text[16];

	snprintf(text, sizeof(text), "%d", cpu);
	return hvt_write_text(DEVIRTUALIZE_HOOK, text);
}

static __maybe_unused bool all_cpus_virtualized(int dev)
{
	struct hvtrust_status status = { .size = sizeof(status) };

	return !ioctl(dev, HVTRUST_IOC_GET_STATUS, &status) &&
	       status.cpus_virtualized == status.cpus_online;
}

/* ---- audit ---- */

#define KIND(k)	(1U << (k))
/* For find_audit(): a session whose id the process never learnt (refused before it opened). */
#define ANY_SESSION	UINT64_MAX

/*
 * Consumes audit records until one of the @kinds (KIND() bits) for
 * @session_id (or ANY_SESSION) shows up. The
 * hypervisor's ring is drained by the module now and then: spin, never
 * sleep (an idle guest second costs a minute of emulation).
 */
/* Up to 32 records that wait, into @recs. Return: how many, or -1. */
static __maybe_unused int read_audit(int dev, struct hvtrust_audit recs[32])
{
	struct hvtrust_read_audit req = {
		.size = sizeof(req),
		.count = 32,
		.entry_size = sizeof(recs[0]),
		.records = (uintptr_t)recs,
	};

	if (ioctl(dev, HVTRUST_IOC_READ_AUDIT, &req))
		return -1;
	return req.count < 32 ? req.count : 32;
}

static __maybe_unused bool find_audit(int dev, uint32_t kinds, uint64_t session_id,
				      struct hvtrust_audit *found)
{
	static struct hvtrust_audit recs[32];
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		int i, n = read_audit(dev, recs);

		if (n < 0)
			return false;
		for (i = 0; i < n; i++) {
			if (recs[i].kind < 32 && (kinds & KIND(recs[i].kind)) &&
			    (session_id == ANY_SESSION || recs[i].session_id == session_id)) {
				*found = recs[i];
				return true;
			}
		}
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 10);
	return false;
}

/*
 * Reads the audit buffer empty, without waiting for more. Return: the kinds
 * of record it held for @session_id, as KIND() bits (-1 when READ_AUDIT
 * fails); the last one of kind @want goes to @found.
 */
static __maybe_unused int audit_now(int dev, uint64_t session_id, uint32_t want,
				    struct hvtrust_audit *found)
{
	static struct hvtrust_audit recs[32];
	int seen = 0, i, n;

	do {
		n = read_audit(dev, recs);
		if (n < 0)
			return -1;
		for (i = 0; i < n; i++) {
			if (recs[i].kind >= 32 || recs[i].session_id != session_id)
				continue;
			seen |= KIND(recs[i].kind);
			if (recs[i].kind == want && found)
				*found = recs[i];
		}
	} while (n);
	return seen;
}

/* The physical frame behind @addr (root sees PFNs in pagemap), 0 if none. */
static __maybe_unused uint64_t pfn_of(const void *addr)
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

static __maybe_unused int wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Never called: the tests that tamper with code change its bytes. */
static __attribute__((noinline, used, aligned(64))) void victim(void)
{
	asm volatile("nop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop" ::: "memory");
}

static __maybe_unused int ioctl_err(int dev, unsigned long cmd, void *arg)
{
	return ioctl(dev, cmd, arg) ? -errno : 0;
}

/* ---- the fixture: every binary keeps the name, so KTAP says trust.NAME ---- */

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

/* What a role run by exec (HVT_TRUST_ROLE) returns when this binary has no such role. */
#define UNKNOWN_ROLE	101

/* A fresh image attaches: 0, errno of the refusal, or 100 without the device. */
static __maybe_unused int attach_role(void)
{
	struct hvtrust_attach attach = { .size = sizeof(attach) };
	int fd = open(DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 100;
	return ioctl(fd, HVTRUST_IOC_ATTACH, &attach) ? errno : 0;
}

/*
 * main() of every trust binary: in a role when a test execs it with
 * HVT_TRUST_ROLE set (@run_role, NULL where it has none), else the tests,
 * with the manifest of this very binary built before they fork.
 */
static int hvt_trust_main(int argc, char **argv, int (*run_role)(const char *role))
{
	const char *role = getenv("HVT_TRUST_ROLE");
	struct hvt_mf_status st;

	if (role)
		return run_role ? run_role(role) : UNKNOWN_ROLE;
	if (hvt_manifest_build_path("/proc/self/exe", &self_manifest, &st))
		fprintf(stderr, "# %s: no manifest of /proc/self/exe: %s\n",
			program_invocation_short_name, st.message);
	return test_harness_run(argc, argv);
}

#endif /* HVT_TRUST_HARNESS_H */
