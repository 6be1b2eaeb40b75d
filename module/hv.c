// SPDX-License-Identifier: GPL-2.0
/* Linux glue of the hypervisor: memory, EPT, host page table and IDT, CPU hotplug, log drain. */
/* Context: process context (module load/unload, cpuhp callbacks, the log worker). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/mtrr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "../vmx/hv.h"
#include "hvtrust.h"

#define HVT_LOG_DRAIN_PERIOD	(HZ / 5)

static struct hvt_vmm *hvt_vmm;
static enum cpuhp_state hvt_cpuhp_state;
static LIST_HEAD(hvt_ept_pages);
static void hvt_log_drain(struct work_struct *work);
static DECLARE_DELAYED_WORK(hvt_log_work, hvt_log_drain);

static const char * const hvt_log_formats[HVT_LOG_CODES] = {
	[HVT_LOG_UNEXPECTED_EXIT] =
		"unexpected VM exit %llu, qualification %#llx, rip %#llx, cpl %llu",
	[HVT_LOG_FAILED_ENTRY] =
		"VM entry failed: reason %#llx, qual. %#llx, VMX error %llu (%llu)",
	[HVT_LOG_GUEST_STATE] = "  guest rip %#llx rsp %#llx rflags %#llx cr3 %#llx",
	[HVT_LOG_GUEST_CONTROL] = "  guest cr0 %#llx cr4 %#llx cs %#llx ss %#llx",
	[HVT_LOG_EPT_VIOLATION] =
		"EPT violation: gpa %#llx, qualification %#llx, rip %#llx, gla %#llx",
	[HVT_LOG_TRIPLE_FAULT] =
		"guest triple fault at rip %#llx, cr3 %#llx: leaving VMX (%llu %llu)",
	[HVT_LOG_INIT_SIGNAL] =
		"INIT signal in VMX non-root at rip %#llx ignored (%llu %llu %llu)",
	[HVT_LOG_VMWRITE_FAILED] =
		"VMWRITE of field %#llx failed (%llu), VMX error %llu (%llu)",
	[HVT_LOG_DEVIRTUALIZED] = "left VMX on request (%llu %llu %llu %llu)",
};

static void hvt_log_drain_cpu(struct hvt_cpu *vcpu)
{
	struct hvt_log_ring *ring = &vcpu->log;
	u32 head = READ_ONCE(ring->head);
	u32 tail = ring->tail;

	/* Read the records only after seeing the head that covers them. */
	smp_rmb();
	for (; tail != head; tail++) {
		const struct hvt_log_record *rec = &ring->records[tail % HVT_LOG_ENTRIES];
		char line[192];

		if (rec->code >= HVT_LOG_CODES)
			continue;
		snprintf(line, sizeof(line), hvt_log_formats[rec->code],
			 rec->args[0], rec->args[1], rec->args[2], rec->args[3]);
		pr_warn("CPU %u: %s\n", rec->cpu, line);
	}
	/* The producer may reuse the slots only after they were read. */
	smp_mb();
	WRITE_ONCE(ring->tail, tail);
	if (READ_ONCE(ring->dropped)) {
		pr_warn("CPU %d: %u log records lost\n", vcpu->cpu, ring->dropped);
		WRITE_ONCE(ring->dropped, 0);
	}
}

static void hvt_log_drain_all(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		if (hvt_vmm->cpus[cpu])
			hvt_log_drain_cpu(hvt_vmm->cpus[cpu]);
}

static void hvt_log_drain(struct work_struct *work)
{
	hvt_log_drain_all();
	schedule_delayed_work(&hvt_log_work, HVT_LOG_DRAIN_PERIOD);
}

static u64 *hvt_ept_alloc_table(void *ctx, u64 *phys)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return NULL;
	list_add(&page->lru, &hvt_ept_pages);
	*phys = page_to_phys(page);
	return page_address(page);
}

static u64 *hvt_ept_table_of(void *ctx, u64 phys)
{
	return phys_to_virt(phys);
}

static void hvt_free_ept(void)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &hvt_ept_pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

static void hvt_read_mtrrs(struct hvt_mtrr_state *mtrr)
{
	static const u32 fixed_msrs[HVT_MTRR_FIXED_MSRS] = {
		MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000, MSR_MTRRfix16K_A0000,
		MSR_MTRRfix4K_C0000, MSR_MTRRfix4K_C8000, MSR_MTRRfix4K_D0000,
		MSR_MTRRfix4K_D8000, MSR_MTRRfix4K_E0000, MSR_MTRRfix4K_E8000,
		MSR_MTRRfix4K_F0000, MSR_MTRRfix4K_F8000,
	};
	u64 cap = 0;
	unsigned int i;

	memset(mtrr, 0, sizeof(*mtrr));
	mtrr->phys_bits = boot_cpu_data.x86_phys_bits;
	if (!boot_cpu_has(X86_FEATURE_MTRR) || rdmsrl_safe(MSR_MTRRcap, &cap) ||
	    rdmsrl_safe(MSR_MTRRdefType, &mtrr->def_type)) {
		/* No MTRRs: everything write-back, as without them at all. */
		mtrr->def_type = BIT_ULL(11) | HVT_MT_WB;
		return;
	}
	mtrr->var_count = min_t(unsigned int, cap & 0xff, HVT_MTRR_VAR_MAX);
	mtrr->fixed_supported = cap & BIT(8);
	for (i = 0; mtrr->fixed_supported && i < HVT_MTRR_FIXED_MSRS; i++)
		rdmsrl_safe(fixed_msrs[i], &mtrr->fixed[i]);
	for (i = 0; i < mtrr->var_count; i++) {
		rdmsrl_safe(MTRRphysBase_MSR(i), &mtrr->var_base[i]);
		rdmsrl_safe(MTRRphysMask_MSR(i), &mtrr->var_mask[i]);
	}
}

