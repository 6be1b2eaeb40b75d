// SPDX-License-Identifier: GPL-2.0
/* Bench: the hypervisor's SHA-256 (token/sha256.c, portable and SHA-NI) against OpenSSL's EVP SHA-256. */
/* Context: user space, native on the host; token/sha256.c is built with the kernel's no-SIMD flags. */
#include <cpuid.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cpu_brand.h"
#include "bench_clock.h"
#include "../../token/sha256.h"

#define PAGE		4096
#define PAGES		256	/* 1 MiB: fits in L2/L3, as a daemon's code pages would */
#define RUNS		7
#define RUN_NS		150000000LL	/* each run hashes for at least 150 ms */

static unsigned char pages[PAGES][PAGE];

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* TSC ticks per nanosecond, against CLOCK_MONOTONIC over 200 ms. */
static double tsc_per_ns(void)
{
	int64_t t0 = now_ns(), t1;
	uint64_t c0 = rdtsc(), c1;

	do
		t1 = now_ns();
	while (t1 - t0 < 200000000LL);
	c1 = rdtsc();
	return (double)(c1 - c0) / (t1 - t0);
}

static EVP_MD_CTX *evp_ctx;
static EVP_MD *evp_md;

/* Portable or SHA-NI, as hvt_sha256_use_ni() last chose. */
static void hash_hvt(const void *page, unsigned char *digest)
{
	hvt_sha256(page, PAGE, digest);
}

/* A fetched EVP_MD and a reused context: what a careful caller does per page. */
static void hash_openssl(const void *page, unsigned char *digest)
{
	if (!EVP_DigestInit_ex(evp_ctx, evp_md, NULL) ||
	    !EVP_DigestUpdate(evp_ctx, page, PAGE) ||
	    !EVP_DigestFinal_ex(evp_ctx, digest, NULL)) {
		fprintf(stderr, "sha256_bench: EVP SHA-256 failed\n");
		exit(1);
	}
}

struct result {
	double mb_s, cycles_per_byte;
};

/* Median of RUNS runs, each hashing the pages one at a time, over and over. */
static struct result measure(void (*hash)(const void *, unsigned char *))
{
	double mbs[RUNS], cpb[RUNS];
	unsigned char digest[HVT_SHA256_DIGEST_SIZE];
	struct result r;
	int run;

	for (run = 0; run < RUNS; run++) {
		int64_t t0 = now_ns(), t1;
		uint64_t c0 = rdtsc(), c1, bytes = 0;

		do {
			int i;

			for (i = 0; i < PAGES; i++)
				hash(pages[i], digest);
			bytes += (uint64_t)PAGES * PAGE;
			t1 = now_ns();
		} while (t1 - t0 < RUN_NS);
		c1 = rdtsc();
		mbs[run] = bytes / ((t1 - t0) / 1e9) / 1e6;
		cpb[run] = (double)(c1 - c0) / bytes;
	}
	qsort(mbs, RUNS, sizeof(mbs[0]), cmp_double);
	qsort(cpb, RUNS, sizeof(cpb[0]), cmp_double);
	r.mb_s = mbs[RUNS / 2];
	r.cycles_per_byte = cpb[RUNS / 2];
	return r;
}

