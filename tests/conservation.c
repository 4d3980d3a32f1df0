// SPDX-License-Identifier: GPL-2.0
/*
 * Work conservation: no CPU may idle while a task that could run there
 * waits.  ktstr_check_conservation() bounds that idle time from below
 * with the guest's own accounting (per-CPU idle time from /proc/stat,
 * each worker's schedstat CPU time and run delay over the run); a
 * work-conserving scheduler keeps the bound at 0.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

#define RUN_MS 3000
/* Bursty workers: 20 ms periods, busy half of each, all in step. */
#define BURST_PERIOD_US 20000
/*
 * sleepers_vs_spinners: sleepers sleep 2 s, then spin for 1.5 s.  A
 * scheduler that lets a sleeper keep the credit of its whole sleep runs
 * the sleepers alone for their whole burst: the spinners see a 1.5 s
 * gap.  A scheduler that bounds the credit (EEVDF's lag, scx_simple's
 * one slice) shares the CPUs at once; the spinners' longest gap then is
 * the emulator's noise, under 500 ms in every run measured.  Half the
 * burst separates the two.
 */
#define SLEEP_BURST_PERIOD_US 3500000
#define SLEEP_BURST_DUTY_PCT 43
#define SLEEP_BURST_RUN_MS 4000
#define CREDIT_GAP_MS 750

KTSTR_FIXTURE(conservation);
KTSTR_RUN_UNDER(conservation, eevdf, "eevdf");
KTSTR_RUN_UNDER(conservation, scx_simple, "scx_simple");

/* Runs @spec's groups; every one must progress, group 0 be conserved. */
static void run_conserved(struct __test_metadata *_metadata,
			  struct ktstr_fixture *k,
			  const struct ktstr_work_spec *spec, unsigned int n,
			  unsigned int ms, const struct ktstr_limits *gap)
{
	struct ktstr_workers *w[2];
	unsigned int i;

	ASSERT_GE(2, n);
	ASSERT_EQ(0, ktstr_workers_run(spec, n, ms, w))
		TH_LOG("%s", ktstr_errmsg());
	for (i = 0; i < n; i++)
		EXPECT_KTSTR(ktstr_check_progress, w[i], &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_conservation, w[0], &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_max_gap, w[0], gap);
	EXPECT_KTSTR(ktstr_check_attached, &k->sched);
	ktstr_workers_free_all(w, n);
}

/*
 * Half as many spinners as CPUs (rounded up): each should have a CPU of
 * its own, and the other CPUs idle; a scheduler that leaves idle CPUs
 * asleep while spinners queue elsewhere shows as idle beyond N - k.
 */
KTSTR_TEST_F(conservation, spinners_fewer_than_cpus, 120,
	     .topology = "1n2l2c1t", .min_cpus = 2)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN,
		.nr_workers = (self->k.topo.nr_cpus + 1) / 2,
		.name = "spinners",
	};

	run_conserved(_metadata, &self->k, &spec, 1, RUN_MS,
		      &ktstr_default_limits);
}

/*
 * Half as many bursty workers as CPUs, all waking at the same moment
 * every 20 ms and spinning for 10 ms: at each burst every one of them
 * should get an idle CPU at once, so their run delay is time a CPU
 * idled while they waited.
 */
KTSTR_TEST_F(conservation, bursty_wakeups, 120, .topology = "1n2l2c1t",
	     .min_cpus = 2)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_BURSTY,
		.nr_workers = self->k.topo.nr_cpus / 2,
		.period_us = BURST_PERIOD_US,
		.name = "bursty",
	};

	run_conserved(_metadata, &self->k, &spec, 1, RUN_MS,
		      &ktstr_default_limits);
}

/*
 * One spinner per CPU and one sleeper per CPU that wakes after 2 s for
 * a 1.5 s burst: the spinners must keep running through the burst
 * (their gap stays short: the sleepers' credit is bounded) and no CPU
 * idles while they wait.
 */
KTSTR_TEST_F(conservation, sleepers_vs_spinners, 120,
	     .topology = "1n2l2c1t")
{
	struct ktstr_limits gap = ktstr_default_limits;
	struct ktstr_work_spec spec[2] = {
		{ .kind = KTSTR_WORK_SPIN, .name = "spinners",
		  .nr_workers = self->k.topo.nr_cpus },
		{ .kind = KTSTR_WORK_SLEEP_BURST, .name = "sleepers",
		  .nr_workers = self->k.topo.nr_cpus,
		  .period_us = SLEEP_BURST_PERIOD_US,
		  .duty_pct = SLEEP_BURST_DUTY_PCT },
	};

	gap.max_gap_ms = CREDIT_GAP_MS;
	run_conserved(_metadata, &self->k, spec, 2, SLEEP_BURST_RUN_MS, &gap);
}

/*
 * One spinner fewer than CPUs, across two NUMA nodes, with sleep/IO
 * workers waking on every CPU: more spinners than any one node has
 * CPUs, so a scheduler that keeps to one node (or one LLC) leaves CPUs
 * of the other idle while spinners wait.  On one node it is the same
 * check over its LLCs.
 */
KTSTR_TEST_F(conservation, numa_spread, 120, .topology = "2n2l2c1t",
	     .min_cpus = 2)
{
	struct ktstr_work_spec spec[2] = {
		{ .kind = KTSTR_WORK_SPIN, .name = "spinners",
		  .nr_workers = self->k.topo.nr_cpus - 1 },
		{ .kind = KTSTR_WORK_SLEEP_IO, .name = "sleep-io",
		  .nr_workers = self->k.topo.nr_cpus },
	};

	run_conserved(_metadata, &self->k, spec, 2, RUN_MS,
		      &ktstr_default_limits);
}

TEST_HARNESS_MAIN
