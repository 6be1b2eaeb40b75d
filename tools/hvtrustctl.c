// SPDX-License-Identifier: GPL-2.0
/* hvtrustctl: the administrator's command-line tool for /dev/hvtrust. */
/* Context: user space (root). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../uapi/hvtrust.h"
#include "hvtrustctl_config.h"
#include "hvtrustctl_opts.h"
#include "deps.h"
#include "libhvtrust.h"
#include "manifest.h"

#define HVTRUSTCTL_VERSION	HVT_VERSION
#define DEVICE_PATH		"/dev/" HVTRUST_DEVICE_NAME
#define CONFIG_DIR		"/etc/hvtrust/trusted.d"
#define MAIN_CONFIG		"/etc/hvtrust/hvtrust.conf"

/* The exit status; hvtrustctl(8) and --help list the same codes (scripts/man-check.sh). */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* the operation failed: refused, a file unreadable or unfit */
	EXIT_USAGE = 2,		/* usage or configuration error: nothing was attempted */
	EXIT_NO_MODULE = 3,	/* no /dev/hvtrust: the module is not loaded */
};

/*
 * The "version" of every JSON object printed: raised when a field changes
 * meaning or goes away, not when one is added. hvtrustctl(8) documents the fields.
 */
#define JSON_VERSION		1

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static bool json_output;

/* Before the command, and after it for the commands that print JSON. */
#define JSON_OPTION	{ .long_name = "json", .short_name = 'j', .flag = &json_output }

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hvtrustctl [OPTION]... COMMAND [ARGUMENT]...\n"
		"Control the hvtrust hypervisor and its registry of trusted binaries through\n"
		DEVICE_PATH ".\n"
		"\n"
		"Commands:\n"
		"  status [--json]         show whether the hypervisor runs, its VM exits per\n"
		"                          CPU, and the VMX capabilities and controls it uses\n"
		"  manifest FILE [-o OUT] [--json]\n"
		"                          describe the manifest of an ELF64 x86-64 FILE (its\n"
		"                          executable segments and page hashes); with\n"
		"                          -o, --output OUT, write the binary manifest to OUT\n"
		"                          instead ('-' for standard output)\n"
		"  register FILE... [--lib LIB]...\n"
		"                          register trusted programs (CAP_SYS_ADMIN), each with\n"
		"                          its interpreter and the libraries it needs, found as\n"
		"                          the dynamic loader finds them, and every LIB (for\n"
		"                          what it opens with dlopen)\n"
		"  register --config[=DIR] register the binaries every DIR/*.conf names\n"
		"                          (default " CONFIG_DIR "): lines\n"
		"                          'path = /absolute/path', optionally followed by\n"
		"                          'sha256 = <64 hex digits>' that the file must match;\n"
		"                          lines starting with '#' are comments. Nothing is\n"
		"                          registered when a line is wrong; binaries already\n"
		"                          registered are skipped\n"
		"  unregister ID|FILE      remove a binary by registry id, or the binary with\n"
		"                          FILE's SHA-256 (write ./N for a file named N)\n"
		"  list [--json]           list the registered binaries\n"
		"  seal [--if-configured[=FILE]]\n"
		"                          refuse register, unregister and unloading until\n"
		"                          reboot; with --if-configured, only when FILE\n"
		"                          (default " MAIN_CONFIG ") says 'seal = yes'\n"
		"  log [--follow] [--json] print and consume the hypervisor's audit records;\n"
		"                          -f, --follow keeps waiting for more until interrupted\n"
		"  quote key [-o OUT] [--pem]\n"
		"                          print the hypervisor's Ed25519 quote key as 64 hex\n"
		"                          digits, with --pem as a PEM public key; with\n"
		"                          -o, --output OUT, write it to OUT ('-' for standard\n"
		"                          output)\n"
		"  quote verify FILE [--key KEY] [--nonce HEX] [--json]\n"
		"                          check the signed quote in FILE (504 bytes) against\n"
		"                          KEY (64 hex digits, 32 bytes or PEM; without --key,\n"
		"                          this machine's key from " DEVICE_PATH "), and --nonce\n"
		"                          (64 hex digits) when given; print what it attests\n"
		"\n"
		"Files read (FILE, LIB, KEY, configuration files) must be regular files on a real\n"
		"filesystem: FIFOs, devices, sockets, directories and /proc or /sys files are\n"
		"refused.\n"
		"\n"
		"Options:\n"
		"  -j, --json     print machine-readable JSON (status, manifest, list, log,\n"
		"                 quote verify); also accepted after the command\n"
		"  -h, --help     display this help and exit\n"
		"  -V, --version  output version information and exit\n"
		"\n"
		"JSON output: one object (log: one per line), each with \"version\": %d; on\n"
		"failure {\"version\", \"error\", \"errno\"}. Fields: hvtrustctl(8), JSON OUTPUT.\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  the operation failed (refused by the module, a file unreadable or unfit)\n"
		"  2  usage or configuration error (unknown command or option, wrong arguments,\n"
		"     a configuration file that is malformed or cannot be read)\n"
		"  3  hvtrust is not loaded (no " DEVICE_PATH ")\n",
		JSON_VERSION);
}

/* "EBADMSG" for EBADMSG; glibc knows every name. */
static const char *errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown error";
}

static int open_device(void)
{
	int fd = open(DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		cli_error(err, "cannot open %s: %s%s", DEVICE_PATH, strerror(err),
			  err == ENOENT ? " (is the hvtrust module loaded?)" : "");
		return -err;
	}
	return fd;
}

static enum exit_code device_exit_code(int err)
{
	err = err < 0 ? -err : err;
	return err == ENOENT || err == ENXIO || err == ENODEV ?
	       EXIT_NO_MODULE : EXIT_FAILED;
}

