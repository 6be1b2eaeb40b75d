/* SPDX-License-Identifier: GPL-2.0 */
/* The table of frames VMX root write-protects for sessions, and its EPT split pool. */
/* Context: VMX root only, under the service's lock (struct hvt_trust). */
#ifndef HVT_VMX_FRAME_H
#define HVT_VMX_FRAME_H

#include <linux/types.h>

#include "../ept/walk.h"
#include "service.h"

struct hvt_cpu;
struct hvt_guest_regs;
struct hvt_vmm;

/* The session's frames, newest first: iterate with hvt_next_frame(). */
static __always_inline struct hvt_frame *hvt_first_frame(struct hvt_trust *trust,
							 const struct hvt_session *s)
{
	return s->frames ? &trust->frames[s->frames - 1] : NULL;
}

static __always_inline struct hvt_frame *hvt_next_frame(struct hvt_trust *trust,
							const struct hvt_frame *f)
{
	return f->next ? &trust->frames[f->next - 1] : NULL;
}

struct hvt_frame *hvt_frame_of_gpa(struct hvt_trust *trust, u64 gpa,
				   const struct hvt_frame *except);
struct hvt_frame *hvt_frame_of_gva(struct hvt_trust *trust, u32 session, u32 kind, u64 gva);
struct hvt_frame *hvt_frame_add(struct hvt_cpu *vcpu, u32 session, u32 kind,
				u64 gva, u64 gpa, int *err);
void hvt_frame_unpin(struct hvt_cpu *vcpu, struct hvt_frame *frame);
void hvt_frame_release(struct hvt_cpu *vcpu, struct hvt_frame *frame);
void hvt_frames_release_session(struct hvt_cpu *vcpu, u32 session, bool keep_session_page);
bool hvt_frame_check(struct hvt_cpu *vcpu, const struct hvt_session *s, struct hvt_frame *f,
		     bool rehash, struct hvt_walk_cache *cache, u64 *gpa_now);
long hvt_hc_capacity(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
		     struct hvt_session *unused);
bool hvt_pool_reserve(struct hvt_cpu *vcpu, unsigned int tables);
void hvt_pool_fold(struct hvt_cpu *vcpu, u64 gpa);
/* Process context, before launch. */
void hvt_frame_use_pool(struct hvt_vmm *vmm);
#ifdef HVT_TEST_HOOKS
long hvt_hc_test_silent_write(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			      struct hvt_session *unused);
#endif

#endif /* HVT_VMX_FRAME_H */
