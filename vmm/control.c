// SPDX-License-Identifier: GPL-2.0
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

#define MSG_READY "KTSTR_READY"
#define MSG_PAYLOAD_ERROR "KTSTR_PAYLOAD_ERROR "
#define MSG_EXIT "KTSTR_EXIT "
#define MSG_RESULT "KTSTR_RESULT "
#define MSG_DROPPED "KTSTR_RESULTS_DROPPED "
/* Room for any message but a record, a payload error's reason too. */
#define MSG_MAX (sizeof(MSG_PAYLOAD_ERROR) + KT_CONTROL_REASON_MAX)

const char * const kt_record_types[KT_NR_RECORD_TYPES] = {
	"check", "group", "values",
};

static bool known_type(const struct kt_records *r, const json_t *type)
{
	const char * const *types = r->types ? r->types : kt_record_types;
	unsigned int i, n = r->types ? r->nr_types : KT_NR_RECORD_TYPES;

	for (i = 0; json_is_string(type) && i < n; i++)
		if (!strcmp(json_string_value(type), types[i]))
			return true;
	return false;
}

static bool is_record(const struct kt_records *r, const char *line,
		      size_t len)
{
	json_t *rec;
	bool ok;

	/*
	 * jansson takes some lines with a NUL in them (after a number, for
	 * one), but the records are one C string: a NUL would end them there.
	 */
	if (memchr(line, '\0', len))
		return false;
	rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	ok = json_is_object(rec) && known_type(r, json_object_get(rec, "type"));
	json_decref(rec);
	return ok;
}

static int append_line(struct kt_records *r, const char *line, size_t len)
{
	char *text = realloc(r->text, r->len + len + 2);

	if (!text)
		return -1;
	memcpy(text + r->len, line, len);
	r->len += len;
	text[r->len++] = '\n';
	text[r->len] = '\0';
	r->text = text;
	return 0;
}

void kt_records_add(struct kt_records *r, const char *line, size_t len,
		    size_t max_bytes)
{
	if (r->full || r->received + len + 1 > max_bytes) {
		r->full = true;
		r->over_limit++;
		return;
	}
	r->received += len + 1;
	if (!is_record(r, line, len))
		r->rejected++;
	else if (append_line(r, line, len))
		r->over_limit++;	/* no room in our own memory */
	else
		r->accepted++;
}

void kt_records_free(struct kt_records *r)
{
	const char * const *types = r->types;
	unsigned int nr_types = r->nr_types;

	free(r->text);
	memset(r, 0, sizeof(*r));
	r->types = types;
	r->nr_types = nr_types;
}

void kt_control_init(struct kt_control *c, struct kt_records *records,
		     size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	c->records = records;
	c->max_bytes = records ? max_bytes : 0;
}

static size_t line_limit(const struct kt_control *c)
{
	return strlen(MSG_RESULT) + (c->max_bytes > MSG_MAX ? c->max_bytes :
				     MSG_MAX);
}

static bool has_prefix(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(line, prefix, n);
}

static unsigned long number(const char *s, size_t len)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
	return strtoul(buf, NULL, 10);
}

static void dropped_by_guest(struct kt_control *c, unsigned long lines)
{
	if (!c->records || !lines)
		return;
	c->records->full = true;
	c->records->over_limit += lines;
}

/* Never empty, so that "" means no error. */
static void payload_error(struct kt_control *c, const char *reason,
			  size_t len)
{
	if (!len)
		snprintf(c->payload_error, sizeof(c->payload_error),
			 "(no reason given)");
	else
		snprintf(c->payload_error, sizeof(c->payload_error), "%.*s",
			 (int)len, reason);
}

static void message(struct kt_control *c, const char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (has_prefix(line, len, MSG_RESULT)) {
		if (c->records)
			kt_records_add(c->records, line + strlen(MSG_RESULT),
				       len - strlen(MSG_RESULT), c->max_bytes);
	} else if (len == strlen(MSG_READY) && has_prefix(line, len, MSG_READY)) {
		c->ready = true;
	} else if (has_prefix(line, len, MSG_PAYLOAD_ERROR)) {
		payload_error(c, line + strlen(MSG_PAYLOAD_ERROR),
			      len - strlen(MSG_PAYLOAD_ERROR));
	} else if (has_prefix(line, len, MSG_EXIT)) {
		c->exited = true;
		c->exit_status = number(line + strlen(MSG_EXIT),
					len - strlen(MSG_EXIT));
	} else if (has_prefix(line, len, MSG_DROPPED)) {
		dropped_by_guest(c, number(line + strlen(MSG_DROPPED),
					   len - strlen(MSG_DROPPED)));
	}
}

/*
 * A line longer than any message could be: only its start is looked at.
 * A payload error keeps the start of its reason, so it is never lost.
 */
static void skip_long_line(struct kt_control *c, const char *data, size_t n)
{
	char start[MSG_MAX];
	size_t have = c->line_len < sizeof(start) ? c->line_len : sizeof(start);
	size_t more = sizeof(start) - have < n ? sizeof(start) - have : n;

	/* No line buffer yet when the first chunk is already too long. */
	if (have)
		memcpy(start, c->line, have);
	memcpy(start + have, data, more);
	have += more;
	c->line_is_record = has_prefix(start, have, MSG_RESULT);
	if (has_prefix(start, have, MSG_PAYLOAD_ERROR))
		payload_error(c, start + strlen(MSG_PAYLOAD_ERROR),
			      have - strlen(MSG_PAYLOAD_ERROR));
	c->line_too_long = true;
	c->line_len = 0;
}

static void take(struct kt_control *c, const char *data, size_t n)
{
	size_t cap;
	char *p;

	if (c->line_too_long || !n)
		return;
	if (c->line_len + n > line_limit(c)) {
		skip_long_line(c, data, n);
		return;
	}
	if (c->line_len + n > c->line_cap) {
		cap = c->line_cap ? c->line_cap : 256;
		while (cap < c->line_len + n)
			cap *= 2;
		p = realloc(c->line, cap);
		if (!p) {
			skip_long_line(c, data, n);
			return;
		}
		c->line = p;
		c->line_cap = cap;
	}
	memcpy(c->line + c->line_len, data, n);
	c->line_len += n;
}

static void end_line(struct kt_control *c)
{
	if (c->line_too_long) {
		if (c->line_is_record && c->records) {
			c->records->full = true;
			c->records->over_limit++;
		}
		c->line_too_long = false;
	} else {
		message(c, c->line, c->line_len);
	}
	c->line_len = 0;
}

void kt_control_feed(struct kt_control *c, const char *data, size_t len)
{
	const char *nl;
	size_t n;

	while (len) {
		nl = memchr(data, '\n', len);
		n = nl ? (size_t)(nl - data) : len;
		take(c, data, n);
		if (nl) {
			end_line(c);
			n++;
		}
		data += n;
		len -= n;
	}
}

void kt_control_end(struct kt_control *c)
{
	if (c->line_len || c->line_too_long)
		end_line(c);
}

void kt_control_free(struct kt_control *c)
{
	free(c->line);
	c->line = NULL;
	c->line_len = c->line_cap = 0;
}
