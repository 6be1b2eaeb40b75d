// SPDX-License-Identifier: GPL-2.0
/* Selftest: the running hypervisor: CPUID, hypercalls, hidden VMX, workload, hotplug, reloads. */
/* Context: user space inside the test guest (root); loads hvtrust with virtualization on. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "hvt_test_util.h"
#include "hvt_workload.h"
#include "../../uapi/hvtrust.h"

static long vmcall(unsigned long nr, unsigned long a1, unsigned long a2,
		   unsigned long a3, unsigned long a4)
{
	long ret;

	asm volatile("vmcall"
		     : "=a"(ret)
		     : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
		     : "memory");
	return ret;
}

/* Runs fn in a child; returns its wait status. */
static int in_child(void (*fn)(void))
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return status;
}

static bool signature_on(int cpu)
{
	unsigned int eax, ebx, ecx, edx;
	char sig[13];

	hvt_pin_to(cpu);
	__cpuid(HVTRUST_CPUID_SIGNATURE, eax, ebx, ecx, edx);
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	sig[12] = '\0';
	return eax >= HVTRUST_CPUID_VERSION && !memcmp(sig, "hvtrust\0\0\0\0\0", 12);
}

FIXTURE(hv)
{
	int cpus;
};

FIXTURE_SETUP(hv)
{
	ASSERT_EQ(0, hvt_ensure_loaded(true));
	self->cpus = hvt_online_cpus();
}

FIXTURE_TEARDOWN(hv)
{
}

TEST_F(hv, cpuid_signature_on_every_cpu)
{
	unsigned int eax, ebx, ecx, edx;
	int cpu;

	for (cpu = 0; cpu < self->cpus; cpu++) {
		EXPECT_TRUE(signature_on(cpu)) {
			TH_LOG("cpu %d has no hvtrust signature", cpu);
		}
		__cpuid(HVTRUST_CPUID_VERSION, eax, ebx, ecx, edx);
		EXPECT_EQ(HVTRUST_ABI_VERSION, eax);
		__cpuid(1, eax, ebx, ecx, edx);
		EXPECT_EQ(0, ecx & (1U << 5)) {
			TH_LOG("cpu %d still shows VMX in CPUID.1:ECX", cpu);
		}
		/* everything else as the CPU answers: SSE2 and the APIC are there */
		EXPECT_NE(0, edx & (1U << 26));
		EXPECT_NE(0, edx & (1U << 9));
	}
}

TEST_F(hv, proc_cpuinfo_is_sane)
{
	char line[4096];
	int processors = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "processor", 9))
			processors++;
	fclose(f);
	EXPECT_EQ(self->cpus, processors);
}

TEST_F(hv, ping_and_version_from_user)
{
	int cpu;

	for (cpu = 0; cpu < self->cpus; cpu++) {
		hvt_pin_to(cpu);
		EXPECT_EQ((long)HVTRUST_HC_PING_REPLY, vmcall(HVTRUST_HC_PING, 0, 0, 0, 0));
		EXPECT_EQ(HVTRUST_ABI_VERSION, vmcall(HVTRUST_HC_VERSION, 0, 0, 0, 0));
	}
}

TEST_F(hv, kernel_only_calls_refused_from_user)
{
	EXPECT_EQ(-EPERM, vmcall(HVTRUST_HC_DEVIRTUALIZE, 0, 0, 0, 0));
	EXPECT_EQ(-EPERM, vmcall(HVTRUST_HC_DEVIRTUALIZE, ~0UL, 0, 0, 0));
	EXPECT_EQ(-EPERM, vmcall(HVTRUST_HC_EXIT_COUNT, 0, 10, 0, 0));
	EXPECT_TRUE(signature_on(0));
}

