// SPDX-License-Identifier: GPL-2.0
/* libhvtrust: the session API of a trusted program (attach, first hypercall, token calls, quotes). */
/* Context: user space, linked statically into the registered binary itself. */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../uapi/hvtrust.h"
#include "libhvtrust.h"
#include "hvtrust_stub.h"

#define PAGE		HVTRUST_PAGE_SIZE
#define DEVICE_PATH	"/dev/" HVTRUST_DEVICE_NAME

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

/**
 * struct hvtrust_session - one open session of this process
 * @page: the session page; the hypervisor alone writes it, hence volatile
 * @binary_id: registry id of this binary, from HVTRUST_IOC_ATTACH
 *
 * The device is closed once the page is mapped: an open descriptor would
 * keep the module from unloading, and the page needs none.
 */
struct hvtrust_session {
	const volatile struct hvtrust_session_page *page;
	uint32_t binary_id;
};

int hvtrust_present(void)
{
	unsigned int eax, ebx, ecx, edx;
	char sig[12];

	/*
	 * CPUID never faults, with or without a hypervisor: without one, Intel
	 * CPUs answer the highest basic leaf here, which never spells hvtrust.
	 */
	__cpuid(HVTRUST_CPUID_SIGNATURE, eax, ebx, ecx, edx);
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	return eax >= HVTRUST_CPUID_VERSION && !memcmp(sig, "hvtrust\0\0\0\0\0", 12);
}

/*
 * The first hypercall. It must execute inside the registered binary's code,
 * which is why it is a VMCALL of its own here and not a call through any
 * stub: this library is linked into that binary. noinline keeps a single
 * call site, which is easier to audit.
 */
static __attribute__((noinline)) long hc_session_open(uint64_t page)
{
	long ret = HVTRUST_HC_SESSION_OPEN;

	asm volatile("vmcall"
		     : "+a"(ret), "+b"(page)
		     :
		     : "rcx", "rdx", "rsi", "rdi", "r8", "memory", "cc");
	return ret;
}

/* An authenticated call: arguments in RDI and R8, results back there. */
static long safe_call(const volatile struct hvtrust_session_page *page, uint64_t nr,
		      uint64_t *arg0, uint64_t *arg1)
{
	struct hvtrust_stub_args args = { .rdi = *arg0, .r8 = *arg1 };
	long ret = hvtrust_stub_call(page, nr, &args);

	*arg0 = args.rdi;
	*arg1 = args.r8;
	return ret;
}

static bool page_is_sane(const volatile struct hvtrust_session_page *page)
{
	uint64_t base = (uintptr_t)page;
	uint64_t stub = page->safe_hypercall;

	return page->magic == HVTRUST_SESSION_MAGIC &&
	       page->abi_version == HVTRUST_ABI_VERSION &&
	       stub >= base && stub < base + PAGE;
}

/*
 * No CPUID before each call: when the module unloads, the stub becomes one
 * that answers -ENODEV without a VMCALL, so the call itself never meets a
 * CPU without the hypervisor (#UD).
 */
static int call(struct hvtrust_session *s, uint64_t nr, uint64_t *arg0, uint64_t *arg1)
{
	if (!s)
		return -EINVAL;
	if (!page_is_sane(s->page))
		return hvtrust_present() ? -EPROTO : -ENODEV;
	return safe_call(s->page, nr, arg0, arg1);
}

/*
 * Maps every page of [start, end) as the process will use it: writable
 * private pages for writing (so a later write does not copy the page to a
 * new frame behind the hypervisor's back), the others for reading, without
 * touching their contents, then locks them so reclaim does not move them.
 * MADV_POPULATE_* fail with ENOMEM on a hole, which is the hypervisor's
 * -EFAULT answered early.
 */
