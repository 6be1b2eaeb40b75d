// SPDX-License-Identifier: GPL-2.0
/* Unit tests of token/ed25519.c: RFC 8032 vectors, libcrypto both ways, forgeries refused. */
/* Context: user space, native build. */
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
#define RUNNING_ON_VALGRIND			0
#define VALGRIND_MAKE_MEM_UNDEFINED(p, n)	((void)(p), (void)(n))
#define VALGRIND_MAKE_MEM_DEFINED(p, n)	((void)(p), (void)(n))
#endif

#include "kselftest_harness.h"
#include "../../token/ed25519.h"
#include "../../token/sha512.h"

/*
 * The file itself once more, its public names renamed, so that the field
 * and scalar arithmetic can be checked on their own edge cases.
 */
#define hvt_ed25519_public_key	inner_ed25519_public_key
#define hvt_ed25519_sign	inner_ed25519_sign
#define hvt_ed25519_verify	inner_ed25519_verify
#include "../../token/ed25519.c"
#undef hvt_ed25519_public_key
#undef hvt_ed25519_sign
#undef hvt_ed25519_verify

#define RANDOM_ROUNDS	256

static void unhex(const char *hex, unsigned char *out, size_t len)
{
	size_t i;

	if (strlen(hex) != 2 * len)
		abort();
	for (i = 0; i < len; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
			abort();
}

static void fill_random(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rand();
}

static void openssl_public_key(const unsigned char seed[32], unsigned char pub[32])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	size_t len = 32;

	if (!key || !EVP_PKEY_get_raw_public_key(key, pub, &len) || len != 32)
		abort();
	EVP_PKEY_free(key);
}

static void openssl_sign(const unsigned char seed[32], const void *msg, size_t len,
			 unsigned char sig[64])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = 64;

	if (!key || !ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 || siglen != 64)
		abort();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
}

/* 1 valid, 0 refused, -1 the key itself refused by libcrypto. */
static int openssl_verify(const unsigned char pub[32], const void *msg, size_t len,
			  const unsigned char sig[64])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *ctx;
	int ok;

	if (!key)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1)
		abort();
	ok = EVP_DigestVerify(ctx, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok;
}

/* Little-endian bytes to and from OpenSSL's big numbers. */
static BIGNUM *bn_le(const unsigned char *p, size_t len)
{
	BIGNUM *bn = BN_lebin2bn(p, len, NULL);

	if (!bn)
		abort();
	return bn;
}

static void bn_to_le(const BIGNUM *bn, unsigned char *p, size_t len)
{
	if (BN_bn2lebinpad(bn, p, len) != (int)len)
		abort();
}

static BIGNUM *bn_hex(const char *hex)
{
	BIGNUM *bn = NULL;

	if (!BN_hex2bn(&bn, hex))
		abort();
	return bn;
}

#define HEX_L	"1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed"
#define HEX_P	"7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed"

/* The private scalar a of RFC 8032, 5.1.5, from a seed. */
static void private_scalar(const unsigned char seed[32], unsigned char a[32])
{
	unsigned char h[64];

	hvt_sha512(seed, 32, h);
	h[0] &= 248;
	h[31] &= 127;
	h[31] |= 64;
	memcpy(a, h, 32);
}

/* S = k a mod L with k = SHA-512(R || A || M) mod L: the signature a signer with a's key makes. */
static void s_for(const unsigned char r[32], const unsigned char pub[32], const unsigned char a[32],
		  const void *msg, size_t len, unsigned char s[32])
{
	BN_CTX *bn_ctx = BN_CTX_new();
	BIGNUM *l = bn_hex(HEX_L), *k, *abn;
	unsigned char h[64];
	struct hvt_sha512 ctx;

	hvt_sha512_init(&ctx);
	hvt_sha512_update(&ctx, r, 32);
	hvt_sha512_update(&ctx, pub, 32);
	hvt_sha512_update(&ctx, msg, len);
	hvt_sha512_final(&ctx, h);
	k = bn_le(h, 64);
	abn = bn_le(a, 32);
	if (!bn_ctx || !BN_mod_mul(k, k, abn, l, bn_ctx))
		abort();
	bn_to_le(k, s, 32);
	BN_free(k);
	BN_free(abn);
	BN_free(l);
	BN_CTX_free(bn_ctx);
}

