// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_error: the FIFO of ktstr_fifo that calls scx_bpf_error() when it
 * enqueues a task whose comm is trigger_comm, so the kernel kicks it out
 * with SCX_EXIT_ERROR_BPF.  Tests of the error path start a task with that
 * comm.
 *
 * The check sits in ops.enqueue(), in check_trigger() and is_trigger(),
 * where a probe can find it.  So that every task is checked:
 *
 * - ops.select_cpu() never queues a task itself: each wakeup goes through
 *   ops.enqueue();
 * - SCX_OPS_ENQ_LAST: a task that runs alone on its CPU and uses up its
 *   slice is enqueued again (with SCX_ENQ_LAST) instead of just kept
 *   running, so a task that renames itself while running trips the check
 *   within one slice.
 */
#include "ktstr_sched.bpf.h"

char _license[] SEC("license") = "GPL";

/*
 * Set by the loader (-c) before load.  A plain global in .data rather
 * than a constant in .rodata: user space may change it while attached.
 */
char trigger_comm[TASK_COMM_LEN] = "ktstr-trigger";

UEI_DEFINE(uei);

static __noinline bool is_trigger(struct task_struct *p)
{
	return comm_is(p, trigger_comm);
}

static __noinline void check_trigger(struct task_struct *p)
{
	if (is_trigger(p))
		scx_bpf_error("enqueued trigger task pid=%d comm=%s",
			      p->pid, p->comm);
}

s32 BPF_STRUCT_OPS(error_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool is_idle;

	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

void BPF_STRUCT_OPS(error_enqueue, struct task_struct *p, u64 enq_flags)
{
	check_trigger(p);
	if (enq_flags & SCX_ENQ_LAST)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
	else
		scx_bpf_dsq_insert(p, FIFO_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(error_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(FIFO_DSQ, 0);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(error_init)
{
	return scx_bpf_create_dsq(FIFO_DSQ, NUMA_NO_NODE);
}

void BPF_STRUCT_OPS(error_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(ktstr_error_ops,
	       .select_cpu	= (void *)error_select_cpu,
	       .enqueue		= (void *)error_enqueue,
	       .dispatch	= (void *)error_dispatch,
	       .init		= (void *)error_init,
	       .exit		= (void *)error_exit,
	       .flags		= SCX_OPS_ENQ_LAST,
	       .name		= "ktstr_error");
