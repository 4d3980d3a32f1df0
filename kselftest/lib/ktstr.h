/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ktstr test library: what a scheduler test calls inside its VM.
 *
 *   topology   the machine as the guest kernel sees it, cpuset builders
 *   cgroups    cgroup v2 create/remove, cpusets, moving tasks
 *   workloads  forked workers of many kinds, with per-worker statistics
 *   scheduler  start a declared sched_ext scheduler, watch it, stop it
 *   checks     assertions over worker statistics, with documented defaults
 *
 * Functions return 0 / a pointer on success and -1 / NULL on failure with
 * a message in ktstr_errmsg(); the checks return true/false and write why
 * into a caller's buffer, so tests can use them with EXPECT_TRUE().
 */
#ifndef KTSTR_H
#define KTSTR_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../ktstr_decl.h"

const char *ktstr_errmsg(void);

/* ---- topology ---------------------------------------------------------- */

#define KTSTR_MAX_CPUS 256
#define KTSTR_MAX_LLCS 64
#define KTSTR_MAX_NODES 16

struct ktstr_topo {
	unsigned int nr_cpus;		/* online CPUs */
	unsigned int nr_llcs;
	unsigned int nr_nodes;
	unsigned int threads_per_core;
	cpu_set_t all;
	cpu_set_t llc[KTSTR_MAX_LLCS];	/* CPUs sharing each L3 */
	cpu_set_t node[KTSTR_MAX_NODES];
};

/* Reads /sys/devices/system/{cpu,node}. */
int ktstr_topo_read(struct ktstr_topo *t);
/* Part @idx of @parts disjoint, as-equal-as-possible slices of all CPUs. */
int ktstr_cpus_split(const struct ktstr_topo *t, unsigned int parts,
		     unsigned int idx, cpu_set_t *out);
/* Slice @idx of @parts slices that overlap their neighbours by @overlap CPUs. */
int ktstr_cpus_overlapping(const struct ktstr_topo *t, unsigned int parts,
			   unsigned int idx, unsigned int overlap,
			   cpu_set_t *out);
/* "0-3,8" */
char *ktstr_cpus_format(const cpu_set_t *s, char *buf, size_t len);
int ktstr_cpus_parse(const char *text, cpu_set_t *s);

/* ---- cgroups ----------------------------------------------------------- */

struct ktstr_cgroup {
	char name[64];
	char path[PATH_MAX];		/* /sys/fs/cgroup/ktstr/<name> */
};

/* Creates /sys/fs/cgroup/ktstr/<name> with the cpuset and cpu controllers. */
int ktstr_cgroup_create(struct ktstr_cgroup *cg, const char *name);
/* Moves its tasks to the parent, then removes it. */
int ktstr_cgroup_remove(struct ktstr_cgroup *cg);
/* cpuset.cpus; NULL clears it (the cgroup inherits its parent's CPUs). */
int ktstr_cgroup_set_cpus(struct ktstr_cgroup *cg, const cpu_set_t *cpus);
int ktstr_cgroup_effective_cpus(struct ktstr_cgroup *cg, cpu_set_t *out);
int ktstr_cgroup_move(struct ktstr_cgroup *cg, pid_t pid);
int ktstr_cgroup_set_weight(struct ktstr_cgroup *cg, unsigned int weight);
/*
 * Why the cgroup functions cannot work here (not root, /sys/fs/cgroup is
 * not a writable cgroup2 mount, no cpuset controller), or NULL if they can.
 */
const char *ktstr_cgroup_unavailable(void);

/* ---- workloads --------------------------------------------------------- */

