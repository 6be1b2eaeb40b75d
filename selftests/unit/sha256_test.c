// SPDX-License-Identifier: GPL-2.0
/* Unit tests of token/sha256.c and token/sha256_ni.S against FIPS 180-4 vectors and libcrypto. */
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

static void fill_random(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	srand(seed);
	for (i = 0; i < len; i++)
		p[i] = rand();
}

static void digest_with(bool ni, const void *data, size_t len, unsigned char *out)
{
	hvt_sha256_use_ni(ni);
	hvt_sha256(data, len, out);
	hvt_sha256_use_ni(false);
}

#define NO_SHA_NI	"this CPU lacks SHA-NI, SSSE3 or SSE4.1"

/* The tests of the hash itself run once per block function. */
FIXTURE(impl) {
};

FIXTURE_VARIANT(impl) {
	bool ni;
};

FIXTURE_VARIANT_ADD(impl, portable) {
	.ni = false,
};

FIXTURE_VARIANT_ADD(impl, sha_ni) {
	.ni = true,
};

FIXTURE_SETUP(impl)
{
	if (variant->ni && !hvt_sha256_ni_supported())
		SKIP(return, NO_SHA_NI);
	hvt_sha256_use_ni(variant->ni);
}

FIXTURE_TEARDOWN(impl)
{
	hvt_sha256_use_ni(false);
}

TEST_F(impl, fips_vectors)
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

TEST_F(impl, million_a)
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
TEST_F(impl, matches_libcrypto_any_split)
{
	unsigned char data[300], ours[HVT_SHA256_DIGEST_SIZE];
	unsigned char theirs[HVT_SHA256_DIGEST_SIZE];
	size_t len;

	fill_random(data, sizeof(data), 1);
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

TEST_F(impl, final_wipes_buffer)
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

TEST(portable_is_the_default)
{
	unsigned char digest[HVT_SHA256_DIGEST_SIZE];
	char text[2 * HVT_SHA256_DIGEST_SIZE + 1];

	/* Nothing may change for a caller that never opts in: no NI symbol runs. */
	hvt_sha256("abc", 3, digest);
	hex(digest, text);
	EXPECT_STREQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", text);
}

/* Every length 0..1100 at every misalignment of the data, NI against portable. */
TEST(ni_matches_portable_every_length_and_alignment)
{
	static unsigned char data[1100 + 16];
	unsigned char want[HVT_SHA256_DIGEST_SIZE], got[HVT_SHA256_DIGEST_SIZE];
	size_t len, off;

	if (!hvt_sha256_ni_supported())
		SKIP(return, NO_SHA_NI);
	fill_random(data, sizeof(data), 2);
	for (len = 0; len <= 1100; len++) {
		for (off = 0; off < 16; off++) {
			digest_with(false, data + off, len, want);
			digest_with(true, data + off, len, got);
			ASSERT_EQ(0, memcmp(want, got, sizeof(want))) {
				TH_LOG("length %zu, data at offset %zu", len, off);
			}
		}
	}
}

/* Whole pages and odd multi-page lengths, as the hypervisor hashes them. */
TEST(ni_matches_portable_and_libcrypto_multi_page)
{
	static const size_t lens[] = {
		4096, 8192, 3 * 4096 + 1, 16 * 4096 - 1, 16 * 4096 + 55, 64 * 4096 + 4095,
	};
	static const size_t offs[] = { 0, 1, 8, 4095 };
	unsigned char want[HVT_SHA256_DIGEST_SIZE], got[HVT_SHA256_DIGEST_SIZE];
	unsigned char theirs[HVT_SHA256_DIGEST_SIZE];
	size_t size = 66 * 4096, i, j;
	unsigned char *data;

	if (!hvt_sha256_ni_supported())
		SKIP(return, NO_SHA_NI);
	data = malloc(size);
	ASSERT_NE(NULL, data);
	fill_random(data, size, 3);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (j = 0; j < sizeof(offs) / sizeof(offs[0]); j++) {
			const unsigned char *p = data + offs[j];

			digest_with(false, p, lens[i], want);
			digest_with(true, p, lens[i], got);
			openssl_sha256(p, lens[i], theirs);
			EXPECT_EQ(0, memcmp(want, got, sizeof(want))) {
				TH_LOG("length %zu, data at offset %zu", lens[i], offs[j]);
			}
			EXPECT_EQ(0, memcmp(theirs, got, sizeof(theirs))) {
				TH_LOG("length %zu, data at offset %zu: libcrypto differs",
				       lens[i], offs[j]);
			}
		}
	}
	free(data);
}

