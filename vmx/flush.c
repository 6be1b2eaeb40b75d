// SPDX-License-Identifier: GPL-2.0
/* EPT flushes across CPUs: a generation per change, NMIs to make other CPUs exit. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <linux/atomic.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/sync_core.h>

#include "flush.h"
#include "vmcs.h"

#define HVT_MSR_APIC_BASE	0x1b
#define HVT_APIC_BASE_X2APIC	BIT_ULL(10)
#define HVT_APIC_BASE_ENABLE	BIT_ULL(11)
#define HVT_MSR_X2APIC_ICR	0x830
#define HVT_APIC_ICR		0x300
#define HVT_APIC_ICR2		0x310
#define HVT_ICR_NMI		(4U << 8 | BIT(14))	/* NMI, assert */
#define HVT_ICR_BUSY		BIT(12)
#define HVT_FLUSH_WAIT_MS	10

/**
 * hvt_flush_ept_changed() - an EPT entry lost a permission or a mapping
 * @vcpu: this CPU, which flushes now; the others flush before this exit
 *        ends (hvt_flush_others())
 */
HVT_ROOT void hvt_flush_ept_changed(struct hvt_cpu *vcpu)
{
	vcpu->ept_generation = atomic64_inc_return(&vcpu->vmm->ept_generation);
	hvt_flush_kick_others(vcpu);
	hvt_invept_all();
}

/**
 * hvt_flush_ept_folded() - EPT tables were folded into a large leaf
 * @vcpu: this CPU, which flushes now
 *
 * A fold takes no permission away and leaves the retired tables as they
 * were, so other CPUs may go on walking them: they flush when they next
 * leave root, and no table is reused before they have (hvt_flush_passed()).
 * No NMI is sent for it.
 */
HVT_ROOT void hvt_flush_ept_folded(struct hvt_cpu *vcpu)
{
	vcpu->ept_generation = atomic64_inc_return(&vcpu->vmm->ept_generation);
	hvt_invept_all();
}

static HVT_ROOT u64 hvt_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static HVT_ROOT void hvt_xapic_wait_idle(u8 __iomem *apic)
{
	unsigned int spins = 1U << 20;

	while ((readl(apic + HVT_APIC_ICR) & HVT_ICR_BUSY) && --spins)
		cpu_relax();
}

/**
 * hvt_send_nmi() - send an NMI to one local APIC
 * @vmm: the hypervisor
 * @apic_id: the destination
 *
 * An NMI, because it makes a CPU exit whatever the guest does: NMI exiting
 * is on, external interrupts do not exit. The guest on this CPU may have
 * been stopped half-way through programming its own ICR: ICR2 is put back.
 */
HVT_ROOT void hvt_send_nmi(const struct hvt_vmm *vmm, u32 apic_id)
{
	u8 __iomem *apic = vmm->xapic;
	u32 icr2;

	if (hvt_rdmsr(HVT_MSR_APIC_BASE) & HVT_APIC_BASE_X2APIC) {
		asm volatile("wrmsr" : : "c"(HVT_MSR_X2APIC_ICR), "a"(HVT_ICR_NMI),
			     "d"(apic_id) : "memory");
		return;
	}
	if (!apic)
		return;
	hvt_xapic_wait_idle(apic);
	icr2 = readl(apic + HVT_APIC_ICR2);
	writel(apic_id << 24, apic + HVT_APIC_ICR2);
	writel(HVT_ICR_NMI, apic + HVT_APIC_ICR);
	hvt_xapic_wait_idle(apic);
	writel(icr2, apic + HVT_APIC_ICR2);
}

/* The local APIC's mode (SDM Vol. 3A, 11.12.5): enable and x2APIC bits. */
enum hvt_apic_mode {
	HVT_APIC_DISABLED,
	HVT_APIC_XAPIC,
	HVT_APIC_X2APIC,
	HVT_APIC_INVALID,
};

static HVT_ROOT enum hvt_apic_mode hvt_apic_mode_of(u64 apic_base)
{
	if (!(apic_base & HVT_APIC_BASE_ENABLE))
		return apic_base & HVT_APIC_BASE_X2APIC ? HVT_APIC_INVALID : HVT_APIC_DISABLED;
	return apic_base & HVT_APIC_BASE_X2APIC ? HVT_APIC_X2APIC : HVT_APIC_XAPIC;
}

