// SPDX-License-Identifier: GPL-2.0
/* Unit tests of ept/ept.c: the identity map, its page sizes, types and splitting. */
/* Context: user space, native build. */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "table_pool.h"
#include "../../ept/ept.h"

#define MB(x)	((uint64_t)(x) << 20)
#define GB(x)	((uint64_t)(x) << 30)

FIXTURE(ept)
{
	struct pool pool;
	struct hvt_ept_ops ops;
	struct hvt_mtrr_state mtrr;
	struct hvt_ept ept;
};

FIXTURE_SETUP(ept)
{
	memset(&self->pool, 0, sizeof(self->pool));
	self->pool.limit = 4096;
	self->ops.alloc_table = pool_alloc;
	self->ops.table_of = pool_table;
	self->ops.ctx = &self->pool;
	/* 0-2 GB write-back RAM, the rest uncached, no fixed ranges */
	memset(&self->mtrr, 0, sizeof(self->mtrr));
	self->mtrr.def_type = (1ULL << 11) | HVT_MT_UC;
	self->mtrr.phys_bits = 40;
	self->mtrr.var_count = 8;
	self->mtrr.var_base[0] = HVT_MT_WB;
	self->mtrr.var_mask[0] = (~(GB(2) - 1) & ((1ULL << 40) - 1)) | (1ULL << 11);
}

FIXTURE_TEARDOWN(ept)
{
	pool_free_all(&self->pool);
}

TEST_F(ept, whole_space_with_1g_pages)
{
	unsigned int level = 0;
	uint64_t entry;

	ASSERT_EQ(0, hvt_ept_build_identity(&self->ept, &self->ops, &self->mtrr,
					    1ULL << 40, true));
	/* PML4 + two PDPTs: nothing needs splitting */
	EXPECT_EQ(3, self->ept.tables);
	EXPECT_EQ(1024, self->ept.pages_1g);
	EXPECT_EQ(0, self->ept.pages_2m + self->ept.pages_4k);
	entry = hvt_ept_lookup(&self->ept, GB(1) + 0x1234, &level);
	EXPECT_EQ(3, level);
	EXPECT_EQ(GB(1), entry & HVT_EPT_ADDR_MASK);
	EXPECT_EQ(HVT_MT_WB, (entry >> 3) & 7);
	EXPECT_EQ(HVT_EPT_RWX, entry & HVT_EPT_RWX);
	entry = hvt_ept_lookup(&self->ept, GB(700), &level);
	EXPECT_EQ(GB(700), entry & HVT_EPT_ADDR_MASK);
	EXPECT_EQ(HVT_MT_UC, (entry >> 3) & 7);
	EXPECT_EQ(0, hvt_ept_lookup(&self->ept, 1ULL << 40, &level));
	EXPECT_EQ(self->ept.pml4_phys | 0x1e, hvt_ept_pointer(&self->ept));
}

TEST_F(ept, without_1g_pages_uses_2m)
{
	unsigned int level = 0;

	ASSERT_EQ(0, hvt_ept_build_identity(&self->ept, &self->ops, &self->mtrr,
					    GB(4), false));
	EXPECT_EQ(2 + 4, self->ept.tables);
	EXPECT_EQ(4 * 512, self->ept.pages_2m);
	hvt_ept_lookup(&self->ept, GB(3), &level);
	EXPECT_EQ(2, level);
}

