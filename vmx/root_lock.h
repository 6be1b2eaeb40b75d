/* SPDX-License-Identifier: GPL-2.0 */
/* The spinlock VMX root serializes its CPUs with, where Linux's locks must not be used. */
/* Context: VMX root only. */
#ifndef HVT_VMX_ROOT_LOCK_H
#define HVT_VMX_ROOT_LOCK_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <asm/barrier.h>
#include <asm/processor.h>

/* Always inlined: no copy of it may land outside VMX root's code pages. */
struct hvt_root_lock {
	u32 locked;
};

static __always_inline void hvt_root_lock(struct hvt_root_lock *lock)
{
	while (xchg(&lock->locked, 1))
		cpu_relax();
}

static __always_inline void hvt_root_unlock(struct hvt_root_lock *lock)
{
	/* Everything done under the lock is visible before it is free. */
	smp_store_release(&lock->locked, 0);
}

#endif /* HVT_VMX_ROOT_LOCK_H */
