// SPDX-License-Identifier: GPL-2.0
/*
 * The verdicts on series made here sample by sample: each condition
 * trips where it should, names the CPU and the window, stays quiet where
 * it should not, and follows the limits a test sets.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "error.h"
#include "verdict.h"

#define CPUS 4
#define IDLE_TASK 0x1000
#define TASK(n) (0x2000 + (n) * 0x100)

FIXTURE(series) {
	struct kt_layout layout;
	struct kt_series s;
	struct kt_monitor_limits limits;
	struct kt_monitor_verdict v[KT_NR_VERDICTS];
};

FIXTURE_SETUP(series)
{
	struct kt_layout *l = &self->layout;

	memset(l, 0, sizeof(*l));
	l->f[KT_RQ_SCX_NR_RUNNING].available = true;
	l->f[KT_RQ_LOCAL_DSQ_NR].available = true;
	l->nr_events = 2;
	snprintf(l->events[0].name, sizeof(l->events[0].name),
		 "SCX_EV_SELECT_CPU_FALLBACK");
	snprintf(l->events[1].name, sizeof(l->events[1].name),
		 "SCX_EV_DISPATCH_KEEP_LAST");
	kt_series_init(&self->s, l, CPUS, 100);
	kt_monitor_limits_default(&self->limits);
}

FIXTURE_TEARDOWN(series)
{
	kt_series_free(&self->s);
}

/*
 * @n samples, 100 ms apart, of a busy, healthy machine under a sched_ext
 * scheduler: two tasks per CPU taking turns, counters moving slowly.
 */
static void healthy(struct kt_series *s, unsigned int n)
{
	unsigned int i, cpu;

	for (i = 0; i < n; i++) {
		struct kt_sample *x = kt_series_add(s);

		x->host_s = 1000 + i * 0.1;
		x->jiffies = 5000 + i * 25;
		snprintf(x->scheduler, sizeof(x->scheduler), "simple");
		for (cpu = 0; cpu < CPUS; cpu++) {
			struct kt_cpu_sample *c = &x->cpu[cpu];

			c->v[KT_CV_NR_RUNNING] = 2;
			c->v[KT_CV_SCX_NR_RUNNING] = 2;
			c->v[KT_CV_LOCAL_DSQ] = 1;
			c->v[KT_CV_CLOCK] = i * 100000000LL;
			c->v[KT_CV_NR_SWITCHES] = i * 5;
			c->curr = TASK(cpu * 2 + i % 2);
			c->curr_scx = true;
			c->events[0] = i + cpu;
			c->events[1] = i;
		}
	}
}

static struct kt_cpu_sample *at(struct kt_series *s, size_t i,
				unsigned int cpu)
{
	return &s->samples[i].cpu[cpu];
}

TEST_F(series, a_healthy_run_passes_every_verdict)
{
	unsigned int k;

	healthy(&self->s, 100);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	for (k = 0; k < KT_NR_VERDICTS; k++) {
		EXPECT_TRUE(self->v[k].evaluated) TH_LOG("%s",
				kt_monitor_verdict_name(k));
		EXPECT_FALSE(self->v[k].failed) TH_LOG("%s: %s",
				kt_monitor_verdict_name(k), self->v[k].detail);
	}
	EXPECT_FALSE(kt_verdicts_failed(self->v));
	/* 1 per 100 ms on each CPU. */
	EXPECT_EQ(10, (int)(self->v[KT_V_FALLBACK_RATE].value + 0.5));
}

