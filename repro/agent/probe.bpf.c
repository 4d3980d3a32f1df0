// SPDX-License-Identifier: GPL-2.0
/*
 * The probe agent's BPF side: generic fentry/fexit programs and
 * kprobe/kretprobe programs, a pair of each per slot (the agent loads the
 * pair a slot uses), that record a call's arguments and the memory of the
 * structs they point to (the windows the agent configured), and the
 * sched_ext exit, after which no new call is recorded (calls in flight
 * still get their exit record).  A kretprobe cannot read the arguments:
 * those saved at entry are used.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "probe.h"

char _license[] SEC("license") = "GPL";

const volatile struct probe_slot_cfg cfg[PROBE_SLOTS];

__u64 next_seq;
__u32 stopped;
/* the exit, also here in case the ring buffer had no room for it */
__u64 exit_seq, exit_kind;
__u32 exit_cpu;
__u64 dropped;			/* records the ring buffer had no room for */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} records SEC(".maps");

struct pend {
	__u64 call_id;
	__u64 args[PROBE_ARGS];
};

/* (cpu, slot) -> the entry not yet returned from */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pend);
} pending SEC(".maps");

static __noinline void capture(__u64 addr, __u32 slot, __u32 arg, __u64 seq)
{
	const struct probe_arg_cfg *a;
	struct probe_mem *m;
	__u32 pos = 0, w, len;

	if (slot >= PROBE_SLOTS || arg >= PROBE_ARGS)
		return;
	a = (const struct probe_arg_cfg *)&cfg[slot].arg[arg];
	m = bpf_ringbuf_reserve(&records, sizeof(*m), 0);
	if (!m) {
		__sync_fetch_and_add(&dropped, 1);
		return;
	}
	m->type = PROBE_MEM;
	m->arg = arg;
	m->seq = seq;
	m->addr = addr;
	for (w = 0; w < PROBE_WINDOWS; w++) {
		if (w >= a->nr_windows || pos > PROBE_DATA)
			break;
		len = a->win[w].len;
		if (len > PROBE_WIN_MAX)
			len = PROBE_WIN_MAX;
		/* on a fault the helper zeroes the window */
		bpf_probe_read_kernel(&m->data[pos], len,
				      (void *)(addr + a->win[w].off));
		pos += len;
	}
	m->len = pos;
	bpf_ringbuf_submit(m, 0);
}

static __always_inline __u64 arg_of(void *ctx, __u32 slot, __u32 i)
{
	__u64 v = 0, base = 0;

	if (!cfg[slot].ctx_array) {
		bpf_get_func_arg(ctx, i, &v);
		return v;
	}
	bpf_get_func_arg(ctx, 0, &base);
	bpf_probe_read_kernel(&v, sizeof(v), (void *)(base + i * 8));
	return v;
}

/*
 * @args: the call's arguments; at a kretprobe's exit (@saved) those of
 * its entry, from pending.
 */
static __always_inline int handle(__u32 slot, __u32 type, __u64 *args,
				  __u64 ret, bool saved)
{
	__u32 key = bpf_get_smp_processor_id() << 8 | slot, i;
	struct probe_call *c;
	struct pend *p, pd;
	__u64 seq, call_id;

	if (type == PROBE_EXIT) {
		p = bpf_map_lookup_elem(&pending, &key);
		if (!p)
			return 0;
		call_id = p->call_id;
		for (i = 0; saved && i < PROBE_ARGS; i++)
			args[i] = p->args[i];
		bpf_map_delete_elem(&pending, &key);
	} else if (stopped) {
		return 0;
	}
	seq = __sync_fetch_and_add(&next_seq, 1) + 1;
	if (type == PROBE_ENTRY) {
		call_id = seq;
		pd.call_id = seq;
		for (i = 0; i < PROBE_ARGS; i++)
			pd.args[i] = args[i];
		bpf_map_update_elem(&pending, &key, &pd, BPF_ANY);
	}
	c = bpf_ringbuf_reserve(&records, sizeof(*c), 0);
	if (!c) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	c->type = type;
	c->cpu = bpf_get_smp_processor_id();
	c->seq = seq;
	c->call_id = call_id;
	c->ts = bpf_ktime_get_ns();
	c->slot = slot;
	c->nr_args = cfg[slot].nr_args;
	c->ret = ret;
	for (i = 0; i < PROBE_ARGS; i++)
		c->args[i] = i < cfg[slot].nr_args ? args[i] : 0;
	bpf_ringbuf_submit(c, 0);
	for (i = 0; i < PROBE_ARGS; i++) {
		__u64 v = i < cfg[slot].nr_args ? args[i] : 0;

		if (cfg[slot].arg[i].kind == PROBE_ARG_STRUCT && v)
			capture(v, slot, i, seq);
	}
	return 0;
}

