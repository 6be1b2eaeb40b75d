// SPDX-License-Identifier: GPL-2.0
/* Test-only module: reads and writes physical memory as a hostile guest kernel would. */
/* Context: process context (module load) inside the test guest; never shipped. */
#define pr_fmt(fmt) "hvt_peek: " fmt

#include <linux/atomic.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pfn.h>
#include <linux/pgtable.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>
#include <asm/msr-index.h>

static unsigned long long pa;
module_param(pa, ullong, 0444);
MODULE_PARM_DESC(pa, "Physical address of the RAM page to read, write and read again");

#define HVT_PEEK_MAX_PAGES	96

static unsigned long long pages[HVT_PEEK_MAX_PAGES];
static int nr_pages;
module_param_array(pages, ullong, &nr_pages, 0444);
MODULE_PARM_DESC(pages, "Or a list of physical addresses of RAM pages, each peeked as pa is");

static unsigned long va;
module_param(va, ulong, 0444);
MODULE_PARM_DESC(va, "Or a module (vmalloc) address whose page to read, write (through a writable alias) and read again");

static unsigned long long flip_pa;
module_param(flip_pa, ullong, 0444);
MODULE_PARM_DESC(flip_pa, "Or the physical address of a 64-bit word of RAM to XOR flip_mask into");

static unsigned long long flip_mask;
module_param(flip_mask, ullong, 0444);
MODULE_PARM_DESC(flip_mask, "The bits to flip at flip_pa (a page-table entry's ignored bits, say)");

static int exec_pid;
module_param(exec_pid, int, 0444);
MODULE_PARM_DESC(exec_pid, "Or a process whose page at exec_va to make executable in its page table");

static unsigned long exec_va;
module_param(exec_va, ulong, 0444);
MODULE_PARM_DESC(exec_va, "The user address whose 4 KiB page-table entry loses NX (no mprotect, no hook)");

#define HVT_PEEK_PATTERN	0x5a5aa5a5deadbeefULL

static int move_pid;
module_param(move_pid, int, 0444);
MODULE_PARM_DESC(move_pid, "Or a process whose page at move_va to move to a new frame with the same contents, until the module unloads");

static unsigned long move_va;
module_param(move_va, ulong, 0444);
MODULE_PARM_DESC(move_va, "The user address whose page moves");

static void hvt_peek_page(u64 *page, unsigned long long where)
{
	unsigned int i, nonzero = 0;
	u64 before, after;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		if (READ_ONCE(page[i]))
			nonzero++;
	before = READ_ONCE(page[0]);
	WRITE_ONCE(page[0], HVT_PEEK_PATTERN);
	after = READ_ONCE(page[0]);
	pr_info("pa %#llx: %u nonzero words, first %#llx, wrote %#llx, read back %#llx\n",
		where & PAGE_MASK, nonzero, before, HVT_PEEK_PATTERN, after);
}

/*
 * What a hostile kernel can do without going through mprotect (and so past
 * every LSM hook): clear NX in the leaf entry itself. No TLB flush: the next
 * access walks the table anyway once the stale entry is gone, and the
 * hypervisor reads the table, not the TLB.
 */
static struct mm_struct *hvt_peek_mm_of(int pid)
{
	struct task_struct *task = get_pid_task(find_get_pid(pid), PIDTYPE_PID);
	struct mm_struct *mm = task ? get_task_mm(task) : NULL;

	if (task)
		put_task_struct(task);
	return mm;
}

/* The present 4 KiB leaf entry of @va, or NULL; under the mmap lock. */
static pte_t *hvt_peek_pte(struct mm_struct *mm, unsigned long va)
{
	pgd_t *pgd = pgd_offset(mm, va);
	p4d_t *p4d = pgd_none(*pgd) ? NULL : p4d_offset(pgd, va);
	pud_t *pud = !p4d || p4d_none(*p4d) ? NULL : pud_offset(p4d, va);
	pmd_t *pmd = !pud || pud_none(*pud) || pud_leaf(*pud) ? NULL : pmd_offset(pud, va);
	pte_t *pte;

	if (!pmd || pmd_none(*pmd) || pmd_leaf(*pmd))
		return NULL;
	pte = pte_offset_kernel(pmd, va);
	return pte_present(*pte) ? pte : NULL;
}

static int hvt_peek_make_executable(void)
{
	struct mm_struct *mm = hvt_peek_mm_of(exec_pid);
	int err = -EFAULT;
	pte_t *pte;

	if (!mm)
		return -ESRCH;
	mmap_read_lock(mm);
	pte = hvt_peek_pte(mm, exec_va);
	if (pte) {
		pr_info("pid %d va %#lx: pte %#llx loses NX\n", exec_pid, exec_va,
			(unsigned long long)pte_val(*pte));
		set_pte(pte, pte_mkexec(*pte));
		err = 0;
	}
	mmap_read_unlock(mm);
	mmput(mm);
	return err;
}

/* The page moved, the entry it had, and its address space, until unload. */
static struct mm_struct *hvt_peek_moved_mm;
static struct page *hvt_peek_new_page;
static pte_t hvt_peek_old_pte;

/* flush_tlb_mm() is not for modules: every CPU drops every translation. */
static void hvt_peek_flush_here(void *unused)
{
	__flush_tlb_all();
}

/* No mmu notifier hears of it: the move no honest kernel makes. */
static void hvt_peek_set_pte(pte_t *pte, pte_t value)
{
	set_pte(pte, value);
	on_each_cpu(hvt_peek_flush_here, NULL, 1);
}

