// SPDX-License-Identifier: GPL-2.0
/* The audit buffer: what VMX root and the module saw, for HVTRUST_IOC_READ_AUDIT and poll(2). */
/* Context: process context (the log drain, ioctls, poll). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "../uapi/hvtrust.h"
#include "audit.h"
#include "session_list.h"
#include "user_copy.h"

#define HVT_AUDIT_RING		256

static DEFINE_SPINLOCK(hvt_audit_lock);
static DECLARE_WAIT_QUEUE_HEAD(hvt_audit_wait);
static struct hvtrust_audit hvt_audit_ring[HVT_AUDIT_RING];
static unsigned int hvt_audit_head, hvt_audit_tail, hvt_audit_lost;

static const char * const hvt_audit_names[] = {
	[HVTRUST_AUDIT_WRITE] = "write to a protected page",
	[HVTRUST_AUDIT_REMAPPED] = "protected page remapped with other contents",
	[HVTRUST_AUDIT_BAD_TOKEN] = "wrong token",
	[HVTRUST_AUDIT_LOCKED_OUT] = "locked out after wrong tokens",
	[HVTRUST_AUDIT_BAD_CODE] = "code differs from the manifest",
	[HVTRUST_AUDIT_BAD_CALLER] = "call from outside the allowed call site",
	[HVTRUST_AUDIT_CHECK_FAILED] = "integrity check failed",
	[HVTRUST_AUDIT_TRACED] = "another process tried to trace it or write into it",
	[HVTRUST_AUDIT_EXEC_MAPPED] = "new executable memory refused",
	[HVTRUST_AUDIT_PROTECTED] = "protected",
	[HVTRUST_AUDIT_UNPROTECTED] = "unprotected",
	[HVTRUST_AUDIT_CLOSED] = "closed",
	[HVTRUST_AUDIT_ATTACH_REFUSED] = "attach refused: executable memory outside the binary",
	[HVTRUST_AUDIT_TABLES_DIVERGED] = "user and kernel page tables differ (PTI)",
	[HVTRUST_AUDIT_EXEC_VIEW] = "executable page outside the registered code",
	[HVTRUST_AUDIT_HYPERVISOR_LEFT] = "revoked: a CPU left the hypervisor",
	[HVTRUST_AUDIT_FLUSH_UNCONFIRMED] = "protect: a CPU did not confirm the EPT flush in time",
};

/* Records of a program's own requests, not of an attack. */
static bool hvt_audit_routine(u32 kind)
{
	return kind == HVTRUST_AUDIT_PROTECTED || kind == HVTRUST_AUDIT_UNPROTECTED ||
	       kind == HVTRUST_AUDIT_CLOSED;
}

/* @file: the registered file whose code @rec->gva is, or NULL. */
static void hvt_audit_push(const struct hvtrust_audit *rec, const char *file)
{
	const char *what = "unknown event";

	if (rec->kind < ARRAY_SIZE(hvt_audit_names) && hvt_audit_names[rec->kind])
		what = hvt_audit_names[rec->kind];

	if (hvt_audit_routine(rec->kind))
		pr_info("audit: %s: session %llu (pid %d, %.16s), address %#llx, length %#llx\n",
			what, rec->session_id, rec->pid, rec->comm, rec->gva, rec->gpa);
	else
		pr_warn("audit: %s: session %llu (pid %d, %.16s), cr3 %#llx, address %#llx%s%s, gpa %#llx, CPU %u\n",
			what, rec->session_id, rec->pid, rec->comm, rec->cr3, rec->gva,
			file ? " in " : "", file ?: "", rec->gpa, rec->cpu);
	spin_lock(&hvt_audit_lock);
	/*
	 * A program's own requests never take the last quarter of the buffer:
	 * however many it makes, the record of an attack that came before
	 * them is still there to read. Other records push the oldest out.
	 */
	if (hvt_audit_routine(rec->kind) &&
	    hvt_audit_head - hvt_audit_tail >= HVT_AUDIT_RING - HVT_AUDIT_RING / 4) {
		hvt_audit_lost++;
		spin_unlock(&hvt_audit_lock);
		return;
	}
	if (hvt_audit_head - hvt_audit_tail >= HVT_AUDIT_RING) {
		hvt_audit_tail++;
		hvt_audit_lost++;
	}
	hvt_audit_ring[hvt_audit_head++ % HVT_AUDIT_RING] = *rec;
	spin_unlock(&hvt_audit_lock);
	wake_up_interruptible(&hvt_audit_wait);
}

