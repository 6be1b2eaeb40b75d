// SPDX-License-Identifier: GPL-2.0
/* The trusted-program service: registry, first hypercall, tokens, protected frames. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <linux/align.h>
#include <linux/math.h>
#include <linux/nospec.h>
#include <linux/atomic.h>
#include <asm/archrandom.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/sync_core.h>
#include <asm/vmx.h>

#include "../ept/walk.h"
#include "../token/manifest.h"
#include "../token/sha256.h"
#include "hv.h"
#include "trust.h"
#include "vmcs.h"

#define HVT_AUDIT_ID_MASK	GENMASK_ULL(55, 0)

static HVT_ROOT void hvt_lock(struct hvt_root_lock *lock)
{
	while (xchg(&lock->locked, 1))
		cpu_relax();
}

static HVT_ROOT void hvt_unlock(struct hvt_root_lock *lock)
{
	/* Everything done under the lock is visible before it is free. */
	smp_store_release(&lock->locked, 0);
}

static HVT_ROOT void hvt_audit(struct hvt_cpu *vcpu, u32 kind, const struct hvt_session *s,
			       u64 cr3, u64 gva, u64 gpa)
{
	u64 id = s ? s->id & HVT_AUDIT_ID_MASK : 0;

	hvt_log(vcpu, HVT_LOG_AUDIT, (u64)kind << 56 | id, s ? s->cr3 : cr3, gva, gpa);
}

/* The address space running now, as sessions name it. */
static HVT_ROOT u64 hvt_current_cr3(const struct hvt_trust *trust)
{
	return hvt_vmreadnl(GUEST_CR3) & HVT_PTE_ADDR & ~trust->cr3_ignore;
}

/* RAM at @pa, through the direct map as it was at load (struct hvt_trust). */
static HVT_ROOT void *hvt_root_va(const struct hvt_trust *trust, u64 pa)
{
	return (void *)(unsigned long)(trust->direct_map + pa);
}

static HVT_ROOT bool hvt_is_ram(const struct hvt_trust *trust, u64 pa, u64 len)
{
	u32 i;

	for (i = 0; i < trust->nr_ram; i++)
		if (pa >= trust->ram[i].start && pa + len <= trust->ram[i].end &&
		    pa + len > pa)
			return true;
	return false;
}

/*
 * Guest memory is read as the guest sees it: through EPT, so that hidden
 * pages read as zeros here too, and only where there is RAM behind it.
 */
static HVT_ROOT const void *hvt_guest_page(const struct hvt_vmm *vmm, u64 gpa)
{
	unsigned int level;
	u64 entry = hvt_ept_lookup(&vmm->ept, gpa & HVT_EPT_ADDR_MASK, &level);
	u64 size = 1ULL << (12 + 9 * (level - 1));
	u64 hpa;

	if (!(entry & HVT_EPT_READ))
		return NULL;
	hpa = (entry & HVT_EPT_ADDR_MASK & ~(size - 1)) + (gpa & (size - 1) & PAGE_MASK);
	if (!hvt_is_ram(vmm->trust, hpa, PAGE_SIZE))
		return NULL;
	return hvt_root_va(vmm->trust, hpa);
}

static HVT_ROOT const u64 *hvt_read_table(const void *vmm, u64 gpa)
{
	return hvt_guest_page(vmm, gpa);
}

static HVT_ROOT bool hvt_guest_la57(void)
{
	return hvt_vmreadnl(GUEST_CR4) & X86_CR4_LA57;
}

/*
 * The guest's own page tables at @cr3, read through EPT like any guest
 * memory. @cache (or NULL) serves a pass over many pages in one exit.
 */
static HVT_ROOT int hvt_translate(const struct hvt_vmm *vmm, u64 cr3, u64 gva,
				  struct hvt_walk_cache *cache, u64 *gpa)
{
	return hvt_walk_user(cr3, hvt_guest_la57(), gva, hvt_read_table, vmm, cache, gpa);
}

static HVT_ROOT int hvt_hash_frame(const struct hvt_vmm *vmm, u64 gpa, u8 *digest)
{
	const void *page = hvt_guest_page(vmm, gpa);

	if (!page)
		return -EFAULT;
	hvt_sha256(page, PAGE_SIZE, digest);
	return 0;
}

static HVT_ROOT struct hvt_frame *hvt_frame_of_gpa(struct hvt_trust *trust, u64 gpa,
						   const struct hvt_frame *except)
{
	u32 i;

	for (i = 0; i < trust->frames_used; i++) {
		struct hvt_frame *f = &trust->frames[i];

		if (f->kind != HVT_FRAME_FREE && f->gpa == gpa && f != except)
			return f;
	}
	return NULL;
}

/**
 * hvt_trust_ept_changed() - an EPT entry lost a permission or a mapping
 * @vcpu: this CPU, which flushes now; the others flush before this exit
 *        ends (hvt_trust_flush_others())
 */
HVT_ROOT void hvt_trust_ept_changed(struct hvt_cpu *vcpu)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	vcpu->ept_generation = atomic64_inc_return(&trust->ept_generation);
	vcpu->flush_due = true;
	hvt_invept_all();
}

