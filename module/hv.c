// SPDX-License-Identifier: GPL-2.0
/* Linux glue of the hypervisor: memory, EPT, host page table and IDT, CPU hotplug, log drain. */
/* Context: process context (module load/unload, cpuhp callbacks, the log worker). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/reboot.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/suspend.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/fixmap.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/mtrr.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "../ept/hostmap.h"
#include "../uapi/hvtrust.h"
#include "../vmx/hv.h"
#include "hvtrust.h"

#define HVT_LOG_DRAIN_PERIOD	(HZ / 5)

static unsigned int ept_pool_pages = 64;
module_param(ept_pool_pages, uint, 0444);
MODULE_PARM_DESC(ept_pool_pages,
		 "Pages set aside for splitting EPT large pages when frames are protected (default 64)");

/**
 * struct hvt_cpu_glue - what the Linux side keeps of a CPU, outside hidden memory
 * @vcpu: the hypervisor's state of the CPU (reads as zeros once launched)
 * @log: its log ring
 * @launched: the CPU runs as a guest
 */
struct hvt_cpu_glue {
	struct hvt_cpu *vcpu;
	struct hvt_log_ring *log;
	bool launched;
};

static struct hvt_vmm *hvt_vmm;
static struct hvt_cpu_glue *hvt_glue;
static u64 hvt_credential;
static unsigned long hvt_hidden_pages;
static u64 hvt_vmm_pa;
static enum cpuhp_state hvt_cpuhp_state;
static bool hvt_pm_suspended;
static atomic64_t hvt_launches;
/* Tables of the EPT and of the host's own map of RAM: hidden like the rest. */
static LIST_HEAD(hvt_ept_pages);
static void hvt_log_drain(struct work_struct *work);
static DECLARE_DELAYED_WORK(hvt_log_work, hvt_log_drain);

static const char * const hvt_log_formats[HVT_LOG_CODES] = {
	[HVT_LOG_UNEXPECTED_EXIT] =
		"unexpected VM exit %llu, qualification %#llx, rip %#llx, cpl %llu",
	[HVT_LOG_FAILED_ENTRY] =
		"VM entry failed: reason %#llx, qual. %#llx, VMX error %llu (%llu)",
	[HVT_LOG_EPT_VIOLATION] =
		"EPT violation: gpa %#llx, qualification %#llx, rip %#llx, gla %#llx",
	[HVT_LOG_TRIPLE_FAULT] =
		"guest triple fault at rip %#llx, cr3 %#llx: leaving VMX (%llu %llu)",
	[HVT_LOG_INIT_SIGNAL] =
		"INIT signal in VMX non-root at rip %#llx ignored (%llu %llu %llu)",
	[HVT_LOG_VMWRITE_FAILED] =
		"VMWRITE of field %#llx failed (%llu), VMX error %llu (%llu)",
	[HVT_LOG_DEVIRTUALIZED] = "left VMX on request (%llu %llu %llu %llu)",
	[HVT_LOG_HIDDEN_WRITE] =
		"write to hidden memory at gpa %#llx from rip %#llx (gla %#llx, cpl %llu) dropped",
	[HVT_LOG_HIDDEN_FETCH] =
		"fetch from hidden memory at gpa %#llx, rip %#llx (gla %#llx, qual. %#llx): #UD",
	[HVT_LOG_VMCS_FIELDS] = "  vmcs %#06llx = %#llx, %#06llx = %#llx",
	[HVT_LOG_GUEST_GPRS] = "  guest gprs %#llx %#llx %#llx %#llx",
	[HVT_LOG_CODE_WRITE] =
		"write to hypervisor code at gpa %#llx from rip %#llx (gla %#llx, cpl %llu) dropped",
};

static void hvt_log_drain_cpu(int cpu, struct hvt_log_ring *ring)
{
	u32 head = READ_ONCE(ring->head);
	u32 tail = ring->tail;

	/* Read the records only after seeing the head that covers them. */
	smp_rmb();
	for (; tail != head; tail++) {
		const struct hvt_log_record *rec = &ring->records[tail % HVT_LOG_ENTRIES];
		char line[192];

		if (rec->code >= HVT_LOG_CODES)
			continue;
		if (rec->code == HVT_LOG_AUDIT) {
			hvt_trust_audit(cpu, rec->args);
			continue;
		}
		snprintf(line, sizeof(line), hvt_log_formats[rec->code],
			 rec->args[0], rec->args[1], rec->args[2], rec->args[3]);
		if (rec->code == HVT_LOG_DEVIRTUALIZED)
			pr_info("CPU %d: %s\n", cpu, line);
		else
			pr_warn("CPU %d: %s\n", cpu, line);
	}
	/* The producer may reuse the slots only after they were read. */
	smp_mb();
	WRITE_ONCE(ring->tail, tail);
	if (READ_ONCE(ring->dropped)) {
		pr_warn("CPU %d: %u log records lost\n", cpu, ring->dropped);
		WRITE_ONCE(ring->dropped, 0);
	}
}

