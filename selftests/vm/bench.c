// SPDX-License-Identifier: GPL-2.0
/* Bench: VM exits of a workload, CPUID and VMCALL round trips, workload time, hvtrust's memory. */
/* Context: user space inside the bench guest (root); loads and unloads hvtrust itself. */
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "../cpu_brand.h"
#include "hvt_test_util.h"
#include "hvt_bench_util.h"
#include "hvt_workload.h"
#include "../../uapi/hvtrust.h"

#define MAX_CPUS		64
#define MAX_ITERS		100000
#define MAX_REPS		15
#define WARMUP			100
#define EXIT_CPUID		10
#define EXIT_VMCALL		18


static int iters = 5000, reps = 7, cpus, hv_fd = -1;
/* MemFree taken by each insmod, in kB. */
static double load_kb[MAX_REPS + 1];
static int loads_measured;
static bool have_rdtscp;

/* lfence keeps rdtsc from starting before earlier instructions finish. */
static inline uint64_t tsc_start(void)
{
	uint32_t lo, hi;

	asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* rdtscp waits for the measured instructions; lfence keeps later ones out. */
static inline uint64_t tsc_stop(void)
{
	uint32_t lo, hi, aux;

	if (have_rdtscp)
		asm volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux) : : "memory");
	else
		asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void cpuid_leaf(uint32_t leaf)
{
	uint32_t a = leaf, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

static inline unsigned long vmcall_ping(void)
{
	unsigned long ret = HVTRUST_HC_PING;

	asm volatile("vmcall" : "+a"(ret) : "b"(0UL), "c"(0UL), "d"(0UL), "S"(0UL) : "memory");
	return ret;
}


enum op { OP_EMPTY, OP_CPUID_HV, OP_CPUID_0, OP_VMCALL };

static const char *const op_names[] = {
	[OP_EMPTY] = "empty (timer only)",
	[OP_CPUID_HV] = "CPUID leaf 0x40000000",
	[OP_CPUID_0] = "CPUID leaf 0",
	[OP_VMCALL] = "VMCALL PING",
};

/* One timed instruction per sample; a switch outside the timed window. */
static uint64_t time_once(enum op op, unsigned long *bad)
{
	uint64_t t0, t1;

	switch (op) {
	case OP_EMPTY:
		t0 = tsc_start();
		t1 = tsc_stop();
		break;
	case OP_CPUID_HV:
		t0 = tsc_start();
		cpuid_leaf(HVTRUST_CPUID_SIGNATURE);
		t1 = tsc_stop();
		break;
	case OP_CPUID_0:
		t0 = tsc_start();
		cpuid_leaf(0);
		t1 = tsc_stop();
		break;
	default: {
		unsigned long ret;

		t0 = tsc_start();
		ret = vmcall_ping();
		t1 = tsc_stop();
		if (ret != HVTRUST_HC_PING_REPLY)
			(*bad)++;
		break;
	}
	}
	return t1 - t0;
}

/* Times iters round trips after a warm-up; prints median, p10 and p90 unless quiet. */
static void time_op(enum op op, const char *when, bool quiet)
{
	static uint64_t samples[MAX_ITERS];
	unsigned long bad = 0;
	int i;

	for (i = 0; i < WARMUP; i++)
		time_once(op, &bad);
	for (i = 0; i < iters; i++)
		samples[i] = time_once(op, &bad);
	if (bad)
		out("  VMCALL PING: %lu of %d replies were not %#llx", bad, iters + WARMUP,
		    (unsigned long long)HVTRUST_HC_PING_REPLY);
	if (quiet)
		return;
	qsort(samples, iters, sizeof(samples[0]), cmp_u64);
	out("  %-22s %-8s median %7llu  p10 %7llu  p90 %7llu  min %7llu", op_names[op], when,
	    (unsigned long long)samples[iters / 2],
	    (unsigned long long)samples[iters / 10],
	    (unsigned long long)samples[iters * 9 / 10],
	    (unsigned long long)samples[0]);
}

/* ---- module, status, counters ---- */

static double memfree_kb(void);

static void load_hvtrust(double *ms)
{
	double free_before = memfree_kb();
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (hvt_load_module(hvt_module_path(), ""))
		die("insmod %s: %s", hvt_module_path(), strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (ms)
		*ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	if (loads_measured <= MAX_REPS)
		load_kb[loads_measured++] = free_before - memfree_kb();
	hv_fd = open("/dev/hvtrust", O_RDWR | O_CLOEXEC);
	if (hv_fd < 0)
		die("/dev/hvtrust: %s", strerror(errno));
}

static void unload_hvtrust(void)
{
	close(hv_fd);	/* an open device holds the module */
	hv_fd = -1;
	if (hvt_unload_module("hvtrust"))
		die("rmmod hvtrust: %s", strerror(errno));
}

static void get_status(struct hvtrust_status *status)
{
	memset(status, 0, sizeof(*status));
	status->size = sizeof(*status);
	if (ioctl(hv_fd, HVTRUST_IOC_GET_STATUS, status))
		die("HVTRUST_IOC_GET_STATUS: %s", strerror(errno));
}

struct snapshot {
	uint64_t counts[MAX_CPUS][HVTRUST_EXIT_REASONS];
};

static void read_exits(struct snapshot *s)
{
	int cpu;

	for (cpu = 0; cpu < cpus; cpu++) {
		struct hvtrust_exits exits = { .size = sizeof(exits), .cpu = cpu };

		if (ioctl(hv_fd, HVTRUST_IOC_GET_EXITS, &exits))
			die("HVTRUST_IOC_GET_EXITS cpu %d: %s", cpu, strerror(errno));
		memcpy(s->counts[cpu], exits.counts, sizeof(s->counts[cpu]));
	}
}

/* d = after - before - cost, where cost is what reading the counters causes. */
static void delta(struct snapshot *d, const struct snapshot *before,
		  const struct snapshot *after, const struct snapshot *cost)
{
	int cpu, r;

	for (cpu = 0; cpu < cpus; cpu++)
		for (r = 0; r < HVTRUST_EXIT_REASONS; r++)
			d->counts[cpu][r] = after->counts[cpu][r] - before->counts[cpu][r] -
					    (cost ? cost->counts[cpu][r] : 0);
}

/* Basic exit reasons, SDM Vol. 3D appendix C (those hvtrust can see). */
static const char *const exit_names[HVTRUST_EXIT_REASONS] = {
	[0] = "exception/NMI", [1] = "external interrupt", [2] = "triple fault",
	[3] = "INIT", [7] = "interrupt window", [8] = "NMI window", [10] = "CPUID",
	[11] = "GETSEC", [12] = "HLT", [13] = "INVD", [14] = "INVLPG", [16] = "RDTSC",
	[18] = "VMCALL", [19] = "VMCLEAR", [20] = "VMLAUNCH", [21] = "VMPTRLD",
	[22] = "VMPTRST", [23] = "VMREAD", [24] = "VMRESUME", [25] = "VMWRITE",
	[26] = "VMXOFF", [27] = "VMXON", [28] = "CR access", [29] = "MOV DR",
	[30] = "I/O", [31] = "RDMSR", [32] = "WRMSR", [33] = "invalid guest state",
	[37] = "MTF", [48] = "EPT violation", [49] = "EPT misconfig", [50] = "INVEPT",
	[51] = "RDTSCP", [52] = "preemption timer", [53] = "INVVPID", [54] = "WBINVD",
	[55] = "XSETBV",
};

static const char *exit_name(int r, char *buf, size_t size)
{
	if (exit_names[r])
		return exit_names[r];
	snprintf(buf, size, "reason %d", r);
	return buf;
}

/* Sum of every reason but CPUID and VMCALL on one CPU. */
static long long others(const struct snapshot *d, int cpu)
{
	long long sum = 0;
	int r;

	for (r = 0; r < HVTRUST_EXIT_REASONS; r++)
		if (r != EXIT_CPUID && r != EXIT_VMCALL)
			sum += (int64_t)d->counts[cpu][r];
	return sum;
}

/* One row per CPU: CPUID, VMCALL, the rest, and the rest by name. */
static void print_exit_rows(const char *what, const struct snapshot *d)
{
	char name[32], detail[256];
	int cpu, r;

	for (cpu = 0; cpu < cpus; cpu++) {
		size_t len = 0;

		detail[0] = '\0';
		for (r = 0; r < HVTRUST_EXIT_REASONS; r++) {
			if (r == EXIT_CPUID || r == EXIT_VMCALL || !d->counts[cpu][r])
				continue;
			len += snprintf(detail + len, sizeof(detail) - len, " %s %lld",
					exit_name(r, name, sizeof(name)),
					(long long)(int64_t)d->counts[cpu][r]);
			if (len >= sizeof(detail))
				break;
		}
		out("  %-24s cpu%-2d %7lld %7lld %7lld%s", cpu ? "" : what, cpu,
		    (long long)(int64_t)d->counts[cpu][EXIT_CPUID],
		    (long long)(int64_t)d->counts[cpu][EXIT_VMCALL], others(d, cpu), detail);
	}
}

/* ---- guest facts ---- */

static unsigned long long meminfo(const char *key)
{
	char line[256];
	unsigned long long value = 0;
	size_t len = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			value = strtoull(line + len + 1, NULL, 10);
	fclose(f);
	return value;
}

/* MemFree in kB: caches dropped first, median of five reads. */
static double memfree_kb(void)
{
	double v[5];
	int fd, i;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			fprintf(stderr, "bench: drop_caches: %s\n", strerror(errno));
		close(fd);
	}
	for (i = 0; i < 5; i++)
		v[i] = meminfo("MemFree");
	return median_double(v, 5);
}

/* Guest RAM from the firmware's memory map (E820 "System RAM"), in bytes. */
static unsigned long long system_ram(void)
{
	unsigned long long total = 0;
	char path[128], type[64];
	int i;

	for (i = 0; i < 256; i++) {
		unsigned long long start, end;
		FILE *f;

		snprintf(path, sizeof(path), "/sys/firmware/memmap/%d/type", i);
		f = fopen(path, "r");
		if (!f)
			break;
		if (!fgets(type, sizeof(type), f))
			type[0] = '\0';
		fclose(f);
		if (strncmp(type, "System RAM", 10))
			continue;
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%d/start", i);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%llx", &start) != 1)
			start = 0;
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%d/end", i);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%llx", &end) != 1)
			end = start - 1;
		if (f)
			fclose(f);
		total += end + 1 - start;
	}
	return total ? total : meminfo("MemTotal") * 1024;
}

