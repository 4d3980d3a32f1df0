// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr run: every planned test in its own fresh VM, TAP 13 on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "commands.h"
#include "compiler.h"
#include "error.h"
#include "guest.h"
#include "kernel_source.h"
#include "execute.h"
#include "launch.h"
#include "plan.h"
#include "report.h"
#include "repro/repro.h"
#include "selection.h"

#define MAX_PROGS 256
#define MAX_FILTERS 64
/*
 * The wall time `ktstr run --scheduler BIN` fits its matrix into unless
 * --budget says otherwise: the 20 minutes for the whole suite on
 * a 2-core TCG machine (Documentation/scheduler-binary.md has what it
 * took, measured).  Entries over it are left out, coverage first.
 */
#define KT_MATRIX_BUDGET_S 1200

struct run_opts {
	struct kt_launch launch;	/* kernel, accel, includes, log dir */
	struct kt_plan_opts plan;
	struct kt_selection_opts sel;	/* --scheduler: the matrix */
	char costs_default[PATH_MAX];
	char *filters[MAX_FILTERS];
	char *skips[MAX_FILTERS];
	const char *junit;
	const char *json;
	char sched_args[1024];
	unsigned int jobs;
	bool list;
	bool no_auto_repro;		/* --no-auto-repro */
	bool repro_always;		/* ktstr repro */
	struct kt_watch watch;		/* --no-monitor, --monitor-interval */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ktstr run [options] [TEST...] [-- SCHEDULER ARGS]\n\n"
		"Run each test (all, or those whose name contains TEST or matches it\n"
		"as a glob) in its own VM of its declared topology; TAP 13 on stdout.\n\n"
		"options:\n"
		"  --scheduler PATH run the standard scenarios under this scheduler binary,\n"
		"                   each on the matrix of shapes (<test>/<preset>)\n"
		"  --scheduler-ignores LIST  what it does not claim: nice, cgroup-weight,\n"
		"                            capacity, none\n"
		"  --budget S       --scheduler: what fits S seconds, coverage first\n"
		"                   (default %d)\n"
		"  --costs FILE     the cost model (default $KTSTR_CACHE_DIR/gauntlet-costs)\n"
		"  --junit FILE     write JUnit XML\n"
		"  --json DIR       write one JSON result per test into DIR\n"
		"  --opt-in         include tests that only run when asked\n"
		"  --skip PATTERN   leave out what PATTERN names, as TEST does (repeatable)\n"
		"  --list           print the plan, boot nothing\n"
		"  -j N|auto        run up to N VMs side by side; auto (the default): under\n"
		"                   TCG one per host CPU, at most 4, as memory allows; KVM 1\n"
		"  --no-auto-repro  no probe VM after a scheduler exits unexpectedly\n"
		KT_WATCH_HELP
		KT_LAUNCH_HELP
		"\nexit status: 0 if no test failed, 1 otherwise, 2 on bad arguments.\n",
		KT_MATRIX_BUDGET_S);
}

static int own_option(struct run_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 's':
		o->plan.scheduler = arg;
		return 0;
	case 'I':
		return kt_plan_parse_ignores(arg, &o->plan);
	case 'b':
		return kt_gauntlet_parse_budget(arg, &o->sel.budget_s);
	case 'c':
		o->sel.costs_path = arg;
		return 0;
	case 'u':
		o->junit = arg;
		return 0;
	case 'j':
		return kt_exec_parse_jobs(arg, &o->jobs);
	case 'J':
		o->json = arg;
		return 0;
	case 'o':
		o->plan.opt_in = true;
		return 0;
	case 'x':
		return kt_plan_add_skip(&o->plan, o->skips,
					ARRAY_SIZE(o->skips), arg);
	case 'l':
		o->list = true;
		return 0;
	case 'R':
		o->no_auto_repro = true;
		return 0;
	case 'P':
		o->repro_always = true;
		return 0;
	}
	return 1;
}

/*
 * --scheduler runs the matrix: the presets marked in topologies/, or only
 * --topology; --budget and --costs are the matrix's.
 */