TEST_F(hv, unknown_hypercalls_are_enosys)
{
	EXPECT_EQ(-ENOSYS, vmcall(HVTRUST_HC_SESSION_OPEN + 1, 0, 0, 0, 0));
	EXPECT_EQ(-ENOSYS, vmcall(HVTRUST_HC_STATUS - 1, 0, 0, 0, 0));
	EXPECT_EQ(-ENOSYS, vmcall(HVTRUST_HC_SECRET_GET + 1, 0, 0, 0, 0));
	EXPECT_EQ(-ENOSYS, vmcall(HVTRUST_HC_KERNEL_BASE - 1, 0, 0, 0, 0));
	/* the trusted-program calls exist, but this process has no session */
	EXPECT_EQ(-ESRCH, vmcall(HVTRUST_HC_SESSION_OPEN, 0, 0, 0, 0));
	EXPECT_EQ(-EPERM, vmcall(HVTRUST_HC_STATUS, 0, 0, 0, 0));
	EXPECT_EQ(-EPERM, vmcall(HVTRUST_HC_QUOTE, 0, 0, 0, 0));
	EXPECT_EQ(-EPERM, vmcall(HVTRUST_HC_SECRET_GET, 0, 0, 0, 0));
	/* the kernel range answers -EPERM before it looks at the number */
	EXPECT_EQ(-EPERM, vmcall(0x7fffffff, 0, 0, 0, 0));
	EXPECT_EQ(-EPERM, vmcall(~0UL, 0, 0, 0, 0));
}

TEST_F(hv, random_registers_never_hurt)
{
	unsigned long state = 0x9e3779b97f4a7c15UL;
	int i;

	for (i = 0; i < 5000; i++) {
		unsigned long r[5];
		long ret, expect;
		int j;

		for (j = 0; j < 5; j++) {
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			r[j] = state;
		}
		if (i % 4 == 0)
			r[0] &= 0x1ff;	/* near the defined numbers too */
		ret = vmcall(r[0], r[1], r[2], r[3], r[4]);
		if (r[0] == HVTRUST_HC_PING)
			expect = HVTRUST_HC_PING_REPLY;
		else if (r[0] == HVTRUST_HC_VERSION)
			expect = HVTRUST_ABI_VERSION;
		else if (r[0] == HVTRUST_HC_SESSION_OPEN)
			expect = -ESRCH;	/* no session for this process */
		else if (r[0] >= HVTRUST_HC_KERNEL_BASE ||
			 (r[0] >= HVTRUST_HC_STATUS && r[0] <= HVTRUST_HC_SECRET_GET))
			expect = -EPERM;
		else
			expect = -ENOSYS;
		ASSERT_EQ(expect, ret) {
			TH_LOG("hypercall %#lx", r[0]);
		}
	}
	EXPECT_TRUE(signature_on(0));
}

static void do_vmxoff(void)
{
	asm volatile("vmxoff");
}

static void do_vmread(void)
{
	unsigned long value, field = 0x681e;

	asm volatile("vmread %1, %0" : "=r"(value) : "r"(field) : "cc");
}

static void do_vmptrst(void)
{
	unsigned long pa;

	asm volatile("vmptrst %0" : "=m"(pa));
}

static void do_invept(void)
{
	struct { unsigned long a, b; } desc = { 0, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(2UL));
}

TEST_F(hv, vmx_instructions_raise_sigill)
{
	void (*const ops[])(void) = { do_vmxoff, do_vmread, do_vmptrst, do_invept };
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		int status = in_child(ops[i]);

		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGILL) {
			TH_LOG("VMX instruction %zu: wait status %#x", i, status);
		}
	}
	EXPECT_TRUE(signature_on(0));
}

TEST_F(hv, feature_control_reads_locked_without_vmx)
{
	uint64_t value = 0;
	int cpu;

	for (cpu = 0; cpu < self->cpus; cpu++) {
		ASSERT_EQ(0, hvt_read_msr(cpu, 0x3a, &value));
		EXPECT_EQ(1, value & 1);		/* locked */
		EXPECT_EQ(0, value & 6);		/* no VMX, inside or outside SMX */
	}
}

TEST_F(hv, vmx_capability_msrs_are_absent)
{
	uint32_t msr;
	uint64_t value;

	for (msr = 0x480; msr <= 0x491; msr++)
		EXPECT_EQ(-EIO, hvt_read_msr(0, msr, &value)) {
			TH_LOG("MSR %#x readable while virtualized", msr);
		}
}

TEST_F(hv, kvm_intel_cannot_load)
{
	struct stat st;
	int kmsg;

	if (stat("/lib/kvm-intel.ko", &st))
		SKIP(return, "kvm-intel.ko not in this guest");
	kmsg = hvt_kmsg_open();
	ASSERT_EQ(0, hvt_load_module("/lib/irqbypass.ko", "") && errno != EEXIST);
	ASSERT_EQ(0, hvt_load_module("/lib/kvm.ko", "") && errno != EEXIST);
	EXPECT_EQ(-1, hvt_load_module("/lib/kvm-intel.ko", ""));
	EXPECT_NE(0, errno);
	EXPECT_FALSE(hvt_module_listed("kvm_intel"));
	EXPECT_NE(0, stat("/dev/kvm", &st));
	close(kmsg);
	hvt_unload_module("kvm");
	hvt_unload_module("irqbypass");
	EXPECT_TRUE(signature_on(0));
}

