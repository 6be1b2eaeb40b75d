// SPDX-License-Identifier: GPL-2.0
/* HVTRUST_IOC_ATTACH: a registered program's session page, and its session prepared in root. */
/* Context: process context (the attach ioctl, mmap of /dev/hvtrust). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/io.h>

#include "../uapi/hvtrust.h"
#include "../vmx/service.h"
#include "attach.h"
#include "audit.h"
#include "binaries.h"
#include "guard.h"
#include "hvcall.h"
#include "session_list.h"

/**
 * struct hvt_attach_request - what hvt_prepare_session() hands VMX root
 * @glue: the session as the module tracks it
 * @addr: where the session page is mapped
 * @images: the registered code the process maps
 */
struct hvt_attach_request {
	struct hvt_session_glue *glue;
	unsigned long addr;
	const struct hvt_images *images;
};

/* The session page's file while the attach ioctl maps it (under hvt_attach_mutex). */
static DEFINE_MUTEX(hvt_attach_mutex);
static struct file *hvt_attach_backing;
static struct task_struct *hvt_attach_task;
/* The kernel's internal shmem mount, where every session page's file lives. */
static struct super_block *hvt_session_sb;

#define HVT_SESSION_FILE_NAME	"hvtrust-session"

/*
 * A session page this module mapped: a file on the kernel's internal shmem
 * mount with the name only hvt_session_file() gives there (memfd and SysV
 * files on that mount carry prefixes user space cannot drop), one page,
 * never writable.
 */
static bool hvt_is_session_mapping(const struct vm_area_struct *vma)
{
	const struct file *file = vma->vm_file;
	struct super_block *sb = READ_ONCE(hvt_session_sb);

	return file && sb && file_inode(file)->i_sb == sb &&
	       !strcmp(file->f_path.dentry->d_name.name, HVT_SESSION_FILE_NAME) &&
	       vma->vm_end - vma->vm_start == PAGE_SIZE &&
	       !(vma->vm_flags & (VM_WRITE | VM_MAYWRITE));
}

/*
 * The mount is learnt from a file of its own, once: a process may still
 * map session pages of an earlier load of the module.
 */
static int hvt_learn_session_sb(void)
{
	struct file *probe;

	if (READ_ONCE(hvt_session_sb))
		return 0;
	probe = shmem_file_setup(HVT_SESSION_FILE_NAME, 0, VM_NORESERVE);
	if (IS_ERR(probe))
		return PTR_ERR(probe);
	WRITE_ONCE(hvt_session_sb, file_inode(probe)->i_sb);
	fput(probe);
	return 0;
}

/* Executable memory of a registered program's besides registered code. */
static bool hvt_attach_allows(const struct vm_area_struct *vma)
{
	return (!vma->vm_file && vma->vm_start == (unsigned long)vma->vm_mm->context.vdso) ||
	       hvt_is_session_mapping(vma);
}

/*
 * The mapping is handed over to a shmem file of its own, as for shared
 * anonymous memory: it then holds neither the device nor the module, so
 * the module can unload under a program that keeps its session page.
 */
int hvt_attach_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct file *backing = READ_ONCE(hvt_attach_backing);

	/* Only the attach ioctl maps a session page, read and execute only. */
	if (!backing || READ_ONCE(hvt_attach_task) != current || vma->vm_pgoff ||
	    vma->vm_end - vma->vm_start != PAGE_SIZE ||
	    (vma->vm_flags & VM_WRITE))
		return -EINVAL;
#ifdef HVT_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, VM_MAYWRITE);
	vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP;
#endif
	vma_set_file(vma, backing);
	return backing->f_op->mmap(backing, vma);
}

/*
 * A one-page shmem file holding the session page, pinned: unevictable,
 * and the reference taken here keeps reclaim and migration from moving it
 * to another frame behind the hypervisor's back.
 */
static struct file *hvt_session_file(struct page **pagep)
{
	struct file *backing;
	struct page *page;

	backing = shmem_file_setup(HVT_SESSION_FILE_NAME, PAGE_SIZE, VM_NORESERVE);
	if (IS_ERR(backing))
		return backing;
	mapping_set_unevictable(backing->f_mapping);
	page = shmem_read_mapping_page(backing->f_mapping, 0);
	if (IS_ERR(page)) {
		fput(backing);
		return ERR_CAST(page);
	}
	memcpy(page_address(page) + HVTRUST_SESSION_STUB_OFFSET, HVTRUST_SESSION_STUB,
	       sizeof(HVTRUST_SESSION_STUB) - 1);
	/* A clean shmem page reads back as zeros once dropped. */
	set_page_dirty(page);
	*pagep = page;
	return backing;
}

/* Under the registry's mutex (hvt_binaries_call_if_used()). */
static long hvt_prepare_session(void *arg)
{
	const struct hvt_attach_request *attach = arg;
	struct hvt_session_request *req = kzalloc(sizeof(*req), GFP_KERNEL);
	long ret;

	if (!req)
		return -ENOMEM;
	req->cr3 = __pa(current->mm->pgd);
	req->page_pa = page_to_phys(attach->glue->page);
	req->page_va = attach->addr;
	req->bias = attach->images->bias;
	req->binary = attach->images->binary;
	req->nr_libs = attach->images->nr_libs;
	memcpy(req->libs, attach->images->libs, sizeof(req->libs));
	ret = hvt_hv_call(HVTRUST_HC_SESSION_PREPARE, __pa(req), 0, 0);
	kfree(req);
	return ret;
}