/*
 * A copy of the page in a new frame, and the leaf entry pointed at it: what
 * migration does, without telling anyone (a test that wants the move
 * announced makes Linux announce a change of the page first, by mprotect).
 * The old frame stays the process's; unloading puts the entry back (the
 * test keeps the process alive until then), so that Linux's own accounting
 * never sees the copy.
 */
static int hvt_peek_move(void)
{
	struct mm_struct *mm = hvt_peek_mm_of(move_pid);
	int err = -EFAULT;
	pte_t *pte;

	if (!mm)
		return -ESRCH;
	hvt_peek_new_page = alloc_page(GFP_KERNEL);
	if (!hvt_peek_new_page) {
		mmput(mm);
		return -ENOMEM;
	}
	mmap_read_lock(mm);
	pte = hvt_peek_pte(mm, move_va);
	if (pte) {
		hvt_peek_old_pte = *pte;
		copy_page(page_address(hvt_peek_new_page), page_address(pte_page(*pte)));
		hvt_peek_set_pte(pte, pfn_pte(page_to_pfn(hvt_peek_new_page),
					      pte_pgprot(hvt_peek_old_pte)));
		pr_info("pid %d va %#lx: moved from pfn %#lx to %#lx\n", move_pid, move_va,
			pte_pfn(hvt_peek_old_pte), page_to_pfn(hvt_peek_new_page));
		err = 0;
	}
	mmap_read_unlock(mm);
	if (err) {
		__free_page(hvt_peek_new_page);
		mmput(mm);
		return err;
	}
	hvt_peek_moved_mm = mm;
	return 0;
}

static void hvt_peek_move_back(void)
{
	struct mm_struct *mm = hvt_peek_moved_mm;
	pte_t *pte;

	mmap_read_lock(mm);
	pte = hvt_peek_pte(mm, move_va);
	if (pte && pte_pfn(*pte) == page_to_pfn(hvt_peek_new_page))
		hvt_peek_set_pte(pte, hvt_peek_old_pte);
	mmap_read_unlock(mm);
	mmput(mm);
	__free_page(hvt_peek_new_page);
}

static bool apic_base;
module_param(apic_base, bool, 0444);
MODULE_PARM_DESC(apic_base, "Or try to move every CPU's local APIC 1 MiB up, where the hypervisor's flush NMIs would not reach it");

static atomic_t hvt_peek_apic_moved, hvt_peek_apic_kept;

/*
 * On each CPU with interrupts off: move the APIC base, which must be
 * refused (#GP, caught), then write the same value back, which must pass.
 * A move that went through is undone at once.
 */
static void hvt_peek_move_apic(void *unused)
{
	u64 now, moved;

	rdmsrl(MSR_IA32_APICBASE, now);
	moved = now ^ BIT_ULL(20);
	if (!wrmsrl_safe(MSR_IA32_APICBASE, moved)) {
		atomic_inc(&hvt_peek_apic_moved);
		wrmsrl(MSR_IA32_APICBASE, now);
	}
	if (!wrmsrl_safe(MSR_IA32_APICBASE, now))
		atomic_inc(&hvt_peek_apic_kept);
}

static int hvt_peek_apic_base(void)
{
	on_each_cpu(hvt_peek_move_apic, NULL, 1);
	pr_info("APIC base: moved on %d CPUs, same value written on %d of %u\n",
		atomic_read(&hvt_peek_apic_moved), atomic_read(&hvt_peek_apic_kept),
		num_online_cpus());
	if (atomic_read(&hvt_peek_apic_moved))
		return -EIO;
	return atomic_read(&hvt_peek_apic_kept) == num_online_cpus() ? 0 : -EPERM;
}

static int __init hvt_peek_init(void)
{
	struct page *target = va ? vmalloc_to_page((void *)va) : NULL;
	void *alias = NULL;
	int i;

	if (exec_pid)
		return hvt_peek_make_executable();
	if (move_pid)
		return hvt_peek_move();
	if (apic_base)
		return hvt_peek_apic_base();
	if (flip_pa) {
		u64 *word = phys_to_virt(flip_pa);

		if (!pfn_valid(PHYS_PFN(flip_pa)) || !IS_ALIGNED(flip_pa, sizeof(u64)))
			return -EINVAL;
		pr_info("pa %#llx: %#llx, flipped to %#llx\n", flip_pa, READ_ONCE(*word),
			READ_ONCE(*word) ^ flip_mask);
		WRITE_ONCE(*word, READ_ONCE(*word) ^ flip_mask);
		return 0;
	}
	for (i = 0; i < nr_pages; i++)
		if (!pfn_valid(PHYS_PFN(pages[i])))
			return -EINVAL;
	for (i = 0; i < nr_pages; i++)
		hvt_peek_page(phys_to_virt(pages[i] & PAGE_MASK), pages[i]);
	if (nr_pages)
		return 0;

	/*
	 * Module text is read-only in Linux's own page tables, its direct-map
	 * alias too: a hostile kernel maps it writable elsewhere first.
	 */
	if (target) {
		alias = vmap(&target, 1, VM_MAP, PAGE_KERNEL);
		if (!alias)
			return -ENOMEM;
		pa = page_to_phys(target);
	}
	if (!pa || !pfn_valid(PHYS_PFN(pa))) {
		if (alias)
			vunmap(alias);
		return -EINVAL;
	}
	hvt_peek_page(alias ?: phys_to_virt(pa & PAGE_MASK), pa);
	if (alias)
		vunmap(alias);
	return 0;
}

static void __exit hvt_peek_exit(void)
{
	if (hvt_peek_moved_mm)
		hvt_peek_move_back();
}

module_init(hvt_peek_init);
module_exit(hvt_peek_exit);

MODULE_DESCRIPTION("hvtrust selftest: a guest kernel reading and writing hypervisor memory");
MODULE_LICENSE("GPL");