/* RFC 8032, 7.1: TEST 1, 2, 3, 1024 and SHA(abc). */
TEST(rfc8032_vectors)
{
	static const struct {
		const char *name, *seed, *pub, *msg, *sig;
	} vectors[] = {
		{ "TEST 1",
		  "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		  "",
		  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
		  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
		{ "TEST 2",
		  "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
		  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
		  "72",
		  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
		  "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
		{ "TEST 3",
		  "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
		  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
		  "af82",
		  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
		  "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
		{ "TEST 1024",
		  "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
		  "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
		  "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
		  "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
		  "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
		  "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
		  "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
		  "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
		  "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
		  "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
		  "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
		  "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
		  "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
		  "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
		  "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
		  "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
		  "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
		  "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
		  "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
		  "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
		  "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
		  "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
		  "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
		  "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
		  "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
		  "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
		  "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
		  "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
		  "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
		  "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
		  "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
		  "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
		  "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
		  "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
		  "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
		  "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03" },
		{ "TEST SHA(abc)",
		  "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
		  "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
		  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
		  "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
		  "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704" },
	};
	unsigned char seed[32], pub[32], want_pub[32], sig[64], want_sig[64];
	unsigned char msg[1023];
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		size_t len = strlen(vectors[i].msg) / 2;

		unhex(vectors[i].seed, seed, 32);
		unhex(vectors[i].pub, want_pub, 32);
		unhex(vectors[i].msg, msg, len);
		unhex(vectors[i].sig, want_sig, 64);
		hvt_ed25519_public_key(seed, pub);
		EXPECT_EQ(0, memcmp(want_pub, pub, 32)) {
			TH_LOG("%s: public key", vectors[i].name);
		}
		hvt_ed25519_sign(seed, want_pub, msg, len, sig);
		EXPECT_EQ(0, memcmp(want_sig, sig, 64)) {
			TH_LOG("%s: signature", vectors[i].name);
		}
		EXPECT_TRUE(hvt_ed25519_verify(want_pub, msg, len, want_sig)) {
			TH_LOG("%s: verification", vectors[i].name);
		}
	}
}

TEST(public_keys_match_libcrypto)
{
	unsigned char seed[32], ours[32], theirs[32];
	int round;

	srand(25519);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		fill_random(seed, sizeof(seed));
		hvt_ed25519_public_key(seed, ours);
		openssl_public_key(seed, theirs);
		ASSERT_EQ(0, memcmp(ours, theirs, 32)) {
			TH_LOG("round %d", round);
		}
	}
}

/* Ed25519 is deterministic: both sides must produce the very same bytes, and accept them. */
TEST(our_signatures_are_libcryptos_and_verify_there)
{
	unsigned char seed[32], pub[32], ours[64], theirs[64], msg[600];
	int round;

	srand(25520);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		size_t len = rand() % sizeof(msg);

		fill_random(seed, sizeof(seed));
		fill_random(msg, len);
		hvt_ed25519_public_key(seed, pub);
		hvt_ed25519_sign(seed, pub, msg, len, ours);
		ASSERT_EQ(1, openssl_verify(pub, msg, len, ours)) {
			TH_LOG("round %d, message of %zu bytes", round, len);
		}
		openssl_sign(seed, msg, len, theirs);
		ASSERT_EQ(0, memcmp(ours, theirs, 64)) {
			TH_LOG("round %d, message of %zu bytes", round, len);
		}
	}
}

TEST(libcrypto_signatures_verify_here)
{
	unsigned char seed[32], pub[32], sig[64], msg[600];
	int round;

	srand(25521);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		size_t len = rand() % sizeof(msg);

		fill_random(seed, sizeof(seed));
		fill_random(msg, len);
		openssl_public_key(seed, pub);
		openssl_sign(seed, msg, len, sig);
		ASSERT_TRUE(hvt_ed25519_verify(pub, msg, len, sig)) {
			TH_LOG("round %d, message of %zu bytes", round, len);
		}
		/* The same signature for another message: refused by both. */
		if (len) {
			msg[rand() % len] ^= 1 << (rand() % 8);
			ASSERT_FALSE(hvt_ed25519_verify(pub, msg, len, sig));
			ASSERT_EQ(0, openssl_verify(pub, msg, len, sig));
		}
	}
}

/* One key, one message, one signature, and every single-bit change of each. */
FIXTURE(signed_msg) {
	unsigned char seed[32], pub[32], sig[64], msg[40];
};

