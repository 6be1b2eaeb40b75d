/* SPDX-License-Identifier: GPL-2.0 */
/* The hypervisor's per-CPU and global state, shared by the root core and the module. */
/* Context: any; the structures live in memory allocated before launch. */
#ifndef HVT_VMX_VMM_H
#define HVT_VMX_VMM_H

#include <linux/atomic.h>
#include <linux/types.h>

#include "../ept/ept.h"
#include "caps.h"
#include "host_stack.h"

#define HVT_EXIT_REASONS	80	/* HVTRUST_EXIT_REASONS */
#define HVT_LOG_ENTRIES		256
#define HVT_SINK_SLOTS		2	/* an unaligned write spans two pages */

/**
 * struct hvt_guest_regs - guest general-purpose registers saved at VM exit
 *
 * Laid out as the exit entry pushes them; @rsp is a placeholder, the guest's
 * RSP is in the VMCS.
 */
struct hvt_guest_regs {
	u64 rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/**
 * struct hvt_log_record - one event logged in VMX root
 * @code: what happened (enum hvt_log_code)
 * @cpu: where
 * @args: its values
 */
struct hvt_log_record {
	u32 code;
	u32 cpu;
	u64 args[4];
};

/**
 * struct hvt_log_ring - per-CPU single-producer ring drained in normal context
 * @head: next slot the producer (VMX root on this CPU) writes
 * @tail: next slot the consumer reads
 * @dropped: records lost because the ring was full
 * @records: the slots
 *
 * The ring is the one piece of hypervisor memory the guest can see: VMX root
 * keeps its own copy of @head and never trusts @tail beyond bounds checks.
 */
struct hvt_log_ring {
	u32 head;
	u32 tail;
	u32 dropped;
	struct hvt_log_record records[HVT_LOG_ENTRIES];
};

enum hvt_log_code {
	HVT_LOG_UNEXPECTED_EXIT,	/* reason, qualification, rip, cpl */
	HVT_LOG_FAILED_ENTRY,		/* reason, qualification, instruction error */
	HVT_LOG_EPT_VIOLATION,		/* gpa, qualification, rip, gla */
	HVT_LOG_TRIPLE_FAULT,		/* rip, cr3 */
	HVT_LOG_INIT_SIGNAL,		/* rip */
	HVT_LOG_VMWRITE_FAILED,		/* field, value, instruction error */
	HVT_LOG_DEVIRTUALIZED,		/* reason code */
	HVT_LOG_HIDDEN_WRITE,		/* gpa, rip, gla, cpl */
	HVT_LOG_HIDDEN_FETCH,		/* gpa, rip, gla, qualification */
	HVT_LOG_AUDIT,			/* kind << 56 | session, cr3, gva, gpa */
	HVT_LOG_CODE_WRITE,		/* gpa, rip, gla, cpl */
	HVT_LOG_VMCS_FIELDS,		/* field, value, field, value */
	HVT_LOG_GUEST_GPRS,		/* four general-purpose registers */
	HVT_LOG_STOPPED,		/* rip: the CPU stays in root for good */
	HVT_LOG_FLUSH_UNCONFIRMED,	/* exit reason, rip: a CPU kept an EPT flush waiting */
	HVT_LOG_CODES,
};

/**
 * struct hvt_iret_frame - how the CPU leaves VMX operation into the guest
 * @rip: guest RIP to continue at
 * @cs: guest CS selector
 * @rflags: guest RFLAGS
 * @rsp: guest RSP
 * @ss: guest SS selector
 */
struct hvt_iret_frame {
	u64 rip, cs, rflags, rsp, ss;
};

/* What the exit dispatcher does once a handler is done. */
enum hvt_exit_action {
	HVT_RESUME,		/* re-enter the guest at the same RIP */
	HVT_ADVANCE,		/* the instruction was emulated: skip it */
	HVT_LEAVE,		/* take the CPU out of VMX (asked for: DEVIRTUALIZE) */
	HVT_ADVANCE_AND_LEAVE,	/* skip the instruction, then leave VMX */
	HVT_STOP,		/* what cannot go on: stop the CPU in root */
};

struct hvt_vmm;
struct hvt_trust;

/**
 * struct hvt_cpu - one virtualized CPU
 * @root_nmis: NMIs taken in VMX root (vmx/entry.S counts them here, in
 *             hidden memory, at HVT_CPU_ROOT_NMIS)
 * @vmm: the global state
 * @cpu: its Linux CPU number
 * @vmxon: VMXON region
 * @vmxon_pa: its physical address
 * @vmcs: the VMCS
 * @vmcs_pa: its physical address
 * @stack: the host stack (VMX root)
 * @exits: VM exits by basic reason
 * @pending_nmis: NMIs to deliver to the guest
 * @vm_instruction_error: VM_INSTRUCTION_ERROR of a failed VMX instruction
 * @vmwrite_failed_field: the first VMWRITE that failed in VMX root (0: none)
 * @log: the log ring of this CPU (visible to the guest)
 * @log_head: VMX root's own copy of @log->head
 * @sink: where a guest write to hidden memory lands for one instruction, a
 *        page per slot
 * @sink_pa: its physical address
 * @sink_gpa: the hidden pages mapped to @sink now, 0 for a free slot
 * @sink_restore: the EPT leaf each of them gets back after the step
 * @ept_generation: the EPT generation (struct hvt_vmm) this CPU has flushed
 * @apic_id: its local APIC ID, where other CPUs send flush requests
 * @gdt_rw: the writable alias of its GDT, where leaving VMX marks the TSS busy
 * @in_vmx: the CPU runs as a guest and takes NMIs through the host IDT:
 *          set at its first VM exit, cleared when it leaves
 * @launching: between the EPT flush before VMLAUNCH and the first exit:
 *             the guest may cache EPT entries, no flush NMI reaches it yet
 * @flush_senders: other CPUs between reading @in_vmx and sending a flush
 *                 NMI here: a leaving CPU waits for them
 * @flush_nmis: NMIs other CPUs sent to make this one flush EPT: they
 *              are consumed here, never delivered to the guest
 * @flush_due: this exit took an EPT permission away: other CPUs must flush
 * @in_root: between the start of an exit and its last EPT flush check: a
 *           CPU that sends a flush need not wait for this one
 * @timer_on: the VMX-preemption timer drives recurring checks on this CPU
 * @stepping: the guest single-steps (RFLAGS.TF) over a write to @sink
 * @step_saved_tf: RFLAGS.TF of the guest before the step
 */
struct hvt_cpu {
	u32 root_nmis;
	struct hvt_vmm *vmm;
	int cpu;
	void *vmxon;
	u64 vmxon_pa;
	void *vmcs;
	u64 vmcs_pa;
	void *stack;
	u64 exits[HVT_EXIT_REASONS];
	u32 pending_nmis;
	u32 vm_instruction_error;
	unsigned long vmwrite_failed_field;
	struct hvt_log_ring *log;
	u32 log_head;
	void *sink;
	u64 sink_pa;
	u64 sink_gpa[HVT_SINK_SLOTS];
	u64 sink_restore[HVT_SINK_SLOTS];
	u64 ept_generation;
	u32 apic_id;
	struct desc_struct *gdt_rw;
	bool in_vmx;
	bool launching;
	atomic_t flush_senders;
	atomic_t flush_nmis;
	bool flush_due;
	bool in_root;
	bool timer_on;
	bool stepping;
	bool step_saved_tf;
};

static_assert(offsetof(struct hvt_cpu, root_nmis) == HVT_CPU_ROOT_NMIS);

/**
 * struct hvt_vmm - state shared by every virtualized CPU
 * @config: the controls to program
 * @ept: the EPT identity map
 * @msr_bitmap: MSR accesses that exit
 * @msr_bitmap_pa: its physical address
 * @host_pml4: host page table: Linux's kernel half, with a direct map of its own
 * @host_cr3: its physical address
 * @host_idt: the IDT used in VMX root
 * @zero_page: what the guest reads in place of hypervisor memory
 * @zero_page_pa: its physical address
 * @hidden_pages: pages of hypervisor memory taken out of the guest's view
 * @credential: the secret kernel-only hypercalls carry
 * @trust: the trusted-program service
 * @xapic: the local APIC's registers in the kernel's fixmap (xAPIC mode)
 * @code_pa: frames of hvtrust's code and read-only data, which VMX root
 *           runs: read-only to the guest
 * @code_pages: entries at @code_pa
 * @code_capacity: room at @code_pa
 * @tsc_khz: TSC ticks per millisecond, to bound waits in VMX root
 * @ept_generation: bumped whenever an EPT permission is taken away
 * @nr_cpus: entries in @cpus (nr_cpu_ids at load)
 * @cpus: per-CPU state, indexed by Linux CPU number
 *
 * VMX root follows the pointers in @cpus and bounds its loops by @nr_cpus:
 * both lie in this hidden allocation, out of the guest kernel's reach, and
 * never in kernel data such as nr_cpu_ids, which a hostile kernel could raise.
 */
struct hvt_vmm {
	struct hvt_vmx_config config;
	struct hvt_ept ept;
	void *msr_bitmap;
	u64 msr_bitmap_pa;
	u64 *host_pml4;
	u64 host_cr3;
	void *host_idt;
	void *zero_page;
	u64 zero_page_pa;
	unsigned long hidden_pages;
	u64 credential;
	struct hvt_trust *trust;
	u8 __iomem *xapic;
	u64 *code_pa;
	unsigned int code_pages;
	unsigned int code_capacity;
	u64 tsc_khz;
	atomic64_t ept_generation;
	unsigned int nr_cpus;
	struct hvt_cpu *cpus[];
};

#endif /* HVT_VMX_VMM_H */
