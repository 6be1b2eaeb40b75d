// SPDX-License-Identifier: GPL-2.0
/* Trusted-binary manifests: built from an ELF64 x86-64 file, and validated as blobs. */
/* Context: user space (hvtrustctl, the selftests); hashes with libcrypto. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HVT_MANIFEST_OWN_SHA256
#include "../token/sha256.h"
#else
#include <openssl/evp.h>
#endif

#include "manifest.h"

#define PAGE		HVTRUST_PAGE_SIZE
#define PAGE_MASK_LOW	((uint64_t)PAGE - 1)

_Static_assert(sizeof(struct hvtrust_manifest) == 80, "manifest header layout");
_Static_assert(sizeof(struct hvtrust_manifest_segment) == 48, "manifest segment layout");
/* The segment flags are the ELF p_flags bits: they are copied as they are. */
_Static_assert(HVTRUST_SEGMENT_X == PF_X && HVTRUST_SEGMENT_W == PF_W &&
	       HVTRUST_SEGMENT_R == PF_R, "segment flags are p_flags");

static const char *const error_names[HVT_MF_ERROR_COUNT] = {
	[HVT_MF_OK] = "ok",
	[HVT_MF_IO] = "io",
	[HVT_MF_NOMEM] = "nomem",
	[HVT_MF_CRYPTO] = "crypto",
	[HVT_MF_TRUNCATED] = "truncated",
	[HVT_MF_NOT_ELF] = "not-elf",
	[HVT_MF_CLASS] = "class",
	[HVT_MF_DATA] = "data",
	[HVT_MF_VERSION] = "version",
	[HVT_MF_TYPE] = "type",
	[HVT_MF_MACHINE] = "machine",
	[HVT_MF_EHSIZE] = "ehsize",
	[HVT_MF_PHENTSIZE] = "phentsize",
	[HVT_MF_PHNUM] = "phnum",
	[HVT_MF_PHOFF] = "phoff",
	[HVT_MF_SEG_ALIGN] = "segment-align",
	[HVT_MF_SEG_SIZE] = "segment-size",
	[HVT_MF_SEG_FILE] = "segment-file",
	[HVT_MF_SEG_RANGE] = "segment-range",
	[HVT_MF_OVERLAP] = "overlap",
	[HVT_MF_NO_SEGMENTS] = "no-segments",
	[HVT_MF_TOO_MANY_SEGMENTS] = "too-many-segments",
	[HVT_MF_TOO_MANY_PAGES] = "too-many-pages",
	[HVT_MF_BLOB_SHORT] = "blob-short",
	[HVT_MF_BLOB_MAGIC] = "blob-magic",
	[HVT_MF_BLOB_VERSION] = "blob-version",
	[HVT_MF_BLOB_SIZE] = "blob-size",
	[HVT_MF_BLOB_FLAGS] = "blob-flags",
	[HVT_MF_BLOB_RESERVED] = "blob-reserved",
	[HVT_MF_BLOB_COUNTS] = "blob-counts",
	[HVT_MF_BLOB_SEGMENT] = "blob-segment",
	[HVT_MF_BLOB_PAGES] = "blob-pages",
	[HVT_MF_BLOB_OVERLAP] = "blob-overlap",
};

const char *hvt_mf_error_name(enum hvt_mf_error error)
{
	if ((unsigned int)error >= HVT_MF_ERROR_COUNT)
		return "unknown";
	return error_names[error];
}

int hvt_mf_errno(const struct hvt_mf_status *st)
{
	switch (st->error) {
	case HVT_MF_OK:
		return 0;
	case HVT_MF_IO:
		return st->sys_errno ? -st->sys_errno : -EIO;
	case HVT_MF_NOMEM:
		return -ENOMEM;
	case HVT_MF_CRYPTO:
		return -EIO;
	case HVT_MF_TOO_MANY_SEGMENTS:
	case HVT_MF_TOO_MANY_PAGES:
		return -EFBIG;
	default:
		return st->error >= HVT_MF_BLOB_SHORT ? -EINVAL : -ENOEXEC;
	}
}

static int __attribute__((format(printf, 4, 5)))
fail(struct hvt_mf_status *st, enum hvt_mf_error error, int sys_errno, const char *fmt, ...)
{
	va_list ap;

	if (st) {
		st->error = error;
		st->sys_errno = sys_errno;
		va_start(ap, fmt);
		vsnprintf(st->message, sizeof(st->message), fmt, ap);
		va_end(ap);
	}
	return -(int)error;
}