static int get_status(struct hvtrust_status *status)
{
	int fd = open("/dev/hvtrust", O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	memset(status, 0, sizeof(*status));
	status->size = sizeof(*status);
	ret = ioctl(fd, HVTRUST_IOC_GET_STATUS, status);
	close(fd);
	return ret;
}

static int get_exits(int cpu, struct hvtrust_exits *exits)
{
	int fd = open("/dev/hvtrust", O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	memset(exits, 0, sizeof(*exits));
	exits->size = sizeof(*exits);
	exits->cpu = cpu;
	ret = ioctl(fd, HVTRUST_IOC_GET_EXITS, exits);
	close(fd);
	return ret;
}

TEST_F(hv, status_reports_every_cpu)
{
	struct hvtrust_status status;
	int fd;

	ASSERT_EQ(0, get_status(&status));
	EXPECT_EQ(HVTRUST_STATUS_VIRTUALIZED, status.flags);
	EXPECT_EQ(self->cpus, status.cpus_online);
	EXPECT_EQ(self->cpus, status.cpus_virtualized);
	/* state, tables, and per CPU: state, VMXON, VMCS, sink, stack; EPT */
	EXPECT_GE(status.hidden_pages, 4 + 8 * self->cpus);
	EXPECT_NE(0, status.state_pa);
	fd = open("/dev/hvtrust", O_RDWR);
	ASSERT_LE(0, fd);
	status.flags = 1;	/* output fields must come in as zero */
	EXPECT_EQ(-1, ioctl(fd, HVTRUST_IOC_GET_STATUS, &status));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(hv, exit_counters)
{
	struct hvtrust_exits exits;
	unsigned int eax, ebx, ecx, edx;
	uint64_t cpuid_before;
	int i;

	hvt_pin_to(0);
	ASSERT_EQ(0, get_exits(0, &exits));
	cpuid_before = exits.counts[10];
	for (i = 0; i < 100; i++)
		__cpuid(0, eax, ebx, ecx, edx);
	ASSERT_EQ(0, get_exits(0, &exits));
	EXPECT_LE(cpuid_before + 100, exits.counts[10]);
	EXPECT_LT(0, exits.counts[18]);		/* VMCALL: this very query */
	EXPECT_EQ(-1, get_exits(4096, &exits));
	EXPECT_EQ(EINVAL, errno);
}

/* Steady state: a workload causes no exits besides those it asks for. */
TEST_F(hv, workload_causes_no_exits)
{
	struct hvtrust_exits before[8], after[8];
	int cpu, reason, cpus = self->cpus < 8 ? self->cpus : 8;

	for (cpu = 0; cpu < cpus; cpu++)
		ASSERT_EQ(0, get_exits(cpu, &before[cpu]));
	ASSERT_EQ(0, hvt_run_workload());
	for (cpu = 0; cpu < cpus; cpu++)
		ASSERT_EQ(0, get_exits(cpu, &after[cpu]));
	for (cpu = 0; cpu < cpus; cpu++) {
		for (reason = 0; reason < HVTRUST_EXIT_REASONS; reason++) {
			uint64_t delta = after[cpu].counts[reason] - before[cpu].counts[reason];

			/* VMCALL: reading the counters; CPUID: the kernel serializes */
			if (reason == 18 || reason == 10)
				continue;
			EXPECT_EQ(0, delta) {
				TH_LOG("cpu %d: %llu exits of reason %d during the workload",
				       cpu, (unsigned long long)delta, reason);
			}
		}
	}
}

/* The text of the next kernel log record since hvt_kmsg_open(), or NULL. */
static const char *kmsg_next(int kmsg, char *record, size_t size)
{
	const char *msg;
	ssize_t n;

	do
		n = read(kmsg, record, size - 1);
	while (n < 0 && errno == EPIPE);	/* overwritten records: read on */
	if (n <= 0)
		return NULL;
	record[n] = '\0';
	msg = strchr(record, ';');
	return msg ? msg + 1 : NULL;
}

/* What hvt_peek logged of one page. */
struct peek_report {
	unsigned long long pa, first, written, readback;
	unsigned int nonzero;
};

static bool parse_peek(const char *msg, struct peek_report *p)
{
	return sscanf(msg, "hvt_peek: pa %llx: %u nonzero words, first %llx, wrote %llx, read back %llx",
		      &p->pa, &p->nonzero, &p->first, &p->written, &p->readback) == 5;
}

/* A kernel module (the guest kernel) pries into the hypervisor's state. */
TEST_F(hv, hidden_memory_reads_zero_and_drops_writes)
{
	struct hvtrust_status status;
	char params[64], needle[96];
	unsigned long long got_pa = ~0ULL;
	struct peek_report peek;
	bool logged = false;
	char record[1024];
	struct timespec start;
	int kmsg;

	ASSERT_EQ(0, get_status(&status));
	kmsg = hvt_kmsg_open();
	ASSERT_LE(0, kmsg);
	snprintf(params, sizeof(params), "pa=%#llx", (unsigned long long)status.state_pa);
	ASSERT_EQ(0, hvt_load_module("/lib/hvt_peek.ko", params)) {
		TH_LOG("hvt_peek: %s", strerror(errno));
	}
	hvt_unload_module("hvt_peek");
	snprintf(needle, sizeof(needle), "write to hidden memory at gpa %#llx",
		 (unsigned long long)status.state_pa);
	/* The hypervisor's log reaches dmesg within a drain period: spin, not sleep. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!logged) {
		struct timespec now;
		const char *msg;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 5)
			break;
		msg = kmsg_next(kmsg, record, sizeof(record));
		if (!msg)
			continue;
		if (parse_peek(msg, &peek)) {
			got_pa = peek.pa;
			EXPECT_EQ(status.state_pa, peek.pa);
			EXPECT_EQ(0, peek.nonzero);
			EXPECT_EQ(0, peek.first);
			EXPECT_EQ(0, peek.readback) {
				TH_LOG("the write landed: read back %#llx", peek.readback);
			}
		}
		if (strstr(msg, needle))
			logged = true;
	}
	close(kmsg);
	EXPECT_NE(~0ULL, got_pa);
	EXPECT_TRUE(logged);
	/* the hypervisor survived: its state page was not changed */
	EXPECT_TRUE(signature_on(0));
	EXPECT_EQ((long)HVTRUST_HC_PING_REPLY, vmcall(HVTRUST_HC_PING, 0, 0, 0, 0));
}

#define ROOT_STATE	"/sys/kernel/debug/hvtrust/root_state"
#define ROOT_PAGES_MAX	96

static bool add_page(unsigned long long *pages, int *nr, unsigned long long pa)
{
	int i;

	for (i = 0; i < *nr; i++)
		if (pages[i] == pa)
			return true;
	if (*nr == ROOT_PAGES_MAX)
		return false;
	pages[(*nr)++] = pa;
	return true;
}

/*
 * Every allocation VMX root takes pointers, bounds or decisions from (test
 * builds list them) reads as zeros to the guest kernel, and its writes there
 * do not land: a hostile kernel can neither read nor steer the hypervisor.
 */
TEST_F(hv, root_state_is_hidden_from_the_kernel)
{
	unsigned long long pages[ROOT_PAGES_MAX], pa;
	char name[32], record[1024], params[ROOT_PAGES_MAX * 20 + 8];
	int nr = 0, allocs = 0, cpu, seen = 0, i, kmsg;
	struct peek_report peek;
	size_t size, len;
	FILE *f;

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	f = fopen(ROOT_STATE, "r");
	if (!f)
		SKIP(return, "no %s: not a test build of the module", ROOT_STATE);
	while (fscanf(f, "%31s %d %llx %zu", name, &cpu, &pa, &size) == 4) {
		allocs++;
		ASSERT_NE(0, size) {
			TH_LOG("%s of cpu %d has no size", name, cpu);
		}
		ASSERT_TRUE(add_page(pages, &nr, pa & ~4095ULL));
		ASSERT_TRUE(add_page(pages, &nr, (pa + size - 1) & ~4095ULL));
	}
	fclose(f);
	/* ten shared allocations, five per CPU */
	ASSERT_LE(10 + 5 * self->cpus, allocs);
	len = snprintf(params, sizeof(params), "pages=");
	for (i = 0; i < nr; i++)
		len += snprintf(params + len, sizeof(params) - len, "%s%#llx", i ? "," : "",
				pages[i]);
	ASSERT_GT(sizeof(params), len);
	kmsg = hvt_kmsg_open();
	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, hvt_load_module("/lib/hvt_peek.ko", params)) {
		TH_LOG("hvt_peek: %s", strerror(errno));
	}
	hvt_unload_module("hvt_peek");
	for (;;) {
		const char *msg = kmsg_next(kmsg, record, sizeof(record));

		if (!msg)
			break;
		if (!parse_peek(msg, &peek))
			continue;
		seen++;
		EXPECT_EQ(0, peek.nonzero) {
			TH_LOG("pa %#llx: the guest kernel reads %u nonzero words", peek.pa,
			       peek.nonzero);
		}
		EXPECT_EQ(0, peek.readback) {
			TH_LOG("pa %#llx: the guest kernel's write landed", peek.pa);
		}
	}
	close(kmsg);
	EXPECT_EQ(nr, seen);
	EXPECT_TRUE(signature_on(0));
	EXPECT_EQ((long)HVTRUST_HC_PING_REPLY, vmcall(HVTRUST_HC_PING, 0, 0, 0, 0));
}

#define SESSION_PREPARE	"/sys/kernel/debug/hvtrust/session_prepare"

/* SESSION_PREPARE with @pa as the session page, as the kernel; 0 or -errno. */
static int prepare_with_page(unsigned long long pa)
{
	char text[32];

	snprintf(text, sizeof(text), "%llx", pa);
	return hvt_write_text(SESSION_PREPARE, text);
}

#define REGISTRY_ADD	"/sys/kernel/debug/hvtrust/registry_add"

static int registry_add_with_page(unsigned long long pa)
{
	char text[32];

	snprintf(text, sizeof(text), "%llx", pa);
	return hvt_write_text(REGISTRY_ADD, text);
}

/*
 * Attacker: the guest kernel, passing the hypervisor's own memory as the
 * page root writes a session into (and later wipes), or as a manifest that
 * root would hide and later give back. Refused for every hidden allocation,
 * for a page outside RAM, while an ordinary page of RAM gets past the check
 * (to the binary's, registered or not).
 */
TEST_F(hv, kernel_only_calls_refuse_hypervisor_pages)
{
	unsigned long long pa, good = 0;
	char name[32];
	size_t size;
	int cpu, refused = 0, ret;
	FILE *f;
	void *buf;

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	f = fopen(ROOT_STATE, "r");
	if (!f)
		SKIP(return, "no %s: not a test build of the module", ROOT_STATE);
	while (fscanf(f, "%31s %d %llx %zu", name, &cpu, &pa, &size) == 4) {
		EXPECT_EQ(-EINVAL, prepare_with_page(pa & ~4095ULL)) {
			TH_LOG("%s of cpu %d at %#llx accepted as a session page", name, cpu, pa);
		}
		EXPECT_EQ(-EFAULT, registry_add_with_page(pa & ~4095ULL)) {
			TH_LOG("%s of cpu %d at %#llx taken as a manifest", name, cpu, pa);
		}
		refused++;
	}
	fclose(f);
	ASSERT_LT(0, refused);
	EXPECT_EQ(-EINVAL, prepare_with_page(0xfee00000ULL));
	EXPECT_EQ(-EFAULT, registry_add_with_page(0xfee00000ULL));
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 1, 4096);
	{
		int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		uint64_t entry = 0;

		ASSERT_LE(0, fd);
		ASSERT_EQ(8, pread(fd, &entry, 8, (uintptr_t)buf / 4096 * 8));
		close(fd);
		ASSERT_TRUE(entry >> 63);
		good = (entry & ((1ULL << 55) - 1)) * 4096;
	}
	ret = prepare_with_page(good);
	EXPECT_TRUE(ret == 0 || ret == -ENOENT) {
		TH_LOG("an ordinary page: %d", ret);
	}
	munmap(buf, 4096);
}

/* KVM first: hvtrust refuses with -EBUSY and says why, and loads once KVM left. */
TEST_F(hv, kvm_intel_first_makes_hvtrust_refuse)
{
	struct stat st;
	int kmsg, err;

	if (stat("/lib/kvm-intel.ko", &st))
		SKIP(return, "kvm-intel.ko not in this guest");
	ASSERT_EQ(0, hvt_unload_module("hvtrust"));
	ASSERT_FALSE(signature_on(0));
	ASSERT_EQ(0, hvt_load_module("/lib/irqbypass.ko", "") && errno != EEXIST);
	ASSERT_EQ(0, hvt_load_module("/lib/kvm.ko", "") && errno != EEXIST);
	ASSERT_EQ(0, hvt_load_module("/lib/kvm-intel.ko", "")) {
		TH_LOG("kvm_intel: %s", strerror(errno));
	}
	kmsg = hvt_kmsg_open();
	EXPECT_EQ(-1, hvt_load_module(hvt_module_path(), ""));
	err = errno;
	EXPECT_EQ(EBUSY, err);
	EXPECT_TRUE(hvt_kmsg_find(kmsg, "hvtrust: VMX belongs to KVM", NULL));
	close(kmsg);
	EXPECT_FALSE(hvt_module_listed("hvtrust"));
	EXPECT_EQ(0, hvt_unload_module("kvm_intel"));
	EXPECT_EQ(0, hvt_unload_module("kvm"));
	hvt_unload_module("irqbypass");
	ASSERT_EQ(0, hvt_load_module(hvt_module_path(), "")) {
		TH_LOG("hvtrust after KVM left: %s", strerror(errno));
	}
	EXPECT_TRUE(signature_on(0));
}

/*
 * What VMX root runs and reads of the module is read-only to the guest
 * kernel: its code (.noinstr.text), the read-only data and the data set
 * while it loaded. A patch through a writable alias is dropped and logged.
 */
TEST_F(hv, hypervisor_code_is_read_only)
{
	static const char * const sections[] = {
		".noinstr.text", ".rodata", ".data..ro_after_init",
	};
	char path[128], params[64], record[1024];
	struct peek_report peek;
	struct timespec start, now;
	unsigned long long addr;
	bool seen_peek, logged;
	unsigned int i;
	FILE *f;
	int kmsg;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/hvtrust/sections/%s", sections[i]);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f) {
			TH_LOG("no %s", path);
		}
		addr = 0;
		ASSERT_EQ(1, fscanf(f, "%llx", &addr));
		fclose(f);
		ASSERT_NE(0, addr);
		kmsg = hvt_kmsg_open();
		ASSERT_LE(0, kmsg);
		snprintf(params, sizeof(params), "va=%#llx", addr);
		ASSERT_EQ(0, hvt_load_module("/lib/hvt_peek.ko", params)) {
			TH_LOG("hvt_peek: %s", strerror(errno));
		}
		hvt_unload_module("hvt_peek");
		seen_peek = false;
		logged = false;
		clock_gettime(CLOCK_MONOTONIC, &start);
		do {
			const char *msg = kmsg_next(kmsg, record, sizeof(record));

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (!msg)
				continue;
			if (parse_peek(msg, &peek)) {
				seen_peek = true;
				EXPECT_NE(0, peek.nonzero);
				EXPECT_EQ(peek.first, peek.readback) {
					TH_LOG("%s: the patch landed: read back %#llx", sections[i],
					       peek.readback);
				}
			}
			if (strstr(msg, "write to hypervisor code at gpa"))
				logged = true;
		} while (!(seen_peek && logged) && now.tv_sec - start.tv_sec <= 5);
		close(kmsg);
		EXPECT_TRUE(seen_peek);
		EXPECT_TRUE(logged) {
			TH_LOG("%s: the patch was not logged", sections[i]);
		}
	}
	EXPECT_TRUE(signature_on(0));
	EXPECT_EQ((long)HVTRUST_HC_PING_REPLY, vmcall(HVTRUST_HC_PING, 0, 0, 0, 0));
}

