// SPDX-License-Identifier: GPL-2.0
/* The registry of trusted binaries as VMX root keeps it: manifests in hidden memory. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <linux/math.h>
#include <linux/nospec.h>
#include <asm/page.h>

#include "../token/manifest.h"
#include "flush.h"
#include "frame.h"
#include "guest_mem.h"
#include "registry.h"
#include "secret.h"
#include "session.h"
#include "vmm.h"

/* A manifest page visible again; the split that hid it is undone where it can be. */
static HVT_ROOT void hvt_registry_restore(struct hvt_cpu *vcpu, u64 page, u64 leaf)
{
	hvt_ept_set_4k(&vcpu->vmm->ept, page, leaf);
	hvt_pool_fold(vcpu, page);
}

/*
 * RCX: physical address of the manifest, RDX: its size, RSI: the registry id.
 * Every page of it must be ordinary guest RAM: a hidden page of the
 * hypervisor's, its code or a protected frame would be hidden here and its
 * saved entry handed back to the guest when the binary goes.
 */
HVT_ROOT long hvt_hc_registry_add(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				  struct hvt_session *unused)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 pa = regs->rcx, size = regs->rdx, id = regs->rsi;
	u64 zero = hvt_ept_hidden_entry(vmm->zero_page_pa);
	struct hvt_binary *bin;
	u64 frames, i;
	int err;

	if (trust->sealed)
		return -EPERM;
	if (id >= HVT_MAX_BINARIES || size > HVT_MANIFEST_MAX_BYTES ||
	    size < HVTRUST_MANIFEST_HEADER_SIZE || (pa & ~PAGE_MASK))
		return -EINVAL;
	frames = DIV_ROUND_UP(size, PAGE_SIZE);
	for (i = 0; i < frames; i++)
		if (!hvt_is_guest_page(vmm, pa + i * PAGE_SIZE))
			return -EFAULT;
	bin = &trust->binaries[array_index_nospec(id, HVT_MAX_BINARIES)];
	if (bin->used)
		return -EEXIST;
	/* Hidden first, checked afterwards: the guest cannot change it between. */
	for (i = 0; i < frames; i++) {
		u64 page = pa + i * PAGE_SIZE;

		bin->saved_leaves[i] = hvt_ept_entry_4k(&vmm->ept, page);
		err = hvt_pool_reserve(vcpu, hvt_ept_split_tables(&vmm->ept, page)) ?
		      hvt_ept_set_4k(&vmm->ept, page, zero) : -ENOMEM;
		if (err)
			break;
	}
	hvt_flush_ept_changed(vcpu);
	bin->manifest = hvt_root_va(trust, pa);
	bin->manifest_pa = pa;
	bin->size = size;
	if (!err)
		err = hvt_manifest_check(bin->manifest, size);
	if (err) {
		while (i--)
			hvt_registry_restore(vcpu, pa + i * PAGE_SIZE, bin->saved_leaves[i]);
		bin->manifest = NULL;
		return err;
	}
	bin->used = true;
	return 0;
}

static HVT_ROOT bool hvt_session_maps_binary(const struct hvt_session *s, u32 id)
{
	u32 i;

	if (s->binary == id)
		return true;
	for (i = 0; i < s->nr_libs; i++)
		if (s->libs[i].binary == id)
			return true;
	return false;
}

/* RCX: the registry id; its sessions end with it. */
HVT_ROOT long hvt_hc_registry_remove(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				     struct hvt_session *unused)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 id = regs->rcx;
	struct hvt_binary *bin;
	u64 frames, i;

	if (trust->sealed)
		return -EPERM;
	if (id >= HVT_MAX_BINARIES)
		return -EINVAL;
	id = array_index_nospec(id, HVT_MAX_BINARIES);
	bin = &trust->binaries[id];
	if (!bin->used)
		return -ENOENT;
	/* Their manifests go: so do the sessions whose code they describe. */
	for (i = 0; i < trust->sessions_used; i++)
		if (trust->sessions[i].state != HVT_SESSION_FREE &&
		    hvt_session_maps_binary(&trust->sessions[i], id))
			hvt_session_end(vcpu, &trust->sessions[i]);
	frames = DIV_ROUND_UP(bin->size, PAGE_SIZE);
	for (i = 0; i < frames; i++)
		hvt_registry_restore(vcpu, bin->manifest_pa + i * PAGE_SIZE, bin->saved_leaves[i]);
	hvt_secrets_forget(trust, id);
	bin->used = false;
	bin->manifest = NULL;
	return 0;
}

/* From now on until reboot, the registry stays as it is. */
HVT_ROOT long hvt_hc_seal(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			  struct hvt_session *unused)
{
	vcpu->vmm->trust->sealed = true;
	return 0;
}
