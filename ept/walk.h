/* SPDX-License-Identifier: GPL-2.0 */
/* Walk of a guest's own x86-64 page tables (4- or 5-level) for a user address. */
/* Context: any, VMX root included; pure logic shared with the user-space unit tests. */
#ifndef HVT_WALK_H
#define HVT_WALK_H

#include "../include/hvt_types.h"

#define HVT_PTE_PRESENT		BIT_ULL(0)
#define HVT_PTE_USER		BIT_ULL(2)
#define HVT_PTE_LARGE		BIT_ULL(7)
#define HVT_PTE_ADDR		0x000ffffffffff000ULL
#define HVT_PTE_NX		BIT_ULL(63)

/* Entries of the top-level table that map the lower (user) half, either paging depth. */
#define HVT_USER_ROOT_ENTRIES	256

/* The first address past the lower (user) half with 4- and 5-level paging. */
#define HVT_USER_TOP_4LEVEL	0x0000800000000000ULL
#define HVT_USER_TOP_5LEVEL	0x0100000000000000ULL

static inline u64 hvt_user_top(bool la57)
{
	return la57 ? HVT_USER_TOP_5LEVEL : HVT_USER_TOP_4LEVEL;
}

/* Page tables one pass may name in a struct hvt_table_set. */
#define HVT_TABLE_SET_MAX	64

/**
 * struct hvt_table_set - the guest-physical pages of the tables a pass read
 * @nr: entries at @gpa
 * @overflow: the pass read more tables than @gpa holds
 * @gpa: each table once, in the order first read
 */
struct hvt_table_set {
	u32 nr;
	bool overflow;
	u64 gpa[HVT_TABLE_SET_MAX];
};

static inline bool hvt_table_set_has(const struct hvt_table_set *set, u64 gpa)
{
	u32 i;

	for (i = 0; i < set->nr; i++)
		if (set->gpa[i] == gpa)
			return true;
	return false;
}

/* Whether every table @part names is in @whole too. */
static inline bool hvt_table_set_within(const struct hvt_table_set *part,
					const struct hvt_table_set *whole)
{
	u32 i;

	for (i = 0; i < part->nr; i++)
		if (!hvt_table_set_has(whole, part->gpa[i]))
			return false;
	return !part->overflow;
}

static inline void hvt_table_set_add(struct hvt_table_set *set, u64 gpa)
{
	if (hvt_table_set_has(set, gpa))
		return;
	if (set->nr == HVT_TABLE_SET_MAX) {
		set->overflow = true;
		return;
	}
	set->gpa[set->nr++] = gpa;
}

/**
 * struct hvt_walk_cache - the page table a walk reached last
 * @cr3: the page tables it belongs to; 0: empty
 * @region: the 2 MiB region it maps (address >> 21)
 * @pt: its entries
 * @read: NULL, or where every table the pass reads is added: a table the
 *        cache serves was added when it was read
 *
 * The pages of one region share every level above the page table: within
 * one pass over a program's pages (one VM exit), a walk of the next page of
 * the same region reads one entry instead of four or five tables.
 */
struct hvt_walk_cache {
	u64 cr3;
	u64 region;
	const u64 *pt;
	struct hvt_table_set *read;
};

/* One entry: present and open to user mode. */
static inline bool hvt_pte_user_present(u64 entry)
{
	return (entry & (HVT_PTE_PRESENT | HVT_PTE_USER)) == (HVT_PTE_PRESENT | HVT_PTE_USER);
}

/**
 * hvt_walk_user() - the guest-physical page a user address maps now
 * @cr3: guest CR3 with the flag and PCID bits already cleared
 * @la57: the guest runs with 5-level paging (CR4.LA57)
 * @gva: the user address
 * @read_table: the 512 entries of the table at a guest-physical address, or
 *              NULL where the caller may not read (not RAM, hidden)
 * @ctx: passed to @read_table
 * @cache: NULL, or the page table of the previous walk in this pass
 * @gpa: out: the guest-physical address of the 4 KiB page holding @gva
 *
 * Every level must be present and allow user access; a large page ends the
 * walk at the PDPT (1 GiB) or the PD (2 MiB); the PS bit is reserved above.
 * Static inline so that, with a constant @read_table, root makes no
 * indirect call.
 *
 * Return: 0, or -EFAULT when @gva is not a mapped user address.
 */
