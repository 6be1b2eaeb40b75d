// SPDX-License-Identifier: GPL-2.0
/* Selftest: signed quotes: OpenSSL verifies them; tampering, impostors and revocation show. */
/* Context: user space inside the test guest (root); registers itself; links libcrypto. */
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "hvt_trust_harness.h"

/* The quote key as the module hands it out. */
static int quote_key(int dev, struct hvtrust_quote_key *key)
{
	memset(key, 0, sizeof(*key));
	key->size = sizeof(*key);
	return ioctl(dev, HVTRUST_IOC_GET_QUOTE_KEY, key) ? -errno : 0;
}

/* OpenSSL's verdict on @q under @pub, independent of the code that signed. */
static bool openssl_verifies(const struct hvtrust_quote *q, const uint8_t pub[32])
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = false;

	if (pkey && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, q->signature, sizeof(q->signature),
				      (const unsigned char *)&q->report, sizeof(q->report)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

/* QUOTE through @stub (0: the session page's) with @tok; the quote, if any, to @out. */
static long quote_via(const struct raw *r, uint64_t stub, const uint64_t tok[4],
		      const uint64_t nonce[4], struct hvtrust_quote *out)
{
	struct hc h = {
		.rax = HVTRUST_HC_QUOTE, .rbx = tok[0], .rcx = tok[1], .rdx = tok[2], .rsi = tok[3],
		.rdi = nonce[0], .r8 = nonce[1], .r9 = nonce[2], .r10 = nonce[3],
	};

	hc_via(stub ? stub : r->page->safe_hypercall, &h);
	memcpy(out, (const uint8_t *)r->page + HVTRUST_SESSION_QUOTE_OFFSET, sizeof(*out));
	return h.rax;
}

static long quote(const struct raw *r, const uint64_t nonce[4], struct hvtrust_quote *out)
{
	uint64_t tok[4];

	token_of(r, tok);
	return quote_via(r, 0, tok, nonce, out);
}

static void random_nonce(uint64_t nonce[4])
{
	FILE *f = fopen("/dev/urandom", "re");

	if (!f || fread(nonce, 8, 4, f) != 4)
		memset(nonce, 0x5c, 32);
	if (f)
		fclose(f);
}

/* SHA-256 of the file this process runs, as its manifest was made. */
static bool sha256_of_self(uint8_t digest[32])
{
	FILE *f = fopen("/proc/self/exe", "re");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[4096];
	bool ok = f && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	size_t n;

	while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = EVP_DigestUpdate(ctx, buf, n) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, digest, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (f)
		fclose(f);
	return ok;
}

/*
 * A remote verifier's view: the key from the ioctl (pinned by its
 * fingerprint), a fresh nonce, and OpenSSL. Everything the report states
 * is checked against what this process knows of itself.
 */
TEST_F(trust, quote_verifies_with_openssl_and_says_what_it_saw)
{
	struct hvtrust_quote_key key;
	struct hvtrust_quote q;
	uint8_t digest[32], page_hash[32], self_hash[32], record[8 + 32];
	uint64_t nonce[4], gva;
	struct raw r;
	char *buf;

	ASSERT_EQ(0, quote_key(self->dev, &key));
	SHA256(key.public_key, sizeof(key.public_key), digest);
	EXPECT_EQ(0, memcmp(digest, key.key_sha256, 32));
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0x42, PAGE);
	ASSERT_EQ(0, raw_open(&r));
	ASSERT_EQ(0, raw_protect(&r, buf, PAGE));
	random_nonce(nonce);
	ASSERT_EQ(0, quote(&r, nonce, &q));

	EXPECT_TRUE(openssl_verifies(&q, key.public_key));
	EXPECT_EQ(HVTRUST_QUOTE_MAGIC, q.report.magic);
	EXPECT_EQ(HVTRUST_QUOTE_VERSION, q.report.version);
	EXPECT_EQ(HVTRUST_ABI_VERSION, q.report.abi_version);
	EXPECT_EQ(HVTRUST_QUOTE_OPEN, q.report.flags);
	EXPECT_EQ(0, memcmp(nonce, q.report.nonce, sizeof(nonce)));
	EXPECT_EQ(0, memcmp(key.key_sha256, q.report.key_sha256, 32));
	EXPECT_EQ(r.page->session_id, q.report.session_id);
	EXPECT_EQ(1, q.report.protected_pages);
	EXPECT_LT(0, q.report.checks);
	EXPECT_LE(1, q.report.nr_images);
	ASSERT_TRUE(sha256_of_self(self_hash));
	EXPECT_EQ(0, memcmp(self_hash, q.report.image_sha256[0], 32));
	/* The protected page: its address, then the hash of its contents. */
	SHA256((const unsigned char *)buf, PAGE, page_hash);
	gva = (uintptr_t)buf;
	memcpy(record, &gva, sizeof(gva));
	memcpy(record + sizeof(gva), page_hash, sizeof(page_hash));
	SHA256(record, sizeof(record), digest);
	EXPECT_EQ(0, memcmp(digest, q.report.protected_sha256, 32));
	/* A second quote with another nonce: a new signature over the new nonce. */
	nonce[0] ^= 1;
	ASSERT_EQ(0, quote(&r, nonce, &q));
	EXPECT_EQ(0, memcmp(nonce, q.report.nonce, sizeof(nonce)));
	EXPECT_TRUE(openssl_verifies(&q, key.public_key));
}

