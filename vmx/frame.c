// SPDX-License-Identifier: GPL-2.0
/* The frames VMX root write-protects for sessions: table, per-session lists, EPT leaves. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <asm/page.h>

#include "flush.h"
#include "frame.h"
#include "guest_mem.h"
#include "table_watch.h"
#include "vmm.h"

/*
 * Frames are found through two hash tables of chains, by frame and by
 * session and address, so that no lookup scans the table: one exit's work
 * stays proportional to what it protects or checks, not to max_frames.
 */
static HVT_ROOT u32 hvt_frame_bucket(const struct hvt_trust *trust, u64 key)
{
	return (key * 0x9e3779b97f4a7c15ULL) >> (64 - trust->frame_hash_bits);
}

static HVT_ROOT u64 hvt_gva_key(u32 session, u64 gva)
{
	return (gva >> PAGE_SHIFT) ^ ((u64)session << 52);
}

static HVT_ROOT u32 hvt_frame_self(const struct hvt_trust *trust, const struct hvt_frame *frame)
{
	return frame - trust->frames + 1;
}

static HVT_ROOT void hvt_chain_remove(struct hvt_trust *trust, u32 *head, u32 self, bool by_gpa)
{
	u32 *link = head;

	while (*link && *link != self) {
		struct hvt_frame *f = &trust->frames[*link - 1];

		link = by_gpa ? &f->gpa_next : &f->gva_next;
	}
	if (*link) {
		struct hvt_frame *f = &trust->frames[self - 1];

		*link = by_gpa ? f->gpa_next : f->gva_next;
	}
}

static HVT_ROOT void hvt_gpa_link(struct hvt_trust *trust, struct hvt_frame *frame)
{
	u32 *head = &trust->gpa_buckets[hvt_frame_bucket(trust, frame->gpa >> PAGE_SHIFT)];

	frame->gpa_next = *head;
	*head = hvt_frame_self(trust, frame);
}

static HVT_ROOT void hvt_gpa_unlink(struct hvt_trust *trust, struct hvt_frame *frame)
{
	u32 bucket = hvt_frame_bucket(trust, frame->gpa >> PAGE_SHIFT);

	hvt_chain_remove(trust, &trust->gpa_buckets[bucket], hvt_frame_self(trust, frame), true);
	frame->gpa_next = 0;
}

HVT_ROOT struct hvt_frame *hvt_frame_of_gpa(struct hvt_trust *trust, u64 gpa,
					    const struct hvt_frame *except)
{
	u32 next = trust->gpa_buckets[hvt_frame_bucket(trust, gpa >> PAGE_SHIFT)];

	while (next) {
		struct hvt_frame *f = &trust->frames[next - 1];

		if (f->gpa == gpa && f != except)
			return f;
		next = f->gpa_next;
	}
	return NULL;
}

/**
 * hvt_frame_of_gva() - a session's frame of one kind at a user address
 * @trust: the service
 * @session: the session's index
 * @kind: enum hvt_frame_kind
 * @gva: the page's address
 *
 * Return: the frame, or NULL.
 */
HVT_ROOT struct hvt_frame *hvt_frame_of_gva(struct hvt_trust *trust, u32 session, u32 kind,
					    u64 gva)
{
	u32 next = trust->gva_buckets[hvt_frame_bucket(trust, hvt_gva_key(session, gva))];

	while (next) {
		struct hvt_frame *f = &trust->frames[next - 1];

		if (f->session == session && f->kind == kind && f->gva == gva)
			return f;
		next = f->gva_next;
	}
	return NULL;
}

