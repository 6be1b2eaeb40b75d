// SPDX-License-Identifier: GPL-2.0
/* Reads the VMX capability MSRs of every online CPU and derives the VMCS controls. */
/* Context: process context at module load (per-CPU reads run in IPI context). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/bits.h>
#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/stddef.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/vmx.h>

#include "caps.h"
#include "controls.h"

/* SDM Vol. 3D, A.1: fields of IA32_VMX_BASIC with no common kernel macro. */
#define HVT_BASIC_MEM_TYPE(basic)	(((basic) >> 50) & 0xf)
/* SDM Vol. 3C, 25.7.1 and 25.8.1: CET state controls, unnamed in older kernels. */
#define HVT_EXIT_LOAD_CET_STATE		BIT(28)
#define HVT_ENTRY_LOAD_CET_STATE	BIT(20)
#define HVT_CPUID1_ECX_VMX		BIT(5)
#define HVT_CPUID1_ECX_HYPERVISOR	BIT(31)

enum hvt_msr_presence {
	HVT_MSR_ALWAYS,
	HVT_MSR_IF_SECONDARY,
	HVT_MSR_IF_EPT_OR_VPID,
	HVT_MSR_IF_VMFUNC,
};

/**
 * struct hvt_caps_field - how one capability MSR is read and compared
 * @msr: the MSR
 * @true_msr: its TRUE_ variant, 0 when there is none
 * @offset: where it lives in struct hvt_vmx_caps
 * @presence: when the CPU implements it
 * @name: its SDM name, for messages
 */
struct hvt_caps_field {
	u32 msr;
	u32 true_msr;
	size_t offset;
	enum hvt_msr_presence presence;
	const char *name;
};

