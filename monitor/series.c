// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "series.h"

void kt_series_init(struct kt_series *s, const struct kt_layout *l,
		    unsigned int nr_cpus, unsigned int interval_ms)
{
	memset(s, 0, sizeof(*s));
	s->layout = l;
	s->nr_cpus = nr_cpus;
	s->interval_ms = interval_ms;
}

struct kt_sample *kt_series_add(struct kt_series *s)
{
	struct kt_sample *p;
	size_t cap;

	if (s->count == KT_SERIES_MAX) {
		s->dropped++;
		return NULL;
	}
	if (s->count == s->cap) {
		cap = s->cap ? s->cap * 2 : 256;
		p = realloc(s->samples, cap * sizeof(*p));
		if (!p)
			return NULL;
		s->samples = p;
		s->cap = cap;
	}
	p = &s->samples[s->count];
	memset(p, 0, sizeof(*p));
	p->cpu = calloc(s->nr_cpus, sizeof(*p->cpu));
	if (!p->cpu)
		return NULL;
	p->nr_cpus = s->nr_cpus;
	s->count++;
	return p;
}

void kt_series_free(struct kt_series *s)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		free(s->samples[i].cpu);
		free(s->samples[i].waiters);
	}
	free(s->samples);
	memset(s, 0, sizeof(*s));
}

double kt_series_time(const struct kt_series *s, size_t i)
{
	return s->count ? s->samples[i].host_s - s->samples[0].host_s : 0;
}

int kt_series_event(const struct kt_series *s, const char *name)
{
	unsigned int e;

	for (e = 0; e < s->layout->nr_events; e++)
		if (!strcmp(s->layout->events[e].name, name))
			return e;
	return -1;
}

/* Run time @ra to @rb (ns) over samples @a to @b, of one host CPU. */
static double share(const struct kt_sample *a, const struct kt_sample *b,
		    int64_t ra, int64_t rb)
{
	if (ra == KT_NA || rb == KT_NA || rb < ra || b->host_s <= a->host_s)
		return -1;
	return (rb - ra) / 1e9 / (b->host_s - a->host_s);
}

double kt_series_vcpu_share(const struct kt_series *s, unsigned int cpu,
			    size_t from, size_t to)
{
	const struct kt_sample *a, *b;

	if (from >= to || to >= s->count)
		return -1;
	a = &s->samples[from];
	b = &s->samples[to];
	if (cpu >= a->nr_cpus || cpu >= b->nr_cpus)
		return -1;
	return share(a, b, a->cpu[cpu].v[KT_CV_VCPU_RUN],
		     b->cpu[cpu].v[KT_CV_VCPU_RUN]);
}

double kt_series_vm_share(const struct kt_series *s, size_t from, size_t to)
{
	if (from >= to || to >= s->count)
		return -1;
	return share(&s->samples[from], &s->samples[to],
		     s->samples[from].vm_run, s->samples[to].vm_run);
}
