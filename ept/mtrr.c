// SPDX-License-Identifier: GPL-2.0
/* Memory-type resolution from a snapshot of the MTRRs. */
/* Context: any (called while the EPT tables are built, before launch); pure logic. */
/* Laid out with VMX root's code: hvt_ept_fill() (root text) calls it. */
#include "mtrr.h"

#define MTRR_DEF_TYPE_MASK	0xffULL
#define MTRR_DEF_FIXED_ENABLE	BIT_ULL(10)
#define MTRR_DEF_ENABLE		BIT_ULL(11)
#define MTRR_MASK_VALID		BIT_ULL(11)
#define MTRR_PAGE_MASK		(~0xfffULL)
#define MTRR_FIXED_END		0x100000ULL

/* Where each fixed-range MSR starts and how large each of its 8 fields is. */
static const struct {
	u64 start;
	u64 field_size;
} hvt_fixed_layout[HVT_MTRR_FIXED_MSRS] = {
	{ 0x00000, 0x10000 },
	{ 0x80000, 0x4000 }, { 0xa0000, 0x4000 },
	{ 0xc0000, 0x1000 }, { 0xc8000, 0x1000 }, { 0xd0000, 0x1000 },
	{ 0xd8000, 0x1000 }, { 0xe0000, 0x1000 }, { 0xe8000, 0x1000 },
	{ 0xf0000, 0x1000 }, { 0xf8000, 0x1000 },
};

static HVT_ROOT u8 hvt_fixed_type(const struct hvt_mtrr_state *mtrr, u64 addr)
{
	int i;

	for (i = HVT_MTRR_FIXED_MSRS - 1; i >= 0; i--) {
		u64 offset;

		if (addr < hvt_fixed_layout[i].start)
			continue;
		offset = (addr - hvt_fixed_layout[i].start) /
			 hvt_fixed_layout[i].field_size;
		return (mtrr->fixed[i] >> (8 * offset)) & 0xff;
	}
	return HVT_MT_UC;
}

/*
 * Combine two variable-range types that both match an address: UC wins,
 * WT beats WB, and any other overlap is undefined by the SDM, which we
 * resolve to UC, the type that can never corrupt device state.
 */
static HVT_ROOT u8 hvt_combine_types(u8 a, u8 b)
{
	if (a == b)
		return a;
	if (a == HVT_MT_UC || b == HVT_MT_UC)
		return HVT_MT_UC;
	if ((a == HVT_MT_WT && b == HVT_MT_WB) ||
	    (a == HVT_MT_WB && b == HVT_MT_WT))
		return HVT_MT_WT;
	return HVT_MT_UC;
}

/**
 * hvt_mtrr_type_of_range() - the memory type of a naturally aligned range
 * @mtrr: the MTRR snapshot
 * @base: start of the range, aligned to @size
 * @size: a power of two, at least 4 KiB
 *
 * Return: the one memory type every byte of the range has, or HVT_MT_MIXED
 * when the range must be split into smaller pages.
 */
HVT_ROOT u8 hvt_mtrr_type_of_range(const struct hvt_mtrr_state *mtrr, u64 base, u64 size)
{
	u64 phys_mask = (mtrr->phys_bits >= 64) ? ~0ULL :
			(BIT_ULL(mtrr->phys_bits) - 1);
	bool matched = false;
	u8 type = HVT_MT_UC;
	unsigned int i;

	if (!(mtrr->def_type & MTRR_DEF_ENABLE))
		return HVT_MT_UC;

	if (base < MTRR_FIXED_END && mtrr->fixed_supported &&
	    (mtrr->def_type & MTRR_DEF_FIXED_ENABLE)) {
		u64 addr;

		if (base + size > MTRR_FIXED_END)
			return HVT_MT_MIXED;
		type = hvt_fixed_type(mtrr, base);
		for (addr = base + 0x1000; addr < base + size; addr += 0x1000)
			if (hvt_fixed_type(mtrr, addr) != type)
				return HVT_MT_MIXED;
		return type;
	}

	for (i = 0; i < mtrr->var_count && i < HVT_MTRR_VAR_MAX; i++) {
		u64 mask = mtrr->var_mask[i] & MTRR_PAGE_MASK & phys_mask;
		u64 range_base = mtrr->var_base[i] & MTRR_PAGE_MASK & phys_mask;
		u8 var_type = mtrr->var_base[i] & 0xff;

		if (!(mtrr->var_mask[i] & MTRR_MASK_VALID))
			continue;
		/* Bits of the mask above the range's size decide for all of
		 * it at once; a mask bit inside it splits the range.
		 */
		if ((base ^ range_base) & mask & ~(size - 1))
			continue;
		if (mask & (size - 1))
			return HVT_MT_MIXED;
		type = matched ? hvt_combine_types(type, var_type) : var_type;
		matched = true;
	}
	return matched ? type : (u8)(mtrr->def_type & MTRR_DEF_TYPE_MASK);
}
