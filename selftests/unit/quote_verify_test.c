// SPDX-License-Identifier: GPL-2.0
/* Unit tests of hvtrust_quote_verify() (tools/libhvtrust_verify.c) against quotes libcrypto signs. */
/* Context: user space, native build; needs no hypervisor. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../tools/libhvtrust.h"
#include "../../token/ed25519.h"
#include "quote_fixture.h"

FIXTURE(quote)
{
	EVP_PKEY *key, *other_key;
	uint8_t pub[HVTRUST_ED25519_KEY_SIZE];
	uint8_t other_pub[HVTRUST_ED25519_KEY_SIZE];
	uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE];
	struct hvtrust_quote q;
};

FIXTURE_SETUP(quote)
{
	size_t i;

	self->key = qf_new_key(self->pub);
	self->other_key = qf_new_key(self->other_pub);
	for (i = 0; i < sizeof(self->nonce); i++)
		self->nonce[i] = 0xa0 + i;
	qf_report(&self->q.report, self->pub, self->nonce);
	qf_sign(self->key, &self->q);
	/* the fixture itself must be right, or every refusal below proves nothing */
	ASSERT_EQ(0, hvtrust_quote_verify(&self->q, self->pub, self->nonce));
}

FIXTURE_TEARDOWN(quote)
{
	EVP_PKEY_free(self->key);
	EVP_PKEY_free(self->other_key);
}

TEST_F(quote, valid)
{
	EXPECT_EQ(0, hvtrust_quote_verify(&self->q, self->pub, self->nonce));
	/* NULL: the caller checks no nonce */
	EXPECT_EQ(0, hvtrust_quote_verify(&self->q, self->pub, NULL));
}

TEST_F(quote, revoked_quote_verifies)
{
	/* The verdict is on the signature; judging the flags is the caller's. */
	self->q.report.flags = HVTRUST_QUOTE_REVOKED;
	qf_sign(self->key, &self->q);
	EXPECT_EQ(0, hvtrust_quote_verify(&self->q, self->pub, self->nonce));
}

TEST_F(quote, every_report_byte_flipped)
{
	uint8_t *bytes = (uint8_t *)&self->q.report;
	size_t i, refused = 0;

	for (i = 0; i < HVTRUST_QUOTE_REPORT_SIZE; i++) {
		bytes[i] ^= 0x01;
		if (hvtrust_quote_verify(&self->q, self->pub, NULL) != 0)
			refused++;
		else
			TH_LOG("report byte %zu flipped: still verifies", i);
		bytes[i] ^= 0x01;
	}
	EXPECT_EQ(HVTRUST_QUOTE_REPORT_SIZE, refused);
	EXPECT_EQ(0, hvtrust_quote_verify(&self->q, self->pub, self->nonce));
}

TEST_F(quote, report_bytes_flipped_say_why)
{
	/* the signed fields: a bad signature */
	self->q.report.checks ^= 1;
	EXPECT_EQ(-EBADMSG, hvtrust_quote_verify(&self->q, self->pub, NULL));
	self->q.report.checks ^= 1;
	self->q.report.nonce[31] ^= 0x80;
	/* altered, not replayed: the signature speaks first */
	EXPECT_EQ(-EBADMSG, hvtrust_quote_verify(&self->q, self->pub, self->nonce));
	self->q.report.nonce[31] ^= 0x80;
	/* the fingerprint: another key named */
	self->q.report.key_sha256[0] ^= 1;
	EXPECT_EQ(-ENOKEY, hvtrust_quote_verify(&self->q, self->pub, NULL));
}

TEST_F(quote, every_signature_byte_flipped)
{
	size_t i, refused = 0;

	for (i = 0; i < HVTRUST_ED25519_SIG_SIZE; i++) {
		self->q.signature[i] ^= 0x40;
		if (hvtrust_quote_verify(&self->q, self->pub, self->nonce) == -EBADMSG)
			refused++;
		else
			TH_LOG("signature byte %zu flipped: not refused as -EBADMSG", i);
		self->q.signature[i] ^= 0x40;
	}
	EXPECT_EQ(HVTRUST_ED25519_SIG_SIZE, refused);
	memset(self->q.signature, 0, sizeof(self->q.signature));
	EXPECT_EQ(-EBADMSG, hvtrust_quote_verify(&self->q, self->pub, self->nonce));
}

TEST_F(quote, wrong_key)
{
	/* the report names the key that signed it, not the one trusted */
	EXPECT_EQ(-ENOKEY, hvtrust_quote_verify(&self->q, self->other_pub, self->nonce));
	/* a forger names the trusted key but can sign only with its own */
	qf_report(&self->q.report, self->other_pub, self->nonce);
	qf_sign(self->key, &self->q);
	EXPECT_EQ(-EBADMSG, hvtrust_quote_verify(&self->q, self->other_pub, self->nonce));
	/* and the genuine other key's quote passes with that key only */
	qf_sign(self->other_key, &self->q);
	EXPECT_EQ(0, hvtrust_quote_verify(&self->q, self->other_pub, self->nonce));
	EXPECT_EQ(-ENOKEY, hvtrust_quote_verify(&self->q, self->pub, self->nonce));
}

