// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_capacity: one FIFO per CPU (ktstr_cpuq.bpf.h) for CPUs of
 * different capacities (arm64 big.LITTLE).  The loader reads each CPU's
 * cpu_capacity and marks the CPUs at the largest one "big".  Every task
 * goes to a big CPU: the first idle one if there is one, else the big
 * CPU with the shortest queue (its own on a tie); a task whose slice
 * ends with nothing else to run on its big CPU runs on there, one on a
 * smaller CPU is queued on a big one (SCX_OPS_ENQ_LAST).  Only big CPUs take work
 * from other CPUs' queues.  What may not run on any big CPU (per-CPU
 * kthreads, tasks pinned to smaller CPUs) goes to an idle CPU it may run
 * on, else to the shortest queue of those, as in the core.
 *
 * The bug: capacity is all it weighs, never load.  CPU-bound tasks do
 * belong on the big CPUs, so it passes a scenario that checks only that
 * they get there; but light tasks that would fit the smaller CPUs crowd
 * the big ones too and wait in their queues while the smaller CPUs idle.
 * Where CPUs are all alike, every CPU is big and it behaves.
 */
#include "ktstr_sched.bpf.h"

static bool cpu_is_big(s32 cpu);
/* A smaller CPU takes no work from others: the big ones are better. */
#define CPUQ_MAY_STEAL(cpu) cpu_is_big(cpu)
#include "ktstr_cpuq.bpf.h"

char _license[] SEC("license") = "GPL";

#define MAX_CPUS 512

/* Set by the loader: nonzero for the CPUs of the largest capacity. */
u8 cpu_big[MAX_CPUS];

/* MEMBER_VPTR(): clang checks a 32-bit copy of @cpu, then indexes with another. */
static bool cpu_is_big(s32 cpu)
{
	u8 *big = MEMBER_VPTR(cpu_big, [cpu]);

	return big && *big;
}

static bool may_run_on(const struct task_struct *p, s32 cpu,
		       const struct cpumask *online)
{
	return bpf_cpumask_test_cpu(cpu, p->cpus_ptr) &&
	       bpf_cpumask_test_cpu(cpu, online);
}

/*
 * For @p, whose CPU is @cur: the first online big CPU it may run on that
 * was idle (*@idle set, and the CPU no longer counted as idle), else the
 * one of those with the shortest queue, @cur winning a tie; -1 if @p may
 * run on no big CPU.
 */
static s32 pick_big_cpu(const struct task_struct *p, s32 cur, bool *idle)
{
	const struct cpumask *online = scx_bpf_get_online_cpumask();
	s32 cpu, best = -1, best_len = 0, len;

	*idle = false;
	bpf_for(cpu, 0, scx_bpf_nr_cpu_ids()) {
		if (!cpu_is_big(cpu) || !may_run_on(p, cpu, online))
			continue;
		if (scx_bpf_test_and_clear_cpu_idle(cpu)) {
			*idle = true;
			best = cpu;
			break;
		}
		len = scx_bpf_dsq_nr_queued(cpu);
		if (best < 0 || len < best_len ||
		    (len == best_len && cpu == cur)) {
			best = cpu;
			best_len = len;
		}
	}
	scx_bpf_put_cpumask(online);
	return best;
}

/* For a task that may run on no big CPU: an idle CPU, else the shortest queue. */
static s32 pick_small_cpu(const struct task_struct *p, bool *idle)
{
	s32 cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);

	*idle = cpu >= 0;
	return *idle ? cpu : shortest_queue_cpu(p->cpus_ptr, 0);
}

/*
 * The CPU a waking task is queued for, so that it counts as that CPU's
 * while it waits; one that was idle runs it at once.
 */
s32 BPF_STRUCT_OPS(bad_capacity_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	bool idle;
	s32 cpu = pick_big_cpu(p, prev_cpu, &idle);

	if (cpu < 0)
		cpu = pick_small_cpu(p, &idle);
	if (cpu < 0)
		return prev_cpu;
	if (idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(bad_capacity_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 cur = scx_bpf_task_cpu(p), cpu;
	bool last = enq_flags & SCX_ENQ_LAST, idle;

	if (last && cpu_is_big(cur)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	cpu = pick_big_cpu(p, cur, &idle);
	if (cpu >= 0) {
		cpuq_insert(p, cpu, enq_flags);
		return;
	}
	/* No big CPU for it: it stays where nothing else waits. */
	if (last) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	cpu = pick_small_cpu(p, &idle);
	cpuq_insert(p, cpu >= 0 ? cpu : cur, enq_flags);
}

CPUQ_OPS_DEFINE(ktstr_bad_capacity,
		.select_cpu	= (void *)bad_capacity_select_cpu,
		.enqueue	= (void *)bad_capacity_enqueue,
		.flags		= SCX_OPS_ENQ_LAST);
