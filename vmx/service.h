/* SPDX-License-Identifier: GPL-2.0 */
/* The state of the trusted-program service in VMX root: registry, sessions, frames. */
/* Context: the structures live in hidden memory allocated before launch. */
#ifndef HVT_VMX_SERVICE_H
#define HVT_VMX_SERVICE_H

#include <linux/types.h>

#include "../ept/walk.h"
#include "../token/drbg.h"
#include "../uapi/hvtrust.h"
#include "root_lock.h"

#define HVT_MAX_BINARIES	HVTRUST_MAX_BINARIES
/* A session's program and the libraries it maps, at most. */
#define HVT_SESSION_MAX_LIBS	7
#define HVT_MANIFEST_MAX_BYTES	(HVTRUST_MANIFEST_HEADER_SIZE +				\
				 HVTRUST_MANIFEST_MAX_SEGMENTS *			\
				 sizeof(struct hvtrust_manifest_segment) +		\
				 HVTRUST_MANIFEST_MAX_PAGES * HVTRUST_SHA256_SIZE)
#define HVT_MANIFEST_MAX_FRAMES	\
	((HVT_MANIFEST_MAX_BYTES + HVTRUST_PAGE_SIZE - 1) / HVTRUST_PAGE_SIZE)
#define HVT_RAM_RANGES		64
#define HVT_VDSO_MAX_PAGES	4
/*
 * Calls from outside the stub cost the caller nothing: past this many per
 * session they are refused unaudited, so that they cannot push the record
 * of a revocation out of the audit ring.
 */
#define HVT_BAD_CALLER_AUDITS	16
/*
 * A program's own requests are recorded at most this often per second, and
 * only while a quarter of the CPU's log ring is free: a program that loops
 * on PROTECT cannot crowd out the records of attacks and revocations.
 */
#define HVT_ROUTINE_AUDITS_PER_SEC	32

/**
 * struct hvt_binary - a registered binary as VMX root keeps it
 * @manifest: the manifest, in hidden memory
 * @manifest_pa: its physical address (page aligned, contiguous)
 * @saved_leaves: the EPT leaves of its pages before they were hidden
 * @size: its size in bytes
 * @used: the slot holds a binary
 */
struct hvt_binary {
	const struct hvtrust_manifest *manifest;
	u64 manifest_pa;
	u64 saved_leaves[HVT_MANIFEST_MAX_FRAMES];
	u32 size;
	bool used;
};

/**
 * struct hvt_session_image - a registered library as one process maps it
 * @bias: where its loader put it
 * @binary: its registry slot
 * @reserved: zero
 */
struct hvt_session_image {
	u64 bias;
	u32 binary;
	u32 reserved;
};

enum hvt_session_state {
	HVT_SESSION_FREE,
	HVT_SESSION_PENDING,	/* attached, waiting for the first hypercall */
	HVT_SESSION_OPEN,
	HVT_SESSION_REVOKED,	/* an integrity violation: every call fails */
	HVT_SESSION_LOCKED,	/* too many wrong tokens */
};

/**
 * struct hvt_session - one trusted program's session
 * @id: its identifier, never reused while the module is loaded
 * @cr3: its address space: page-table root, PCID and PTI bits cleared
 * @user_cr3: the page-table root its user mode runs on, which every walk
 *            for it uses: @cr3, or under PTI the user copy right after it
 * @page_pa: the session page
 * @page_va: where the program maps it
 * @bias: the program's load bias
 * @token: the secret of its authenticated calls
 * @checks: integrity checks run for it
 * @binary: its registry slot
 * @state: enum hvt_session_state
 * @bad_tokens: calls with a wrong token so far
 * @bad_callers: calls from outside the stub so far; the first
 *               HVT_BAD_CALLER_AUDITS are audited
 * @routine_audits: records of its own requests (PROTECT, UNPROTECT, CLOSE)
 *                  made since @routine_since
 * @routine_since: TSC at the start of the second @routine_audits counts
 * @data_frames: pages it protected
 * @ept_tables: EPT tables its data pages took from the pool to split
 *              large pages, held against trust->max_session_tables
 * @frames: its first frame, as an index into the frame table plus one (0:
 *          none): every call walks only its own frames, not the table
 * @nr_libs: entries at @libs
 * @libs: the registered libraries its process maps, and where
 * @tables_clean: its calls need not walk its page tables: the last pass
 *                found every page in place, read only tables in @watched,
 *                and began after every CPU had flushed @watch_generation;
 *                a write to one of them, or a change of its frames, ends it
 * @watch_generation: the EPT generation when a table joined @watched
 * @watched: the page tables its calls walk, write-protected in EPT
 *           (vmx/table_watch.c)
 */
