/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* hvtrust user ABI: the /dev/hvtrust ioctls and the hypercall numbers. */
/* Context: shared by the kernel module, VMX-root code and user space. */
#ifndef _UAPI_HVTRUST_H
#define _UAPI_HVTRUST_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped on any incompatible change of the ioctl or hypercall ABI. */
#define HVTRUST_ABI_VERSION	1

#define HVTRUST_DEVICE_NAME	"hvtrust"
#define HVTRUST_IOCTL_TYPE	0xe7

/* Bits of hvtrust_caps.flags */
#define HVTRUST_CAPS_TRUE_CTLS	0x1U /* TRUE_* control MSRs were used */
#define HVTRUST_CAPS_UNIFORM	0x2U /* every online CPU reported the same */

/**
 * struct hvtrust_caps - VMX capabilities as the module read them
 * @size: in: sizeof(struct hvtrust_caps) as the caller knows it; the module
 *        writes at most that many bytes and never less than the v1 size
 * @flags: out: HVTRUST_CAPS_* bits
 * @abi_version: out: HVTRUST_ABI_VERSION of the module
 * @nr_cpus: out: number of online CPUs whose MSRs were compared
 * @feature_control: out: IA32_FEATURE_CONTROL (MSR 0x3a)
 * @vmx_basic: out: IA32_VMX_BASIC (MSR 0x480)
 * @pinbased_ctls: out: pin-based controls capability MSR, TRUE_ variant
 *                 when @flags has HVTRUST_CAPS_TRUE_CTLS
 * @procbased_ctls: out: primary processor-based controls capability MSR
 * @exit_ctls: out: VM-exit controls capability MSR
 * @entry_ctls: out: VM-entry controls capability MSR
 * @procbased_ctls2: out: IA32_VMX_PROCBASED_CTLS2 (MSR 0x48b)
 * @ept_vpid_cap: out: IA32_VMX_EPT_VPID_CAP (MSR 0x48c)
 * @misc: out: IA32_VMX_MISC (MSR 0x485)
 * @cr0_fixed0: out: IA32_VMX_CR0_FIXED0
 * @cr0_fixed1: out: IA32_VMX_CR0_FIXED1
 * @cr4_fixed0: out: IA32_VMX_CR4_FIXED0
 * @cr4_fixed1: out: IA32_VMX_CR4_FIXED1
 * @vmfunc: out: IA32_VMX_VMFUNC (MSR 0x491), 0 when not reported
 * @pinbased_exec: out: pin-based controls the hypervisor will program
 * @procbased_exec: out: primary processor-based controls it will program
 * @procbased_exec2: out: secondary processor-based controls it will program
 * @exit_controls: out: VM-exit controls it will program
 * @entry_controls: out: VM-entry controls it will program
 * @reserved: out: zero
 *
 * Each control value above was computed from its capability MSR: every
 * allowed-0 bit set, every bit the hypervisor needs set, optional bits set
 * only where the allowed-1 half permits them.
 */
struct hvtrust_caps {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 nr_cpus;
	__aligned_u64 feature_control;
	__aligned_u64 vmx_basic;
	__aligned_u64 pinbased_ctls;
	__aligned_u64 procbased_ctls;
	__aligned_u64 exit_ctls;
	__aligned_u64 entry_ctls;
	__aligned_u64 procbased_ctls2;
	__aligned_u64 ept_vpid_cap;
	__aligned_u64 misc;
	__aligned_u64 cr0_fixed0;
	__aligned_u64 cr0_fixed1;
	__aligned_u64 cr4_fixed0;
	__aligned_u64 cr4_fixed1;
	__aligned_u64 vmfunc;
	__u32 pinbased_exec;
	__u32 procbased_exec;
	__u32 procbased_exec2;
	__u32 exit_controls;
	__u32 entry_controls;
	__u32 reserved;
};

#define HVTRUST_CAPS_SIZE_V1	152

/* Read the VMX capabilities; the argument is a struct hvtrust_caps. */
#define HVTRUST_IOC_GET_CAPS	_IO(HVTRUST_IOCTL_TYPE, 0x00)

/* Bits of hvtrust_status.flags */
#define HVTRUST_STATUS_VIRTUALIZED	0x1U	/* the hypervisor runs */

