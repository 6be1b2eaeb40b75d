/* SPDX-License-Identifier: GPL-2.0 */
/* Sessions of trusted programs in VMX root: opening, authentication, calls, revocation. */
/* Context: VMX root only, under the service's lock unless a function says otherwise. */
#ifndef HVT_VMX_SESSION_H
#define HVT_VMX_SESSION_H

#include <linux/types.h>

#include "service.h"

struct hvt_cpu;
struct hvt_vmm;
struct hvt_guest_regs;

enum hvt_violation_verdict {
	HVT_VIOLATION_NOT_MINE,		/* not a frame of the service */
	HVT_VIOLATION_RESUME,		/* handled: re-execute the access */
	HVT_VIOLATION_DROP_WRITE,		/* step over the write into the sink page */
};

void hvt_session_revoke(struct hvt_cpu *vcpu, struct hvt_session *s, u32 kind,
			u64 gva, u64 gpa);
void hvt_session_end(struct hvt_cpu *vcpu, struct hvt_session *s);
void hvt_sessions_revoke_all(struct hvt_cpu *vcpu, u32 kind);
bool hvt_session_tables_agree(const struct hvt_vmm *vmm, const struct hvt_session *s);
long hvt_session_enter(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, bool full_check,
		       struct hvt_session **session);
struct hvt_session *hvt_session_revoked_caller(struct hvt_cpu *vcpu);
/* The caller holds the service's lock. */
int hvt_session_ept_violation(struct hvt_cpu *vcpu, u64 gpa, bool write, u64 *restore);

/* Hypercall handlers (vmx/hypercall.c's table). */
long hvt_hc_session_open(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			 struct hvt_session *unused);
long hvt_hc_status(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, struct hvt_session *s);
long hvt_hc_protect(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, struct hvt_session *s);
long hvt_hc_unprotect(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, struct hvt_session *s);
long hvt_hc_check(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, struct hvt_session *s);
long hvt_hc_close(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, struct hvt_session *s);
long hvt_hc_session_prepare(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			    struct hvt_session *unused);
long hvt_hc_session_end(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			struct hvt_session *unused);
long hvt_hc_session_info(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			 struct hvt_session *unused);
long hvt_hc_session_moving(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			   struct hvt_session *unused);
long hvt_hc_session_revoke(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			   struct hvt_session *unused);

#endif /* HVT_VMX_SESSION_H */
