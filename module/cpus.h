/* SPDX-License-Identifier: GPL-2.0 */
/* Virtualizes every CPU and gives each back: start and stop, CPU hotplug, suspend, reboot. */
/* Context: process context. */
#ifndef HVT_MODULE_CPUS_H
#define HVT_MODULE_CPUS_H

struct hvt_vmx_config;
struct hvtrust_exits;
struct hvtrust_status;

int hvt_hv_start(const struct hvt_vmx_config *config);
void hvt_hv_stop(void);
void hvt_hv_status(struct hvtrust_status *status);
int hvt_hv_exits(unsigned int cpu, struct hvtrust_exits *exits);
#ifdef HVT_TEST_HOOKS
long hvt_hv_test_leave(unsigned int cpu);
#endif

#endif /* HVT_MODULE_CPUS_H */
