// SPDX-License-Identifier: GPL-2.0
/* VMX control-field adjustment against the capability MSRs. */
/* Context: any (called at module load, before launch); pure logic. */
#include "controls.h"

/*
 * A control capability MSR holds in its low half the allowed-0 settings (a
 * bit set there must be 1) and in its high half the allowed-1 settings (a bit
 * clear there must be 0).  SDM Vol. 3D, A.3.1.
 */
static inline u32 hvt_must_be_one(u64 cap_msr)
{
	return (u32)cap_msr;
}

static inline u32 hvt_may_be_one(u64 cap_msr)
{
	return (u32)(cap_msr >> 32);
}

/**
 * hvt_adjust_controls() - compute a VMX control value
 * @cap_msr: the capability MSR (TRUE_ variant when available)
 * @required: bits the hypervisor cannot work without
 * @optional: bits it uses when the CPU allows them
 * @res: the result; @res->missing names the required bits that are absent
 *
 * Return: 0, or -EIO when a required bit cannot be set or when the CPU
 * forces to 1 a bit that it also forbids (a malformed capability MSR).
 */
int hvt_adjust_controls(u64 cap_msr, u32 required, u32 optional,
			struct hvt_ctl_result *res)
{
	u32 fixed1 = hvt_must_be_one(cap_msr);
	u32 allowed1 = hvt_may_be_one(cap_msr);

	res->missing = required & ~allowed1;
	res->value = fixed1 | required | (optional & allowed1);
	if (res->missing)
		return -EIO;
	if (fixed1 & ~allowed1) {
		res->missing = fixed1 & ~allowed1;
		return -EIO;
	}
	return 0;
}

/**
 * hvt_control_allowed() - check a control value against its capability MSR
 * @cap_msr: the capability MSR
 * @value: the control value
 *
 * Return: true when every must-be-one bit is set and no forbidden bit is.
 */
bool hvt_control_allowed(u64 cap_msr, u32 value)
{
	u32 fixed1 = hvt_must_be_one(cap_msr);
	u32 allowed1 = hvt_may_be_one(cap_msr);

	return (value & fixed1) == fixed1 && !(value & ~allowed1);
}
