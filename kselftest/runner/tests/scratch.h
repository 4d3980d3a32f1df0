/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test's scratch directory under /tmp, made in its fixture's setup and
 * removed in its teardown with whatever the test left there.
 */
#ifndef KTSTR_RUNNER_TESTS_SCRATCH_H
#define KTSTR_RUNNER_TESTS_SCRATCH_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* At most this many directories open at once while removing. */
#define SCRATCH_OPEN_DIRS 16

/*
 * Makes /tmp/ktstr-@name-XXXXXX in @dir (@len bytes).  Returns @dir, or
 * NULL with errno set.
 */
static inline char *scratch_make(char *dir, size_t len, const char *name)
{
	if (strlen(name) + sizeof("/tmp/ktstr--XXXXXX") > len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	snprintf(dir, len, "/tmp/ktstr-%s-XXXXXX", name);
	return mkdtemp(dir);
}

/*
 * Some tests make a directory read-only, or unreadable, to reach an error
 * path; as a user (not root) nothing in it could be removed.
 */
static inline int scratch_open_up(const char *path, const struct stat *st,
				  int type, struct FTW *ftw)
{
	if ((type == FTW_D || type == FTW_DNR) &&
	    (st->st_mode & 0700) != 0700)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

static inline int scratch_remove_entry(const char *path, const struct stat *st,
				       int type, struct FTW *ftw)
{
	return remove(path);
}

/*
 * Removes @dir and everything in it, without a shell.  Symbolic links are
 * removed, never followed.  A @dir that is empty (a setup that stopped
 * before making it) or gone is nothing to remove.  Returns 0, or -1 with
 * errno set by the first entry that could not be removed.
 */
static inline int scratch_remove(const char *dir)
{
	struct stat st;

	if (!dir[0] || (lstat(dir, &st) && errno == ENOENT))
		return 0;
	if (nftw(dir, scratch_open_up, SCRATCH_OPEN_DIRS, FTW_PHYS))
		return -1;
	return nftw(dir, scratch_remove_entry, SCRATCH_OPEN_DIRS,
		    FTW_DEPTH | FTW_PHYS);
}

#endif /* KTSTR_RUNNER_TESTS_SCRATCH_H */
