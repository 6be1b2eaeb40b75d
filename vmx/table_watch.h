/* SPDX-License-Identifier: GPL-2.0 */
/* Sessions' page tables write-protected in EPT, so that a call walks them only after a change. */
/* Context: VMX root only, under the service's lock (struct hvt_trust). */
#ifndef HVT_VMX_TABLE_WATCH_H
#define HVT_VMX_TABLE_WATCH_H

#include <linux/types.h>

#include "service.h"

struct hvt_cpu;

bool hvt_watch_ready(const struct hvt_cpu *vcpu, const struct hvt_session *s);
void hvt_watch_settle(struct hvt_cpu *vcpu, struct hvt_session *s,
		      const struct hvt_table_set *read, bool ready);
bool hvt_watch_table_written(struct hvt_cpu *vcpu, u64 gpa);
void hvt_watch_forget_gpa(struct hvt_cpu *vcpu, u64 gpa);
void hvt_watch_release(struct hvt_cpu *vcpu, struct hvt_session *s);

#endif /* HVT_VMX_TABLE_WATCH_H */
