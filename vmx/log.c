// SPDX-License-Identifier: GPL-2.0
/* VMX root's log: records into this CPU's ring, which the module drains into dmesg. */
/* Context: VMX root only: no printk, no locks, no allocation, no call into Linux. */
#include <asm/vmx.h>

#include "log.h"
#include "vmcs.h"
#include "vmm.h"

HVT_ROOT void hvt_log(struct hvt_cpu *vcpu, u32 code, u64 a, u64 b, u64 c, u64 d)
{
	struct hvt_log_ring *ring = vcpu->log;
	u32 head = vcpu->log_head;
	struct hvt_log_record *rec;

	/* The guest can write @tail: a bad value only makes records drop. */
	if (head - READ_ONCE(ring->tail) >= HVT_LOG_ENTRIES) {
		WRITE_ONCE(ring->dropped, ring->dropped + 1);
		return;
	}
	rec = &ring->records[head % HVT_LOG_ENTRIES];
	rec->code = code;
	rec->cpu = vcpu->cpu;
	rec->args[0] = a;
	rec->args[1] = b;
	rec->args[2] = c;
	rec->args[3] = d;
	/* The record is complete before the consumer can see it. */
	smp_wmb();
	vcpu->log_head = head + 1;
	WRITE_ONCE(ring->head, head + 1);
}

/**
 * hvt_log_room() - whether this CPU's ring has room for @records more
 * @vcpu: this CPU
 * @records: how many
 *
 * Return: true when they fit; the guest can make it say false (it can
 * write the consumer's index), never make a record overwrite another.
 */
HVT_ROOT bool hvt_log_room(const struct hvt_cpu *vcpu, u32 records)
{
	return vcpu->log_head - READ_ONCE(vcpu->log->tail) + records <= HVT_LOG_ENTRIES;
}

/* What a failed entry or an unexpected exit logs: enough to debug it from dmesg. */
static const u32 hvt_dump_fields[] = {
	PIN_BASED_VM_EXEC_CONTROL, CPU_BASED_VM_EXEC_CONTROL, SECONDARY_VM_EXEC_CONTROL,
	VM_EXIT_CONTROLS, VM_ENTRY_CONTROLS, EXCEPTION_BITMAP, VM_ENTRY_INTR_INFO_FIELD,
	VM_ENTRY_EXCEPTION_ERROR_CODE, VM_EXIT_INTR_INFO, IDT_VECTORING_INFO_FIELD,
	GUEST_INTERRUPTIBILITY_INFO, GUEST_ACTIVITY_STATE, GUEST_PENDING_DBG_EXCEPTIONS,
	GUEST_CR0, GUEST_CR3, GUEST_CR4, CR0_READ_SHADOW, CR4_READ_SHADOW, GUEST_DR7,
	GUEST_RIP, GUEST_RSP, GUEST_RFLAGS, GUEST_IA32_EFER, GUEST_IA32_PAT,
	GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES,
	GUEST_SS_SELECTOR, GUEST_SS_AR_BYTES, GUEST_DS_SELECTOR, GUEST_ES_SELECTOR,
	GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_GS_SELECTOR, GUEST_GS_BASE,
	GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES,
	GUEST_LDTR_SELECTOR, GUEST_LDTR_AR_BYTES, GUEST_GDTR_BASE, GUEST_GDTR_LIMIT,
	GUEST_IDTR_BASE, GUEST_IDTR_LIMIT, GUEST_SYSENTER_ESP, GUEST_SYSENTER_EIP,
	VMCS_LINK_POINTER, EPT_POINTER, HOST_CR0, HOST_CR3, HOST_CR4, HOST_RIP, HOST_RSP,
	HOST_TR_BASE, HOST_GDTR_BASE, HOST_IDTR_BASE, HOST_FS_BASE, HOST_GS_BASE,
};

HVT_ROOT void hvt_log_vmcs(struct hvt_cpu *vcpu, const struct hvt_guest_regs *regs)
{
	unsigned int i;

	for (i = 0; i + 1 < ARRAY_SIZE(hvt_dump_fields); i += 2)
		hvt_log(vcpu, HVT_LOG_VMCS_FIELDS, hvt_dump_fields[i],
			__hvt_vmread(hvt_dump_fields[i]), hvt_dump_fields[i + 1],
			__hvt_vmread(hvt_dump_fields[i + 1]));
	if (i < ARRAY_SIZE(hvt_dump_fields))
		hvt_log(vcpu, HVT_LOG_VMCS_FIELDS, hvt_dump_fields[i],
			__hvt_vmread(hvt_dump_fields[i]), hvt_dump_fields[i],
			__hvt_vmread(hvt_dump_fields[i]));
	if (!regs)
		return;
	hvt_log(vcpu, HVT_LOG_GUEST_GPRS, regs->rax, regs->rbx, regs->rcx, regs->rdx);
	hvt_log(vcpu, HVT_LOG_GUEST_GPRS, regs->rsi, regs->rdi, regs->rbp, regs->r8);
	hvt_log(vcpu, HVT_LOG_GUEST_GPRS, regs->r9, regs->r10, regs->r11, regs->r12);
	hvt_log(vcpu, HVT_LOG_GUEST_GPRS, regs->r13, regs->r14, regs->r15, 0);
}
