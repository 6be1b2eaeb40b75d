// SPDX-License-Identifier: GPL-2.0
/* hvtrust-exampled: an example trusted daemon that has the hypervisor guard its code and data. */
/* Context: user space (root), a registered binary; logs to stderr in syslog-style lines. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <link.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "libhvtrust.h"
#include "../uapi/hvtrust.h"

#define EXAMPLED_VERSION	HVT_VERSION
#define DATA_PAGES		4
#define PAGE			HVTRUST_PAGE_SIZE

enum exit_code {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_NO_HYPERVISOR = 3,
	EXIT_VIOLATION = 4,
};

/* The secret-holding buffer the hypervisor watches: whole pages of its own. */
static unsigned char data[DATA_PAGES * PAGE] __attribute__((aligned(PAGE)));
/* Its SHA-256 when protected, by libcrypto: the daemon's own view beside the hypervisor's. */
static unsigned char data_digest[32];
static volatile sig_atomic_t stop_requested;

/* "<N>" prefixes are the syslog levels that journald reads from stderr. */
static void __attribute__((format(printf, 2, 3))) say(int level, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "<%d>hvtrust-exampled[%d]: ", level, (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define LOG_ERR		3
#define LOG_WARNING	4
#define LOG_NOTICE	5
#define LOG_INFO	6

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hvtrust-exampled [OPTION]...\n"
		"An example trusted daemon: opens an hvtrust session, asks the hypervisor to\n"
		"protect its own code and a data buffer, and checks them periodically.\n"
		"The binary must be registered first (hvtrustctl register).\n"
		"\n"
		"  -1, --once           check once and exit\n"
		"  -i, --interval MS    milliseconds between checks (default 1000)\n"
		"  -n, --count N        stop after N checks (default: until SIGINT/SIGTERM)\n"
		"  -h, --help           display this help and exit\n"
		"  -V, --version        output version information and exit\n"
		"\n"
		"Exit status: 0 stopped normally, 1 error, 2 usage error, 3 hvtrust not running,\n"
		"4 integrity violation (the session was revoked).\n");
}

static bool parse_number(const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	return !errno && end != text && !*end && text[0] != '-' && *out <= max;
}

static unsigned char pattern_byte(size_t i)
{
	return (unsigned char)(i * 131 + 17);
}

struct code_range {
	uintptr_t start[HVTRUST_MANIFEST_MAX_SEGMENTS];
	uintptr_t end[HVTRUST_MANIFEST_MAX_SEGMENTS];
	int count;
};

/* The executable segments of the program itself, where the loader put them. */
static int code_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct code_range *code = arg;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || !ph->p_memsz ||
		    code->count == HVTRUST_MANIFEST_MAX_SEGMENTS)
			continue;
		code->start[code->count] = info->dlpi_addr + ph->p_vaddr;
		code->end[code->count] = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		code->count++;
	}
	return 1;	/* the first object is the program itself */
}

static int protect_all(struct hvtrust_session *s)
{
	struct code_range code = { .count = 0 };
	size_t i;
	int ret, k;

	dl_iterate_phdr(code_cb, &code);
	for (k = 0; k < code.count; k++) {
		ret = hvtrust_protect(s, (void *)code.start[k], code.end[k] - code.start[k]);
		if (ret) {
			say(LOG_ERR, "protecting code %#lx-%#lx: %s", (unsigned long)code.start[k],
			    (unsigned long)code.end[k], hvtrust_strerror(ret));
			return ret;
		}
		say(LOG_INFO, "code %#lx-%#lx protected", (unsigned long)code.start[k],
		    (unsigned long)code.end[k]);
	}
	for (i = 0; i < sizeof(data); i++)
		data[i] = pattern_byte(i);
	if (!EVP_Digest(data, sizeof(data), data_digest, NULL, EVP_sha256(), NULL)) {
		say(LOG_ERR, "libcrypto cannot hash the data");
		return -EIO;
	}
	ret = hvtrust_protect(s, data, sizeof(data));
	if (ret) {
		say(LOG_ERR, "protecting data %p: %s", (void *)data, hvtrust_strerror(ret));
		return ret;
	}
	say(LOG_INFO, "data %p-%p protected (%d pages)", (void *)data,
	    (void *)(data + sizeof(data)), DATA_PAGES);
	return 0;
}

