// SPDX-License-Identifier: GPL-2.0
/* Builds the hypervisor before launch: hidden memory, EPT, host page tables, IDT, MSR bitmap. */
/* Context: process context (module load and unload). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
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
#include "../vmx/entry.h"
#include "../vmx/frame.h"
#include "../vmx/root_text.h"
#include "../vmx/service.h"
#include "../vmx/vmm.h"
#include "build.h"
#include "log_drain.h"
#include "params.h"

/* Tables of the EPT and of the host's own map of RAM: hidden like the rest. */
static LIST_HEAD(hvt_ept_pages);
/*
 * Each CPU's state, as this side keeps pointing at it: the copy in struct
 * hvt_vmm reads as zeros once a CPU runs as a guest.
 */
static struct hvt_cpu **hvt_vcpus;

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
				     hvt_cpu_has_ept_1g_pages(&vmm->config.caps));
	kfree(mtrr);
	if (err)
		pr_err("cannot build the EPT identity map up to %#llx: error %d\n", top, err);
	else
		pr_info("EPT identity map of %u MAXPHYADDR bits: %u tables, %lu 1G, %lu 2M, %lu 4K pages\n",
			boot_cpu_data.x86_phys_bits, vmm->ept.tables,
			vmm->ept.pages_1g, vmm->ept.pages_2m, vmm->ept.pages_4k);
	return err;
}

/* Low MSRs: read bitmap at 0, write bitmap at 2048 (SDM 25.6.9). */
static void hvt_msr_bitmap_trap_write(u8 *bitmap, u32 msr)
{
	bitmap[2048 + msr / 8] |= BIT(msr % 8);
}

static void hvt_msr_bitmap_trap(u8 *bitmap, u32 msr)
{
	bitmap[msr / 8] |= BIT(msr % 8);
	hvt_msr_bitmap_trap_write(bitmap, msr);
}

