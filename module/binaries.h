/* SPDX-License-Identifier: GPL-2.0 */
/* The registry as Linux keeps it: binaries checked against their manifests, and sealing. */
/* Context: process context. */
#ifndef HVT_MODULE_BINARIES_H
#define HVT_MODULE_BINARIES_H

#include <linux/types.h>

struct file;
struct mm_struct;
struct vm_area_struct;

int hvt_binaries_ioctl_register(struct file *file, void *arg);
int hvt_binaries_ioctl_unregister(struct file *file, void *arg);
int hvt_binaries_ioctl_list(struct file *file, void *arg);
int hvt_binaries_ioctl_seal(struct file *file, void *arg);
int hvt_binaries_find(struct mm_struct *mm,
		      bool (*also_allowed)(const struct vm_area_struct *vma),
		      u32 *id, u64 *bias, u64 *outside);
void hvt_binaries_prefault(u32 id, u64 bias);
long hvt_binaries_call_if_used(u32 id, long (*call)(void *arg), void *arg);
void hvt_binaries_cleanup(void);

#endif /* HVT_MODULE_BINARIES_H */
