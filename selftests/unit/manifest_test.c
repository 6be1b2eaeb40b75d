// SPDX-License-Identifier: GPL-2.0
/* Unit tests of tools/manifest.c: manifests of real and crafted ELF files, and refusals. */
/* Context: user space, native build. */
#include <elf.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../tools/manifest.h"

#define PAGE		4096
#define IMG_ROOM	(8 * PAGE)
#define BASE_SIZE	(4 * PAGE + 100)

/* A crafted ELF file: a header, program headers, then a byte pattern. */
struct img {
	unsigned char buf[IMG_ROOM];
	size_t size;
};

static Elf64_Ehdr *ehdr(struct img *im)
{
	return (Elf64_Ehdr *)im->buf;
}

static Elf64_Phdr *phdr(struct img *im, int n)
{
	return (Elf64_Phdr *)(im->buf + sizeof(Elf64_Ehdr)) + n;
}

static void set_phdr(struct img *im, int n, uint32_t flags, uint64_t off, uint64_t vaddr,
		     uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr *p = phdr(im, n);

	p->p_type = PT_LOAD;
	p->p_flags = flags;
	p->p_offset = off;
	p->p_vaddr = vaddr;
	p->p_paddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = PAGE;
}

/*
 * A static executable's usual layout: a read-only segment with the headers,
 * code that starts 0x10 into its page, and data with a bss tail.
 */
static void base_image(struct img *im)
{
	Elf64_Ehdr *eh = ehdr(im);
	size_t i;

	memset(im, 0, sizeof(*im));
	im->size = BASE_SIZE;
	for (i = 0x100; i < im->size; i++)
		im->buf[i] = (unsigned char)(i * 7 + 3);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x401010;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	set_phdr(im, 0, PF_R, 0, 0x400000, 0x1000, 0x1000);
	set_phdr(im, 1, PF_R | PF_X, 0x1010, 0x401010, 0x1800, 0x1800);
	set_phdr(im, 2, PF_R | PF_W, 0x3000, 0x403000, 0x64, 0x2000);
}

static int img_fd(struct img *im)
{
	int fd = memfd_create("elf", MFD_CLOEXEC);

	if (fd < 0 || write(fd, im->buf, im->size) != (ssize_t)im->size)
		abort();
	return fd;
}

static int build(struct img *im, struct hvtrust_manifest **m, struct hvt_mf_status *st)
{
	int fd = img_fd(im), ret;

	ret = hvt_manifest_build(fd, m, st);
	close(fd);
	return ret;
}

static void sha256(const void *data, size_t len, uint8_t out[32])
{
	if (!EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL))
		abort();
}

/* The page a segment maps at @rel, computed from a copy of the file in memory. */
static void expected_page(const unsigned char *file, size_t file_size, uint64_t off,
			  uint64_t filesz, uint64_t memsz, uint64_t rel, unsigned char *page)
{
	uint64_t limit = memsz > filesz ? off + filesz : file_size;
	uint64_t i;

	memset(page, 0, PAGE);
	for (i = 0; i < PAGE; i++)
		if (off + rel + i < limit && off + rel + i < file_size)
			page[i] = file[off + rel + i];
}

/*
 * Checks a manifest against the file itself, read whole and walked with
 * code of its own: segments, page hashes, file hash.
 */
