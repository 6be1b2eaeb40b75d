/* SPDX-License-Identifier: GPL-2.0 */
/* How the Linux side makes kernel-only hypercalls: the credential and the guest CPUs. */
/* Context: process context, or the CPU concerned with IRQs off where a function says so. */
#ifndef HVT_MODULE_HVCALL_H
#define HVT_MODULE_HVCALL_H

#include <linux/types.h>

void hvt_hvcall_start(u64 credential);
void hvt_hvcall_stop(void);
bool hvt_hv_running(void);
void hvt_hvcall_set_guest(bool guest);
bool hvt_hvcall_cpu_is_guest(unsigned int cpu);
long hvt_hv_call(unsigned long nr, unsigned long a2, unsigned long a3, unsigned long a4);
long hvt_hv_call_here(unsigned long nr, unsigned long a2, unsigned long a3, unsigned long a4);

#endif /* HVT_MODULE_HVCALL_H */