/**
 * struct hvtrust_status - the state of the hypervisor
 * @size: in: sizeof(struct hvtrust_status) as the caller knows it
 * @flags: out: HVTRUST_STATUS_* bits
 * @cpus_online: out: online CPUs
 * @cpus_virtualized: out: CPUs that run as guests of the hypervisor
 * @hidden_pages: out: 4 KiB pages of hypervisor memory the guest cannot see
 * @state_pa: out: physical address of the hypervisor's own state, one of
 *            the hidden pages (for audits: the guest reads zeros there)
 * @launches: out: CPU launches since the module loaded (hotplug, resume)
 * @frames_used: out: pages the hypervisor protects for sessions now (code,
 *               data and session pages; 0 when no CPU is virtualized)
 * @frames_max: out: how many it can protect (max_protected_pages)
 * @ept_tables_free: out: EPT tables left for splitting large pages, which
 *                   protecting a page in a new 2 MiB region takes and
 *                   releasing the last one there gives back
 * @ept_tables: out: the tables set aside for that (ept_pool_pages)
 * @table_writes: out: writes to page tables the hypervisor watched for
 *                sessions, since it launched: each costs a VM exit, and the
 *                session's next call walks its pages again
 * @tables_watched: out: page tables watched now (watch_page_tables)
 * @sessions_clean: out: sessions whose calls skip their walks now
 */
struct hvtrust_status {
	__u32 size;
	__u32 flags;
	__u32 cpus_online;
	__u32 cpus_virtualized;
	__aligned_u64 hidden_pages;
	__aligned_u64 state_pa;
	__aligned_u64 launches;
	__u32 frames_used;
	__u32 frames_max;
	__u32 ept_tables_free;
	__u32 ept_tables;
	__aligned_u64 table_writes;
	__u32 tables_watched;
	__u32 sessions_clean;
};

#define HVTRUST_STATUS_SIZE_V1	40
#define HVTRUST_STATUS_SIZE_V2	56
#define HVTRUST_STATUS_SIZE_V3	72

/* Read the hypervisor's state; the argument is a struct hvtrust_status. */
#define HVTRUST_IOC_GET_STATUS	_IO(HVTRUST_IOCTL_TYPE, 0x01)

#define HVTRUST_EXIT_REASONS	80

/**
 * struct hvtrust_exits - VM exits of one CPU by basic exit reason
 * @size: in: sizeof(struct hvtrust_exits) as the caller knows it
 * @cpu: in: the CPU
 * @reserved: in: zero
 * @counts: out: exits since the CPU was virtualized, indexed by the basic
 *          exit reason of the SDM (Vol. 3D, appendix C)
 */
struct hvtrust_exits {
	__u32 size;
	__u32 cpu;
	__aligned_u64 reserved;
	__aligned_u64 counts[HVTRUST_EXIT_REASONS];
};

#define HVTRUST_EXITS_SIZE_V1	(16 + 8 * HVTRUST_EXIT_REASONS)

/*
 * Read the exit counters of one CPU; the argument is a struct hvtrust_exits.
 * -EINVAL for a CPU that does not exist, -ENODEV for one not virtualized.
 */
#define HVTRUST_IOC_GET_EXITS	_IO(HVTRUST_IOCTL_TYPE, 0x02)

/* The registry of trusted binaries: a manifest describes one ELF file. */
#define HVTRUST_MANIFEST_MAGIC		0x54534d48U	/* "HMST" */
#define HVTRUST_MANIFEST_VERSION	1
#define HVTRUST_MANIFEST_MAX_SEGMENTS	16
#define HVTRUST_MANIFEST_MAX_PAGES	1024
#define HVTRUST_SHA256_SIZE		32
#define HVTRUST_PAGE_SIZE		4096

/* Bits of hvtrust_manifest.flags */
#define HVTRUST_MANIFEST_PIE		0x1U	/* ET_DYN: placed at a load bias */

/* Bits of hvtrust_manifest_segment.flags: the ELF p_flags */
#define HVTRUST_SEGMENT_X		0x1U
#define HVTRUST_SEGMENT_W		0x2U
#define HVTRUST_SEGMENT_R		0x4U

