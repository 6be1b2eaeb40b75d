/* SPDX-License-Identifier: GPL-2.0 */
/* An authenticated hypercall through the session page's stub, for libhvtrust and the bench's programs. */
/* Context: user space; needs nothing but the uapi header, so freestanding programs use it too. */
#ifndef HVTRUST_STUB_H
#define HVTRUST_STUB_H

#include "../uapi/hvtrust.h"

/* The call's arguments (RDI, R8, R9, R10: QUOTE's nonce takes all four) in, its outputs out. */
struct hvtrust_stub_args {
	__u64 rdi;
	__u64 r8;
	__u64 r9;
	__u64 r10;
};

/*
 * Token in RBX, RCX, RDX, RSI, loaded from the page straight into the
 * registers, so the compiler never copies it to the stack, and cleared
 * afterwards. The CALL pushes a return address below RSP, where the
 * caller's red zone may hold live data: RSP moves 128 bytes down around it.
 */
static inline long hvtrust_stub_call(const volatile struct hvtrust_session_page *page,
				     __u64 nr, struct hvtrust_stub_args *args)
{
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register __u64 r8 asm("r8") = args->r8;
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register __u64 r9 asm("r9") = args->r9;
	/* cppcheck-suppress constStatement ; an explicit-register variable */
	register __u64 r10 asm("r10") = args->r10;
	__u64 stub = page->safe_hypercall;
	__u64 rdi = args->rdi;
	long rax = nr;

	asm volatile("mov %c[t0](%[page]), %%rbx\n\t"
		     "mov %c[t1](%[page]), %%rcx\n\t"
		     "mov %c[t2](%[page]), %%rdx\n\t"
		     "mov %c[t3](%[page]), %%rsi\n\t"
		     "sub $128, %%rsp\n\t"
		     "call *%[stub]\n\t"
		     "add $128, %%rsp\n\t"
		     "xor %%ebx, %%ebx\n\t"
		     "xor %%ecx, %%ecx\n\t"
		     "xor %%edx, %%edx\n\t"
		     "xor %%esi, %%esi"
		     : "+a"(rax), "+D"(rdi), "+r"(r8), "+r"(r9), "+r"(r10)
		     : [page] "r"(page), [stub] "r"(stub),
		       [t0] "i"(__builtin_offsetof(struct hvtrust_session_page, token[0])),
		       [t1] "i"(__builtin_offsetof(struct hvtrust_session_page, token[1])),
		       [t2] "i"(__builtin_offsetof(struct hvtrust_session_page, token[2])),
		       [t3] "i"(__builtin_offsetof(struct hvtrust_session_page, token[3]))
		     : "rbx", "rcx", "rdx", "rsi", "r11", "memory", "cc");
	args->rdi = rdi;
	args->r8 = r8;
	args->r9 = r9;
	args->r10 = r10;
	return rax;
}

#endif /* HVTRUST_STUB_H */
