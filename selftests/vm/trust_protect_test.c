// SPDX-License-Identifier: GPL-2.0
/* Selftest: protected pages: writes the trap or the recurring check finds; the kernel kept out. */
/* Context: user space inside the test guest (root); registers itself; loads hvt_peek.ko. */
#include <sys/mount.h>
#include <sys/prctl.h>

#include "hvt_trust_harness.h"

TEST_F(trust, write_to_protected_data_revokes)
{
	volatile unsigned char *buf;
	struct hvtrust_audit rec;
	uint64_t pfn, session;
	char comm[16];	/* PR_GET_NAME's size */
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset((void *)buf, 0x5a, PAGE);
	ASSERT_EQ(0, mlock((void *)buf, PAGE));
	pfn = pfn_of((void *)buf);
	ASSERT_NE(0, pfn);
	ASSERT_EQ(0, raw_protect(&r, (void *)buf, PAGE));
	ASSERT_EQ(0, raw_status(&r));

	buf[100] = 0xa5;

	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	EXPECT_NE(0, r.page->flags & HVTRUST_SESSION_REVOKED);
	EXPECT_EQ(0, r.page->flags & HVTRUST_SESSION_OPEN);
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_WRITE), session, &rec));
	EXPECT_EQ(getpid(), rec.pid);
	EXPECT_EQ(pfn, rec.gpa >> 12);
	EXPECT_NE(0, rec.cr3);
	if (rec.gva)
		EXPECT_EQ((uintptr_t)buf, rec.gva & ~(uint64_t)(PAGE - 1));
	/* the command name of this binary, whichever it is */
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	EXPECT_EQ(0, strncmp(rec.comm, comm, sizeof(rec.comm)));
}

/* The guest kernel (a test module) writes the session page: the write never lands. */
TEST_F(trust, kernel_cannot_write_the_session_page)
{
	uint64_t before[4], after[4], pa, session;
	struct hvtrust_audit rec;
	char params[64];
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	token_of(&r, before);
	pa = pfn_of((const void *)r.page) << 12;
	ASSERT_NE(0, pa);
	snprintf(params, sizeof(params), "pa=%#llx", (unsigned long long)pa);
	ASSERT_EQ(0, hvt_load_module("/lib/hvt_peek.ko", params)) {
		TH_LOG("hvt_peek: %s", strerror(errno));
	}
	hvt_unload_module("hvt_peek");
	/* hvt_peek wrote a pattern over the first word: the magic and version. */
	EXPECT_EQ(HVTRUST_SESSION_MAGIC, r.page->magic);
	EXPECT_EQ(HVTRUST_ABI_VERSION, r.page->abi_version);
	token_of(&r, after);
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	EXPECT_EQ(0, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_WRITE), session, &rec));
	EXPECT_EQ(pa, rec.gpa & ~(uint64_t)(PAGE - 1));
}

/*
 * Protected data replaced behind the hypervisor's back (a new page mapped
 * over it: no write ever touches the protected frame) is found by the
 * recurring check alone: the program makes no call, it only watches its
 * session page.
 */
TEST_F(trust, recurring_check_finds_a_replaced_page_without_calls)
{
	volatile unsigned char *buf, *again;
	struct hvtrust_audit rec;
	uint64_t session;
	struct raw r;

	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset((void *)buf, 0x5a, PAGE);
	ASSERT_EQ(0, raw_protect(&r, (void *)buf, PAGE));
	again = mmap((void *)buf, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(buf, again);
	memset((void *)again, 0x66, PAGE);
	ASSERT_TRUE(wait_revoked(&r)) {
		TH_LOG("no recurring check within 5 s");
	}
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_CHECK_FAILED), session, &rec));
	EXPECT_EQ((uintptr_t)buf, rec.gva);
}

/* A session that protects one fresh data page, at *@buf. Return: 0 or what failed. */
static long open_protecting_a_page(struct raw *r, char **buf)
{
	long ret;

	*buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*buf == MAP_FAILED)
		return -errno;
	memset(*buf, 1, PAGE);
	ret = raw_open(r);
	return ret ? ret : raw_protect(r, *buf, PAGE);
}

