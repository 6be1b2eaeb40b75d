// SPDX-License-Identifier: GPL-2.0
/* QUOTE: a report on a trusted program's session, signed with the hypervisor's Ed25519 key. */
/* Context: VMX root only, under the service's lock: no allocation, no call into Linux. */
#include <asm/page.h>

#include "../token/ed25519.h"
#include "../token/sha256.h"
#include "../uapi/hvtrust.h"
#include "frame.h"
#include "guest_mem.h"
#include "quote.h"
#include "session.h"
#include "vmm.h"

static_assert(sizeof(struct hvtrust_quote_report) == HVTRUST_QUOTE_REPORT_SIZE);
static_assert(sizeof(struct hvtrust_quote) == HVTRUST_QUOTE_SIZE);
static_assert(sizeof(struct hvtrust_session_page) <= HVTRUST_SESSION_QUOTE_OFFSET);
static_assert(HVTRUST_SESSION_QUOTE_OFFSET + HVTRUST_QUOTE_SIZE <= HVTRUST_SESSION_STUB_OFFSET);
static_assert(HVT_SESSION_MAX_LIBS + 1 <= HVTRUST_QUOTE_MAX_IMAGES);
static_assert(sizeof(struct hvtrust_quote) % sizeof(u64) == 0);

/* Word copies: a memcpy() or memset() the compiler emits would be a call into Linux. */
static HVT_ROOT void hvt_quote_copy(void *to, const void *from, size_t words)
{
	const u64 *src = from;
	u64 *dst = to;

	while (words--)
		WRITE_ONCE(*dst++, *src++);
}

static HVT_ROOT void hvt_quote_zero(void *to, size_t words)
{
	u64 *dst = to;

	while (words--)
		*dst++ = 0;
}

/* The session's protected data pages, oldest first: address and contents' hash. */
static HVT_ROOT void hvt_quote_protected(struct hvt_trust *trust, const struct hvt_session *s,
					 u8 digest[HVTRUST_SHA256_SIZE])
{
	struct hvt_frame *f = hvt_first_frame(trust, s), *last = NULL;
	struct hvt_sha256 ctx;

	for (; f; f = hvt_next_frame(trust, f))
		last = f;
	hvt_sha256_init(&ctx);
	for (f = last; f; f = f->prev ? &trust->frames[f->prev - 1] : NULL) {
		u64 gva = f->gva;

		if (f->kind != HVT_FRAME_DATA)
			continue;
		/* x86 is little endian: the bytes of @gva are the report's. */
		hvt_sha256_update(&ctx, &gva, sizeof(gva));
		hvt_sha256_update(&ctx, f->hash, sizeof(f->hash));
	}
	hvt_sha256_final(&ctx, digest);
}

static HVT_ROOT void hvt_quote_image(const struct hvt_trust *trust, u32 binary, u8 *digest)
{
	const struct hvt_binary *bin = &trust->binaries[binary % HVT_MAX_BINARIES];

	if (bin->used)
		hvt_quote_copy(digest, bin->manifest->file_sha256,
			       HVTRUST_SHA256_SIZE / sizeof(u64));
}

/*
 * Fills the report on the stack, signs it, and writes both where only root
 * writes: the guest reads the result, it never hands root a pointer.
 */
static HVT_ROOT void hvt_quote_write(struct hvt_cpu *vcpu, const struct hvt_session *s,
				     const u64 nonce[4], bool revoked)
{
	struct hvt_trust *trust = vcpu->vmm->trust;
	struct hvtrust_quote quote;
	struct hvtrust_quote_report *r = &quote.report;
	u32 i;

	hvt_quote_zero(&quote, sizeof(quote) / sizeof(u64));
	r->magic = HVTRUST_QUOTE_MAGIC;
	r->version = HVTRUST_QUOTE_VERSION;
	r->abi_version = HVTRUST_ABI_VERSION;
	r->flags = revoked ? HVTRUST_QUOTE_REVOKED : HVTRUST_QUOTE_OPEN;
	r->session_id = s->id;
	r->protected_pages = s->data_frames;
	r->checks = s->checks;
	r->revocations = trust->revocations;
	r->audit_sequence = trust->audit_sequence;
	hvt_quote_copy(r->nonce, nonce, HVTRUST_QUOTE_NONCE_SIZE / sizeof(u64));
	hvt_quote_copy(r->root_code_sha256, trust->root_code_sha256,
		       HVTRUST_SHA256_SIZE / sizeof(u64));
	hvt_quote_copy(r->key_sha256, trust->quote_key_sha256, HVTRUST_SHA256_SIZE / sizeof(u64));
	hvt_quote_protected(trust, s, r->protected_sha256);
	r->nr_images = 1 + s->nr_libs;
	hvt_quote_image(trust, s->binary, r->image_sha256[0]);
	for (i = 0; i < s->nr_libs && i < HVT_SESSION_MAX_LIBS; i++)
		hvt_quote_image(trust, s->libs[i].binary, r->image_sha256[i + 1]);
	hvt_ed25519_sign(trust->quote_seed, trust->quote_public_key, r, sizeof(*r),
			 quote.signature);
	hvt_quote_copy((u8 *)hvt_root_va(trust, s->page_pa) + HVTRUST_SESSION_QUOTE_OFFSET,
		       &quote, sizeof(quote) / sizeof(u64));
}

/*
 * RDI, R8, R9, R10: the nonce. An open session passes a full check first
 * (hvt_session_enter()); one that fails it, or was revoked before, still
 * gets a quote that says so when the call comes through its own stub: the
 * verifier learns it is revoked, and the quote vouches for nothing else.
 * Every other caller gets nothing.
 */
HVT_ROOT long hvt_hc_quote(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
			   struct hvt_session *unused)
{
	const u64 nonce[4] = { regs->rdi, regs->r8, regs->r9, regs->r10 };
	struct hvt_session *s = NULL;
	long ret;

	ret = hvt_session_enter(vcpu, regs, true, &s);
	if (!ret) {
		hvt_quote_write(vcpu, s, nonce, false);
		return 0;
	}
	if (ret != -EKEYREVOKED && ret != -EBADMSG)
		return ret;
	s = hvt_session_revoked_caller(vcpu);
	if (!s)
		return ret;
	hvt_quote_write(vcpu, s, nonce, true);
	return -EKEYREVOKED;
}
