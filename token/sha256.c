// SPDX-License-Identifier: GPL-2.0
/* SHA-256 (FIPS 180-4), written for the hypervisor's own integrity checks. */
/* Context: any, VMX root included; pure logic shared with the unit tests. */
#include "sha256.h"

static const u32 hvt_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline HVT_ROOT u32 hvt_ror32(u32 word, unsigned int shift)
{
	return (word >> shift) | (word << (32 - shift));
}

static inline HVT_ROOT u32 hvt_load_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline HVT_ROOT void hvt_store_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static HVT_ROOT void hvt_sha256_block(u32 state[8], const u8 *block)
{
	u32 w[64];
	u32 a, b, c, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = hvt_load_be32(block + 4 * i);
	for (i = 16; i < 64; i++) {
		u32 s0 = hvt_ror32(w[i - 15], 7) ^ hvt_ror32(w[i - 15], 18) ^
			 (w[i - 15] >> 3);
		u32 s1 = hvt_ror32(w[i - 2], 17) ^ hvt_ror32(w[i - 2], 19) ^
			 (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}

	a = state[0];
	b = state[1];
	c = state[2];
	d = state[3];
	e = state[4];
	f = state[5];
	g = state[6];
	h = state[7];
	for (i = 0; i < 64; i++) {
		u32 sum1 = hvt_ror32(e, 6) ^ hvt_ror32(e, 11) ^ hvt_ror32(e, 25);
		u32 choose = (e & f) ^ (~e & g);
		u32 t1 = h + sum1 + choose + hvt_sha256_k[i] + w[i];
		u32 sum0 = hvt_ror32(a, 2) ^ hvt_ror32(a, 13) ^ hvt_ror32(a, 22);
		u32 majority = (a & b) ^ (a & c) ^ (b & c);
		u32 t2 = sum0 + majority;

		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

/*
 * Which block function runs: a flag tested on every call, not a function
 * pointer, so that root mode makes no indirect call (retpolines). Off until
 * the caller, who knows the CPU and whether it may touch XMM registers,
 * turns it on.
 */
static bool hvt_sha256_ni HVT_RO_AFTER_INIT;

/**
 * hvt_sha256_use_ni() - hash with the SHA extensions (token/sha256_ni.S) or not
 * @on: true only when the CPU has SHA, SSSE3 and SSE4.1
 *
 * Outside VMX root the caller must own the FPU (kernel_fpu_begin() in the
 * kernel) around every hash while this is on; in root the block function
 * saves the XMM registers it uses.
 */
HVT_ROOT void hvt_sha256_use_ni(bool on)
{
	hvt_sha256_ni = on;
}

static HVT_ROOT void hvt_cpuid(u32 leaf, u32 subleaf, u32 regs[4])
{
	asm volatile("cpuid"
		     : "=a" (regs[0]), "=b" (regs[1]), "=c" (regs[2]), "=d" (regs[3])
		     : "a" (leaf), "c" (subleaf));
}

/**
 * hvt_sha256_ni_supported() - whether this CPU can run hvt_sha256_blocks_ni()
 *
 * For user space; the module asks boot_cpu_has() instead, which also honours
 * clearcpuid= and the kernel's own quirks.
 *
 * Return: true when CPUID reports SHA (7.0:EBX[29]), SSSE3 (1:ECX[9]) and
 * SSE4.1 (1:ECX[19]).
 */
HVT_ROOT bool hvt_sha256_ni_supported(void)
{
	u32 regs[4];

	hvt_cpuid(0, 0, regs);
	if (regs[0] < 7)
		return false;
	hvt_cpuid(1, 0, regs);
	if (!(regs[2] & BIT(9)) || !(regs[2] & BIT(19)))
		return false;
	hvt_cpuid(7, 0, regs);
	return regs[1] & BIT(29);
}

static HVT_ROOT void hvt_sha256_blocks(u32 state[8], const u8 *data, size_t nblocks)
{
	if (hvt_sha256_ni) {
		hvt_sha256_blocks_ni(state, data, nblocks);
		return;
	}
	for (; nblocks; nblocks--, data += HVT_SHA256_BLOCK_SIZE)
		hvt_sha256_block(state, data);
}

HVT_ROOT void hvt_sha256_init(struct hvt_sha256 *ctx)
{
	static const u32 initial[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	int i;

	for (i = 0; i < 8; i++)
		ctx->state[i] = initial[i];
	ctx->length = 0;
}

HVT_ROOT void hvt_sha256_update(struct hvt_sha256 *ctx, const void *data, size_t len)
{
	const u8 *in = data;
	size_t used = ctx->length % HVT_SHA256_BLOCK_SIZE;

	ctx->length += len;
	if (used) {
		size_t take = HVT_SHA256_BLOCK_SIZE - used;

		if (take > len)
			take = len;
		__builtin_memcpy(ctx->buffer + used, in, take);
		in += take;
		len -= take;
		if (used + take < HVT_SHA256_BLOCK_SIZE)
			return;
		hvt_sha256_blocks(ctx->state, ctx->buffer, 1);
	}
	/* All whole blocks in one call: the NI function saves XMM once per call. */
	if (len >= HVT_SHA256_BLOCK_SIZE) {
		size_t nblocks = len / HVT_SHA256_BLOCK_SIZE;

		hvt_sha256_blocks(ctx->state, in, nblocks);
		in += nblocks * HVT_SHA256_BLOCK_SIZE;
		len -= nblocks * HVT_SHA256_BLOCK_SIZE;
	}
	if (len)
		__builtin_memcpy(ctx->buffer, in, len);
}

HVT_ROOT void hvt_sha256_final(struct hvt_sha256 *ctx, u8 digest[HVT_SHA256_DIGEST_SIZE])
{
	static const u8 padding[HVT_SHA256_BLOCK_SIZE] = { 0x80 };
	u64 bits = ctx->length * 8;
	size_t used = ctx->length % HVT_SHA256_BLOCK_SIZE;
	size_t pad = used < 56 ? 56 - used : 120 - used;
	u8 length_be[8];
	int i;

	for (i = 0; i < 8; i++)
		length_be[i] = bits >> (56 - 8 * i);
	hvt_sha256_update(ctx, padding, pad);
	hvt_sha256_update(ctx, length_be, sizeof(length_be));
	for (i = 0; i < 8; i++)
		hvt_store_be32(digest + 4 * i, ctx->state[i]);
	/* The buffer may hold the tail of a secret: leave nothing behind. */
	hvt_wipe(ctx, sizeof(*ctx));
}

HVT_ROOT void hvt_sha256(const void *data, size_t len, u8 digest[HVT_SHA256_DIGEST_SIZE])
{
	struct hvt_sha256 ctx;

	hvt_sha256_init(&ctx);
	hvt_sha256_update(&ctx, data, len);
	hvt_sha256_final(&ctx, digest);
}
