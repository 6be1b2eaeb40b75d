// SPDX-License-Identifier: GPL-2.0
/* Unit tests of ept/walk.h: the walk of a guest's 4- and 5-level page tables for user addresses. */
/* Context: user space, native build. */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../ept/walk.h"

#define PAGE		0x1000ULL
#define TABLES		16
#define USER_TABLE	(HVT_PTE_PRESENT | BIT_ULL(1) | HVT_PTE_USER)

/*
 * Guest memory made of page tables only: table i lies at guest-physical
 * (i + 1) pages. A table marked hidden reads as unreadable, as hidden
 * memory does in VMX root.
 */
struct guest {
	u64 tables[TABLES][512];
	bool hidden[TABLES];
	unsigned int used;
	unsigned int reads;
};

static const u64 *read_table(const void *ctx, u64 gpa)
{
	struct guest *g = (struct guest *)ctx;
	u64 index = gpa / PAGE;

	g->reads++;
	if ((gpa & (PAGE - 1)) || index < 1 || index > g->used || g->hidden[index - 1])
		return NULL;
	return g->tables[index - 1];
}

/* A new, empty table: its guest-physical address. */
static u64 new_table(struct guest *g)
{
	memset(g->tables[g->used], 0, sizeof(g->tables[0]));
	return ++g->used * PAGE;
}

static u64 *table_at(struct guest *g, u64 gpa)
{
	return g->tables[gpa / PAGE - 1];
}

static unsigned int index_at(u64 gva, int level)
{
	return (gva >> (12 + 9 * (level - 1))) & 511;
}

/*
 * Maps @gva with tables from @top down to @leaf_level, whose entry gets
 * @leaf (a frame address with flags). Return: the top table.
 */
static u64 map(struct guest *g, u64 top, int levels, u64 gva, int leaf_level, u64 leaf)
{
	u64 table = top;
	int level;

	for (level = levels; level > leaf_level; level--) {
		u64 *entries = table_at(g, table);
		u64 *entry = &entries[index_at(gva, level)];

		if (!(*entry & HVT_PTE_PRESENT))
			*entry = new_table(g) | USER_TABLE;
		table = *entry & HVT_PTE_ADDR;
	}
	table_at(g, table)[index_at(gva, leaf_level)] = leaf;
	return top;
}

FIXTURE(walk)
{
	struct guest *g;
	u64 cr3;
};

FIXTURE_SETUP(walk)
{
	self->g = calloc(1, sizeof(*self->g));
	ASSERT_NE(NULL, self->g);
	self->cr3 = new_table(self->g);
}

FIXTURE_TEARDOWN(walk)
{
	free(self->g);
}

TEST_F(walk, four_levels_to_a_4k_page)
{
	u64 gva = 0x00007f1234567abcULL, gpa = 0;

	map(self->g, self->cr3, 4, gva, 1, 0x12345000ULL | USER_TABLE);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, gva, read_table, self->g, NULL, &gpa));
	EXPECT_EQ(0x12345000ULL, gpa);
	EXPECT_EQ(4, self->g->reads);
	/* The next page is not mapped. */
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, gva + PAGE, read_table, self->g, NULL,
					 &gpa));
}

TEST_F(walk, cr3_flag_bits_are_not_part_of_the_table_address)
{
	u64 gva = 0x400000, gpa = 0;

	map(self->g, self->cr3, 4, gva, 1, 0x5000ULL | USER_TABLE);
	/* PWT and PCD at bits 3-4, a PCID would sit in bits 0-11 */
	ASSERT_EQ(0, hvt_walk_user(self->cr3 | 0x18, false, gva, read_table, self->g, NULL, &gpa));
	EXPECT_EQ(0x5000ULL, gpa);
}

