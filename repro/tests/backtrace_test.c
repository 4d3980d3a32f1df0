// SPDX-License-Identifier: GPL-2.0
/*
 * Crash paths from real kernel logs: the fixtures are the kernel log of
 * a VM in which ktstr_error (scx_bpf_error() in ops.enqueue) and
 * ktstr_stall (the watchdog) were kicked out, as dmesg printed them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "fixtures.h"
#include "backtrace.h"
#include "cache.h"
#include "error.h"

static const char *const callbacks[] = {
	"select_cpu", "enqueue", "dequeue", "dispatch", "tick", "init", NULL
};

/* The same text as a test's TAP shows it: nested, kmsg without stamps. */
static char *as_tap(const char *log)
{
	char *out = calloc(1, strlen(log) * 2 + 1), *o = out;
	const char *line, *text;

	for (line = log; out && *line;) {
		text = strchr(line, ']') ? strchr(line, ']') + 2 : line;
		o += sprintf(o, "# #   %.*s\n", (int)strcspn(text, "\n"), text);
		line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "";
	}
	return out;
}

FIXTURE(bt) {
	struct kt_backtrace bt;
	char *log;
};

FIXTURE_SETUP(bt)
{
	memset(&self->bt, 0, sizeof(self->bt));
	self->log = NULL;
}

FIXTURE_TEARDOWN(bt)
{
	free(self->log);
}

static void check_error_path(struct __test_metadata *_metadata,
			     const struct kt_backtrace *bt)
{
	EXPECT_STREQ("ktstr_error", bt->ops);
	EXPECT_STREQ("scx_bpf_error", bt->reason);
	EXPECT_NE(NULL, strstr(bt->message, "enqueued trigger task"));
	EXPECT_EQ(23, bt->nr_frames);
	EXPECT_STREQ("scx_exit_bstr", bt->frames[0].name);
	EXPECT_EQ(0xdd, bt->frames[0].offset);
	EXPECT_EQ(0x110, bt->frames[0].size);
	EXPECT_STREQ("common_startup_64", bt->frames[22].name);
	/* outermost first: the class, sched_ext's enqueue, the two progs */
	ASSERT_EQ(4, bt->nr_path);
	EXPECT_STREQ("enqueue_task_scx", bt->path[0].name);
	EXPECT_EQ(KT_FRAME_KERNEL, bt->path[0].kind);
	EXPECT_STREQ("scx_do_enqueue_task", bt->path[1].name);
	EXPECT_STREQ("error_enqueue", bt->path[2].name);
	EXPECT_EQ(KT_FRAME_BPF, bt->path[2].kind);
	EXPECT_STREQ("16f88e5024727080", bt->path[2].tag);
	EXPECT_STREQ("enqueue", bt->path[2].callback);
	EXPECT_STREQ("check_trigger", bt->path[3].name);
	EXPECT_STREQ("4744748092d7bda4", bt->path[3].tag);
	EXPECT_STREQ("enqueue", bt->path[3].callback);
	EXPECT_EQ(129, bt->trigger_pid);
	EXPECT_STREQ("ktstr-trigger", bt->trigger_comm);
}

TEST_F(bt, error_from_dmesg)
{
	self->log = read_fixture("ktstr_error.dmesg");
	ASSERT_NE(NULL, self->log);
	ASSERT_EQ(0, kt_bt_parse(self->log, callbacks, &self->bt))
		TH_LOG("%s", kt_errmsg());
	check_error_path(_metadata, &self->bt);
}

TEST_F(bt, error_from_nested_tap)
{
	char *raw = read_fixture("ktstr_error.dmesg");

	ASSERT_NE(NULL, raw);
	self->log = as_tap(raw);
	free(raw);
	ASSERT_EQ(0, kt_bt_parse(self->log, callbacks, &self->bt));
	check_error_path(_metadata, &self->bt);
}

/*
 * The error raised on CPU 0 in a wakeup from the idle task, which runs on
 * from start_kernel(): x86_64_start_kernel() is boot code (init text, no
 * longer there to probe), not on the path.  The kernel log as a test's
 * TAP showed it.
 */
