/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One FIFO per CPU, served by that CPU only: the core of ktstr_bad_affinity,
 * ktstr_bad_hotplug and ktstr_bad_capacity, which choose differently which
 * CPU's queue a task goes to.
 *
 * Each possible CPU has a user DSQ whose id is the CPU.  cpuq_insert()
 * queues a task on a CPU and wakes that CPU if it is idle; a task that may
 * run on one CPU only (a per-CPU kthread) goes straight to the local DSQ
 * of its CPU.  ops.dispatch() takes from the CPU's own queue; a CPU whose
 * queue is empty steals from the longest queue, if that one holds more
 * than one task: a CPU's next task is left to it, since it will run it
 * soon.
 */
#ifndef KTSTR_CPUQ_BPF_H
#define KTSTR_CPUQ_BPF_H

#include "ktstr_sched.bpf.h"

/* Whose queue an idle CPU may take a task from: any, unless told. */
#ifndef CPUQ_MAY_STEAL_FROM
#define CPUQ_MAY_STEAL_FROM(cpu) true
#endif

/* Whether a CPU whose queue is empty takes from others: any, unless told. */
#ifndef CPUQ_MAY_STEAL
#define CPUQ_MAY_STEAL(cpu) true
#endif

UEI_DEFINE(uei);

/*
 * Queues @p on @cpu's DSQ and wakes @cpu if idle; a per-CPU task goes to
 * its own CPU's local DSQ instead.
 */
static __always_inline void cpuq_insert(struct task_struct *p, s32 cpu,
					u64 enq_flags)
{
	if (p->nr_cpus_allowed == 1) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	scx_bpf_dsq_insert(p, cpu, SCX_SLICE_DFL, enq_flags);
	scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

/* The CPU with the longest queue if it holds more than one task, else -1. */
static __always_inline s32 cpuq_longest(void)
{
	u32 nr_cpus = scx_bpf_nr_cpu_ids(), cpu;
	s32 longest = -1, longest_len = 0, len;

	bpf_for(cpu, 0, nr_cpus) {
		if (!CPUQ_MAY_STEAL_FROM(cpu))
			continue;
		len = scx_bpf_dsq_nr_queued(cpu);
		if (len > longest_len) {
			longest = cpu;
			longest_len = len;
		}
	}
	return longest_len > 1 ? longest : -1;
}

void BPF_STRUCT_OPS(cpuq_dispatch, s32 cpu, struct task_struct *prev)
{
	s32 victim;

	if (scx_bpf_dsq_move_to_local(cpu, 0) || !CPUQ_MAY_STEAL(cpu))
		return;
	victim = cpuq_longest();
	if (victim >= 0)
		scx_bpf_dsq_move_to_local(victim, 0);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(cpuq_init)
{
	u32 cpu, nr_cpus = scx_bpf_nr_cpu_ids();
	s32 ret;

	bpf_for(cpu, 0, nr_cpus) {
		ret = create_dsq(cpu);
		if (ret)
			return ret;
	}
	return 0;
}

void BPF_STRUCT_OPS(cpuq_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

/*
 * The sched_ext_ops "<__name>_ops" with ops name @__name: the callbacks
 * above and those in the arguments (designated initializers).
 */
#define CPUQ_OPS_DEFINE(__name, ...)					\
	SCX_OPS_DEFINE(__name##_ops,					\
		       .dispatch	= (void *)cpuq_dispatch,	\
		       .init		= (void *)cpuq_init,		\
		       .exit		= (void *)cpuq_exit,		\
		       .name		= #__name, ##__VA_ARGS__)

#endif
