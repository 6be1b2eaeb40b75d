// SPDX-License-Identifier: GPL-2.0
/* Unit tests of ept/hostmap.c: VMX root's own direct map of RAM, checked by a walk. */
/* Context: user space, native build. */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "table_pool.h"
#include "../../ept/hostmap.h"

#define MB(x)		((uint64_t)(x) << 20)
#define GB(x)		((uint64_t)(x) << 30)
#define BASE		0xffff888000000000ULL	/* the kernel's direct map without KASLR */
#define SLOT(va)	(((va) >> 39) & 511)
/* Leaf bits as the SDM numbers them (Vol. 3A, 4.5), not as the builder names them. */
#define PRESENT_BIT	(1ULL << 0)
#define WRITE_BIT	(1ULL << 1)
#define USER_BIT	(1ULL << 2)
#define GLOBAL_BIT	(1ULL << 8)
#define NX_BIT		(1ULL << 63)

/* The processor's walk (SDM Vol. 3A, 4.5): the physical address and the leaf. */
static bool translate(struct pool *pool, const u64 *top, u64 va, u64 *pa, u64 *leaf)
{
	unsigned int shift = 39;
	const u64 *table = top;
	u64 entry;

	for (;;) {
		entry = table[(va >> shift) & 511];
		if (!(entry & HVT_HOST_PRESENT))
			return false;
		if (shift == 12 || (shift < 39 && (entry & HVT_HOST_LARGE))) {
			u64 size = 1ULL << shift;

			*pa = (entry & HVT_HOST_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
			*leaf = entry;
			return true;
		}
		table = pool_table(pool, entry & HVT_HOST_ADDR_MASK);
		shift -= 9;
	}
}

FIXTURE(hostmap)
{
	struct pool pool;
	struct hvt_ept_ops ops;
	struct hvt_hostmap map;
	u64 *top;
	u64 top_phys;
};

FIXTURE_SETUP(hostmap)
{
	memset(&self->pool, 0, sizeof(self->pool));
	self->pool.limit = TABLE_POOL_SIZE;
	self->ops.alloc_table = pool_alloc;
	self->ops.table_of = pool_table;
	self->ops.ctx = &self->pool;
	self->top = pool_alloc(&self->pool, &self->top_phys);
	ASSERT_NE(NULL, self->top);
}

FIXTURE_TEARDOWN(hostmap)
{
	pool_free_all(&self->pool);
}

static bool is_ram(const struct hvt_host_ram *ram, unsigned int nr, u64 pa)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (pa >= ram[i].start && pa < ram[i].end)
			return true;
	return false;
}

/* A PC's layout: the hole below 1 MiB and the ACPI tables at the top of RAM. */
TEST_F(hostmap, maps_every_page_of_ram_and_nothing_else)
{
	const struct hvt_host_ram ram[] = {
		{ 0x1000, 0x9f000 }, { MB(1), 0x1fff0000 },
	};
	u64 page, pa, leaf;

	ASSERT_EQ(0, hvt_hostmap_build(self->top, &self->ops, BASE, ram, 2, true, &self->map));
	for (page = 0; page < GB(1); page += 4096) {
		bool mapped = translate(&self->pool, self->top, BASE + page + 8, &pa, &leaf);

		ASSERT_EQ(is_ram(ram, 2, page), mapped) {
			TH_LOG("pa %#llx", (unsigned long long)page);
		}
		if (!mapped)
			continue;
		ASSERT_EQ(page + 8, pa);
		/* data only, writable, supervisor only, never global */
		ASSERT_EQ(PRESENT_BIT | WRITE_BIT | NX_BIT,
			  leaf & (PRESENT_BIT | WRITE_BIT | NX_BIT | USER_BIT | GLOBAL_BIT));
		/* write-back: PAT entry 0 (PWT, PCD and, in 4 KiB leaves, PAT clear) */
		ASSERT_EQ(0, leaf & 0x18);
		ASSERT_EQ(0, leaf & ((leaf & HVT_HOST_LARGE) ? 0x1000 : 0x80));
	}
	/* 2 MiB pages between the edges; 4 KiB only in the first and last 2 MiB */
	EXPECT_EQ(0, self->map.pages_1g);
	EXPECT_EQ(255 - 1, self->map.pages_2m);
	EXPECT_EQ((0x9f000 - 0x1000) / 4096 + (MB(2) - MB(1)) / 4096 +
		  (0x1fff0000 - 0x1fe00000) / 4096, self->map.pages_4k);
	/* a directory for the slot, one for the GiB, two page tables */
	EXPECT_EQ(4, self->map.tables);
	/* nothing past the last GiB of RAM */
	EXPECT_FALSE(translate(&self->pool, self->top, BASE + GB(1), &pa, &leaf));
}

