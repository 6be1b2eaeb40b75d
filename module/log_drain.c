// SPDX-License-Identifier: GPL-2.0
/* The per-CPU rings VMX root logs into, and their drain into dmesg and the audit buffer. */
/* Context: process context (module load and unload, the log worker, ioctls). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "../vmx/vmm.h"
#include "audit.h"
#include "log_drain.h"

#define HVT_LOG_DRAIN_PERIOD	(HZ / 5)

/* Indexed by CPU: the rings are the one hypervisor memory the guest sees. */
static struct hvt_log_ring **hvt_log_rings;
static DEFINE_MUTEX(hvt_drain_mutex);
static void hvt_log_drain_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(hvt_log_work, hvt_log_drain_work);

static const char * const hvt_log_formats[HVT_LOG_CODES] = {
	[HVT_LOG_UNEXPECTED_EXIT] =
		"unexpected VM exit %llu, qualification %#llx, rip %#llx, cpl %llu",
	[HVT_LOG_FAILED_ENTRY] =
		"VM entry failed: reason %#llx, qual. %#llx, VMX error %llu (%llu)",
	[HVT_LOG_EPT_VIOLATION] =
		"EPT violation: gpa %#llx, qualification %#llx, rip %#llx, gla %#llx",
	[HVT_LOG_TRIPLE_FAULT] =
		"guest triple fault at rip %#llx, cr3 %#llx (%llu %llu)",
	[HVT_LOG_INIT_SIGNAL] =
		"INIT signal in VMX non-root at rip %#llx ignored (%llu %llu %llu)",
	[HVT_LOG_VMWRITE_FAILED] =
		"VMWRITE of field %#llx failed (%llu), VMX error %llu (%llu)",
	[HVT_LOG_DEVIRTUALIZED] = "left VMX on request (%llu %llu %llu %llu)",
	[HVT_LOG_HIDDEN_WRITE] =
		"write to hidden memory at gpa %#llx from rip %#llx (gla %#llx, cpl %llu) dropped",
	[HVT_LOG_HIDDEN_FETCH] =
		"fetch from hidden memory at gpa %#llx, rip %#llx (gla %#llx, qual. %#llx): #UD",
	[HVT_LOG_VMCS_FIELDS] = "  vmcs %#06llx = %#llx, %#06llx = %#llx",
	[HVT_LOG_GUEST_GPRS] = "  guest gprs %#llx %#llx %#llx %#llx",
	[HVT_LOG_STOPPED] =
		"stopped in VMX root at guest rip %#llx rather than leave with the hypervisor in reach (%llu %llu %llu)",
	[HVT_LOG_FLUSH_UNCONFIRMED] =
		"an EPT flush was not confirmed by every CPU in time, after exit %llu at rip %#llx (%llu %llu)",
	[HVT_LOG_CODE_WRITE] =
		"write to hypervisor code at gpa %#llx from rip %#llx (gla %#llx, cpl %llu) dropped",
};

int hvt_log_rings_init(void)
{
	hvt_log_rings = kcalloc(nr_cpu_ids, sizeof(*hvt_log_rings), GFP_KERNEL);
	return hvt_log_rings ? 0 : -ENOMEM;
}

void hvt_log_rings_exit(void)
{
	kfree(hvt_log_rings);
	hvt_log_rings = NULL;
}

struct hvt_log_ring *hvt_log_ring_alloc(int cpu)
{
	hvt_log_rings[cpu] = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
						      get_order(sizeof(struct hvt_log_ring)));
	return hvt_log_rings[cpu];
}

void hvt_log_ring_free(int cpu)
{
	free_pages((unsigned long)hvt_log_rings[cpu], get_order(sizeof(struct hvt_log_ring)));
	hvt_log_rings[cpu] = NULL;
}

static void hvt_log_drain_cpu(int cpu, struct hvt_log_ring *ring)
{
	u32 head = READ_ONCE(ring->head);
	u32 tail = ring->tail;

	/* Read the records only after seeing the head that covers them. */
	smp_rmb();
	for (; tail != head; tail++) {
		const struct hvt_log_record *rec = &ring->records[tail % HVT_LOG_ENTRIES];
		char line[192];

		if (rec->code >= HVT_LOG_CODES)
			continue;
		if (rec->code == HVT_LOG_AUDIT) {
			hvt_audit_record(cpu, rec->args);
			continue;
		}
		snprintf(line, sizeof(line), hvt_log_formats[rec->code],
			 rec->args[0], rec->args[1], rec->args[2], rec->args[3]);
		if (rec->code == HVT_LOG_DEVIRTUALIZED)
			pr_info("CPU %d: %s\n", cpu, line);
		else
			pr_warn("CPU %d: %s\n", cpu, line);
	}
	/* The producer may reuse the slots only after they were read. */
	smp_mb();
	WRITE_ONCE(ring->tail, tail);
	if (READ_ONCE(ring->dropped)) {
		pr_warn("CPU %d: %u log records lost\n", cpu, ring->dropped);
		WRITE_ONCE(ring->dropped, 0);
	}
}

/**
 * hvt_log_drain_now() - move what VMX root logged into dmesg and the audit
 *                       buffer now, rather than at the next periodic drain
 */
void hvt_log_drain_now(void)
{
	int cpu;

	mutex_lock(&hvt_drain_mutex);
	for_each_possible_cpu(cpu)
		if (hvt_log_rings && hvt_log_rings[cpu])
			hvt_log_drain_cpu(cpu, hvt_log_rings[cpu]);
	mutex_unlock(&hvt_drain_mutex);
}

static void hvt_log_drain_work(struct work_struct *work)
{
	hvt_log_drain_now();
	schedule_delayed_work(&hvt_log_work, HVT_LOG_DRAIN_PERIOD);
}

void hvt_log_drain_start(void)
{
	schedule_delayed_work(&hvt_log_work, HVT_LOG_DRAIN_PERIOD);
}

/* The worker is stopped and what the rings still hold is drained. */
void hvt_log_drain_stop(void)
{
	cancel_delayed_work_sync(&hvt_log_work);
	hvt_log_drain_now();
}
