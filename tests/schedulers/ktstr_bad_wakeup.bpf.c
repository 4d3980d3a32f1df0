// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_wakeup: global weighted vtime (ktstr_vtime.bpf.h) that sends
 * a waking task straight back to the local DSQ of the CPU it last ran on,
 * where its cache is warm, without going through the shared queue.
 *
 * The bug: the previous CPU is taken to be free because the task was the
 * last to run there, but another task may have started there since.  The
 * woken task then waits behind it in that CPU's local DSQ, up to a whole
 * slice (20 ms), while other CPUs may be idle; no other CPU can take a
 * task from a local DSQ.  It is latency, not starvation: at the end of
 * the running task's slice the woken one runs.  New tasks (fork) are
 * placed as in the correct core.
 */
#define VTIME_SELECT_CPU bad_wakeup_select_cpu
#include "ktstr_vtime.bpf.h"

char _license[] SEC("license") = "GPL";

s32 BPF_STRUCT_OPS(bad_wakeup_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	if (!(wake_flags & SCX_WAKE_TTWU))
		return vtime_select_idle(p, prev_cpu, wake_flags);
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return prev_cpu;
}

VTIME_OPS_DEFINE(ktstr_bad_wakeup);