#define SILENT_WRITE	"/sys/kernel/debug/hvtrust/silent_write"

/* Test builds of the module only: a store into a protected frame that no trap sees. */
static int silent_write(uint64_t pa, uint64_t value)
{
	char text[64];
	int fd, len, ret = 0;

	fd = open(SILENT_WRITE, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(text, sizeof(text), "%llx %llx", (unsigned long long)pa,
		       (unsigned long long)value);
	if (write(fd, text, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The write trap bypassed (the test build's hook stores from VMX root, as
 * DMA would): the frame and the mapping stay the same, so the recurring
 * check, hashing on its own schedule, is the one way to find the change.
 */
TEST_F(trust, recurring_check_finds_a_write_the_trap_missed)
{
	struct hvtrust_audit rec;
	uint64_t session, pa;
	unsigned char *buf;
	struct raw r;
	int seen;

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (access(SILENT_WRITE, W_OK))
		SKIP(return, "the module is not a test build (no %s)", SILENT_WRITE);
	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0x5a, 2 * PAGE);
	ASSERT_EQ(0, raw_protect(&r, buf, PAGE));
	/* The hook refuses frames the service does not protect. */
	pa = pfn_of(buf + PAGE) << 12;
	ASSERT_NE(0, pa);
	EXPECT_EQ(-EINVAL, silent_write(pa, 0));
	pa = pfn_of(buf) << 12;
	ASSERT_NE(0, pa);
	ASSERT_EQ(0, silent_write(pa + 64, 0x1122334455667788ULL));
	EXPECT_EQ(0x88, buf[64]);
	/* No trap saw it; the recurring check may have found it already. */
	seen = audit_now(self->dev, session, HVTRUST_AUDIT_CHECK_FAILED, &rec);
	ASSERT_LE(0, seen);
	EXPECT_EQ(0, seen & KIND(HVTRUST_AUDIT_WRITE));
	ASSERT_TRUE(wait_revoked(&r)) {
		TH_LOG("no recurring check within 5 s");
	}
	if (!(seen & KIND(HVTRUST_AUDIT_CHECK_FAILED)))
		ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_CHECK_FAILED), session,
				       &rec));
	EXPECT_EQ((uintptr_t)buf, rec.gva);
	EXPECT_EQ(pa, rec.gpa & ~(uint64_t)(PAGE - 1));
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
}

/*
 * A modified copy of a code page mapped over the original: refused before
 * the original goes, and the session revoked.
 */
TEST_F(trust, map_fixed_over_code_is_refused)
{
	uintptr_t code = (uintptr_t)victim & ~(uintptr_t)(PAGE - 1);
	struct hvtrust_audit rec;
	uint64_t session;
	struct raw r;
	void *at;
	int fd;

	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	fd = memfd_create("copy", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(PAGE, write(fd, (void *)code, PAGE));
	at = mmap((void *)code, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, 0);
	EXPECT_EQ(MAP_FAILED, at);
	EXPECT_EQ(EPERM, errno);
	close(fd);
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_EXEC_MAPPED), session, &rec));
}

/* Whether the guest kernel runs user mode on page tables of its own (PTI). */
static bool pti_on(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/vulnerabilities/meltdown", "r");
	char line[128] = "";
	bool on;

	if (!f)
		return false;
	on = fgets(line, sizeof(line), f) && strstr(line, "PTI");
	fclose(f);
	return on;
}

/* XORs @mask into the 64-bit word at @pa through the test module, as a hostile kernel. */
static int flip_word(uint64_t pa, uint64_t mask)
{
	char params[96];
	int ret;

	snprintf(params, sizeof(params), "flip_pa=%#llx flip_mask=%#llx",
		 (unsigned long long)pa, (unsigned long long)mask);
	ret = hvt_load_module("/lib/hvt_peek.ko", params) ? -errno : 0;
	hvt_unload_module("hvt_peek");
	return ret;
}

