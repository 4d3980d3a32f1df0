/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error reporting for host code: a failing function records one message
 * naming the input and what is wrong, and returns -1.  The caller decides
 * whether to print it, so library code never writes to stderr itself.
 */
#ifndef KTSTR_ERROR_H
#define KTSTR_ERROR_H

#include "compiler.h"

__printf(1, 2) int kt_fail(const char *fmt, ...);
__printf(1, 2) int kt_fail_errno(const char *fmt, ...);
const char *kt_errmsg(void);

#endif
