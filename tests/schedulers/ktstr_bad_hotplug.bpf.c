// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_hotplug: one FIFO per CPU (ktstr_cpuq.bpf.h) that spreads the
 * tasks: each enqueue goes to an idle CPU the task may run on, else to
 * the next CPU in turn of those it may run on.  It implements
 * ops.cpu_online() and ops.cpu_offline(), so the kernel does not unload
 * it on CPU hotplug, and they have nothing to do: the kernel itself moves
 * the tasks of a CPU going offline elsewhere.
 *
 * The bug: the kernel moves the tasks that are on the CPU's runqueue,
 * not the ones queued for it in one of the scheduler's own DSQs, and
 * "the CPUs it may run on", p->cpus_ptr, still has the offline CPU (an
 * affinity mask keeps CPUs across hotplug).  With all CPUs busy, every
 * task whose turn falls on the offline CPU is queued where no CPU will
 * ever look: stranded until the sched_ext watchdog kicks the scheduler
 * out.  Idle CPUs are picked first, and only online CPUs are idle, so a
 * lightly loaded machine hides it.
 */
#include "ktstr_cpuq.bpf.h"

char _license[] SEC("license") = "GPL";

static u32 rotor;

/* An idle CPU of @cpus, else the next CPU of @cpus in turn. */
static s32 spread_cpu(const struct cpumask *cpus)
{
	u32 nr_cpus = scx_bpf_nr_cpu_ids(), i;
	s32 cpu = scx_bpf_pick_idle_cpu(cpus, 0);

	if (cpu >= 0)
		return cpu;
	bpf_for(i, 0, nr_cpus) {
		cpu = __sync_fetch_and_add(&rotor, 1) % nr_cpus;
		if (bpf_cpumask_test_cpu(cpu, cpus))
			return cpu;
	}
	return -1;
}

/* Where a task goes is decided in ops.enqueue(). */
s32 BPF_STRUCT_OPS(bad_hotplug_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	return prev_cpu;
}

void BPF_STRUCT_OPS(bad_hotplug_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 cpu = spread_cpu(p->cpus_ptr);

	cpuq_insert(p, cpu >= 0 ? cpu : scx_bpf_task_cpu(p), enq_flags);
}

void BPF_STRUCT_OPS(bad_hotplug_cpu_online, s32 cpu)
{
}

void BPF_STRUCT_OPS(bad_hotplug_cpu_offline, s32 cpu)
{
}

CPUQ_OPS_DEFINE(ktstr_bad_hotplug,
		.select_cpu	= (void *)bad_hotplug_select_cpu,
		.enqueue	= (void *)bad_hotplug_enqueue,
		.cpu_online	= (void *)bad_hotplug_cpu_online,
		.cpu_offline	= (void *)bad_hotplug_cpu_offline);
