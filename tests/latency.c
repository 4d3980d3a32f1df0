// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-up latency: how long after being woken a task runs, measured in
 * the guest with CLOCK_MONOTONIC on both sides (the waker stamps the
 * post, the wakee subtracts it when it runs; a timer sleeper subtracts
 * its deadline).  Each scenario checks the group's p99 and maximum and
 * each worker's own p99 (ktstr_check_latency()); wake_to_idle_cpu also
 * where its wake-ups ran (see below).
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

#define RUN_MS 3000
/*
 * wake_to_idle_cpu: under TCG, waking a halted vCPU costs milliseconds
 * (medians of 4-7 ms measured with 8 vCPUs), as much as waiting behind
 * a spinner's slice, so the time alone cannot tell a wakee put on an
 * idle CPU from one queued behind its busy waker.  Where it ran can:
 * a scheduler that uses the idle CPUs runs next to no wake-up on the
 * CPU its waker keeps spinning on; one that queues wake-ups on the
 * previous CPU runs nearly all of them there.
 */
#define ON_WAKER_CPU_LIMIT 0.25

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
	EXPECT_KTSTR(ktstr_check_progress, w, l);
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

/*
 * Pairs judged by their wake-ups, each pair's own p99 included, not by
 * how many round trips they made: a pair whose two tasks share a vCPU
 * bounces without an IPI, one split over two idle vCPUs pays a halted
 * vCPU's wake-up under TCG (4-7 ms) twice per round trip.  With a
 * correct scheduler (scx_simple on smt-mix, 8 CPUs) one pair made 270
 * round trips while the others made 6000 to 9000, 4.5% of the mean; a
 * pair that never runs still fails (no work at all).
 */
static void run_pairs(struct __test_metadata *_metadata,
		      struct ktstr_fixture *k, enum ktstr_work_kind kind,
		      const char *name)
{
	struct ktstr_limits l = ktstr_default_limits;
	struct ktstr_work_spec spec = {
		.kind = kind,
		.nr_workers = 2 * (k->topo.nr_cpus / 2 ?: 1),
		.name = name,
	};

	l.min_work_share = 0;
	run_one(_metadata, k, &spec, &l);
}

/*
 * Pairs bouncing a byte over pipes, one pair per two CPUs.  A pair may
 * well share one CPU (its two tasks never run at once): the host
 * monitor's imbalance verdict does not apply.
 */
KTSTR_TEST_F(latency, pipe_pingpong, 120, .topology = "1n2l2c1t",
	     .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	run_pairs(_metadata, &self->k, KTSTR_WORK_PIPE_PINGPONG, "pipe pairs");
}

/* The same with a futex word handed back and forth. */
KTSTR_TEST_F(latency, futex_pingpong, 120, .topology = "1n2l2c1t",
	     .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	run_pairs(_metadata, &self->k, KTSTR_WORK_FUTEX_PINGPONG,
		  "futex pairs");
}

/* The first CPU of every LLC that has another CPU to spare. */
static unsigned int one_per_llc(const struct ktstr_topo *t, cpu_set_t *out)
{
	unsigned int i, cpu;

	CPU_ZERO(out);
	for (i = 0; i < t->nr_llcs; i++) {
		if (CPU_COUNT(&t->llc[i]) < 2)
			continue;
		for (cpu = 0; !CPU_ISSET(cpu, &t->llc[i]); cpu++)
			;
		CPU_SET(cpu, out);
	}
	return CPU_COUNT(out);
}

/*
 * One pair per LLC: the waker spins, pinned to one CPU of the LLC, and
 * wakes its partner every 10 ms without stopping.  The partner starts on
 * the waker's CPU and may then run anywhere; every LLC has idle CPUs.  A
 * scheduler that puts a woken task on an idle CPU (even only within the
 * LLC, as EEVDF does) runs it there at once; one that queues it on its
 * previous CPU, busy with the waker, makes it wait behind the spinner at
 * every wake-up: nearly all its wake-ups then run on the waker's CPU.
 */
KTSTR_TEST_F(latency, wake_to_idle_cpu, 120, .topology = "1n2l2c1t",
	     .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_limits l = ktstr_default_limits;
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN_WAKER, .name = "spin wakers",
	};
	cpu_set_t start;
	unsigned int n = one_per_llc(&self->k.topo, &start);

	if (!n)
		SKIP(return, "no LLC has 2 CPUs: no idle CPU next to a busy one");
	spec.nr_workers = 2 * n;
	spec.start_affinity = &start;
	spec.pin_wakers = true;
	l.max_wake_on_waker_cpu = ON_WAKER_CPU_LIMIT;
	/* A waker spins thousands of chunks, its wakee one per wake-up. */
	l.min_work_share = 0;
	run_one(_metadata, &self->k, &spec, &l);
}

TEST_HARNESS_MAIN
