// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_credit: global weighted vtime (ktstr_vtime.bpf.h) that queues
 * a task at its own vtime, however far behind the clock it is.
 *
 * The bug: a task's vtime only advances while it runs, so one that slept
 * for seconds comes back seconds behind the tasks that kept running.  It
 * sorts before all of them and, at each end of its slice, before them
 * again: it runs alone until it has caught up.  As many such sleepers as
 * CPUs waking together starve everyone else for as long as they slept
 * (scaled by the share they would have had).  The correct core clamps
 * the credit to one slice (vtime_clamped()).
 */
#define VTIME_ENQUEUE bad_credit_enqueue
#include "ktstr_vtime.bpf.h"

char _license[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(bad_credit_enqueue, struct task_struct *p, u64 enq_flags)
{
	vtime_insert(p, p->scx.dsq_vtime, enq_flags);
}

VTIME_OPS_DEFINE(ktstr_bad_credit);
