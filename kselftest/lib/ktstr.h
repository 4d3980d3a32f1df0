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
	/*
	 * cpu_capacity of each online CPU (1024 where the kernel has none,
	 * as on x86): the biggest CPUs are those at max_capacity.
	 */
	unsigned int capacity[KTSTR_MAX_CPUS];
	unsigned int max_capacity, min_capacity;
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
/*
 * The CPUs of the biggest capacity (@big true) or all the others: a
 * topology whose CPUs all have the same capacity has no "others".
 */
void ktstr_cpus_by_capacity(const struct ktstr_topo *t, bool big,
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
	KTSTR_WORK_SCHBENCH,		/* worker 0 posts to the others and wakes them */
	KTSTR_WORK_TIMER,		/* sleep to a periodic deadline, record lateness */
	KTSTR_WORK_WAKE_CHAIN,		/* a token passed around a ring of workers */
	KTSTR_WORK_SPIN_WAKER,		/* pairs: the even one spins and wakes the odd */
	KTSTR_WORK_SCHED_IDLE,		/* spin under SCHED_IDLE */
	KTSTR_WORK_SCHED_BATCH,		/* spin under SCHED_BATCH */
	KTSTR_WORK_RENICE,		/* spin at nice 0, then at spec.nice */
	KTSTR_WORK_SLEEP_BURST,		/* all sleep, then all spin, in step */
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
	/*
	 * Where the workers wait for the start (NULL: .affinity); they move
	 * to .affinity when released, so that a scheduler has to place them
	 * away from these CPUs itself.
	 */
	const cpu_set_t *start_affinity;
	/*
	 * SPIN_WAKER: pair j starts on the j-th CPU of .start_affinity (all
	 * of them wrapping around), and its waker stays pinned there; only
	 * the wakee moves.  A wakee the scheduler runs on its waker's CPU
	 * waited behind a busy CPU while others were free.
	 */
	bool pin_wakers;
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
	cpu_set_t cpus_allowed;		/* where it may run: affinity and cpuset */
	/* Checkpoints on another LLC / NUMA node than the one before. */
	uint64_t llc_migrations;
	uint64_t node_migrations;
	/*
	 * Kinds that measure wake-up latency (the time from being woken to
	 * running): how many wake-ups, and their distribution.
	 */
	uint64_t lat_count;
	uint64_t lat_p50_ns, lat_p99_ns, lat_max_ns;
	/* Wake-ups it ran on the CPU its waker posted from. */
	uint64_t lat_on_waker_cpu;
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

/*
 * Starts a group for each of the @n specs, lets them all run for @ms,
 * stops them and prints each one's statistics (ktstr_print_stats())
 * under its spec's name; a spec of 0 workers gets no group (NULL).  On
 * failure nothing is left running.
 */
int ktstr_workers_run(const struct ktstr_work_spec *specs, unsigned int n,
		      unsigned int ms, struct ktstr_workers **out);
/* Frees the @n groups of @w (NULL entries too). */
void ktstr_workers_free_all(struct ktstr_workers **w, unsigned int n);

/*
 * The group's CPU time and run delay so far, summed over its workers
 * from /proc/<pid>/schedstat: two readings bound a window of a run.
 */
int ktstr_workers_schedstat(const struct ktstr_workers *w, uint64_t *cpu_ns,
			    uint64_t *delay_ns);

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

/*
 * Idle time of each CPU (/proc/stat idle + iowait), the guest's own
 * accounting.  ktstr_workers_start() and _stop() take one each, so that
 * the work-conservation check covers exactly the run.
 */
struct ktstr_cpu_idle {
	uint64_t at_ns;				/* CLOCK_MONOTONIC */
	uint64_t idle_ns[KTSTR_MAX_CPUS];
	/*
	 * Times each CPU went idle (/proc/schedstat sched_goidle, counted
	 * while kernel.sched_schedstats is on), and tasks that started to
	 * run there (pcount, always counted): every idle period ends with
	 * one, so they bound the idle periods where goidle is not counted.
	 */
	uint64_t goidle[KTSTR_MAX_CPUS];
	uint64_t arrivals[KTSTR_MAX_CPUS];
	bool has_arrivals;
	cpu_set_t cpus;				/* CPUs /proc/stat listed */
};
int ktstr_cpu_idle_read(struct ktstr_cpu_idle *out);
/*
 * Turns kernel.sched_schedstats on, so that idle entries are counted; in
 * a ktstr VM only (a test's VM is its own), by the fixture's setup.
 */
void ktstr_schedstats_on(void);

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
/* What a scheduler claims to honour (claims.c). */
enum ktstr_claim {
	KTSTR_CLAIM_NICE,		/* task weights from nice */
	KTSTR_CLAIM_CGROUP_WEIGHT,	/* cgroup cpu.weight */
	KTSTR_CLAIM_CAPACITY,		/* CPU capacity (big.LITTLE) */
};

/*
 * 1 if the running scheduler claims @claim, 0 if not (@why then says
 * why, for a SKIP), -1 if that could not be found out (ktstr_errmsg()).
 */
int ktstr_sched_claims(const struct ktstr_sched *s, enum ktstr_claim claim,
		       char *why, size_t len);
/*
 * Does the loaded sched_ext scheduler whose ops are named @ops implement
 * @callback (a member of its sched_ext_ops or sched_ext_ops_cid)?
 * 1 yes, 0 no, -1 error (no such scheduler loaded, BPF unavailable).
 */
int ktstr_scx_implements(const char *ops, const char *callback);

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
	double max_spread;		/* (max - min) / mean CPU time, in a group */
	uint64_t max_gap_ms;		/* longest scheduling gap */
	double share_tolerance;		/* |measured - expected| CPU share */
	/* If set, the tolerance above the expected share (a tighter one). */
	double share_tolerance_above;
	/* Wake-up latency of a group; 0 = not checked. */
	uint64_t max_lat_p50_us;
	uint64_t max_lat_p99_us;
	uint64_t max_lat_max_us;
	/*
	 * Fraction of wake-ups run on the CPU the waker posted from; 0 = not
	 * checked.  Where the waker keeps running, such a wake-up waited for
	 * it (or preempted it) while other CPUs may have been idle.
	 */
	double max_wake_on_waker_cpu;
	double max_excess_idle_cpus;	/* idle while workers waited, in CPUs */
};

