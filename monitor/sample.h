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
	KT_CV_CURR_RUNTIME,		/* its se.sum_exec_runtime, ns */
	/*
	 * Host CPU time QEMU's thread for this vCPU has had, ns: read on
	 * the host, not from the guest (QEMU's vCPU numbering, the guest's
	 * on shapes without absent CPU slots).
	 */
	KT_CV_VCPU_RUN,
	KT_NR_CPU_VALUES,
};

#define KT_CPUMASK_WORDS (KT_TARGET_MAX_CPUS / 64)
/* Waiting tasks read per sample and per CPU; past them, unknown. */
#define KT_MAX_WAITERS 64
#define KT_WAITERS_PER_CPU 8

/* Where a runnable sched_ext task that is not running waits. */
enum kt_wait_place {
	KT_WAIT_LOCAL,			/* its CPU's local DSQ */
	KT_WAIT_DSQ,			/* another DSQ: global, or the scheduler's */
	KT_WAIT_BPF,			/* no DSQ: held by the BPF scheduler */
};

/*
 * A runnable sched_ext task that is not running.  Wherever it waits, in
 * a local, global or user DSQ or inside the BPF scheduler, the kernel
 * counts it on one runqueue (rq->scx.runnable_list, rq->scx.nr_running):
 * the CPU it last ran on or was placed on, until a CPU takes it.
 */
struct kt_waiter {
	unsigned int cpu;		/* the runqueue it is runnable on */
	int32_t pid;
	char comm[KT_COMM_LEN];
	enum kt_wait_place place;
	uint64_t dsq_id;		/* KT_WAIT_DSQ */
	/*
	 * p->scx.runnable_at: the jiffies at which its wait began (it was
	 * enqueued, or put back after running), kept across migrations;
	 * KT_NA if unread.
	 */
	int64_t runnable_at;
	/* cpus_ptr; only @cpu while it has migration disabled */
	uint64_t allowed[KT_CPUMASK_WORDS];
};

struct kt_cpu_sample {
	int64_t v[KT_NR_CPU_VALUES];
	uint64_t curr;			/* task_struct address */
	bool curr_idle;			/* the CPU's idle task */
	bool curr_scx;			/* in the sched_ext class */
	char comm[KT_COMM_LEN];
	int64_t events[KT_MAX_EVENTS];	/* KT_NA without a scheduler */
	/*
	 * The waiting task with the oldest runnable_at on this runqueue, as
	 * the kernel's watchdog judges them; read whenever a sched_ext
	 * scheduler is attached and sched_ext tasks wait here.
	 * @longest_partial: the list could not be walked whole, so another
	 * may have waited longer.
	 */
	struct kt_waiter longest;
	bool has_longest, longest_partial;
};

struct kt_sample {
	double host_s;			/* host CLOCK_MONOTONIC */
	int64_t jiffies;		/* the guest's clock */
	int64_t enable_state;
	char scheduler[64];		/* root scheduler's ops.name, or "" */
	int64_t watchdog_ts;		/* jiffies of the last watchdog pass */
	int64_t watchdog_timeout;	/* jiffies */
	int64_t exit_kind;		/* root scheduler's scx_exit_kind */
	int64_t bypass_depth;		/* root scheduler's; > 0: bypassed */
	double cost_us;			/* host CPU time this sample took */
	/*
	 * Host CPU time of the one QEMU thread that runs every vCPU in turn
	 * (single-threaded TCG), ns; KT_NA with a thread per vCPU.
	 */
	int64_t vm_run;
	unsigned int nr_cpus;
	struct kt_cpu_sample *cpu;
	/*
	 * The waiting tasks, read only when a CPU idled while another had
	 * sched_ext tasks waiting (the runqueues' lists are long otherwise,
	 * and nothing needs them); @waiters_unknown if a list could not be
	 * walked whole (the guest changed it under the walk, or it held
	 * more than KT_WAITERS_PER_CPU): those read are still true.
	 */
	struct kt_waiter *waiters;	/* malloc()ed, freed with the series */
	unsigned int nr_waiters;
	bool waiters_unknown;
};

const char *kt_cpu_value_name(enum kt_cpu_value v);

/* Fills @s (whose @cpu array holds @t->nr_cpus entries). */
void kt_sample_take(const struct kt_target *t, struct kt_sample *s);
/* The idle task runs and nothing else is runnable there. */
bool kt_cpu_idle(const struct kt_cpu_sample *c);
/* SCX_RQ_ONLINE; a CPU whose flags cannot be read counts as online. */
bool kt_cpu_online(const struct kt_layout *l, const struct kt_cpu_sample *c);
/* Runnable sched_ext tasks on the CPU other than the one running there. */
int64_t kt_cpu_scx_waiting(const struct kt_cpu_sample *c);
/*
 * Of those, the ones outside its local DSQ: in a global or user DSQ, or
 * held by the BPF scheduler.  The kernel counts them on this CPU until
 * one takes them, but no CPU is committed to run them yet.
 */
int64_t kt_cpu_scx_uncommitted(const struct kt_cpu_sample *c);
/* This kernel has all the fields that waiting tasks are read through. */
bool kt_sample_can_read_waiters(const struct kt_layout *l);
bool kt_waiter_allowed(const struct kt_waiter *w, unsigned int cpu);
/* How long @w had waited at sample @x, in ms; -1 if unknown. */
double kt_waiter_wait_ms(const struct kt_layout *l, const struct kt_sample *x,
			 const struct kt_waiter *w);
/* Appends a waiter to @s, or NULL if @s holds KT_MAX_WAITERS already. */
struct kt_waiter *kt_sample_add_waiter(struct kt_sample *s);
/* The sum of event @e over all CPUs, or KT_NA. */
int64_t kt_sample_event_total(const struct kt_sample *s, unsigned int e);

#endif
