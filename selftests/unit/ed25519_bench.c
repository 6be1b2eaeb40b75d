// SPDX-License-Identifier: GPL-2.0
/* Bench: the hypervisor's Ed25519 (token/ed25519.c) against OpenSSL's, sign and verify a quote. */
/* Context: user space, native on the host; token/ed25519.c and sha512.c built with the kernel's no-SIMD flags. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cpu_brand.h"
#include "bench_clock.h"
#include "../../token/ed25519.h"
#include "../../uapi/hvtrust.h"

#define RUNS	7
#define RUN_NS	100000000LL	/* each run signs or verifies for at least 100 ms */

static uint8_t seed[32], pub[32], report[HVTRUST_QUOTE_REPORT_SIZE], sig[64];
static EVP_PKEY *ossl_key, *ossl_pub;
static bool failed;

static void sign_hvt(void)
{
	hvt_ed25519_sign(seed, pub, report, sizeof(report), sig);
}

static void verify_hvt(void)
{
	failed |= !hvt_ed25519_verify(pub, report, sizeof(report), sig);
}

static void sign_openssl(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = sizeof(sig);

	failed |= !ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, ossl_key) != 1 ||
		  EVP_DigestSign(ctx, sig, &len, report, sizeof(report)) != 1;
	EVP_MD_CTX_free(ctx);
}

static void verify_openssl(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	failed |= !ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, ossl_pub) != 1 ||
		  EVP_DigestVerify(ctx, sig, sizeof(sig), report, sizeof(report)) != 1;
	EVP_MD_CTX_free(ctx);
}

/* Microseconds per operation: the median of RUNS runs. */
static double measure(void (*op)(void))
{
	double us[RUNS];
	int run;

	for (run = 0; run < RUNS; run++) {
		int64_t t0 = now_ns(), t1;
		long n = 0;

		do {
			op();
			n++;
			t1 = now_ns();
		} while (t1 - t0 < RUN_NS);
		us[run] = (t1 - t0) / 1e3 / n;
	}
	qsort(us, RUNS, sizeof(us[0]), cmp_double);
	return us[RUNS / 2];
}

int main(void)
{
	double sign[2], verify[2];
	char brand[49];
	size_t i;

	for (i = 0; i < sizeof(seed); i++)
		seed[i] = i * 7 + 1;
	for (i = 0; i < sizeof(report); i++)
		report[i] = i * 13;
	hvt_ed25519_public_key(seed, pub);
	ossl_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
	ossl_pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, sizeof(pub));
	if (!ossl_key || !ossl_pub) {
		fprintf(stderr, "ed25519_bench: no Ed25519 in libcrypto\n");
		return 1;
	}
	sign[0] = measure(sign_hvt);
	verify[0] = measure(verify_hvt);
	sign[1] = measure(sign_openssl);
	verify[1] = measure(verify_openssl);
	if (failed) {
		fprintf(stderr, "ed25519_bench: a signature did not verify\n");
		return 1;
	}
	cpu_brand(brand);
	printf("(g) Ed25519 over a quote report (%d bytes), natively on the host (median of %d runs)\n",
	       HVTRUST_QUOTE_REPORT_SIZE, RUNS);
	printf("  host CPU: \"%s\"\n", brand);
	printf("  %-44s sign %8.1f us   verify %8.1f us\n", "token/ed25519.c (kernel flags, no SIMD)",
	       sign[0], verify[0]);
	printf("  %-44s sign %8.1f us   verify %8.1f us\n", OpenSSL_version(OPENSSL_VERSION),
	       sign[1], verify[1]);
	printf("  token/ed25519.c / OpenSSL: sign %.2fx the time, verify %.2fx\n",
	       sign[0] / sign[1], verify[0] / verify[1]);
	EVP_PKEY_free(ossl_key);
	EVP_PKEY_free(ossl_pub);
	return 0;
}