static void hvt_build_msr_bitmap(struct hvt_vmm *vmm)
{
	u32 msr;

	hvt_msr_bitmap_trap(vmm->msr_bitmap, MSR_IA32_FEAT_CTL);
	/* Flush NMIs need the local APIC where it was at load (vmx/flush.c). */
	hvt_msr_bitmap_trap_write(vmm->msr_bitmap, MSR_IA32_APICBASE);
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

static void hvt_free_cpu(struct hvt_cpu *vcpu, int cpu)
{
	hvt_log_ring_free(cpu);
	hvt_vcpus[cpu] = NULL;
	if (!vcpu)
		return;
	hvt_free_hidden(vcpu->vmxon, PAGE_SIZE);
	hvt_free_hidden(vcpu->vmcs, PAGE_SIZE);
	hvt_free_hidden(vcpu->sink, HVT_SINK_SLOTS * PAGE_SIZE);
	hvt_free_hidden(vcpu->stack, HVT_HOST_STACK_SIZE);
	hvt_free_hidden(vcpu, sizeof(*vcpu));
}

static int hvt_alloc_cpu(struct hvt_vmm *vmm, int cpu)
{
	struct hvt_cpu *vcpu = hvt_alloc_hidden(sizeof(*vcpu));
	struct hvt_log_ring *log = hvt_log_ring_alloc(cpu);

	if (!vcpu || !log)
		goto fail;
	vcpu->vmm = vmm;
	vcpu->cpu = cpu;
	vcpu->apic_id = cpu_physical_id(cpu);
	vcpu->log = log;
	vcpu->vmxon = hvt_alloc_hidden(PAGE_SIZE);
	vcpu->vmcs = hvt_alloc_hidden(PAGE_SIZE);
	vcpu->sink = hvt_alloc_hidden(HVT_SINK_SLOTS * PAGE_SIZE);
	vcpu->stack = hvt_alloc_hidden(HVT_HOST_STACK_SIZE);
	if (!vcpu->vmxon || !vcpu->vmcs || !vcpu->sink || !vcpu->stack)
		goto fail;
	/* Root finds its struct hvt_cpu from the stack pointer (hvt_vmwrite_error()). */
	if (WARN_ON(!IS_ALIGNED((unsigned long)vcpu->stack, HVT_HOST_STACK_SIZE)))
		goto fail;
	vcpu->vmxon_pa = __pa(vcpu->vmxon);
	vcpu->vmcs_pa = __pa(vcpu->vmcs);
	vcpu->sink_pa = __pa(vcpu->sink);
	vmm->cpus[cpu] = vcpu;
	hvt_vcpus[cpu] = vcpu;
	return 0;
fail:
	hvt_free_cpu(vcpu, cpu);
	return -ENOMEM;
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
	trust->sessions = hvt_alloc_hidden(hvt_params_sessions_size());
	trust->frames = hvt_alloc_hidden(hvt_params_frames_size());
	trust->pool = hvt_alloc_hidden(hvt_params_pool_size());
	trust->secrets = hvt_alloc_hidden(hvt_params_secrets_size());
	if (!trust->sessions || !trust->frames || !trust->pool || !trust->secrets)
		return -ENOMEM;
	for (i = 0; i < hvt_params_pool_pages(); i++) {
		if (!hvt_ept_alloc_table(NULL, &trust->pool[i]))
			return -ENOMEM;
		trust->pool_size++;
	}
	trust->pool_free = trust->pool_size;
	return hvt_params_setup_service(trust, &vmm->config);
}

static void hvt_free_vmm(struct hvt_vmm *vmm)
{
	int cpu;

	for_each_possible_cpu(cpu)
		hvt_free_cpu(vmm->cpus[cpu], cpu);
	hvt_free_ept();
	hvt_free_hidden(vmm->code_pa, vmm->code_capacity * sizeof(u64));
	if (vmm->trust) {
		hvt_free_hidden(vmm->trust->sessions, hvt_params_sessions_size());
		hvt_free_hidden(vmm->trust->frames, hvt_params_frames_size());
		hvt_free_hidden(vmm->trust->pool, hvt_params_pool_size());
		hvt_free_hidden(vmm->trust->secrets, hvt_params_secrets_size());
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
		if (hvt_alloc_cpu(vmm, cpu))
			goto fail;
	if (hvt_alloc_trust(vmm))
		goto fail;
	vmm->msr_bitmap_pa = __pa(vmm->msr_bitmap);
	vmm->zero_page_pa = __pa(vmm->zero_page);
	vmm->tsc_khz = tsc_khz ?: 1000000;
	/* Linux maps the xAPIC there for as long as it runs (unused in x2APIC mode). */
	vmm->xapic = boot_cpu_has(X86_FEATURE_APIC) ? (u8 __iomem *)APIC_BASE : NULL;
	get_random_bytes(&vmm->credential, sizeof(vmm->credential));
	return vmm;
fail:
	hvt_free_vmm(vmm);
	return NULL;
}

static int hvt_hide_range(struct hvt_vmm *vmm, const void *mem, size_t size)
{
	u64 entry = hvt_ept_hidden_entry(vmm->zero_page_pa);
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
		      hvt_hide_range(vmm, vmm->trust->sessions, hvt_params_sessions_size()) ?:
		      hvt_hide_range(vmm, vmm->trust->frames, hvt_params_frames_size()) ?:
		      hvt_hide_range(vmm, vmm->trust->pool, hvt_params_pool_size()) ?:
		      hvt_hide_range(vmm, vmm->trust->secrets, hvt_params_secrets_size());
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
#define HVT_ROOT_ALLOCS_SHARED	11
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
	hvt_note_alloc("sessions", -1, trust->sessions, hvt_params_sessions_size());
	hvt_note_alloc("frames", -1, trust->frames, hvt_params_frames_size());
	hvt_note_alloc("pool", -1, trust->pool, hvt_params_pool_size());
	hvt_note_alloc("secrets", -1, trust->secrets, hvt_params_secrets_size());
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
 * hvt_build_show_root_state() - list what VMX root keeps its state in
 * @m: one line per allocation: name, CPU (-1: shared), physical address, bytes
 *
 * Test builds only: the selftests read each one as the guest kernel could,
 * and expect zeros. Every allocation that VMX root takes a pointer, a bound
 * or a decision from belongs in this list.
 */
void hvt_build_show_root_state(struct seq_file *m)
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

/**
 * hvt_build_vmm() - build the hypervisor, hidden and ready to launch
 * @config: the controls to program on every CPU
 *
 * Until a CPU launches, its hidden memory still reads as written here.
 *
 * Return: the hypervisor, or an ERR_PTR() with nothing left behind.
 */
struct hvt_vmm *hvt_build_vmm(const struct hvt_vmx_config *config)
{
	struct hvt_vmm *vmm;
	int ret;

	hvt_vcpus = kcalloc(nr_cpu_ids, sizeof(*hvt_vcpus), GFP_KERNEL);
	if (!hvt_vcpus)
		return ERR_PTR(-ENOMEM);
	ret = hvt_log_rings_init();
	if (ret)
		goto free_vcpus;
	vmm = hvt_alloc_vmm(config);
	if (!vmm) {
		pr_err("cannot allocate the hypervisor's memory\n");
		ret = -ENOMEM;
		goto free_rings;
	}
	ret = hvt_build_ept(vmm);
	if (ret)
		goto free_vmm;
	hvt_build_msr_bitmap(vmm);
	hvt_build_host_idt(vmm->host_idt);
	ret = hvt_build_host_page_table(vmm) ?: hvt_protect_code(vmm) ?: hvt_hide_memory(vmm);
	if (ret)
		goto free_vmm;
	hvt_note_root_state(vmm);
	hvt_frame_use_pool(vmm);
	return vmm;

free_vmm:
	hvt_free_vmm(vmm);
free_rings:
	hvt_log_rings_exit();
free_vcpus:
	kfree(hvt_vcpus);
	hvt_vcpus = NULL;
	return ERR_PTR(ret);
}

/* Once every CPU was given back and the log drained. */
void hvt_build_free(struct hvt_vmm *vmm)
{
	hvt_forget_root_state();
	hvt_free_vmm(vmm);
	hvt_log_rings_exit();
	kfree(hvt_vcpus);
	hvt_vcpus = NULL;
}

/* A CPU's state, from this side, for its launch. */
struct hvt_cpu *hvt_build_vcpu(unsigned int cpu)
{
	return hvt_vcpus[cpu];
}
