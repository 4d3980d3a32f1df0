/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the probe agent's BPF side (probe.bpf.c) and user side (agent.c)
 * share: the per-slot configuration and the ring buffer records.
 */
#ifndef KTSTR_PROBE_H
#define KTSTR_PROBE_H

#define PROBE_SLOTS	16	/* functions probed at once */
#define PROBE_ARGS	6
#define PROBE_WINDOWS	16	/* member windows per struct argument */
#define PROBE_DATA	1024	/* bytes of one struct captured */
#define PROBE_WIN_MAX	512	/* bytes of one window */

enum probe_arg_kind { PROBE_ARG_NONE, PROBE_ARG_SCALAR, PROBE_ARG_STRUCT };
enum probe_rec_type { PROBE_ENTRY, PROBE_EXIT, PROBE_SCHED_EXIT, PROBE_MEM };

struct probe_window {
	__u32 off;
	__u32 len;
};

struct probe_arg_cfg {
	__u32 kind;
	__u32 nr_windows;
	struct probe_window win[PROBE_WINDOWS];
};

struct probe_slot_cfg {
	__u32 ctx_array;	/* a struct_ops program: arg 0 is u64 *ctx */
	__u32 nr_args;
	struct probe_arg_cfg arg[PROBE_ARGS];
};

struct probe_call {
	__u32 type;		/* PROBE_ENTRY, PROBE_EXIT, PROBE_SCHED_EXIT */
	__u32 cpu;
	__u64 seq;
	__u64 call_id;		/* seq of the entry */
	__u64 ts;
	__u32 slot;
	__u32 nr_args;
	__u64 ret;
	__u64 args[PROBE_ARGS];
};

struct probe_mem {
	__u32 type;		/* PROBE_MEM, after its call record */
	__u32 arg;
	__u64 seq;		/* of its call record */
	__u64 addr;
	__u32 len;
	__u32 pad;
	__u8 data[PROBE_DATA + PROBE_WIN_MAX];
};

#endif