static void check_against_file(struct __test_metadata *_metadata, const char *path,
			       const struct hvtrust_manifest *m)
{
	unsigned char *file, page[PAGE];
	uint8_t digest[32];
	const Elf64_Ehdr *eh;
	struct stat sb;
	uint32_t seg = 0, hash = 0;
	int fd, i;

	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &sb));
	file = malloc(sb.st_size);
	ASSERT_NE(NULL, file);
	ASSERT_EQ(sb.st_size, pread(fd, file, sb.st_size, 0));
	close(fd);
	sha256(file, sb.st_size, digest);
	EXPECT_EQ(0, memcmp(digest, m->file_sha256, 32));
	EXPECT_EQ((uint64_t)sb.st_size, m->file_size);
	eh = (const Elf64_Ehdr *)file;
	EXPECT_EQ(eh->e_type == ET_DYN ? HVTRUST_MANIFEST_PIE : 0, m->flags);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = (const Elf64_Phdr *)(file + eh->e_phoff) + i;
		uint64_t rem = p->p_vaddr % PAGE, rel;
		const struct hvtrust_manifest_segment *s;

		if (p->p_type != PT_LOAD || !(p->p_flags & PF_X) || !p->p_memsz)
			continue;
		ASSERT_LT(seg, m->nr_segments);
		s = &m->segments[seg++];
		EXPECT_EQ(p->p_vaddr - rem, s->vaddr);
		EXPECT_EQ(p->p_offset - rem, s->offset);
		EXPECT_EQ(p->p_filesz + rem, s->filesz);
		EXPECT_EQ(p->p_memsz + rem, s->memsz);
		EXPECT_EQ(p->p_flags & 7, s->flags);
		EXPECT_EQ(hash, s->first_page);
		EXPECT_EQ((p->p_memsz + rem + PAGE - 1) / PAGE, s->nr_pages);
		for (rel = 0; rel < p->p_memsz + rem; rel += PAGE) {
			expected_page(file, sb.st_size, p->p_offset - rem, p->p_filesz + rem,
				      p->p_memsz + rem, rel, page);
			sha256(page, PAGE, digest);
			ASSERT_LT(hash, m->nr_pages);
			EXPECT_EQ(0, memcmp(digest, hvt_manifest_page_hash(m, hash), 32)) {
				TH_LOG("%s: page %u (segment %u, +%#llx) differs", path, hash,
				       seg - 1, (unsigned long long)rel);
			}
			hash++;
		}
	}
	EXPECT_EQ(seg, m->nr_segments);
	EXPECT_EQ(hash, m->nr_pages);
	free(file);
}

/* The test binary itself: a real ELF from the toolchain (PIE or not). */
TEST(real_elf_matches_independent_hashes)
{
	struct hvtrust_manifest *m = NULL;
	struct hvt_mf_status st;

	ASSERT_EQ(0, hvt_manifest_build_path("/proc/self/exe", &m, &st)) {
		TH_LOG("%s", st.message);
	}
	ASSERT_EQ(0, hvt_manifest_validate(m, m->size, &st)) {
		TH_LOG("%s", st.message);
	}
	EXPECT_EQ(HVTRUST_MANIFEST_MAGIC, m->magic);
	EXPECT_EQ(HVTRUST_MANIFEST_VERSION, m->version);
	EXPECT_EQ(hvt_manifest_size(m->nr_segments, m->nr_pages), m->size);
	check_against_file(_metadata, "/proc/self/exe", m);
	free(m);
}

TEST(crafted_exec_layout)
{
	struct hvtrust_manifest *m = NULL;
	struct hvt_mf_status st;
	static struct img im;

	base_image(&im);
	ASSERT_EQ(0, build(&im, &m, &st)) {
		TH_LOG("%s", st.message);
	}
	EXPECT_EQ(0, m->flags);
	ASSERT_EQ(1, m->nr_segments);
	EXPECT_EQ(0x401000, m->segments[0].vaddr);
	EXPECT_EQ(0x1000, m->segments[0].offset);
	EXPECT_EQ(0x1810, m->segments[0].filesz);
	EXPECT_EQ(0x1810, m->segments[0].memsz);
	EXPECT_EQ(HVTRUST_SEGMENT_R | HVTRUST_SEGMENT_X, m->segments[0].flags);
	EXPECT_EQ(2, m->segments[0].nr_pages);
	EXPECT_EQ(2, m->nr_pages);
	EXPECT_EQ(BASE_SIZE, m->file_size);
	free(m);
}

/* The crafted file is checked like the real one, through a path. */
TEST(crafted_hashes_match_file)
{
	struct hvtrust_manifest *m = NULL;
	struct hvt_mf_status st;
	static struct img im;
	char path[] = "/tmp/manifest_test.XXXXXX";
	int fd;

	base_image(&im);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)im.size, write(fd, im.buf, im.size));
	close(fd);
	ASSERT_EQ(0, hvt_manifest_build_path(path, &m, &st)) {
		TH_LOG("%s", st.message);
	}
	check_against_file(_metadata, path, m);
	unlink(path);
	free(m);
}