TEST_F(hv, workload_runs_correctly)
{
	EXPECT_EQ(0, hvt_run_workload());
	EXPECT_TRUE(signature_on(0));
}

TEST_F(hv, cpu_offline_online)
{
	const char *path = "/sys/devices/system/cpu/cpu1/online";
	int i, fd;

	if (self->cpus < 2)
		SKIP(return, "one CPU");
	for (i = 0; i < 10; i++) {
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd);
		ASSERT_EQ(1, write(fd, "0", 1));
		close(fd);
		EXPECT_TRUE(signature_on(0));
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd);
		ASSERT_EQ(1, write(fd, "1", 1));
		close(fd);
		EXPECT_TRUE(signature_on(1)) {
			TH_LOG("cpu 1 not virtualized after online %d", i);
		}
	}
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -errno;
	close(fd);
	return ret;
}

#define TRACEFS		"/sys/kernel/tracing"

static bool trace_has(const char *needle)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(TRACEFS "/trace", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle);
	fclose(f);
	return found;
}

static void clear_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	if (fd >= 0)
		close(fd);
}

/*
 * Attacker: the guest kernel, moving its local APIC so that the NMIs with
 * which the hypervisor makes CPUs drop stale EPT translations go nowhere.
 * The move is refused with #GP on every CPU; writing the value it has
 * passes. -EIO from the module: a move went through.
 */
