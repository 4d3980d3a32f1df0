/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From the test programs to the entries that run: the plan, expanded
 * over presets (gauntlet.h), each entry's cost estimated (costs.h), what
 * this machine cannot hold left out, then the budget and the shard; the
 * listing of that choice; and the cost model learning from what ran.
 * Shared by `ktstr gauntlet` and `ktstr run --scheduler` (its matrix).
 */
#ifndef KTSTR_RUNNER_SELECTION_H
#define KTSTR_RUNNER_SELECTION_H

#include <stdbool.h>
#include <stdio.h>

#include "costs.h"
#include "gauntlet.h"
#include "plan.h"
#include "report.h"

struct kt_selection_opts {
	const char *what;		/* "gauntlet", "matrix": its summary line */
	struct kt_gauntlet_opts expand;
	double budget_s;		/* 0: no budget */
	unsigned int shard_k, shard_n;	/* shard_n 0: all */
	unsigned int jobs;		/* VMs side by side */
	/* A listing is the same on every machine: no memory check. */
	bool list;
	const char *costs_path;
};

struct kt_selection {
	const struct kt_selection_opts *o;
	struct kt_plan base;
	struct kt_presets presets;
	struct kt_costs costs;
	struct kt_gauntlet g;
};

/* Errors name the input: no test matches, unknown preset, bad costs. */
int kt_selection_build(char *const *progs, size_t nr_progs,
		       const struct kt_plan_opts *po,
		       const struct kt_selection_opts *o,
		       struct kt_selection *s);
void kt_selection_free(struct kt_selection *s);

/* The chosen entries, one a line: name, preset, scheduler, estimate. */
void kt_selection_list(const struct kt_selection *s, FILE *out);
/* "# chose", "# left out ... why", and the summary line, for stderr. */
void kt_selection_report(const struct kt_selection *s, FILE *out);
/* The chosen entries as a plan to execute (kt_plan_free() it). */
int kt_selection_plan(const struct kt_selection *s, struct kt_plan *p);
/* For kt_exec_run(): each result teaches the cost model its entry's time. */
void kt_selection_observe(const struct kt_result *r, void *selection);
/* Keeps what the cost model learnt; errors are printed, not fatal. */
void kt_selection_save_costs(const struct kt_selection *s, const char *cmd);

#endif