/**
 * struct hvtrust_manifest_segment - one executable PT_LOAD segment
 * @vaddr: p_vaddr rounded down to a page
 * @offset: p_offset rounded down to a page (same remainder as p_vaddr)
 * @filesz: bytes that come from the file, counted from @offset
 * @memsz: bytes mapped, counted from @vaddr
 * @flags: HVTRUST_SEGMENT_* (always with HVTRUST_SEGMENT_X)
 * @first_page: index of the segment's first page in the page hashes
 * @nr_pages: pages the segment spans: @memsz rounded up to pages
 * @reserved: zero
 *
 * Page i of the segment is mapped at @vaddr + i * 4096 (plus the load bias)
 * and holds the 4096 file bytes at @offset + i * 4096, with zeros past the
 * end of the file and, when @memsz > @filesz, zeros past @filesz: exactly
 * what the kernel's ELF loader maps.
 */
struct hvtrust_manifest_segment {
	__aligned_u64 vaddr;
	__aligned_u64 offset;
	__aligned_u64 filesz;
	__aligned_u64 memsz;
	__u32 flags;
	__u32 first_page;
	__u32 nr_pages;
	__u32 reserved;
};

/**
 * struct hvtrust_manifest - what the hypervisor knows of a trusted binary
 * @magic: HVTRUST_MANIFEST_MAGIC
 * @version: HVTRUST_MANIFEST_VERSION
 * @size: bytes of the whole manifest: this header, @nr_segments segments,
 *        then @nr_pages SHA-256 page hashes of HVTRUST_SHA256_SIZE bytes
 * @flags: HVTRUST_MANIFEST_* bits
 * @file_size: bytes of the file
 * @file_sha256: SHA-256 of the whole file
 * @nr_segments: executable PT_LOAD segments, 1 to HVTRUST_MANIFEST_MAX_SEGMENTS
 * @nr_pages: page hashes, 1 to HVTRUST_MANIFEST_MAX_PAGES
 * @reserved: zero
 * @segments: the segments in ascending @vaddr order, not overlapping
 */
struct hvtrust_manifest {
	__u32 magic;
	__u32 version;
	__u32 size;
	__u32 flags;
	__aligned_u64 file_size;
	__u8 file_sha256[HVTRUST_SHA256_SIZE];
	__u32 nr_segments;
	__u32 nr_pages;
	__aligned_u64 reserved[2];
	struct hvtrust_manifest_segment segments[];
};

#define HVTRUST_MANIFEST_HEADER_SIZE	sizeof(struct hvtrust_manifest)

/* Registry ids are below this: a library's hvtrust_binary.programs is a bit mask of them. */
#define HVTRUST_MAX_BINARIES		32

/* Bits of hvtrust_register.flags */
/* A shared object (the interpreter or a library) that the program @program may map. */
#define HVTRUST_REGISTER_LIBRARY	0x1U

/**
 * struct hvtrust_register - register a trusted binary (CAP_SYS_ADMIN)
 * @size: in: sizeof(struct hvtrust_register)
 * @flags: in: HVTRUST_REGISTER_* bits
 * @fd: in: the binary, open for reading; the module hashes it again
 * @manifest_size: in: bytes at @manifest, equal to its own size field
 * @manifest: in: user pointer to a struct hvtrust_manifest
 * @id: out: the registry id of the binary
 * @program: in: with HVTRUST_REGISTER_LIBRARY, the id of the registered
 *           program that may map the library; else zero
 *
 * A program is what a trusted process is exec'd from; a library is code
 * it may map besides, wherever its loader puts it. A library already
 * registered for another program (same SHA-256) is shared: its id comes
 * back and @program is added to its programs. Unregistering a program
 * unregisters the libraries no other program uses.
 *
 * Errors: -EPERM without CAP_SYS_ADMIN or after seal; -EBADMSG when the
 * manifest does not describe the file behind @fd; -EEXIST when the file
 * (same SHA-256) is registered already, as a program or for @program;
 * -ENOENT when @program is not a registered program; -ENOSPC when the
 * registry is full; -EINVAL for a malformed manifest, unknown flags or a
 * nonzero @program without HVTRUST_REGISTER_LIBRARY.
 */
struct hvtrust_register {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 manifest_size;
	__aligned_u64 manifest;
	__u32 id;
	__u32 program;
};

#define HVTRUST_REGISTER_SIZE_V1	32
#define HVTRUST_IOC_REGISTER	_IO(HVTRUST_IOCTL_TYPE, 0x03)

/**
 * struct hvtrust_unregister - remove a binary from the registry (CAP_SYS_ADMIN)
 * @size: in: sizeof(struct hvtrust_unregister)
 * @id: in: its registry id
 *
 * Its sessions end. Errors: -EPERM, -ENOENT for an unknown id.
 */
