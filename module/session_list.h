/* SPDX-License-Identifier: GPL-2.0 */
/* The sessions as Linux tracks them: which process, which page, which notifier. */
/* Context: process context (ioctls, mmu notifier release, the log drain, unload). */
#ifndef HVT_MODULE_SESSION_LIST_H
#define HVT_MODULE_SESSION_LIST_H

#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "binaries.h"

/**
 * struct hvt_session_glue - one session as the module tracks it
 * @mn: notifier that ends the session when the address space goes away
 * @node: in the session list
 * @released: the session's reference on the notifier was dropped (address
 *            space gone, or the module unloading)
 * @id: the hypervisor's session id, 0 once ended
 * @issued_id: the id it was issued, kept for the audit log
 * @binary: registry id of its program
 * @libraries: registry ids of the libraries it maps, bit N for id N
 * @images: where its program and libraries are mapped, to name a file in
 *          the audit log
 * @page: the session page
 * @pid: the process that attached
 * @comm: its name then
 */
struct hvt_session_glue {
	struct mmu_notifier mn;
	struct list_head node;
	bool released;
	u64 id;
	u64 issued_id;
	u32 binary;
	u32 libraries;
	struct hvt_images images;
	struct page *page;
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

struct hvt_session_glue *hvt_session_list_get(struct mm_struct *mm);
void hvt_session_list_put(struct hvt_session_glue *g);
void hvt_session_list_add(struct hvt_session_glue *g, u64 id);
void hvt_session_list_reset(struct hvt_session_glue *g);
void hvt_session_owner(u64 id, pid_t *pid, char *comm);
bool hvt_session_images(u64 id, struct hvt_images *images);
u64 hvt_sessions_id_of_mm(const struct mm_struct *mm);
void hvt_sessions_forget_binary(u32 binary);
u32 hvt_sessions_of_binary(u32 binary);
void hvt_sessions_end_all(void);
void hvt_sessions_release_all(void);

#endif /* HVT_MODULE_SESSION_LIST_H */
