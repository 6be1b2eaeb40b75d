/* SPDX-License-Identifier: GPL-2.0 */
/* The host page tables' own map of RAM at its direct-map address (4-level paging). */
/* Context: any; pure logic shared with the user-space unit tests (no Linux headers). */
#ifndef HVT_HOSTMAP_H
#define HVT_HOSTMAP_H

#include "../include/hvt_types.h"
#include "ept.h"

/* IA-32e paging entry bits (SDM Vol. 3A, 4.5). */
#define HVT_HOST_PRESENT	BIT_ULL(0)
#define HVT_HOST_WRITE		BIT_ULL(1)
#define HVT_HOST_ACCESSED	BIT_ULL(5)
#define HVT_HOST_DIRTY		BIT_ULL(6)
#define HVT_HOST_LARGE		BIT_ULL(7)
#define HVT_HOST_NX		BIT_ULL(63)
#define HVT_HOST_ADDR_MASK	0x000ffffffffff000ULL

/* A table: present, writable, supervisor only; its leaves say the rest. */
#define HVT_HOST_TABLE		(HVT_HOST_PRESENT | HVT_HOST_WRITE | HVT_HOST_ACCESSED)
/* Data only, write-back (PAT entry 0), not global: nothing of it outlives VMX root. */
#define HVT_HOST_LEAF		(HVT_HOST_PRESENT | HVT_HOST_WRITE | HVT_HOST_ACCESSED | \
				 HVT_HOST_DIRTY | HVT_HOST_NX)

/**
 * struct hvt_host_ram - one range of RAM to map
 * @start: first byte (page aligned)
 * @end: first byte after it (page aligned)
 */
struct hvt_host_ram {
	u64 start;
	u64 end;
};

/**
 * struct hvt_hostmap - what hvt_hostmap_build() made
 * @tables: tables allocated
 * @pages_1g: leaves mapping 1 GiB
 * @pages_2m: leaves mapping 2 MiB
 * @pages_4k: leaves mapping 4 KiB
 */
struct hvt_hostmap {
	unsigned int tables;
	unsigned long pages_1g;
	unsigned long pages_2m;
	unsigned long pages_4k;
};

int hvt_hostmap_build(u64 *top, const struct hvt_ept_ops *ops, u64 base,
		      const struct hvt_host_ram *ram, unsigned int nr_ram,
		      bool allow_1g, struct hvt_hostmap *map);
int hvt_hostmap_copy_slot(u64 *top, const struct hvt_ept_ops *ops, unsigned int slot,
			  struct hvt_hostmap *map);

#endif /* HVT_HOSTMAP_H */
