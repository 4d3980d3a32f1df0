// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "strlist.h"

int kt_strlist_contains(const struct kt_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (!strcmp(l->items[i], s))
			return 1;
	return 0;
}

static int grow(struct kt_strlist *l)
{
	size_t cap = l->cap ? l->cap * 2 : 16;
	char **items;

	items = realloc(l->items, cap * sizeof(*items));
	if (!items)
		return kt_fail("out of memory growing a list to %zu strings",
			       cap);
	l->items = items;
	l->cap = cap;
	return 0;
}

int kt_strlist_push(struct kt_strlist *l, const char *s)
{
	char *copy;

	if (kt_strlist_contains(l, s))
		return 0;
	if (l->count + 1 >= l->cap && grow(l))
		return -1;
	copy = strdup(s);
	if (!copy)
		return kt_fail("out of memory copying '%s'", s);
	l->items[l->count++] = copy;
	l->items[l->count] = NULL;
	return 1;
}

size_t kt_strlist_count(const struct kt_strlist *l)
{
	return l->count;
}

const char *kt_strlist_item(const struct kt_strlist *l, size_t i)
{
	return i < l->count ? l->items[i] : NULL;
}

void kt_strlist_free(struct kt_strlist *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
	l->cap = 0;
}
