// SPDX-License-Identifier: GPL-2.0
/* VM-exit dispatcher of hvtrust: one handler per basic exit reason, hypercalls included. */
/* Context: VMX root only: no printk, no locks, no allocation, no call into Linux. */
#include <linux/nospec.h>
#include <asm/fpu/xcr.h>
#include <asm/irq_vectors.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/sync_core.h>
#include <asm/vmx.h>

#include "../uapi/hvtrust.h"
#include "check.h"
#include "exit.h"
#include "flush.h"
#include "hypercall.h"
#include "launch.h"
#include "log.h"
#include "session.h"
#include "vmcs.h"
#include "vmm.h"

#define HVT_EXIT_REASON_GETSEC	11
#define HVT_FEAT_CTL_VMX_SENTER	(FEAT_CTL_VMX_ENABLED_INSIDE_SMX |	\
				 FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX |	\
				 GENMASK_ULL(15, 8))
#define HVT_X86_DB		1
#define HVT_X86_UD		6
#define HVT_X86_GP		13
#define HVT_RFLAGS_TF		BIT(8)
#define HVT_PENDING_DBG_BS	BIT(14)
#define HVT_CPUID1_ECX_VMX	BIT(5)
#define HVT_XCR0_X87		BIT_ULL(0)
#define HVT_XCR0_SSE		BIT_ULL(1)
#define HVT_XCR0_AVX		BIT_ULL(2)
#define HVT_XCR0_AVX512		(BIT_ULL(5) | BIT_ULL(6) | BIT_ULL(7))

/**
 * struct hvt_exit - a VM exit decoded before any logic looks at it
 * @reason: basic exit reason
 * @qualification: exit qualification
 * @instruction_len: length of the instruction that exited
 * @cpl: the guest's privilege level (SS.DPL)
 */
struct hvt_exit {
	u32 reason;
	u64 qualification;
	u32 instruction_len;
	u32 cpl;
};

typedef enum hvt_exit_action (*hvt_exit_handler_t)(struct hvt_cpu *vcpu,
						   struct hvt_guest_regs *regs,
						   const struct hvt_exit *exit);

static HVT_ROOT void hvt_inject(u32 vector, u32 type, bool error_code)
{
	u32 info = vector | type | INTR_INFO_VALID_MASK;

	if (error_code) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		hvt_vmwrite32(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	}
	hvt_vmwrite32(VM_ENTRY_INTR_INFO_FIELD, info);
}

static HVT_ROOT enum hvt_exit_action hvt_inject_ud(void)
{
	hvt_inject(HVT_X86_UD, INTR_TYPE_HARD_EXCEPTION, false);
	return HVT_RESUME;
}

static HVT_ROOT enum hvt_exit_action hvt_inject_gp(void)
{
	hvt_inject(HVT_X86_GP, INTR_TYPE_HARD_EXCEPTION, true);
	return HVT_RESUME;
}

static HVT_ROOT enum hvt_exit_action hvt_exit_cpuid(struct hvt_cpu *vcpu,
						    struct hvt_guest_regs *regs,
						    const struct hvt_exit *exit)
{
	u32 leaf = regs->rax, subleaf = regs->rcx;
	u32 eax, ebx, ecx, edx;

	if ((leaf & 0xffffff00) == HVTRUST_CPUID_SIGNATURE) {
		eax = 0;
		ebx = 0;
		ecx = 0;
		edx = 0;
		if (leaf == HVTRUST_CPUID_SIGNATURE) {
			eax = HVTRUST_CPUID_VERSION;
			ebx = 0x72747668;	/* "hvtr" */
			ecx = 0x00747375;	/* "ust\0" */
		} else if (leaf == HVTRUST_CPUID_VERSION) {
			eax = HVTRUST_ABI_VERSION;
		}
	} else {
		eax = leaf;
		ecx = subleaf;
		native_cpuid(&eax, &ebx, &ecx, &edx);
		if (leaf == 1)
			ecx &= ~HVT_CPUID1_ECX_VMX;
	}
	regs->rax = eax;
	regs->rbx = ebx;
	regs->rcx = ecx;
	regs->rdx = edx;
	return HVT_ADVANCE;
}