static void ok(struct hvt_mf_status *st)
{
	if (st) {
		st->error = HVT_MF_OK;
		st->sys_errno = 0;
		st->message[0] = '\0';
	}
}

void hvt_sha256_hex(const uint8_t digest[HVTRUST_SHA256_SIZE], char out[65])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < HVTRUST_SHA256_SIZE; i++) {
		out[2 * i] = digits[digest[i] >> 4];
		out[2 * i + 1] = digits[digest[i] & 0xf];
	}
	out[64] = '\0';
}

/* Reads up to @len bytes at @off; fewer only at the end of the file. */
static ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

#ifdef HVT_MANIFEST_OWN_SHA256
/*
 * The VM selftests hash with the hypervisor's own SHA-256 and leave
 * libcrypto out: the hypervisor hashes a trusted program's whole code at
 * its first hypercall, and a static libcrypto would multiply that code.
 */
struct hvt_md {
	struct hvt_sha256 ctx;
};

static struct hvt_md *md_new(void)
{
	struct hvt_md *md = malloc(sizeof(*md));

	if (md)
		hvt_sha256_init(&md->ctx);
	return md;
}

static bool md_update(struct hvt_md *md, const void *data, size_t len)
{
	hvt_sha256_update(&md->ctx, data, len);
	return true;
}

static bool md_final(struct hvt_md *md, uint8_t digest[HVTRUST_SHA256_SIZE])
{
	hvt_sha256_final(&md->ctx, digest);
	return true;
}

static void md_free(struct hvt_md *md)
{
	free(md);
}

static bool sha256(const void *data, size_t len, uint8_t digest[HVTRUST_SHA256_SIZE])
{
	hvt_sha256(data, len, digest);
	return true;
}
#else
struct hvt_md {
	EVP_MD_CTX *ctx;
};

static struct hvt_md *md_new(void)
{
	struct hvt_md *md = malloc(sizeof(*md));

	if (!md)
		return NULL;
	md->ctx = EVP_MD_CTX_new();
	if (!md->ctx || !EVP_DigestInit_ex(md->ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md->ctx);
		free(md);
		return NULL;
	}
	return md;
}

static bool md_update(struct hvt_md *md, const void *data, size_t len)
{
	return EVP_DigestUpdate(md->ctx, data, len);
}

static bool md_final(struct hvt_md *md, uint8_t digest[HVTRUST_SHA256_SIZE])
{
	return EVP_DigestFinal_ex(md->ctx, digest, NULL);
}

static void md_free(struct hvt_md *md)
{
	if (md)
		EVP_MD_CTX_free(md->ctx);
	free(md);
}

static bool sha256(const void *data, size_t len, uint8_t digest[HVTRUST_SHA256_SIZE])
{
	return EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL);
}
#endif

int hvt_file_sha256(int fd, uint8_t digest[HVTRUST_SHA256_SIZE], uint64_t *size)
{
	static const size_t chunk = 1 << 16;
	struct hvt_md *ctx = md_new();
	uint64_t off = 0;
	char *buf = malloc(chunk);
	int ret = -EIO;

	if (!ctx || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = pread_full(fd, buf, chunk, off);

		if (n < 0) {
			ret = n;
			goto out;
		}
		if (n == 0)
			break;
		if (!md_update(ctx, buf, n))
			goto out;
		off += n;
	}
	if (!md_final(ctx, digest))
		goto out;
	if (size)
		*size = off;
	ret = 0;
out:
	free(buf);
	md_free(ctx);
	return ret;
}

static int check_ehdr(const Elf64_Ehdr *eh, uint64_t file_size, size_t got,
		      struct hvt_mf_status *st)
{
	uint64_t ph_bytes, ph_end;

