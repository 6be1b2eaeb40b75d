// SPDX-License-Identifier: GPL-2.0
/* The out-of-line reporter of a failed VMWRITE, shared by every VMCS accessor (vmcs.h). */
/* Context: VMX root, and process context with IRQs off while a VMCS is loaded. */
#include <linux/percpu.h>

#include "../include/hvt_types.h"
#include "vmcs.h"

DEFINE_PER_CPU(unsigned long, hvt_vmwrite_failed_field);

/*
 * Only the first failure is kept: the exit dispatcher reports it and takes
 * the CPU out of VMX rather than run on with a VMCS half written.
 */
HVT_ROOT void hvt_vmwrite_error(unsigned long field, unsigned long value)
{
	if (!this_cpu_read(hvt_vmwrite_failed_field))
		this_cpu_write(hvt_vmwrite_failed_field, field);
}
