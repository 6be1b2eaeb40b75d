/* SPDX-License-Identifier: GPL-2.0 */
/* Memory-type resolution from the MTRRs, for the EPT identity map (SDM Vol. 3A, 11.11). */
/* Context: any; pure logic shared with the user-space unit tests. */
#ifndef HVT_EPT_MTRR_H
#define HVT_EPT_MTRR_H

#include "../include/hvt_types.h"

/* Memory types as the MTRRs and EPT entries encode them. */
#define HVT_MT_UC	0
#define HVT_MT_WC	1
#define HVT_MT_WT	4
#define HVT_MT_WP	5
#define HVT_MT_WB	6
/* Not a type: the range holds more than one. */
#define HVT_MT_MIXED	0xff

#define HVT_MTRR_FIXED_MSRS	11
#define HVT_MTRR_VAR_MAX	32

/**
 * struct hvt_mtrr_state - a snapshot of one CPU's MTRRs
 * @def_type: IA32_MTRR_DEF_TYPE (bits 7:0 type, bit 10 FE, bit 11 E)
 * @fixed: IA32_MTRR_FIX64K_00000 .. IA32_MTRR_FIX4K_F8000, in SDM order
 * @var_base: IA32_MTRR_PHYSBASEn
 * @var_mask: IA32_MTRR_PHYSMASKn (bit 11 = valid)
 * @var_count: number of variable ranges (IA32_MTRRCAP bits 7:0)
 * @phys_bits: MAXPHYADDR
 * @fixed_supported: IA32_MTRRCAP bit 8
 */
struct hvt_mtrr_state {
	u64 def_type;
	u64 fixed[HVT_MTRR_FIXED_MSRS];
	u64 var_base[HVT_MTRR_VAR_MAX];
	u64 var_mask[HVT_MTRR_VAR_MAX];
	unsigned int var_count;
	unsigned int phys_bits;
	bool fixed_supported;
};

u8 hvt_mtrr_type_of_range(const struct hvt_mtrr_state *mtrr, u64 base, u64 size);

#endif /* HVT_EPT_MTRR_H */
