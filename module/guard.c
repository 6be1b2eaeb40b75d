// SPDX-License-Identifier: GPL-2.0
/* The session guard: refuses tracers, foreign writes and new code in a session's process. */
/* Context: the probed kernel functions' callers (process context, preemption off). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/cpumask.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/personality.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

#include "../uapi/hvtrust.h"
#include "guard.h"
#include "hvcall.h"
#include "session_list.h"

/*
 * A kernel module cannot add a security module, so the guard sits on the
 * kernel's own checks with kprobes: each entry handler decides, and a
 * refusal is made either by rewriting the function's result on its way
 * out (kretprobes) or by shrinking its request to nothing before it runs.
 * Whatever it refuses it also reports to the hypervisor, which revokes the
 * session and audits before the refused call goes on: even a caller that
 * got through would find the token gone. A kretprobe without a free
 * instance runs no handler at all: they are sized for every CPU several
 * times over, and misses are reported at unload.
 *
 * This holds against other processes, root included, while the kernel is
 * honest; a hostile kernel can unhook the probes (see the README).
 */

/*
 * Revoke the session of @mm, if it has one the hypervisor still knows.
 * Return: true when it had one, so the access must be refused.
 */
static bool hvt_guard_revoke(const struct mm_struct *mm, u32 why, unsigned long addr)
{
	u64 id = hvt_sessions_id_of_mm(mm);

	if (!id)
		return false;
	if (hvt_hv_call(HVTRUST_HC_SESSION_REVOKE, id, why, addr))
		return false;
	if (why == HVTRUST_AUDIT_TRACED)
		pr_warn_ratelimited("%s (pid %d) tried to trace or write into session %llu: refused, session revoked\n",
				    current->comm, task_tgid_nr(current), id);
	else
		pr_warn_ratelimited("session %llu (%s, pid %d) asked for new executable memory at %#lx: refused, session revoked\n",
				    id, current->comm, task_tgid_nr(current), addr);
	return true;
}

/* The return handler of every refusing probe: the function's result becomes -EPERM. */
static int hvt_guard_refuse(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	regs_set_return_value(regs, -EPERM);
	return 0;
}

/*
 * security_ptrace_access_check(child, mode): the last step of every
 * ptrace_may_access() that another thread group makes, root's included.
 * PTRACE_MODE_ATTACH is what ptrace(ATTACH, SEIZE), opening /proc/PID/mem,
 * process_vm_readv/writev and pidfd_getfd ask for.
 */
static int hvt_guard_ptrace_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct task_struct *child = (struct task_struct *)regs_get_kernel_argument(regs, 0);
	unsigned int mode = regs_get_kernel_argument(regs, 1);

	if (!(mode & PTRACE_MODE_ATTACH))
		return 1;
	/* Compared, never dereferenced: the child is pinned by the caller. */
	return hvt_guard_revoke(READ_ONCE(child->mm), HVTRUST_AUDIT_TRACED, 0) ? 0 : 1;
}

static bool hvt_guard_prot_exec(unsigned long prot)
{
	return (prot & PROT_EXEC) ||
	       ((prot & PROT_READ) && (current->personality & READ_IMPLIES_EXEC));
}

/* security_mmap_file(file, prot, flags): every mmap, file-backed or anonymous. */
static int hvt_guard_mmap_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long prot = regs_get_kernel_argument(regs, 1);

	if (!hvt_guard_prot_exec(prot))
		return 1;
	return hvt_guard_revoke(current->mm, HVTRUST_AUDIT_EXEC_MAPPED, 0) ? 0 : 1;
}

/*
 * security_file_mprotect(vma, reqprot, prot): making memory executable, or
 * code writable (a private code page written moves to a new frame, out of
 * the hypervisor's write protection).
 */
