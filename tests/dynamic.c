// SPDX-License-Identifier: GPL-2.0
/*
 * Dynamic operations while tasks run: cgroups created, resized (cpusets
 * shrunk, grown, cleared), tasks moved between them, cgroups destroyed.
 * The scheduler must follow every change and keep everyone progressing.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

#define PHASE_MS 1500

KTSTR_FIXTURE(dynamic);
KTSTR_RUN_UNDER(dynamic, eevdf, "eevdf");
KTSTR_RUN_UNDER(dynamic, scx_simple, "scx_simple");

/* Cpusets shrink on purpose: the monitor's imbalance verdict is off. */
KTSTR_TEST_F(dynamic, resize_move_destroy, 150, .topology = "1n2l2c1t",
	     .min_llcs = 2, .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_topo *t = &self->k.topo;
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SPIN,
					.nr_workers = 4 };
	struct ktstr_workers *base, *late;
	struct ktstr_cgroup a, b;
	cpu_set_t eff;
	unsigned int i;

	ASSERT_EQ(0, ktstr_cgroup_create(&a, "dyn-a"))
		TH_LOG("%s", ktstr_errmsg());
	spec.cgroup = &a;
	base = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, base) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(PHASE_MS);

	/* Shrink a to LLC 0; start more work that must stay there. */
	ASSERT_EQ(0, ktstr_cgroup_set_cpus(&a, &t->llc[0]))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_cgroup_effective_cpus(&a, &eff));
	EXPECT_TRUE(CPU_EQUAL(&eff, &t->llc[0]));
	spec.kind = KTSTR_WORK_MIXED;
	late = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, late) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(PHASE_MS);

	/* A new cgroup on LLC 1 takes half of the first workers. */
	ASSERT_EQ(0, ktstr_cgroup_create(&b, "dyn-b"));
	ASSERT_EQ(0, ktstr_cgroup_set_cpus(&b, &t->llc[1]))
		TH_LOG("%s", ktstr_errmsg());
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, ktstr_cgroup_move(&b, ktstr_worker_pid(base, i)))
			TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(PHASE_MS);

	/* Grow a back to everything, then destroy b under its tasks. */
	ASSERT_EQ(0, ktstr_cgroup_set_cpus(&a, NULL))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_cgroup_remove(&b)) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(PHASE_MS);

	ASSERT_EQ(0, ktstr_workers_stop(base));
	ASSERT_EQ(0, ktstr_workers_stop(late));
	ktstr_print_stats("first workers", base);
	ktstr_print_stats("started after the shrink", late);
	EXPECT_KTSTR(ktstr_check_progress, base, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_progress, late, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_max_gap, base, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(base);
	ktstr_workers_free(late);
	EXPECT_EQ(0, ktstr_cgroup_remove(&a)) TH_LOG("%s", ktstr_errmsg());
}

TEST_HARNESS_MAIN
