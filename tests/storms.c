// SPDX-License-Identifier: GPL-2.0
/*
 * Storms: tasks created, exec'd, moved, re-prioritised, yielding and
 * killed as fast as the kernel takes it, beside ordinary workers that
 * must keep making progress.  Every task passes through the scheduler's
 * init, enable, disable and exit callbacks, so a scheduler that leaks a
 * per-task resource or loses a task on one of those paths fails here.
 *
 * A storm runs to a count within a time limit (STORM_LIMIT_MS): the
 * count is what the scenario is about, the limit only bounds a run
 * that cannot get there.  The counts were chosen from rates measured
 * under TCG (Documentation/assertions.md, "Storms").
 */
#include <stdio.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

/*
 * A storm that has not reached its count by then has failed.  The
 * slowest rate measured while the host was loaded (vfork + exit, 75/s
 * beside the bystanders) would need 133 s for the fork storm's 10,000;
 * an idle 4-vCPU guest does about 2400/s.
 */
#define STORM_LIMIT_MS 120000
/* The harness's limit: the storm's, plus start, stop and checks. */
#define STORM_TEST_S 200
/* Storms without a count of their own run this long. */
#define RUN_MS 4000

/*
 * Counts: fork_exit_storm's is the issue's; the others are 5-10 s of
 * work at the rates measured beside the bystanders on a loaded host
 * (Documentation/assertions.md, "Storms").
 */
#define FORK_EXIT_TASKS 10000
#define THREAD_CHURN_TASKS 1000
#define EXEC_TASKS 100
#define AFFINITY_CHANGES 2000
#define POLICY_SWITCHES 4000
#define KILLS 100
/*
 * The share of the group's mean work a storm's or a yield storm's worker
 * must do: what one gets depends on who else is on its CPU (a policy
 * switcher's SCHED_IDLE phase beside a bystander, a yielder that EEVDF
 * leaves where it is), from 0.32 x the mean (policy switches, 1n3l3c1t)
 * and 0.38 (yielders, 1n2l2c1t) up.  A starved one gets next to nothing.
 */
#define STORM_MIN_SHARE 0.1
/*
 * many_threads: threads per CPU, and how often each wakes.  450 threads
 * waking every 100 ms kept a 9-vCPU TCG guest too busy to run anything
 * on time (EEVDF's spinners went 4 s without a turn); every 500 ms
 * still makes each thread wake about ten times in a run.
 */
#define THREADS_PER_CPU 50
#define THREAD_PERIOD_US 500000

KTSTR_FIXTURE(storms);
KTSTR_RUN_UNDER(storms, eevdf, "eevdf");
KTSTR_RUN_UNDER(storms, scx_simple, "scx_simple");

static struct ktstr_workers *start(struct __test_metadata *_metadata,
				   const struct ktstr_work_spec *spec)
{
	struct ktstr_workers *w = ktstr_workers_start(spec);

	if (!w)
		TH_LOG("%s: %s", spec->name ? spec->name :
		       ktstr_work_kind_name(spec->kind), ktstr_errmsg());
	return w;
}

/*
 * The ordinary workers beside a storm: busy half the time, one per four
 * CPUs and one more, so that the storm has CPU time left to storm with
 * (under TCG every busy vCPU slows the others down).
 */
static struct ktstr_workers *bystanders(struct __test_metadata *_metadata,
					const struct ktstr_topo *t)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_MIXED, .nr_workers = t->nr_cpus / 4 + 1,
		.name = "bystanders",
	};

	return start(_metadata, &spec);
}

/* Stops and reports @w; the checks every group of a storm test gets. */
static void stop_and_check_with(struct __test_metadata *_metadata,
				struct ktstr_workers *w, const char *name,
				const struct ktstr_limits *l)
{
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	ktstr_print_stats(name, w);
	EXPECT_KTSTR(ktstr_check_progress, w, l);
	EXPECT_KTSTR(ktstr_check_max_gap, w, l);
}

static void stop_and_check(struct __test_metadata *_metadata,
			   struct ktstr_workers *w, const char *name)
{
	stop_and_check_with(_metadata, w, name, &ktstr_default_limits);
}

/* A check of its own for the group a scenario is about. */
struct extra_check {
	void (*fn)(struct __test_metadata *_metadata,
		   struct ktstr_fixture *k, struct ktstr_workers *w);
};

/*
 * Runs the storm @spec beside the bystanders until it has done @count
 * operations (or failed, or STORM_LIMIT_MS passed), then checks both;
 * @extra, if any, is a check of its own for the storm's group.
 */
