// SPDX-License-Identifier: GPL-2.0
/*
 * Exit statuses: the kind of an error, a bad argument (2) or any other
 * failure (1), that every command turns into its status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "error.h"

/* The kind belongs to the last error: a later failure of another kind wins. */
TEST(kind_of_the_last_error)
{
	EXPECT_EQ(-1, kt_fail_usage("--x '%s': bad", "y"));
	EXPECT_STREQ("--x 'y': bad", kt_errmsg());
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	EXPECT_EQ(-1, kt_fail("cannot read %s", "z"));
	EXPECT_EQ(KT_EXIT_FAILURE, kt_exit_status());
	EXPECT_EQ(-1, kt_fail_mark_usage());
	EXPECT_STREQ("cannot read z", kt_errmsg());
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	errno = ENOENT;
	EXPECT_EQ(-1, kt_fail_errno("open %s", "z"));
	EXPECT_EQ(KT_EXIT_FAILURE, kt_exit_status());
}

TEST_HARNESS_MAIN