TEST_F(walk, large_pages_end_the_walk_with_the_offset_kept)
{
	u64 gva2m = 0x00007f0000345678ULL, gva1g = 0x00007e0012345678ULL, gpa = 0;

	map(self->g, self->cr3, 4, gva2m, 2, 0x40000000ULL | HVT_PTE_LARGE | USER_TABLE);
	map(self->g, self->cr3, 4, gva1g, 3, 0x80000000ULL | HVT_PTE_LARGE | USER_TABLE);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, gva2m, read_table, self->g, NULL, &gpa));
	EXPECT_EQ(0x40000000ULL + (gva2m & 0x1ff000), gpa);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, gva1g, read_table, self->g, NULL, &gpa));
	EXPECT_EQ(0x80000000ULL + (gva1g & 0x3ffff000), gpa);
}

TEST_F(walk, ps_bit_in_the_top_levels_is_a_fault)
{
	u64 gva = 0x00007f0000000000ULL, gpa = 0;

	table_at(self->g, self->cr3)[index_at(gva, 4)] = 0x1000000ULL | HVT_PTE_LARGE | USER_TABLE;
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, gva, read_table, self->g, NULL, &gpa));
}

TEST_F(walk, every_level_must_be_present_and_user)
{
	u64 gva = 0x00005555deadb000ULL, gpa = 0;
	int level;

	map(self->g, self->cr3, 4, gva, 1, 0x77000ULL | USER_TABLE);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, gva, read_table, self->g, NULL, &gpa));
	for (level = 4; level >= 1; level--) {
		u64 table = self->cr3, *entry;
		int l;

		for (l = 4; l > level; l--)
			table = table_at(self->g, table)[index_at(gva, l)] & HVT_PTE_ADDR;
		entry = &table_at(self->g, table)[index_at(gva, level)];
		*entry &= ~HVT_PTE_USER;
		EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, gva, read_table, self->g, NULL,
						 &gpa)) {
			TH_LOG("supervisor entry at level %d", level);
		}
		*entry = (*entry | HVT_PTE_USER) & ~HVT_PTE_PRESENT;
		EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, gva, read_table, self->g, NULL,
						 &gpa)) {
			TH_LOG("not-present entry at level %d", level);
		}
		*entry |= HVT_PTE_PRESENT;
	}
	EXPECT_EQ(0, hvt_walk_user(self->cr3, false, gva, read_table, self->g, NULL, &gpa));
}

TEST_F(walk, an_unreadable_table_ends_the_walk)
{
	u64 gva = 0x1000000, gpa = 0, pt;

	map(self->g, self->cr3, 4, gva, 1, 0x9000ULL | USER_TABLE);
	pt = self->g->used;	/* the page table was made last */
	self->g->hidden[pt - 1] = true;
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, gva, read_table, self->g, NULL, &gpa));
}

TEST_F(walk, addresses_past_the_user_half_are_refused)
{
	u64 gpa = 0;

	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, HVT_USER_TOP_4LEVEL, read_table,
					 self->g, NULL, &gpa));
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, true, HVT_USER_TOP_5LEVEL, read_table,
					 self->g, NULL, &gpa));
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, 0xffffffff81000000ULL, read_table,
					 self->g, NULL, &gpa));
	EXPECT_EQ(0, self->g->reads);
}

TEST_F(walk, five_levels_reach_past_47_bits)
{
	u64 high = 0x00ab123456789000ULL, low = 0x00007f0000001000ULL, gpa = 0;

	map(self->g, self->cr3, 5, high, 1, 0x31000ULL | USER_TABLE);
	map(self->g, self->cr3, 5, low, 1, 0x32000ULL | USER_TABLE);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, true, high, read_table, self->g, NULL, &gpa));
	EXPECT_EQ(0x31000ULL, gpa);
	EXPECT_EQ(5, self->g->reads);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, true, low, read_table, self->g, NULL, &gpa));
	EXPECT_EQ(0x32000ULL, gpa);
	/* With 4-level paging that address does not exist. */
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, high, read_table, self->g, NULL, &gpa));
}