struct hvtrust_unregister {
	__u32 size;
	__u32 id;
};

#define HVTRUST_UNREGISTER_SIZE_V1	8
#define HVTRUST_IOC_UNREGISTER	_IO(HVTRUST_IOCTL_TYPE, 0x04)

/**
 * struct hvtrust_binary - one registered binary, as listed
 * @id: registry id
 * @nr_pages: pages of executable code the manifest covers
 * @file_size: bytes of the file
 * @file_sha256: SHA-256 of the file
 * @dev: device of the file registered (new_encode_dev form)
 * @ino: its inode number
 * @sessions: live sessions of programs running this binary
 * @programs: for a library, the programs that may map it, bit N for id N;
 *            0 for a program
 */
struct hvtrust_binary {
	__u32 id;
	__u32 nr_pages;
	__aligned_u64 file_size;
	__u8 file_sha256[HVTRUST_SHA256_SIZE];
	__aligned_u64 dev;
	__aligned_u64 ino;
	__u32 sessions;
	__u32 programs;
};

/* Bits of hvtrust_list.flags */
#define HVTRUST_LIST_SEALED	0x1U	/* out: the registry is sealed */

/**
 * struct hvtrust_list - list the registry
 * @size: in: sizeof(struct hvtrust_list)
 * @flags: out: HVTRUST_LIST_* bits
 * @count: in: room at @binaries; out: binaries registered (may exceed the room)
 * @entry_size: in: sizeof(struct hvtrust_binary) as the caller knows it
 * @binaries: in: user pointer to @count entries of @entry_size bytes
 */
struct hvtrust_list {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 entry_size;
	__aligned_u64 binaries;
};

#define HVTRUST_LIST_SIZE_V1	24
#define HVTRUST_IOC_LIST	_IO(HVTRUST_IOCTL_TYPE, 0x05)

/**
 * struct hvtrust_seal - seal the registry until reboot (CAP_SYS_ADMIN)
 * @size: in: sizeof(struct hvtrust_seal)
 * @flags: in: zero
 *
 * After it, register, unregister and module unload are refused.
 */
struct hvtrust_seal {
	__u32 size;
	__u32 flags;
};

#define HVTRUST_SEAL_SIZE_V1	8
#define HVTRUST_IOC_SEAL	_IO(HVTRUST_IOCTL_TYPE, 0x06)

/**
 * struct hvtrust_attach - ask for a session (any process running a
 *                         registered binary)
 * @size: in: sizeof(struct hvtrust_attach)
 * @flags: in: zero
 * @session_page: out: user address of the session page, mapped read and
 *                execute only, not inherited by fork, not dumped
 * @binary_id: out: registry id of the binary the caller runs
 * @reserved: in: zero
 *
 * The caller must have been exec'd from a registered binary, and every
 * executable page of its address space must be that binary's code at the
 * place its manifest gives, the vDSO, or a session page of its own. From
 * then on the process is not dumpable, other processes may not trace it or
 * write into it, and it may not map new executable memory: each such try is
 * refused and revokes the session (HVTRUST_AUDIT_TRACED,
 * HVTRUST_AUDIT_EXEC_MAPPED).
 *
 * The session is pending until the caller's first hypercall
 * (HVTRUST_HC_SESSION_OPEN). Errors: -ENOENT when the caller does not run
 * a registered binary; -EACCES when other executable memory is mapped (an
 * HVTRUST_AUDIT_ATTACH_REFUSED record names its address); -EBUSY when its
 * address space has a session already; -ENOSPC when the session table is
 * full; -ENODEV when the hypervisor does not run; -EOPNOTSUPP when the
 * kernel offers no way to guard the session (no kretprobes).
 */
struct hvtrust_attach {
	__u32 size;
	__u32 flags;
	__aligned_u64 session_page;
	__u32 binary_id;
	__u32 reserved;
};

#define HVTRUST_ATTACH_SIZE_V1	24
#define HVTRUST_IOC_ATTACH	_IO(HVTRUST_IOCTL_TYPE, 0x07)

