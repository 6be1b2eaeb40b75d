/* SPDX-License-Identifier: GPL-2.0 */
/* HVTRUST_IOC_ATTACH: a registered program's session page, and its session prepared in root. */
/* Context: process context (ioctl, mmap). */
#ifndef HVT_MODULE_ATTACH_H
#define HVT_MODULE_ATTACH_H

struct file;
struct vm_area_struct;

int hvt_attach_ioctl(struct file *file, void *arg);
int hvt_attach_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* HVT_MODULE_ATTACH_H */