TEST_F(bt, error_on_the_boot_cpu)
{
	size_t i;

	self->log = read_fixture("ktstr_error_boot_cpu.tap");
	ASSERT_NE(NULL, self->log);
	ASSERT_EQ(0, kt_bt_parse(self->log, callbacks, &self->bt))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(26, self->bt.nr_frames);
	EXPECT_STREQ("x86_64_start_kernel", self->bt.frames[24].name);
	ASSERT_EQ(4, self->bt.nr_path);
	for (i = 0; i < self->bt.nr_path; i++)
		EXPECT_EQ(NULL, strstr(self->bt.path[i].name, "start"))
			TH_LOG("path[%zu] = %s", i, self->bt.path[i].name);
	EXPECT_STREQ("enqueue_task_scx", self->bt.path[0].name);
	EXPECT_STREQ("check_trigger", self->bt.path[3].name);
	EXPECT_EQ(127, self->bt.trigger_pid);
	EXPECT_STREQ("ktstr-trigger", self->bt.trigger_comm);
}

/* The watchdog's backtrace is all generic: the path is empty. */
TEST_F(bt, stall_path_is_empty)
{
	self->log = read_fixture("ktstr_stall.dmesg");
	ASSERT_NE(NULL, self->log);
	ASSERT_EQ(0, kt_bt_parse(self->log, callbacks, &self->bt));
	EXPECT_STREQ("ktstr_stall", self->bt.ops);
	EXPECT_STREQ("runnable task stall", self->bt.reason);
	EXPECT_EQ(8, self->bt.nr_frames);
	EXPECT_STREQ("scx_watchdog_workfn", self->bt.frames[2].name);
	EXPECT_EQ(0, self->bt.nr_path);
	EXPECT_EQ(123, self->bt.trigger_pid);
	EXPECT_STREQ("ktstr-starve", self->bt.trigger_comm);
}

/* Of two reports the last counts; a later unrelated line ends it. */
TEST_F(bt, last_report_wins)
{
	char *err = read_fixture("ktstr_error.dmesg");
	char *stall = read_fixture("ktstr_stall.dmesg");

	ASSERT_NE(NULL, err);
	ASSERT_NE(NULL, stall);
	self->log = malloc(strlen(err) + strlen(stall) + 64);
	ASSERT_NE(NULL, self->log);
	sprintf(self->log, "%s%s[   20.0] later: unrelated+0x1/0x2 text\n",
		stall, err);
	free(err);
	free(stall);
	ASSERT_EQ(0, kt_bt_parse(self->log, callbacks, &self->bt));
	check_error_path(_metadata, &self->bt);
}

/* Without a trampoline frame the callback comes from the name. */
TEST_F(bt, callback_from_name_suffix)
{
	static const char log[] =
		"sched_ext: BPF scheduler \"x\" disabled (runtime error)\n"
		"sched_ext: x: oops\n"
		"   scx_exit_bstr+0xdd/0x110\n"
		"   bpf_prog_0123456789abcdef_x_dispatch+0x10/0x20\n"
		"   ? bpf_prog_0123456789abcdef_junk+0x10/0x20\n"
		"   _raw_spin_lock+0x1/0x2\n"
		"   balance_one+0x1/0x2 [ext]\n";

	ASSERT_EQ(0, kt_bt_parse(log, callbacks, &self->bt));
	EXPECT_EQ(4, self->bt.nr_frames);
	ASSERT_EQ(2, self->bt.nr_path);
	EXPECT_STREQ("balance_one", self->bt.path[0].name);
	EXPECT_STREQ("x_dispatch", self->bt.path[1].name);
	EXPECT_STREQ("dispatch", self->bt.path[1].callback);
	EXPECT_EQ(-1, self->bt.trigger_pid);
}

/*
 * arm64's generic frames: a timer interrupt in a secondary CPU's idle
 * loop, and a syscall.  The frames are those an arm64 7.3 kernel has on
 * these paths (names checked against the cloud-arm64 System.map), in
 * the format of its stack_trace_print(); offsets are made up.
 */
