// SPDX-License-Identifier: GPL-2.0
/*
 * Crash path of a sched_ext exit from kernel log text, see backtrace.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtrace.h"
#include "compiler.h"
#include "error.h"

#define DISABLED_PREFIX "sched_ext: BPF scheduler \""
#define TRAMPOLINE_PREFIX "bpf__sched_ext_ops_"
#define BPF_PROG_PREFIX "bpf_prog_"

/*
 * Frames that every exit shares or that only say how the CPU got into
 * the scheduler: they carry no state of the scheduler under test.
 */
static const char * const generic_prefixes[] = {
	/* the exit and dump machinery, and the watchdog that calls it */
	"scx_exit", "__scx_exit", "scx_vexit", "scx_bpf_error", "scx_bpf_exit",
	"scx_error", "scx_dump", "scx_disable", "scx_claim_exit",
	"scx_finish_exit", "scx_watchdog", "stack_trace", "__bpf_trace",
	/* interrupt, softirq, timer and syscall entry */
	"asm_", "sysvec_", "__sysvec_", "irq_", "__irq_", "handle_",
	"do_syscall_", "entry_SYSCALL", "__x64_sys_", "__do_sys_",
	"x64_sys_call", "__do_softirq", "hrtimer", "__hrtimer", "tick_",
	"run_timer_softirq", "__run_timers", "call_timer_fn",
	"common_interrupt", "update_process_times",
	/* boot: the idle task of CPU 0 runs on from start_kernel() */
	"x86_64_start_",
	/*
	 * arm64 (arch/arm64/kernel/entry*.S, entry-common.c): exception
	 * vectors and their handlers, syscall entry, the GIC and IPIs
	 */
	"el0t_64_", "el1h_64_", "el0_", "el1_", "__arm64_sys_",
	"gic_handle_irq", "generic_handle_", "arch_timer_handler",
	"ipi_handler",
	/* wakeup entry */
	"ttwu_", "wake_up_", "__wake_up", "schedule_",
};

static const char * const generic_substrings[] = {
	/* locks */
	"spin_lock", "spin_unlock", "mutex_", "rwsem", "rq_lock",
	"lock_acquire",
};

static const char * const generic_names[] = {
	/* scheduling core entry */
	"schedule", "__schedule", "preempt_schedule", "preempt_schedule_irq",
	"preempt_schedule_common", "try_to_wake_up", "enqueue_task",
	"dequeue_task", "activate_task", "deactivate_task", "sched_tick",
	/* idle, boot and kernel thread entry */
	"do_idle", "cpu_startup_entry", "start_secondary", "common_startup_64",
	"secondary_startup_64", "default_idle", "default_idle_call",
	"pv_native_safe_halt", "ret_from_fork", "ret_from_fork_asm", "kthread",
	"worker_thread", "process_one_work", "rest_init", "start_kernel",
	"do_nanosleep", "common_nsleep",
	/* arm64's syscall and interrupt entry, idle and CPU start */
	"do_el0_svc", "invoke_syscall", "do_interrupt_handler",
	"call_on_irq_stack", "cpu_do_idle", "arch_cpu_idle",
	"secondary_start_kernel", "__secondary_switched", "__primary_switched",
};

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool kt_bt_is_generic(const char *function)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(generic_names); i++)
		if (!strcmp(function, generic_names[i]))
			return true;
	for (i = 0; i < ARRAY_SIZE(generic_prefixes); i++)
		if (has_prefix(function, generic_prefixes[i]))
			return true;
	for (i = 0; i < ARRAY_SIZE(generic_substrings); i++)
		if (strstr(function, generic_substrings[i]))
			return true;
	return false;
}

/* Past '#' nesting, blanks and a "[ 12.345678]" timestamp. */
static const char *line_text(const char *line)
{
	const char *p = line;

	while (*p == '#' || *p == ' ' || *p == '\t')
		p++;
	if (*p == '[') {
		const char *end = strchr(p, ']');

		if (end && end - p < 24)
			p = end + 1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* "bpf_prog_<16 hex>_<name>" */
static void classify(struct kt_frame *f)
{
	const char *p = f->name + strlen(BPF_PROG_PREFIX);
	size_t i;

	f->kind = KT_FRAME_KERNEL;
	if (has_prefix(f->name, TRAMPOLINE_PREFIX)) {
		f->kind = KT_FRAME_TRAMPOLINE;
		snprintf(f->callback, sizeof(f->callback), "%s",
			 f->name + strlen(TRAMPOLINE_PREFIX));
		return;
	}
	if (!has_prefix(f->name, BPF_PROG_PREFIX))
		return;
	for (i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)p[i]))
			return;
	if (p[16] != '_' || !p[17])
		return;
	f->kind = KT_FRAME_BPF;
	memcpy(f->tag, p, 16);
	f->tag[16] = '\0';
	memmove(f->name, p + 17, strlen(p + 17) + 1);
}

int kt_bt_parse_frame(const char *line, struct kt_frame *f)
{
	const char *p = line_text(line), *plus;
	size_t len;
	char *end;

	memset(f, 0, sizeof(*f));
	plus = strchr(p, '+');
	if (!plus || plus == p || strncmp(plus, "+0x", 3))
		return -1;
	len = plus - p;
	if (len >= sizeof(f->name) || strcspn(p, " \t") < len)
		return -1;
	memcpy(f->name, p, len);
	f->offset = strtoul(plus + 1, &end, 16);
	if (strncmp(end, "/0x", 3))
		return -1;
	f->size = strtoul(end + 1, &end, 16);
	if (*end && *end != ' ' && *end != '\n' && *end != '\r')
		return -1;
	classify(f);
	return 0;
}