TEST_F(walk, cache_reads_one_entry_within_a_region_and_walks_elsewhere)
{
	u64 base = 0x00007f0000200000ULL, other = 0x00007f0000400000ULL, gpa = 0;
	struct hvt_walk_cache cache = { 0 };

	map(self->g, self->cr3, 4, base, 1, 0x61000ULL | USER_TABLE);
	map(self->g, self->cr3, 4, base + PAGE, 1, 0x62000ULL | USER_TABLE);
	map(self->g, self->cr3, 4, other, 1, 0x63000ULL | USER_TABLE);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, base, read_table, self->g, &cache, &gpa));
	EXPECT_EQ(0x61000ULL, gpa);
	EXPECT_EQ(4, self->g->reads);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, base + PAGE, read_table, self->g, &cache,
				   &gpa));
	EXPECT_EQ(0x62000ULL, gpa);
	EXPECT_EQ(4, self->g->reads);
	/* A hole in the cached table is a hole. */
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, base + 2 * PAGE, read_table, self->g,
					 &cache, &gpa));
	EXPECT_EQ(4, self->g->reads);
	/* Another region, or other page tables: a whole walk. */
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, other, read_table, self->g, &cache, &gpa));
	EXPECT_EQ(0x63000ULL, gpa);
	EXPECT_EQ(8, self->g->reads);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, base, read_table, self->g, &cache, &gpa));
	EXPECT_EQ(12, self->g->reads);
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3 + PAGE, false, base, read_table, self->g,
					 &cache, &gpa));
	EXPECT_LT(12, self->g->reads);
}

/*
 * What a pass read is what root must watch: every table on the way to each
 * page, the one holding a hole included, each once, and overflow said.
 */
TEST_F(walk, a_pass_names_every_table_it_read_once)
{
	u64 base = 0x00007f0000200000ULL, other = 0x00007f0000400000ULL, gpa = 0;
	struct hvt_table_set *read = calloc(1, sizeof(*read)), *whole = calloc(1, sizeof(*whole));
	struct hvt_walk_cache cache = { .read = read };
	u64 pt_base, pt_other;
	u32 i;

	ASSERT_NE(NULL, read);
	ASSERT_NE(NULL, whole);
	map(self->g, self->cr3, 4, base, 1, 0x61000ULL | USER_TABLE);
	map(self->g, self->cr3, 4, other, 1, 0x63000ULL | USER_TABLE);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, base, read_table, self->g, &cache, &gpa));
	ASSERT_EQ(4, read->nr);
	EXPECT_EQ(self->cr3, read->gpa[0]);
	pt_base = read->gpa[3];
	EXPECT_EQ(pt_base, table_at(self->g, read->gpa[2])[index_at(base, 2)] & HVT_PTE_ADDR);
	/* The cache serves the same region: nothing new is read or named. */
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, base + PAGE, read_table, self->g,
					 &cache, &gpa));
	EXPECT_EQ(4, read->nr);
	/* Another region shares the upper levels: only its page table is new. */
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, other, read_table, self->g, &cache, &gpa));
	ASSERT_EQ(5, read->nr);
	pt_other = read->gpa[4];
	EXPECT_NE(pt_base, pt_other);
	/* A walk that stops at a missing entry names the table that lacks it. */
	read->nr = 0;
	cache = (struct hvt_walk_cache){ .read = read };
	EXPECT_EQ(-EFAULT, hvt_walk_user(self->cr3, false, 0x1000, read_table, self->g, &cache,
					 &gpa));
	ASSERT_EQ(1, read->nr);
	EXPECT_EQ(self->cr3, read->gpa[0]);
	/* Within: every table of one set in the other. */
	hvt_table_set_add(whole, self->cr3);
	EXPECT_TRUE(hvt_table_set_within(read, whole));
	hvt_table_set_add(read, pt_other);
	EXPECT_FALSE(hvt_table_set_within(read, whole));
	hvt_table_set_add(whole, pt_other);
	EXPECT_TRUE(hvt_table_set_within(read, whole));
	/* More tables than the set holds: flagged, never silently dropped. */
	read->nr = 0;
	for (i = 0; i < HVT_TABLE_SET_MAX + 1; i++)
		hvt_table_set_add(read, (i + 100) * PAGE);
	EXPECT_EQ(HVT_TABLE_SET_MAX, read->nr);
	EXPECT_TRUE(read->overflow);
	/* A pass that overflowed is within nothing: it did not name all it read. */
	EXPECT_FALSE(hvt_table_set_within(read, read));
	free(whole);
	free(read);
}

