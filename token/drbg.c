// SPDX-License-Identifier: GPL-2.0
/* Hash DRBG over SHA-256 with forward secrecy, and constant-time comparison. */
/* Context: any, VMX root included: no allocation, no locks, no faults. */
#include "drbg.h"

#define HVT_DRBG_OUTPUT	0x01
#define HVT_DRBG_REKEY	0x02
#define HVT_DRBG_MIX	0x03

static HVT_ROOT void hvt_drbg_block(const struct hvt_drbg *drbg, u8 domain, u64 counter,
				    u8 out[HVT_SHA256_DIGEST_SIZE])
{
	struct hvt_sha256 ctx;

	hvt_sha256_init(&ctx);
	hvt_sha256_update(&ctx, &domain, sizeof(domain));
	hvt_sha256_update(&ctx, drbg->key, sizeof(drbg->key));
	hvt_sha256_update(&ctx, &counter, sizeof(counter));
	hvt_sha256_final(&ctx, out);
	hvt_wipe(&ctx, sizeof(ctx));
}

/**
 * hvt_drbg_mix() - add seed material (RDSEED/RDRAND, the kernel's pool)
 * @drbg: the generator
 * @seed: the material; it need not be uniformly random, only unpredictable
 * @len: its length
 */
HVT_ROOT void hvt_drbg_mix(struct hvt_drbg *drbg, const void *seed, size_t len)
{
	struct hvt_sha256 ctx;
	u8 domain = HVT_DRBG_MIX;

	hvt_sha256_init(&ctx);
	hvt_sha256_update(&ctx, &domain, sizeof(domain));
	hvt_sha256_update(&ctx, drbg->key, sizeof(drbg->key));
	hvt_sha256_update(&ctx, seed, len);
	hvt_sha256_final(&ctx, drbg->key);
	hvt_wipe(&ctx, sizeof(ctx));
	drbg->seeded = true;
}

/**
 * hvt_drbg_generate() - fill @out with output blocks, then replace the key
 *
 * @drbg: the generator
 * @out: where to write
 * @len: how many bytes
 *
 * Replacing the key after each request means the state seen later (say
 * in a memory dump after unload) reveals nothing of tokens issued before.
 *
 * Return: 0, or -EAGAIN when the generator was never seeded.
 */
HVT_ROOT int hvt_drbg_generate(struct hvt_drbg *drbg, void *out, size_t len)
{
	u8 block[HVT_SHA256_DIGEST_SIZE];
	u8 *dst = out;

	if (!drbg->seeded)
		return -EAGAIN;
	while (len) {
		size_t chunk = len < sizeof(block) ? len : sizeof(block);

		hvt_drbg_block(drbg, HVT_DRBG_OUTPUT, drbg->counter++, block);
		memcpy(dst, block, chunk);
		dst += chunk;
		len -= chunk;
	}
	hvt_drbg_block(drbg, HVT_DRBG_REKEY, drbg->counter++, drbg->key);
	hvt_wipe(block, sizeof(block));
	return 0;
}

/**
 * hvt_ct_equal() - compare two secrets in time independent of their contents
 * @a: one
 * @b: the other
 * @len: bytes to compare
 *
 * Every byte is compared, whatever the first difference: no early exit.
 *
 * Return: true when equal.
 */
HVT_ROOT bool hvt_ct_equal(const void *a, const void *b, size_t len)
{
	const u8 *x = a, *y = b;
	u8 diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