TEST_F(ept, mixed_types_split_down_to_4k)
{
	unsigned int level = 0;
	uint64_t entry;

	/* a 64 KB write-combining frame buffer at 3 GB + 4 MB, in UC space */
	self->mtrr.var_base[1] = (GB(3) + MB(4)) | HVT_MT_WC;
	self->mtrr.var_mask[1] = (~(0x10000ULL - 1) & ((1ULL << 40) - 1)) | (1ULL << 11);
	ASSERT_EQ(0, hvt_ept_build_identity(&self->ept, &self->ops, &self->mtrr,
					    GB(4), true));
	EXPECT_EQ(4, self->ept.tables);	/* PML4, PDPT, one PD, one PT */
	EXPECT_EQ(3, self->ept.pages_1g);
	EXPECT_EQ(511, self->ept.pages_2m);
	EXPECT_EQ(512, self->ept.pages_4k);
	entry = hvt_ept_lookup(&self->ept, GB(3) + MB(4) + 0x3000, &level);
	EXPECT_EQ(1, level);
	EXPECT_EQ(HVT_MT_WC, (entry >> 3) & 7);
	entry = hvt_ept_lookup(&self->ept, GB(3) + MB(4) + 0x10000, &level);
	EXPECT_EQ(1, level);
	EXPECT_EQ(HVT_MT_UC, (entry >> 3) & 7);
	entry = hvt_ept_lookup(&self->ept, GB(1), &level);
	EXPECT_EQ(3, level);
	EXPECT_EQ(HVT_MT_WB, (entry >> 3) & 7);
}

TEST_F(ept, set_4k_splits_and_keeps_neighbours)
{
	unsigned int level = 0;
	uint64_t entry, zero_page = GB(1) + 0x5000;
	uint64_t gpa = GB(1) + MB(6) + 0x7000;

	ASSERT_EQ(0, hvt_ept_build_identity(&self->ept, &self->ops, &self->mtrr,
					    GB(4), true));
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa,
				    zero_page | HVT_EPT_READ | (HVT_MT_WB << 3)));
	EXPECT_EQ(2 + 2, self->ept.tables);	/* PD and PT added */
	EXPECT_EQ(3, self->ept.pages_1g);
	EXPECT_EQ(511, self->ept.pages_2m);
	EXPECT_EQ(512, self->ept.pages_4k);
	entry = hvt_ept_lookup(&self->ept, gpa + 0x10, &level);
	EXPECT_EQ(1, level);
	EXPECT_EQ(zero_page, entry & HVT_EPT_ADDR_MASK);
	EXPECT_EQ(HVT_EPT_READ, entry & HVT_EPT_RWX);
	entry = hvt_ept_lookup(&self->ept, gpa + 0x1000, &level);
	EXPECT_EQ(1, level);
	EXPECT_EQ(gpa + 0x1000, entry & HVT_EPT_ADDR_MASK);
	EXPECT_EQ(HVT_EPT_RWX, entry & HVT_EPT_RWX);
	EXPECT_EQ(HVT_MT_WB, (entry >> 3) & 7);
	entry = hvt_ept_lookup(&self->ept, gpa + MB(2), &level);
	EXPECT_EQ(2, level);
	EXPECT_EQ(gpa + MB(2) - 0x7000, entry & HVT_EPT_ADDR_MASK);
	/* a second page in the same 2 MB region needs no new table */
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa + 0x1000,
				    zero_page | HVT_EPT_READ | (HVT_MT_WB << 3)));
	EXPECT_EQ(4, self->ept.tables);
}

TEST_F(ept, leaf_4k_only_where_split)
{
	uint64_t gpa = GB(2) + MB(8) + 0x3000, *leaf;

	ASSERT_EQ(0, hvt_ept_build_identity(&self->ept, &self->ops, &self->mtrr,
					    GB(4), true));
	EXPECT_EQ(NULL, hvt_ept_leaf_4k(&self->ept, gpa));
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa, gpa | HVT_EPT_READ));
	leaf = hvt_ept_leaf_4k(&self->ept, gpa + 0x123);
	ASSERT_NE(NULL, leaf);
	EXPECT_EQ(gpa | HVT_EPT_READ, *leaf);
	leaf = hvt_ept_leaf_4k(&self->ept, gpa + 0x1000);
	ASSERT_NE(NULL, leaf);
	EXPECT_EQ((gpa + 0x1000) | HVT_EPT_RWX | (HVT_MT_UC << 3), *leaf);
	EXPECT_EQ(NULL, hvt_ept_leaf_4k(&self->ept, gpa + MB(2)));
	EXPECT_EQ(NULL, hvt_ept_leaf_4k(&self->ept, GB(8)));
}