/* What an ioctl's errno means for hvtrust, by command. */
static const char *ioctl_meaning(unsigned long cmd, int err)
{
	switch (err) {
	case EPERM:
		if (cmd == HVTRUST_IOC_REGISTER || cmd == HVTRUST_IOC_UNREGISTER)
			return "not permitted: needs CAP_SYS_ADMIN, or the registry is sealed";
		return "not permitted: needs CAP_SYS_ADMIN";
	case EBADMSG:
		return "manifest does not match the file";
	case EEXIST:
		return "already registered (a file with the same SHA-256)";
	case ENOSPC:
		return "the registry is full";
	case EINVAL:
		if (cmd == HVTRUST_IOC_REGISTER)
			return "the module refused the manifest or request as malformed";
		return "the module refused the request as malformed";
	case ENOENT:
		if (cmd == HVTRUST_IOC_UNREGISTER)
			return "no binary with this id is registered";
		break;
	case ENODEV:
		return "the hypervisor does not run";
	case ENOTTY:
		return "the loaded hvtrust module does not implement this command (older version?)";
	case E2BIG:
		return "the loaded hvtrust module is older than this tool";
	}
	return strerror(err);
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Names of the basic exit reasons hvtrust handles (SDM Vol. 3D, appendix C). */
static const char *const exit_names[HVTRUST_EXIT_REASONS] = {
	[0] = "exception/NMI", [2] = "triple fault", [3] = "INIT", [8] = "NMI window",
	[10] = "CPUID", [11] = "GETSEC", [13] = "INVD", [18] = "VMCALL",
	[19] = "VMCLEAR", [20] = "VMLAUNCH", [21] = "VMPTRLD", [22] = "VMPTRST",
	[23] = "VMREAD", [24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMXOFF",
	[27] = "VMXON", [28] = "CR access", [31] = "RDMSR", [32] = "WRMSR",
	[33] = "invalid guest state", [48] = "EPT violation", [49] = "EPT misconfig",
	[50] = "INVEPT", [53] = "INVVPID", [55] = "XSETBV",
};

static void print_exits(int fd, unsigned int cpus_online)
{
	unsigned int cpu, reason;

	for (cpu = 0; cpu < cpus_online; cpu++) {
		struct hvtrust_exits exits = { .size = sizeof(exits), .cpu = cpu };
		bool first = true;

		if (ioctl(fd, HVTRUST_IOC_GET_EXITS, &exits))
			continue;
		if (json_output) {
			printf("%s{\"cpu\":%u,\"exits\":{", cpu ? "," : "", cpu);
			for (reason = 0; reason < HVTRUST_EXIT_REASONS; reason++) {
				if (!exits.counts[reason])
					continue;
				printf("%s\"%u\":%llu", first ? "" : ",", reason,
				       (unsigned long long)exits.counts[reason]);
				first = false;
			}
			printf("}}");
			continue;
		}
		printf("  CPU %u VM exits:", cpu);
		for (reason = 0; reason < HVTRUST_EXIT_REASONS; reason++) {
			if (!exits.counts[reason])
				continue;
			if (exit_names[reason])
				printf(" %s %llu", exit_names[reason],
				       (unsigned long long)exits.counts[reason]);
			else
				printf(" reason %u: %llu", reason,
				       (unsigned long long)exits.counts[reason]);
		}
		printf("\n");
	}
}

/* ---- the quote key ---- */

static bool sha256_of(const void *data, size_t len, uint8_t out[HVTRUST_SHA256_SIZE])
{
	bool ok = EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL) == 1;

	ERR_clear_error();
	return ok;
}

/*
 * The hypervisor's public quote key; 0 or a positive errno. Its fingerprint
 * is computed here rather than taken from the module: what verifiers pin
 * must be the SHA-256 of exactly the key they are given.
 */
static int read_quote_key(int dev, uint8_t pub[HVTRUST_ED25519_KEY_SIZE],
			  uint8_t fingerprint[HVTRUST_SHA256_SIZE])
{
	struct hvtrust_quote_key key = { .size = sizeof(key) };

	if (ioctl(dev, HVTRUST_IOC_GET_QUOTE_KEY, &key))
		return errno;
	if (!sha256_of(key.public_key, sizeof(key.public_key), fingerprint))
		return ENOMEM;
	/* the module's own fingerprint disagreeing is a module bug, not a key */
	if (memcmp(fingerprint, key.key_sha256, HVTRUST_SHA256_SIZE))
		return EBADMSG;
	memcpy(pub, key.public_key, HVTRUST_ED25519_KEY_SIZE);
	return 0;
}

static int cmd_status(int argc, char **argv)
{
	uint8_t quote_key[HVTRUST_ED25519_KEY_SIZE], quote_key_sha256[HVTRUST_SHA256_SIZE];
	char key_hex[65], fingerprint_hex[65];
	bool have_quote_key;
	static const struct cli_option options[] = { JSON_OPTION };
	struct hvtrust_caps caps = { .size = sizeof(caps) };
	struct hvtrust_status status = { .size = sizeof(status) };
	int fd;

	if (cli_parse_options_only(argc, argv, options, ARRAY_SIZE(options)))
		return EXIT_USAGE;
	fd = open_device();
	if (fd < 0)
		return device_exit_code(fd);
	if (ioctl(fd, HVTRUST_IOC_GET_CAPS, &caps) ||
	    ioctl(fd, HVTRUST_IOC_GET_STATUS, &status)) {
		int err = errno;

		cli_error(err, "reading %s: %s", DEVICE_PATH, strerror(err));
		close(fd);
		return device_exit_code(err);
	}
	/*
	 * A module without quotes (ENOTTY), or one whose hypervisor does not
	 * run (ENODEV), has no key to show: the rest of the status stands.
	 */
	have_quote_key = !read_quote_key(fd, quote_key, quote_key_sha256);
	if (have_quote_key) {
		hvt_sha256_hex(quote_key, key_hex);
		hvt_sha256_hex(quote_key_sha256, fingerprint_hex);
	}

	if (json_output) {
		printf("{\"version\":%d,\"virtualized\":%s,\"cpus_online\":%u,\"cpus_virtualized\":%u,"
		       "\"hidden_pages\":%llu,\"frames_used\":%u,\"frames_max\":%u,"
		       "\"ept_tables_free\":%u,\"ept_tables\":%u,\"tables_watched\":%u,"
		       "\"sessions_clean\":%u,\"table_writes\":%llu,\"cpus\":[", JSON_VERSION,
		       status.flags & HVTRUST_STATUS_VIRTUALIZED ? "true" : "false",
		       status.cpus_online, status.cpus_virtualized,
		       (unsigned long long)status.hidden_pages, status.frames_used,
		       status.frames_max, status.ept_tables_free, status.ept_tables,
		       status.tables_watched, status.sessions_clean,
		       (unsigned long long)status.table_writes);
		print_exits(fd, status.cpus_online);
		printf("],");
		if (have_quote_key)
			printf("\"quote_key\":{\"public_key\":\"%s\",\"sha256\":\"%s\"},",
			       key_hex, fingerprint_hex);
		printf("\"caps\":");
	} else {
		printf("hypervisor: %s, %u of %u online CPUs virtualized, %llu pages hidden from Linux\n",
		       status.flags & HVTRUST_STATUS_VIRTUALIZED ? "running" : "not running",
		       status.cpus_virtualized, status.cpus_online,
		       (unsigned long long)status.hidden_pages);
		if (status.frames_max) {
			printf("protected pages: %u of %u; EPT split tables free: %u of %u\n",
			       status.frames_used, status.frames_max, status.ept_tables_free,
			       status.ept_tables);
			printf("page tables watched: %u; sessions whose calls skip walks: %u; "
			       "writes to watched tables: %llu\n", status.tables_watched,
			       status.sessions_clean, (unsigned long long)status.table_writes);
		}
		if (have_quote_key)
			printf("quote key fingerprint (SHA-256): %s\nquote key (Ed25519): %s\n",
			       fingerprint_hex, key_hex);
		print_exits(fd, status.cpus_online);
	}
	close(fd);

	if (json_output) {
		printf("{\"abi_version\":%u,\"cpus\":%u,\"true_ctls\":%s,"
		       "\"uniform\":%s,\"msr\":{\"feature_control\":%llu,"
		       "\"vmx_basic\":%llu,\"pinbased_ctls\":%llu,"
		       "\"procbased_ctls\":%llu,\"exit_ctls\":%llu,"
		       "\"entry_ctls\":%llu,\"procbased_ctls2\":%llu,"
		       "\"ept_vpid_cap\":%llu,\"misc\":%llu,\"vmfunc\":%llu},"
		       "\"controls\":{\"pinbased\":%u,\"procbased\":%u,"
		       "\"procbased2\":%u,\"exit\":%u,\"entry\":%u}}",
		       caps.abi_version, caps.nr_cpus,
		       caps.flags & HVTRUST_CAPS_TRUE_CTLS ? "true" : "false",
		       caps.flags & HVTRUST_CAPS_UNIFORM ? "true" : "false",
		       (unsigned long long)caps.feature_control,
		       (unsigned long long)caps.vmx_basic,
		       (unsigned long long)caps.pinbased_ctls,
		       (unsigned long long)caps.procbased_ctls,
		       (unsigned long long)caps.exit_ctls,
		       (unsigned long long)caps.entry_ctls,
		       (unsigned long long)caps.procbased_ctls2,
		       (unsigned long long)caps.ept_vpid_cap,
		       (unsigned long long)caps.misc,
		       (unsigned long long)caps.vmfunc,
		       caps.pinbased_exec, caps.procbased_exec,
		       caps.procbased_exec2, caps.exit_controls,
		       caps.entry_controls);
		printf("}\n");
		return EXIT_OK;
	}

	printf("hvtrust ABI %u, %u CPUs with identical VMX capabilities%s\n",
	       caps.abi_version, caps.nr_cpus,
	       caps.flags & HVTRUST_CAPS_TRUE_CTLS ? " (TRUE_* controls)" : "");
	printf("  IA32_FEATURE_CONTROL    %#018llx\n", (unsigned long long)caps.feature_control);
	printf("  IA32_VMX_BASIC          %#018llx  VMCS revision %#llx, %llu bytes\n",
	       (unsigned long long)caps.vmx_basic,
	       (unsigned long long)(caps.vmx_basic & 0x7fffffff),
	       (unsigned long long)((caps.vmx_basic >> 32) & 0x1fff));
	printf("  pin-based capability    %#018llx  -> controls %#010x\n",
	       (unsigned long long)caps.pinbased_ctls, caps.pinbased_exec);
	printf("  primary proc capability %#018llx  -> controls %#010x\n",
	       (unsigned long long)caps.procbased_ctls, caps.procbased_exec);
	printf("  secondary capability    %#018llx  -> controls %#010x (EPT %s, VPID %s)\n",
	       (unsigned long long)caps.procbased_ctls2, caps.procbased_exec2,
	       caps.procbased_exec2 & (1U << 1) ? "on" : "off",
	       caps.procbased_exec2 & (1U << 5) ? "on" : "off");
	printf("  VM-exit capability      %#018llx  -> controls %#010x\n",
	       (unsigned long long)caps.exit_ctls, caps.exit_controls);
	printf("  VM-entry capability     %#018llx  -> controls %#010x\n",
	       (unsigned long long)caps.entry_ctls, caps.entry_controls);
	printf("  IA32_VMX_EPT_VPID_CAP   %#018llx\n", (unsigned long long)caps.ept_vpid_cap);
	printf("  IA32_VMX_MISC           %#018llx\n", (unsigned long long)caps.misc);
	printf("  IA32_VMX_VMFUNC         %#018llx\n", (unsigned long long)caps.vmfunc);
	return EXIT_OK;
}


/* ---- manifest ---- */

static void segment_flags(uint32_t flags, char out[4])
{
	out[0] = flags & HVTRUST_SEGMENT_R ? 'r' : '-';
	out[1] = flags & HVTRUST_SEGMENT_W ? 'w' : '-';
	out[2] = flags & HVTRUST_SEGMENT_X ? 'x' : '-';
	out[3] = '\0';
}

static void print_manifest(const char *path, const struct hvtrust_manifest *m)
{
	char hex[65], flags[4];
	uint32_t i;

	hvt_sha256_hex(m->file_sha256, hex);
	if (json_output) {
		printf("{\"version\":%d,\"file\":", JSON_VERSION);
		print_json_string(path);
		printf(",\"file_size\":%llu,\"sha256\":\"%s\",\"pie\":%s,\"manifest_size\":%u,"
		       "\"nr_pages\":%u,\"segments\":[",
		       (unsigned long long)m->file_size, hex,
		       m->flags & HVTRUST_MANIFEST_PIE ? "true" : "false", m->size, m->nr_pages);
		for (i = 0; i < m->nr_segments; i++) {
			const struct hvtrust_manifest_segment *s = &m->segments[i];

			segment_flags(s->flags, flags);
			printf("%s{\"vaddr\":\"%#llx\",\"offset\":\"%#llx\",\"filesz\":%llu,"
			       "\"memsz\":%llu,\"flags\":\"%s\",\"first_page\":%u,\"nr_pages\":%u}",
			       i ? "," : "", (unsigned long long)s->vaddr,
			       (unsigned long long)s->offset, (unsigned long long)s->filesz,
			       (unsigned long long)s->memsz, flags, s->first_page, s->nr_pages);
		}
		printf("],\"page_sha256\":[");
		for (i = 0; i < m->nr_pages; i++) {
			hvt_sha256_hex(hvt_manifest_page_hash(m, i), hex);
			printf("%s\"%s\"", i ? "," : "", hex);
		}
		printf("]}\n");
		return;
	}
	printf("file:      %s\n", path);
	printf("size:      %llu bytes\n", (unsigned long long)m->file_size);
	printf("sha256:    %s\n", hex);
	printf("type:      %s\n", m->flags & HVTRUST_MANIFEST_PIE ?
	       "position-independent (ET_DYN), placed at a load bias" : "executable (ET_EXEC)");
	printf("manifest:  %u bytes, %u executable segment%s, %u page hash%s\n", m->size,
	       m->nr_segments, m->nr_segments == 1 ? "" : "s", m->nr_pages,
	       m->nr_pages == 1 ? "" : "es");
	for (i = 0; i < m->nr_segments; i++) {
		const struct hvtrust_manifest_segment *s = &m->segments[i];

		segment_flags(s->flags, flags);
		printf("segment %u: %s vaddr %#llx offset %#llx filesz %#llx memsz %#llx pages %u-%u\n",
		       i, flags, (unsigned long long)s->vaddr, (unsigned long long)s->offset,
		       (unsigned long long)s->filesz, (unsigned long long)s->memsz,
		       s->first_page, s->first_page + s->nr_pages - 1);
	}
}

/* @where: "FILE:LINE: " of the configuration line that names @path, or "". */
static struct hvtrust_manifest *build_manifest(const char *where, const char *path, int fd)
{
	struct hvtrust_manifest *m = NULL;
	struct hvt_mf_status st;

	if (hvt_manifest_build(fd, &m, &st)) {
		int err = -hvt_mf_errno(&st);

		cli_error(err, "%s%s: %s (%s)", where, path, st.message, errname(err));
		return NULL;
	}
	return m;
}

/* Opens a file the command reads as hvt_open_input() does, saying why not. */
static int open_input(const char *where, const char *path)
{
	const char *why;
	int fd = hvt_open_input(path, &why);

	if (fd < 0)
		cli_error(-fd, "%s%s: %s", where, path, why);
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int cmd_manifest(int argc, char **argv)
{
	const char *out = NULL;
	const struct cli_option options[] = {
		{ .long_name = "output", .short_name = 'o', .arg = CLI_REQUIRED_ARG,
		  .value = &out },
		JSON_OPTION,
	};
	struct hvtrust_manifest *m;
	bool to_stdout;
	const char *file;
	int first_operand, fd, ret;

	first_operand = cli_parse_options(argc, argv, options, ARRAY_SIZE(options), CLI_PERMUTE);
	if (first_operand < 0)
		return EXIT_USAGE;
	if (first_operand + 1 != argc) {
		cli_usage_error("needs exactly one FILE");
		return EXIT_USAGE;
	}
	if (out && json_output) {
		cli_usage_error("--output writes the binary manifest, --json describes it: not both");
		return EXIT_USAGE;
	}
	to_stdout = out && !strcmp(out, "-");
	/* Binary bytes would garble the terminal and say nothing. */
	if (to_stdout && isatty(STDOUT_FILENO)) {
		cli_usage_error("the binary manifest is not written to a terminal: redirect it");
		return EXIT_USAGE;
	}
	file = argv[first_operand];
	fd = open_input("", file);
	if (fd < 0)
		return EXIT_FAILED;
	m = build_manifest("", file, fd);
	close(fd);
	if (!m)
		return EXIT_FAILED;
	if (!out) {
		print_manifest(file, m);
		free(m);
		return EXIT_OK;
	}
	fd = to_stdout ? STDOUT_FILENO :
	     open(out, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd < 0) {
		cli_error(errno, "%s: %s", out, strerror(errno));
		free(m);
		return EXIT_FAILED;
	}
	ret = write_all(fd, m, m->size);
	if (!to_stdout && close(fd) && !ret)
		ret = -errno;
	free(m);
	if (ret) {
		cli_error(-ret, "writing %s: %s", to_stdout ? "standard output" : out,
			  strerror(-ret));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* ---- register ---- */

static int read_registry(int dev, struct hvtrust_binary **out, uint32_t *count, uint32_t *flags);

/* The id of the registered binary with SHA-256 @sha256; 0 or -errno. */
static int registered_id(int dev, const uint8_t *sha256, uint32_t *id)
{
	struct hvtrust_binary *bins;
	uint32_t count, flags, i;
	int ret = read_registry(dev, &bins, &count, &flags);

	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < count && ret; i++) {
		if (!memcmp(bins[i].file_sha256, sha256, HVTRUST_SHA256_SIZE)) {
			*id = bins[i].id;
			ret = 0;
		}
	}
	free(bins);
	return ret;
}

/*
 * Registers one binary; @conf names the configuration line (or NULL); a
 * library for @program (-1: a program). 0, 1 when it was registered already
 * and @exist_ok, or -errno; its id in *@id when it is registered.
 */
static int register_one(int dev, const char *path, const struct conf_entry *conf,
			bool exist_ok, int program, uint32_t *id)
{
	struct hvtrust_register reg = {
		.size = sizeof(reg),
		.flags = program >= 0 ? HVTRUST_REGISTER_LIBRARY : 0,
		.program = program >= 0 ? program : 0,
	};
	char prefix[PATH_MAX + 64] = "";
	struct hvtrust_manifest *m;
	int fd, err;

	if (conf)
		snprintf(prefix, sizeof(prefix), "%s: ", conf->where);
	fd = open_input(prefix, path);
	if (fd < 0)
		return fd;
	m = build_manifest(prefix, path, fd);
	if (!m) {
		close(fd);
		return -ENOEXEC;
	}
	if (conf && conf->has_sha256 && memcmp(conf->sha256, m->file_sha256, HVTRUST_SHA256_SIZE)) {
		char have[65], want[65];

		hvt_sha256_hex(m->file_sha256, have);
		hvt_sha256_hex(conf->sha256, want);
		cli_error(EBADMSG, "%s%s: SHA-256 is %s, the configuration says %s", prefix, path,
			  have, want);
		free(m);
		close(fd);
		return -EBADMSG;
	}
	reg.fd = fd;
	reg.manifest_size = m->size;
	reg.manifest = (uintptr_t)m;
	err = ioctl(dev, HVTRUST_IOC_REGISTER, &reg) ? errno : 0;
	close(fd);
	if (err == EEXIST && exist_ok) {
		printf("%s: already registered\n", path);
		err = registered_id(dev, m->file_sha256, id);
		free(m);
		return err ? err : 1;
	}
	if (err) {
		cli_error(err, "%s%s: %s (%s)", prefix, path, ioctl_meaning(HVTRUST_IOC_REGISTER, err),
			  errname(err));
		free(m);
		return -err;
	}
	if (program >= 0)
		printf("  library %s: id %u (%u code pages)\n", path, reg.id, m->nr_pages);
	else
		printf("%s: registered as id %u (%u code pages)\n", path, reg.id, m->nr_pages);
	*id = reg.id;
	free(m);
	return 0;
}

/*
 * A program and what it maps: its interpreter and libraries as the loader
 * finds them, and @extra (libraries it opens itself). Return as
 * register_one() for the program; a library that fails fails it all.
 */
/* Unregisters program @id again; the module drops the libraries only it used. */
static void unregister_incomplete(int dev, const char *path, uint32_t id)
{
	struct hvtrust_unregister unreg = { .size = sizeof(unreg), .id = id };

	if (ioctl(dev, HVTRUST_IOC_UNREGISTER, &unreg))
		cli_error(errno, "%s: cannot take id %u back: %s", path, id, strerror(errno));
	else
		cli_error(0, "%s: a library failed, id %u taken back", path, id);
}

static int register_program(int dev, const char *path, const struct conf_entry *conf,
			    bool exist_ok, char **extra, int nr_extra)
{
	struct hvt_deps deps;
	char why[PATH_MAX + 128];
	uint32_t id, lib_id;
	int ret, lib_ret, i;
	bool registered_now;
	size_t k;

	ret = hvt_deps_resolve(path, &deps, why, sizeof(why));
	if (ret) {
		/* @why names the file: the program, its interpreter or a library */
		if (conf)
			cli_error(-ret, "%s: %s", conf->where, why);
		else
			cli_error(-ret, "%s", why);
		return ret;
	}
	ret = register_one(dev, path, conf, exist_ok, -1, &id);
	registered_now = ret == 0;
	for (k = 0; ret >= 0 && k < deps.count; k++) {
		lib_ret = register_one(dev, deps.paths[k], NULL, true, id, &lib_id);
		if (lib_ret < 0)
			ret = lib_ret;
	}
	for (i = 0; ret >= 0 && i < nr_extra; i++) {
		lib_ret = register_one(dev, extra[i], NULL, true, id, &lib_id);
		if (lib_ret < 0)
			ret = lib_ret;
	}
	hvt_deps_free(&deps);
	/* A program without all its libraries could never open a session: take it back. */
	if (ret < 0 && registered_now)
		unregister_incomplete(dev, path, id);
	return ret;
}

/*
 * Whether @path exists but is of a kind never registered (a FIFO, a device, a
 * directory, a pseudo-file): said at once, before the device is opened, so
 * that it is named even where the module is not loaded. A missing or
 * unreadable file is left to the registration, which reports it as it meets it.
 */
static bool input_unfit(const char *where, const char *path)
{
	struct statfs fs;
	struct stat sb;
	const char *why;

	if (stat(path, &sb) || statfs(path, &fs))
		return false;
	why = hvt_input_refusal(&sb, (unsigned long)fs.f_type);
	if (why)
		cli_error(hvt_input_refusal_errno(&sb), "%s%s: %s", where, path, why);
	return why != NULL;
}

static int cmd_register(int argc, char **argv)
{
	bool from_config = false;
	const char *dir = CONFIG_DIR;
	const struct cli_option options[] = {
		{ .long_name = "config", .arg = CLI_OPTIONAL_ARG, .flag = &from_config,
		  .value = &dir, .fallback = CONFIG_DIR },
	};
	struct conf_list list = { };
	bool failed = false, no_device = false;
	int first_operand, dev, i, ret, nr_libs = 0;
	char *libs[HVT_DEPS_MAX];
	size_t k;

	/* --lib LIB, as often as needed: taken out before the common options. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--lib"))
			continue;
		if (i + 1 == argc || nr_libs == HVT_DEPS_MAX) {
			cli_usage_error("--lib needs a FILE (%d at most)", HVT_DEPS_MAX);
			return EXIT_USAGE;
		}
		libs[nr_libs++] = argv[i + 1];
		memmove(&argv[i], &argv[i + 2], (argc - i - 2) * sizeof(*argv));
		argc -= 2;
		i--;
	}
	first_operand = cli_parse_options(argc, argv, options, ARRAY_SIZE(options), CLI_PERMUTE);
	if (first_operand < 0)
		return EXIT_USAGE;
	if (from_config ? first_operand != argc : first_operand == argc) {
		cli_usage_error("needs FILE... or --config[=DIR], not both");
		return EXIT_USAGE;
	}
	if (from_config && nr_libs) {
		cli_usage_error("--lib goes with FILE..., not --config");
		return EXIT_USAGE;
	}
	if (from_config) {
		/*
		 * A configuration that cannot be read whole, or that names
		 * something that is no file, is a configuration error.
		 */
		ret = conf_parse_trusted_dir(dir, &list);
		for (k = 0; ret >= 0 && k < list.count; k++) {
			char where[PATH_MAX + 16];

			snprintf(where, sizeof(where), "%s: ", list.entries[k].where);
			ret += input_unfit(where, list.entries[k].path);
		}
		if (ret) {
			if (ret > 0)
				cli_error(0, "%d problem%s in %s: nothing registered", ret,
					  ret == 1 ? "" : "s", dir);
			conf_list_free(&list);
			return EXIT_USAGE;
		}
	} else {
		for (i = first_operand; i < argc; i++)
			failed |= input_unfit("", argv[i]);
		for (i = 0; i < nr_libs; i++)
			failed |= input_unfit("", libs[i]);
		if (failed)
			return EXIT_FAILED;	/* nothing registered */
	}
	dev = open_device();
	if (dev < 0) {
		conf_list_free(&list);
		return device_exit_code(dev);
	}
	if (from_config) {
		for (k = 0; k < list.count; k++) {
			ret = register_program(dev, list.entries[k].path, &list.entries[k], true,
					       NULL, 0);
			failed |= ret < 0;
			no_device |= ret == -ENODEV;
		}
	} else {
		for (i = first_operand; i < argc; i++) {
			ret = register_program(dev, argv[i], NULL, false, libs, nr_libs);
			failed |= ret < 0;
			no_device |= ret == -ENODEV;
		}
	}
	close(dev);
	conf_list_free(&list);
	if (no_device)
		return EXIT_NO_MODULE;
	return failed ? EXIT_FAILED : EXIT_OK;
}

/* ---- list, unregister ---- */

/* The registry into a malloc'ed array; 0 or -errno (reported). */
static int read_registry(int dev, struct hvtrust_binary **out, uint32_t *count, uint32_t *flags)
{
	struct hvtrust_binary *buf = NULL;
	uint32_t room = 64;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		struct hvtrust_list list = {
			.size = sizeof(list),
			.count = room,
			.entry_size = sizeof(*buf),
		};
		struct hvtrust_binary *grown = realloc(buf, (size_t)room * sizeof(*buf));

		if (!grown) {
			free(buf);
			return -ENOMEM;
		}
		buf = grown;
		memset(buf, 0, (size_t)room * sizeof(*buf));
		list.binaries = (uintptr_t)buf;
		if (ioctl(dev, HVTRUST_IOC_LIST, &list)) {
			int err = errno;

			cli_error(err, "reading the registry: %s (%s)",
				  ioctl_meaning(HVTRUST_IOC_LIST, err), errname(err));
			free(buf);
			return -err;
		}
		if (list.count <= room) {
			*out = buf;
			*count = list.count;
			*flags = list.flags;
			return 0;
		}
		room = list.count + 16;	/* it grew: ask again with room to spare */
	}
	free(buf);
	cli_error(EAGAIN, "reading the registry: it keeps changing");
	return -EAGAIN;
}

/* The kernel's new_encode_dev() undone. */
static void decode_dev(uint64_t dev, unsigned int *major, unsigned int *minor)
{
	*major = (dev & 0xfff00) >> 8;
	*minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
}

static int cmd_list(int argc, char **argv)
{
	static const struct cli_option options[] = { JSON_OPTION };
	struct hvtrust_binary *bins;
	uint32_t count, flags, i;
	int dev, ret;

	if (cli_parse_options_only(argc, argv, options, ARRAY_SIZE(options)))
		return EXIT_USAGE;
	dev = open_device();
	if (dev < 0)
		return device_exit_code(dev);
	ret = read_registry(dev, &bins, &count, &flags);
	close(dev);
	if (ret)
		return device_exit_code(ret);
	if (json_output)
		printf("{\"version\":%d,\"sealed\":%s,\"count\":%u,\"binaries\":[", JSON_VERSION,
		       flags & HVTRUST_LIST_SEALED ? "true" : "false", count);
	else
		printf("%u binar%s registered, registry %s\n", count, count == 1 ? "y" : "ies",
		       flags & HVTRUST_LIST_SEALED ? "sealed until reboot" : "open");
	if (!json_output && count)
		printf("%5s %-12s %6s %10s %-9s %10s %8s  %s\n", "ID", "LIBRARY OF", "PAGES",
		       "BYTES", "DEV", "INODE", "SESSIONS", "SHA256");
	for (i = 0; i < count; i++) {
		const struct hvtrust_binary *b = &bins[i];
		char hex[65], devs[24], of[HVTRUST_MAX_BINARIES * 3 + 2] = "-";
		char of_json[HVTRUST_MAX_BINARIES * 3 + 2] = "";
		unsigned int major, minor, bit;
		size_t used = 0, used_json = 0;

		hvt_sha256_hex(b->file_sha256, hex);
		decode_dev(b->dev, &major, &minor);
		snprintf(devs, sizeof(devs), "%u:%u", major, minor);
		/* A library: the programs it serves, as one trusted program with each. */
		for (bit = 0; bit < HVTRUST_MAX_BINARIES; bit++) {
			if (!(b->programs & (1U << bit)))
				continue;
			used += snprintf(of + used, sizeof(of) - used, "%s%u", used ? "," : "", bit);
			used_json += snprintf(of_json + used_json, sizeof(of_json) - used_json,
					      "%s%u", used_json ? "," : "", bit);
		}
		if (json_output)
			printf("%s{\"id\":%u,\"library_of\":[%s],\"nr_pages\":%u,\"file_size\":%llu,"
			       "\"sha256\":\"%s\",\"dev\":\"%s\",\"ino\":%llu,\"sessions\":%u}",
			       i ? "," : "", b->id, of_json, b->nr_pages,
			       (unsigned long long)b->file_size, hex, devs,
			       (unsigned long long)b->ino, b->sessions);
		else
			printf("%5u %-12s %6u %10llu %-9s %10llu %8u  %s\n", b->id, of, b->nr_pages,
			       (unsigned long long)b->file_size, devs,
			       (unsigned long long)b->ino, b->sessions, hex);
	}
	if (json_output)
		printf("]}\n");
	free(bins);
	return EXIT_OK;
}

static bool parse_id(const char *text, uint32_t *id)
{
	unsigned long long value;
	char *end;

	if (!*text || strspn(text, "0123456789") != strlen(text))
		return false;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || value > UINT32_MAX)
		return false;
	*id = value;
	return true;
}

