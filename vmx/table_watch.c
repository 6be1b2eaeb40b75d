// SPDX-License-Identifier: GPL-2.0
/* Sessions' page tables write-protected in EPT, so that a call walks them only after a change. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <asm/page.h>

#include "flush.h"
#include "frame.h"
#include "guest_mem.h"
#include "table_watch.h"
#include "vmcs.h"
#include "vmm.h"

/*
 * Why a clean session's call may skip its walks. The walks it skips (the
 * stub's address, the two PTI roots, every protected page) read guest page
 * tables only, and would find what the last whole pass found as long as no
 * table that pass read has changed. A table changes by:
 *  - a store of any CPU, or the accessed and dirty bits its page walker
 *    sets: writes through EPT, trapped, because every table the pass read
 *    was write-protected before the pass began and every CPU had flushed
 *    since (hvt_watch_ready() is taken before the pass, not after);
 *  - root: it writes hidden memory, session pages and the frames it
 *    protects, never a watched table (hvt_watch_protect() takes ordinary
 *    RAM only, and a frame protected later ends the watch first);
 *  - a device: DMA is outside the threat model, as for every protected page.
 * A pass that read a table not so watched leaves the session unclean.
 */

/* A quarter of the split pool stays for protecting pages: watching never takes it. */
#define HVT_WATCH_POOL_RESERVE_DIV	4

static HVT_ROOT bool hvt_watched_by_any(const struct hvt_trust *trust, u64 gpa)
{
	u32 i;

	for (i = 0; i < trust->sessions_used; i++)
		if (hvt_table_set_has(&trust->sessions[i].watched, gpa))
			return true;
	return false;
}

/* No session watches @gpa any more: its write access comes back. */
static HVT_ROOT void hvt_watch_unprotect(struct hvt_cpu *vcpu, u64 gpa)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	u64 *leaf = hvt_ept_leaf_4k(&vmm->ept, gpa);

	if (!leaf || !(*leaf & HVT_EPT_WATCHED))
		return;
	WRITE_ONCE(*leaf, (*leaf & ~HVT_EPT_WATCHED) | HVT_EPT_WRITE);
	hvt_pool_fold(vcpu, gpa);
}

/*
 * Ordinary guest RAM only, mapped to itself with every permission: a frame
 * root protects, hidden memory or a device page is no table to watch, and
 * its leaf must not be touched here.
 */
static HVT_ROOT bool hvt_watch_protect(struct hvt_cpu *vcpu, u64 gpa)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 leaf = hvt_ept_entry_4k(&vmm->ept, gpa);
	unsigned int tables;

	if (leaf & HVT_EPT_WATCHED)
		return true;
	if (!hvt_is_guest_page(vmm, gpa))
		return false;
	tables = hvt_ept_split_tables(&vmm->ept, gpa);
	if (tables && (trust->pool_free + trust->pool_retired <
		       tables + trust->pool_size / HVT_WATCH_POOL_RESERVE_DIV ||
		       !hvt_pool_reserve(vcpu, tables)))
		return false;
	return !hvt_ept_set_4k(&vmm->ept, gpa, (leaf & ~HVT_EPT_WRITE) | HVT_EPT_WATCHED);
}

/**
 * hvt_watch_ready() - whether a pass begun now may leave its session clean
 * @vcpu: this CPU
 * @s: the session
 *
 * Return: true when the session watches tables and every CPU has flushed
 * since the last of them was write-protected.
 */
HVT_ROOT bool hvt_watch_ready(const struct hvt_cpu *vcpu, const struct hvt_session *s)
{
	return vcpu->vmm->trust->watch_tables && s->watched.nr &&
	       hvt_flush_passed(vcpu, s->watch_generation);
}

