// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_hotplug: one FIFO per CPU (ktstr_cpuq.bpf.h) that spreads the
 * tasks: each enqueue goes to an idle CPU the task may run on, else to
 * the next CPU in turn of those it may run on.  It implements
 * ops.cpu_online() and ops.cpu_offline(), so the kernel does not unload
 * it on CPU hotplug: they keep the set of online CPUs, whose queues idle
 * CPUs steal from (an offline CPU's queue, it reasons, is empty: the
 * kernel itself moves the tasks of a CPU going offline elsewhere).
 *
 * The bug: the kernel moves the tasks that are on the CPU's runqueue,
 * not the ones queued for it in one of the scheduler's own DSQs, and
 * "the CPUs it may run on", p->cpus_ptr, still has the offline CPU (an
 * affinity mask keeps CPUs across hotplug).  With all CPUs busy, every
 * task whose turn falls on the offline CPU is queued where no CPU will
 * look until it comes back: stranded.  Idle CPUs are picked first, and
 * only online CPUs are idle, so a lightly loaded machine hides it.
 */
#include "ktstr_sched.bpf.h"

static bool cpu_online_now(s32 cpu);
#define CPUQ_MAY_STEAL_FROM(cpu) cpu_online_now(cpu)
#include "ktstr_cpuq.bpf.h"

char _license[] SEC("license") = "GPL";

#define NR_TRACKED_CPUS 512

/* Set by ops.cpu_offline(), cleared by ops.cpu_online(). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_TRACKED_CPUS);
	__type(key, u32);
	__type(value, bool);
} offline SEC(".maps");

static bool cpu_online_now(s32 cpu)
{
	u32 key = cpu;
	bool *off = bpf_map_lookup_elem(&offline, &key);

	return !off || !*off;
}

static void set_offline(s32 cpu, bool is_offline)
{
	u32 key = cpu;
	bool *off = bpf_map_lookup_elem(&offline, &key);

	if (off)
		*off = is_offline;
}

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
	set_offline(cpu, false);
}

void BPF_STRUCT_OPS(bad_hotplug_cpu_offline, s32 cpu)
{
	set_offline(cpu, true);
}

CPUQ_OPS_DEFINE(ktstr_bad_hotplug,
		.select_cpu	= (void *)bad_hotplug_select_cpu,
		.enqueue	= (void *)bad_hotplug_enqueue,
		.cpu_online	= (void *)bad_hotplug_cpu_online,
		.cpu_offline	= (void *)bad_hotplug_cpu_offline);
