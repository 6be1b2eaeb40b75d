// SPDX-License-Identifier: GPL-2.0
/* The /dev/hvtrust misc device and its table-driven ioctl dispatcher. */
/* Context: process context (file operations). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "../uapi/hvtrust.h"
#include "../vmx/caps.h"
#include "../vmx/vmm.h"
#include "attach.h"
#include "audit.h"
#include "binaries.h"
#include "cpus.h"
#include "dev.h"
#include "log_drain.h"
#include "params.h"

/* The capabilities hvtrust probed at load (hvt_dev_register()). */
static const struct hvt_vmx_config *hvt_vmx_config;

/*
 * The ABI sizes are literals in the uapi header, as the kernel's own
 * extensible structs have them: a struct that grows must not move its
 * _SIZE_V1 along, but needs a _SIZE_V2 and this table updated.
 */
static_assert(sizeof(struct hvtrust_caps) == HVTRUST_CAPS_SIZE_V1);
static_assert(offsetof(struct hvtrust_caps, feature_control) == 16);
static_assert(sizeof(struct hvtrust_status) == HVTRUST_STATUS_SIZE_V3);
static_assert(sizeof(struct hvtrust_exits) == HVTRUST_EXITS_SIZE_V1);
static_assert(HVTRUST_EXIT_REASONS == HVT_EXIT_REASONS);
static_assert(sizeof(struct hvtrust_manifest) == 80);
static_assert(sizeof(struct hvtrust_manifest_segment) == 48);
static_assert(sizeof(struct hvtrust_register) == HVTRUST_REGISTER_SIZE_V1);
static_assert(sizeof(struct hvtrust_unregister) == HVTRUST_UNREGISTER_SIZE_V1);
static_assert(sizeof(struct hvtrust_binary) == 72);
static_assert(sizeof(struct hvtrust_list) == HVTRUST_LIST_SIZE_V1);
static_assert(sizeof(struct hvtrust_seal) == HVTRUST_SEAL_SIZE_V1);
static_assert(sizeof(struct hvtrust_attach) == HVTRUST_ATTACH_SIZE_V1);
static_assert(sizeof(struct hvtrust_audit) == 72);
static_assert(sizeof(struct hvtrust_read_audit) == HVTRUST_READ_AUDIT_SIZE_V1);
static_assert(sizeof(struct hvtrust_session_page) == 64);
static_assert(offsetof(struct hvtrust_session_page, token) == 32);
static_assert(sizeof(struct hvtrust_quote_key) == HVTRUST_QUOTE_KEY_SIZE_V1);

static int hvt_ioctl_get_caps(struct file *file, void *arg)
{
	const struct hvt_vmx_config *cfg = hvt_vmx_config;
	const struct hvt_vmx_caps *caps = &cfg->caps;
	struct hvtrust_caps *out = arg;
	u32 size = out->size;

	memset(out, 0, sizeof(*out));
	out->size = size;
	out->flags = HVTRUST_CAPS_UNIFORM |
		     (caps->true_ctls ? HVTRUST_CAPS_TRUE_CTLS : 0);
	out->abi_version = HVTRUST_ABI_VERSION;
	out->nr_cpus = cfg->nr_cpus;
	out->feature_control = caps->feature_control;
	out->vmx_basic = caps->basic;
	out->pinbased_ctls = caps->pinbased;
	out->procbased_ctls = caps->procbased;
	out->exit_ctls = caps->exit;
	out->entry_ctls = caps->entry;
	out->procbased_ctls2 = caps->procbased2;
	out->ept_vpid_cap = caps->ept_vpid;
	out->misc = caps->misc;
	out->cr0_fixed0 = caps->cr0_fixed0;
	out->cr0_fixed1 = caps->cr0_fixed1;
	out->cr4_fixed0 = caps->cr4_fixed0;
	out->cr4_fixed1 = caps->cr4_fixed1;
	out->vmfunc = caps->vmfunc;
	out->pinbased_exec = cfg->pinbased;
	out->procbased_exec = cfg->procbased;
	out->procbased_exec2 = cfg->procbased2;
	out->exit_controls = cfg->exit;
	out->entry_controls = cfg->entry;
	return 0;
}

static int hvt_ioctl_get_status(struct file *file, void *arg)
{
	struct hvtrust_status *status = arg;

	if (status->flags || status->cpus_online || status->cpus_virtualized ||
	    status->hidden_pages || status->state_pa || status->launches ||
	    status->frames_used || status->frames_max || status->ept_tables_free ||
	    status->ept_tables)
		return -EINVAL;
	hvt_hv_status(status);
	return 0;
}

static int hvt_ioctl_get_exits(struct file *file, void *arg)
{
	struct hvtrust_exits *exits = arg;

	if (exits->reserved)
		return -EINVAL;
	return hvt_hv_exits(exits->cpu, exits);
}

static int hvt_ioctl_get_quote_key(struct file *file, void *arg)
{
	struct hvtrust_quote_key *key = arg;

	if (key->reserved)
		return -EINVAL;
	return hvt_params_quote_key_of(key);
}

/* What VMX root logged waits in its rings: drained first, so that it is all there. */
static int hvt_ioctl_read_audit(struct file *file, void *arg)
{
	hvt_log_drain_now();
	return hvt_audit_read(arg);
}

/**
 * struct hvt_ioctl_op - one entry of the ioctl table
 * @cmd: the ioctl number
 * @size: the size of its argument struct as this module knows it
 * @min_size: the smallest size a caller may pass (the first ABI version)
 * @execute: the handler; it reads and writes the kernel copy of the argument
 */
struct hvt_ioctl_op {
	unsigned int cmd;
	size_t size;
	size_t min_size;
	int (*execute)(struct file *file, void *arg);
};