/* The highest CPU number in a list such as "0-3" or "0,2", plus one. */
static int cpu_list_count(const char *path)
{
	char buf[256], *p;
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (p = buf; *p; p++)
		if (*p >= '0' && *p <= '9') {
			int v = strtol(p, &p, 10);

			if (v + 1 > n)
				n = v + 1;
			if (!*p)
				break;
		}
	return n;
}

/* The module's size in memory as /proc/modules lists it. */
static unsigned long module_size(const char *name)
{
	char line[512];
	unsigned long size = 0;
	size_t len = strlen(name);
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			size = strtoul(line + len + 1, NULL, 10);
	fclose(f);
	return size;
}

/* The last kernel log line that contains needle, copied from it on. */
static bool klog_find(const char *needle, char *line, size_t size)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *hit = NULL, *p;
	bool found = false;

	if (len <= 0)
		return false;
	buf = malloc(len + 1);
	if (!buf)
		return false;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len > 0) {
		buf[len] = '\0';
		for (p = strstr(buf, needle); p; p = strstr(p + 1, needle))
			hit = p;
		if (hit) {
			size_t n = strcspn(hit, "\n");

			snprintf(line, size, "%.*s", (int)(n < size ? n : size - 1), hit);
			found = true;
		}
	}
	free(buf);
	return found;
}

