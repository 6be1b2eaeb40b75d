// SPDX-License-Identifier: GPL-2.0
/* Sessions of trusted programs in VMX root: opening, authentication, calls, revocation. */
/* Context: VMX root only: no printk, no Linux locks, no allocation, no call into Linux. */
#include <linux/align.h>
#include <linux/nospec.h>
#include <linux/time64.h>
#include <asm/archrandom.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/vmx.h>

#include "../token/manifest.h"
#include "exec_view.h"
#include "flush.h"
#include "frame.h"
#include "guest_mem.h"
#include "log.h"
#include "session.h"
#include "table_watch.h"
#include "vmcs.h"
#include "vmm.h"

#define HVT_AUDIT_ID_MASK	GENMASK_ULL(55, 0)

static HVT_ROOT void hvt_audit(struct hvt_cpu *vcpu, u32 kind, const struct hvt_session *s,
			       u64 cr3, u64 gva, u64 gpa)
{
	u64 id = s ? s->id & HVT_AUDIT_ID_MASK : 0;

	vcpu->vmm->trust->audit_sequence++;

	hvt_log(vcpu, HVT_LOG_AUDIT, (u64)kind << 56 | id, s ? s->cr3 : cr3, gva, gpa);
}

/*
 * A record of the program's own request: dropped past its rate or when the
 * ring is three quarters full, and counted as lost (the ring's @dropped)
 * like any record that found no room.
 */
static HVT_ROOT void hvt_audit_routine(struct hvt_cpu *vcpu, u32 kind, struct hvt_session *s,
				       u64 gva, u64 len)
{
	u64 now = rdtsc();

	if (now - s->routine_since >= vcpu->vmm->tsc_khz * MSEC_PER_SEC) {
		s->routine_since = now;
		s->routine_audits = 0;
	}
	if (s->routine_audits >= HVT_ROUTINE_AUDITS_PER_SEC ||
	    !hvt_log_room(vcpu, HVT_LOG_ENTRIES / 4 + 1)) {
		WRITE_ONCE(vcpu->log->dropped, vcpu->log->dropped + 1);
		return;
	}
	s->routine_audits++;
	hvt_audit(vcpu, kind, s, 0, gva, len);
}

static HVT_ROOT void hvt_audit_bad_caller(struct hvt_cpu *vcpu, struct hvt_session *s,
					  u64 cr3, u64 rip)
{
	if (s->bad_callers >= HVT_BAD_CALLER_AUDITS)
		return;
	s->bad_callers++;
	hvt_audit(vcpu, HVTRUST_AUDIT_BAD_CALLER, s, cr3, rip, 0);
}

static HVT_ROOT u32 hvt_session_index(const struct hvt_trust *trust, const struct hvt_session *s)
{
	return s - trust->sessions;
}

/* Every state change goes through here: the recurring check runs while any is open. */
static HVT_ROOT void hvt_set_state(struct hvt_cpu *vcpu, struct hvt_session *s, u32 state)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	if (s->state == HVT_SESSION_OPEN)
		trust->open_sessions--;
	if (state == HVT_SESSION_OPEN && !trust->open_sessions++)
		hvt_flush_kick_others(vcpu);	/* they exit and start their timers */
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

HVT_ROOT void hvt_session_revoke(struct hvt_cpu *vcpu, struct hvt_session *s, u32 kind,
				 u64 gva, u64 gpa)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	if (s->state == HVT_SESSION_OPEN || s->state == HVT_SESSION_PENDING) {
		hvt_set_state(vcpu, s, HVT_SESSION_REVOKED);
		trust->revocations++;
	}
	hvt_wipe_token(trust, s);
	hvt_session_page(trust, s)->flags = HVTRUST_SESSION_REVOKED;
	hvt_frames_release_session(vcpu, hvt_session_index(trust, s), true);
	hvt_audit(vcpu, kind, s, 0, gva, gpa);
}

/* Every live session, when the hypervisor is about to leave a CPU. */
HVT_ROOT void hvt_sessions_revoke_all(struct hvt_cpu *vcpu, u32 kind)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	u32 i;

	for (i = 0; i < trust->sessions_used; i++) {
		struct hvt_session *s = &trust->sessions[i];

		if (s->state == HVT_SESSION_OPEN || s->state == HVT_SESSION_PENDING)
			hvt_session_revoke(vcpu, s, kind, 0, 0);
	}
}

