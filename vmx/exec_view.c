// SPDX-License-Identifier: GPL-2.0
/* A session's executable view as VMX root sees it: every page its user mode may run. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <asm/page.h>

#include "../token/manifest.h"
#include "exec_view.h"
#include "guest_mem.h"
#include "vmm.h"

/*
 * Entries and pages one walk may look at: a daemon with a few GiB mapped
 * needs a few thousand page tables; a graph of tables the guest made cyclic
 * or huge ends here instead of keeping a CPU in root.
 */
#define HVT_EXEC_WALK_BUDGET	BIT_ULL(21)

struct hvt_exec_view {
	const struct hvt_vmm *vmm;
	const struct hvt_session *session;
};

/* The guest kernel can write the vDSO's frames: compare one with load time. */
static HVT_ROOT bool hvt_vdso_page_intact(const struct hvt_vmm *vmm, u32 index)
{
	const struct hvt_trust *trust = vmm->trust;
	u8 digest[HVTRUST_SHA256_SIZE];

	return !hvt_hash_guest_page(vmm, trust->vdso[index].pa, digest) &&
	       hvt_ct_equal(digest, trust->vdso[index].hash, sizeof(digest));
}

/*
 * The registered code (the program's, and its libraries' where the loader
 * put them) is accepted at its place: that its frames hold the
 * manifest's bytes is what the frame checks see to (EPT write protection,
 * the walk on every call, the recurring check). The session page only at
 * its own address. The vDSO anywhere: it is the kernel's code, the same in
 * every process, and root compared it with its hash at load first.
 */
static HVT_ROOT bool hvt_exec_page_accounted(const void *ctx, u64 gva, u64 gpa)
{
	const struct hvt_exec_view *view = ctx;
	const struct hvt_trust *trust = view->vmm->trust;
	const struct hvt_session *s = view->session;
	u32 index, i;

	if (gva == s->page_va)
		return gpa == s->page_pa;
	if (!hvt_manifest_page_of(trust->binaries[s->binary].manifest, gva - s->bias, &index))
		return true;
	for (i = 0; i < s->nr_libs; i++)
		if (!hvt_manifest_page_of(trust->binaries[s->libs[i].binary].manifest,
					  gva - s->libs[i].bias, &index))
			return true;
	/* Hashed only when mapped: most walks meet each vDSO page once or never. */
	for (i = 0; i < trust->nr_vdso; i++)
		if (trust->vdso[i].pa == gpa)
			return hvt_vdso_page_intact(view->vmm, i);
	return false;
}

/**
 * hvt_exec_view_check() - whether a session's process can run only what it may
 * @vmm: the hypervisor
 * @s: the session
 * @gva: out, on failure: the page not accounted for, or the first address
 *       the table that could not be read maps
 * @gpa: out, on failure: that page's frame, 0 when there is none
 *
 * Walks the whole user half of the page table the process runs on (under
 * PTI the user copy) and accounts for every page that user mode may
 * execute: the registered program's code at the session's bias, its
 * libraries' code at theirs, the session page, the vDSO. This is root's
 * own view: the module's look at the VMAs refuses the honest cases early,
 * this holds against a kernel that lies.
 *
 * Return: 0; -EACCES when a page is not accounted for; -EFAULT when a page
 * table is not RAM that root may read; -E2BIG when the tables are larger
 * than one walk may look at.
 */
HVT_ROOT int hvt_exec_view_check(const struct hvt_vmm *vmm, const struct hvt_session *s,
				 u64 *gva, u64 *gpa)
{
	struct hvt_exec_view view = { .vmm = vmm, .session = s };
	u64 budget = HVT_EXEC_WALK_BUDGET;
	int err;

	*gva = 0;
	*gpa = 0;
	err = hvt_walk_user_exec(s->user_cr3, hvt_guest_la57(), hvt_guest_table, vmm,
				 hvt_exec_page_accounted, &view, &budget, gva);
	if (err == -EACCES && hvt_translate(vmm, s->user_cr3, *gva, NULL, gpa))
		*gpa = 0;
	return err;
}
