/* SPDX-License-Identifier: GPL-2.0 */
/* The CPU's brand string, for the benches' reports (native and in the emulated machine). */
/* Context: user space. */
#ifndef HVT_SELFTESTS_CPU_BRAND_H
#define HVT_SELFTESTS_CPU_BRAND_H

#include <cpuid.h>
#include <string.h>

/* CPUID leaves 0x80000002-4, leading blanks dropped; 48 characters at most. */
static inline void cpu_brand(char brand[49])
{
	unsigned int regs[12], eax, ebx, ecx, edx, i;

	__cpuid(0x80000000, eax, ebx, ecx, edx);
	if (eax < 0x80000004) {
		strcpy(brand, "(no brand string)");
		return;
	}
	for (i = 0; i < 3; i++)
		__cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1], regs[4 * i + 2],
			regs[4 * i + 3]);
	memcpy(brand, regs, 48);
	brand[48] = '\0';
	while (*brand == ' ')
		memmove(brand, brand + 1, strlen(brand));
}

#endif /* HVT_SELFTESTS_CPU_BRAND_H */