FIXTURE_SETUP(signed_msg)
{
	srand(25522);
	fill_random(self->seed, sizeof(self->seed));
	fill_random(self->msg, sizeof(self->msg));
	hvt_ed25519_public_key(self->seed, self->pub);
	hvt_ed25519_sign(self->seed, self->pub, self->msg, sizeof(self->msg), self->sig);
	ASSERT_TRUE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg), self->sig));
}

FIXTURE_TEARDOWN(signed_msg)
{
}

TEST_F(signed_msg, flipped_message_bit_fails)
{
	size_t bit;

	for (bit = 0; bit < 8 * sizeof(self->msg); bit++) {
		self->msg[bit / 8] ^= 1 << (bit % 8);
		EXPECT_FALSE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg), self->sig)) {
			TH_LOG("message bit %zu", bit);
		}
		self->msg[bit / 8] ^= 1 << (bit % 8);
	}
	/* A shorter or longer message is another message. */
	EXPECT_FALSE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg) - 1, self->sig));
}

TEST_F(signed_msg, flipped_signature_bit_fails)
{
	size_t bit;

	for (bit = 0; bit < 8 * sizeof(self->sig); bit++) {
		self->sig[bit / 8] ^= 1 << (bit % 8);
		EXPECT_FALSE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg), self->sig)) {
			TH_LOG("signature bit %zu (%s)", bit, bit < 256 ? "R" : "S");
		}
		self->sig[bit / 8] ^= 1 << (bit % 8);
	}
}

TEST_F(signed_msg, flipped_key_bit_fails)
{
	size_t bit;

	for (bit = 0; bit < 8 * sizeof(self->pub); bit++) {
		self->pub[bit / 8] ^= 1 << (bit % 8);
		EXPECT_FALSE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg), self->sig)) {
			TH_LOG("key bit %zu", bit);
		}
		self->pub[bit / 8] ^= 1 << (bit % 8);
	}
}

/*
 * S + L satisfies the verification equation as well as S does: only the
 * range check stands between a signature and a second, malleated one.
 */
TEST_F(signed_msg, s_at_or_above_l_refused)
{
	BIGNUM *l = bn_hex(HEX_L), *s = bn_le(self->sig + 32, 32);
	unsigned char sig[64];

	memcpy(sig, self->sig, 32);
	ASSERT_TRUE(BN_add(s, s, l));
	bn_to_le(s, sig + 32, 32);
	EXPECT_FALSE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg), sig));
	EXPECT_EQ(0, openssl_verify(self->pub, self->msg, sizeof(self->msg), sig));

	/* L itself, L - 1 (in range, but wrong), and the largest 256-bit number. */
	bn_to_le(l, sig + 32, 32);
	EXPECT_FALSE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg), sig));
	ASSERT_TRUE(BN_sub_word(l, 1));
	bn_to_le(l, sig + 32, 32);
	EXPECT_FALSE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg), sig));
	memset(sig + 32, 0xff, 32);
	EXPECT_FALSE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg), sig));
	BN_free(s);
	BN_free(l);
}

/* The identity point (0, 1) encoded canonically, as y + p, and with the sign of x set. */
static const char identity_canonical[] =
	"0100000000000000000000000000000000000000000000000000000000000000";
static const char identity_plus_p[] =
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
static const char identity_negative_zero[] =
	"0100000000000000000000000000000000000000000000000000000000000080";

/*
 * With the identity as public key, [k]A vanishes and (R, S) = ([s]B, s)
 * "verifies" for any message. RFC 8032 accepts the canonical encoding
 * (the key is a weak one, not a malformed one); the two non-canonical
 * encodings must be refused.
 */
TEST(non_canonical_key_refused)
{
	unsigned char s[32] = { 7 }, pub[32], sig[64];
	const char msg[] = "attestation quote";

	struct hvt_ge r;

	/* R = [7]B, S = 7 */
	hvt_ge_scalarmult(&r, s, &hvt_ge_base);
	hvt_ge_tobytes(sig, &r);
	memcpy(sig + 32, s, 32);

	unhex(identity_canonical, pub, 32);
	ASSERT_TRUE(hvt_ed25519_verify(pub, msg, sizeof(msg), sig));
	ASSERT_EQ(1, openssl_verify(pub, msg, sizeof(msg), sig));

	unhex(identity_plus_p, pub, 32);
	EXPECT_FALSE(hvt_ed25519_verify(pub, msg, sizeof(msg), sig));
	unhex(identity_negative_zero, pub, 32);
	EXPECT_FALSE(hvt_ed25519_verify(pub, msg, sizeof(msg), sig));
}