TEST_F(walk, large_pages_are_not_cached)
{
	u64 gva = 0x00007f0000345000ULL, gpa = 0;
	struct hvt_walk_cache cache = { 0 };

	map(self->g, self->cr3, 4, gva, 2, 0x40000000ULL | HVT_PTE_LARGE | USER_TABLE);
	ASSERT_EQ(0, hvt_walk_user(self->cr3, false, gva, read_table, self->g, &cache, &gpa));
	EXPECT_EQ(NULL, cache.pt);
}

/* What an exec walk saw: the pages it was shown, and which one to refuse. */
struct exec_seen {
	u64 gva[16];
	u64 gpa[16];
	unsigned int count;
	u64 refuse_gva;
};

static bool accept_page(const void *ctx, u64 gva, u64 gpa)
{
	struct exec_seen *seen = (struct exec_seen *)ctx;

	if (seen->count < 16) {
		seen->gva[seen->count] = gva;
		seen->gpa[seen->count] = gpa;
	}
	seen->count++;
	return gva != seen->refuse_gva;
}

static int exec_walk(FIXTURE_DATA(walk) *self, bool la57, struct exec_seen *seen, u64 *budget,
		     u64 *where)
{
	return hvt_walk_user_exec(self->cr3, la57, read_table, self->g, accept_page, seen, budget,
				  where);
}

TEST_F(walk, exec_walk_shows_only_executable_user_pages)
{
	u64 code = 0x400000, data = 0x401000, kernel_only = 0x402000, absent = 0x403000;
	struct exec_seen seen = { .refuse_gva = ~0ULL };
	u64 budget = 1 << 20, where = 0;

	map(self->g, self->cr3, 4, code, 1, 0x11000ULL | USER_TABLE);
	map(self->g, self->cr3, 4, data, 1, 0x12000ULL | USER_TABLE | HVT_PTE_NX);
	map(self->g, self->cr3, 4, kernel_only, 1, 0x13000ULL | HVT_PTE_PRESENT);
	map(self->g, self->cr3, 4, absent, 1, 0x14000ULL | HVT_PTE_USER);
	ASSERT_EQ(0, exec_walk(self, false, &seen, &budget, &where));
	ASSERT_EQ(1, seen.count);
	EXPECT_EQ(code, seen.gva[0]);
	EXPECT_EQ(0x11000ULL, seen.gpa[0]);
	EXPECT_LT(budget, 1 << 20);
}

TEST_F(walk, exec_walk_nx_above_the_leaf_hides_the_subtree)
{
	u64 gva = 0x7f0000200000ULL, pd;
	struct exec_seen seen = { .refuse_gva = ~0ULL };
	u64 budget = 1 << 20, where = 0;

	map(self->g, self->cr3, 4, gva, 1, 0x21000ULL | USER_TABLE);
	pd = table_at(self->g, self->cr3)[index_at(gva, 4)] & HVT_PTE_ADDR;
	pd = table_at(self->g, pd)[index_at(gva, 3)] & HVT_PTE_ADDR;
	table_at(self->g, pd)[index_at(gva, 2)] |= HVT_PTE_NX;
	ASSERT_EQ(0, exec_walk(self, false, &seen, &budget, &where));
	EXPECT_EQ(0, seen.count);
	table_at(self->g, pd)[index_at(gva, 2)] &= ~HVT_PTE_NX;
	ASSERT_EQ(0, exec_walk(self, false, &seen, &budget, &where));
	EXPECT_EQ(1, seen.count);
}

