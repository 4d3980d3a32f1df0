/* SPDX-License-Identifier: GPL-2.0 */
/* The little JSON writing that results need: strings and numbers. */
#ifndef KTSTR_JSON_H
#define KTSTR_JSON_H

#include <stdint.h>
#include <stdio.h>

/* @s as a JSON string, quotes included; NULL as "". */
void kt_json_string(FILE *f, const char *s);
/* @v, or null when @v is @missing. */
void kt_json_int(FILE *f, int64_t v, int64_t missing);
/* A finite number with @decimals digits, null otherwise. */
void kt_json_double(FILE *f, double v, int decimals);

#endif