/*
 * Attacker: a hostile kernel that, under PTI, gives the user copy of the
 * page table other entries than its own copy, so that what its own tools
 * (and root, walking the kernel's copy) see is not what the program runs.
 */
TEST_F(trust, user_page_table_divergence_revokes)
{
	/* An ignored bit of a top-level entry: harmless to the CPU and to Linux. */
	const uint64_t ignored_bit = 1ULL << 11;
	uint64_t session, user_root, entry_pa;
	struct hvtrust_audit rec;
	struct raw r;
	char *buf;

	if (!pti_on())
		SKIP(return, "page-table isolation is off: one table only");
	ASSERT_EQ(0, open_protecting_a_page(&r, &buf));
	session = r.page->session_id;
	/* The record names the address space: the kernel's copy of the root. */
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_PROTECTED), session, &rec));
	user_root = rec.cr3 | PAGE;
	entry_pa = user_root + 8 * (((uintptr_t)victim >> 39) & 511);
	ASSERT_EQ(0, flip_word(entry_pa, ignored_bit));
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_EQ(0, flip_word(entry_pa, ignored_bit));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_TABLES_DIVERGED), session, &rec));
	EXPECT_EQ(user_root, rec.gva);
}

/*
 * hvt_peek moves the page at @page to a new frame with the same contents,
 * telling nobody; it stays loaded, and unloading it moves the page back.
 */
static int move_page(const void *page)
{
	char params[96];

	snprintf(params, sizeof(params), "move_pid=%d move_va=%#lx", getpid(),
		 (unsigned long)page);
	return hvt_load_module("/lib/hvt_peek.ko", params) ? -errno : 0;
}

/*
 * Attacker: a hostile kernel that moves a protected page to another frame,
 * same contents, telling nobody: the first half of putting other contents
 * there unseen. A move no mmu notifier announced is a violation at the
 * next call, whatever the contents.
 */
TEST_F(trust, a_page_moved_without_notice_revokes)
{
	struct hvtrust_audit rec;
	uint64_t session;
	struct raw r;
	char *buf;
	long ret;

	ASSERT_EQ(0, open_protecting_a_page(&r, &buf));
	session = r.page->session_id;
	ASSERT_EQ(0, raw_status(&r));
	ASSERT_EQ(0, move_page(buf));
	ret = raw_status(&r);
	hvt_unload_module("hvt_peek");
	EXPECT_EQ(-EKEYREVOKED, ret);
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_REMAPPED), session, &rec));
	EXPECT_EQ((uintptr_t)buf, rec.gva & ~(uint64_t)(PAGE - 1));
}

/*
 * Linux's own moves (migration, compaction, reclaim) tell the mmu notifiers
 * first, as any change of a mapping does: the protection goes along to
 * the new frame. Here mprotect makes Linux announce a change of the page
 * before hvt_peek moves it, and again before it moves back.
 */
TEST_F(trust, a_page_moved_with_notice_keeps_its_protection)
{
	uint64_t pfn;
	struct raw r;
	char *buf;
	long ret;

	ASSERT_EQ(0, open_protecting_a_page(&r, &buf));
	pfn = pfn_of(buf);
	ASSERT_NE(0, pfn);
	ASSERT_EQ(0, raw_status(&r));
	ASSERT_EQ(0, mprotect(buf, PAGE, PROT_READ));
	ASSERT_EQ(0, move_page(buf));
	EXPECT_NE(pfn, pfn_of(buf));
	ret = raw_status(&r);
	ASSERT_EQ(0, mprotect(buf, PAGE, PROT_NONE));
	hvt_unload_module("hvt_peek");
	ASSERT_EQ(0, mprotect(buf, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, ret);
	EXPECT_EQ(pfn, pfn_of(buf));
	EXPECT_EQ(0, raw_status(&r));
}

/* Every change a program makes to what it protects is on the record. */
TEST_F(trust, protect_unprotect_and_close_are_audited)
{
	struct hvtrust_audit rec;
	uint64_t session;
	struct raw r;
	char *buf;

	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 1, 2 * PAGE);
	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	ASSERT_EQ(0, raw_protect(&r, buf, 2 * PAGE));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_PROTECTED), session, &rec));
	EXPECT_EQ((uintptr_t)buf, rec.gva);
	EXPECT_EQ(2 * PAGE, rec.gpa);
	EXPECT_EQ(getpid(), rec.pid);
	ASSERT_EQ(0, raw_call(&r, HVTRUST_HC_UNPROTECT, &(uint64_t){ (uintptr_t)buf + PAGE },
			      &(uint64_t){ PAGE }));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_UNPROTECTED), session, &rec));
	EXPECT_EQ((uintptr_t)buf + PAGE, rec.gva);
	EXPECT_EQ(PAGE, rec.gpa);
	ASSERT_EQ(0, raw_call(&r, HVTRUST_HC_CLOSE, NULL, NULL));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_CLOSED), session, &rec));
	EXPECT_EQ(getpid(), rec.pid);
}

