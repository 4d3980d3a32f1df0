// SPDX-License-Identifier: GPL-2.0
/* Parse the verifier's statistics lines; see stats.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define PROCESSED "processed "
#define TIME "verification time "

/* "processed N insns (limit L) max_states_per_insn M total_states T peak_states P mark_read R" */
static int parse_processed(const char *line, struct kt_verifier_stats *s)
{
	unsigned long mark_read;
	int end = 0;

	if (sscanf(line,
		   "processed %lu insns (limit %lu) max_states_per_insn %lu total_states %lu peak_states %lu mark_read %lu%n",
		   &s->processed_insns, &s->insn_limit,
		   &s->max_states_per_insn, &s->total_states,
		   &s->peak_states, &mark_read, &end) != 6 || line[end])
		return -1;
	s->has_processed = true;
	return 0;
}

static int parse_time(const char *line, struct kt_verifier_stats *s)
{
	int end = 0;

	if (sscanf(line, "verification time %lu usec%n", &s->time_us,
		   &end) != 1 || line[end])
		return -1;
	s->has_time = true;
	return 0;
}

static int parse_line(const char *line, struct kt_verifier_stats *s,
		      char *err, size_t err_len)
{
	int ret = 0;

	if (!strncmp(line, PROCESSED, strlen(PROCESSED)))
		ret = parse_processed(line, s);
	else if (!strncmp(line, TIME, strlen(TIME)))
		ret = parse_time(line, s);
	if (ret)
		snprintf(err, err_len, "verifier log: statistics line does not parse: '%.120s'",
			 line);
	return ret;
}

int kt_verifier_parse_stats(const char *log, size_t len,
			    struct kt_verifier_stats *s, char *err,
			    size_t err_len)
{
	const char *p = log, *end = memchr(log, '\0', len), *nl;
	char line[512];
	size_t n;

	/* The log ends at its NUL: what follows is the buffer's old content. */
	if (!end)
		end = log + len;
	memset(s, 0, sizeof(*s));
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		n = (nl ? nl : end) - p;
		/* No statistics line is that long: longer ones are not read. */
		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (parse_line(line, s, err, err_len))
				return -1;
		}
		p += n + 1;
	}
	if (!s->has_processed) {
		snprintf(err, err_len, "verifier log: no 'processed N insns' line");
		return -1;
	}
	return 0;
}

json_t *kt_verifier_prog_json(const struct kt_verifier_prog *p)
{
	json_t *o = json_object(), *s;

	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "prog_type", json_string(p->prog_type));
	json_object_set_new(o, "loaded", json_boolean(p->loaded));
	if (p->error[0])
		json_object_set_new(o, "error", json_string(p->error));
	if (p->has_info) {
		json_object_set_new(o, "id", json_integer(p->id));
		json_object_set_new(o, "verified_insns",
				    json_integer(p->verified_insns));
	}
	if (p->has_stats) {
		s = json_object();
		json_object_set_new(s, "processed_insns",
				    json_integer(p->stats.processed_insns));
		json_object_set_new(s, "insn_limit", json_integer(p->stats.insn_limit));
		json_object_set_new(s, "peak_states", json_integer(p->stats.peak_states));
		json_object_set_new(s, "total_states",
				    json_integer(p->stats.total_states));
		json_object_set_new(s, "max_states_per_insn",
				    json_integer(p->stats.max_states_per_insn));
		if (p->stats.has_time)
			json_object_set_new(s, "time_us", json_integer(p->stats.time_us));
		json_object_set_new(o, "stats", s);
	}
	if (p->note[0])
		json_object_set_new(o, "note", json_string(p->note));
	return o;
}
