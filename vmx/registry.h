/* SPDX-License-Identifier: GPL-2.0 */
/* The registry of trusted binaries as VMX root keeps it: manifests in hidden memory. */
/* Context: VMX root only, under the service's lock. */
#ifndef HVT_VMX_REGISTRY_H
#define HVT_VMX_REGISTRY_H

struct hvt_cpu;
struct hvt_guest_regs;
struct hvt_session;

/* Hypercall handlers (vmx/hypercall.c's table). */
long hvt_hc_registry_add(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			 struct hvt_session *unused);
long hvt_hc_registry_remove(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			    struct hvt_session *unused);
long hvt_hc_seal(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, struct hvt_session *unused);

#endif /* HVT_VMX_REGISTRY_H */
