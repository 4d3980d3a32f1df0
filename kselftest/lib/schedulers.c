// SPDX-License-Identifier: GPL-2.0
/*
 * The schedulers tests can name.  Binaries are looked up in the guest's
 * /ktstr/schedulers (where `ktstr run` puts build/schedulers/), then in
 * $PATH.  "Attached" means sched_ext state "enabled" with root/ops equal
 * to ops_name.
 */
#include "ktstr.h"

/* The kernel's examples, built from its tools/sched_ext. */
/*
 * None of the kernel's examples looks at CPU capacity: their idle CPU is
 * the kernel's (scx_bpf_select_cpu_dfl()), which treats CPUs alike.
 */
KTSTR_SCHEDULER(scx_simple,
		.binary = "scx_simple",
		.ops_name = "simple",
		.flags = KTSTR_SCHED_IGNORES_CAPACITY);
KTSTR_SCHEDULER(scx_qmap,
		.binary = "scx_qmap",
		.ops_name = "qmap",
		/* cpu.weight only splits CPUs among its sub-schedulers */
		.flags = KTSTR_SCHED_IGNORES_CGROUP_WEIGHT |
			 KTSTR_SCHED_IGNORES_CAPACITY);
/*
 * Needs the kernel's config in the guest (__kconfig externs): the image
 * has it at /boot/config-<release>.
 */
KTSTR_SCHEDULER(scx_central,
		.binary = "scx_central",
		.ops_name = "central",
		/* one global FIFO, every slice infinite */
		.flags = KTSTR_SCHED_IGNORES_NICE |
			 /* no cgroup callbacks at all */
			 KTSTR_SCHED_IGNORES_CGROUP_WEIGHT |
			 KTSTR_SCHED_IGNORES_CAPACITY);
/* Weighted vtime within a cgroup, cgroups by their compounded cpu.weight. */
KTSTR_SCHEDULER(scx_flatcg,
		.binary = "scx_flatcg",
		.ops_name = "flatcg",
		.flags = KTSTR_SCHED_IGNORES_CAPACITY);
/*
 * Flag profiles `ktstr gauntlet` adds to the default one.  scx_simple -f
 * is one global FIFO: task weights do not order it.
 */
KTSTR_SCHED_PROFILE(scx_simple, fifo, "-f",
		    .flags = KTSTR_SCHED_IGNORES_NICE);
KTSTR_SCHED_PROFILE(scx_qmap, slice1ms, "-s 1000");

/* Ours: tests/schedulers/.  None of them looks at CPU capacity. */
/* One global FIFO, by design: nice does not order it. */
KTSTR_SCHEDULER(ktstr_fifo,
		.binary = "ktstr_fifo",
		.ops_name = "ktstr_fifo",
		.flags = KTSTR_SCHED_IGNORES_NICE |
			 KTSTR_SCHED_IGNORES_CAPACITY);
KTSTR_SCHEDULER(ktstr_llc_vtime,
		.binary = "ktstr_llc_vtime",
		.ops_name = "ktstr_llc_vtime",
		.flags = KTSTR_SCHED_IGNORES_CAPACITY);
/* Calls scx_bpf_error() when it enqueues a task named ktstr-trigger. */
KTSTR_SCHEDULER(ktstr_error,
		.binary = "ktstr_error",
		.args = "-c ktstr-trigger",
		.ops_name = "ktstr_error",
		.flags = KTSTR_SCHED_EXPECT_EXIT);
/* Never dispatches tasks named ktstr-starve; watchdog after 3 s. */
KTSTR_SCHEDULER(ktstr_stall,
		.binary = "ktstr_stall",
		.args = "-c ktstr-starve -t 3000",
		.ops_name = "ktstr_stall",
		.flags = KTSTR_SCHED_EXPECT_EXIT);
/*
 * The same with the kernel's watchdog at 30 s: a test has time to watch
 * the stall from the host before the kernel ends it.
 */
KTSTR_SCHEDULER(ktstr_stall_slow,
		.binary = "ktstr_stall",
		.args = "-c ktstr-starve -t 30000",
		.ops_name = "ktstr_stall",
		.flags = KTSTR_SCHED_EXPECT_EXIT);