#define HVT_FIELD(m, t, f, p) \
	{ m, t, offsetof(struct hvt_vmx_caps, f), p, #m }

static const struct hvt_caps_field hvt_caps_fields[] = {
	HVT_FIELD(MSR_IA32_FEAT_CTL, 0, feature_control, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_BASIC, 0, basic, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS,
		  pinbased, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		  procbased, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS,
		  exit, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS,
		  entry, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_MISC, 0, misc, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_CR0_FIXED0, 0, cr0_fixed0, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_CR0_FIXED1, 0, cr0_fixed1, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_CR4_FIXED0, 0, cr4_fixed0, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_CR4_FIXED1, 0, cr4_fixed1, HVT_MSR_ALWAYS),
	HVT_FIELD(MSR_IA32_VMX_PROCBASED_CTLS2, 0, procbased2,
		  HVT_MSR_IF_SECONDARY),
	HVT_FIELD(MSR_IA32_VMX_EPT_VPID_CAP, 0, ept_vpid,
		  HVT_MSR_IF_EPT_OR_VPID),
	HVT_FIELD(MSR_IA32_VMX_VMFUNC, 0, vmfunc, HVT_MSR_IF_VMFUNC),
};

/**
 * struct hvt_cpu_probe - what one CPU reported
 * @caps: its capability MSRs
 * @cr4: its CR4 at the time
 */
struct hvt_cpu_probe {
	struct hvt_vmx_caps caps;
	unsigned long cr4;
};

static inline u64 *hvt_caps_slot(struct hvt_vmx_caps *caps,
				 const struct hvt_caps_field *field)
{
	return (u64 *)((u8 *)caps + field->offset);
}

static inline u64 hvt_caps_value(const struct hvt_vmx_caps *caps,
				 const struct hvt_caps_field *field)
{
	return *(const u64 *)((const u8 *)caps + field->offset);
}

static bool hvt_msr_present(const struct hvt_vmx_caps *caps,
			    enum hvt_msr_presence presence)
{
	u32 allowed2 = caps->procbased2 >> 32;

	switch (presence) {
	case HVT_MSR_ALWAYS:
		return true;
	case HVT_MSR_IF_SECONDARY:
		return (caps->procbased >> 32) &
		       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	case HVT_MSR_IF_EPT_OR_VPID:
		return allowed2 & (SECONDARY_EXEC_ENABLE_EPT |
				   SECONDARY_EXEC_ENABLE_VPID);
	case HVT_MSR_IF_VMFUNC:
		return allowed2 & SECONDARY_EXEC_ENABLE_VMFUNC;
	}
	return false;
}

static void hvt_probe_this_cpu(void *info)
{
	struct hvt_cpu_probe *probe = info;
	struct hvt_vmx_caps *caps;
	size_t i;

	probe += smp_processor_id();
	caps = &probe->caps;
	probe->cr4 = __read_cr4();

	/* VMX_BASIC comes first in the table after FEATURE_CONTROL and
	 * decides whether the TRUE_ MSRs exist for the entries that follow.
	 */
	for (i = 0; i < ARRAY_SIZE(hvt_caps_fields); i++) {
		const struct hvt_caps_field *field = &hvt_caps_fields[i];
		u32 msr = field->msr;

		if (!hvt_msr_present(caps, field->presence))
			continue;
		if (field->true_msr && caps->true_ctls)
			msr = field->true_msr;
		if (rdmsrl_safe(msr, hvt_caps_slot(caps, field))) {
			caps->read_error = msr;
			return;
		}
		if (field->msr == MSR_IA32_VMX_BASIC)
			caps->true_ctls = caps->basic & VMX_BASIC_TRUE_CTLS;
	}
}

static const char *hvt_vmx_owner(void)
{
	/* KVM is the usual owner; its core module exports kvm_init. */
	void *kvm_symbol = __symbol_get("kvm_init");

	if (kvm_symbol) {
		__symbol_put("kvm_init");
		return "KVM (kvm is loaded)";
	}
	return "another hypervisor (VirtualBox, VMware or similar)";
}

/*
 * KVM's vendor module fills kvm's static calls when it registers; kvm_intel
 * turns VMX on only when a VM starts (6.1) or at load (6.12), so CR4.VMXE
 * alone cannot tell whether KVM will want it later.
 */
static bool hvt_kvm_vendor_registered(void)
{
	const char *key_name = "__SCK__kvm_x86_cache_reg";
	void * const *key = __symbol_get(key_name);
	bool registered;

	if (!key)
		return false;
	registered = !!READ_ONCE(*key);
	__symbol_put(key_name);
	return registered;
}

/**
 * hvt_vmx_check_cpu() - refuse CPUs and configurations without usable VT-x
 *
 * Return: 0, -ENODEV when the CPU has no VT-x to offer, -EOPNOTSUPP when the
 * firmware switched it off, -EIO when IA32_FEATURE_CONTROL cannot be read,
 * -EBUSY when KVM owns VMX.
 */
int hvt_vmx_check_cpu(void)
{
	u32 eax, ebx, ecx, edx;
	char vendor[13];
	u64 feature_control;

	cpuid(0, &eax, &ebx, &ecx, &edx);
	memcpy(vendor, &ebx, 4);
	memcpy(vendor + 4, &edx, 4);
	memcpy(vendor + 8, &ecx, 4);
	vendor[12] = '\0';
	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL) {
		pr_err("CPU vendor is %s, not GenuineIntel: hvtrust needs Intel VT-x\n",
		       vendor);
		return -ENODEV;
	}

	ecx = cpuid_ecx(1);
	if (!(ecx & HVT_CPUID1_ECX_VMX)) {
		if (ecx & HVT_CPUID1_ECX_HYPERVISOR) {
			char signature[13];

			cpuid(0x40000000, &eax, &ebx, &ecx, &edx);
			memcpy(signature, &ebx, 4);
			memcpy(signature + 4, &ecx, 4);
			memcpy(signature + 8, &edx, 4);
			signature[12] = '\0';
			pr_err("Linux runs as a guest of hypervisor \"%s\", which offers no nested VMX\n",
			       signature);
		} else {
			pr_err("CPU has no VMX: CPUID.1:ECX bit 5 is clear\n");
		}
		return -ENODEV;
	}

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feature_control)) {
		pr_err("IA32_FEATURE_CONTROL (MSR 0x3a) cannot be read\n");
		return -EIO;
	}
	if (!(feature_control & FEAT_CTL_LOCKED)) {
		pr_err("IA32_FEATURE_CONTROL = %#llx is not locked: firmware left VMX unconfigured\n",
		       feature_control);
		return -EOPNOTSUPP;
	}
	if (!(feature_control & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is disabled by firmware: IA32_FEATURE_CONTROL = %#llx (locked, VMX outside SMX off)\n",
		       feature_control);
		return -EOPNOTSUPP;
	}
	if (hvt_kvm_vendor_registered()) {
		pr_err("VMX belongs to KVM: kvm_intel is (or was, while kvm stays) loaded; rmmod kvm_intel kvm first\n");
		return -EBUSY;
	}
	return 0;
}