	if (got < SELFMAG || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(st, HVT_MF_NOT_ELF, 0, "not an ELF file (no \\x7fELF magic)");
	if (got < sizeof(*eh))
		return fail(st, HVT_MF_TRUNCATED, 0,
			    "truncated: %llu bytes, shorter than an ELF64 header (%zu)",
			    (unsigned long long)file_size, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(st, HVT_MF_CLASS, 0, "ELF class %u is not ELFCLASS64 (%s)",
			    eh->e_ident[EI_CLASS],
			    eh->e_ident[EI_CLASS] == ELFCLASS32 ? "a 32-bit file" : "unknown");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(st, HVT_MF_DATA, 0, "ELF data encoding %u is not little-endian",
			    eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(st, HVT_MF_VERSION, 0, "ELF version %u/%u is not EV_CURRENT",
			    eh->e_ident[EI_VERSION], eh->e_version);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail(st, HVT_MF_TYPE, 0,
			    "ELF type %u is neither an executable (ET_EXEC) nor PIE (ET_DYN)",
			    eh->e_type);
	if (eh->e_machine != EM_X86_64)
		return fail(st, HVT_MF_MACHINE, 0, "ELF machine %u is not x86-64 (%u)",
			    eh->e_machine, EM_X86_64);
	if (eh->e_ehsize < sizeof(*eh))
		return fail(st, HVT_MF_EHSIZE, 0, "e_ehsize %u is smaller than an ELF64 header (%zu)",
			    eh->e_ehsize, sizeof(*eh));
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(st, HVT_MF_PHENTSIZE, 0, "e_phentsize %u is not %zu",
			    eh->e_phentsize, sizeof(Elf64_Phdr));
	ph_bytes = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_phnum == 0 || ph_bytes > HVT_MF_MAX_PHDR_BYTES)
		return fail(st, HVT_MF_PHNUM, 0,
			    "e_phnum %u: need 1 to %zu program headers (one page, as the kernel)",
			    eh->e_phnum, HVT_MF_MAX_PHDR_BYTES / sizeof(Elf64_Phdr));
	if (__builtin_add_overflow(eh->e_phoff, ph_bytes, &ph_end) || ph_end > file_size)
		return fail(st, HVT_MF_PHOFF, 0,
			    "program headers at e_phoff %#llx + %llu bytes pass the end of the file (%llu bytes)",
			    (unsigned long long)eh->e_phoff, (unsigned long long)ph_bytes,
			    (unsigned long long)file_size);
	return 0;
}

/* Turns executable PT_LOAD headers into manifest segments; counts pages. */
static int collect_segments(const Elf64_Phdr *ph, unsigned int phnum, uint64_t file_size,
			    struct hvtrust_manifest_segment *segs, uint32_t *nr_segs,
			    uint32_t *nr_pages, struct hvt_mf_status *st)
{
	uint64_t prev_end = 0, pages = 0, end;
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		struct hvtrust_manifest_segment *s;
		uint64_t rem, seg_pages;

		if (p->p_type != PT_LOAD || !(p->p_flags & PF_X))
			continue;
		if (p->p_filesz > p->p_memsz)
			return fail(st, HVT_MF_SEG_SIZE, 0,
				    "program header %u: p_filesz %#llx exceeds p_memsz %#llx", i,
				    (unsigned long long)p->p_filesz,
				    (unsigned long long)p->p_memsz);
		if (__builtin_add_overflow(p->p_offset, p->p_filesz, &end) || end > file_size)
			return fail(st, HVT_MF_SEG_FILE, 0,
				    "program header %u: p_offset %#llx + p_filesz %#llx passes the end of the file (%llu bytes)",
				    i, (unsigned long long)p->p_offset,
				    (unsigned long long)p->p_filesz,
				    (unsigned long long)file_size);
		if ((p->p_vaddr & PAGE_MASK_LOW) != (p->p_offset & PAGE_MASK_LOW))
			return fail(st, HVT_MF_SEG_ALIGN, 0,
				    "program header %u: p_vaddr %#llx and p_offset %#llx differ modulo %d",
				    i, (unsigned long long)p->p_vaddr,
				    (unsigned long long)p->p_offset, PAGE);
		if (p->p_memsz == 0)
			continue;	/* maps nothing: nothing to vouch for */
		rem = p->p_vaddr & PAGE_MASK_LOW;
		seg_pages = (p->p_memsz + rem + PAGE_MASK_LOW) / PAGE;
		/* the last page must end below 2^64, and so must the rounding above */
		if (p->p_memsz > UINT64_MAX - rem - PAGE_MASK_LOW ||
		    __builtin_add_overflow(p->p_vaddr - rem, seg_pages * PAGE - 1, &end))
			return fail(st, HVT_MF_SEG_RANGE, 0,
				    "program header %u: p_vaddr %#llx + p_memsz %#llx wraps around",
				    i, (unsigned long long)p->p_vaddr,
				    (unsigned long long)p->p_memsz);
		if (n && p->p_vaddr - rem < prev_end)
			return fail(st, HVT_MF_OVERLAP, 0,
				    "program header %u: executable segment at %#llx overlaps or precedes the one ending at %#llx",
				    i, (unsigned long long)(p->p_vaddr - rem),
				    (unsigned long long)prev_end);
		if (n == HVTRUST_MANIFEST_MAX_SEGMENTS)
			return fail(st, HVT_MF_TOO_MANY_SEGMENTS, 0,
				    "more than %d executable segments", HVTRUST_MANIFEST_MAX_SEGMENTS);
		if (pages + seg_pages > HVTRUST_MANIFEST_MAX_PAGES)
			return fail(st, HVT_MF_TOO_MANY_PAGES, 0,
				    "executable segments span more than %d pages (%llu with program header %u)",
				    HVTRUST_MANIFEST_MAX_PAGES,
				    (unsigned long long)(pages + seg_pages), i);
		s = &segs[n++];
		memset(s, 0, sizeof(*s));
		s->vaddr = p->p_vaddr - rem;
		s->offset = p->p_offset - rem;
		s->filesz = p->p_filesz + rem;
		s->memsz = p->p_memsz + rem;
		s->flags = p->p_flags & (HVTRUST_SEGMENT_X | HVTRUST_SEGMENT_W | HVTRUST_SEGMENT_R);
		s->first_page = pages;
		s->nr_pages = seg_pages;
		pages += seg_pages;
		/* A segment ending at the top of the address space leaves no room after it. */
		prev_end = end == UINT64_MAX ? UINT64_MAX : end + 1;
	}
	if (!n)
		return fail(st, HVT_MF_NO_SEGMENTS, 0, "no executable PT_LOAD segment");
	*nr_segs = n;
	*nr_pages = pages;
	return 0;
}

/*
 * Page i of a segment as the kernel's ELF loader maps it: the file's bytes at
 * offset + i * 4096, zeros past the end of the file, and zeros past filesz
 * only where memsz > filesz (there the loader clears the tail of the page).
 */
static int hash_pages(int fd, struct hvtrust_manifest *m, struct hvt_mf_status *st)
{
	uint8_t page[PAGE], *hash = (uint8_t *)hvt_manifest_page_hash(m, 0);
	uint32_t s, i;

	for (s = 0; s < m->nr_segments; s++) {
		const struct hvtrust_manifest_segment *seg = &m->segments[s];

		for (i = 0; i < seg->nr_pages; i++) {
			uint64_t rel = (uint64_t)i * PAGE;
			size_t want = PAGE;
			ssize_t got;

			if (seg->memsz > seg->filesz)
				want = rel >= seg->filesz ? 0 :
				       seg->filesz - rel < PAGE ? seg->filesz - rel : PAGE;
			memset(page, 0, sizeof(page));
			if (want) {
				got = pread_full(fd, page, want, seg->offset + rel);
				if (got < 0)
					return fail(st, HVT_MF_IO, (int)-got,
						    "reading page %u of segment %u: %s", i, s,
						    strerror((int)-got));
			}
			if (!sha256(page, PAGE, hash))
				return fail(st, HVT_MF_CRYPTO, 0, "SHA-256 failed in libcrypto");
			hash += HVTRUST_SHA256_SIZE;
		}
	}
	return 0;
}

int hvt_manifest_build(int fd, struct hvtrust_manifest **out, struct hvt_mf_status *st)
{
	struct hvtrust_manifest_segment segs[HVTRUST_MANIFEST_MAX_SEGMENTS];
	Elf64_Phdr phdrs[HVT_MF_MAX_PHDR_BYTES / sizeof(Elf64_Phdr)];
	struct hvtrust_manifest *m;
	uint32_t nr_segs = 0, nr_pages = 0;
	uint64_t hashed_size;
	Elf64_Ehdr eh;
	const char *why;
	struct stat sb;
	ssize_t got;
	size_t size;
	int ret, err;

	*out = NULL;
	if (fstat(fd, &sb))
		return fail(st, HVT_MF_IO, errno, "stat: %s", strerror(errno));
	why = hvt_input_refusal_fd(fd, &err);
	if (why)
		return fail(st, HVT_MF_IO, err, "%s", why);
	memset(&eh, 0, sizeof(eh));
	got = pread_full(fd, &eh, sizeof(eh), 0);
	if (got < 0)
		return fail(st, HVT_MF_IO, (int)-got, "reading the ELF header: %s",
			    strerror((int)-got));
	ret = check_ehdr(&eh, sb.st_size, got, st);
	if (ret)
		return ret;
	got = pread_full(fd, phdrs, (size_t)eh.e_phnum * sizeof(Elf64_Phdr), eh.e_phoff);
	if (got < 0)
		return fail(st, HVT_MF_IO, (int)-got, "reading the program headers: %s",
			    strerror((int)-got));
	if ((size_t)got != eh.e_phnum * sizeof(Elf64_Phdr))
		return fail(st, HVT_MF_PHOFF, 0, "program headers cut short: the file shrank");
	ret = collect_segments(phdrs, eh.e_phnum, sb.st_size, segs, &nr_segs, &nr_pages, st);
	if (ret)
		return ret;

	size = hvt_manifest_size(nr_segs, nr_pages);
	m = calloc(1, size);
	if (!m)
		return fail(st, HVT_MF_NOMEM, ENOMEM, "out of memory for %zu bytes", size);
	m->magic = HVTRUST_MANIFEST_MAGIC;
	m->version = HVTRUST_MANIFEST_VERSION;
	m->size = size;
	m->flags = eh.e_type == ET_DYN ? HVTRUST_MANIFEST_PIE : 0;
	m->nr_segments = nr_segs;
	m->nr_pages = nr_pages;
	memcpy(m->segments, segs, nr_segs * sizeof(segs[0]));
	ret = hvt_file_sha256(fd, m->file_sha256, &hashed_size);
	if (ret) {
		free(m);
		return fail(st, ret == -ENOMEM ? HVT_MF_NOMEM : HVT_MF_IO, -ret,
			    "hashing the file: %s", strerror(-ret));
	}
	/* A file that changes under us would give a manifest of no file at all. */
	if (hashed_size != (uint64_t)sb.st_size) {
		free(m);
		return fail(st, HVT_MF_IO, EAGAIN, "the file changed size while it was read");
	}
	m->file_size = hashed_size;
	ret = hash_pages(fd, m, st);
	if (ret) {
		free(m);
		return ret;
	}
	ret = hvt_manifest_validate(m, size, st);
	if (ret) {
		free(m);
		return ret;
	}
	ok(st);
	*out = m;
	return 0;
}

int hvt_manifest_build_path(const char *path, struct hvtrust_manifest **out,
			    struct hvt_mf_status *st)
{
	const char *why;
	int fd = hvt_open_input(path, &why), ret;

