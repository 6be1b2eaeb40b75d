/* SPDX-License-Identifier: GPL-2.0 */
/* Guest memory as VMX root reads it: RAM through EPT, and the guest's own page tables. */
/* Context: VMX root only. */
#ifndef HVT_VMX_GUEST_MEM_H
#define HVT_VMX_GUEST_MEM_H

#include <linux/types.h>

#include "../ept/walk.h"
#include "service.h"

struct hvt_vmm;

/* RAM at @pa, through the direct map as it was at load (struct hvt_trust). */
static __always_inline void *hvt_root_va(const struct hvt_trust *trust, u64 pa)
{
	return (void *)(unsigned long)(trust->direct_map + pa);
}

bool hvt_is_ram(const struct hvt_trust *trust, u64 pa, u64 len);
bool hvt_is_guest_page(const struct hvt_vmm *vmm, u64 gpa);
u64 hvt_current_cr3(const struct hvt_trust *trust);
bool hvt_guest_la57(void);
const void *hvt_guest_page(const struct hvt_vmm *vmm, u64 gpa);
const u64 *hvt_guest_table(const void *vmm, u64 gpa);
int hvt_translate(const struct hvt_vmm *vmm, u64 cr3, u64 gva,
		  struct hvt_walk_cache *cache, u64 *gpa);
int hvt_hash_guest_page(const struct hvt_vmm *vmm, u64 gpa, u8 *digest);

#endif /* HVT_VMX_GUEST_MEM_H */