#define HVT_MSR_APIC_BASE	0x1b
#define HVT_APIC_BASE_X2APIC	BIT_ULL(10)
#define HVT_MSR_X2APIC_ICR	0x830
#define HVT_APIC_ICR		0x300
#define HVT_APIC_ICR2		0x310
#define HVT_ICR_NMI		(4U << 8 | BIT(14))	/* NMI, assert */
#define HVT_ICR_BUSY		BIT(12)
#define HVT_FLUSH_WAIT_MS	10

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
 * hvt_trust_send_nmi() - send an NMI to one local APIC
 * @vmm: the hypervisor
 * @apic_id: the destination
 *
 * An NMI, because it makes a CPU exit whatever the guest does: NMI exiting
 * is on, external interrupts do not exit. The guest on this CPU may have
 * been stopped half-way through programming its own ICR: ICR2 is put back.
 */
HVT_ROOT void hvt_trust_send_nmi(const struct hvt_vmm *vmm, u32 apic_id)
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

/**
 * hvt_trust_flush_others() - make every other virtualized CPU flush EPT
 * @vcpu: this CPU, which took a permission away in this exit
 *
 * Waits (bounded) until each has flushed, so that a frame protected by a
 * hypercall is protected on every CPU when the hypercall returns.
 */
HVT_ROOT void hvt_trust_flush_others(struct hvt_cpu *vcpu)
{
	const struct hvt_vmm *vmm = vcpu->vmm;
	u64 generation = vcpu->ept_generation, deadline;
	unsigned int cpu;

	if (!vcpu->flush_due)
		return;
	vcpu->flush_due = false;
	for (cpu = 0; cpu < vmm->nr_cpus; cpu++) {
		struct hvt_cpu *other = vmm->cpus[cpu];

		if (!other || other == vcpu)
			continue;
		atomic_inc(&other->flush_senders);
		/* Announce before reading in_vmx: pairs with hvt_trust_drain_nmis(). */
		smp_mb__after_atomic();
		if (READ_ONCE(other->in_vmx)) {
			atomic_inc(&other->flush_nmis);
			hvt_trust_send_nmi(vmm, other->apic_id);
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
		while (READ_ONCE(other->in_vmx) &&
		       READ_ONCE(other->ept_generation) < generation &&
		       rdtsc() < deadline)
			cpu_relax();
	}
}

/**
 * hvt_trust_flush_nmi() - whether an NMI this CPU got was a flush request
 * @vcpu: this CPU
 *
 * Return: true when it was (and is consumed), false for a guest NMI.
 */
HVT_ROOT bool hvt_trust_flush_nmi(struct hvt_cpu *vcpu)
{
	return atomic_add_unless(&vcpu->flush_nmis, -1, 0);
}

/**
 * hvt_trust_drain_nmis() - take every flush NMI meant for a CPU that leaves VMX
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
HVT_ROOT u32 hvt_trust_drain_nmis(struct hvt_cpu *vcpu)
{
	u64 deadline = rdtsc() + vcpu->vmm->tsc_khz;	/* 1 ms */
	u32 guest_nmis = vcpu->pending_nmis;

	WRITE_ONCE(vcpu->in_vmx, false);
	/* Out before reading flush_senders: pairs with hvt_trust_flush_others(). */
	smp_mb();
	for (;;) {
		u32 root_nmis;

		iret_to_self();
		root_nmis = this_cpu_xchg(hvt_root_nmis, 0);
		while (root_nmis && hvt_trust_flush_nmi(vcpu))
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
 * hvt_trust_sync_ept() - flush stale EPT translations after another CPU
 *                        took a permission away
 * @vcpu: this CPU
 */
HVT_ROOT void hvt_trust_sync_ept(struct hvt_cpu *vcpu)
{
	u64 generation = atomic64_read(&vcpu->vmm->trust->ept_generation);

	if (vcpu->ept_generation != generation) {
		vcpu->ept_generation = generation;
		hvt_invept_all();
	}
}

static HVT_ROOT int hvt_protect_frame(struct hvt_cpu *vcpu, struct hvt_frame *frame)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	const struct hvt_frame *other = hvt_frame_of_gpa(vmm->trust, frame->gpa, frame);
	u64 leaf;
	int err;

	if (!frame->gpa)
		return 0;
	if (other) {
		frame->saved_leaf = other->saved_leaf;
		return 0;
	}
	leaf = hvt_ept_entry_4k(&vmm->ept, frame->gpa);
	if (!leaf)
		return -EFAULT;
	frame->saved_leaf = leaf;
	err = hvt_ept_set_4k(&vmm->ept, frame->gpa, leaf & ~HVT_EPT_WRITE);
	if (!err)
		hvt_trust_ept_changed(vcpu);
	return err;
}

/*
 * Gives the frame its write access back (unless another entry protects it
 * too) but keeps the entry: gpa 0 means "not pinned to a frame now", and
 * the next check looks the page up again. No flush is needed: a stale
 * read-only entry only faults once more.
 */
static HVT_ROOT void hvt_unpin_frame(struct hvt_cpu *vcpu, struct hvt_frame *frame)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	u64 *leaf;

	if (frame->gpa && !hvt_frame_of_gpa(vmm->trust, frame->gpa, frame)) {
		leaf = hvt_ept_leaf_4k(&vmm->ept, frame->gpa);
		if (leaf)
			WRITE_ONCE(*leaf, frame->saved_leaf);
	}
	frame->gpa = 0;
}

/* The session's frames, newest first: iterate with hvt_next_frame(). */
static HVT_ROOT struct hvt_frame *hvt_first_frame(struct hvt_trust *trust,
						  const struct hvt_session *s)
{
	return s->frames ? &trust->frames[s->frames - 1] : NULL;
}

