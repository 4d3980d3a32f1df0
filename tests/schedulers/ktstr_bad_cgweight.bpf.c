// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_cgweight: global weighted vtime (ktstr_vtime.bpf.h) with
 * cgroup weights, flattened: each cgroup is entitled to CPU time in
 * proportion to its cpu.weight, shared among its runnable tasks in
 * proportion to theirs.  A task in a cgroup is charged what it ran,
 * scaled as usual by 100 / its weight, and then by its cgroup's runnable
 * weight (the sum of its runnable tasks' weights) / 100 and by 100 / the
 * cgroup's cpu.weight.  Tasks of the root cgroup compete as tasks, each
 * with its own weight, as under CFS; cgroups are treated as if they all
 * were children of the root (the suite's are, under /ktstr).
 *
 * cpu.weight is read in ops.cgroup_init() and kept up to date by
 * ops.cgroup_set_weight(); the runnable weight of each cgroup is kept
 * from ops.runnable() to ops.quiescent().
 *
 * The bug: the last step multiplies by cpu.weight / 100 instead: cgroups
 * are weighted the wrong way round, as nice is in ktstr_bad_nice.  With
 * the same number of spinners in a cgroup of weight 200 and one of
 * weight 100, the first gets a third of the CPU instead of two thirds.
 * Tasks within a cgroup still share fairly, so only a check of cgroup
 * shares sees it.
 */
#define VTIME_STOPPING bad_cgweight_stopping
#include "ktstr_vtime.bpf.h"

#define MAX_CGROUPS	4096
#define WEIGHT_DFL	100	/* of a nice-0 task and of a new cgroup */

char _license[] SEC("license") = "GPL";

struct cgrp_ctx {
	u32 weight;		/* cpu.weight, 1..10000 */
	u64 runnable_weight;	/* the weights of its runnable tasks */
};

/* By cgroup id (kernfs node id); no entry for the root. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_CGROUPS);
	__type(key, u64);
	__type(value, struct cgrp_ctx);
} cgrp_ctxs SEC(".maps");

struct task_ctx {
	u64 cgid;	/* whose runnable_weight has this task's; 0: none */
	u32 weight;	/* what it added there */
};

TASK_CTX_MAP();

/* The cgroup @p counts in, or NULL (root, or not runnable). */
static struct cgrp_ctx *task_cgrp_ctx(struct task_struct *p)
{
	struct task_ctx *tctx = task_ctx_of(p);

	if (!tctx || !tctx->cgid)
		return NULL;
	return bpf_map_lookup_elem(&cgrp_ctxs, &tctx->cgid);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(bad_cgweight_cgroup_init, struct cgroup *cgrp,
			     struct scx_cgroup_init_args *args)
{
	struct cgrp_ctx init = { .weight = args->weight };
	u64 cgid = cgrp->kn->id;
	s32 ret;

	if (!cgrp->level)
		return 0;
	ret = bpf_map_update_elem(&cgrp_ctxs, &cgid, &init, BPF_ANY);
	if (ret)
		scx_bpf_error("no context for cgroup %llu (%d)", cgid, ret);
	return ret;
}

void BPF_STRUCT_OPS(bad_cgweight_cgroup_exit, struct cgroup *cgrp)
{
	u64 cgid = cgrp->kn->id;

	bpf_map_delete_elem(&cgrp_ctxs, &cgid);
}

void BPF_STRUCT_OPS(bad_cgweight_cgroup_set_weight, struct cgroup *cgrp,
		    u32 weight)
{
	u64 cgid = cgrp->kn->id;
	struct cgrp_ctx *cg = bpf_map_lookup_elem(&cgrp_ctxs, &cgid);

	if (cg)
		cg->weight = weight;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(bad_cgweight_init_task, struct task_struct *p,
			     struct scx_init_task_args *args)
{
	return task_ctx_create(p) ? 0 : -ENOMEM;
}

void BPF_STRUCT_OPS(bad_cgweight_runnable, struct task_struct *p,
		    u64 enq_flags)
{
	struct task_ctx *tctx = task_ctx_of(p);
	struct cgroup *cgrp;
	struct cgrp_ctx *cg;
	u64 cgid;

	if (!tctx)
		return;
	cgrp = scx_bpf_task_cgroup(p);
	if (!cgrp)
		return;
	cgid = cgrp->kn->id;
	bpf_cgroup_release(cgrp);

	cg = bpf_map_lookup_elem(&cgrp_ctxs, &cgid);
	if (!cg)
		return;
	tctx->cgid = cgid;
	tctx->weight = p->scx.weight;
	__sync_fetch_and_add(&cg->runnable_weight, tctx->weight);
}

void BPF_STRUCT_OPS(bad_cgweight_quiescent, struct task_struct *p,
		    u64 deq_flags)
{
	struct task_ctx *tctx = task_ctx_of(p);
	struct cgrp_ctx *cg;

	if (!tctx || !tctx->cgid)
		return;
	cg = bpf_map_lookup_elem(&cgrp_ctxs, &tctx->cgid);
	if (cg)
		__sync_fetch_and_sub(&cg->runnable_weight, tctx->weight);
	tctx->cgid = 0;
}

void BPF_STRUCT_OPS(bad_cgweight_stopping, struct task_struct *p,
		    bool runnable)
{
	struct cgrp_ctx *cg = task_cgrp_ctx(p);
	u64 charge = scale_by_task_weight_inverse(p, vtime_used(p));
	u64 runnable_weight;

	if (cg) {
		runnable_weight = cg->runnable_weight ?: p->scx.weight;
		charge = charge * runnable_weight / WEIGHT_DFL;
		charge = charge * cg->weight / WEIGHT_DFL;
	}
	vtime_charge(p, charge);
}

VTIME_OPS_DEFINE(ktstr_bad_cgweight,
		 .runnable		= (void *)bad_cgweight_runnable,
		 .quiescent		= (void *)bad_cgweight_quiescent,
		 .init_task		= (void *)bad_cgweight_init_task,
		 .cgroup_init		= (void *)bad_cgweight_cgroup_init,
		 .cgroup_exit		= (void *)bad_cgweight_cgroup_exit,
		 .cgroup_set_weight	= (void *)bad_cgweight_cgroup_set_weight);
