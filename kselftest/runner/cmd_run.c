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
#include "kernel_source.h"
#include "execute.h"
#include "launch.h"
#include "plan.h"
#include "report.h"

#define MAX_PROGS 256
#define MAX_FILTERS 64

struct run_opts {
	struct kt_launch launch;	/* kernel, accel, includes, log dir */
	struct kt_plan_opts plan;
	char *filters[MAX_FILTERS];
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
		"  --scheduler PATH run the standard scenarios under this scheduler\n"
		"  --junit FILE     write JUnit XML\n"
		"  --json DIR       write one JSON result per test into DIR\n"
		"  --opt-in         include tests that only run when asked\n"
		"  --list           print the plan, boot nothing\n"
		"  -j N             run up to N VMs side by side (default 1)\n"
		"  --no-auto-repro  no probe VM after a scheduler exits unexpectedly\n"
		KT_WATCH_HELP
		KT_LAUNCH_HELP
		"\nexit status: 0 if no test failed, 1 otherwise, 2 on bad arguments.\n");
}

static int parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option own[] = {
		{ "scheduler", required_argument, NULL, 's' },
		{ "junit", required_argument, NULL, 'u' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", required_argument, NULL, 'J' },
		{ "opt-in", no_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'l' },
		{ "no-auto-repro", no_argument, NULL, 'R' },
		{ "repro", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option options[KT_LAUNCH_MAX_OPTIONS];
	int opt, handled, end = argc, i;
	size_t n = 0;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			end = i;
			break;
		}
	for (i = end + 1; i < argc; i++)
		n += snprintf(o->sched_args + n, sizeof(o->sched_args) - n,
			      "%s%s", n ? " " : "", argv[i]);
	kt_launch_options(own, options);
	kt_watch_add_options(options, ARRAY_SIZE(options));
	while ((opt = getopt_long(end, argv, "hj:", options, NULL)) != -1) {
		handled = kt_launch_option(&o->launch, opt, optarg);
		if (!handled)
			handled = kt_watch_option(&o->watch, opt, optarg);
		if (handled < 0)
			return -1;
		if (handled)
			continue;
		switch (opt) {
		case 's':
			o->plan.scheduler = optarg;
			break;
		case 'u':
			o->junit = optarg;
			break;
		case 'j':
			if (kt_exec_parse_jobs(optarg, &o->jobs))
				return -1;
			break;
		case 'J':
			o->json = optarg;
			break;
		case 'o':
			o->plan.opt_in = true;
			break;
		case 'l':
			o->list = true;
			break;
		case 'R':
			o->no_auto_repro = true;
			break;
		case 'P':
			o->repro_always = true;
			break;
		default:
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 1 : 2;
		}
	}
	if (end < argc && !o->plan.scheduler)
		return kt_fail("arguments after -- are for --scheduler");
	for (; optind < end && o->plan.nr_filters < MAX_FILTERS; optind++)
		o->filters[o->plan.nr_filters++] = argv[optind];
	o->plan.filters = o->filters;
	o->plan.topology = o->launch.topology_spec;
	if (o->plan.scheduler && access(o->plan.scheduler, X_OK))
		return kt_fail_errno("--scheduler %s", o->plan.scheduler);
	return 0;
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
		   const char *initramfs)
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

	e.kernels[0].kernel = o->launch.kernel;
	e.kernels[0].boot_image = o->launch.boot_image;
	return kt_exec_run(&e, p, NULL, NULL);
}

int cmd_run(int argc, char **argv)
{
	char root[PATH_MAX], dir[PATH_MAX + 16], initramfs[PATH_MAX];
	char *progs[MAX_PROGS];
	struct run_opts o;
	const struct kt_kernel *kernel = &o.launch.kernel;
	struct kt_plan plan;
	size_t nr_progs = 0, i;
	int ret;

	memset(&o, 0, sizeof(o));
	kt_launch_init(&o.launch, 0);
	/* -1: bad input (message set); 1: help shown; 2: usage shown. */
	ret = parse(argc, argv, &o);
	if (ret < 0)
		fprintf(stderr, "ktstr run: %s\n", kt_errmsg());
	if (ret)
		return ret < 0 ? 2 : ret == 1 ? 0 : 2;
	if (kt_root_dir(root, sizeof(root)))
		goto fail;
	snprintf(dir, sizeof(dir), "%s/build/suite", root);
	if (kt_exec_list_dir(dir, progs, MAX_PROGS, &nr_progs))
		goto fail;
	if (kt_plan_build(progs, nr_progs, &o.plan, &plan))
		goto fail_progs;
	if (!plan.count) {
		kt_fail(o.plan.nr_filters ? "no test matches '%s'%s" :
			"no tests in %s", o.plan.nr_filters ? o.filters[0] : dir,
			o.plan.nr_filters > 1 ? " or the other names given" : "");
		goto fail_plan;
	}
	for (i = 0; o.repro_always && i < plan.count; i++) {
		if (strcmp(plan.items[i].scheduler, "eevdf"))
			continue;
		kt_fail("%s runs no sched_ext scheduler (EEVDF): there is no exit to probe",
			plan.items[i].name);
		goto fail_plan;
	}
	if (o.list || o.launch.dry_run) {
		print_plan(&plan);
		ret = 0;
		goto out;
	}
	if (kt_kernel_obtain(o.launch.kernel_spec, &o.launch.kernel))
		goto fail_plan;
	o.launch.boot_image = kt_kernel_boot_image(&o.launch.kernel);
	if (!o.launch.boot_image ||
	    kt_exec_build_image(&o.launch, &kernel, 1, o.plan.scheduler,
				progs, nr_progs, root, initramfs,
				sizeof(initramfs)))
		goto fail_plan;
	ret = execute(&o, &plan, initramfs);
out:
	kt_plan_free(&plan);
	kt_exec_free_list(progs, nr_progs);
	return ret;
fail_plan:
	kt_plan_free(&plan);
fail_progs:
	kt_exec_free_list(progs, nr_progs);
fail:
	fprintf(stderr, "ktstr run: %s\n", kt_errmsg());
	return 1;
}
