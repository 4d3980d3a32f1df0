// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-up latency: how long after being woken a task runs, measured in
 * the guest with CLOCK_MONOTONIC on both sides (the waker stamps the
 * post, the wakee subtracts it when it runs; a timer sleeper subtracts
 * its deadline).  Each scenario checks the group's p99 and maximum
 * (ktstr_check_latency()); wake_to_idle_cpu also its median, since
 * there every wake-up of a scheduler that ignores idle CPUs is late.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

#define RUN_MS 3000
/*
 * wake_to_idle_cpu: a wakee that is placed on an idle CPU runs within
 * the emulator's wake-up cost; one queued behind a spinner waits for the
 * rest of the spinner's slice (sched_ext's default is 20 ms, half of it
 * on average), on every wake-up.  Between the two, under TCG.
 */
#define IDLE_CPU_P50_US 5000

KTSTR_FIXTURE(latency);
KTSTR_RUN_UNDER(latency, eevdf, "eevdf");
KTSTR_RUN_UNDER(latency, scx_simple, "scx_simple");

static void run_one(struct __test_metadata *_metadata, struct ktstr_fixture *k,
		    const struct ktstr_work_spec *spec,
		    const struct ktstr_limits *l)
{
	struct ktstr_workers *w;

	ASSERT_EQ(0, ktstr_workers_run(spec, 1, RUN_MS, &w))
		TH_LOG("%s", ktstr_errmsg());
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_latency, w, l);
	EXPECT_KTSTR(ktstr_check_attached, &k->sched);
	ktstr_workers_free(w);
}

/*
 * A message thread wakes one worker per CPU every 10 ms; each records
 * how long after its post it ran, thinks a little and waits again.
 */
KTSTR_TEST_F(latency, schbench_wakeups, 120, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SCHBENCH,
		.nr_workers = self->k.topo.nr_cpus + 1,
		.name = "schbench",
	};

	run_one(_metadata, &self->k, &spec, &ktstr_default_limits);
}

/* Pairs bouncing a byte over pipes, one pair per two CPUs. */
KTSTR_TEST_F(latency, pipe_pingpong, 120, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_PIPE_PINGPONG,
		.nr_workers = 2 * (self->k.topo.nr_cpus / 2 ?: 1),
		.name = "pipe pairs",
	};

	run_one(_metadata, &self->k, &spec, &ktstr_default_limits);
}

/* The same with a futex word handed back and forth. */
KTSTR_TEST_F(latency, futex_pingpong, 120, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_FUTEX_PINGPONG,
		.nr_workers = 2 * (self->k.topo.nr_cpus / 2 ?: 1),
		.name = "futex pairs",
	};

	run_one(_metadata, &self->k, &spec, &ktstr_default_limits);
}

/* The first half (rounded down) of every LLC's CPUs. */
static unsigned int half_of_each_llc(const struct ktstr_topo *t,
				     cpu_set_t *out)
{
	unsigned int i, cpu, taken;

	CPU_ZERO(out);
	for (i = 0; i < t->nr_llcs; i++) {
		taken = 0;
		for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++) {
			if (!CPU_ISSET(cpu, &t->llc[i]) ||
			    taken >= (unsigned int)CPU_COUNT(&t->llc[i]) / 2)
				continue;
			CPU_SET(cpu, out);
			taken++;
		}
	}
	return CPU_COUNT(out);
}

/*
 * Spinners hold half of every LLC's CPUs; as many timer sleepers (10 ms
 * period) start on those busy CPUs and may then run anywhere.  Every
 * LLC keeps idle CPUs, so a scheduler that puts a woken task on an idle
 * CPU (even only within the LLC, as EEVDF does) runs it at once; one
 * that queues it on its busy previous CPU makes it wait for the
 * spinner's slice at every wake-up, which shows in the median.
 */
KTSTR_TEST_F(latency, wake_to_idle_cpu, 120, .topology = "1n2l2c1t",
	     .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_limits l = ktstr_default_limits;
	struct ktstr_work_spec spec[2] = {
		{ .kind = KTSTR_WORK_SPIN, .name = "spinners" },
		{ .kind = KTSTR_WORK_TIMER, .name = "timer wakees" },
	};
	struct ktstr_workers *w[2];
	cpu_set_t busy;
	unsigned int n = half_of_each_llc(&self->k.topo, &busy);

	if (!n)
		SKIP(return, "no LLC has 2 CPUs: no idle CPU next to a busy one");
	spec[0].nr_workers = n;
	spec[0].affinity = &busy;
	spec[1].nr_workers = n;
	spec[1].start_affinity = &busy;
	l.max_lat_p50_us = IDLE_CPU_P50_US;
	ASSERT_EQ(0, ktstr_workers_run(spec, 2, RUN_MS, w))
		TH_LOG("%s", ktstr_errmsg());
	EXPECT_KTSTR(ktstr_check_progress, w[0], &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_progress, w[1], &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_latency, w[1], &l);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free_all(w, 2);
}

TEST_HARNESS_MAIN
