/* SPDX-License-Identifier: GPL-2.0 */
/* Array entries out to user space whose entry size may differ from the module's. */
/* Context: process context. */
#ifndef HVT_MODULE_USER_COPY_H
#define HVT_MODULE_USER_COPY_H

#include <linux/minmax.h>
#include <linux/uaccess.h>

/*
 * One array entry out to a caller whose entry size may differ from ours:
 * truncated when it knows less, zero-filled when it knows more.
 */
static inline int hvt_copy_entry(u8 __user *dst, size_t esize, const void *src, size_t size)
{
	if (copy_to_user(dst, src, min(esize, size)))
		return -EFAULT;
	if (esize > size && clear_user(dst + size, esize - size))
		return -EFAULT;
	return 0;
}

#endif /* HVT_MODULE_USER_COPY_H */
