// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_noslice: the global FIFO of ktstr_fifo (ktstr_fifo.bpf.h),
 * tickless where it can be: a task that finds nobody waiting behind it
 * runs with an infinite slice (SCX_SLICE_INF), so that its CPU need not
 * tick to end a slice nobody is waiting for.
 *
 * The bug: nothing ends that slice when others start waiting (no kick
 * with SCX_KICK_PREEMPT, no timer that trims it as scx_central does).  A
 * task that does not sleep keeps its CPU for good: with more spinners
 * than CPUs, the one that found the queue empty runs alone on its CPU
 * while the others share the rest, and what can run only on that CPU (a
 * per-CPU kthread, a pinned task) waits until the spinner sleeps or the
 * sched_ext watchdog kicks the scheduler out.
 */
#define FIFO_ENQUEUE bad_noslice_enqueue
#include "ktstr_fifo.bpf.h"

char _license[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(bad_noslice_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 slice = scx_bpf_dsq_nr_queued(FIFO_DSQ) ? SCX_SLICE_DFL :
						      SCX_SLICE_INF;

	scx_bpf_dsq_insert(p, FIFO_DSQ, slice, enq_flags);
}

FIFO_OPS_DEFINE(ktstr_bad_noslice);
