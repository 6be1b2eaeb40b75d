// SPDX-License-Identifier: GPL-2.0
/* Selftest: hvtrust's VMX capability report matches every CPU's MSRs; bad ioctls fail. */
/* Context: user space inside the test guest (root), module loaded, msr driver loaded. */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "hvt_test_util.h"
#include "../../uapi/hvtrust.h"

#define MSR_FEATURE_CONTROL		0x3a
#define MSR_VMX_BASIC			0x480
#define MSR_VMX_PINBASED		0x481
#define MSR_VMX_PROCBASED		0x482
#define MSR_VMX_EXIT			0x483
#define MSR_VMX_ENTRY			0x484
#define MSR_VMX_MISC			0x485
#define MSR_VMX_CR0_FIXED0		0x486
#define MSR_VMX_CR0_FIXED1		0x487
#define MSR_VMX_CR4_FIXED0		0x488
#define MSR_VMX_CR4_FIXED1		0x489
#define MSR_VMX_PROCBASED2		0x48b
#define MSR_VMX_EPT_VPID		0x48c
#define MSR_VMX_TRUE_PINBASED		0x48d
#define MSR_VMX_TRUE_PROCBASED		0x48e
#define MSR_VMX_TRUE_EXIT		0x48f
#define MSR_VMX_TRUE_ENTRY		0x490
#define MSR_VMX_VMFUNC			0x491

static int get_caps(int fd, struct hvtrust_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->size = sizeof(*caps);
	return ioctl(fd, HVTRUST_IOC_GET_CAPS, caps);
}

static bool control_allowed(uint64_t cap, uint32_t value)
{
	uint32_t must = cap, may = cap >> 32;

	return (value & must) == must && !(value & ~may);
}

FIXTURE(caps)
{
	int fd;
	struct hvtrust_caps caps;
};

FIXTURE_SETUP(caps)
{
	/*
	 * A running hypervisor hides the VMX MSRs from the msr driver: compare
	 * them with the module in probe-only mode (virtualize=0).
	 */
	ASSERT_EQ(0, hvt_ensure_loaded(false));
	self->fd = open("/dev/hvtrust", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) {
		TH_LOG("open /dev/hvtrust: %s", strerror(errno));
	}
	ASSERT_EQ(0, get_caps(self->fd, &self->caps));
}

FIXTURE_TEARDOWN(caps)
{
	close(self->fd);
}

TEST_F(caps, header)
{
	EXPECT_EQ(sizeof(struct hvtrust_caps), self->caps.size);
	EXPECT_EQ(HVTRUST_ABI_VERSION, self->caps.abi_version);
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), self->caps.nr_cpus);
	EXPECT_TRUE(self->caps.flags & HVTRUST_CAPS_UNIFORM);
	EXPECT_EQ(0, self->caps.flags & ~(HVTRUST_CAPS_UNIFORM | HVTRUST_CAPS_TRUE_CTLS));
	EXPECT_EQ(0, self->caps.reserved);
}

TEST_F(caps, agree_with_cpuid)
{
	uint64_t basic = self->caps.vmx_basic;

	ASSERT_TRUE(hvt_cpu_is_intel_vmx());
	EXPECT_NE(0, basic & 0x7fffffff);		/* revision id */
	EXPECT_EQ(0, basic & (1ULL << 31));
	EXPECT_LE((basic >> 32) & 0x1fff, 4096);	/* VMCS size */
	EXPECT_EQ(6, (basic >> 50) & 0xf);		/* write-back */
	EXPECT_EQ(!!(basic & (1ULL << 55)),
		  !!(self->caps.flags & HVTRUST_CAPS_TRUE_CTLS));
	/* locked, VMX outside SMX enabled */
	EXPECT_EQ(0x5, self->caps.feature_control & 0x5);
}

/* What the module reports must be what each CPU's MSRs say, read here
 * independently through the msr driver.
 */
TEST_F(caps, match_msrs_on_every_cpu)
{
	bool true_ctls = self->caps.flags & HVTRUST_CAPS_TRUE_CTLS;
	const struct {
		uint32_t msr;
		uint64_t reported;
	} expect[] = {
		{ MSR_FEATURE_CONTROL, self->caps.feature_control },
		{ MSR_VMX_BASIC, self->caps.vmx_basic },
		{ true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED,
		  self->caps.pinbased_ctls },
		{ true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED,
		  self->caps.procbased_ctls },
		{ true_ctls ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT, self->caps.exit_ctls },
		{ true_ctls ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY, self->caps.entry_ctls },
		{ MSR_VMX_MISC, self->caps.misc },
		{ MSR_VMX_CR0_FIXED0, self->caps.cr0_fixed0 },
		{ MSR_VMX_CR0_FIXED1, self->caps.cr0_fixed1 },
		{ MSR_VMX_CR4_FIXED0, self->caps.cr4_fixed0 },
		{ MSR_VMX_CR4_FIXED1, self->caps.cr4_fixed1 },
		{ MSR_VMX_PROCBASED2, self->caps.procbased_ctls2 },
		{ MSR_VMX_EPT_VPID, self->caps.ept_vpid_cap },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu;
	size_t i;

	ASSERT_GE(cpus, 1);
	for (cpu = 0; cpu < cpus; cpu++) {
		for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
			uint64_t value = 0;

			ASSERT_EQ(0, hvt_read_msr(cpu, expect[i].msr, &value)) {
				TH_LOG("cpu %d: cannot read MSR %#x", cpu, expect[i].msr);
			}
			EXPECT_EQ(expect[i].reported, value) {
				TH_LOG("cpu %d MSR %#x: module %#llx, msr driver %#llx",
				       cpu, expect[i].msr,
				       (unsigned long long)expect[i].reported,
				       (unsigned long long)value);
			}
		}
	}
}