static HVT_ROOT enum hvt_exit_action hvt_exit_vmcall(struct hvt_cpu *vcpu,
						     struct hvt_guest_regs *regs,
						     const struct hvt_exit *exit)
{
	return hvt_hypercall(vcpu, regs, exit->cpl);
}

/*
 * Only the MSRs the bitmap marks, and MSRs outside the ranges any bitmap
 * covers, exit. The guest must see a CPU without VMX: IA32_FEATURE_CONTROL
 * locked with VMX off, the VMX capability MSRs absent.
 */
static HVT_ROOT enum hvt_exit_action hvt_exit_msr_read(struct hvt_cpu *vcpu,
						       struct hvt_guest_regs *regs,
						       const struct hvt_exit *exit)
{
	u32 msr = regs->rcx;
	u64 value;

	if (msr != MSR_IA32_FEAT_CTL)
		return hvt_inject_gp();
	value = vcpu->vmm->config.caps.feature_control;
	value = (value & ~HVT_FEAT_CTL_VMX_SENTER) | FEAT_CTL_LOCKED;
	regs->rax = (u32)value;
	regs->rdx = value >> 32;
	return HVT_ADVANCE;
}

static HVT_ROOT enum hvt_exit_action hvt_exit_msr_write(struct hvt_cpu *vcpu,
							struct hvt_guest_regs *regs,
							const struct hvt_exit *exit)
{
	u64 value = (u32)regs->rax | (regs->rdx << 32);

	/* Only write-trapped: the local APIC must stay where root's NMIs go. */
	if ((u32)regs->rcx == MSR_IA32_APICBASE && hvt_apic_base_write(vcpu->vmm, value))
		return HVT_ADVANCE;
	/* IA32_FEATURE_CONTROL is locked; the others are read-only or absent. */
	return hvt_inject_gp();
}

static HVT_ROOT u64 *hvt_gpr(struct hvt_guest_regs *regs, unsigned int index)
{
	return &((u64 *)regs)[index & 15];
}

static HVT_ROOT enum hvt_exit_action hvt_exit_cr_access(struct hvt_cpu *vcpu,
							struct hvt_guest_regs *regs,
							const struct hvt_exit *exit)
{
	unsigned int cr = exit->qualification & 15;
	unsigned int type = (exit->qualification >> 4) & 3;
	unsigned int reg = (exit->qualification >> 8) & 15;
	u64 value;

	/* Only MOV to CR4 touching VMXE exits: CR4_GUEST_HOST_MASK is VMXE. */
	if (cr != 4 || type != 0)
		return HVT_STOP;
	value = reg == 4 ? hvt_vmreadnl(GUEST_RSP) : *hvt_gpr(regs, reg);
	if (value & X86_CR4_VMXE)
		return hvt_inject_gp();	/* as on a CPU without VMX */
	hvt_vmwritenl(GUEST_CR4, value | X86_CR4_VMXE);
	hvt_vmwritenl(CR4_READ_SHADOW, value);
	return HVT_ADVANCE;
}

static HVT_ROOT enum hvt_exit_action hvt_exit_xsetbv(struct hvt_cpu *vcpu,
						     struct hvt_guest_regs *regs,
						     const struct hvt_exit *exit)
{
	u64 value = (u32)regs->rax | (regs->rdx << 32);
	u32 eax, ebx, ecx, edx;
	u64 supported;

	if (!(hvt_vmreadnl(CR4_READ_SHADOW) & X86_CR4_OSXSAVE))
		return hvt_inject_ud();
	eax = 0xd;
	ecx = 0;
	native_cpuid(&eax, &ebx, &ecx, &edx);
	supported = eax | ((u64)edx << 32);
	/* Checked here so that XSETBV in VMX root cannot fault (SDM XSETBV). */
	if (exit->cpl != 0 || (u32)regs->rcx != 0 || (value & ~supported) ||
	    !(value & HVT_XCR0_X87) ||
	    ((value & HVT_XCR0_AVX) && !(value & HVT_XCR0_SSE)) ||
	    ((value & HVT_XCR0_AVX512) &&
	     ((value & HVT_XCR0_AVX512) != HVT_XCR0_AVX512 || !(value & HVT_XCR0_AVX))))
		return hvt_inject_gp();
	xsetbv(0, value);
	return HVT_ADVANCE;
}