enum ktstr_work_kind {
	KTSTR_WORK_SPIN,		/* pure CPU */
	KTSTR_WORK_YIELD,		/* CPU with sched_yield() between chunks */
	KTSTR_WORK_MIXED,		/* CPU bursts and sleeps (duty_pct) */
	KTSTR_WORK_SLEEP_IO,		/* mostly sleeping, short bursts */
	KTSTR_WORK_BURSTY,		/* all workers wake together, then rest */
	KTSTR_WORK_PIPE_PINGPONG,	/* pairs bouncing a byte over pipes */
	KTSTR_WORK_FUTEX_PINGPONG,	/* pairs waking each other by futex */
	KTSTR_WORK_FORK_CHURN,		/* fork a child that exits, reap, repeat */
	KTSTR_WORK_AFFINITY_CHURN,	/* move itself between allowed CPUs */
	KTSTR_WORK_NICE_SWEEP,		/* spin; worker i at nice (i * 19 / (n-1)) */
	/* Storms and RT, kselftest/lib/storms.c and rt.c. */
	KTSTR_WORK_FORK_EXIT,		/* vfork a child that exits at once, reap it */
	KTSTR_WORK_THREAD_CHURN,	/* create a thread that exits at once, join it */
	KTSTR_WORK_EXEC,		/* vfork and exec a program that exits at once */
	KTSTR_WORK_AFFINITY_STORM,	/* set the target group's affinity, nonstop */
	KTSTR_WORK_YIELD_STORM,		/* sched_yield() with next to no work */
	KTSTR_WORK_THREADS,		/* .tasks threads per worker, a burst a period */
	KTSTR_WORK_POLICY_SWITCH,	/* cycle own policy: OTHER, BATCH, IDLE (EXT) */
	KTSTR_WORK_KILL_CHURN,		/* SIGKILL runnable children, fork new ones */
	KTSTR_WORK_RT_HOG,		/* SCHED_FIFO spinner */
	KTSTR_WORK_RT_BURST,		/* SCHED_FIFO periodic bursts */
};

struct ktstr_work_spec {
	enum ktstr_work_kind kind;
	unsigned int nr_workers;	/* pairs for the ping-pong kinds: even */
	struct ktstr_cgroup *cgroup;	/* NULL: stay in the caller's cgroup */
	const cpu_set_t *affinity;	/* NULL: any CPU */
	int nice;
	unsigned int duty_pct;		/* MIXED, BURSTY: 0 = default 50 */
	unsigned int period_us;		/* MIXED, BURSTY, SLEEP_IO: 0 = 10000 */
	const char *name;		/* the group's name in reports; NULL: the kind's */
	/* THREADS: threads, KILL_CHURN: children, per worker; 0 = default */
	unsigned int tasks;
	/* AFFINITY_STORM: the group whose affinity it changes (started first) */
	const struct ktstr_workers *target;
	/* Worker i confined to the i-th CPU of its affinity (wrapping). */
	bool one_cpu_each;
};

struct ktstr_worker_stats {
	pid_t pid;
	int nice;
	uint64_t work;			/* units of the kind's work done */
	uint64_t wall_ns;		/* from start to stop */
	uint64_t cpu_ns;		/* schedstat run time */
	uint64_t offcpu_ns;		/* wall - cpu */
	uint64_t run_delay_ns;		/* schedstat: runnable but waiting */
	uint64_t max_gap_ns;		/* longest time between progress checkpoints */
	uint64_t nr_migrations;		/* se.nr_migrations */
	uint64_t nr_switches;		/* voluntary + involuntary */
	cpu_set_t cpus_used;		/* every CPU a checkpoint ran on */
	/* Checkpoints on another LLC / NUMA node than the one before. */
	uint64_t llc_migrations;
	uint64_t node_migrations;
	/*
	 * Kinds that measure wake-up latency (the time from being woken to
	 * running): how many wake-ups, and their distribution.
	 */
	uint64_t lat_count;
	uint64_t lat_p50_ns, lat_p99_ns, lat_max_ns;
	bool exited_early;		/* died before stop (crash, kill) */
	/*
	 * Operations of the kind that failed (a fork, an exec, a thread, an
	 * affinity or policy change, a killed child that did not exit in
	 * time) and the errno of the last one.
	 */
	uint64_t failures;
	int last_errno;
};

struct ktstr_workers;

/* Forks the workers; they start working at once. */
struct ktstr_workers *ktstr_workers_start(const struct ktstr_work_spec *spec);
unsigned int ktstr_workers_count(const struct ktstr_workers *w);
pid_t ktstr_worker_pid(const struct ktstr_workers *w, unsigned int i);
/* Tells the workers to stop, waits for them, fills their statistics. */
int ktstr_workers_stop(struct ktstr_workers *w);
const struct ktstr_worker_stats *ktstr_worker_stats(const struct ktstr_workers *w,
						    unsigned int i);
/* Kills any worker still running and frees @w. */
void ktstr_workers_free(struct ktstr_workers *w);
const char *ktstr_work_kind_name(enum ktstr_work_kind kind);
/* The group's name: the last ktstr_print_stats() name, spec.name, or the kind. */
const char *ktstr_workers_name(const struct ktstr_workers *w);
void ktstr_workers_set_name(struct ktstr_workers *w, const char *name);

/* Wake-up latency over all workers of a group (merged, not averaged). */
struct ktstr_latency {
	uint64_t count;
	uint64_t p50_ns, p90_ns, p99_ns, max_ns;
};
/* 0 if the group recorded latencies, -1 (no message) if it recorded none. */
int ktstr_workers_latency(const struct ktstr_workers *w,
			  struct ktstr_latency *out);