/* ---- the sections ---- */

static void header(void)
{
	char vendor[13], brand[49], tsc[160] = "";
	unsigned int eax, ebx, ecx, edx;
	struct utsname u;

	uname(&u);
	hvt_cpu_vendor(vendor);
	cpu_brand(brand);
	__cpuid(0x80000001, eax, ebx, ecx, edx);
	have_rdtscp = edx & (1U << 27);
	__cpuid(1, eax, ebx, ecx, edx);
	klog_find("tsc: Detected", tsc, sizeof(tsc));
	out("guest: kernel %s, %s \"%s\" family %u model %u, %d CPU(s) online, %d possible",
	    u.release, vendor, brand, ((eax >> 8) & 0xf) + ((eax >> 20) & 0xff),
	    ((eax >> 4) & 0xf) | ((eax >> 12) & 0xf0), cpus,
	    cpu_list_count("/sys/devices/system/cpu/possible"));
	out("guest: RAM %llu MiB (firmware map), MemTotal %llu kB; timer %s; %s",
	    system_ram() >> 20, meminfo("MemTotal"),
	    have_rdtscp ? "lfence;rdtsc .. rdtscp;lfence" : "lfence;rdtsc;lfence (no RDTSCP)",
	    tsc[0] ? tsc : "TSC frequency not logged");
}