/*
 * R is the identity, S = k a: the equation holds for the point R stands
 * for. Encoded canonically it verifies (the control); as y + p or with
 * the sign bit on x = 0 it must not.
 */
TEST(non_canonical_r_refused)
{
	static const char *const encodings[] = {
		identity_canonical, identity_plus_p, identity_negative_zero,
	};
	unsigned char seed[32], a[32], pub[32], sig[64];
	const char msg[] = "attestation quote";
	size_t i;

	srand(25523);
	fill_random(seed, sizeof(seed));
	hvt_ed25519_public_key(seed, pub);
	private_scalar(seed, a);
	for (i = 0; i < 3; i++) {
		unhex(encodings[i], sig, 32);
		s_for(sig, pub, a, msg, sizeof(msg), sig + 32);
		EXPECT_EQ(i == 0, hvt_ed25519_verify(pub, msg, sizeof(msg), sig)) {
			TH_LOG("R encoding %zu", i);
		}
	}
}

/* A y for which no x exists: (y^2 - 1) / (d y^2 + 1) is not a square modulo p. */
static void off_curve_y(unsigned char out[32])
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = bn_hex(HEX_P), *d = BN_new(), *y = BN_new(), *u = BN_new();
	BIGNUM *v = BN_new(), *e = BN_new(), *one = BN_new();
	unsigned int i;

	if (!ctx || !d || !y || !u || !v || !e || !one || !BN_one(one))
		abort();
	/* d = -121665 / 121666 */
	if (!BN_set_word(v, 121666) || !BN_mod_inverse(v, v, p, ctx) || !BN_set_word(d, 121665) ||
	    !BN_mod_mul(d, d, v, p, ctx) || !BN_mod_sub(d, p, d, p, ctx))
		abort();
	for (i = 2; ; i++) {
		if (!BN_set_word(y, i) || !BN_mod_sqr(u, y, p, ctx) ||
		    !BN_mod_mul(v, u, d, p, ctx) || !BN_mod_add(v, v, one, p, ctx) ||
		    !BN_mod_sub(u, u, one, p, ctx) || !BN_mod_inverse(v, v, p, ctx) ||
		    !BN_mod_mul(u, u, v, p, ctx))
			abort();
		/* Euler's criterion: u^((p - 1) / 2) is p - 1 for a non-square. */
		if (!BN_sub(e, p, one) || !BN_rshift1(e, e) || !BN_mod_exp(e, u, e, p, ctx))
			abort();
		if (!BN_is_one(e) && !BN_is_zero(e))
			break;
	}
	bn_to_le(y, out, 32);
	BN_free(p);
	BN_free(d);
	BN_free(y);
	BN_free(u);
	BN_free(v);
	BN_free(e);
	BN_free(one);
	BN_CTX_free(ctx);
}

TEST_F(signed_msg, off_curve_point_refused)
{
	unsigned char y[32], sig[64];

	off_curve_y(y);
	EXPECT_FALSE(hvt_ed25519_verify(y, self->msg, sizeof(self->msg), self->sig));
	memcpy(sig, y, 32);
	memcpy(sig + 32, self->sig + 32, 32);
	EXPECT_FALSE(hvt_ed25519_verify(self->pub, self->msg, sizeof(self->msg), sig));
	/* libcrypto agrees that the y is off the curve. */
	EXPECT_NE(1, openssl_verify(y, self->msg, sizeof(self->msg), self->sig));
}

