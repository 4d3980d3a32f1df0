// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "error.h"

static int push(struct kt_argv *a, char *owned)
{
	char **items;
	size_t cap;

	if (!owned) {
		a->failed = 1;
		return kt_fail("out of memory");
	}
	if (a->count + 2 > a->capacity) {
		cap = a->capacity ? a->capacity * 2 : 32;
		items = realloc(a->items, cap * sizeof(*items));
		if (!items) {
			free(owned);
			a->failed = 1;
			return kt_fail("out of memory");
		}
		a->items = items;
		a->capacity = cap;
	}
	a->items[a->count++] = owned;
	a->items[a->count] = NULL;
	return 0;
}

int kt_argv_add(struct kt_argv *a, const char *arg)
{
	return push(a, strdup(arg));
}

int kt_argv_addf(struct kt_argv *a, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return push(a, n < 0 ? NULL : s);
}

void kt_argv_free(struct kt_argv *a)
{
	size_t i;

	for (i = 0; i < a->count; i++)
		free(a->items[i]);
	free(a->items);
	memset(a, 0, sizeof(*a));
}

int kt_shell_quote(const char *s, char *out, size_t len)
{
	size_t n = 0;

	out[n++] = '\'';
	for (; *s && n + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *s;
		}
	}
	out[n++] = '\'';
	out[n] = '\0';
	return *s ? -1 : 0;
}

int kt_find_in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return 0;
	}
	for (p = path ? path : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		snprintf(out, len, "%.*s/%s", (int)(end - p), p, name);
		if (!access(out, X_OK))
			return 0;
	}
	return kt_fail("%s: not found in PATH", name);
}