static int populate(uintptr_t start, uintptr_t end, bool try_write)
{
	uintptr_t p;

	for (p = start; p < end; p += PAGE) {
		if (try_write && !madvise((void *)p, PAGE, MADV_POPULATE_WRITE))
			continue;
		if (!madvise((void *)p, PAGE, MADV_POPULATE_READ))
			continue;
		if (errno == ENOMEM)
			return -EFAULT;
		if (errno == EINVAL) {
			/* a kernel before 5.14: read the page instead */
			(void)*(const volatile char *)p;
			continue;
		}
		return -EFAULT;	/* PROT_NONE, or a mapping that cannot fault */
	}
	/* Locking is best effort: without CAP_IPC_LOCK the limit may be small. */
	(void)mlock((void *)start, end - start);
	return 0;
}

static int code_phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	int *ret = data;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum && !*ret; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start, end;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || !ph->p_memsz)
			continue;
		start = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(PAGE - 1);
		end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + PAGE - 1) &
		      ~(uintptr_t)(PAGE - 1);
		*ret = populate(start, end, false);
	}
	return 1;	/* the first object is the program itself: stop there */
}

int hvtrust_open(struct hvtrust_session **out)
{
	struct hvtrust_attach attach = { .size = sizeof(attach) };
	struct hvtrust_session *s;
	int ret = 0, fd;
	long hc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!hvtrust_present())
		return -ENODEV;
	/* The hypervisor hashes every code page at the first hypercall. */
	dl_iterate_phdr(code_phdr_cb, &ret);
	if (ret)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	fd = open(DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = errno == ENOENT ? -ENODEV : -errno;
		goto free_session;
	}
	ret = ioctl(fd, HVTRUST_IOC_ATTACH, &attach) ? -errno : 0;
	close(fd);
	if (ret)
		goto free_session;
	if (!attach.session_page || (attach.session_page & (PAGE - 1))) {
		ret = -EPROTO;
		goto free_session;
	}
	s->page = (const volatile struct hvtrust_session_page *)(uintptr_t)attach.session_page;
	s->binary_id = attach.binary_id;
	if (!hvtrust_present()) {
		ret = -ENODEV;
		goto unmap_page;
	}
	hc = hc_session_open(attach.session_page);
	if (hc < 0 && hc >= -4095) {
		ret = hc;
		goto unmap_page;
	}
	if ((uint64_t)hc != attach.session_page || !page_is_sane(s->page) ||
	    !(s->page->flags & HVTRUST_SESSION_OPEN)) {
		ret = -EPROTO;
		goto unmap_page;
	}
	*out = s;
	return 0;

unmap_page:
	munmap((void *)(uintptr_t)attach.session_page, PAGE);
free_session:
	free(s);
	return ret;
}

