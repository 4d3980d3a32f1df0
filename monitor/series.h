/* SPDX-License-Identifier: GPL-2.0 */
/* The samples of one VM's life, in order, and what they were read with. */
#ifndef KTSTR_MONITOR_SERIES_H
#define KTSTR_MONITOR_SERIES_H

#include <stddef.h>

#include "kaslr.h"
#include "layout.h"
#include "sample.h"

/* 1000 s at 10 ms; a run that goes on stops recording, it still runs. */
#define KT_SERIES_MAX 100000

struct kt_series {
	const struct kt_layout *layout;
	unsigned int nr_cpus;
	unsigned int interval_ms;
	struct kt_sample *samples;
	size_t count, cap;
	size_t dropped;			/* samples past KT_SERIES_MAX */
	struct kt_kaslr place;		/* where the guest kernel was found */
	double find_us;			/* how long that took; 0: not found */
};

void kt_series_init(struct kt_series *s, const struct kt_layout *l,
		    unsigned int nr_cpus, unsigned int interval_ms);
/* A new zeroed sample at the end, or NULL when full or out of memory. */
struct kt_sample *kt_series_add(struct kt_series *s);
void kt_series_free(struct kt_series *s);
/* Seconds since the first sample. */
double kt_series_time(const struct kt_series *s, size_t i);
/*
 * The share of one host CPU that vCPU @cpu's thread had from sample
 * @from to @to (0.25: a quarter of the wall time), or -1 if unknown.
 */
double kt_series_vcpu_share(const struct kt_series *s, unsigned int cpu,
			    size_t from, size_t to);
/* The same of the one thread that runs every vCPU (vm_run), or -1. */
double kt_series_vm_share(const struct kt_series *s, size_t from, size_t to);
/* Index of event @name in the layout, or -1. */
int kt_series_event(const struct kt_series *s, const char *name);

#endif
