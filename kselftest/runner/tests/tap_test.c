// SPDX-License-Identifier: GPL-2.0
/*
 * A guest test program's harness exits 0 when it skipped every test it
 * ran: its TAP's "# Totals:" line is what tells a skip from a pass.
 */
#include <stdio.h>

#include "kselftest_harness.h"

#include "report.h"

#define SKIPPED_TAP							\
	"TAP version 13\n1..1\n# Starting 1 tests from 2 test cases.\n"	\
	"#  RUN           capacity.scx_simple.heavy_tasks_move_to_big ...\n" \
	"#      SKIP      scx_simple declares that it ignores CPU capacity\n" \
	"#            OK  capacity.scx_simple.heavy_tasks_move_to_big\n"	\
	"ok 1 capacity.scx_simple.heavy_tasks_move_to_big # SKIP scx_simple declares that it ignores CPU capacity\n" \
	"# PASSED: 1 / 1 tests passed.\n"				\
	"# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0\n"

TEST(every_test_skipped_is_a_skip_with_the_first_reason)
{
	char why[128] = "unset";

	EXPECT_TRUE(kt_tap_all_skipped(SKIPPED_TAP, why, sizeof(why)));
	EXPECT_STREQ("scx_simple declares that it ignores CPU capacity", why);
}

TEST(a_pass_beside_skips_is_a_pass)
{
	char why[64] = "unset";

	EXPECT_FALSE(kt_tap_all_skipped("# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:2 error:0\n",
					why, sizeof(why)));
	EXPECT_STREQ("unset", why);
}

TEST(failures_and_errors_are_not_skips)
{
	char why[64];

	EXPECT_FALSE(kt_tap_all_skipped("# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0\n",
					why, sizeof(why)));
	EXPECT_FALSE(kt_tap_all_skipped("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:1\n",
					why, sizeof(why)));
	EXPECT_FALSE(kt_tap_all_skipped("# Totals: pass:0 fail:0 xfail:1 xpass:0 skip:1 error:0\n",
					why, sizeof(why)));
}

TEST(no_test_run_is_no_skip)
{
	char why[64];

	EXPECT_FALSE(kt_tap_all_skipped("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n",
					why, sizeof(why)));
}

TEST(output_without_totals_or_garbled_is_no_skip)
{
	char why[64];

	EXPECT_FALSE(kt_tap_all_skipped(NULL, why, sizeof(why)));
	EXPECT_FALSE(kt_tap_all_skipped("", why, sizeof(why)));
	EXPECT_FALSE(kt_tap_all_skipped("ok 1 x # SKIP y\n", why, sizeof(why)));
	EXPECT_FALSE(kt_tap_all_skipped("# Totals: pass:x fail:0\n", why,
					sizeof(why)));
	/* Truncated output: the totals without "error:". */
	EXPECT_FALSE(kt_tap_all_skipped("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1",
					why, sizeof(why)));
}

/* A harness that exits KSFT_SKIP: the reason is read the same way. */
TEST(skip_reason_without_a_skip_line_is_skipped)
{
	char why[64];

	kt_tap_skip_reason(SKIPPED_TAP, why, sizeof(why));
	EXPECT_STREQ("scx_simple declares that it ignores CPU capacity", why);
	kt_tap_skip_reason("ok 1 x\n", why, sizeof(why));
	EXPECT_STREQ("skipped", why);
	kt_tap_skip_reason(NULL, why, sizeof(why));
	EXPECT_STREQ("skipped", why);
}

TEST(a_long_reason_is_cut_to_the_buffer)
{
	char why[8];

	EXPECT_TRUE(kt_tap_all_skipped(SKIPPED_TAP, why, sizeof(why)));
	EXPECT_STREQ("scx_sim", why);
}

TEST_HARNESS_MAIN