static DEFINE_MUTEX(hvt_drain_mutex);

static void hvt_log_drain_all(void)
{
	int cpu;

	mutex_lock(&hvt_drain_mutex);
	for_each_possible_cpu(cpu)
		if (hvt_glue[cpu].log)
			hvt_log_drain_cpu(cpu, hvt_glue[cpu].log);
	mutex_unlock(&hvt_drain_mutex);
}

/**
 * hvt_hv_drain_log() - move what VMX root logged into dmesg and the audit
 *                      buffer now, rather than at the next periodic drain
 */
void hvt_hv_drain_log(void)
{
	if (hvt_glue)
		hvt_log_drain_all();
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

/* EPT and host page tables alike come from the direct map (alloc_page, the pool). */
static struct hvt_ept_ops hvt_table_ops(void)
{
	return (struct hvt_ept_ops) {
		.alloc_table = hvt_ept_alloc_table,
		.direct_map = PAGE_OFFSET,
	};
}

static int hvt_build_ept(struct hvt_vmm *vmm)
{
	const struct hvt_ept_ops ops = hvt_table_ops();
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
 * The host page table. Its kernel half starts as Linux's top-level entries,
 * which are allocated at boot and never change, so VMX root can keep using
 * them after the process that loaded hvtrust has exited. Then the areas VMX
 * root works in get tables of the hypervisor's own (hidden by EPT): the
 * direct map, built afresh for RAM as it was at load, through which root
 * reaches its state and the guest's memory; and copies, as they are at
 * load, of the tables of the kernel image, the modules and the fixmap (the
 * code root runs, its per-CPU offsets, the xAPIC) and of the CPU entry area
 * (GDT and TSS). The guest kernel can then neither redirect what root reads
 * or runs nor unmap it (set_memory_np(), memfd_secret()) so that root
 * faults. Other areas (vmalloc, vmemmap), which root never touches, stay
 * Linux's. Under 5-level paging all of it stays Linux's.
 */
static int hvt_build_host_page_table(struct hvt_vmm *vmm)
{
	const u64 *current_top = __va(__read_cr3() & PAGE_MASK & ~(u64)CR3_PCID_MASK);
	const struct hvt_ept_ops ops = hvt_table_ops();
	const unsigned long copied[] = {
		__START_KERNEL_map, MODULES_VADDR, FIXADDR_START, CPU_ENTRY_AREA_BASE,
	};
	const struct hvt_trust *trust = vmm->trust;
	struct hvt_host_ram ram[HVT_RAM_RANGES];
	DECLARE_BITMAP(slots, PTRS_PER_PGD);
	unsigned int i, nr_ram = 0;
	struct hvt_hostmap map;
	int err;

	for (i = PTRS_PER_PGD / 2; i < PTRS_PER_PGD; i++)
		vmm->host_pml4[i] = current_top[i];
	vmm->host_cr3 = __pa(vmm->host_pml4);
	if (pgtable_l5_enabled()) {
		pr_info("host page tables: 0 tables of the hypervisor's own: 5-level paging, Linux's below the top level\n");
		return 0;
	}
	/* Whole pages only, as hvt_is_ram() lets root read them. */
	for (i = 0; i < trust->nr_ram; i++) {
		u64 start = PAGE_ALIGN(trust->ram[i].start);
		u64 end = trust->ram[i].end & PAGE_MASK;

		if (start < end)
			ram[nr_ram++] = (struct hvt_host_ram) { .start = start, .end = end };
	}
	err = hvt_hostmap_build(vmm->host_pml4, &ops, PAGE_OFFSET, ram, nr_ram,
				boot_cpu_has(X86_FEATURE_GBPAGES), &map);
	bitmap_zero(slots, PTRS_PER_PGD);
	for (i = 0; i < ARRAY_SIZE(copied) && !err; i++) {
		unsigned int slot = pgd_index(copied[i]);

		if (!__test_and_set_bit(slot, slots))
			err = hvt_hostmap_copy_slot(vmm->host_pml4, &ops, slot, &map);
	}
	if (err) {
		pr_err("cannot build the host page tables: error %d\n", err);
		return err;
	}
	pr_info("host page tables: %u tables of the hypervisor's own: RAM (%lu 1G, %lu 2M, %lu 4K pages), kernel image, modules, fixmap, CPU entry area\n",
		map.tables, map.pages_1g, map.pages_2m, map.pages_4k);
	return 0;
}

static void hvt_build_host_idt(void *idt)
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

/* Hypervisor structures get pages of their own: EPT hides whole pages. */
static void *hvt_alloc_hidden(size_t size)
{
	return alloc_pages_exact(PAGE_ALIGN(size), GFP_KERNEL | __GFP_ZERO);
}

static void hvt_free_hidden(void *mem, size_t size)
{
	if (!mem)
		return;
	memzero_explicit(mem, PAGE_ALIGN(size));
	free_pages_exact(mem, PAGE_ALIGN(size));
}

/* The shared state with its per-CPU pointers, one hidden allocation. */
static size_t hvt_vmm_size(unsigned int nr_cpus)
{
	return struct_size_t(struct hvt_vmm, cpus, nr_cpus);
}

static void hvt_free_cpu(struct hvt_cpu *vcpu, struct hvt_cpu_glue *glue)
{
	free_pages((unsigned long)glue->log, get_order(sizeof(*glue->log)));
	glue->log = NULL;
	glue->vcpu = NULL;
	if (!vcpu)
		return;
	hvt_free_hidden(vcpu->vmxon, PAGE_SIZE);
	hvt_free_hidden(vcpu->vmcs, PAGE_SIZE);
	hvt_free_hidden(vcpu->sink, HVT_SINK_SLOTS * PAGE_SIZE);
	hvt_free_hidden(vcpu->stack, HVT_HOST_STACK_SIZE);
	hvt_free_hidden(vcpu, sizeof(*vcpu));
}

static int hvt_alloc_cpu(struct hvt_vmm *vmm, int cpu, struct hvt_cpu_glue *glue)
{
	struct hvt_cpu *vcpu = hvt_alloc_hidden(sizeof(*vcpu));

	glue->log = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					     get_order(sizeof(*glue->log)));
	if (!vcpu || !glue->log)
		goto fail;
	vcpu->vmm = vmm;
	vcpu->cpu = cpu;
	vcpu->apic_id = cpu_physical_id(cpu);
	vcpu->log = glue->log;
	vcpu->vmxon = hvt_alloc_hidden(PAGE_SIZE);
	vcpu->vmcs = hvt_alloc_hidden(PAGE_SIZE);
	vcpu->sink = hvt_alloc_hidden(HVT_SINK_SLOTS * PAGE_SIZE);
	vcpu->stack = hvt_alloc_hidden(HVT_HOST_STACK_SIZE);
	if (!vcpu->vmxon || !vcpu->vmcs || !vcpu->sink || !vcpu->stack)
		goto fail;
	vcpu->vmxon_pa = __pa(vcpu->vmxon);
	vcpu->vmcs_pa = __pa(vcpu->vmcs);
	vcpu->sink_pa = __pa(vcpu->sink);
	vmm->cpus[cpu] = vcpu;
	glue->vcpu = vcpu;
	return 0;
fail:
	hvt_free_cpu(vcpu, glue);
	return -ENOMEM;
}

static size_t hvt_pool_size(void)
{
	return (size_t)ept_pool_pages * sizeof(u64);
}

/*
 * The service's state, and the pages VMX root takes to split EPT large
 * pages when it protects a frame: VMX root cannot allocate.
 */
static int hvt_alloc_trust(struct hvt_vmm *vmm)
{
	struct hvt_trust *trust = hvt_alloc_hidden(sizeof(*trust));
	unsigned int i;

	if (!trust)
		return -ENOMEM;
	vmm->trust = trust;
	trust->sessions = hvt_alloc_hidden(hvt_trust_sessions_size());
	trust->frames = hvt_alloc_hidden(hvt_trust_frames_size());
	trust->pool = hvt_alloc_hidden(hvt_pool_size());
	if (!trust->sessions || !trust->frames || !trust->pool)
		return -ENOMEM;
	for (i = 0; i < ept_pool_pages; i++) {
		if (!hvt_ept_alloc_table(NULL, &trust->pool[i]))
			return -ENOMEM;
		trust->pool_size++;
	}
	trust->pool_free = trust->pool_size;
	return hvt_trust_setup(trust, trust->sessions, trust->frames, &vmm->config);
}

static void hvt_free_vmm(struct hvt_vmm *vmm)
{
	int cpu;

	for_each_possible_cpu(cpu)
		hvt_free_cpu(vmm->cpus[cpu], &hvt_glue[cpu]);
	hvt_free_ept();
	hvt_free_hidden(vmm->code_pa, vmm->code_capacity * sizeof(u64));
	if (vmm->trust) {
		hvt_free_hidden(vmm->trust->sessions, hvt_trust_sessions_size());
		hvt_free_hidden(vmm->trust->frames, hvt_trust_frames_size());
		hvt_free_hidden(vmm->trust->pool, hvt_pool_size());
		hvt_free_hidden(vmm->trust, sizeof(*vmm->trust));
	}
	hvt_free_hidden(vmm->msr_bitmap, PAGE_SIZE);
	hvt_free_hidden(vmm->host_pml4, PAGE_SIZE);
	hvt_free_hidden(vmm->host_idt, PAGE_SIZE);
	hvt_free_hidden(vmm->zero_page, PAGE_SIZE);
	hvt_free_hidden(vmm, hvt_vmm_size(vmm->nr_cpus));
}

static struct hvt_vmm *hvt_alloc_vmm(const struct hvt_vmx_config *config)
{
	struct hvt_vmm *vmm = hvt_alloc_hidden(hvt_vmm_size(nr_cpu_ids));
	int cpu;

	if (!vmm)
		return NULL;
	vmm->nr_cpus = nr_cpu_ids;
	vmm->config = *config;
	vmm->msr_bitmap = hvt_alloc_hidden(PAGE_SIZE);
	vmm->host_pml4 = hvt_alloc_hidden(PAGE_SIZE);
	vmm->host_idt = hvt_alloc_hidden(PAGE_SIZE);
	vmm->zero_page = hvt_alloc_hidden(PAGE_SIZE);
	if (!vmm->msr_bitmap || !vmm->host_pml4 ||
	    !vmm->host_idt || !vmm->zero_page)
		goto fail;
	for_each_possible_cpu(cpu)
		if (hvt_alloc_cpu(vmm, cpu, &hvt_glue[cpu]))
			goto fail;
	if (hvt_alloc_trust(vmm))
		goto fail;
	vmm->msr_bitmap_pa = __pa(vmm->msr_bitmap);
	vmm->zero_page_pa = __pa(vmm->zero_page);
	vmm->tsc_khz = tsc_khz ?: 1000000;
	/* Linux maps the xAPIC there for as long as it runs (unused in x2APIC mode). */
	vmm->xapic = boot_cpu_has(X86_FEATURE_APIC) ? (u8 __iomem *)APIC_BASE : NULL;
	get_random_bytes(&vmm->credential, sizeof(vmm->credential));
	hvt_credential = vmm->credential;
	return vmm;
fail:
	hvt_free_vmm(vmm);
	return NULL;
}

static int hvt_hide_range(struct hvt_vmm *vmm, const void *mem, size_t size)
{
	u64 entry = vmm->zero_page_pa | HVT_EPT_READ |
		    ((u64)HVT_MT_WB << HVT_EPT_TYPE_SHIFT);
	size_t offset;
	int err;

	for (offset = 0; offset < PAGE_ALIGN(size); offset += PAGE_SIZE) {
		err = hvt_ept_set_4k(&vmm->ept, __pa(mem + offset), entry);
		if (err)
			return err;
		vmm->hidden_pages++;
	}
	return 0;
}

/*
 * Takes every page the hypervisor owns out of the guest's view: its state,
 * stacks, VMCS regions, tables and the EPT itself. Hiding may split large
 * EPT pages and so allocate tables, which are hidden in turn.
 */
static int hvt_hide_memory(struct hvt_vmm *vmm)
{
	const struct {
		const void *mem;
		size_t size;
	} shared[] = {
		{ vmm, hvt_vmm_size(vmm->nr_cpus) },
		{ vmm->msr_bitmap, PAGE_SIZE },
		{ vmm->host_pml4, PAGE_SIZE },
		{ vmm->host_idt, PAGE_SIZE },
	};
	struct page *page;
	bool more;
	size_t i;
	int cpu, err = 0;

	for (i = 0; i < ARRAY_SIZE(shared) && !err; i++)
		err = hvt_hide_range(vmm, shared[i].mem, shared[i].size);
	if (!err)
		err = hvt_hide_range(vmm, vmm->trust, sizeof(*vmm->trust)) ?:
		      hvt_hide_range(vmm, vmm->trust->sessions, hvt_trust_sessions_size()) ?:
		      hvt_hide_range(vmm, vmm->trust->frames, hvt_trust_frames_size()) ?:
		      hvt_hide_range(vmm, vmm->trust->pool, hvt_pool_size());
	for_each_possible_cpu(cpu) {
		struct hvt_cpu *vcpu = vmm->cpus[cpu];

		if (err)
			break;
		err = hvt_hide_range(vmm, vcpu, sizeof(*vcpu)) ?:
		      hvt_hide_range(vmm, vcpu->vmxon, PAGE_SIZE) ?:
		      hvt_hide_range(vmm, vcpu->vmcs, PAGE_SIZE) ?:
		      hvt_hide_range(vmm, vcpu->sink, HVT_SINK_SLOTS * PAGE_SIZE) ?:
		      hvt_hide_range(vmm, vcpu->stack, HVT_HOST_STACK_SIZE);
	}
	do {
		more = false;
		list_for_each_entry(page, &hvt_ept_pages, lru) {
			if (err || page_private(page))
				continue;
			set_page_private(page, 1);
			err = hvt_hide_range(vmm, page_address(page), PAGE_SIZE);
			more = true;
		}
	} while (more && !err);
	if (err)
		pr_err("cannot hide the hypervisor's memory: error %d\n", err);
	return err;
}

/*
 * What VMX root executes and reads of the module: its code, in whole pages
 * of its own (HVT_ROOT, between vmx/root_text_start.S and _end.S), the
 * module's read-only data (the exit-handler table among it) and what was
 * set while it loaded (HVT_RO_AFTER_INIT: the SHA-256 choice). The rest of
 * the module's code runs in Linux, which patches it at will (tracepoints,
 * ftrace, kprobes, static calls): it must stay writable. Linux writes none
 * of these after the module's init, the jump table included.
 */
static unsigned int hvt_module_ro(const u8 **base, size_t *size)
{
	base[0] = hvt_root_text_start;
	size[0] = hvt_root_text_end - hvt_root_text_start;
#ifdef HVT_HAVE_MODULE_MEMORY
	base[1] = THIS_MODULE->mem[MOD_RODATA].base;
	size[1] = THIS_MODULE->mem[MOD_RODATA].size;
	base[2] = THIS_MODULE->mem[MOD_RO_AFTER_INIT].base;
	size[2] = THIS_MODULE->mem[MOD_RO_AFTER_INIT].size;
#else
	base[1] = (const u8 *)THIS_MODULE->core_layout.base + THIS_MODULE->core_layout.text_size;
	size[1] = THIS_MODULE->core_layout.ro_size - THIS_MODULE->core_layout.text_size;
	base[2] = (const u8 *)THIS_MODULE->core_layout.base + THIS_MODULE->core_layout.ro_size;
	size[2] = THIS_MODULE->core_layout.ro_after_init_size - THIS_MODULE->core_layout.ro_size;
#endif
	return 3;
}

/*
 * Makes the code VMX root runs and the module's read-only data (and data
 * read-only after init) read-only in EPT: the guest kernel (text_poke, a
 * rogue module) cannot patch them.
 * Writes are dropped and logged like writes to hidden memory.
 */
static int hvt_protect_code(struct hvt_vmm *vmm)
{
	const u8 *base[3];
	size_t size[3], off;
	unsigned int ranges = hvt_module_ro(base, size), r, pages = 0;
	int err;

	if (!PAGE_ALIGNED(hvt_root_text_start) || !PAGE_ALIGNED(hvt_root_text_end)) {
		pr_err("VMX root's code does not fill whole pages of its own: a build error\n");
		return -ENOEXEC;
	}
	for (r = 0; r < ranges; r++)
		pages += PAGE_ALIGN(size[r]) >> PAGE_SHIFT;
	vmm->code_pa = hvt_alloc_hidden(pages * sizeof(u64));
	if (!vmm->code_pa)
		return -ENOMEM;
	vmm->code_capacity = pages;
	err = hvt_hide_range(vmm, vmm->code_pa, pages * sizeof(u64));
	for (r = 0; r < ranges && !err; r++) {
		for (off = 0; off < size[r] && !err; off += PAGE_SIZE) {
			struct page *page = vmalloc_to_page(base[r] + off);
			u64 pa;

			if (!page)
				continue;
			pa = page_to_phys(page);
			err = hvt_ept_set_4k(&vmm->ept, pa,
					     hvt_ept_entry_4k(&vmm->ept, pa) & ~HVT_EPT_WRITE);
			if (!err)
				vmm->code_pa[vmm->code_pages++] = pa;
		}
	}
	if (err)
		pr_err("cannot write-protect the hypervisor's code: error %d\n", err);
	return err;
}

#ifdef HVT_TEST_HOOKS
/**
 * struct hvt_root_alloc - an allocation VMX root keeps state in (test builds)
 * @name: what it holds
 * @cpu: its CPU, -1 when shared
 * @pa: its physical address
 * @size: its size in bytes
 */
struct hvt_root_alloc {
	const char *name;
	int cpu;
	u64 pa;
	size_t size;
};

/* What hvt_note_root_state() notes: shared allocations, and those of each CPU. */
#define HVT_ROOT_ALLOCS_SHARED	10
#define HVT_ROOT_ALLOCS_PER_CPU	5

static struct hvt_root_alloc *hvt_root_allocs;
static unsigned int hvt_nr_root_allocs, hvt_root_allocs_room;

static void hvt_note_alloc(const char *name, int cpu, const void *mem, size_t size)
{
	if (WARN_ON_ONCE(hvt_nr_root_allocs == hvt_root_allocs_room))
		return;
	hvt_root_allocs[hvt_nr_root_allocs++] = (struct hvt_root_alloc) {
		.name = name, .cpu = cpu, .pa = __pa(mem), .size = size,
	};
}

/*
 * Follows VMX root's pointers from its state, as root does, and notes where
 * they lead: before launch, since this side reads zeros there afterwards.
 */
static void hvt_note_root_state(const struct hvt_vmm *vmm)
{
	const struct hvt_trust *trust = vmm->trust;
	int cpu;

	kfree(hvt_root_allocs);
	hvt_nr_root_allocs = 0;
	hvt_root_allocs = kcalloc(HVT_ROOT_ALLOCS_SHARED + HVT_ROOT_ALLOCS_PER_CPU * nr_cpu_ids,
				  sizeof(*hvt_root_allocs), GFP_KERNEL);
	if (!hvt_root_allocs)
		return;
	hvt_root_allocs_room = HVT_ROOT_ALLOCS_SHARED + HVT_ROOT_ALLOCS_PER_CPU * nr_cpu_ids;
	hvt_note_alloc("state", -1, vmm, hvt_vmm_size(vmm->nr_cpus));
	hvt_note_alloc("cpus", -1, vmm->cpus, vmm->nr_cpus * sizeof(vmm->cpus[0]));
	hvt_note_alloc("msr_bitmap", -1, vmm->msr_bitmap, PAGE_SIZE);
	hvt_note_alloc("host_pml4", -1, vmm->host_pml4, PAGE_SIZE);
	hvt_note_alloc("host_idt", -1, vmm->host_idt, PAGE_SIZE);
	hvt_note_alloc("code_frames", -1, vmm->code_pa, vmm->code_capacity * sizeof(u64));
	hvt_note_alloc("trust", -1, trust, sizeof(*trust));
	hvt_note_alloc("sessions", -1, trust->sessions, hvt_trust_sessions_size());
	hvt_note_alloc("frames", -1, trust->frames, hvt_trust_frames_size());
	hvt_note_alloc("pool", -1, trust->pool, hvt_pool_size());
	for_each_possible_cpu(cpu) {
		const struct hvt_cpu *vcpu = vmm->cpus[cpu];

		hvt_note_alloc("cpu", cpu, vcpu, sizeof(*vcpu));
		hvt_note_alloc("vmxon", cpu, vcpu->vmxon, PAGE_SIZE);
		hvt_note_alloc("vmcs", cpu, vcpu->vmcs, PAGE_SIZE);
		hvt_note_alloc("sink", cpu, vcpu->sink, HVT_SINK_SLOTS * PAGE_SIZE);
		hvt_note_alloc("stack", cpu, vcpu->stack, HVT_HOST_STACK_SIZE);
	}
}

static void hvt_forget_root_state(void)
{
	kfree(hvt_root_allocs);
	hvt_root_allocs = NULL;
	hvt_nr_root_allocs = 0;
	hvt_root_allocs_room = 0;
}

/**
 * hvt_hv_show_root_state() - list what VMX root keeps its state in
 * @m: one line per allocation: name, CPU (-1: shared), physical address, bytes
 *
 * Test builds only: the selftests read each one as the guest kernel could,
 * and expect zeros. Every allocation that VMX root takes a pointer, a bound
 * or a decision from belongs in this list.
 */
void hvt_hv_show_root_state(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < hvt_nr_root_allocs; i++)
		seq_printf(m, "%s %d %#llx %zu\n", hvt_root_allocs[i].name,
			   hvt_root_allocs[i].cpu, hvt_root_allocs[i].pa,
			   hvt_root_allocs[i].size);
}
#else
static void hvt_note_root_state(const struct hvt_vmm *vmm) { }
static void hvt_forget_root_state(void) { }
#endif

