/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error reporting for host code: a failing function records one message
 * naming the input and what is wrong, and returns -1.  The caller decides
 * whether to print it, so library code never writes to stderr itself.
 *
 * The message also records whose fault it is: a bad command-line argument
 * (kt_fail_usage()) or anything else, so that every command turns it into
 * the same exit status, wherever the argument turned out to be wrong.
 */
#ifndef KTSTR_ERROR_H
#define KTSTR_ERROR_H

#include "compiler.h"

/* Exit statuses of ./ktstr's commands, for a failure of each kind. */
#define KT_EXIT_FAILURE	1
#define KT_EXIT_USAGE	2

__printf(1, 2) int kt_fail(const char *fmt, ...);
__printf(1, 2) int kt_fail_errno(const char *fmt, ...);
/* A bad argument: an option or operand that does not parse or fit. */
__printf(1, 2) int kt_fail_usage(const char *fmt, ...);
/*
 * The error just recorded, by code that also checks input other than
 * arguments (a topology file, say), was caused by an argument.
 */
int kt_fail_mark_usage(void);
const char *kt_errmsg(void);
/* KT_EXIT_USAGE after a kt_fail_usage() error, else KT_EXIT_FAILURE. */
int kt_exit_status(void);
/*
 * A command's bad arguments: "ktstr: @cmd: message", then @usage, on
 * stderr; returns KT_EXIT_USAGE.
 */
__printf(3, 4) int kt_usage_exit(const char *cmd, const char *usage,
				 const char *fmt, ...);

#endif