/* hvtrust_audit.kind */
#define HVTRUST_AUDIT_WRITE		1	/* a write hit a protected frame */
#define HVTRUST_AUDIT_REMAPPED		2	/* a page now maps other content */
#define HVTRUST_AUDIT_BAD_TOKEN		3	/* a call with a wrong token */
#define HVTRUST_AUDIT_LOCKED_OUT	4	/* too many wrong tokens */
#define HVTRUST_AUDIT_BAD_CODE		5	/* first hypercall: code differs */
#define HVTRUST_AUDIT_BAD_CALLER	6	/* call outside the allowed site */
#define HVTRUST_AUDIT_CHECK_FAILED	7	/* a recurring check found a change */
/* Another process asked to trace or write into the session's process: refused, revoked. */
#define HVTRUST_AUDIT_TRACED		8
/*
 * The session's process asked for new executable memory or writable code:
 * refused, revoked; @gva its address (for mprotect, the start of the
 * mapping it would change).
 */
#define HVTRUST_AUDIT_EXEC_MAPPED	9
#define HVTRUST_AUDIT_PROTECTED		10	/* PROTECT: @gva the start, @gpa the length */
#define HVTRUST_AUDIT_UNPROTECTED	11	/* UNPROTECT: @gva the start, @gpa the length */
#define HVTRUST_AUDIT_CLOSED		12	/* the program closed its session */
/* ATTACH refused: executable memory outside the registered binary at @gva (no session). */
#define HVTRUST_AUDIT_ATTACH_REFUSED	13
/* Under PTI the user and kernel copies of the user half differ; @gva the user copy's root. */
#define HVTRUST_AUDIT_TABLES_DIVERGED	14
/*
 * The hypervisor's own walk found a page user mode may execute that is
 * neither the registered code at its place, the session page nor the vDSO
 * as it was at load: @gva, @gpa the page (@gpa 0: a page table it could
 * not read, or more of them than it walks).
 */
#define HVTRUST_AUDIT_EXEC_VIEW		15
/*
 * A CPU left VMX (unload, suspend, hibernation, CPU offline, reboot) before
 * the registry was sealed: every live session was revoked first.
 */
#define HVTRUST_AUDIT_HYPERVISOR_LEFT	16
/*
 * PROTECT: a CPU did not confirm the EPT flush in time (its guest kept the
 * flush NMI from it), so the call failed with -ETIMEDOUT. The pages are
 * protected all the same; a write in that window is found by hashing.
 * @gva the start, @gpa the length.
 */
#define HVTRUST_AUDIT_FLUSH_UNCONFIRMED	17

/**
 * struct hvtrust_audit - one security event
 * @time_ns: CLOCK_BOOTTIME when the module read it from the hypervisor
 * @kind: HVTRUST_AUDIT_*
 * @cpu: the CPU it happened on
 * @session_id: the session concerned, 0 for none
 * @cr3: the address space (page-table root) concerned
 * @gva: guest-virtual address involved, 0 when unknown
 * @gpa: guest-physical address involved, 0 when unknown
 * @pid: the session's process as the kernel reported it at attach
 * @binary: for HVTRUST_AUDIT_BAD_CODE, the registry id + 1 of the file
 *          whose code differs (the program or one of its libraries);
 *          0 otherwise or when unknown
 * @comm: its command name, as the kernel reported it at attach
 */
struct hvtrust_audit {
	__aligned_u64 time_ns;
	__u32 kind;
	__u32 cpu;
	__aligned_u64 session_id;
	__aligned_u64 cr3;
	__aligned_u64 gva;
	__aligned_u64 gpa;
	__s32 pid;
	__u32 binary;
	char comm[16];
};

/**
 * struct hvtrust_read_audit - read and consume audit records (CAP_SYS_ADMIN)
 * @size: in: sizeof(struct hvtrust_read_audit)
 * @count: in: room at @records; out: records written
 * @entry_size: in: sizeof(struct hvtrust_audit) as the caller knows it
 * @lost: out: records dropped since the last read (the buffer was full)
 * @records: in: user pointer
 *
 * poll(2) and select(2) on the device report it readable (POLLIN) while
 * there are records to read: a reader can block until the next one.
 */
struct hvtrust_read_audit {
	__u32 size;
	__u32 count;
	__u32 entry_size;
	__u32 lost;
	__aligned_u64 records;
};

#define HVTRUST_READ_AUDIT_SIZE_V1	24
#define HVTRUST_IOC_READ_AUDIT	_IO(HVTRUST_IOCTL_TYPE, 0x08)

/*
 * Signed attestation. At load the hypervisor makes an Ed25519 key pair
 * (RFC 8032) from its token generator; the private key never leaves its
 * hidden memory and is wiped when it unloads. A trusted program's QUOTE
 * hypercall has it sign a struct hvtrust_quote_report, which anyone holding
 * the public key can check (hvtrustctl quote verify, OpenSSL).
 */