TEST(et_dyn_is_pie)
{
	struct hvtrust_manifest *m = NULL;
	struct hvt_mf_status st;
	static struct img im;

	base_image(&im);
	ehdr(&im)->e_type = ET_DYN;
	ASSERT_EQ(0, build(&im, &m, &st));
	EXPECT_EQ(HVTRUST_MANIFEST_PIE, m->flags);
	free(m);
}

/* memsz > filesz: the loader clears the page past filesz, and so must the hash. */
TEST(bss_tail_of_code_is_zero)
{
	struct hvtrust_manifest *m = NULL;
	unsigned char page[PAGE];
	struct hvt_mf_status st;
	static struct img im;
	uint8_t digest[32];

	base_image(&im);
	set_phdr(&im, 1, PF_R | PF_X, 0x1010, 0x401010, 0x100, 0x2800);
	ASSERT_EQ(0, build(&im, &m, &st));
	ASSERT_EQ(3, m->nr_pages);
	memset(page, 0, sizeof(page));
	memcpy(page, im.buf + 0x1000, 0x110);
	sha256(page, PAGE, digest);
	EXPECT_EQ(0, memcmp(digest, hvt_manifest_page_hash(m, 0), 32));
	memset(page, 0, sizeof(page));
	sha256(page, PAGE, digest);
	EXPECT_EQ(0, memcmp(digest, hvt_manifest_page_hash(m, 1), 32));
	EXPECT_EQ(0, memcmp(digest, hvt_manifest_page_hash(m, 2), 32));
	free(m);
}

/* memsz == filesz: the last page holds file bytes up to EOF, then zeros. */
TEST(last_page_past_eof_is_zero)
{
	struct hvtrust_manifest *m = NULL;
	unsigned char page[PAGE];
	struct hvt_mf_status st;
	static struct img im;
	uint8_t digest[32];

	base_image(&im);
	/* code runs to 0x10 bytes before EOF, which is 100 bytes into page 4 */
	set_phdr(&im, 1, PF_R | PF_X, 0x1010, 0x401010, BASE_SIZE - 0x1010 - 0x10,
		 BASE_SIZE - 0x1010 - 0x10);
	ehdr(&im)->e_phnum = 2;
	ASSERT_EQ(0, build(&im, &m, &st)) {
		TH_LOG("%s", st.message);
	}
	ASSERT_EQ(4, m->nr_pages);
	memset(page, 0, sizeof(page));
	memcpy(page, im.buf + 4 * PAGE, 100);
	sha256(page, PAGE, digest);
	EXPECT_EQ(0, memcmp(digest, hvt_manifest_page_hash(m, 3), 32));
	/* bytes between filesz and EOF are file bytes: here 0x10 of them */
	EXPECT_NE(0, im.buf[BASE_SIZE - 1]);
	free(m);
}

TEST(deterministic)
{
	struct hvtrust_manifest *a = NULL, *b = NULL;
	static struct img im;

	base_image(&im);
	ASSERT_EQ(0, build(&im, &a, NULL));
	ASSERT_EQ(0, build(&im, &b, NULL));
	ASSERT_EQ(a->size, b->size);
	EXPECT_EQ(0, memcmp(a, b, a->size));
	im.buf[0x1800] ^= 1;	/* one code bit: one page hash and the file hash change */
	free(b);
	ASSERT_EQ(0, build(&im, &b, NULL));
	EXPECT_NE(0, memcmp(a->file_sha256, b->file_sha256, 32));
	EXPECT_NE(0, memcmp(hvt_manifest_page_hash(a, 0), hvt_manifest_page_hash(b, 0), 32));
	EXPECT_EQ(0, memcmp(hvt_manifest_page_hash(a, 1), hvt_manifest_page_hash(b, 1), 32));
	free(a);
	free(b);
}

TEST(error_names_are_distinct)
{
	int i, j;

	for (i = 0; i < HVT_MF_ERROR_COUNT; i++) {
		EXPECT_STRNE("unknown", hvt_mf_error_name(i));
		for (j = 0; j < i; j++)
			EXPECT_STRNE(hvt_mf_error_name(j), hvt_mf_error_name(i));
	}
	EXPECT_STREQ("unknown", hvt_mf_error_name(HVT_MF_ERROR_COUNT));
}