static int cmd_unregister(int argc, char **argv)
{
	struct hvtrust_unregister unreg = { .size = sizeof(unreg) };
	uint8_t digest[HVTRUST_SHA256_SIZE];
	bool by_file;
	const char *what;
	int dev, err;

	if (argc != 2) {
		cli_usage_error("needs one ID or FILE");
		return EXIT_USAGE;
	}
	what = argv[1];
	by_file = !parse_id(what, &unreg.id);
	/* The file first: what is wrong with it is said whether the module is loaded or not. */
	if (by_file) {
		int fd = open_input("", what);

		if (fd < 0)
			return EXIT_FAILED;
		err = hvt_file_sha256(fd, digest, NULL);
		close(fd);
		if (err) {
			cli_error(-err, "%s: %s", what, strerror(-err));
			return EXIT_FAILED;
		}
	}
	dev = open_device();
	if (dev < 0)
		return device_exit_code(dev);
	if (by_file) {
		struct hvtrust_binary *bins;
		uint32_t count, flags, i;
		char hex[65];

		err = read_registry(dev, &bins, &count, &flags);
		if (err) {
			close(dev);
			return device_exit_code(err);
		}
		for (i = 0; i < count; i++)
			if (!memcmp(bins[i].file_sha256, digest, sizeof(digest)))
				break;
		if (i == count) {
			hvt_sha256_hex(digest, hex);
			cli_error(ENOENT, "%s: not registered (no binary with SHA-256 %s)", what, hex);
			free(bins);
			close(dev);
			return EXIT_FAILED;
		}
		unreg.id = bins[i].id;
		free(bins);
	}
	err = ioctl(dev, HVTRUST_IOC_UNREGISTER, &unreg) ? errno : 0;
	close(dev);
	if (err) {
		cli_error(err, "%s (id %u): %s (%s)", what, unreg.id,
			  ioctl_meaning(HVTRUST_IOC_UNREGISTER, err), errname(err));
		return device_exit_code(err);
	}
	printf("unregistered id %u\n", unreg.id);
	return EXIT_OK;
}

