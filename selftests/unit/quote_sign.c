// SPDX-License-Identifier: GPL-2.0
/* quote_sign DIR: writes a key and signed test quotes, good and bad, for cli-check's quote verify. */
/* Context: user space, host; no hypervisor: a fresh libcrypto key stands in for its quote key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "quote_fixture.h"

static const char *dir;

static FILE *create(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "quote_sign: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void done(FILE *f, const char *name)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "quote_sign: writing %s/%s failed\n", dir, name);
		exit(1);
	}
}

static void write_bytes(const char *name, const void *p, size_t len)
{
	FILE *f = create(name);

	fwrite(p, 1, len, f);
	done(f, name);
}

static void write_hex(const char *name, const uint8_t *p, size_t len)
{
	FILE *f = create(name);
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
	fputc('\n', f);
	done(f, name);
}

int main(int argc, char **argv)
{
	uint8_t pub[HVTRUST_ED25519_KEY_SIZE], other_pub[HVTRUST_ED25519_KEY_SIZE];
	uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE], fingerprint[HVTRUST_SHA256_SIZE];
	struct hvtrust_quote good, q;
	EVP_PKEY *key, *other;
	FILE *f;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: quote_sign DIR\n");
		return 2;
	}
	dir = argv[1];
	key = qf_new_key(pub);
	other = qf_new_key(other_pub);
	for (i = 0; i < sizeof(nonce); i++)
		nonce[i] = 0xc0 + i;

	/* the key three ways: hex, raw, PEM */
	write_hex("key.hex", pub, sizeof(pub));
	write_bytes("key.raw", pub, sizeof(pub));
	f = create("key.pem");
	if (PEM_write_PUBKEY(f, key) != 1)
		abort();
	done(f, "key.pem");
	write_hex("other.hex", other_pub, sizeof(other_pub));
	write_hex("nonce.hex", nonce, sizeof(nonce));
	qf_sha256(pub, sizeof(pub), fingerprint);
	write_hex("key.sha256", fingerprint, sizeof(fingerprint));

	memset(&good, 0, sizeof(good));
	qf_report(&good.report, pub, nonce);
	qf_sign(key, &good);
	write_bytes("quote.bin", &good, sizeof(good));

	/* a signed report changed afterwards: its session */
	q = good;
	q.report.session_id++;
	write_bytes("tampered.bin", &q, sizeof(q));

	q = good;
	q.signature[10] ^= 0x01;
	write_bytes("badsig.bin", &q, sizeof(q));

	q = good;
	q.report.flags = HVTRUST_QUOTE_REVOKED;
	qf_sign(key, &q);
	write_bytes("revoked.bin", &q, sizeof(q));

	/* signed by the key, but naming another one */
	q = good;
	memcpy(q.report.key_sha256, q.report.root_code_sha256, HVTRUST_SHA256_SIZE);
	qf_sign(key, &q);
	write_bytes("fingerprint.bin", &q, sizeof(q));

	/* signed by another key that names the trusted one: a forgery */
	q = good;
	qf_sign(other, &q);
	write_bytes("forged.bin", &q, sizeof(q));

	q = good;
	q.report.magic ^= 0xff;
	qf_sign(key, &q);
	write_bytes("magic.bin", &q, sizeof(q));

	q = good;
	q.report.version = HVTRUST_QUOTE_VERSION + 1;
	qf_sign(key, &q);
	write_bytes("version.bin", &q, sizeof(q));

	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	return 0;
}
