// SPDX-License-Identifier: GPL-2.0
/*
 * Work conservation: no CPU may idle while a task that could run there
 * waits.  ktstr_check_conservation() bounds that idle time from below
 * with the guest's own accounting (per-CPU idle time from /proc/stat,
 * each worker's schedstat CPU time and run delay over the run); a
 * work-conserving scheduler keeps the bound at 0.
 *
 * Scenarios that leave CPUs idle by design turn the host monitor's
 * imbalance verdict off: a CPU with nothing to run beside one with a
 * spinner and a sleeper is the point, not an imbalance.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

#define RUN_MS 3000
/*
 * Spinners with a CPU each do the same work but for the emulator's
 * noise: 0.08 apart in the runs measured, where the default allows
 * 0.75 for tasks that share CPUs.  Two of them crowded onto one CPU do
 * half as much as the others: a spread of at least 0.5.
 */
#define ALONE_SPREAD 0.4
/* Bursty workers: 20 ms periods, busy half of each, all in step. */
#define BURST_PERIOD_US 20000
/*
 * sleepers_vs_spinners: sleepers sleep 2 s, then spin for 1.5 s.  Within
 * the burst (a margin off each end for the wake-ups and the emulator),
 * sleepers and spinners compete as equals.
 */
#define SLEEP_BURST_PERIOD_US 3500000
#define SLEEP_BURST_DUTY_PCT 43
#define SLEEP_BURST_RUN_MS 4000
#define BURST_FROM_MS 2100
#define BURST_TO_MS 3400
#define SLEEPER_SHARE_TOLERANCE 0.08

KTSTR_FIXTURE(conservation);
KTSTR_RUN_UNDER(conservation, eevdf, "eevdf");
KTSTR_RUN_UNDER(conservation, scx_simple, "scx_simple");

/*
 * Runs @spec's groups; every one must progress, group 0 be conserved
 * (and, if @spread is not 0, its workers within @spread of each other).
 */
static void run_conserved(struct __test_metadata *_metadata,
			  struct ktstr_fixture *k,
			  const struct ktstr_work_spec *spec, unsigned int n,
			  unsigned int ms, double spread)
{
	struct ktstr_limits l = ktstr_default_limits;
	struct ktstr_workers *w[2];
	unsigned int i;

	ASSERT_GE(2, n);
	ASSERT_EQ(0, ktstr_workers_run(spec, n, ms, w))
		TH_LOG("%s", ktstr_errmsg());
	for (i = 0; i < n; i++)
		EXPECT_KTSTR(ktstr_check_progress, w[i], &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_conservation, w[0], &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_max_gap, w[0], &ktstr_default_limits);
	if (spread) {
		l.max_spread = spread;
		EXPECT_KTSTR(ktstr_check_fairness, w[0], &l);
	}
	EXPECT_KTSTR(ktstr_check_attached, &k->sched);
	ktstr_workers_free_all(w, n);
}

/*
 * Half as many spinners as CPUs (rounded up): each should have a CPU of
 * its own, and the other CPUs idle; a scheduler that leaves idle CPUs
 * asleep while spinners queue elsewhere shows as idle beyond N - k.
 */
KTSTR_TEST_F(conservation, spinners_fewer_than_cpus, 120, .topology = "1n2l2c1t",
	     .min_cpus = 2, .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN,
		.nr_workers = (self->k.topo.nr_cpus + 1) / 2,
		.name = "spinners",
	};

	run_conserved(_metadata, &self->k, &spec, 1, RUN_MS, ALONE_SPREAD);
}

/*
 * One spinner per CPU, all forked on the test's CPU and woken there
 * together, in fresh rounds: no CPU may stay idle.  A scheduler that
 * never wakes an idle CPU queues them all behind that one CPU, while
 * the others sleep until something else happens to wake them: in one
 * round that may be soon, but not in every round.  With fewer spinners
 * than CPUs the same scheduler gets by.
 */
#define SPIN_ROUNDS 6
#define SPIN_ROUND_MS 600

KTSTR_TEST_F(conservation, spinners_one_per_cpu, 120, .topology = "1n2l2c1t",
	     .min_cpus = 2)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN,
		.nr_workers = self->k.topo.nr_cpus,
		.name = "spinners",
	};
	struct ktstr_workers *w[SPIN_ROUNDS] = { 0 };
	unsigned int i;

	for (i = 0; i < SPIN_ROUNDS; i++) {
		ASSERT_EQ(0, ktstr_workers_run(&spec, 1, SPIN_ROUND_MS, &w[i]))
			TH_LOG("round %u: %s", i + 1, ktstr_errmsg());
		EXPECT_KTSTR(ktstr_check_progress, w[i],
			     &ktstr_default_limits);
		EXPECT_KTSTR(ktstr_check_max_gap, w[i], &ktstr_default_limits);
	}
	EXPECT_KTSTR(ktstr_check_conservation_rounds, w, SPIN_ROUNDS,
		     &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free_all(w, SPIN_ROUNDS);
}

/*
 * Half as many bursty workers as CPUs, all waking at the same moment
 * every 20 ms and spinning for 10 ms: at each burst every one of them
 * should get an idle CPU at once, so their run delay is time a CPU
 * idled while they waited.
 */