/* ---- crafted bad files, each with its own error ---- */

static void mut_truncated(struct img *im) { im->size = 40; }
static void mut_not_elf(struct img *im) { im->buf[1] = 'X'; }
static void mut_class32(struct img *im) { ehdr(im)->e_ident[EI_CLASS] = ELFCLASS32; }
static void mut_big_endian(struct img *im) { ehdr(im)->e_ident[EI_DATA] = ELFDATA2MSB; }
static void mut_version(struct img *im) { ehdr(im)->e_version = 2; }
static void mut_rel(struct img *im) { ehdr(im)->e_type = ET_REL; }
static void mut_machine(struct img *im) { ehdr(im)->e_machine = EM_AARCH64; }
static void mut_ehsize(struct img *im) { ehdr(im)->e_ehsize = 52; }
static void mut_phentsize(struct img *im) { ehdr(im)->e_phentsize = 32; }
static void mut_phnum0(struct img *im) { ehdr(im)->e_phnum = 0; }
static void mut_phnum_big(struct img *im) { ehdr(im)->e_phnum = 74; }
static void mut_phoff_wrap(struct img *im) { ehdr(im)->e_phoff = UINT64_MAX - 16; }
static void mut_phoff_eof(struct img *im) { ehdr(im)->e_phoff = BASE_SIZE - 100; }
static void mut_phdrs_cut(struct img *im) { im->size = 100; }

static void mut_misaligned(struct img *im)
{
	phdr(im, 1)->p_offset = 0x1020;	/* p_vaddr ends in 0x010 */
}

static void mut_filesz(struct img *im)
{
	phdr(im, 1)->p_memsz = 0x100;
}

static void mut_past_eof(struct img *im)
{
	phdr(im, 1)->p_filesz = BASE_SIZE;
	phdr(im, 1)->p_memsz = BASE_SIZE;
}

static void mut_wrap(struct img *im)
{
	phdr(im, 1)->p_vaddr = UINT64_MAX - 0xfef;	/* same remainder as 0x1010 */
}

static void mut_overlap(struct img *im)
{
	ehdr(im)->e_phnum = 4;
	set_phdr(im, 3, PF_R | PF_X, 0x2000, 0x402000, 0x100, 0x100);
}

static void mut_unsorted(struct img *im)
{
	ehdr(im)->e_phnum = 4;
	set_phdr(im, 3, PF_R | PF_X, 0x2000, 0x300000, 0x100, 0x100);
}

static void mut_no_code(struct img *im)
{
	phdr(im, 1)->p_flags = PF_R;
}

static void mut_many_segments(struct img *im)
{
	int i;

	ehdr(im)->e_phnum = HVTRUST_MANIFEST_MAX_SEGMENTS + 1;
	for (i = 0; i <= HVTRUST_MANIFEST_MAX_SEGMENTS; i++)
		set_phdr(im, i, PF_R | PF_X, 0x1000, 0x401000 + i * 0x1000, 0x10, 0x10);
}

static void mut_many_pages(struct img *im)
{
	/* 0x10 + memsz spans exactly one page more than allowed */
	phdr(im, 1)->p_memsz = (uint64_t)HVTRUST_MANIFEST_MAX_PAGES * PAGE - 0x10 + 1;
}

FIXTURE(bad_elf)
{
	struct img im;
};

FIXTURE_VARIANT(bad_elf)
{
	void (*mutate)(struct img *im);
	enum hvt_mf_error expect;
	int err;
};

FIXTURE_SETUP(bad_elf)
{
	base_image(&self->im);
}

FIXTURE_TEARDOWN(bad_elf)
{
}

#define BAD_ELF(name, fn, code, errno_value) \
	FIXTURE_VARIANT_ADD(bad_elf, name) { \
		.mutate = fn, .expect = code, .err = errno_value, \
	}