void ktstr_sleep_ms(unsigned int ms);
uint64_t ktstr_now_ns(void);

/* ---- scheduler --------------------------------------------------------- */

enum ktstr_sched_exit {
	KTSTR_SCHED_RUNNING,		/* still attached */
	KTSTR_SCHED_NONE,		/* EEVDF: nothing was started */
	KTSTR_SCHED_STOPPED,		/* we stopped it, state went disabled */
	KTSTR_SCHED_ERROR,		/* scx_bpf_error() */
	KTSTR_SCHED_STALL,		/* watchdog: runnable task stalled */
	KTSTR_SCHED_EXITED,		/* the process exited on its own */
	KTSTR_SCHED_OTHER,		/* kicked out for another reason */
};

struct ktstr_sched {
	const struct ktstr_sched_decl *decl;	/* NULL for EEVDF */
	char name[64];
	pid_t pid;
	int output_fd;				/* its stdout+stderr, a file */
	char output_path[PATH_MAX];
	uint64_t enable_seq;			/* at attach */
	char ops[64];				/* root/ops at attach */
	enum ktstr_sched_exit exit_kind;
	char exit_reason[640];			/* from the kernel log */
	int exit_status;			/* of the process, if it exited */
	/*
	 * Restarts the kernel asked for (CPU hotplug) and the process
	 * followed by attaching again, and the longest it took to.
	 */
	unsigned int restarts;
	uint64_t restart_max_ms;
	unsigned int disables_seen;		/* "disabled" lines in the log */
};

/*
 * Starts the scheduler named @name ("eevdf" or "" for none): a declared
 * one, or the one $KTSTR_SCHEDULER names (a path; $KTSTR_SCHEDULER_ARGS)
 * which overrides every declaration.  Waits until sched_ext is "enabled"
 * with the declared ops name.
 */
int ktstr_sched_start(struct ktstr_sched *s, const char *name);
/*
 * Has it been kicked out or exited?  Fills exit_kind and exit_reason.
 * A restart the kernel asked for (exit "unregistered from the main
 * kernel", CPU hotplug) is followed: if the same process attaches again
 * (state enabled, the same ops, a new enable_seq) within its attach
 * timeout, it counts in @restarts and the scheduler is still alive.
 */
bool ktstr_sched_alive(struct ktstr_sched *s);
/* Stops it (SIGINT), waits for state "disabled". */
int ktstr_sched_stop(struct ktstr_sched *s);
/* Its last @lines lines of output, into @buf. */
void ktstr_sched_tail(const struct ktstr_sched *s, unsigned int lines,
		      char *buf, size_t len);
const char *ktstr_sched_exit_name(enum ktstr_sched_exit kind);
/* The name a test variant asks for, after $KTSTR_SCHEDULER override. */
const char *ktstr_sched_effective_name(const char *declared);

/* ---- checks ------------------------------------------------------------ */

/*
 * Defaults, chosen under TCG on 2 host CPUs (Documentation/assertions.md
 * says how).  A test copies ktstr_default_limits and changes fields.
 */
struct ktstr_limits {
	double min_work_share;		/* every worker >= this x mean work */
	double max_spread;		/* (max - min) / mean work, in a group */
	uint64_t max_gap_ms;		/* longest scheduling gap */
};

extern const struct ktstr_limits ktstr_default_limits;

#define KTSTR_WHY_LEN 4096
/*
 * Each check returns true if it holds; otherwise it writes a description
 * (the check, the limit, the offending worker, the group's statistics)
 * into @why.
 */
bool ktstr_check_progress(const struct ktstr_workers *w,
			  const struct ktstr_limits *l, char *why, size_t len);
bool ktstr_check_fairness(const struct ktstr_workers *w,
			  const struct ktstr_limits *l, char *why, size_t len);
bool ktstr_check_max_gap(const struct ktstr_workers *w,
			 const struct ktstr_limits *l, char *why, size_t len);
/* Every worker ran only on CPUs in @cpus (cpuset isolation, affinity). */
bool ktstr_check_cpus(const struct ktstr_workers *w, const cpu_set_t *cpus,
		      char *why, size_t len);
/* The scheduler is still attached, with the enable_seq it started with. */
bool ktstr_check_attached(struct ktstr_sched *s, char *why, size_t len);
/*
 * One line per worker: kind, work, cpu, gap, migrations, CPUs; also a
 * group record of the results (ktstr_result_group()), and from now on
 * the checks of @w report under @group.
 */