TEST_F(hv, apic_base_stays_where_flush_nmis_go)
{
	int ret = hvt_load_module("/lib/hvt_peek.ko", "apic_base=1") ? errno : 0;
	struct hvtrust_status status;

	hvt_unload_module("hvt_peek");
	EXPECT_EQ(0, ret) {
		TH_LOG("hvt_peek apic_base: %s", strerror(ret));
	}
	ASSERT_EQ(0, get_status(&status));
	EXPECT_EQ(status.cpus_online, status.cpus_virtualized);
	EXPECT_EQ((long)HVTRUST_HC_PING_REPLY, vmcall(HVTRUST_HC_PING, 0, 0, 0, 0));
}

/*
 * Linux patches the module's own code at run time: tracepoints (jump labels
 * in its ioctl paths), the function tracer, kprobes. With every CPU
 * virtualized all three work and the kernel survives, because only VMX
 * root's code is read-only in EPT; kprobes keep out of that code.
 */
TEST_F(hv, linux_patches_the_modules_own_code)
{
	struct hvtrust_status status;

	mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/events/mmap_lock/enable", W_OK) ||
	    access(TRACEFS "/kprobe_events", W_OK))
		SKIP(return, "no tracefs with mmap_lock events and kprobes");
	ASSERT_EQ(0, write_file(TRACEFS "/events/mmap_lock/enable", "1"));
	ASSERT_EQ(0, get_status(&status));
	ASSERT_EQ(0, write_file(TRACEFS "/events/mmap_lock/enable", "0"));

	clear_file(TRACEFS "/trace");
	ASSERT_EQ(0, write_file(TRACEFS "/set_ftrace_filter", "hvt_dev_ioctl"));
	ASSERT_EQ(0, write_file(TRACEFS "/current_tracer", "function"));
	ASSERT_EQ(0, get_status(&status));
	/* read before the tracer changes: that empties the buffer */
	EXPECT_TRUE(trace_has("hvt_dev_ioctl"));
	ASSERT_EQ(0, write_file(TRACEFS "/current_tracer", "nop"));
	clear_file(TRACEFS "/set_ftrace_filter");

	clear_file(TRACEFS "/trace");
	ASSERT_EQ(0, write_file(TRACEFS "/kprobe_events", "p:hvt_linux_side hvt_dev_ioctl"));
	ASSERT_EQ(0, write_file(TRACEFS "/events/kprobes/hvt_linux_side/enable", "1"));
	ASSERT_EQ(0, get_status(&status));
	ASSERT_EQ(0, write_file(TRACEFS "/events/kprobes/hvt_linux_side/enable", "0"));
	EXPECT_TRUE(trace_has("hvt_linux_side"));
	EXPECT_EQ(0, write_file(TRACEFS "/kprobe_events", "-:hvt_linux_side"));
	/* VMX root's code is not for probing: the kernel refuses */
	EXPECT_NE(0, write_file(TRACEFS "/kprobe_events", "p:hvt_root_side hvt_vmexit_handler"));
	write_file(TRACEFS "/kprobe_events", "-:hvt_root_side");

	EXPECT_TRUE(signature_on(0));
	EXPECT_EQ((long)HVTRUST_HC_PING_REPLY, vmcall(HVTRUST_HC_PING, 0, 0, 0, 0));
}

