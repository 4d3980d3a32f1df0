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

struct rt_groups {
	struct ktstr_workers *w[KTSTR_MAX_CPUS];
	cpu_set_t one[KTSTR_MAX_CPUS];
	unsigned int n;
};

/* One worker of @spec's kind pinned to each CPU of @cpus. */
static int start_pinned(struct rt_groups *g, struct ktstr_work_spec spec,
			const cpu_set_t *cpus)
{
	unsigned int cpu;
	char name[64];

	g->n = 0;
	spec.nr_workers = 1;
	spec.name = name;
	for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++) {
		if (!CPU_ISSET(cpu, cpus))
			continue;
		CPU_ZERO(&g->one[g->n]);
		CPU_SET(cpu, &g->one[g->n]);
		spec.affinity = &g->one[g->n];
		snprintf(name, sizeof(name), "%s cpu %u",
			 ktstr_work_kind_name(spec.kind), cpu);
		g->w[g->n] = ktstr_workers_start(&spec);
		if (!g->w[g->n])
			return -1;
		g->n++;
	}
	return 0;
}

static void stop_pinned(struct __test_metadata *_metadata,
			struct rt_groups *g)
{
	unsigned int i;

	for (i = 0; i < g->n; i++) {
		ASSERT_EQ(0, ktstr_workers_stop(g->w[i]))
			TH_LOG("%s", ktstr_errmsg());
		ktstr_print_stats(ktstr_workers_name(g->w[i]), g->w[i]);
		EXPECT_KTSTR(ktstr_check_progress, g->w[i],
			     &ktstr_default_limits);
	}
}

static void free_pinned(struct rt_groups *g)
{
	while (g->n)
		ktstr_workers_free(g->w[--g->n]);
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
	struct ktstr_work_spec hog = { .kind = KTSTR_WORK_RT_HOG };
	struct ktstr_work_spec spin = {
		.kind = KTSTR_WORK_SPIN, .name = "sched_ext/fair spinners",
	};
	struct ktstr_topo *t = &self->k.topo;
	struct rt_groups hogs = { 0 };
	struct ktstr_workers *w;
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
	ASSERT_EQ(0, start_pinned(&hogs, hog, &hogged))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_workers_sample_cpus(w, &hogged, HOG_RUN_MS))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	stop_pinned(_metadata, &hogs);
	ktstr_print_stats(spin.name, w);
	EXPECT_KTSTR(ktstr_check_rt_displaced, w, &hogged,
		     &ktstr_default_rt_limits);
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	free_pinned(&hogs);
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
		.duty_pct = BURST_DUTY_PCT,
	};
	struct rt_groups bursts = { 0 };
	struct ktstr_workers *w;
	struct ktstr_latency lat;

	w = start_spinners(&self->k.topo);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, start_pinned(&bursts, burst, &self->k.topo.all))
		TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(BURST_RUN_MS);
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	stop_pinned(_metadata, &bursts);
	if (!ktstr_workers_latency(bursts.w[0], &lat))
		ksft_print_msg("RT wake-up on cpu 0: p50 %llu us, p99 %llu us, max %llu us\n",
			       (unsigned long long)lat.p50_ns / 1000,
			       (unsigned long long)lat.p99_ns / 1000,
			       (unsigned long long)lat.max_ns / 1000);
	ktstr_print_stats("sched_ext/fair spinners", w);
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_fairness, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_max_gap, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	free_pinned(&bursts);
	ktstr_workers_free(w);
}

TEST_HARNESS_MAIN