static HVT_ROOT enum hvt_exit_action hvt_exit_invd(struct hvt_cpu *vcpu,
						   struct hvt_guest_regs *regs,
						   const struct hvt_exit *exit)
{
	/* Dropping dirty lines would corrupt the hypervisor's memory too. */
	native_wbinvd();
	return HVT_ADVANCE;
}

static HVT_ROOT enum hvt_exit_action hvt_exit_undefined(struct hvt_cpu *vcpu,
							struct hvt_guest_regs *regs,
							const struct hvt_exit *exit)
{
	/* VMX and SMX instructions: the guest sees a CPU without them. */
	return hvt_inject_ud();
}

static HVT_ROOT enum hvt_exit_action hvt_exit_nmi_window(struct hvt_cpu *vcpu,
							 struct hvt_guest_regs *regs,
							 const struct hvt_exit *exit)
{
	return HVT_RESUME;	/* the pending NMI goes in below */
}

static HVT_ROOT enum hvt_exit_action hvt_exit_triple_fault(struct hvt_cpu *vcpu,
							   struct hvt_guest_regs *regs,
							   const struct hvt_exit *exit)
{
	/*
	 * Leaving VMX would let the fault recur natively, unless another CPU
	 * repaired the guest's state meanwhile: a way out of VMX with the
	 * hypervisor's memory in reach. The CPU stops here, as a shut-down CPU.
	 */
	hvt_log(vcpu, HVT_LOG_TRIPLE_FAULT, hvt_vmreadnl(GUEST_RIP),
		hvt_vmreadnl(GUEST_CR3), 0, 0);
	hvt_log_vmcs(vcpu, regs);
	return HVT_STOP;
}

static HVT_ROOT enum hvt_exit_action hvt_exit_init(struct hvt_cpu *vcpu,
						   struct hvt_guest_regs *regs,
						   const struct hvt_exit *exit)
{
	/*
	 * Linux sends INIT only to CPUs it brings up or stops; hvtrust
	 * devirtualizes a CPU before it goes offline, and reboot, kexec and
	 * suspend devirtualize first. One arriving anyway is logged and dropped.
	 */
	hvt_log(vcpu, HVT_LOG_INIT_SIGNAL, hvt_vmreadnl(GUEST_RIP), 0, 0, 0);
	return HVT_RESUME;
}

#define HVT_EPT_QUAL_WRITE	BIT(1)
#define HVT_SINK_ENTRY(pa)	(hvt_ept_hidden_entry(pa) | HVT_EPT_WRITE)

/*
 * A write to hidden memory lands in this CPU's sink page for exactly one
 * instruction, so the guest goes on as if the write happened while the
 * hypervisor's page never changes. The step is a single-step trap
 * (RFLAGS.TF, #DB intercepted) with interrupts held off for that one
 * instruction: it works on every VT-x CPU, the monitor trap flag does not
 * (Bochs' corei7_skylake_x lacks it).
 */
