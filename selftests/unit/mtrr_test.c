// SPDX-License-Identifier: GPL-2.0
/* Unit tests of ept/mtrr.c: memory types of EPT pages from an MTRR snapshot. */
/* Context: user space, native build. */
#include <string.h>

#include "kselftest_harness.h"
#include "../../ept/mtrr.h"

#define KB(x)	((uint64_t)(x) << 10)
#define MB(x)	((uint64_t)(x) << 20)
#define GB(x)	((uint64_t)(x) << 30)
#define DEF_E	(1ULL << 11)
#define DEF_FE	(1ULL << 10)
#define VALID	(1ULL << 11)

/* A PC layout: WB RAM, the legacy hole below 1 MB, UC PCI hole at 3-4 GB. */
FIXTURE(pc)
{
	struct hvt_mtrr_state mtrr;
};

FIXTURE_SETUP(pc)
{
	int i;

	memset(&self->mtrr, 0, sizeof(self->mtrr));
	self->mtrr.def_type = DEF_E | DEF_FE | HVT_MT_UC;
	self->mtrr.phys_bits = 40;
	self->mtrr.fixed_supported = true;
	self->mtrr.var_count = 8;
	self->mtrr.fixed[0] = 0x0606060606060606ULL;	/* 0-512K WB */
	self->mtrr.fixed[1] = 0x0606060606060606ULL;	/* 512-640K WB */
	self->mtrr.fixed[2] = 0x0000000000000000ULL;	/* 640-768K UC (VGA) */
	for (i = 3; i < HVT_MTRR_FIXED_MSRS; i++)
		self->mtrr.fixed[i] = 0x0505050505050505ULL; /* ROMs WP */
	/* 0-4 GB WB, then 3-4 GB UC on top of it, then 4-8 GB WB */
	self->mtrr.var_base[0] = 0 | HVT_MT_WB;
	self->mtrr.var_mask[0] = (~(GB(4) - 1) & ((1ULL << 40) - 1)) | VALID;
	self->mtrr.var_base[1] = GB(3) | HVT_MT_UC;
	self->mtrr.var_mask[1] = (~(GB(1) - 1) & ((1ULL << 40) - 1)) | VALID;
	self->mtrr.var_base[2] = GB(4) | HVT_MT_WB;
	self->mtrr.var_mask[2] = (~(GB(4) - 1) & ((1ULL << 40) - 1)) | VALID;
}

FIXTURE_TEARDOWN(pc)
{
}

TEST_F(pc, ram_gets_write_back_large_pages)
{
	EXPECT_EQ(HVT_MT_WB, hvt_mtrr_type_of_range(&self->mtrr, GB(1), GB(1)));
	EXPECT_EQ(HVT_MT_WB, hvt_mtrr_type_of_range(&self->mtrr, GB(5), GB(1)));
	EXPECT_EQ(HVT_MT_WB, hvt_mtrr_type_of_range(&self->mtrr, MB(2), MB(2)));
}

TEST_F(pc, uc_overlap_wins)
{
	EXPECT_EQ(HVT_MT_UC, hvt_mtrr_type_of_range(&self->mtrr, GB(3), GB(1)));
	EXPECT_EQ(HVT_MT_UC, hvt_mtrr_type_of_range(&self->mtrr,
						    GB(3) + MB(510), KB(4)));
}

TEST_F(pc, range_crossing_types_is_mixed)
{
	/* 2-4 GB holds WB and UC */
	EXPECT_EQ(HVT_MT_MIXED, hvt_mtrr_type_of_range(&self->mtrr, GB(2), GB(2)));
	/* the first 2 MB page covers the fixed ranges */
	EXPECT_EQ(HVT_MT_MIXED, hvt_mtrr_type_of_range(&self->mtrr, 0, MB(2)));
}

TEST_F(pc, fixed_ranges)
{
	EXPECT_EQ(HVT_MT_WB, hvt_mtrr_type_of_range(&self->mtrr, KB(64), KB(4)));
	EXPECT_EQ(HVT_MT_UC, hvt_mtrr_type_of_range(&self->mtrr, 0xa0000, KB(4)));
	EXPECT_EQ(HVT_MT_WP, hvt_mtrr_type_of_range(&self->mtrr, 0xf8000, KB(4)));
	EXPECT_EQ(HVT_MT_MIXED, hvt_mtrr_type_of_range(&self->mtrr, 0x80000, KB(256)));
}

TEST_F(pc, unmatched_uses_default)
{
	/* above 8 GB nothing matches: default type UC */
	EXPECT_EQ(HVT_MT_UC, hvt_mtrr_type_of_range(&self->mtrr, GB(9), GB(1)));
	self->mtrr.def_type = DEF_E | HVT_MT_WB;
	EXPECT_EQ(HVT_MT_WB, hvt_mtrr_type_of_range(&self->mtrr, GB(9), GB(1)));
}

TEST_F(pc, disabled_mtrrs_mean_uncached)
{
	self->mtrr.def_type = HVT_MT_WB;
	EXPECT_EQ(HVT_MT_UC, hvt_mtrr_type_of_range(&self->mtrr, GB(1), GB(1)));
}

TEST_F(pc, fixed_disabled_falls_back_to_variable)
{
	self->mtrr.def_type &= ~DEF_FE;
	EXPECT_EQ(HVT_MT_WB, hvt_mtrr_type_of_range(&self->mtrr, 0xa0000, KB(4)));
	EXPECT_EQ(HVT_MT_WB, hvt_mtrr_type_of_range(&self->mtrr, 0, MB(2)));
}

TEST_F(pc, invalid_entries_ignored)
{
	self->mtrr.var_mask[1] &= ~VALID;
	EXPECT_EQ(HVT_MT_WB, hvt_mtrr_type_of_range(&self->mtrr, GB(3), GB(1)));
}

TEST_F(pc, wt_beats_wb_and_other_overlaps_are_uc)
{
	self->mtrr.var_base[3] = GB(1) | HVT_MT_WT;
	self->mtrr.var_mask[3] = self->mtrr.var_mask[1];
	EXPECT_EQ(HVT_MT_WT, hvt_mtrr_type_of_range(&self->mtrr, GB(1), GB(1)));
	self->mtrr.var_base[3] = GB(1) | HVT_MT_WC;
	EXPECT_EQ(HVT_MT_UC, hvt_mtrr_type_of_range(&self->mtrr, GB(1), MB(2)));
}

TEST_F(pc, small_variable_range_splits_large_page)
{
	/* a 64 KB WC frame buffer inside RAM */
	self->mtrr.var_base[3] = (GB(1) + MB(4)) | HVT_MT_WC;
	self->mtrr.var_mask[3] = (~(KB(64) - 1) & ((1ULL << 40) - 1)) | VALID;
	EXPECT_EQ(HVT_MT_MIXED, hvt_mtrr_type_of_range(&self->mtrr, GB(1), GB(1)));
	EXPECT_EQ(HVT_MT_MIXED, hvt_mtrr_type_of_range(&self->mtrr, GB(1) + MB(4), MB(2)));
	EXPECT_EQ(HVT_MT_UC, hvt_mtrr_type_of_range(&self->mtrr, GB(1) + MB(4), KB(4)));
	EXPECT_EQ(HVT_MT_WB, hvt_mtrr_type_of_range(&self->mtrr, GB(1) + MB(6), MB(2)));
}

TEST_HARNESS_MAIN