TEST_F(walk, exec_walk_names_the_page_it_refuses)
{
	u64 first = 0x400000, second = 0x7f0000005000ULL;
	struct exec_seen seen = { .refuse_gva = second };
	u64 budget = 1 << 20, where = 0;

	map(self->g, self->cr3, 4, first, 1, 0x31000ULL | USER_TABLE);
	map(self->g, self->cr3, 4, second, 1, 0x32000ULL | USER_TABLE);
	EXPECT_EQ(-EACCES, exec_walk(self, false, &seen, &budget, &where));
	EXPECT_EQ(second, where);
	EXPECT_EQ(2, seen.count);
}

TEST_F(walk, exec_walk_visits_a_large_page_page_by_page)
{
	u64 gva = 0x7f0000200000ULL;
	struct exec_seen seen = { .refuse_gva = gva + 511 * PAGE };
	u64 budget = 1 << 20, where = 0;

	map(self->g, self->cr3, 4, gva, 2, 0x40000000ULL | HVT_PTE_LARGE | USER_TABLE);
	EXPECT_EQ(-EACCES, exec_walk(self, false, &seen, &budget, &where));
	EXPECT_EQ(gva + 511 * PAGE, where);
	EXPECT_EQ(512, seen.count);
	EXPECT_EQ(0x40000000ULL + 15 * PAGE, seen.gpa[15]);
}

TEST_F(walk, exec_walk_ignores_the_kernel_half_and_a_top_level_ps_bit)
{
	struct exec_seen seen = { .refuse_gva = ~0ULL };
	u64 budget = 1 << 20, where = 0;

	map(self->g, self->cr3, 4, 0xffff888000000000ULL, 1, 0x41000ULL | USER_TABLE);
	table_at(self->g, self->cr3)[3] = 0x1000000ULL | HVT_PTE_LARGE | USER_TABLE;
	ASSERT_EQ(0, exec_walk(self, false, &seen, &budget, &where));
	EXPECT_EQ(0, seen.count);
}

TEST_F(walk, exec_walk_stops_at_an_unreadable_table_and_names_its_range)
{
	u64 gva = 0x7f0000400000ULL;
	struct exec_seen seen = { .refuse_gva = ~0ULL };
	u64 budget = 1 << 20, where = 0;

	map(self->g, self->cr3, 4, gva, 1, 0x51000ULL | USER_TABLE);
	self->g->hidden[self->g->used - 1] = true;
	EXPECT_EQ(-EFAULT, exec_walk(self, false, &seen, &budget, &where));
	EXPECT_EQ(gva & ~0x1fffffULL, where);
	self->g->hidden[0] = true;	/* the root table itself */
	EXPECT_EQ(-EFAULT, exec_walk(self, false, &seen, &budget, &where));
}

/* A hostile kernel points every entry at the same tables: the budget ends it. */
TEST_F(walk, exec_walk_of_a_cyclic_table_graph_is_bounded)
{
	struct exec_seen seen = { .refuse_gva = ~0ULL };
	u64 budget = 100000, where = 0, pdpt, pd;
	unsigned int i;

	pdpt = new_table(self->g);
	pd = new_table(self->g);
	for (i = 0; i < 256; i++)
		table_at(self->g, self->cr3)[i] = pdpt | USER_TABLE;
	for (i = 0; i < 512; i++) {
		table_at(self->g, pdpt)[i] = pd | USER_TABLE;
		table_at(self->g, pd)[i] = pd | USER_TABLE;	/* points back at itself */
	}
	EXPECT_EQ(-E2BIG, exec_walk(self, false, &seen, &budget, &where));
	EXPECT_EQ(0, budget);
}

TEST_F(walk, exec_walk_with_five_levels)
{
	u64 high = 0x00ab123456789000ULL;
	struct exec_seen seen = { .refuse_gva = ~0ULL };
	u64 budget = 1 << 20, where = 0;

	map(self->g, self->cr3, 5, high, 1, 0x61000ULL | USER_TABLE);
	ASSERT_EQ(0, exec_walk(self, true, &seen, &budget, &where));
	ASSERT_EQ(1, seen.count);
	EXPECT_EQ(high, seen.gva[0]);
}

TEST_HARNESS_MAIN
