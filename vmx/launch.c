// SPDX-License-Identifier: GPL-2.0
/* Puts one CPU into VMX operation as a guest of itself, and takes it out again. */
/* Context: on the CPU concerned with IRQs off (cpuhp callbacks); VMX root for the leave path. */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/percpu.h>
#include <linux/printk.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "../uapi/hvtrust.h"
#include "entry.h"
#include "flush.h"
#include "launch.h"
#include "vmcs.h"
#include "vmm.h"

#define HVT_AR_UNUSABLE		BIT(16)
#define HVT_DESC_S		BIT_ULL(44)
#define HVT_DESC_G		BIT_ULL(55)
#define HVT_MSR_S_CET		0x6a2
#define HVT_MSR_INT_SSP_TAB	0x6a8

/**
 * struct hvt_segment - a segment register as the VMCS wants it
 * @selector: the selector
 * @base: its base
 * @limit: its limit in bytes
 * @ar: access rights in VMX format
 */
struct hvt_segment {
	u16 selector;
	u64 base;
	u32 limit;
	u32 ar;
};

/**
 * struct hvt_table_register - GDTR or IDTR as SGDT/SIDT store it
 * @limit: the limit
 * @base: the base
 */
struct hvt_table_register {
	u16 limit;
	u64 base;
} __packed;

static void hvt_read_segment(u16 selector, u64 gdt_base, struct hvt_segment *seg)
{
	const u64 *gdt = (const u64 *)gdt_base;
	u64 desc;

	seg->selector = selector;
	/* Null and LDT selectors: Linux runs on neither in kernel mode. */
	if (!(selector & ~3) || (selector & 4)) {
		seg->base = 0;
		seg->limit = 0;
		seg->ar = HVT_AR_UNUSABLE;
		return;
	}
	desc = gdt[selector >> 3];
	seg->limit = (desc & 0xffff) | ((desc >> 32) & 0xf0000);
	if (desc & HVT_DESC_G)
		seg->limit = (seg->limit << 12) | 0xfff;
	seg->base = ((desc >> 16) & 0xffffff) | ((desc >> 32) & 0xff000000);
	/* System descriptors (TSS, LDT) take 16 bytes in long mode. */
	if (!(desc & HVT_DESC_S))
		seg->base |= gdt[(selector >> 3) + 1] << 32;
	seg->ar = (desc >> 40) & 0xf0ff;
}

static inline void hvt_sgdt(struct hvt_table_register *reg)
{
	asm volatile("sgdt %0" : "=m"(*reg));
}

static inline void hvt_sidt(struct hvt_table_register *reg)
{
	asm volatile("sidt %0" : "=m"(*reg));
}

/*
 * CR4.VMXE is set and cleared behind Linux's cached copy of CR4: the guest
 * keeps writing CR4 with VMXE clear, which matches the read shadow and so
 * causes no VM exit, while the guest/host mask keeps the real bit set.
 */
static inline void hvt_write_cr4_raw(unsigned long cr4)
{
	asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
}

static inline int hvt_vmxon(u64 pa)
{
	asm goto("vmxon %0\n\tjna %l[failed]" : : "m"(pa) : "cc", "memory" : failed);
	return 0;
failed:
	return -EIO;
}

static inline int hvt_vmclear(u64 pa)
{
	asm goto("vmclear %0\n\tjna %l[failed]" : : "m"(pa) : "cc", "memory" : failed);
	return 0;
failed:
	return -EIO;
}

static inline int hvt_vmptrld(u64 pa)
{
	asm goto("vmptrld %0\n\tjna %l[failed]" : : "m"(pa) : "cc", "memory" : failed);
	return 0;
failed:
	return -EIO;
}

static inline void hvt_vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

static u64 hvt_rdmsr_or_zero(u32 msr)
{
	u64 value;

	/* Emulated CPUs lack some MSRs (Bochs: IA32_DEBUGCTL): treat as 0. */
	if (rdmsrl_safe(msr, &value))
		return 0;
	return value;
}