/* OpenSSL again in a child that masks SHA-NI, which OpenSSL reads at start-up. */
static bool openssl_without_sha_ni(const char *self, struct result *r)
{
	int fds[2], status;
	char buf[256] = "";
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return false;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		/* second word: CPUID.(EAX=7,ECX=0):EBX; bit 29 is SHA */
		setenv("OPENSSL_ia32cap", ":~0x20000000", 1);
		execl(self, self, "--openssl-only", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return false;
	buf[n] = '\0';
	return sscanf(buf, "%lf %lf", &r->mb_s, &r->cycles_per_byte) == 2;
}

int main(int argc, char **argv)
{
	unsigned char a[HVT_SHA256_DIGEST_SIZE], b[HVT_SHA256_DIGEST_SIZE];
	unsigned char c[HVT_SHA256_DIGEST_SIZE];
	unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
	struct result hvt, ni = { 0 }, ossl, ossl_nosha;
	bool sha_ni, avx2, nosha_ok, ni_ok;
	char brand[49];
	double tpn;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t i;

	evp_ctx = EVP_MD_CTX_new();
	evp_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!evp_ctx || !evp_md) {
		fprintf(stderr, "sha256_bench: no SHA-256 in libcrypto\n");
		return 1;
	}
	for (i = 0; i < sizeof(pages); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		((unsigned char *)pages)[i] = x >> 56;
	}
	if (argc > 1 && !strcmp(argv[1], "--openssl-only")) {
		ossl = measure(hash_openssl);
		printf("%f %f\n", ossl.mb_s, ossl.cycles_per_byte);
		return 0;
	}

	/* Same digests first: a fast wrong hash would be no result. */
	ni_ok = hvt_sha256_ni_supported();
	for (i = 0; i < PAGES; i++) {
		hash_hvt(pages[i], a);
		hash_openssl(pages[i], b);
		hvt_sha256_use_ni(ni_ok);
		hash_hvt(pages[i], c);
		hvt_sha256_use_ni(false);
		if (memcmp(a, b, sizeof(a)) || memcmp(c, b, sizeof(c))) {
			fprintf(stderr, "sha256_bench: digests differ on page %zu\n", i);
			return 1;
		}
	}
	cpu_brand(brand);
	__cpuid_count(7, 0, eax, ebx, ecx, edx);
	sha_ni = ebx & (1U << 29);
	avx2 = ebx & (1U << 5);
	__cpuid(1, eax, ebx, ecx, edx);

	tpn = tsc_per_ns();
	hvt = measure(hash_hvt);
	if (ni_ok) {
		hvt_sha256_use_ni(true);
		ni = measure(hash_hvt);
		hvt_sha256_use_ni(false);
	}
	ossl = measure(hash_openssl);
	nosha_ok = sha_ni && openssl_without_sha_ni("/proc/self/exe", &ossl_nosha);

	printf("(e) SHA-256 of 4 KiB pages, natively on the host (%d pages hashed one by one, median of %d runs)\n",
	       PAGES, RUNS);
	printf("  host CPU: \"%s\"%s; SHA extensions (CPUID.7:EBX[29]): %s; AVX2: %s\n", brand,
	       (ecx & (1U << 31)) ? " (a virtual machine)" : "", sha_ni ? "yes" : "no",
	       avx2 ? "yes" : "no");
	printf("  TSC %.0f MHz; cycles below are TSC ticks (constant rate, not core clocks)\n", tpn * 1e3);
	printf("  %-44s %9.1f MB/s %8.2f cycles/byte\n",
	       "token/sha256.c (C, kernel flags: no SIMD)", hvt.mb_s, hvt.cycles_per_byte);
	if (ni_ok)
		printf("  %-44s %9.1f MB/s %8.2f cycles/byte\n",
		       "token/sha256_ni.S (SHA extensions)", ni.mb_s, ni.cycles_per_byte);
	else
		printf("  %-44s not run: no SHA extensions, SSSE3 or SSE4.1\n",
		       "token/sha256_ni.S (SHA extensions)");
	printf("  %-44s %9.1f MB/s %8.2f cycles/byte\n", OpenSSL_version(OPENSSL_VERSION), ossl.mb_s,
	       ossl.cycles_per_byte);
	if (nosha_ok)
		printf("  %-44s %9.1f MB/s %8.2f cycles/byte\n", "  the same, SHA-NI masked (OPENSSL_ia32cap)",
		       ossl_nosha.mb_s, ossl_nosha.cycles_per_byte);
	/* Throughput over OpenSSL's: 1.00x is as fast, the goal for NI is 0.80x. */
	printf("  token/sha256.c / OpenSSL: %.2fx%s", hvt.mb_s / ossl.mb_s,
	       sha_ni ? " (OpenSSL with SHA-NI)" : "");
	if (nosha_ok)
		printf(", %.2fx of OpenSSL without SHA-NI", hvt.mb_s / ossl_nosha.mb_s);
	if (ni_ok)
		printf("\n  token/sha256_ni.S / OpenSSL: %.2fx", ni.mb_s / ossl.mb_s);
	printf("\n  one 4 KiB page costs token/sha256.c %.1f us", PAGE / hvt.mb_s);
	if (ni_ok)
		printf(", token/sha256_ni.S %.1f us", PAGE / ni.mb_s);
	printf(", OpenSSL %.1f us\n", PAGE / ossl.mb_s);
	EVP_MD_free(evp_md);
	EVP_MD_CTX_free(evp_ctx);
	return 0;
}