static int hvt_guard_mprotect_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 0);
	unsigned long prot = regs_get_kernel_argument(regs, 2);
	bool exec = vma->vm_flags & VM_EXEC;

	if (exec ? !(prot & PROT_WRITE) : !hvt_guard_prot_exec(prot))
		return 1;
	return hvt_guard_revoke(vma->vm_mm, HVTRUST_AUDIT_EXEC_MAPPED, vma->vm_start) ? 0 : 1;
}

/*
 * access_remote_vm(mm, addr, buf, len, gup_flags): how /proc/PID/mem reads
 * and writes, through a file opened before the session existed too. A
 * write from another address space becomes a write of no bytes.
 */
static int hvt_guard_remote_write(struct kprobe *p, struct pt_regs *regs)
{
	struct mm_struct *mm = (struct mm_struct *)regs_get_kernel_argument(regs, 0);
	unsigned long addr = regs_get_kernel_argument(regs, 1);
	unsigned int gup_flags = regs_get_kernel_argument(regs, 4);

	if (!(gup_flags & FOLL_WRITE) || mm == current->mm)
		return 0;
	if (hvt_guard_revoke(mm, HVTRUST_AUDIT_TRACED, addr))
		regs->cx = 0;	/* the fourth argument: the length */
	return 0;
}

static struct kretprobe hvt_guard_kretprobes[] = {
	{
		.kp.symbol_name = "security_ptrace_access_check",
		.entry_handler = hvt_guard_ptrace_entry,
		.handler = hvt_guard_refuse,
	},
	{
		.kp.symbol_name = "security_mmap_file",
		.entry_handler = hvt_guard_mmap_entry,
		.handler = hvt_guard_refuse,
	},
	{
		.kp.symbol_name = "security_file_mprotect",
		.entry_handler = hvt_guard_mprotect_entry,
		.handler = hvt_guard_refuse,
	},
};

static struct kprobe hvt_guard_remote_probe = {
	.symbol_name = "access_remote_vm",
	.pre_handler = hvt_guard_remote_write,
};

static bool hvt_guard_on;

/**
 * hvt_guard_start() - arm the guard, before any session can exist
 *
 * Return: 0, or the error of the probe that could not be placed; sessions
 * are then refused (hvt_guard_armed()).
 */
int hvt_guard_start(void)
{
	struct kretprobe *rps[ARRAY_SIZE(hvt_guard_kretprobes)];
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(hvt_guard_kretprobes); i++) {
		/* Every CPU several times over: a probed hook may sleep. */
		hvt_guard_kretprobes[i].maxactive = 4 * num_possible_cpus() + 64;
		rps[i] = &hvt_guard_kretprobes[i];
	}
	ret = register_kretprobes(rps, ARRAY_SIZE(rps));
	if (ret) {
		pr_err("session guard: cannot probe the kernel's checks (error %d): sessions refused\n",
		       ret);
		return ret;
	}
	ret = register_kprobe(&hvt_guard_remote_probe);
	if (ret) {
		unregister_kretprobes(rps, ARRAY_SIZE(rps));
		pr_err("session guard: cannot probe access_remote_vm (error %d): sessions refused\n",
		       ret);
		return ret;
	}
	WRITE_ONCE(hvt_guard_on, true);
	return 0;
}

/* After every session ended; waits for the handlers running now. */
void hvt_guard_stop(void)
{
	struct kretprobe *rps[ARRAY_SIZE(hvt_guard_kretprobes)];
	unsigned int i, missed = 0;

	if (!hvt_guard_on)
		return;
	WRITE_ONCE(hvt_guard_on, false);
	unregister_kprobe(&hvt_guard_remote_probe);
	for (i = 0; i < ARRAY_SIZE(hvt_guard_kretprobes); i++) {
		rps[i] = &hvt_guard_kretprobes[i];
		missed += hvt_guard_kretprobes[i].nmissed;
	}
	unregister_kretprobes(rps, ARRAY_SIZE(rps));
	if (missed)
		pr_warn("session guard: %u probed calls went unchecked (no free kretprobe instance)\n",
			missed);
}

bool hvt_guard_armed(void)
{
	return READ_ONCE(hvt_guard_on);
}
