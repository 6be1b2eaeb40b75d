// SPDX-License-Identifier: GPL-2.0
/* Bench: a trusted program with no C library whose code is padded to PAD_PAGES pages; times its own hypercalls. */
/* Context: user space inside the bench guest (root), run by trust_bench, which registered it; freestanding, static. */
#include <linux/fcntl.h>
#include <linux/mman.h>

#include "../../tools/hvtrust_stub.h"
#include "../../uapi/hvtrust.h"

/*
 * Static and free of any C library, so that the executable segment is this
 * file's code (well under a page) plus the padding below: exactly
 * PAD_PAGES pages for the hypervisor to hash at the first hypercall. The
 * Makefile builds one binary per size; trust_bench checks the page count
 * against the manifest it builds.
 *
 * Usage (argv[1]), results as raw 64-bit words on fd 1, the first one 0 or
 * the negative errno of what failed:
 *   open          time SESSION_OPEN; then STATUS_SAMPLES STATUS round trips
 *   calls N       N pairs of (CPUID leaf 0x40000000, STATUS) round trips
 *   check         CHECK_REPS CHECKs of each of CHECK_SIZES protected pages
 *   hold N        protect N pages, write one word, wait for EOF on fd 0,
 *                 then write the session's checks and protected pages
 *   quote N       N QUOTE round trips
 *   churn N       N rounds of: map, touch and unmap CHURN_PAGES pages (page-table
 *                 writes), then one STATUS round trip; the loop's ticks, then
 *                 each round's STATUS
 */
#ifndef PAD_PAGES
#define PAD_PAGES	1
#endif

#define PAGE		HVTRUST_PAGE_SIZE
#define MAX_DATA_PAGES	256
#define STATUS_SAMPLES	21
#define CHECK_REPS	5
#define MAX_CALLS	5000
#define WARMUP		100
#define CHURN_PAGES	16

#define NR_READ		0
#define NR_WRITE	1
#define NR_OPEN		2
#define NR_MMAP		9
#define NR_MUNMAP	11
#define NR_MADVISE	28
#define NR_IOCTL	16
#define NR_MLOCK	149
#define NR_EXIT_GROUP	231

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

typedef unsigned long u64;

/* The padding: int3 bytes in .text, never executed, only hashed. */
#define STR_(x)	#x
#define STR(x)	STR_(x)
asm(".pushsection .text.pad, \"ax\", @progbits\n\t"
    ".fill (" STR(PAD_PAGES) " - 1) * 4096, 1, 0xcc\n\t"
    ".popsection");

/* The kernel enters with argc at (%rsp); keep the stack aligned for the call. */
asm(".pushsection .text\n\t"
    ".globl _start\n"
    "_start:\n\t"
    "xor %ebp, %ebp\n\t"
    "mov %rsp, %rdi\n\t"
    "and $-16, %rsp\n\t"
    "call pad_main\n\t"
    "mov %eax, %edi\n\t"
    "mov $" STR(NR_EXIT_GROUP) ", %eax\n\t"
    "syscall\n\t"
    "hlt\n\t"
    ".popsection");

/* From the default linker script: where the image and its code end. */
extern const char __executable_start[], etext[];

/* Protectable data, page-aligned, in .bss (anonymous, private). */
static char data[MAX_DATA_PAGES * PAGE] __attribute__((aligned(PAGE)));
static u64 results[2 * MAX_CALLS + 8];
static int have_rdtscp;

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
		     : "rcx", "r11", "memory");
	return ret;
}

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 asm("r10") = d, r8 asm("r8") = e, r9 asm("r9") = f;
	long ret;

	asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
		     "r"(r9) : "rcx", "r11", "memory");
	return ret;
}

static void emit(const u64 *words, long n)
{
	const char *p = (const char *)words;
	long left = n * (long)sizeof(*words);

	while (left > 0) {
		long done = sys3(NR_WRITE, 1, (long)p, left);

		if (done <= 0)
			return;
		p += done;
		left -= done;
	}
}

static int fail(long err)
{
	u64 word = err;

	emit(&word, 1);
	return 1;
}

/* As bench.c times: lfence keeps rdtsc from starting early... */
static inline u64 tsc_start(void)
{
	unsigned int lo, hi;

	asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (u64)hi << 32 | lo;
}

/* ...and rdtscp waits for the timed instructions to finish. */
static inline u64 tsc_stop(void)
{
	unsigned int lo, hi, aux;

	if (have_rdtscp)
		asm volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux) : : "memory");
	else
		asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (u64)hi << 32 | lo;
}

static inline void cpuid2(unsigned int leaf, unsigned int sub, unsigned int r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub) : "memory");
}