static HVT_ROOT enum hvt_exit_action hvt_hidden_write(struct hvt_cpu *vcpu, u64 *leaf,
						      u64 page, u64 restore, bool copy)
{
	u64 sink_pa;
	unsigned int slot;

	for (slot = 0; slot < HVT_SINK_SLOTS; slot++)
		if (!vcpu->sink_gpa[slot])
			break;
	if (slot == HVT_SINK_SLOTS)
		return HVT_STOP;
	vcpu->sink_gpa[slot] = page;
	vcpu->sink_restore[slot] = restore;
	sink_pa = vcpu->sink_pa + slot * PAGE_SIZE;
	if (copy) {
		/*
		 * Code (hvtrust's, a session's stub): every CPU reads and runs
		 * this frame meanwhile, so the sink holds a copy, executable.
		 */
		const void *from = (void *)(unsigned long)(vcpu->vmm->ept.ops.direct_map + page);

		__builtin_memcpy((u8 *)vcpu->sink + slot * PAGE_SIZE, from, PAGE_SIZE);
		*leaf = sink_pa | HVT_EPT_RWX | (restore & ~HVT_EPT_ADDR_MASK & ~HVT_EPT_RWX);
	} else {
		*leaf = HVT_SINK_ENTRY(sink_pa);
	}
	hvt_invept_all();
	if (!vcpu->stepping) {
		unsigned long rflags = hvt_vmreadnl(GUEST_RFLAGS);

		vcpu->stepping = true;
		vcpu->step_saved_tf = rflags & HVT_RFLAGS_TF;
		hvt_vmwritenl(GUEST_RFLAGS, rflags | HVT_RFLAGS_TF);
		if (rflags & X86_EFLAGS_IF)
			hvt_vmwrite32(GUEST_INTERRUPTIBILITY_INFO,
				      hvt_vmread32(GUEST_INTERRUPTIBILITY_INFO) |
				      GUEST_INTR_STATE_STI);
		hvt_vmwrite32(EXCEPTION_BITMAP, BIT(HVT_X86_DB));
	}
	return HVT_RESUME;
}

/*
 * The step is over: the hidden pages read as zeros again. A leaf that no
 * longer maps the sink was given back meanwhile (the frame released on
 * another CPU) and stays as it is now.
 */
static HVT_ROOT void hvt_end_hidden_write(struct hvt_cpu *vcpu)
{
	const struct hvt_ept *ept = &vcpu->vmm->ept;
	struct hvt_trust *trust = vcpu->vmm->trust;
	unsigned int slot;

	hvt_root_lock(&trust->lock);
	for (slot = 0; slot < HVT_SINK_SLOTS; slot++) {
		u64 sink_pa = vcpu->sink_pa + slot * PAGE_SIZE, *leaf;

		if (!vcpu->sink_gpa[slot])
			continue;
		leaf = hvt_ept_leaf_4k(ept, vcpu->sink_gpa[slot]);
		if (leaf && (*leaf & HVT_EPT_ADDR_MASK) == sink_pa)
			*leaf = vcpu->sink_restore[slot];
		vcpu->sink_gpa[slot] = 0;
	}
	hvt_root_unlock(&trust->lock);
	/*
	 * Only this CPU flushes: another that cached the sink mapping meanwhile
	 * reaches a scratch page that holds nothing of the hypervisor's.
	 */
	hvt_invept_all();
	__builtin_memset(vcpu->sink, 0, HVT_SINK_SLOTS * PAGE_SIZE);
}

/*
 * #DB exits only while stepping over a hidden write. A single-step trap
 * (BS) ends the step; any other #DB, and the guest's own single-step, are
 * handed back to the guest as pending debug exceptions.
 */
static HVT_ROOT enum hvt_exit_action hvt_exit_debug(struct hvt_cpu *vcpu,
						    const struct hvt_exit *exit)
{
	unsigned long rflags = hvt_vmreadnl(GUEST_RFLAGS);
	u64 pending = exit->qualification & (GENMASK_ULL(3, 0) | HVT_PENDING_DBG_BS);

	if (vcpu->stepping && (exit->qualification & HVT_PENDING_DBG_BS)) {
		hvt_end_hidden_write(vcpu);
		vcpu->stepping = false;
		hvt_vmwrite32(EXCEPTION_BITMAP, 0);
		if (!vcpu->step_saved_tf) {
			hvt_vmwritenl(GUEST_RFLAGS, rflags & ~HVT_RFLAGS_TF);
			pending &= ~HVT_PENDING_DBG_BS;
		}
	}
	if (pending)
		hvt_vmwritenl(GUEST_PENDING_DBG_EXCEPTIONS,
			      hvt_vmreadnl(GUEST_PENDING_DBG_EXCEPTIONS) | pending);
	return HVT_RESUME;
}

