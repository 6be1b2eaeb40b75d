/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the in-guest selftests: kernel log, CPUID, MSR and module access. */
/* Context: user space inside the test guest (root). */
#ifndef HVT_TEST_UTIL_H
#define HVT_TEST_UTIL_H

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HVT_KO_DEFAULT	"/lib/hvtrust.ko"

static inline const char *hvt_module_path(void)
{
	const char *path = getenv("HVTRUST_KO");

	return path ? path : HVT_KO_DEFAULT;
}

/* Opens /dev/kmsg positioned after every record logged so far. */
static inline int hvt_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* True when a record logged since hvt_kmsg_open() contains every needle. */
static inline bool hvt_kmsg_find(int fd, const char *needle1, const char *needle2)
{
	char record[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, record, sizeof(record) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (n <= 0)
			return false;
		record[n] = '\0';
		if (strstr(record, needle1) && (!needle2 || strstr(record, needle2)))
			return true;
	}
}

static inline bool hvt_cpu_is_intel_vmx(void)
{
	unsigned int eax, ebx, ecx, edx;

	__cpuid(0, eax, ebx, ecx, edx);
	if (ebx != 0x756e6547 || edx != 0x49656e69 || ecx != 0x6c65746e)
		return false;	/* not "GenuineIntel" */
	__cpuid(1, eax, ebx, ecx, edx);
	return ecx & (1U << 5);
}

static inline void hvt_cpu_vendor(char vendor[13])
{
	unsigned int eax, ebx, ecx, edx;

	__cpuid(0, eax, ebx, ecx, edx);
	memcpy(vendor, &ebx, 4);
	memcpy(vendor + 4, &edx, 4);
	memcpy(vendor + 8, &ecx, 4);
	vendor[12] = '\0';
}

/* Returns 0 and the MSR's value, or -errno. */
static inline int hvt_read_msr(int cpu, uint32_t msr, uint64_t *value)
{
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, value, sizeof(*value), msr) != sizeof(*value))
		err = -EIO;
	close(fd);
	return err;
}

/* A copy of @from at @to (made anew, mode 0755). Return: 0 or -errno. */
static inline int hvt_copy_file(const char *from, const char *to)
{
	static char buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC), copy, ret = 0;
	ssize_t n;

	if (in < 0)
		return -errno;
	unlink(to);
	copy = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (copy < 0) {
		close(in);
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(copy, buf, n) != n)
			ret = -EIO;
	if (n < 0)
		ret = -errno;
	close(in);
	if (close(copy))
		ret = -errno;
	return ret;
}

/* Writes @text into the file at @path (sysfs, debugfs) in one write. Return: 0 or -errno. */
static inline int hvt_write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	ssize_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

static inline int hvt_load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret, saved;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

static inline int hvt_unload_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

static inline bool hvt_module_listed(const char *name)
{
	char line[512];
	size_t len = strlen(name);
	bool found = false;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			found = true;
	fclose(f);
	return found;
}

/* A parameter of the loaded hvtrust module, 0 when it is not there. */
static inline unsigned long hvt_module_param(const char *name)
{
	char path[128], text[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/hvtrust/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(text, sizeof(text), f))
		text[0] = 0;
	fclose(f);
	return strtoul(text, NULL, 10);
}

/* A bool parameter of the loaded module: true for "Y". */
static inline bool hvt_module_flag(const char *name)
{
	char path[128], text[8] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/hvtrust/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(text, sizeof(text), f))
		text[0] = 0;
	fclose(f);
	return text[0] == 'Y';
}

#define HVT_PAGES_OF(bytes)	(((bytes) + 4095) / 4096)

/*
 * The hypervisor's own hidden pages as module/build.c allocates them
 * (hvt_alloc_vmm, hvt_alloc_cpu, hvt_protect_code): shared, the state, MSR
 * bitmap, host PML4, host IDT and the list of its code frames, one page
 * each; per possible CPU, the state, VMXON, VMCS, a 2-page write sink and a
 * 4-page stack. The trusted-program service's tables come on top
 * (hvt_trust_hidden_pages()), in HVT_TRUST_ALLOCS allocations. Not hidden:
 * the zero page shown in their place and the per-CPU log ring (struct
 * hvt_log_ring, 10252 bytes, an order-2 allocation).
 */
#define HVT_OWN_SHARED_HIDDEN	5
#define HVT_OWN_SHARED_ALLOCS	5
#define HVT_OWN_CPU_HIDDEN	9
#define HVT_OWN_CPU_ALLOCS	5
#define HVT_OWN_SHARED_VISIBLE	1
#define HVT_OWN_CPU_VISIBLE	4
#define HVT_TRUST_ALLOCS	6

/*
 * The trusted-program service's hidden tables (module/build.c, vmx/service.h):
 * the EPT split pool and its index, 80 bytes per protectable page and two
 * 4-byte buckets per power of two above their number, 784 per session, 4136
 * per secret and one spare, two pages of state.
 */
static inline unsigned long hvt_trust_hidden_pages(void)
{
	unsigned long pool = hvt_module_param("ept_pool_pages");
	unsigned long frames = hvt_module_param("max_protected_pages"), buckets = 2;

	while (buckets < frames)
		buckets *= 2;
	return pool + HVT_PAGES_OF(pool * 8) +
	       HVT_PAGES_OF(frames * 80 + 8 * buckets) +
	       HVT_PAGES_OF(hvt_module_param("max_sessions") * 784) +
	       HVT_PAGES_OF((hvt_module_param("max_secrets") + 1) * 4136) + 2;
}

/*
 * The tables of VMX root's own page tables as the module's last load logged
 * them ("host page tables: N tables"), or -1: a count that depends on the
 * RAM layout and the modules loaded before hvtrust.
 */
static inline long hvt_host_tables_logged(void)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	const char *needle = "hvtrust: host page tables: ";
	char *buf, *hit = NULL, *p;
	long tables = -1;

	if (len <= 0)
		return -1;
	buf = malloc(len + 1);
	if (!buf)
		return -1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len > 0) {
		buf[len] = '\0';
		for (p = strstr(buf, needle); p; p = strstr(p + 1, needle))
			hit = p;
		if (hit && sscanf(hit + strlen(needle), "%ld tables", &tables) != 1)
			tables = -1;
	}
	free(buf);
	return tables;
}

/* Loads hvtrust, virtualizing or only probing, unless it already runs so. */
static inline int hvt_ensure_loaded(bool virtualize)
{
	char state = 0;
	int fd;

	fd = open("/sys/module/hvtrust/parameters/virtualize", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, &state, 1) != 1)
			state = 0;
		close(fd);
		if ((state == 'Y') == virtualize)
			return 0;
		if (hvt_unload_module("hvtrust"))
			return -errno;
	}
	if (hvt_load_module(hvt_module_path(), virtualize ? "" : "virtualize=0"))
		return -errno;
	return 0;
}

/* The value of NAME= on the kernel command line, or NULL. */
static inline const char *hvt_cmdline_param(const char *name, char *buf, size_t size)
{
	char cmdline[4096], *tok, *save = NULL;
	size_t len = strlen(name);
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return NULL;
	if (!fgets(cmdline, sizeof(cmdline), f))
		cmdline[0] = '\0';
	fclose(f);
	for (tok = strtok_r(cmdline, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(tok, name, len) && tok[len] == '=') {
			snprintf(buf, size, "%s", tok + len + 1);
			return buf;
		}
	}
	return NULL;
}

#endif /* HVT_TEST_UTIL_H */
