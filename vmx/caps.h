/* SPDX-License-Identifier: GPL-2.0 */
/* VMX capabilities of the CPUs and the control values derived from them. */
/* Context: process context, before launch. */
#ifndef HVT_VMX_CAPS_H
#define HVT_VMX_CAPS_H

#include <linux/types.h>
#include <asm/vmx.h>

/**
 * struct hvt_vmx_caps - one CPU's VMX capability MSRs
 * @feature_control: IA32_FEATURE_CONTROL
 * @basic: IA32_VMX_BASIC
 * @pinbased: pin-based capability (TRUE_ variant when @true_ctls)
 * @procbased: primary processor-based capability
 * @exit: VM-exit capability
 * @entry: VM-entry capability
 * @procbased2: secondary processor-based capability, 0 when absent
 * @ept_vpid: IA32_VMX_EPT_VPID_CAP, 0 when absent
 * @misc: IA32_VMX_MISC
 * @cr0_fixed0: IA32_VMX_CR0_FIXED0
 * @cr0_fixed1: IA32_VMX_CR0_FIXED1
 * @cr4_fixed0: IA32_VMX_CR4_FIXED0
 * @cr4_fixed1: IA32_VMX_CR4_FIXED1
 * @vmfunc: IA32_VMX_VMFUNC, 0 when absent
 * @true_ctls: VMX_BASIC bit 55 was set and the TRUE_ MSRs were read
 * @read_error: MSR that could not be read, 0 when all were
 */
struct hvt_vmx_caps {
	u64 feature_control;
	u64 basic;
	u64 pinbased;
	u64 procbased;
	u64 exit;
	u64 entry;
	u64 procbased2;
	u64 ept_vpid;
	u64 misc;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u64 vmfunc;
	bool true_ctls;
	u32 read_error;
};

/**
 * struct hvt_vmx_config - what the hypervisor will program on every CPU
 * @caps: the capabilities, identical on every online CPU
 * @nr_cpus: how many CPUs were compared
 * @pinbased: pin-based VM-execution controls
 * @procbased: primary processor-based VM-execution controls
 * @procbased2: secondary processor-based VM-execution controls
 * @exit: VM-exit controls
 * @entry: VM-entry controls
 * @vmcs_revision: VMCS revision identifier from VMX_BASIC
 * @vmcs_size: bytes of the VMXON region and of the VMCS
 * @x2apic: the CPU has x2APIC mode, which the guest may switch its APIC to
 * @root_ibrs: Linux protects its own code with IBRS set on each kernel entry
 *             (X86_FEATURE_KERNEL_IBRS): root sets it on each VM exit too,
 *             which may come from user mode, where Linux clears it
 */
struct hvt_vmx_config {
	struct hvt_vmx_caps caps;
	unsigned int nr_cpus;
	u32 pinbased;
	u32 procbased;
	u32 procbased2;
	u32 exit;
	u32 entry;
	u32 vmcs_revision;
	u32 vmcs_size;
	bool x2apic;
	bool root_ibrs;
};

/*
 * What the capability MSRs allow, one predicate each (SDM Vol. 3D, A.1-A.10):
 * code asks these rather than test bits of struct hvt_vmx_caps itself.
 */

/* IA32_VMX_BASIC[44:32]: bytes of the VMXON region and of a VMCS. */
static inline u32 hvt_vmcs_size(const struct hvt_vmx_caps *caps)
{
	return (caps->basic >> 32) & 0x1fff;
}

/* IA32_VMX_BASIC[53:50]: the memory type VMX structures are accessed with. */
static inline bool hvt_cpu_has_vmcs_wb(const struct hvt_vmx_caps *caps)
{
	return ((caps->basic >> 50) & 0xf) == 6;
}

/* IA32_VMX_BASIC[48]: VMX structures limited to 32-bit physical addresses. */
static inline bool hvt_cpu_has_vmcs_32bit_only(const struct hvt_vmx_caps *caps)
{
	return caps->basic & BIT_ULL(48);
}

/* The VM-exit control that saves the VMX-preemption timer value may be 1. */
static inline bool hvt_cpu_has_save_preemption_timer(const struct hvt_vmx_caps *caps)
{
	return (caps->exit >> 32) & VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
}

/* IA32_VMX_MISC[4:0]: the timer counts down once every 2^N TSC ticks. */
static inline unsigned int hvt_preemption_timer_shift(const struct hvt_vmx_caps *caps)
{
	return caps->misc & 0x1f;
}

/* EPT maps 1 GiB pages. */
static inline bool hvt_cpu_has_ept_1g_pages(const struct hvt_vmx_caps *caps)
{
	return caps->ept_vpid & VMX_EPT_1GB_PAGE_BIT;
}

/* INVVPID with the all-context type, which is what VPID is flushed with. */
static inline bool hvt_cpu_has_invvpid_global(const struct hvt_vmx_caps *caps)
{
	return (caps->ept_vpid & ((u64)VMX_VPID_INVVPID_BIT << 32)) &&
	       (caps->ept_vpid & ((u64)VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT << 32));
}

int hvt_vmx_check_cpu(void);
int hvt_vmx_probe(struct hvt_vmx_config *cfg);

#endif /* HVT_VMX_CAPS_H */
