// SPDX-License-Identifier: GPL-2.0
/* Error messages: one that wraps the last one keeps it whole. */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "error.h"

TEST(a_message_wraps_the_last_one)
{
	kt_fail("cannot read %d bytes at 0x%x", 8, 0x1000);
	kt_fail("map at 0x%llx: %s", 0xffff888000000000ULL, kt_errmsg());
	EXPECT_STREQ("map at 0xffff888000000000: cannot read 8 bytes at 0x1000",
		     kt_errmsg());
	errno = ENOENT;
	kt_fail_errno("%s, then", kt_errmsg());
	EXPECT_STREQ("map at 0xffff888000000000: cannot read 8 bytes at 0x1000, then: No such file or directory",
		     kt_errmsg());
}

TEST_HARNESS_MAIN