HVT_ROOT void hvt_session_end(struct hvt_cpu *vcpu, struct hvt_session *s)
{
	struct hvt_trust *trust = vcpu->vmm->trust;

	hvt_wipe_token(trust, s);
	/* The magic stays: the program can tell an ended session from a foreign page. */
	hvt_session_page(trust, s)->flags = HVTRUST_SESSION_ENDED;
	hvt_frames_release_session(vcpu, hvt_session_index(trust, s), false);
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

/* --- Kernel-only calls (the module) ------------------------------------ */

/* RCX: the physical address of a struct hvt_session_request. */
HVT_ROOT long hvt_hc_session_prepare(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				     struct hvt_session *unused)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	u64 request_pa = regs->rcx;
	struct hvt_session_request req;
	struct hvt_session *s = NULL;
	struct hvt_frame *frame;
	u32 i, lib_index;
	int err;

	if (!hvt_is_guest_page(vcpu->vmm, request_pa) ||
	    (request_pa & ~PAGE_MASK) + sizeof(req) > PAGE_SIZE)
		return -EFAULT;
	/* One copy, then checks on the copy only. */
	req = *(const struct hvt_session_request *)hvt_root_va(trust, request_pa);
	if (req.binary >= HVT_MAX_BINARIES ||
	    (req.page_pa & ~PAGE_MASK) || (req.page_va & ~PAGE_MASK) ||
	    req.page_va >= hvt_user_top(hvt_guest_la57()) ||
	    !hvt_is_guest_page(vcpu->vmm, req.page_pa))
		return -EINVAL;
	req.binary = array_index_nospec(req.binary, HVT_MAX_BINARIES);
	if (!trust->binaries[req.binary].used)
		return -ENOENT;
	if (req.nr_libs > HVT_SESSION_MAX_LIBS)
		return -EINVAL;
	for (lib_index = 0; lib_index < req.nr_libs; lib_index++) {
		struct hvt_session_image *lib = &req.libs[lib_index];

		if (lib->binary >= HVT_MAX_BINARIES || lib->reserved ||
		    (lib->bias & ~PAGE_MASK))
			return -EINVAL;
		lib->binary = array_index_nospec(lib->binary, HVT_MAX_BINARIES);
		if (!trust->binaries[lib->binary].used)
			return -ENOENT;
	}
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
		.user_cr3 = req.cr3 | trust->cr3_ignore,
		.page_pa = req.page_pa,
		.page_va = req.page_va,
		.bias = req.bias,
		.binary = req.binary,
		.nr_libs = req.nr_libs,
	};
	for (lib_index = 0; lib_index < req.nr_libs; lib_index++)
		s->libs[lib_index] = req.libs[lib_index];
	frame = hvt_frame_add(vcpu, i, HVT_FRAME_SESSION, req.page_va, req.page_pa, &err);
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

/* RCX: the session id. */
HVT_ROOT long hvt_hc_session_end(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				 struct hvt_session *unused)
{
	struct hvt_session *s = hvt_session_by_id(vcpu->vmm->trust, regs->rcx);

	if (!s)
		return -ENOENT;
	hvt_session_end(vcpu, s);
	return 0;
}

/* RCX: the session id; returns its enum hvt_session_state. */
HVT_ROOT long hvt_hc_session_info(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				  struct hvt_session *unused)
{
	const struct hvt_session *s = hvt_session_by_id(vcpu->vmm->trust, regs->rcx);

	return s ? (long)s->state : -ENOENT;
}

/*
 * RCX: the session id; RDX: why (HVTRUST_AUDIT_TRACED, _EXEC_MAPPED); RSI:
 * the address concerned. The module's guard saw the process traced or
 * given new code: the token must die before the access completes. Only
 * these kinds, so the kernel cannot forge other audit records through it.
 */