#define HVTRUST_ED25519_KEY_SIZE	32
#define HVTRUST_ED25519_SIG_SIZE	64

/**
 * struct hvtrust_quote_key - the public half of the hypervisor's quote key
 * @size: in: sizeof(struct hvtrust_quote_key)
 * @reserved: in: zero
 * @public_key: out: the Ed25519 public key (RFC 8032 encoding)
 * @key_sha256: out: its SHA-256, the fingerprint verifiers pin
 */
struct hvtrust_quote_key {
	__u32 size;
	__u32 reserved;
	__u8 public_key[HVTRUST_ED25519_KEY_SIZE];
	__u8 key_sha256[HVTRUST_SHA256_SIZE];
};

#define HVTRUST_QUOTE_KEY_SIZE_V1	72
/* Read the quote key; -ENODEV while no CPU is virtualized. */
#define HVTRUST_IOC_GET_QUOTE_KEY	_IO(HVTRUST_IOCTL_TYPE, 0x09)

#define HVTRUST_QUOTE_MAGIC		0x51547668U	/* "hvTQ" */
#define HVTRUST_QUOTE_VERSION		1
#define HVTRUST_QUOTE_MAX_IMAGES	8
#define HVTRUST_QUOTE_NONCE_SIZE	32

/* Bits of hvtrust_quote_report.flags */
#define HVTRUST_QUOTE_OPEN	0x1U	/* the session passed a full check for this quote */
#define HVTRUST_QUOTE_REVOKED	0x2U	/* the session is revoked: its token is gone */

/**
 * struct hvtrust_quote_report - what the hypervisor signs for a session
 * @magic: HVTRUST_QUOTE_MAGIC
 * @version: HVTRUST_QUOTE_VERSION
 * @abi_version: HVTRUST_ABI_VERSION of the hypervisor
 * @flags: HVTRUST_QUOTE_* bits
 * @nr_images: entries at @image_sha256: the program, then the registered
 *             libraries its process maps
 * @session_id: the session
 * @protected_pages: data pages it protects
 * @checks: integrity checks run for it
 * @revocations: sessions the hypervisor revoked since it loaded
 * @audit_sequence: audit records the hypervisor issued since it loaded
 * @nonce: the caller's, echoed
 * @root_code_sha256: SHA-256 of the code the hypervisor runs, as loaded
 * @key_sha256: SHA-256 of the public key that signs
 * @protected_sha256: SHA-256 over each protected data page, in the order
 *                    they were protected, of its address (8 bytes, little
 *                    endian) and the SHA-256 of its contents
 * @image_sha256: SHA-256 of each file, as its manifest was registered
 *
 * All integers are little endian; the signature covers these bytes as laid
 * out here, unused @image_sha256 entries zero.
 */
struct hvtrust_quote_report {
	__u32 magic;
	__u16 version;
	__u16 abi_version;
	__u32 flags;
	__u32 nr_images;
	__aligned_u64 session_id;
	__aligned_u64 protected_pages;
	__aligned_u64 checks;
	__aligned_u64 revocations;
	__aligned_u64 audit_sequence;
	__u8 nonce[HVTRUST_QUOTE_NONCE_SIZE];
	__u8 root_code_sha256[HVTRUST_SHA256_SIZE];
	__u8 key_sha256[HVTRUST_SHA256_SIZE];
	__u8 protected_sha256[HVTRUST_SHA256_SIZE];
	__u8 image_sha256[HVTRUST_QUOTE_MAX_IMAGES][HVTRUST_SHA256_SIZE];
};

/**
 * struct hvtrust_quote - a report and the hypervisor's signature of it
 * @report: what is signed
 * @signature: Ed25519 signature of @report by the quote key
 */
struct hvtrust_quote {
	struct hvtrust_quote_report report;
	__u8 signature[HVTRUST_ED25519_SIG_SIZE];
};

#define HVTRUST_QUOTE_REPORT_SIZE	440
#define HVTRUST_QUOTE_SIZE		504
/* Where QUOTE writes its struct hvtrust_quote: in the session page, which only root writes. */
#define HVTRUST_SESSION_QUOTE_OFFSET	0x200

