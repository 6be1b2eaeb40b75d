// SPDX-License-Identifier: GPL-2.0
/* EPT identity map: builds the tables with the largest pages the MTRRs allow. */
/* Context: process context before launch (building, splitting); lookups: any. */
#include "ept.h"

#define HVT_EPT_LEVEL_SHIFT(level)	(12 + 9 * ((level) - 1))
#define HVT_EPT_INDEX(gpa, level)	(((gpa) >> HVT_EPT_LEVEL_SHIFT(level)) & 511)

/* The table at a physical address the builder allocated. */
static HVT_ROOT u64 *hvt_ept_table(const struct hvt_ept *ept, u64 phys)
{
	if (ept->ops.direct_map)
		return (u64 *)(unsigned long)(phys + ept->ops.direct_map);
	return ept->ops.table_of(ept->ops.ctx, phys);
}

static HVT_ROOT u64 hvt_ept_leaf(u64 gpa, u8 type, unsigned int level)
{
	u64 entry = gpa | HVT_EPT_RWX | ((u64)type << HVT_EPT_TYPE_SHIFT);

	return level > 1 ? entry | HVT_EPT_LARGE : entry;
}

static HVT_ROOT u64 *hvt_ept_new_table(struct hvt_ept *ept, u64 *phys)
{
	u64 *table = ept->ops.alloc_table(ept->ops.ctx, phys);

	if (table)
		ept->tables++;
	return table;
}

static HVT_ROOT void hvt_ept_count(struct hvt_ept *ept, unsigned int level, long delta)
{
	if (level == 3)
		ept->pages_1g += delta;
	else if (level == 2)
		ept->pages_2m += delta;
	else
		ept->pages_4k += delta;
}

/*
 * Fills one table of @level (3: PDPT, 2: PD, 1: PT) covering @base up to
 * @top: a leaf where the MTRRs give one type for the whole entry, a lower
 * table where not.
 */
static HVT_ROOT int hvt_ept_fill(struct hvt_ept *ept, u64 *table, unsigned int level,
				 u64 base, u64 top, const struct hvt_mtrr_state *mtrr,
				 bool allow_1g)
{
	u64 size = 1ULL << HVT_EPT_LEVEL_SHIFT(level);
	unsigned int i;

	for (i = 0; i < HVT_EPT_ENTRIES && base + i * size < top; i++) {
		u64 gpa = base + i * size;
		u8 type = level == 3 && !allow_1g ? HVT_MT_MIXED :
			  hvt_mtrr_type_of_range(mtrr, gpa, size);
		u64 *lower, lower_phys;
		int err;

		if (type != HVT_MT_MIXED) {
			table[i] = hvt_ept_leaf(gpa, type, level);
			hvt_ept_count(ept, level, 1);
			continue;
		}
		if (level == 1) {
			/* A 4 KiB page cannot be split: resolve to UC. */
			table[i] = hvt_ept_leaf(gpa, HVT_MT_UC, level);
			hvt_ept_count(ept, level, 1);
			continue;
		}
		lower = hvt_ept_new_table(ept, &lower_phys);
		if (!lower)
			return -ENOMEM;
		err = hvt_ept_fill(ept, lower, level - 1, gpa, top, mtrr,
				   allow_1g);
		if (err)
			return err;
		table[i] = lower_phys | HVT_EPT_RWX;
	}
	return 0;
}

/**
 * hvt_ept_build_identity() - map guest-physical to the same host-physical
 * @ept: the hierarchy to build
 * @ops: the table allocator
 * @mtrr: memory types
 * @top: first address not mapped (1 << MAXPHYADDR), a multiple of 512 GiB
 *       or smaller than it and a multiple of 1 GiB
 * @allow_1g: the CPU supports 1 GiB EPT pages
 *
 * Return: 0 or -ENOMEM (tables already allocated stay counted in @ept and
 * are for the caller to free); -EINVAL for a @top it cannot map.
 */
HVT_ROOT int hvt_ept_build_identity(struct hvt_ept *ept, const struct hvt_ept_ops *ops,
				    const struct hvt_mtrr_state *mtrr, u64 top,
				    bool allow_1g)
{
	u64 base;

	if (!top || top % HVT_PAGE_1G || top > (1ULL << 48))
		return -EINVAL;
	ept->ops = *ops;
	ept->tables = 0;
	ept->pages_1g = 0;
	ept->pages_2m = 0;
	ept->pages_4k = 0;
	ept->pml4 = hvt_ept_new_table(ept, &ept->pml4_phys);
	if (!ept->pml4)
		return -ENOMEM;

	for (base = 0; base < top; base += 512 * HVT_PAGE_1G) {
		u64 *pdpt, pdpt_phys;
		int err;

		pdpt = hvt_ept_new_table(ept, &pdpt_phys);
		if (!pdpt)
			return -ENOMEM;
		ept->pml4[HVT_EPT_INDEX(base, 4)] = pdpt_phys | HVT_EPT_RWX;
		/* Beyond @top nothing is mapped: an access there is a bug. */
		err = hvt_ept_fill(ept, pdpt, 3, base, top, mtrr, allow_1g);
		if (err)
			return err;
	}
	return 0;
}

