/* SPDX-License-Identifier: GPL-2.0 */
/* The registry as Linux keeps it: binaries checked against their manifests, and sealing. */
/* Context: process context. */
#ifndef HVT_MODULE_BINARIES_H
#define HVT_MODULE_BINARIES_H

#include <linux/types.h>

#include "../vmx/service.h"

struct file;
struct mm_struct;
struct vm_area_struct;

int hvt_binaries_ioctl_register(struct file *file, void *arg);
int hvt_binaries_ioctl_unregister(struct file *file, void *arg);
int hvt_binaries_ioctl_list(struct file *file, void *arg);
int hvt_binaries_ioctl_seal(struct file *file, void *arg);
/**
 * struct hvt_images - the registered code an address space maps
 * @binary: its program's registry id
 * @bias: the program's load bias
 * @nr_libs: entries at @libs
 * @libs: the program's registered libraries it maps, and where
 */
struct hvt_images {
	u32 binary;
	u64 bias;
	u32 nr_libs;
	struct hvt_session_image libs[HVT_SESSION_MAX_LIBS];
};

int hvt_binaries_find(struct mm_struct *mm,
		      bool (*also_allowed)(const struct vm_area_struct *vma),
		      struct hvt_images *images, u64 *outside);
void hvt_binaries_prefault(const struct hvt_images *images);
bool hvt_binaries_name_of(const struct hvt_images *images, u64 gva, char *out, size_t len,
			  u32 *id);
long hvt_binaries_call_if_used(u32 id, long (*call)(void *arg), void *arg);
void hvt_binaries_cleanup(void);
bool hvt_binaries_sealed(void);

#endif /* HVT_MODULE_BINARIES_H */
