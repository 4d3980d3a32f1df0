// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-up latencies: a log-linear histogram per worker, kept in the
 * workers' shared mapping so that recording one is a single increment,
 * and merged per group when the workers have stopped.
 */
#include <string.h>

#include "workload.h"

#define SUB (1u << KTSTR_HIST_SUB_BITS)

unsigned int ktstr_hist_index(uint64_t ns)
{
	unsigned int msb, idx;

	if (ns < SUB)
		return ns;
	msb = 63 - __builtin_clzll(ns);
	idx = ((msb - KTSTR_HIST_SUB_BITS + 1) << KTSTR_HIST_SUB_BITS) +
	      ((ns >> (msb - KTSTR_HIST_SUB_BITS)) & (SUB - 1));
	return idx < KTSTR_HIST_BUCKETS ? idx : KTSTR_HIST_BUCKETS - 1;
}

uint64_t ktstr_hist_value(unsigned int idx)
{
	unsigned int octave = idx >> KTSTR_HIST_SUB_BITS;
	uint64_t sub = idx & (SUB - 1);

	if (!octave)
		return sub;
	/* Bucket [(SUB + sub) << shift, (SUB + sub + 1) << shift). */
	return ((SUB + sub + 1) << (octave - 1)) - 1;
}

uint64_t ktstr_hist_percentile(const uint32_t *counts, uint64_t total,
			       double pct)
{
	uint64_t want, seen = 0;
	unsigned int i;

	if (!total)
		return 0;
	/* The smallest value at or below which pct% of the samples lie. */
	want = (uint64_t)(pct / 100.0 * total + 0.999999);
	if (want < 1)
		want = 1;
	for (i = 0; i < KTSTR_HIST_BUCKETS; i++) {
		seen += counts[i];
		if (seen >= want)
			return ktstr_hist_value(i);
	}
	return ktstr_hist_value(KTSTR_HIST_BUCKETS - 1);
}

void ktstr_record_latency(struct ktstr_wctx *c, uint64_t ns)
{
	c->slot->lat_hist[ktstr_hist_index(ns)]++;
	c->slot->stats.lat_count++;
	if (ns > c->slot->stats.lat_max_ns)
		c->slot->stats.lat_max_ns = ns;
}

int ktstr_workers_latency(const struct ktstr_workers *w,
			  struct ktstr_latency *out)
{
	static uint32_t merged[KTSTR_HIST_BUCKETS];
	unsigned int i, b;

	memset(out, 0, sizeof(*out));
	memset(merged, 0, sizeof(merged));
	for (i = 0; i < w->n; i++) {
		const struct ktstr_slot *slot = &w->sh->slot[i];

		if (!slot->stats.lat_count)
			continue;
		out->count += slot->stats.lat_count;
		if (slot->stats.lat_max_ns > out->max_ns)
			out->max_ns = slot->stats.lat_max_ns;
		for (b = 0; b < KTSTR_HIST_BUCKETS; b++)
			merged[b] += slot->lat_hist[b];
	}
	if (!out->count)
		return -1;
	out->p50_ns = ktstr_hist_percentile(merged, out->count, 50);
	out->p90_ns = ktstr_hist_percentile(merged, out->count, 90);
	out->p99_ns = ktstr_hist_percentile(merged, out->count, 99);
	/* The maximum is exact; a bucket's upper bound may exceed it. */
	if (out->p99_ns > out->max_ns)
		out->p99_ns = out->max_ns;
	if (out->p90_ns > out->p99_ns)
		out->p90_ns = out->p99_ns;
	if (out->p50_ns > out->p90_ns)
		out->p50_ns = out->p90_ns;
	return 0;
}
