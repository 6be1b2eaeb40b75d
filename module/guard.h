/* SPDX-License-Identifier: GPL-2.0 */
/* The session guard: refuses tracers, foreign writes and new code in a session's process. */
/* Context: process context (module load and unload, the attach ioctl). */
#ifndef HVT_MODULE_GUARD_H
#define HVT_MODULE_GUARD_H

#include <linux/types.h>

int hvt_guard_start(void);
void hvt_guard_stop(void);
bool hvt_guard_armed(void);

#endif /* HVT_MODULE_GUARD_H */