/**
 * struct hvt_named_bit - a control bit the hypervisor cannot do without
 * @mask: the bit
 * @name: its SDM name
 */
struct hvt_named_bit {
	u32 mask;
	const char *name;
};

static const struct hvt_named_bit hvt_required_pinbased[] = {
	{ PIN_BASED_NMI_EXITING, "NMI exiting" },
	{ PIN_BASED_VIRTUAL_NMIS, "virtual NMIs" },
	{ }
};

static const struct hvt_named_bit hvt_required_procbased[] = {
	{ CPU_BASED_USE_MSR_BITMAPS, "use MSR bitmaps" },
	{ CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, "activate secondary controls" },
	{ }
};

static const struct hvt_named_bit hvt_required_procbased2[] = {
	{ SECONDARY_EXEC_ENABLE_EPT, "enable EPT" },
	{ }
};

static const struct hvt_named_bit hvt_required_exit[] = {
	{ VM_EXIT_HOST_ADDR_SPACE_SIZE, "host address-space size" },
	{ VM_EXIT_SAVE_IA32_PAT, "save IA32_PAT" },
	{ VM_EXIT_LOAD_IA32_PAT, "load IA32_PAT" },
	{ VM_EXIT_SAVE_IA32_EFER, "save IA32_EFER" },
	{ VM_EXIT_LOAD_IA32_EFER, "load IA32_EFER" },
	{ }
};

static const struct hvt_named_bit hvt_required_entry[] = {
	{ VM_ENTRY_IA32E_MODE, "IA-32e mode guest" },
	{ VM_ENTRY_LOAD_IA32_PAT, "load IA32_PAT" },
	{ VM_ENTRY_LOAD_IA32_EFER, "load IA32_EFER" },
	{ }
};

/*
 * Instructions the running kernel already uses fault with #UD in a guest
 * unless their enable bit is set, so every one the CPU offers is taken.
 */
#define HVT_OPTIONAL_PROCBASED2 (SECONDARY_EXEC_ENABLE_VPID |		\
				 SECONDARY_EXEC_ENABLE_RDTSCP |		\
				 SECONDARY_EXEC_ENABLE_INVPCID |	\
				 VMCS_CONTROL_BIT(XSAVES) |		\
				 SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE)

static const struct hvt_named_bit hvt_required_ept[] = {
	{ VMX_EPT_PAGE_WALK_4_BIT, "4-level EPT page walk" },
	{ VMX_EPTP_WB_BIT, "write-back EPT paging structures" },
	{ VMX_EPT_INVEPT_BIT, "INVEPT" },
	{ VMX_EPT_EXTENT_GLOBAL_BIT, "all-context INVEPT" },
	{ }
};