static void storm_then(struct __test_metadata *_metadata,
		       struct ktstr_fixture *k,
		       const struct ktstr_work_spec *spec, uint64_t count,
		       const struct extra_check *extra)
{
	struct ktstr_storm_limits l = ktstr_default_storm_limits;
	struct ktstr_limits gl = ktstr_default_limits;
	struct ktstr_workers *by, *w;
	uint64_t t0;

	gl.min_work_share = STORM_MIN_SHARE;
	by = bystanders(_metadata, &k->topo);
	ASSERT_NE(NULL, by);
	t0 = ktstr_now_ns();
	w = start(_metadata, spec);
	ASSERT_NE(NULL, w);
	if (ktstr_workers_wait_work(w, count, STORM_LIMIT_MS))
		TH_LOG("%s", ktstr_errmsg());
	ksft_print_msg("%s: %llu ms\n", spec->name,
		       (unsigned long long)(ktstr_now_ns() - t0) / 1000000);
	stop_and_check_with(_metadata, w, spec->name, &gl);
	l.min_tasks = count;
	EXPECT_KTSTR(ktstr_check_storm, w, &l, &k->sched);
	if (extra)
		extra->fn(_metadata, k, w);
	stop_and_check(_metadata, by, "bystanders");
	EXPECT_KTSTR(ktstr_check_attached, &k->sched);
	ktstr_workers_free(w);
	ktstr_workers_free(by);
}

static void storm(struct __test_metadata *_metadata, struct ktstr_fixture *k,
		  const struct ktstr_work_spec *spec, uint64_t count)
{
	storm_then(_metadata, k, spec, count, NULL);
}

/*
 * 10,000 tasks created and exited: a scheduler that keeps something per
 * task and never frees it runs out after a few thousand (forks fail
 * with ENOMEM, or it errors out).  Each storm worker keeps to a CPU of
 * its own, children included: under TCG a wake-up across vCPUs waits
 * for the emulator's round robin, and unpinned the storm ran at a third
 * of the rate (447/s against 1575/s, idle 1n3l3c1t guest).  So the CPUs
 * of the storm hold a worker and its child each, pinned there, while the
 * others hold a bystander: uneven by design, and the monitor's imbalance
 * verdict is off (EEVDF reached 5.0 of 8 in calibration, and 20 once
 * beside another VM, a bystander a second late to spread).
 */
KTSTR_TEST_F(storms, fork_exit_storm, STORM_TEST_S, .topology = "1n2l2c1t",
	     .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_FORK_EXIT, .nr_workers = 2,
		.one_cpu_each = true, .name = "fork-exit storm",
	};

	storm(_metadata, &self->k, &spec, FORK_EXIT_TASKS);
}

KTSTR_TEST_F(storms, thread_churn, STORM_TEST_S, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_THREAD_CHURN, .nr_workers = 2,
		.name = "thread churn",
	};

	storm(_metadata, &self->k, &spec, THREAD_CHURN_TASKS);
}

KTSTR_TEST_F(storms, exec_storm, STORM_TEST_S, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_EXEC, .nr_workers = 2,
		.name = "exec storm",
	};

	storm(_metadata, &self->k, &spec, EXEC_TASKS);
}

/*
 * Policies cycle OTHER -> BATCH -> IDLE (-> EXT when the scheduler runs
 * in partial mode, where SCHED_EXT moves a task between classes).
 */
KTSTR_TEST_F(storms, policy_switch_storm, STORM_TEST_S,
	     .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_POLICY_SWITCH,
		.nr_workers = self->k.topo.nr_cpus,
		.name = "policy switches",
	};

	ksft_print_msg("SCHED_EXT %s\n", ktstr_sched_ext_partial() ?
		       "in the cycle (partial mode)" :
		       "left out: no sched_ext scheduler in partial mode");
	storm(_metadata, &self->k, &spec, POLICY_SWITCHES);
}

/*
 * Spinning tasks, always runnable, their affinity changed nonstop by
 * other tasks: none may be stranded where it may no longer run.
 */
/*
 * The random masks confine the moved tasks to a few CPUs at a time, and
 * the host monitor's imbalance verdict would see that.
 */
KTSTR_TEST_F(storms, affinity_storm, STORM_TEST_S, .topology = "1n2l2c1t",
	     .min_cpus = 2, .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_work_spec tspec = {
		.kind = KTSTR_WORK_SPIN, .nr_workers = self->k.topo.nr_cpus,
		.name = "moved",
	};
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_AFFINITY_STORM, .nr_workers = 2,
		.name = "affinity storm",
	};
	struct ktstr_storm_limits l = ktstr_default_storm_limits;
	struct ktstr_limits gl = ktstr_default_limits;
	struct ktstr_workers *moved, *w;
	uint64_t t0;

	gl.min_work_share = STORM_MIN_SHARE;
	moved = start(_metadata, &tspec);
	ASSERT_NE(NULL, moved);
	spec.target = moved;
	t0 = ktstr_now_ns();
	w = start(_metadata, &spec);
	ASSERT_NE(NULL, w);
	if (ktstr_workers_wait_work(w, AFFINITY_CHANGES, STORM_LIMIT_MS))
		TH_LOG("%s", ktstr_errmsg());
	ksft_print_msg("%s: %llu ms\n", spec.name,
		       (unsigned long long)(ktstr_now_ns() - t0) / 1000000);
	stop_and_check_with(_metadata, w, spec.name, &gl);
	l.min_tasks = AFFINITY_CHANGES;
	EXPECT_KTSTR(ktstr_check_storm, w, &l, &self->k.sched);
	stop_and_check(_metadata, moved, tspec.name);
	EXPECT_KTSTR(ktstr_check_cpus, moved, &self->k.topo.all);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(w);
	ktstr_workers_free(moved);
}

