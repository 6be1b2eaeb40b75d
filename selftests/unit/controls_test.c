// SPDX-License-Identifier: GPL-2.0
/* Unit tests of vmx/controls.c: VMX control adjustment against capability MSRs. */
/* Context: user space, native build. */
#include "kselftest_harness.h"
#include "../../vmx/controls.h"

static uint64_t cap(uint32_t must_be_one, uint32_t may_be_one)
{
	return (uint64_t)may_be_one << 32 | must_be_one;
}

TEST(required_and_optional)
{
	struct hvt_ctl_result res;

	ASSERT_EQ(0, hvt_adjust_controls(cap(0x16, 0xff), 0x80, 0x301, &res));
	/* must-be-one bits kept, required set, optional only where allowed */
	EXPECT_EQ(0x16 | 0x80 | 0x01, res.value);
	EXPECT_EQ(0, res.missing);
	EXPECT_TRUE(hvt_control_allowed(cap(0x16, 0xff), res.value));
}

TEST(missing_required_bit_is_named)
{
	struct hvt_ctl_result res;

	EXPECT_EQ(-EIO, hvt_adjust_controls(cap(0, 0x0f), 0x12, 0, &res));
	EXPECT_EQ(0x10, res.missing);
}

TEST(malformed_msr_is_refused)
{
	struct hvt_ctl_result res;

	/* bit 3 must be one but may not be one */
	EXPECT_EQ(-EIO, hvt_adjust_controls(cap(0x8, 0x7), 0, 0, &res));
	EXPECT_EQ(0x8, res.missing);
}

TEST(allowed_checks_both_halves)
{
	EXPECT_TRUE(hvt_control_allowed(cap(0x1, 0x3), 0x3));
	EXPECT_FALSE(hvt_control_allowed(cap(0x1, 0x3), 0x2));
	EXPECT_FALSE(hvt_control_allowed(cap(0x1, 0x3), 0x5));
}

TEST(typical_pinbased_true_msr)
{
	/* bits 1, 2 and 4 are the pin-based default1 class (SDM A.3.1) */
	uint64_t msr = 0x0000007f00000016ULL;
	struct hvt_ctl_result res;

	ASSERT_EQ(0, hvt_adjust_controls(msr, 0x28, 0x40, &res));
	EXPECT_EQ(0x7e, res.value);
}

TEST_HARNESS_MAIN