static const char arm64_irq_log[] =
	"[   14.201337] sched_ext: BPF scheduler \"ktstr_error\" disabled (scx_bpf_error)\n"
	"[   14.201402] sched_ext: ktstr_error: tests/schedulers/ktstr_error.bpf.c:39: enqueued trigger task pid=131 comm=ktstr-trigger\n"
	"[   14.201480]    scx_exit_bstr+0x98/0xd8\n"
	"[   14.201490]    scx_bpf_error_bstr+0x74/0xb0\n"
	"[   14.201497]    bpf_prog_4744748092d7bda4_check_trigger+0x88/0x90\n"
	"[   14.201503]    bpf_prog_16f88e5024727080_error_enqueue+0x34/0x9c\n"
	"[   14.201509]    bpf__sched_ext_ops_enqueue+0x44/0x8c\n"
	"[   14.201515]    scx_do_enqueue_task+0x2d4/0x6f0\n"
	"[   14.201521]    enqueue_task_scx+0x1a8/0x330\n"
	"[   14.201527]    enqueue_task+0x64/0x168\n"
	"[   14.201533]    ttwu_do_activate+0x84/0x1d8\n"
	"[   14.201539]    try_to_wake_up+0x2e0/0x7a8\n"
	"[   14.201545]    hrtimer_wakeup+0x2c/0x48\n"
	"[   14.201551]    __hrtimer_run_queues+0x148/0x2d0\n"
	"[   14.201557]    hrtimer_interrupt+0x104/0x260\n"
	"[   14.201563]    arch_timer_handler_virt+0x38/0x58\n"
	"[   14.201569]    handle_percpu_devid_irq+0x90/0x1b8\n"
	"[   14.201575]    generic_handle_domain_irq+0x34/0x58\n"
	"[   14.201581]    gic_handle_irq+0x54/0xd8\n"
	"[   14.201587]    call_on_irq_stack+0x24/0x4c\n"
	"[   14.201593]    do_interrupt_handler+0x88/0x98\n"
	"[   14.201599]    el1_interrupt+0x34/0x68\n"
	"[   14.201605]    el1h_64_irq_handler+0x18/0x28\n"
	"[   14.201611]    el1h_64_irq+0x6c/0x70\n"
	"[   14.201617]    cpu_do_idle+0x14/0x20\n"
	"[   14.201623]    default_idle_call+0x3c/0x160\n"
	"[   14.201629]    do_idle+0x21c/0x2a0\n"
	"[   14.201635]    cpu_startup_entry+0x3c/0x50\n"
	"[   14.201641]    secondary_start_kernel+0x130/0x160\n"
	"[   14.201647]    __secondary_switched+0xc0/0xc8\n";

TEST_F(bt, arm64_interrupt_entry_and_idle_are_generic)
{
	ASSERT_EQ(0, kt_bt_parse(arm64_irq_log, callbacks, &self->bt))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(28, self->bt.nr_frames);
	EXPECT_STREQ("__secondary_switched", self->bt.frames[27].name);
	ASSERT_EQ(4, self->bt.nr_path);
	EXPECT_STREQ("enqueue_task_scx", self->bt.path[0].name);
	EXPECT_STREQ("scx_do_enqueue_task", self->bt.path[1].name);
	EXPECT_STREQ("error_enqueue", self->bt.path[2].name);
	EXPECT_STREQ("enqueue", self->bt.path[2].callback);
	EXPECT_STREQ("check_trigger", self->bt.path[3].name);
	EXPECT_EQ(131, self->bt.trigger_pid);
}

