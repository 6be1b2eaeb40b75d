/* SPDX-License-Identifier: GPL-2.0 */
/* The hypercall table of VMX root and its dispatcher (vmx/hypercall.c). */
/* Context: VMX root only. */
#ifndef HVT_VMX_HYPERCALL_H
#define HVT_VMX_HYPERCALL_H

#include <linux/types.h>

#include "vmm.h"

#ifdef HVT_TEST_HOOKS
/*
 * Test builds only (make HVT_TEST_HOOKS=y): RCX a guest-physical address
 * inside a frame the service protects, 8-byte aligned; RDX a value. Root
 * stores it there without the write trap and without an audit, as a DMA
 * engine or a hole in the trap would: what only the recurring check and
 * the re-walks can find.
 */
#define HVT_HC_TEST_SILENT_WRITE	0x1f0
#endif

enum hvt_exit_action hvt_hypercall(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, u32 cpl);

#endif /* HVT_VMX_HYPERCALL_H */
