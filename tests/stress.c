// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: many cgroups and workers, cpusets rewritten as fast as the
 * kernel takes them, fork/exit churn underneath.  The scheduler must stay
 * attached and nobody may starve.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

#define NR_GROUPS 6
#define RUN_MS 5000
#define RESIZE_EVERY_MS 50

KTSTR_FIXTURE(stress);
KTSTR_RUN_UNDER(stress, eevdf, "eevdf");
KTSTR_RUN_UNDER(stress, scx_simple, "scx_simple");

KTSTR_TEST_F(stress, cgroup_churn, 180, .topology = "1n2l2c2t")
{
	struct ktstr_topo *t = &self->k.topo;
	struct ktstr_cgroup cg[NR_GROUPS];
	struct ktstr_workers *w[NR_GROUPS], *forks;
	struct ktstr_work_spec fspec = { .kind = KTSTR_WORK_FORK_CHURN,
					 .nr_workers = 2 };
	uint64_t end;
	unsigned int i, round = 0;
	cpu_set_t cpus;
	char name[32];

	for (i = 0; i < NR_GROUPS; i++) {
		struct ktstr_work_spec spec = {
			.kind = i % 2 ? KTSTR_WORK_MIXED : KTSTR_WORK_SPIN,
			.nr_workers = 3, .cgroup = &cg[i],
		};

		snprintf(name, sizeof(name), "stress%u", i);
		ASSERT_EQ(0, ktstr_cgroup_create(&cg[i], name))
			TH_LOG("%s", ktstr_errmsg());
		w[i] = ktstr_workers_start(&spec);
		ASSERT_NE(NULL, w[i]) TH_LOG("%s", ktstr_errmsg());
	}
	forks = ktstr_workers_start(&fspec);
	ASSERT_NE(NULL, forks) TH_LOG("%s", ktstr_errmsg());

	end = ktstr_now_ns() + RUN_MS * 1000000ULL;
	while (ktstr_now_ns() < end) {
		i = round % NR_GROUPS;
		ASSERT_EQ(0, ktstr_cpus_split(t, 1 + round % 3,
					      round % (1 + round % 3), &cpus));
		ASSERT_EQ(0, ktstr_cgroup_set_cpus(&cg[i],
						   round % 4 ? &cpus : NULL))
			TH_LOG("%s", ktstr_errmsg());
		round++;
		ktstr_sleep_ms(RESIZE_EVERY_MS);
	}
	ksft_print_msg("%u cpuset changes\n", round);

	ASSERT_EQ(0, ktstr_workers_stop(forks));
	ktstr_print_stats("fork churn", forks);
	EXPECT_KTSTR(ktstr_check_progress, forks, &ktstr_default_limits);
	ktstr_workers_free(forks);
	for (i = 0; i < NR_GROUPS; i++) {
		ASSERT_EQ(0, ktstr_workers_stop(w[i]));
		snprintf(name, sizeof(name), "cgroup stress%u", i);
		ktstr_print_stats(name, w[i]);
		EXPECT_KTSTR(ktstr_check_progress, w[i], &ktstr_default_limits);
		ktstr_workers_free(w[i]);
		EXPECT_EQ(0, ktstr_cgroup_remove(&cg[i]))
			TH_LOG("%s", ktstr_errmsg());
	}
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
}

TEST_HARNESS_MAIN
