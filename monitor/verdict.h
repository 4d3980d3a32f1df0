/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the monitor concludes from a series: each verdict is a condition
 * on the samples with a limit.  The defaults are in
 * Documentation/monitor.md; a test overrides them in its declaration.
 */
#ifndef KTSTR_MONITOR_VERDICT_H
#define KTSTR_MONITOR_VERDICT_H

#include <stdbool.h>

#include "series.h"

enum kt_verdict_kind {
	KT_V_STALL,
	KT_V_IMBALANCE,
	KT_V_LOCAL_DSQ,
	KT_V_FALLBACK_RATE,
	KT_V_KEEP_LAST_RATE,
	KT_V_CONSERVATION,
	KT_NR_VERDICTS,
};

#define KT_V_BIT(kind) (1u << (kind))

struct kt_monitor_limits {
	unsigned int stall_ms;		/* a task's longest wait; 0: off */
	double max_imbalance;		/* max/min mean committed tasks; 0: off */
	unsigned int imbalance_window;	/* samples per window */
	long long max_local_dsq;	/* tasks; 0: off */
	double max_fallback_rate;	/* SCX_EV_SELECT_CPU_FALLBACK/s/CPU; 0: off */
	double max_keep_last_rate;	/* SCX_EV_DISPATCH_KEEP_LAST/s/CPU; 0: off */
	unsigned int conservation_samples; /* consecutive samples; 0: off */
	unsigned int expect;		/* KT_V_BIT()s that must trip */
};

struct kt_monitor_verdict {
	enum kt_verdict_kind kind;
	bool evaluated;			/* off, or this kernel lacks the data */
	bool tripped;			/* the condition was seen */
	bool failed;			/* tripped unexpectedly, or expected and not */
	int cpu;			/* -1: all CPUs */
	double t0, t1;			/* the window, seconds from the start */
	double value, limit;		/* the worst value seen and its bound */
	char detail[512];
};

void kt_monitor_limits_default(struct kt_monitor_limits *l);
const char *kt_monitor_verdict_name(enum kt_verdict_kind kind);
/* -1 if @name is not a verdict. */
int kt_monitor_verdict_parse(const char *name);
/*
 * "stall=3000" (ms), "imbalance=6", "imbalance_window=20", "local_dsq_depth=100",
 * "select_cpu_fallback_rate=500", "dispatch_keep_last_rate=500",
 * "conservation=10"; a limit of 0 turns its verdict off.  -1 with a message naming @assignment.
 */
int kt_monitor_limit_set(struct kt_monitor_limits *l, const char *assignment);
void kt_verdicts_eval(const struct kt_series *s,
		      const struct kt_monitor_limits *l,
		      struct kt_monitor_verdict out[KT_NR_VERDICTS]);
/* True if any verdict failed. */
bool kt_verdicts_failed(const struct kt_monitor_verdict v[KT_NR_VERDICTS]);

#endif
