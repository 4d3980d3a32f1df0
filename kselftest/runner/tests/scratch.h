/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test's scratch directory under /tmp, made in its fixture's setup and
 * removed in its teardown with whatever the test left there.
 */
#ifndef KTSTR_RUNNER_TESTS_SCRATCH_H
#define KTSTR_RUNNER_TESTS_SCRATCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

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
 * In a teardown or a test: removes @dir with all in it (kt_remove_tree())
 * and logs what it could not remove.  A setup that stopped before making
 * @dir left it empty, which is nothing to remove.
 */
#define SCRATCH_REMOVE(dir)						\
	do {								\
		if (kt_remove_tree(dir))				\
			TH_LOG("could not remove %s: %s", (dir),	\
			       strerror(errno));			\
	} while (0)

#endif /* KTSTR_RUNNER_TESTS_SCRATCH_H */
