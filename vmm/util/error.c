// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static __thread char last_error[1024];
static __thread bool last_is_usage;

/*
 * Formatted aside first: a message that wraps the last one
 * (kt_fail("map at 0x%llx: %s", addr, kt_errmsg())) reads from
 * last_error while it is written.
 */
static void record(const char *fmt, va_list ap, int errnum, bool usage)
{
	char msg[sizeof(last_error)];
	size_t len;

	last_is_usage = usage;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s",
			 strerror(errnum));
	}
	memcpy(last_error, msg, sizeof(msg));
}

int kt_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(fmt, ap, 0, false);
	va_end(ap);
	return -1;
}

/* Like kt_fail(), with strerror(errno) appended. */
int kt_fail_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	record(fmt, ap, errnum, false);
	va_end(ap);
	return -1;
}

int kt_fail_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(fmt, ap, 0, true);
	va_end(ap);
	return -1;
}

int kt_usage_exit(const char *cmd, const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ktstr: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return KT_EXIT_USAGE;
}

int kt_fail_mark_usage(void)
{
	last_is_usage = true;
	return -1;
}

const char *kt_errmsg(void)
{
	return last_error[0] ? last_error : "unknown error";
}

int kt_exit_status(void)
{
	return last_is_usage ? KT_EXIT_USAGE : KT_EXIT_FAILURE;
}
