// SPDX-License-Identifier: GPL-2.0
/* Unit tests of token/sha512.c against FIPS 180-4 vectors and libcrypto. */
/* Context: user space, native build. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../token/sha512.h"

static void hex(const unsigned char *digest, char *out)
{
	int i;

	for (i = 0; i < HVT_SHA512_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

static void openssl_sha512(const void *data, size_t len, unsigned char *out)
{
	unsigned int outlen = 0;

	if (!EVP_Digest(data, len, out, &outlen, EVP_sha512(), NULL) ||
	    outlen != HVT_SHA512_DIGEST_SIZE)
		abort();
}

/* The examples of FIPS 180-4 as NIST publishes them, and the empty message. */
TEST(fips_vectors)
{
	static const struct {
		const char *msg;
		const char *digest;
	} vectors[] = {
		{ "",
		  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		  "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
		{ "abc",
		  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
		  "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
		  "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
	};
	unsigned char digest[HVT_SHA512_DIGEST_SIZE];
	char text[2 * HVT_SHA512_DIGEST_SIZE + 1];
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		hvt_sha512(vectors[i].msg, strlen(vectors[i].msg), digest);
		hex(digest, text);
		EXPECT_STREQ(vectors[i].digest, text) {
			TH_LOG("message %zu", i);
		}
	}
}

/* A million 'a', once in even pieces, once in pieces that straddle every block edge. */
TEST(million_a)
{
	static const char want[] =
		"e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
		"de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b";
	static const size_t steps[] = { 1000, 127 };
	unsigned char digest[HVT_SHA512_DIGEST_SIZE];
	char text[2 * HVT_SHA512_DIGEST_SIZE + 1];
	char chunk[1000];
	size_t s;

	memset(chunk, 'a', sizeof(chunk));
	for (s = 0; s < 2; s++) {
		struct hvt_sha512 ctx;
		size_t left = 1000000;

		hvt_sha512_init(&ctx);
		while (left) {
			size_t take = left < steps[s] ? left : steps[s];

			hvt_sha512_update(&ctx, chunk, take);
			left -= take;
		}
		hvt_sha512_final(&ctx, digest);
		hex(digest, text);
		EXPECT_STREQ(want, text) {
			TH_LOG("pieces of %zu bytes", steps[s]);
		}
	}
}

/*
 * Every length 0..1000, each hashed in one call and in random pieces
 * (empty ones included), against libcrypto.
 */
TEST(matches_libcrypto_random_splits)
{
	static unsigned char data[1000];
	unsigned char ours[HVT_SHA512_DIGEST_SIZE], theirs[HVT_SHA512_DIGEST_SIZE];
	size_t len, i;

	srand(512);
	for (i = 0; i < sizeof(data); i++)
		data[i] = rand();
	for (len = 0; len <= sizeof(data); len++) {
		struct hvt_sha512 ctx;
		size_t off = 0;

		openssl_sha512(data, len, theirs);
		hvt_sha512(data, len, ours);
		ASSERT_EQ(0, memcmp(ours, theirs, sizeof(ours))) {
			TH_LOG("one call, length %zu", len);
		}
		hvt_sha512_init(&ctx);
		while (off < len) {
			size_t take = rand() % 300;

			if (take > len - off)
				take = len - off;
			hvt_sha512_update(&ctx, data + off, take);
			off += take;
		}
		hvt_sha512_final(&ctx, ours);
		ASSERT_EQ(0, memcmp(ours, theirs, sizeof(ours))) {
			TH_LOG("random pieces, length %zu", len);
		}
	}
}

/* Random lengths up to a few blocks, at random misalignments of the data. */
TEST(matches_libcrypto_random_lengths_unaligned)
{
	static unsigned char data[1000 + 8];
	unsigned char ours[HVT_SHA512_DIGEST_SIZE], theirs[HVT_SHA512_DIGEST_SIZE];
	int round;
	size_t i;

	srand(513);
	for (i = 0; i < sizeof(data); i++)
		data[i] = rand();
	for (round = 0; round < 2000; round++) {
		size_t len = rand() % 1001, off = rand() % 8;

		hvt_sha512(data + off, len, ours);
		openssl_sha512(data + off, len, theirs);
		ASSERT_EQ(0, memcmp(ours, theirs, sizeof(ours))) {
			TH_LOG("length %zu at offset %zu", len, off);
		}
	}
}

TEST(final_wipes_context)
{
	unsigned char digest[HVT_SHA512_DIGEST_SIZE];
	const char secret[] = "0123456789abcdef0123456789abcdef";
	struct hvt_sha512 ctx;
	size_t i;

	hvt_sha512_init(&ctx);
	hvt_sha512_update(&ctx, secret, sizeof(secret) - 1);
	hvt_sha512_final(&ctx, digest);
	for (i = 0; i < sizeof(ctx.buffer); i++)
		ASSERT_EQ(0, ctx.buffer[i]);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, ctx.state[i]);
	ASSERT_EQ(0, ctx.length);
}

TEST_HARNESS_MAIN