/* The service's capacity figures (struct hvtrust_status, third version). */
static int read_capacity(int dev, struct hvtrust_status *status)
{
	memset(status, 0, sizeof(*status));
	status->size = sizeof(*status);
	return ioctl(dev, HVTRUST_IOC_GET_STATUS, status) ? -errno : 0;
}

/* MemAvailable in bytes, 0 when unknown. */
static unsigned long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long kib = 0;
	char line[128];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib << 10;
}

#define REGION		(2UL << 20)
#define MAX_REGIONS	512

/* 2 MiB physical regions one test has used already. */
struct regions {
	uint64_t seen[MAX_REGIONS];
	unsigned int count;
};

/*
 * Fresh anonymous memory of @len bytes, touched and locked; up to @max of
 * its pages, one per 2 MiB physical region that @used does not hold yet,
 * go to @pages (and their regions to @used). Return: how many.
 */
static unsigned int pages_in_new_regions(size_t len, char **pages, unsigned int max,
					 struct regions *used)
{
	unsigned int found = 0, i;
	char *buf, *p;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 0;
	memset(buf, 0x3c, len);
	if (mlock(buf, len))
		return 0;
	for (p = buf; p < buf + len && found < max && used->count < MAX_REGIONS; p += PAGE) {
		uint64_t region = pfn_of(p) * PAGE / REGION;
		bool known = false;

		if (!region)
			continue;
		for (i = 0; i < used->count && !known; i++)
			known = used->seen[i] == region;
		if (known)
			continue;
		used->seen[used->count++] = region;
		pages[found++] = p;
	}
	return found;
}

static long raw_unprotect(const struct raw *r, const void *addr, uint64_t len)
{
	uint64_t rdi = (uintptr_t)addr, r8 = len;

	return raw_call(r, HVTRUST_HC_UNPROTECT, &rdi, &r8);
}

/*
 * Attacker: a trusted program that protects and releases pages in ever new
 * 2 MiB regions, so that every region splits an EPT large page and takes a
 * table from the pool all sessions share, until none is left for anyone.
 * Releasing the last protected page of a region gives its table back: the
 * pool is as full after each round as before it.
 */
