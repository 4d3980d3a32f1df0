// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "error.h"

void kt_cpuset_clear(struct kt_cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void kt_cpuset_add(struct kt_cpuset *s, unsigned int cpu)
{
	if (cpu < KT_MAX_CPUS)
		s->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

bool kt_cpuset_has(const struct kt_cpuset *s, unsigned int cpu)
{
	return cpu < KT_MAX_CPUS && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

bool kt_cpuset_equal(const struct kt_cpuset *a, const struct kt_cpuset *b)
{
	return !memcmp(a->bits, b->bits, sizeof(a->bits));
}

unsigned int kt_cpuset_count(const struct kt_cpuset *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < KT_MAX_CPUS / 64; i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

static int parse_cpu(const char **p, unsigned int *cpu)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)**p))
		return -1;
	v = strtoul(*p, &end, 10);
	if (v >= KT_MAX_CPUS)
		return -1;
	*cpu = v;
	*p = end;
	return 0;
}

int kt_cpulist_parse(const char *text, struct kt_cpuset *s)
{
	const char *p = text;
	unsigned int lo, hi, c;

	kt_cpuset_clear(s);
	while (isspace((unsigned char)*p))
		p++;
	while (*p && !isspace((unsigned char)*p)) {
		if (parse_cpu(&p, &lo))
			return kt_fail("cpulist '%s': expected a CPU number below %d",
				       text, KT_MAX_CPUS);
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi) || hi < lo)
				return kt_fail("cpulist '%s': bad range", text);
		}
		for (c = lo; c <= hi; c++)
			kt_cpuset_add(s, c);
		if (*p == ',')
			p++;
		else if (*p && !isspace((unsigned char)*p))
			return kt_fail("cpulist '%s': unexpected '%c'", text,
				       *p);
	}
	return 0;
}

void kt_cpulist_format(const struct kt_cpuset *s, char *buf, size_t len)
{
	unsigned int c = 0, end;
	size_t n = 0;

	buf[0] = '\0';
	while (c < KT_MAX_CPUS && n < len) {
		if (!kt_cpuset_has(s, c)) {
			c++;
			continue;
		}
		for (end = c; end + 1 < KT_MAX_CPUS &&
			      kt_cpuset_has(s, end + 1); end++)
			;
		if (end == c)
			n += snprintf(buf + n, len - n, "%s%u", n ? "," : "",
				      c);
		else
			n += snprintf(buf + n, len - n, "%s%u-%u",
				      n ? "," : "", c, end);
		c = end + 1;
	}
}