static bool hvt_any_thread_traced(struct task_struct *task)
{
	struct task_struct *t;
	bool traced = false;

	rcu_read_lock();
	for_each_thread(task, t) {
		if (READ_ONCE(t->ptrace)) {
			traced = true;
			break;
		}
	}
	rcu_read_unlock();
	return traced;
}

/* The hypervisor no longer knows the session: closed, or its binary went. */
static bool hvt_session_over(const struct hvt_session_glue *g)
{
	u64 id = READ_ONCE(g->id);

	return !id || hvt_hv_call(HVTRUST_HC_SESSION_INFO, id, 0, 0) == -ENOENT;
}

int hvt_attach_ioctl(struct file *file, void *arg)
{
	struct hvtrust_attach *req = arg;
	struct mm_struct *mm = current->mm;
	struct hvt_attach_request attach;
	struct hvt_session_glue *g;
	struct hvt_images images;
	struct file *backing;
	unsigned long addr;
	struct page *page;
	u64 outside;
	long ret;
	u32 i;

	if (req->flags || req->reserved || req->session_page || req->binary_id)
		return -EINVAL;
	if (!hvt_hv_running() || !mm)
		return -ENODEV;
	if (!hvt_guard_armed())
		return -EOPNOTSUPP;
	ret = hvt_learn_session_sb();
	if (ret)
		return ret;
	ret = hvt_binaries_find(mm, hvt_attach_allows, &images, &outside);
	if (ret == -EACCES) {
		pr_warn("attach refused: %s (pid %d) has executable memory at %#llx outside its registered code\n",
			current->comm, task_tgid_nr(current), outside);
		hvt_audit_attach_refused(current, __pa(mm->pgd), outside);
	}
	if (ret)
		return ret;
	hvt_binaries_prefault(&images);

	g = hvt_session_list_get(mm);
	if (IS_ERR(g))
		return PTR_ERR(g);
	mutex_lock(&hvt_attach_mutex);
	if (g->page && hvt_session_over(g))
		hvt_session_list_reset(g);
	if (g->page) {
		ret = -EBUSY;
		goto unlock;
	}
	backing = hvt_session_file(&page);
	if (IS_ERR(backing)) {
		ret = PTR_ERR(backing);
		goto unlock;
	}
	hvt_attach_backing = backing;
	hvt_attach_task = current;
	addr = vm_mmap(file, 0, PAGE_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, 0);
	hvt_attach_backing = NULL;
	hvt_attach_task = NULL;
	/* The mapping holds the file now, if it was made. */
	fput(backing);
	if (IS_ERR_VALUE(addr)) {
		put_page(page);
		ret = addr;
		goto unlock;
	}
	/* The hypervisor finds the page through the page tables: map it now. */
	if (fault_in_readable((const char __user *)addr, PAGE_SIZE)) {
		vm_munmap(addr, PAGE_SIZE);
		put_page(page);
		ret = -EFAULT;
		goto unlock;
	}
	g->page = page;
	g->binary = images.binary;
	g->libraries = 0;
	for (i = 0; i < images.nr_libs; i++)
		g->libraries |= BIT(images.libs[i].binary);
	g->images = images;
	g->pid = task_tgid_nr(current);
	get_task_comm(g->comm, current);
	attach = (struct hvt_attach_request) { .glue = g, .addr = addr, .images = &images };
	ret = hvt_binaries_call_if_used(images.binary, hvt_prepare_session, &attach);
	if (ret < 0) {
		vm_munmap(addr, PAGE_SIZE);
		goto unlock;
	}
	hvt_session_list_add(g, ret);
	/* Core dumps would carry the token. */
	set_mask_bits(&mm->flags, MMF_DUMPABLE_MASK, SUID_DUMP_DISABLE);
	/*
	 * The guard refuses tracers from now on; one that attached before
	 * could drive the process: the session dies at once.
	 */
	if (hvt_any_thread_traced(current)) {
		hvt_hv_call(HVTRUST_HC_SESSION_REVOKE, ret, HVTRUST_AUDIT_TRACED, 0);
		pr_warn("attach refused: %s (pid %d) is being traced; session revoked\n",
			current->comm, task_tgid_nr(current));
		vm_munmap(addr, PAGE_SIZE);
		ret = -EPERM;
		goto unlock_keep;
	}
	req->session_page = addr;
	req->binary_id = images.binary;
	mutex_unlock(&hvt_attach_mutex);
	return 0;

unlock:
	mutex_unlock(&hvt_attach_mutex);
	/* Drops this call's reference; a failed first attach frees everything. */
	hvt_session_list_put(g);
	return ret;

unlock_keep:
	/* The revoked session stays listed: the address space may not attach again. */
	mutex_unlock(&hvt_attach_mutex);
	return ret;
}
