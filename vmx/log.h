/* SPDX-License-Identifier: GPL-2.0 */
/* VMX root's log: records into the per-CPU ring the module drains (vmx/log.c). */
/* Context: VMX root only. */
#ifndef HVT_VMX_LOG_H
#define HVT_VMX_LOG_H

#include <linux/types.h>

struct hvt_cpu;
struct hvt_guest_regs;

void hvt_log(struct hvt_cpu *vcpu, u32 code, u64 a, u64 b, u64 c, u64 d);
void hvt_log_vmcs(struct hvt_cpu *vcpu, const struct hvt_guest_regs *regs);
bool hvt_log_room(const struct hvt_cpu *vcpu, u32 records);

#endif /* HVT_VMX_LOG_H */
