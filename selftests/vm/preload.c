// SPDX-License-Identifier: GPL-2.0
/* Selftest helper: a shared object that is registered nowhere, for LD_PRELOAD into a daemon. */
/* Context: user space inside the test guest, loaded by the dynamic loader. */

/* The "upgrade" is the same source built with another version: other code bytes. */
#ifndef HVT_PRELOAD_VERSION
#define HVT_PRELOAD_VERSION	1
#endif

int hvt_preloaded(void);

int hvt_preloaded(void)
{
	return HVT_PRELOAD_VERSION * 0x1234567;
}
