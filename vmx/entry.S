/* SPDX-License-Identifier: GPL-2.0 */
/* VM launch and exit paths of hvtrust and the handlers of its VMX-root IDT. */
/* Context: VMX root (exit entry, IDT handlers); IRQs off on the CPU concerned (launch, vmcall). */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <linux/version.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "host_stack.h"

/* VMCS field encodings (SDM Vol. 3D, B.4.3); <asm/vmx.h> is C only. */
#define HVT_GUEST_RSP	0x681c
#define HVT_GUEST_RIP	0x681e

/* struct hvt_guest_regs is 16 slots; the struct hvt_cpu pointer sits above. */
#define HVT_REGS_SIZE	(16 * 8)

.macro HVT_PUSH_GUEST_REGS
	push %r15
	push %r14
	push %r13
	push %r12
	push %r11
	push %r10
	push %r9
	push %r8
	push %rdi
	push %rsi
	push %rbp
	push $0			/* the guest's RSP is in the VMCS */
	push %rbx
	push %rdx
	push %rcx
	push %rax
.endm

.macro HVT_POP_GUEST_REGS
	pop %rax
	pop %rcx
	pop %rdx
	pop %rbx
	add $8, %rsp
	pop %rbp
	pop %rsi
	pop %rdi
	pop %r8
	pop %r9
	pop %r10
	pop %r11
	pop %r12
	pop %r13
	pop %r14
	pop %r15
.endm

/*
 * Overwrites the return stack buffer with 32 entries that point at INT3,
 * so that no return in root is predicted to go where the guest trained it
 * (nor, once they run out, through the branch target buffer). Clobbers RCX.
 */
#define HVT_RSB_ENTRIES	32

.macro HVT_FILL_RSB
	mov $(HVT_RSB_ENTRIES / 2), %ecx
.Lrsb_pair\@:
	ANNOTATE_INTRA_FUNCTION_CALL
	call .Lrsb_first\@
	int3
.Lrsb_first\@:
	ANNOTATE_INTRA_FUNCTION_CALL
	call .Lrsb_second\@
	int3
.Lrsb_second\@:
	add $16, %rsp
	dec %ecx
	jnz .Lrsb_pair\@
	lfence		/* a mispredicted exit from the loop goes no further */
.endm

.macro HVT_STACK_END_HINT
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	UNWIND_HINT_END_OF_STACK
#else
	UNWIND_HINT_EMPTY
#endif
.endm

	.section .noinstr.text, "ax"

/*
 * int hvt_vmx_launch(void): VMLAUNCH the current VMCS with this very stack
 * and the instruction after VMLAUNCH as guest state. Returns 0 as a guest,
 * 1 when VMLAUNCH or a VMWRITE failed (VM_INSTRUCTION_ERROR says why).
 */
SYM_FUNC_START(hvt_vmx_launch)
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov $HVT_GUEST_RSP, %rax
	vmwrite %rsp, %rax
	jna .Lfailed
	lea .Las_guest(%rip), %rdx
	mov $HVT_GUEST_RIP, %rax
	vmwrite %rdx, %rax
	jna .Lfailed
	vmlaunch
	jbe .Lfailed
.Las_guest:
	ANNOTATE_NOENDBR
	xor %eax, %eax
	jmp .Lout
.Lfailed:
	mov $1, %eax
.Lout:
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	RET
SYM_FUNC_END(hvt_vmx_launch)

/*
 * HOST_RIP. HOST_RSP points at the struct hvt_cpu pointer; above it lies
 * the struct hvt_iret_frame the leave path returns through.
 */
SYM_CODE_START(hvt_vmx_exit_entry)
	HVT_STACK_END_HINT
	ENDBR
	HVT_PUSH_GUEST_REGS
	HVT_FILL_RSB
	mov %rsp, %rdi
	mov HVT_REGS_SIZE(%rsp), %rsi
	call hvt_vmexit_handler
	test %al, %al
	jz .Lleave_vmx
	HVT_POP_GUEST_REGS
	vmresume
	/* VMRESUME failed: the handler stops the CPU in root and does not return. */
	HVT_PUSH_GUEST_REGS
	mov %rsp, %rdi
	mov HVT_REGS_SIZE(%rsp), %rsi
	call hvt_vmresume_failed
.Lleave_vmx:
	HVT_POP_GUEST_REGS
	add $8, %rsp
	iretq
SYM_CODE_END(hvt_vmx_exit_entry)

/*
 * NMIs that arrive in VMX root are counted and delivered to the guest later.
 * The count lies in the CPU's hidden state, found through the host stack,
 * where the guest kernel cannot raise it: not in per-CPU kernel data.
 */
SYM_CODE_START(hvt_root_nmi)
	UNWIND_HINT_IRET_REGS
	ENDBR
	push %rax
	mov %rsp, %rax
	and $~(HVT_HOST_STACK_SIZE - 1), %rax
	mov HVT_HOST_STACK_VCPU(%rax), %rax
	lock incl HVT_CPU_ROOT_NMIS(%rax)
	pop %rax
	iretq
SYM_CODE_END(hvt_root_nmi)

/* Any other vector in VMX root is a hypervisor bug: stop this CPU here. */
SYM_CODE_START(hvt_root_fault)
	HVT_STACK_END_HINT
	ENDBR
1:	cli
	hlt
	jmp 1b
SYM_CODE_END(hvt_root_fault)

/* long hvt_vmcall(nr, a1, a2, a3, a4): a hypercall from kernel mode (RAX, RBX, RCX, RDX, RSI). */
SYM_FUNC_START(hvt_vmcall)
	push %rbx
	mov %rdi, %rax
	mov %rsi, %rbx
	mov %rcx, %r9
	mov %rdx, %rcx
	mov %r9, %rdx
	mov %r8, %rsi
	vmcall
	pop %rbx
	RET
SYM_FUNC_END(hvt_vmcall)