static __always_inline int trace(void *ctx, __u32 slot, __u32 type)
{
	__u64 args[PROBE_ARGS], ret = 0;
	__u32 i;

	for (i = 0; i < PROBE_ARGS; i++)
		args[i] = i < cfg[slot].nr_args ? arg_of(ctx, slot, i) : 0;
	if (type == PROBE_EXIT && !cfg[slot].ctx_array)
		bpf_get_func_ret(ctx, &ret);
	return handle(slot, type, args, ret, false);
}

/*
 * The arguments in registers, at the function's first insn: PT_REGS_*
 * (bpf_tracing.h) picks them for __TARGET_ARCH_x86 (rdi, rsi, ...) or
 * __TARGET_ARCH_arm64 (x0 to x5 of struct user_pt_regs).
 */
static __always_inline int kprobe(struct pt_regs *regs, __u32 slot,
				  __u32 type)
{
	__u64 args[PROBE_ARGS] = {
		PT_REGS_PARM1(regs), PT_REGS_PARM2(regs), PT_REGS_PARM3(regs),
		PT_REGS_PARM4(regs), PT_REGS_PARM5(regs), PT_REGS_PARM6(regs),
	};

	return handle(slot, type, args, 0, false);
}

static __always_inline int kretprobe(struct pt_regs *regs, __u32 slot)
{
	__u64 args[PROBE_ARGS] = {};

	return handle(slot, PROBE_EXIT, args, PT_REGS_RC(regs), true);
}

static __always_inline int sched_exit(__u64 kind)
{
	struct probe_call *c;

	__u64 seq = __sync_fetch_and_add(&next_seq, 1) + 1;

	if (stopped)
		return 0;
	exit_seq = seq;
	exit_kind = kind;
	exit_cpu = bpf_get_smp_processor_id();
	stopped = 1;
	c = bpf_ringbuf_reserve(&records, sizeof(*c), 0);
	if (!c) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	__builtin_memset(c, 0, sizeof(*c));
	c->type = PROBE_SCHED_EXIT;
	c->cpu = exit_cpu;
	c->seq = seq;
	c->ts = bpf_ktime_get_ns();
	c->args[0] = kind;
	bpf_ringbuf_submit(c, 0);
	return 0;
}

SEC("tp_btf/sched_ext_exit")
int BPF_PROG(exit_tp, struct scx_sched *sch, __u32 kind)
{
	return sched_exit(kind);
}

/* Where the kernel has no sched_ext_exit tracepoint. */
SEC("fentry/scx_vexit")
int BPF_PROG(exit_fentry, struct scx_sched *sch, int kind)
{
	return sched_exit(kind);
}

#define PROBE_SLOT(n)							\
SEC("fentry")								\
int BPF_PROG(entry_##n)							\
{									\
	return trace(ctx, n, PROBE_ENTRY);				\
}									\
SEC("fexit")								\
int BPF_PROG(exit_##n)							\
{									\
	return trace(ctx, n, PROBE_EXIT);				\
}									\
SEC("kprobe")								\
int kentry_##n(struct pt_regs *ctx)					\
{									\
	return kprobe(ctx, n, PROBE_ENTRY);				\
}									\
SEC("kretprobe")							\
int kexit_##n(struct pt_regs *ctx)					\
{									\
	return kretprobe(ctx, n);					\
}

PROBE_SLOT(0) PROBE_SLOT(1) PROBE_SLOT(2) PROBE_SLOT(3)
PROBE_SLOT(4) PROBE_SLOT(5) PROBE_SLOT(6) PROBE_SLOT(7)
PROBE_SLOT(8) PROBE_SLOT(9) PROBE_SLOT(10) PROBE_SLOT(11)
PROBE_SLOT(12) PROBE_SLOT(13) PROBE_SLOT(14) PROBE_SLOT(15)
