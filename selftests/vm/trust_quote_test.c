// SPDX-License-Identifier: GPL-2.0
/* Selftest: signed quotes (OpenSSL verifies them) and the secrets the hypervisor keeps. */
/* Context: user space inside the test guest (root); registers itself; links libcrypto. */
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/mount.h>

#include "hvt_trust_harness.h"

/* The quote key as the module hands it out. */
static int quote_key(int dev, struct hvtrust_quote_key *key)
{
	memset(key, 0, sizeof(*key));
	key->size = sizeof(*key);
	return ioctl(dev, HVTRUST_IOC_GET_QUOTE_KEY, key) ? -errno : 0;
}

/* OpenSSL's verdict on @q under @pub, independent of the code that signed. */
static bool openssl_verifies(const struct hvtrust_quote *q, const uint8_t pub[32])
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = false;

	if (pkey && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, q->signature, sizeof(q->signature),
				      (const unsigned char *)&q->report, sizeof(q->report)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

/* QUOTE through @stub (0: the session page's) with @tok; the quote, if any, to @out. */
static long quote_via(const struct raw *r, uint64_t stub, const uint64_t tok[4],
		      const uint64_t nonce[4], struct hvtrust_quote *out)
{
	struct hc h = {
		.rax = HVTRUST_HC_QUOTE, .rbx = tok[0], .rcx = tok[1], .rdx = tok[2], .rsi = tok[3],
		.rdi = nonce[0], .r8 = nonce[1], .r9 = nonce[2], .r10 = nonce[3],
	};

	hc_via(stub ? stub : r->page->safe_hypercall, &h);
	memcpy(out, (const uint8_t *)r->page + HVTRUST_SESSION_QUOTE_OFFSET, sizeof(*out));
	return h.rax;
}

static long quote(const struct raw *r, const uint64_t nonce[4], struct hvtrust_quote *out)
{
	uint64_t tok[4];

	token_of(r, tok);
	return quote_via(r, 0, tok, nonce, out);
}

static void random_nonce(uint64_t nonce[4])
{
	FILE *f = fopen("/dev/urandom", "re");

	if (!f || fread(nonce, 8, 4, f) != 4)
		memset(nonce, 0x5c, 32);
	if (f)
		fclose(f);
}

/* SHA-256 of the file this process runs, as its manifest was made. */
static bool sha256_of_self(uint8_t digest[32])
{
	FILE *f = fopen("/proc/self/exe", "re");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[4096];
	bool ok = f && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	size_t n;

	while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = EVP_DigestUpdate(ctx, buf, n) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, digest, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (f)
		fclose(f);
	return ok;
}

/*
 * A remote verifier's view: the key from the ioctl (pinned by its
 * fingerprint), a fresh nonce, and OpenSSL. Everything the report states
 * is checked against what this process knows of itself.
 */
TEST_F(trust, quote_verifies_with_openssl_and_says_what_it_saw)
{
	struct hvtrust_quote_key key;
	struct hvtrust_quote q;
	uint8_t digest[32], page_hash[32], self_hash[32], record[8 + 32];
	uint64_t nonce[4], gva;
	struct raw r;
	char *buf;

	ASSERT_EQ(0, quote_key(self->dev, &key));
	SHA256(key.public_key, sizeof(key.public_key), digest);
	EXPECT_EQ(0, memcmp(digest, key.key_sha256, 32));
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0x42, PAGE);
	ASSERT_EQ(0, raw_open(&r));
	ASSERT_EQ(0, raw_protect(&r, buf, PAGE));
	random_nonce(nonce);
	ASSERT_EQ(0, quote(&r, nonce, &q));

	EXPECT_TRUE(openssl_verifies(&q, key.public_key));
	EXPECT_EQ(HVTRUST_QUOTE_MAGIC, q.report.magic);
	EXPECT_EQ(HVTRUST_QUOTE_VERSION, q.report.version);
	EXPECT_EQ(HVTRUST_ABI_VERSION, q.report.abi_version);
	EXPECT_EQ(HVTRUST_QUOTE_OPEN, q.report.flags);
	EXPECT_EQ(0, memcmp(nonce, q.report.nonce, sizeof(nonce)));
	EXPECT_EQ(0, memcmp(key.key_sha256, q.report.key_sha256, 32));
	EXPECT_EQ(r.page->session_id, q.report.session_id);
	EXPECT_EQ(1, q.report.protected_pages);
	EXPECT_LT(0, q.report.checks);
	EXPECT_LE(1, q.report.nr_images);
	ASSERT_TRUE(sha256_of_self(self_hash));
	EXPECT_EQ(0, memcmp(self_hash, q.report.image_sha256[0], 32));
	/* The protected page: its address, then the hash of its contents. */
	SHA256((const unsigned char *)buf, PAGE, page_hash);
	gva = (uintptr_t)buf;
	memcpy(record, &gva, sizeof(gva));
	memcpy(record + sizeof(gva), page_hash, sizeof(page_hash));
	SHA256(record, sizeof(record), digest);
	EXPECT_EQ(0, memcmp(digest, q.report.protected_sha256, 32));
	/* A second quote with another nonce: a new signature over the new nonce. */
	nonce[0] ^= 1;
	ASSERT_EQ(0, quote(&r, nonce, &q));
	EXPECT_EQ(0, memcmp(nonce, q.report.nonce, sizeof(nonce)));
	EXPECT_TRUE(openssl_verifies(&q, key.public_key));
}

