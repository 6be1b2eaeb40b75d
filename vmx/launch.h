/* SPDX-License-Identifier: GPL-2.0 */
/* Entering VMX operation on one CPU, and leaving it (vmx/launch.c). */
/* Context: see each function. */
#ifndef HVT_VMX_LAUNCH_H
#define HVT_VMX_LAUNCH_H

struct hvt_cpu;

/* Process context, IRQs off, on the CPU concerned. */
int hvt_cpu_launch(struct hvt_cpu *vcpu);
/* VMX root only, on the way out of VMX. */
void hvt_prepare_leave(struct hvt_cpu *vcpu);

#endif /* HVT_VMX_LAUNCH_H */