/* ---- seal ---- */

static int cmd_seal(int argc, char **argv)
{
	bool if_configured = false;
	const char *conf = MAIN_CONFIG;
	const struct cli_option options[] = {
		{ .long_name = "if-configured", .arg = CLI_OPTIONAL_ARG, .flag = &if_configured,
		  .value = &conf, .fallback = MAIN_CONFIG },
	};
	struct hvtrust_seal seal = { .size = sizeof(seal) };
	int dev, err;

	if (cli_parse_options_only(argc, argv, options, ARRAY_SIZE(options)))
		return EXIT_USAGE;
	if (if_configured) {
		int want = conf_seal_requested(conf);

		if (want <= 0)
			return want ? EXIT_USAGE : EXIT_OK;
	}
	dev = open_device();
	if (dev < 0)
		return device_exit_code(dev);
	err = ioctl(dev, HVTRUST_IOC_SEAL, &seal) ? errno : 0;
	close(dev);
	if (err) {
		cli_error(err, "%s (%s)", ioctl_meaning(HVTRUST_IOC_SEAL, err), errname(err));
		return device_exit_code(err);
	}
	printf("registry sealed until reboot\n");
	return EXIT_OK;
}

/* ---- log ---- */

static const char *const audit_kinds[] = {
	[HVTRUST_AUDIT_WRITE] = "write",
	[HVTRUST_AUDIT_REMAPPED] = "remapped",
	[HVTRUST_AUDIT_BAD_TOKEN] = "bad-token",
	[HVTRUST_AUDIT_LOCKED_OUT] = "locked-out",
	[HVTRUST_AUDIT_BAD_CODE] = "bad-code",
	[HVTRUST_AUDIT_BAD_CALLER] = "bad-caller",
	[HVTRUST_AUDIT_CHECK_FAILED] = "check-failed",
	[HVTRUST_AUDIT_TRACED] = "traced",
	[HVTRUST_AUDIT_EXEC_MAPPED] = "exec-mapped",
	[HVTRUST_AUDIT_PROTECTED] = "protected",
	[HVTRUST_AUDIT_UNPROTECTED] = "unprotected",
	[HVTRUST_AUDIT_CLOSED] = "closed",
	[HVTRUST_AUDIT_ATTACH_REFUSED] = "attach-refused",
	[HVTRUST_AUDIT_TABLES_DIVERGED] = "tables-diverged",
	[HVTRUST_AUDIT_EXEC_VIEW] = "exec-view",
	[HVTRUST_AUDIT_HYPERVISOR_LEFT] = "hypervisor-left",
	[HVTRUST_AUDIT_FLUSH_UNCONFIRMED] = "flush-unconfirmed",
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void print_audit(const struct hvtrust_audit *a)
{
	char kind_buf[24], comm[sizeof(a->comm) + 1];
	const char *kind;

	if (a->kind < ARRAY_SIZE(audit_kinds) && audit_kinds[a->kind]) {
		kind = audit_kinds[a->kind];
	} else {
		snprintf(kind_buf, sizeof(kind_buf), "kind-%u", a->kind);
		kind = kind_buf;
	}
	memcpy(comm, a->comm, sizeof(a->comm));
	comm[sizeof(a->comm)] = '\0';
	if (json_output) {
		printf("{\"version\":%d,\"time_ns\":%llu,\"kind\":\"%s\",\"kind_id\":%u,\"cpu\":%u,"
		       "\"session_id\":%llu,\"cr3\":\"%#llx\",\"gva\":\"%#llx\",\"gpa\":\"%#llx\","
		       "\"pid\":%d,\"comm\":",
		       JSON_VERSION, (unsigned long long)a->time_ns, kind, a->kind, a->cpu,
		       (unsigned long long)a->session_id, (unsigned long long)a->cr3,
		       (unsigned long long)a->gva, (unsigned long long)a->gpa, a->pid);
		print_json_string(comm);
		if (a->binary)
			printf(",\"binary_id\":%u", a->binary - 1);
		printf("}\n");
		return;
	}
	/* A program's own PROTECT and UNPROTECT name a range: start and length. */
	printf("[%5llu.%06llu] %-12s cpu %u session %llu pid %d (%s) cr3 %#llx gva %#llx %s %#llx",
	       (unsigned long long)(a->time_ns / 1000000000ULL),
	       (unsigned long long)(a->time_ns % 1000000000ULL / 1000), kind, a->cpu,
	       (unsigned long long)a->session_id, a->pid, comm, (unsigned long long)a->cr3,
	       (unsigned long long)a->gva,
	       a->kind == HVTRUST_AUDIT_PROTECTED || a->kind == HVTRUST_AUDIT_UNPROTECTED ?
	       "len" : "gpa", (unsigned long long)a->gpa);
	/* The file: "hvtrustctl list" shows the path of each id. */
	if (a->binary)
		printf(" binary %u", a->binary - 1);
	putchar('\n');
}

/* Blocks until the device has audit records; -1 with errno, EINTR on a signal. */
static int wait_readable(int dev)
{
	struct pollfd pfd = { .fd = dev, .events = POLLIN };

	for (;;) {
		int n = poll(&pfd, 1, -1);

		if (n < 0)
			return -1;
		if (pfd.revents & (POLLERR | POLLNVAL)) {
			errno = EIO;
			return -1;
		}
		if (pfd.revents & POLLIN)
			return 0;
	}
}

static int cmd_log(int argc, char **argv)
{
	bool follow = false;
	const struct cli_option options[] = {
		{ .long_name = "follow", .short_name = 'f', .flag = &follow },
		JSON_OPTION,
	};
	static struct hvtrust_audit records[64];
	struct sigaction sa = { .sa_handler = on_stop_signal };
	int dev;
	uint32_t i;

	if (cli_parse_options_only(argc, argv, options, ARRAY_SIZE(options)))
		return EXIT_USAGE;
	dev = open_device();
	if (dev < 0)
		return device_exit_code(dev);
	/* no SA_RESTART: the signal ends the wait at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop_requested) {
		struct hvtrust_read_audit req = {
			.size = sizeof(req),
			.count = ARRAY_SIZE(records),
			.entry_size = sizeof(records[0]),
			.records = (uintptr_t)records,
		};

		if (ioctl(dev, HVTRUST_IOC_READ_AUDIT, &req)) {
			int err = errno;

			cli_error(err, "%s (%s)", ioctl_meaning(HVTRUST_IOC_READ_AUDIT, err),
				  errname(err));
			close(dev);
			return device_exit_code(err);
		}
		if (req.lost) {
			if (json_output)
				printf("{\"version\":%d,\"lost\":%u}\n", JSON_VERSION, req.lost);
			else
				printf("%u audit records lost: the buffer was full\n", req.lost);
		}
		for (i = 0; i < req.count && i < ARRAY_SIZE(records); i++)
			print_audit(&records[i]);
		fflush(stdout);
		if (req.count == ARRAY_SIZE(records))
			continue;	/* there may be more right away */
		if (!follow)
			break;
		/* The device is readable once the hypervisor recorded more. */
		if (wait_readable(dev) && errno != EINTR) {
			int err = errno;

			cli_error(err, "waiting for records: %s", strerror(err));
			close(dev);
			return device_exit_code(err);
		}
	}
	close(dev);
	return EXIT_OK;
}

