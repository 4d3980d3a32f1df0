// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_affinity: one FIFO per CPU (ktstr_cpuq.bpf.h) where each task
 * has a home CPU, chosen when it wakes up (or is forked): an idle CPU it
 * may run on, else the one of those with the shortest queue.  Until its
 * next wake-up, every enqueue (end of slice, preemption) puts it back on
 * its home's queue, so a task that keeps running keeps its CPU's cache.
 *
 * The bug: the home is chosen from the task's affinity at wake-up and
 * trusted until the next one; there is no ops.set_cpumask() and no check
 * at enqueue.  When a running task's affinity (sched_setaffinity(), or
 * its cpuset) stops including its home, the kernel moves it to an allowed
 * CPU and ops.enqueue() queues it on its home again, where that CPU
 * cannot run it and no other CPU looks: the task is stranded until it
 * happens to wake up again, or, if it never sleeps, until the sched_ext
 * watchdog kicks the scheduler out.
 */
#include "ktstr_cpuq.bpf.h"

char _license[] SEC("license") = "GPL";

struct task_ctx {
	s32 home;
};

TASK_CTX_MAP();

s32 BPF_STRUCT_OPS(bad_affinity_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	struct task_ctx *tctx = task_ctx_of(p);
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	if (cpu < 0)
		cpu = shortest_queue_cpu(p->cpus_ptr, 0);
	if (cpu < 0)
		cpu = prev_cpu;
	if (tctx)
		tctx->home = cpu;
	return cpu;
}

void BPF_STRUCT_OPS(bad_affinity_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = task_ctx_of(p);

	cpuq_insert(p, tctx ? tctx->home : scx_bpf_task_cpu(p), enq_flags);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(bad_affinity_init_task, struct task_struct *p,
			     struct scx_init_task_args *args)
{
	struct task_ctx *tctx = task_ctx_create(p);

	if (!tctx)
		return -ENOMEM;
	tctx->home = scx_bpf_task_cpu(p);
	return 0;
}

CPUQ_OPS_DEFINE(ktstr_bad_affinity,
		.select_cpu	= (void *)bad_affinity_select_cpu,
		.enqueue	= (void *)bad_affinity_enqueue,
		.init_task	= (void *)bad_affinity_init_task);
