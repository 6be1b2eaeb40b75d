// SPDX-License-Identifier: GPL-2.0
/* Guest memory as VMX root reads it: RAM through EPT, and the guest's own page tables. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <asm/page.h>
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "../token/sha256.h"
#include "guest_mem.h"
#include "vmcs.h"
#include "vmm.h"

/*
 * RAM as it was at load: the guest kernel cannot make root read device
 * memory, or memory it hot-added, by naming it in a request or a page table.
 */
HVT_ROOT bool hvt_is_ram(const struct hvt_trust *trust, u64 pa, u64 len)
{
	u32 i;

	for (i = 0; i < trust->nr_ram; i++)
		if (pa >= trust->ram[i].start && pa + len <= trust->ram[i].end &&
		    pa + len > pa)
			return true;
	return false;
}

/* The address space running now, as sessions name it. */
HVT_ROOT u64 hvt_current_cr3(const struct hvt_trust *trust)
{
	return hvt_vmreadnl(GUEST_CR3) & HVT_PTE_ADDR & ~trust->cr3_ignore;
}

HVT_ROOT bool hvt_guest_la57(void)
{
	return hvt_vmreadnl(GUEST_CR4) & X86_CR4_LA57;
}

/*
 * Guest memory is read as the guest sees it: through EPT, so that hidden
 * pages read as zeros here too, and only where there is RAM behind it.
 */
HVT_ROOT const void *hvt_guest_page(const struct hvt_vmm *vmm, u64 gpa)
{
	unsigned int level;
	u64 entry = hvt_ept_lookup(&vmm->ept, gpa & HVT_EPT_ADDR_MASK, &level);
	u64 size = 1ULL << (12 + 9 * (level - 1));
	u64 hpa;

	if (!(entry & HVT_EPT_READ))
		return NULL;
	hpa = (entry & HVT_EPT_ADDR_MASK & ~(size - 1)) + (gpa & (size - 1) & PAGE_MASK);
	if (!hvt_is_ram(vmm->trust, hpa, PAGE_SIZE))
		return NULL;
	return hvt_root_va(vmm->trust, hpa);
}

/**
 * hvt_is_guest_page() - whether a page the kernel names is ordinary guest RAM
 * @vmm: the hypervisor
 * @gpa: an address in the page
 *
 * Kernel-only calls hand root physical addresses to read and write: each
 * must be RAM that EPT maps to itself with every permission, never the
 * hypervisor's hidden state, its code or a frame it protects.
 */
HVT_ROOT bool hvt_is_guest_page(const struct hvt_vmm *vmm, u64 gpa)
{
	u64 entry;

	if (!hvt_is_ram(vmm->trust, gpa & PAGE_MASK, PAGE_SIZE))
		return false;
	entry = hvt_ept_entry_4k(&vmm->ept, gpa);
	return (entry & HVT_EPT_RWX) == HVT_EPT_RWX &&
	       (entry & HVT_EPT_ADDR_MASK) == (gpa & HVT_EPT_ADDR_MASK);
}

/* hvt_guest_page() in the shape the page-table walkers call (ept/walk.h). */
HVT_ROOT const u64 *hvt_guest_table(const void *vmm, u64 gpa)
{
	return hvt_guest_page(vmm, gpa);
}

/*
 * The guest's own page tables at @cr3, read through EPT like any guest
 * memory. @cache (or NULL) serves a pass over many pages in one exit.
 */
HVT_ROOT int hvt_translate(const struct hvt_vmm *vmm, u64 cr3, u64 gva,
			   struct hvt_walk_cache *cache, u64 *gpa)
{
	return hvt_walk_user(cr3, hvt_guest_la57(), gva, hvt_guest_table, vmm, cache, gpa);
}

HVT_ROOT int hvt_hash_guest_page(const struct hvt_vmm *vmm, u64 gpa, u8 *digest)
{
	const void *page = hvt_guest_page(vmm, gpa);

	if (!page)
		return -EFAULT;
	hvt_sha256(page, PAGE_SIZE, digest);
	return 0;
}
