// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug while tasks run: CPUs (never CPU 0) taken offline and
 * brought back through /sys/devices/system/cpu/cpuN/online.  A
 * sched_ext scheduler may handle it (ops.cpu_online/offline) or be made
 * to exit with a restart request, in which case its loader must attach
 * it again; either way no task may be lost, and the online CPUs are
 * restored at the end, also when the test fails (the fixture's
 * teardown does it).
 */
#include <stdio.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

/* How long to run between two hotplug events. */
#define HOLD_MS 1000
/* offline_online_cycles: cycles, each on the next candidate CPU. */
#define NR_CYCLES 2
/* offline_under_load: how long the CPU stays away. */
#define OFFLINE_MS 2500
/* A restart reloads the scheduler: as long as its first attach. */
#define HOTPLUG_TEST_S 400
/*
 * An offline CPU has nothing runnable: to the host monitor's imbalance
 * verdict it looks like an idle CPU beside busy ones.
 */
#define HOTPLUG_MONITOR { .off = KTSTR_MON_IMBALANCE }

KTSTR_FIXTURE(hotplug);
KTSTR_RUN_UNDER(hotplug, eevdf, "eevdf");
KTSTR_RUN_UNDER(hotplug, scx_simple, "scx_simple");

/* Takes @cpu offline or brings it back, then follows the scheduler. */
static bool hotplug(struct __test_metadata *_metadata, struct ktstr_sched *s,
		    unsigned int cpu, bool online)
{
	unsigned int restarts = s->restarts;
	uint64_t t0 = ktstr_now_ns();

	if (ktstr_cpu_set_online(cpu, online)) {
		TH_LOG("%s", ktstr_errmsg());
		return false;
	}
	if (!ktstr_sched_follow(s, KTSTR_HOTPLUG_SETTLE_MS)) {
		TH_LOG("scheduler %s after cpu %u went %s: %s: %s", s->name,
		       cpu, online ? "online" : "offline",
		       ktstr_sched_exit_name(s->exit_kind), s->exit_reason);
		return false;
	}
	ksft_print_msg("cpu %u %s after %llu ms%s\n", cpu,
		       online ? "online" : "offline",
		       (unsigned long long)(ktstr_now_ns() - t0) / 1000000,
		       s->restarts != restarts ?
		       ", the scheduler restarted" : "");
	return true;
}

static struct ktstr_workers *start(struct __test_metadata *_metadata,
				   struct ktstr_work_spec spec)
{
	struct ktstr_workers *w = ktstr_workers_start(&spec);

	if (!w)
		TH_LOG("%s: %s", spec.name, ktstr_errmsg());
	return w;
}

static void stop_and_check(struct __test_metadata *_metadata,
			   struct ktstr_workers *w)
{
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	ktstr_print_stats(ktstr_workers_name(w), w);
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_max_gap, w, &ktstr_default_limits);
}

/*
 * The end of a hotplug test: every group stopped and checked, the CPUs
 * back online, the scheduler still there.
 */
static void finish(struct __test_metadata *_metadata, struct ktstr_fixture *k,
		   struct ktstr_workers **groups, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		stop_and_check(_metadata, groups[i]);
	EXPECT_EQ(0, ktstr_cpus_restore_online()) TH_LOG("%s", ktstr_errmsg());
	EXPECT_KTSTR(ktstr_check_hotplug, &k->sched, &k->topo.all);
	EXPECT_KTSTR(ktstr_check_attached, &k->sched);
	for (i = 0; i < n; i++)
		ktstr_workers_free(groups[i]);
}

/*
 * While a CPU is offline every spinner must go on, on the CPUs left: one
 * queued where only the offline CPU would look for it is stranded.
 */
static void spinners_while_away(struct __test_metadata *_metadata,
				struct ktstr_workers *s)
{
	struct ktstr_topo now;

	ktstr_workers_mark(s);
	ktstr_sleep_ms(OFFLINE_MS);
	ASSERT_EQ(0, ktstr_topo_read(&now)) TH_LOG("%s", ktstr_errmsg());
	EXPECT_KTSTR(ktstr_check_after_change, s, &now.all,
		     &ktstr_default_limits);
}

