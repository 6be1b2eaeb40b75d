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
bool hvt_hv_running(void);
long hvt_hv_call(unsigned long nr, unsigned long a2, unsigned long a3,
		 unsigned long a4);
void hvt_hv_drain_log(void);

/* module/trust.c */
struct file;
struct poll_table_struct;
struct vm_area_struct;
struct hvt_trust;
struct hvt_session;
struct hvt_frame;
int hvt_trust_setup(struct hvt_trust *trust, struct hvt_session *sessions,
		    struct hvt_frame *frames, const struct hvt_vmx_config *vmm_config);
size_t hvt_trust_sessions_size(void);
size_t hvt_trust_frames_size(void);
bool hvt_trust_params_valid(void);
void hvt_trust_audit(int cpu, const u64 *args);
void hvt_trust_end_sessions(void);
#ifdef HVT_TEST_HOOKS
struct seq_file;
void hvt_hv_show_root_state(struct seq_file *m);
void hvt_test_hooks_init(void);
void hvt_test_hooks_exit(void);
#else
static inline void hvt_test_hooks_init(void) { }
static inline void hvt_test_hooks_exit(void) { }
#endif
void hvt_trust_cleanup(void);
int hvt_dev_mmap(struct file *file, struct vm_area_struct *vma);
__poll_t hvt_dev_poll(struct file *file, struct poll_table_struct *wait);
int hvt_ioctl_register(struct file *file, void *arg);
int hvt_ioctl_unregister(struct file *file, void *arg);
int hvt_ioctl_list(struct file *file, void *arg);
int hvt_ioctl_seal(struct file *file, void *arg);
int hvt_ioctl_attach(struct file *file, void *arg);
int hvt_ioctl_read_audit(struct file *file, void *arg);

#endif /* HVT_MODULE_H */
