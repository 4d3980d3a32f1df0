// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_leak: global weighted vtime (ktstr_vtime.bpf.h) that charges
 * each task what it really ran, measured from its sum_exec_runtime, so a
 * task that yields is not charged the rest of its slice.  The start of
 * each run is kept in a per-task context, in a hash map keyed by pid
 * (which user space can read).
 *
 * The bug: the context is created in ops.init_task() and never deleted
 * (there is no ops.exit_task()), so every task that ever existed keeps
 * its entry.  After MAX_TASK_CTXS tasks (those alive at load plus every
 * fork since; pids are not reused before pid_max wraps) the map is full:
 * the next fork fails with ENOMEM and the scheduler reports an error and
 * is kicked out, as the kernel's scx_qmap does when its task slab runs
 * out.  A boot and an ordinary scenario make about 150 entries; a fork
 * storm fills the map within seconds.
 */
#define VTIME_RUNNING bad_leak_running
#define VTIME_STOPPING bad_leak_stopping
#include "ktstr_vtime.bpf.h"

/*
 * Well above the tasks of a boot plus an ordinary scenario (83 alive at
 * load in a 4-CPU guest, then 25 to 68 forks per suite test; measured,
 * see Documentation/schedulers.md), well below the 10,000 of a fork
 * storm.
 */
#define MAX_TASK_CTXS	4096

char _license[] SEC("license") = "GPL";

struct task_ctx {
	u64 exec_start;		/* sum_exec_runtime when it last started */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TASK_CTXS);
	__type(key, s32);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

static struct task_ctx *task_ctx(const struct task_struct *p)
{
	s32 pid = p->pid;

	return bpf_map_lookup_elem(&task_ctxs, &pid);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(bad_leak_init_task, struct task_struct *p,
			     struct scx_init_task_args *args)
{
	struct task_ctx init = {};
	s32 pid = p->pid;
	s32 ret;

	ret = bpf_map_update_elem(&task_ctxs, &pid, &init, BPF_ANY);
	if (ret) {
		scx_bpf_error("no task context for %s[%d]: task_ctxs (%d entries) failed with %d",
			      p->comm, pid, MAX_TASK_CTXS, ret);
		return -ENOMEM;
	}
	return 0;
}

void BPF_STRUCT_OPS(bad_leak_running, struct task_struct *p)
{
	struct task_ctx *tctx = task_ctx(p);

	if (tctx)
		tctx->exec_start = p->se.sum_exec_runtime;
	vtime_advance(p);
}

void BPF_STRUCT_OPS(bad_leak_stopping, struct task_struct *p, bool runnable)
{
	struct task_ctx *tctx = task_ctx(p);
	u64 ran = tctx ? p->se.sum_exec_runtime - tctx->exec_start : 0;

	vtime_charge(p, scale_by_task_weight_inverse(p, ran));
}

VTIME_OPS_DEFINE(ktstr_bad_leak,
		 .init_task	= (void *)bad_leak_init_task);