/* Our own view of the data, beside the hypervisor's: its hash, then the first byte changed. */
static bool data_intact(size_t *first_bad)
{
	unsigned char digest[sizeof(data_digest)];
	size_t i;

	if (EVP_Digest(data, sizeof(data), digest, NULL, EVP_sha256(), NULL) &&
	    !CRYPTO_memcmp(digest, data_digest, sizeof(digest)))
		return true;
	for (i = 0; i < sizeof(data) && data[i] == pattern_byte(i); i++)
		;
	*first_bad = i;
	return false;
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	/* a signal ends the pause early (no SA_RESTART) */
	nanosleep(&ts, NULL);
}

static int run(unsigned long interval_ms, unsigned long count)
{
	struct hvtrust_session_status st;
	struct hvtrust_session *s;
	unsigned long n;
	uintptr_t changed;
	size_t bad;
	int ret, code = EXIT_OK;

	/*
	 * Everything libcrypto will ever map, its configuration and providers,
	 * is loaded now: executable memory that appears once the session is
	 * open revokes it.
	 */
	if (!OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) ||
	    !EVP_Digest("", 0, data_digest, NULL, EVP_sha256(), NULL)) {
		say(LOG_ERR, "libcrypto does not start");
		return EXIT_ERROR;
	}
	ret = hvtrust_open(&s);
	if (ret) {
		say(LOG_ERR, "cannot open a session: %s", hvtrust_strerror(ret));
		return ret == -ENODEV ? EXIT_NO_HYPERVISOR : EXIT_ERROR;
	}
	ret = hvtrust_status(s, &st);
	if (ret) {
		say(LOG_ERR, "status: %s", hvtrust_strerror(ret));
		hvtrust_close(s);
		return EXIT_ERROR;
	}
	say(LOG_NOTICE, "session %llu open", (unsigned long long)st.session_id);
	if (protect_all(s)) {
		hvtrust_close(s);
		return EXIT_ERROR;
	}
	for (n = 0; !stop_requested && (!count || n < count); n++) {
		if (n)
			sleep_ms(interval_ms);
		if (stop_requested)
			break;
		ret = hvtrust_check(s, &changed);
		if (ret == -EBADMSG) {
			say(LOG_ERR, "integrity violation: protected memory changed at %#lx",
			    (unsigned long)changed);
			code = EXIT_VIOLATION;
			break;
		}
		if (ret == -EKEYREVOKED) {
			say(LOG_ERR, "session revoked by the hypervisor: protected memory was written");
			code = EXIT_VIOLATION;
			break;
		}
		if (ret) {
			say(LOG_ERR, "check: %s", hvtrust_strerror(ret));
			code = ret == -ENODEV ? EXIT_NO_HYPERVISOR : EXIT_ERROR;
			break;
		}
		if (!data_intact(&bad)) {
			say(LOG_ERR, "data differs from its pattern at %p, yet the hypervisor saw no change",
			    (void *)(data + bad));
			code = EXIT_VIOLATION;
			break;
		}
		ret = hvtrust_status(s, &st);
		if (ret) {
			say(LOG_ERR, "status: %s", hvtrust_strerror(ret));
			code = ret == -EKEYREVOKED ? EXIT_VIOLATION : EXIT_ERROR;
			break;
		}
		say(LOG_INFO, "check %lu ok: %llu pages protected, %llu checks run", n + 1,
		    (unsigned long long)st.protected_pages, (unsigned long long)st.checks);
	}
	ret = hvtrust_close(s);
	if (ret && code == EXIT_OK) {
		say(LOG_WARNING, "close: %s", hvtrust_strerror(ret));
		code = EXIT_ERROR;
	}
	if (code == EXIT_OK)
		say(LOG_NOTICE, "stopped after %lu checks", n);
	return code;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "once", no_argument, NULL, '1' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long interval = 1000, count = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "1i:n:hV", options, NULL)) != -1) {
		switch (opt) {
		case '1':
			count = 1;
			break;
		case 'i':
			if (!parse_number(optarg, 3600UL * 1000, &interval)) {
				fprintf(stderr, "hvtrust-exampled: --interval '%s': expected 0 to 3600000 ms\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (!parse_number(optarg, ULONG_MAX, &count) || !count) {
				fprintf(stderr, "hvtrust-exampled: --count '%s': expected a positive number\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("hvtrust-exampled %s (hvtrust ABI %d)\n", EXAMPLED_VERSION,
			       HVTRUST_ABI_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "hvtrust-exampled: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return run(interval, count);
}