HVT_ROOT long hvt_hc_session_revoke(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				    struct hvt_session *unused)
{
	struct hvt_session *s = hvt_session_by_id(vcpu->vmm->trust, regs->rcx);

	if (regs->rdx != HVTRUST_AUDIT_TRACED && regs->rdx != HVTRUST_AUDIT_EXEC_MAPPED)
		return -EINVAL;
	if (!s)
		return -ENOENT;
	if (s->state == HVT_SESSION_OPEN || s->state == HVT_SESSION_PENDING)
		hvt_session_revoke(vcpu, s, regs->rdx, regs->rsi, 0);
	return 0;
}

/* A range this many pages or smaller is looked up page by page, a larger one by frame. */
#define HVT_MOVING_LOOKUPS	64

/*
 * RCX: the session id; RDX, RSI: start and end of the user addresses whose
 * mappings Linux is about to change (the module's mmu notifier: reclaim,
 * migration, compaction, copy on write, munmap). A protected page found
 * in another frame afterwards keeps its protection only when one of these
 * covered it first (hvt_frame_check()). Bounded by the session's frames,
 * or by the pages of a small range.
 */
HVT_ROOT long hvt_hc_session_moving(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				    struct hvt_session *unused)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_session *s = hvt_session_by_id(trust, regs->rcx);
	u64 start = regs->rdx & PAGE_MASK, end = regs->rsi;
	struct hvt_frame *f;
	u32 session;

	if (end <= start)
		return -EINVAL;
	if (!s)
		return -ENOENT;
	session = hvt_session_index(trust, s);
	if ((end - start) / PAGE_SIZE <= HVT_MOVING_LOOKUPS) {
		u64 gva;

		for (gva = start; gva < end; gva += PAGE_SIZE) {
			f = hvt_frame_of_gva(trust, session, HVT_FRAME_DATA, gva);
			if (f)
				f->move_announced = true;
			f = hvt_frame_of_gva(trust, session, HVT_FRAME_CODE, gva);
			if (f)
				f->move_announced = true;
		}
		return 0;
	}
	for (f = hvt_first_frame(trust, s); f; f = hvt_next_frame(trust, f))
		if (f->gva >= start && f->gva < end)
			f->move_announced = true;
	return 0;
}

/*
 * Under PTI user mode runs on a copy of the page table's user half, which
 * Linux keeps equal to its own but for NX, set in its own copy on present
 * user entries. Root walks the user copy; a kernel that makes the two differ
 * otherwise shows its own tools one table and runs the program on another:
 * refused. An entry that one side has and the other not yet is how Linux
 * adds or clears one (user copy first), and root walks the side that counts.
 */
HVT_ROOT bool hvt_session_tables_agree(const struct hvt_vmm *vmm, const struct hvt_session *s)
{
	const u64 *kernel_copy, *user_copy;
	unsigned int i;

	if (s->user_cr3 == s->cr3)
		return true;
	kernel_copy = hvt_guest_page(vmm, s->cr3);
	user_copy = hvt_guest_page(vmm, s->user_cr3);
	if (!kernel_copy || !user_copy)
		return false;
	for (i = 0; i < HVT_USER_ROOT_ENTRIES; i++) {
		u64 kernel_entry = READ_ONCE(kernel_copy[i]), user_entry = READ_ONCE(user_copy[i]);

		if (kernel_entry && user_entry && ((kernel_entry ^ user_entry) & ~HVT_PTE_NX))
			return false;
	}
	return true;
}

/* --- Calls of trusted programs (user mode) ------------------------------ */

/*
 * Every code page of one registered image (the program, or a library at
 * the bias its loader chose), as mapped now: write-protected, then hashed
 * against its manifest. A page that differs is audited (BAD_CODE, with the
 * address, from which the module names the file).
 */
static HVT_ROOT int hvt_pin_code(struct hvt_cpu *vcpu, struct hvt_session *s,
				 const struct hvtrust_manifest *m, u64 bias,
				 struct hvt_walk_cache *cache)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	u32 session = hvt_session_index(vmm->trust, s);
	u32 i;
	int err;

	for (i = 0; i < m->nr_pages; i++) {
		u64 gva = bias + hvt_manifest_page_vaddr(m, i), gpa;
		struct hvt_frame *frame;

		err = hvt_translate(vmm, s->user_cr3, gva, cache, &gpa);
		if (err)
			return err;
		frame = hvt_frame_add(vcpu, session, HVT_FRAME_CODE, gva, gpa, &err);
		if (!frame)
			return err;
		err = hvt_hash_guest_page(vmm, gpa, frame->hash);
		if (err)
			return err;
		if (!hvt_ct_equal(frame->hash, hvt_manifest_page_hash(m, i),
				  HVTRUST_SHA256_SIZE)) {
			hvt_audit(vcpu, HVTRUST_AUDIT_BAD_CODE, s, 0, gva, gpa);
			return -EBADMSG;
		}
	}
	return 0;
}