TEST_F(ept, entry_4k_of_large_and_split_pages)
{
	uint64_t gpa = GB(2) + MB(8) + 0x3000;

	ASSERT_EQ(0, hvt_ept_build_identity(&self->ept, &self->ops, &self->mtrr,
					    GB(4), true));
	/* inside a 1 GiB UC page: its flags, the page's own address, no large bit */
	EXPECT_EQ(gpa | HVT_EPT_RWX | (HVT_MT_UC << 3), hvt_ept_entry_4k(&self->ept, gpa + 0x45));
	EXPECT_EQ((GB(1) + 0x5000) | HVT_EPT_RWX | (HVT_MT_WB << 3),
		  hvt_ept_entry_4k(&self->ept, GB(1) + 0x5000));
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa, gpa | HVT_EPT_READ));
	EXPECT_EQ(gpa | HVT_EPT_READ, hvt_ept_entry_4k(&self->ept, gpa));
	EXPECT_EQ(0, hvt_ept_entry_4k(&self->ept, GB(8)));
}

TEST_F(ept, out_of_memory_is_reported)
{
	self->pool.limit = 2;
	EXPECT_EQ(-ENOMEM, hvt_ept_build_identity(&self->ept, &self->ops,
						  &self->mtrr, 1ULL << 40, true));
}

TEST_F(ept, bad_top_is_refused)
{
	EXPECT_EQ(-EINVAL, hvt_ept_build_identity(&self->ept, &self->ops,
						  &self->mtrr, GB(1) + 1, true));
	EXPECT_EQ(-EINVAL, hvt_ept_build_identity(&self->ept, &self->ops,
						  &self->mtrr, 0, true));
}

/* Tables in one arena at a fixed offset from their "physical" address, as in the direct map. */
#define ARENA_PAGES	16
#define ARENA_PHYS	MB(1)

struct arena {
	u64 *base;
	unsigned int used;
	unsigned int table_of_calls;
};

static u64 *arena_alloc(void *ctx, u64 *phys)
{
	struct arena *arena = ctx;
	u64 *table;

	if (arena->used >= ARENA_PAGES)
		return NULL;
	table = arena->base + arena->used * 512;
	memset(table, 0, 4096);
	*phys = ARENA_PHYS + arena->used++ * 4096ULL;
	return table;
}

static u64 *arena_table_of(void *ctx, u64 phys)
{
	struct arena *arena = ctx;

	arena->table_of_calls++;
	return arena->base + (phys - ARENA_PHYS) / 8;
}

TEST_F(ept, direct_map_offset_replaces_table_of)
{
	struct arena arena = { .base = aligned_alloc(4096, ARENA_PAGES * 4096) };
	struct hvt_ept_ops ops = {
		.alloc_table = arena_alloc,
		.table_of = arena_table_of,
		.ctx = &arena,
	};
	uint64_t gpa = GB(1) + MB(6) + 0x7000, entry;
	unsigned int level = 0;

	ASSERT_NE(NULL, arena.base);
	ops.direct_map = (u64)(unsigned long)arena.base - ARENA_PHYS;
	ASSERT_EQ(0, hvt_ept_build_identity(&self->ept, &ops, &self->mtrr, GB(4), true));
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa, gpa | HVT_EPT_READ | (HVT_MT_WB << 3)));
	entry = hvt_ept_lookup(&self->ept, gpa, &level);
	EXPECT_EQ(1, level);
	EXPECT_EQ(HVT_EPT_READ, entry & HVT_EPT_RWX);
	ASSERT_NE(NULL, hvt_ept_leaf_4k(&self->ept, gpa));
	EXPECT_EQ(entry, *hvt_ept_leaf_4k(&self->ept, gpa));
	EXPECT_EQ(0, arena.table_of_calls);
	/* Without the offset, the same walks go through table_of. */
	self->ept.ops.direct_map = 0;
	EXPECT_EQ(entry, hvt_ept_lookup(&self->ept, gpa, &level));
	EXPECT_LT(0, arena.table_of_calls);
	free(arena.base);
}