static HVT_ROOT struct hvt_frame *hvt_next_frame(struct hvt_trust *trust, const struct hvt_frame *f)
{
	return f->next ? &trust->frames[f->next - 1] : NULL;
}

static HVT_ROOT void hvt_link_frame(struct hvt_trust *trust, struct hvt_frame *frame)
{
	struct hvt_session *s = &trust->sessions[frame->session];
	u32 self = frame - trust->frames + 1;

	frame->prev = 0;
	frame->next = s->frames;
	if (s->frames)
		trust->frames[s->frames - 1].prev = self;
	s->frames = self;
}

static HVT_ROOT void hvt_unlink_frame(struct hvt_trust *trust, struct hvt_frame *frame)
{
	if (frame->prev)
		trust->frames[frame->prev - 1].next = frame->next;
	else
		trust->sessions[frame->session].frames = frame->next;
	if (frame->next)
		trust->frames[frame->next - 1].prev = frame->prev;
	frame->prev = 0;
	frame->next = 0;
}

static HVT_ROOT void hvt_release_frame(struct hvt_cpu *vcpu, struct hvt_frame *frame)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	hvt_unpin_frame(vcpu, frame);
	hvt_unlink_frame(trust, frame);
	frame->kind = HVT_FRAME_FREE;
	/* Scans stop at the last frame in use: keep that bound tight. */
	while (trust->frames_used &&
	       trust->frames[trust->frames_used - 1].kind == HVT_FRAME_FREE)
		trust->frames_used--;
}

static HVT_ROOT struct hvt_frame *hvt_add_frame(struct hvt_cpu *vcpu, u32 session,
						u32 kind, u64 gva, u64 gpa, int *err)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_frame *frame = NULL;
	u32 i;

	for (i = 0; i < trust->max_frames; i++) {
		if (trust->frames[i].kind == HVT_FRAME_FREE) {
			frame = &trust->frames[i];
			break;
		}
	}
	if (!frame) {
		*err = -ENOSPC;
		return NULL;
	}
	if (i >= trust->frames_used)
		trust->frames_used = i + 1;
	frame->gpa = gpa;
	frame->gva = gva;
	frame->session = session;
	frame->kind = kind;
	*err = hvt_protect_frame(vcpu, frame);
	if (*err) {
		frame->kind = HVT_FRAME_FREE;
		frame->gpa = 0;
		return NULL;
	}
	hvt_link_frame(trust, frame);
	return frame;
}

static HVT_ROOT void hvt_release_session_frames(struct hvt_cpu *vcpu, u32 session,
						bool keep_session_page)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_frame *f, *next;

	for (f = hvt_first_frame(trust, &trust->sessions[session]); f; f = next) {
		next = hvt_next_frame(trust, f);
		if (keep_session_page && f->kind == HVT_FRAME_SESSION)
			continue;
		hvt_release_frame(vcpu, f);
	}
	trust->sessions[session].data_frames = 0;
}

/* Every state change goes through here: the recurring check runs while any is open. */
static HVT_ROOT void hvt_set_state(struct hvt_cpu *vcpu, struct hvt_session *s, u32 state)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	if (s->state == HVT_SESSION_OPEN)
		trust->open_sessions--;
	if (state == HVT_SESSION_OPEN && !trust->open_sessions++)
		vcpu->flush_due = true;	/* other CPUs exit and start their timers */
	s->state = state;
}

static HVT_ROOT struct hvtrust_session_page *hvt_session_page(const struct hvt_trust *trust,
							      const struct hvt_session *s)
{
	return hvt_root_va(trust, s->page_pa);
}

static HVT_ROOT void hvt_wipe_token(const struct hvt_trust *trust, struct hvt_session *s)
{
	struct hvtrust_session_page *page = hvt_session_page(trust, s);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s->token); i++) {
		WRITE_ONCE(s->token[i], 0);
		WRITE_ONCE(page->token[i], 0);
	}
}

static HVT_ROOT void hvt_revoke(struct hvt_cpu *vcpu, struct hvt_session *s, u32 kind,
				u64 gva, u64 gpa)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	u32 index = s - trust->sessions;

	if (s->state == HVT_SESSION_OPEN || s->state == HVT_SESSION_PENDING)
		hvt_set_state(vcpu, s, HVT_SESSION_REVOKED);
	hvt_wipe_token(trust, s);
	hvt_session_page(trust, s)->flags = HVTRUST_SESSION_REVOKED;
	hvt_release_session_frames(vcpu, index, true);
	hvt_audit(vcpu, kind, s, 0, gva, gpa);
}

static HVT_ROOT void hvt_end_session(struct hvt_cpu *vcpu, struct hvt_session *s)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	hvt_wipe_token(trust, s);
	/* The magic stays: the program can tell an ended session from a foreign page. */
	hvt_session_page(trust, s)->flags = HVTRUST_SESSION_ENDED;
	hvt_release_session_frames(vcpu, s - trust->sessions, false);
	hvt_set_state(vcpu, s, HVT_SESSION_FREE);
	s->cr3 = 0;
	s->id = 0;
	/* Lookups stop at the last session in use: keep that bound tight. */
	while (trust->sessions_used &&
	       trust->sessions[trust->sessions_used - 1].state == HVT_SESSION_FREE)
		trust->sessions_used--;
}

