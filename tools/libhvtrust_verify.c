// SPDX-License-Identifier: GPL-2.0
/* libhvtrust: checking a signed quote of the hvtrust hypervisor with OpenSSL (Ed25519, SHA-256). */
/* Context: user space: a trusted daemon, hvtrustctl, or a verifier on another machine. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "../uapi/hvtrust.h"
#include "libhvtrust.h"

/* The signed bytes are the report exactly as laid out: no padding may hide in them. */
_Static_assert(sizeof(struct hvtrust_quote_report) == HVTRUST_QUOTE_REPORT_SIZE,
	       "struct hvtrust_quote_report is not the 440 signed bytes");
_Static_assert(sizeof(struct hvtrust_quote) == HVTRUST_QUOTE_SIZE,
	       "struct hvtrust_quote is not 504 bytes");
_Static_assert(offsetof(struct hvtrust_quote, signature) == HVTRUST_QUOTE_REPORT_SIZE,
	       "the signature does not follow the report");

/* Read as the ABI writes them, so a verifier of either byte order agrees. */
static uint32_t le32(const void *p)
{
	const uint8_t *b = p;

	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint16_t le16(const void *p)
{
	const uint8_t *b = p;

	return b[0] | b[1] << 8;
}

/* 1 when @sig is @key's Ed25519 signature of @msg, 0 when not, -errno on failure. */
static int ed25519_verify(const uint8_t key[HVTRUST_ED25519_KEY_SIZE], const void *msg,
			  size_t len, const uint8_t sig[HVTRUST_ED25519_SIG_SIZE])
{
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx;
	int ret = -ENOMEM;

	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, HVTRUST_ED25519_KEY_SIZE);
	if (!pkey)
		goto clear_errors;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		goto free_key;
	/* Ed25519 hashes the message itself (PureEdDSA): no digest is named. */
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1) {
		ret = -EIO;
		goto free_ctx;
	}
	/* 0 is a bad signature; below 0, OpenSSL could not judge: also no valid one. */
	ret = EVP_DigestVerify(ctx, sig, HVTRUST_ED25519_SIG_SIZE, msg, len) == 1;
free_ctx:
	EVP_MD_CTX_free(ctx);
free_key:
	EVP_PKEY_free(pkey);
clear_errors:
	/* A rejected signature leaves a reason queued: not this caller's to find later. */
	ERR_clear_error();
	return ret;
}

int hvtrust_quote_verify(const struct hvtrust_quote *q,
			 const uint8_t public_key[HVTRUST_ED25519_KEY_SIZE],
			 const uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE])
{
	const struct hvtrust_quote_report *r;
	uint8_t key_sha256[HVTRUST_SHA256_SIZE];
	int ret;

	if (!q || !public_key)
		return -EINVAL;
	r = &q->report;
	/* Another layout would be read wrong: refuse it before trusting any field. */
	if (le32(&r->magic) != HVTRUST_QUOTE_MAGIC || le16(&r->version) != HVTRUST_QUOTE_VERSION ||
	    le32(&r->nr_images) > HVTRUST_QUOTE_MAX_IMAGES)
		return -EBADMSG;
	/*
	 * The report names the key that signed it; one naming another key is
	 * said as such, before its signature fails for the same reason.
	 */
	if (!EVP_Digest(public_key, HVTRUST_ED25519_KEY_SIZE, key_sha256, NULL, EVP_sha256(), NULL)) {
		ERR_clear_error();
		return -EIO;
	}
	if (memcmp(key_sha256, r->key_sha256, sizeof(key_sha256)))
		return -ENOKEY;
	ret = ed25519_verify(public_key, r, HVTRUST_QUOTE_REPORT_SIZE, q->signature);
	if (ret < 0)
		return ret;
	if (!ret)
		return -EBADMSG;
	/* Only a genuine report's nonce means anything: checked after the signature. */
	if (nonce && memcmp(nonce, r->nonce, HVTRUST_QUOTE_NONCE_SIZE))
		return -ESTALE;
	return 0;
}
