// SPDX-License-Identifier: GPL-2.0
/*
 * Real-time tasks beside the scheduler under test.  SCHED_FIFO runs
 * above sched_ext and fair: when an RT task takes a CPU, the tasks the
 * scheduler had queued there must get on elsewhere.  The rule and its
 * reason are in Documentation/assertions.md ("RT tasks").
 */
#include <stdio.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

/* Several of the kernel's 1 s ext-server periods. */
#define HOG_RUN_MS 6000
#define BURST_RUN_MS 4000
/* Before the hogs come: the spinners spread over every CPU. */
#define SPREAD_MS 500
/* Enough that a per-CPU queue holds several (Documentation/assertions.md). */
#define SPINNERS_PER_CPU 3
/* RT bursts: every 20 ms, 5 ms on every CPU at once. */
#define BURST_PERIOD_US 20000
#define BURST_DUTY_PCT 25

KTSTR_FIXTURE(rt);
KTSTR_RUN_UNDER(rt, eevdf, "eevdf");
KTSTR_RUN_UNDER(rt, scx_simple, "scx_simple");

/* One worker of @spec's kind on each CPU of @cpus. */
static struct ktstr_workers *start_pinned(struct ktstr_work_spec spec,
					  const cpu_set_t *cpus)
{
	spec.nr_workers = CPU_COUNT(cpus);
	spec.affinity = cpus;
	spec.one_cpu_each = true;
	return ktstr_workers_start(&spec);
}

static void stop_pinned(struct __test_metadata *_metadata,
			struct ktstr_workers *w)
{
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	ktstr_print_stats(ktstr_workers_name(w), w);
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
}

/* Twice as many spinners as CPUs, free to run anywhere. */
static struct ktstr_workers *start_spinners(const struct ktstr_topo *t)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN, .nr_workers = 2 * t->nr_cpus,
		.name = "sched_ext/fair spinners",
	};

	return ktstr_workers_start(&spec);
}

/*
 * SCHED_FIFO hogs take half of the CPUs (the odd ones) for the whole
 * run, beside three spinners per CPU that may run anywhere: the
 * spinners queued on the CPUs the hogs take must not stay there.
 */
KTSTR_TEST_F(rt, rt_hog_some_cpus, 120, .topology = "1n2l2c1t",
	     .min_cpus = 2, .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_work_spec hog = {
		.kind = KTSTR_WORK_RT_HOG, .name = "SCHED_FIFO hogs",
	};
	struct ktstr_work_spec spin = {
		.kind = KTSTR_WORK_SPIN, .name = "sched_ext/fair spinners",
	};
	struct ktstr_topo *t = &self->k.topo;
	struct ktstr_workers *w, *hogs;
	cpu_set_t hogged;
	char list[256];

	if (ktstr_cpus_rt_hogged(t, &hogged))
		SKIP(return, "%s", ktstr_errmsg());
	ksft_print_msg("SCHED_FIFO hogs on CPUs %s\n",
		       ktstr_cpus_format(&hogged, list, sizeof(list)));
	spin.nr_workers = SPINNERS_PER_CPU * t->nr_cpus;
	w = ktstr_workers_start(&spin);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(SPREAD_MS);
	hogs = start_pinned(hog, &hogged);
	ASSERT_NE(NULL, hogs) TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_workers_sample_cpus(w, &hogged, HOG_RUN_MS))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	stop_pinned(_metadata, hogs);
	ktstr_print_stats(spin.name, w);
	EXPECT_KTSTR(ktstr_check_rt_displaced, w, &hogged,
		     &ktstr_default_rt_limits);
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(hogs);
	ktstr_workers_free(w);
}

/*
 * RT tasks wake together on every CPU every 20 ms and run 5 ms: the
 * other tasks are preempted all the time, everywhere, and must still
 * all get on.
 */
KTSTR_TEST_F(rt, rt_bursts, 120, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec burst = {
		.kind = KTSTR_WORK_RT_BURST, .period_us = BURST_PERIOD_US,
		.duty_pct = BURST_DUTY_PCT, .name = "SCHED_FIFO bursts",
	};
	struct ktstr_workers *w, *bursts;
	struct ktstr_latency lat;

	w = start_spinners(&self->k.topo);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	bursts = start_pinned(burst, &self->k.topo.all);
	ASSERT_NE(NULL, bursts) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(BURST_RUN_MS);
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	stop_pinned(_metadata, bursts);
	if (!ktstr_workers_latency(bursts, &lat))
		ksft_print_msg("RT wake-up: p50 %llu us, p99 %llu us, max %llu us\n",
			       (unsigned long long)lat.p50_ns / 1000,
			       (unsigned long long)lat.p99_ns / 1000,
			       (unsigned long long)lat.max_ns / 1000);
	ktstr_print_stats("sched_ext/fair spinners", w);
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_fairness, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_max_gap, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(bursts);
	ktstr_workers_free(w);
}

TEST_HARNESS_MAIN