static inline int hvt_walk_user(u64 cr3, bool la57, u64 gva,
				const u64 *(*read_table)(const void *ctx, u64 gpa),
				const void *ctx, struct hvt_walk_cache *cache, u64 *gpa)
{
	u64 table = cr3 & HVT_PTE_ADDR, entry;
	int level;

	if (gva >= hvt_user_top(la57))
		return -EFAULT;
	if (cache && cache->pt && cache->cr3 == cr3 && cache->region == gva >> 21) {
		entry = READ_ONCE(cache->pt[(gva >> 12) & 511]);
		if (!hvt_pte_user_present(entry))
			return -EFAULT;
		*gpa = entry & HVT_PTE_ADDR;
		return 0;
	}
	for (level = la57 ? 5 : 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		const u64 *entries = read_table(ctx, table);

		if (cache && cache->read)
			hvt_table_set_add(cache->read, table);
		if (!entries)
			return -EFAULT;
		entry = READ_ONCE(entries[(gva >> shift) & 511]);
		if (!hvt_pte_user_present(entry))
			return -EFAULT;
		if (level == 1 || (entry & HVT_PTE_LARGE)) {
			u64 size = 1ULL << shift;

			if (level > 3)
				return -EFAULT;
			*gpa = ((entry & HVT_PTE_ADDR & ~(size - 1)) | (gva & (size - 1))) &
			       ~(u64)0xfff;
			if (cache && level == 1)
				*cache = (struct hvt_walk_cache){
					.cr3 = cr3, .region = gva >> 21, .pt = entries,
					.read = cache->read,
				};
			return 0;
		}
		table = entry & HVT_PTE_ADDR;
	}
	return -EFAULT;
}

/**
 * hvt_walk_user_exec() - every 4 KiB page user mode may execute, checked one by one
 * @cr3: guest CR3 with the flag and PCID bits already cleared
 * @la57: the guest runs with 5-level paging (CR4.LA57)
 * @read_table: as for hvt_walk_user()
 * @ctx: passed to @read_table
 * @accept: whether the page at a user address, mapped to a guest-physical
 *          page, is accounted for
 * @accept_ctx: passed to @accept
 * @budget: in: entries and pages the walk may look at; out: what is left
 * @where: out, on an error: the page not accepted, or the first address
 *         mapped by the table that could not be read
 *
 * A page counts as executable when every level is present, open to user
 * mode and without NX: reserved bits are not looked at, so a page that
 * would fault counts too (the walk errs towards refusing). A large page is
 * visited as the 4 KiB pages it holds. The walk is iterative and bounded by
 * @budget, so that a table graph the guest made cyclic or huge cannot keep
 * the caller busy. Always inlined: with constant callbacks root makes no
 * indirect call, and no copy of it lands outside root's text.
 *
 * Return: 0 when every executable page is accepted; -EACCES (a page not
 * accepted), -EFAULT (a table not readable) or -E2BIG (@budget spent).
 */
static __always_inline int
hvt_walk_user_exec(u64 cr3, bool la57, const u64 *(*read_table)(const void *ctx, u64 gpa),
		   const void *ctx, bool (*accept)(const void *accept_ctx, u64 gva, u64 gpa),
		   const void *accept_ctx, u64 *budget, u64 *where)
{
	const u64 *entries[6];
	unsigned int next[6];
	u64 base[6];
	int top = la57 ? 5 : 4, level = top;

	entries[top] = read_table(ctx, cr3 & HVT_PTE_ADDR);
	if (!entries[top]) {
		*where = 0;
		return -EFAULT;
	}
	next[top] = 0;
	base[top] = 0;
	for (;;) {
		unsigned int shift = 12 + 9 * (level - 1), i;
		u64 entry, gva, size, offset;

		if (next[level] == (level == top ? HVT_USER_ROOT_ENTRIES : 512)) {
			if (level == top)
				return 0;
			level++;
			continue;
		}
		if (!*budget)
			return -E2BIG;
		(*budget)--;
		i = next[level]++;
		gva = base[level] + ((u64)i << shift);
		entry = READ_ONCE(entries[level][i]);
		if (!hvt_pte_user_present(entry) || (entry & HVT_PTE_NX))
			continue;
		if (level > 1 && !(entry & HVT_PTE_LARGE)) {
			entries[level - 1] = read_table(ctx, entry & HVT_PTE_ADDR);
			if (!entries[level - 1]) {
				*where = gva;
				return -EFAULT;
			}
			level--;
			next[level] = 0;
			base[level] = gva;
			continue;
		}
		/* The PS bit is reserved above the PDPT: the CPU faults there. */
		if (level > 3)
			continue;
		size = 1ULL << shift;
		for (offset = 0; offset < size; offset += 0x1000) {
			if (!*budget)
				return -E2BIG;
			(*budget)--;
			if (!accept(accept_ctx, gva + offset,
				    (entry & HVT_PTE_ADDR & ~(size - 1)) + offset)) {
				*where = gva + offset;
				return -EACCES;
			}
		}
	}
}

#endif /* HVT_WALK_H */