TEST_F(series, a_cpu_that_idles_with_tasks_waiting_is_a_stall)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	size_t i;

	healthy(&self->s, 100);
	/* From sample 40 on, cpu 2 idles while one task waits there. */
	for (i = 40; i < 70; i++) {
		at(&self->s, i, 2)->curr = IDLE_TASK;
		at(&self->s, i, 2)->curr_idle = true;
		at(&self->s, i, 2)->curr_scx = false;
		at(&self->s, i, 2)->v[KT_CV_SCX_NR_RUNNING] = 1;
		/* A kworker passing through does not end the stall. */
		at(&self->s, i, 2)->v[KT_CV_NR_SWITCHES] = i;
	}
	/* The guest stood still for an interval: the stall goes on. */
	self->s.samples[50].jiffies = self->s.samples[49].jiffies;
	at(&self->s, 50, 2)->v[KT_CV_CLOCK] = at(&self->s, 49, 2)->v[KT_CV_CLOCK];
	kt_verdicts_eval(&self->s, &self->limits, v - KT_V_STALL);
	EXPECT_TRUE(v->tripped);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(2, v->cpu);
	EXPECT_EQ(29, (int)v->value);
	EXPECT_NE(NULL, strstr(v->detail, "cpu 2: 1 runnable sched_ext task(s) waiting while the CPU stayed idle for 29 samples (4.0s to 6.9s"))
		TH_LOG("%s", v->detail);
}

TEST_F(series, a_task_that_is_never_switched_out_is_a_stall)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	size_t i;

	healthy(&self->s, 100);
	for (i = 10; i < 35; i++) {
		at(&self->s, i, 1)->curr = TASK(9);
		at(&self->s, i, 1)->v[KT_CV_CURR_PID] = 99;
		snprintf(at(&self->s, i, 1)->comm, KT_COMM_LEN, "hog");
		at(&self->s, i, 1)->v[KT_CV_NR_SWITCHES] = 50;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(1, v->cpu);
	EXPECT_NE(NULL, strstr(v->detail, "pid 99 (hog) ran on, never switched out"))
		TH_LOG("%s", v->detail);
}

/* Two tasks switching twice an interval look alike at every sample. */
TEST_F(series, the_same_task_at_each_sample_is_not_a_stall_if_it_switched)
{
	size_t i;

	healthy(&self->s, 100);
	for (i = 0; i < 100; i++)
		at(&self->s, i, 3)->curr = TASK(7);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(self->v[KT_V_STALL].tripped)
		TH_LOG("%s", self->v[KT_V_STALL].detail);
}

TEST_F(series, no_stall_without_a_scheduler_or_while_time_stands_still)
{
	size_t i;

	healthy(&self->s, 60);
	for (i = 0; i < 60; i++) {
		at(&self->s, i, 0)->curr = TASK(1);
		at(&self->s, i, 0)->v[KT_CV_NR_SWITCHES] = 7;
		/* The guest stopped (a paused VM): no guest time passes. */
		self->s.samples[i].jiffies = 5000;
		at(&self->s, i, 0)->v[KT_CV_CLOCK] = 42;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(self->v[KT_V_STALL].tripped) TH_LOG("%s", self->v[KT_V_STALL].detail);
	for (i = 0; i < 60; i++) {
		self->s.samples[i].jiffies = 5000 + i;
		self->s.samples[i].scheduler[0] = '\0';
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(self->v[KT_V_STALL].tripped);
}

TEST_F(series, an_idle_cpu_beside_a_queue_is_an_imbalance)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];
	size_t i;

	healthy(&self->s, 50);
	for (i = 20; i < 30; i++) {
		at(&self->s, i, 0)->v[KT_CV_NR_RUNNING] = 0;
		at(&self->s, i, 3)->v[KT_CV_NR_RUNNING] = 6;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(0, v->cpu);
	EXPECT_NE(NULL, strstr(v->detail, "2.0s to 2.9s: cpu 0 averaged 0.00 runnable, cpu 3 6.00 (ratio 60.0"))
		TH_LOG("%s", v->detail);
	/* A test that confines tasks on purpose turns it off. */
	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, "imbalance=0"));
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->evaluated);
	EXPECT_FALSE(v->failed);
}

TEST_F(series, fewer_tasks_than_cpus_is_no_imbalance)
{
	size_t i;
	unsigned int cpu;

	healthy(&self->s, 50);
	for (i = 0; i < 50; i++)
		for (cpu = 0; cpu < CPUS; cpu++)
			at(&self->s, i, cpu)->v[KT_CV_NR_RUNNING] = cpu == 0;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(self->v[KT_V_IMBALANCE].tripped)
		TH_LOG("%s", self->v[KT_V_IMBALANCE].detail);
}

