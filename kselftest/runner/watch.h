/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host monitor in a suite run: each test's VM is watched from the
 * host, with the limits its declaration gives, and the verdicts become
 * part of the test's result (TAP diagnostics, failure reason, JSON, plot).
 */
#ifndef KTSTR_RUNNER_WATCH_H
#define KTSTR_RUNNER_WATCH_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernel.h"
#include "monitor/monitor.h"
#include "plan.h"
#include "report.h"
#include "vm.h"

#define KT_WATCH_MAX_KERNELS 16

enum {
	KT_OPT_NO_MONITOR = 0x200,
	KT_OPT_MONITOR_INTERVAL,
};

#define KT_WATCH_HELP							\
	"  --no-monitor     do not watch the guests' schedulers from the host\n" \
	"  --monitor-interval MS  the monitor's sampling interval (default 100)\n"

/* Once per run: each kernel's symbols and BTF, read before any VM. */
struct kt_watch {
	bool off;			/* --no-monitor */
	unsigned int interval_ms;	/* 0: the monitor's default */
	struct kt_monitor_kernel *kernels[KT_WATCH_MAX_KERNELS];
	char why_not[KT_WATCH_MAX_KERNELS][512];
};

/* One VM's monitor. */
struct kt_watch_vm {
	struct kt_monitor *monitor;
	struct kt_vm_observer observer;
	unsigned int kernel;
};

/* Appends --no-monitor and --monitor-interval to a getopt_long() table. */
void kt_watch_add_options(struct option *options, size_t max);
/* 1 if @opt is a monitor option (consumed), 0 if not, -1 if bad. */
int kt_watch_option(struct kt_watch *w, int opt, const char *arg);

/* Loads what the monitor needs of each kernel; never fails a run. */
void kt_watch_prepare(struct kt_watch *w, const struct kt_kernel *const *kernels,
		      unsigned int nr_kernels);
void kt_watch_release(struct kt_watch *w);

/* Attaches a monitor to @vo (kernel @kernel of the run), unless off. */
int kt_watch_begin(struct kt_watch_vm *v, const struct kt_watch *w,
		   unsigned int kernel, const struct kt_topology *t,
		   struct kt_vm_opts *vo);
/*
 * After the VM: the verdicts under @it's limits into @r (a failed verdict
 * fails a passing test), and the plot into @json_dir if given.
 */
void kt_watch_end(struct kt_watch_vm *v, const struct kt_watch *w,
		  const struct kt_run_item *it, const char *json_dir,
		  struct kt_result *r);
/* The monitor limits a declaration asks for. */
void kt_watch_limits(const struct ktstr_monitor_decl *d,
		     struct kt_monitor_limits *l);

#endif
