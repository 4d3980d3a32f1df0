// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_nice: global weighted vtime (ktstr_vtime.bpf.h) whose charge
 * is scaled by the task's weight instead of by its inverse.
 *
 * The bug: a nice-0 task (weight 100) is charged what it ran, a nice-10
 * task (weight 10) a tenth of it, so the nicer task's vtime lags and it
 * gets the CPU first: nice is inverted.  Tasks of equal weight still
 * share equally, so nothing but a proportional-share check sees it.
 */
#define VTIME_STOPPING bad_nice_stopping
#include "ktstr_vtime.bpf.h"

char _license[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(bad_nice_stopping, struct task_struct *p, bool runnable)
{
	vtime_charge(p, scale_by_task_weight(p, vtime_used(p)));
}

VTIME_OPS_DEFINE(ktstr_bad_nice);
