// SPDX-License-Identifier: GPL-2.0
/* Virtualizes every CPU and gives each back: start and stop, CPU hotplug, suspend, reboot. */
/* Context: process context (module load/unload, cpuhp callbacks, PM and reboot notifiers). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/irqflags.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/suspend.h>
#include <asm/io.h>
#include <asm/special_insns.h>

#include "../uapi/hvtrust.h"
#include "../vmx/launch.h"
#include "../vmx/vmm.h"
#include "binaries.h"
#include "build.h"
#include "cpus.h"
#include "guard.h"
#include "hvcall.h"
#include "log_drain.h"
#include "params.h"
#include "session_list.h"

static struct hvt_vmm *hvt_vmm;
static unsigned long hvt_hidden_pages;
static u64 hvt_vmm_pa;
static enum cpuhp_state hvt_cpuhp_state;
static bool hvt_pm_suspended;
static atomic64_t hvt_launches;

static int hvt_cpu_online(unsigned int cpu)
{
	struct hvt_cpu *vcpu = hvt_build_vcpu(cpu);
	unsigned long flags;
	int err;

	if (hvt_hvcall_cpu_is_guest(cpu) || READ_ONCE(hvt_pm_suspended))
		return 0;
	local_irq_save(flags);
	err = hvt_cpu_launch(vcpu);
	if (!err)
		hvt_hvcall_set_guest(true);
	local_irq_restore(flags);
	if (!err)
		atomic64_inc(&hvt_launches);
	if (err == -EBUSY)
		pr_err("CPU %u: VMX is already on (CR4.VMXE set): another hypervisor owns it\n",
		       cpu);
	else if (err == -EINVAL)
		pr_err("CPU %u: CR0 %#lx or CR4 %#lx outside what VMX operation allows\n",
		       cpu, read_cr0(), __read_cr4());
	else if (err)
		pr_err("CPU %u: launch failed: VM-instruction error %u\n",
		       cpu, vcpu->vm_instruction_error);
	return err;
}

static int hvt_cpu_offline(unsigned int cpu)
{
	unsigned long flags;
	long ret;

	if (!hvt_hvcall_cpu_is_guest(cpu))
		return 0;
	local_irq_save(flags);
	ret = hvt_hv_call_here(HVTRUST_HC_DEVIRTUALIZE, 0, 0, 0);
	if (!ret)
		hvt_hvcall_set_guest(false);
	local_irq_restore(flags);
	/* Offline or not, the CPU stays a guest: its memory stays hidden. */
	if (ret == -EPERM)
		pr_info("CPU %u stays virtualized: the registry is sealed until reboot\n", cpu);
	else if (ret)
		pr_err("CPU %u: the hypervisor refused to give it back (%ld)\n", cpu, ret);
	return 0;
}

static void hvt_devirtualize_here(void *unused)
{
	hvt_cpu_offline(smp_processor_id());
}

static void hvt_virtualize_here(void *unused)
{
	hvt_cpu_online(smp_processor_id());
}

/*
 * Suspend and hibernation: every CPU leaves VMX before the firmware or the
 * image snapshot sees it (VMX root revokes every session first, audited),
 * CPUs brought back online on the way stay guests of nobody, and all are
 * virtualized again once the system runs, with no session of before. Once
 * the registry is sealed they are refused: devirtualized, the hypervisor's
 * memory, code included, would be Linux's to read and change, and a
 * hibernation image could bring back an unsealed registry.
 */
static int hvt_pm_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	switch (action) {
	case PM_SUSPEND_PREPARE:
	case PM_HIBERNATION_PREPARE:
	case PM_RESTORE_PREPARE:
		if (hvt_binaries_sealed()) {
			pr_warn("suspend and hibernation refused: the registry is sealed until reboot\n");
			return notifier_from_errno(-EPERM);
		}
		cpus_read_lock();
		WRITE_ONCE(hvt_pm_suspended, true);
		on_each_cpu(hvt_devirtualize_here, NULL, 1);
		cpus_read_unlock();
		break;
	case PM_POST_SUSPEND:
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
		cpus_read_lock();
		/* Every CPU is out of VMX since the prepare: the state is Linux's to write. */
		if (READ_ONCE(hvt_pm_suspended) && hvt_vmm)
			hvt_params_reseed(hvt_vmm->trust);
		WRITE_ONCE(hvt_pm_suspended, false);
		on_each_cpu(hvt_virtualize_here, NULL, 1);
		cpus_read_unlock();
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block hvt_pm_nb = {
	.notifier_call = hvt_pm_notify,
};

/* Reboot, power-off and kexec: every CPU leaves VMX before Linux goes. */
static int hvt_reboot_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	on_each_cpu(hvt_devirtualize_here, NULL, 1);
	return NOTIFY_DONE;
}

static struct notifier_block hvt_reboot_nb = {
	.notifier_call = hvt_reboot_notify,
};

/**
 * hvt_hv_start() - build the hypervisor and virtualize every online CPU
 * @config: the controls to program on every CPU
 *
 * CPUs that come online later are virtualized as they arrive, CPUs that go
 * offline are given back first.
 *
 * Return: 0 or -errno, with nothing left behind.
 */