TEST_F(bt, arm64_syscall_entry_is_generic)
{
	static const char log[] =
		"sched_ext: BPF scheduler \"x\" disabled (runtime error)\n"
		"sched_ext: x: oops\n"
		"   scx_exit_bstr+0x98/0xd8\n"
		"   bpf_prog_0123456789abcdef_x_enqueue+0x10/0x20\n"
		"   enqueue_task_scx+0x1a8/0x330\n"
		"   wake_up_new_task+0x1c8/0x3a8\n"
		"   kernel_clone+0xc4/0x3e0\n"
		"   __arm64_sys_clone+0x7c/0xb0\n"
		"   invoke_syscall+0x50/0x120\n"
		"   el0_svc_common.constprop.0+0x48/0xf0\n"
		"   do_el0_svc+0x24/0x38\n"
		"   el0_svc+0x34/0xf0\n"
		"   el0t_64_sync_handler+0x10c/0x138\n"
		"   el0t_64_sync+0x1b0/0x1b8\n";

	ASSERT_EQ(0, kt_bt_parse(log, callbacks, &self->bt));
	EXPECT_EQ(12, self->bt.nr_frames);
	ASSERT_EQ(3, self->bt.nr_path);
	EXPECT_STREQ("kernel_clone", self->bt.path[0].name);
	EXPECT_STREQ("enqueue_task_scx", self->bt.path[1].name);
	EXPECT_STREQ("x_enqueue", self->bt.path[2].name);
	EXPECT_STREQ("enqueue", self->bt.path[2].callback);
}

/* A log cut short at the message's colon: nothing read past its end. */
TEST(message_cut_at_the_colon)
{
	static const char head[] =
		"sched_ext: BPF scheduler \"x\" disabled (runtime error)\n"
		"sched_ext: x:";
	struct kt_backtrace bt;
	char *log = strdup(head);

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, kt_bt_parse(log, NULL, &bt));
	EXPECT_STREQ("", bt.message);
	free(log);
	ASSERT_EQ(0, kt_bt_parse("sched_ext: BPF scheduler \"x\" disabled (e)\n"
				 "sched_ext: x:oops\n", NULL, &bt));
	EXPECT_STREQ("oops", bt.message);
}

TEST(frame_lines)
{
	struct kt_frame f;

	EXPECT_EQ(0, kt_bt_parse_frame("#    do_idle+0x1dd/0x2c0", &f));
	EXPECT_STREQ("do_idle", f.name);
	EXPECT_EQ(-1, kt_bt_parse_frame("sched_ext: x: a+0x1/0x2", &f));
	EXPECT_EQ(-1, kt_bt_parse_frame("CPU 1   : nr_run=1", &f));
	EXPECT_EQ(-1, kt_bt_parse_frame("foo+0x1", &f));
	EXPECT_EQ(-1, kt_bt_parse_frame("foo+0x1/0x2junk", &f));
}

TEST(generic_frames)
{
	EXPECT_TRUE(kt_bt_is_generic("scx_bpf_error_bstr"));
	EXPECT_TRUE(kt_bt_is_generic("_raw_spin_lock_irqsave"));
	EXPECT_TRUE(kt_bt_is_generic("asm_sysvec_apic_timer_interrupt"));
	EXPECT_TRUE(kt_bt_is_generic("try_to_wake_up"));
	EXPECT_FALSE(kt_bt_is_generic("enqueue_task_scx"));
	EXPECT_FALSE(kt_bt_is_generic("scx_do_enqueue_task"));
	EXPECT_TRUE(kt_bt_is_generic("x86_64_start_kernel"));
	EXPECT_TRUE(kt_bt_is_generic("x86_64_start_reservations"));
	EXPECT_TRUE(kt_bt_is_generic("el0t_64_irq_handler"));
	EXPECT_TRUE(kt_bt_is_generic("el0_interrupt"));
	EXPECT_TRUE(kt_bt_is_generic("__arm64_sys_sched_yield"));
	EXPECT_TRUE(kt_bt_is_generic("__primary_switched"));
	EXPECT_TRUE(kt_bt_is_generic("ipi_handler"));
	EXPECT_FALSE(kt_bt_is_generic("kernel_clone"));
	EXPECT_FALSE(kt_bt_is_generic("do_sched_yield"));
}

TEST(no_report)
{
	struct kt_backtrace bt;

	EXPECT_EQ(-1, kt_bt_parse("[ 1.0] sched_ext: BPF scheduler \"x\" enabled\n",
				  NULL, &bt));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no sched_ext exit report"));
	EXPECT_EQ(0, bt.nr_frames);
}

TEST_HARNESS_MAIN