static int page_range(const void *addr, size_t len, uintptr_t *start, uintptr_t *end)
{
	uintptr_t a = (uintptr_t)addr, e;

	if (!len || __builtin_add_overflow(a, len, &e) || e > UINTPTR_MAX - (PAGE - 1))
		return -EINVAL;
	*start = a & ~(uintptr_t)(PAGE - 1);
	*end = (e + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	return 0;
}

static int protect_call(struct hvtrust_session *s, uint64_t nr, const void *addr, size_t len)
{
	uintptr_t start, end;
	uint64_t arg0, arg1;
	int ret;

	if (!s)
		return -EINVAL;
	ret = page_range(addr, len, &start, &end);
	if (ret)
		return ret;
	/*
	 * Writable pages are faulted for writing before protection only: a
	 * protected page that copy-on-write moved would count as changed.
	 */
	ret = populate(start, end, nr == HVTRUST_HC_PROTECT);
	if (ret)
		return ret;
	arg0 = start;
	arg1 = end - start;
	return call(s, nr, &arg0, &arg1);
}

int hvtrust_protect(struct hvtrust_session *s, const void *addr, size_t len)
{
	return protect_call(s, HVTRUST_HC_PROTECT, addr, len);
}

int hvtrust_unprotect(struct hvtrust_session *s, const void *addr, size_t len)
{
	return protect_call(s, HVTRUST_HC_UNPROTECT, addr, len);
}

int hvtrust_check(struct hvtrust_session *s, uintptr_t *changed)
{
	uint64_t arg0 = 0, arg1 = 0;
	int ret = call(s, HVTRUST_HC_CHECK, &arg0, &arg1);

	if (changed)
		*changed = ret == -EBADMSG ? (uintptr_t)arg0 : 0;
	return ret;
}

int hvtrust_status(struct hvtrust_session *s, struct hvtrust_session_status *st)
{
	uint64_t arg0 = 0, arg1 = 0;
	int ret;

	if (!st)
		return -EINVAL;
	ret = call(s, HVTRUST_HC_STATUS, &arg0, &arg1);
	memset(st, 0, sizeof(*st));
	if (s && page_is_sane(s->page)) {
		st->session_id = s->page->session_id;
		st->flags = s->page->flags;
	}
	if (!ret) {
		st->protected_pages = arg0;
		st->checks = arg1;
	}
	return ret;
}

int hvtrust_close(struct hvtrust_session *s)
{
	uint64_t arg0 = 0, arg1 = 0;
	int ret;

	if (!s)
		return -EINVAL;
	ret = call(s, HVTRUST_HC_CLOSE, &arg0, &arg1);
	munmap((void *)(uintptr_t)s->page, PAGE);
	free(s);
	return ret;
}

/* QUOTE and the secrets take their arguments in four registers: RDI, R8, R9, R10. */
static long call4(const volatile struct hvtrust_session_page *page, long nr,
		  const uint64_t words[4])
{
	struct hvtrust_stub_args args = {
		.rdi = words[0], .r8 = words[1], .r9 = words[2], .r10 = words[3],
	};

	return hvtrust_stub_call(page, nr, &args);
}

/* The ABI's byte order, whatever the compiler makes of a uint64_t. */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int hvtrust_quote(struct hvtrust_session *s, const uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE],
		  struct hvtrust_quote *out)
{
	const volatile uint8_t *src;
	uint64_t words[4];
	uint8_t *dst;
	size_t i;
	long ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!s || !nonce)
		return -EINVAL;
	if (!page_is_sane(s->page))
		return hvtrust_present() ? -EPROTO : -ENODEV;
	for (i = 0; i < 4; i++)
		words[i] = le64(nonce + 8 * i);
	ret = call4(s->page, HVTRUST_HC_QUOTE, words);
	if (ret && ret != -EKEYREVOKED)
		return ret;
	/* Byte by byte: the page is the hypervisor's, read it as it stands now. */
	src = (const volatile uint8_t *)s->page + HVTRUST_SESSION_QUOTE_OFFSET;
	dst = (uint8_t *)out;
	for (i = 0; i < sizeof(*out); i++)
		dst[i] = src[i];
	/*
	 * What lies there may be an earlier call's quote (a revoked session's
	 * call can be refused before anything is written): only one that
	 * echoes this nonce is this call's.
	 */
	if (out->report.magic != HVTRUST_QUOTE_MAGIC ||
	    memcmp(out->report.nonce, nonce, HVTRUST_QUOTE_NONCE_SIZE) ||
	    (ret && !(out->report.flags & HVTRUST_QUOTE_REVOKED))) {
		memset(out, 0, sizeof(*out));
		return ret ? ret : -EPROTO;
	}
	return ret;
}

/*
 * What both secret calls check first: @name as the hypervisor takes it (NUL
 * padded to HVTRUST_SECRET_NAME_SIZE) and a session page of this ABI.
 */
static int secret_call_ready(const struct hvtrust_session *s, const char *name,
			     char padded[HVTRUST_SECRET_NAME_SIZE])
{
	size_t len = name ? strnlen(name, HVTRUST_SECRET_NAME_SIZE) : 0;

	if (!len || len == HVTRUST_SECRET_NAME_SIZE)
		return -EINVAL;
	memset(padded, 0, HVTRUST_SECRET_NAME_SIZE);
	memcpy(padded, name, len);
	if (!page_is_sane(s->page))
		return hvtrust_present() ? -EPROTO : -ENODEV;
	return 0;
}

