// SPDX-License-Identifier: GPL-2.0
/*
 * kt_remove_tree(): a tree removed with all in it, read-only and
 * unreadable directories too, as a user as well as root, without
 * following a link out of it; what it cannot remove is an error, and
 * the message a caller set before it is kept.
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
#include "cache.h"
#include "error.h"

/* nobody's uid and gid on Debian */
#define UNPRIVILEGED 65534

static char *make_top(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/ktstr-rmtree-XXXXXX");
	return mkdtemp(dir);
}

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
 * Files, a nested directory, one made read-only and one made unreadable
 * with files in them.  Returns 0 or -1.
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

	if (!make_top(dir, sizeof(dir)) || make_closed_tree(dir))
		return 1;
	if (kt_remove_tree(dir))
		return 2;
	return exists(dir) ? 3 : 0;
}

/* 0: removal failed with EACCES, as it should; 1: it did not fail. */
static int remove_expecting_eacces(const char *dir)
{
	if (kt_remove_tree(dir) == 0)
		return 1;
	return errno == EACCES ? 0 : 2;
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

	ASSERT_NE(NULL, make_top(dir, sizeof(dir)));
	ASSERT_NE(NULL, make_top(outside, sizeof(outside)));
	ASSERT_EQ(0, make_file(outside, "kept"));
	snprintf(link, sizeof(link), "%s/out", dir);
	snprintf(kept, sizeof(kept), "%s/kept", outside);
	ASSERT_EQ(0, symlink(outside, link));

	EXPECT_EQ(0, kt_remove_tree(dir));
	EXPECT_FALSE(exists(dir));
	EXPECT_TRUE(exists(kept));
	EXPECT_EQ(0, kt_remove_tree(outside));
	EXPECT_FALSE(exists(outside));
}

TEST(a_path_that_is_not_there_is_nothing_to_remove)
{
	char dir[64];

	EXPECT_EQ(0, kt_remove_tree(""));
	ASSERT_NE(NULL, make_top(dir, sizeof(dir)));
	ASSERT_EQ(0, rmdir(dir));
	EXPECT_EQ(0, kt_remove_tree(dir));
}

TEST(a_plain_file_is_removed)
{
	char dir[64], file[128];

	ASSERT_NE(NULL, make_top(dir, sizeof(dir)));
	ASSERT_EQ(0, make_file(dir, "f"));
	snprintf(file, sizeof(file), "%s/f", dir);
	EXPECT_EQ(0, kt_remove_tree(file));
	EXPECT_FALSE(exists(file));
	EXPECT_EQ(0, kt_remove_tree(dir));
}

/*
 * A file the user may not remove (in root's directory, inside the user's
 * own) fails the removal with its reason; the rest still goes.
 */
TEST(what_cannot_be_removed_is_an_error)
{
	char dir[64], roots[128], theirs[128];

	if (geteuid() != 0)
		SKIP(return, "needs root, to make a directory a user cannot open up");
	ASSERT_NE(NULL, make_top(dir, sizeof(dir)));
	ASSERT_EQ(0, chown(dir, UNPRIVILEGED, UNPRIVILEGED));
	ASSERT_EQ(0, make_dir(dir, "roots", roots, sizeof(roots)));
	ASSERT_EQ(0, chmod(roots, 0755));
	ASSERT_EQ(0, make_file(roots, "file"));
	ASSERT_EQ(0, make_dir(dir, "theirs", theirs, sizeof(theirs)));
	ASSERT_EQ(0, chown(theirs, UNPRIVILEGED, UNPRIVILEGED));

	EXPECT_EQ(0, as_a_user(remove_expecting_eacces, dir));
	EXPECT_TRUE(exists(roots));
	EXPECT_FALSE(exists(theirs));
	EXPECT_EQ(0, kt_remove_tree(dir));
	EXPECT_FALSE(exists(dir));
}

/* Cleaning up after a failure must not replace the caller's message. */
TEST(a_failure_keeps_the_callers_message)
{
	kt_fail("the caller's own error");
	errno = 0;
	EXPECT_EQ(-1, kt_remove_tree("/proc/self/status/below-a-file"));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_STREQ("the caller's own error", kt_errmsg());
}

TEST_HARNESS_MAIN