TEST_F(trust, ept_tables_come_back_when_pages_are_released)
{
	struct hvtrust_status before, during, after;
	struct regions *used = calloc(1, sizeof(*used));
	char *pages[24];
	unsigned int round, n, i;
	struct raw r;

	ASSERT_NE(NULL, used);
	ASSERT_EQ(0, raw_open(&r));
	/*
	 * The tables the session's own calls walk are watched (a split
	 * table each, at most): counted once they are, before the rounds.
	 */
	ASSERT_EQ(0, raw_status(&r));
	ASSERT_EQ(0, raw_status(&r));
	ASSERT_EQ(0, read_capacity(self->dev, &before));
	ASSERT_LT(0, before.ept_tables);
	for (round = 0; round < 6; round++) {
		n = pages_in_new_regions(32UL << 20, pages, 24, used);
		ASSERT_LT(0, n);
		for (i = 0; i < n; i++)
			ASSERT_EQ(0, raw_protect(&r, pages[i], PAGE)) {
				TH_LOG("round %u, page %u of %u", round, i, n);
			}
		ASSERT_EQ(0, read_capacity(self->dev, &during));
		EXPECT_GT(before.ept_tables_free, during.ept_tables_free) {
			TH_LOG("round %u: %u pages in new regions split no large page", round, n);
		}
		for (i = 0; i < n; i++)
			ASSERT_EQ(0, raw_unprotect(&r, pages[i], PAGE));
		/* The next call stops watching the tables of the pages released. */
		ASSERT_EQ(0, raw_status(&r));
		ASSERT_EQ(0, read_capacity(self->dev, &after));
		EXPECT_EQ(before.ept_tables_free, after.ept_tables_free) {
			TH_LOG("round %u: %u tables free before, %u with %u pages, %u after",
			       round, before.ept_tables_free, during.ept_tables_free, n,
			       after.ept_tables_free);
		}
	}
	EXPECT_EQ(0, raw_status(&r));
	free(used);
}

/* Calls until the session's calls skip their walks (bounded): its figures then. */
static int quiet_session(int dev, struct raw *r, struct hvtrust_status *status)
{
	int i, ret;

	for (i = 0; i < 32; i++) {
		ret = raw_status(r);
		if (ret)
			return ret;
		ret = read_capacity(dev, status);
		if (ret || status->sessions_clean)
			return ret;
	}
	return -EAGAIN;
}

/*
 * Attacker: a process, or the kernel, that puts another page under a
 * protected address once the program's calls have stopped walking its page
 * tables. No write touches the protected frame: only a page table changes,
 * and that write is a VM exit, after which the next call walks again and
 * finds the page replaced. Without the watch (watch_page_tables=0) every
 * call walks: the test then checks only that.
 */
TEST_F(trust, a_page_replaced_after_calls_went_quiet_is_found)
{
	bool watch = hvt_module_flag("watch_page_tables");
	struct hvtrust_status quiet, after;
	struct hvtrust_audit rec;
	uint64_t session;
	char *buf, *again;
	struct raw r;

	ASSERT_EQ(0, open_protecting_a_page(&r, &buf));
	session = r.page->session_id;
	if (watch) {
		ASSERT_EQ(0, quiet_session(self->dev, &r, &quiet));
		EXPECT_LT(0, quiet.tables_watched);
	} else {
		ASSERT_EQ(0, raw_status(&r));
		ASSERT_EQ(0, read_capacity(self->dev, &quiet));
	}
	again = mmap(buf, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		     -1, 0);
	ASSERT_EQ(buf, again);
	memset(again, 2, PAGE);
	ASSERT_EQ(0, read_capacity(self->dev, &after));
	if (watch)
		EXPECT_LT(quiet.table_writes, after.table_writes);
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_REMAPPED), session, &rec));
	EXPECT_EQ((uintptr_t)buf, rec.gva & ~(uint64_t)(PAGE - 1));
}

/*
 * A page-table write while calls skip their walks (here the program's own
 * mprotect: two writes to the protected page's entry) ends the quiet at
 * once, before any call. The walk that follows finds the same frame with
 * the same contents, and the calls go quiet again.
 */
