/* SPDX-License-Identifier: GPL-2.0 */
/* libhvtrust: the session API of a trusted program (attach, first hypercall, token calls, quotes). */
/* Context: user space, linked statically into the registered binary itself. */
#ifndef LIBHVTRUST_H
#define LIBHVTRUST_H

#include <stddef.h>
#include <stdint.h>

/* The flags of hvtrust_session_status are the ABI's HVTRUST_SESSION_* bits. */
#include "../uapi/hvtrust.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every function returns 0 (or the documented value) or a negative errno.
 * Errors with an hvtrust meaning (hvtrust_strerror() names them):
 *   -ENODEV       the hypervisor does not run (no CPUID signature, no device),
 *                 or it was unloaded since the session opened: the session ended
 *   -ENOENT       this binary is not registered, or the range is not protected
 *   -EBUSY        this process has a session already
 *   -ESRCH        no pending session for this address space
 *   -EACCES       the first hypercall came from outside the registered code
 *   -EBADMSG      code or protected memory differs from what was registered
 *   -EPERM        not through the safe hypercall address, not from the
 *                 session's address space, or not privileged
 *   -EKEYREJECTED wrong token
 *   -EKEYREVOKED  the session was revoked after an integrity violation
 *   -EDQUOT       locked out after too many wrong tokens
 *   -EFAULT       a page is not mapped
 *   -ENOSPC       the session or protection table is full
 *   -EPROTO       the session page does not look like ABI version 1
 * and from hvtrust_quote_verify():
 *   -EBADMSG      the quote is malformed or its signature does not verify
 *   -ENOKEY       the quote names another signing key than the one given
 *   -ESTALE       the quote was made for another nonce (a replay)
 */

struct hvtrust_session;

/**
 * struct hvtrust_session_status - a session as the hypervisor reports it
 * @session_id: the id audit records use
 * @flags: HVTRUST_SESSION_* bits of the session page
 * @protected_pages: pages the hypervisor protects for this session
 * @checks: integrity checks it ran
 */
struct hvtrust_session_status {
	uint64_t session_id;
	uint64_t flags;
	uint64_t protected_pages;
	uint64_t checks;
};

/* 1 when CPUID leaf 0x40000000 says "hvtrust", else 0. */
int hvtrust_present(void);

/*
 * Opens a session: /dev/hvtrust, HVTRUST_IOC_ATTACH, then the first
 * hypercall from this library's code inside the registered binary. The
 * binary's executable pages are faulted in and locked first, as the
 * hypervisor hashes them and refuses pages that are not mapped.
 */
int hvtrust_open(struct hvtrust_session **out);

/*
 * Asks the hypervisor to protect (or stop protecting) the pages covering
 * [addr, addr + len). The pages are faulted in first (writable ones for
 * writing, so no copy-on-write moves them later) and locked in memory.
 */
int hvtrust_protect(struct hvtrust_session *s, const void *addr, size_t len);
int hvtrust_unprotect(struct hvtrust_session *s, const void *addr, size_t len);

/* Checks every protected page now; -EBADMSG and *changed = first changed address. */
int hvtrust_check(struct hvtrust_session *s, uintptr_t *changed);

int hvtrust_status(struct hvtrust_session *s, struct hvtrust_session_status *st);

/* Ends the session, unmaps its page, closes the device, frees @s (also on error). */
int hvtrust_close(struct hvtrust_session *s);

/*
 * Has the hypervisor sign a quote of this session (HVTRUST_HC_QUOTE): the
 * session's identity and state, with @nonce echoed, as a struct
 * hvtrust_quote copied to @out. A revoked session gets -EKEYREVOKED and a
 * quote that says HVTRUST_QUOTE_REVOKED at @out (zeros when the hypervisor
 * wrote none). On other errors @out is zeroed. A quote is checked with
 * hvtrust_quote_verify(), here or on another machine.
 */
int hvtrust_quote(struct hvtrust_session *s, const uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE],
		  struct hvtrust_quote *out);

/*
 * Reads the hypervisor's public quote key and its SHA-256 from /dev/hvtrust
 * (HVTRUST_IOC_GET_QUOTE_KEY; the device is root's). -ENODEV without the
 * module or while no CPU is virtualized, -ENOTTY from a module without quotes.
 */
int hvtrust_quote_key(struct hvtrust_quote_key *out);

/*
 * Checks a quote against the Ed25519 @public_key the verifier trusts: its
 * magic and version, that it names that key (key_sha256), the signature
 * over the report's HVTRUST_QUOTE_REPORT_SIZE bytes and, unless @nonce is
 * NULL, the nonce. 0 when all hold; says nothing of the report's flags,
 * which the caller judges (a REVOKED quote verifies). In its own object of
 * the archive: a program that calls it links libcrypto (-lcrypto), one
 * that does not needs nothing but libc.
 */
int hvtrust_quote_verify(const struct hvtrust_quote *q,
			 const uint8_t public_key[HVTRUST_ED25519_KEY_SIZE],
			 const uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE]);

/*
 * Has the hypervisor keep @len bytes (at most HVTRUST_SECRET_MAX_SIZE) under
 * @name (1 to HVTRUST_SECRET_NAME_SIZE - 1 characters) for this registered
 * program, replacing a secret of that name; @len 0 deletes it. Only a
 * session of the same registered program gets it back, across restarts,
 * until the program is unregistered or the hypervisor leaves a CPU
 * (suspend, hibernation, unload) or the machine reboots. -ENOSPC when the
 * program holds its most, -ENOENT deleting one that is not there.
 */
int hvtrust_secret_put(struct hvtrust_session *s, const char *name, const void *data,
		       size_t len);

/*
 * Copies the secret @name of this program to @buf (@size bytes) and returns
 * its length; -ENOENT when there is none, -ENOBUFS when @size is smaller
 * (nothing copied). The hypervisor writes it into a page the library
 * protects for the call and wipes afterwards.
 */
int hvtrust_secret_get(struct hvtrust_session *s, const char *name, void *buf, size_t size);

/* What an error means for hvtrust; strerror() for the others. Never NULL. */
const char *hvtrust_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* LIBHVTRUST_H */