TEST_F(caps, controls_fit_the_msrs)
{
	const struct hvtrust_caps *c = &self->caps;

	EXPECT_TRUE(control_allowed(c->pinbased_ctls, c->pinbased_exec));
	EXPECT_TRUE(control_allowed(c->procbased_ctls, c->procbased_exec));
	EXPECT_TRUE(control_allowed(c->procbased_ctls2, c->procbased_exec2));
	EXPECT_TRUE(control_allowed(c->exit_ctls, c->exit_controls));
	EXPECT_TRUE(control_allowed(c->entry_ctls, c->entry_controls));
}

TEST_F(caps, required_controls_present)
{
	const struct hvtrust_caps *c = &self->caps;

	EXPECT_TRUE(c->pinbased_exec & (1U << 3));	/* NMI exiting */
	EXPECT_TRUE(c->pinbased_exec & (1U << 5));	/* virtual NMIs */
	EXPECT_TRUE(c->procbased_exec & (1U << 28));	/* MSR bitmaps */
	EXPECT_TRUE(c->procbased_exec & (1U << 31));	/* secondary controls */
	EXPECT_TRUE(c->procbased_exec2 & (1U << 1));	/* EPT */
	EXPECT_TRUE(c->exit_controls & (1U << 9));	/* 64-bit host */
	EXPECT_TRUE(c->entry_controls & (1U << 9));	/* IA-32e guest */
	/* no exits the hypervisor does not need: HLT, I/O, CR3 loads */
	EXPECT_EQ(0, c->procbased_exec & ((1U << 7) | (1U << 24) | (1U << 15)) &
		  ~(uint32_t)c->procbased_ctls);
}

TEST_F(caps, optional_controls_taken_when_offered)
{
	const struct hvtrust_caps *c = &self->caps;
	uint32_t may2 = c->procbased_ctls2 >> 32;
	bool invvpid = (c->ept_vpid_cap >> 32) & 1;
	bool invvpid_all = (c->ept_vpid_cap >> 42) & 1;
	/* RDTSCP, INVPCID, XSAVES: #UD in the guest unless enabled */
	uint32_t needed = (1U << 3) | (1U << 12) | (1U << 20);

	EXPECT_EQ(may2 & needed, c->procbased_exec2 & needed);
	EXPECT_EQ(!!(may2 & (1U << 5)) && invvpid && invvpid_all,
		  !!(c->procbased_exec2 & (1U << 5)));
	/* CET state is loaded on both edges or on neither */
	EXPECT_EQ(!!(c->exit_controls & (1U << 28)),
		  !!(c->entry_controls & (1U << 20)));
}

TEST_F(caps, ept_features)
{
	uint64_t ept = self->caps.ept_vpid_cap;

	EXPECT_TRUE(ept & (1ULL << 6));		/* 4-level walk */
	EXPECT_TRUE(ept & (1ULL << 14));	/* WB paging structures */
	EXPECT_TRUE(ept & (1ULL << 20));	/* INVEPT */
	EXPECT_TRUE(ept & (1ULL << 26));	/* all-context INVEPT */
}

TEST_F(caps, vmfunc_only_when_offered)
{
	uint64_t value = 0;

	if (!((self->caps.procbased_ctls2 >> 32) & (1U << 13))) {
		EXPECT_EQ(0, self->caps.vmfunc);
		return;
	}
	ASSERT_EQ(0, hvt_read_msr(0, MSR_VMX_VMFUNC, &value));
	EXPECT_EQ(value, self->caps.vmfunc);
}

TEST_F(caps, unknown_ioctl_is_enotty)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IO(HVTRUST_IOCTL_TYPE, 0x7f), &self->caps));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO('x', 0x00), &self->caps));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(HVTRUST_IOCTL_TYPE, 0x00, int), &self->caps));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(caps, short_size_is_einval)
{
	struct hvtrust_caps caps = { .size = sizeof(caps) - 8 };

	EXPECT_EQ(-1, ioctl(self->fd, HVTRUST_IOC_GET_CAPS, &caps));
	EXPECT_EQ(EINVAL, errno);
	caps.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, HVTRUST_IOC_GET_CAPS, &caps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, caps.vmx_basic);	/* nothing written back */
}

TEST_F(caps, larger_struct_needs_zero_tail)
{
	struct {
		struct hvtrust_caps caps;
		uint64_t future[4];
	} big;

	memset(&big, 0, sizeof(big));
	big.caps.size = sizeof(big);
	ASSERT_EQ(0, ioctl(self->fd, HVTRUST_IOC_GET_CAPS, &big));
	EXPECT_EQ(self->caps.vmx_basic, big.caps.vmx_basic);
	EXPECT_EQ(0, big.future[0]);

	memset(&big, 0, sizeof(big));
	big.caps.size = sizeof(big);
	big.future[3] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, HVTRUST_IOC_GET_CAPS, &big));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(0, big.caps.vmx_basic);
}

TEST_F(caps, bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, HVTRUST_IOC_GET_CAPS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, HVTRUST_IOC_GET_CAPS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST(device_is_root_only)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (open("/dev/hvtrust", O_RDWR) >= 0)
			_exit(3);
		_exit(errno == EACCES ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