/* Attacker: whoever edits a quote on its way to the verifier. */
TEST_F(trust, any_changed_byte_of_a_quote_fails)
{
	struct hvtrust_quote_key key;
	struct hvtrust_quote q, bad;
	uint64_t nonce[4];
	struct raw r;
	size_t i;

	ASSERT_EQ(0, quote_key(self->dev, &key));
	ASSERT_EQ(0, raw_open(&r));
	random_nonce(nonce);
	ASSERT_EQ(0, quote(&r, nonce, &q));
	ASSERT_TRUE(openssl_verifies(&q, key.public_key));
	for (i = 0; i < sizeof(q); i++) {
		bad = q;
		((uint8_t *)&bad)[i] ^= 0x01;
		EXPECT_FALSE(openssl_verifies(&bad, key.public_key)) {
			TH_LOG("byte %zu changed, still verifies", i);
		}
	}
	/* Another key: nothing verifies. */
	key.public_key[0] ^= 0x80;
	EXPECT_FALSE(openssl_verifies(&q, key.public_key));
}

/*
 * A revoked program cannot hide it: its quote, asked for through its own
 * stub without the token it no longer has, says REVOKED, and verifies.
 */
TEST_F(trust, a_revoked_session_quotes_revoked)
{
	const uint64_t no_token[4] = { 0 };
	struct hvtrust_quote_key key;
	struct hvtrust_quote q;
	uint64_t nonce[4];
	struct raw r;
	char *buf;

	ASSERT_EQ(0, quote_key(self->dev, &key));
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 1, PAGE);
	ASSERT_EQ(0, raw_open(&r));
	ASSERT_EQ(0, raw_protect(&r, buf, PAGE));
	buf[10] = 2;
	ASSERT_EQ(-EKEYREVOKED, raw_status(&r));
	random_nonce(nonce);
	EXPECT_EQ(-EKEYREVOKED, quote_via(&r, 0, no_token, nonce, &q));
	EXPECT_TRUE(openssl_verifies(&q, key.public_key));
	EXPECT_EQ(HVTRUST_QUOTE_REVOKED, q.report.flags);
	EXPECT_EQ(0, memcmp(nonce, q.report.nonce, sizeof(nonce)));
	EXPECT_EQ(r.page->session_id, q.report.session_id);
	EXPECT_LE(1, q.report.revocations);
}

/*
 * Attackers: another process with no session of its own, the program's
 * own code calling past its stub, a caller with a wrong token. None gets
 * a quote: the call fails and the quote area stays as it was.
 */
TEST_F(trust, impostors_get_no_quote)
{
	uint64_t nonce[4], tok[4], wrong[4];
	struct hvtrust_quote before, after;
	struct hc h = { .rax = HVTRUST_HC_QUOTE };
	struct raw r;
	pid_t pid;

	random_nonce(nonce);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* A process with no session, straight VMCALL. */
		hc_direct(&h);
		_exit(h.rax == (uint64_t)-EPERM ? 0 : 1);
	}
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, raw_open(&r));
	token_of(&r, tok);
	memcpy(&before, (const uint8_t *)r.page + HVTRUST_SESSION_QUOTE_OFFSET, sizeof(before));
	/* The right token, but a VMCALL from the program's own code, not its stub. */
	h = (struct hc){ .rax = HVTRUST_HC_QUOTE, .rbx = tok[0], .rcx = tok[1], .rdx = tok[2],
			 .rsi = tok[3], .rdi = nonce[0] };
	hc_direct(&h);
	EXPECT_EQ(-EPERM, (long)h.rax);
	/* The stub, with a wrong token. */
	memcpy(wrong, tok, sizeof(wrong));
	wrong[2] ^= 4;
	EXPECT_EQ(-EKEYREJECTED, quote_via(&r, 0, wrong, nonce, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	/* The session is still fine: the right token still gets one. */
	EXPECT_EQ(0, quote(&r, nonce, &after));
	EXPECT_EQ(HVTRUST_QUOTE_MAGIC, after.report.magic);
}

int main(int argc, char **argv)
{
	return hvt_trust_main(argc, argv, NULL);
}
