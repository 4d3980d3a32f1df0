/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the host hands a scheduler binary to a test program: environment
 * variables, what they hold, and the names both sides derive from them.
 * Shared by the runner (which sets them) and the test library (which
 * reads them), so that the two cannot disagree.
 *
 *   KTSTR_SCHEDULER          path of the binary; replaces every variant's
 *   KTSTR_SCHEDULER_ARGS     its arguments, separated by blanks
 *   KTSTR_SCHEDULER_OPS      root/ops that means "attached" ("": any)
 *   KTSTR_SCHEDULER_IGNORES  what it does not claim: "nice,capacity"
 *   KTSTR_SCHEDULER_DECL     the declared scheduler these came from, if any
 */
#ifndef KTSTR_SCHED_ENV_H
#define KTSTR_SCHED_ENV_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ktstr_decl.h"

#define KTSTR_ENV_SCHEDULER		"KTSTR_SCHEDULER"
#define KTSTR_ENV_SCHEDULER_ARGS	"KTSTR_SCHEDULER_ARGS"
#define KTSTR_ENV_SCHEDULER_OPS		"KTSTR_SCHEDULER_OPS"
#define KTSTR_ENV_SCHEDULER_IGNORES	"KTSTR_SCHEDULER_IGNORES"
#define KTSTR_ENV_SCHEDULER_DECL	"KTSTR_SCHEDULER_DECL"

/* A variant name's room, as in struct ktstr_variant_decl. */
#define KTSTR_SCHED_VARIANT_LEN 48

/* The claims a user may waive, as words: the flag of each. */
#define KTSTR_IGNORES_WORDS "nice, cgroup-weight, capacity"
#define KTSTR_IGNORES_MASK \
	(KTSTR_SCHED_IGNORES_NICE | KTSTR_SCHED_IGNORES_CGROUP_WEIGHT | \
	 KTSTR_SCHED_IGNORES_CAPACITY)

/* The words in the order ktstr_ignores_format() writes them. */
struct ktstr_ignores_word {
	const char *word;
	uint32_t flag;
};

static const struct ktstr_ignores_word ktstr_ignores_words[] = {
	{ "nice", KTSTR_SCHED_IGNORES_NICE },
	{ "cgroup-weight", KTSTR_SCHED_IGNORES_CGROUP_WEIGHT },
	{ "capacity", KTSTR_SCHED_IGNORES_CAPACITY },
	{ NULL, 0 },
};

static inline uint32_t ktstr_ignores_flag(const char *word, size_t len)
{
	const struct ktstr_ignores_word *w;

	for (w = ktstr_ignores_words; w->word; w++)
		if (strlen(w->word) == len && !strncmp(w->word, word, len))
			return w->flag;
	return 0;
}

/*
 * "nice,cgroup-weight" (any order, no blanks), "none" or "" into
 * KTSTR_SCHED_IGNORES_* flags.  -1 with the offending word in @bad.
 */
static inline int ktstr_ignores_parse(const char *list, uint32_t *flags,
				      char *bad, size_t bad_len)
{
	const char *word = list, *end;
	uint32_t flag;
	size_t len;

	*flags = 0;
	if (!*list || !strcmp(list, "none"))
		return 0;
	for (;;) {
		end = strchr(word, ',');
		len = end ? (size_t)(end - word) : strlen(word);
		flag = ktstr_ignores_flag(word, len);
		if (!flag) {
			snprintf(bad, bad_len, "%.*s", (int)len, word);
			return -1;
		}
		*flags |= flag;
		if (!end)
			return 0;
		word = end + 1;
	}
}

/* The inverse: "nice,cgroup-weight,capacity" (in that order), or "none". */
static inline void ktstr_ignores_format(uint32_t flags, char *buf, size_t len)
{
	const struct ktstr_ignores_word *w;
	size_t used = 0;

	buf[0] = '\0';
	for (w = ktstr_ignores_words; w->word && used < len; w++)
		if (flags & w->flag)
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", w->word);
	if (!buf[0])
		snprintf(buf, len, "none");
}

/*
 * The harness variant a binary runs as: its file name with every
 * character a test name should not hold ('.', '-', ...) as '_', at most
 * @len - 1 characters.  "/opt/scx/scx_rusty-1.2" is "scx_rusty_1_2".
 */
static inline void ktstr_sched_variant_name(const char *path, char *buf,
					    size_t len)
{
	const char *base = strrchr(path, '/');
	char *c;

	snprintf(buf, len, "%s", base ? base + 1 : path);
	for (c = buf; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			*c = '_';
}

#endif