/* The first hypercall, from this binary's own (registered) code. */
static __attribute__((noinline)) long session_open(u64 page)
{
	long ret = HVTRUST_HC_SESSION_OPEN;

	asm volatile("vmcall" : "+a"(ret), "+b"(page) : : "rcx", "rdx", "rsi", "rdi", "r8",
		     "memory", "cc");
	return ret;
}

/* An authenticated call through the session page's stub, as libhvtrust makes it. */
static inline long safe_call(const volatile struct hvtrust_session_page *page, u64 nr,
			     u64 *arg0, u64 *arg1)
{
	struct hvtrust_stub_args args = { .rdi = *arg0, .r8 = *arg1 };
	long ret = hvtrust_stub_call(page, nr, &args);

	*arg0 = args.rdi;
	*arg1 = args.r8;
	return ret;
}

static const volatile struct hvtrust_session_page *page;

static long call(u64 nr, u64 a0, u64 a1)
{
	return safe_call(page, nr, &a0, &a1);
}

/* Timed STATUS round trip: the whole call as a program makes it. */
static u64 time_status(long *ret)
{
	u64 a0 = 0, a1 = 0, t0, t1;

	t0 = tsc_start();
	*ret = safe_call(page, HVTRUST_HC_STATUS, &a0, &a1);
	t1 = tsc_stop();
	return t1 - t0;
}

static u64 time_cpuid(void)
{
	unsigned int r[4];
	u64 t0, t1;

	t0 = tsc_start();
	cpuid2(HVTRUST_CPUID_SIGNATURE, 0, r);
	t1 = tsc_stop();
	return t1 - t0;
}

/*
 * Attach, map every code page (the hypervisor refuses a page that is not
 * mapped), then the first hypercall, timed: 0 or -errno, *cycles set.
 */