/* The suspend path, stopped by pm_test before the platform sleeps. */
TEST_F(hv, suspend_gives_cpus_back_and_takes_them_again)
{
	struct hvtrust_status before, after;
	char states[128] = "";
	const char *state;
	int fd, cpu;
	ssize_t n;

	fd = open("/sys/power/state", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, states, sizeof(states) - 1);
	close(fd);
	ASSERT_LT(0, n);
	state = strstr(states, "mem") ? "mem" : strstr(states, "freeze") ? "freeze" : NULL;
	if (!state || access("/sys/power/pm_test", W_OK))
		SKIP(return, "no suspend state or pm_test (%s)", states);
	/* pm_test waits pm_test_delay seconds at its test point: no idling. */
	write_file("/sys/module/suspend/parameters/pm_test_delay", "0");
	ASSERT_EQ(0, write_file("/sys/power/pm_test", "devices"));
	ASSERT_EQ(0, get_status(&before));
	ASSERT_EQ(0, write_file("/sys/power/state", state)) {
		TH_LOG("suspend (%s) failed", state);
	}
	write_file("/sys/power/pm_test", "none");
	ASSERT_EQ(0, get_status(&after));
	/* every CPU left VMX before the devices slept and was launched again */
	EXPECT_EQ(before.launches + self->cpus, after.launches);
	EXPECT_EQ(self->cpus, after.cpus_virtualized);
	for (cpu = 0; cpu < self->cpus; cpu++)
		EXPECT_TRUE(signature_on(cpu)) {
			TH_LOG("cpu %d not virtualized after resume", cpu);
		}
	EXPECT_EQ(0, hvt_run_workload());
}

