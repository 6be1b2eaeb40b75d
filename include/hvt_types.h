/* SPDX-License-Identifier: GPL-2.0 */
/* Fixed-width types for the pure logic in vmx/, ept/ and token/. */
/* Context: any; built both into the module and into the user-space unit tests. */
#ifndef HVT_TYPES_H
#define HVT_TYPES_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>

#define hvt_wipe(p, n)	memzero_explicit(p, n)
/*
 * Code that runs in VMX root: one section of whole pages (vmx/root_text_*.S)
 * that EPT makes read-only to the guest. Nothing in it may be patched at run
 * time: Kbuild builds these files without the function tracer, and the
 * kernel keeps kprobes out of .noinstr.text. Unlike the kernel's noinstr, it
 * lets the compiler inline.
 */
#define HVT_ROOT	__section(".noinstr.text")
/* Set while the module loads, then read-only to the guest like the code (module/build.c). */
#define HVT_RO_AFTER_INIT	__ro_after_init
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;

#define BIT(n)		(1U << (n))
#define BIT_ULL(n)	(1ULL << (n))
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define hvt_wipe(p, n)	explicit_bzero(p, n)
#define HVT_ROOT
#define HVT_RO_AFTER_INIT
#endif

#endif /* HVT_TYPES_H */