int hvtrust_secret_put(struct hvtrust_session *s, const char *name, const void *data,
		       size_t len)
{
	char padded[HVTRUST_SECRET_NAME_SIZE];
	uint64_t args[4] = { (uintptr_t)padded, (uintptr_t)data, len, 0 };
	size_t i;
	int ret;

	if (!s || (len && !data) || len > HVTRUST_SECRET_MAX_SIZE)
		return -EINVAL;
	ret = secret_call_ready(s, name, padded);
	if (ret)
		return ret;
	/*
	 * The hypervisor reads the data through the page table and cannot
	 * fault a page in: every page of it is touched first.
	 */
	for (i = 0; i < len; i += PAGE - ((uintptr_t)data + i) % PAGE)
		(void)((const volatile uint8_t *)data)[i];
	return call4(s->page, HVTRUST_HC_SECRET_PUT, args);
}

/*
 * The hypervisor hands a secret over only in a page the session protects,
 * which it writes itself: a fresh page, protected for the call, released
 * and wiped after.
 */
int hvtrust_secret_get(struct hvtrust_session *s, const char *name, void *buf, size_t size)
{
	char padded[HVTRUST_SECRET_NAME_SIZE];
	uint64_t args[4] = { (uintptr_t)padded, 0, 0, 0 };
	volatile uint8_t *page;
	int ret, err;
	size_t i;

	if (!s || (size && !buf))
		return -EINVAL;
	ret = secret_call_ready(s, name, padded);
	if (ret)
		return ret;
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return -errno;
	/* Written first: the protected frame is the page's own, not the shared zero page. */
	page[0] = 0;
	args[1] = (uintptr_t)page;
	ret = hvtrust_protect(s, (const void *)page, PAGE);
	if (!ret) {
		ret = call4(s->page, HVTRUST_HC_SECRET_GET, args);
		if (ret > 0 && (size_t)ret > size)
			ret = -ENOBUFS;
		for (i = 0; ret > 0 && i < (size_t)ret; i++)
			((uint8_t *)buf)[i] = page[i];
		err = hvtrust_unprotect(s, (const void *)page, PAGE);
		if (err && ret >= 0)
			ret = err;
		if (!err)
			explicit_bzero((void *)page, PAGE);
	}
	munmap((void *)page, PAGE);
	return ret;
}

int hvtrust_quote_key(struct hvtrust_quote_key *out)
{
	int fd, ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	fd = open(DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	ret = ioctl(fd, HVTRUST_IOC_GET_QUOTE_KEY, out) ? -errno : 0;
	close(fd);
	if (ret) {
		memset(out, 0, sizeof(*out));
		out->size = sizeof(*out);
	}
	return ret;
}

const char *hvtrust_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -ENODEV:
		return "the hvtrust hypervisor is not running";
	case -ENOENT:
		return "not registered: this binary is not a trusted binary, the range is not protected, or no such secret";
	case -EBUSY:
		return "this process has an hvtrust session already";
	case -ESRCH:
		return "no pending hvtrust session for this address space";
	case -EACCES:
		return "hypercall from outside the registered code, or other executable memory mapped";
	case -EBADMSG:
		return "code or protected memory differs from what was registered, or a quote is malformed or its signature bad";
	case -EPERM:
		return "not permitted: not through the safe hypercall address, not from the session's address space, or not privileged";
	case -EKEYREJECTED:
		return "the hypervisor rejected the session token";
	case -EKEYREVOKED:
		return "the session was revoked after an integrity violation";
	case -EDQUOT:
		return "locked out after too many wrong tokens";
	case -EFAULT:
		return "a page is not mapped";
	case -ENOSPC:
		return "the hypervisor's session, protection or secret table is full, or a quota is reached";
	case -ETIMEDOUT:
		return "protected, but a CPU did not confirm the flush in time: check the pages";
	case -EPROTO:
		return "the session page does not match this library's ABI";
	case -ENOKEY:
		return "the quote names another signing key than the one trusted";
	case -ESTALE:
		return "the quote was made for another nonce: it may be a replay";
	case -ENOBUFS:
		return "the buffer is smaller than the secret";
	case -ENOSYS:
		return "the hypervisor does not know this hypercall";
	case -EINVAL:
		return "invalid argument";
	default:
		return strerror(err < 0 ? -err : err);
	}
}
