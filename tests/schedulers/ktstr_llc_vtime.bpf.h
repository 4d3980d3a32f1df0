/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Weighted virtual time with one queue per LLC: the whole of
 * ktstr_llc_vtime but for llc_of(), which the scheduler defines (see
 * ktstr_llc_vtime.bpf.c, and ktstr_bad_llc.bpf.c for a wrong one).
 *
 * Each LLC (last-level cache) has a DSQ ordered by virtual time: a task's
 * vtime advances by the time it ran, scaled by 100 / its weight, so at
 * equal demand CPU time is shared in proportion to weight.
 *
 * Each LLC also has a clock, the largest vtime that started running there.
 * A task's vtime is kept within a slice of credit below the clock of the
 * LLC it is queued or running in (a task that slept does not come back
 * with a large credit) and within one slice's charge above it (a task
 * that moved from an LLC whose clock is ahead does not wait for the
 * other LLC to catch up).  A task that stays in one LLC and keeps running
 * is never moved by this.
 *
 * - select_cpu: an idle CPU in the LLC of the task's previous CPU, else
 *   any idle CPU; a task that gets an idle CPU goes straight to it.
 * - enqueue: into the DSQ of the LLC of the task's CPU, then wake an idle
 *   CPU (same LLC first) so that no CPU idles while tasks wait.
 * - dispatch: the CPU's own LLC first, then steal from the other LLCs;
 *   but first from an LLC that has a task per CPU more waiting than its
 *   own.  Tasks stay in the LLC they were queued in, and with every CPU
 *   busy nothing would even out an uneven split (5 spinners in one LLC
 *   of 2 CPUs, 3 in the other: a share of 2/5 against 2/3).
 *
 * The loader reads the LLCs from sysfs and fills cpu_llc[] and nr_llcs.
 * These are plain globals (.data, .bss), which the verifier does not take
 * for constants: every index into them is checked.
 */
#ifndef KTSTR_LLC_BPF_H
#define KTSTR_LLC_BPF_H

#include "ktstr_sched.bpf.h"

#define MAX_CPUS	512
#define MAX_LLCS	64

/* Set by the loader before load; cpu_llc[cpu] is the LLC's DSQ id. */
u32 nr_cpus = 1;
u32 nr_llcs = 1;
u32 cpu_llc[MAX_CPUS];

/* The CPUs of each LLC, built by llc_init() from cpu_llc[]. */
struct llc_ctx {
	__kptr struct bpf_cpumask *cpus;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_LLCS);
	__type(key, u32);
	__type(value, struct llc_ctx);
} llcs SEC(".maps");

static u64 llc_clock[MAX_LLCS];
/* The CPUs of each LLC, counted by llc_init(). */
static u32 llc_nr_cpus[MAX_LLCS];

UEI_DEFINE(uei);

/*
 * The LLC of @cpu, the id of its DSQ: each scheduler built on this file
 * defines it.
 */
static u32 llc_of(s32 cpu);

static const struct cpumask *llc_cpus(u32 llc)
{
	struct llc_ctx *lc = bpf_map_lookup_elem(&llcs, &llc);

	return lc ? cast_mask(lc->cpus) : NULL;
}

/* @p's vtime, kept near the clock of @llc (see the top of the file). */
static u64 llc_task_vtime(struct task_struct *p, u32 llc)
{
	u64 vtime = p->scx.dsq_vtime;
	u64 now, debt;

	if (llc >= MAX_LLCS)
		return vtime;
	now = llc_clock[llc];
	debt = scale_by_task_weight_inverse(p, SCX_SLICE_DFL);
	if (time_before(vtime, now - SCX_SLICE_DFL))
		return now - SCX_SLICE_DFL;
	if (time_after(vtime, now + debt))
		return now + debt;
	return vtime;
}

/* An idle CPU for @p, preferably in @prev_cpu's LLC; < 0 if none. */
static s32 pick_idle_cpu(struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	const struct cpumask *llc = llc_cpus(llc_of(prev_cpu));
	s32 cpu;

	if (llc) {
		cpu = scx_bpf_select_cpu_and(p, prev_cpu, wake_flags, llc, 0);
		if (cpu >= 0)
			return cpu;
	}
	return scx_bpf_select_cpu_and(p, prev_cpu, wake_flags, p->cpus_ptr, 0);
}

