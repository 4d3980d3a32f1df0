/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results of `ktstr verifier`: for each VM (kernel x topology), the
 * BPF programs the scheduler loaded and what the verifier spent on each.
 * Built from the guest agent's records, written and read as JSON (with
 * jansson), printed as a table, checked against --max-insns-pct.  See
 * Documentation/verifier.md for the format.
 */
#ifndef KTSTR_VERIFIER_REPORT_H
#define KTSTR_VERIFIER_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "stats.h"

/* The value of a report's "type": what tells it from a test result. */
#define KT_VERIFIER_REPORT_TYPE "verifier_report"

struct kt_verifier_run {
	char kernel[128];
	char topology[64];		/* the name given (preset or short form) */
	char accel[8];
	bool enabled;			/* sched_ext reached "enabled" */
	char ops[64];			/* the sched_ext ops name */
	unsigned long loads, kept;	/* BPF_PROG_LOADs seen, programs kept */
	char error[512];		/* "": the run worked */
	struct kt_verifier_prog *progs;
	size_t nr_progs;
};

struct kt_verifier_report {
	char scheduler[64];		/* BIN's file name */
	char args[1024];		/* its arguments, space-separated */
	struct kt_verifier_run *runs;
	size_t nr_runs;
};

/* A new run at the end of @r (zeroed), NULL if out of memory. */
struct kt_verifier_run *kt_verifier_add_run(struct kt_verifier_report *r);
/*
 * The agent's records (one JSON object a line, of type "verifier") into
 * @run's programs and figures.  -1, naming the record and field, if one
 * is not what the agent writes.
 */
int kt_verifier_run_records(struct kt_verifier_run *run, const char *text);
void kt_verifier_report_free(struct kt_verifier_report *r);

json_t *kt_verifier_report_json(const struct kt_verifier_report *r);
int kt_verifier_report_save(const struct kt_verifier_report *r,
			    const char *path);
/* Is @v a report (its "type"), rather than a test result? */
bool kt_verifier_is_report(const json_t *v);
/*
 * A report from its JSON @v; errors name @origin and the field.  Every
 * field is checked for its type; nothing is guessed.
 */
int kt_verifier_report_parse(const json_t *v, const char *origin,
			     struct kt_verifier_report *r);
int kt_verifier_report_load(const char *path, struct kt_verifier_report *r);

/* The table: one block per run, one line per program. */
void kt_verifier_report_print(const struct kt_verifier_report *r, FILE *out);
/*
 * The instructions @p cost the verifier: verified_insns, else the log's
 * processed count; false if neither was read.
 */
bool kt_verifier_prog_insns(const struct kt_verifier_prog *p,
			    unsigned long *out);
/* The kernel's limit for @p: the log's "(limit N)", else 1,000,000. */
unsigned long kt_verifier_insn_limit(const struct kt_verifier_prog *p);
/*
 * The programs over @pct % of their limit, each named on @out with its
 * figures; returns how many.
 */
unsigned int kt_verifier_check_insns(const struct kt_verifier_report *r,
				     double pct, FILE *out);

#endif