/* Attacker: whoever edits a quote on its way to the verifier. */
TEST_F(trust, any_changed_byte_of_a_quote_fails)
{
	struct hvtrust_quote_key key;
	struct hvtrust_quote q, bad;
	uint64_t nonce[4];
	struct raw r;
	size_t i;

	ASSERT_EQ(0, quote_key(self->dev, &key));
	ASSERT_EQ(0, raw_open(&r));
	random_nonce(nonce);
	ASSERT_EQ(0, quote(&r, nonce, &q));
	ASSERT_TRUE(openssl_verifies(&q, key.public_key));
	for (i = 0; i < sizeof(q); i++) {
		bad = q;
		((uint8_t *)&bad)[i] ^= 0x01;
		EXPECT_FALSE(openssl_verifies(&bad, key.public_key)) {
			TH_LOG("byte %zu changed, still verifies", i);
		}
	}
	/* Another key: nothing verifies. */
	key.public_key[0] ^= 0x80;
	EXPECT_FALSE(openssl_verifies(&q, key.public_key));
}

/*
 * A revoked program cannot hide it: its quote, asked for through its own
 * stub without the token it no longer has, says REVOKED, and verifies.
 */
TEST_F(trust, a_revoked_session_quotes_revoked)
{
	const uint64_t no_token[4] = { 0 };
	struct hvtrust_quote_key key;
	struct hvtrust_quote q;
	uint64_t nonce[4];
	struct raw r;
	char *buf;

	ASSERT_EQ(0, quote_key(self->dev, &key));
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 1, PAGE);
	ASSERT_EQ(0, raw_open(&r));
	ASSERT_EQ(0, raw_protect(&r, buf, PAGE));
	buf[10] = 2;
	ASSERT_EQ(-EKEYREVOKED, raw_status(&r));
	random_nonce(nonce);
	EXPECT_EQ(-EKEYREVOKED, quote_via(&r, 0, no_token, nonce, &q));
	EXPECT_TRUE(openssl_verifies(&q, key.public_key));
	EXPECT_EQ(HVTRUST_QUOTE_REVOKED, q.report.flags);
	EXPECT_EQ(0, memcmp(nonce, q.report.nonce, sizeof(nonce)));
	EXPECT_EQ(r.page->session_id, q.report.session_id);
	EXPECT_LE(1, q.report.revocations);
}

/*
 * Attackers: another process with no session of its own, the program's
 * own code calling past its stub, a caller with a wrong token. None gets
 * a quote: the call fails and the quote area stays as it was.
 */
