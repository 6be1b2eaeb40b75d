// SPDX-License-Identifier: GPL-2.0
/* Secrets the hypervisor keeps for registered programs, in hidden memory, by name. */
/* Context: VMX root only, under the service's lock: no allocation, no call into Linux. */
#include <linux/limits.h>
#include <linux/minmax.h>
#include <asm/page.h>

#include "../token/drbg.h"
#include "../token/sha256.h"
#include "../uapi/hvtrust.h"
#include "frame.h"
#include "guest_mem.h"
#include "secret.h"
#include "session.h"
#include "vmm.h"

/*
 * Reads @len bytes at the session's user address @gva, page by page through
 * its own page table and EPT: root never takes the guest's word for where
 * they are, and never reads a hidden page or anything but RAM.
 */
static HVT_ROOT int hvt_secret_read_user(const struct hvt_vmm *vmm, const struct hvt_session *s,
					 u64 gva, u8 *to, u32 len)
{
	while (len) {
		u32 chunk = min_t(u32, len, PAGE_SIZE - (gva & ~PAGE_MASK)), i;
		const u8 *page;
		u64 gpa;

		if (hvt_translate(vmm, s->user_cr3, gva, NULL, &gpa))
			return -EFAULT;
		page = hvt_guest_page(vmm, gpa);
		if (!page)
			return -EFAULT;
		for (i = 0; i < chunk; i++)
			to[i] = READ_ONCE(page[(gva & ~PAGE_MASK) + i]);
		gva += chunk;
		to += chunk;
		len -= chunk;
	}
	return 0;
}

/* The name at RDI: not empty. */
static HVT_ROOT int hvt_secret_name(const struct hvt_vmm *vmm, const struct hvt_session *s,
				    u64 gva, u8 name[HVTRUST_SECRET_NAME_SIZE])
{
	int err = hvt_secret_read_user(vmm, s, gva, name, HVTRUST_SECRET_NAME_SIZE);

	if (err)
		return err;
	return name[0] ? 0 : -EINVAL;
}

static HVT_ROOT struct hvt_secret *hvt_secret_find(struct hvt_trust *trust, u32 binary,
						   const u8 name[HVTRUST_SECRET_NAME_SIZE])
{
	u32 i;

	for (i = 0; i < trust->max_secrets; i++) {
		struct hvt_secret *secret = &trust->secrets[i];

		if (secret->len && secret->binary == binary &&
		    hvt_ct_equal(secret->name, name, HVTRUST_SECRET_NAME_SIZE))
			return secret;
	}
	return NULL;
}

static HVT_ROOT void hvt_secret_wipe(struct hvt_secret *secret)
{
	u8 *bytes = (u8 *)secret;
	size_t i;

	for (i = 0; i < sizeof(*secret); i++)
		WRITE_ONCE(bytes[i], 0);
}

/* RDI: name, R8: data, R9: length (0: delete). */
HVT_ROOT long hvt_hc_secret_put(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				struct hvt_session *s)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	struct hvt_secret *secret, *free = NULL, *spare = &trust->secrets[trust->max_secrets];
	u8 name[HVTRUST_SECRET_NAME_SIZE];
	u32 held = 0, i;
	u64 len = regs->r9;
	int err;

	if (len > HVTRUST_SECRET_MAX_SIZE)
		return -EINVAL;
	err = hvt_secret_name(vmm, s, regs->rdi, name);
	if (err)
		return err;
	secret = hvt_secret_find(trust, s->binary, name);
	if (!len) {
		if (!secret)
			return -ENOENT;
		hvt_secret_wipe(secret);
		return 0;
	}
	if (!secret) {
		for (i = 0; i < trust->max_secrets; i++) {
			if (!trust->secrets[i].len)
				free = free ?: &trust->secrets[i];
			else if (trust->secrets[i].binary == s->binary)
				held++;
		}
		if (!free || held >= trust->max_secrets_per_binary)
			return -ENOSPC;
		secret = free;
	}
	/*
	 * Read in full into the spare entry past the table before the entry
	 * changes: a fault leaves the old secret whole.
	 */
	err = hvt_secret_read_user(vmm, s, regs->r8, spare->data, len);
	if (!err) {
		hvt_secret_wipe(secret);
		secret->binary = s->binary;
		for (i = 0; i < HVTRUST_SECRET_NAME_SIZE; i++)
			secret->name[i] = name[i];
		for (i = 0; i < len; i++)
			secret->data[i] = spare->data[i];
		secret->len = len;
	}
	hvt_secret_wipe(spare);
	return err;
}

/*
 * RDI: name, R8: one of the session's protected data pages. The page is
 * written by root alone and stays protected: the kernel could read it (as
 * it can the token), but cannot change it on the way.
 */
HVT_ROOT long hvt_hc_secret_get(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs,
				struct hvt_session *s)
{
	struct hvt_vmm *vmm = vcpu->vmm;
	struct hvt_trust *trust = vmm->trust;
	u8 name[HVTRUST_SECRET_NAME_SIZE], *page;
	const struct hvt_secret *secret;
	struct hvt_frame *f;
	u64 gpa;
	u32 i;
	int err;

	err = hvt_secret_name(vmm, s, regs->rdi, name);
	if (err)
		return err;
	secret = hvt_secret_find(trust, s->binary, name);
	if (!secret)
		return -ENOENT;
	for (f = hvt_first_frame(trust, s); f; f = hvt_next_frame(trust, f))
		if (f->kind == HVT_FRAME_DATA && f->gva == regs->r8)
			break;
	/* Its own page alone: a frame another session protects too is not written. */
	if (!f || !f->gpa || hvt_translate(vmm, s->user_cr3, f->gva, NULL, &gpa) ||
	    gpa != f->gpa || hvt_frame_of_gpa(trust, f->gpa, f))
		return -EINVAL;
	page = hvt_root_va(trust, f->gpa);
	for (i = 0; i < PAGE_SIZE; i++)
		WRITE_ONCE(page[i], i < secret->len ? secret->data[i] : 0);
	hvt_sha256(page, PAGE_SIZE, f->hash);
	return secret->len;
}

/**
 * hvt_secrets_forget() - wipe secrets
 * @trust: the service
 * @binary: the registry slot whose secrets go, or U32_MAX for all
 */
HVT_ROOT void hvt_secrets_forget(struct hvt_trust *trust, u32 binary)
{
	u32 i;

	for (i = 0; i < trust->max_secrets; i++)
		if (binary == U32_MAX || trust->secrets[i].binary == binary)
			hvt_secret_wipe(&trust->secrets[i]);
}