/**
 * hvt_apic_base_write() - a guest's WRMSR to IA32_APIC_BASE, made or refused
 * @vmm: the hypervisor
 * @value: what the guest writes
 *
 * Root sends flush NMIs through the xAPIC page at the address it mapped at
 * load, or through the x2APIC MSR: a guest that moved its APIC elsewhere
 * would silence them. So the base, and every bit but the mode, stay as
 * they are; of the mode changes only those the architecture allows pass
 * (disabled to xAPIC, xAPIC to x2APIC where the CPU has it, either to
 * disabled), so the WRMSR root makes for the guest cannot fault.
 *
 * Return: true when written; false when the guest is to get #GP.
 */
HVT_ROOT bool hvt_apic_base_write(const struct hvt_vmm *vmm, u64 value)
{
	const u64 mode_bits = HVT_APIC_BASE_ENABLE | HVT_APIC_BASE_X2APIC;
	u64 now = hvt_rdmsr(HVT_MSR_APIC_BASE);
	enum hvt_apic_mode from = hvt_apic_mode_of(now), to = hvt_apic_mode_of(value);
	bool allowed;

	if ((value & ~mode_bits) != (now & ~mode_bits))
		return false;
	switch (to) {
	case HVT_APIC_DISABLED:
		allowed = true;
		break;
	case HVT_APIC_XAPIC:
		allowed = from == HVT_APIC_XAPIC || from == HVT_APIC_DISABLED;
		break;
	case HVT_APIC_X2APIC:
		allowed = from == HVT_APIC_X2APIC ||
			  (from == HVT_APIC_XAPIC && vmm->config.x2apic);
		break;
	default:
		allowed = false;
	}
	if (allowed)
		asm volatile("wrmsr" : : "c"(HVT_MSR_APIC_BASE), "a"((u32)value),
			     "d"((u32)(value >> 32)) : "memory");
	return allowed;
}

/**
 * hvt_flush_others() - make every other virtualized CPU flush EPT
 * @vcpu: this CPU, which took a permission away in this exit
 *
 * Waits (bounded) until each has flushed or is in root, from where it
 * flushes before it runs the guest again (hvt_flush_leave_root()), so
 * that a frame protected by a hypercall is protected on every CPU when the
 * hypercall returns. A CPU that does neither in time is one whose guest
 * kept the NMI from it (a kernel spinning in its own NMI handler, a local
 * APIC it switched off): the caller fails what needed the flush.
 *
 * Return: how many CPUs did not confirm the flush in time.
 */
HVT_ROOT u32 hvt_flush_others(struct hvt_cpu *vcpu)
{
	const struct hvt_vmm *vmm = vcpu->vmm;
	u64 generation = vcpu->ept_generation, deadline;
	unsigned int cpu;
	u32 unconfirmed = 0;

	if (!vcpu->flush_due)
		return 0;
	vcpu->flush_due = false;
	for (cpu = 0; cpu < vmm->nr_cpus; cpu++) {
		struct hvt_cpu *other = vmm->cpus[cpu];

		if (!other || other == vcpu)
			continue;
		atomic_inc(&other->flush_senders);
		/* Announce before reading in_vmx: pairs with hvt_flush_drain_nmis(). */
		smp_mb__after_atomic();
		if (READ_ONCE(other->in_vmx)) {
			atomic_inc(&other->flush_nmis);
			hvt_send_nmi(vmm, other->apic_id);
		}
		/* The NMI is on its way before the leaving CPU stops waiting. */
		smp_mb__before_atomic();
		atomic_dec(&other->flush_senders);
	}
	deadline = rdtsc() + vmm->tsc_khz * HVT_FLUSH_WAIT_MS;
	for (cpu = 0; cpu < vmm->nr_cpus; cpu++) {
		struct hvt_cpu *other = vmm->cpus[cpu];

		if (!other || other == vcpu)
			continue;
		while (READ_ONCE(other->in_vmx) && !READ_ONCE(other->in_root) &&
		       READ_ONCE(other->ept_generation) < generation) {
			if (rdtsc() >= deadline) {
				unconfirmed++;
				break;
			}
			cpu_relax();
		}
	}
	return unconfirmed;
}