static HVT_ROOT struct hvt_session *hvt_session_by_cr3(struct hvt_trust *trust, u64 cr3)
{
	u32 i;

	for (i = 0; i < trust->sessions_used; i++)
		if (trust->sessions[i].state != HVT_SESSION_FREE &&
		    trust->sessions[i].cr3 == cr3)
			return &trust->sessions[i];
	return NULL;
}

static HVT_ROOT struct hvt_session *hvt_session_by_id(struct hvt_trust *trust, u64 id)
{
	u32 i;

	for (i = 0; i < trust->sessions_used && id; i++)
		if (trust->sessions[i].state != HVT_SESSION_FREE &&
		    trust->sessions[i].id == id)
			return &trust->sessions[i];
	return NULL;
}

/* EPT tables for splits in root come from the pool filled before launch. */
static HVT_ROOT u64 *hvt_pool_alloc(void *ctx, u64 *phys)
{
	struct hvt_trust *trust = ctx;

	if (!trust->pool_free)
		return NULL;
	*phys = trust->pool[--trust->pool_free];
	return hvt_root_va(trust, *phys);
}

/**
 * hvt_trust_use_pool() - make EPT splits take tables from the pool
 * @vmm: the hypervisor, built and hidden, not yet launched
 */
HVT_ROOT void hvt_trust_use_pool(struct hvt_vmm *vmm)
{
	vmm->ept.ops.alloc_table = hvt_pool_alloc;
	vmm->ept.ops.ctx = vmm->trust;
}

/* --- Kernel-only calls (the module) ------------------------------------ */

static HVT_ROOT long hvt_registry_add(struct hvt_cpu *vcpu, u64 pa, u64 size, u64 id)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 zero = vmm->zero_page_pa | HVT_EPT_READ | ((u64)HVT_MT_WB << HVT_EPT_TYPE_SHIFT);
	struct hvt_binary *bin;
	u64 frames, i;
	int err;

	if (trust->sealed)
		return -EPERM;
	if (id >= HVT_MAX_BINARIES || size > HVT_MANIFEST_MAX_BYTES ||
	    size < HVTRUST_MANIFEST_HEADER_SIZE || (pa & ~PAGE_MASK))
		return -EINVAL;
	bin = &trust->binaries[array_index_nospec(id, HVT_MAX_BINARIES)];
	if (bin->used)
		return -EEXIST;
	if (!hvt_is_ram(trust, pa, size))
		return -EFAULT;
	/* Hidden first, checked afterwards: the guest cannot change it between. */
	frames = DIV_ROUND_UP(size, PAGE_SIZE);
	for (i = 0; i < frames; i++) {
		bin->saved_leaves[i] = hvt_ept_entry_4k(&vmm->ept, pa + i * PAGE_SIZE);
		err = hvt_ept_set_4k(&vmm->ept, pa + i * PAGE_SIZE, zero);
		if (err)
			break;
	}
	hvt_trust_ept_changed(vcpu);
	bin->manifest = hvt_root_va(trust, pa);
	bin->manifest_pa = pa;
	bin->size = size;
	if (!err)
		err = hvt_manifest_check(bin->manifest, size);
	if (err) {
		while (i--)
			hvt_ept_set_4k(&vmm->ept, pa + i * PAGE_SIZE, bin->saved_leaves[i]);
		bin->manifest = NULL;
		return err;
	}
	bin->used = true;
	return 0;
}

static HVT_ROOT long hvt_registry_remove(struct hvt_cpu *vcpu, u64 id)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	struct hvt_binary *bin;
	u64 frames, i;

	if (trust->sealed)
		return -EPERM;
	if (id >= HVT_MAX_BINARIES)
		return -EINVAL;
	id = array_index_nospec(id, HVT_MAX_BINARIES);
	bin = &trust->binaries[id];
	if (!bin->used)
		return -ENOENT;
	for (i = 0; i < trust->sessions_used; i++)
		if (trust->sessions[i].state != HVT_SESSION_FREE &&
		    trust->sessions[i].binary == id)
			hvt_end_session(vcpu, &trust->sessions[i]);
	frames = DIV_ROUND_UP(bin->size, PAGE_SIZE);
	for (i = 0; i < frames; i++)
		hvt_ept_set_4k(&vmm->ept, bin->manifest_pa + i * PAGE_SIZE,
			       bin->saved_leaves[i]);
	bin->used = false;
	bin->manifest = NULL;
	return 0;
}