/* Each candidate CPU in turn goes offline and comes back, under load. */
KTSTR_TEST_F(hotplug, offline_online_cycles, HOTPLUG_TEST_S,
	     .topology = "1n2l2c1t", .min_cpus = 2,
	     .monitor = HOTPLUG_MONITOR)
{
	struct ktstr_topo *t = &self->k.topo;
	struct ktstr_work_spec spin = {
		.kind = KTSTR_WORK_SPIN, .nr_workers = t->nr_cpus,
		.name = "spinners",
	};
	struct ktstr_work_spec mixed = {
		.kind = KTSTR_WORK_MIXED, .nr_workers = t->nr_cpus,
		.name = "mixed",
	};
	unsigned int cpus[NR_CYCLES], n, i;
	struct ktstr_workers *s, *m;
	char why[256];

	if (ktstr_hotplug_unavailable(t, why, sizeof(why)))
		SKIP(return, "%s", why);
	n = ktstr_hotplug_candidates(t, NR_CYCLES, cpus);
	s = start(_metadata, spin);
	ASSERT_NE(NULL, s);
	m = start(_metadata, mixed);
	ASSERT_NE(NULL, m);
	ktstr_sleep_ms(HOLD_MS);
	for (i = 0; i < NR_CYCLES; i++) {
		if (!hotplug(_metadata, &self->k.sched, cpus[i % n], false))
			break;
		spinners_while_away(_metadata, s);
		if (!hotplug(_metadata, &self->k.sched, cpus[i % n], true))
			break;
		ktstr_sleep_ms(HOLD_MS);
	}
	finish(_metadata, &self->k, (struct ktstr_workers *[]){ s, m }, 2);
}

/*
 * A CPU goes offline while every CPU is busy, with fork churn and two
 * workers pinned to that very CPU: the kernel moves the pinned ones
 * elsewhere, and they must keep running there.  (More spinners would
 * mostly slow down the scheduler's reload: its loader competes with
 * them for the CPU while the kernel verifies the BPF program again.)
 */
KTSTR_TEST_F(hotplug, offline_under_load, HOTPLUG_TEST_S,
	     .topology = "1n2l2c1t", .min_cpus = 2,
	     .monitor = HOTPLUG_MONITOR)
{
	struct ktstr_topo *t = &self->k.topo;
	struct ktstr_work_spec spin = {
		.kind = KTSTR_WORK_SPIN, .nr_workers = t->nr_cpus,
		.name = "spinners",
	};
	struct ktstr_work_spec churn = {
		.kind = KTSTR_WORK_FORK_CHURN, .nr_workers = 2,
		.name = "fork churn",
	};
	struct ktstr_work_spec pinned = {
		.kind = KTSTR_WORK_SPIN, .nr_workers = 2,
		.name = "pinned to the CPU going offline",
	};
	struct ktstr_workers *s, *c, *p;
	struct ktstr_topo now;
	cpu_set_t one;
	unsigned int cpu;
	char why[256];

	if (ktstr_hotplug_unavailable(t, why, sizeof(why)))
		SKIP(return, "%s", why);
	ktstr_hotplug_candidates(t, 1, &cpu);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	pinned.affinity = &one;
	s = start(_metadata, spin);
	ASSERT_NE(NULL, s);
	c = start(_metadata, churn);
	ASSERT_NE(NULL, c);
	p = start(_metadata, pinned);
	ASSERT_NE(NULL, p);
	ktstr_sleep_ms(HOLD_MS);
	if (hotplug(_metadata, &self->k.sched, cpu, false)) {
		ktstr_workers_mark(p);
		ktstr_sleep_ms(OFFLINE_MS);
		ASSERT_EQ(0, ktstr_topo_read(&now)) TH_LOG("%s", ktstr_errmsg());
		EXPECT_KTSTR(ktstr_check_after_change, p, &now.all,
			     &ktstr_default_limits);
		if (hotplug(_metadata, &self->k.sched, cpu, true))
			ktstr_sleep_ms(HOLD_MS);
	}
	finish(_metadata, &self->k, (struct ktstr_workers *[]){ s, c, p }, 3);
}

TEST_HARNESS_MAIN
