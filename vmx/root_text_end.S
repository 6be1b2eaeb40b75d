/* SPDX-License-Identifier: GPL-2.0 */
/* Closes hvtrust's VMX-root code section on a page boundary: Kbuild links it last. */
/* Context: none (a marker); no other code shares the pages of the section. */
#include <linux/linkage.h>

	.section .noinstr.text, "ax"
	.balign 4096
	.globl hvt_root_text_end
hvt_root_text_end:
