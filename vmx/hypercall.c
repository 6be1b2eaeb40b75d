// SPDX-License-Identifier: GPL-2.0
/* The hypercall table of VMX root: number, class, handler; and the one dispatcher. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <linux/limits.h>
#include <linux/nospec.h>

#include "../uapi/hvtrust.h"
#include "frame.h"
#include "hypercall.h"
#include "log.h"
#include "quote.h"
#include "registry.h"
#include "secret.h"
#include "session.h"

/**
 * enum hvt_hc_class - who may make a hypercall, checked before its handler runs
 * @HVT_HC_ANYONE: any caller, any privilege level
 * @HVT_HC_KERNEL: CPL 0 with the credential (RBX); the VMX layer's own calls
 * @HVT_HC_SERVICE: CPL 0 with the credential, under the service's lock
 * @HVT_HC_ATTACHED: CPL 3, under the service's lock: the first hypercall of
 *                   a process the module attached
 * @HVT_HC_TRUSTED: CPL 3, under the service's lock, from a session's safe
 *                  hypercall address with its token (RBX, RCX, RDX, RSI),
 *                  its protected pages checked (hvt_session_enter())
 */
enum hvt_hc_class {
	HVT_HC_ANYONE,
	HVT_HC_KERNEL,
	HVT_HC_SERVICE,
	HVT_HC_ATTACHED,
	HVT_HC_TRUSTED,
};

#define HVT_HC_FULL_CHECK	BIT(0)	/* TRUSTED: hash every protected page first */
#define HVT_HC_LEAVES		BIT(1)	/* the CPU leaves VMX after the call */

typedef long (*hvt_hc_handler_t)(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				 struct hvt_session *s);

/**
 * struct hvt_hypercall - one row of the hypercall table
 * @nr: the number the caller puts in RAX (HVTRUST_HC_*)
 * @class: enum hvt_hc_class
 * @flags: HVT_HC_FULL_CHECK, HVT_HC_LEAVES
 * @handler: its result goes to RAX; @s is the caller's session for
 *           HVT_HC_TRUSTED, NULL otherwise
 */
struct hvt_hypercall {
	u64 nr;
	u8 class;
	u8 flags;
	hvt_hc_handler_t handler;
};

static HVT_ROOT long hvt_hc_ping(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				 struct hvt_session *unused)
{
	return HVTRUST_HC_PING_REPLY;
}

static HVT_ROOT long hvt_hc_version(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				    struct hvt_session *unused)
{
	return HVTRUST_ABI_VERSION;
}

/*
 * The caller continues after its VMCALL, outside VMX, where the hidden
 * pages are in reach of Linux's direct map on this CPU. So leaving is a
 * teardown of the service first: every live session is revoked (tokens
 * wiped, audited) before any CPU leaves. Once the registry is sealed, no
 * CPU leaves at all: not for unload (the module is pinned), suspend,
 * hibernation, CPU offlining or a kernel that found the credential.
 */
static HVT_ROOT long hvt_hc_devirtualize(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
					 struct hvt_session *unused)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	hvt_root_lock(&trust->lock);
	if (trust->sealed) {
		hvt_root_unlock(&trust->lock);
		return -EPERM;
	}
	hvt_sessions_revoke_all(vcpu, HVTRUST_AUDIT_HYPERVISOR_LEFT);
	/* Out of VMX, Linux could read them: they do not outlive the hypervisor. */
	hvt_secrets_forget(trust, U32_MAX);
	hvt_root_unlock(&trust->lock);
	hvt_log(vcpu, HVT_LOG_DEVIRTUALIZED, 0, 0, 0, 0);
	return 0;
}

/* RCX: basic exit reason; its count on this CPU. */
static HVT_ROOT long hvt_hc_exit_count(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				       struct hvt_session *unused)
{
	if (regs->rcx >= HVT_EXIT_REASONS)
		return -EINVAL;
	return vcpu->exits[array_index_nospec(regs->rcx, HVT_EXIT_REASONS)];
}

