/* SPDX-License-Identifier: GPL-2.0 */
/* The /dev/hvtrust misc device and its table-driven ioctl dispatcher. */
/* Context: process context (module load and unload). */
#ifndef HVT_MODULE_DEV_H
#define HVT_MODULE_DEV_H

struct hvt_vmx_config;

int hvt_dev_register(const struct hvt_vmx_config *config);
void hvt_dev_unregister(void);

#endif /* HVT_MODULE_DEV_H */
