// SPDX-License-Identifier: GPL-2.0
/*
 * A test that fails on purpose, only with `ktstr run --opt-in` (or
 * `make run_tests KTSTR_OPT_IN=1`): it shows what a failure looks like in
 * the TAP (the assertion, the group's statistics) and proves that a
 * failing test makes the run exit 1.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

KTSTR_FIXTURE(selfcheck);
KTSTR_RUN_UNDER(selfcheck, eevdf, "eevdf");

KTSTR_TEST_F(selfcheck, deliberately_fails, 60, .topology = "1n1l2c1t",
	     .flags = KTSTR_OPT_IN)
{
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SPIN,
					.nr_workers = 3 };
	struct ktstr_limits impossible = ktstr_default_limits;
	struct ktstr_workers *w;

	/* No two workers ever do exactly the same work. */
	impossible.max_spread = 0;
	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(1000);
	ASSERT_EQ(0, ktstr_workers_stop(w));
	EXPECT_KTSTR(ktstr_check_fairness, w, &impossible);
	ktstr_workers_free(w);
}

TEST_HARNESS_MAIN