/* Replaces the large leaf at @slot (of @level) by a table of smaller pages. */
static HVT_ROOT int hvt_ept_split(struct hvt_ept *ept, u64 *slot, unsigned int level)
{
	u64 leaf = *slot, *lower, lower_phys;
	u64 size = 1ULL << HVT_EPT_LEVEL_SHIFT(level - 1);
	u64 base = leaf & HVT_EPT_ADDR_MASK & ~((size << 9) - 1);
	unsigned int i;

	lower = hvt_ept_new_table(ept, &lower_phys);
	if (!lower)
		return -ENOMEM;
	for (i = 0; i < HVT_EPT_ENTRIES; i++) {
		lower[i] = (base + i * size) | (leaf & ~HVT_EPT_ADDR_MASK);
		if (level - 1 == 1)
			lower[i] &= ~HVT_EPT_LARGE;
	}
	hvt_ept_count(ept, level, -1);
	hvt_ept_count(ept, level - 1, HVT_EPT_ENTRIES);
	*slot = lower_phys | HVT_EPT_RWX;
	return 0;
}

/**
 * hvt_ept_set_4k() - give one 4 KiB guest-physical page its own entry
 * @ept: the hierarchy
 * @gpa: the page
 * @entry: the new leaf entry (address, permissions, memory type)
 *
 * Splits the 1 GiB or 2 MiB page around @gpa first. The caller flushes the
 * EPT TLBs (INVEPT) of every CPU that uses @ept.
 *
 * Return: 0, -ENOMEM, or -ENOENT when @gpa is not mapped at all.
 */
HVT_ROOT int hvt_ept_set_4k(struct hvt_ept *ept, u64 gpa, u64 entry)
{
	u64 *table = ept->pml4;
	unsigned int level;

	for (level = 4; level > 1; level--) {
		u64 *slot = &table[HVT_EPT_INDEX(gpa, level)];

		if (!(*slot & HVT_EPT_RWX))
			return -ENOENT;
		if (*slot & HVT_EPT_LARGE) {
			int err = hvt_ept_split(ept, slot, level);

			if (err)
				return err;
		}
		table = hvt_ept_table(ept, *slot & HVT_EPT_ADDR_MASK);
	}
	table[HVT_EPT_INDEX(gpa, 1)] = entry;
	return 0;
}

/**
 * hvt_ept_split_tables() - how many tables hvt_ept_set_4k() takes for @gpa
 * @ept: the hierarchy
 * @gpa: a guest-physical address
 *
 * Return: 0 where @gpa has a 4 KiB entry already (or none at all), 1 under
 * a 2 MiB page, 2 under a 1 GiB page.
 */
HVT_ROOT unsigned int hvt_ept_split_tables(const struct hvt_ept *ept, u64 gpa)
{
	unsigned int level;

	if (!hvt_ept_lookup(ept, gpa, &level))
		return 0;
	return level - 1;
}

/*
 * Whether @table (of @level: 1 holds 4 KiB leaves, 2 holds 2 MiB leaves)
 * maps @base and what follows to itself, every entry with the same flags:
 * then one leaf of the level above says the same.
 */
static HVT_ROOT bool hvt_ept_table_is_uniform(const u64 *table, unsigned int level, u64 base)
{
	u64 size = 1ULL << HVT_EPT_LEVEL_SHIFT(level);
	u64 flags = table[0] & ~HVT_EPT_ADDR_MASK;
	bool large = flags & HVT_EPT_LARGE, leaves_large = level > 1;
	unsigned int i;

	if (!(flags & HVT_EPT_RWX) || large != leaves_large)
		return false;
	for (i = 0; i < HVT_EPT_ENTRIES; i++)
		if (table[i] != ((base + i * size) | flags))
			return false;
	return true;
}

/**
 * hvt_ept_merge() - fold the tables around @gpa back into large pages
 * @ept: the hierarchy
 * @gpa: a page whose entry was just put back as it was before a split
 *
 * Splits (hvt_ept_set_4k()) are undone where they no longer matter: a
 * table of 4 KiB entries that map their own addresses with equal flags
 * becomes one 2 MiB leaf again, and a table of such 2 MiB leaves one
 * 1 GiB leaf, so that protecting and releasing pages in ever new regions
 * does not use tables up. A table is folded only when ops.retire_table
 * takes it. Other CPUs may walk a folded table until they flush their EPT
 * TLBs: the caller flushes, and the retired table stays as it is until
 * every CPU has.
 *
 * Return: the number of tables retired (0 to 2).
 */
