// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_numa: global weighted vtime (ktstr_vtime.bpf.h) whose idle
 * CPU search is NUMA-aware: with per-node idle tracking, a waking task
 * looks for an idle CPU in its previous CPU's node first, then in the
 * other nodes in turn.
 *
 * The bug: the loader takes the number of nodes from
 * /sys/devices/system/node/online read as a single number, which it is
 * on a one-node machine ("0"); on two nodes the file says "0-1" and
 * nr_nodes is 1.  The search then only ever covers node 0: no task is
 * woken onto an idle CPU of another node (a task whose previous CPU is
 * there, and idle, still goes back to it), so those CPUs sit idle while
 * node 0's CPUs share the work.
 */
#define VTIME_SELECT_CPU bad_numa_select_cpu
#include "ktstr_vtime.bpf.h"

char _license[] SEC("license") = "GPL";

/* Set by the loader before load. */
u32 nr_nodes = 1;

s32 BPF_STRUCT_OPS(bad_numa_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	s32 node = scx_bpf_cpu_node(prev_cpu), cpu;
	u32 i;

	bpf_for(i, 0, nr_nodes) {
		cpu = scx_bpf_pick_idle_cpu_node(p->cpus_ptr,
						 (node + i) % nr_nodes,
						 SCX_PICK_IDLE_IN_NODE);
		if (cpu >= 0) {
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
			return cpu;
		}
	}
	return prev_cpu;
}

VTIME_OPS_DEFINE(ktstr_bad_numa,
		 .flags		= SCX_OPS_BUILTIN_IDLE_PER_NODE);