s32 BPF_STRUCT_OPS(llc_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	s32 cpu = pick_idle_cpu(p, prev_cpu, wake_flags);

	if (cpu < 0)
		return prev_cpu;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(llc_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 task_cpu = scx_bpf_task_cpu(p);
	u32 llc = llc_of(task_cpu);
	s32 cpu;

	scx_bpf_dsq_insert_vtime(p, llc, SCX_SLICE_DFL, llc_task_vtime(p, llc),
				 enq_flags);

	cpu = pick_idle_cpu(p, task_cpu, 0);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

static u64 llc_waiting(u32 llc, u64 *nr_cpus)
{
	s32 queued = scx_bpf_dsq_nr_queued(llc);

	*nr_cpus = llc < MAX_LLCS && llc_nr_cpus[llc] ? llc_nr_cpus[llc] : 1;
	return queued > 0 ? queued : 0;
}

/*
 * The LLC with the most tasks waiting per CPU, if that is at least one
 * more than in @mine (so that the move cannot turn the imbalance the
 * other way); else @mine.
 */
static u32 busiest_llc(u32 mine)
{
	u64 mine_cpus, cpus, best_cpus;
	u64 mine_q = llc_waiting(mine, &mine_cpus), q, best_q;
	u32 best = mine, i;

	best_q = mine_q;
	best_cpus = mine_cpus;
	bpf_for(i, 0, nr_llcs) {
		if (i == mine)
			continue;
		q = llc_waiting(i, &cpus);
		/* q / cpus >= mine_q / mine_cpus + 1 */
		if (q * mine_cpus < mine_q * cpus + cpus * mine_cpus)
			continue;
		if (q * best_cpus > best_q * cpus) {
			best = i;
			best_q = q;
			best_cpus = cpus;
		}
	}
	return best;
}

void BPF_STRUCT_OPS(llc_dispatch, s32 cpu, struct task_struct *prev)
{
	u32 mine = llc_of(cpu), busiest = busiest_llc(mine);
	u32 i;

	if (busiest != mine && scx_bpf_dsq_move_to_local(busiest, 0))
		return;
	if (scx_bpf_dsq_move_to_local(mine, 0))
		return;
	bpf_for(i, 1, nr_llcs) {
		if (scx_bpf_dsq_move_to_local((mine + i) % nr_llcs, 0))
			return;
	}
}

void BPF_STRUCT_OPS(llc_running, struct task_struct *p)
{
	u32 llc = llc_of(scx_bpf_task_cpu(p));
	u64 vtime = llc_task_vtime(p, llc);

	/* Stolen from another LLC, or sent to an idle CPU by select_cpu. */
	if (vtime != p->scx.dsq_vtime)
		scx_bpf_task_set_dsq_vtime(p, vtime);
	/* Racy across the LLC's CPUs; an error is small and temporary. */
	if (llc < MAX_LLCS && time_before(llc_clock[llc], vtime))
		llc_clock[llc] = vtime;
}

void BPF_STRUCT_OPS(llc_stopping, struct task_struct *p, bool runnable)
{
	u64 used = SCX_SLICE_DFL - p->scx.slice;

	scx_bpf_task_set_dsq_vtime(p, p->scx.dsq_vtime +
				   scale_by_task_weight_inverse(p, used));
}

s32 BPF_STRUCT_OPS_SLEEPABLE(llc_init)
{
	struct bpf_cpumask *mask;
	struct llc_ctx *lc;
	u32 llc, cpu;
	s32 ret;

	bpf_for(llc, 0, nr_llcs) {
		ret = create_dsq(llc);
		if (ret)
			return ret;

		mask = bpf_cpumask_create();
		if (!mask)
			return -ENOMEM;
		bpf_for(cpu, 0, nr_cpus) {
			if (cpu < MAX_CPUS && cpu_llc[cpu] == llc) {
				bpf_cpumask_set_cpu(cpu, mask);
				if (llc < MAX_LLCS)
					llc_nr_cpus[llc]++;
			}
		}

		lc = bpf_map_lookup_elem(&llcs, &llc);
		if (!lc) {
			bpf_cpumask_release(mask);
			return -ENOENT;
		}
		mask = bpf_kptr_xchg(&lc->cpus, mask);
		if (mask)
			bpf_cpumask_release(mask);
	}
	return 0;
}

void BPF_STRUCT_OPS(llc_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

/* The sched_ext_ops of a scheduler built on this file, ops name @__name. */
#define LLC_OPS_DEFINE(__name)						\
	SCX_OPS_DEFINE(__name##_ops,					\
		       .select_cpu	= (void *)llc_select_cpu,	\
		       .enqueue		= (void *)llc_enqueue,		\
		       .dispatch	= (void *)llc_dispatch,		\
		       .running		= (void *)llc_running,		\
		       .stopping	= (void *)llc_stopping,		\
		       .init		= (void *)llc_init,		\
		       .exit		= (void *)llc_exit,		\
		       .name		= #__name)

#endif
