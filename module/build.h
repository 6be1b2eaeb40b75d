/* SPDX-License-Identifier: GPL-2.0 */
/* Builds the hypervisor before launch: hidden memory, EPT, host page tables, IDT, MSR bitmap. */
/* Context: process context (module load and unload). */
#ifndef HVT_MODULE_BUILD_H
#define HVT_MODULE_BUILD_H

struct hvt_cpu;
struct hvt_vmm;
struct hvt_vmx_config;
struct seq_file;

struct hvt_vmm *hvt_build_vmm(const struct hvt_vmx_config *config);
void hvt_build_free(struct hvt_vmm *vmm);
struct hvt_cpu *hvt_build_vcpu(unsigned int cpu);
#ifdef HVT_TEST_HOOKS
void hvt_build_show_root_state(struct seq_file *m);
#endif

#endif /* HVT_MODULE_BUILD_H */
