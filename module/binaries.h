/* SPDX-License-Identifier: GPL-2.0 */
/* The registry as Linux keeps it: binaries checked against their manifests, and sealing. */
/* Context: process context. */
#ifndef HVT_MODULE_BINARIES_H
#define HVT_MODULE_BINARIES_H

#include <linux/types.h>

struct file;
struct mm_struct;

int hvt_binaries_ioctl_register(struct file *file, void *arg);
int hvt_binaries_ioctl_unregister(struct file *file, void *arg);
int hvt_binaries_ioctl_list(struct file *file, void *arg);
int hvt_binaries_ioctl_seal(struct file *file, void *arg);
int hvt_binaries_find(struct mm_struct *mm, u32 *id, u64 *bias);
void hvt_binaries_prefault(u32 id, u64 bias);
long hvt_binaries_call_if_used(u32 id, long (*call)(void *arg), void *arg);
void hvt_binaries_cleanup(void);

#endif /* HVT_MODULE_BINARIES_H */
