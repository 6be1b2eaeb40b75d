/* SPDX-License-Identifier: GPL-2.0 */
/* The VM-exit dispatcher (vmx/exit.c), called from the exit entry in vmx/entry.S. */
/* Context: VMX root only. */
#ifndef HVT_VMX_EXIT_H
#define HVT_VMX_EXIT_H

#include <linux/types.h>

struct hvt_cpu;
struct hvt_guest_regs;

bool hvt_vmexit_handler(struct hvt_guest_regs *regs, struct hvt_cpu *vcpu);
void hvt_vmresume_failed(struct hvt_guest_regs *regs, struct hvt_cpu *vcpu);

#endif /* HVT_VMX_EXIT_H */