static int hvt_adjust(const char *what, u32 msr, u64 cap,
		      const struct hvt_named_bit *required, u32 optional,
		      u32 *value)
{
	const struct hvt_named_bit *bit;
	struct hvt_ctl_result res;
	u32 mask = 0;

	for (bit = required; bit->name; bit++)
		mask |= bit->mask;
	if (!hvt_adjust_controls(cap, mask, optional, &res)) {
		*value = res.value;
		return 0;
	}
	for (bit = required; bit->name; bit++) {
		if (bit->mask & res.missing) {
			pr_err("CPU lacks the required %s control \"%s\" (bit %u): MSR %#x = %#llx\n",
			       what, bit->name, (unsigned int)__ffs(bit->mask), msr, cap);
			return -EIO;
		}
	}
	pr_err("%s controls: MSR %#x = %#llx forces to 1 bits %#x that it does not allow\n",
	       what, msr, cap, res.missing);
	return -EIO;
}

static u32 hvt_ctl_msr(const struct hvt_vmx_caps *caps, u32 msr, u32 true_msr)
{
	return caps->true_ctls ? true_msr : msr;
}

static int hvt_build_config(struct hvt_vmx_config *cfg)
{
	const struct hvt_vmx_caps *caps = &cfg->caps;
	const struct hvt_named_bit *bit;
	int err;

	if (hvt_vmcs_size(caps) > PAGE_SIZE || !hvt_vmcs_size(caps)) {
		pr_err("VMCS size %u in IA32_VMX_BASIC = %#llx does not fit a page\n",
		       hvt_vmcs_size(caps), caps->basic);
		return -EIO;
	}
	if (!hvt_cpu_has_vmcs_wb(caps)) {
		pr_err("VMCS memory type %llu in IA32_VMX_BASIC = %#llx is not write-back\n",
		       HVT_BASIC_MEM_TYPE(caps->basic), caps->basic);
		return -EIO;
	}
	if (hvt_cpu_has_vmcs_32bit_only(caps)) {
		pr_err("IA32_VMX_BASIC = %#llx limits VMX structures to 32-bit addresses\n",
		       caps->basic);
		return -EIO;
	}
	cfg->vmcs_revision = caps->basic & 0x7fffffff;
	cfg->vmcs_size = hvt_vmcs_size(caps);
	cfg->x2apic = boot_cpu_has(X86_FEATURE_X2APIC);
	cfg->root_ibrs = boot_cpu_has(X86_FEATURE_KERNEL_IBRS);

	err = hvt_adjust("pin-based",
			 hvt_ctl_msr(caps, MSR_IA32_VMX_PINBASED_CTLS,
				     MSR_IA32_VMX_TRUE_PINBASED_CTLS),
			 caps->pinbased, hvt_required_pinbased,
			 PIN_BASED_VMX_PREEMPTION_TIMER, &cfg->pinbased);
	if (err)
		return err;
	err = hvt_adjust("primary processor-based",
			 hvt_ctl_msr(caps, MSR_IA32_VMX_PROCBASED_CTLS,
				     MSR_IA32_VMX_TRUE_PROCBASED_CTLS),
			 caps->procbased, hvt_required_procbased, 0,
			 &cfg->procbased);
	if (err)
		return err;
	err = hvt_adjust("secondary processor-based",
			 MSR_IA32_VMX_PROCBASED_CTLS2, caps->procbased2,
			 hvt_required_procbased2, HVT_OPTIONAL_PROCBASED2,
			 &cfg->procbased2);
	if (err)
		return err;
	err = hvt_adjust("VM-exit",
			 hvt_ctl_msr(caps, MSR_IA32_VMX_EXIT_CTLS,
				     MSR_IA32_VMX_TRUE_EXIT_CTLS),
			 caps->exit, hvt_required_exit, HVT_EXIT_LOAD_CET_STATE,
			 &cfg->exit);
	if (err)
		return err;
	err = hvt_adjust("VM-entry",
			 hvt_ctl_msr(caps, MSR_IA32_VMX_ENTRY_CTLS,
				     MSR_IA32_VMX_TRUE_ENTRY_CTLS),
			 caps->entry, hvt_required_entry,
			 HVT_ENTRY_LOAD_CET_STATE, &cfg->entry);
	if (err)
		return err;
	/* CET state is loaded on both edges or on neither. */
	if (!(cfg->exit & HVT_EXIT_LOAD_CET_STATE) ||
	    !(cfg->entry & HVT_ENTRY_LOAD_CET_STATE)) {
		cfg->exit &= ~HVT_EXIT_LOAD_CET_STATE;
		cfg->entry &= ~HVT_ENTRY_LOAD_CET_STATE;
	}

	for (bit = hvt_required_ept; bit->name; bit++) {
		if (!(caps->ept_vpid & bit->mask)) {
			pr_err("CPU lacks the required EPT capability \"%s\" (bit %u): IA32_VMX_EPT_VPID_CAP = %#llx\n",
			       bit->name, (unsigned int)__ffs64(bit->mask),
			       caps->ept_vpid);
			return -EIO;
		}
	}
	/* VPID is only worth having with an all-context INVVPID to flush it. */
	if (!hvt_cpu_has_invvpid_global(caps))
		cfg->procbased2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	return 0;
}

