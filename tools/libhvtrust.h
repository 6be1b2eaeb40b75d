/* SPDX-License-Identifier: GPL-2.0 */
/* libhvtrust: the session API of a trusted program (attach, first hypercall, token calls). */
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

/* What an error means for hvtrust; strerror() for the others. Never NULL. */
const char *hvtrust_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* LIBHVTRUST_H */
