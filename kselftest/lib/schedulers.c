// SPDX-License-Identifier: GPL-2.0
/*
 * The schedulers tests can name.  Binaries are looked up in the guest's
 * /ktstr/schedulers (where `ktstr run` puts build/schedulers/), then in
 * $PATH.  "Attached" means sched_ext state "enabled" with root/ops equal
 * to ops_name.
 */
#include "ktstr.h"

/* The kernel's examples, built from its tools/sched_ext. */
KTSTR_SCHEDULER(scx_simple,
		.binary = "scx_simple",
		.ops_name = "simple");
KTSTR_SCHEDULER(scx_qmap,
		.binary = "scx_qmap",
		.ops_name = "qmap");
/* Flag profiles `ktstr gauntlet` adds to the default one. */
KTSTR_SCHED_PROFILE(scx_simple, fifo, "-f");
KTSTR_SCHED_PROFILE(scx_qmap, slice1ms, "-s 1000");

/* Ours: tests/schedulers/. */
KTSTR_SCHEDULER(ktstr_fifo,
		.binary = "ktstr_fifo",
		.ops_name = "ktstr_fifo");
KTSTR_SCHEDULER(ktstr_llc_vtime,
		.binary = "ktstr_llc_vtime",
		.ops_name = "ktstr_llc_vtime");
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