/*
 * The block function alone: a state that is only 4-byte aligned, block runs
 * of several lengths, and nblocks == 0 must not touch the state.
 */
TEST(ni_blocks_direct)
{
	static unsigned char data[8 * HVT_SHA256_BLOCK_SIZE + 3];
	u32 words[9], *state = words + 1;
	struct hvt_sha256 ctx;
	size_t n;

	if (!hvt_sha256_ni_supported())
		SKIP(return, NO_SHA_NI);
	fill_random(data, sizeof(data), 4);
	for (n = 0; n <= 8; n++) {
		hvt_sha256_init(&ctx);
		memcpy(state, ctx.state, sizeof(ctx.state));
		hvt_sha256_update(&ctx, data + 3, n * HVT_SHA256_BLOCK_SIZE);
		hvt_sha256_blocks_ni(state, data + 3, n);
		ASSERT_EQ(0, memcmp(ctx.state, state, sizeof(ctx.state))) {
			TH_LOG("%zu blocks", n);
		}
	}
}

/* The registers as the block function leaves them. */
static unsigned char xmm_before[16][16], xmm_after[16][16];
static unsigned int mxcsr[2];	/* before, after */

typedef void (*block_fn)(u32 *state, const u8 *data, size_t nblocks);

/*
 * Loads xmm0-xmm15 and MXCSR from xmm_before and mxcsr[0], calls @fn and
 * stores what it left into xmm_after and mxcsr[1], all in one asm statement so that
 * the compiler cannot touch an XMM register between. The pointers sit in
 * callee-saved registers; %rsp steps over the red zone and is realigned
 * for the call.
 */