/*
 * The first hypercall: the call site must be the registered binary's code,
 * every code page, as mapped now, must hash to the manifest, and nothing
 * else user mode may execute but the session page and the vDSO. The code
 * frames are write-protected before they are hashed, so no write can slip
 * in between. RBX: where the program maps its session page.
 */
HVT_ROOT long hvt_hc_session_open(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				  struct hvt_session *unused)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 cr3 = hvt_current_cr3(trust);
	struct hvt_session *s = hvt_session_by_cr3(trust, cr3);
	const struct hvtrust_manifest *m;
	struct hvtrust_session_page *page;
	struct hvt_walk_cache cache = { 0 };
	u64 rip = hvt_vmreadnl(GUEST_RIP), gpa, gva;
	u32 index, i, session;
	int err;

	if (!s || s->state != HVT_SESSION_PENDING)
		return -ESRCH;
	if (regs->rbx != s->page_va)
		return -EINVAL;
	session = hvt_session_index(trust, s);
	m = trust->binaries[s->binary].manifest;
	if (hvt_manifest_page_of(m, rip - s->bias, &index)) {
		hvt_audit_bad_caller(vcpu, s, cr3, rip);
		return -EACCES;
	}
	if (hvt_translate(vmm, s->user_cr3, s->page_va, NULL, &gpa) || gpa != s->page_pa)
		return -EINVAL;
	if (!hvt_session_tables_agree(vmm, s)) {
		hvt_audit(vcpu, HVTRUST_AUDIT_TABLES_DIVERGED, s, cr3, s->user_cr3, 0);
		return -EPERM;
	}
	err = hvt_pin_code(vcpu, s, m, s->bias, &cache);
	for (i = 0; i < s->nr_libs && !err; i++)
		err = hvt_pin_code(vcpu, s, trust->binaries[s->libs[i].binary].manifest,
				   s->libs[i].bias, &cache);
	if (err)
		goto undo;
	if (hvt_exec_view_check(vmm, s, &gva, &gpa)) {
		hvt_audit(vcpu, HVTRUST_AUDIT_EXEC_VIEW, s, cr3, gva, gpa);
		err = -EACCES;
		goto undo;
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
	hvt_frames_release_session(vcpu, session, true);
	return err;
}

/*
 * Re-walks the session's pages (hvt_frame_check()); with @rehash_all every
 * page is hashed.
 *
 * Return: true, or false with the first address whose contents changed in
 * @changed and where it is mapped now in @changed_gpa.
 */
static HVT_ROOT bool hvt_verify_session(struct hvt_cpu *vcpu, struct hvt_session *s,
					bool rehash_all, struct hvt_walk_cache *cache,
					u64 *changed, u64 *changed_gpa)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_frame *f;

	s->checks++;
	for (f = hvt_first_frame(trust, s); f; f = hvt_next_frame(trust, f)) {
		if (f->kind != HVT_FRAME_CODE && f->kind != HVT_FRAME_DATA)
			continue;
		if (!hvt_frame_check(vcpu, s, f, rehash_all, cache, changed_gpa)) {
			*changed = f->gva;
			return false;
		}
	}
	return true;
}

/*
 * The call comes through @s's stub, in its session page where root put it.
 * While the session's tables are clean the page is where the pass that
 * left them clean found it (vmx/table_watch.c).
 */
static HVT_ROOT bool hvt_called_from_stub(const struct hvt_vmm *vmm, const struct hvt_session *s,
					  u64 rip, struct hvt_walk_cache *cache)
{
	u64 gpa;

	if (rip != s->page_va + HVTRUST_SESSION_STUB_OFFSET)
		return false;
	if (s->tables_clean && !cache)
		return true;
	return !hvt_translate(vmm, s->user_cr3, s->page_va, cache, &gpa) && gpa == s->page_pa;
}