static int matrix_options(struct run_opts *o)
{
	if (!o->plan.scheduler) {
		if (o->sel.budget_s || o->sel.costs_path)
			return kt_fail_usage("--budget and --costs are for --scheduler's matrix (the gauntlet has its own)");
		return 0;
	}
	o->sel.what = "matrix";
	o->sel.jobs = o->jobs;
	o->sel.list = o->list || o->launch.dry_run;
	o->sel.expand.no_profiles = true;
	o->sel.expand.own_topology = o->plan.topology != NULL;
	o->sel.expand.matrix = !o->plan.topology;
	if (!o->sel.budget_s)
		o->sel.budget_s = KT_MATRIX_BUDGET_S;
	if (o->sel.costs_path)
		return 0;
	o->sel.costs_path = o->costs_default;
	return kt_costs_default_path(o->costs_default,
				     sizeof(o->costs_default));
}

static int parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option own[] = {
		{ "scheduler", required_argument, NULL, 's' },
		{ "scheduler-ignores", required_argument, NULL, 'I' },
		{ "budget", required_argument, NULL, 'b' },
		{ "costs", required_argument, NULL, 'c' },
		{ "junit", required_argument, NULL, 'u' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", required_argument, NULL, 'J' },
		{ "opt-in", no_argument, NULL, 'o' },
		{ "skip", required_argument, NULL, 'x' },
		{ "list", no_argument, NULL, 'l' },
		{ "no-auto-repro", no_argument, NULL, 'R' },
		{ "repro", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option options[KT_LAUNCH_MAX_OPTIONS];
	int opt, handled, end;

	end = kt_plan_scheduler_args(argc, argv, o->sched_args,
				     sizeof(o->sched_args));
	kt_launch_options(own, options);
	kt_watch_add_options(options, ARRAY_SIZE(options));
	while ((opt = getopt_long(end, argv, "hj:", options, NULL)) != -1) {
		handled = kt_launch_option(&o->launch, opt, optarg);
		if (!handled)
			handled = kt_watch_option(&o->watch, opt, optarg);
		if (handled < 0)
			return -1;
		if (!handled) {
			handled = own_option(o, opt, optarg);
			if (handled < 0)
				return -1;
			handled = !handled;
		}
		if (handled)
			continue;
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? 1 : 2;
	}
	for (; optind < end && o->plan.nr_filters < MAX_FILTERS; optind++)
		o->filters[o->plan.nr_filters++] = argv[optind];
	o->plan.filters = o->filters;
	o->plan.topology = o->launch.topology_spec;
	if (!o->jobs)
		o->jobs = kt_exec_default_jobs(o->launch.accel);
	if (kt_plan_check_scheduler(&o->plan, kt_arch_name(o->launch.arch),
				    end < argc))
		return -1;
	return matrix_options(o);
}

static void print_plan(const struct kt_plan *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		printf("%-48s %-10s %-16s %us\n", p->items[i].name,
		       p->items[i].topology, p->items[i].scheduler,
		       p->items[i].vm_timeout_s);
}

static int execute(struct run_opts *o, const struct kt_plan *p,
		   const char *initramfs, struct kt_selection *matrix)
{
	struct kt_exec e = {
		.launch = &o->launch,
		.scheduler = o->plan.scheduler,
		.sched_args = o->sched_args,
		.initramfs = initramfs,
		.nr_kernels = 1,
		.jobs = o->jobs,
		.no_auto_repro = o->no_auto_repro,
		.repro_always = o->repro_always,
		.junit = o->junit,
		.json = o->json,
		.watch = o->watch,
	};
	int ret;

	e.kernels[0].kernel = o->launch.kernel;
	e.kernels[0].boot_image = o->launch.boot_image;
	if (!matrix)
		return kt_exec_run(&e, p, NULL, NULL);
	ret = kt_exec_run(&e, p, kt_selection_observe, matrix);
	kt_selection_save_costs(matrix, "ktstr run");
	return ret;
}

/* --scheduler: the matrix's entries within the budget, listed on stderr. */
static int plan_matrix(struct run_opts *o, char *const *progs,
		       size_t nr_progs, struct kt_selection *matrix,
		       struct kt_plan *plan)
{
	o->sel.expand.arch = o->launch.arch;
	if (kt_selection_build(progs, nr_progs, &o->plan, &o->sel, matrix))
		return -1;
	if (o->sel.list)
		kt_selection_list(matrix, stdout);
	kt_selection_report(matrix, stderr);
	if (kt_selection_plan(matrix, plan))
		goto fail;
	if (plan->count || o->sel.list)
		return 0;
	kt_plan_free(plan);
	kt_fail("--budget %.0f holds no entry of the matrix (see 'left out' above)",
		o->sel.budget_s);
fail:
	kt_selection_free(matrix);
	return -1;
}

/* Each test as declared, or with --scheduler the matrix (@matrix set). */
static int plan_run(struct run_opts *o, char *const *progs, size_t nr_progs,
		    const char *dir, struct kt_selection *matrix,
		    struct kt_plan *plan)
{
	if (o->plan.scheduler)
		return plan_matrix(o, progs, nr_progs, matrix, plan);
	if (kt_plan_build(progs, nr_progs, &o->plan, plan))
		return -1;
	kt_plan_keep_wanted(plan, &o->plan);
	if (plan->count)
		return 0;
	kt_plan_free(plan);
	if (!o->plan.nr_filters && !o->plan.nr_skips)
		return kt_fail("no tests in %s", dir);
	return kt_plan_no_match(&o->plan, " (<test>/<preset> names an entry of a matrix: --scheduler, gauntlet)");
}

/* ktstr repro: tests with a scheduler to probe, and the agent to do it. */
static int repro_targets(const struct kt_plan *plan, enum kt_arch arch)
{
	char agent[PATH_MAX];
	size_t i;

	for (i = 0; i < plan->count; i++)
		if (!strcmp(plan->items[i].scheduler, "eevdf"))
			return kt_fail("%s runs no sched_ext scheduler (EEVDF): there is no exit to probe",
				       plan->items[i].name);
	return kt_repro_agent_path(kt_arch_name(arch), agent, sizeof(agent));
}

static int boot_and_run(struct run_opts *o, char *const *progs,
			size_t nr_progs, const char *root,
			const struct kt_plan *plan, struct kt_selection *matrix)
{
	const struct kt_kernel *kernel = &o->launch.kernel;
	char initramfs[PATH_MAX];

	if (kt_launch_check_arch(&o->launch) ||
	    kt_launch_obtain_kernel(&o->launch, o->launch.kernel_spec,
				    &o->launch.kernel))
		return -1;
	o->launch.boot_image = kt_launch_boot_image(&o->launch,
						    &o->launch.kernel);
	if (!o->launch.boot_image ||
	    kt_exec_build_image(&o->launch, &kernel, 1, o->plan.scheduler,
				progs, nr_progs, root, initramfs,
				sizeof(initramfs)))
		return -1;
	return execute(o, plan, initramfs, matrix);
}

int cmd_run(int argc, char **argv)
{
	char root[PATH_MAX], dir[PATH_MAX + 16];
	char *progs[MAX_PROGS];
	static struct run_opts o;
	struct kt_selection matrix;
	struct kt_plan plan;
	size_t nr_progs = 0;
	int ret;

	memset(&o, 0, sizeof(o));
	kt_launch_init(&o.launch, 0);
	/* -1: failed (message set); 1: help shown; 2: usage shown. */
	ret = parse(argc, argv, &o);
	if (ret > 0)
		return ret == 1 ? 0 : KT_EXIT_USAGE;
	if (ret < 0 || kt_root_dir(root, sizeof(root)))
		goto fail;
	/* build/suite, or build/arm64/suite for arm64 guests. */
	if (kt_guest_build_path(kt_arch_name(o.launch.arch), "suite", dir,
				sizeof(dir)) ||
	    kt_exec_list_dir(dir, kt_arch_name(o.launch.arch), progs,
			     MAX_PROGS, &nr_progs))
		goto fail;
	if (plan_run(&o, progs, nr_progs, dir, &matrix, &plan))
		goto fail_progs;
	ret = o.repro_always ? repro_targets(&plan, o.launch.arch) : 0;
	if (!ret && !o.list && !o.launch.dry_run)
		ret = boot_and_run(&o, progs, nr_progs, root, &plan,
				   o.plan.scheduler ? &matrix : NULL);
	else if (!ret && !o.plan.scheduler)
		print_plan(&plan);
	kt_plan_free(&plan);
	if (o.plan.scheduler)
		kt_selection_free(&matrix);
	kt_exec_free_list(progs, nr_progs);
	if (ret >= 0)
		return ret;
	goto fail;
fail_progs:
	kt_exec_free_list(progs, nr_progs);
fail:
	fprintf(stderr, "ktstr run: %s\n", kt_errmsg());
	return kt_exit_status();
}
