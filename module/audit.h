/* SPDX-License-Identifier: GPL-2.0 */
/* The audit buffer: what VMX root and the module saw, for HVTRUST_IOC_READ_AUDIT and poll(2). */
/* Context: process context. */
#ifndef HVT_MODULE_AUDIT_H
#define HVT_MODULE_AUDIT_H

#include <linux/poll.h>
#include <linux/types.h>

struct hvtrust_read_audit;
struct task_struct;

void hvt_audit_record(int cpu, const u64 *args);
void hvt_audit_attach_refused(struct task_struct *task, u64 cr3, u64 addr);
__poll_t hvt_audit_poll(struct file *file, poll_table *wait);
int hvt_audit_read(struct hvtrust_read_audit *req);

#endif /* HVT_MODULE_AUDIT_H */
