/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 (FIPS 180-4) with no dependency on Linux or libc. */
/* Context: any, VMX root included: no allocation, no locks, no faults. */
#ifndef HVT_SHA256_H
#define HVT_SHA256_H

#include "../include/hvt_types.h"

#define HVT_SHA256_DIGEST_SIZE	32
#define HVT_SHA256_BLOCK_SIZE	64

/**
 * struct hvt_sha256 - running hash state
 * @state: the eight working words H0..H7
 * @length: bytes hashed so far
 * @buffer: a partial block waiting for more input
 */
struct hvt_sha256 {
	u32 state[8];
	u64 length;
	u8 buffer[HVT_SHA256_BLOCK_SIZE];
};

void hvt_sha256_use_ni(bool on);
bool hvt_sha256_ni_supported(void);
void hvt_sha256_blocks_ni(u32 state[8], const u8 *data, size_t nblocks);

void hvt_sha256_init(struct hvt_sha256 *ctx);
void hvt_sha256_update(struct hvt_sha256 *ctx, const void *data, size_t len);
void hvt_sha256_final(struct hvt_sha256 *ctx, u8 digest[HVT_SHA256_DIGEST_SIZE]);
void hvt_sha256(const void *data, size_t len, u8 digest[HVT_SHA256_DIGEST_SIZE]);

#endif /* HVT_SHA256_H */