/* ---- quote ---- */

/* 64 hex digits (either case) into 32 bytes; false for anything else. */
static bool parse_hex32(const char *text, size_t len, uint8_t out[32])
{
	size_t i;

	if (len != 64 || strspn(text, "0123456789abcdefABCDEF") < len)
		return false;
	for (i = 0; i < 32; i++)
		if (sscanf(text + 2 * i, "%2hhx", &out[i]) != 1)
			return false;
	return true;
}

/* An Ed25519 public key as libcrypto wants it, for PEM in and out; NULL on failure. */
static EVP_PKEY *ed25519_pkey(const uint8_t pub[HVTRUST_ED25519_KEY_SIZE])
{
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, HVTRUST_ED25519_KEY_SIZE);
}

/*
 * Reads up to @room bytes of the regular file @path; the count, or -1
 * (reported). One byte more than any valid input is asked for, so that a
 * file that is too long is told from one that fits.
 */
static ssize_t read_small_file(const char *path, void *buf, size_t room)
{
	size_t have = 0;
	int fd = open_input("", path);

	if (fd < 0)
		return -1;
	while (have < room) {
		ssize_t n = read(fd, (char *)buf + have, room - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error(errno, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (!n)
			break;
		have += n;
	}
	close(fd);
	return have;
}

/* A key file: 64 hex digits, 32 raw bytes, or a PEM public key. 0, or -1 (reported). */
static int load_key_file(const char *path, uint8_t pub[HVTRUST_ED25519_KEY_SIZE])
{
	char text[4096];
	ssize_t n = read_small_file(path, text, sizeof(text) - 1);
	size_t len;

	if (n < 0)
		return -1;
	/* 32 bytes are raw: the hex form and PEM are longer. */
	if (n == HVTRUST_ED25519_KEY_SIZE) {
		memcpy(pub, text, HVTRUST_ED25519_KEY_SIZE);
		return 0;
	}
	text[n] = '\0';
	/* hex as an editor or "quote key" leaves it: a newline or blanks after it */
	len = n;
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
		       text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (parse_hex32(text, len, pub))
		return 0;
	if (strstr(text, "-----BEGIN PUBLIC KEY-----")) {
		BIO *bio = BIO_new_mem_buf(text, n);
		EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
		size_t got = HVTRUST_ED25519_KEY_SIZE;
		int ret = -1;

		if (!pkey)
			cli_error(EINVAL, "%s: unreadable PEM public key", path);
		else if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519)
			cli_error(EINVAL, "%s: a PEM public key, but not an Ed25519 one", path);
		else if (EVP_PKEY_get_raw_public_key(pkey, pub, &got) == 1 &&
			 got == HVTRUST_ED25519_KEY_SIZE)
			ret = 0;
		else
			cli_error(EINVAL, "%s: cannot take the Ed25519 key out of the PEM", path);
		EVP_PKEY_free(pkey);
		BIO_free(bio);
		ERR_clear_error();
		return ret;
	}
	cli_error(EINVAL, "%s: not an Ed25519 public key (64 hex digits, 32 raw bytes or PEM)",
		  path);
	return -1;
}

/* The key from /dev/hvtrust; 0, or an exit code (reported). */
static int device_quote_key(const char *why, uint8_t pub[HVTRUST_ED25519_KEY_SIZE],
			    uint8_t fingerprint[HVTRUST_SHA256_SIZE])
{
	int dev = open(DEVICE_PATH, O_RDWR | O_CLOEXEC), err;

	if (dev < 0) {
		err = errno;
		cli_error(err, "%scannot open %s: %s%s", why, DEVICE_PATH, strerror(err),
			  err == ENOENT ? " (is the hvtrust module loaded?)" : "");
		return device_exit_code(err);
	}
	err = read_quote_key(dev, pub, fingerprint);
	close(dev);
	if (err == EBADMSG) {
		cli_error(err, "%sthe module's key fingerprint is not the SHA-256 of its key", why);
		return EXIT_FAILED;
	}
	if (err) {
		cli_error(err, "%sreading the quote key: %s (%s)", why,
			  ioctl_meaning(HVTRUST_IOC_GET_QUOTE_KEY, err), errname(err));
		return device_exit_code(err);
	}
	return EXIT_OK;
}

static int cmd_quote_key(int argc, char **argv)
{
	const char *out = NULL;
	bool pem = false;
	const struct cli_option options[] = {
		{ .long_name = "output", .short_name = 'o', .arg = CLI_REQUIRED_ARG,
		  .value = &out },
		{ .long_name = "pem", .flag = &pem },
	};
	uint8_t pub[HVTRUST_ED25519_KEY_SIZE], fingerprint[HVTRUST_SHA256_SIZE];
	char text[1024];
	bool to_stdout;
	size_t len;
	int fd, ret;

	if (cli_parse_options_only(argc, argv, options, ARRAY_SIZE(options)))
		return EXIT_USAGE;
	if (json_output) {
		cli_usage_error("writes the key itself, no JSON: 'status --json' has it");
		return EXIT_USAGE;
	}
	ret = device_quote_key("", pub, fingerprint);
	if (ret)
		return ret;
	if (pem) {
		EVP_PKEY *pkey = ed25519_pkey(pub);
		BIO *bio = BIO_new(BIO_s_mem());
		char *data;
		long n;

		ret = pkey && bio && PEM_write_bio_PUBKEY(bio, pkey) == 1 ? 0 : -1;
		n = ret ? 0 : BIO_get_mem_data(bio, &data);
		if (n > 0 && (size_t)n < sizeof(text))
			memcpy(text, data, n);
		len = n > 0 && (size_t)n < sizeof(text) ? (size_t)n : 0;
		BIO_free(bio);
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		if (!len) {
			cli_error(ENOMEM, "cannot write the key as PEM");
			return EXIT_FAILED;
		}
	} else {
		hvt_sha256_hex(pub, text);
		len = strlen(text);
		text[len++] = '\n';
	}
	to_stdout = !out || !strcmp(out, "-");
	fd = to_stdout ? STDOUT_FILENO :
	     open(out, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd < 0) {
		cli_error(errno, "%s: %s", out, strerror(errno));
		return EXIT_FAILED;
	}
	ret = write_all(fd, text, len);
	if (!to_stdout && close(fd) && !ret)
		ret = -errno;
	if (ret) {
		cli_error(-ret, "writing %s: %s", to_stdout ? "standard output" : out,
			  strerror(-ret));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static void print_quote(const char *file, const struct hvtrust_quote_report *r,
			const char *key_from, bool nonce_checked)
{
	bool open = r->flags & HVTRUST_QUOTE_OPEN, revoked = r->flags & HVTRUST_QUOTE_REVOKED;
	char hex[65];
	uint32_t i;

	if (json_output) {
		printf("{\"version\":%d,\"file\":", JSON_VERSION);
		print_json_string(file);
		printf(",\"session_id\":%llu,\"open\":%s,\"revoked\":%s,\"abi_version\":%u,"
		       "\"images\":[", (unsigned long long)r->session_id, open ? "true" : "false",
		       revoked ? "true" : "false", r->abi_version);
		for (i = 0; i < r->nr_images; i++) {
			hvt_sha256_hex(r->image_sha256[i], hex);
			printf("%s\"%s\"", i ? "," : "", hex);
		}
		hvt_sha256_hex(r->protected_sha256, hex);
		printf("],\"protected_pages\":%llu,\"protected_sha256\":\"%s\",",
		       (unsigned long long)r->protected_pages, hex);
		printf("\"checks\":%llu,\"revocations\":%llu,\"audit_sequence\":%llu,",
		       (unsigned long long)r->checks, (unsigned long long)r->revocations,
		       (unsigned long long)r->audit_sequence);
		hvt_sha256_hex(r->root_code_sha256, hex);
		printf("\"root_code_sha256\":\"%s\",", hex);
		hvt_sha256_hex(r->key_sha256, hex);
		printf("\"key_sha256\":\"%s\",\"key_source\":\"%s\",", hex,
		       key_from ? "file" : "device");
		hvt_sha256_hex(r->nonce, hex);
		printf("\"nonce\":\"%s\",\"nonce_checked\":%s,\"signature_valid\":true}\n", hex,
		       nonce_checked ? "true" : "false");
		return;
	}
	printf("quote:            %s\n", file);
	printf("session id:       %llu\n", (unsigned long long)r->session_id);
	printf("flags:            %s%s%s%s (%#x)\n", open ? "OPEN" : "",
	       open && revoked ? " " : "", revoked ? "REVOKED" : "",
	       open || revoked ? "" : "none", r->flags);
	printf("hypervisor ABI:   %u\n", r->abi_version);
	for (i = 0; i < r->nr_images; i++) {
		hvt_sha256_hex(r->image_sha256[i], hex);
		printf("image %u sha256:   %s%s\n", i, hex, i ? "" : " (the program)");
	}
	hvt_sha256_hex(r->protected_sha256, hex);
	printf("protected pages:  %llu, sha256 %s\n", (unsigned long long)r->protected_pages,
	       hex);
	printf("checks:           %llu\n", (unsigned long long)r->checks);
	printf("revocations:      %llu\n", (unsigned long long)r->revocations);
	printf("audit sequence:   %llu\n", (unsigned long long)r->audit_sequence);
	hvt_sha256_hex(r->root_code_sha256, hex);
	printf("root code sha256: %s\n", hex);
	hvt_sha256_hex(r->key_sha256, hex);
	if (key_from)
		printf("key sha256:       %s (the key of %s)\n", hex, key_from);
	else
		printf("key sha256:       %s (this machine's key, read from %s)\n", hex,
		       DEVICE_PATH);
	hvt_sha256_hex(r->nonce, hex);
	printf("nonce:            %s (%s)\n", hex,
	       nonce_checked ? "matches --nonce" : "not checked: no --nonce");
	printf("signature:        valid\n");
}

static int cmd_quote_verify(int argc, char **argv)
{
	const char *key_file = NULL, *nonce_text = NULL;
	const struct cli_option options[] = {
		{ .long_name = "key", .arg = CLI_REQUIRED_ARG, .value = &key_file },
		{ .long_name = "nonce", .arg = CLI_REQUIRED_ARG, .value = &nonce_text },
		JSON_OPTION,
	};
	uint8_t pub[HVTRUST_ED25519_KEY_SIZE], fingerprint[HVTRUST_SHA256_SIZE];
	uint8_t nonce[HVTRUST_QUOTE_NONCE_SIZE];
	char have[65], want[65];
	const struct hvtrust_quote_report *r;
	struct hvtrust_quote q;
	const char *file;
	int first_operand, ret;
	ssize_t n;

	first_operand = cli_parse_options(argc, argv, options, ARRAY_SIZE(options), CLI_PERMUTE);
	if (first_operand < 0)
		return EXIT_USAGE;
	if (first_operand + 1 != argc) {
		cli_usage_error("needs exactly one FILE");
		return EXIT_USAGE;
	}
	if (nonce_text && !parse_hex32(nonce_text, strlen(nonce_text), nonce)) {
		cli_usage_error("--nonce needs 64 hex digits, not '%s'", nonce_text);
		return EXIT_USAGE;
	}
	file = argv[first_operand];
	/* the quote first: what is wrong with it is said wherever the key comes from */
	n = read_small_file(file, &q, sizeof(q) + 1);
	if (n < 0)
		return EXIT_FAILED;
	if (n != sizeof(q)) {
		cli_error(EBADMSG, "%s: %s%zd bytes, not a quote (%zu bytes)", file,
			  n > (ssize_t)sizeof(q) ? "more than " : "", n > (ssize_t)sizeof(q) ?
			  (ssize_t)sizeof(q) : n, sizeof(q));
		return EXIT_FAILED;
	}
	if (key_file) {
		if (load_key_file(key_file, pub))
			return EXIT_FAILED;
		if (!sha256_of(pub, sizeof(pub), fingerprint)) {
			cli_error(ENOMEM, "cannot hash the key");
			return EXIT_FAILED;
		}
	} else {
		ret = device_quote_key("no --key: ", pub, fingerprint);
		if (ret)
			return ret;
	}
	r = &q.report;
	if (r->magic != HVTRUST_QUOTE_MAGIC) {
		cli_error(EBADMSG, "%s: bad magic %#010x, not %#010x: no hvtrust quote", file,
			  r->magic, HVTRUST_QUOTE_MAGIC);
		return EXIT_FAILED;
	}
	if (r->version != HVTRUST_QUOTE_VERSION) {
		cli_error(EPROTO, "%s: bad version: quote version %u, this tool reads version %u",
			  file, r->version, HVTRUST_QUOTE_VERSION);
		return EXIT_FAILED;
	}
	if (r->nr_images > HVTRUST_QUOTE_MAX_IMAGES) {
		cli_error(EBADMSG, "%s: malformed report: %u images, at most %u", file,
			  r->nr_images, HVTRUST_QUOTE_MAX_IMAGES);
		return EXIT_FAILED;
	}
	ret = hvtrust_quote_verify(&q, pub, nonce_text ? nonce : NULL);
	switch (ret) {
	case 0:
		break;
	case -ENOKEY:
		hvt_sha256_hex(r->key_sha256, have);
		hvt_sha256_hex(fingerprint, want);
		cli_error(ENOKEY, "%s: wrong key fingerprint: the quote names key fingerprint %s, "
			  "the key %s%s has %s", file, have, key_file ? "in " : "from ",
			  key_file ? key_file : DEVICE_PATH, want);
		return EXIT_FAILED;
	case -EBADMSG:
		cli_error(EBADMSG, "%s: bad signature: the report or its signature was altered, "
			  "or another key signed it", file);
		return EXIT_FAILED;
	case -ESTALE:
		hvt_sha256_hex(r->nonce, have);
		hvt_sha256_hex(nonce, want);
		cli_error(ESTALE, "%s: nonce mismatch: the quote answers nonce %s, not %s", file,
			  have, want);
		return EXIT_FAILED;
	default:
		cli_error(-ret, "%s: cannot verify: %s", file, strerror(-ret));
		return EXIT_FAILED;
	}
	print_quote(file, r, key_file, nonce_text != NULL);
	return EXIT_OK;
}

static int cmd_quote(int argc, char **argv)
{
	if (argc < 2) {
		cli_usage_error("needs 'key' or 'verify'");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "key")) {
		cli_set_command("quote key");
		return cmd_quote_key(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "verify")) {
		cli_set_command("quote verify");
		return cmd_quote_verify(argc - 1, argv + 1);
	}
	cli_usage_error("unknown quote command '%s' (key or verify)", argv[1]);
	return EXIT_USAGE;
}

/* ---- main ---- */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "status", cmd_status },
	{ "manifest", cmd_manifest },
	{ "register", cmd_register },
	{ "unregister", cmd_unregister },
	{ "list", cmd_list },
	{ "seal", cmd_seal },
	{ "log", cmd_log },
	{ "quote", cmd_quote },
};

