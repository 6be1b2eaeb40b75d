/* SPDX-License-Identifier: GPL-2.0 */
/* VMX root's own return and retpoline thunks, which its objects use instead of the kernel's. */
/* Context: VMX root, and Linux where it calls root's code before launch. */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

	.section .noinstr.text, "ax"

/*
 * Every return of root's C code ends here. A plain RET is safe in root: the
 * exit entry has overwritten the return stack buffer with harmless entries,
 * and root's call depth stays far below its size.
 */
SYM_FUNC_START(hvt_root_return)
	ANNOTATE_UNRET_SAFE
	ret
	int3
SYM_FUNC_END(hvt_root_return)

/*
 * A retpoline for each register the compiler may branch through: the
 * branch target buffer, which the guest trains, never steers root's
 * indirect calls. Unlike the kernel's thunks, nothing patches these.
 */
.macro HVT_ROOT_RETPOLINE reg
SYM_FUNC_START_NOALIGN(hvt_root_thunk_\reg)
	ANNOTATE_INTRA_FUNCTION_CALL
	call .Ltarget_\reg
	int3		/* where the return is predicted to go: speculation stops */
.Ltarget_\reg:
	mov %\reg, (%rsp)
	UNWIND_HINT_FUNC
	ANNOTATE_UNRET_SAFE
	ret
	int3
SYM_FUNC_END(hvt_root_thunk_\reg)
.endm

	.irp reg, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
	HVT_ROOT_RETPOLINE \reg
	.endr
