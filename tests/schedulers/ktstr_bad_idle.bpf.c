// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_idle: global weighted vtime (ktstr_vtime.bpf.h) that keeps a
 * waking task on its previous CPU and leaves the shared queue to be
 * served by whichever CPU looks for work next.
 *
 * The bug: an idle CPU does not look for work.  Nothing here ever wakes
 * one up (no idle CPU is picked in ops.select_cpu(), none is kicked in
 * ops.enqueue()), and under NOHZ an idle CPU has no tick either, so it
 * stays idle while tasks wait in the shared queue: only busy CPUs pull
 * from it.  A task whose previous CPU is idle does wake that CPU up, so
 * the loss shows where tasks are forked, or woken, onto busy CPUs: a
 * burst of new spinners queues on its parent's CPU while other CPUs
 * sleep.
 */
#define VTIME_SELECT_CPU bad_idle_select_cpu
#include "ktstr_vtime.bpf.h"

char _license[] SEC("license") = "GPL";

s32 BPF_STRUCT_OPS(bad_idle_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	return prev_cpu;
}

VTIME_OPS_DEFINE(ktstr_bad_idle);
