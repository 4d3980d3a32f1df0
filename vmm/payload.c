// SPDX-License-Identifier: GPL-2.0
/*
 * Built into both the host and the guest's static /init: only libc, no
 * allocation, errors as text for either side to report.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "payload.h"

#define KEY_EXEC "ktstr.exec="
#define KEY_SHELL "ktstr.shell="
#define KEY_ROWS "ktstr.rows="
#define KEY_COLS "ktstr.cols="
#define KEY_TERM "ktstr.term="
#define KEY_RESULTS "ktstr.results="
#define KEY_TIME "ktstr.time="
#define KEY_SEED "ktstr.seed="
/* Far enough for any clock, short of overflowing a time_t. */
#define TIME_S_MAX 99999999999ull

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A terminal name goes into $TERM as it is: no room for surprises. */
static bool term_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > KT_PAYLOAD_TERM_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && !strchr("._+-", s[i]))
			return false;
	return true;
}

bool kt_payload_term_ok(const char *term)
{
	return term_ok(term, strlen(term));
}

static const char digits[] = "0123456789abcdef";

static size_t put_hex(char *out, const void *data, size_t len)
{
	const unsigned char *b = data;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * len] = '\0';
	return 2 * len;
}

int kt_payload_encode(const struct kt_payload *p, char *line, size_t len,
		      char *err, size_t errlen)
{
	size_t cmd = strlen(p->command), term = strlen(p->term), n;

	if (cmd > KT_PAYLOAD_COMMAND_MAX)
		return fail(err, errlen,
			    "the command is %zu bytes, at most %d",
			    cmd, KT_PAYLOAD_COMMAND_MAX);
	if (term && !term_ok(p->term, term))
		return fail(err, errlen,
			    "TERM='%.*s' is not a terminal name the guest takes (letters, digits, '._+-', at most %d)",
			    64, p->term, KT_PAYLOAD_TERM_MAX);
	if (p->results_max > KT_PAYLOAD_RESULTS_MAX)
		return fail(err, errlen,
			    "results bound %lu bytes, at most %lu",
			    p->results_max, KT_PAYLOAD_RESULTS_MAX);
	if (p->has_time && (p->time_s > TIME_S_MAX || p->time_ns > 999999999))
		return fail(err, errlen, "time %llu.%u out of range",
			    p->time_s, p->time_ns);
	if (len < KT_PAYLOAD_LINE_MAX + 1)
		return fail(err, errlen, "no room for the payload line");
	n = snprintf(line, len, "%s", KT_PAYLOAD_PREFIX);
	if (cmd) {
		n += snprintf(line + n, len - n, " %s", KEY_EXEC);
		n += put_hex(line + n, p->command, cmd);
	}
	if (p->interactive)
		n += snprintf(line + n, len - n, " %s1", KEY_SHELL);
	if (p->rows && p->cols)
		n += snprintf(line + n, len - n, " %s%u %s%u", KEY_ROWS,
			      p->rows, KEY_COLS, p->cols);
	if (term)
		n += snprintf(line + n, len - n, " %s%s", KEY_TERM, p->term);
	if (p->results_max)
		n += snprintf(line + n, len - n, " %s%lu", KEY_RESULTS,
			      p->results_max);
	if (p->has_time)
		n += snprintf(line + n, len - n, " %s%llu.%09u", KEY_TIME,
			      p->time_s, p->time_ns);
	if (p->has_seed) {
		n += snprintf(line + n, len - n, " %s", KEY_SEED);
		n += put_hex(line + n, p->seed, sizeof(p->seed));
	}
	n += snprintf(line + n, len - n, "\n");
	/* The bounds above keep every line well within the limit. */
	if (n > KT_PAYLOAD_LINE_MAX)
		return fail(err, errlen, "payload line of %zu bytes, at most %d",
			    n, KT_PAYLOAD_LINE_MAX);
	return n;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lowercase hex into @out; a NUL byte is refused unless @nul_ok. */
static int decode_hex(const char *key, const char *hex, size_t len,
		      unsigned char *out, bool nul_ok, char *err,
		      size_t errlen)
{
	size_t i;

	if (len % 2)
		return fail(err, errlen, "%san odd number of hex digits", key);
	for (i = 0; i < len; i += 2) {
		int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return fail(err, errlen,
				    "%snot lowercase hex at digit %zu",
				    key, i + (hi >= 0));
		if (!nul_ok && !hi && !lo)
			return fail(err, errlen, "%sa NUL byte in the command",
				    key);
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int decode_command(const char *hex, size_t len, struct kt_payload *p,
			  char *err, size_t errlen)
{
	if (len / 2 > KT_PAYLOAD_COMMAND_MAX)
		return fail(err, errlen, "%sa command of %zu bytes, at most %d",
			    KEY_EXEC, len / 2, KT_PAYLOAD_COMMAND_MAX);
	/* sh -c would stop at a NUL and run a part of it. */
	if (decode_hex(KEY_EXEC, hex, len, (unsigned char *)p->command, false,
		       err, errlen))
		return -1;
	p->command[len / 2] = '\0';
	return 0;
}

static int decode_seed(const char *hex, size_t len, struct kt_payload *p,
		       char *err, size_t errlen)
{
	if (len != 2 * KT_PAYLOAD_SEED_LEN)
		return fail(err, errlen, "%s%zu hex digits, not %d", KEY_SEED,
			    len, 2 * KT_PAYLOAD_SEED_LEN);
	p->has_seed = true;
	return decode_hex(KEY_SEED, hex, len, p->seed, true, err, errlen);
}

/* Decimal digits only, from @min to @max. */
static int decode_number(const char *key, const char *s, size_t len,
			 unsigned long min, unsigned long max,
			 unsigned long *out, char *err, size_t errlen)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			break;
		if (v > (max - (s[i] - '0')) / 10) {
			v = max + 1;
			break;
		}
		v = v * 10 + (s[i] - '0');
	}
	if (!len || (i < len && v <= max))
		return fail(err, errlen, "%s'%.*s' is not a number", key,
			    (int)(len > 20 ? 20 : len), s);
	if (v < min || v > max)
		return fail(err, errlen, "%s'%.*s' is not from %lu to %lu",
			    key, (int)(len > 20 ? 20 : len), s, min, max);
	*out = v;
	return 0;
}

/* <seconds>.<nine digits of nanoseconds> */
static int decode_time(const char *s, size_t len, struct kt_payload *p,
		       char *err, size_t errlen)
{
	const char *dot = memchr(s, '.', len);
	unsigned long v;

	if (!dot || s + len - dot - 1 != 9)
		return fail(err, errlen,
			    "%s'%.*s' is not <seconds>.<9 digits>", KEY_TIME,
			    (int)(len > 30 ? 30 : len), s);
	if (decode_number(KEY_TIME, s, dot - s, 0, TIME_S_MAX, &v, err,
			  errlen))
		return -1;
	p->time_s = v;
	if (decode_number(KEY_TIME, dot + 1, 9, 0, 999999999, &v, err,
			  errlen))
		return -1;
	p->time_ns = v;
	p->has_time = true;
	return 0;
}

enum word {
	W_EXEC, W_SHELL, W_ROWS, W_COLS, W_TERM, W_RESULTS, W_TIME, W_SEED,
	NR_WORDS
};

static const char * const keys[NR_WORDS] = {
	KEY_EXEC, KEY_SHELL, KEY_ROWS, KEY_COLS, KEY_TERM, KEY_RESULTS,
	KEY_TIME, KEY_SEED,
};

static int decode_word(const char *w, size_t len, struct kt_payload *p,
		       bool *seen, char *err, size_t errlen)
{
	unsigned long v;
	const char *val;
	size_t klen, vlen;
	int k;

	for (k = 0; k < NR_WORDS; k++) {
		klen = strlen(keys[k]);
		if (len >= klen && !memcmp(w, keys[k], klen))
			break;
	}
	if (k == NR_WORDS)
		return fail(err, errlen, "unknown word '%.*s'",
			    (int)(len > 40 ? 40 : len), w);
	if (seen[k])
		return fail(err, errlen, "%s given twice", keys[k]);
	seen[k] = true;
	val = w + klen;
	vlen = len - klen;
	switch (k) {
	case W_EXEC:
		return decode_command(val, vlen, p, err, errlen);
	case W_TIME:
		return decode_time(val, vlen, p, err, errlen);
	case W_SEED:
		return decode_seed(val, vlen, p, err, errlen);
	case W_SHELL:
		if (vlen != 1 || *val != '1')
			return fail(err, errlen, "%s takes only 1", keys[k]);
		p->interactive = true;
		return 0;
	case W_ROWS:
	case W_COLS:
		if (decode_number(keys[k], val, vlen, 1, 65535, &v, err,
				  errlen))
			return -1;
		*(k == W_ROWS ? &p->rows : &p->cols) = v;
		return 0;
	case W_TERM:
		if (!term_ok(val, vlen))
			return fail(err, errlen,
				    "%s'%.*s' is not a terminal name",
				    keys[k], (int)(vlen > 64 ? 64 : vlen), val);
		memcpy(p->term, val, vlen);
		p->term[vlen] = '\0';
		return 0;
	default:
		return decode_number(keys[k], val, vlen, 1,
				     KT_PAYLOAD_RESULTS_MAX, &p->results_max,
				     err, errlen);
	}
}

int kt_payload_decode(const char *line, size_t len, struct kt_payload *p,
		      char *err, size_t errlen)
{
	bool seen[NR_WORDS] = { false };
	size_t plen = strlen(KT_PAYLOAD_PREFIX), i, end;

	memset(p, 0, sizeof(*p));
	if (len >= KT_PAYLOAD_LINE_MAX)
		return fail(err, errlen, "a line of %zu bytes, at most %d",
			    len + 1, KT_PAYLOAD_LINE_MAX);
	for (i = 0; i < len; i++)
		if (line[i] < ' ' || line[i] > '~')
			return fail(err, errlen, "byte 0x%02x at %zu",
				    (unsigned char)line[i], i);
	if (len < plen || memcmp(line, KT_PAYLOAD_PREFIX, plen) ||
	    (len > plen && line[plen] != ' '))
		return fail(err, errlen, "not a %s line: '%.*s'",
			    KT_PAYLOAD_PREFIX, (int)(len > 40 ? 40 : len),
			    line);
	for (i = plen; i < len; i = end) {
		i++;	/* the space */
		for (end = i; end < len && line[end] != ' '; end++)
			;
		if (end == i)
			return fail(err, errlen, "an empty word at %zu", i);
		if (decode_word(line + i, end - i, p, seen, err, errlen))
			return -1;
	}
	if (seen[W_ROWS] != seen[W_COLS])
		return fail(err, errlen, "%s without %s",
			    seen[W_ROWS] ? KEY_ROWS : KEY_COLS,
			    seen[W_ROWS] ? KEY_COLS : KEY_ROWS);
	return 0;
}

int kt_payload_read_line(int fd, char *line, size_t *len, char *err,
			 size_t errlen)
{
	size_t n = 0;
	ssize_t r;
	char *nl;

	for (;;) {
		r = read(fd, line + n, KT_PAYLOAD_LINE_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(err, errlen, "reading the payload line: %s",
				    strerror(errno));
		if (!r)
			return fail(err, errlen,
				    "the port closed after %zu bytes of the payload line",
				    n);
		nl = memchr(line + n, '\n', r);
		n += r;
		if (nl && nl != line + n - 1)
			return fail(err, errlen,
				    "%zu bytes after the payload line",
				    (size_t)(line + n - nl - 1));
		if (nl) {
			*len = nl - line;
			return 0;
		}
		if (n == KT_PAYLOAD_LINE_MAX)
			return fail(err, errlen,
				    "no newline in the first %d bytes: a line longer than the bound",
				    KT_PAYLOAD_LINE_MAX);
	}
}
