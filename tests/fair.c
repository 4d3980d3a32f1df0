// SPDX-License-Identifier: GPL-2.0
/*
 * Fair scheduling: workers that want the same thing get about the same,
 * none is starved, none waits long, and the scheduler stays attached.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

#define RUN_MS 4000
/* newcomers_get_their_share: the newcomers start this far into the run. */
#define NEWCOMER_DELAY_MS 1000
/*
 * and their share is judged over their first second as well as over the
 * whole: a task that keeps its CPU until something else preempts it (the
 * soft-lockup watchdog's stopper thread, every 4 s) gives the newcomers
 * about a third of their share over 3 s, but next to nothing at first.
 */
#define NEWCOMER_FIRST_MS 1000

KTSTR_FIXTURE(fair);
KTSTR_RUN_UNDER(fair, eevdf, "eevdf");
KTSTR_RUN_UNDER(fair, scx_simple, "scx_simple");
KTSTR_RUN_UNDER(fair, ktstr_llc_vtime, "ktstr_llc_vtime");

static struct ktstr_workers *run(struct __test_metadata *_metadata,
				 enum ktstr_work_kind kind, unsigned int n)
{
	struct ktstr_work_spec spec = { .kind = kind, .nr_workers = n };
	struct ktstr_workers *w = ktstr_workers_start(&spec);

	if (!w)
		return NULL;
	ktstr_sleep_ms(RUN_MS);
	if (ktstr_workers_stop(w)) {
		ktstr_workers_free(w);
		return NULL;
	}
	ktstr_print_stats(ktstr_work_kind_name(kind), w);
	return w;
}

/* Twice as many spinners as CPUs: everyone shares, equally. */
KTSTR_TEST_F(fair, spin_overcommit, 120, .topology = "1n2l2c1t")
{
	struct ktstr_workers *w;

	w = run(_metadata, KTSTR_WORK_SPIN, 2 * self->k.topo.nr_cpus);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_fairness, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_max_gap, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(w);
}

/* Sleepers, yielders, ping-pong pairs and spinners side by side. */
KTSTR_TEST_F(fair, mixed_kinds, 120, .topology = "1n2l2c1t")
{
	static const enum ktstr_work_kind kinds[] = {
		KTSTR_WORK_SPIN, KTSTR_WORK_YIELD, KTSTR_WORK_MIXED,
		KTSTR_WORK_SLEEP_IO, KTSTR_WORK_PIPE_PINGPONG,
		KTSTR_WORK_FUTEX_PINGPONG,
	};
	struct ktstr_workers *w[ARRAY_SIZE(kinds)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct ktstr_work_spec spec = { .kind = kinds[i],
						.nr_workers = 2 };

		w[i] = ktstr_workers_start(&spec);
		ASSERT_NE(NULL, w[i]) TH_LOG("%s: %s",
					     ktstr_work_kind_name(kinds[i]),
					     ktstr_errmsg());
	}
	ktstr_sleep_ms(RUN_MS);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		ASSERT_EQ(0, ktstr_workers_stop(w[i]))
			TH_LOG("%s", ktstr_errmsg());
		ktstr_print_stats(ktstr_work_kind_name(kinds[i]), w[i]);
		EXPECT_KTSTR(ktstr_check_progress, w[i], &ktstr_default_limits);
		EXPECT_KTSTR(ktstr_check_max_gap, w[i], &ktstr_default_limits);
		ktstr_workers_free(w[i]);
	}
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
}

/* nice 0..19: the nicest still progresses; fairness is not expected. */
KTSTR_TEST_F(fair, nice_sweep_no_starvation, 120, .topology = "1n1l2c1t")
{
	struct ktstr_limits l = ktstr_default_limits;
	struct ktstr_workers *w;

	/* A nice-19 task gets ~1.5% of a nice-0 one's share under CFS/EEVDF. */
	l.min_work_share = 0.001;
	l.max_gap_ms = 6000;
	w = run(_metadata, KTSTR_WORK_NICE_SWEEP, 4);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	EXPECT_KTSTR(ktstr_check_progress, w, &l);
	EXPECT_KTSTR(ktstr_check_max_gap, w, &l);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(w);
}

/* The CPU time @w used since @since_ns, and from now on since now. */
static uint64_t cpu_since(struct __test_metadata *_metadata,
			  struct ktstr_workers *w, uint64_t *since_ns)
{
	uint64_t cpu, delay, used;

	ASSERT_EQ(0, ktstr_workers_schedstat(w, &cpu, &delay))
		TH_LOG("%s", ktstr_errmsg());
	used = cpu - *since_ns;
	*since_ns = cpu;
	return used;
}

/*
 * A spinner per CPU for a second, then as many newcomers: from then on
 * the newcomers must get half of the CPU time.  A scheduler that gives
 * a task which finds nobody waiting an endless slice, and never takes
 * it back when others arrive, keeps the newcomers off the CPUs for good.
 */
KTSTR_TEST_F(fair, newcomers_get_their_share, 120, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SPIN,
					.nr_workers = self->k.topo.nr_cpus };
	struct ktstr_workers *first, *late;
	uint64_t first_cpu = 0, late_cpu = 0, a, b, a1, b1;

	spec.name = "first";
	first = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, first) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(NEWCOMER_DELAY_MS);
	spec.name = "newcomers";
	late = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, late) TH_LOG("%s", ktstr_errmsg());
	cpu_since(_metadata, first, &first_cpu);
	cpu_since(_metadata, late, &late_cpu);
	ktstr_sleep_ms(NEWCOMER_FIRST_MS);
	a1 = cpu_since(_metadata, first, &first_cpu);
	b1 = cpu_since(_metadata, late, &late_cpu);
	ktstr_sleep_ms(RUN_MS - NEWCOMER_DELAY_MS - NEWCOMER_FIRST_MS);
	a = a1 + cpu_since(_metadata, first, &first_cpu);
	b = b1 + cpu_since(_metadata, late, &late_cpu);
	ASSERT_EQ(0, ktstr_workers_stop(first));
	ASSERT_EQ(0, ktstr_workers_stop(late));
	ktstr_print_stats("first", first);
	ktstr_print_stats("newcomers", late);
	EXPECT_KTSTR(ktstr_check_share_of, "newcomers in their first second",
		     a1 + b1 ? (double)b1 / (a1 + b1) : 0, 0.5,
		     &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_share_of, "newcomers", a + b ?
		     (double)b / (a + b) : 0, 0.5, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_progress, late, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_max_gap, first, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(first);
	ktstr_workers_free(late);
}

TEST_HARNESS_MAIN
