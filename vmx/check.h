/* SPDX-License-Identifier: GPL-2.0 */
/* The hypervisor's own recurring integrity check, driven by the VMX-preemption timer. */
/* Context: VMX root only, at the end of an exit and on timer expiry. */
#ifndef HVT_VMX_CHECK_H
#define HVT_VMX_CHECK_H

struct hvt_cpu;

void hvt_check_timer_update(struct hvt_cpu *vcpu);
void hvt_check_slice(struct hvt_cpu *vcpu);

#endif /* HVT_VMX_CHECK_H */
