// SPDX-License-Identifier: GPL-2.0
/* The host page tables' own map of RAM at its direct-map address (4-level paging). */
/* Context: process context before launch (module); user space (unit tests). */
#include "hostmap.h"

#define HVT_HOST_ENTRIES	512
#define HVT_HOST_TOP_SHIFT	39
#define HVT_HOST_1G_SHIFT	30

/* Bytes of [start, end) that are RAM; the ranges do not overlap. */
static u64 hvt_ram_bytes(const struct hvt_host_ram *ram, unsigned int nr_ram,
			 u64 start, u64 end)
{
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < nr_ram; i++) {
		u64 lo = ram[i].start > start ? ram[i].start : start;
		u64 hi = ram[i].end < end ? ram[i].end : end;

		if (lo < hi)
			bytes += hi - lo;
	}
	return bytes;
}

static u64 *hvt_host_table(const struct hvt_ept_ops *ops, u64 phys)
{
	if (ops->direct_map)
		return (u64 *)(unsigned long)(phys + ops->direct_map);
	return ops->table_of(ops->ctx, phys);
}

static u64 *hvt_host_new_table(const struct hvt_ept_ops *ops, struct hvt_hostmap *map,
			       u64 *phys)
{
	u64 *table = ops->alloc_table(ops->ctx, phys);

	if (table)
		map->tables++;
	return table;
}

/* The 2 MiB at @pa: one leaf when all of it is RAM, else a table of pages. */
static int hvt_host_map_2m(const struct hvt_ept_ops *ops, struct hvt_hostmap *map,
			   const struct hvt_host_ram *ram, unsigned int nr_ram,
			   u64 *entry, u64 pa)
{
	u64 bytes = hvt_ram_bytes(ram, nr_ram, pa, pa + HVT_PAGE_2M), phys, page;
	u64 *table;
	unsigned int i;

	if (bytes == HVT_PAGE_2M) {
		*entry = pa | HVT_HOST_LEAF | HVT_HOST_LARGE;
		map->pages_2m++;
		return 0;
	}
	*entry = 0;
	if (!bytes)
		return 0;
	table = hvt_host_new_table(ops, map, &phys);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < HVT_HOST_ENTRIES; i++) {
		page = pa + i * HVT_PAGE_4K;
		if (hvt_ram_bytes(ram, nr_ram, page, page + HVT_PAGE_4K)) {
			table[i] = page | HVT_HOST_LEAF;
			map->pages_4k++;
		}
	}
	*entry = phys | HVT_HOST_TABLE;
	return 0;
}

/* The 1 GiB at @pa: one leaf where allowed and all RAM, else a directory. */
static int hvt_host_map_1g(const struct hvt_ept_ops *ops, struct hvt_hostmap *map,
			   const struct hvt_host_ram *ram, unsigned int nr_ram,
			   bool allow_1g, u64 *entry, u64 pa)
{
	u64 bytes = hvt_ram_bytes(ram, nr_ram, pa, pa + HVT_PAGE_1G), phys;
	u64 *table;
	unsigned int i;
	int err;

	*entry = 0;
	if (!bytes)
		return 0;
	if (bytes == HVT_PAGE_1G && allow_1g) {
		*entry = pa | HVT_HOST_LEAF | HVT_HOST_LARGE;
		map->pages_1g++;
		return 0;
	}
	table = hvt_host_new_table(ops, map, &phys);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < HVT_HOST_ENTRIES; i++) {
		err = hvt_host_map_2m(ops, map, ram, nr_ram, &table[i], pa + i * HVT_PAGE_2M);
		if (err)
			return err;
	}
	*entry = phys | HVT_HOST_TABLE;
	return 0;
}

/**
 * hvt_hostmap_build() - map RAM at its direct-map address in tables of one's own
 * @top: a 4-level top table (PML4) holding the kernel's entries; the slots
 *       the direct map of @ram touches get tables of their own
 * @ops: where tables come from; the kernel's tables are read through it too
 * @base: the virtual address of physical address 0 (1 GiB aligned)
 * @ram: the ranges to map, page aligned, not overlapping
 * @nr_ram: entries at @ram
 * @allow_1g: the CPU maps 1 GiB pages
 * @map: what was made
 *
 * Every page of @ram is mapped at @base plus its physical address, data
 * only and write-back; everything else in the 1 GiB regions they touch is
 * not present. In those top-level slots, the kernel's entries for other
 * 1 GiB regions (another area sharing the slot) are kept. Nothing of the
 * kernel's tables is changed.
 *
 * Return: 0, -EINVAL for unaligned or empty input, -ENOMEM when tables run
 * out (those already allocated stay with @ops).
 */
