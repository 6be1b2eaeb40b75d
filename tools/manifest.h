/* SPDX-License-Identifier: GPL-2.0 */
/* Trusted-binary manifests: built from an ELF64 x86-64 file, and validated as blobs. */
/* Context: user space (hvtrustctl, the selftests); hashes with libcrypto. */
#ifndef HVT_TOOLS_MANIFEST_H
#define HVT_TOOLS_MANIFEST_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "../uapi/hvtrust.h"

/*
 * The kernel's ELF loader reads at most one page of program headers
 * (load_elf_phdrs: ELF_MIN_ALIGN); a file it would refuse is refused here.
 */
#define HVT_MF_MAX_PHDR_BYTES	4096

/*
 * Every way a file or a manifest is refused. The numbers are stable within
 * a build only; callers compare against the names.
 */
enum hvt_mf_error {
	HVT_MF_OK = 0,
	/* reading the file */
	HVT_MF_IO,		/* read or stat failed (errno kept) */
	HVT_MF_NOMEM,		/* allocation failed */
	HVT_MF_CRYPTO,		/* libcrypto failed */
	/* the ELF header */
	HVT_MF_TRUNCATED,	/* shorter than an ELF64 header */
	HVT_MF_NOT_ELF,		/* no \x7fELF magic */
	HVT_MF_CLASS,		/* not ELFCLASS64 */
	HVT_MF_DATA,		/* not little-endian */
	HVT_MF_VERSION,		/* e_ident[EI_VERSION] or e_version not EV_CURRENT */
	HVT_MF_TYPE,		/* neither ET_EXEC nor ET_DYN */
	HVT_MF_MACHINE,		/* not EM_X86_64 */
	HVT_MF_EHSIZE,		/* e_ehsize too small */
	HVT_MF_PHENTSIZE,	/* e_phentsize is not sizeof(Elf64_Phdr) */
	HVT_MF_PHNUM,		/* no program headers, or more than one page of them */
	HVT_MF_PHOFF,		/* program headers overflow or lie past the end of the file */
	/* the program headers */
	HVT_MF_SEG_ALIGN,	/* p_vaddr and p_offset differ modulo the page size */
	HVT_MF_SEG_SIZE,	/* p_filesz > p_memsz */
	HVT_MF_SEG_FILE,	/* p_offset + p_filesz overflows or passes the end of the file */
	HVT_MF_SEG_RANGE,	/* p_vaddr + p_memsz overflows */
	HVT_MF_OVERLAP,		/* executable segments unsorted or overlapping */
	HVT_MF_NO_SEGMENTS,	/* no executable PT_LOAD segment */
	HVT_MF_TOO_MANY_SEGMENTS, /* more than HVTRUST_MANIFEST_MAX_SEGMENTS */
	HVT_MF_TOO_MANY_PAGES,	/* more than HVTRUST_MANIFEST_MAX_PAGES */
	/* a manifest blob */
	HVT_MF_BLOB_SHORT,	/* fewer bytes than the header or than @size says */
	HVT_MF_BLOB_MAGIC,	/* wrong magic */
	HVT_MF_BLOB_VERSION,	/* unknown manifest version */
	HVT_MF_BLOB_SIZE,	/* @size disagrees with the counts or the blob length */
	HVT_MF_BLOB_FLAGS,	/* unknown manifest flags */
	HVT_MF_BLOB_RESERVED,	/* a reserved field is not zero */
	HVT_MF_BLOB_COUNTS,	/* nr_segments or nr_pages out of range */
	HVT_MF_BLOB_SEGMENT,	/* a segment is malformed (alignment, flags, sizes) */
	HVT_MF_BLOB_PAGES,	/* first_page/nr_pages do not tile the page hashes */
	HVT_MF_BLOB_OVERLAP,	/* segments unsorted or overlapping */
	HVT_MF_ERROR_COUNT
};

/**
 * struct hvt_mf_status - why a file or a manifest was refused
 * @error: HVT_MF_*
 * @sys_errno: errno of the failed system call for HVT_MF_IO, else 0
 * @message: one precise line (no file name, no newline)
 */
struct hvt_mf_status {
	enum hvt_mf_error error;
	int sys_errno;
	char message[256];
};

/* The short stable name of an error, e.g. "segment-align". */
const char *hvt_mf_error_name(enum hvt_mf_error error);

/*
 * The errno an error maps to: -ENOEXEC for a file that is no usable ELF,
 * -EFBIG for limits, -EINVAL for a malformed manifest, -ENOMEM, -EIO or
 * the system call's own errno.
 */
int hvt_mf_errno(const struct hvt_mf_status *st);

/**
 * hvt_manifest_build() - build the manifest of the ELF file behind @fd
 * @fd: open for reading; read with pread, its offset is left alone
 * @out: the manifest (free() it); NULL on error
 * @st: why it failed; may be NULL
 *
 * Returns 0 or -HVT_MF_* (negative enum value); on success the manifest
 * passes hvt_manifest_validate() and its size field is its length.
 */
int hvt_manifest_build(int fd, struct hvtrust_manifest **out, struct hvt_mf_status *st);