TEST_F(trust, a_page_table_written_while_quiet_makes_the_next_call_walk)
{
	struct hvtrust_status quiet, after;
	struct raw r;
	char *buf;

	if (!hvt_module_flag("watch_page_tables"))
		SKIP(return, "watch_page_tables=0: every call walks");
	ASSERT_EQ(0, open_protecting_a_page(&r, &buf));
	ASSERT_EQ(0, quiet_session(self->dev, &r, &quiet));
	/* mprotect and back: two writes to the protected page's entry, same frame. */
	ASSERT_EQ(0, mprotect(buf, PAGE, PROT_READ));
	ASSERT_EQ(0, mprotect(buf, PAGE, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, read_capacity(self->dev, &after));
	EXPECT_LT(quiet.table_writes, after.table_writes);
	EXPECT_GT(quiet.sessions_clean, after.sessions_clean);
	ASSERT_EQ(0, quiet_session(self->dev, &r, &after));
}

/*
 * Attacker: one trusted program that protects a page in as many 2 MiB
 * regions as it can, to take every split table. Past its quota
 * (max_session_ept_tables) PROTECT fails with -ENOSPC, and what it holds
 * stays within the quota.
 */
TEST_F(trust, one_session_cannot_take_every_ept_table)
{
	long quota = hvt_module_param("max_session_ept_tables");
	unsigned long spare = mem_available(), taken = 0;
	struct hvtrust_status before, during;
	struct regions *used = calloc(1, sizeof(*used));
	char *pages[MAX_REGIONS];
	unsigned int n = 0, i;
	long ret = 0;
	struct raw r;

	ASSERT_NE(NULL, used);
	ASSERT_LT(0, quota);
	ASSERT_EQ(0, raw_open(&r));
	ASSERT_EQ(0, read_capacity(self->dev, &before));
	/* 8 MiB at a time, up to half the memory Linux has to spare. */
	while (n < MAX_REGIONS && ret != -ENOSPC && taken + (8UL << 20) <= spare / 2) {
		unsigned int got = pages_in_new_regions(8UL << 20, pages + n, MAX_REGIONS - n, used);

		taken += 8UL << 20;
		if (!got)
			break;
		for (i = n; i < n + got && ret != -ENOSPC; i++) {
			ret = raw_protect(&r, pages[i], PAGE);
			ASSERT_TRUE(ret == 0 || ret == -ENOSPC) {
				TH_LOG("PROTECT of page %u: %ld", i, ret);
			}
		}
		n += got;
	}
	ASSERT_EQ(0, read_capacity(self->dev, &during));
	TH_LOG("%u pages in new regions; tables free %u before, %u now; quota %ld; "
	       "%u page tables watched", n, before.ept_tables_free, during.ept_tables_free, quota,
	       during.tables_watched);
	/*
	 * The quota bounds what its data pages take; the page tables its calls
	 * walk are watched besides (at most two split tables each, and never
	 * the last quarter of the pool).
	 */
	EXPECT_GE(quota + 2L * during.tables_watched,
		  (long)before.ept_tables_free - (long)during.ept_tables_free);
	EXPECT_LE(during.ept_tables / 4, during.ept_tables_free);
	if (ret != -ENOSPC)
		SKIP(return, "only %u new 2 MiB regions in reach: the quota of %ld was not reached",
		     n, quota);
	/* The session lives on: what it holds stays protected. */
	EXPECT_EQ(0, raw_status(&r));
	free(used);
}

/*
 * Attacker: a trusted program that, right after another session was
 * revoked, floods the audit log with its own requests (4000 PROTECT and
 * UNPROTECT records) to push the record of the revocation out before
 * anyone reads it. Its records are rate-limited and never take the room
 * kept for the others: the revocation is still there to read.
 */
TEST_F(trust, a_flood_of_requests_cannot_push_a_revocation_out)
{
	uint64_t victim_session = 0;
	struct hvtrust_audit rec;
	int link[2], i;
	struct raw r;
	char *buf;
	pid_t pid;

	ASSERT_EQ(0, pipe(link));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct raw revoked;
		char *page;

		CHILD_CHECK(open_protecting_a_page(&revoked, &page) == 0, 2);
		victim_session = revoked.page->session_id;
		CHILD_CHECK(write(link[1], &victim_session, 8) == 8, 3);
		page[0] ^= 1;
		CHILD_CHECK(raw_status(&revoked) == -EKEYREVOKED, 4);
		_exit(0);
	}
	close(link[1]);
	ASSERT_EQ(8, read(link[0], &victim_session, 8));
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, open_protecting_a_page(&r, &buf));
	for (i = 0; i < 2000; i++) {
		ASSERT_EQ(0, raw_unprotect(&r, buf, PAGE));
		ASSERT_EQ(0, raw_protect(&r, buf, PAGE));
	}
	EXPECT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_WRITE), victim_session, &rec)) {
		TH_LOG("the revocation of session %llu is not in the audit log",
		       (unsigned long long)victim_session);
	}
	EXPECT_EQ(0, raw_status(&r));
}