BAD_ELF(truncated, mut_truncated, HVT_MF_TRUNCATED, -ENOEXEC);
BAD_ELF(not_elf, mut_not_elf, HVT_MF_NOT_ELF, -ENOEXEC);
BAD_ELF(elf32, mut_class32, HVT_MF_CLASS, -ENOEXEC);
BAD_ELF(big_endian, mut_big_endian, HVT_MF_DATA, -ENOEXEC);
BAD_ELF(version, mut_version, HVT_MF_VERSION, -ENOEXEC);
BAD_ELF(relocatable, mut_rel, HVT_MF_TYPE, -ENOEXEC);
BAD_ELF(wrong_machine, mut_machine, HVT_MF_MACHINE, -ENOEXEC);
BAD_ELF(small_ehsize, mut_ehsize, HVT_MF_EHSIZE, -ENOEXEC);
BAD_ELF(phentsize, mut_phentsize, HVT_MF_PHENTSIZE, -ENOEXEC);
BAD_ELF(no_phdrs, mut_phnum0, HVT_MF_PHNUM, -ENOEXEC);
BAD_ELF(too_many_phdrs, mut_phnum_big, HVT_MF_PHNUM, -ENOEXEC);
BAD_ELF(phoff_overflow, mut_phoff_wrap, HVT_MF_PHOFF, -ENOEXEC);
BAD_ELF(phoff_past_eof, mut_phoff_eof, HVT_MF_PHOFF, -ENOEXEC);
BAD_ELF(phdrs_truncated, mut_phdrs_cut, HVT_MF_PHOFF, -ENOEXEC);
BAD_ELF(misaligned, mut_misaligned, HVT_MF_SEG_ALIGN, -ENOEXEC);
BAD_ELF(filesz_over_memsz, mut_filesz, HVT_MF_SEG_SIZE, -ENOEXEC);
BAD_ELF(segment_past_eof, mut_past_eof, HVT_MF_SEG_FILE, -ENOEXEC);
BAD_ELF(vaddr_wraps, mut_wrap, HVT_MF_SEG_RANGE, -ENOEXEC);
BAD_ELF(overlapping, mut_overlap, HVT_MF_OVERLAP, -ENOEXEC);
BAD_ELF(unsorted, mut_unsorted, HVT_MF_OVERLAP, -ENOEXEC);
BAD_ELF(no_code, mut_no_code, HVT_MF_NO_SEGMENTS, -ENOEXEC);
BAD_ELF(too_many_segments, mut_many_segments, HVT_MF_TOO_MANY_SEGMENTS, -EFBIG);
BAD_ELF(too_many_pages, mut_many_pages, HVT_MF_TOO_MANY_PAGES, -EFBIG);

TEST_F(bad_elf, refused)
{
	struct hvtrust_manifest *m = (void *)1;
	struct hvt_mf_status st;
	int ret;

	/* the unchanged image is fine: the refusal comes from the mutation */
	ret = build(&self->im, &m, &st);
	ASSERT_EQ(0, ret);
	free(m);
	variant->mutate(&self->im);
	ret = build(&self->im, &m, &st);
	EXPECT_EQ(-(int)variant->expect, ret) {
		TH_LOG("got %s (%s), expected %s", hvt_mf_error_name(-ret), st.message,
		       hvt_mf_error_name(variant->expect));
	}
	EXPECT_EQ(variant->expect, st.error);
	EXPECT_EQ(variant->err, hvt_mf_errno(&st));
	EXPECT_NE(0, st.message[0]);
	EXPECT_EQ(NULL, m);
}

/* One page less than the limit is accepted: the limit is exact. */
TEST(page_limit_is_exact)
{
	struct hvtrust_manifest *m = NULL;
	struct hvt_mf_status st;
	static struct img im;

	base_image(&im);
	phdr(&im, 1)->p_memsz = (uint64_t)HVTRUST_MANIFEST_MAX_PAGES * PAGE - 0x10;
	ASSERT_EQ(0, build(&im, &m, &st)) {
		TH_LOG("%s", st.message);
	}
	EXPECT_EQ(HVTRUST_MANIFEST_MAX_PAGES, m->nr_pages);
	free(m);
}

TEST(not_a_regular_file)
{
	struct hvtrust_manifest *m = NULL;
	struct hvt_mf_status st;

	EXPECT_EQ(-HVT_MF_IO, hvt_manifest_build_path("/", &m, &st));
	EXPECT_EQ(-ENOENT, (hvt_manifest_build_path("/nonexistent/x", &m, &st),
			    hvt_mf_errno(&st)));
}

