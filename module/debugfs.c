// SPDX-License-Identifier: GPL-2.0
/* Test builds only (make HVT_TEST_HOOKS=y): debugfs hvtrust/silent_write, root_state and more. */
/* Every build compiles it, empty without the hooks, so DKMS and the bench hash the same sources. */
/* Context: process context (debugfs file operations, module load and unload). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/io.h>

#include "../uapi/hvtrust.h"
#include "../vmx/hypercall.h"
#include "../vmx/service.h"
#include "../vmx/vmcs.h"
#include "build.h"
#include "cpus.h"
#include "debugfs.h"
#include "hvcall.h"

#ifdef HVT_TEST_HOOKS

/*
 * hvtrust/silent_write takes "GPA VALUE" in hex (HVT_HC_TEST_SILENT_WRITE);
 * hvtrust/root_state lists the allocations VMX root keeps its state in.
 */
static struct dentry *hvt_test_dir;

static int hvt_test_root_state_show(struct seq_file *m, void *unused)
{
	hvt_build_show_root_state(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvt_test_root_state);

static ssize_t hvt_test_silent_write(struct file *file, const char __user *ubuf,
				     size_t len, loff_t *pos)
{
	char text[64];
	u64 gpa, value;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!len || len >= sizeof(text))
		return -EINVAL;
	if (copy_from_user(text, ubuf, len))
		return -EFAULT;
	text[len] = '\0';
	if (sscanf(text, "%llx %llx", &gpa, &value) != 2)
		return -EINVAL;
	ret = hvt_hv_call(HVT_HC_TEST_SILENT_WRITE, gpa, value, 0);
	return ret ? ret : len;
}

static const struct file_operations hvt_test_silent_write_fops = {
	.owner = THIS_MODULE,
	.write = hvt_test_silent_write,
};

/*
 * hvtrust/session_prepare takes "PAGE_PA": HVTRUST_HC_SESSION_PREPARE for
 * binary 0 with that page as the session page, as a hostile kernel would
 * call it; a session made is ended at once.
 */
static long hvt_test_session_prepare(u64 page_pa)
{
	struct hvt_session_request *req;
	long ret;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->cr3 = __pa(current->mm->pgd);
	req->page_pa = page_pa;
	req->page_va = PAGE_SIZE;
	ret = hvt_hv_call(HVTRUST_HC_SESSION_PREPARE, __pa(req), 0, 0);
	kfree(req);
	if (ret > 0)
		hvt_hv_call(HVTRUST_HC_SESSION_END, ret, 0, 0);
	return ret < 0 ? ret : 0;
}

/*
 * hvtrust/devirtualize takes a CPU number: HVTRUST_HC_DEVIRTUALIZE there,
 * with the credential, as a hostile kernel would call it; a CPU that left
 * is launched again.
 */
static long hvt_test_devirtualize(u64 cpu)
{
	return cpu > UINT_MAX ? -EINVAL : hvt_hv_test_leave(cpu);
}

/*
 * hvtrust/registry_add takes "PAGE_PA": HVTRUST_HC_REGISTRY_ADD of a
 * one-page manifest there under the last registry id, as a hostile kernel
 * would call it; a binary added is removed at once.
 */
static long hvt_test_registry_add(u64 page_pa)
{
	long ret = hvt_hv_call(HVTRUST_HC_REGISTRY_ADD, page_pa, PAGE_SIZE,
			       HVTRUST_MAX_BINARIES - 1);

	if (!ret)
		hvt_hv_call(HVTRUST_HC_REGISTRY_REMOVE, HVTRUST_MAX_BINARIES - 1, 0, 0);
	return ret;
}

static void hvt_test_store_vmwrite_flag(void *value)
{
	this_cpu_write(hvt_vmwrite_failed_field, *(unsigned long *)value);
}

/*
 * hvtrust/vmwrite_flag takes a value in hex and stores it in every CPU's
 * hvt_vmwrite_failed_field, the kernel data the launch path reports a
 * failed VMWRITE in, as any kernel code could: root must not act on it.
 */
static long hvt_test_vmwrite_flag(u64 value)
{
	unsigned long field = value;

	on_each_cpu(hvt_test_store_vmwrite_flag, &field, 1);
	return 0;
}

/**
 * struct hvt_test_hook - a debugfs file that takes one number and acts on it
 * @name: its name in hvtrust/
 * @base: the number's base
 * @run: what a write does: 0 or -errno
 */
struct hvt_test_hook {
	const char *name;
	unsigned int base;
	long (*run)(u64 value);
};

static const struct hvt_test_hook hvt_test_hooks[] = {
	{ "session_prepare", 16, hvt_test_session_prepare },
	{ "registry_add", 16, hvt_test_registry_add },
	{ "devirtualize", 10, hvt_test_devirtualize },
	{ "vmwrite_flag", 16, hvt_test_vmwrite_flag },
};

static ssize_t hvt_test_hook_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *pos)
{
	const struct hvt_test_hook *hook = file->private_data;
	u64 value;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = kstrtou64_from_user(ubuf, len, hook->base, &value);
	if (ret)
		return ret;
	ret = hook->run(value);
	return ret < 0 ? ret : len;
}

static const struct file_operations hvt_test_hook_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = hvt_test_hook_write,
};

void hvt_debugfs_init(void)
{
	unsigned int i;

	hvt_test_dir = debugfs_create_dir("hvtrust", NULL);
	debugfs_create_file("silent_write", 0200, hvt_test_dir, NULL,
			    &hvt_test_silent_write_fops);
	debugfs_create_file("root_state", 0400, hvt_test_dir, NULL, &hvt_test_root_state_fops);
	for (i = 0; i < ARRAY_SIZE(hvt_test_hooks); i++)
		debugfs_create_file(hvt_test_hooks[i].name, 0200, hvt_test_dir,
				    (void *)&hvt_test_hooks[i], &hvt_test_hook_fops);
	pr_warn("test build: debugfs hvtrust/silent_write bypasses the write trap\n");
}

void hvt_debugfs_exit(void)
{
	debugfs_remove(hvt_test_dir);
}

#endif /* HVT_TEST_HOOKS */
