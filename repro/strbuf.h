/* SPDX-License-Identifier: GPL-2.0 */
/* A growable, always NUL-terminated text buffer for reports. */
#ifndef KTSTR_REPRO_STRBUF_H
#define KTSTR_REPRO_STRBUF_H

#include <stddef.h>

#include "compiler.h"

struct kt_strbuf {
	char *s;		/* malloc'd; NULL until something is added */
	size_t len;
	size_t cap;
	int failed;		/* out of memory: further adds are dropped */
};

__printf(2, 3) void kt_sb_printf(struct kt_strbuf *b, const char *fmt, ...);
/* The text, or "" if nothing was added; the buffer keeps it. */
const char *kt_sb_str(const struct kt_strbuf *b);
/* Hand the malloc'd text to the caller (NULL if empty), reset @b. */
char *kt_sb_take(struct kt_strbuf *b);
void kt_sb_free(struct kt_strbuf *b);

#endif