/* The decoder itself: every non-canonical or off-curve encoding refused, valid ones round-trip. */
TEST(point_decoding)
{
	static const char *const refused[] = {
		identity_plus_p, identity_negative_zero,
		/* p itself (y = 0 as y + p) and 2^255 - 1 (y = 18 as y + p) */
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	unsigned char enc[32], back[32], seed[32];
	struct hvt_ge p;
	size_t i;
	int round;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		unhex(refused[i], enc, 32);
		EXPECT_FALSE(hvt_ge_frombytes(&p, enc)) {
			TH_LOG("encoding %zu", i);
		}
	}
	off_curve_y(enc);
	EXPECT_FALSE(hvt_ge_frombytes(&p, enc));
	enc[31] |= 0x80;
	EXPECT_FALSE(hvt_ge_frombytes(&p, enc));

	unhex(identity_canonical, enc, 32);
	ASSERT_TRUE(hvt_ge_frombytes(&p, enc));
	srand(25528);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		fill_random(seed, sizeof(seed));
		hvt_ed25519_public_key(seed, enc);
		ASSERT_TRUE(hvt_ge_frombytes(&p, enc));
		hvt_ge_tobytes(back, &p);
		ASSERT_EQ(0, memcmp(enc, back, 32));
		/* The point's negation: the same y, the other sign. */
		enc[31] ^= 0x80;
		ASSERT_TRUE(hvt_ge_frombytes(&p, enc));
		hvt_ge_tobytes(back, &p);
		ASSERT_EQ(0, memcmp(enc, back, 32));
	}
}

/* Barrett reduction against libcrypto at the edges: multiples of L, near 2^512, random. */
TEST(scalar_reduction_matches_bignum)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *l = bn_hex(HEX_L), *x = BN_new(), *want = BN_new(), *m = BN_new();
	unsigned char in[64], ours[32], theirs[32];
	int round;

	ASSERT_TRUE(ctx && x && want && m);
	srand(25524);
	for (round = 0; round < 20000; round++) {
		int kind = round % 4;

		fill_random(in, sizeof(in));
		if (kind == 0) {
			/* A random multiple of L plus -2..2. */
			BN_free(x);
			x = bn_le(in, 32);
			ASSERT_TRUE(BN_mul(x, x, l, ctx));
			ASSERT_TRUE(BN_set_word(m, rand() % 5));
			ASSERT_TRUE(BN_add(x, x, m));
			ASSERT_TRUE(BN_sub_word(x, 2));
			bn_to_le(x, in, 64);
		} else if (kind == 1) {
			/* Within a few hundred of 2^512. */
			memset(in + 2, 0xff, sizeof(in) - 2);
		}
		hvt_sc_reduce(ours, in);
		BN_free(x);
		x = bn_le(in, 64);
		ASSERT_TRUE(BN_nnmod(want, x, l, ctx));
		bn_to_le(want, theirs, 32);
		ASSERT_EQ(0, memcmp(ours, theirs, 32)) {
			TH_LOG("round %d", round);
		}
	}
	BN_free(l);
	BN_free(x);
	BN_free(want);
	BN_free(m);
	BN_CTX_free(ctx);
}

TEST(scalar_muladd_matches_bignum)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *l = bn_hex(HEX_L), *want = BN_new();
	unsigned char a[32], b[32], c[32], ours[32], theirs[32];
	int round;

	ASSERT_TRUE(ctx && want);
	srand(25525);
	for (round = 0; round < 20000; round++) {
		BIGNUM *an, *bn, *cn;

		fill_random(a, 32);
		fill_random(b, 32);
		fill_random(c, 32);
		if (round % 3 == 0) {
			memset(a, 0xff, 32);
			memset(b, 0xff, 32);
			memset(c, 0xff, 32);
		}
		hvt_sc_muladd(ours, a, b, c);
		an = bn_le(a, 32);
		bn = bn_le(b, 32);
		cn = bn_le(c, 32);
		ASSERT_TRUE(BN_mul(want, an, bn, ctx));
		ASSERT_TRUE(BN_add(want, want, cn));
		ASSERT_TRUE(BN_nnmod(want, want, l, ctx));
		bn_to_le(want, theirs, 32);
		ASSERT_EQ(0, memcmp(ours, theirs, 32)) {
			TH_LOG("round %d", round);
		}
		BN_free(an);
		BN_free(bn);
		BN_free(cn);
	}
	BN_free(l);
	BN_free(want);
	BN_CTX_free(ctx);
}