#define RELOAD_CYCLES		20
/*
 * What 20 cycles may cost in MemFree without a leak: slab caches the
 * workload grew, and per-CPU page lists, which grow with the CPUs (up to
 * 5.2 MiB measured with 2 CPUs, 12.7 MiB with 4). One cycle's worth of the
 * module's memory (its hidden pages, about 1.5 MiB with 2 CPUs, 1.6 with
 * 4) lost each time would be 30 MiB or more.
 */
#define RELOAD_MEMFREE_SLACK_KIB(cpus)	(8192 + 4096 * (cpus))

/* MemFree once caches are dropped and free pages merged: what is really in use. */
static long settled_mem_free_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f;

	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
	write_file("/proc/sys/vm/compact_memory", "1");
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

TEST_F(hv, reload_cycles_with_workload)
{
	long own = HVT_OWN_SHARED_HIDDEN + HVT_OWN_CPU_HIDDEN * self->cpus +
		   hvt_trust_hidden_pages();
	/*
	 * Besides its own pages, the EPT tables: those of the map as built and
	 * a directory per GiB (16 at most on the bench), and a page table per
	 * 2 MiB region that a hidden allocation, or the module's code and
	 * read-only data (read-only in EPT), touches: two at most each. Then
	 * VMX root's own page tables, as many as each load logs.
	 */
	long ept_most = 16 + 2 * (HVT_OWN_SHARED_ALLOCS + HVT_OWN_CPU_ALLOCS * self->cpus +
				  HVT_TRUST_ALLOCS + 1);
	long host_tables;
	long free_before, free_after;
	struct hvtrust_status now;
	int i, status;
	pid_t worker;

	ASSERT_EQ(0, hvt_unload_module("hvtrust"));
	free_before = settled_mem_free_kib();
	ASSERT_LT(0, free_before);
	ASSERT_EQ(0, hvt_load_module(hvt_module_path(), ""));
	worker = fork();
	ASSERT_LE(0, worker);
	if (worker == 0) {
		int rounds;

		for (rounds = 0; rounds < 6; rounds++)
			if (hvt_run_workload())
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < RELOAD_CYCLES; i++) {
		ASSERT_EQ(0, hvt_unload_module("hvtrust")) {
			TH_LOG("unload %d: %s", i, strerror(errno));
		}
		ASSERT_FALSE(signature_on(0));
		ASSERT_EQ(0, hvt_load_module(hvt_module_path(), "")) {
			TH_LOG("load %d: %s", i, strerror(errno));
		}
		ASSERT_TRUE(signature_on(0));
		ASSERT_EQ(0, get_status(&now));
		host_tables = hvt_host_tables_logged();
		ASSERT_LE(0, host_tables);
		EXPECT_GE(now.hidden_pages, own + host_tables);
		EXPECT_LE(now.hidden_pages, own + host_tables + ept_most);
		EXPECT_EQ(self->cpus, now.cpus_virtualized);
	}
	ASSERT_EQ(worker, waitpid(worker, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	ASSERT_EQ(0, hvt_unload_module("hvtrust"));
	free_after = settled_mem_free_kib();
	ASSERT_EQ(0, hvt_load_module(hvt_module_path(), ""));
	TH_LOG("MemFree with the module unloaded: %ld KiB before %d cycles, %ld KiB after",
	       free_before, RELOAD_CYCLES, free_after);
	EXPECT_LT(free_before - free_after, RELOAD_MEMFREE_SLACK_KIB(self->cpus));
}

TEST_HARNESS_MAIN
