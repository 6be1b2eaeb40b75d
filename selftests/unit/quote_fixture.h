/* SPDX-License-Identifier: GPL-2.0 */
/* Test quotes: a report as the hypervisor lays it out, signed by an Ed25519 key libcrypto made. */
/* Context: user space, native build: the quote unit test and cli-check's quote signer. */
#ifndef HVT_QUOTE_FIXTURE_H
#define HVT_QUOTE_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../../uapi/hvtrust.h"

/*
 * The signer is libcrypto, not token/ed25519.c: a verifier checked against
 * the hypervisor's own signer alone could share its mistakes. A failure of
 * libcrypto here is no verdict on the code under test: abort.
 */
static inline EVP_PKEY *qf_new_key(uint8_t pub[HVTRUST_ED25519_KEY_SIZE])
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	size_t len = HVTRUST_ED25519_KEY_SIZE;

	if (!key || EVP_PKEY_get_raw_public_key(key, pub, &len) != 1 ||
	    len != HVTRUST_ED25519_KEY_SIZE)
		abort();
	return key;
}

static inline void qf_sha256(const void *data, size_t len, uint8_t out[HVTRUST_SHA256_SIZE])
{
	if (EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL) != 1)
		abort();
}

/* A plausible report of an open session; every field nonzero, so flipping any byte tells. */
static inline void qf_report(struct hvtrust_quote_report *r,
			     const uint8_t pub[HVTRUST_ED25519_KEY_SIZE],
			     const uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE])
{
	uint32_t i;

	memset(r, 0, sizeof(*r));
	r->magic = HVTRUST_QUOTE_MAGIC;
	r->version = HVTRUST_QUOTE_VERSION;
	r->abi_version = HVTRUST_ABI_VERSION;
	r->flags = HVTRUST_QUOTE_OPEN;
	r->nr_images = 2;
	r->session_id = 7;
	r->protected_pages = 3;
	r->checks = 42;
	r->revocations = 1;
	r->audit_sequence = 99;
	memcpy(r->nonce, nonce, HVTRUST_QUOTE_NONCE_SIZE);
	qf_sha256("hypervisor code", 15, r->root_code_sha256);
	qf_sha256(pub, HVTRUST_ED25519_KEY_SIZE, r->key_sha256);
	qf_sha256("protected pages", 15, r->protected_sha256);
	for (i = 0; i < r->nr_images; i++)
		qf_sha256(&i, sizeof(i), r->image_sha256[i]);
}

/* Signs the report's 440 bytes, as the hypervisor does. */
static inline void qf_sign(EVP_PKEY *key, struct hvtrust_quote *q)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = HVTRUST_ED25519_SIG_SIZE;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, q->signature, &len, (const uint8_t *)&q->report,
			   HVTRUST_QUOTE_REPORT_SIZE) != 1 ||
	    len != HVTRUST_ED25519_SIG_SIZE)
		abort();
	EVP_MD_CTX_free(ctx);
}

#endif /* HVT_QUOTE_FIXTURE_H */