void ktstr_print_stats(const char *group, struct ktstr_workers *w);

/*
 * In a harness test, EXPECT_KTSTR(ktstr_check_fairness, w, &limits) runs
 * the check with a buffer for its reason and logs the reason if it fails.
 */
#define KTSTR_FAIL_LOG_LINES 20
#define EXPECT_KTSTR(check, ...)					\
	do {								\
		char __ktstr_why[KTSTR_WHY_LEN] = "";			\
		bool __ktstr_ok = check(__VA_ARGS__, __ktstr_why,	\
					sizeof(__ktstr_why));		\
		EXPECT_TRUE(__ktstr_ok) TH_LOG("%s", __ktstr_why);	\
		if (!__ktstr_ok)					\
			ktstr_print_kernel_log(KTSTR_FAIL_LOG_LINES);	\
	} while (0)
#define ASSERT_KTSTR(check, ...)					\
	do {								\
		char __ktstr_why[KTSTR_WHY_LEN] = "";			\
		bool __ktstr_ok = check(__VA_ARGS__, __ktstr_why,	\
					sizeof(__ktstr_why));		\
		if (!__ktstr_ok)					\
			ktstr_print_kernel_log(KTSTR_FAIL_LOG_LINES);	\
		ASSERT_TRUE(__ktstr_ok) TH_LOG("%s", __ktstr_why);	\
	} while (0)

/* ---- storms, RT, hotplug, changes mid-run ------------------------------ */

/*
 * Waits until @w's workers have done @work units in all, or @timeout_ms
 * passed, or a worker recorded a failure or every worker exited: 0 when
 * the work was done, else -1 with the reason.  Storms run to a count.
 */
int ktstr_workers_wait_work(const struct ktstr_workers *w, uint64_t work,
			    unsigned int timeout_ms);
/*
 * Marks a change made mid-run (affinity, cpuset, hotplug): from now on
 * each worker also counts its work and the CPUs it runs on since the
 * mark, for ktstr_check_after_change().  Make the change, let it settle,
 * then mark.
 */
void ktstr_workers_mark(struct ktstr_workers *w);
/*
 * Since the last mark every worker made progress (at least
 * @l->min_work_share x the group's mean since then, and not 0) and ran
 * only on @cpus (NULL: anywhere).
 */
bool ktstr_check_after_change(const struct ktstr_workers *w,
			      const cpu_set_t *cpus,
			      const struct ktstr_limits *l, char *why,
			      size_t len);

/* True if a sched_ext scheduler runs in partial mode (switch_all 0). */
bool ktstr_sched_ext_partial(void);

struct ktstr_storm_limits {
	uint64_t min_tasks;		/* the storm's count (tasks, execs, ...) */
	uint64_t max_failures;		/* failed operations allowed */
	uint64_t max_exit_ms;		/* a killed task must exit within */
};

extern const struct ktstr_storm_limits ktstr_default_storm_limits;

/*
 * The storm group @w did at least @l->min_tasks units, at most
 * @l->max_failures of its operations failed, and scheduler @s is still
 * attached; the failure names the count, the rate, the failures with
 * their errno and the scheduler's state.
 */
bool ktstr_check_storm(const struct ktstr_workers *w,
		       const struct ktstr_storm_limits *l,
		       struct ktstr_sched *s, char *why, size_t len);
/* Every task the KILL_CHURN group @w killed exited within max_exit_ms. */
bool ktstr_check_kill_exit(const struct ktstr_workers *w,
			   const struct ktstr_storm_limits *l, char *why,
			   size_t len);

/* SCHED_FIFO priority of the RT kinds. */
#define KTSTR_RT_PRIO 10

struct ktstr_rt_limits {
	double max_share_on_rt;		/* runnable samples on RT-held CPUs */
	uint64_t max_gap_ms;		/* longest wait behind an RT task */
};

extern const struct ktstr_rt_limits ktstr_default_rt_limits;

/*
 * The CPUs an RT hog takes on @t: the odd-numbered ones, so that half
 * of the CPUs (at least one, never CPU 0 and never all) are taken and
 * every LLC of more than one CPU keeps a free one.  -1 on 1 CPU.
 */
int ktstr_cpus_rt_hogged(const struct ktstr_topo *t, cpu_set_t *out);
/*
 * Sleeps @ms while looking every 50 ms where @w's workers are (the
 * state and CPU of /proc/PID/stat): how many samples found a worker
 * runnable, and how many of those on a CPU of @cpus.
 */
