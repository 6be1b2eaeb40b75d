/* SPDX-License-Identifier: GPL-2.0 */
/* Points the compiler's return and indirect-branch thunks at VMX root's own (vmx/root_thunks.S). */
/* Context: build; Kbuild force-includes it into every object whose code runs in VMX root. */
#ifndef HVT_VMX_ROOT_THUNKS_H
#define HVT_VMX_ROOT_THUNKS_H

/*
 * A kernel built against Retbleed and Spectre v2 has the compiler end every
 * function with "jmp __x86_return_thunk" and make every indirect branch
 * through __x86_indirect_thunk_<reg>. Those lie in the kernel's text, which
 * the guest kernel can patch, so in VMX root's objects the assembler gives
 * the names root's own copies in root's own pages instead. Root runs them
 * after the exit entry has filled the return stack buffer (vmx/entry.S).
 */
#define HVT_ROOT_THUNK_ALIASES						\
	".set __x86_return_thunk, hvt_root_return\n"			\
	".irp reg, rax, rbx, rcx, rdx, rsi, rdi, rbp, "			\
	"r8, r9, r10, r11, r12, r13, r14, r15\n"			\
	".set __x86_indirect_thunk_\\reg, hvt_root_thunk_\\reg\n"	\
	".endr\n"

#ifdef __ASSEMBLY__
	.set __x86_return_thunk, hvt_root_return
	.irp reg, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
	.set __x86_indirect_thunk_\reg, hvt_root_thunk_\reg
	.endr
#else
asm(HVT_ROOT_THUNK_ALIASES);
#endif

#endif /* HVT_VMX_ROOT_THUNKS_H */