static HVT_ROOT bool hvt_is_code_page(const struct hvt_vmm *vmm, u64 page)
{
	unsigned int i;

	for (i = 0; i < vmm->code_pages; i++)
		if (vmm->code_pa[i] == page)
			return true;
	return false;
}

static HVT_ROOT enum hvt_exit_action hvt_ept_violation_locked(struct hvt_cpu *vcpu,
							      struct hvt_guest_regs *regs,
							      const struct hvt_exit *exit)
{
	u64 gpa = hvt_vmread64(GUEST_PHYSICAL_ADDRESS);
	u64 page = gpa & HVT_EPT_ADDR_MASK;
	u64 *leaf = hvt_ept_leaf_4k(&vcpu->vmm->ept, page);
	u64 mapped = leaf ? *leaf & HVT_EPT_ADDR_MASK : 0;
	u64 restore = 0;

	if (leaf && (mapped == vcpu->vmm->zero_page_pa ||
		     (mapped >= vcpu->sink_pa &&
		      mapped < vcpu->sink_pa + HVT_SINK_SLOTS * PAGE_SIZE))) {
		u64 rip = hvt_vmreadnl(GUEST_RIP);
		u64 gla = hvt_vmreadnl(GUEST_LINEAR_ADDRESS);

		if (exit->qualification & HVT_EPT_QUAL_WRITE) {
			hvt_log(vcpu, HVT_LOG_HIDDEN_WRITE, gpa, rip, gla, exit->cpl);
			return hvt_hidden_write(vcpu, leaf, page,
						hvt_ept_hidden_entry(vcpu->vmm->zero_page_pa),
						false);
		}
		/* Only a fetch can fault on a readable page: no code lives there. */
		hvt_log(vcpu, HVT_LOG_HIDDEN_FETCH, gpa, rip, gla, exit->qualification);
		return hvt_inject_ud();
	}
	switch (hvt_session_ept_violation(vcpu, gpa, exit->qualification & HVT_EPT_QUAL_WRITE,
					  &restore)) {
	case HVT_VIOLATION_RESUME:
		return HVT_RESUME;
	case HVT_VIOLATION_DROP_WRITE:
		if (leaf)
			return hvt_hidden_write(vcpu, leaf, page, restore, true);
		break;
	}
	/* The code VMX root runs: a guest that patches it would own root. */
	if (leaf && (exit->qualification & HVT_EPT_QUAL_WRITE) &&
	    hvt_is_code_page(vcpu->vmm, page)) {
		hvt_log(vcpu, HVT_LOG_CODE_WRITE, gpa, hvt_vmreadnl(GUEST_RIP),
			hvt_vmreadnl(GUEST_LINEAR_ADDRESS), exit->cpl);
		return hvt_hidden_write(vcpu, leaf, page, *leaf, true);
	}
	hvt_log(vcpu, HVT_LOG_EPT_VIOLATION, hvt_vmread64(GUEST_PHYSICAL_ADDRESS),
		exit->qualification, hvt_vmreadnl(GUEST_RIP),
		hvt_vmreadnl(GUEST_LINEAR_ADDRESS));
	hvt_log_vmcs(vcpu, regs);
	return HVT_STOP;
}

/*
 * Merges (hvt_pool_fold()) give EPT tables back for reuse on any CPU: a
 * leaf found here stays a leaf of this page only while the service's lock
 * is held, as every walk of EPT in root does.
 */
static HVT_ROOT enum hvt_exit_action hvt_exit_ept_violation(struct hvt_cpu *vcpu,
							    struct hvt_guest_regs *regs,
							    const struct hvt_exit *exit)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	enum hvt_exit_action action;

	hvt_root_lock(&trust->lock);
	action = hvt_ept_violation_locked(vcpu, regs, exit);
	hvt_root_unlock(&trust->lock);
	return action;
}