/* The same for a path. */
int hvt_manifest_build_path(const char *path, struct hvtrust_manifest **out,
			    struct hvt_mf_status *st);

/**
 * hvt_manifest_validate() - check a manifest blob as the module does
 * @blob: the bytes
 * @len: their number (the manifest_size of HVTRUST_IOC_REGISTER)
 * @st: why it is refused; may be NULL
 *
 * Structure only: whether it describes a given file needs that file.
 * Returns 0 or -HVT_MF_*.
 */
int hvt_manifest_validate(const void *blob, size_t len, struct hvt_mf_status *st);

/* Page hash @i of a validated manifest. */
static inline const uint8_t *hvt_manifest_page_hash(const struct hvtrust_manifest *m,
						    uint32_t i)
{
	return (const uint8_t *)&m->segments[m->nr_segments] + (size_t)i * HVTRUST_SHA256_SIZE;
}

/* Bytes of a manifest with these counts. */
static inline size_t hvt_manifest_size(uint32_t nr_segments, uint32_t nr_pages)
{
	return sizeof(struct hvtrust_manifest) +
	       (size_t)nr_segments * sizeof(struct hvtrust_manifest_segment) +
	       (size_t)nr_pages * HVTRUST_SHA256_SIZE;
}

/*
 * Why the file @sb describes (on a filesystem of type @fs_type, or 0 when
 * unknown) is no input for the tools, or NULL when it is one. A binary, a
 * library or a configuration file must be a regular file on a filesystem that
 * stores it: reading a FIFO or a device can block forever or never end, and a
 * kernel pseudo-file (procfs, sysfs, ...) has contents that its size does not
 * describe, or blocks (/proc/kmsg). Tools open files with hvt_open_input().
 */
static inline const char *hvt_input_refusal(const struct stat *sb, unsigned long fs_type)
{
	switch (sb->st_mode & S_IFMT) {
	case S_IFREG:
		break;
	case S_IFDIR:
		return "is a directory";
	case S_IFIFO:
		return "is a FIFO, not a regular file";
	case S_IFSOCK:
		return "is a socket, not a regular file";
	case S_IFCHR:
		return "is a character device, not a regular file";
	case S_IFBLK:
		return "is a block device, not a regular file";
	default:
		return "is not a regular file";
	}
	switch (fs_type) {
	case PROC_SUPER_MAGIC:
		return "is a procfs file, not a file on a real filesystem";
	case SYSFS_MAGIC:
		return "is a sysfs file, not a file on a real filesystem";
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case BPF_FS_MAGIC:
	case EFIVARFS_MAGIC:
	case PSTOREFS_MAGIC:
	case BINFMTFS_MAGIC:
		return "is a kernel pseudo-file, not a file on a real filesystem";
	}
	return NULL;
}

/* The errno that stands for hvt_input_refusal()'s verdict on @sb. */
static inline int hvt_input_refusal_errno(const struct stat *sb)
{
	return S_ISDIR(sb->st_mode) ? EISDIR : EINVAL;
}

/*
 * The same for an open file: NULL, or why it is refused (and *@err = errno).
 */
static inline const char *hvt_input_refusal_fd(int fd, int *err)
{
	const char *why;
	struct statfs fs;
	struct stat sb;

	if (fstat(fd, &sb) || fstatfs(fd, &fs)) {
		*err = errno;
		return strerror(*err);
	}
	why = hvt_input_refusal(&sb, (unsigned long)fs.f_type);
	if (why)
		*err = hvt_input_refusal_errno(&sb);
	return why;
}

/**
 * hvt_open_input() - open a binary or configuration file for reading, never blocking
 * @path: the file
 * @why: on error, one line that says what is wrong (no file name, no newline)
 *
 * The path is checked before it is opened, so that no device sees an open()
 * (opening some arms a watchdog or rewinds a tape), and the open file again,
 * in case the path changed in between. O_NONBLOCK keeps a FIFO without a
 * writer from blocking the open; O_NOCTTY keeps a terminal from becoming the
 * tool's controlling terminal.
 *
 * Return: the descriptor (O_RDONLY, close-on-exec), or -errno.
 */
static inline int hvt_open_input(const char *path, const char **why)
{
	struct stat sb;
	int fd, err;

	if (stat(path, &sb)) {
		err = errno;
		*why = strerror(err);
		return -err;
	}
	/* the filesystem is checked on the open file only: a device is never opened */
	*why = hvt_input_refusal(&sb, 0);
	if (*why)
		return -hvt_input_refusal_errno(&sb);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		*why = strerror(err);
		return -err;
	}
	*why = hvt_input_refusal_fd(fd, &err);
	if (*why) {
		close(fd);
		return -err;
	}
	return fd;
}

/* Lower-case hex of a SHA-256; @out holds 65 bytes. */
void hvt_sha256_hex(const uint8_t digest[HVTRUST_SHA256_SIZE], char out[65]);

/* SHA-256 of the file behind @fd (from offset 0); 0 or -errno. */
int hvt_file_sha256(int fd, uint8_t digest[HVTRUST_SHA256_SIZE], uint64_t *size);

#endif /* HVT_TOOLS_MANIFEST_H */
