// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's own recurring integrity check, driven by the VMX-preemption timer. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <asm/vmx.h>

#include "check.h"
#include "exec_view.h"
#include "frame.h"
#include "session.h"
#include "vmcs.h"
#include "vmm.h"

#define HVT_CHECK_SLICE		32	/* pages hashed per timer expiry */

/**
 * hvt_check_timer_update() - run the VMX-preemption timer while sessions are open
 * @vcpu: this CPU, at the end of an exit
 *
 * Without open sessions the timer is off, so that the guest runs without
 * exits; the CPU that opens the first session makes the others exit (see
 * hvt_flush_kick_others()) so that they start theirs.
 */
HVT_ROOT void hvt_check_timer_update(struct hvt_cpu *vcpu)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	bool want = trust->check_ticks && READ_ONCE(trust->open_sessions);
	u32 pin, exit;

	if (want == vcpu->timer_on)
		return;
	pin = hvt_vmread32(PIN_BASED_VM_EXEC_CONTROL);
	exit = hvt_vmread32(VM_EXIT_CONTROLS);
	if (want) {
		pin |= PIN_BASED_VMX_PREEMPTION_TIMER;
		if (trust->timer_save)
			exit |= VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
		hvt_vmwrite32(VMX_PREEMPTION_TIMER_VALUE, trust->check_ticks);
	} else {
		pin &= ~PIN_BASED_VMX_PREEMPTION_TIMER;
		exit &= ~VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
	}
	hvt_vmwrite32(PIN_BASED_VM_EXEC_CONTROL, pin);
	hvt_vmwrite32(VM_EXIT_CONTROLS, exit);
	vcpu->timer_on = want;
}

/* One open session's whole executable view per expiry, round robin. */
static HVT_ROOT void hvt_check_exec_view(struct hvt_cpu *vcpu)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	u32 looked;

	for (looked = 0; looked < trust->sessions_used; looked++) {
		struct hvt_session *s = &trust->sessions[trust->view_cursor++ %
							 trust->sessions_used];
		u64 gva, gpa;

		if (s->state != HVT_SESSION_OPEN)
			continue;
		if (hvt_exec_view_check(vcpu->vmm, s, &gva, &gpa))
			hvt_session_revoke(vcpu, s, HVTRUST_AUDIT_EXEC_VIEW, gva, gpa);
		return;
	}
}

/**
 * hvt_check_slice() - hash a few protected pages on the hypervisor's own
 *                     schedule (VMX-preemption timer expiry)
 * @vcpu: this CPU
 *
 * A bounded slice per expiry, round robin over every open session's pages,
 * and one session's executable view, so that checking never waits for the
 * program or the guest kernel.
 */
HVT_ROOT void hvt_check_slice(struct hvt_cpu *vcpu)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_walk_cache cache = { 0 };
	u32 hashed = 0, looked;

	hvt_root_lock(&trust->lock);
	for (looked = 0; looked < trust->frames_used && hashed < HVT_CHECK_SLICE; looked++) {
		u32 i = trust->check_cursor++ % trust->frames_used;
		struct hvt_frame *f = &trust->frames[i];
		struct hvt_session *s;
		u64 gpa = 0;

		if (f->kind != HVT_FRAME_CODE && f->kind != HVT_FRAME_DATA)
			continue;
		s = &trust->sessions[f->session];
		if (s->state != HVT_SESSION_OPEN)
			continue;
		hashed++;
		trust->checked_pages++;
		if (!hvt_session_tables_agree(vcpu->vmm, s))
			hvt_session_revoke(vcpu, s, HVTRUST_AUDIT_TABLES_DIVERGED, s->user_cr3, 0);
		else if (!hvt_frame_check(vcpu, s, f, true, &cache, &gpa))
			hvt_session_revoke(vcpu, s, HVTRUST_AUDIT_CHECK_FAILED, f->gva, gpa);
	}
	hvt_check_exec_view(vcpu);
	hvt_root_unlock(&trust->lock);
	if (vcpu->timer_on)
		hvt_vmwrite32(VMX_PREEMPTION_TIMER_VALUE, trust->check_ticks);
}
