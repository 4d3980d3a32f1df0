// SPDX-License-Identifier: GPL-2.0
/*
 * The library's error message.  Thread-local, so that a helper thread of
 * a test (a monitor, say) cannot overwrite the message of a failure in
 * the test's own thread.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static __thread char errmsg[4096];

const char *ktstr_errmsg(void)
{
	return errmsg;
}

int ktstr_fail(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}
