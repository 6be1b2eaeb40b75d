/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-512 (FIPS 180-4) with no dependency on Linux or libc, for Ed25519. */
/* Context: any, VMX root included: no allocation, no locks, no faults. */
#ifndef HVT_SHA512_H
#define HVT_SHA512_H

#include "../include/hvt_types.h"

#define HVT_SHA512_DIGEST_SIZE	64
#define HVT_SHA512_BLOCK_SIZE	128

/**
 * struct hvt_sha512 - running hash state
 * @state: the eight working words H0..H7
 * @length: bytes hashed so far; FIPS 180-4 counts bits in 128, but no
 *	message here comes near 2^64 bytes
 * @buffer: a partial block waiting for more input
 */
struct hvt_sha512 {
	u64 state[8];
	u64 length;
	u8 buffer[HVT_SHA512_BLOCK_SIZE];
};

void hvt_sha512_init(struct hvt_sha512 *ctx);
void hvt_sha512_update(struct hvt_sha512 *ctx, const void *data, size_t len);
void hvt_sha512_final(struct hvt_sha512 *ctx, u8 digest[HVT_SHA512_DIGEST_SIZE]);
void hvt_sha512(const void *data, size_t len, u8 digest[HVT_SHA512_DIGEST_SIZE]);

#endif /* HVT_SHA512_H */
