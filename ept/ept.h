/* SPDX-License-Identifier: GPL-2.0 */
/* EPT identity map: tables, large pages by memory type, on-demand splitting. */
/* Context: any; pure logic shared with the user-space unit tests (no Linux headers). */
#ifndef HVT_EPT_H
#define HVT_EPT_H

#include "../include/hvt_types.h"
#include "mtrr.h"

#define HVT_EPT_READ		BIT_ULL(0)
#define HVT_EPT_WRITE		BIT_ULL(1)
#define HVT_EPT_EXEC		BIT_ULL(2)
#define HVT_EPT_RWX		(HVT_EPT_READ | HVT_EPT_WRITE | HVT_EPT_EXEC)
#define HVT_EPT_TYPE_SHIFT	3
#define HVT_EPT_IGNORE_PAT	BIT_ULL(6)
#define HVT_EPT_LARGE		BIT_ULL(7)
/*
 * Ignored by the CPU in every EPT entry (SDM Vol. 3C, 29.3.2): set on a
 * 4 KiB leaf that root write-protected because a session's page table lies
 * there (vmx/table_watch.c).
 */
#define HVT_EPT_WATCHED		BIT_ULL(11)
#define HVT_EPT_ADDR_MASK	0x000ffffffffff000ULL
#define HVT_EPT_ENTRIES		512

#define HVT_PAGE_4K		0x1000ULL
#define HVT_PAGE_2M		0x200000ULL
#define HVT_PAGE_1G		0x40000000ULL

/**
 * struct hvt_ept_ops - how the builder gets memory for its tables
 * @alloc_table: returns a zeroed, 4 KiB aligned table and its physical
 *               address, or NULL when memory runs out
 * @table_of: the table at a physical address the builder allocated; unused
 *            (may be NULL) with @direct_map
 * @retire_table: takes back a table that a merge (hvt_ept_merge()) takes
 *                out of the hierarchy; false keeps it in, unmerged (a
 *                table it did not give). NULL: tables are never merged
 * @ctx: passed to all three
 * @direct_map: when not 0, every table lies at its physical address plus
 *              this offset, and walks add it instead of calling @table_of:
 *              no indirect call per level in VMX root
 */
struct hvt_ept_ops {
	u64 *(*alloc_table)(void *ctx, u64 *phys);
	u64 *(*table_of)(void *ctx, u64 phys);
	bool (*retire_table)(void *ctx, u64 phys);
	void *ctx;
	u64 direct_map;
};

/**
 * struct hvt_ept - one EPT hierarchy
 * @pml4: the top table
 * @pml4_phys: its physical address (the EPTP without its flags)
 * @ops: the allocator
 * @tables: tables allocated so far
 * @pages_1g: leaf entries mapping 1 GiB
 * @pages_2m: leaf entries mapping 2 MiB
 * @pages_4k: leaf entries mapping 4 KiB
 */
struct hvt_ept {
	u64 *pml4;
	u64 pml4_phys;
	struct hvt_ept_ops ops;
	unsigned int tables;
	unsigned long pages_1g;
	unsigned long pages_2m;
	unsigned long pages_4k;
};

/*
 * The leaf of a page the guest must not see: it reads the page at @pa (the
 * zero page) instead, write-back, and can neither write nor fetch there.
 */
static inline u64 hvt_ept_hidden_entry(u64 pa)
{
	return pa | HVT_EPT_READ | ((u64)HVT_MT_WB << HVT_EPT_TYPE_SHIFT);
}

int hvt_ept_build_identity(struct hvt_ept *ept, const struct hvt_ept_ops *ops,
			   const struct hvt_mtrr_state *mtrr, u64 top,
			   bool allow_1g);
int hvt_ept_set_4k(struct hvt_ept *ept, u64 gpa, u64 entry);
unsigned int hvt_ept_split_tables(const struct hvt_ept *ept, u64 gpa);
unsigned int hvt_ept_merge(struct hvt_ept *ept, u64 gpa);
u64 hvt_ept_lookup(const struct hvt_ept *ept, u64 gpa, unsigned int *level);
u64 *hvt_ept_leaf_4k(const struct hvt_ept *ept, u64 gpa);
u64 hvt_ept_entry_4k(const struct hvt_ept *ept, u64 gpa);
u64 hvt_ept_pointer(const struct hvt_ept *ept);

#endif /* HVT_EPT_H */