/* Where --json was asked for, a failure is a JSON object too, on stdout. */
static void print_json_error(void)
{
	int err;
	const char *message = cli_first_error(&err);

	printf("{\"version\":%d,\"error\":", JSON_VERSION);
	print_json_string(message ? message : "failed");
	printf(",\"errno\":%d}\n", err);
}

int main(int argc, char **argv)
{
	bool help = false, version = false;
	const struct cli_option options[] = {
		JSON_OPTION,
		{ .long_name = "help", .short_name = 'h', .flag = &help, .ends_parsing = true },
		{ .long_name = "version", .short_name = 'V', .flag = &version,
		  .ends_parsing = true },
	};
	int command, ret;
	size_t i;

	/* options after the command belong to the command */
	command = cli_parse_options(argc, argv, options, ARRAY_SIZE(options),
				    CLI_STOP_AT_OPERAND);
	if (command < 0)
		return EXIT_USAGE;
	if (help) {
		usage(stdout);
		return EXIT_OK;
	}
	if (version) {
		printf("hvtrustctl %s (hvtrust ABI %d)\n", HVTRUSTCTL_VERSION, HVTRUST_ABI_VERSION);
		return EXIT_OK;
	}
	if (command >= argc) {
		cli_usage_error("missing command");
		return EXIT_USAGE;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[command], commands[i].name))
			continue;
		cli_set_command(commands[i].name);
		ret = commands[i].fn(argc - command, argv + command);
		/* a usage error is said on stderr only: nothing was attempted */
		if (json_output && ret != EXIT_OK && ret != EXIT_USAGE)
			print_json_error();
		return ret;
	}
	cli_usage_error("unknown command '%s'", argv[command]);
	return EXIT_USAGE;
}