static long open_session(u64 *cycles)
{
	struct hvtrust_attach attach = { .size = sizeof(attach) };
	u64 start = (u64)__executable_start & ~(u64)(PAGE - 1);
	u64 end = ((u64)etext + PAGE - 1) & ~(u64)(PAGE - 1);
	long fd, ret;
	u64 t0, t1;

	fd = sys3(NR_OPEN, (long)"/dev/" HVTRUST_DEVICE_NAME, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	ret = sys3(NR_IOCTL, fd, HVTRUST_IOC_ATTACH, (long)&attach);
	if (ret)
		return ret;
	ret = sys3(NR_MADVISE, start, end - start, MADV_POPULATE_READ);
	if (ret)
		return ret;
	sys3(NR_MLOCK, start, end - start, 0);
	t0 = tsc_start();
	ret = session_open(attach.session_page);
	t1 = tsc_stop();
	if (ret < 0)
		return ret;
	if ((u64)ret != attach.session_page)
		return -71;	/* EPROTO */
	page = (const volatile struct hvtrust_session_page *)attach.session_page;
	*cycles = t1 - t0;
	return 0;
}

/* Protect data pages [from, to): written first, so no copy-on-write moves them later. */
static long protect(long from, long to)
{
	u64 start = (u64)data + from * PAGE, len = (to - from) * PAGE;
	long ret = sys3(NR_MADVISE, start, len, MADV_POPULATE_WRITE);

	if (ret)
		return ret;
	sys3(NR_MLOCK, start, len, 0);
	return call(HVTRUST_HC_PROTECT, start, len);
}

static long parse(const char *s)
{
	long v = 0;

	while (s && *s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int mode_open(void)
{
	u64 cycles = 0;
	long ret = open_session(&cycles), i;

	if (ret)
		return fail(ret);
	results[0] = 0;
	results[1] = cycles;
	for (i = 0; i < STATUS_SAMPLES; i++) {
		results[2 + i] = time_status(&ret);
		if (ret)
			return fail(ret);
	}
	emit(results, 2 + STATUS_SAMPLES);
	return 0;
}

/* CPUID and STATUS alternate, so both see the same cache and timer history. */
static int mode_calls(long n)
{
	u64 cycles;
	long ret = open_session(&cycles), i;

	if (ret)
		return fail(ret);
	if (n < 1 || n > MAX_CALLS)
		return fail(-22);
	for (i = 0; i < WARMUP; i++) {
		time_cpuid();
		time_status(&ret);
	}
	for (i = 0; i < n; i++) {
		results[1 + 2 * i] = time_cpuid();
		results[2 + 2 * i] = time_status(&ret);
		if (ret)
			return fail(ret);
	}
	results[0] = 0;
	emit(results, 1 + 2 * n);
	return 0;
}

/*
 * A busy program: each round writes its page tables (a mapping made,
 * touched, unmapped), and the next call walks again. What the watch costs
 * such a program: its VM exits (counted by trust_bench) and these calls.
 */
static int mode_churn(long n)
{
	const long size = CHURN_PAGES * PAGE;
	u64 cycles, t0;
	long ret = open_session(&cycles), i, j;

	if (ret)
		return fail(ret);
	if (n < 1 || n > MAX_CALLS)
		return fail(-22);
	t0 = tsc_start();
	for (i = 0; i < n; i++) {
		long addr = sys6(NR_MMAP, 0, size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		volatile char *map = (volatile char *)addr;

		if (addr < 0 && addr > -4096)
			return fail(addr);
		for (j = 0; map && j < CHURN_PAGES; j++)
			map[j * PAGE] = 1;
		ret = sys3(NR_MUNMAP, addr, size, 0);
		if (ret)
			return fail(ret);
		results[2 + i] = time_status(&ret);
		if (ret)
			return fail(ret);
	}
	results[1] = tsc_stop() - t0;
	results[0] = 0;
	emit(results, 2 + n);
	return 0;
}

/* N QUOTE round trips: a full check, a signed report written into the session page. */
static int mode_quote(long n)
{
	u64 cycles, t0, t1;
	long ret = open_session(&cycles), i;

	if (ret)
		return fail(ret);
	if (n < 1 || n > MAX_CALLS)
		return fail(-22);
	for (i = 0; i < n; i++) {
		struct hvtrust_stub_args nonce = { .rdi = i, .r8 = ~i, .r9 = n, .r10 = cycles };

		t0 = tsc_start();
		ret = hvtrust_stub_call(page, HVTRUST_HC_QUOTE, &nonce);
		t1 = tsc_stop();
		if (ret)
			return fail(ret);
		results[1 + i] = t1 - t0;
	}
	results[0] = 0;
	emit(results, 1 + n);
	return 0;
}

static const long check_sizes[] = { 1, 16, 64, 256 };
#define NR_SIZES	(long)(sizeof(check_sizes) / sizeof(check_sizes[0]))

/* Protection grows 1 -> 16 -> 64 -> 256 pages; CHECK_REPS CHECKs at each. */
static int mode_check(void)
{
	long done = 0, s, r, ret;
	u64 cycles, *out = results + 1;

	ret = open_session(&cycles);
	if (ret)
		return fail(ret);
	for (s = 0; s < NR_SIZES; s++) {
		ret = protect(done, check_sizes[s]);
		if (ret)
			return fail(ret);
		done = check_sizes[s];
		for (r = 0; r < CHECK_REPS; r++) {
			u64 t0 = tsc_start();

			ret = call(HVTRUST_HC_CHECK, 0, 0);
			*out++ = tsc_stop() - t0;
			if (ret)
				return fail(ret);
		}
	}
	results[0] = 0;
	emit(results, 1 + NR_SIZES * CHECK_REPS);
	return 0;
}

/* Keeps a session with n protected pages open, blocked (not idle: the bench runs). */
static int mode_hold(long n)
{
	u64 cycles, a0 = 0, a1 = 0;
	long ret = open_session(&cycles);
	char c;

	if (!ret && (n < 1 || n > MAX_DATA_PAGES))
		ret = -22;
	if (!ret)
		ret = protect(0, n);
	if (ret)
		return fail(ret);
	results[0] = 0;
	emit(results, 1);
	while (sys3(NR_READ, 0, (long)&c, 1) > 0)
		;
	ret = safe_call(page, HVTRUST_HC_STATUS, &a0, &a1);
	results[0] = ret;
	results[1] = a1;	/* checks run */
	results[2] = a0;	/* protected pages */
	emit(results, 3);
	return 0;
}

int pad_main(const long *sp);

int pad_main(const long *sp)
{
	long argc = sp[0];
	const char *const *argv = (const char *const *)(sp + 1);
	unsigned int r[4];

	cpuid2(0x80000001, 0, r);
	have_rdtscp = !!(r[3] & (1U << 27));
	if (argc < 2)
		return fail(-22);
	if (streq(argv[1], "open"))
		return mode_open();
	if (streq(argv[1], "calls"))
		return mode_calls(parse(argc > 2 ? argv[2] : 0));
	if (streq(argv[1], "check"))
		return mode_check();
	if (streq(argv[1], "hold"))
		return mode_hold(parse(argc > 2 ? argv[2] : 0));
	if (streq(argv[1], "quote"))
		return mode_quote(parse(argc > 2 ? argv[2] : 0));
	if (streq(argv[1], "churn"))
		return mode_churn(parse(argc > 2 ? argv[2] : 0));
	return fail(-22);
}
