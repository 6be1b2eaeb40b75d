/* SPDX-License-Identifier: GPL-2.0 */
/* Fixed-width types for the pure logic in vmx/, ept/ and token/.
 * Context: any; built both into the module and into the user-space unit tests. */
#ifndef HVT_TYPES_H
#define HVT_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#endif /* HVT_TYPES_H */