static HVT_ROOT int hvt_frame_protect(struct hvt_cpu *vcpu, struct hvt_frame *frame)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	struct hvt_session *s = &trust->sessions[frame->session];
	const struct hvt_frame *other = hvt_frame_of_gpa(trust, frame->gpa, frame);
	unsigned int tables;
	u64 leaf;
	int err;

	s->tables_clean = false;
	if (!frame->gpa)
		return 0;
	if (other) {
		frame->saved_leaf = other->saved_leaf;
		return 0;
	}
	leaf = hvt_ept_entry_4k(&vmm->ept, frame->gpa);
	/* A page table becomes a frame: its leaf as it was before the watch. */
	if (leaf & HVT_EPT_WATCHED) {
		hvt_watch_forget_gpa(vcpu, frame->gpa);
		leaf = hvt_ept_entry_4k(&vmm->ept, frame->gpa);
	}
	if (!leaf)
		return -EFAULT;
	/*
	 * One session cannot take the tables every other session needs with
	 * the data pages it chooses. Its code is what the administrator
	 * registered, bounded by the manifests, and shared with every other
	 * process that maps the same files: not held against it.
	 */
	tables = hvt_ept_split_tables(&vmm->ept, frame->gpa);
	if (frame->kind == HVT_FRAME_DATA &&
	    tables > trust->max_session_tables - s->ept_tables)
		return -ENOSPC;
	if (!hvt_pool_reserve(vcpu, tables))
		return -ENOMEM;
	frame->saved_leaf = leaf;
	err = hvt_ept_set_4k(&vmm->ept, frame->gpa, leaf & ~HVT_EPT_WRITE);
	if (err)
		return err;
	if (frame->kind == HVT_FRAME_DATA) {
		frame->ept_tables = tables;
		s->ept_tables += tables;
	}
	hvt_flush_ept_changed(vcpu);
	return 0;
}

/*
 * Gives the frame its write access back (unless another entry protects it
 * too) but keeps the entry: gpa 0 means "not pinned to a frame now", and
 * the next check looks the page up again. No flush is needed for the
 * permission: a stale read-only entry only faults once more. A split that
 * is no longer needed is undone (hvt_pool_fold()).
 */
HVT_ROOT void hvt_frame_unpin(struct hvt_cpu *vcpu, struct hvt_frame *frame)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	u64 *leaf;

	vmm->trust->sessions[frame->session].tables_clean = false;
	if (frame->gpa && !hvt_frame_of_gpa(vmm->trust, frame->gpa, frame)) {
		leaf = hvt_ept_leaf_4k(&vmm->ept, frame->gpa);
		if (leaf) {
			WRITE_ONCE(*leaf, frame->saved_leaf);
			hvt_pool_fold(vcpu, frame->gpa);
		}
	}
	if (frame->gpa)
		hvt_gpa_unlink(vmm->trust, frame);
	vmm->trust->sessions[frame->session].ept_tables -= frame->ept_tables;
	frame->ept_tables = 0;
	frame->gpa = 0;
}

/* Protects @frame in @gpa: Return: 0, or -errno with @frame pinned nowhere. */
static HVT_ROOT int hvt_frame_pin(struct hvt_cpu *vcpu, struct hvt_frame *frame, u64 gpa)
{
	int err;

	frame->gpa = gpa;
	err = hvt_frame_protect(vcpu, frame);
	if (err)
		frame->gpa = 0;
	else if (gpa)
		hvt_gpa_link(vcpu->vmm->trust, frame);
	return err;
}

static HVT_ROOT void hvt_frame_link(struct hvt_trust *trust, struct hvt_frame *frame)
{
	struct hvt_session *s = &trust->sessions[frame->session];
	u32 self = frame - trust->frames + 1;

	frame->prev = 0;
	frame->next = s->frames;
	if (s->frames)
		trust->frames[s->frames - 1].prev = self;
	s->frames = self;
}

static HVT_ROOT void hvt_frame_unlink(struct hvt_trust *trust, struct hvt_frame *frame)
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

/* A free entry back on the free list. */
static HVT_ROOT void hvt_frame_free(struct hvt_trust *trust, struct hvt_frame *frame)
{
	frame->kind = HVT_FRAME_FREE;
	frame->prev = 0;
	frame->next = trust->frame_free;
	trust->frame_free = hvt_frame_self(trust, frame);
}

HVT_ROOT void hvt_frame_release(struct hvt_cpu *vcpu, struct hvt_frame *frame)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	u32 bucket = hvt_frame_bucket(trust, hvt_gva_key(frame->session, frame->gva));

	hvt_frame_unpin(vcpu, frame);
	hvt_frame_unlink(trust, frame);
	hvt_chain_remove(trust, &trust->gva_buckets[bucket], hvt_frame_self(trust, frame), false);
	frame->gva_next = 0;
	hvt_frame_free(trust, frame);
	trust->frames_in_use--;
}