static HVT_ROOT long hvt_session_prepare(struct hvt_cpu *vcpu, u64 request_pa)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_session_request req;
	struct hvt_session *s = NULL;
	struct hvt_frame *frame;
	u32 i;
	int err;

	if (!hvt_is_ram(trust, request_pa, sizeof(req)) ||
	    (request_pa & ~PAGE_MASK) + sizeof(req) > PAGE_SIZE)
		return -EFAULT;
	/* One copy, then checks on the copy only. */
	req = *(const struct hvt_session_request *)hvt_root_va(trust, request_pa);
	if (req.binary >= HVT_MAX_BINARIES || req.reserved ||
	    (req.page_pa & ~PAGE_MASK) || (req.page_va & ~PAGE_MASK) ||
	    req.page_va >= hvt_user_top(hvt_guest_la57()) ||
	    !hvt_is_ram(trust, req.page_pa, PAGE_SIZE))
		return -EINVAL;
	req.binary = array_index_nospec(req.binary, HVT_MAX_BINARIES);
	if (!trust->binaries[req.binary].used)
		return -ENOENT;
	req.cr3 &= HVT_PTE_ADDR & ~trust->cr3_ignore;
	if (hvt_session_by_cr3(trust, req.cr3))
		return -EBUSY;
	for (i = 0; i < trust->max_sessions; i++) {
		if (trust->sessions[i].state == HVT_SESSION_FREE) {
			s = &trust->sessions[i];
			break;
		}
	}
	if (!s)
		return -ENOSPC;
	/* A free session has no frames left: its list starts empty. */
	*s = (struct hvt_session){
		.cr3 = req.cr3,
		.page_pa = req.page_pa,
		.page_va = req.page_va,
		.bias = req.bias,
		.binary = req.binary,
	};
	frame = hvt_add_frame(vcpu, i, HVT_FRAME_SESSION, req.page_va, req.page_pa, &err);
	if (!frame) {
		s->cr3 = 0;
		return err;
	}
	s->id = ++trust->next_session_id;
	s->state = HVT_SESSION_PENDING;
	if (i >= trust->sessions_used)
		trust->sessions_used = i + 1;
	return s->id;
}

#ifdef HVT_TEST_HOOKS
static HVT_ROOT long hvt_test_silent_write(struct hvt_trust *trust, u64 gpa, u64 value)
{
	const struct hvt_frame *f = hvt_frame_of_gpa(trust, gpa & PAGE_MASK, NULL);

	if ((gpa & 7) || !f || (f->kind != HVT_FRAME_CODE && f->kind != HVT_FRAME_DATA))
		return -EINVAL;
	WRITE_ONCE(*(u64 *)hvt_root_va(trust, gpa), value);
	return 0;
}
#endif

/**
 * hvt_trust_kernel_call() - a kernel-only hypercall of the service
 * @vcpu: this CPU
 * @nr: the call
 * @regs: its arguments (RCX, RDX, RSI)
 *
 * Return: the result for RAX.
 */
HVT_ROOT long hvt_trust_kernel_call(struct hvt_cpu *vcpu, u64 nr, struct hvt_guest_regs *regs)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_session *s;
	long ret;

	hvt_lock(&trust->lock);
	switch (nr) {
	case HVTRUST_HC_REGISTRY_ADD:
		ret = hvt_registry_add(vcpu, regs->rcx, regs->rdx, regs->rsi);
		break;
	case HVTRUST_HC_REGISTRY_REMOVE:
		ret = hvt_registry_remove(vcpu, regs->rcx);
		break;
	case HVTRUST_HC_SEAL:
		trust->sealed = true;
		ret = 0;
		break;
	case HVTRUST_HC_SESSION_PREPARE:
		ret = hvt_session_prepare(vcpu, regs->rcx);
		break;
	case HVTRUST_HC_SESSION_END:
		s = hvt_session_by_id(trust, regs->rcx);
		ret = s ? 0 : -ENOENT;
		if (s)
			hvt_end_session(vcpu, s);
		break;
	case HVTRUST_HC_SESSION_INFO:
		s = hvt_session_by_id(trust, regs->rcx);
		ret = s ? (long)s->state : -ENOENT;
		break;
#ifdef HVT_TEST_HOOKS
	case HVT_HC_TEST_SILENT_WRITE:
		ret = hvt_test_silent_write(trust, regs->rcx, regs->rdx);
		break;
#endif
	default:
		ret = -ENOSYS;
	}
	hvt_unlock(&trust->lock);
	return ret;
}

/* --- Calls of trusted programs (user mode) ------------------------------ */

static HVT_ROOT u32 hvt_session_index(const struct hvt_trust *trust, const struct hvt_session *s)
{
	return s - trust->sessions;
}

/*
 * The first hypercall: the call site must be the registered binary's code,
 * and every code page, as mapped now, must hash to the manifest. The code
 * frames are write-protected before they are hashed, so no write can slip
 * in between.
 */
