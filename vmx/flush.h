/* SPDX-License-Identifier: GPL-2.0 */
/* EPT flushes across CPUs: generations, flush NMIs, and NMIs taken in VMX root. */
/* Context: VMX root only. */
#ifndef HVT_VMX_FLUSH_H
#define HVT_VMX_FLUSH_H

#include <linux/types.h>

#include "vmm.h"

/*
 * Makes every other virtualized CPU exit at the end of this exit without
 * taking a permission away (struct hvt_cpu, @flush_due).
 */
static __always_inline void hvt_flush_kick_others(struct hvt_cpu *vcpu)
{
	vcpu->flush_due = true;
}

void hvt_flush_ept_changed(struct hvt_cpu *vcpu);
void hvt_flush_ept_folded(struct hvt_cpu *vcpu);
u32 hvt_flush_others(struct hvt_cpu *vcpu);
bool hvt_flush_passed(const struct hvt_cpu *vcpu, u64 generation);
void hvt_flush_leave_root(struct hvt_cpu *vcpu);
void hvt_flush_sync(struct hvt_cpu *vcpu);
bool hvt_flush_nmi_taken(struct hvt_cpu *vcpu);
u32 hvt_flush_drain_nmis(struct hvt_cpu *vcpu);
void hvt_send_nmi(const struct hvt_vmm *vmm, u32 apic_id);
bool hvt_apic_base_write(const struct hvt_vmm *vmm, u64 value);

#endif /* HVT_VMX_FLUSH_H */