HVT_ROOT struct hvt_frame *hvt_frame_add(struct hvt_cpu *vcpu, u32 session, u32 kind,
					 u64 gva, u64 gpa, int *err)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_frame *frame;
	u32 *head;

	if (trust->frame_free) {
		frame = &trust->frames[trust->frame_free - 1];
		trust->frame_free = frame->next;
	} else if (trust->frames_used < trust->max_frames) {
		frame = &trust->frames[trust->frames_used++];
	} else {
		*err = -ENOSPC;
		return NULL;
	}
	frame->gva = gva;
	frame->session = session;
	frame->kind = kind;
	frame->move_announced = false;
	frame->ept_tables = 0;
	frame->gpa_next = 0;
	*err = hvt_frame_pin(vcpu, frame, gpa);
	if (*err) {
		hvt_frame_free(trust, frame);
		return NULL;
	}
	head = &trust->gva_buckets[hvt_frame_bucket(trust, hvt_gva_key(session, gva))];
	frame->gva_next = *head;
	*head = hvt_frame_self(trust, frame);
	trust->frames_in_use++;
	hvt_frame_link(trust, frame);
	return frame;
}

HVT_ROOT void hvt_frames_release_session(struct hvt_cpu *vcpu, u32 session,
					 bool keep_session_page)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_frame *f, *next;

	hvt_watch_release(vcpu, &trust->sessions[session]);
	for (f = hvt_first_frame(trust, &trust->sessions[session]); f; f = next) {
		next = hvt_next_frame(trust, f);
		if (keep_session_page && f->kind == HVT_FRAME_SESSION)
			continue;
		hvt_frame_release(vcpu, f);
	}
	trust->sessions[session].data_frames = 0;
}

/**
 * hvt_frame_check() - check one protected page as the session maps it now
 * @vcpu: this CPU
 * @s: the session
 * @f: one of its code or data frames
 * @rehash: hash the page even when it maps the frame it was protected in
 * @cache: the walk cache of this pass
 * @gpa_now: where the page is mapped now, when its contents changed
 *
 * A page that maps another frame than the one protected moved: when Linux
 * announced it (hvt_hc_session_moving(): migration, compaction, reclaim)
 * and the contents are the same, the protection goes along; a move nobody
 * announced is a violation, whatever the contents. Not-present pages
 * cannot change unseen: they are checked when they are mapped again.
 *
 * Return: false when the contents changed or the page moved unannounced.
 */
HVT_ROOT bool hvt_frame_check(struct hvt_cpu *vcpu, const struct hvt_session *s,
			      struct hvt_frame *f, bool rehash, struct hvt_walk_cache *cache,
			      u64 *gpa_now)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	u8 digest[HVTRUST_SHA256_SIZE];
	u64 gpa;

	if (hvt_translate(vmm, s->user_cr3, f->gva, cache, &gpa))
		return true;
	if (gpa == f->gpa) {
		f->move_announced = false;
		if (!rehash)
			return true;
	} else if (f->gpa && !f->move_announced) {
		*gpa_now = gpa;
		return false;
	}
	if (hvt_hash_guest_page(vmm, gpa, digest) ||
	    !hvt_ct_equal(digest, f->hash, sizeof(digest))) {
		*gpa_now = gpa;
		return false;
	}
	if (gpa != f->gpa) {
		hvt_frame_unpin(vcpu, f);
		hvt_frame_pin(vcpu, f, gpa);
		f->move_announced = false;
	}
	return true;
}

/*
 * EPT tables for splits in root come from the pool filled before launch;
 * merges give them back. @pool holds the tables ready, then those
 * retired, then those in EPT: taking one keeps that order.
 */
static HVT_ROOT u64 *hvt_pool_alloc(void *ctx, u64 *phys)
{
	struct hvt_trust *trust = ctx;
	u32 last;

	if (!trust->pool_free)
		return NULL;
	last = --trust->pool_free;
	*phys = trust->pool[last];
	trust->pool[last] = trust->pool[last + trust->pool_retired];
	trust->pool[last + trust->pool_retired] = *phys;
	return hvt_root_va(trust, *phys);
}

/* A table a merge took out of EPT: retired when it is one of the pool's. */
static HVT_ROOT bool hvt_pool_retire(void *ctx, u64 phys)
{
	struct hvt_trust *trust = ctx;
	u32 first = trust->pool_free + trust->pool_retired, i;

	for (i = first; i < trust->pool_size; i++) {
		if (trust->pool[i] == phys) {
			trust->pool[i] = trust->pool[first];
			trust->pool[first] = phys;
			trust->pool_retired++;
			return true;
		}
	}
	/* Built before launch (hidden memory, MTRR boundaries): never folded. */
	return false;
}