/**
 * hvt_audit_record() - take an audit record VMX root logged
 * @cpu: where it happened
 * @args: the record's arguments (see HVT_LOG_AUDIT)
 */
void hvt_audit_record(int cpu, const u64 *args)
{
	struct hvtrust_audit rec = {
		.time_ns = ktime_get_boottime_ns(),
		.kind = args[0] >> 56,
		.cpu = cpu,
		.session_id = args[0] & GENMASK_ULL(55, 0),
		.cr3 = args[1],
		.gva = args[2],
		.gpa = args[3],
	};

	struct hvt_images images;
	char *file = NULL;
	u32 id;

	hvt_session_owner(rec.session_id, &rec.pid, rec.comm);
	/* Code that differs from its manifest: which file (an upgraded library, say). */
	if (rec.kind == HVTRUST_AUDIT_BAD_CODE && hvt_session_images(rec.session_id, &images)) {
		file = kmalloc(PATH_MAX, GFP_KERNEL);
		if (file && hvt_binaries_name_of(&images, rec.gva, file, PATH_MAX, &id)) {
			rec.binary = id + 1;
		} else {
			kfree(file);
			file = NULL;
		}
	}
	hvt_audit_push(&rec, file);
	kfree(file);
}

/**
 * hvt_audit_attach_refused() - record an attach the module refused
 * @task: the process that asked
 * @cr3: its address space
 * @addr: the executable memory that is not the registered binary's
 */
void hvt_audit_attach_refused(struct task_struct *task, u64 cr3, u64 addr)
{
	struct hvtrust_audit rec = {
		.time_ns = ktime_get_boottime_ns(),
		.kind = HVTRUST_AUDIT_ATTACH_REFUSED,
		.cpu = raw_smp_processor_id(),
		.cr3 = cr3,
		.gva = addr,
		.pid = task_tgid_nr(task),
	};

	get_task_comm(rec.comm, task);
	hvt_audit_push(&rec, NULL);
}

/* Readable while HVTRUST_IOC_READ_AUDIT has records (drained from root first). */
__poll_t hvt_audit_poll(struct file *file, poll_table *wait)
{
	bool have;

	poll_wait(file, &hvt_audit_wait, wait);
	spin_lock(&hvt_audit_lock);
	have = hvt_audit_tail != hvt_audit_head;
	spin_unlock(&hvt_audit_lock);
	return have ? EPOLLIN | EPOLLRDNORM : 0;
}

/* HVTRUST_IOC_READ_AUDIT, once VMX root's rings were drained. */
int hvt_audit_read(struct hvtrust_read_audit *req)
{
	u8 __user *dst = u64_to_user_ptr(req->records);
	size_t esize = req->entry_size;
	u32 room = req->count, n = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (req->lost || !esize || esize > PAGE_SIZE)
		return -EINVAL;

	while (n < room) {
		struct hvtrust_audit rec;
		bool have;

		spin_lock(&hvt_audit_lock);
		have = hvt_audit_tail != hvt_audit_head;
		if (have)
			rec = hvt_audit_ring[hvt_audit_tail % HVT_AUDIT_RING];
		spin_unlock(&hvt_audit_lock);
		if (!have)
			break;
		if (hvt_copy_entry(dst + n * esize, esize, &rec, sizeof(rec)))
			return n ? 0 : -EFAULT;
		spin_lock(&hvt_audit_lock);
		hvt_audit_tail++;
		spin_unlock(&hvt_audit_lock);
		n++;
	}
	spin_lock(&hvt_audit_lock);
	req->lost = hvt_audit_lost;
	hvt_audit_lost = 0;
	spin_unlock(&hvt_audit_lock);
	req->count = n;
	return 0;
}