/* ---- corrupted manifests ---- */

#define BLOB_ROOM	(64 * 1024)

static struct hvtrust_manifest *valid_blob(size_t *len)
{
	struct hvtrust_manifest *m = NULL, *copy;
	static struct img im;

	base_image(&im);
	if (build(&im, &m, NULL))
		abort();
	copy = calloc(1, BLOB_ROOM);
	if (!copy)
		abort();
	memcpy(copy, m, m->size);
	*len = m->size;
	free(m);
	return copy;
}

/* Turns the one-segment manifest into two segments, the second at @vaddr. */
static void two_segments(struct hvtrust_manifest *m, size_t *len, uint64_t vaddr)
{
	uint8_t hashes[2 * 32];

	memcpy(hashes, hvt_manifest_page_hash(m, 0), sizeof(hashes));
	m->nr_segments = 2;
	m->nr_pages = 3;
	m->segments[1] = m->segments[0];
	m->segments[1].vaddr = vaddr;
	m->segments[1].memsz = m->segments[1].filesz = 0x100;
	m->segments[1].first_page = 2;
	m->segments[1].nr_pages = 1;
	memcpy((void *)hvt_manifest_page_hash(m, 0), hashes, sizeof(hashes));
	m->size = hvt_manifest_size(2, 3);
	*len = m->size;
}

static void bm_magic(struct hvtrust_manifest *m, size_t *len) { (void)len; m->magic++; }
static void bm_version(struct hvtrust_manifest *m, size_t *len) { (void)len; m->version = 2; }
static void bm_flags(struct hvtrust_manifest *m, size_t *len) { (void)len; m->flags = 2; }
static void bm_reserved(struct hvtrust_manifest *m, size_t *len) { (void)len; m->reserved[1] = 1; }
static void bm_no_segments(struct hvtrust_manifest *m, size_t *len) { (void)len; m->nr_segments = 0; }
static void bm_many_segments(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->nr_segments = HVTRUST_MANIFEST_MAX_SEGMENTS + 1;
}
static void bm_no_pages(struct hvtrust_manifest *m, size_t *len) { (void)len; m->nr_pages = 0; }
static void bm_many_pages(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->nr_pages = HVTRUST_MANIFEST_MAX_PAGES + 1;
}
static void bm_size_field(struct hvtrust_manifest *m, size_t *len) { (void)len; m->size += 32; }
static void bm_len_short(struct hvtrust_manifest *m, size_t *len) { (void)m; *len -= 1; }
static void bm_len_long(struct hvtrust_manifest *m, size_t *len) { (void)m; *len += 32; }
static void bm_len_tiny(struct hvtrust_manifest *m, size_t *len) { (void)m; *len = 10; }
static void bm_seg_reserved(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->segments[0].reserved = 1;
}
static void bm_seg_not_x(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->segments[0].flags = HVTRUST_SEGMENT_R;
}
static void bm_seg_unknown_flag(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->segments[0].flags |= 0x100;
}
static void bm_seg_unaligned(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->segments[0].vaddr += 0x10;
}
static void bm_seg_filesz(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->segments[0].filesz = m->segments[0].memsz + 1;
}
static void bm_seg_past_file(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->file_size = m->segments[0].offset + m->segments[0].filesz - 1;
}
static void bm_seg_wraps(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->segments[0].vaddr = UINT64_MAX & ~0xfffULL;
}
static void bm_seg_nr_pages(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->segments[0].nr_pages++;
}
static void bm_seg_first_page(struct hvtrust_manifest *m, size_t *len)
{
	(void)len;
	m->segments[0].first_page = 1;
}
static void bm_pages_uncovered(struct hvtrust_manifest *m, size_t *len)
{
	m->nr_pages++;
	m->size += 32;
	*len += 32;
}
static void bm_overlap(struct hvtrust_manifest *m, size_t *len)
{
	two_segments(m, len, m->segments[0].vaddr + PAGE);
}
static void bm_unsorted(struct hvtrust_manifest *m, size_t *len)
{
	two_segments(m, len, m->segments[0].vaddr - PAGE);
}

FIXTURE(bad_blob)
{
	struct hvtrust_manifest *m;
	size_t len;
};

