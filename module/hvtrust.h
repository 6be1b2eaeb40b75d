/* SPDX-License-Identifier: GPL-2.0 */
/* State the Linux glue of hvtrust shares between its files. */
/* Context: process context. */
#ifndef HVT_MODULE_H
#define HVT_MODULE_H

#include "../vmx/caps.h"

extern struct hvt_vmx_config hvt_vmx_config;

int hvt_dev_register(void);
void hvt_dev_unregister(void);
int hvt_hv_start(void);
void hvt_hv_stop(void);
struct hvtrust_status;
struct hvtrust_exits;
void hvt_hv_status(struct hvtrust_status *status);
int hvt_hv_exits(unsigned int cpu, struct hvtrust_exits *exits);

#endif /* HVT_MODULE_H */
