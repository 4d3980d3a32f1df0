// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_rtlocal: every task is placed on a CPU when it wakes up or is
 * enqueued, and inserted straight into that CPU's local DSQ: an idle CPU
 * it may run on, else the one of those whose local DSQ holds the fewest
 * tasks.  There is no shared queue and nothing to dispatch.
 *
 * The bug: a CPU can be taken from sched_ext by a higher class, say a
 * SCHED_FIFO task that does not sleep.  Its local DSQ then holds tasks
 * that no other CPU can take, and it looks as free as any busy CPU (an
 * RT task is not in the local DSQ), so tasks keep being placed there.
 * They wait for the ext deadline server, which gives sched_ext tasks on
 * that CPU 50 ms a second.  On 7.3 a scheduler that inserts into local
 * DSQs sets SCX_ENQ_IMMED (or SCX_OPS_ALWAYS_ENQ_IMMED): the kernel then
 * hands such a task back to ops.enqueue() (SCX_ENQ_REENQ) as soon as its
 * CPU is taken, and the scheduler places it elsewhere; the deprecated
 * ops.cpu_release() served the same purpose.  This one does neither.
 */
#include "ktstr_sched.bpf.h"

char _license[] SEC("license") = "GPL";

UEI_DEFINE(uei);

/* An idle CPU @p may run on, else the one whose local DSQ is shortest. */
static s32 pick_cpu(struct task_struct *p)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	if (cpu < 0)
		cpu = shortest_queue_cpu(p->cpus_ptr, SCX_DSQ_LOCAL_ON);
	return cpu >= 0 ? cpu : scx_bpf_task_cpu(p);
}

/* A waking task goes to the local DSQ of the CPU returned. */
s32 BPF_STRUCT_OPS(bad_rtlocal_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	s32 cpu = pick_cpu(p);

	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(bad_rtlocal_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 cpu = pick_cpu(p);

	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | cpu, SCX_SLICE_DFL, enq_flags);
	scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

void BPF_STRUCT_OPS(bad_rtlocal_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(ktstr_bad_rtlocal_ops,
	       .select_cpu	= (void *)bad_rtlocal_select_cpu,
	       .enqueue		= (void *)bad_rtlocal_enqueue,
	       .exit		= (void *)bad_rtlocal_exit,
	       .name		= "ktstr_bad_rtlocal");
