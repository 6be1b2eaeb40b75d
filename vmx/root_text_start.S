/* SPDX-License-Identifier: GPL-2.0 */
/* Opens hvtrust's VMX-root code section on a page boundary: Kbuild links it first. */
/* Context: none (a marker); module/build.c makes the pages to hvt_root_text_end read-only. */
#include <linux/linkage.h>
#include <linux/objtool.h>

	.section .noinstr.text, "ax"
	.balign 4096
	.globl hvt_root_text_start
hvt_root_text_start:
	/* Its address is taken to find the pages, never jumped to. */
	ANNOTATE_NOENDBR
	int3