/*
 * What a merge hands back: the tables it retired; @refuse: keep every
 * table in. The tables themselves still come from @pool.
 */
struct retired {
	struct pool *pool;
	u64 phys[8];
	unsigned int count;
	bool refuse;
};

static bool retire_table(void *ctx, u64 phys)
{
	struct retired *retired = ctx;

	if (retired->refuse || retired->count == 8)
		return false;
	retired->phys[retired->count++] = phys;
	return true;
}

static u64 *retired_alloc(void *ctx, u64 *phys)
{
	return pool_alloc(((struct retired *)ctx)->pool, phys);
}

static u64 *retired_table_of(void *ctx, u64 phys)
{
	return pool_table(((struct retired *)ctx)->pool, phys);
}

/* Builds 0-4 GB with 1 GiB pages, then lets merges retire tables into @retired. */
static void build_mergeable(struct __test_metadata *_metadata, struct hvt_ept *ept,
			    const struct hvt_ept_ops *ops, const struct hvt_mtrr_state *mtrr,
			    struct retired *retired)
{
	ASSERT_EQ(0, hvt_ept_build_identity(ept, ops, mtrr, GB(4), true));
	retired->pool = ops->ctx;
	ept->ops.alloc_table = retired_alloc;
	ept->ops.table_of = retired_table_of;
	ept->ops.retire_table = retire_table;
	ept->ops.ctx = retired;
}

TEST_F(ept, split_tables_counts_what_set_4k_takes)
{
	uint64_t gpa = GB(1) + MB(6) + 0x7000;

	ASSERT_EQ(0, hvt_ept_build_identity(&self->ept, &self->ops, &self->mtrr,
					    GB(4), true));
	EXPECT_EQ(2, hvt_ept_split_tables(&self->ept, gpa));
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa, gpa | HVT_EPT_READ));
	EXPECT_EQ(0, hvt_ept_split_tables(&self->ept, gpa + 0x1000));
	EXPECT_EQ(1, hvt_ept_split_tables(&self->ept, gpa + MB(2)));
	EXPECT_EQ(0, hvt_ept_split_tables(&self->ept, GB(8)));
}

TEST_F(ept, restored_pages_fold_back_into_a_1g_page)
{
	uint64_t gpa = GB(1) + MB(6) + 0x7000, other = gpa + MB(2) + 0x1000;
	uint64_t saved, saved_other, entry;
	struct retired retired = { 0 };
	unsigned int level = 0, tables;

	build_mergeable(_metadata, &self->ept, &self->ops, &self->mtrr, &retired);
	tables = self->ept.tables;
	saved = hvt_ept_entry_4k(&self->ept, gpa);
	saved_other = hvt_ept_entry_4k(&self->ept, other);
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa, saved & ~HVT_EPT_WRITE));
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, other, saved_other & ~HVT_EPT_WRITE));
	EXPECT_EQ(tables + 3, self->ept.tables);	/* one PD, two PTs */
	/* Still protected: nothing folds. */
	EXPECT_EQ(0, hvt_ept_merge(&self->ept, gpa));
	/* One region back as it was: its PT goes, the PD stays for the other. */
	*hvt_ept_leaf_4k(&self->ept, gpa) = saved;
	EXPECT_EQ(1, hvt_ept_merge(&self->ept, gpa));
	EXPECT_EQ(1, retired.count);
	entry = hvt_ept_lookup(&self->ept, gpa, &level);
	EXPECT_EQ(2, level);
	EXPECT_EQ(GB(1) + MB(6), entry & HVT_EPT_ADDR_MASK);
	EXPECT_EQ(HVT_EPT_RWX | HVT_EPT_LARGE | (HVT_MT_WB << 3), entry & ~HVT_EPT_ADDR_MASK);
	EXPECT_EQ(0, hvt_ept_lookup(&self->ept, other, &level) & HVT_EPT_WRITE);
	/* The last one: its PT and then the PD fold; the 1 GiB page is whole again. */
	*hvt_ept_leaf_4k(&self->ept, other) = saved_other;
	EXPECT_EQ(2, hvt_ept_merge(&self->ept, other));
	EXPECT_EQ(3, retired.count);
	EXPECT_EQ(tables, self->ept.tables);
	EXPECT_EQ(4, self->ept.pages_1g);
	EXPECT_EQ(0, self->ept.pages_2m + self->ept.pages_4k);
	entry = hvt_ept_lookup(&self->ept, other, &level);
	EXPECT_EQ(3, level);
	EXPECT_EQ(GB(1) | HVT_EPT_RWX | HVT_EPT_LARGE | (HVT_MT_WB << 3), entry);
	/* Split again, the same way: nothing of the old tables is left behind. */
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa, saved & ~HVT_EPT_WRITE));
	EXPECT_EQ(tables + 2, self->ept.tables);
	EXPECT_EQ(saved & ~HVT_EPT_WRITE, *hvt_ept_leaf_4k(&self->ept, gpa));
	EXPECT_EQ(saved + 0x1000, *hvt_ept_leaf_4k(&self->ept, gpa + 0x1000));
}

TEST_F(ept, tables_the_owner_keeps_do_not_fold)
{
	uint64_t gpa = GB(2) + MB(8) + 0x3000, saved;
	struct retired retired = { .refuse = true };
	unsigned int level = 0, tables;

	build_mergeable(_metadata, &self->ept, &self->ops, &self->mtrr, &retired);
	tables = self->ept.tables;
	saved = hvt_ept_entry_4k(&self->ept, gpa);
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa, saved & ~HVT_EPT_WRITE));
	*hvt_ept_leaf_4k(&self->ept, gpa) = saved;
	EXPECT_EQ(0, hvt_ept_merge(&self->ept, gpa));
	EXPECT_EQ(tables + 2, self->ept.tables);
	hvt_ept_lookup(&self->ept, gpa, &level);
	EXPECT_EQ(1, level);
}

TEST_F(ept, tables_of_mixed_memory_types_do_not_fold)
{
	uint64_t fb = GB(3) + MB(4);
	struct retired retired = { 0 };
	unsigned int level = 0;

	/* a 64 KB write-combining frame buffer: its PT holds two types */
	self->mtrr.var_base[1] = fb | HVT_MT_WC;
	self->mtrr.var_mask[1] = (~(0x10000ULL - 1) & ((1ULL << 40) - 1)) | (1ULL << 11);
	build_mergeable(_metadata, &self->ept, &self->ops, &self->mtrr, &retired);
	EXPECT_EQ(0, hvt_ept_merge(&self->ept, fb));
	EXPECT_EQ(0, hvt_ept_merge(&self->ept, fb + 0x10000));
	EXPECT_EQ(0, retired.count);
	EXPECT_EQ(HVT_MT_WC, (hvt_ept_lookup(&self->ept, fb, &level) >> 3) & 7);
	EXPECT_EQ(1, level);
}

TEST_F(ept, a_page_mapped_elsewhere_keeps_its_table)
{
	uint64_t gpa = GB(1) + MB(6) + 0x7000, saved;
	struct retired retired = { 0 };

	build_mergeable(_metadata, &self->ept, &self->ops, &self->mtrr, &retired);
	saved = hvt_ept_entry_4k(&self->ept, gpa);
	/* hidden: every permission but another frame (a zero page) */
	ASSERT_EQ(0, hvt_ept_set_4k(&self->ept, gpa,
				    (GB(1) + 0x5000) | (saved & ~HVT_EPT_ADDR_MASK)));
	EXPECT_EQ(0, hvt_ept_merge(&self->ept, gpa));
	EXPECT_EQ(0, retired.count);
}

TEST_HARNESS_MAIN
