/* SPDX-License-Identifier: GPL-2.0 */
/* QUOTE: signed reports on trusted programs' sessions. */
/* Context: VMX root only. */
#ifndef HVT_VMX_QUOTE_H
#define HVT_VMX_QUOTE_H

#include <linux/types.h>

struct hvt_cpu;
struct hvt_guest_regs;
struct hvt_session;

long hvt_hc_quote(struct hvt_cpu *vcpu, struct hvt_guest_regs *regs, struct hvt_session *unused);

#endif /* HVT_VMX_QUOTE_H */