static int hvt_cpu_online(unsigned int cpu)
{
	struct hvt_cpu_glue *glue = &hvt_glue[cpu];
	struct hvt_cpu *vcpu = glue->vcpu;
	unsigned long flags;
	int err;

	if (glue->launched || READ_ONCE(hvt_pm_suspended))
		return 0;
	local_irq_save(flags);
	err = hvt_cpu_launch(vcpu);
	local_irq_restore(flags);
	if (!err) {
		glue->launched = true;
		atomic64_inc(&hvt_launches);
	}
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
	struct hvt_cpu_glue *glue = &hvt_glue[cpu];
	unsigned long flags;
	long ret;

	if (!glue->launched)
		return 0;
	local_irq_save(flags);
	ret = hvt_vmcall(HVTRUST_HC_DEVIRTUALIZE, hvt_credential, 0, 0, 0);
	local_irq_restore(flags);
	if (ret)
		pr_err("CPU %u: the hypervisor refused to give it back (%ld)\n", cpu, ret);
	else
		glue->launched = false;
	return 0;
}

static void hvt_devirtualize_here(void *unused)
{
	hvt_cpu_offline(smp_processor_id());
}

static void hvt_virtualize_here(void *unused)
{
	hvt_cpu_online(smp_processor_id());
}

/*
 * Suspend and hibernation: every CPU leaves VMX before the firmware or the
 * image snapshot sees it, CPUs brought back online on the way stay guests of
 * nobody, and all are virtualized again once the system runs.
 */
