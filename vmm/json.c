// SPDX-License-Identifier: GPL-2.0
#include <math.h>

#include "json.h"

void kt_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void kt_json_int(FILE *f, int64_t v, int64_t missing)
{
	if (v == missing)
		fputs("null", f);
	else
		fprintf(f, "%lld", (long long)v);
}

void kt_json_double(FILE *f, double v, int decimals)
{
	if (isfinite(v))
		fprintf(f, "%.*f", decimals, v);
	else
		fputs("null", f);
}