struct hvt_session {
	u64 id;
	u64 cr3;
	u64 user_cr3;
	u64 page_pa;
	u64 page_va;
	u64 bias;
	u64 token[4];
	u64 checks;
	u32 binary;
	u32 state;
	u32 bad_tokens;
	u32 bad_callers;
	u32 routine_audits;
	u64 routine_since;
	u32 data_frames;
	u32 ept_tables;
	u32 frames;
	u32 nr_libs;
	struct hvt_session_image libs[HVT_SESSION_MAX_LIBS];
	bool tables_clean;
	u64 watch_generation;
	struct hvt_table_set watched;
};

enum hvt_frame_kind {
	HVT_FRAME_FREE,
	HVT_FRAME_SESSION,	/* the session page: writes are dropped */
	HVT_FRAME_CODE,		/* a code page of the registered binary */
	HVT_FRAME_DATA,		/* a page the program protected */
};

/**
 * struct hvt_frame - a guest-physical page write-protected for a session
 * @gpa: the page
 * @gva: where the session maps it
 * @saved_leaf: its EPT leaf before protection
 * @session: index of the owning session
 * @kind: enum hvt_frame_kind
 * @move_announced: Linux said it would change the page's mapping (an mmu
 *                  notifier's invalidation covered it) since the last check
 *                  found it in place: a move to a frame with the same
 *                  contents is then Linux's, not an attack
 * @prev: the session's frame before it (index plus one, 0: none)
 * @next: the session's frame after it, or for a free entry the next free
 *        one (index plus one, 0: none)
 * @gpa_next: the next frame in its @gpa bucket (index plus one, 0: none);
 *            linked while it is in use and @gpa is not 0
 * @gva_next: the next frame in its session-and-@gva bucket (index plus
 *            one, 0: none); linked while it is in use
 * @ept_tables: pool tables protecting it took, for a data page (charged to
 *              its session)
 * @hash: SHA-256 of its contents when protected (code: the manifest's)
 */
struct hvt_frame {
	u64 gpa;
	u64 gva;
	u64 saved_leaf;
	u32 session;
	u8 kind;
	u8 move_announced;
	u16 ept_tables;
	u32 prev;
	u32 next;
	u32 gpa_next;
	u32 gva_next;
	u8 hash[HVTRUST_SHA256_SIZE];
};

/**
 * struct hvt_secret - a secret the hypervisor keeps for a registered program
 * @binary: the program's registry slot
 * @len: bytes at @data; 0: the entry is free
 * @name: its name, NUL padded
 * @data: the secret
 */
struct hvt_secret {
	u32 binary;
	u32 len;
	u8 name[HVTRUST_SECRET_NAME_SIZE];
	u8 data[HVTRUST_SECRET_MAX_SIZE];
};

/**
 * struct hvt_ram_range - guest-physical RAM that VMX root may read
 * @start: first byte
 * @end: first byte after it
 */
struct hvt_ram_range {
	u64 start;
	u64 end;
};

/**
 * struct hvt_vdso_page - a page of the kernel's vDSO code, as it was at load
 * @pa: its frame, the same in every process
 * @hash: SHA-256 of its contents
 */
struct hvt_vdso_page {
	u64 pa;
	u8 hash[HVTRUST_SHA256_SIZE];
};

/**
 * struct hvt_session_request - what the module tells VMX root at attach
 * @cr3: physical address of the process's top-level page table
 * @page_pa: the session page, filled with the call stub
 * @page_va: where it is mapped in the process
 * @bias: load bias of the registered binary in the process
 * @binary: its registry slot
 * @nr_libs: entries at @libs
 * @libs: the registered libraries it maps
 */
struct hvt_session_request {
	u64 cr3;
	u64 page_pa;
	u64 page_va;
	u64 bias;
	u32 binary;
	u32 nr_libs;
	struct hvt_session_image libs[HVT_SESSION_MAX_LIBS];
};

