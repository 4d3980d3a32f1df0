/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two result sets (directories of `--json` results): results
 * are paired by (test, topology, scheduler, kernel), each pair's metrics
 * are compared, and a change counts only if it passes both the metric's
 * absolute and its relative threshold, so that noise on a tiny value and
 * noise on a large one are both ignored.
 */
#ifndef KTSTR_RUNNER_COMPARE_H
#define KTSTR_RUNNER_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* Each read from the JSON result's fields (Documentation/compare.md). */
enum kt_metric {
	KT_METRIC_FAILED,	/* 1 if the test failed */
	KT_METRIC_SPREAD,	/* fairness: the largest group "spread" */
	KT_METRIC_GAP_MS,	/* longest time a worker did not run */
	KT_METRIC_WORK,		/* work units of all groups */
	KT_METRIC_MIGRATIONS,
	KT_METRIC_LLC_MIGRATIONS,	/* migrations across LLCs */
	KT_METRIC_NODE_MIGRATIONS,	/* migrations across NUMA nodes */
	KT_METRIC_RUN_DELAY_MS,	/* mean per worker: runnable, not running */
	KT_METRIC_WAKE_P99_US,	/* the largest group wake-up latency p99 */
	KT_METRIC_SHARE_ERROR,	/* the largest |measured - expected| share */
	KT_METRIC_VERDICTS,	/* failed monitor verdicts */
	KT_METRIC_VERIFIED_INSNS,	/* ktstr verifier: of one program */
	KT_METRIC_PEAK_STATES,
	KT_METRIC_VERIFY_TIME_US,
	KT_NR_METRICS,
};

struct kt_threshold {
	double abs;		/* |b - a| must exceed this */
	double rel;		/* and |b - a| / |a| this (0.5 = 50%) */
};

struct kt_metric_info {
	const char *name;
	bool higher_is_better;
	struct kt_threshold def;
};

extern const struct kt_metric_info kt_metrics[KT_NR_METRICS];

struct kt_result_metrics {
	char test[192];		/* the name without the scheduler variant */
	char topology[64];
	char scheduler[64];
	char kernel[128];
	char result[8];
	char boot_image[16];	/* "bzImage", "vmlinux"; "": not recorded */
	int kaslr;		/* 1, 0; -1: not recorded */
	double v[KT_NR_METRICS];
	bool has[KT_NR_METRICS];
};

struct kt_result_set {
	struct kt_result_metrics *v;
	size_t count;
};

/*
 * Reads every *.json of @dir, or the report of `ktstr verifier --json`
 * that @dir names (a file): each of its programs is a result.  A file
 * that is not valid JSON, or whose fields have the wrong type, is an
 * error naming the file and the field.
 */
int kt_result_set_load(const char *dir, struct kt_result_set *s);
void kt_result_set_free(struct kt_result_set *s);
/* The metrics of one JSON result (@origin names it in errors). */
int kt_result_parse(const json_t *result, const char *origin,
		    struct kt_result_metrics *m);

struct kt_compare_opts {
	struct kt_threshold thr[KT_NR_METRICS];
	/* Pair scheduler sched_a of A with sched_b of B (--pair-scheduler). */
	char sched_a[64], sched_b[64];
};

void kt_compare_defaults(struct kt_compare_opts *o);
/* "METRIC=ABS,REL%" (or REL as a fraction); errors name the value. */
int kt_compare_parse_threshold(struct kt_compare_opts *o, const char *s);

struct kt_compare_summary {
	unsigned int pairs, regressions, improvements, only_a, only_b;
	unsigned int boot_differs;	/* pairs booted differently */
};

/*
 * Prints improvements and regressions of B against A to @out, and one
 * warning if pairs ran with and without KASLR or from different boot
 * images: their figures are not comparable.
 */
void kt_compare(const struct kt_result_set *a, const struct kt_result_set *b,
		const struct kt_compare_opts *o, FILE *out,
		struct kt_compare_summary *sum);

#endif
