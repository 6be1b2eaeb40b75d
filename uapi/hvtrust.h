/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* hvtrust user ABI: the /dev/hvtrust ioctls and the hypercall numbers. */
/* Context: shared by the kernel module, VMX-root code and user space. */
#ifndef _UAPI_HVTRUST_H
#define _UAPI_HVTRUST_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped on any incompatible change of the ioctl or hypercall ABI. */
#define HVTRUST_ABI_VERSION	1

#define HVTRUST_DEVICE_NAME	"hvtrust"
#define HVTRUST_IOCTL_TYPE	0xe7

/* Bits of hvtrust_caps.flags */
#define HVTRUST_CAPS_TRUE_CTLS	0x1U /* TRUE_* control MSRs were used */
#define HVTRUST_CAPS_UNIFORM	0x2U /* every online CPU reported the same */

/**
 * struct hvtrust_caps - VMX capabilities as the module read them
 * @size: in: sizeof(struct hvtrust_caps) as the caller knows it; the module
 *        writes at most that many bytes and never less than the v1 size
 * @flags: out: HVTRUST_CAPS_* bits
 * @abi_version: out: HVTRUST_ABI_VERSION of the module
 * @nr_cpus: out: number of online CPUs whose MSRs were compared
 * @feature_control: out: IA32_FEATURE_CONTROL (MSR 0x3a)
 * @vmx_basic: out: IA32_VMX_BASIC (MSR 0x480)
 * @pinbased_ctls: out: pin-based controls capability MSR, TRUE_ variant
 *                 when @flags has HVTRUST_CAPS_TRUE_CTLS
 * @procbased_ctls: out: primary processor-based controls capability MSR
 * @exit_ctls: out: VM-exit controls capability MSR
 * @entry_ctls: out: VM-entry controls capability MSR
 * @procbased_ctls2: out: IA32_VMX_PROCBASED_CTLS2 (MSR 0x48b)
 * @ept_vpid_cap: out: IA32_VMX_EPT_VPID_CAP (MSR 0x48c)
 * @misc: out: IA32_VMX_MISC (MSR 0x485)
 * @cr0_fixed0: out: IA32_VMX_CR0_FIXED0
 * @cr0_fixed1: out: IA32_VMX_CR0_FIXED1
 * @cr4_fixed0: out: IA32_VMX_CR4_FIXED0
 * @cr4_fixed1: out: IA32_VMX_CR4_FIXED1
 * @vmfunc: out: IA32_VMX_VMFUNC (MSR 0x491), 0 when not reported
 * @pinbased_exec: out: pin-based controls the hypervisor will program
 * @procbased_exec: out: primary processor-based controls it will program
 * @procbased_exec2: out: secondary processor-based controls it will program
 * @exit_controls: out: VM-exit controls it will program
 * @entry_controls: out: VM-entry controls it will program
 * @reserved: out: zero
 *
 * Each control value above was computed from its capability MSR: every
 * allowed-0 bit set, every bit the hypervisor needs set, optional bits set
 * only where the allowed-1 half permits them.
 */
struct hvtrust_caps {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 nr_cpus;
	__aligned_u64 feature_control;
	__aligned_u64 vmx_basic;
	__aligned_u64 pinbased_ctls;
	__aligned_u64 procbased_ctls;
	__aligned_u64 exit_ctls;
	__aligned_u64 entry_ctls;
	__aligned_u64 procbased_ctls2;
	__aligned_u64 ept_vpid_cap;
	__aligned_u64 misc;
	__aligned_u64 cr0_fixed0;
	__aligned_u64 cr0_fixed1;
	__aligned_u64 cr4_fixed0;
	__aligned_u64 cr4_fixed1;
	__aligned_u64 vmfunc;
	__u32 pinbased_exec;
	__u32 procbased_exec;
	__u32 procbased_exec2;
	__u32 exit_controls;
	__u32 entry_controls;
	__u32 reserved;
};