int hvt_hostmap_build(u64 *top, const struct hvt_ept_ops *ops, u64 base,
		      const struct hvt_host_ram *ram, unsigned int nr_ram,
		      bool allow_1g, struct hvt_hostmap *map)
{
	u64 end = 0, offset, phys;
	unsigned int i;
	int err;

	memset(map, 0, sizeof(*map));
	if (!nr_ram || (base & (HVT_PAGE_1G - 1)))
		return -EINVAL;
	for (i = 0; i < nr_ram; i++) {
		if (ram[i].start >= ram[i].end ||
		    ((ram[i].start | ram[i].end) & (HVT_PAGE_4K - 1)))
			return -EINVAL;
		if (ram[i].end > end)
			end = ram[i].end;
	}
	end = (end + HVT_PAGE_1G - 1) & ~(HVT_PAGE_1G - 1);
	if (base + end < base)
		return -EINVAL;
	for (offset = 0; offset < end; offset += HVT_PAGE_1G) {
		u64 va = base + offset;
		unsigned int slot = (va >> HVT_HOST_TOP_SHIFT) & (HVT_HOST_ENTRIES - 1);
		unsigned int index = (va >> HVT_HOST_1G_SHIFT) & (HVT_HOST_ENTRIES - 1);
		u64 *dir;

		if (!offset || !index) {
			u64 kernel = top[slot];

			dir = hvt_host_new_table(ops, map, &phys);
			if (!dir)
				return -ENOMEM;
			if (kernel & HVT_HOST_PRESENT)
				memcpy(dir, hvt_host_table(ops, kernel & HVT_HOST_ADDR_MASK),
				       HVT_HOST_ENTRIES * sizeof(u64));
			top[slot] = phys | HVT_HOST_TABLE;
		}
		dir = hvt_host_table(ops, top[slot] & HVT_HOST_ADDR_MASK);
		err = hvt_host_map_1g(ops, map, ram, nr_ram, allow_1g, &dir[index], offset);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Replaces the table *@entry points to (@level 3: page-directory-pointer
 * table, 1: page table) by a copy, and the tables below it in turn.
 */
static int hvt_host_copy_table(const struct hvt_ept_ops *ops, struct hvt_hostmap *map,
			       u64 *entry, unsigned int level)
{
	const u64 *from = hvt_host_table(ops, *entry & HVT_HOST_ADDR_MASK);
	u64 phys, *to = hvt_host_new_table(ops, map, &phys);
	unsigned int i;
	int err;

	if (!to)
		return -ENOMEM;
	memcpy(to, from, HVT_HOST_ENTRIES * sizeof(u64));
	*entry = phys | (*entry & ~HVT_HOST_ADDR_MASK);
	if (level == 1)
		return 0;
	for (i = 0; i < HVT_HOST_ENTRIES; i++) {
		if (!(to[i] & HVT_HOST_PRESENT) || (to[i] & HVT_HOST_LARGE))
			continue;
		err = hvt_host_copy_table(ops, map, &to[i], level - 1);
		if (err)
			return err;
	}
	return 0;
}

/**
 * hvt_hostmap_copy_slot() - take over a top-level slot's tables as they are
 * @top: a 4-level top table (PML4)
 * @ops: where the copies come from; the tables copied are read through it
 * @slot: the entry of @top whose tables are copied
 * @map: counts the tables made (added to what it holds)
 *
 * Every table below @top[@slot] is copied, the entries keep their flags and
 * leaves, and @top[@slot] then points to the copies: later changes to the
 * original tables are not seen through @top.
 *
 * Return: 0, or -ENOMEM when tables run out (@top[@slot] may then point to
 * a partial copy, its tables still with @ops).
 */
int hvt_hostmap_copy_slot(u64 *top, const struct hvt_ept_ops *ops, unsigned int slot,
			  struct hvt_hostmap *map)
{
	if (slot >= HVT_HOST_ENTRIES || !(top[slot] & HVT_HOST_PRESENT))
		return 0;
	return hvt_host_copy_table(ops, map, &top[slot], 3);
}

