// SPDX-License-Identifier: GPL-2.0
/*
 * A map dump as text, one line a value named by its path
 * ("qa.nr_enqueued = 1385"): long arrays of numbers are cut, arrays of
 * structs show the elements that are not all zero, a few of them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfmap.h"

#define INLINE_ELEMS 16		/* numbers shown of an array */
#define SHOWN_ELEMS 8		/* structs shown of an array */
#define MAX_TEXT 160		/* characters shown of a string */

static bool is_zero(const json_t *v)
{
	size_t i;
	const char *k;
	json_t *e;

	switch (json_typeof(v)) {
	case JSON_INTEGER:
		return !json_integer_value(v);
	case JSON_REAL:
		return json_real_value(v) == 0;
	case JSON_FALSE:
	case JSON_NULL:
		return true;
	case JSON_STRING:
		return !*json_string_value(v) ||
		       !strcmp(json_string_value(v), "0x0000000000000000");
	case JSON_ARRAY:
		json_array_foreach(v, i, e)
			if (!is_zero(e))
				return false;
		return true;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, k, e)
			if (!is_zero(e))
				return false;
		return true;
	default:
		return false;
	}
}

/*
 * Names and text are the guest's (BTF names, map names, strings): a
 * control character would end a TAP line.  Those are printed escaped.
 */
static void put_clean(FILE *f, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s && s[i] && i < max; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/* Numbers beyond int64 and pointers are text in JSON, not in print. */
static bool is_number_text(const char *s)
{
	if (!strncmp(s, "0x", 2) && s[2])
		return strspn(s + 2, "0123456789abcdef") == strlen(s + 2);
	return *s && strspn(s, "0123456789") == strlen(s);
}

static void print_scalar(FILE *f, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_INTEGER:
		fprintf(f, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", f);
		break;
	case JSON_FALSE:
		fputs("false", f);
		break;
	case JSON_STRING:
		if (is_number_text(json_string_value(v)) &&
		    json_string_length(v) <= MAX_TEXT) {
			fputs(json_string_value(v), f);
			break;
		}
		fputc('"', f);
		put_clean(f, json_string_value(v), MAX_TEXT);
		fputc('"', f);
		/* A blob without BTF, a long buffer: its start. */
		if (json_string_length(v) > MAX_TEXT)
			fprintf(f, "... (%zu characters)",
				json_string_length(v));
		break;
	default:
		fputs("null", f);
	}
}

static void print_path(FILE *f, const char *indent, const char *path,
		       const char *after)
{
	fputs(indent, f);
	put_clean(f, path, SIZE_MAX);
	fputs(after, f);
}

static bool is_compound(const json_t *v)
{
	return json_is_object(v) || json_is_array(v);
}

static void print_value(FILE *f, const char *indent, const char *path,
			const json_t *v);

static void print_array(FILE *f, const char *indent, const char *path,
			const json_t *v)
{
	size_t n = json_array_size(v), i, shown = 0, zero = 0;
	bool compound = n && is_compound(json_array_get(v, 0));
	char sub[512];

	if (!compound) {
		print_path(f, indent, path, " = ");
		if (n && is_zero(v)) {
			fprintf(f, "[%zu x 0]\n", n);
			return;
		}
		fputc('[', f);
		for (i = 0; i < n && i < INLINE_ELEMS; i++) {
			if (i)
				fputs(", ", f);
			print_scalar(f, json_array_get(v, i));
		}
		if (n > INLINE_ELEMS)
			fprintf(f, ", ... %zu more", n - INLINE_ELEMS);
		fputs("]\n", f);
		return;
	}
	for (i = 0; i < n; i++) {
		if (is_zero(json_array_get(v, i))) {
			zero++;
			continue;
		}
		if (shown++ >= SHOWN_ELEMS)
			continue;
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		print_value(f, indent, sub, json_array_get(v, i));
	}
	if (shown > SHOWN_ELEMS) {
		print_path(f, indent, path, ": ");
		fprintf(f, "%zu more elements not zero, not shown\n",
			shown - SHOWN_ELEMS);
	}
	if (zero) {
		print_path(f, indent, path, ": ");
		fprintf(f, "%zu of %zu elements all zero\n", zero, n);
	}
}

static void print_value(FILE *f, const char *indent, const char *path,
			const json_t *v)
{
	char sub[512];
	const char *k;
	json_t *e;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, e) {
			snprintf(sub, sizeof(sub), "%s%s%s", path,
				 *path ? "." : "", k);
			print_value(f, indent, sub, e);
		}
	} else if (json_is_array(v)) {
		print_array(f, indent, path, v);
	} else {
		print_path(f, indent, path, " = ");
		print_scalar(f, v);
		fputc('\n', f);
	}
}

