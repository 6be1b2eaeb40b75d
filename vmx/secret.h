/* SPDX-License-Identifier: GPL-2.0 */
/* Secrets the hypervisor keeps for registered programs. */
/* Context: VMX root only, under the service's lock. */
#ifndef HVT_VMX_SECRET_H
#define HVT_VMX_SECRET_H

#include <linux/types.h>

struct hvt_cpu;
struct hvt_guest_regs;
struct hvt_session;
struct hvt_trust;

long hvt_hc_secret_put(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, struct hvt_session *s);
long hvt_hc_secret_get(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, struct hvt_session *s);
void hvt_secrets_forget(struct hvt_trust *trust, u32 binary);

#endif /* HVT_VMX_SECRET_H */