/* Adding a hypercall: its number in uapi/hvtrust.h, a row here, a handler. */
static const struct hvt_hypercall hvt_hypercalls[] = {
	{ HVTRUST_HC_PING, HVT_HC_ANYONE, 0, hvt_hc_ping },
	{ HVTRUST_HC_VERSION, HVT_HC_ANYONE, 0, hvt_hc_version },
	{ HVTRUST_HC_SESSION_OPEN, HVT_HC_ATTACHED, 0, hvt_hc_session_open },
	{ HVTRUST_HC_STATUS, HVT_HC_TRUSTED, 0, hvt_hc_status },
	{ HVTRUST_HC_PROTECT, HVT_HC_TRUSTED, 0, hvt_hc_protect },
	{ HVTRUST_HC_UNPROTECT, HVT_HC_TRUSTED, 0, hvt_hc_unprotect },
	{ HVTRUST_HC_CHECK, HVT_HC_TRUSTED, HVT_HC_FULL_CHECK, hvt_hc_check },
	{ HVTRUST_HC_CLOSE, HVT_HC_TRUSTED, 0, hvt_hc_close },
	/* Authenticates itself: a revoked session gets a quote that says so. */
	{ HVTRUST_HC_QUOTE, HVT_HC_ATTACHED, 0, hvt_hc_quote },
	{ HVTRUST_HC_SECRET_PUT, HVT_HC_TRUSTED, 0, hvt_hc_secret_put },
	{ HVTRUST_HC_SECRET_GET, HVT_HC_TRUSTED, 0, hvt_hc_secret_get },
	{ HVTRUST_HC_DEVIRTUALIZE, HVT_HC_KERNEL, HVT_HC_LEAVES, hvt_hc_devirtualize },
	{ HVTRUST_HC_EXIT_COUNT, HVT_HC_KERNEL, 0, hvt_hc_exit_count },
	{ HVTRUST_HC_REGISTRY_ADD, HVT_HC_SERVICE, 0, hvt_hc_registry_add },
	{ HVTRUST_HC_REGISTRY_REMOVE, HVT_HC_SERVICE, 0, hvt_hc_registry_remove },
	{ HVTRUST_HC_SEAL, HVT_HC_SERVICE, 0, hvt_hc_seal },
	{ HVTRUST_HC_SESSION_PREPARE, HVT_HC_SERVICE, 0, hvt_hc_session_prepare },
	{ HVTRUST_HC_SESSION_END, HVT_HC_SERVICE, 0, hvt_hc_session_end },
	{ HVTRUST_HC_SESSION_INFO, HVT_HC_SERVICE, 0, hvt_hc_session_info },
	{ HVTRUST_HC_SESSION_REVOKE, HVT_HC_SERVICE, 0, hvt_hc_session_revoke },
	{ HVTRUST_HC_CAPACITY, HVT_HC_SERVICE, 0, hvt_hc_capacity },
	{ HVTRUST_HC_SESSION_MOVING, HVT_HC_SERVICE, 0, hvt_hc_session_moving },
#ifdef HVT_TEST_HOOKS
	{ HVT_HC_TEST_SILENT_WRITE, HVT_HC_SERVICE, 0, hvt_hc_test_silent_write },
#endif
};

static HVT_ROOT const struct hvt_hypercall *hvt_hypercall_of(u64 nr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvt_hypercalls); i++)
		if (hvt_hypercalls[i].nr == nr)
			return &hvt_hypercalls[i];
	return NULL;
}

static HVT_ROOT bool hvt_is_kernel_caller(const struct hvt_cpu *vcpu,
					  const struct hvt_guest_regs *regs, u32 cpl)
{
	return cpl == 0 && regs->rbx == vcpu->vmm->credential;
}

static HVT_ROOT long hvt_hypercall_locked(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
					  const struct hvt_hypercall *hc)
{
	struct hvt_session *s = NULL;
	long ret;

	if (hc->class != HVT_HC_TRUSTED)
		return hc->handler(vcpu, regs, NULL);
	ret = hvt_session_enter(vcpu, regs, hc->flags & HVT_HC_FULL_CHECK, &s);
	return ret ? ret : hc->handler(vcpu, regs, s);
}

/**
 * hvt_hypercall() - dispatch one VMCALL: RAX the number, the result to RAX
 * @vcpu: this CPU
 * @regs: the caller's registers
 * @cpl: the caller's privilege level
 *
 * Numbers from HVTRUST_HC_KERNEL_BASE up are the kernel's: without CPL 0
 * and the credential each one, known or not, is -EPERM, so that probing
 * them tells nothing. An unknown number is -ENOSYS; trusted programs' calls
 * come from user mode only (-EPERM).
 *
 * Return: HVT_ADVANCE, or HVT_ADVANCE_AND_LEAVE for a call that gives the
 * CPU back to Linux and succeeded.
 */
HVT_ROOT enum hvt_exit_action hvt_hypercall(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
					    u32 cpl)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	const struct hvt_hypercall *hc;
	u64 nr = regs->rax;
	bool allowed;
	long ret;

	if (nr >= HVTRUST_HC_KERNEL_BASE && !hvt_is_kernel_caller(vcpu, regs, cpl)) {
		regs->rax = -EPERM;
		return HVT_ADVANCE;
	}
	hc = hvt_hypercall_of(nr);
	if (!hc) {
		regs->rax = -ENOSYS;
		return HVT_ADVANCE;
	}
	if (hc->class == HVT_HC_KERNEL || hc->class == HVT_HC_SERVICE)
		allowed = hvt_is_kernel_caller(vcpu, regs, cpl);
	else	/* trusted programs run in user mode; the kernel has its own calls */
		allowed = hc->class == HVT_HC_ANYONE || cpl == 3;
	if (!allowed) {
		ret = -EPERM;
	} else if (hc->class == HVT_HC_ANYONE || hc->class == HVT_HC_KERNEL) {
		ret = hc->handler(vcpu, regs, NULL);
	} else {
		hvt_root_lock(&trust->lock);
		ret = hvt_hypercall_locked(vcpu, regs, hc);
		hvt_root_unlock(&trust->lock);
	}
	regs->rax = ret;
	return (hc->flags & HVT_HC_LEAVES) && !ret ? HVT_ADVANCE_AND_LEAVE : HVT_ADVANCE;
}
