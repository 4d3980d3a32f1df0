// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "json.h"

size_t kt_utf8_length(const unsigned char *s)
{
	unsigned int n, i, cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	cp = s[0] & (0x3f >> (n - 1));
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/*
 * A guest may print any bytes, and the monitor reads strings from guest
 * memory; JSON strings are UTF-8, so each byte that is not part of a
 * UTF-8 character becomes U+FFFD.
 */
json_t *kt_json_text(const char *s)
{
	const unsigned char *p;
	json_t *v = json_string(s ? s : "");
	size_t n, len = 0;
	char *clean;

	if (v || !s)
		return v;
	clean = malloc(strlen(s) * 3 + 1);
	if (!clean)
		return NULL;
	for (p = (const unsigned char *)s; *p; p += n ? n : 1) {
		n = kt_utf8_length(p);
		if (n) {
			memcpy(clean + len, p, n);
			len += n;
		} else {
			memcpy(clean + len, "\xef\xbf\xbd", 3);
			len += 3;
		}
	}
	v = json_stringn(clean, len);
	free(clean);
	return v;
}

json_t *kt_json_int(int64_t v, int64_t missing)
{
	return v == missing ? json_null() : json_integer(v);
}

json_t *kt_json_real(double v, int decimals)
{
	double scale = pow(10, decimals);

	return isfinite(v) ? json_real(round(v * scale) / scale) : json_null();
}

json_t *kt_json_append(json_t *array, json_t *v)
{
	if (!json_array_append_new(array, v))
		return array;
	json_decref(array);
	return NULL;
}

int kt_json_save(const char *what, const char *path, const json_t *v,
		 size_t flags)
{
	char tmp[PATH_MAX + 32];
	FILE *f;
	int bad;

	/* Per process: jobs of a CI matrix may share one file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, getpid());
	f = fopen(tmp, "w");
	if (!f)
		return kt_fail_errno("%s %s", what, tmp);
	bad = json_dumpf(v, f, flags) || fputc('\n', f) == EOF;
	if (fclose(f) || bad || rename(tmp, path)) {
		unlink(tmp);
		return kt_fail_errno("%s %s", what, path);
	}
	return 0;
}

/* What jansson may read of a file: up to a limit, then an error. */
struct capped_read {
	FILE *f;
	size_t left;
	bool over;
};

static size_t read_capped(void *buf, size_t len, void *data)
{
	struct capped_read *r = data;
	size_t n;

	if (!r->left) {
		if (fgetc(r->f) == EOF)
			return ferror(r->f) ? (size_t)-1 : 0;
		r->over = true;
		return (size_t)-1;
	}
	n = fread(buf, 1, len < r->left ? len : r->left, r->f);
	r->left -= n;
	return !n && ferror(r->f) ? (size_t)-1 : n;
}

json_t *kt_json_loadf(FILE *f, const char *path, unsigned int max_mib)
{
	struct capped_read r = { .f = f, .left = (size_t)max_mib << 20 };
	json_error_t err;
	json_t *v;

	v = json_load_callback(read_capped, &r, JSON_REJECT_DUPLICATES, &err);
	if (v)
		return v;
	if (r.over)
		kt_fail("%s: larger than %u MiB", path, max_mib);
	else if (ferror(f))
		kt_fail("%s: read error", path);
	else
		kt_fail("%s: not valid JSON: %s (line %d, column %d)", path,
			err.text, err.line, err.column);
	return NULL;
}

json_t *kt_json_load(const char *path, unsigned int max_mib)
{
	FILE *f = fopen(path, "r");
	json_t *v;

	if (!f)
		return kt_fail_errno("%s", path), NULL;
	v = kt_json_loadf(f, path, max_mib);
	fclose(f);
	return v;
}