TEST_F(hostmap, whole_gigabytes_of_ram_take_1g_pages_where_allowed)
{
	const struct hvt_host_ram ram[] = { { 0, GB(3) } };
	u64 pa, leaf;

	ASSERT_EQ(0, hvt_hostmap_build(self->top, &self->ops, BASE, ram, 1, true, &self->map));
	EXPECT_EQ(3, self->map.pages_1g);
	EXPECT_EQ(0, self->map.pages_2m);
	EXPECT_EQ(1, self->map.tables);
	ASSERT_TRUE(translate(&self->pool, self->top, BASE + GB(2) + 12345, &pa, &leaf));
	EXPECT_EQ(GB(2) + 12345, pa);
	EXPECT_TRUE(leaf & HVT_HOST_LARGE);
}

TEST_F(hostmap, without_1g_pages_each_gigabyte_gets_a_directory)
{
	const struct hvt_host_ram ram[] = { { 0, GB(3) } };
	u64 pa, leaf;

	ASSERT_EQ(0, hvt_hostmap_build(self->top, &self->ops, BASE, ram, 1, false, &self->map));
	EXPECT_EQ(0, self->map.pages_1g);
	EXPECT_EQ(3 * 512, self->map.pages_2m);
	EXPECT_EQ(1 + 3, self->map.tables);
	ASSERT_TRUE(translate(&self->pool, self->top, BASE + GB(3) - 1, &pa, &leaf));
	EXPECT_EQ(GB(3) - 1, pa);
}

/* KASLR places the direct map 1 GiB aligned: another area may share its slot. */
TEST_F(hostmap, keeps_the_kernels_entries_beside_the_direct_map)
{
	const struct hvt_host_ram ram[] = { { 0, GB(2) } };
	u64 base = BASE + GB(100), kernel_dir_phys, pa, leaf;
	u64 *kernel_dir = pool_alloc(&self->pool, &kernel_dir_phys);
	unsigned int index = (base >> 30) & 511;

	ASSERT_NE(NULL, kernel_dir);
	kernel_dir[index] = 0x123000 | HVT_HOST_TABLE;		/* the kernel's map of RAM */
	kernel_dir[index + 300] = 0x456000 | HVT_HOST_TABLE;	/* vmalloc, say */
	self->top[SLOT(base)] = kernel_dir_phys | HVT_HOST_TABLE;
	ASSERT_EQ(0, hvt_hostmap_build(self->top, &self->ops, base, ram, 1, true, &self->map));
	/* the slot has a directory of its own; the kernel's is untouched */
	EXPECT_NE(kernel_dir_phys, self->top[SLOT(base)] & HVT_HOST_ADDR_MASK);
	EXPECT_EQ(0x123000 | HVT_HOST_TABLE, kernel_dir[index]);
	EXPECT_EQ(0x456000 | HVT_HOST_TABLE,
		  pool_table(&self->pool, self->top[SLOT(base)] & HVT_HOST_ADDR_MASK)[index + 300]);
	ASSERT_TRUE(translate(&self->pool, self->top, base + GB(1) + 4096, &pa, &leaf));
	EXPECT_EQ(GB(1) + 4096, pa);
}

TEST_F(hostmap, ram_crossing_a_top_level_slot_continues_in_the_next)
{
	const struct hvt_host_ram ram[] = { { 0, GB(2) } };
	u64 base = BASE + GB(511), pa, leaf;

	ASSERT_EQ(0, hvt_hostmap_build(self->top, &self->ops, base, ram, 1, true, &self->map));
	EXPECT_NE(SLOT(base), SLOT(base + GB(1)));
	ASSERT_TRUE(translate(&self->pool, self->top, base + GB(1) + MB(3), &pa, &leaf));
	EXPECT_EQ(GB(1) + MB(3), pa);
	ASSERT_TRUE(translate(&self->pool, self->top, base + MB(5), &pa, &leaf));
	EXPECT_EQ(MB(5), pa);
	EXPECT_EQ(2, self->map.tables);
}

TEST_F(hostmap, refuses_unaligned_or_empty_input)
{
	const struct hvt_host_ram good[] = { { 0, GB(1) } };
	const struct hvt_host_ram odd[] = { { 0x800, GB(1) } };
	const struct hvt_host_ram empty[] = { { MB(4), MB(4) } };

	EXPECT_EQ(-EINVAL, hvt_hostmap_build(self->top, &self->ops, BASE + MB(2), good, 1,
					     true, &self->map));
	EXPECT_EQ(-EINVAL, hvt_hostmap_build(self->top, &self->ops, BASE, odd, 1, true,
					     &self->map));
	EXPECT_EQ(-EINVAL, hvt_hostmap_build(self->top, &self->ops, BASE, empty, 1, true,
					     &self->map));
	EXPECT_EQ(-EINVAL, hvt_hostmap_build(self->top, &self->ops, BASE, good, 0, true,
					     &self->map));
	EXPECT_EQ(-EINVAL, hvt_hostmap_build(self->top, &self->ops, ~0ULL - GB(1) + 1, good, 1,
					     true, &self->map));
	EXPECT_EQ(1, self->pool.used);
}

