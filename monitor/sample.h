/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One sample of the guest's scheduler state: per CPU, the runqueue and
 * its sched_ext part and the task running there; globally, the sched_ext
 * state, the attached scheduler and its counters, with the host's and the
 * guest's time.  KT_NA marks a value this kernel does not have or that
 * could not be read at that instant.
 */
#ifndef KTSTR_MONITOR_SAMPLE_H
#define KTSTR_MONITOR_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"
#include "target.h"

#define KT_NA INT64_MIN
#define KT_COMM_LEN 16

enum kt_cpu_value {
	KT_CV_NR_RUNNING,
	KT_CV_SCX_NR_RUNNING,
	KT_CV_LOCAL_DSQ,
	KT_CV_SCX_FLAGS,
	KT_CV_CLOCK,
	KT_CV_NR_SWITCHES,
	KT_CV_CURR_PID,
	KT_CV_CURR_POLICY,
	KT_NR_CPU_VALUES,
};

struct kt_cpu_sample {
	int64_t v[KT_NR_CPU_VALUES];
	uint64_t curr;			/* task_struct address */
	bool curr_idle;			/* the CPU's idle task */
	bool curr_scx;			/* in the sched_ext class */
	char comm[KT_COMM_LEN];
	int64_t events[KT_MAX_EVENTS];	/* KT_NA without a scheduler */
};

struct kt_sample {
	double host_s;			/* host CLOCK_MONOTONIC */
	int64_t jiffies;		/* the guest's clock */
	int64_t enable_state;
	char scheduler[64];		/* root scheduler's ops.name, or "" */
	int64_t watchdog_ts;		/* jiffies of the last watchdog pass */
	int64_t watchdog_timeout;	/* jiffies */
	int64_t exit_kind;		/* root scheduler's scx_exit_kind */
	double cost_us;			/* host CPU time this sample took */
	unsigned int nr_cpus;
	struct kt_cpu_sample *cpu;
};

const char *kt_cpu_value_name(enum kt_cpu_value v);

/* Fills @s (whose @cpu array holds @t->nr_cpus entries). */
void kt_sample_take(const struct kt_target *t, struct kt_sample *s);
/* The sum of event @e over all CPUs, or KT_NA. */
int64_t kt_sample_event_total(const struct kt_sample *s, unsigned int e);

#endif
