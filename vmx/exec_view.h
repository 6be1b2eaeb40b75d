/* SPDX-License-Identifier: GPL-2.0 */
/* A session's executable view as VMX root sees it: every page its user mode may run. */
/* Context: VMX root only, under the service's lock. */
#ifndef HVT_VMX_EXEC_VIEW_H
#define HVT_VMX_EXEC_VIEW_H

#include <linux/types.h>

#include "service.h"

struct hvt_vmm;

int hvt_exec_view_check(const struct hvt_vmm *vmm, const struct hvt_session *s, u64 *gva,
			u64 *gpa);

#endif /* HVT_VMX_EXEC_VIEW_H */