static int hvt_pm_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	switch (action) {
	case PM_SUSPEND_PREPARE:
	case PM_HIBERNATION_PREPARE:
	case PM_RESTORE_PREPARE:
		cpus_read_lock();
		WRITE_ONCE(hvt_pm_suspended, true);
		on_each_cpu(hvt_devirtualize_here, NULL, 1);
		cpus_read_unlock();
		break;
	case PM_POST_SUSPEND:
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
		cpus_read_lock();
		WRITE_ONCE(hvt_pm_suspended, false);
		on_each_cpu(hvt_virtualize_here, NULL, 1);
		cpus_read_unlock();
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block hvt_pm_nb = {
	.notifier_call = hvt_pm_notify,
};

/* Reboot, power-off and kexec: every CPU leaves VMX before Linux goes. */
static int hvt_reboot_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	on_each_cpu(hvt_devirtualize_here, NULL, 1);
	return NOTIFY_DONE;
}

static struct notifier_block hvt_reboot_nb = {
	.notifier_call = hvt_reboot_notify,
};

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

	atomic64_set(&hvt_launches, 0);
	hvt_glue = kcalloc(nr_cpu_ids, sizeof(*hvt_glue), GFP_KERNEL);
	if (!hvt_glue)
		return -ENOMEM;
	hvt_vmm = hvt_alloc_vmm(&hvt_vmx_config);
	if (!hvt_vmm) {
		pr_err("cannot allocate the hypervisor's memory\n");
		ret = -ENOMEM;
		goto free_glue;
	}
	ret = hvt_build_ept(hvt_vmm);
	if (ret)
		goto free_vmm;
	hvt_build_msr_bitmap(hvt_vmm);
	hvt_build_host_idt(hvt_vmm->host_idt);
	ret = hvt_build_host_page_table(hvt_vmm) ?: hvt_protect_code(hvt_vmm) ?:
	      hvt_hide_memory(hvt_vmm);
	if (ret)
		goto free_vmm;
	hvt_note_root_state(hvt_vmm);
	hvt_trust_use_pool(hvt_vmm);
	hvt_hidden_pages = hvt_vmm->hidden_pages;
	hvt_vmm_pa = __pa(hvt_vmm);

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvtrust:online",
				hvt_cpu_online, hvt_cpu_offline);
	if (ret < 0) {
		pr_err("cannot virtualize every online CPU: error %d\n", ret);
		goto drain;
	}
	hvt_cpuhp_state = ret;
	register_pm_notifier(&hvt_pm_nb);
	register_reboot_notifier(&hvt_reboot_nb);
	schedule_delayed_work(&hvt_log_work, HVT_LOG_DRAIN_PERIOD);
	pr_info("virtualized %u CPUs; %lu pages of hypervisor memory hidden\n",
		num_online_cpus(), hvt_hidden_pages);
	return 0;