/* Field elements: full reduction of every value near p and 2p, products against libcrypto. */
TEST(field_encoding_and_product_match_bignum)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = bn_hex(HEX_P), *x = BN_new(), *y = BN_new(), *want = BN_new();
	unsigned char in[32], in2[32], ours[32], theirs[32];
	struct hvt_fe f, g;
	int round, delta, ok;

	ASSERT_TRUE(ctx && x && y && want);
	/* 2^255 - 19 + delta, read as limbs: values from p - 40 up to 2^255 - 1. */
	for (delta = -40; delta < 19; delta++) {
		ASSERT_TRUE(BN_copy(x, p) != NULL);
		ASSERT_TRUE(delta < 0 ? BN_sub_word(x, -delta) : BN_add_word(x, delta));
		bn_to_le(x, in, 32);
		hvt_fe_frombytes(&f, in);
		hvt_fe_tobytes(ours, &f);
		ASSERT_TRUE(BN_nnmod(want, x, p, ctx));
		bn_to_le(want, theirs, 32);
		ASSERT_EQ(0, memcmp(ours, theirs, 32)) {
			TH_LOG("p %+d", delta);
		}
	}
	srand(25526);
	for (round = 0; round < 20000; round++) {
		fill_random(in, 32);
		fill_random(in2, 32);
		if (round % 4 == 0)
			memset(in, 0xff, 31);
		in[31] &= 0x7f;
		in2[31] &= 0x7f;
		hvt_fe_frombytes(&f, in);
		hvt_fe_frombytes(&g, in2);
		switch (round % 3) {
		case 0:
			hvt_fe_mul(&f, &f, &g);
			break;
		case 1:
			hvt_fe_sq(&f, &f);
			break;
		default:
			hvt_fe_sub(&f, &f, &g);
			break;
		}
		hvt_fe_tobytes(ours, &f);
		BN_free(x);
		BN_free(y);
		x = bn_le(in, 32);
		y = bn_le(in2, 32);
		if (round % 3 == 0)
			ok = BN_mod_mul(want, x, y, p, ctx);
		else if (round % 3 == 1)
			ok = BN_mod_sqr(want, x, p, ctx);
		else
			ok = BN_mod_sub(want, x, y, p, ctx);
		ASSERT_TRUE(ok);
		bn_to_le(want, theirs, 32);
		ASSERT_EQ(0, memcmp(ours, theirs, 32)) {
			TH_LOG("round %d", round);
		}
	}
	BN_free(p);
	BN_free(x);
	BN_free(y);
	BN_free(want);
	BN_CTX_free(ctx);
}

/*
 * Run under valgrind (valgrind --error-exitcode=1 build/unit/ed25519_test)
 * to check that no branch and no memory address depends on the seed or on
 * anything derived from it: memcheck treats the seed as uninitialised and
 * reports every conditional jump or address computed from it. Outside
 * valgrind it only checks that the key signs.
 */
TEST(secret_independent_control_flow)
{
	unsigned char seed[32], pub[32], sig[64], msg[100];

	srand(25527);
	fill_random(seed, sizeof(seed));
	fill_random(msg, sizeof(msg));
	if (!RUNNING_ON_VALGRIND)
		TH_LOG("not under valgrind: only the signature is checked");
	VALGRIND_MAKE_MEM_UNDEFINED(seed, sizeof(seed));
	hvt_ed25519_public_key(seed, pub);
	/* The public key and the signature are public: declassify them. */
	VALGRIND_MAKE_MEM_DEFINED(pub, sizeof(pub));
	hvt_ed25519_sign(seed, pub, msg, sizeof(msg), sig);
	VALGRIND_MAKE_MEM_DEFINED(sig, sizeof(sig));
	VALGRIND_MAKE_MEM_DEFINED(seed, sizeof(seed));
	ASSERT_TRUE(hvt_ed25519_verify(pub, msg, sizeof(msg), sig));
}

/* Not a check: the figures for the record, printed with the results. */
TEST(timing_report)
{
	unsigned char seed[32] = { 1 }, pub[32], sig[64], msg[256] = { 2 };
	struct timespec t0, t1, t2;
	const int n = 200;
	int i, ok = 1;

	hvt_ed25519_public_key(seed, pub);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		hvt_ed25519_sign(seed, pub, msg, sizeof(msg), sig);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < n; i++)
		ok &= hvt_ed25519_verify(pub, msg, sizeof(msg), sig);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	ASSERT_TRUE(ok);
	TH_LOG("sign %.1f us, verify %.1f us (256-byte message, mean of %d)",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n / 1e3,
	       ((t2.tv_sec - t1.tv_sec) * 1e9 + (t2.tv_nsec - t1.tv_nsec)) / n / 1e3, n);
}

TEST_HARNESS_MAIN
