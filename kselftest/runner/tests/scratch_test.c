// SPDX-License-Identifier: GPL-2.0
/*
 * scratch.h, the scratch directory of the host tests: made under /tmp
 * with the test's name, and gone after SCRATCH_REMOVE with all in it
 * (kt_remove_tree() itself is tested in vmm/util/tests/remove_tree_test).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "scratch.h"

#define PREFIX "/tmp/ktstr-scratchtest-"

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

TEST(made_under_tmp_with_the_name_it_is_given)
{
	char dir[64];
	struct stat st;

	ASSERT_TRUE(scratch_make(dir, sizeof(dir), "scratchtest") == dir);
	EXPECT_EQ(0, strncmp(dir, PREFIX, strlen(PREFIX))) TH_LOG("%s", dir);
	EXPECT_EQ(strlen(PREFIX) + 6, strlen(dir));
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0700, st.st_mode & 07777);
	SCRATCH_REMOVE(dir);
	EXPECT_FALSE(exists(dir));
}

TEST(a_name_too_long_for_the_buffer_is_refused)
{
	char dir[24];

	errno = 0;
	EXPECT_EQ(NULL, scratch_make(dir, sizeof(dir), "a-long-name"));
	EXPECT_EQ(ENAMETOOLONG, errno);
}

TEST(what_a_test_left_is_removed_with_it)
{
	char dir[64], sub[128], file[160];

	ASSERT_NE(NULL, scratch_make(dir, sizeof(dir), "scratchtest"));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(file, sizeof(file), "%s/file", sub);
	ASSERT_EQ(0, mkdir(sub, 0700));
	ASSERT_EQ(0, close(creat(file, 0600)));
	ASSERT_EQ(0, chmod(sub, 0500));
	SCRATCH_REMOVE(dir);
	EXPECT_FALSE(exists(dir));
}

TEST_HARNESS_MAIN