drain:
	hvt_log_drain_all();
free_vmm:
	hvt_forget_root_state();
	hvt_free_vmm(hvt_vmm);
	hvt_vmm = NULL;
free_glue:
	kfree(hvt_glue);
	hvt_glue = NULL;
	return ret;
}

/**
 * hvt_hv_running() - whether the hypervisor runs (and the service with it)
 *
 * Return: true when hvtrust was loaded with virtualize=1.
 */
bool hvt_hv_running(void)
{
	return hvt_vmm;
}

/**
 * hvt_hv_call() - a kernel-only hypercall on this CPU, with the credential
 * @nr: the call
 * @a2: RCX
 * @a3: RDX
 * @a4: RSI
 *
 * Return: the hypervisor's result, or -ENODEV when this CPU is not a guest.
 */
long hvt_hv_call(unsigned long nr, unsigned long a2, unsigned long a3,
		 unsigned long a4)
{
	int cpu = get_cpu();
	long ret = -ENODEV;

	if (hvt_glue && hvt_glue[cpu].launched)
		ret = hvt_vmcall(nr, hvt_credential, a2, a3, a4);
	put_cpu();
	return ret;
}

/**
 * hvt_hv_status() - fill in what /dev/hvtrust reports of the hypervisor
 * @status: the ioctl's argument
 */