static HVT_ROOT enum hvt_exit_action hvt_exit_nmi(struct hvt_cpu *vcpu,
						  struct hvt_guest_regs *regs,
						  const struct hvt_exit *exit)
{
	u32 info = hvt_vmread32(VM_EXIT_INTR_INFO);

	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR) {
		if (!hvt_flush_nmi_taken(vcpu))
			vcpu->pending_nmis++;
		/*
		 * The exit left NMIs blocked. VM entry with virtual NMIs should
		 * unblock them, but not every implementation does (Bochs 2.7
		 * waits for an IRET in root); an IRET now takes a latched NMI
		 * through the host IDT, counted for hvt_deliver_nmis().
		 */
		iret_to_self();
		return HVT_RESUME;
	}
	if ((info & INTR_INFO_VECTOR_MASK) == HVT_X86_DB)
		return hvt_exit_debug(vcpu, exit);
	/* The exception bitmap holds #DB at most: no other exception exits. */
	hvt_log(vcpu, HVT_LOG_UNEXPECTED_EXIT, exit->reason, info,
		hvt_vmreadnl(GUEST_RIP), exit->cpl);
	return HVT_STOP;
}

static HVT_ROOT enum hvt_exit_action hvt_exit_preemption_timer(struct hvt_cpu *vcpu,
							       struct hvt_guest_regs *regs,
							       const struct hvt_exit *exit)
{
	hvt_check_slice(vcpu);
	return HVT_RESUME;
}

static const hvt_exit_handler_t hvt_exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI] = hvt_exit_nmi,
	[EXIT_REASON_TRIPLE_FAULT] = hvt_exit_triple_fault,
	[EXIT_REASON_INIT_SIGNAL] = hvt_exit_init,
	[EXIT_REASON_NMI_WINDOW] = hvt_exit_nmi_window,
	[EXIT_REASON_CPUID] = hvt_exit_cpuid,
	[HVT_EXIT_REASON_GETSEC] = hvt_exit_undefined,
	[EXIT_REASON_INVD] = hvt_exit_invd,
	[EXIT_REASON_VMCALL] = hvt_exit_vmcall,
	[EXIT_REASON_VMCLEAR] = hvt_exit_undefined,
	[EXIT_REASON_VMLAUNCH] = hvt_exit_undefined,
	[EXIT_REASON_VMPTRLD] = hvt_exit_undefined,
	[EXIT_REASON_VMPTRST] = hvt_exit_undefined,
	[EXIT_REASON_VMREAD] = hvt_exit_undefined,
	[EXIT_REASON_VMRESUME] = hvt_exit_undefined,
	[EXIT_REASON_VMWRITE] = hvt_exit_undefined,
	[EXIT_REASON_VMOFF] = hvt_exit_undefined,
	[EXIT_REASON_VMON] = hvt_exit_undefined,
	[EXIT_REASON_CR_ACCESS] = hvt_exit_cr_access,
	[EXIT_REASON_MSR_READ] = hvt_exit_msr_read,
	[EXIT_REASON_MSR_WRITE] = hvt_exit_msr_write,
	[EXIT_REASON_EPT_VIOLATION] = hvt_exit_ept_violation,
	[EXIT_REASON_INVEPT] = hvt_exit_undefined,
	[EXIT_REASON_INVVPID] = hvt_exit_undefined,
	[EXIT_REASON_XSETBV] = hvt_exit_xsetbv,
	[EXIT_REASON_PREEMPTION_TIMER] = hvt_exit_preemption_timer,
};