static void check_kill_exit(struct __test_metadata *_metadata,
			    struct ktstr_fixture *k, struct ktstr_workers *w)
{
	EXPECT_KTSTR(ktstr_check_kill_exit, w, &ktstr_default_storm_limits);
}

static const struct extra_check kill_exit = { check_kill_exit };

/*
 * Tasks killed while runnable: more spinning children than CPUs, so
 * most are queued when the SIGKILL comes; each must still get a CPU to
 * exit on, promptly.
 */
KTSTR_TEST_F(storms, kill_while_queued, STORM_TEST_S, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_KILL_CHURN,
		.nr_workers = self->k.topo.nr_cpus / 2 + 1, .tasks = 4,
		.name = "killers",
	};

	storm_then(_metadata, &self->k, &spec, KILLS, &kill_exit);
}

/*
 * Runs the group @spec beside a spinner per CPU for RUN_MS, then checks
 * both (@spec's group with the limits @l, and @extra if any).
 */
static void beside_spinners(struct __test_metadata *_metadata,
			    struct ktstr_fixture *k,
			    const struct ktstr_work_spec *spec,
			    const struct ktstr_limits *l,
			    const struct extra_check *extra)
{
	struct ktstr_work_spec sspec = {
		.kind = KTSTR_WORK_SPIN, .nr_workers = k->topo.nr_cpus,
		.name = "spinners",
	};
	struct ktstr_workers *w, *s;

	w = start(_metadata, spec);
	ASSERT_NE(NULL, w);
	s = start(_metadata, &sspec);
	ASSERT_NE(NULL, s);
	ktstr_sleep_ms(RUN_MS);
	stop_and_check_with(_metadata, w, spec->name, l);
	if (extra)
		extra->fn(_metadata, k, w);
	stop_and_check(_metadata, s, sspec.name);
	EXPECT_KTSTR(ktstr_check_attached, &k->sched);
	ktstr_workers_free(w);
	ktstr_workers_free(s);
}

/*
 * Yielding nonstop beside spinners: both sides keep going.  A yielder
 * that a global-queue scheduler (scx_simple) puts back counts as
 * runnable on the runqueue of the CPU it last ran on, however the
 * queue is served: the host monitor's imbalance verdict saw 9.5 there
 * (1n3l3c1t) and is not judged.  Nor is its keep-last rate: every yield
 * that finds nothing else queued keeps the yielder running and counts
 * as SCX_EV_DISPATCH_KEEP_LAST, so the rate is the yield rate (709/s
 * per CPU under scx_simple on numa2-llc1-smt, against 500).
 */
KTSTR_TEST_F(storms, yield_storm, STORM_TEST_S, .topology = "1n2l2c1t",
	     .monitor = { .off = KTSTR_MON_IMBALANCE |
				 KTSTR_MON_KEEP_LAST_RATE })
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_YIELD_STORM,
		.nr_workers = 2 * self->k.topo.nr_cpus, .name = "yielders",
	};
	struct ktstr_limits l = ktstr_default_limits;

	l.min_work_share = STORM_MIN_SHARE;
	beside_spinners(_metadata, &self->k, &spec, &l, NULL);
}

/* Every thread was created (no failure), and each did a burst. */
static void check_threads(struct __test_metadata *_metadata,
			  struct ktstr_fixture *k, struct ktstr_workers *w)
{
	struct ktstr_storm_limits l = ktstr_default_storm_limits;

	ksft_print_msg("%u threads on %u CPUs\n",
		       ktstr_workers_count(w) * THREADS_PER_CPU,
		       k->topo.nr_cpus);
	l.min_tasks = 1;
	EXPECT_KTSTR(ktstr_check_storm, w, &l, &k->sched);
}

static const struct extra_check threads = { check_threads };

/*
 * 50 threads per CPU, each waking every 500 ms for a short burst (a big
 * thread pool), beside a spinner per CPU: every thread must get a CPU
 * soon after each wake-up.  A worker's work is its slowest thread's
 * bursts and its longest gap the longest any of its threads went
 * without one, so one forgotten thread fails the worker.
 */
KTSTR_TEST_F(storms, many_threads, STORM_TEST_S, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_THREADS, .nr_workers = self->k.topo.nr_cpus,
		.tasks = THREADS_PER_CPU, .period_us = THREAD_PERIOD_US,
		.name = "threads",
	};

	beside_spinners(_metadata, &self->k, &spec, &ktstr_default_limits,
			&threads);
}

TEST_HARNESS_MAIN
