// SPDX-License-Identifier: GPL-2.0
/* Unit tests of token/sha256.c against FIPS 180-4 vectors and libcrypto. */
/* Context: user space, native build. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../token/sha256.h"

static void hex(const unsigned char *digest, char *out)
{
	int i;

	for (i = 0; i < HVT_SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

static void openssl_sha256(const void *data, size_t len, unsigned char *out)
{
	unsigned int outlen = 0;

	if (!EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL) ||
	    outlen != HVT_SHA256_DIGEST_SIZE)
		abort();
}

TEST(fips_vectors)
{
	static const struct {
		const char *msg;
		const char *digest;
	} vectors[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	unsigned char digest[HVT_SHA256_DIGEST_SIZE];
	char text[2 * HVT_SHA256_DIGEST_SIZE + 1];
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		hvt_sha256(vectors[i].msg, strlen(vectors[i].msg), digest);
		hex(digest, text);
		EXPECT_STREQ(vectors[i].digest, text);
	}
}

TEST(million_a)
{
	unsigned char digest[HVT_SHA256_DIGEST_SIZE];
	char text[2 * HVT_SHA256_DIGEST_SIZE + 1];
	struct hvt_sha256 ctx;
	char chunk[1000];
	int i;

	memset(chunk, 'a', sizeof(chunk));
	hvt_sha256_init(&ctx);
	for (i = 0; i < 1000; i++)
		hvt_sha256_update(&ctx, chunk, sizeof(chunk));
	hvt_sha256_final(&ctx, digest);
	hex(digest, text);
	EXPECT_STREQ("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		     text);
}

/* Every length around the padding boundaries, fed in uneven pieces. */
TEST(matches_libcrypto_any_split)
{
	unsigned char data[300], ours[HVT_SHA256_DIGEST_SIZE];
	unsigned char theirs[HVT_SHA256_DIGEST_SIZE];
	size_t len, i;

	srand(1);
	for (i = 0; i < sizeof(data); i++)
		data[i] = rand();
	for (len = 0; len <= sizeof(data); len++) {
		struct hvt_sha256 ctx;
		size_t off = 0, step = 1 + len % 67;

		hvt_sha256_init(&ctx);
		while (off < len) {
			size_t take = len - off < step ? len - off : step;

			hvt_sha256_update(&ctx, data + off, take);
			off += take;
		}
		hvt_sha256_final(&ctx, ours);
		openssl_sha256(data, len, theirs);
		ASSERT_EQ(0, memcmp(ours, theirs, sizeof(ours))) {
			TH_LOG("length %zu, step %zu", len, step);
		}
	}
}

TEST(final_wipes_buffer)
{
	unsigned char digest[HVT_SHA256_DIGEST_SIZE];
	struct hvt_sha256 ctx;
	const char secret[] = "0123456789abcdef0123456789abcdef";
	size_t i;

	hvt_sha256_init(&ctx);
	hvt_sha256_update(&ctx, secret, sizeof(secret) - 1);
	hvt_sha256_final(&ctx, digest);
	for (i = 0; i < sizeof(ctx.buffer); i++)
		ASSERT_EQ(0, ctx.buffer[i]);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, ctx.state[i]);
}

TEST_HARNESS_MAIN