TEST_F(trust, impostors_get_no_quote)
{
	uint64_t nonce[4], tok[4], wrong[4];
	struct hvtrust_quote before, after;
	struct hc h = { .rax = HVTRUST_HC_QUOTE };
	struct raw r;
	pid_t pid;

	random_nonce(nonce);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* A process with no session, straight VMCALL. */
		hc_direct(&h);
		_exit(h.rax == (uint64_t)-EPERM ? 0 : 1);
	}
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, raw_open(&r));
	token_of(&r, tok);
	memcpy(&before, (const uint8_t *)r.page + HVTRUST_SESSION_QUOTE_OFFSET, sizeof(before));
	/* The right token, but a VMCALL from the program's own code, not its stub. */
	h = (struct hc){ .rax = HVTRUST_HC_QUOTE, .rbx = tok[0], .rcx = tok[1], .rdx = tok[2],
			 .rsi = tok[3], .rdi = nonce[0] };
	hc_direct(&h);
	EXPECT_EQ(-EPERM, (long)h.rax);
	/* The stub, with a wrong token. */
	memcpy(wrong, tok, sizeof(wrong));
	wrong[2] ^= 4;
	EXPECT_EQ(-EKEYREJECTED, quote_via(&r, 0, wrong, nonce, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	/* The session is still fine: the right token still gets one. */
	EXPECT_EQ(0, quote(&r, nonce, &after));
	EXPECT_EQ(HVTRUST_QUOTE_MAGIC, after.report.magic);
}

/* ---- secrets ---- */

static void name_of(char name[HVTRUST_SECRET_NAME_SIZE], const char *text)
{
	memset(name, 0, HVTRUST_SECRET_NAME_SIZE);
	strncpy(name, text, HVTRUST_SECRET_NAME_SIZE - 1);
}

/* Root cannot fault pages in: what it reads must be mapped, as libhvtrust makes sure. */
static void prefault(const void *data, uint64_t len)
{
	const volatile char *p = data;
	uint64_t i;

	for (i = 0; i < len; i += PAGE)
		(void)p[i];
	if (len)
		(void)p[len - 1];
}

static long secret_put(const struct raw *r, const char *text, const void *data, uint64_t len)
{
	char name[HVTRUST_SECRET_NAME_SIZE];
	uint64_t tok[4];
	struct hc h;

	name_of(name, text);
	if ((uintptr_t)data >= PAGE)
		prefault(data, len);
	token_of(r, tok);
	h = (struct hc){ .rax = HVTRUST_HC_SECRET_PUT, .rbx = tok[0], .rcx = tok[1],
			 .rdx = tok[2], .rsi = tok[3], .rdi = (uintptr_t)name,
			 .r8 = (uintptr_t)data, .r9 = len };
	hc_via(r->page->safe_hypercall, &h);
	return h.rax;
}

/* GET into @page, which the session protects. Return: the length or -errno. */
static long secret_get(const struct raw *r, const char *text, void *page)
{
	char name[HVTRUST_SECRET_NAME_SIZE];
	uint64_t tok[4];
	struct hc h;

	name_of(name, text);
	token_of(r, tok);
	h = (struct hc){ .rax = HVTRUST_HC_SECRET_GET, .rbx = tok[0], .rcx = tok[1],
			 .rdx = tok[2], .rsi = tok[3], .rdi = (uintptr_t)name,
			 .r8 = (uintptr_t)page };
	hc_via(r->page->safe_hypercall, &h);
	return h.rax;
}

/* A session with one protected page to receive secrets in; 0 or what failed. */
static long open_with_inbox(struct raw *r, unsigned char **inbox)
{
	long ret;

	*inbox = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*inbox == MAP_FAILED)
		return -errno;
	memset(*inbox, 0xee, PAGE);
	ret = raw_open(r);
	return ret ? ret : raw_protect(r, *inbox, PAGE);
}

static void pattern(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 31 + seed);
}

#define SECRET_NAME	"quote-test-secret"

/*
 * A daemon stores a secret and exits; its next run (a new process, a new
 * session) gets it back, written by the hypervisor into a page it protects,
 * which stays protected with its new contents. Deleting it works too.
 */