/**
 * hvt_session_revoked_caller() - the revoked session whose stub made this call
 * @vcpu: this CPU, in a hypercall from user mode
 *
 * Return: the session, or NULL when the caller is no revoked session's
 * address space calling through its stub.
 */
HVT_ROOT struct hvt_session *hvt_session_revoked_caller(struct hvt_cpu *vcpu)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvt_session *s = hvt_session_by_cr3(trust, hvt_current_cr3(trust));

	if (!s || s->state != HVT_SESSION_REVOKED ||
	    !hvt_called_from_stub(vcpu->vmm, s, hvt_vmreadnl(GUEST_RIP), NULL))
		return NULL;
	return s;
}

/* In constant time: every word is compared, whatever the first difference. */
static HVT_ROOT bool hvt_token_equal(const u64 *a, const u64 *b)
{
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]));
}

/* Identity of the caller: address space, call site, session page, token. */
static HVT_ROOT long hvt_authenticate(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				      struct hvt_session **session)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 cr3 = hvt_current_cr3(trust);
	struct hvt_session *s = hvt_session_by_cr3(trust, cr3);
	u64 rip = hvt_vmreadnl(GUEST_RIP);
	const u64 token[4] = { regs->rbx, regs->rcx, regs->rdx, regs->rsi };

	if (!s || s->state == HVT_SESSION_PENDING)
		return -EPERM;
	if (!hvt_called_from_stub(vmm, s, rip, NULL)) {
		hvt_audit_bad_caller(vcpu, s, cr3, rip);
		return -EPERM;
	}
	if (s->state == HVT_SESSION_LOCKED)
		return -EDQUOT;
	if (s->state == HVT_SESSION_REVOKED)
		return -EKEYREVOKED;
	if (!hvt_token_equal(token, s->token)) {
		hvt_audit(vcpu, HVTRUST_AUDIT_BAD_TOKEN, s, cr3, rip, 0);
		/* The limit-th wrong token is the last one answered at all. */
		if (++s->bad_tokens >= trust->bad_token_limit) {
			hvt_set_state(vcpu, s, HVT_SESSION_LOCKED);
			hvt_wipe_token(trust, s);
			hvt_frames_release_session(vcpu, hvt_session_index(trust, s), true);
			hvt_audit(vcpu, HVTRUST_AUDIT_LOCKED_OUT, s, cr3, rip, 0);
		}
		return -EKEYREJECTED;
	}
	*session = s;
	return 0;
}

/**
 * hvt_session_enter() - what every authenticated call passes before its handler
 * @vcpu: this CPU
 * @regs: the caller's registers: RBX, RCX, RDX, RSI carry the token
 * @full_check: hash every protected page, not only those that moved
 * @session: the caller's session, when it passed
 *
 * The caller must be the session's address space, calling from the safe
 * hypercall address with the token, and its protected pages must hold what
 * they held: a change revokes the session first. A full check also walks
 * the whole executable view (hvt_exec_view_check()). Other calls skip the
 * walks while no table they read has been written since the last pass
 * found every page in place (vmx/table_watch.c): O(1) instead of O(pages).
 *
 * Return: 0; -EKEYREVOKED after a change, or with @full_check -EBADMSG and
 * RDI the first changed address; another -errno when the caller is refused.
 */