/* The guest segment fields of ES..TR are encoded 2 apart (SDM Vol. 3D, B.1-B.4). */
enum hvt_segment_index {
	HVT_SEG_ES, HVT_SEG_CS, HVT_SEG_SS, HVT_SEG_DS, HVT_SEG_FS, HVT_SEG_GS,
	HVT_SEG_LDTR, HVT_SEG_TR, HVT_SEGMENTS,
};

static void hvt_write_guest_segment(unsigned int index, const struct hvt_segment *seg)
{
	hvt_vmwrite16(GUEST_ES_SELECTOR + 2 * index, seg->selector);
	hvt_vmwritenl(GUEST_ES_BASE + 2 * index, seg->base);
	hvt_vmwrite32(GUEST_ES_LIMIT + 2 * index, seg->limit);
	hvt_vmwrite32(GUEST_ES_AR_BYTES + 2 * index, seg->ar);
}

static void hvt_setup_vmcs(struct hvt_cpu *vcpu)
{
	const struct hvt_vmm *vmm = vcpu->vmm;
	const struct hvt_vmx_config *cfg = &vmm->config;
	struct hvt_segment seg[HVT_SEGMENTS];
	u16 selector[HVT_SEGMENTS];
	struct hvt_table_register gdtr, idtr;
	unsigned long cr0 = read_cr0(), cr4 = __read_cr4();
	unsigned int i;
	u64 host_rsp = (u64)vcpu->stack + HVT_HOST_STACK_VCPU;
	u32 pinbased = cfg->pinbased & ~PIN_BASED_VMX_PREEMPTION_TIMER;

	hvt_sgdt(&gdtr);
	hvt_sidt(&idtr);
	savesegment(es, selector[HVT_SEG_ES]);
	savesegment(cs, selector[HVT_SEG_CS]);
	savesegment(ss, selector[HVT_SEG_SS]);
	savesegment(ds, selector[HVT_SEG_DS]);
	savesegment(fs, selector[HVT_SEG_FS]);
	savesegment(gs, selector[HVT_SEG_GS]);
	store_ldt(selector[HVT_SEG_LDTR]);
	store_tr(selector[HVT_SEG_TR]);
	for (i = 0; i < HVT_SEGMENTS; i++)
		hvt_read_segment(selector[i], gdtr.base, &seg[i]);
	seg[HVT_SEG_FS].base = hvt_rdmsr_or_zero(MSR_FS_BASE);
	seg[HVT_SEG_GS].base = hvt_rdmsr_or_zero(MSR_GS_BASE);

	/* Controls */
	hvt_vmwrite32(PIN_BASED_VM_EXEC_CONTROL, pinbased);
	hvt_vmwrite32(CPU_BASED_VM_EXEC_CONTROL, cfg->procbased);
	hvt_vmwrite32(SECONDARY_VM_EXEC_CONTROL, cfg->procbased2);
	hvt_vmwrite32(VM_EXIT_CONTROLS, cfg->exit);
	hvt_vmwrite32(VM_ENTRY_CONTROLS, cfg->entry);
	hvt_vmwrite32(EXCEPTION_BITMAP, 0);
	hvt_vmwrite32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	hvt_vmwrite32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	hvt_vmwrite32(CR3_TARGET_COUNT, 0);
	hvt_vmwrite32(VM_EXIT_MSR_STORE_COUNT, 0);
	hvt_vmwrite32(VM_EXIT_MSR_LOAD_COUNT, 0);
	hvt_vmwrite32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	hvt_vmwrite32(VM_ENTRY_INTR_INFO_FIELD, 0);
	hvt_vmwrite64(MSR_BITMAP, vmm->msr_bitmap_pa);
	hvt_vmwrite64(EPT_POINTER, hvt_ept_pointer(&vmm->ept));
	if (cfg->procbased2 & SECONDARY_EXEC_ENABLE_VPID)
		hvt_vmwrite16(VIRTUAL_PROCESSOR_ID, vcpu->cpu + 1);
	hvt_vmwrite64(VMCS_LINK_POINTER, ~0ULL);
	hvt_vmwritenl(CR0_GUEST_HOST_MASK, 0);
	hvt_vmwritenl(CR0_READ_SHADOW, cr0);
	hvt_vmwritenl(CR4_GUEST_HOST_MASK, X86_CR4_VMXE);
	hvt_vmwritenl(CR4_READ_SHADOW, cr4 & ~X86_CR4_VMXE);

	/* Guest: the CPU as it is now */
	hvt_vmwritenl(GUEST_CR0, cr0);
	hvt_vmwritenl(GUEST_CR3, __read_cr3());
	hvt_vmwritenl(GUEST_CR4, cr4);
	hvt_vmwritenl(GUEST_DR7, native_get_debugreg(7));
	hvt_vmwritenl(GUEST_RFLAGS, native_save_fl());
	for (i = 0; i < HVT_SEGMENTS; i++)
		hvt_write_guest_segment(i, &seg[i]);
	hvt_vmwritenl(GUEST_GDTR_BASE, gdtr.base);
	hvt_vmwrite32(GUEST_GDTR_LIMIT, gdtr.limit);
	hvt_vmwritenl(GUEST_IDTR_BASE, idtr.base);
	hvt_vmwrite32(GUEST_IDTR_LIMIT, idtr.limit);
	hvt_vmwrite64(GUEST_IA32_DEBUGCTL, hvt_rdmsr_or_zero(MSR_IA32_DEBUGCTLMSR));
	hvt_vmwrite64(GUEST_IA32_PAT, hvt_rdmsr_or_zero(MSR_IA32_CR_PAT));
	hvt_vmwrite64(GUEST_IA32_EFER, hvt_rdmsr_or_zero(MSR_EFER));
	hvt_vmwrite32(GUEST_SYSENTER_CS, hvt_rdmsr_or_zero(MSR_IA32_SYSENTER_CS));
	hvt_vmwritenl(GUEST_SYSENTER_ESP, hvt_rdmsr_or_zero(MSR_IA32_SYSENTER_ESP));
	hvt_vmwritenl(GUEST_SYSENTER_EIP, hvt_rdmsr_or_zero(MSR_IA32_SYSENTER_EIP));
	hvt_vmwrite32(GUEST_INTERRUPTIBILITY_INFO, 0);
	hvt_vmwrite32(GUEST_ACTIVITY_STATE, 0);
	hvt_vmwritenl(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	if (cfg->entry & BIT(20)) {
		hvt_vmwritenl(HVT_GUEST_S_CET, hvt_rdmsr_or_zero(HVT_MSR_S_CET));
		hvt_vmwritenl(HVT_GUEST_SSP, 0);
		hvt_vmwritenl(HVT_GUEST_INTR_SSP_TABLE,
			      hvt_rdmsr_or_zero(HVT_MSR_INT_SSP_TAB));
	}

	/* Host: the hypervisor's own stack, IDT and page table */
	hvt_vmwritenl(HOST_CR0, cr0);
	hvt_vmwritenl(HOST_CR3, vmm->host_cr3);
	hvt_vmwritenl(HOST_CR4, cr4);
	hvt_vmwrite16(HOST_CS_SELECTOR, __KERNEL_CS);
	hvt_vmwrite16(HOST_SS_SELECTOR, __KERNEL_DS);
	hvt_vmwrite16(HOST_DS_SELECTOR, 0);
	hvt_vmwrite16(HOST_ES_SELECTOR, 0);
	hvt_vmwrite16(HOST_FS_SELECTOR, 0);
	hvt_vmwrite16(HOST_GS_SELECTOR, 0);
	hvt_vmwrite16(HOST_TR_SELECTOR, seg[HVT_SEG_TR].selector);
	hvt_vmwritenl(HOST_FS_BASE, seg[HVT_SEG_FS].base);
	hvt_vmwritenl(HOST_GS_BASE, seg[HVT_SEG_GS].base);
	hvt_vmwritenl(HOST_TR_BASE, seg[HVT_SEG_TR].base);
	hvt_vmwritenl(HOST_GDTR_BASE, gdtr.base);
	hvt_vmwritenl(HOST_IDTR_BASE, (unsigned long)vmm->host_idt);
	hvt_vmwrite32(HOST_IA32_SYSENTER_CS, hvt_rdmsr_or_zero(MSR_IA32_SYSENTER_CS));
	hvt_vmwritenl(HOST_IA32_SYSENTER_ESP, hvt_rdmsr_or_zero(MSR_IA32_SYSENTER_ESP));
	hvt_vmwritenl(HOST_IA32_SYSENTER_EIP, hvt_rdmsr_or_zero(MSR_IA32_SYSENTER_EIP));
	hvt_vmwrite64(HOST_IA32_PAT, hvt_rdmsr_or_zero(MSR_IA32_CR_PAT));
	hvt_vmwrite64(HOST_IA32_EFER, hvt_rdmsr_or_zero(MSR_EFER));
	if (cfg->exit & BIT(28)) {
		hvt_vmwritenl(HVT_HOST_S_CET, hvt_rdmsr_or_zero(HVT_MSR_S_CET));
		hvt_vmwritenl(HVT_HOST_SSP, 0);
		hvt_vmwritenl(HVT_HOST_INTR_SSP_TABLE, 0);
	}
	*(struct hvt_cpu **)host_rsp = vcpu;
	hvt_vmwritenl(HOST_RSP, host_rsp);
	hvt_vmwritenl(HOST_RIP, (unsigned long)hvt_vmx_exit_entry);
}

static bool hvt_cr_fits(unsigned long cr, u64 fixed0, u64 fixed1)
{
	return (cr & fixed0) == fixed0 && !(cr & ~fixed1);
}

/**
 * hvt_cpu_launch() - virtualize the calling CPU
 * @vcpu: its state, allocated and zeroed before
 *
 * Must run on @vcpu->cpu with IRQs off. On success the CPU returns from
 * here as a guest of the hypervisor.
 *
 * Return: 0; -EBUSY when VMX is already on; -EIO when a VMX instruction
 * failed (@vcpu->vm_instruction_error says why, 0 for VMfailInvalid).
 */
int hvt_cpu_launch(struct hvt_cpu *vcpu)
{
	const struct hvt_vmx_caps *caps = &vcpu->vmm->config.caps;
	unsigned long cr4 = __read_cr4();
	u32 revision = vcpu->vmm->config.vmcs_revision;

	if (cr4 & X86_CR4_VMXE)
		return -EBUSY;
	if (!hvt_cr_fits(read_cr0(), caps->cr0_fixed0, caps->cr0_fixed1) ||
	    !hvt_cr_fits(cr4 | X86_CR4_VMXE, caps->cr4_fixed0, caps->cr4_fixed1))
		return -EINVAL;

	*(u32 *)vcpu->vmxon = revision;
	*(u32 *)vcpu->vmcs = revision;
	this_cpu_write(hvt_vmwrite_failed_field, 0);
	vcpu->root_nmis = 0;
	/* Kept for the way out: root reads no per-CPU offset of Linux's. */
	vcpu->gdt_rw = get_current_gdt_rw();

	hvt_write_cr4_raw(cr4 | X86_CR4_VMXE);
	if (hvt_vmxon(vcpu->vmxon_pa))
		goto restore_cr4;
	if (hvt_vmclear(vcpu->vmcs_pa) || hvt_vmptrld(vcpu->vmcs_pa))
		goto vmxoff;
	/*
	 * Until its first exit no CPU sends this one flush NMIs, but it may
	 * cache EPT entries: it says so (hvt_flush_passed()), and the EPT
	 * generation it flushes here is the one its first exit compares.
	 */
	WRITE_ONCE(vcpu->launching, true);
	/* Seen launching before the generation is read: pairs with hvt_flush_passed(). */
	smp_mb();
	vcpu->ept_generation = atomic64_read(&vcpu->vmm->ept_generation);
	hvt_invept_all();
	if (vcpu->vmm->config.procbased2 & SECONDARY_EXEC_ENABLE_VPID)
		hvt_invvpid_all();
	hvt_setup_vmcs(vcpu);
	if (this_cpu_read(hvt_vmwrite_failed_field))
		goto vmcs_error;
	if (hvt_vmx_launch())
		goto vmcs_error;
	/*
	 * From here on the hypervisor's memory reads as zeros to this CPU. A
	 * first exit now: only from then on, with the host IDT in place for
	 * NMIs in root, do other CPUs send it flush NMIs.
	 */
	hvt_vmcall(HVTRUST_HC_PING, 0, 0, 0, 0);
	return 0;

vmcs_error:
	vcpu->vm_instruction_error = hvt_vmread32(VM_INSTRUCTION_ERROR);
	hvt_vmclear(vcpu->vmcs_pa);
	WRITE_ONCE(vcpu->launching, false);
vmxoff:
	hvt_vmxoff();
restore_cr4:
	hvt_write_cr4_raw(cr4);
	return -EIO;
}

/*
 * Runs in VMX root on the way out: everything the VM exit replaced with host
 * state goes back to the guest's values before VMXOFF hands over the CPU.
 */
/* wrmsrl() without the paravirt call and the tracepoint. */
static HVT_ROOT void hvt_wrmsr(u32 msr, u64 value)
{
	__wrmsr(msr, (u32)value, (u32)(value >> 32));
}

/*
 * force_reload_TR() without calls into Linux: its paravirt ops go through
 * pv_ops, a table the guest kernel can rewrite, and it calls out to switch
 * GDTs. LTR marks the descriptor busy, which the read-only alias of the
 * GDT that @gdtr names would refuse: the writable alias is loaded around it.
 */
static HVT_ROOT void hvt_reload_tr(struct desc_struct *gdt,
				   const struct hvt_table_register *gdtr)
{
	struct hvt_table_register writable = {
		.limit = GDT_SIZE - 1,
		.base = (unsigned long)gdt,
	};
	tss_desc tss = *(tss_desc *)&gdt[GDT_ENTRY_TSS];

	tss.type = DESC_TSS;
	native_write_gdt_entry(gdt, GDT_ENTRY_TSS, &tss, DESC_TSS);
	asm volatile("lgdt %0" : : "m"(writable));
	asm volatile("ltr %w0" : : "q"(GDT_ENTRY_TSS * 8));
	asm volatile("lgdt %0" : : "m"(*gdtr));
}

HVT_ROOT void hvt_prepare_leave(struct hvt_cpu *vcpu)
{
	struct hvt_iret_frame *frame = (void *)((u8 *)vcpu->stack +
						HVT_HOST_STACK_VCPU + 8);
	struct hvt_table_register gdtr, idtr;
	unsigned long cr3 = hvt_vmreadnl(GUEST_CR3);
	u64 fs_base = hvt_vmreadnl(GUEST_FS_BASE);
	u64 gs_base = hvt_vmreadnl(GUEST_GS_BASE);
	u64 pat = hvt_vmread64(GUEST_IA32_PAT);
	unsigned long dr7 = hvt_vmreadnl(GUEST_DR7);
	u32 owed_nmis = hvt_flush_drain_nmis(vcpu);

	frame->rip = hvt_vmreadnl(GUEST_RIP);
	frame->cs = hvt_vmread16(GUEST_CS_SELECTOR);
	frame->rflags = hvt_vmreadnl(GUEST_RFLAGS);
	frame->rsp = hvt_vmreadnl(GUEST_RSP);
	frame->ss = hvt_vmread16(GUEST_SS_SELECTOR);
	gdtr.base = hvt_vmreadnl(GUEST_GDTR_BASE);
	gdtr.limit = hvt_vmread32(GUEST_GDTR_LIMIT);
	idtr.base = hvt_vmreadnl(GUEST_IDTR_BASE);
	idtr.limit = hvt_vmread32(GUEST_IDTR_LIMIT);

	hvt_vmclear(vcpu->vmcs_pa);
	hvt_vmxoff();
	hvt_write_cr4_raw(native_read_cr4() & ~X86_CR4_VMXE);
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	asm volatile("lgdt %0" : : "m"(gdtr));
	asm volatile("lidt %0" : : "m"(idtr));
	/* The VM exit cut the TSS limit to 0x67: reload TR from the GDT. */
	hvt_reload_tr(vcpu->gdt_rw, &gdtr);
	hvt_wrmsr(MSR_FS_BASE, fs_base);
	hvt_wrmsr(MSR_GS_BASE, gs_base);
	hvt_wrmsr(MSR_IA32_CR_PAT, pat);
	native_set_debugreg(7, dr7);
	/* Linux's own NMI, queued in root: its handler runs once it is back. */
	if (owed_nmis)
		hvt_send_nmi(vcpu->vmm, vcpu->apic_id);
}
