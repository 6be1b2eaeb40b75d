/* SPDX-License-Identifier: GPL-2.0 */
/* The per-CPU rings VMX root logs into, and their drain into dmesg and the audit buffer. */
/* Context: process context. */
#ifndef HVT_MODULE_LOG_DRAIN_H
#define HVT_MODULE_LOG_DRAIN_H

struct hvt_log_ring;

int hvt_log_rings_init(void);
void hvt_log_rings_exit(void);
struct hvt_log_ring *hvt_log_ring_alloc(int cpu);
void hvt_log_ring_free(int cpu);
void hvt_log_drain_start(void);
void hvt_log_drain_stop(void);
void hvt_log_drain_now(void);

#endif /* HVT_MODULE_LOG_DRAIN_H */