static void print_entries(FILE *f, const char *indent, const json_t *entries)
{
	char path[512], *key;
	size_t i, cpu;
	json_t *e, *v;

	json_array_foreach(entries, i, e) {
		if (!json_is_object(e)) {
			snprintf(path, sizeof(path), "[%zu]", i);
			print_value(f, indent, path, e);
			continue;
		}
		key = json_dumps(json_object_get(e, "key"),
				 JSON_COMPACT | JSON_ENCODE_ANY);
		v = json_object_get(e, "value");
		if (v) {
			snprintf(path, sizeof(path), "[%s]", key ? key : "?");
			print_value(f, indent, path, v);
		}
		json_array_foreach(json_object_get(e, "values"), cpu, v) {
			snprintf(path, sizeof(path), "[%s] cpu%zu",
				 key ? key : "?", cpu);
			print_value(f, indent, path, v);
		}
		free(key);
	}
}

static void print_map(FILE *f, const char *indent, const json_t *m)
{
	const json_t *type = json_object_get(m, "type"), *v;
	char more[600];

	if (!type) {	/* a map whose header could not be read */
		fprintf(f, "%smap at %s: error: ", indent,
			json_string_value(json_object_get(m, "addr")) ?: "?");
		put_clean(f, json_string_value(json_object_get(m, "error")),
			  SIZE_MAX);
		fputc('\n', f);
		return;
	}
	print_path(f, indent, json_string_value(json_object_get(m, "name")) ?:
		   "?", ": ");
	if (json_is_string(type))
		fputs(json_string_value(type), f);
	else
		print_scalar(f, type);
	fprintf(f, ", id %lld, key %lld B, value %lld B, max_entries %lld\n",
		(long long)json_integer_value(json_object_get(m, "id")),
		(long long)json_integer_value(json_object_get(m, "key_size")),
		(long long)json_integer_value(json_object_get(m, "value_size")),
		(long long)json_integer_value(json_object_get(m, "max_entries")));
	snprintf(more, sizeof(more), "%s  ", indent);
	v = json_object_get(m, "globals");
	if (v)
		print_value(f, more, "", v);
	v = json_object_get(m, "entries");
	if (v) {
		print_entries(f, more, v);
		if (!json_array_size(v))
			fprintf(f, "%s(empty)\n", more);
	}
	v = json_object_get(m, "zero_entries");
	if (json_integer_value(v))
		fprintf(f, "%s%lld entries all zero\n", more,
			(long long)json_integer_value(v));
	v = json_object_get(m, "entries_not_read");
	if (json_integer_value(v))
		fprintf(f, "%s%lld entries past the first %d not read\n", more,
			(long long)json_integer_value(v),
			KT_BPFMAP_MAX_ENTRIES);
	v = json_object_get(m, "error");
	if (v) {
		fprintf(f, "%serror: ", more);
		put_clean(f, json_string_value(v), SIZE_MAX);
		fputc('\n', f);
	}
}

void kt_bpfmap_print(FILE *f, const json_t *maps, const char *indent)
{
	size_t i;
	json_t *m;

	json_array_foreach(maps, i, m)
		print_map(f, indent, m);
}

void kt_bpfmap_print_lines(FILE *f, const json_t *maps, const char *indent,
			   size_t max_lines)
{
	size_t len = 0, lines = 0, i, cut = 0;
	char *text = NULL;
	FILE *m = open_memstream(&text, &len);

	if (!m) {	/* out of memory: whole, then */
		kt_bpfmap_print(f, maps, indent);
		return;
	}
	kt_bpfmap_print(m, maps, indent);
	fclose(m);
	for (i = 0; i < len; i++) {
		if (text[i] != '\n')
			continue;
		if (++lines == max_lines)
			cut = i + 1;
	}
	if (lines <= max_lines) {
		fwrite(text, 1, len, f);
	} else {
		fwrite(text, 1, cut, f);
		fprintf(f, "%s... (%zu more lines in the JSON result)\n",
			indent, lines - max_lines);
	}
	free(text);
}