/**
 * hvt_flush_passed() - whether no other CPU can use EPT as it was before
 *                      @generation without flushing first
 * @vcpu: this CPU
 * @generation: an EPT generation
 *
 * The same test hvt_flush_others() waits for, made once: each other CPU
 * has flushed since, is out of VMX, or is in root, from where it flushes
 * before it runs the guest again. A CPU between launch and its first exit
 * has not passed, though no flush NMI can reach it yet. Root's own walks
 * of EPT all hold the service's lock, which the caller holds.
 *
 * Return: true when every other CPU passed @generation.
 */
HVT_ROOT bool hvt_flush_passed(const struct hvt_cpu *vcpu, u64 generation)
{
	const struct hvt_vmm *vmm = vcpu->vmm;
	unsigned int cpu;

	/* Pairs with the barrier in hvt_flush_leave_root(). */
	smp_mb();
	for (cpu = 0; cpu < vmm->nr_cpus; cpu++) {
		const struct hvt_cpu *other = vmm->cpus[cpu];

		if (other && other != vcpu &&
		    (READ_ONCE(other->in_vmx) || READ_ONCE(other->launching)) &&
		    !READ_ONCE(other->in_root) &&
		    READ_ONCE(other->ept_generation) < generation)
			return false;
	}
	return true;
}

/**
 * hvt_flush_leave_root() - the last EPT flush check before the guest runs again
 * @vcpu: this CPU, at the end of an exit
 *
 * Pairs with hvt_flush_others(): a sender bumps the generation and then
 * reads @in_root; this CPU clears @in_root and then reads the generation.
 * Either the sender sees it out of root and waits for its flush, or this
 * CPU sees the new generation and flushes here.
 */
HVT_ROOT void hvt_flush_leave_root(struct hvt_cpu *vcpu)
{
	WRITE_ONCE(vcpu->in_root, false);
	/* Out of root before reading the generation: pairs with the sender's bump. */
	smp_mb();
	hvt_flush_sync(vcpu);
}

/**
 * hvt_flush_nmi_taken() - whether an NMI this CPU got was a flush request
 * @vcpu: this CPU
 *
 * Return: true when it was (and is consumed), false for a guest NMI.
 */
HVT_ROOT bool hvt_flush_nmi_taken(struct hvt_cpu *vcpu)
{
	return atomic_add_unless(&vcpu->flush_nmis, -1, 0);
}

/**
 * hvt_flush_drain_nmis() - take every flush NMI meant for a CPU that leaves VMX
 * @vcpu: this CPU, in VMX root with the host IDT, about to leave
 *
 * No CPU sends it a flush NMI once it is marked out of VMX and the senders
 * that saw it in are done; the NMIs they sent are taken here, through the
 * host IDT (an IRET unblocks NMIs latched since the last NMI exit), where
 * they are counted, rather than by Linux once its IDT is back. The wait is
 * bounded: NMIs that met in the local APIC's latch arrive as one.
 *
 * Return: NMIs that were the guest's and are still owed to Linux.
 */
HVT_ROOT u32 hvt_flush_drain_nmis(struct hvt_cpu *vcpu)
{
	u64 deadline = rdtsc() + vcpu->vmm->tsc_khz;	/* 1 ms */
	u32 guest_nmis = vcpu->pending_nmis;

	WRITE_ONCE(vcpu->in_vmx, false);
	/* Out before reading flush_senders: pairs with hvt_flush_others(). */
	smp_mb();
	for (;;) {
		u32 root_nmis;

		iret_to_self();
		root_nmis = xchg(&vcpu->root_nmis, 0);
		while (root_nmis && hvt_flush_nmi_taken(vcpu))
			root_nmis--;
		guest_nmis += root_nmis;
		if ((!atomic_read(&vcpu->flush_senders) && !atomic_read(&vcpu->flush_nmis)) ||
		    rdtsc() > deadline)
			break;
		cpu_relax();
	}
	atomic_set(&vcpu->flush_nmis, 0);
	vcpu->pending_nmis = 0;
	return guest_nmis;
}

/**
 * hvt_flush_sync() - flush stale EPT translations after another CPU took a
 *                    permission away
 * @vcpu: this CPU
 */
HVT_ROOT void hvt_flush_sync(struct hvt_cpu *vcpu)
{
	u64 generation = atomic64_read(&vcpu->vmm->ept_generation);

	if (vcpu->ept_generation != generation) {
		vcpu->ept_generation = generation;
		hvt_invept_all();
	}
}