int ktstr_workers_sample_cpus(struct ktstr_workers *w, const cpu_set_t *cpus,
			      unsigned int ms);
/*
 * While RT tasks held @rt_cpus, the sched_ext/fair workers @w (sampled
 * with ktstr_workers_sample_cpus() on @rt_cpus) did not pile up there:
 * at most @l->max_share_on_rt of their runnable samples found them on
 * an RT-held CPU, and none went longer than @l->max_gap_ms without
 * progress (Documentation/assertions.md has the rule).
 */
bool ktstr_check_rt_displaced(const struct ktstr_workers *w,
			      const cpu_set_t *rt_cpus,
			      const struct ktstr_rt_limits *l, char *why,
			      size_t len);

/*
 * CPU hotplug through /sys/devices/system/cpu/cpuN/online.  CPU 0 is
 * never taken offline.  Every CPU this process takes offline is
 * remembered, and ktstr_cpus_restore_online() (the fixture's teardown
 * calls it, also after a failed test) brings them all back.
 */
const char *ktstr_hotplug_unavailable(const struct ktstr_topo *t, char *buf,
				      size_t len);
int ktstr_cpu_set_online(unsigned int cpu, bool online);
/* How many CPUs it brought back, or -1 naming those it could not. */
int ktstr_cpus_restore_online(void);
/*
 * Up to @max CPUs to take offline in turn: never CPU 0, the last CPU of
 * each LLC from the last LLC back, so that several LLCs and nodes lose
 * one.  Returns how many.
 */
unsigned int ktstr_hotplug_candidates(const struct ktstr_topo *t,
				      unsigned int max, unsigned int *cpus);
/*
 * After an event that may make a sched_ext scheduler exit and restart
 * (CPU hotplug): watches it for @settle_ms, follows a restart if it
 * leaves.  True while it is attached (always true for EEVDF).
 */
bool ktstr_sched_follow(struct ktstr_sched *s, unsigned int settle_ms);
/*
 * Every CPU online before (@online_before) is online again, every
 * hotplug write succeeded, and @s is still attached (restarts followed).
 */
bool ktstr_check_hotplug(struct ktstr_sched *s,
			 const cpu_set_t *online_before, char *why,
			 size_t len);

/* ---- results ----------------------------------------------------------- */

/*
 * Structured results: what each check measured and judged, and every
 * reported group's figures, as JSON records (one object per line) for
 * whoever runs the test.  They go to the file $KTSTR_RESULTS names; a
 * ktstr VM points it at its results channel, and `ktstr run` puts the
 * records in the test's JSON result.  Without $KTSTR_RESULTS nothing is
 * written.  Documentation/running.md describes the records.
 */
struct ktstr_kv {
	const char *key;
	double value;
};

/* KTSTR_KV({ "expected", 0.75 }, { "measured", 0.31 }): an array and its size */
#define KTSTR_KV(...)							\
	((const struct ktstr_kv[]){ __VA_ARGS__ }),			\
	(sizeof((const struct ktstr_kv[]){ __VA_ARGS__ }) /		\
	 sizeof(struct ktstr_kv))

/* Names the test the following records belong to (the fixture does). */
void ktstr_result_begin(const char *test);
/*
 * A check's outcome: its name ("share", "latency", ...), the group it
 * judged (or NULL), the first line of @why as the reason when it failed,
 * and the figures it compared.
 */
void ktstr_result_check(const char *check, const char *group, bool pass,
			const char *why, const struct ktstr_kv *kv, size_t n);
/* A group: each worker's figures and the group's (ktstr_print_stats()). */
void ktstr_result_group(const struct ktstr_workers *w);
/* Other figures of a scenario, under a name of its own. */
void ktstr_result_values(const char *name, const struct ktstr_kv *kv,
			 size_t n);

/* ---- environment ------------------------------------------------------- */

/* Each line of @text as a "# " TAP diagnostic on stdout. */
void ktstr_print_lines(const char *text);
/* The last @lines lines of the kernel log, as "# " diagnostics. */
void ktstr_print_kernel_log(unsigned int lines);

/* True inside a ktstr VM (the kernel command line says so). */
bool ktstr_in_vm(void);
/*
 * Why this machine cannot run @decl (too few CPUs/LLCs/nodes, SMT,
 * not root, no sched_ext), or NULL if it can.  Tests SKIP with it.
 */
const char *ktstr_unmet_needs(const struct ktstr_test_decl *decl, char *buf,
			      size_t len);
/* The declaration of harness test @fixture.@test in this program. */
const struct ktstr_test_decl *ktstr_find_test(const char *fixture,
					      const char *test);

#endif