static const struct hvt_ioctl_op hvt_ioctl_ops[] = {
	[_IOC_NR(HVTRUST_IOC_GET_CAPS)] = {
		.cmd = HVTRUST_IOC_GET_CAPS,
		.size = sizeof(struct hvtrust_caps),
		.min_size = HVTRUST_CAPS_SIZE_V1,
		.execute = hvt_ioctl_get_caps,
	},
	[_IOC_NR(HVTRUST_IOC_GET_STATUS)] = {
		.cmd = HVTRUST_IOC_GET_STATUS,
		.size = sizeof(struct hvtrust_status),
		.min_size = HVTRUST_STATUS_SIZE_V1,
		.execute = hvt_ioctl_get_status,
	},
	[_IOC_NR(HVTRUST_IOC_GET_EXITS)] = {
		.cmd = HVTRUST_IOC_GET_EXITS,
		.size = sizeof(struct hvtrust_exits),
		.min_size = HVTRUST_EXITS_SIZE_V1,
		.execute = hvt_ioctl_get_exits,
	},
	[_IOC_NR(HVTRUST_IOC_REGISTER)] = {
		.cmd = HVTRUST_IOC_REGISTER,
		.size = sizeof(struct hvtrust_register),
		.min_size = HVTRUST_REGISTER_SIZE_V1,
		.execute = hvt_binaries_ioctl_register,
	},
	[_IOC_NR(HVTRUST_IOC_UNREGISTER)] = {
		.cmd = HVTRUST_IOC_UNREGISTER,
		.size = sizeof(struct hvtrust_unregister),
		.min_size = HVTRUST_UNREGISTER_SIZE_V1,
		.execute = hvt_binaries_ioctl_unregister,
	},
	[_IOC_NR(HVTRUST_IOC_LIST)] = {
		.cmd = HVTRUST_IOC_LIST,
		.size = sizeof(struct hvtrust_list),
		.min_size = HVTRUST_LIST_SIZE_V1,
		.execute = hvt_binaries_ioctl_list,
	},
	[_IOC_NR(HVTRUST_IOC_SEAL)] = {
		.cmd = HVTRUST_IOC_SEAL,
		.size = sizeof(struct hvtrust_seal),
		.min_size = HVTRUST_SEAL_SIZE_V1,
		.execute = hvt_binaries_ioctl_seal,
	},
	[_IOC_NR(HVTRUST_IOC_ATTACH)] = {
		.cmd = HVTRUST_IOC_ATTACH,
		.size = sizeof(struct hvtrust_attach),
		.min_size = HVTRUST_ATTACH_SIZE_V1,
		.execute = hvt_attach_ioctl,
	},
	[_IOC_NR(HVTRUST_IOC_READ_AUDIT)] = {
		.cmd = HVTRUST_IOC_READ_AUDIT,
		.size = sizeof(struct hvtrust_read_audit),
		.min_size = HVTRUST_READ_AUDIT_SIZE_V1,
		.execute = hvt_ioctl_read_audit,
	},
	[_IOC_NR(HVTRUST_IOC_GET_QUOTE_KEY)] = {
		.cmd = HVTRUST_IOC_GET_QUOTE_KEY,
		.size = sizeof(struct hvtrust_quote_key),
		.min_size = HVTRUST_QUOTE_KEY_SIZE_V1,
		.execute = hvt_ioctl_get_quote_key,
	},
};

static long hvt_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long uarg)
{
	void __user *argp = (void __user *)uarg;
	const struct hvt_ioctl_op *op;
	unsigned int nr = _IOC_NR(cmd);
	void *buf;
	u32 usize;
	long err;

	if (_IOC_TYPE(cmd) != HVTRUST_IOCTL_TYPE ||
	    nr >= ARRAY_SIZE(hvt_ioctl_ops))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(hvt_ioctl_ops));
	op = &hvt_ioctl_ops[nr];
	if (op->cmd != cmd)
		return -ENOTTY;

	if (get_user(usize, (u32 __user *)argp))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;

	buf = kzalloc(op->size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/* A newer caller's larger struct is fine while its tail is zero. */
	err = copy_struct_from_user(buf, op->size, argp, usize);
	if (err)
		goto out_free;
	err = op->execute(file, buf);
	if (err)
		goto out_free;
	if (copy_to_user(argp, buf, min_t(size_t, usize, op->size)))
		err = -EFAULT;
out_free:
	kfree(buf);
	return err;
}

/* poll(2): readable while HVTRUST_IOC_READ_AUDIT has records. */
static __poll_t hvt_dev_poll(struct file *file, poll_table *wait)
{
	/* Records wait in the hypervisor's rings until drained. */
	hvt_log_drain_now();
	return hvt_audit_poll(file, wait);
}

static const struct file_operations hvt_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hvt_dev_ioctl,
	.mmap = hvt_attach_mmap,
	.poll = hvt_dev_poll,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hvt_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = HVTRUST_DEVICE_NAME,
	.fops = &hvt_dev_fops,
	.mode = 0600,
};

/**
 * hvt_dev_register() - create /dev/hvtrust
 * @config: what the CPUs offer and hvtrust programs, for HVTRUST_IOC_GET_CAPS
 *
 * Return: 0 or -errno.
 */
int hvt_dev_register(const struct hvt_vmx_config *config)
{
	int err;

	hvt_vmx_config = config;
	err = misc_register(&hvt_miscdev);
	if (err)
		pr_err("cannot register /dev/%s: error %d\n",
		       HVTRUST_DEVICE_NAME, err);
	return err;
}

void hvt_dev_unregister(void)
{
	misc_deregister(&hvt_miscdev);
}
