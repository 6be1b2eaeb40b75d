/* SPDX-License-Identifier: GPL-2.0 */
/* The assembly entry points of vmx/entry.S: launch, VM exit, root's IDT, VMCALL. */
/* Context: see each; declared for C callers and for the host IDT's gates. */
#ifndef HVT_VMX_ENTRY_H
#define HVT_VMX_ENTRY_H

/* Process context, IRQs off: the VMLAUNCH; 0 once the CPU runs as a guest. */
int hvt_vmx_launch(void);
/* VMX root: HOST_RIP, and the gates of the host IDT. */
void hvt_vmx_exit_entry(void);
void hvt_root_nmi(void);
void hvt_root_fault(void);
/* Guest, any mode: VMCALL with RAX = @nr, RBX, RCX, RDX, RSI = @a1..@a4. */
long hvt_vmcall(unsigned long nr, unsigned long a1, unsigned long a2,
		unsigned long a3, unsigned long a4);

#endif /* HVT_VMX_ENTRY_H */