extern const struct ktstr_limits ktstr_default_limits;

/*
 * The defaults of the share, latency and conservation checks, each one
 * constant so that a calibration changes one line; why each is what it
 * is: Documentation/assertions.md.
 */
#define KTSTR_SHARE_TOLERANCE 0.15	/* 15 points of share */
#define KTSTR_LAT_P99_US 250000		/* 250 ms */
#define KTSTR_LAT_MAX_US 2000000	/* 2 s */
/* A worker's own p99 is judged once it has this many wake-ups. */
#define KTSTR_LAT_WORKER_MIN_WAKEUPS 200
#define KTSTR_EXCESS_IDLE_CPUS 0.3	/* CPUs */
/*
 * Up to this much of each idle stretch of a CPU is a hand-off (a remote
 * CPU deciding, an IPI on its way), not a CPU left idle: scx_central's
 * CPUs idle in stretches of up to about 15 ms under TCG while its one
 * deciding CPU takes its turn; ktstr_bad_idle's CPUs stay idle for good.
 */
#define KTSTR_HANDOFF_MS 20

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
/* (max - min) / mean CPU time of the group: what the fairness check judges. */
double ktstr_cpu_spread(const struct ktstr_workers *w);
bool ktstr_check_max_gap(const struct ktstr_workers *w,
			 const struct ktstr_limits *l, char *why, size_t len);
/* Every worker ran only on CPUs in @cpus (cpuset isolation, affinity). */
bool ktstr_check_cpus(const struct ktstr_workers *w, const cpu_set_t *cpus,
		      char *why, size_t len);
/*
 * Wake-up latency (the kinds that record it): the group's p50, p99 and
 * maximum, and the fraction of wake-ups run on the waker's CPU, within
 * the limits that are not 0.  Fails if the group recorded no wake-up.
 */
bool ktstr_check_latency(const struct ktstr_workers *w,
			 const struct ktstr_limits *l, char *why, size_t len);
/*
 * Work conservation: no CPU the workers may use idled while one of them
 * waited.  A lower bound of that idle time, in CPUs, from the guest's
 * accounting over the run (see Documentation/assertions.md):
 *   (sum of run_delay - CPU time of everything else on those CPUs) / run
 *   - max(0, workers - CPUs), at most the idle time
 * must be at most max_excess_idle_cpus.  All workers of @w must be
 * allowed on the same CPUs.
 */
bool ktstr_check_conservation(const struct ktstr_workers *w,
			      const struct ktstr_limits *l, char *why,
			      size_t len);
/*
 * The same bound over @n runs of the same workers one after another
 * (each a ktstr_workers_run() of its own), as if they were one run: a
 * scheduler that idles CPUs only at one moment, such as the wake-up of
 * tasks that last ran together, shows in every round.
 */
bool ktstr_check_conservation_rounds(struct ktstr_workers *const *w,
				     unsigned int n,
				     const struct ktstr_limits *l, char *why,
				     size_t len);

