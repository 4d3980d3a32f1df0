/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Global weighted virtual time: the correct core that most of the broken
 * schedulers (ktstr_bad_*) vary in one place each.
 *
 * Every task waits in one DSQ ordered by virtual time.  A task's vtime
 * advances by the time it ran scaled by 100 / its weight, so at equal
 * demand CPU time follows weight.  vtime_now, the largest vtime that
 * started running, is the queue's clock: a new task starts at it and a
 * task that slept comes back at most one slice behind it, so sleeping
 * earns no more than a slice of credit.
 *
 * - select_cpu: an idle CPU (the kernel's default policy); a task that
 *   gets one goes straight to its local DSQ.
 * - enqueue: into the shared DSQ at the task's (clamped) vtime.
 * - dispatch: the head of the shared DSQ.
 *
 * The callbacks are vtime_<op>.  A scheduler that changes one defines
 * VTIME_<OP> as the name of its own before it includes this file, which
 * then leaves that one out (libbpf refuses to load a callback that no ops
 * use); VTIME_OPS_DEFINE() puts them all in its sched_ext_ops.  The
 * helpers above the callbacks are for those replacements.
 */
#ifndef KTSTR_VTIME_BPF_H
#define KTSTR_VTIME_BPF_H

#include "ktstr_sched.bpf.h"

#define VTIME_DSQ	0

/* The largest vtime that started running; racy, see vtime_running(). */
static u64 vtime_now;

UEI_DEFINE(uei);

/* @p's vtime with at most one slice of credit behind the clock. */
static __always_inline u64 vtime_clamped(const struct task_struct *p)
{
	u64 vtime = p->scx.dsq_vtime;

	if (time_before(vtime, vtime_now - SCX_SLICE_DFL))
		return vtime_now - SCX_SLICE_DFL;
	return vtime;
}

static __always_inline void vtime_insert(struct task_struct *p, u64 vtime,
					 u64 enq_flags)
{
	scx_bpf_dsq_insert_vtime(p, VTIME_DSQ, SCX_SLICE_DFL, vtime, enq_flags);
}

/*
 * How long @p ran since it was given a full slice.  A task that yields
 * gives up the rest of its slice and is charged for all of it.
 */
static __always_inline u64 vtime_used(const struct task_struct *p)
{
	return SCX_SLICE_DFL - p->scx.slice;
}

static __always_inline void vtime_charge(struct task_struct *p, u64 delta)
{
	scx_bpf_task_set_dsq_vtime(p, p->scx.dsq_vtime + delta);
}

/* Charges @p the time it ran, scaled by 100 / its weight. */
static __always_inline void vtime_charge_used(struct task_struct *p)
{
	vtime_charge(p, scale_by_task_weight_inverse(p, vtime_used(p)));
}

/* @p starts running: the clock moves up to its vtime. */
static __always_inline void vtime_advance(const struct task_struct *p)
{
	/* Racy across CPUs; an error is small and temporary. */
	if (time_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
}

/* A waking @p goes straight to an idle CPU, if there is one. */
static __always_inline s32 vtime_select_idle(struct task_struct *p,
					     s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

#ifndef VTIME_SELECT_CPU
#define VTIME_SELECT_CPU vtime_select_cpu
s32 BPF_STRUCT_OPS(vtime_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	return vtime_select_idle(p, prev_cpu, wake_flags);
}
#endif

#ifndef VTIME_ENQUEUE
#define VTIME_ENQUEUE vtime_enqueue
void BPF_STRUCT_OPS(vtime_enqueue, struct task_struct *p, u64 enq_flags)
{
	vtime_insert(p, vtime_clamped(p), enq_flags);
}
#endif

void BPF_STRUCT_OPS(vtime_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(VTIME_DSQ, 0);
}

#ifndef VTIME_RUNNING
#define VTIME_RUNNING vtime_running
void BPF_STRUCT_OPS(vtime_running, struct task_struct *p)
{
	vtime_advance(p);
}
#endif

#ifndef VTIME_STOPPING
#define VTIME_STOPPING vtime_stopping
void BPF_STRUCT_OPS(vtime_stopping, struct task_struct *p, bool runnable)
{
	vtime_charge_used(p);
}
#endif

#ifndef VTIME_ENABLE
#define VTIME_ENABLE vtime_enable
void BPF_STRUCT_OPS(vtime_enable, struct task_struct *p)
{
	scx_bpf_task_set_dsq_vtime(p, vtime_now);
}
#endif

s32 BPF_STRUCT_OPS_SLEEPABLE(vtime_init)
{
	return create_dsq(VTIME_DSQ);
}

void BPF_STRUCT_OPS(vtime_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

/*
 * The sched_ext_ops "<__name>_ops" with ops name @__name: the callbacks
 * above (or their replacements), then the designated initializers in the
 * arguments, for callbacks and fields they do not set.
 */
#define VTIME_OPS_DEFINE(__name, ...)					\
	SCX_OPS_DEFINE(__name##_ops,					\
		       .select_cpu	= (void *)VTIME_SELECT_CPU,	\
		       .enqueue		= (void *)VTIME_ENQUEUE,	\
		       .dispatch	= (void *)vtime_dispatch,	\
		       .running		= (void *)VTIME_RUNNING,	\
		       .stopping	= (void *)VTIME_STOPPING,	\
		       .enable		= (void *)VTIME_ENABLE,		\
		       .init		= (void *)vtime_init,		\
		       .exit		= (void *)vtime_exit,		\
		       .name		= #__name, ##__VA_ARGS__)

#endif
