/* SPDX-License-Identifier: GPL-2.0 */
/* The hypervisor's random generator for tokens: a hash DRBG over SHA-256. */
/* Context: any, VMX root included; pure logic shared with the unit tests. */
#ifndef HVT_DRBG_H
#define HVT_DRBG_H

#include "../include/hvt_types.h"
#include "sha256.h"

/**
 * struct hvt_drbg - generator state; never leaves hidden memory
 * @key: the secret state, replaced after every request
 * @counter: distinguishes the blocks of one request
 * @seeded: seed material has been mixed in at least once
 */
struct hvt_drbg {
	u8 key[HVT_SHA256_DIGEST_SIZE];
	u64 counter;
	bool seeded;
};

void hvt_drbg_mix(struct hvt_drbg *drbg, const void *seed, size_t len);
int hvt_drbg_generate(struct hvt_drbg *drbg, void *out, size_t len);
bool hvt_ct_equal(const void *a, const void *b, size_t len);

#endif /* HVT_DRBG_H */