static void call_with_xmm(block_fn fn, u32 *state, const u8 *data, size_t nblocks)
{
	register unsigned char (*in)[16] asm("r12") = xmm_before;
	register unsigned char (*out)[16] asm("r13") = xmm_after;
	register block_fn target asm("r14") = fn;
	register unsigned int *csr asm("r15") = mxcsr;
	unsigned int saved_mxcsr;

	asm volatile("stmxcsr %[saved]\n\t"
		     "ldmxcsr (%%r15)\n\t"
		     "movdqu 0x00(%%r12), %%xmm0\n\t"
		     "movdqu 0x10(%%r12), %%xmm1\n\t"
		     "movdqu 0x20(%%r12), %%xmm2\n\t"
		     "movdqu 0x30(%%r12), %%xmm3\n\t"
		     "movdqu 0x40(%%r12), %%xmm4\n\t"
		     "movdqu 0x50(%%r12), %%xmm5\n\t"
		     "movdqu 0x60(%%r12), %%xmm6\n\t"
		     "movdqu 0x70(%%r12), %%xmm7\n\t"
		     "movdqu 0x80(%%r12), %%xmm8\n\t"
		     "movdqu 0x90(%%r12), %%xmm9\n\t"
		     "movdqu 0xa0(%%r12), %%xmm10\n\t"
		     "movdqu 0xb0(%%r12), %%xmm11\n\t"
		     "movdqu 0xc0(%%r12), %%xmm12\n\t"
		     "movdqu 0xd0(%%r12), %%xmm13\n\t"
		     "movdqu 0xe0(%%r12), %%xmm14\n\t"
		     "movdqu 0xf0(%%r12), %%xmm15\n\t"
		     "mov %%rsp, %%rbx\n\t"
		     "sub $128, %%rsp\n\t"
		     "and $-16, %%rsp\n\t"
		     "call *%%r14\n\t"
		     "mov %%rbx, %%rsp\n\t"
		     "movdqu %%xmm0, 0x00(%%r13)\n\t"
		     "movdqu %%xmm1, 0x10(%%r13)\n\t"
		     "movdqu %%xmm2, 0x20(%%r13)\n\t"
		     "movdqu %%xmm3, 0x30(%%r13)\n\t"
		     "movdqu %%xmm4, 0x40(%%r13)\n\t"
		     "movdqu %%xmm5, 0x50(%%r13)\n\t"
		     "movdqu %%xmm6, 0x60(%%r13)\n\t"
		     "movdqu %%xmm7, 0x70(%%r13)\n\t"
		     "movdqu %%xmm8, 0x80(%%r13)\n\t"
		     "movdqu %%xmm9, 0x90(%%r13)\n\t"
		     "movdqu %%xmm10, 0xa0(%%r13)\n\t"
		     "movdqu %%xmm11, 0xb0(%%r13)\n\t"
		     "movdqu %%xmm12, 0xc0(%%r13)\n\t"
		     "movdqu %%xmm13, 0xd0(%%r13)\n\t"
		     "movdqu %%xmm14, 0xe0(%%r13)\n\t"
		     "movdqu %%xmm15, 0xf0(%%r13)\n\t"
		     "stmxcsr 4(%%r15)\n\t"
		     "ldmxcsr %[saved]"
		     : "+D" (state), "+S" (data), "+d" (nblocks), [saved] "=m" (saved_mxcsr)
		     : "r" (in), "r" (out), "r" (target), "r" (csr)
		     : "rax", "rbx", "rcx", "r8", "r9", "r10", "r11", "memory", "cc",
		       "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* A stand-in that breaks the rule, to show that the check below can fail. */
void hvt_test_clobber_xmm0_xmm15(u32 *state, const u8 *data, size_t nblocks);
asm(".pushsection .text\n"
	".globl hvt_test_clobber_xmm0_xmm15\n"
	".type hvt_test_clobber_xmm0_xmm15, @function\n"
	"hvt_test_clobber_xmm0_xmm15:\n\t"
	"pcmpeqd %xmm0, %xmm0\n\t"
	"pxor %xmm15, %xmm15\n\t"
	"ret\n"
	".size hvt_test_clobber_xmm0_xmm15, . - hvt_test_clobber_xmm0_xmm15\n"
	".popsection");

/* Bit mask of the XMM registers @fn changed; 1 << 16 for MXCSR. */
static unsigned int xmm_changed_by(block_fn fn, u32 *state, const u8 *data, size_t nblocks,
				   unsigned int seed)
{
	unsigned int changed = 0, i;

	fill_random(&xmm_before[0][0], sizeof(xmm_before), seed);
	memset(xmm_after, 0, sizeof(xmm_after));
	/* Round toward zero, FTZ and DAZ, all exceptions masked, no flag set. */
	mxcsr[0] = 0x1f80 | 0x6000 | 0x8000 | 0x0040;
	mxcsr[1] = 0;
	call_with_xmm(fn, state, data, nblocks);
	for (i = 0; i < 16; i++)
		if (memcmp(xmm_before[i], xmm_after[i], 16))
			changed |= 1U << i;
	if (mxcsr[0] != mxcsr[1])
		changed |= 1U << 16;
	return changed;
}

TEST(xmm_check_catches_a_clobber)
{
	u32 state[8] = { 0 };

	EXPECT_EQ(1U << 0 | 1U << 15,
		  xmm_changed_by(hvt_test_clobber_xmm0_xmm15, state, NULL, 0, 5));
}

/* In VMX root the guest's XMM registers are live: NI must hand them all back. */
TEST(ni_preserves_every_xmm_register)
{
	static unsigned char data[5 * HVT_SHA256_BLOCK_SIZE + 1];
	unsigned char want[HVT_SHA256_DIGEST_SIZE];
	struct hvt_sha256 ctx;
	size_t n;

	if (!hvt_sha256_ni_supported())
		SKIP(return, NO_SHA_NI);
	fill_random(data, sizeof(data), 6);
	for (n = 0; n <= 5; n++) {
		hvt_sha256_init(&ctx);
		hvt_sha256_update(&ctx, data + 1, n * HVT_SHA256_BLOCK_SIZE);
		memcpy(want, ctx.state, sizeof(ctx.state));
		hvt_sha256_init(&ctx);
		EXPECT_EQ(0, xmm_changed_by(hvt_sha256_blocks_ni, ctx.state, data + 1, n,
					    7 + n)) {
			TH_LOG("%zu blocks", n);
		}
		/* And it still hashed right with foreign values around it. */
		EXPECT_EQ(0, memcmp(want, ctx.state, sizeof(ctx.state))) {
			TH_LOG("%zu blocks", n);
		}
	}
}

TEST_HARNESS_MAIN
