/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parent and its forked workers share: workload.c starts, stops
 * and reaps them, workload_kinds.c holds what each kind of worker does.
 */
#ifndef KTSTR_WORKLOAD_H
#define KTSTR_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "internal.h"

/* Futex ping-pong: whose turn it is, or that the pair must stop. */
#define PAIR_STOP 2u

/*
 * Wake-up latencies in a log-linear histogram: 16 buckets per power of
 * two (about 6% apart), exact below 16 ns, up to 2^46 ns (19 hours).
 */
#define KTSTR_HIST_SUB_BITS 4
#define KTSTR_HIST_BUCKETS ((46 - KTSTR_HIST_SUB_BITS + 1) << KTSTR_HIST_SUB_BITS)

unsigned int ktstr_hist_index(uint64_t ns);
/* The upper bound of bucket @idx: a percentile never reads low. */
uint64_t ktstr_hist_value(unsigned int idx);
/* The @pct (0-100) percentile of @counts holding @total samples. */
uint64_t ktstr_hist_percentile(const uint32_t *counts, uint64_t total,
			       double pct);

/*
 * One worker's slot in the MAP_SHARED mapping.  The worker updates its
 * statistics in place as it goes, so a worker that dies early still
 * shows how far it got.  Cache-line aligned: workers never share a line.
 */
struct ktstr_slot {
	_Alignas(64) struct ktstr_worker_stats stats;
	uint32_t failed;		/* placement failed, see err */
	uint32_t done;			/* final statistics written */
	uint32_t pair_word;		/* futex ping-pong, even slot of a pair */
	/*
	 * Posting to a worker that waits to be woken (schbench, wake chain,
	 * spin waker, and the ping-pong partner's send time): the poster
	 * sets posted_ns, then bumps wake_seq and wakes it.  Stopping bumps
	 * every wake_seq too.
	 */
	uint64_t posted_ns;
	uint32_t wake_seq;
	int32_t posted_cpu;		/* where the poster ran */
	char err[256];
	uint32_t lat_hist[KTSTR_HIST_BUCKETS];	/* wake-up latencies */
	/* Since ktstr_workers_mark(): the worker's, the parent's part. */
	uint32_t mark_seen;		/* the last mark a checkpoint saw */
	cpu_set_t cpus_since_mark;	/* CPUs of checkpoints since then */
	uint64_t work_at_mark;		/* written by the parent */
};

struct ktstr_shared {
	uint32_t nr_ready;		/* workers placed, futex */
	uint32_t go;			/* futex: start working */
	uint32_t stop;			/* futex: stop working */
	uint64_t start_ns;		/* the common start */
	uint64_t chunk_iters;		/* spin() iterations of one chunk */
	/* Where each CPU is, for counting cross-LLC and cross-node moves. */
	uint8_t llc_of[KTSTR_MAX_CPUS];
	uint8_t node_of[KTSTR_MAX_CPUS];
	uint32_t mark;			/* ktstr_workers_mark() count */
	struct ktstr_slot slot[];
};

/* A worker's schedstat as the parent read it at a snapshot. */
struct ktstr_window {
	uint64_t cpu_ns, delay_ns;
};

struct ktstr_workers {
	struct ktstr_work_spec spec;	/* .affinity points to ours */
	cpu_set_t affinity;		/* spec's, or every online CPU */
	cpu_set_t start_affinity;	/* spec's, if has_start_affinity */
	bool has_start_affinity;
	unsigned int n;
	pid_t parent;
	pid_t *pids;
	bool *reaped;
	int *fds;			/* pipe ping-pong: 2 per worker */
	struct ktstr_shared *sh;
	size_t map_len;
	uint64_t stop_ns;
	bool stopped;
	/* Idle time of every CPU, and the workers', at the start and stop. */
	struct ktstr_cpu_idle idle_start, idle_stop;
	struct ktstr_window *window_start, *window_stop;
	char name[64];			/* reported as; see ktstr_workers_name() */
	uint64_t mark_ns;		/* the last ktstr_workers_mark() */
	/* ktstr_workers_sample_cpus(): runnable samples, and those on its CPUs */
	uint64_t samples_runnable, samples_on;
};

/* A worker's own view while it runs. */
struct ktstr_wctx {
	struct ktstr_shared *sh;
	struct ktstr_slot *slot;
	const struct ktstr_workers *w;
	unsigned int idx;
	uint64_t period_ns;
	unsigned int duty_pct;
	uint64_t last;			/* the last checkpoint */
	int last_cpu;			/* where the last checkpoint ran, or -1 */
	int rfd, wfd;			/* pipe ping-pong */
	struct ktstr_worker_stats base;	/* schedstat its statistics count from */
};

/* Its schedstat and /proc/self/sched figures. */
void ktstr_read_sched(struct ktstr_worker_stats *st);
/* What it did since @base into @st's cpu, delay, migrations, switches. */
void ktstr_sched_since(struct ktstr_worker_stats *st,
		       const struct ktstr_worker_stats *base);

/* Adds one wake-up latency of worker @c to its histogram. */
void ktstr_record_latency(struct ktstr_wctx *c, uint64_t ns);

bool ktstr_is_pingpong(enum ktstr_work_kind kind);
uint64_t ktstr_spin(uint64_t iters);
/* Runs worker @c->idx's kind until the stop flag is set. */
void ktstr_work_run(struct ktstr_wctx *c);

long ktstr_futex(uint32_t *uaddr, int op, uint32_t val,
		 const struct timespec *ts, uint32_t val3);

/* For the kinds outside workload_kinds.c (storms.c, rt.c). */
bool ktstr_checkpoint(struct ktstr_wctx *c);
bool ktstr_stopping(const struct ktstr_wctx *c);
/* Sleeps until @deadline (CLOCK_MONOTONIC ns) or stop; true on stop. */
bool ktstr_sleep_until(struct ktstr_wctx *c, uint64_t deadline);
/* Records a failed operation of the worker's kind and its errno. */
void ktstr_work_failed(struct ktstr_wctx *c, int err);
/* What a kind does before the common start; -1 with a message fails it. */
int ktstr_kind_place(struct ktstr_wctx *c);
/* The storm and RT kinds' work, storms.c and rt.c. */
void ktstr_do_fork_exit(struct ktstr_wctx *c);
void ktstr_do_thread_churn(struct ktstr_wctx *c);
void ktstr_do_exec(struct ktstr_wctx *c);
void ktstr_do_affinity_storm(struct ktstr_wctx *c);
void ktstr_do_yield_storm(struct ktstr_wctx *c);
void ktstr_do_threads(struct ktstr_wctx *c);
void ktstr_do_policy_switch(struct ktstr_wctx *c);
void ktstr_do_kill_churn(struct ktstr_wctx *c);
void ktstr_do_rt_hog(struct ktstr_wctx *c);
void ktstr_do_rt_burst(struct ktstr_wctx *c);
int ktstr_rt_place(struct ktstr_wctx *c);
/* The check failed: @why gets the message and the group's statistics. */
__printf(4, 5) bool ktstr_group_fail(const struct ktstr_workers *w,
				     char *why, size_t len,
				     const char *fmt, ...);

#endif