TEST_F(trust, a_secret_comes_back_to_the_next_run_of_the_program)
{
	unsigned char data[HVTRUST_SECRET_MAX_SIZE], *inbox;
	struct raw r;
	pid_t pid;

	pattern(data, sizeof(data), 7);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct raw first;

		CHILD_CHECK(raw_open(&first) == 0, 2);
		CHILD_CHECK(secret_put(&first, SECRET_NAME, data, sizeof(data)) == 0, 3);
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, open_with_inbox(&r, &inbox));
	ASSERT_EQ(sizeof(data), secret_get(&r, SECRET_NAME, inbox));
	EXPECT_EQ(0, memcmp(data, inbox, sizeof(data)));
	/* The page keeps its protection, with the secret as its contents now. */
	EXPECT_EQ(0, raw_call(&r, HVTRUST_HC_CHECK, NULL, NULL));
	/* A shorter one replaces it; the rest of the page reads as zeros. */
	ASSERT_EQ(0, secret_put(&r, SECRET_NAME, "short", 5));
	ASSERT_EQ(5, secret_get(&r, SECRET_NAME, inbox));
	EXPECT_EQ(0, memcmp("short", inbox, 5));
	EXPECT_EQ(0, inbox[5] | inbox[PAGE - 1]);
	/* Deleted: gone. */
	ASSERT_EQ(0, secret_put(&r, SECRET_NAME, NULL, 0));
	EXPECT_EQ(-ENOENT, secret_get(&r, SECRET_NAME, inbox));
	/* Only into a page the session protects. */
	ASSERT_EQ(0, secret_put(&r, SECRET_NAME, "x", 1));
	EXPECT_EQ(-EINVAL, secret_get(&r, SECRET_NAME, data));
	EXPECT_EQ(-EINVAL, secret_put(&r, SECRET_NAME, data, HVTRUST_SECRET_MAX_SIZE + 1));
	EXPECT_EQ(-EFAULT, secret_put(&r, SECRET_NAME, (void *)8, 16));
	/* A failed PUT left the old secret whole. */
	EXPECT_EQ(1, secret_get(&r, SECRET_NAME, inbox));
	ASSERT_EQ(0, secret_put(&r, SECRET_NAME, NULL, 0));
}

/* The library's way: a secret in, the same bytes out; a quote through it verifies. */
TEST_F(trust, the_library_keeps_secrets_and_gets_quotes)
{
	unsigned char data[300], back[HVTRUST_SECRET_MAX_SIZE];
	uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE];
	struct hvtrust_quote_key key;
	struct hvtrust_session *s;
	struct hvtrust_quote q;

	pattern(data, sizeof(data), 3);
	ASSERT_EQ(0, hvtrust_open(&s));
	ASSERT_EQ(0, hvtrust_secret_put(s, "library-secret", data, sizeof(data)));
	EXPECT_EQ(-ENOBUFS, hvtrust_secret_get(s, "library-secret", back, 10));
	ASSERT_EQ(sizeof(data), hvtrust_secret_get(s, "library-secret", back, sizeof(back)));
	EXPECT_EQ(0, memcmp(data, back, sizeof(data)));
	EXPECT_EQ(-ENOENT, hvtrust_secret_get(s, "no-such-secret", back, sizeof(back)));
	EXPECT_EQ(-EINVAL, hvtrust_secret_put(s, "", data, 1));
	EXPECT_EQ(0, hvtrust_secret_put(s, "library-secret", NULL, 0));
	/* The page the library used for it is released: nothing stays protected. */
	EXPECT_EQ(0, hvtrust_check(s, NULL));
	ASSERT_EQ(0, hvtrust_quote_key(&key));
	memset(nonce, 0x77, sizeof(nonce));
	ASSERT_EQ(0, hvtrust_quote(s, nonce, &q));
	EXPECT_EQ(0, hvtrust_quote_verify(&q, key.public_key, nonce));
	EXPECT_TRUE(openssl_verifies(&q, key.public_key));
	EXPECT_EQ(0, q.report.protected_pages);
	EXPECT_EQ(0, hvtrust_close(s));
}

