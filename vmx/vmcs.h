/* SPDX-License-Identifier: GPL-2.0 */
/* Width-checked VMCS accessors: a field of the wrong width does not compile. */
/* Context: VMX root, and process context with IRQs off while a VMCS is loaded. */
#ifndef HVT_VMX_VMCS_H
#define HVT_VMX_VMCS_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <asm/vmx.h>

/* SDM Vol. 3D, B.1: bits 14:13 of a field encoding give its width. */
#define HVT_VMCS_16		0
#define HVT_VMCS_64		1
#define HVT_VMCS_32		2
#define HVT_VMCS_NATURAL	3
#define HVT_VMCS_WIDTH(field)	(((field) >> 13) & 3)

/* CET state fields (SDM Vol. 3D, B.4.3 and B.4.4), unnamed in older kernels. */
#define HVT_GUEST_S_CET			0x6828
#define HVT_GUEST_SSP			0x682a
#define HVT_GUEST_INTR_SSP_TABLE	0x682c
#define HVT_HOST_S_CET			0x6c18
#define HVT_HOST_SSP			0x6c1a
#define HVT_HOST_INTR_SSP_TABLE		0x6c1c

/*
 * vmx/vmcs.c: the first VMWRITE that failed while the launch path set the
 * VMCS up (0: none), and the reporter, which in VMX root records into the
 * CPU's own hidden state instead (struct hvt_cpu).
 */
DECLARE_PER_CPU(unsigned long, hvt_vmwrite_failed_field);
void hvt_vmwrite_error(unsigned long field, unsigned long value);

/* Inlined into every accessor, so a constant field is checked at build time. */
static __always_inline void hvt_vmcs_check(unsigned long field, unsigned int width)
{
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&
			 (HVT_VMCS_WIDTH(field) != width || (field & 1)),
			 "VMCS field accessed with the wrong width");
}

static __always_inline unsigned long __hvt_vmread(unsigned long field)
{
	unsigned long value;

	asm volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

static __always_inline void __hvt_vmwrite(unsigned long field, unsigned long value)
{
	asm goto("vmwrite %1, %0\n\t"
		 "jna %l[failed]"
		 : : "r"(field), "rm"(value) : "cc" : failed);
	return;
failed:
	hvt_vmwrite_error(field, value);
}

static __always_inline u16 hvt_vmread16(unsigned long field)
{
	hvt_vmcs_check(field, HVT_VMCS_16);
	return __hvt_vmread(field);
}

static __always_inline u32 hvt_vmread32(unsigned long field)
{
	hvt_vmcs_check(field, HVT_VMCS_32);
	return __hvt_vmread(field);
}

static __always_inline u64 hvt_vmread64(unsigned long field)
{
	hvt_vmcs_check(field, HVT_VMCS_64);
	return __hvt_vmread(field);
}

static __always_inline unsigned long hvt_vmreadnl(unsigned long field)
{
	hvt_vmcs_check(field, HVT_VMCS_NATURAL);
	return __hvt_vmread(field);
}

static __always_inline void hvt_vmwrite16(unsigned long field, u16 value)
{
	hvt_vmcs_check(field, HVT_VMCS_16);
	__hvt_vmwrite(field, value);
}

static __always_inline void hvt_vmwrite32(unsigned long field, u32 value)
{
	hvt_vmcs_check(field, HVT_VMCS_32);
	__hvt_vmwrite(field, value);
}

static __always_inline void hvt_vmwrite64(unsigned long field, u64 value)
{
	hvt_vmcs_check(field, HVT_VMCS_64);
	__hvt_vmwrite(field, value);
}

static __always_inline void hvt_vmwritenl(unsigned long field, unsigned long value)
{
	hvt_vmcs_check(field, HVT_VMCS_NATURAL);
	__hvt_vmwrite(field, value);
}

/* INVEPT/INVVPID descriptor: EPTP or VPID, then a linear address. */
struct hvt_inv_desc {
	u64 first;
	u64 second;
};

/* All-context invalidation of EPT-derived translations on this CPU. */
static __always_inline void hvt_invept_all(void)
{
	struct hvt_inv_desc desc = { 0, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(2UL) : "cc", "memory");
}

static __always_inline void hvt_invvpid_all(void)
{
	struct hvt_inv_desc desc = { 0, 0 };

	asm volatile("invvpid %0, %1" : : "m"(desc), "r"(2UL) : "cc", "memory");
}

#endif /* HVT_VMX_VMCS_H */
