/* SPDX-License-Identifier: GPL-2.0 */
/* Test builds only: debugfs hooks that let the selftests do what no production build may. */
/* Context: process context (module load and unload). */
#ifndef HVT_MODULE_DEBUGFS_H
#define HVT_MODULE_DEBUGFS_H

#ifdef HVT_TEST_HOOKS
void hvt_debugfs_init(void);
void hvt_debugfs_exit(void);
#else
static inline void hvt_debugfs_init(void) { }
static inline void hvt_debugfs_exit(void) { }
#endif

#endif /* HVT_MODULE_DEBUGFS_H */