/* A program holds at most max_secrets_per_program; the next one is -ENOSPC. */
TEST_F(trust, a_program_holds_a_bounded_number_of_secrets)
{
	long most = hvt_module_param("max_secrets_per_program"), i;
	char name[HVTRUST_SECRET_NAME_SIZE];
	struct raw r;

	ASSERT_LT(0, most);
	ASSERT_EQ(0, raw_open(&r));
	/* What another test of this program may have left. */
	secret_put(&r, SECRET_NAME, NULL, 0);
	for (i = 0; i < most; i++) {
		snprintf(name, sizeof(name), "bounded-%ld", i);
		ASSERT_EQ(0, secret_put(&r, name, "v", 1));
	}
	EXPECT_EQ(-ENOSPC, secret_put(&r, "bounded-more", "v", 1));
	/* Replacing one that exists still works. */
	EXPECT_EQ(0, secret_put(&r, "bounded-0", "w", 1));
	for (i = 0; i < most; i++) {
		snprintf(name, sizeof(name), "bounded-%ld", i);
		EXPECT_EQ(0, secret_put(&r, name, NULL, 0));
	}
}

/* The role of the copy below: its own session asks for SECRET_NAME. */
static int role_secret_get(void)
{
	unsigned char *inbox;
	struct raw r;
	long ret;

	if (open_with_inbox(&r, &inbox))
		return 2;
	ret = secret_get(&r, SECRET_NAME, inbox);
	return ret == -ENOENT ? 0 : ret >= 0 ? 1 : 3;
}

/* The role that stores SECRET_NAME for the copy's own identity. */
static int role_secret_put(void)
{
	struct raw r;

	if (raw_open(&r))
		return 2;
	return secret_put(&r, SECRET_NAME, "copy", 4) ? 3 : 0;
}

static int run_copy(const char *role)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		setenv("HVT_TRUST_ROLE", role, 1);
		execl(COPY_PATH, COPY_PATH, (char *)NULL);
		_exit(127);
	}
	return wait_exit(pid);
}

/*
 * Attacker: another registered program (a copy of this one, one byte
 * longer) asks for this program's secret by name: it gets nothing. Its own
 * secret goes when it is unregistered: registered again, it finds none.
 */
TEST_F(trust, secrets_belong_to_one_program_and_go_with_its_registration)
{
	struct hvt_mf_status st;
	struct hvtrust_manifest *mf;
	uint32_t copy_id;
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	ASSERT_EQ(0, secret_put(&r, SECRET_NAME, "mine", 4));
	ASSERT_EQ(0, make_copy("other program"));
	ASSERT_EQ(0, hvt_manifest_build_path(COPY_PATH, &mf, &st));
	ASSERT_EQ(0, do_register(self->dev, COPY_PATH, mf, mf->size, &copy_id));
	EXPECT_EQ(0, run_copy("secret-get"));
	EXPECT_EQ(0, run_copy("secret-put"));
	ASSERT_EQ(0, do_unregister(self->dev, copy_id));
	ASSERT_EQ(0, do_register(self->dev, COPY_PATH, mf, mf->size, &copy_id));
	EXPECT_EQ(0, run_copy("secret-get"));
	EXPECT_EQ(0, do_unregister(self->dev, copy_id));
	free(mf);
	unlink(COPY_PATH);
	EXPECT_EQ(0, secret_put(&r, SECRET_NAME, NULL, 0));
}

/*
 * Out of VMX, Linux could read the hypervisor's memory: a CPU that leaves
 * (the path of suspend, hibernation and unload) takes every secret along.
 */
TEST_F(trust, secrets_do_not_outlive_a_cpu_leaving_the_hypervisor)
{
	unsigned char *inbox;
	struct raw r;
	pid_t pid;

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (access(DEVIRTUALIZE_HOOK, W_OK))
		SKIP(return, "a module without test hooks");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct raw first;

		CHILD_CHECK(raw_open(&first) == 0, 2);
		CHILD_CHECK(secret_put(&first, SECRET_NAME, "gone", 4) == 0, 3);
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, devirtualize_cpu(0));
	ASSERT_TRUE(all_cpus_virtualized(self->dev));
	ASSERT_EQ(0, open_with_inbox(&r, &inbox));
	EXPECT_EQ(-ENOENT, secret_get(&r, SECRET_NAME, inbox));
}

static int run_role(const char *role)
{
	if (!strcmp(role, "secret-get"))
		return role_secret_get();
	if (!strcmp(role, "secret-put"))
		return role_secret_put();
	return UNKNOWN_ROLE;
}

int main(int argc, char **argv)
{
	return hvt_trust_main(argc, argv, run_role);
}