/*
 * Proportional share (share.c).  Groups of workers compete for CPU time
 * by weight: a group that is not a cgroup contributes its tasks, each
 * weighted by its nice value; a group with a cgroup_weight is a cgroup
 * competing with that cpu.weight, its tasks (and nested groups) sharing
 * what it gets.
 */
#define KTSTR_SHARE_MAX_GROUPS 16
struct ktstr_share_group {
	const char *name;		/* NULL: the workers' name */
	const struct ktstr_workers *w;	/* its tasks; NULL for a cgroup level only */
	unsigned int cgroup_weight;	/* 0: not a cgroup */
	int parent;			/* index of the cgroup group it is in, -1: top */
};

/* The kernel's weight of a nice value (sched_prio_to_weight). */
unsigned int ktstr_nice_weight(int nice);
/*
 * Water-filling: rate[i] = min(cap[i], level * weight[i]), adding up to
 * @total, or to the sum of the caps if that is less.
 */
int ktstr_water_fill(const double *weight, const double *cap, unsigned int n,
		     double total, double *rate);
/*
 * Weighted max-min fair rates of @n entities, each capped and confined
 * to its CPUs (progressive filling).
 */
int ktstr_fill_confined(const double *weight, const double *cap,
			const cpu_set_t *cpus, unsigned int n, double *rate);
/* Each group's expected fraction of the CPU time all the groups get. */
int ktstr_share_expected(const struct ktstr_share_group *g, unsigned int n,
			 double *expected);
/*
 * Every group's measured share (schedstat CPU time over the groups')
 * within share_tolerance of its expected share.
 */
bool ktstr_check_share(const struct ktstr_share_group *g, unsigned int n,
		       const struct ktstr_limits *l, char *why, size_t len);
/*
 * The same judgement for a share a test measured itself (over part of a
 * run, with ktstr_workers_schedstat()): @measured within share_tolerance
 * of @expected, reported as the "share" check of @group.
 */
bool ktstr_check_share_of(const char *group, double measured,
			  double expected, const struct ktstr_limits *l,
			  char *why, size_t len);
/* Each group's expected and measured share, as diagnostics. */
void ktstr_print_shares(const struct ktstr_share_group *g, unsigned int n);

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
 * CPU capacity (big.LITTLE): where a scheduler puts work when CPUs
 * differ in size (capacity.c; Documentation/assertions.md has the rule).
 */
struct ktstr_capacity_limits {
	/* CPU-bound tasks, no more than big CPUs: samples on big CPUs */
	double min_heavy_on_big;
	/* light tasks, more than big CPUs: samples on the smaller CPUs */
	double min_light_off_big;
};

extern const struct ktstr_capacity_limits ktstr_default_capacity_limits;

/*
 * Does @t have CPUs of different capacities?  If not, @why (for a SKIP)
 * says what every CPU has.
 */
bool ktstr_capacity_asymmetric(const struct ktstr_topo *t, char *why,
			       size_t len);
/*
 * CPU-bound @w, sampled with ktstr_workers_sample_cpus() on @big, ran
 * on the big CPUs: at least @l->min_heavy_on_big of its runnable
 * samples found a worker on one.
 */
bool ktstr_check_heavy_on_big(const struct ktstr_workers *w,
			      const cpu_set_t *big,
			      const struct ktstr_capacity_limits *l, char *why,
			      size_t len);
/*
 * Light @w, sampled on the smaller CPUs @little, did not all crowd the
 * big ones: at least @l->min_light_off_big of its runnable samples
 * found a worker on a smaller CPU.
 */
bool ktstr_check_light_off_big(const struct ktstr_workers *w,
			       const cpu_set_t *little,
			       const struct ktstr_capacity_limits *l,
			       char *why, size_t len);

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

/* KTSTR_KV({ "expected", 0.75 }, { "measured", 0.31 }): ended by a NULL key */
#define KTSTR_KV(...)							\
	((const struct ktstr_kv[]){ __VA_ARGS__, { NULL, 0 } })

/* Names the test the following records belong to (the fixture does). */
void ktstr_result_begin(const char *test);
/*
 * A check's outcome: its name ("share", "latency", ...), the group it
 * judged (or NULL), the first line of @why as the reason when it failed,
 * and the figures it compared.
 */
void ktstr_result_check(const char *check, const char *group, bool pass,
			const char *why, const struct ktstr_kv *kv);
/* A group: each worker's figures and the group's (ktstr_print_stats()). */
void ktstr_result_group(const struct ktstr_workers *w);
/* Other figures of a scenario, under a name of its own. */
void ktstr_result_values(const char *name, const struct ktstr_kv *kv);

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
