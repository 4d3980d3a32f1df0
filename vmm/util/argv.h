/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable NULL-terminated argument vector for spawning programs.  An
 * allocation failure is sticky (@failed), so a long sequence of adds can
 * be checked once at the end.
 */
#ifndef KTSTR_ARGV_H
#define KTSTR_ARGV_H

#include <stddef.h>

#include "compiler.h"

struct kt_argv {
	char **items;
	size_t count, capacity;
	int failed;
};

int kt_argv_add(struct kt_argv *a, const char *arg);
__printf(2, 3) int kt_argv_addf(struct kt_argv *a, const char *fmt, ...);
void kt_argv_free(struct kt_argv *a);
/*
 * @s in single quotes for /bin/sh into @out (@len bytes, at least 3);
 * 0 if it fit, -1 if it was cut short (still quoted).
 */
int kt_shell_quote(const char *s, char *out, size_t len);

/*
 * The file exec would run for @name: @name itself if it has a '/', else
 * the first executable of that name in $PATH.
 */
int kt_find_in_path(const char *name, char *out, size_t len);

#endif