/**
 * struct hvt_trust - the service's state, shared by every CPU in root
 * @lock: serializes everything below between CPUs
 * @cr3_ignore: CR3 bits that do not identify an address space (PTI)
 * @direct_map: the kernel's direct-map offset at load (page_offset_base):
 *              VMX root reaches RAM through this copy, which the guest
 *              kernel cannot change, never through the kernel's variable
 * @max_sessions: entries at @sessions
 * @sessions_used: entries at @sessions up to the last one in use
 * @max_frames: entries at @frames
 * @frames_used: entries at @frames ever used since launch: those past it
 *               are free and on no list
 * @frames_in_use: entries at @frames in use
 * @frame_free: the first free entry below @frames_used (index plus one,
 *              0: none), the others linked through their @next
 * @frame_hash_bits: log2 of the entries of @gpa_buckets and of @gva_buckets
 * @gpa_buckets: the first frame of each bucket of frames by guest-physical
 *               page (index plus one, 0: none): a lookup by frame, as
 *               every EPT violation and protection makes, is O(1)
 * @gva_buckets: the same by session and user address, for PROTECT's "is
 *               this page already protected"
 * @max_session_pages: data pages one session may protect
 * @max_session_tables: pool tables one session's frames may take
 * @bad_token_limit: wrong tokens before an address space is locked out
 * @sealed: no registry change until reboot
 * @has_rdrand: RDRAND adds fresh entropy before each token
 * @enforce: writes to protected code are dropped instead of revoking
 * @timer_save: the CPU can save the VMX-preemption timer at VM exit
 * @watch_tables: calls skip their walks while the session's page tables
 *                are unwritten (struct hvt_session, @tables_clean)
 * @table_writes: writes to watched page tables since launch
 * @check_ticks: VMX-preemption timer ticks between recurring checks, 0: off
 * @open_sessions: sessions in HVT_SESSION_OPEN
 * @check_cursor: the next frame the recurring check looks at
 * @checked_pages: pages the recurring check has hashed
 * @view_cursor: the next session whose executable view the recurring
 *               check walks
 * @next_session_id: the last identifier issued
 * @drbg: the token generator
 * @nr_ram: entries at @ram
 * @ram: RAM ranges at launch
 * @nr_vdso: entries at @vdso
 * @vdso: the vDSO's code pages: the one executable mapping of a trusted
 *        program that the kernel provides, not a registered file
 * @revocations: sessions revoked since launch
 * @audit_sequence: audit records issued since launch
 * @root_code_sha256: SHA-256 of root's code as loaded (struct hvtrust_quote_report)
 * @quote_seed: the private half of the quote key (RFC 8032 seed)
 * @quote_public_key: its public half
 * @quote_key_sha256: SHA-256 of @quote_public_key
 * @pool_free: tables ready at @pool[0 .. @pool_free)
 * @pool_retired: tables at @pool[@pool_free .. @pool_free + @pool_retired)
 *                that merges took out of EPT, which other CPUs may still
 *                walk until they flush; the rest of @pool is in EPT
 * @pool_retired_generation: the EPT generation after the last retirement
 * @pool_size: entries at @pool
 * @pool: physical addresses of hidden pages for splitting EPT large pages
 *        in root
 * @max_secrets: entries at @secrets
 * @max_secrets_per_binary: secrets one registered program may hold
 * @secrets: the programs' secrets (HVTRUST_HC_SECRET_PUT), and one spare
 *           entry past them that a PUT reads into first
 * @binaries: the registry
 * @sessions: the session table
 * @frames: the protected frames
 */
struct hvt_trust {
	struct hvt_root_lock lock;
	u64 cr3_ignore;
	u64 direct_map;
	u32 max_sessions;
	u32 sessions_used;
	u32 max_frames;
	u32 frames_used;
	u32 frame_free;
	u32 frame_hash_bits;
	u32 *gpa_buckets;
	u32 *gva_buckets;
	u32 frames_in_use;
	u32 max_session_pages;
	u32 max_session_tables;
	u32 bad_token_limit;
	bool sealed;
	bool has_rdrand;
	bool enforce;
	bool timer_save;
	bool watch_tables;
	u64 table_writes;
	u32 check_ticks;
	u32 open_sessions;
	u32 check_cursor;
	u64 checked_pages;
	u32 view_cursor;
	u64 next_session_id;
	struct hvt_drbg drbg;
	u32 nr_ram;
	struct hvt_ram_range ram[HVT_RAM_RANGES];
	u32 nr_vdso;
	struct hvt_vdso_page vdso[HVT_VDSO_MAX_PAGES];
	u64 revocations;
	u64 audit_sequence;
	u8 root_code_sha256[HVTRUST_SHA256_SIZE];
	u8 quote_seed[HVTRUST_ED25519_KEY_SIZE];
	u8 quote_public_key[HVTRUST_ED25519_KEY_SIZE];
	u8 quote_key_sha256[HVTRUST_SHA256_SIZE];
	u32 pool_free;
	u32 pool_retired;
	u64 pool_retired_generation;
	u32 pool_size;
	u64 *pool;
	u32 max_secrets;
	u32 max_secrets_per_binary;
	struct hvt_secret *secrets;
	struct hvt_binary binaries[HVT_MAX_BINARIES];
	struct hvt_session *sessions;
	struct hvt_frame *frames;
};

#endif /* HVT_VMX_SERVICE_H */