/*
 * Attacker: a root process that starts a hibernation and holds it there:
 * every CPU leaves VMX, so EPT traps no write to a protected page and the
 * hypervisor's memory is Linux's to read. Every session is revoked (token
 * wiped, audited) before the first CPU leaves, and none comes back after.
 */
TEST_F(trust, hibernation_revokes_every_session_first)
{
	struct hvtrust_audit rec;
	uint64_t session;
	struct raw r;
	char *buf;
	int snapshot;

	ASSERT_EQ(0, open_protecting_a_page(&r, &buf));
	session = r.page->session_id;
	snapshot = start_hibernation();
	if (snapshot < 0)
		SKIP(return, "no hibernation here: %s", strerror(errno));
	EXPECT_NE(0, r.page->flags & HVTRUST_SESSION_REVOKED);
	EXPECT_EQ(0, r.page->token[0] | r.page->token[1] | r.page->token[2] | r.page->token[3]);
	buf[0] = 2;	/* no trap sees it now: the session is dead already */
	close(snapshot);
	EXPECT_TRUE(all_cpus_virtualized(self->dev));
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_HYPERVISOR_LEFT), session, &rec));
}

/*
 * Attacker: a hostile kernel that found the module's credential (it lives
 * in the module's memory) and takes one CPU out of VMX: before the registry
 * is sealed that is allowed, but only as a teardown of every session first.
 */
TEST_F(trust, a_cpu_leaving_vmx_revokes_every_session_first)
{
	struct hvtrust_audit rec;
	uint64_t session;
	struct raw r;

	if (access(DEVIRTUALIZE_HOOK, W_OK))
		SKIP(return, "a module without test hooks");
	ASSERT_EQ(0, raw_open(&r));
	session = r.page->session_id;
	ASSERT_EQ(0, devirtualize_cpu(0));
	EXPECT_NE(0, r.page->flags & HVTRUST_SESSION_REVOKED);
	EXPECT_TRUE(all_cpus_virtualized(self->dev));
	EXPECT_EQ(-EKEYREVOKED, raw_status(&r));
	ASSERT_TRUE(find_audit(self->dev, KIND(HVTRUST_AUDIT_HYPERVISOR_LEFT), session, &rec));
}

#define VMWRITE_FLAG_HOOK	"/sys/kernel/debug/hvtrust/vmwrite_flag"

/*
 * Attacker: a hostile kernel that stores into the per-CPU word where a
 * failed VMWRITE used to be reported from root, which made every CPU leave
 * VMX at its next exit. Root keeps that flag in its own hidden state now:
 * the store changes nothing, every CPU stays virtualized and calls work.
 */
TEST_F(trust, kernel_store_to_the_vmwrite_flag_changes_nothing)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN), cpu;
	struct raw r;

	if (access(VMWRITE_FLAG_HOOK, W_OK))
		SKIP(return, "a module without test hooks");
	ASSERT_EQ(0, raw_open(&r));
	ASSERT_EQ(0, hvt_write_text(VMWRITE_FLAG_HOOK, "4000"));
	for (cpu = 0; cpu < cpus; cpu++) {
		cpu_set_t set;
		struct hc h = { .rax = HVTRUST_HC_PING };

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
		/* A CPU that left VMX would make this VMCALL a SIGILL. */
		hc_direct(&h);
		EXPECT_EQ(HVTRUST_HC_PING_REPLY, h.rax) {
			TH_LOG("CPU %d", cpu);
		}
		EXPECT_EQ(0, raw_status(&r));
	}
	EXPECT_TRUE(all_cpus_virtualized(self->dev));
}

int main(int argc, char **argv)
{
	return hvt_trust_main(argc, argv, NULL);
}