static const char *suffix_callback(const char *name,
				   const char *const *callbacks)
{
	size_t n = strlen(name), c;

	for (; callbacks && *callbacks; callbacks++) {
		c = strlen(*callbacks);
		if (n > c && name[n - c - 1] == '_' &&
		    !strcmp(name + n - c, *callbacks))
			return *callbacks;
	}
	return NULL;
}

/*
 * Walk from the outermost frame in: a trampoline names the callback of
 * the BPF frames it calls, until a kernel frame (a kfunc) intervenes.
 */
static void build_path(struct kt_backtrace *bt, const char *const *callbacks)
{
	const char *callback = NULL, *guess;
	size_t i = bt->nr_frames;
	struct kt_frame *f;

	bt->nr_path = 0;
	while (i--) {
		f = &bt->frames[i];
		if (f->kind == KT_FRAME_TRAMPOLINE) {
			callback = f->callback;
			continue;
		}
		if (f->kind == KT_FRAME_KERNEL)
			callback = NULL;
		if (f->kind == KT_FRAME_KERNEL && kt_bt_is_generic(f->name))
			continue;
		bt->path[bt->nr_path] = *f;
		guess = callback ? callback : suffix_callback(f->name, callbacks);
		if (f->kind == KT_FRAME_BPF && guess)
			snprintf(bt->path[bt->nr_path].callback,
				 sizeof(f->callback), "%s", guess);
		bt->nr_path++;
	}
}

/* "pid=N comm=X" (scheduler messages) or "comm[N]" (the watchdog). */
static void parse_trigger(struct kt_backtrace *bt)
{
	const char *m = bt->message, *p, *open;
	size_t len;

	bt->trigger_pid = -1;
	bt->trigger_comm[0] = '\0';
	p = strstr(m, "pid=");
	if (p)
		bt->trigger_pid = atoi(p + 4);
	p = strstr(m, "comm=");
	if (p) {
		len = strcspn(p + 5, " \t,;)");
		snprintf(bt->trigger_comm, sizeof(bt->trigger_comm), "%.*s",
			 (int)len, p + 5);
	}
	for (open = strchr(m, '['); open && bt->trigger_pid < 0;
	     open = strchr(open + 1, '[')) {
		for (p = open; p > m && p[-1] != ' '; p--)
			;
		if (p == open || !isdigit((unsigned char)open[1]) ||
		    open[1 + strspn(open + 1, "0123456789")] != ']')
			continue;
		bt->trigger_pid = atoi(open + 1);
		snprintf(bt->trigger_comm, sizeof(bt->trigger_comm), "%.*s",
			 (int)(open - p), p);
	}
}

/* 'BPF scheduler "<ops>" disabled (<reason>)': the start of a report. */
static bool parse_disabled(const char *text, struct kt_backtrace *bt)
{
	const char *name = text + strlen(DISABLED_PREFIX), *q, *reason;

	if (!has_prefix(text, DISABLED_PREFIX))
		return false;
	q = strchr(name, '"');
	reason = q ? strstr(q, "\" disabled (") : NULL;
	if (!reason)
		return false;
	memset(bt, 0, sizeof(*bt));
	snprintf(bt->ops, sizeof(bt->ops), "%.*s", (int)(q - name), name);
	reason += strlen("\" disabled (");
	snprintf(bt->reason, sizeof(bt->reason), "%.*s",
		 (int)strcspn(reason, ")\n"), reason);
	return true;
}

static void parse_message(const char *text, struct kt_backtrace *bt)
{
	size_t ops_len = strlen(bt->ops);

	if (!has_prefix(text, "sched_ext: ") ||
	    strncmp(text + 11, bt->ops, ops_len) || text[11 + ops_len] != ':')
		return;
	/* ": message"; a log cut short may end at the colon. */
	text += 12 + ops_len;
	if (*text == ' ')
		text++;
	snprintf(bt->message, sizeof(bt->message), "%.*s",
		 (int)strcspn(text, "\n"), text);
}

int kt_bt_parse(const char *log, const char *const *callbacks,
		struct kt_backtrace *bt)
{
	bool found = false, in_report = false;
	const char *line, *text;
	struct kt_frame f;

	for (line = log; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		text = line_text(line);
		if (parse_disabled(text, bt)) {
			found = in_report = true;
			continue;
		}
		if (!in_report)
			continue;
		if (!bt->nr_frames && !bt->message[0])
			parse_message(text, bt);
		if (*text == '?')	/* an unreliable frame */
			continue;
		if (!kt_bt_parse_frame(line, &f)) {
			if (bt->nr_frames < KT_BT_MAX_FRAMES)
				bt->frames[bt->nr_frames++] = f;
		} else if (bt->nr_frames) {
			in_report = false;	/* the line after the frames */
		}
	}
	if (!found) {
		memset(bt, 0, sizeof(*bt));
		return kt_fail("no sched_ext exit report (\"%s...\") in the kernel log",
			       DISABLED_PREFIX);
	}
	parse_trigger(bt);
	build_path(bt, callbacks);
	return 0;
}