int hvt_hv_start(const struct hvt_vmx_config *config)
{
	struct hvt_vmm *vmm;
	int ret;

	atomic64_set(&hvt_launches, 0);
	vmm = hvt_build_vmm(config);
	if (IS_ERR(vmm))
		return PTR_ERR(vmm);
	/* Read before any CPU launches: from then on they read as zeros here. */
	hvt_hidden_pages = vmm->hidden_pages;
	hvt_vmm_pa = __pa(vmm);
	hvt_hvcall_start(vmm->credential);
	hvt_vmm = vmm;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvtrust:online",
				hvt_cpu_online, hvt_cpu_offline);
	if (ret < 0) {
		pr_err("cannot virtualize every online CPU: error %d\n", ret);
		hvt_log_drain_now();
		hvt_vmm = NULL;
		hvt_hvcall_stop();
		hvt_build_free(vmm);
		return ret;
	}
	hvt_cpuhp_state = ret;
	register_pm_notifier(&hvt_pm_nb);
	register_reboot_notifier(&hvt_reboot_nb);
	hvt_log_drain_start();
	/* Without it the hypervisor runs, but refuses sessions. */
	hvt_guard_start();
	pr_info("virtualized %u CPUs; %lu pages of hypervisor memory hidden\n",
		num_online_cpus(), hvt_hidden_pages);
	return 0;
}

/* The service's figures live in hidden memory: any virtualized CPU answers; 0 without one. */
static u64 hvt_hv_capacity(unsigned int figure)
{
	long value = hvt_hv_call(HVTRUST_HC_CAPACITY, figure, 0, 0);

	return value < 0 ? 0 : value;
}

/**
 * hvt_hv_status() - fill in what /dev/hvtrust reports of the hypervisor
 * @status: the ioctl's argument
 */
void hvt_hv_status(struct hvtrust_status *status)
{
	int cpu;

	status->cpus_online = num_online_cpus();
	cpus_read_lock();
	for_each_online_cpu(cpu)
		if (hvt_hvcall_cpu_is_guest(cpu))
			status->cpus_virtualized++;
	cpus_read_unlock();
	if (status->cpus_virtualized)
		status->flags |= HVTRUST_STATUS_VIRTUALIZED;
	status->hidden_pages = hvt_vmm ? hvt_hidden_pages : 0;
	status->state_pa = hvt_vmm ? hvt_vmm_pa : 0;
	status->launches = atomic64_read(&hvt_launches);
	status->frames_used = hvt_hv_capacity(HVTRUST_CAPACITY_FRAMES_USED);
	status->frames_max = hvt_hv_capacity(HVTRUST_CAPACITY_FRAMES_MAX);
	status->ept_tables_free = hvt_hv_capacity(HVTRUST_CAPACITY_EPT_TABLES_FREE);
	status->ept_tables = hvt_hv_capacity(HVTRUST_CAPACITY_EPT_TABLES);
	status->table_writes = hvt_hv_capacity(HVTRUST_CAPACITY_TABLE_WRITES);
	status->tables_watched = hvt_hv_capacity(HVTRUST_CAPACITY_TABLES_WATCHED);
	status->sessions_clean = hvt_hv_capacity(HVTRUST_CAPACITY_SESSIONS_CLEAN);
}

/* The counters live in hidden memory: ask the hypervisor on that CPU. */
static void hvt_read_exits_here(void *info)
{
	struct hvtrust_exits *exits = info;
	unsigned int reason;

	for (reason = 0; reason < HVTRUST_EXIT_REASONS; reason++)
		exits->counts[reason] = hvt_hv_call_here(HVTRUST_HC_EXIT_COUNT, reason, 0, 0);
}

/**
 * hvt_hv_exits() - the exit counters of one CPU
 * @cpu: the CPU
 * @exits: the ioctl's argument
 *
 * Return: 0, -EINVAL for no such CPU, -ENODEV when it is not virtualized.
 */
int hvt_hv_exits(unsigned int cpu, struct hvtrust_exits *exits)
{
	int err = 0;

	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	cpus_read_lock();
	if (!cpu_online(cpu) || !hvt_hvcall_cpu_is_guest(cpu))
		err = -ENODEV;
	else
		err = smp_call_function_single(cpu, hvt_read_exits_here, exits, 1);
	cpus_read_unlock();
	return err;
}

#ifdef HVT_TEST_HOOKS
struct hvt_leave_test {
	unsigned int cpu;
	long ret;
};

static void hvt_leave_and_return_here(void *arg)
{
	struct hvt_leave_test *test = arg;

	test->ret = hvt_hv_call_here(HVTRUST_HC_DEVIRTUALIZE, 0, 0, 0);
	if (test->ret)
		return;
	hvt_hvcall_set_guest(false);
	hvt_cpu_online(test->cpu);
}

/**
 * hvt_hv_test_leave() - DEVIRTUALIZE one CPU with the credential, as a
 *                       hostile kernel that found it would, then launch
 *                       it again as a CPU coming online
 * @cpu: the CPU
 *
 * Return: what the hypervisor answered; -ENODEV when @cpu is not virtualized.
 */
long hvt_hv_test_leave(unsigned int cpu)
{
	struct hvt_leave_test test = { .cpu = cpu, .ret = -ENODEV };

	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	cpus_read_lock();
	if (cpu_online(cpu) && hvt_hvcall_cpu_is_guest(cpu))
		smp_call_function_single(cpu, hvt_leave_and_return_here, &test, 1);
	cpus_read_unlock();
	return test.ret;
}
#endif

/**
 * hvt_hv_stop() - give every CPU back, then free the hypervisor
 */
void hvt_hv_stop(void)
{
	if (!hvt_vmm)
		return;
	hvt_guard_stop();
	hvt_sessions_end_all();
	unregister_reboot_notifier(&hvt_reboot_nb);
	unregister_pm_notifier(&hvt_pm_nb);
	cpuhp_remove_state(hvt_cpuhp_state);
	hvt_log_drain_stop();
	hvt_build_free(hvt_vmm);
	hvt_vmm = NULL;
	hvt_hvcall_stop();
	hvt_sessions_release_all();
	hvt_binaries_cleanup();
	pr_info("every CPU devirtualized\n");
}
