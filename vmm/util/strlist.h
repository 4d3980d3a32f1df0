/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable list of unique strings, kept in insertion order.  Lists here
 * are short (an ELF closure is tens of paths), so lookups are linear.
 */
#ifndef KTSTR_STRLIST_H
#define KTSTR_STRLIST_H

#include <stddef.h>

struct kt_strlist {
	char **items;		/* NULL-terminated, or NULL when empty */
	size_t count;
	size_t cap;
};

#define KT_STRLIST_INIT { NULL, 0, 0 }

/* 1 if @s was added (copied), 0 if already present, -1 on error. */
int kt_strlist_push(struct kt_strlist *l, const char *s);
int kt_strlist_contains(const struct kt_strlist *l, const char *s);
size_t kt_strlist_count(const struct kt_strlist *l);
const char *kt_strlist_item(const struct kt_strlist *l, size_t i);
/* Frees the strings and the array; @l is empty and reusable afterwards. */
void kt_strlist_free(struct kt_strlist *l);

#endif