static int hvt_compare_cpus(const struct hvt_cpu_probe *probe, int first,
			    int cpu)
{
	const struct hvt_vmx_caps *a = &probe[first].caps;
	const struct hvt_vmx_caps *b = &probe[cpu].caps;
	size_t i;

	if (a->true_ctls != b->true_ctls) {
		pr_err("CPU %d and CPU %d disagree on TRUE_* control MSRs\n",
		       first, cpu);
		return -EIO;
	}
	for (i = 0; i < ARRAY_SIZE(hvt_caps_fields); i++) {
		const struct hvt_caps_field *field = &hvt_caps_fields[i];
		u64 va = hvt_caps_value(a, field);
		u64 vb = hvt_caps_value(b, field);

		if (va != vb) {
			pr_err("CPU %d reports %s = %#llx but CPU %d reports %#llx: hvtrust needs identical CPUs\n",
			       cpu, field->name, vb, first, va);
			return -EIO;
		}
	}
	return 0;
}

/**
 * hvt_vmx_probe() - read and cross-check every online CPU, derive controls
 * @cfg: filled with the capabilities and the controls to program
 *
 * Return: 0; -EBUSY when another hypervisor owns VMX on some CPU; -EIO when a
 * capability MSR cannot be read, CPUs differ or a required feature is missing;
 * -ENOMEM.
 */
int hvt_vmx_probe(struct hvt_vmx_config *cfg)
{
	struct hvt_cpu_probe *probe;
	int cpu, first = -1, err = 0;

	probe = kcalloc(nr_cpu_ids, sizeof(*probe), GFP_KERNEL);
	if (!probe)
		return -ENOMEM;

	cpus_read_lock();
	on_each_cpu(hvt_probe_this_cpu, probe, 1);
	cfg->nr_cpus = 0;
	for_each_online_cpu(cpu) {
		if (probe[cpu].cr4 & X86_CR4_VMXE) {
			pr_err("VMX is already in use on CPU %d (CR4.VMXE is set): owned by %s\n",
			       cpu, hvt_vmx_owner());
			err = -EBUSY;
			break;
		}
		if (probe[cpu].caps.read_error) {
			pr_err("CPU %d: capability MSR %#x cannot be read\n",
			       cpu, probe[cpu].caps.read_error);
			err = -EIO;
			break;
		}
		if (first < 0)
			first = cpu;
		err = hvt_compare_cpus(probe, first, cpu);
		if (err)
			break;
		cfg->nr_cpus++;
	}
	cpus_read_unlock();

	if (!err) {
		cfg->caps = probe[first].caps;
		err = hvt_build_config(cfg);
	}
	kfree(probe);
	return err;
}