HVT_ROOT unsigned int hvt_ept_merge(struct hvt_ept *ept, u64 gpa)
{
	u64 *slots[5] = { NULL }, *table = ept->pml4;
	unsigned int level, retired = 0;

	if (!ept->ops.retire_table)
		return 0;
	for (level = 4; level > 1; level--) {
		u64 *slot = &table[HVT_EPT_INDEX(gpa, level)];

		if (!(*slot & HVT_EPT_RWX) || (*slot & HVT_EPT_LARGE))
			break;
		slots[level] = slot;
		table = hvt_ept_table(ept, *slot & HVT_EPT_ADDR_MASK);
	}
	/* @table is of @level, found through slots[level + 1]. */
	for (; level <= 2 && slots[level + 1]; level++) {
		u64 *slot = slots[level + 1], table_phys = *slot & HVT_EPT_ADDR_MASK;
		u64 base = gpa & ~((1ULL << HVT_EPT_LEVEL_SHIFT(level + 1)) - 1);
		u64 flags = table[0] & ~HVT_EPT_ADDR_MASK;

		if (!hvt_ept_table_is_uniform(table, level, base) ||
		    !ept->ops.retire_table(ept->ops.ctx, table_phys))
			break;
		/* One store: a CPU walking now sees the table or the leaf. */
		WRITE_ONCE(*slot, base | flags | HVT_EPT_LARGE);
		ept->tables--;
		hvt_ept_count(ept, level, -(long)HVT_EPT_ENTRIES);
		hvt_ept_count(ept, level + 1, 1);
		retired++;
		if (level + 2 <= 4 && slots[level + 2])
			table = hvt_ept_table(ept, *slots[level + 2] & HVT_EPT_ADDR_MASK);
	}
	return retired;
}

/**
 * hvt_ept_lookup() - the leaf entry that maps @gpa
 * @ept: the hierarchy
 * @gpa: a guest-physical address
 * @level: where to store the level of the leaf (1: 4 KiB, 2: 2 MiB, 3: 1 GiB)
 *
 * Return: the entry, 0 when nothing maps @gpa.
 */
HVT_ROOT u64 hvt_ept_lookup(const struct hvt_ept *ept, u64 gpa, unsigned int *level)
{
	const u64 *table = ept->pml4;
	unsigned int l;

	for (l = 4; l >= 1; l--) {
		u64 entry = table[HVT_EPT_INDEX(gpa, l)];

		if (!(entry & HVT_EPT_RWX))
			return 0;
		if (l == 1 || (entry & HVT_EPT_LARGE)) {
			*level = l;
			return entry;
		}
		table = hvt_ept_table(ept, entry & HVT_EPT_ADDR_MASK);
	}
	return 0;
}

/**
 * hvt_ept_entry_4k() - what a 4 KiB entry of @gpa would hold, large pages included
 * @ept: the hierarchy
 * @gpa: a guest-physical address
 *
 * The entry to save before changing @gpa's permissions with hvt_ept_set_4k(),
 * and to put back afterwards.
 *
 * Return: the entry, 0 when nothing maps @gpa.
 */
HVT_ROOT u64 hvt_ept_entry_4k(const struct hvt_ept *ept, u64 gpa)
{
	unsigned int level;
	u64 entry = hvt_ept_lookup(ept, gpa, &level);

	if (!entry || level == 1)
		return entry;
	return (gpa & HVT_EPT_ADDR_MASK) | (entry & ~HVT_EPT_ADDR_MASK & ~HVT_EPT_LARGE);
}

/**
 * hvt_ept_leaf_4k() - the 4 KiB leaf entry of @gpa, without splitting
 * @ept: the hierarchy
 * @gpa: a guest-physical address
 *
 * For VMX root, which must not allocate: only pages split beforehand (by
 * hvt_ept_set_4k()) have such an entry.
 *
 * Return: the entry's address, or NULL when a large page maps @gpa.
 */
HVT_ROOT u64 *hvt_ept_leaf_4k(const struct hvt_ept *ept, u64 gpa)
{
	u64 *table = ept->pml4;
	unsigned int level;

	for (level = 4; level > 1; level--) {
		u64 entry = table[HVT_EPT_INDEX(gpa, level)];

		if (!(entry & HVT_EPT_RWX) || (entry & HVT_EPT_LARGE))
			return NULL;
		table = hvt_ept_table(ept, entry & HVT_EPT_ADDR_MASK);
	}
	return &table[HVT_EPT_INDEX(gpa, 1)];
}

/**
 * hvt_ept_pointer() - the EPTP: write-back paging structures, 4-level walk
 * @ept: the hierarchy
 *
 * Return: the value for the VMCS EPT_POINTER field.
 */
HVT_ROOT u64 hvt_ept_pointer(const struct hvt_ept *ept)
{
	return ept->pml4_phys | (3 << 3) | HVT_MT_WB;
}
