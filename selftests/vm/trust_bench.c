// SPDX-License-Identifier: GPL-2.0
/* Bench: the trusted-program service: first hypercall by code size, STATUS vs CPUID, CHECK, recurring check. */
/* Context: user space inside the bench guest (root), run by bench with hvtrust loaded; runs /tests/trust_pad_N. */
#include <sched.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>

#include "hvt_test_util.h"
#include "hvt_bench_util.h"
#include "../../uapi/hvtrust.h"
#include "../../tools/manifest.h"

#define PAD_DIR		"/tests"
#define OPEN_RUNS	5	/* fresh processes per code size */
#define STATUS_SAMPLES	21	/* trust_pad.c: STATUS round trips after the open */
#define CHECK_REPS	5	/* trust_pad.c: CHECKs per size */
#define MAX_CALLS	5000	/* trust_pad.c: most CPUID/STATUS pairs */
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define HOLD_PAGES	256
#define MAX_REPS	15
#define EXIT_PREEMPT	52	/* basic exit reason: VMX-preemption timer expired */

static const int code_sizes[] = { 1, 16, 64, 256, 1024 };
static const int check_sizes[] = { 1, 16, 64, 256 };
#define NR_CODE		(int)(sizeof(code_sizes) / sizeof(code_sizes[0]))
#define NR_CHECK	(int)(sizeof(check_sizes) / sizeof(check_sizes[0]))

static int dev = -1;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ---- registry ---- */

/* The registry id of the binary with @sha256, or -1. */
static int registered_id(const uint8_t *sha256)
{
	static struct hvtrust_binary bins[64];
	struct hvtrust_list list = {
		.size = sizeof(list), .count = 64, .entry_size = sizeof(bins[0]),
		.binaries = (uintptr_t)bins,
	};
	uint32_t i;

	if (ioctl(dev, HVTRUST_IOC_LIST, &list))
		die("HVTRUST_IOC_LIST: %s", strerror(errno));
	for (i = 0; i < list.count && i < 64; i++)
		if (!memcmp(bins[i].file_sha256, sha256, HVTRUST_SHA256_SIZE))
			return bins[i].id;
	return -1;
}

/*
 * Registers @path as the administrator's tool does (manifest built here,
 * file hashed again by the module); *ms is the guest time of the ioctl.
 * Returns the manifest's code pages.
 */
static uint32_t register_binary(const char *path, double *ms)
{
	struct hvtrust_register reg = { .size = sizeof(reg) };
	struct hvtrust_manifest *m;
	struct hvt_mf_status st;
	uint32_t pages;
	double t0;

	if (hvt_manifest_build_path(path, &m, &st))
		die("manifest of %s: %s", path, st.message);
	reg.manifest_size = m->size;
	reg.manifest = (uintptr_t)m;
	reg.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (reg.fd < 0)
		die("%s: %s", path, strerror(errno));
	*ms = 0;
	if (registered_id(m->file_sha256) < 0) {
		t0 = now_ms();
		if (ioctl(dev, HVTRUST_IOC_REGISTER, &reg))
			die("HVTRUST_IOC_REGISTER %s: %s", path, strerror(errno));
		*ms = now_ms() - t0;
	}
	close(reg.fd);
	pages = m->nr_pages;
	free(m);
	return pages;
}

/* ---- the padded programs ---- */

struct child {
	pid_t pid;
	int from;	/* its stdout */
	int to;		/* its stdin, or -1 */
};

static struct child spawn(int pages, const char *mode, const char *arg, bool feed)
{
	char path[64];
	int o[2], i[2] = { -1, -1 };
	struct child c;

	snprintf(path, sizeof(path), PAD_DIR "/trust_pad_%d", pages);
	if (pipe2(o, O_CLOEXEC) || (feed && pipe2(i, O_CLOEXEC)))
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	c.pid = fork();
	if (c.pid < 0)
		die("fork: %s", strerror(errno));
	if (!c.pid) {
		dup2(o[1], 1);
		if (feed)
			dup2(i[0], 0);
		execl(path, path, mode, arg, (char *)NULL);
		_exit(127);
	}
	close(o[1]);
	if (feed)
		close(i[0]);
	c.from = o[0];
	c.to = i[1];
	return c;
}