KTSTR_TEST_F(conservation, bursty_wakeups, 120, .topology = "1n2l2c1t",
	     .min_cpus = 2, .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_BURSTY,
		.nr_workers = self->k.topo.nr_cpus / 2,
		.period_us = BURST_PERIOD_US,
		.name = "bursty",
	};

	run_conserved(_metadata, &self->k, &spec, 1, RUN_MS, 0);
}

/* The sleepers' share of what both groups ran between two readings. */
static double sleepers_share(struct __test_metadata *_metadata,
			     struct ktstr_workers **w, uint64_t *spin_cpu,
			     uint64_t *sleep_cpu)
{
	uint64_t spin_now, sleep_now, delay;

	ASSERT_EQ(0, ktstr_workers_schedstat(w[0], &spin_now, &delay))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_workers_schedstat(w[1], &sleep_now, &delay))
		TH_LOG("%s", ktstr_errmsg());
	spin_now -= *spin_cpu;
	sleep_now -= *sleep_cpu;
	*spin_cpu += spin_now;
	*sleep_cpu += sleep_now;
	return spin_now + sleep_now ?
	       (double)sleep_now / (spin_now + sleep_now) : 0;
}

/*
 * One spinner and one sleeper per CPU; the sleepers wake after 2 s for a
 * 1.5 s burst.  A scheduler that bounds a sleeper's credit (EEVDF's lag,
 * scx_simple's one slice) shares the CPUs at once: the sleepers get
 * their half.  One that lets a sleeper keep the credit of its whole
 * sleep runs the sleepers alone for their whole burst (100%), starving
 * the spinners.  Also no CPU may idle while spinners wait.
 */
KTSTR_TEST_F(conservation, sleepers_vs_spinners, 120,
	     .topology = "1n2l2c1t")
{
	unsigned int n = self->k.topo.nr_cpus;
	struct ktstr_limits l = ktstr_default_limits;
	struct ktstr_work_spec spec[2] = {
		{ .kind = KTSTR_WORK_SPIN, .name = "spinners",
		  .nr_workers = n },
		{ .kind = KTSTR_WORK_SLEEP_BURST, .name = "sleepers",
		  .nr_workers = n, .period_us = SLEEP_BURST_PERIOD_US,
		  .duty_pct = SLEEP_BURST_DUTY_PCT },
	};
	const double weight[2] = { n, n }, cap[2] = { n, n };
	uint64_t spin_cpu = 0, sleep_cpu = 0, t0, elapsed_ms;
	struct ktstr_workers *w[2];
	double expected[2], share;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		w[i] = ktstr_workers_start(&spec[i]);
		ASSERT_NE(NULL, w[i]) TH_LOG("%s", ktstr_errmsg());
	}
	t0 = ktstr_now_ns();
	ktstr_sleep_ms(BURST_FROM_MS);
	sleepers_share(_metadata, w, &spin_cpu, &sleep_cpu);
	ktstr_sleep_ms(BURST_TO_MS - BURST_FROM_MS);
	share = sleepers_share(_metadata, w, &spin_cpu, &sleep_cpu);
	elapsed_ms = (ktstr_now_ns() - t0) / 1000000;
	if (elapsed_ms < SLEEP_BURST_RUN_MS)
		ktstr_sleep_ms(SLEEP_BURST_RUN_MS - elapsed_ms);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ktstr_workers_stop(w[i]));
		ktstr_print_stats(spec[i].name, w[i]);
		EXPECT_KTSTR(ktstr_check_progress, w[i], &ktstr_default_limits);
	}
	/*
	 * Equal weights: the burst's CPUs are shared as by water-filling.
	 * Above it, credit: correct schedulers came within 0.04 of it (46%
	 * to 51%, and 0.022 at most over the 13 runs of the whole-suite
	 * calibration); a scheduler that keeps the sleepers' credit gave
	 * them 65% to 71%, which the default 0.15 let pass one run in two.
	 * Below it, the default: a central dispatcher (scx_central) makes
	 * each wake-up wait for its one deciding CPU, 42% under TCG.
	 */
	ASSERT_EQ(0, ktstr_water_fill(weight, cap, 2, n, expected));
	l.share_tolerance_above = SLEEPER_SHARE_TOLERANCE;
	EXPECT_KTSTR(ktstr_check_share_of, "sleepers in their burst", share,
		     expected[1] / n, &l);
	EXPECT_KTSTR(ktstr_check_conservation, w[0], &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free_all(w, 2);
}

/*
 * One spinner fewer than CPUs, across two NUMA nodes, with sleep/IO
 * workers waking on every CPU: more spinners than any one node has
 * CPUs, so a scheduler that keeps to one node (or one LLC) leaves CPUs
 * of the other idle while spinners wait.  On one node it is the same
 * check over its LLCs.
 */
KTSTR_TEST_F(conservation, numa_spread, 120, .topology = "2n2l2c1t",
	     .min_cpus = 2, .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_work_spec spec[2] = {
		{ .kind = KTSTR_WORK_SPIN, .name = "spinners",
		  .nr_workers = self->k.topo.nr_cpus - 1 },
		{ .kind = KTSTR_WORK_SLEEP_IO, .name = "sleep-io",
		  .nr_workers = self->k.topo.nr_cpus },
	};

	run_conserved(_metadata, &self->k, spec, 2, RUN_MS, 0);
}

TEST_HARNESS_MAIN