static void round_trips(const char *when)
{
	time_op(OP_EMPTY, when, false);
	time_op(OP_CPUID_HV, when, false);
	time_op(OP_CPUID_0, when, false);
	if (hv_fd >= 0)
		time_op(OP_VMCALL, when, false);
}

/* (a): each phase of the workload bracketed by counter reads. */
static void exits_section(void)
{
	struct snapshot *s = calloc(8, sizeof(*s));
	struct snapshot *cost = s, *d = s + 1, *a = s + 2, *b = s + 3, *whole = s + 4;
	struct snapshot *sum = s + 5, *cost2 = s + 6;
	static const struct {
		const char *name;
		int (*fn)(void);
	} phases[] = {
		{ "fork+exec /bin/true x10", hvt_workload_exec },
		{ "threads ping-pong x500", hvt_workload_threads },
		{ "page faults 4x4 MiB", hvt_workload_faults },
		{ "tmpfs file I/O 1 MiB", hvt_workload_file },
	};
	struct snapshot *execs;
	long long unexplained = 0, cpuid_issued = 0, cpuid_counted = 0;
	long long exec_total = 0, whole_total = 0;
	long long vmcall_issued = 0, vmcall_counted = 0;
	bool cost_stable = true;
	size_t i;
	int cpu, r;

	if (!s)
		die("out of memory");
	execs = s + 7;
	hvt_pin_to(0);
	/* What reading the counters itself costs: two reads, nothing between. */
	read_exits(a);
	read_exits(b);
	delta(cost, a, b, NULL);
	read_exits(a);
	read_exits(b);
	delta(cost2, a, b, NULL);
	for (cpu = 0; cpu < cpus; cpu++)
		for (r = 0; r < HVTRUST_EXIT_REASONS; r++)
			if (cost->counts[cpu][r] != cost2->counts[cpu][r])
				cost_stable = false;

	out("(a) VM exits during the workload, per CPU, by basic exit reason; each figure is");
	out("    after - before - the exits one reading of the counters causes itself");
	for (cpu = 0; cpu < cpus; cpu++)
		out("  one read of the counters costs cpu%d: CPUID %llu, VMCALL %llu, other %lld%s",
		    cpu, (unsigned long long)cost->counts[cpu][EXIT_CPUID],
		    (unsigned long long)cost->counts[cpu][EXIT_VMCALL], others(cost, cpu),
		    cost_stable ? "" : " (NOT STABLE between two calibrations)");
	out("  %-24s %-5s %7s %7s %7s", "phase", "", "CPUID", "VMCALL", "other");

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		int ret;

		read_exits(a);
		ret = phases[i].fn();
		read_exits(b);
		if (ret)
			die("workload phase %s failed: %d", phases[i].name, ret);
		delta(d, a, b, cost);
		print_exit_rows(phases[i].name, d);
		if (phases[i].fn == hvt_workload_exec)
			memcpy(execs, d, sizeof(*d));
		for (cpu = 0; cpu < cpus; cpu++)
			for (r = 0; r < HVTRUST_EXIT_REASONS; r++)
				sum->counts[cpu][r] += d->counts[cpu][r];
	}
	read_exits(a);
	if (hvt_run_workload())
		die("the workload failed");
	read_exits(b);
	delta(whole, a, b, cost);
	print_exit_rows("whole workload, one go", whole);

	/* The loops of (b) issue a known number of CPUIDs and VMCALLs: count them. */
	read_exits(a);
	time_op(OP_CPUID_HV, NULL, true);
	time_op(OP_VMCALL, NULL, true);
	read_exits(b);
	delta(d, a, b, cost);
	print_exit_rows("the timed loops of (b)", d);
	cpuid_issued = iters + WARMUP;
	vmcall_issued = iters + WARMUP;
	cpuid_counted = (int64_t)d->counts[0][EXIT_CPUID];
	vmcall_counted = (int64_t)d->counts[0][EXIT_VMCALL];
	unexplained += llabs(cpuid_counted - cpuid_issued) + llabs(vmcall_counted - vmcall_issued);

	/*
	 * Expected: the execs' CPUIDs (their C library start-up probes the CPU)
	 * and nothing else, in the phases and in the whole workload alike.
	 */
	for (cpu = 0; cpu < cpus; cpu++) {
		long long whole_cpuid = (int64_t)whole->counts[cpu][EXIT_CPUID];
		long long exec_cpuid = (int64_t)execs->counts[cpu][EXIT_CPUID];

		exec_total += exec_cpuid;
		whole_total += whole_cpuid;
		unexplained += others(sum, cpu) + others(whole, cpu) + others(d, cpu) +
			       (int64_t)sum->counts[cpu][EXIT_VMCALL] +
			       (int64_t)whole->counts[cpu][EXIT_VMCALL] +
			       (int64_t)sum->counts[cpu][EXIT_CPUID] - exec_cpuid +
			       llabs(whole_cpuid - exec_cpuid);
		if (cpu)
			unexplained += (int64_t)(d->counts[cpu][EXIT_CPUID] +
						 d->counts[cpu][EXIT_VMCALL]);
	}
	out("  the workload issues no CPUID or VMCALL itself; the exec'd /bin/true does CPUIDs in its C");
	out("  library start-up: %lld in the exec phase (%.1f per exec), %lld in the whole workload",
	    exec_total, (double)exec_total / HVT_WORKLOAD_EXECS, whole_total);
	out("  (b)'s loops on cpu0: CPUID issued %lld, counted %lld (%+lld); VMCALL issued %lld, "
	    "counted %lld (%+lld)", cpuid_issued, cpuid_counted, cpuid_counted - cpuid_issued,
	    vmcall_issued, vmcall_counted, vmcall_counted - vmcall_issued);
	out("  RESULT: exits beyond those issued on purpose (all CPUs, phases, whole run, loops): %lld",
	    unexplained);
	free(s);
}