/*
 * Hypercalls: VMCALL with the call number in RAX and arguments in RBX, RCX,
 * RDX and RSI; the result comes back in RAX, a negative errno on failure.
 */
#define HVTRUST_HC_PING		0x0	/* returns HVTRUST_HC_PING_REPLY */
#define HVTRUST_HC_VERSION	0x1	/* returns HVTRUST_ABI_VERSION */

/*
 * The first hypercall of a trusted program, from its own registered code
 * (user mode), after HVTRUST_IOC_ATTACH: RBX = the session page address.
 * The hypervisor checks the call site and hashes the program's code; on
 * success it fills the session page and returns its address.
 * Errors: -ESRCH no pending session for this address space; -EACCES RIP
 * outside the registered binary's executable pages, or user mode may
 * execute a page that is neither that code, the session page nor the vDSO
 * (HVTRUST_AUDIT_EXEC_VIEW); -EFAULT a code page not
 * mapped; -EBADMSG a code page differs from the manifest; -EINVAL RBX is
 * not the session page. A failed first hypercall leaves the session pending:
 * the program may try again.
 */
#define HVTRUST_HC_SESSION_OPEN	0x2

/*
 * Authenticated calls: made through the safe hypercall address (the stub in
 * the session page) from the session's address space, with the 256-bit
 * token in RBX, RCX, RDX, RSI (token[0..3]) and arguments in RDI and R8.
 * Results: RAX = 0 or -errno; RDI and R8 carry outputs where stated.
 * Errors common to all: -EPERM not through the safe hypercall address or
 * not from the session's address space; -EKEYREJECTED wrong token;
 * -EDQUOT the address space is locked out after too many wrong tokens (the
 * wrong token that reaches the limit is still answered -EKEYREJECTED);
 * -EKEYREVOKED the session was revoked after an integrity violation.
 * PROTECT and UNPROTECT act on every page the range touches; CHECK reports
 * the address of the first changed page. After CLOSE, or once the binary was
 * unregistered, the address space may attach again.
 */
#define HVTRUST_HC_STATUS	0x10	/* out RDI: protected pages, R8: checks run */
#define HVTRUST_HC_PROTECT	0x11	/* RDI: address, R8: length; -EFAULT, -ENOSPC, -ETIMEDOUT */
#define HVTRUST_HC_UNPROTECT	0x12	/* RDI: address, R8: length; -ENOENT */
#define HVTRUST_HC_CHECK	0x13	/* -EBADMSG, RDI = first changed address */
#define HVTRUST_HC_CLOSE	0x14	/* ends the session */
/*
 * RDI, R8, R9, R10: a 32-byte nonce (little endian words). After a full check
 * the hypervisor writes a signed struct hvtrust_quote at
 * HVTRUST_SESSION_QUOTE_OFFSET of the session page. From a revoked session,
 * called through its stub without a token, the quote says REVOKED and the
 * call returns -EKEYREVOKED; anyone else gets nothing.
 */
#define HVTRUST_HC_QUOTE	0x15

/*
 * Secrets the hypervisor keeps for a registered program: up to
 * HVTRUST_SECRET_MAX_SIZE bytes each under a name of HVTRUST_SECRET_NAME_SIZE
 * bytes (NUL padded), a few per program, in its hidden memory. Only a
 * session of the same registered program gets them back, across restarts
 * of the program; they go when the program is unregistered, when a CPU
 * leaves the hypervisor (suspend, hibernation, unload) and at reboot. A
 * revoked session neither stores nor reads them, but its secrets stay.
 */
#define HVTRUST_SECRET_MAX_SIZE		4096
#define HVTRUST_SECRET_NAME_SIZE	32
/*
 * Authenticated. RDI: the name's address, R8: the data's address, R9: its
 * length (0 deletes the secret). Stores or replaces. -EINVAL a bad length or
 * an empty name, -EFAULT memory not mapped, -ENOSPC the program holds
 * its most (max_secrets_per_program) or the hypervisor's table is full.
 */
#define HVTRUST_HC_SECRET_PUT	0x16
/*
 * Authenticated. RDI: the name's address, R8: a page the session protected
 * (PROTECT, page aligned). The hypervisor writes the secret there itself,
 * zeros the rest of the page, keeps the page protected with its new
 * contents, and returns the secret's length. -ENOENT no such secret,
 * -EINVAL R8 is not one of the session's protected pages, or another
 * session protects the same frame.
 */
#define HVTRUST_HC_SECRET_GET	0x17