static int hvt_build_ept(struct hvt_vmm *vmm)
{
	const struct hvt_ept_ops ops = {
		.alloc_table = hvt_ept_alloc_table,
		.table_of = hvt_ept_table_of,
	};
	struct hvt_mtrr_state *mtrr;
	u64 top;
	int err;

	mtrr = kzalloc(sizeof(*mtrr), GFP_KERNEL);
	if (!mtrr)
		return -ENOMEM;
	hvt_read_mtrrs(mtrr);
	top = round_up(1ULL << mtrr->phys_bits, HVT_PAGE_1G);
	err = hvt_ept_build_identity(&vmm->ept, &ops, mtrr, top,
				     vmm->config.caps.ept_vpid & VMX_EPT_1GB_PAGE_BIT);
	kfree(mtrr);
	if (err)
		pr_err("cannot build the EPT identity map up to %#llx: error %d\n", top, err);
	else
		pr_info("EPT identity map of %u MAXPHYADDR bits: %u tables, %lu 1G, %lu 2M, %lu 4K pages\n",
			boot_cpu_data.x86_phys_bits, vmm->ept.tables,
			vmm->ept.pages_1g, vmm->ept.pages_2m, vmm->ept.pages_4k);
	return err;
}

static void hvt_msr_bitmap_trap(u8 *bitmap, u32 msr)
{
	/* Low MSRs: read bitmap at 0, write bitmap at 2048 (SDM 25.6.9). */
	bitmap[msr / 8] |= BIT(msr % 8);
	bitmap[2048 + msr / 8] |= BIT(msr % 8);
}

static void hvt_build_msr_bitmap(struct hvt_vmm *vmm)
{
	u32 msr;

	hvt_msr_bitmap_trap(vmm->msr_bitmap, MSR_IA32_FEAT_CTL);
	for (msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC; msr++)
		hvt_msr_bitmap_trap(vmm->msr_bitmap, msr);
}

/*
 * The host page table: the kernel half of Linux's top-level table. Those
 * entries are allocated at boot and never change, so VMX root can keep
 * using them after the process that loaded hvtrust has exited.
 */
static void hvt_build_host_page_table(struct hvt_vmm *vmm)
{
	const u64 *current_top = __va(__read_cr3() & PAGE_MASK & ~(u64)CR3_PCID_MASK);
	unsigned int i;

	for (i = PTRS_PER_PGD / 2; i < PTRS_PER_PGD; i++)
		vmm->host_pml4[i] = current_top[i];
	vmm->host_cr3 = __pa(vmm->host_pml4);
}

void hvt_build_host_idt(void *idt)
{
	gate_desc *gates = idt;
	unsigned int vector;

	for (vector = 0; vector < IDT_ENTRIES; vector++) {
		unsigned long handler = vector == NMI_VECTOR ?
					(unsigned long)hvt_root_nmi :
					(unsigned long)hvt_root_fault;
		gate_desc *gate = &gates[vector];

		memset(gate, 0, sizeof(*gate));
		gate->offset_low = (u16)handler;
		gate->segment = __KERNEL_CS;
		gate->bits.type = GATE_INTERRUPT;
		gate->bits.p = 1;
		gate->offset_middle = (u16)(handler >> 16);
		gate->offset_high = (u32)(handler >> 32);
	}
}

static void hvt_free_cpu(struct hvt_cpu *vcpu)
{
	if (!vcpu)
		return;
	if (vcpu->vmxon)
		free_page((unsigned long)vcpu->vmxon);
	if (vcpu->vmcs)
		free_page((unsigned long)vcpu->vmcs);
	if (vcpu->stack)
		free_pages((unsigned long)vcpu->stack, HVT_HOST_STACK_ORDER);
	kfree_sensitive(vcpu);
}

static struct hvt_cpu *hvt_alloc_cpu(struct hvt_vmm *vmm, int cpu)
{
	struct hvt_cpu *vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL);

	if (!vcpu)
		return NULL;
	vcpu->vmm = vmm;
	vcpu->cpu = cpu;
	vcpu->vmxon = (void *)get_zeroed_page(GFP_KERNEL);
	vcpu->vmcs = (void *)get_zeroed_page(GFP_KERNEL);
	vcpu->stack = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					       HVT_HOST_STACK_ORDER);
	if (!vcpu->vmxon || !vcpu->vmcs || !vcpu->stack) {
		hvt_free_cpu(vcpu);
		return NULL;
	}
	vcpu->vmxon_pa = __pa(vcpu->vmxon);
	vcpu->vmcs_pa = __pa(vcpu->vmcs);
	return vcpu;
}

