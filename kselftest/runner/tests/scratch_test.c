// SPDX-License-Identifier: GPL-2.0
/*
 * scratch.h, the scratch directory of the host tests: made under /tmp
 * with the test's name, and removed with all in it, read-only and
 * unreadable directories too, as a user as well as root, without
 * following a link out of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "scratch.h"

/* nobody's uid and gid on Debian */
#define UNPRIVILEGED 65534

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int make_file(const char *dir, const char *name)
{
	char path[256];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0444);
	if (fd < 0)
		return -1;
	return close(fd);
}

static int make_dir(const char *dir, const char *name, char *path, size_t len)
{
	if ((size_t)snprintf(path, len, "%s/%s", dir, name) >= len)
		return -1;
	return mkdir(path, 0700);
}

/*
 * A tree the tests' teardowns meet: files, a nested directory, one made
 * read-only and one made unreadable with files in them.  Returns 0 or -1.
 */
static int make_closed_tree(const char *top)
{
	char ro[256], closed[256], deep[256];

	if (make_file(top, "plain") ||
	    make_dir(top, "ro", ro, sizeof(ro)) ||
	    make_file(ro, "kept") ||
	    make_dir(ro, "deep", deep, sizeof(deep)) ||
	    make_file(deep, "deeper") ||
	    make_dir(top, "closed", closed, sizeof(closed)) ||
	    make_file(closed, "hidden"))
		return -1;
	if (chmod(deep, 0500) || chmod(ro, 0555) || chmod(closed, 0))
		return -1;
	return 0;
}

/*
 * Runs @fn(@dir) in a child as an unprivileged user when we are root (so
 * permissions hold), as ourselves otherwise; returns its exit status.
 */
static int as_a_user(int (*fn)(const char *), const char *dir)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (geteuid() == 0 &&
		    (setgid(UNPRIVILEGED) || setuid(UNPRIVILEGED)))
			_exit(100);
		_exit(fn(dir));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* 0: made, closed and removed; 1: not made; 2: not removed; 3: left. */
static int make_close_and_remove(const char *unused)
{
	char dir[64];

	if (!scratch_make(dir, sizeof(dir), "scratchtest"))
		return 1;
	if (make_closed_tree(dir))
		return 1;
	if (scratch_remove(dir))
		return 2;
	return exists(dir) ? 3 : 0;
}

/* 0: removal failed with EACCES, as it should; 1: it did not fail. */
static int remove_expecting_eacces(const char *dir)
{
	if (scratch_remove(dir) == 0)
		return 1;
	return errno == EACCES ? 0 : 2;
}

TEST(made_under_tmp_with_the_name_it_is_given)
{
	char dir[64];
	struct stat st;

	ASSERT_TRUE(scratch_make(dir, sizeof(dir), "scratchtest") == dir);
	EXPECT_EQ(0, strncmp(dir, "/tmp/ktstr-scratchtest-",
			     strlen("/tmp/ktstr-scratchtest-"))) TH_LOG("%s", dir);
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0700, st.st_mode & 07777);
	EXPECT_EQ(0, scratch_remove(dir));
	EXPECT_FALSE(exists(dir));
}

TEST(a_name_too_long_for_the_buffer_is_refused)
{
	char dir[24];

	errno = 0;
	EXPECT_EQ(NULL, scratch_make(dir, sizeof(dir), "a-long-name"));
	EXPECT_EQ(ENAMETOOLONG, errno);
}

TEST(read_only_and_unreadable_directories_are_removed_as_root)
{
	EXPECT_EQ(0, make_close_and_remove(NULL));
}

TEST(read_only_and_unreadable_directories_are_removed_as_a_user)
{
	EXPECT_EQ(0, as_a_user(make_close_and_remove, NULL));
}

TEST(a_link_out_of_it_is_removed_not_followed)
{
	char dir[64], outside[64], link[128], kept[128];

	ASSERT_NE(NULL, scratch_make(dir, sizeof(dir), "scratchtest"));
	ASSERT_NE(NULL, scratch_make(outside, sizeof(outside), "scratchout"));
	ASSERT_EQ(0, make_file(outside, "kept"));
	snprintf(link, sizeof(link), "%s/out", dir);
	snprintf(kept, sizeof(kept), "%s/kept", outside);
	ASSERT_EQ(0, symlink(outside, link));

	EXPECT_EQ(0, scratch_remove(dir));
	EXPECT_FALSE(exists(dir));
	EXPECT_TRUE(exists(kept));
	EXPECT_EQ(0, scratch_remove(outside));
	EXPECT_FALSE(exists(outside));
}

TEST(nothing_made_or_already_gone_is_nothing_to_remove)
{
	char dir[64];

	EXPECT_EQ(0, scratch_remove(""));
	ASSERT_NE(NULL, scratch_make(dir, sizeof(dir), "scratchtest"));
	ASSERT_EQ(0, rmdir(dir));
	EXPECT_EQ(0, scratch_remove(dir));
}

/*
 * A file the user may not remove (in root's directory, in the user's
 * scratch directory) fails the removal with the reason, not silently.
 */
TEST(what_cannot_be_removed_is_an_error)
{
	char dir[64], roots[128];

	if (geteuid() != 0)
		SKIP(return, "needs root, to make a directory a user cannot open up");
	ASSERT_NE(NULL, scratch_make(dir, sizeof(dir), "scratchtest"));
	ASSERT_EQ(0, chown(dir, UNPRIVILEGED, UNPRIVILEGED));
	ASSERT_EQ(0, make_dir(dir, "roots", roots, sizeof(roots)));
	ASSERT_EQ(0, chmod(roots, 0755));
	ASSERT_EQ(0, make_file(roots, "file"));

	EXPECT_EQ(0, as_a_user(remove_expecting_eacces, dir));
	EXPECT_TRUE(exists(roots));
	EXPECT_EQ(0, scratch_remove(dir));
	EXPECT_FALSE(exists(dir));
}

TEST_HARNESS_MAIN
