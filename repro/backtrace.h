/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The crash path of a sched_ext exit, from kernel log text: the kernel
 * logs 'sched_ext: BPF scheduler "<ops>" disabled (<reason>)', the
 * scheduler's message and the backtrace of the exit (innermost frame
 * first).  The path keeps the frames that say where the scheduler went
 * wrong, outermost first: BPF programs of the scheduler (with the
 * sched_ext_ops callback they implement) and the kernel functions that
 * called them.  Generic frames are dropped (see kt_bt_is_generic()).
 */
#ifndef KTSTR_REPRO_BACKTRACE_H
#define KTSTR_REPRO_BACKTRACE_H

#include <stdbool.h>
#include <stddef.h>

#define KT_BT_MAX_FRAMES 64
#define KT_BT_NAME_LEN 128

enum kt_frame_kind {
	KT_FRAME_KERNEL,
	KT_FRAME_BPF,		/* bpf_prog_<tag>_<name> */
	KT_FRAME_TRAMPOLINE,	/* bpf__sched_ext_ops_<callback> */
};

struct kt_frame {
	enum kt_frame_kind kind;
	char name[KT_BT_NAME_LEN];	/* function or BPF program name */
	char tag[17];			/* BPF program tag, hex */
	char callback[32];		/* sched_ext_ops member, BPF frames */
	unsigned long offset;
	unsigned long size;
};

struct kt_backtrace {
	char ops[64];			/* the scheduler's ops name */
	char reason[128];		/* "scx_bpf_error", "runnable task stall" */
	char message[512];		/* the scheduler's or watchdog's message */
	struct kt_frame frames[KT_BT_MAX_FRAMES];	/* as logged */
	size_t nr_frames;
	struct kt_frame path[KT_BT_MAX_FRAMES];	/* outermost first */
	size_t nr_path;
	int trigger_pid;		/* from the message, -1 if none */
	char trigger_comm[16];		/* from the message, "" if none */
};

/*
 * Parse the last exit report in @log.  Lines may carry '#' nesting,
 * indentation and '[ seconds]' prefixes (dmesg, /dev/kmsg, nested TAP).
 * @callbacks, NULL-terminated, names the sched_ext_ops members, for BPF
 * frames not called through a struct_ops trampoline (matched as a name
 * suffix "_<callback>"); may be NULL.  Fails if there is no exit report.
 */
int kt_bt_parse(const char *log, const char *const *callbacks,
		struct kt_backtrace *bt);
/* Scheduling core entry, locks, irq/syscall entry, exit and dump code. */
bool kt_bt_is_generic(const char *function);
/* One frame line ("scx_exit_bstr+0xdd/0x110"): 0, or -1 if not a frame. */
int kt_bt_parse_frame(const char *line, struct kt_frame *f);

#endif
