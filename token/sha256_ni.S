/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 block function on the Intel SHA extensions (SHA256RNDS2/MSG1/MSG2). */
/* Context: any, VMX root included, with the guest's XMM registers live: it saves what it uses. */
#ifdef __KERNEL__
#include <linux/linkage.h>
#else
/* The few <linux/linkage.h> macros used here, for the user-space unit tests and bench. */
#define SYM_FUNC_START(name)	.globl name; .type name, @function; .p2align 4; name:
#define SYM_FUNC_END(name)	.size name, . - name
#define RET			ret
#endif

/*
 * Register use. SHA256RNDS2 reads its two W+K words from %xmm0 implicitly,
 * so %xmm0 is the round input; the state is kept as the instruction wants
 * it: A, B, E, F in one register (A in the top dword) and C, D, G, H in the
 * other (C in the top dword).
 */
#define WK		%xmm0
#define ABEF		%xmm1
#define CDGH		%xmm2
#define M0		%xmm3
#define M1		%xmm4
#define M2		%xmm5
#define M3		%xmm6
#define TMP		%xmm7
#define BSWAP		%xmm8
#define ABEF_IN		%xmm9
#define CDGH_IN		%xmm10

/* %xmm0 to %xmm10: every XMM register this file writes, and no other. */
#define NR_SAVED	11
#define FRAME		(NR_SAVED * 16)

#define STATE		%rdi
#define DATA		%rsi
#define END		%rdx

/*
 * Four rounds of message words \msg (W[4g] in the low dword) and the
 * constants K[4g..4g+3]. Each SHA256RNDS2 does two rounds and returns the
 * new A, B, E, F; the old A, B, E, F are then the new C, D, G, H, so the two
 * state registers swap roles between the two halves.
 */
.macro ROUNDS4 msg, g
	movdqa \msg, WK
	paddd (\g * 16 + hvt_sha256_ni_k)(%rip), WK
	sha256rnds2 ABEF, CDGH
	pshufd $0x0e, WK, WK
	sha256rnds2 CDGH, ABEF
.endm

/*
 * Message words W[4g..4g+3] into \cur, for g >= 4:
 *   W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16].
 * \cur already holds W[t-16] + sigma0(W[t-15]) (SHA256MSG1, issued two
 * groups earlier); PALIGNR picks W[t-7] out of groups g-2 (\prev2) and g-1
 * (\prev1); SHA256MSG2 adds sigma1 of the words it computes itself, which
 * is why the four words come out of one instruction.
 */
.macro SCHEDULE4 cur, prev2, prev1
	movdqa \prev1, TMP
	palignr $4, \prev2, TMP
	paddd TMP, \cur
	sha256msg2 \prev1, \cur
.endm

#ifdef __KERNEL__
	.section .noinstr.text, "ax"	/* VMX root's code: see HVT_ROOT */
#else
	.text
#endif

/*
 * void hvt_sha256_blocks_ni(u32 state[8], const u8 *data, size_t nblocks)
 *
 * Hashes @nblocks 64-byte blocks into @state (H0..H7 in host order). Neither
 * pointer needs to be aligned.
 *
 * In VMX root the XMM registers hold the guest's values and nobody saves
 * them, so every XMM register written here is saved on entry and restored
 * before return, and that keeps the guest's whole extended state intact:
 * legacy-SSE (non-VEX) instructions leave bits 255:128 of YMM and 511:256
 * of ZMM untouched, %xmm11-%xmm31 and the mask registers are not used, and
 * neither SHA nor integer SSE instructions read or write MXCSR. A nested
 * caller (an NMI handler that hashes) is safe for the same reason.
 *
 * A leaf with a fixed frame: %rsp moves once down and once up, nothing else.
 * The stack is only 8-byte aligned in the kernel, hence MOVDQU for the saves.
 */
SYM_FUNC_START(hvt_sha256_blocks_ni)
	test %rdx, %rdx
	jz .Lnothing

	sub $FRAME, %rsp
	movdqu %xmm0, 0 * 16(%rsp)
	movdqu %xmm1, 1 * 16(%rsp)
	movdqu %xmm2, 2 * 16(%rsp)
	movdqu %xmm3, 3 * 16(%rsp)
	movdqu %xmm4, 4 * 16(%rsp)
	movdqu %xmm5, 5 * 16(%rsp)
	movdqu %xmm6, 6 * 16(%rsp)
	movdqu %xmm7, 7 * 16(%rsp)
	movdqu %xmm8, 8 * 16(%rsp)
	movdqu %xmm9, 9 * 16(%rsp)
	movdqu %xmm10, 10 * 16(%rsp)

	shl $6, END
	add DATA, END

	/*
	 * From H0..H7 in memory order (A in the low dword of the first load)
	 * to the RNDS2 layout: B A D C and H G F E (low to high), then
	 * F E B A = ABEF and H G D C = CDGH.
	 */
	movdqu 0 * 16(STATE), ABEF
	movdqu 1 * 16(STATE), CDGH
	pshufd $0xb1, ABEF, ABEF
	pshufd $0x1b, CDGH, CDGH
	movdqa ABEF, TMP
	palignr $8, CDGH, ABEF
	pblendw $0xf0, TMP, CDGH

	movdqa hvt_sha256_ni_bswap(%rip), BSWAP