#define HVTRUST_CAPS_SIZE_V1	sizeof(struct hvtrust_caps)

/* Read the VMX capabilities; the argument is a struct hvtrust_caps. */
#define HVTRUST_IOC_GET_CAPS	_IO(HVTRUST_IOCTL_TYPE, 0x00)

/* Bits of hvtrust_status.flags */
#define HVTRUST_STATUS_VIRTUALIZED	0x1U	/* the hypervisor runs */

/**
 * struct hvtrust_status - the state of the hypervisor
 * @size: in: sizeof(struct hvtrust_status) as the caller knows it
 * @flags: out: HVTRUST_STATUS_* bits
 * @cpus_online: out: online CPUs
 * @cpus_virtualized: out: CPUs that run as guests of the hypervisor
 * @hidden_pages: out: 4 KiB pages of hypervisor memory the guest cannot see
 * @state_pa: out: physical address of the hypervisor's own state, one of
 *            the hidden pages (for audits: the guest reads zeros there)
 * @launches: out: CPU launches since the module loaded (hotplug, resume)
 */
struct hvtrust_status {
	__u32 size;
	__u32 flags;
	__u32 cpus_online;
	__u32 cpus_virtualized;
	__aligned_u64 hidden_pages;
	__aligned_u64 state_pa;
	__aligned_u64 launches;
};

#define HVTRUST_STATUS_SIZE_V1	sizeof(struct hvtrust_status)

/* Read the hypervisor's state; the argument is a struct hvtrust_status. */
#define HVTRUST_IOC_GET_STATUS	_IO(HVTRUST_IOCTL_TYPE, 0x01)

#define HVTRUST_EXIT_REASONS	80

/**
 * struct hvtrust_exits - VM exits of one CPU by basic exit reason
 * @size: in: sizeof(struct hvtrust_exits) as the caller knows it
 * @cpu: in: the CPU
 * @reserved: in: zero
 * @counts: out: exits since the CPU was virtualized, indexed by the basic
 *          exit reason of the SDM (Vol. 3D, appendix C)
 */
struct hvtrust_exits {
	__u32 size;
	__u32 cpu;
	__aligned_u64 reserved;
	__aligned_u64 counts[HVTRUST_EXIT_REASONS];
};

#define HVTRUST_EXITS_SIZE_V1	sizeof(struct hvtrust_exits)

/*
 * Read the exit counters of one CPU; the argument is a struct hvtrust_exits.
 * -EINVAL for a CPU that does not exist, -ENODEV for one not virtualized.
 */
#define HVTRUST_IOC_GET_EXITS	_IO(HVTRUST_IOCTL_TYPE, 0x02)

/*
 * Hypercalls: VMCALL with the call number in RAX and arguments in RBX, RCX,
 * RDX and RSI; the result comes back in RAX, a negative errno on failure.
 */
#define HVTRUST_HC_PING		0x0	/* returns HVTRUST_HC_PING_REPLY */
#define HVTRUST_HC_VERSION	0x1	/* returns HVTRUST_ABI_VERSION */
/* Kernel-only calls: CPL 0 and the module's credential in RBX. */
#define HVTRUST_HC_KERNEL_BASE	0x100
#define HVTRUST_HC_DEVIRTUALIZE	0x100	/* leave VMX on this CPU */
#define HVTRUST_HC_EXIT_COUNT	0x101	/* RCX: basic exit reason; count on this CPU */

#define HVTRUST_HC_PING_REPLY	0x6876747275737421ULL	/* "hvtrust!" */

/* CPUID leaves of the hypervisor (EBX:ECX:EDX of 0x40000000 spell "hvtrust"). */
#define HVTRUST_CPUID_SIGNATURE	0x40000000
#define HVTRUST_CPUID_VERSION	0x40000001

#endif /* _UAPI_HVTRUST_H */