TEST_F(quote, key_sha256_not_of_the_key)
{
	/* properly signed by the key, but the fingerprint is of something else */
	qf_sha256("not the key", 11, self->q.report.key_sha256);
	qf_sign(self->key, &self->q);
	EXPECT_EQ(-ENOKEY, hvtrust_quote_verify(&self->q, self->pub, NULL));
}

TEST_F(quote, nonce_mismatch)
{
	uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE];
	size_t i;

	for (i = 0; i < sizeof(nonce); i++) {
		memcpy(nonce, self->nonce, sizeof(nonce));
		nonce[i] ^= 0x10;
		EXPECT_EQ(-ESTALE, hvtrust_quote_verify(&self->q, self->pub, nonce));
	}
	memset(nonce, 0, sizeof(nonce));
	EXPECT_EQ(-ESTALE, hvtrust_quote_verify(&self->q, self->pub, nonce));
}

TEST_F(quote, bad_magic_version_images)
{
	struct hvtrust_quote good = self->q;

	/* signed as they are: the format alone must refuse them */
	self->q.report.magic = HVTRUST_SESSION_MAGIC;
	qf_sign(self->key, &self->q);
	EXPECT_EQ(-EBADMSG, hvtrust_quote_verify(&self->q, self->pub, NULL));

	self->q = good;
	self->q.report.version = HVTRUST_QUOTE_VERSION + 1;
	qf_sign(self->key, &self->q);
	EXPECT_EQ(-EBADMSG, hvtrust_quote_verify(&self->q, self->pub, NULL));

	self->q = good;
	self->q.report.version = 0;
	qf_sign(self->key, &self->q);
	EXPECT_EQ(-EBADMSG, hvtrust_quote_verify(&self->q, self->pub, NULL));

	self->q = good;
	self->q.report.nr_images = HVTRUST_QUOTE_MAX_IMAGES + 1;
	qf_sign(self->key, &self->q);
	EXPECT_EQ(-EBADMSG, hvtrust_quote_verify(&self->q, self->pub, NULL));

	self->q = good;
	self->q.report.nr_images = HVTRUST_QUOTE_MAX_IMAGES;
	qf_sign(self->key, &self->q);
	EXPECT_EQ(0, hvtrust_quote_verify(&self->q, self->pub, NULL));
}

TEST_F(quote, null_arguments)
{
	EXPECT_EQ(-EINVAL, hvtrust_quote_verify(NULL, self->pub, self->nonce));
	EXPECT_EQ(-EINVAL, hvtrust_quote_verify(&self->q, NULL, self->nonce));
}

/* What the hypervisor's own signer (token/ed25519.c) makes, libhvtrust accepts. */
TEST_F(quote, hypervisor_signer_agrees)
{
	uint8_t seed[HVT_ED25519_SEED_SIZE], pub[HVTRUST_ED25519_KEY_SIZE];
	size_t i;

	for (i = 0; i < sizeof(seed); i++)
		seed[i] = 3 * i + 1;
	hvt_ed25519_public_key(seed, pub);
	qf_report(&self->q.report, pub, self->nonce);
	hvt_ed25519_sign(seed, pub, &self->q.report, HVTRUST_QUOTE_REPORT_SIZE, self->q.signature);
	EXPECT_EQ(0, hvtrust_quote_verify(&self->q, pub, self->nonce));
	self->q.report.session_id++;
	EXPECT_EQ(-EBADMSG, hvtrust_quote_verify(&self->q, pub, self->nonce));
}

/* Without the hypervisor, asking for a quote or its key fails cleanly. */
TEST(quote_without_hypervisor)
{
	uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE] = { 1 };
	struct hvtrust_quote_key key;
	struct hvtrust_quote q;

	memset(&q, 0xff, sizeof(q));
	EXPECT_EQ(-EINVAL, hvtrust_quote(NULL, nonce, &q));
	EXPECT_EQ(0, q.report.magic);	/* zeroed on error */
	EXPECT_EQ(-EINVAL, hvtrust_quote(NULL, nonce, NULL));
	EXPECT_EQ(-EINVAL, hvtrust_quote_key(NULL));
	if (access("/dev/hvtrust", F_OK) == 0)
		SKIP(return, "the hvtrust module is loaded here");
	EXPECT_EQ(-ENODEV, hvtrust_quote_key(&key));
}

TEST(error_texts)
{
	EXPECT_NE(NULL, strstr(hvtrust_strerror(-ENOKEY), "key"));
	EXPECT_NE(NULL, strstr(hvtrust_strerror(-ESTALE), "nonce"));
	EXPECT_NE(NULL, strstr(hvtrust_strerror(-EBADMSG), "signature"));
}

TEST_HARNESS_MAIN