HVT_ROOT long hvt_session_enter(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				bool full_check, struct hvt_session **session)
{
	struct hvt_table_set read;
	struct hvt_walk_cache cache = { .read = &read };
	struct hvt_session *s = NULL;
	u64 changed = 0, changed_gpa = 0;
	bool ready;
	long ret;

	ret = hvt_authenticate(vcpu, regs, &s);
	if (ret)
		return ret;
	if (s->tables_clean && !full_check) {
		s->checks++;
		*session = s;
		return 0;
	}
	/* Before the pass reads a table: see hvt_watch_ready(). */
	ready = hvt_watch_ready(vcpu, s);
	read.nr = 0;
	read.overflow = false;
	hvt_table_set_add(&read, s->cr3);
	hvt_table_set_add(&read, s->user_cr3);
	if (!hvt_session_tables_agree(vcpu->vmm, s)) {
		hvt_session_revoke(vcpu, s, HVTRUST_AUDIT_TABLES_DIVERGED, s->user_cr3, 0);
		return -EKEYREVOKED;
	}
	/* hvt_authenticate() walked to the stub before the pass: once more inside it. */
	if (!hvt_called_from_stub(vcpu->vmm, s, hvt_vmreadnl(GUEST_RIP), &cache))
		return -EPERM;
	if (!hvt_verify_session(vcpu, s, full_check, &cache, &changed, &changed_gpa)) {
		hvt_session_revoke(vcpu, s, full_check ? HVTRUST_AUDIT_CHECK_FAILED :
				   HVTRUST_AUDIT_REMAPPED, changed, changed_gpa);
		if (!full_check)
			return -EKEYREVOKED;
		regs->rdi = changed;
		return -EBADMSG;
	}
	if (full_check && hvt_exec_view_check(vcpu->vmm, s, &changed, &changed_gpa)) {
		hvt_session_revoke(vcpu, s, HVTRUST_AUDIT_EXEC_VIEW, changed, changed_gpa);
		regs->rdi = changed;
		return -EBADMSG;
	}
	hvt_watch_settle(vcpu, s, &read, ready);
	*session = s;
	return 0;
}

/* Out RDI: protected pages; R8: checks run. */
HVT_ROOT long hvt_hc_status(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			    struct hvt_session *s)
{
	regs->rdi = s->data_frames;
	regs->r8 = s->checks;
	return 0;
}

/*
 * RDI: address, R8: length. The length is held against the session's quota
 * before any page is walked: one call's work in root is bounded by the
 * quota, not by what the caller asks.
 */
HVT_ROOT long hvt_hc_protect(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			     struct hvt_session *s)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u32 session = hvt_session_index(trust, s);
	u64 addr = regs->rdi, len = regs->r8;
	u64 start = addr & PAGE_MASK, end = addr + len, gva, gpa;
	struct hvt_walk_cache cache = { 0 };
	int err;

	if (!len || end < addr || end > hvt_user_top(hvt_guest_la57()))
		return -EINVAL;
	end = ALIGN(end, PAGE_SIZE);
	if ((end - start) / PAGE_SIZE > trust->max_session_pages - s->data_frames)
		return -ENOSPC;
	/* Every page must be mapped before any is protected. */
	for (gva = start; gva < end; gva += PAGE_SIZE)
		if (hvt_translate(vmm, s->user_cr3, gva, &cache, &gpa))
			return -EFAULT;
	for (gva = start; gva < end; gva += PAGE_SIZE) {
		struct hvt_frame *frame;

		if (hvt_frame_of_gva(trust, session, HVT_FRAME_DATA, gva))
			continue;
		hvt_translate(vmm, s->user_cr3, gva, &cache, &gpa);
		frame = hvt_frame_add(vcpu, session, HVT_FRAME_DATA, gva, gpa, &err);
		if (!frame)
			return err;
		err = hvt_hash_guest_page(vmm, gpa, frame->hash);
		if (err) {
			hvt_frame_release(vcpu, frame);
			return err;
		}
		s->data_frames++;
	}
	/*
	 * Fail closed: until every CPU has flushed, one of them may still
	 * write through a stale translation. The pages stay protected; a
	 * write in that window is found by hashing them (CHECK).
	 */
	if (hvt_flush_others(vcpu)) {
		hvt_audit(vcpu, HVTRUST_AUDIT_FLUSH_UNCONFIRMED, s, 0, addr, len);
		return -ETIMEDOUT;
	}
	hvt_audit_routine(vcpu, HVTRUST_AUDIT_PROTECTED, s, addr, len);
	return 0;
}

/* RDI: address, R8: length. */
HVT_ROOT long hvt_hc_unprotect(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			       struct hvt_session *s)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	u64 addr = regs->rdi, len = regs->r8;
	u64 start = addr & PAGE_MASK, end = addr + len;
	struct hvt_frame *f, *next;
	long ret = -ENOENT;

	if (!len || end < addr)
		return -EINVAL;
	for (f = hvt_first_frame(trust, s); f; f = next) {
		next = hvt_next_frame(trust, f);
		if (f->kind == HVT_FRAME_DATA && f->gva >= start && f->gva < end) {
			hvt_frame_release(vcpu, f);
			s->data_frames--;
			ret = 0;
		}
	}
	if (!ret)
		hvt_audit_routine(vcpu, HVTRUST_AUDIT_UNPROTECTED, s, addr, len);
	return ret;
}

