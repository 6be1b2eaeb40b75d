/* SPDX-License-Identifier: GPL-2.0 */
/* The markers around the code VMX root runs (vmx/root_text_start.S, vmx/root_text_end.S). */
/* Context: any; the module write-protects what lies between them before launch. */
#ifndef HVT_VMX_ROOT_TEXT_H
#define HVT_VMX_ROOT_TEXT_H

#include <linux/types.h>

extern const u8 hvt_root_text_start[];
extern const u8 hvt_root_text_end[];

#endif /* HVT_VMX_ROOT_TEXT_H */
