/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One global FIFO: ktstr_fifo, and the core of ktstr_bad_noslice.
 *
 * Every runnable task goes through ops.enqueue() into a single shared DSQ
 * and every CPU takes the task at its head, so tasks run in the order in
 * which they became runnable.  ops.select_cpu() only picks an idle CPU
 * (the kernel's default policy) to wake up; it never queues a task
 * itself, so no task jumps the queue.
 *
 * As in ktstr_vtime.bpf.h, a scheduler that changes ops.enqueue()
 * defines FIFO_ENQUEUE as the name of its own before it includes this
 * file; FIFO_OPS_DEFINE() puts the callbacks in its sched_ext_ops.
 */
#ifndef KTSTR_FIFO_BPF_H
#define KTSTR_FIFO_BPF_H

#include "ktstr_sched.bpf.h"

UEI_DEFINE(uei);

s32 BPF_STRUCT_OPS(fifo_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool is_idle;

	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

#ifndef FIFO_ENQUEUE
#define FIFO_ENQUEUE fifo_enqueue
void BPF_STRUCT_OPS(fifo_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, FIFO_DSQ, SCX_SLICE_DFL, enq_flags);
}
#endif

void BPF_STRUCT_OPS(fifo_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(FIFO_DSQ, 0);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(fifo_init)
{
	return scx_bpf_create_dsq(FIFO_DSQ, NUMA_NO_NODE);
}

void BPF_STRUCT_OPS(fifo_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

/* The sched_ext_ops "<__name>_ops" with ops name @__name. */
#define FIFO_OPS_DEFINE(__name)						\
	SCX_OPS_DEFINE(__name##_ops,					\
		       .select_cpu	= (void *)fifo_select_cpu,	\
		       .enqueue		= (void *)FIFO_ENQUEUE,		\
		       .dispatch	= (void *)fifo_dispatch,	\
		       .init		= (void *)fifo_init,		\
		       .exit		= (void *)fifo_exit,		\
		       .name		= #__name)

#endif
