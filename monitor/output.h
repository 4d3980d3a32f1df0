/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the monitor tells: a short summary for a test's TAP diagnostics,
 * the whole series as JSON for its result file, and a plot.
 */
#ifndef KTSTR_MONITOR_OUTPUT_H
#define KTSTR_MONITOR_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "series.h"
#include "verdict.h"

/* "monitor: ..." lines; @error is why the monitor could not attach. */
void kt_monitor_summary(FILE *f, const struct kt_series *s,
			const struct kt_monitor_verdict v[KT_NR_VERDICTS],
			const char *error);
/* One line per failed verdict, for a test's failure reason. */
void kt_monitor_failures(FILE *f, const struct kt_monitor_verdict v[KT_NR_VERDICTS]);
/*
 * The series and verdicts as a JSON object (the "monitor" object of a
 * result); @plot is the plot's file name, or NULL.  NULL if out of memory.
 */
json_t *kt_monitor_json(const struct kt_series *s,
			const struct kt_monitor_verdict v[KT_NR_VERDICTS],
			const char *error, const char *plot);
/* A self-contained SVG of the per-CPU time series at @path, atomically. */
int kt_monitor_plot(const char *path, const char *title,
		    const struct kt_series *s,
		    const struct kt_monitor_verdict v[KT_NR_VERDICTS]);
/* Host CPU time per sample, microseconds (mean). */
double kt_monitor_cost_us(const struct kt_series *s);

#endif