/**
 * hvt_watch_settle() - after a pass that found every page in place
 * @vcpu: this CPU
 * @s: the session
 * @read: every table the pass read
 * @ready: hvt_watch_ready() before the pass began
 *
 * Tables the pass did not read are no longer watched for the session. It
 * is clean when the pass read only tables it watched ready; otherwise it
 * watches what the pass read, for the next pass to find ready. A table that
 * cannot be watched (not ordinary RAM, no split table to spare) keeps it
 * unclean: its calls walk, as without the watch.
 */
HVT_ROOT void hvt_watch_settle(struct hvt_cpu *vcpu, struct hvt_session *s,
			       const struct hvt_table_set *read, bool ready)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_table_set *watched = &s->watched;
	bool added = false;
	u32 i;

	s->tables_clean = false;
	if (!trust->watch_tables)
		return;
	if (read->overflow) {
		hvt_watch_release(vcpu, s);
		return;
	}
	/* Tables the calls no longer read (pages unprotected, unmapped) go first. */
	for (i = 0; i < watched->nr;) {
		u64 gpa = watched->gpa[i];

		if (hvt_table_set_has(read, gpa)) {
			i++;
			continue;
		}
		watched->gpa[i] = watched->gpa[--watched->nr];
		if (!hvt_watched_by_any(trust, gpa))
			hvt_watch_unprotect(vcpu, gpa);
	}
	if (ready && hvt_table_set_within(read, watched)) {
		s->tables_clean = true;
		return;
	}
	for (i = 0; i < read->nr; i++) {
		u64 gpa = read->gpa[i];

		if (hvt_table_set_has(watched, gpa))
			continue;
		if (!hvt_watch_protect(vcpu, gpa))
			break;
		watched->gpa[watched->nr++] = gpa;
		added = true;
	}
	if (added) {
		hvt_flush_ept_changed(vcpu);
		s->watch_generation = vcpu->ept_generation;
	}
}

/**
 * hvt_watch_forget_gpa() - no session watches a page any more
 * @vcpu: this CPU
 * @gpa: the page: written, or about to become a frame root protects
 *
 * Every session that watched it is unclean: its next call walks again.
 */
HVT_ROOT void hvt_watch_forget_gpa(struct hvt_cpu *vcpu, u64 gpa)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	u32 i, j;

	for (i = 0; i < trust->sessions_used; i++) {
		struct hvt_session *s = &trust->sessions[i];

		for (j = 0; j < s->watched.nr; j++) {
			if (s->watched.gpa[j] == gpa) {
				s->watched.gpa[j] = s->watched.gpa[--s->watched.nr];
				s->tables_clean = false;
				break;
			}
		}
	}
	hvt_watch_unprotect(vcpu, gpa);
}

/**
 * hvt_watch_table_written() - an EPT violation on a watched page table
 * @vcpu: this CPU
 * @gpa: the page written
 *
 * The write completes once the watch is gone: the kernel keeps its page
 * tables as it likes, and the sessions that read this one walk again.
 *
 * Return: true when @gpa was watched and the guest may retry the write.
 */
HVT_ROOT bool hvt_watch_table_written(struct hvt_cpu *vcpu, u64 gpa)
{
	u64 *leaf = hvt_ept_leaf_4k(&vcpu->vmm->ept, gpa);

	if (!leaf || !(*leaf & HVT_EPT_WATCHED))
		return false;
	vcpu->vmm->trust->table_writes++;
	hvt_watch_forget_gpa(vcpu, gpa);
	/* This CPU's read-only translation goes before the write is retried. */
	hvt_invept_all();
	return true;
}

/**
 * hvt_watch_release() - a session watches nothing any more
 * @vcpu: this CPU
 * @s: the session, ending, revoked or reset
 */
HVT_ROOT void hvt_watch_release(struct hvt_cpu *vcpu, struct hvt_session *s)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	s->tables_clean = false;
	while (s->watched.nr) {
		u64 gpa = s->watched.gpa[--s->watched.nr];

		if (!hvt_watched_by_any(trust, gpa))
			hvt_watch_unprotect(vcpu, gpa);
	}
	s->watched.overflow = false;
}