static HVT_ROOT long hvt_session_open(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 cr3 = hvt_current_cr3(trust);
	struct hvt_session *s = hvt_session_by_cr3(trust, cr3);
	const struct hvtrust_manifest *m;
	struct hvtrust_session_page *page;
	struct hvt_walk_cache cache = { 0 };
	u64 rip = hvt_vmreadnl(GUEST_RIP), gpa;
	u32 index, i, session;
	int err;

	if (!s || s->state != HVT_SESSION_PENDING)
		return -ESRCH;
	if (regs->rbx != s->page_va)
		return -EINVAL;
	session = hvt_session_index(trust, s);
	m = trust->binaries[s->binary].manifest;
	if (hvt_manifest_page_of(m, rip - s->bias, &index)) {
		hvt_audit(vcpu, HVTRUST_AUDIT_BAD_CALLER, s, cr3, rip, 0);
		return -EACCES;
	}
	if (hvt_translate(vmm, cr3, s->page_va, NULL, &gpa) || gpa != s->page_pa)
		return -EINVAL;
	for (i = 0; i < m->nr_pages; i++) {
		u64 gva = s->bias + hvt_manifest_page_vaddr(m, i);
		struct hvt_frame *frame;

		err = hvt_translate(vmm, cr3, gva, &cache, &gpa);
		if (err)
			goto undo;
		frame = hvt_add_frame(vcpu, session, HVT_FRAME_CODE, gva, gpa, &err);
		if (!frame)
			goto undo;
		err = hvt_hash_frame(vmm, gpa, frame->hash);
		if (err)
			goto undo;
		if (!hvt_ct_equal(frame->hash, hvt_manifest_page_hash(m, i),
				  HVTRUST_SHA256_SIZE)) {
			hvt_audit(vcpu, HVTRUST_AUDIT_BAD_CODE, s, cr3, gva, gpa);
			err = -EBADMSG;
			goto undo;
		}
	}
	if (trust->has_rdrand) {
		unsigned long fresh[2] = { 0, 0 };

		if (rdrand_long(&fresh[0]) && rdrand_long(&fresh[1]))
			hvt_drbg_mix(&trust->drbg, fresh, sizeof(fresh));
	}
	err = hvt_drbg_generate(&trust->drbg, s->token, sizeof(s->token));
	if (err)
		goto undo;
	page = hvt_session_page(trust, s);
	page->abi_version = HVTRUST_ABI_VERSION;
	page->session_id = s->id;
	page->safe_hypercall = s->page_va + HVTRUST_SESSION_STUB_OFFSET;
	page->flags = HVTRUST_SESSION_OPEN;
	for (i = 0; i < ARRAY_SIZE(s->token); i++)
		page->token[i] = s->token[i];
	/* A program that sees the magic sees the token. */
	smp_wmb();
	page->magic = HVTRUST_SESSION_MAGIC;
	hvt_set_state(vcpu, s, HVT_SESSION_OPEN);
	return s->page_va;

undo:
	hvt_release_session_frames(vcpu, session, true);
	return err;
}

/*
 * One protected page, as mapped now: hashed again when it maps another frame
 * than the one protected (or always, with @rehash). A page with the same
 * contents elsewhere (migrated, copied on write) takes its protection along.
 *
 * Return: false when the contents changed; @gpa_now says where.
 */
static HVT_ROOT bool hvt_check_frame(struct hvt_cpu *vcpu, const struct hvt_session *s,
				     struct hvt_frame *f, bool rehash, struct hvt_walk_cache *cache,
				     u64 *gpa_now)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	u8 digest[HVTRUST_SHA256_SIZE];
	u64 gpa;

	if (hvt_translate(vmm, s->cr3, f->gva, cache, &gpa))
		return true;
	if (gpa == f->gpa && !rehash)
		return true;
	if (hvt_hash_frame(vmm, gpa, digest) ||
	    !hvt_ct_equal(digest, f->hash, sizeof(digest))) {
		*gpa_now = gpa;
		return false;
	}
	if (gpa != f->gpa) {
		hvt_unpin_frame(vcpu, f);
		f->gpa = gpa;
		if (hvt_protect_frame(vcpu, f))
			f->gpa = 0;
	}
	return true;
}

/*
 * Re-walks the session's pages. A page that maps another frame than when it
 * was protected is hashed again (and its protection moves with it); with
 * @rehash_all every page is hashed. Not-present pages cannot change unseen:
 * they are checked when they are mapped again.
 *
 * Return: 0, or the first address whose contents changed (in @changed).
 */
static HVT_ROOT bool hvt_verify_session(struct hvt_cpu *vcpu, struct hvt_session *s,
					bool rehash_all, u64 *changed, u64 *changed_gpa)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_walk_cache cache = { 0 };
	struct hvt_frame *f;

	s->checks++;
	for (f = hvt_first_frame(trust, s); f; f = hvt_next_frame(trust, f)) {
		if (f->kind != HVT_FRAME_CODE && f->kind != HVT_FRAME_DATA)
			continue;
		if (!hvt_check_frame(vcpu, s, f, rehash_all, &cache, changed_gpa)) {
			*changed = f->gva;
			return false;
		}
	}
	return true;
}

static HVT_ROOT long hvt_protect_range(struct hvt_cpu *vcpu, struct hvt_session *s,
				       u64 addr, u64 len)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u32 session = hvt_session_index(trust, s);
	u64 start = addr & PAGE_MASK, end = addr + len, gva, gpa;
	struct hvt_walk_cache cache = { 0 };
	int err;

	if (!len || end < addr || end > hvt_user_top(hvt_guest_la57()))
		return -EINVAL;
	end = ALIGN(end, PAGE_SIZE);
	/* Every page must be mapped before any is protected. */
	for (gva = start; gva < end; gva += PAGE_SIZE)
		if (hvt_translate(vmm, s->cr3, gva, &cache, &gpa))
			return -EFAULT;
	for (gva = start; gva < end; gva += PAGE_SIZE) {
		struct hvt_frame *frame, *f;
		bool known = false;

		for (f = hvt_first_frame(trust, s); f && !known; f = hvt_next_frame(trust, f))
			known = f->kind == HVT_FRAME_DATA && f->gva == gva;
		if (known)
			continue;
		hvt_translate(vmm, s->cr3, gva, &cache, &gpa);
		frame = hvt_add_frame(vcpu, session, HVT_FRAME_DATA, gva, gpa, &err);
		if (!frame)
			return err;
		err = hvt_hash_frame(vmm, gpa, frame->hash);
		if (err) {
			hvt_release_frame(vcpu, frame);
			return err;
		}
		s->data_frames++;
	}
	return 0;
}