FIXTURE_VARIANT(bad_blob)
{
	void (*mutate)(struct hvtrust_manifest *m, size_t *len);
	enum hvt_mf_error expect;
};

FIXTURE_SETUP(bad_blob)
{
	self->m = valid_blob(&self->len);
}

FIXTURE_TEARDOWN(bad_blob)
{
	free(self->m);
}

#define BAD_BLOB(name, fn, code) \
	FIXTURE_VARIANT_ADD(bad_blob, name) { .mutate = fn, .expect = code }

BAD_BLOB(magic, bm_magic, HVT_MF_BLOB_MAGIC);
BAD_BLOB(version, bm_version, HVT_MF_BLOB_VERSION);
BAD_BLOB(flags, bm_flags, HVT_MF_BLOB_FLAGS);
BAD_BLOB(reserved, bm_reserved, HVT_MF_BLOB_RESERVED);
BAD_BLOB(no_segments, bm_no_segments, HVT_MF_BLOB_COUNTS);
BAD_BLOB(too_many_segments, bm_many_segments, HVT_MF_BLOB_COUNTS);
BAD_BLOB(no_pages, bm_no_pages, HVT_MF_BLOB_COUNTS);
BAD_BLOB(too_many_pages, bm_many_pages, HVT_MF_BLOB_COUNTS);
BAD_BLOB(size_field, bm_size_field, HVT_MF_BLOB_SIZE);
BAD_BLOB(length_short, bm_len_short, HVT_MF_BLOB_SHORT);
BAD_BLOB(length_long, bm_len_long, HVT_MF_BLOB_SIZE);
BAD_BLOB(length_tiny, bm_len_tiny, HVT_MF_BLOB_SHORT);
BAD_BLOB(segment_reserved, bm_seg_reserved, HVT_MF_BLOB_RESERVED);
BAD_BLOB(segment_not_executable, bm_seg_not_x, HVT_MF_BLOB_SEGMENT);
BAD_BLOB(segment_unknown_flag, bm_seg_unknown_flag, HVT_MF_BLOB_SEGMENT);
BAD_BLOB(segment_unaligned, bm_seg_unaligned, HVT_MF_BLOB_SEGMENT);
BAD_BLOB(segment_filesz, bm_seg_filesz, HVT_MF_BLOB_SEGMENT);
BAD_BLOB(segment_past_file, bm_seg_past_file, HVT_MF_BLOB_SEGMENT);
BAD_BLOB(segment_wraps, bm_seg_wraps, HVT_MF_BLOB_SEGMENT);
BAD_BLOB(segment_nr_pages, bm_seg_nr_pages, HVT_MF_BLOB_PAGES);
BAD_BLOB(segment_first_page, bm_seg_first_page, HVT_MF_BLOB_PAGES);
BAD_BLOB(pages_uncovered, bm_pages_uncovered, HVT_MF_BLOB_PAGES);
BAD_BLOB(overlapping, bm_overlap, HVT_MF_BLOB_OVERLAP);
BAD_BLOB(unsorted, bm_unsorted, HVT_MF_BLOB_OVERLAP);

TEST_F(bad_blob, refused)
{
	struct hvt_mf_status st;
	int ret;

	ASSERT_EQ(0, hvt_manifest_validate(self->m, self->len, &st)) {
		TH_LOG("%s", st.message);
	}
	variant->mutate(self->m, &self->len);
	ret = hvt_manifest_validate(self->m, self->len, &st);
	EXPECT_EQ(-(int)variant->expect, ret) {
		TH_LOG("got %s (%s), expected %s", hvt_mf_error_name(-ret), st.message,
		       hvt_mf_error_name(variant->expect));
	}
	EXPECT_EQ(-EINVAL, hvt_mf_errno(&st));
}

/* The two-segment shape itself is valid when the segments do not meet. */
TEST(two_segments_apart_are_valid)
{
	struct hvt_mf_status st;
	size_t len;
	struct hvtrust_manifest *m = valid_blob(&len);

	two_segments(m, &len, m->segments[0].vaddr + 2 * PAGE);
	EXPECT_EQ(0, hvt_manifest_validate(m, len, &st)) {
		TH_LOG("%s", st.message);
	}
	free(m);
}

TEST_HARNESS_MAIN
