// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_stall: the FIFO of ktstr_fifo, except that a task whose comm is
 * starve_comm goes into a DSQ that no CPU ever consumes.  It stays
 * runnable without running, and after ops.timeout_ms the sched_ext
 * watchdog kicks the scheduler out with SCX_EXIT_ERROR_STALL ("runnable
 * task stall").  Tests of the watchdog path start a task with that comm.
 *
 * As in ktstr_error, every task goes through ops.enqueue(): ops.select_cpu()
 * never queues a task, and with SCX_OPS_ENQ_LAST a task alone on its CPU
 * is enqueued again at the end of each slice.  So a task that renames
 * itself while running is starved within one slice.
 */
#include "ktstr_sched.bpf.h"

/* Never consumed. */
#define STARVE_DSQ	1

char _license[] SEC("license") = "GPL";

/*
 * Set by the loader (-c) before load.  A plain global in .data rather
 * than a constant in .rodata: user space may change it while attached.
 */
char starve_comm[TASK_COMM_LEN] = "ktstr-starve";

UEI_DEFINE(uei);

s32 BPF_STRUCT_OPS(stall_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool is_idle;

	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

void BPF_STRUCT_OPS(stall_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (comm_is(p, starve_comm))
		scx_bpf_dsq_insert(p, STARVE_DSQ, SCX_SLICE_DFL, enq_flags);
	else if (enq_flags & SCX_ENQ_LAST)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
	else
		scx_bpf_dsq_insert(p, FIFO_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(stall_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(FIFO_DSQ, 0);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(stall_init)
{
	s32 ret;

	ret = scx_bpf_create_dsq(FIFO_DSQ, NUMA_NO_NODE);
	if (ret)
		return ret;
	return scx_bpf_create_dsq(STARVE_DSQ, NUMA_NO_NODE);
}

void BPF_STRUCT_OPS(stall_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(ktstr_stall_ops,
	       .select_cpu	= (void *)stall_select_cpu,
	       .enqueue		= (void *)stall_enqueue,
	       .dispatch	= (void *)stall_dispatch,
	       .init		= (void *)stall_init,
	       .exit		= (void *)stall_exit,
	       .flags		= SCX_OPS_ENQ_LAST,
	       .name		= "ktstr_stall");
