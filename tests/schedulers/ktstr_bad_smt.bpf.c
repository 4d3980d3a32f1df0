// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_smt: global weighted vtime (ktstr_vtime.bpf.h) that keeps a
 * waking task on its previous CPU when that CPU's whole core is idle (a
 * warm cache and no SMT sibling to share the core with), and otherwise
 * picks an idle CPU as the core does.  Whether a CPU is running a task is
 * kept per CPU, from ops.running() to ops.stopping().
 *
 * The bug: the SMT sibling of CPU n is taken to be n ^ 1, the numbering
 * of the two-thread machines it was written for (QEMU numbers threads
 * that way too).  Where threads are not numbered in pairs it judges the
 * wrong cores, and with an odd number of CPUs the last one has no
 * sibling at all: the first wake-up of a task that last ran on it finds
 * no context for CPU nr_cpus and the scheduler errors out naming it.
 */
#define VTIME_SELECT_CPU bad_smt_select_cpu
#define VTIME_RUNNING bad_smt_running
#define VTIME_STOPPING bad_smt_stopping
#include "ktstr_vtime.bpf.h"

char _license[] SEC("license") = "GPL";

struct cpu_ctx {
	bool busy;		/* between ops.running() and ops.stopping() */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct cpu_ctx);
} cpu_ctxs SEC(".maps");

static struct cpu_ctx *cpu_ctx(s32 cpu)
{
	u32 zero = 0;
	struct cpu_ctx *c = bpf_map_lookup_percpu_elem(&cpu_ctxs, &zero, cpu);

	if (!c)
		scx_bpf_error("no context for CPU %d", cpu);
	return c;
}

static bool cpu_busy(s32 cpu)
{
	struct cpu_ctx *c = cpu_ctx(cpu);

	return !c || c->busy;
}

static void set_busy(const struct task_struct *p, bool busy)
{
	struct cpu_ctx *c = cpu_ctx(scx_bpf_task_cpu(p));

	if (c)
		c->busy = busy;
}

/* Neither @cpu nor its SMT sibling runs a task. */
static bool core_idle(s32 cpu)
{
	return !cpu_busy(cpu) && !cpu_busy(cpu ^ 1);
}

s32 BPF_STRUCT_OPS(bad_smt_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	if (core_idle(prev_cpu) && scx_bpf_test_and_clear_cpu_idle(prev_cpu)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
		return prev_cpu;
	}
	return vtime_select_idle(p, prev_cpu, wake_flags);
}

void BPF_STRUCT_OPS(bad_smt_running, struct task_struct *p)
{
	set_busy(p, true);
	vtime_advance(p);
}

void BPF_STRUCT_OPS(bad_smt_stopping, struct task_struct *p, bool runnable)
{
	set_busy(p, false);
	vtime_charge_used(p);
}

VTIME_OPS_DEFINE(ktstr_bad_smt);
