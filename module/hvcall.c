// SPDX-License-Identifier: GPL-2.0
/* How the Linux side makes kernel-only hypercalls: the credential and the guest CPUs. */
/* Context: process context, or the CPU concerned with IRQs off where a function says so. */
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "../vmx/entry.h"
#include "hvcall.h"

static u64 hvt_credential;
static bool hvt_running;
/* This CPU runs as a guest of hvtrust: a VMCALL here reaches VMX root. */
static DEFINE_PER_CPU(bool, hvt_cpu_is_guest);

/**
 * hvt_hvcall_start() - the hypervisor is built: kernel-only calls carry @credential
 * @credential: the secret VMX root checks in RBX (struct hvt_vmm)
 */
void hvt_hvcall_start(u64 credential)
{
	hvt_credential = credential;
	WRITE_ONCE(hvt_running, true);
}

/* The hypervisor is gone: forget the credential. */
void hvt_hvcall_stop(void)
{
	WRITE_ONCE(hvt_running, false);
	memzero_explicit(&hvt_credential, sizeof(hvt_credential));
}

/**
 * hvt_hv_running() - whether the hypervisor runs (and the service with it)
 *
 * Return: true when hvtrust was loaded with virtualize=1.
 */
bool hvt_hv_running(void)
{
	return READ_ONCE(hvt_running);
}

/* On the CPU concerned, IRQs off: it entered VMX as a guest, or left. */
void hvt_hvcall_set_guest(bool guest)
{
	this_cpu_write(hvt_cpu_is_guest, guest);
}

bool hvt_hvcall_cpu_is_guest(unsigned int cpu)
{
	return per_cpu(hvt_cpu_is_guest, cpu);
}

/**
 * hvt_hv_call() - a kernel-only hypercall on this CPU, with the credential
 * @nr: the call
 * @a2: RCX
 * @a3: RDX
 * @a4: RSI
 *
 * Return: the hypervisor's result, or -ENODEV when this CPU is not a guest.
 */
long hvt_hv_call(unsigned long nr, unsigned long a2, unsigned long a3, unsigned long a4)
{
	long ret = -ENODEV;

	get_cpu();
	if (this_cpu_read(hvt_cpu_is_guest))
		ret = hvt_vmcall(nr, hvt_credential, a2, a3, a4);
	put_cpu();
	return ret;
}

/*
 * The same, from a caller that already runs on a CPU it knows to be a
 * guest, with preemption or IRQs off (cpuhp callbacks, IPIs).
 */
long hvt_hv_call_here(unsigned long nr, unsigned long a2, unsigned long a3, unsigned long a4)
{
	return hvt_vmcall(nr, hvt_credential, a2, a3, a4);
}
