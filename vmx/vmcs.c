// SPDX-License-Identifier: GPL-2.0
/* The out-of-line reporter of a failed VMWRITE, shared by every VMCS accessor (vmcs.h). */
/* Context: VMX root, and process context with IRQs off while a VMCS is loaded. */
#include <linux/percpu.h>
#include <asm/special_insns.h>

#include "../include/hvt_types.h"
#include "vmcs.h"
#include "vmm.h"

DEFINE_PER_CPU(unsigned long, hvt_vmwrite_failed_field);

/*
 * Only the first failure is kept. In VMX root (CR3 is HOST_CR3 only there)
 * it goes to the CPU's hidden state, found through the host stack, whose top
 * holds the struct hvt_cpu pointer (HOST_RSP): a flag in kernel data would
 * let the guest kernel stop the hypervisor with one store. The exit
 * dispatcher then stops the CPU in root rather than run on with a VMCS half
 * written. Before launch, the launch path reads the per-CPU copy.
 */
HVT_ROOT void hvt_vmwrite_error(unsigned long field, unsigned long value)
{
	unsigned long stack = current_stack_pointer & ~(HVT_HOST_STACK_SIZE - 1);

	if (__native_read_cr3() == hvt_vmreadnl(HOST_CR3)) {
		struct hvt_cpu *vcpu = *(struct hvt_cpu **)(stack + HVT_HOST_STACK_VCPU);

		if (!vcpu->vmwrite_failed_field)
			vcpu->vmwrite_failed_field = field;
		return;
	}
	if (!this_cpu_read(hvt_vmwrite_failed_field))
		this_cpu_write(hvt_vmwrite_failed_field, field);
}