TEST_F(series, a_deep_local_dsq_and_fast_counters_trip_their_limits)
{
	size_t i;

	healthy(&self->s, 50);
	at(&self->s, 33, 1)->v[KT_CV_LOCAL_DSQ] = 80;
	for (i = 0; i < 50; i++)
		at(&self->s, i, 2)->events[1] = i * 5000;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(self->v[KT_V_LOCAL_DSQ].failed);
	EXPECT_EQ(1, self->v[KT_V_LOCAL_DSQ].cpu);
	EXPECT_NE(NULL, strstr(self->v[KT_V_LOCAL_DSQ].detail, "80 tasks on cpu 1 at 3.3s (limit 32)"))
		TH_LOG("%s", self->v[KT_V_LOCAL_DSQ].detail);
	EXPECT_TRUE(self->v[KT_V_KEEP_LAST_RATE].failed);
	EXPECT_NE(NULL, strstr(self->v[KT_V_KEEP_LAST_RATE].detail, "SCX_EV_DISPATCH_KEEP_LAST rate: 12507.5/s per CPU"))
		TH_LOG("%s", self->v[KT_V_KEEP_LAST_RATE].detail);
	EXPECT_FALSE(self->v[KT_V_FALLBACK_RATE].failed);
	/* Raised limits let the same run pass. */
	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, "local_dsq_depth=100"));
	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, "dispatch_keep_last_rate=15000"));
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(kt_verdicts_failed(self->v));
}

TEST_F(series, an_expected_verdict_must_trip)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];

	healthy(&self->s, 50);
	self->limits.expect = KT_V_BIT(KT_V_STALL);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_FALSE(v->tripped);
	EXPECT_NE(NULL, strstr(v->detail, "expected to trip, did not"))
		TH_LOG("%s", v->detail);
}

TEST_F(series, unavailable_fields_leave_their_verdicts_unjudged)
{
	healthy(&self->s, 50);
	self->layout.f[KT_RQ_SCX_NR_RUNNING].available = false;
	self->layout.f[KT_RQ_LOCAL_DSQ_NR].available = false;
	self->layout.nr_events = 0;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(self->v[KT_V_STALL].evaluated);
	EXPECT_FALSE(self->v[KT_V_LOCAL_DSQ].evaluated);
	EXPECT_FALSE(self->v[KT_V_FALLBACK_RATE].evaluated);
	EXPECT_TRUE(self->v[KT_V_IMBALANCE].evaluated);
}

TEST(limits_are_parsed_and_bad_ones_named)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "stall", "--limit 'stall': expected NAME=VALUE" },
		{ "=3", "--limit '=3': expected NAME=VALUE" },
		{ "stall=", "the value must be a number >= 0" },
		{ "stall=x", "the value must be a number >= 0" },
		{ "stall=-2", "the value must be a number >= 0" },
		{ "stall=1.5", "a whole number of samples" },
		{ "imbalance_window=1", "at least 2" },
		{ "warp=9", "no verdict 'warp'" },
	};
	struct kt_monitor_limits l;
	size_t i;

	kt_monitor_limits_default(&l);
	ASSERT_EQ(0, kt_monitor_limit_set(&l, "stall=30"));
	ASSERT_EQ(0, kt_monitor_limit_set(&l, "imbalance=2.5"));
	ASSERT_EQ(0, kt_monitor_limit_set(&l, "imbalance_window=20"));
	EXPECT_EQ(30, l.stall_samples);
	EXPECT_EQ(2.5, l.max_imbalance);
	EXPECT_EQ(20, l.imbalance_window);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, kt_monitor_limit_set(&l, bad[i].text));
		EXPECT_NE(NULL, strstr(kt_errmsg(), bad[i].error))
			TH_LOG("%s: %s", bad[i].text, kt_errmsg());
	}
	EXPECT_EQ(KT_V_STALL, kt_monitor_verdict_parse("stall"));
	EXPECT_EQ(-1, kt_monitor_verdict_parse("stal"));
}

TEST_HARNESS_MAIN