void hvt_hv_status(struct hvtrust_status *status)
{
	int cpu;

	status->cpus_online = num_online_cpus();
	cpus_read_lock();
	for_each_online_cpu(cpu)
		if (hvt_glue && hvt_glue[cpu].launched)
			status->cpus_virtualized++;
	cpus_read_unlock();
	if (status->cpus_virtualized)
		status->flags |= HVTRUST_STATUS_VIRTUALIZED;
	status->hidden_pages = hvt_vmm ? hvt_hidden_pages : 0;
	status->state_pa = hvt_vmm ? hvt_vmm_pa : 0;
	status->launches = atomic64_read(&hvt_launches);
}

/* The counters live in hidden memory: ask the hypervisor on that CPU. */
static void hvt_read_exits_here(void *info)
{
	struct hvtrust_exits *exits = info;
	unsigned int reason;

	for (reason = 0; reason < HVTRUST_EXIT_REASONS; reason++)
		exits->counts[reason] = hvt_vmcall(HVTRUST_HC_EXIT_COUNT,
						   hvt_credential, reason, 0, 0);
}

/**
 * hvt_hv_exits() - the exit counters of one CPU
 * @cpu: the CPU
 * @exits: the ioctl's argument
 *
 * Return: 0, -EINVAL for no such CPU, -ENODEV when it is not virtualized.
 */
int hvt_hv_exits(unsigned int cpu, struct hvtrust_exits *exits)
{
	int err = 0;

	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	cpus_read_lock();
	if (!hvt_glue || !cpu_online(cpu) || !hvt_glue[cpu].launched)
		err = -ENODEV;
	else
		err = smp_call_function_single(cpu, hvt_read_exits_here, exits, 1);
	cpus_read_unlock();
	return err;
}

/**
 * hvt_hv_stop() - give every CPU back, then free the hypervisor
 */
void hvt_hv_stop(void)
{
	if (!hvt_vmm)
		return;
	hvt_trust_end_sessions();
	unregister_reboot_notifier(&hvt_reboot_nb);
	unregister_pm_notifier(&hvt_pm_nb);
	cpuhp_remove_state(hvt_cpuhp_state);
	cancel_delayed_work_sync(&hvt_log_work);
	hvt_log_drain_all();
	hvt_forget_root_state();
	hvt_free_vmm(hvt_vmm);
	hvt_vmm = NULL;
	kfree(hvt_glue);
	hvt_glue = NULL;
	memzero_explicit(&hvt_credential, sizeof(hvt_credential));
	hvt_trust_cleanup();
	pr_info("every CPU devirtualized\n");
}