static HVT_ROOT long hvt_unprotect_range(struct hvt_cpu *vcpu, struct hvt_session *s,
					 u64 addr, u64 len)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	u64 start = addr & PAGE_MASK, end = addr + len;
	struct hvt_frame *f, *next;
	long ret = -ENOENT;

	if (!len || end < addr)
		return -EINVAL;
	for (f = hvt_first_frame(trust, s); f; f = next) {
		next = hvt_next_frame(trust, f);
		if (f->kind == HVT_FRAME_DATA && f->gva >= start && f->gva < end) {
			hvt_release_frame(vcpu, f);
			s->data_frames--;
			ret = 0;
		}
	}
	return ret;
}

/* Identity of the caller: address space, call site, session page, token. */
static HVT_ROOT long hvt_authenticate(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				      struct hvt_session **session)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 cr3 = hvt_current_cr3(trust);
	struct hvt_session *s = hvt_session_by_cr3(trust, cr3);
	u64 rip = hvt_vmreadnl(GUEST_RIP), gpa;
	const u64 token[4] = { regs->rbx, regs->rcx, regs->rdx, regs->rsi };

	if (!s || s->state == HVT_SESSION_PENDING)
		return -EPERM;
	if (rip != s->page_va + HVTRUST_SESSION_STUB_OFFSET ||
	    hvt_translate(vmm, cr3, s->page_va, NULL, &gpa) || gpa != s->page_pa) {
		hvt_audit(vcpu, HVTRUST_AUDIT_BAD_CALLER, s, cr3, rip, 0);
		return -EPERM;
	}
	if (s->state == HVT_SESSION_LOCKED)
		return -EDQUOT;
	if (s->state == HVT_SESSION_REVOKED)
		return -EKEYREVOKED;
	if (!hvt_ct_equal(token, s->token, sizeof(token))) {
		hvt_audit(vcpu, HVTRUST_AUDIT_BAD_TOKEN, s, cr3, rip, 0);
		/* The limit-th wrong token is the last one answered at all. */
		if (++s->bad_tokens >= trust->bad_token_limit) {
			hvt_set_state(vcpu, s, HVT_SESSION_LOCKED);
			hvt_wipe_token(trust, s);
			hvt_release_session_frames(vcpu, hvt_session_index(trust, s), true);
			hvt_audit(vcpu, HVTRUST_AUDIT_LOCKED_OUT, s, cr3, rip, 0);
		}
		return -EKEYREJECTED;
	}
	*session = s;
	return 0;
}

static HVT_ROOT long hvt_session_call(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs)
{
	struct hvt_session *s = NULL;
	u64 changed = 0, changed_gpa = 0;
	long ret;

	ret = hvt_authenticate(vcpu, regs, &s);
	if (ret)
		return ret;
	if (!hvt_verify_session(vcpu, s, regs->rax == HVTRUST_HC_CHECK,
				&changed, &changed_gpa)) {
		hvt_revoke(vcpu, s, regs->rax == HVTRUST_HC_CHECK ?
			   HVTRUST_AUDIT_CHECK_FAILED : HVTRUST_AUDIT_REMAPPED,
			   changed, changed_gpa);
		if (regs->rax != HVTRUST_HC_CHECK)
			return -EKEYREVOKED;
		regs->rdi = changed;
		return -EBADMSG;
	}
	switch (regs->rax) {
	case HVTRUST_HC_STATUS:
		regs->rdi = s->data_frames;
		regs->r8 = s->checks;
		return 0;
	case HVTRUST_HC_PROTECT:
		return hvt_protect_range(vcpu, s, regs->rdi, regs->r8);
	case HVTRUST_HC_UNPROTECT:
		return hvt_unprotect_range(vcpu, s, regs->rdi, regs->r8);
	case HVTRUST_HC_CHECK:
		regs->rdi = 0;
		return 0;
	case HVTRUST_HC_CLOSE:
		hvt_end_session(vcpu, s);
		return 0;
	}
	return -ENOSYS;
}

/**
 * hvt_trust_user_call() - a hypercall of a trusted program
 * @vcpu: this CPU
 * @regs: the caller's registers; results go to RAX, RDI and R8
 * @cpl: the caller's privilege level
 *
 * Return: the result for RAX, -ENOSYS for numbers outside the service.
 */
HVT_ROOT long hvt_trust_user_call(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, u32 cpl)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	long ret;

	if (regs->rax != HVTRUST_HC_SESSION_OPEN &&
	    (regs->rax < HVTRUST_HC_STATUS || regs->rax > HVTRUST_HC_CLOSE))
		return -ENOSYS;
	/* Trusted programs run in user mode; the kernel has its own calls. */
	if (cpl != 3)
		return -EPERM;
	hvt_lock(&trust->lock);
	if (regs->rax == HVTRUST_HC_SESSION_OPEN)
		ret = hvt_session_open(vcpu, regs);
	else
		ret = hvt_session_call(vcpu, regs);
	hvt_unlock(&trust->lock);
	return ret;
}

/**
 * hvt_trust_ept_violation() - an EPT violation on a frame the service protects
 * @vcpu: this CPU
 * @gpa: the guest-physical address accessed
 * @write: the access was a write
 * @restore: for HVT_TRUST_DROP_WRITE, the leaf to put back after the step
 *
 * A write to a session page never lands. A write to protected code or data
 * revokes every session that protects the frame, then completes, so that
 * the guest kernel stays consistent (the frame may have been freed and
 * reused); in enforce mode a write to protected code is dropped instead.
 *
 * Return: enum hvt_trust_verdict.
 */
