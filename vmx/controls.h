/* SPDX-License-Identifier: GPL-2.0 */
/* VMX control-field adjustment against the capability MSRs (SDM Vol. 3D, A.3-A.5). */
/* Context: any; pure logic shared with the user-space unit tests. */
#ifndef HVT_VMX_CONTROLS_H
#define HVT_VMX_CONTROLS_H

#include "../include/hvt_types.h"

/**
 * struct hvt_ctl_result - outcome of one control adjustment
 * @value: the control value to program, valid when hvt_adjust_controls()
 *         returned 0
 * @missing: required bits the CPU does not allow to be 1 (lowest is named
 *           in the error message)
 */
struct hvt_ctl_result {
	u32 value;
	u32 missing;
};

int hvt_adjust_controls(u64 cap_msr, u32 required, u32 optional,
			struct hvt_ctl_result *res);
bool hvt_control_allowed(u64 cap_msr, u32 value);

#endif /* HVT_VMX_CONTROLS_H */