static void hvt_free_vmm(struct hvt_vmm *vmm)
{
	int cpu;

	if (vmm->cpus) {
		for_each_possible_cpu(cpu)
			hvt_free_cpu(vmm->cpus[cpu]);
		kfree(vmm->cpus);
	}
	hvt_free_ept();
	free_page((unsigned long)vmm->msr_bitmap);
	free_page((unsigned long)vmm->host_pml4);
	free_page((unsigned long)vmm->host_idt);
	kfree_sensitive(vmm);
}

static struct hvt_vmm *hvt_alloc_vmm(const struct hvt_vmx_config *config)
{
	struct hvt_vmm *vmm = kzalloc(sizeof(*vmm), GFP_KERNEL);
	int cpu;

	if (!vmm)
		return NULL;
	vmm->config = *config;
	vmm->cpus = kcalloc(nr_cpu_ids, sizeof(*vmm->cpus), GFP_KERNEL);
	vmm->msr_bitmap = (void *)get_zeroed_page(GFP_KERNEL);
	vmm->host_pml4 = (u64 *)get_zeroed_page(GFP_KERNEL);
	vmm->host_idt = (void *)get_zeroed_page(GFP_KERNEL);
	if (!vmm->cpus || !vmm->msr_bitmap || !vmm->host_pml4 || !vmm->host_idt)
		goto fail;
	for_each_possible_cpu(cpu) {
		vmm->cpus[cpu] = hvt_alloc_cpu(vmm, cpu);
		if (!vmm->cpus[cpu])
			goto fail;
	}
	vmm->msr_bitmap_pa = __pa(vmm->msr_bitmap);
	get_random_bytes(&vmm->credential, sizeof(vmm->credential));
	return vmm;
fail:
	hvt_free_vmm(vmm);
	return NULL;
}

static int hvt_cpu_online(unsigned int cpu)
{
	struct hvt_cpu *vcpu = hvt_vmm->cpus[cpu];
	unsigned long flags;
	int err;

	local_irq_save(flags);
	err = hvt_cpu_launch(vcpu);
	local_irq_restore(flags);
	if (err == -EBUSY)
		pr_err("CPU %u: VMX is already on (CR4.VMXE set): another hypervisor owns it\n",
		       cpu);
	else if (err == -EINVAL)
		pr_err("CPU %u: CR0 %#lx or CR4 %#lx outside what VMX operation allows\n",
		       cpu, read_cr0(), __read_cr4());
	else if (err)
		pr_err("CPU %u: launch failed: VM-instruction error %u\n",
		       cpu, vcpu->vm_instruction_error);
	return err;
}

static int hvt_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	hvt_cpu_devirtualize(hvt_vmm->cpus[cpu]);
	local_irq_restore(flags);
	return 0;
}

/**
 * hvt_hv_start() - build the hypervisor and virtualize every online CPU
 *
 * CPUs that come online later are virtualized as they arrive, CPUs that go
 * offline are given back first.
 *
 * Return: 0 or -errno, with nothing left behind.
 */
int hvt_hv_start(void)
{
	int ret;

	hvt_vmm = hvt_alloc_vmm(&hvt_vmx_config);
	if (!hvt_vmm) {
		pr_err("cannot allocate the hypervisor's memory\n");
		return -ENOMEM;
	}
	ret = hvt_build_ept(hvt_vmm);
	if (ret)
		goto free_vmm;
	hvt_build_msr_bitmap(hvt_vmm);
	hvt_build_host_page_table(hvt_vmm);
	hvt_build_host_idt(hvt_vmm->host_idt);

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvtrust:online",
				hvt_cpu_online, hvt_cpu_offline);
	if (ret < 0) {
		pr_err("cannot virtualize every online CPU: error %d\n", ret);
		goto drain;
	}
	hvt_cpuhp_state = ret;
	schedule_delayed_work(&hvt_log_work, HVT_LOG_DRAIN_PERIOD);
	pr_info("virtualized %u CPUs\n", num_online_cpus());
	return 0;

drain:
	hvt_log_drain_all();
free_vmm:
	hvt_free_vmm(hvt_vmm);
	hvt_vmm = NULL;
	return ret;
}

/**
 * hvt_hv_stop() - give every CPU back, then free the hypervisor
 */
void hvt_hv_stop(void)
{
	if (!hvt_vmm)
		return;
	cpuhp_remove_state(hvt_cpuhp_state);
	cancel_delayed_work_sync(&hvt_log_work);
	hvt_log_drain_all();
	hvt_free_vmm(hvt_vmm);
	hvt_vmm = NULL;
	pr_info("every CPU devirtualized\n");
}
