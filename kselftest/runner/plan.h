/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From test programs to the list of VMs to boot: one per harness test and
 * fixture variant, with the topology, scheduler and time limit each
 * declares, after name filters and command-line overrides.
 */
#ifndef KTSTR_RUNNER_PLAN_H
#define KTSTR_RUNNER_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../ktstr_decl.h"

/*
 * Boot and teardown on top of the test's own limit, under TCG, and ten
 * more seconds per vCPU past 16: TCG runs the vCPUs in turn on its one
 * thread, and big128 took 433 s and 1195 s to boot on a 2-CPU host
 * (Documentation/topologies.md, "Large shapes").
 */
#define KT_BOOT_MARGIN_S 120
#define KT_BOOT_MARGIN_CPUS 16
#define KT_BOOT_MARGIN_PER_CPU_S 10
static inline unsigned int kt_boot_margin_s(unsigned int cpus)
{
	return KT_BOOT_MARGIN_S +
	       (cpus > KT_BOOT_MARGIN_CPUS ?
		(cpus - KT_BOOT_MARGIN_CPUS) * KT_BOOT_MARGIN_PER_CPU_S : 0);
}
#define KT_DEFAULT_TEST_TIMEOUT_S 300

struct kt_run_item {
	char name[192];			/* fixture.variant.test */
	char prog[PATH_MAX];		/* host path of the test program */
	char selector[192];		/* harness -r argument */
	char topology[64];
	char scheduler[64];		/* "eevdf" or a declared name */
	unsigned int test_timeout_s;
	unsigned int vm_timeout_s;
	unsigned int memory_mib;	/* 0: the topology's */
	unsigned int kernel;		/* index into the run's kernels */
	/* The test's declared constraints: which presets may replace it. */
	unsigned int min_cpus, min_llcs, min_nodes, smt;
	/* Its own topology has CPUs of different capacities (arm64). */
	bool needs_capacities;
	/*
	 * A scheduler the guest starts from its KTSTR_SCHEDULER_*
	 * environment (kselftest/ktstr_sched_env.h): a gauntlet flag
	 * profile, or --scheduler BIN (whose arguments are the run's).
	 */
	char sched_binary[128];		/* in the guest's /ktstr/schedulers */
	char sched_args[384];
	char sched_ops[64];		/* root/ops when attached; "": any */
	char sched_decl[48];		/* the declaration ops and flags are from */
	uint32_t sched_flags;		/* KTSTR_SCHED_IGNORES_* */
	struct ktstr_monitor_decl monitor;	/* the test's monitor limits */
};

struct kt_plan {
	struct kt_run_item *items;
	size_t count;
};

struct kt_plan_opts {
	char **filters;			/* glob or substring of the name */
	size_t nr_filters;
	char **skips;			/* --skip: the same, left out */
	size_t nr_skips;
	const char *topology;		/* --topology: replaces every test's */
	const char *scheduler;		/* --scheduler PATH */
	/* --scheduler-ignores: replaces what a declaration of PATH claims. */
	bool ignores_given;
	uint32_t ignores;		/* KTSTR_SCHED_IGNORES_* */
	bool opt_in;			/* include KTSTR_OPT_IN tests */
};

/*
 * The options of --scheduler PATH [-- ARGS] that `ktstr run` and `ktstr
 * gauntlet` share.  kt_plan_scheduler_args() joins the words after "--"
 * into @buf and returns the index of "--" (@argc without one), where
 * option parsing stops.  Errors name the value.
 */
int kt_plan_scheduler_args(int argc, char **argv, char *buf, size_t len);
/* --scheduler-ignores: "nice,cgroup-weight" or "none". */
int kt_plan_parse_ignores(const char *list, struct kt_plan_opts *o);
/*
 * PATH is an executable file, a program for guests of @arch ("x86_64",
 * "arm64"); ARGS and the claims need --scheduler.
 */
int kt_plan_check_scheduler(const struct kt_plan_opts *o, const char *arch,
			    bool has_args);
/* --skip PATTERN, into @slots (@max of them) behind o->skips. */
int kt_plan_add_skip(struct kt_plan_opts *o, char **slots, size_t max,
		     const char *pattern);
/* The error when nothing is left to run: what the names asked for. */
int kt_plan_no_match(const struct kt_plan_opts *o, const char *entry_hint);

int kt_plan_build(char *const *progs, size_t nr_progs,
		  const struct kt_plan_opts *o, struct kt_plan *p);
void kt_plan_free(struct kt_plan *p);
/*
 * Whether a full name, a matrix entry's <test>/<preset>... too, is one
 * the filters ask for and no --skip leaves out (kt_plan_build() picks by
 * the test part only);
 * kt_plan_keep_wanted() drops the items that are not.
 */
bool kt_plan_wanted(const struct kt_plan_opts *o, const char *name);
void kt_plan_keep_wanted(struct kt_plan *p, const struct kt_plan_opts *o);
/* The smallest short-form topology meeting a test's constraints. */
void kt_plan_topology_for(unsigned int min_cpus, unsigned int min_llcs,
			  unsigned int min_nodes, unsigned int smt, char *buf,
			  size_t len);

#endif
