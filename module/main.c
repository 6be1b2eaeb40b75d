// SPDX-License-Identifier: GPL-2.0
/* Module entry and exit of hvtrust: refuse unsuitable CPUs, probe VMX, expose /dev/hvtrust. */
/* Context: process context (module load and unload). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <asm/cpufeature.h>

#include "../token/sha256.h"
#include "../uapi/hvtrust.h"
#include "../vmx/caps.h"
#include "cpus.h"
#include "debugfs.h"
#include "dev.h"
#include "params.h"

/* What the CPUs offer and hvtrust programs: probed once, read-only afterwards. */
static struct hvt_vmx_config hvt_vmx_config;

static bool virtualize = true;
module_param(virtualize, bool, 0444);
MODULE_PARM_DESC(virtualize,
		 "Launch the hypervisor on every CPU (default); 0 only probes and reports VMX capabilities");

/*
 * Chosen once, before any CPU enters VMX root, so that root and process
 * context hash alike. With the SHA extensions on, process-context callers
 * must hash inside kernel_fpu_begin()/kernel_fpu_end().
 */
static void __init hvt_pick_sha256(void)
{
	bool ni = boot_cpu_has(X86_FEATURE_SHA_NI) && boot_cpu_has(X86_FEATURE_SSSE3) &&
		  boot_cpu_has(X86_FEATURE_XMM4_1);

	hvt_sha256_use_ni(ni);
	pr_info("SHA-256: %s\n", ni ? "SHA extensions (token/sha256_ni.S)" :
		"portable C (no SHA extensions, SSSE3 or SSE4.1)");
}

static int __init hvtrust_init(void)
{
	int err;

	err = hvt_vmx_check_cpu();
	if (err)
		goto refuse;
	err = hvt_vmx_probe(&hvt_vmx_config);
	if (err)
		goto refuse;
	hvt_pick_sha256();
	if (virtualize) {
		err = hvt_params_valid() ? hvt_hv_start(&hvt_vmx_config) : -EINVAL;
		if (err)
			goto refuse;
	}
	err = hvt_dev_register(&hvt_vmx_config);
	if (err)
		goto stop_hv;
	hvt_debugfs_init();

	pr_info("VMX usable on %u CPUs: VMCS revision %#x, controls pin %#x proc %#x proc2 %#x exit %#x entry %#x\n",
		hvt_vmx_config.nr_cpus, hvt_vmx_config.vmcs_revision,
		hvt_vmx_config.pinbased, hvt_vmx_config.procbased,
		hvt_vmx_config.procbased2, hvt_vmx_config.exit,
		hvt_vmx_config.entry);
	return 0;

stop_hv:
	hvt_hv_stop();
refuse:
	pr_err("not loaded (error %d)\n", err);
	return err;
}

static void __exit hvtrust_exit(void)
{
	hvt_debugfs_exit();
	hvt_dev_unregister();
	hvt_hv_stop();
	pr_info("unloaded\n");
}

module_init(hvtrust_init);
module_exit(hvtrust_exit);

MODULE_DESCRIPTION("hvtrust: thin VT-x hypervisor that vouches for trusted programs");
MODULE_AUTHOR("hvtrust developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(HVT_VERSION);