	if (fd < 0) {
		*out = NULL;
		return fail(st, HVT_MF_IO, -fd, "%s", why);
	}
	ret = hvt_manifest_build(fd, out, st);
	close(fd);
	return ret;
}

static int validate_segment(const struct hvtrust_manifest *m, uint32_t i, uint64_t next_page,
			    uint64_t prev_end, struct hvt_mf_status *st)
{
	const struct hvtrust_manifest_segment *s = &m->segments[i];
	const uint32_t known = HVTRUST_SEGMENT_X | HVTRUST_SEGMENT_W | HVTRUST_SEGMENT_R;
	uint64_t end;

	if (s->reserved)
		return fail(st, HVT_MF_BLOB_RESERVED, 0, "segment %u: reserved is %#x, not zero",
			    i, s->reserved);
	if (!(s->flags & HVTRUST_SEGMENT_X) || (s->flags & ~known))
		return fail(st, HVT_MF_BLOB_SEGMENT, 0,
			    "segment %u: flags %#x (need X, only R, W and X known)", i, s->flags);
	if ((s->vaddr | s->offset) & PAGE_MASK_LOW)
		return fail(st, HVT_MF_BLOB_SEGMENT, 0,
			    "segment %u: vaddr %#llx or offset %#llx not page-aligned", i,
			    (unsigned long long)s->vaddr, (unsigned long long)s->offset);
	if (!s->memsz || s->filesz > s->memsz)
		return fail(st, HVT_MF_BLOB_SEGMENT, 0,
			    "segment %u: filesz %#llx, memsz %#llx (need 0 < memsz, filesz <= memsz)",
			    i, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	if (__builtin_add_overflow(s->offset, s->filesz, &end) || end > m->file_size)
		return fail(st, HVT_MF_BLOB_SEGMENT, 0,
			    "segment %u: offset %#llx + filesz %#llx passes the file size %llu", i,
			    (unsigned long long)s->offset, (unsigned long long)s->filesz,
			    (unsigned long long)m->file_size);
	if (s->nr_pages != s->memsz / PAGE + !!(s->memsz & PAGE_MASK_LOW) ||
	    s->first_page != next_page)
		return fail(st, HVT_MF_BLOB_PAGES, 0,
			    "segment %u: first_page %u, nr_pages %u (expected %llu and %llu)", i,
			    s->first_page, s->nr_pages, (unsigned long long)next_page,
			    (unsigned long long)(s->memsz / PAGE + !!(s->memsz & PAGE_MASK_LOW)));
	if (__builtin_add_overflow(s->vaddr, (uint64_t)s->nr_pages * PAGE - 1, &end))
		return fail(st, HVT_MF_BLOB_SEGMENT, 0, "segment %u: vaddr %#llx + memsz wraps around",
			    i, (unsigned long long)s->vaddr);
	if (i && s->vaddr < prev_end)
		return fail(st, HVT_MF_BLOB_OVERLAP, 0,
			    "segment %u at %#llx overlaps or precedes the one ending at %#llx", i,
			    (unsigned long long)s->vaddr, (unsigned long long)prev_end);
	return 0;
}

int hvt_manifest_validate(const void *blob, size_t len, struct hvt_mf_status *st)
{
	const struct hvtrust_manifest *m = blob;
	uint64_t prev_end = 0, next_page = 0;
	uint32_t i;
	int ret;

	if (len < sizeof(*m))
		return fail(st, HVT_MF_BLOB_SHORT, 0, "%zu bytes, shorter than the header (%zu)",
			    len, sizeof(*m));
	if (m->magic != HVTRUST_MANIFEST_MAGIC)
		return fail(st, HVT_MF_BLOB_MAGIC, 0, "magic %#x is not %#x", m->magic,
			    HVTRUST_MANIFEST_MAGIC);
	if (m->version != HVTRUST_MANIFEST_VERSION)
		return fail(st, HVT_MF_BLOB_VERSION, 0, "version %u is not %u", m->version,
			    HVTRUST_MANIFEST_VERSION);
	if (m->flags & ~HVTRUST_MANIFEST_PIE)
		return fail(st, HVT_MF_BLOB_FLAGS, 0, "unknown flags %#x", m->flags);
	if (m->reserved[0] || m->reserved[1])
		return fail(st, HVT_MF_BLOB_RESERVED, 0, "reserved header fields are not zero");
	if (m->nr_segments < 1 || m->nr_segments > HVTRUST_MANIFEST_MAX_SEGMENTS ||
	    m->nr_pages < 1 || m->nr_pages > HVTRUST_MANIFEST_MAX_PAGES)
		return fail(st, HVT_MF_BLOB_COUNTS, 0,
			    "%u segments and %u pages (limits 1..%d and 1..%d)", m->nr_segments,
			    m->nr_pages, HVTRUST_MANIFEST_MAX_SEGMENTS, HVTRUST_MANIFEST_MAX_PAGES);
	if (m->size != hvt_manifest_size(m->nr_segments, m->nr_pages))
		return fail(st, HVT_MF_BLOB_SIZE, 0, "size %u, but %u segments and %u pages need %zu",
			    m->size, m->nr_segments, m->nr_pages,
			    hvt_manifest_size(m->nr_segments, m->nr_pages));
	if (len < m->size)
		return fail(st, HVT_MF_BLOB_SHORT, 0, "%zu bytes, but size says %u", len, m->size);
	if (len != m->size)
		return fail(st, HVT_MF_BLOB_SIZE, 0, "%zu bytes, but size says %u", len, m->size);
	for (i = 0; i < m->nr_segments; i++) {
		const struct hvtrust_manifest_segment *s = &m->segments[i];

		ret = validate_segment(m, i, next_page, prev_end, st);
		if (ret)
			return ret;
		next_page += s->nr_pages;
		if (next_page > m->nr_pages)
			break;
		prev_end = s->vaddr + (uint64_t)s->nr_pages * PAGE;
		if (prev_end == 0)
			prev_end = UINT64_MAX;	/* ended at the top: nothing may follow */
	}
	if (next_page != m->nr_pages)
		return fail(st, HVT_MF_BLOB_PAGES, 0,
			    "segments cover %s%llu pages, the header says %u",
			    next_page > m->nr_pages ? "at least " : "",
			    (unsigned long long)next_page, m->nr_pages);
	ok(st);
	return 0;
}
