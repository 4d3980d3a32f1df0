/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gauntlet's cost model: how long one entry takes on this machine.
 *
 *	wall = boot_base_s + boot_per_cpu_s * vCPUs + run_s(test)
 *
 * The boot line is fitted to boots measured by `ktstr gauntlet
 * --calibrate`; run_s(test) is what each test took beyond its boot on
 * this machine: a longer run replaces it, a shorter one halves the
 * difference.  Kept in $KTSTR_CACHE_DIR/gauntlet-costs (or
 * --costs FILE), a JSON object, replaced atomically.
 */
#ifndef KTSTR_RUNNER_COSTS_H
#define KTSTR_RUNNER_COSTS_H

#include <stdbool.h>
#include <stddef.h>

/* Before anything was measured: TCG on a small machine. */
#define KT_COST_BOOT_BASE_S 5.0
#define KT_COST_BOOT_PER_CPU_S 0.25
#define KT_COST_RUN_S 10.0

struct kt_cost_test {
	char name[192];
	double run_s;
};

struct kt_costs {
	double boot_base_s;
	double boot_per_cpu_s;
	bool calibrated;		/* the boot line was measured */
	struct kt_cost_test *tests;
	size_t nr_tests;
};

void kt_costs_init(struct kt_costs *c);
/*
 * A missing file is the defaults; a malformed one, or one of the text
 * format older ktstr wrote, is an error naming the file and the field.
 */
int kt_costs_load(const char *path, struct kt_costs *c);
int kt_costs_save(const char *path, const struct kt_costs *c);
void kt_costs_free(struct kt_costs *c);
/* The default file: $KTSTR_CACHE_DIR/gauntlet-costs. */
int kt_costs_default_path(char *buf, size_t len);

double kt_costs_boot(const struct kt_costs *c, unsigned int cpus);
/*
 * A test never measured under its own name takes the longest the same
 * fixture.*.test took under another scheduler, else KT_COST_RUN_S.
 */
double kt_costs_estimate(const struct kt_costs *c, const char *test,
			 unsigned int cpus);
/* Records that @test took @wall_s on @cpus vCPUs, boot included. */
int kt_costs_observe(struct kt_costs *c, const char *test, unsigned int cpus,
		     double wall_s);
/* Least-squares line through (cpus, boot seconds) pairs. */
int kt_costs_fit_boot(struct kt_costs *c, const unsigned int *cpus,
		      const double *boot_s, size_t n);

#endif