/**
 * hvt_pool_fold() - undo the splits around a page that is back as it was
 * @vcpu: this CPU
 * @gpa: the page, its EPT entry just restored
 *
 * Other CPUs may still walk a retired table through their paging-structure
 * caches: it stays untouched until every one of them has flushed past the
 * generation recorded here (hvt_pool_reserve()).
 */
HVT_ROOT void hvt_pool_fold(struct hvt_cpu *vcpu, u64 gpa)
{
	struct hvt_vmm *vmm = vcpu->vmm;

	if (!hvt_ept_merge(&vmm->ept, gpa))
		return;
	hvt_flush_ept_folded(vcpu);
	vmm->trust->pool_retired_generation = vcpu->ept_generation;
}

/**
 * hvt_pool_reserve() - make sure a split of @tables tables finds them
 * @vcpu: this CPU
 * @tables: tables the split takes (hvt_ept_split_tables())
 *
 * Retired tables become ready once no CPU can walk them any more: at once
 * when every CPU has flushed since they were retired, else after a flush
 * of every CPU now, which fails closed: a CPU that does not confirm, or
 * one being launched, keeps them retired for now.
 *
 * Return: true when the pool holds @tables ready tables.
 */
HVT_ROOT bool hvt_pool_reserve(struct hvt_cpu *vcpu, unsigned int tables)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	if (tables <= trust->pool_free)
		return true;
	if (tables > trust->pool_free + trust->pool_retired)
		return false;
	if (!hvt_flush_passed(vcpu, trust->pool_retired_generation)) {
		hvt_flush_ept_changed(vcpu);
		if (hvt_flush_others(vcpu) ||
		    !hvt_flush_passed(vcpu, trust->pool_retired_generation))
			return false;
	}
	trust->pool_free += trust->pool_retired;
	trust->pool_retired = 0;
	return true;
}

/**
 * hvt_frame_use_pool() - make EPT splits take tables from the pool
 * @vmm: the hypervisor, built and hidden, not yet launched
 */
HVT_ROOT void hvt_frame_use_pool(struct hvt_vmm *vmm)
{
	vmm->ept.ops.alloc_table = hvt_pool_alloc;
	vmm->ept.ops.retire_table = hvt_pool_retire;
	vmm->ept.ops.ctx = vmm->trust;
}

/*
 * RCX: HVTRUST_CAPACITY_*. Retired tables count as free: the next split
 * that needs them gets them (hvt_pool_reserve()).
 */
HVT_ROOT long hvt_hc_capacity(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			      struct hvt_session *unused)
{
	const struct hvt_trust *trust = vcpu->vmm->trust;
	u32 i, watched = 0, clean = 0;

	switch (regs->rcx) {
	case HVTRUST_CAPACITY_FRAMES_USED:
		return trust->frames_in_use;
	case HVTRUST_CAPACITY_FRAMES_MAX:
		return trust->max_frames;
	case HVTRUST_CAPACITY_EPT_TABLES_FREE:
		return trust->pool_free + trust->pool_retired;
	case HVTRUST_CAPACITY_EPT_TABLES:
		return trust->pool_size;
	case HVTRUST_CAPACITY_TABLE_WRITES:
		return trust->table_writes & LONG_MAX;
	case HVTRUST_CAPACITY_TABLES_WATCHED:
	case HVTRUST_CAPACITY_SESSIONS_CLEAN:
		for (i = 0; i < trust->sessions_used; i++) {
			watched += trust->sessions[i].watched.nr;
			clean += trust->sessions[i].tables_clean;
		}
		return regs->rcx == HVTRUST_CAPACITY_TABLES_WATCHED ? watched : clean;
	}
	return -EINVAL;
}

#ifdef HVT_TEST_HOOKS
/*
 * Test builds only (HVT_HC_TEST_SILENT_WRITE): stores RDX at the protected
 * guest-physical address RCX past the write trap, as DMA would.
 */
HVT_ROOT long hvt_hc_test_silent_write(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				       struct hvt_session *unused)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	u64 gpa = regs->rcx;
	const struct hvt_frame *f = hvt_frame_of_gpa(trust, gpa & PAGE_MASK, NULL);

	if ((gpa & 7) || !f || (f->kind != HVT_FRAME_CODE && f->kind != HVT_FRAME_DATA))
		return -EINVAL;
	WRITE_ONCE(*(u64 *)hvt_root_va(trust, gpa), regs->rdx);
	return 0;
}
#endif