.Lblock:
	movdqa ABEF, ABEF_IN
	movdqa CDGH, CDGH_IN

	/*
	 * The SHA256MSG1 after group g starts group g+2 in the register of
	 * group g-2, so it waits until group g has read its W[t-7] there.
	 */
	movdqu 0 * 16(DATA), M0
	pshufb BSWAP, M0
	ROUNDS4 M0, 0

	movdqu 1 * 16(DATA), M1
	pshufb BSWAP, M1
	ROUNDS4 M1, 1

	movdqu 2 * 16(DATA), M2
	pshufb BSWAP, M2
	ROUNDS4 M2, 2
	sha256msg1 M1, M0

	movdqu 3 * 16(DATA), M3
	pshufb BSWAP, M3
	ROUNDS4 M3, 3
	sha256msg1 M2, M1

	SCHEDULE4 M0, M2, M3
	ROUNDS4 M0, 4
	sha256msg1 M3, M2

	SCHEDULE4 M1, M3, M0
	ROUNDS4 M1, 5
	sha256msg1 M0, M3

	SCHEDULE4 M2, M0, M1
	ROUNDS4 M2, 6
	sha256msg1 M1, M0

	SCHEDULE4 M3, M1, M2
	ROUNDS4 M3, 7
	sha256msg1 M2, M1

	SCHEDULE4 M0, M2, M3
	ROUNDS4 M0, 8
	sha256msg1 M3, M2

	SCHEDULE4 M1, M3, M0
	ROUNDS4 M1, 9
	sha256msg1 M0, M3

	SCHEDULE4 M2, M0, M1
	ROUNDS4 M2, 10
	sha256msg1 M1, M0

	SCHEDULE4 M3, M1, M2
	ROUNDS4 M3, 11
	sha256msg1 M2, M1

	SCHEDULE4 M0, M2, M3
	ROUNDS4 M0, 12
	sha256msg1 M3, M2

	SCHEDULE4 M1, M3, M0
	ROUNDS4 M1, 13
	sha256msg1 M0, M3

	SCHEDULE4 M2, M0, M1
	ROUNDS4 M2, 14

	SCHEDULE4 M3, M1, M2
	ROUNDS4 M3, 15

	paddd ABEF_IN, ABEF
	paddd CDGH_IN, CDGH

	add $64, DATA
	cmp END, DATA
	jne .Lblock

	/* Back to memory order: A B E F and G H C D, then A B C D and E F G H. */
	pshufd $0x1b, ABEF, ABEF
	pshufd $0xb1, CDGH, CDGH
	movdqa ABEF, TMP
	pblendw $0xf0, CDGH, ABEF
	palignr $8, TMP, CDGH
	movdqu ABEF, 0 * 16(STATE)
	movdqu CDGH, 1 * 16(STATE)

	movdqu 0 * 16(%rsp), %xmm0
	movdqu 1 * 16(%rsp), %xmm1
	movdqu 2 * 16(%rsp), %xmm2
	movdqu 3 * 16(%rsp), %xmm3
	movdqu 4 * 16(%rsp), %xmm4
	movdqu 5 * 16(%rsp), %xmm5
	movdqu 6 * 16(%rsp), %xmm6
	movdqu 7 * 16(%rsp), %xmm7
	movdqu 8 * 16(%rsp), %xmm8
	movdqu 9 * 16(%rsp), %xmm9
	movdqu 10 * 16(%rsp), %xmm10
	add $FRAME, %rsp
.Lnothing:
	RET
SYM_FUNC_END(hvt_sha256_blocks_ni)

/* Aligned: legacy-SSE memory operands (PADDD, MOVDQA) fault otherwise. */
	.section .rodata, "a", @progbits
	.balign 16
hvt_sha256_ni_k:
	.long 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5
	.long 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
	.long 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3
	.long 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
	.long 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc
	.long 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
	.long 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7
	.long 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
	.long 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13
	.long 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
	.long 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3
	.long 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
	.long 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5
	.long 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
	.long 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208
	.long 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2

/* PSHUFB control: the message is big-endian, one dword at a time. */
	.balign 16
hvt_sha256_ni_bswap:
	.byte 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12

#ifndef __KERNEL__
	.section .note.GNU-stack, "", @progbits
#endif
