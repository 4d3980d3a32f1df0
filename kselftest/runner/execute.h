/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a plan: one fresh VM per item, up to N side by side, results
 * reported in plan order as TAP 13, JUnit and JSON.  Shared by `ktstr
 * run` and `ktstr gauntlet`.
 */
#ifndef KTSTR_RUNNER_EXECUTE_H
#define KTSTR_RUNNER_EXECUTE_H

#include <stddef.h>

#include "launch.h"
#include "plan.h"
#include "report.h"
#include "watch.h"

#define KT_EXEC_MAX_KERNELS 16

/* A kernel the plan's items may run on (kt_run_item.kernel indexes it). */
struct kt_exec_kernel {
	struct kt_kernel kernel;
	const char *boot_image;
};

struct kt_exec {
	struct kt_launch *launch;	/* accel, timeout, log dir, memory */
	const char *scheduler;		/* --scheduler PATH, or NULL */
	const char *sched_args;		/* its arguments after -- */
	const char *initramfs;
	struct kt_exec_kernel kernels[KT_EXEC_MAX_KERNELS];
	unsigned int nr_kernels;
	unsigned int jobs;		/* VMs side by side; 0 or 1: one */
	const char *junit;
	const char *json;
	struct kt_watch watch;		/* the host monitor: off, interval */
	bool no_auto_repro;		/* --no-auto-repro */
	bool repro_always;		/* ktstr repro: also expected exits */
};

/*
 * Executable files of @dir, sorted; free them with kt_exec_free_list().
 * A missing @dir names the make that builds @arch's guest programs.
 */
int kt_exec_list_dir(const char *dir, const char *arch, char **out,
		     size_t max, size_t *count);
void kt_exec_free_list(char **list, size_t count);

/*
 * One guest image for the whole run: tests, schedulers, --include, and
 * the config of each of the @nr_kernels kernels the run boots.
 */
int kt_exec_build_image(struct kt_launch *l,
			const struct kt_kernel *const *kernels,
			size_t nr_kernels, const char *scheduler,
			char *const *progs, size_t nr_progs, const char *root,
			char *out, size_t len);

/*
 * Runs every item of @p.  Returns 0 if none failed, 1 if some did, or
 * 128 + signal when interrupted.  @on_result, if set, sees each result
 * in plan order after it is reported.
 */
int kt_exec_run(struct kt_exec *e, const struct kt_plan *p,
		void (*on_result)(const struct kt_result *r, void *arg),
		void *arg);

/* The host's MemAvailable, MiB (0 if unknown): what VMs may take. */
unsigned long kt_exec_available_mib(void);

/* "-j N": 1..host CPUs, or "auto" (0); errors name the value. */
int kt_exec_parse_jobs(const char *s, unsigned int *jobs);

/*
 * The VMs to run side by side without -j: under TCG a VM emulates on
 * one host thread, so one per host CPU (at most KT_EXEC_TCG_JOBS_MAX);
 * under KVM a VM's vCPUs are threads of their own, so one at a time.
 */
#define KT_EXEC_TCG_JOBS_MAX 4
unsigned int kt_exec_default_jobs(enum kt_accel want);

#endif
