/* SPDX-License-Identifier: GPL-2.0 */
/* Ed25519 signatures (RFC 8032) over SHA-512, for the hypervisor's attestation quotes. */
/* Context: any, VMX root included: no allocation, no locks, no faults. */
#ifndef HVT_ED25519_H
#define HVT_ED25519_H

#include "../include/hvt_types.h"

#define HVT_ED25519_SEED_SIZE		32
#define HVT_ED25519_PUBLIC_KEY_SIZE	32
#define HVT_ED25519_SIGNATURE_SIZE	64

void hvt_ed25519_public_key(const u8 seed[HVT_ED25519_SEED_SIZE],
			    u8 pub[HVT_ED25519_PUBLIC_KEY_SIZE]);
void hvt_ed25519_sign(const u8 seed[HVT_ED25519_SEED_SIZE],
		      const u8 pub[HVT_ED25519_PUBLIC_KEY_SIZE],
		      const void *msg, size_t len, u8 sig[HVT_ED25519_SIGNATURE_SIZE]);
bool hvt_ed25519_verify(const u8 pub[HVT_ED25519_PUBLIC_KEY_SIZE],
			const void *msg, size_t len,
			const u8 sig[HVT_ED25519_SIGNATURE_SIZE]);

#endif /* HVT_ED25519_H */