/* Reads up to @max words; returns how many came. */
static int read_words(int fd, uint64_t *w, int max)
{
	size_t got = 0, want = (size_t)max * sizeof(*w);

	while (got < want) {
		ssize_t n = read(fd, (char *)w + got, want - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	return got / sizeof(*w);
}

/* Collects @want words of a finished child; dies when it failed. */
static void finish(struct child *c, const char *what, uint64_t *w, int want)
{
	int n = read_words(c->from, w, want), status;

	close(c->from);
	if (c->to >= 0)
		close(c->to);
	waitpid(c->pid, &status, 0);
	if (n >= 1 && (int64_t)w[0] < 0)
		die("%s: %s", what, strerror(-(int64_t)w[0]));
	if (n != want || !WIFEXITED(status) || WEXITSTATUS(status))
		die("%s: %d of %d result words, status %#x", what, n, want, status);
}

/* ---- (f) 1: the first hypercall by code size ---- */

static void open_section(int max_pages)
{
	static uint64_t w[2 + STATUS_SAMPLES];
	int s, r;

	out("  1. first hypercall (SESSION_OPEN: walks and hashes every code page), %d fresh processes", OPEN_RUNS);
	out("     per size; then %d STATUS round trips in the same process (median of each process,",
	    STATUS_SAMPLES);
	out("     median over the processes); register = guest time of HVTRUST_IOC_REGISTER");
	out("     %10s %10s %12s %12s %12s %10s %10s", "code pages", "register", "open median",
	    "open min", "open max", "per page", "STATUS");
	for (s = 0; s < NR_CODE && code_sizes[s] <= max_pages; s++) {
		uint64_t open_c[OPEN_RUNS], status_c[OPEN_RUNS];
		char path[64], what[64];
		uint32_t pages;
		double reg_ms, med;

		snprintf(path, sizeof(path), PAD_DIR "/trust_pad_%d", code_sizes[s]);
		pages = register_binary(path, &reg_ms);
		if (pages != (uint32_t)code_sizes[s])
			out("     (trust_pad_%d has %u code pages: its code outgrew the page left for it)",
			    code_sizes[s], pages);
		for (r = 0; r < OPEN_RUNS; r++) {
			struct child c = spawn(code_sizes[s], "open", NULL, false);

			snprintf(what, sizeof(what), "trust_pad_%d open", code_sizes[s]);
			finish(&c, what, w, 2 + STATUS_SAMPLES);
			open_c[r] = w[1];
			status_c[r] = (uint64_t)median_u64(w + 2, STATUS_SAMPLES);
		}
		med = median_u64(open_c, OPEN_RUNS);
		out("     %10u %7.1f ms %12.0f %12llu %12llu %10.0f %10.0f", pages, reg_ms, med,
		    (unsigned long long)open_c[0], (unsigned long long)open_c[OPEN_RUNS - 1],
		    med / pages, median_u64(status_c, OPEN_RUNS));
		fflush(stdout);
	}
	if (s < NR_CODE)
		out("     stopped at %d pages (hvtest.bench_trust_pages): the larger sizes would overrun the"
		    " bench's time budget", max_pages);
}

/* ---- (f) 2: STATUS against CPUID ---- */

static void calls_section(int iters, int pages)
{
	static uint64_t w[1 + 2 * MAX_CALLS], cpuid[MAX_CALLS], status[MAX_CALLS];
	char arg[16], what[48];
	struct child c;
	int i;

	snprintf(arg, sizeof(arg), "%d", iters);
	snprintf(what, sizeof(what), "trust_pad_%d calls", pages);
	c = spawn(pages, "calls", arg, false);
	finish(&c, what, w, 1 + 2 * iters);
	for (i = 0; i < iters; i++) {
		cpuid[i] = w[1 + 2 * i];
		status[i] = w[2 + 2 * i];
	}
	qsort(cpuid, iters, sizeof(cpuid[0]), cmp_u64);
	qsort(status, iters, sizeof(status[0]), cmp_u64);
	out("  2. authenticated STATUS (stub in the session page, token in RBX/RCX/RDX/RSI) next to a");
	out("     bare CPUID exit, alternating in one process (%d code page%s, no protected page), %d each",
	    pages, pages == 1 ? "" : "s", iters);
	out("     %-26s median %7llu  p10 %7llu  p90 %7llu", "CPUID leaf 0x40000000",
	    (unsigned long long)cpuid[iters / 2], (unsigned long long)cpuid[iters / 10],
	    (unsigned long long)cpuid[iters * 9 / 10]);
	out("     %-26s median %7llu  p10 %7llu  p90 %7llu", "STATUS round trip",
	    (unsigned long long)status[iters / 2], (unsigned long long)status[iters / 10],
	    (unsigned long long)status[iters * 9 / 10]);
	out("     STATUS / CPUID with %d code page%s: median %.2fx, p10 %.2fx, p90 %.2fx"
	    " (goal: at most 1.5x; reported, not asserted)", pages, pages == 1 ? "" : "s",
	    (double)status[iters / 2] / cpuid[iters / 2],
	    (double)status[iters / 10] / cpuid[iters / 10],
	    (double)status[iters * 9 / 10] / cpuid[iters * 9 / 10]);
}

/* ---- (f) 6: a program that keeps writing its page tables ---- */

#define CHURN_ROUNDS	200

static uint64_t table_writes(void)
{
	struct hvtrust_status st = { .size = sizeof(st) };

	if (ioctl(dev, HVTRUST_IOC_GET_STATUS, &st))
		die("HVTRUST_IOC_GET_STATUS: %s", strerror(errno));
	if (st.size < HVTRUST_STATUS_SIZE_V3)
		return 0;
	return st.table_writes;
}

static uint64_t rdtsc_now(void)
{
	unsigned int lo, hi;

	asm volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static void churn_section(void)
{
	static uint64_t w[2 + CHURN_ROUNDS];
	uint64_t writes0, writes1, tsc0, tsc1, loop;
	double ms0, ms1, loop_ms;
	struct child c;

	writes0 = table_writes();
	tsc0 = rdtsc_now();
	ms0 = now_ms();
	c = spawn(1, "churn", STR(CHURN_ROUNDS), false);
	finish(&c, "trust_pad_1 churn", w, 2 + CHURN_ROUNDS);
	ms1 = now_ms();
	tsc1 = rdtsc_now();
	writes1 = table_writes();
	loop = w[1];
	loop_ms = (double)loop * (ms1 - ms0) / (double)(tsc1 - tsc0);
	qsort(w + 2, CHURN_ROUNDS, sizeof(w[0]), cmp_u64);
	out("  6. a busy program: %d rounds of (map 16 pages, touch, unmap, STATUS); each round writes",
	    CHURN_ROUNDS);
	out("     its page tables, so each STATUS walks again (watch_page_tables)");
	out("     writes to watched page tables: %llu, %.2f per round, %.0f per second of its loop",
	    (unsigned long long)(writes1 - writes0), (double)(writes1 - writes0) / CHURN_ROUNDS,
	    loop_ms > 0 ? (writes1 - writes0) / (loop_ms / 1000) : 0);
	out("     STATUS after a page-table write: median %llu, p10 %llu, p90 %llu",
	    (unsigned long long)w[2 + CHURN_ROUNDS / 2], (unsigned long long)w[2 + CHURN_ROUNDS / 10],
	    (unsigned long long)w[2 + CHURN_ROUNDS * 9 / 10]);
}

/* ---- (f) 5: QUOTE ---- */

#define QUOTE_CALLS	20

static void quote_section(void)
{
	static uint64_t w[1 + QUOTE_CALLS];
	struct child c = spawn(1, "quote", STR(QUOTE_CALLS), false);

	finish(&c, "trust_pad_1 quote", w, 1 + QUOTE_CALLS);
	qsort(w + 1, QUOTE_CALLS, sizeof(w[0]), cmp_u64);
	out("  5. QUOTE round trip (full check of 1 code page, Ed25519 signature in root, report in the");
	out("     session page), %d calls: median %llu, min %llu, max %llu", QUOTE_CALLS,
	    (unsigned long long)w[1 + QUOTE_CALLS / 2], (unsigned long long)w[1],
	    (unsigned long long)w[QUOTE_CALLS]);
}

/* ---- (f) 3: CHECK by protected pages ---- */

static void check_section(void)
{
	static uint64_t w[1 + NR_CHECK * CHECK_REPS];
	struct child c = spawn(1, "check", NULL, false);
	int s;

	finish(&c, "trust_pad_1 check", w, 1 + NR_CHECK * CHECK_REPS);
	out("  3. CHECK (re-hashes every protected page, and the 1 code page), %d calls per size", CHECK_REPS);
	out("     %14s %12s %12s %12s %10s", "protected pages", "median", "min", "max", "per page");
	for (s = 0; s < NR_CHECK; s++) {
		uint64_t *v = w + 1 + s * CHECK_REPS;
		double med = median_u64(v, CHECK_REPS);

		out("     %14d %12.0f %12llu %12llu %10.0f", check_sizes[s], med,
		    (unsigned long long)v[0], (unsigned long long)v[CHECK_REPS - 1],
		    med / (check_sizes[s] + 1));
	}
}

/* ---- (f) 4: the recurring check's share of CPU time ---- */

static uint64_t preempt_exits(void)
{
	struct hvtrust_exits e = { .size = sizeof(e), .cpu = 0 };

	if (ioctl(dev, HVTRUST_IOC_GET_EXITS, &e))
		die("HVTRUST_IOC_GET_EXITS: %s", strerror(errno));
	return e.counts[EXIT_PREEMPT];
}

/* A fixed amount of integer work, nothing but registers: no exit, no memory traffic. */
static uint64_t spin(uint64_t n)
{
	uint64_t x = 88172645463325252ULL, i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		asm volatile("" : "+r"(x));
	}
	return x;
}

/* Guest ms of spin(n), and the preemption-timer exits on cpu0 meanwhile. */
static double time_spin(uint64_t n, uint64_t *expiries)
{
	uint64_t e0 = preempt_exits();
	double t0 = now_ms();

	spin(n);
	t0 = now_ms() - t0;
	*expiries = preempt_exits() - e0;
	return t0;
}

/*
 * Under Bochs a guest second is about 3.5G emulated instructions, half a
 * minute of host time: the loop spans two timer periods by default, and
 * emulation repeats itself so closely that three repetitions settle it.
 */
static void recurring_section(int reps, int loop_ms)
{
	double off[MAX_REPS] = { 0 }, on[MAX_REPS] = { 0 }, expiries[MAX_REPS] = { 0 };
	double t, moff, mon, mexp;
	unsigned long period = hvt_module_param("check_period_ms");
	uint64_t n = 1 << 22, e, w[3] = { 0 };
	int rep;

	/* The loop is deterministic: one short run scales it to loop_ms. */
	t = time_spin(n, &e);
	n = (uint64_t)(n * (loop_ms / t));
	out("  4. recurring check: a fixed CPU-bound loop (%llu xorshift steps, about %d ms), %d alternating",
	    (unsigned long long)n, loop_ms, reps);
	out("     repetitions with one session open protecting %d data pages (its program blocked in",
	    HOLD_PAGES);
	out("     read(2), so the loop has the one CPU) and without any session (the timer is off then);");
	out("     check_period_ms=%lu, 32 pages hashed per VMX-preemption timer expiry", period);
	out("     %-4s %12s %12s %10s", "rep", "on ms", "off ms", "expiries");
	for (rep = 0; rep < reps; rep++) {
		struct child c = spawn(1, "hold", "256", true);

		if (read_words(c.from, w, 1) != 1 || w[0])
			die("trust_pad_1 hold: %s", strerror(-(int64_t)w[0]));
		on[rep] = time_spin(n, &e);
		expiries[rep] = e;
		close(c.to);
		c.to = -1;
		finish(&c, "trust_pad_1 hold", w, 3);
		if (w[2] != HOLD_PAGES)
			die("trust_pad_1 hold: %llu pages protected", (unsigned long long)w[2]);
		off[rep] = time_spin(n, &e);
		if (e)
			out("     (rep %d: %llu timer expiries without a session)", rep + 1,
			    (unsigned long long)e);
		out("     %-4d %12.2f %12.2f %10.0f", rep + 1, on[rep], off[rep], expiries[rep]);
	}
	moff = median_double(off, reps);
	mon = median_double(on, reps);
	mexp = median_double(expiries, reps);
	out("     median: on %.2f ms, off %.2f ms: difference %+.2f %%", mon, moff,
	    (mon - moff) / moff * 100);
	if (mexp > 0 && period)
		out("     per expiry %.3f ms of guest time (%.0f expiries per loop): %.2f %% of a CPU at %lu ms",
		    (mon - moff) / mexp, mexp, (mon - moff) / mexp / period * 100, period);
}

int main(void)
{
	static char outbuf[1 << 16];
	struct hvtrust_status st = { .size = sizeof(st) };
	int iters, reps, loop_ms, max_pages, s;
	cpu_set_t cpu0;
	double t0 = now_ms();

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	iters = param_int("hvtest.bench_trust_iters", 1000, 100, MAX_CALLS);
	reps = param_int("hvtest.bench_trust_reps", 3, 1, MAX_REPS);
	loop_ms = param_int("hvtest.bench_trust_loop_ms", 400, 100, 10000);
	max_pages = param_int("hvtest.bench_trust_pages", 1024, 1, 1024);
	dev = open("/dev/" HVTRUST_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0 && !hvt_load_module(hvt_module_path(), ""))
		dev = open("/dev/" HVTRUST_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("/dev/hvtrust: %s", strerror(errno));
	if (ioctl(dev, HVTRUST_IOC_GET_STATUS, &st) || st.cpus_virtualized != st.cpus_online)
		die("hvtrust does not run on every CPU");
	/* On cpu0, where the exit counters are read. */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		die("sched_setaffinity: %s", strerror(errno));

	out("(f) trusted-program service, in guest TSC ticks on cpu0 unless stated (emulation figures);");
	out("    the programs are /tests/trust_pad_N: static, no C library, N pages of code (mostly int3 padding)");
	open_section(max_pages);
	fflush(stdout);
	calls_section(iters, 1);
	fflush(stdout);
	for (s = NR_CODE - 1; s > 0 && code_sizes[s] > max_pages; s--)
		;
	if (s > 0) {
		calls_section(iters, code_sizes[s]);
		fflush(stdout);
	}
	check_section();
	fflush(stdout);
	recurring_section(reps, loop_ms);
	fflush(stdout);
	quote_section();
	fflush(stdout);
	churn_section();
	out("  (f) took %.0f ms of guest time", now_ms() - t0);
	fflush(stdout);
	return 0;
}
