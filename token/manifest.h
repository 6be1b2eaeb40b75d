/* SPDX-License-Identifier: GPL-2.0 */
/* Checks and lookups on a trusted binary's manifest (struct hvtrust_manifest). */
/* Context: any, VMX root included; pure logic shared with the unit tests. */
#ifndef HVT_MANIFEST_H
#define HVT_MANIFEST_H

#include "../include/hvt_types.h"
#include "../uapi/hvtrust.h"

int hvt_manifest_check(const struct hvtrust_manifest *manifest, u64 size);
const u8 *hvt_manifest_page_hash(const struct hvtrust_manifest *manifest,
				 u32 index);
int hvt_manifest_page_of(const struct hvtrust_manifest *manifest, u64 vaddr,
			 u32 *index);
u64 hvt_manifest_page_vaddr(const struct hvtrust_manifest *manifest, u32 index);

#endif /* HVT_MANIFEST_H */