/* Kernel-only calls: CPL 0 and the module's credential in RBX. */
#define HVTRUST_HC_KERNEL_BASE	0x100
/* Leave VMX on this CPU: every live session is revoked first; -EPERM once sealed. */
#define HVTRUST_HC_DEVIRTUALIZE	0x100
#define HVTRUST_HC_EXIT_COUNT	0x101	/* RCX: basic exit reason; count on this CPU */
/* RCX: physical address of a page-aligned manifest copy, RDX: its size, RSI: id */
#define HVTRUST_HC_REGISTRY_ADD	0x102
#define HVTRUST_HC_REGISTRY_REMOVE	0x103	/* RCX: id; ends its sessions */
#define HVTRUST_HC_SEAL		0x104	/* no registry change until reboot */
/* RCX: physical address of the request; it and the session page must be plain guest RAM */
#define HVTRUST_HC_SESSION_PREPARE	0x105
#define HVTRUST_HC_SESSION_END	0x106	/* RCX: session id; frees its frames */
#define HVTRUST_HC_SESSION_INFO	0x107	/* RCX: session id; returns its flags */
/* RCX: session id, RDX: HVTRUST_AUDIT_TRACED or _EXEC_MAPPED, RSI: address */
#define HVTRUST_HC_SESSION_REVOKE	0x108
/* RCX: one of HVTRUST_CAPACITY_*; returns that figure of the service */
#define HVTRUST_HC_CAPACITY	0x109
/* RCX: session id, RDX, RSI: start and end of user addresses Linux is about to remap */
#define HVTRUST_HC_SESSION_MOVING	0x10a

#define HVTRUST_CAPACITY_FRAMES_USED	0
#define HVTRUST_CAPACITY_FRAMES_MAX	1
#define HVTRUST_CAPACITY_EPT_TABLES_FREE	2
#define HVTRUST_CAPACITY_EPT_TABLES	3
#define HVTRUST_CAPACITY_TABLE_WRITES	4
#define HVTRUST_CAPACITY_TABLES_WATCHED	5
#define HVTRUST_CAPACITY_SESSIONS_CLEAN	6

#define HVTRUST_HC_PING_REPLY	0x6876747275737421ULL	/* "hvtrust!" */

#define HVTRUST_SESSION_MAGIC	0x53547668U	/* "hvTS" */
#define HVTRUST_SESSION_STUB_OFFSET	0x800
/* The stub's bytes there, the safe hypercall address: vmcall; ret */
#define HVTRUST_SESSION_STUB	"\x0f\x01\xc1\xc3"

/* Bits of hvtrust_session_page.flags */
#define HVTRUST_SESSION_OPEN	0x1U	/* the token is valid */
#define HVTRUST_SESSION_REVOKED	0x2U	/* an integrity violation ended it */
#define HVTRUST_SESSION_ENDED	0x4U	/* closed, unregistered or unloaded */

/**
 * struct hvtrust_session_page - the page the hypervisor hands a trusted program
 * @magic: HVTRUST_SESSION_MAGIC once the first hypercall succeeded
 * @abi_version: HVTRUST_ABI_VERSION
 * @session_id: the session, as audit records name it
 * @safe_hypercall: address of the stub (in this page) through which every
 *                  authenticated call must be made: call it with the
 *                  registers set as for VMCALL, it returns like a function
 * @flags: HVTRUST_SESSION_* bits
 * @token: the secret that authenticates the program's calls
 *
 * The page is read-only for the guest (EPT), at the program's own address;
 * the hypervisor alone writes it. It does not hold the device open: the
 * module may unload while sessions are open. Unloading ends every session
 * (flags HVTRUST_SESSION_ENDED, token wiped) and replaces the stub with
 * one that returns -ENODEV without a VMCALL, so a program that calls it
 * after the hypervisor left gets -ENODEV, never SIGILL.
 */
struct hvtrust_session_page {
	__u32 magic;
	__u32 abi_version;
	__aligned_u64 session_id;
	__aligned_u64 safe_hypercall;
	__aligned_u64 flags;
	__aligned_u64 token[4];
};

/* CPUID leaves of the hypervisor (EBX:ECX:EDX of 0x40000000 spell "hvtrust"). */
#define HVTRUST_CPUID_SIGNATURE	0x40000000
#define HVTRUST_CPUID_VERSION	0x40000001

#endif /* _UAPI_HVTRUST_H */