static HVT_ROOT void hvt_advance_rip(const struct hvt_exit *exit)
{
	unsigned long rflags = hvt_vmreadnl(GUEST_RFLAGS);
	u32 interruptibility = hvt_vmread32(GUEST_INTERRUPTIBILITY_INFO);

	hvt_vmwritenl(GUEST_RIP, hvt_vmreadnl(GUEST_RIP) + exit->instruction_len);
	if (interruptibility & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		hvt_vmwrite32(GUEST_INTERRUPTIBILITY_INFO, interruptibility &
			      ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	/* A single-stepping guest gets its #DB after the emulated instruction. */
	if (rflags & HVT_RFLAGS_TF)
		hvt_vmwritenl(GUEST_PENDING_DBG_EXCEPTIONS,
			      hvt_vmreadnl(GUEST_PENDING_DBG_EXCEPTIONS) |
			      HVT_PENDING_DBG_BS);
}

/* NMIs go in one at a time, when the guest does not block them. */
static HVT_ROOT void hvt_deliver_nmis(struct hvt_cpu *vcpu)
{
	u32 procbased = hvt_vmread32(CPU_BASED_VM_EXEC_CONTROL);
	u32 root_nmis = xchg(&vcpu->root_nmis, 0);

	/* NMIs taken in VMX root may have been flush requests too. */
	while (root_nmis && hvt_flush_nmi_taken(vcpu))
		root_nmis--;
	vcpu->pending_nmis += root_nmis;
	if (!vcpu->pending_nmis) {
		if (procbased & CPU_BASED_NMI_WINDOW_EXITING)
			hvt_vmwrite32(CPU_BASED_VM_EXEC_CONTROL,
				      procbased & ~CPU_BASED_NMI_WINDOW_EXITING);
		return;
	}
	if (!(hvt_vmread32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK) &&
	    !(hvt_vmread32(GUEST_INTERRUPTIBILITY_INFO) &
	      (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))) {
		hvt_inject(NMI_VECTOR, INTR_TYPE_NMI_INTR, false);
		vcpu->pending_nmis--;
	}
	if (vcpu->pending_nmis)
		procbased |= CPU_BASED_NMI_WINDOW_EXITING;
	else
		procbased &= ~CPU_BASED_NMI_WINDOW_EXITING;
	hvt_vmwrite32(CPU_BASED_VM_EXEC_CONTROL, procbased);
}

/*
 * What the hypervisor cannot handle stops the CPU in root for good, with
 * interrupts off (NMIs meet the host IDT and return here). Leaving VMX
 * instead would give the CPU back with every hidden page in reach through
 * Linux's direct map: a way for the guest kernel to switch root off. Other
 * CPUs stop sending it flushes; Linux on them sees a CPU that went silent.
 */
static HVT_ROOT void __noreturn hvt_stop_cpu(struct hvt_cpu *vcpu)
{
	WRITE_ONCE(vcpu->in_vmx, false);
	hvt_log(vcpu, HVT_LOG_STOPPED, hvt_vmreadnl(GUEST_RIP), 0, 0, 0);
	for (;;)
		asm volatile("cli; hlt" : : : "memory");
}

static HVT_ROOT enum hvt_exit_action hvt_unexpected_exit(struct hvt_cpu *vcpu,
							 const struct hvt_guest_regs *regs,
							 const struct hvt_exit *exit)
{
	hvt_log(vcpu, HVT_LOG_UNEXPECTED_EXIT, exit->reason, exit->qualification,
		hvt_vmreadnl(GUEST_RIP), exit->cpl);
	hvt_log_vmcs(vcpu, regs);
	return HVT_STOP;
}

/* wrmsrl() without the paravirt call and the tracepoint. */
static __always_inline void hvt_write_spec_ctrl(u64 value)
{
	__wrmsr(MSR_IA32_SPEC_CTRL, (u32)value, (u32)(value >> 32));
}

static HVT_ROOT bool hvt_handle_exit(struct hvt_guest_regs *regs, struct hvt_cpu *vcpu)
{
	u32 full_reason = hvt_vmread32(VM_EXIT_REASON);
	struct hvt_exit exit = {
		.reason = full_reason & 0xffff,
		.qualification = hvt_vmreadnl(EXIT_QUALIFICATION),
		.instruction_len = hvt_vmread32(VM_EXIT_INSTRUCTION_LEN),
		.cpl = (hvt_vmread32(GUEST_SS_AR_BYTES) >> 5) & 3,
	};
	enum hvt_exit_action action;
	unsigned int index;

	/* The first exit after launch: from now on NMIs meet the host IDT. */
	if (unlikely(!vcpu->in_vmx)) {
		WRITE_ONCE(vcpu->in_vmx, true);
		WRITE_ONCE(vcpu->launching, false);
	}
	WRITE_ONCE(vcpu->in_root, true);
	if (exit.reason < HVT_EXIT_REASONS)
		vcpu->exits[array_index_nospec(exit.reason, HVT_EXIT_REASONS)]++;
	hvt_flush_sync(vcpu);

	if (full_reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		hvt_log(vcpu, HVT_LOG_FAILED_ENTRY, full_reason, exit.qualification,
			hvt_vmread32(VM_INSTRUCTION_ERROR), 0);
		hvt_log_vmcs(vcpu, regs);
		action = HVT_STOP;
	} else if (exit.reason >= ARRAY_SIZE(hvt_exit_handlers)) {
		action = hvt_unexpected_exit(vcpu, regs, &exit);
	} else {
		index = array_index_nospec(exit.reason, ARRAY_SIZE(hvt_exit_handlers));
		if (hvt_exit_handlers[index])
			action = hvt_exit_handlers[index](vcpu, regs, &exit);
		else
			action = hvt_unexpected_exit(vcpu, regs, &exit);
	}

	if (action == HVT_ADVANCE || action == HVT_ADVANCE_AND_LEAVE)
		hvt_advance_rip(&exit);
	if (action == HVT_ADVANCE_AND_LEAVE)
		action = HVT_LEAVE;
	if (hvt_flush_others(vcpu))
		hvt_log(vcpu, HVT_LOG_FLUSH_UNCONFIRMED, exit.reason,
			hvt_vmreadnl(GUEST_RIP), 0, 0);
	/* Another CPU may have changed EPT while this one was in root. */
	hvt_flush_leave_root(vcpu);
	if (action != HVT_LEAVE) {
		hvt_check_timer_update(vcpu);
		hvt_deliver_nmis(vcpu);
	}
	if (vcpu->vmwrite_failed_field) {
		hvt_log(vcpu, HVT_LOG_VMWRITE_FAILED, vcpu->vmwrite_failed_field, 0,
			hvt_vmread32(VM_INSTRUCTION_ERROR), 0);
		action = HVT_STOP;
	}
	if (action == HVT_STOP)
		hvt_stop_cpu(vcpu);
	if (action == HVT_LEAVE) {
		hvt_prepare_leave(vcpu);
		return false;
	}
	return true;
}

/**
 * hvt_vmexit_handler() - handle one VM exit
 * @regs: the guest's registers, saved by the exit entry
 * @vcpu: the CPU's state
 *
 * Where Linux relies on IBRS in kernel mode, root sets it first, since the
 * exit may come from user mode, where Linux clears it, and gives the guest
 * its own value back last. The guest's value stays in the MSR across VM
 * entry and exit: VMX switches nothing of it.
 *
 * Return: true to resume the guest, false to leave VMX (the iret frame on
 * the host stack has been prepared).
 */
HVT_ROOT bool hvt_vmexit_handler(struct hvt_guest_regs *regs, struct hvt_cpu *vcpu)
{
	bool set_ibrs = false;
	u64 guest_spec_ctrl;
	bool resume;

	if (vcpu->vmm->config.root_ibrs) {
		guest_spec_ctrl = __rdmsr(MSR_IA32_SPEC_CTRL);
		set_ibrs = !(guest_spec_ctrl & SPEC_CTRL_IBRS);
		if (set_ibrs)
			hvt_write_spec_ctrl(guest_spec_ctrl | SPEC_CTRL_IBRS);
	}
	resume = hvt_handle_exit(regs, vcpu);
	if (set_ibrs)
		hvt_write_spec_ctrl(guest_spec_ctrl);
	return resume;
}

/* VMRESUME itself failed: report and stop the CPU (called from the exit entry). */
HVT_ROOT void hvt_vmresume_failed(struct hvt_guest_regs *regs, struct hvt_cpu *vcpu)
{
	hvt_log(vcpu, HVT_LOG_FAILED_ENTRY, 0, 0, hvt_vmread32(VM_INSTRUCTION_ERROR), 1);
	hvt_log_vmcs(vcpu, regs);
	hvt_stop_cpu(vcpu);
}