TEST_F(hostmap, running_out_of_tables_fails)
{
	const struct hvt_host_ram ram[] = { { 0x1000, GB(1) } };

	self->pool.limit = 3;
	EXPECT_EQ(-ENOMEM, hvt_hostmap_build(self->top, &self->ops, BASE, ram, 1, true,
					     &self->map));
}

/* A slot as the kernel's image and modules use it: tables, 2 MiB and 1 GiB leaves. */
static u64 kernel_slot(struct pool *pool, u64 *top, unsigned int slot, u64 **pt_out)
{
	u64 pud_phys = 0, pmd_phys = 0, pt_phys = 0;
	u64 *pud = pool_alloc(pool, &pud_phys);
	u64 *pmd = pool_alloc(pool, &pmd_phys);
	u64 *pt = pool_alloc(pool, &pt_phys);

	pt[0] = 0x7000 | PRESENT_BIT;				/* read-only text */
	pt[1] = 0x9000 | PRESENT_BIT | WRITE_BIT | NX_BIT;	/* data */
	pmd[0] = pt_phys | 0x63;
	pmd[1] = MB(4) | PRESENT_BIT | HVT_HOST_LARGE;
	pud[0] = pmd_phys | 0x63;
	pud[5] = GB(5) | PRESENT_BIT | WRITE_BIT | HVT_HOST_LARGE;
	top[slot] = pud_phys | 0x67;
	*pt_out = pt;
	return pud_phys;
}

TEST_F(hostmap, a_copied_slot_translates_alike_and_ignores_later_changes)
{
	const u64 va_base = 0xffffff8000000000ULL;	/* slot 511 */
	const u64 probes[] = { 0x10, 0x1000 + 0x20, MB(2) + MB(1), GB(5) + MB(7), GB(7) };
	u64 original[512], kernel_pud, pa, leaf, pa2, leaf2, *pt;
	unsigned int i;
	bool mapped;

	kernel_pud = kernel_slot(&self->pool, self->top, 511, &pt);
	memcpy(original, self->top, sizeof(original));
	memset(&self->map, 0, sizeof(self->map));
	ASSERT_EQ(0, hvt_hostmap_copy_slot(self->top, &self->ops, 511, &self->map));
	EXPECT_EQ(3, self->map.tables);
	EXPECT_NE(kernel_pud, self->top[511] & HVT_HOST_ADDR_MASK);
	EXPECT_EQ(0x67, self->top[511] & ~HVT_HOST_ADDR_MASK);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		mapped = translate(&self->pool, original, va_base + probes[i], &pa, &leaf);
		ASSERT_EQ(mapped, translate(&self->pool, self->top, va_base + probes[i], &pa2,
					    &leaf2));
		if (!mapped)
			continue;
		EXPECT_EQ(pa, pa2);
		EXPECT_EQ(leaf, leaf2);
	}
	/* the kernel remaps its page: the copy still has the page as it was */
	pt[1] = 0x666000 | PRESENT_BIT | WRITE_BIT;
	ASSERT_TRUE(translate(&self->pool, self->top, va_base + 0x1000, &pa, &leaf));
	EXPECT_EQ(0x9000, pa);
	ASSERT_TRUE(translate(&self->pool, original, va_base + 0x1000, &pa, &leaf));
	EXPECT_EQ(0x666000, pa);
}

TEST_F(hostmap, an_empty_slot_is_left_alone)
{
	memset(&self->map, 0, sizeof(self->map));
	EXPECT_EQ(0, hvt_hostmap_copy_slot(self->top, &self->ops, 300, &self->map));
	EXPECT_EQ(0, self->map.tables);
	EXPECT_EQ(0, self->top[300]);
	EXPECT_EQ(0, hvt_hostmap_copy_slot(self->top, &self->ops, 512, &self->map));
}

TEST_F(hostmap, copying_without_tables_fails)
{
	u64 *pt;

	kernel_slot(&self->pool, self->top, 511, &pt);
	self->pool.limit = self->pool.used + 2;
	memset(&self->map, 0, sizeof(self->map));
	EXPECT_EQ(-ENOMEM, hvt_hostmap_copy_slot(self->top, &self->ops, 511, &self->map));
}

TEST_HARNESS_MAIN
