/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ktstr in-tree schedulers share on the BPF side.
 */
#ifndef KTSTR_SCHED_BPF_H
#define KTSTR_SCHED_BPF_H

#include <scx/common.bpf.h>

/* The shared FIFO of ktstr_fifo, ktstr_error and ktstr_stall. */
#define FIFO_DSQ	0

/* Creates DSQ @id; a failure is a scheduler error naming it. */
static __always_inline s32 create_dsq(u64 id)
{
	s32 ret = scx_bpf_create_dsq(id, NUMA_NO_NODE);

	if (ret)
		scx_bpf_error("failed to create DSQ %llu (%d)", id, ret);
	return ret;
}

/*
 * TASK_CTX_MAP(): task_ctxs, a struct task_ctx (which the file defines)
 * per task, in task storage.  task_ctx_of(p) is @p's, NULL if it has
 * none; task_ctx_create(p) makes it, from ops.init_task(), NULL if out of
 * memory.
 */
#define TASK_CTX_MAP()							\
struct {								\
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);			\
	__uint(map_flags, BPF_F_NO_PREALLOC);				\
	__type(key, int);						\
	__type(value, struct task_ctx);					\
} task_ctxs SEC(".maps")

#define task_ctx_of(p)							\
	((struct task_ctx *)bpf_task_storage_get(&task_ctxs, (p), NULL, 0))
#define task_ctx_create(p)						\
	((struct task_ctx *)bpf_task_storage_get(&task_ctxs, (p), NULL,	\
				BPF_LOCAL_STORAGE_GET_F_CREATE))

/* Does @p's comm equal @name, a TASK_COMM_LEN array? */
static __always_inline bool comm_is(const struct task_struct *p,
				    const char *name)
{
	int i;

	for (i = 0; i < TASK_COMM_LEN; i++) {
		if (p->comm[i] != name[i])
			return false;
		if (!name[i])
			return true;
	}
	return true;
}

/*
 * The online CPU of @cpus whose DSQ @dsq_base | cpu holds the fewest
 * tasks, ties going round the CPUs; -1 if @cpus has no online CPU.
 * @dsq_base is 0 where each CPU has a user DSQ whose id is the CPU, or
 * SCX_DSQ_LOCAL_ON for the CPUs' local DSQs.
 */
static __always_inline s32 shortest_queue_cpu(const struct cpumask *cpus,
					      u64 dsq_base)
{
	static u32 rotor;	/* where the search starts */
	const struct cpumask *online = scx_bpf_get_online_cpumask();
	u32 nr_cpus = scx_bpf_nr_cpu_ids(), start = rotor++, i;
	s32 best = -1, best_len = 0;

	bpf_for(i, 0, nr_cpus) {
		s32 cpu = (start + i) % nr_cpus, len;

		if (!bpf_cpumask_test_cpu(cpu, cpus) ||
		    !bpf_cpumask_test_cpu(cpu, online))
			continue;
		len = scx_bpf_dsq_nr_queued(dsq_base | cpu);
		if (best < 0 || len < best_len) {
			best = cpu;
			best_len = len;
		}
	}
	scx_bpf_put_cpumask(online);
	return best;
}

#endif