/* Every page was hashed on the way in (hvt_session_enter()): out RDI 0. */
HVT_ROOT long hvt_hc_check(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			   struct hvt_session *s)
{
	regs->rdi = 0;
	return 0;
}

HVT_ROOT long hvt_hc_close(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			   struct hvt_session *s)
{
	hvt_audit_routine(vcpu, HVTRUST_AUDIT_CLOSED, s, 0, 0);
	hvt_session_end(vcpu, s);
	return 0;
}

/**
 * hvt_session_ept_violation() - an EPT violation on a frame the service protects
 * @vcpu: this CPU
 * @gpa: the guest-physical address accessed
 * @write: the access was a write
 * @restore: for HVT_VIOLATION_DROP_WRITE, the leaf to put back after the step
 *
 * A write to a session page never lands. A write to protected code or data
 * revokes every session that protects the frame, then completes, so that
 * the guest kernel stays consistent (the frame may have been freed and
 * reused); in enforce mode a write to protected code is dropped instead.
 * The caller holds the service's lock.
 *
 * Return: enum hvt_violation_verdict.
 */
HVT_ROOT int hvt_session_ept_violation(struct hvt_cpu *vcpu, u64 gpa, bool write, u64 *restore)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u64 page = gpa & HVT_EPT_ADDR_MASK;
	struct hvt_frame *f;
	int verdict = HVT_VIOLATION_NOT_MINE;

	f = hvt_frame_of_gpa(trust, page, NULL);
	if (!f && write && hvt_watch_table_written(vcpu, page)) {
		verdict = HVT_VIOLATION_RESUME;
		goto out;
	}
	if (!f) {
		unsigned int level;
		u64 entry = hvt_ept_lookup(&vmm->ept, page, &level);

		/*
		 * Released on another CPU after this one cached the old entry,
		 * and maybe folded into a large page since.
		 */
		if (entry && (!write || (entry & HVT_EPT_WRITE))) {
			hvt_invept_all();
			verdict = HVT_VIOLATION_RESUME;
		}
		goto out;
	}
	if (!write)
		goto out;
	if (f->kind == HVT_FRAME_SESSION) {
		*restore = f->saved_leaf & ~HVT_EPT_WRITE;
		hvt_audit(vcpu, HVTRUST_AUDIT_WRITE, &trust->sessions[f->session], 0,
			  hvt_vmreadnl(GUEST_LINEAR_ADDRESS), gpa);
		verdict = HVT_VIOLATION_DROP_WRITE;
		goto out;
	}
	while ((f = hvt_frame_of_gpa(trust, page, NULL)) && f->kind != HVT_FRAME_SESSION) {
		struct hvt_session *s = &trust->sessions[f->session];
		u64 now;

		/*
		 * Linux moved the page (migration, compaction, copy on write)
		 * and reuses the old frame: not an attack on the session when
		 * it announced the move first. The frame is forgotten here; the
		 * next check finds the new one. A move nobody announced is.
		 */
		if (hvt_translate(vmm, s->user_cr3, f->gva, NULL, &now) || now != page) {
			if (f->move_announced)
				hvt_frame_unpin(vcpu, f);
			else
				hvt_session_revoke(vcpu, s, HVTRUST_AUDIT_REMAPPED, f->gva, gpa);
			continue;
		}
		/* Enforce mode: the code stays as registered, the session lives on. */
		if (trust->enforce && f->kind == HVT_FRAME_CODE) {
			*restore = f->saved_leaf & ~HVT_EPT_WRITE;
			hvt_audit(vcpu, HVTRUST_AUDIT_WRITE, s, 0, f->gva, gpa);
			verdict = HVT_VIOLATION_DROP_WRITE;
			goto out;
		}
		hvt_session_revoke(vcpu, s, HVTRUST_AUDIT_WRITE, f->gva, gpa);
	}
	verdict = HVT_VIOLATION_RESUME;
out:
	return verdict;
}
