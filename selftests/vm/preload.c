// SPDX-License-Identifier: GPL-2.0
/* Selftest helper: a shared object that is registered nowhere, for LD_PRELOAD into a daemon. */
/* Context: user space inside the test guest, loaded by the dynamic loader. */

int hvt_preloaded(void);

int hvt_preloaded(void)
{
	return 1;
}