struct run_time {
	double wall_ms, user_ms, sys_ms;
};

static double tv_ms(const struct timeval *tv)
{
	return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

/* The workload once, in guest time: CLOCK_MONOTONIC and rusage of self and children. */
static struct run_time time_workload(void)
{
	struct rusage s0, s1, c0, c1;
	struct timespec t0, t1;
	struct run_time rt;

	getrusage(RUSAGE_SELF, &s0);
	getrusage(RUSAGE_CHILDREN, &c0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (hvt_run_workload())
		die("the workload failed");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &s1);
	getrusage(RUSAGE_CHILDREN, &c1);
	rt.wall_ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	rt.user_ms = tv_ms(&s1.ru_utime) - tv_ms(&s0.ru_utime) +
		     tv_ms(&c1.ru_utime) - tv_ms(&c0.ru_utime);
	rt.sys_ms = tv_ms(&s1.ru_stime) - tv_ms(&s0.ru_stime) +
		    tv_ms(&c1.ru_stime) - tv_ms(&c0.ru_stime);
	return rt;
}

/* (c): alternating repetitions, starting with hvtrust loaded. */
static void time_section(void)
{
	double wall[2][MAX_REPS], user[2][MAX_REPS], sys[2][MAX_REPS], cpu[2][MAX_REPS];
	double load_ms[MAX_REPS], mw[2], mu[2], ms[2], mc[2];
	int rep, on, loads = 0;

	out("(c) workload guest time, %d alternating repetitions (on = hvtrust loaded)", reps);
	out("  %-4s %-4s %10s %10s %10s %10s", "rep", "", "wall ms", "user+sys", "user ms", "sys ms");
	for (rep = 0; rep < reps; rep++) {
		for (on = 1; on >= 0; on--) {
			struct run_time rt;

			if (!on && hv_fd >= 0)
				unload_hvtrust();
			if (on && hv_fd < 0)
				load_hvtrust(&load_ms[loads++]);
			hvt_pin_to(0);
			rt = time_workload();
			wall[on][rep] = rt.wall_ms;
			user[on][rep] = rt.user_ms;
			sys[on][rep] = rt.sys_ms;
			cpu[on][rep] = rt.user_ms + rt.sys_ms;
			out("  %-4d %-4s %10.2f %10.2f %10.2f %10.2f", rep + 1, on ? "on" : "off",
			    rt.wall_ms, cpu[on][rep], rt.user_ms, rt.sys_ms);
		}
	}
	for (on = 0; on < 2; on++) {
		mw[on] = median_double(wall[on], reps);
		mu[on] = median_double(user[on], reps);
		ms[on] = median_double(sys[on], reps);
		mc[on] = median_double(cpu[on], reps);
	}
	out("  median off: wall %.2f ms, user+sys %.2f ms (user %.2f, sys %.2f)",
	    mw[0], mc[0], mu[0], ms[0]);
	out("  median on:  wall %.2f ms, user+sys %.2f ms (user %.2f, sys %.2f)",
	    mw[1], mc[1], mu[1], ms[1]);
	out("  difference on vs off: wall %+.2f %%, user+sys %+.2f %%",
	    (mw[1] - mw[0]) / mw[0] * 100, (mc[1] - mc[0]) / mc[0] * 100);
	out("  (the kernel splits user and sys by timer tick: the split jumps, their sum does not)");
	if (loads)
		out("  insmod (virtualizing every CPU) took median %.1f ms of guest time over %d loads",
		    median_double(load_ms, loads), loads);
}

/* (d): hidden pages, EPT tables from the module's log, MemFree. */
static void memory_section(unsigned long modsize)
{
	char each[256] = "";
	size_t n;
	int i;
	struct hvtrust_status st;
	char line[256];
	unsigned int bits = 0, tables = 0, host_tables = 0;
	unsigned long p1g = 0, p2m = 0, p4k = 0;
	int possible = cpu_list_count("/sys/devices/system/cpu/possible");
	unsigned long long ram = system_ram();
	double gib = ram / (double)(1ULL << 30);
	long own, ept_now, visible;
	double dfree, other;

	get_status(&st);
	if (possible <= 0)
		possible = cpus;
	if (!klog_find("EPT identity map of", line, sizeof(line)) ||
	    sscanf(line, "EPT identity map of %u MAXPHYADDR bits: %u tables, %lu 1G, %lu 2M, %lu 4K",
		   &bits, &tables, &p1g, &p2m, &p4k) != 5)
		out("  (the module's EPT line was not found in the kernel log)");
	if (!klog_find("host page tables: ", line, sizeof(line)) ||
	    sscanf(line, "host page tables: %u tables", &host_tables) != 1)
		out("  (the module's host page table line was not found in the kernel log)");
	own = HVT_OWN_SHARED_HIDDEN + (long)HVT_OWN_CPU_HIDDEN * possible + hvt_trust_hidden_pages();
	ept_now = (long)st.hidden_pages - own - host_tables;
	visible = HVT_OWN_SHARED_VISIBLE + (long)HVT_OWN_CPU_VISIBLE * possible;
	/*
	 * The first insmod since boot: rmmod frees the pages onto per-CPU free
	 * lists, which MemFree does not count, and the next insmod takes them
	 * back from there, so later loads show (almost) nothing.
	 */
	dfree = load_kb[0];
	other = dfree - modsize / 1024.0 - st.hidden_pages * 4.0;

	out("(d) memory the hypervisor holds (%d CPU(s) possible, guest RAM %.2f GiB)", possible, gib);
	out("  hidden_pages (HVTRUST_IOC_GET_STATUS): %llu pages = %llu KiB: its own pages, every EPT table",
	    (unsigned long long)st.hidden_pages, (unsigned long long)st.hidden_pages * 4);
	out("    and VMX root's own page tables (dmesg): %u = %u KiB",
	    host_tables, host_tables * 4);
	out("  EPT as built (dmesg): %u tables = %u KiB for %u MAXPHYADDR bits (%lu 1G, %lu 2M, %lu 4K pages)",
	    tables, tables * 4, bits, p1g, p2m, p4k);
	out("  own hidden pages by module/build.c's allocations: %d shared + %d per possible CPU x %d",
	    HVT_OWN_SHARED_HIDDEN, HVT_OWN_CPU_HIDDEN, possible);
	out("    + %ld of the trusted-program service (EPT pool %lu, %lu protectable pages, %lu sessions) = %ld",
	    (long)hvt_trust_hidden_pages(), hvt_module_param("ept_pool_pages"),
	    hvt_module_param("max_protected_pages"), hvt_module_param("max_sessions"), own);
	out("  EPT tables now = hidden_pages - own - host map = %ld (%ld KiB); %ld added by splitting large pages",
	    ept_now, ept_now * 4, ept_now - (long)tables);
	out("    around the hidden pages%s", ept_now < (long)tables ?
	    " -- FEWER than built: the allocation model above is out of date" : "");
	out("  per CPU: %d hidden pages (state, VMXON, VMCS, 2 sink, 16 KiB stack) + %d visible (log ring) = %d KiB",
	    HVT_OWN_CPU_HIDDEN, HVT_OWN_CPU_VISIBLE, (HVT_OWN_CPU_HIDDEN + HVT_OWN_CPU_VISIBLE) * 4);
	out("  shared: %d hidden + %d visible (zero page) pages = %d KiB, plus the EPT",
	    HVT_OWN_SHARED_HIDDEN, HVT_OWN_SHARED_VISIBLE, (HVT_OWN_SHARED_HIDDEN + HVT_OWN_SHARED_VISIBLE) * 4);
	out("  EPT per GiB of guest RAM: %.1f KiB/GiB (tables now / RAM); the map covers all 2^%u bytes of",
	    ept_now * 4 / gib, bits);
	out("    physical address space with 1 GiB pages where it can, so its size follows MAXPHYADDR and");
	out("    the memory-type and hidden-page boundaries, not the amount of RAM");
	out("  MemFree taken by the first insmod (caches dropped, median of 5 reads): %.0f kB =", dfree);
	out("    module image %lu kB (/proc/modules) + hidden %llu kB + other %.0f kB (expected %ld kB of",
	    modsize / 1024, (unsigned long long)st.hidden_pages * 4, other, visible * 4);
	out("    visible pages, plus small kmallocs; per-CPU free-page lists make MemFree jump by pages)");
	for (i = 0, n = 0; i < loads_measured && n < sizeof(each); i++)
		n += snprintf(each + n, sizeof(each) - n, " %.0f", load_kb[i]);
	out("    all %d loads (kB):%s; after the first, rmmod's pages wait on per-CPU free lists", loads_measured, each);
	out("    that MemFree does not count, and the next insmod takes them back from there");
	out("  total: %llu KiB hidden + %ld KiB visible + module image = %.0f KiB (%.1f KiB per GiB of RAM)",
	    (unsigned long long)st.hidden_pages * 4, visible * 4,
	    st.hidden_pages * 4.0 + visible * 4 + modsize / 1024.0,
	    (st.hidden_pages * 4.0 + visible * 4 + modsize / 1024.0) / gib);
}

/*
 * (f): the trusted-program service, measured by its own program (it links
 * the manifest builder and runs the padded trusted programs). By default on
 * one-CPU machines only: a second CPU adds nothing to these figures but
 * idle time, which is what Bochs SMP emulates slowest.
 */
static void trust_section(void)
{
	char buf[8];
	const char *want = hvt_cmdline_param("hvtest.bench_trust", buf, sizeof(buf));
	int status;
	pid_t pid;

	if (want ? !strcmp(want, "0") : cpus != 1) {
		out("(f) trusted-program service: not measured on this machine (%s)",
		    want ? "hvtest.bench_trust=0" : "one-CPU machines only by default");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		execl("/tests/trust_bench", "trust_bench", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		out("(f) trust_bench failed: status %#x", status);
}

int main(void)
{
	static char outbuf[1 << 16];
	struct hvtrust_status st;
	double load_ms;
	unsigned long modsize;

	/* Console output blocks at 115200 baud: keep it out of the timed parts. */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	iters = param_int("hvtest.bench_iters", iters, 100, MAX_ITERS);
	reps = param_int("hvtest.bench_reps", reps, 1, MAX_REPS);
	cpus = hvt_online_cpus();
	if (cpus > MAX_CPUS)
		cpus = MAX_CPUS;
	if (hvt_module_listed("hvtrust") && hvt_unload_module("hvtrust"))
		die("hvtrust is loaded and cannot be unloaded: %s", strerror(errno));

	header();
	hvt_pin_to(0);
	/* one untimed run first: the later ones find /bin/true and the tmpfs warm */
	if (hvt_run_workload())
		die("the workload failed without hvtrust");

	out("(b) round trips in guest TSC ticks on cpu0, %d iterations after %d warm-up",
	    iters, WARMUP);
	round_trips("without");
	load_hvtrust(&load_ms);
	modsize = module_size("hvtrust");
	get_status(&st);
	if (st.cpus_virtualized != (unsigned int)cpus)
		die("hvtrust virtualized %u of %d CPUs", st.cpus_virtualized, cpus);
	round_trips("with");
	out("  (with - without is the price of one exit and the handler, both under emulation)");
	fflush(stdout);

	exits_section();
	fflush(stdout);
	time_section();
	fflush(stdout);
	/* after (c): its reloads give MemFree more samples */
	load_hvtrust(NULL);
	memory_section(modsize);
	fflush(stdout);
	trust_section();
	if (hv_fd >= 0)
		unload_hvtrust();
	out("end");
	fflush(stdout);
	return 0;
}
