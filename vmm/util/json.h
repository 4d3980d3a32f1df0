/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON files through jansson: the values ktstr writes, files written
 * atomically, and files read strictly with errors that name the file.
 */
#ifndef KTSTR_JSON_H
#define KTSTR_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * How ktstr dumps JSON: compact, since a monitor series is long (read
 * it with jq); 12 significant digits keep every figure kt_json_real()
 * rounds as it was rounded (a binary double has no shorter exact form).
 */
#define KT_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(12))

/*
 * The length of the UTF-8 character at @s (1 for ASCII, NUL included),
 * or 0 if the bytes there are not one: for text the guest wrote.
 */
size_t kt_utf8_length(const unsigned char *s);
/* @s as a JSON string, NULL as ""; bytes that are not UTF-8 become U+FFFD. */
json_t *kt_json_text(const char *s);
/* @v, or null when @v is @missing. */
json_t *kt_json_int(int64_t v, int64_t missing);
/* @v rounded to @decimals places, or null when @v is not finite. */
json_t *kt_json_real(double v, int decimals);
/* @v appended to @array; on failure (@v NULL: out of memory) both freed, NULL. */
json_t *kt_json_append(json_t *array, json_t *v);

/*
 * Writes @v to @path through a temporary file renamed over it, so that a
 * reader sees the old file or the new one; errors name @what and @path.
 */
int kt_json_save(const char *what, const char *path, const json_t *v,
		 size_t flags);
/*
 * The JSON value @f holds, read from where it is to its end: NULL, with
 * an error naming @path, if it is larger than @max_mib MiB, not valid
 * JSON (where: line and column), or has a key twice in an object.
 */
json_t *kt_json_loadf(FILE *f, const char *path, unsigned int max_mib);
/* The same of the file at @path. */
json_t *kt_json_load(const char *path, unsigned int max_mib);

#endif
