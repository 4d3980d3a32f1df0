// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_pidq: a global FIFO kept in a BPF queue map of pids, as the
 * kernel's scx_qmap was before it moved its queues into an arena.  It is
 * here so that the host's map reader (ktstr monitor --maps) sees a real
 * BPF_MAP_TYPE_QUEUE filled by a running scheduler.
 *
 * ops.enqueue() pushes the task's pid; ops.dispatch() pops pids and moves
 * their tasks through one shared DSQ to the local one.  A pid can be
 * stale by the time it is popped (the task was dequeued, or queued twice):
 * the kernel drops a dispatch of a task that is no longer queued with the
 * BPF scheduler, so a stale pid costs nothing but the pop.  A full queue
 * sends the task straight to the shared DSQ.
 */
#include "ktstr_sched.bpf.h"

char _license[] SEC("license") = "GPL";

#define PIDQ_LEN	4096
#define PIDQ_BATCH	8	/* pids popped by one ops.dispatch() */

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, PIDQ_LEN);
	__type(value, s32);
} pidq SEC(".maps");

u64 nr_enqueued, nr_dispatched, nr_queue_full, nr_stale;

UEI_DEFINE(uei);

s32 BPF_STRUCT_OPS(pidq_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool is_idle;

	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

void BPF_STRUCT_OPS(pidq_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 pid = p->pid;

	__sync_fetch_and_add(&nr_enqueued, 1);
	if (bpf_map_push_elem(&pidq, &pid, 0)) {
		__sync_fetch_and_add(&nr_queue_full, 1);
		scx_bpf_dsq_insert(p, FIFO_DSQ, SCX_SLICE_DFL, enq_flags);
	}
}

void BPF_STRUCT_OPS(pidq_dispatch, s32 cpu, struct task_struct *prev)
{
	struct task_struct *p;
	s32 pid;
	int i;

	for (i = 0; i < PIDQ_BATCH; i++) {
		if (scx_bpf_dsq_move_to_local(FIFO_DSQ, 0))
			return;
		if (bpf_map_pop_elem(&pidq, &pid))
			return;
		p = bpf_task_from_pid(pid);
		if (!p) {
			__sync_fetch_and_add(&nr_stale, 1);
			continue;
		}
		scx_bpf_dsq_insert(p, FIFO_DSQ, SCX_SLICE_DFL, 0);
		bpf_task_release(p);
		__sync_fetch_and_add(&nr_dispatched, 1);
	}
}

s32 BPF_STRUCT_OPS_SLEEPABLE(pidq_init)
{
	return create_dsq(FIFO_DSQ);
}

void BPF_STRUCT_OPS(pidq_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(ktstr_pidq_ops,
	       .select_cpu	= (void *)pidq_select_cpu,
	       .enqueue		= (void *)pidq_enqueue,
	       .dispatch	= (void *)pidq_dispatch,
	       .init		= (void *)pidq_init,
	       .exit		= (void *)pidq_exit,
	       .name		= "ktstr_pidq");