HVT_ROOT int hvt_trust_ept_violation(struct hvt_cpu *vcpu, u64 gpa, bool write, u64 *restore)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 page = gpa & HVT_EPT_ADDR_MASK;
	struct hvt_frame *f;
	int verdict = HVT_TRUST_NOT_MINE;

	hvt_lock(&trust->lock);
	f = hvt_frame_of_gpa(trust, page, NULL);
	if (!f) {
		u64 *leaf = hvt_ept_leaf_4k(&vmm->ept, page);

		/* Released on another CPU after this one cached the old entry. */
		if (leaf && (!write || (*leaf & HVT_EPT_WRITE))) {
			hvt_invept_all();
			verdict = HVT_TRUST_RESUME;
		}
		goto out;
	}
	if (!write)
		goto out;
	if (f->kind == HVT_FRAME_SESSION) {
		*restore = f->saved_leaf & ~HVT_EPT_WRITE;
		hvt_audit(vcpu, HVTRUST_AUDIT_WRITE, &trust->sessions[f->session], 0,
			  hvt_vmreadnl(GUEST_LINEAR_ADDRESS), gpa);
		verdict = HVT_TRUST_DROP_WRITE;
		goto out;
	}
	while ((f = hvt_frame_of_gpa(trust, page, NULL)) && f->kind != HVT_FRAME_SESSION) {
		struct hvt_session *s = &trust->sessions[f->session];
		u64 now;

		/*
		 * Linux moved the page (migration, compaction, copy on write)
		 * and reuses the old frame: not an attack on the session. The
		 * frame is forgotten here; the next check finds the new one.
		 */
		if (hvt_translate(vmm, s->cr3, f->gva, NULL, &now) || now != page) {
			hvt_unpin_frame(vcpu, f);
			continue;
		}
		/* Enforce mode: the code stays as registered, the session lives on. */
		if (trust->enforce && f->kind == HVT_FRAME_CODE) {
			*restore = f->saved_leaf & ~HVT_EPT_WRITE;
			hvt_audit(vcpu, HVTRUST_AUDIT_WRITE, s, 0, f->gva, gpa);
			verdict = HVT_TRUST_DROP_WRITE;
			goto out;
		}
		hvt_revoke(vcpu, s, HVTRUST_AUDIT_WRITE, f->gva, gpa);
	}
	verdict = HVT_TRUST_RESUME;
out:
	hvt_unlock(&trust->lock);
	return verdict;
}

#define HVT_CHECK_SLICE		32	/* pages hashed per timer expiry */

/**
 * hvt_trust_timer_update() - run the VMX-preemption timer while sessions are open
 * @vcpu: this CPU, at the end of an exit
 *
 * Without open sessions the timer is off, so that the guest runs without
 * exits; the CPU that opens the first session makes the others exit (see
 * hvt_set_state()) so that they start theirs.
 */
HVT_ROOT void hvt_trust_timer_update(struct hvt_cpu *vcpu)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	bool want = trust->check_ticks && READ_ONCE(trust->open_sessions);
	u32 pin, exit;

	if (want == vcpu->timer_on)
		return;
	pin = hvt_vmread32(PIN_BASED_VM_EXEC_CONTROL);
	exit = hvt_vmread32(VM_EXIT_CONTROLS);
	if (want) {
		pin |= PIN_BASED_VMX_PREEMPTION_TIMER;
		if (trust->timer_save)
			exit |= VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
		hvt_vmwrite32(VMX_PREEMPTION_TIMER_VALUE, trust->check_ticks);
	} else {
		pin &= ~PIN_BASED_VMX_PREEMPTION_TIMER;
		exit &= ~VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
	}
	hvt_vmwrite32(PIN_BASED_VM_EXEC_CONTROL, pin);
	hvt_vmwrite32(VM_EXIT_CONTROLS, exit);
	vcpu->timer_on = want;
}

/**
 * hvt_trust_recurring_check() - hash a few protected pages on the hypervisor's
 *                               own schedule (VMX-preemption timer expiry)
 * @vcpu: this CPU
 *
 * A bounded slice per expiry, round robin over every open session's pages,
 * so that checking never waits for the program or the guest kernel.
 */
HVT_ROOT void hvt_trust_recurring_check(struct hvt_cpu *vcpu)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_walk_cache cache = { 0 };
	u32 hashed = 0, looked;

	hvt_lock(&trust->lock);
	for (looked = 0; looked < trust->frames_used && hashed < HVT_CHECK_SLICE; looked++) {
		u32 i = trust->check_cursor++ % trust->frames_used;
		struct hvt_frame *f = &trust->frames[i];
		struct hvt_session *s;
		u64 gpa = 0;

		if (f->kind != HVT_FRAME_CODE && f->kind != HVT_FRAME_DATA)
			continue;
		s = &trust->sessions[f->session];
		if (s->state != HVT_SESSION_OPEN)
			continue;
		hashed++;
		trust->checked_pages++;
		if (!hvt_check_frame(vcpu, s, f, true, &cache, &gpa))
			hvt_revoke(vcpu, s, HVTRUST_AUDIT_CHECK_FAILED, f->gva, gpa);
	}
	hvt_unlock(&trust->lock);
	if (vcpu->timer_on)
		hvt_vmwrite32(VMX_PREEMPTION_TIMER_VALUE, trust->check_ticks);
}
