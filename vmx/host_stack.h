/* SPDX-License-Identifier: GPL-2.0 */
/* The layout of each CPU's VMX-root stack, shared by vmx/entry.S and the C code. */
/* Context: any; C and assembly. */
#ifndef HVT_VMX_HOST_STACK_H
#define HVT_VMX_HOST_STACK_H

#include <asm/page_types.h>

#define HVT_HOST_STACK_ORDER	2
/* Aligned to its size: root finds the top by masking any address in it. */
#define HVT_HOST_STACK_SIZE	(PAGE_SIZE << HVT_HOST_STACK_ORDER)
/* HOST_RSP: where the struct hvt_cpu pointer lies, the iret frame above it. */
#define HVT_HOST_STACK_VCPU	(HVT_HOST_STACK_SIZE - 64)
/* offsetof(struct hvt_cpu, root_nmis), checked where the struct is defined. */
#define HVT_CPU_ROOT_NMIS	0

#endif /* HVT_VMX_HOST_STACK_H */
