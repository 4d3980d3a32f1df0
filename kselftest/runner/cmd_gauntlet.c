// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr gauntlet: the suite's tests over the topology presets, flag
 * profiles and kernels, within a time budget, one shard of a CI matrix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "cache.h"
#include "calibrate.h"
#include "commands.h"
#include "costs.h"
#include "error.h"
#include "guest.h"
#include "execute.h"
#include "gauntlet.h"
#include "kernel_source.h"
#include "launch.h"
#include "plan.h"
#include "selection.h"

#define MAX_PROGS 256
#define MAX_FILTERS 64
#define MAX_PRESET_ARGS 64

struct gauntlet_opts {
	struct kt_launch launch;
	struct kt_watch watch;		/* --no-monitor, --monitor-interval */
	struct kt_plan_opts plan;
	char *filters[MAX_FILTERS];
	char *skips[MAX_FILTERS];
	const char *presets[MAX_PRESET_ARGS];
	struct kt_gauntlet_kernel kernels[KT_EXEC_MAX_KERNELS];
	struct kt_selection_opts sel;
	const char *junit, *json, *baseline;
	char costs_default[PATH_MAX];
	char sched_args[1024];		/* after --, for --scheduler */
	bool calibrate;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ktstr gauntlet [options] [TEST...] [-- SCHEDULER ARGS]\n\n"
		"Run each test (all, or those matching TEST as for 'ktstr run') on every\n"
		"topology preset its constraints allow, under each flag profile of its\n"
		"scheduler, on each --kernel.  Entries are named\n"
		"<test>/<preset>[/<profile>][/<kernel>].\n\n"
		"options:\n"
		"  --scheduler PATH run the standard scenarios under this scheduler binary\n"
		"                   instead (no flag profiles)\n"
		"  --scheduler-ignores LIST  what it does not claim: nice, cgroup-weight,\n"
		"                            capacity, none\n"
		"  --list           print the entries, boot nothing\n"
		"  --budget S       only what fits S seconds of wall time, most coverage first\n"
		"  --shard K/N      only the K-th of N disjoint parts (CI matrices)\n"
		"  -j N|auto        run up to N VMs side by side; auto (the default): under\n"
		"                   TCG one per host CPU, at most 4, as memory allows; KVM 1\n"
		"  --preset NAME    only this preset (repeatable)\n"
		"  --large          include the presets of %u or more vCPUs\n"
		"  --kernel K       a kernel to run on (repeatable, see 'ktstr kernel show')\n"
		"  --json DIR       write one JSON result per entry into DIR\n"
		"  --junit FILE     write JUnit XML\n"
		"  --baseline NAME  keep the results as baseline NAME for 'ktstr compare'\n"
		"  --costs FILE     the cost model (default $KTSTR_CACHE_DIR/gauntlet-costs)\n"
		"  --calibrate      measure this machine's boot times into the cost model\n"
		"  --opt-in         include tests that only run when asked\n"
		"  --skip PATTERN   leave out the tests or entries PATTERN names (repeatable)\n"
		KT_WATCH_HELP
		"  --include, --accel, --timeout, --log-dir, --cmdline, --memory,\n"
		"  --no-snapshot, --nokaslr: as for 'ktstr run'\n"
		"\nexit status: 0 if no entry failed, 1 otherwise, 2 on bad arguments.\n",
		KT_PRESET_LARGE_CPUS);
}

static int add_kernel(struct gauntlet_opts *o, const char *spec)
{
	size_t i, n = o->sel.expand.nr_kernels;
	enum kt_kernel_spec_kind kind;

	if (n == KT_EXEC_MAX_KERNELS)
		return kt_fail_usage("at most %d --kernel", KT_EXEC_MAX_KERNELS);
	if (!*spec)
		return kt_fail_usage("--kernel: empty");
	if (kt_kernel_spec_kind(spec, &kind))
		return -1;
	o->kernels[n].spec = spec;
	kt_gauntlet_kernel_label(spec, o->kernels[n].label,
				 sizeof(o->kernels[n].label));
	for (i = 0; i < n; i++)
		if (!strcmp(o->kernels[i].label, o->kernels[n].label))
			return kt_fail_usage("--kernel %s and %s have the same label '%s'",
					     o->kernels[i].spec, spec,
					     o->kernels[n].label);
	o->sel.expand.nr_kernels++;
	return 0;
}

static int own_option(struct gauntlet_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case KT_OPT_KERNEL:
		return add_kernel(o, arg);
	case 'b':
		return kt_gauntlet_parse_budget(arg, &o->sel.budget_s);
	case 's':
		return kt_gauntlet_parse_shard(arg, &o->sel.shard_k,
					       &o->sel.shard_n);
	case 'j':
		return kt_exec_parse_jobs(arg, &o->sel.jobs);
	case 'P':
		if (o->sel.expand.nr_presets == MAX_PRESET_ARGS)
			return kt_fail_usage("at most %d --preset", MAX_PRESET_ARGS);
		o->presets[o->sel.expand.nr_presets++] = arg;
		return 0;
	case 'L':
		o->sel.expand.large = true;
		return 0;
	case 'l':
		o->sel.list = true;
		return 0;
	case 'S':
		o->plan.scheduler = arg;
		return 0;
	case 'I':
		return kt_plan_parse_ignores(arg, &o->plan);
	case 'J':
		o->json = arg;
		return 0;
	case 'u':
		o->junit = arg;
		return 0;
	case 'B':
		o->baseline = arg;
		return kt_baseline_check_name(arg);
	case 'c':
		o->sel.costs_path = arg;
		return 0;
	case 'C':
		o->calibrate = true;
		return 0;
	case 'o':
		o->plan.opt_in = true;
		return 0;
	case 'x':
		return kt_plan_add_skip(&o->plan, o->skips,
					ARRAY_SIZE(o->skips), arg);
	}
	return 1;
}

static int parse(int argc, char **argv, struct gauntlet_opts *o)
{
	static const struct option own[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "budget", required_argument, NULL, 'b' },
		{ "shard", required_argument, NULL, 's' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "preset", required_argument, NULL, 'P' },
		{ "large", no_argument, NULL, 'L' },
		{ "json", required_argument, NULL, 'J' },
		{ "junit", required_argument, NULL, 'u' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "costs", required_argument, NULL, 'c' },
		{ "calibrate", no_argument, NULL, 'C' },
		{ "opt-in", no_argument, NULL, 'o' },
		{ "skip", required_argument, NULL, 'x' },
		{ "scheduler", required_argument, NULL, 'S' },
		{ "scheduler-ignores", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option options[KT_LAUNCH_MAX_OPTIONS];
	int opt, ret, end;

	end = kt_plan_scheduler_args(argc, argv, o->sched_args,
				     sizeof(o->sched_args));
	kt_launch_options(own, options);
	kt_watch_add_options(options, ARRAY_SIZE(options));
	while ((opt = getopt_long(end, argv, "hj:", options, NULL)) != -1) {
		ret = own_option(o, opt, optarg);
		if (ret < 0)
			return -1;
		if (!ret)
			continue;
		if (opt == KT_OPT_TOPOLOGY || opt == KT_OPT_DRY_RUN)
			return kt_fail_usage("--topology and --dry-run are not for the gauntlet: use --preset and --list");
		ret = kt_launch_option(&o->launch, opt, optarg);
		if (!ret)
			ret = kt_watch_option(&o->watch, opt, optarg);
		if (ret < 0)
			return -1;
		if (ret)
			continue;
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? 1 : 2;
	}
	for (; optind < end && o->plan.nr_filters < MAX_FILTERS; optind++)
		o->filters[o->plan.nr_filters++] = argv[optind];
	o->plan.filters = o->filters;
	if (!o->sel.jobs)
		o->sel.jobs = kt_exec_default_jobs(o->launch.accel);
	o->sel.what = "gauntlet";
	o->sel.expand.presets = o->presets;
	o->sel.expand.kernels = o->kernels;
	o->sel.expand.no_profiles = o->plan.scheduler != NULL;
	if (!o->sel.costs_path) {
		if (kt_costs_default_path(o->costs_default,
					  sizeof(o->costs_default)))
			return -1;
		o->sel.costs_path = o->costs_default;
	}
	if (o->calibrate &&
	    (o->sel.list || o->sel.budget_s || o->sel.shard_n))
		return kt_fail_usage("--calibrate runs on its own");
	return kt_plan_check_scheduler(&o->plan, kt_arch_name(o->launch.arch),
				       end < argc);
}

static int resolve_kernels(struct gauntlet_opts *o, struct kt_exec *e)
{
	size_t i, nr = o->sel.expand.nr_kernels, n = nr ? nr : 1;

	if (kt_launch_check_arch(&o->launch))
		return -1;
	for (i = 0; i < n; i++) {
		struct kt_exec_kernel *k = &e->kernels[i];

		if (kt_launch_obtain_kernel(&o->launch,
					    nr ? o->kernels[i].spec : NULL,
					    &k->kernel))
			return -1;
		k->boot_image = kt_launch_boot_image(&o->launch, &k->kernel);
		if (!k->boot_image)
			return -1;
	}
	e->nr_kernels = n;
	return 0;
}

static int run_selected(struct gauntlet_opts *o, struct kt_selection *s,
			char *const *progs, size_t nr_progs, const char *root)
{
	static struct kt_exec e;
	const struct kt_kernel *kernels[KT_EXEC_MAX_KERNELS];
	char initramfs[PATH_MAX], json_tmp[PATH_MAX];
	struct kt_plan p;
	unsigned int i;
	int ret;

	memset(&e, 0, sizeof(e));
	e.launch = &o->launch;
	e.scheduler = o->plan.scheduler;
	e.sched_args = o->sched_args;
	e.jobs = o->sel.jobs;
	e.junit = o->junit;
	e.json = o->json;
	e.watch = o->watch;
	if (resolve_kernels(o, &e))
		return -1;
	for (i = 0; i < e.nr_kernels; i++)
		kernels[i] = &e.kernels[i].kernel;
	if (kt_exec_build_image(&o->launch, kernels, e.nr_kernels,
				o->plan.scheduler, progs,
				nr_progs, root, initramfs, sizeof(initramfs)))
		return -1;
	e.initramfs = initramfs;
	if (o->baseline && !o->json) {
		if (kt_baseline_begin(o->baseline, json_tmp, sizeof(json_tmp)))
			return -1;
		e.json = json_tmp;
	}
	if (kt_selection_plan(s, &p))
		return -1;
	ret = kt_exec_run(&e, &p, kt_selection_observe, s);
	kt_plan_free(&p);
	kt_selection_save_costs(s, "ktstr gauntlet");
	if (o->baseline &&
	    kt_baseline_commit(o->baseline, e.json, e.json != o->json)) {
		fprintf(stderr, "ktstr gauntlet: %s\n", kt_errmsg());
		return ret ? ret : 1;
	}
	if (o->baseline)
		fprintf(stderr, "ktstr gauntlet: results kept as baseline '%s'\n",
			o->baseline);
	return ret;
}

static int gauntlet(struct gauntlet_opts *o, char *const *progs,
		    size_t nr_progs, const char *root)
{
	struct kt_selection s;
	int ret = 0;

	o->sel.expand.arch = o->launch.arch;
	if (kt_selection_build(progs, nr_progs, &o->plan, &o->sel, &s))
		return -1;
	if (o->sel.list)
		kt_selection_list(&s, stdout);
	kt_selection_report(&s, stderr);
	if (!o->sel.list)
		ret = run_selected(o, &s, progs, nr_progs, root);
	kt_selection_free(&s);
	return ret;
}

static int calibrate(struct gauntlet_opts *o)
{
	struct kt_costs costs;
	int ret;

	if (kt_costs_load(o->sel.costs_path, &costs))
		return -1;
	ret = kt_calibrate_boot(&o->launch, &costs);
	if (!ret)
		ret = kt_costs_save(o->sel.costs_path, &costs);
	if (!ret)
		printf("boot_base_s %.3f boot_per_cpu_s %.4f -> %s\n",
		       costs.boot_base_s, costs.boot_per_cpu_s,
		       o->sel.costs_path);
	kt_costs_free(&costs);
	return ret;
}

int cmd_gauntlet(int argc, char **argv)
{
	char root[PATH_MAX], dir[PATH_MAX + 16];
	static struct gauntlet_opts o;
	char *progs[MAX_PROGS];
	size_t nr_progs = 0;
	int ret;

	memset(&o, 0, sizeof(o));
	kt_launch_init(&o.launch, 0);
	ret = parse(argc, argv, &o);
	if (ret > 0)
		return ret == 1 ? 0 : KT_EXIT_USAGE;
	if (ret < 0)
		goto fail;
	if (o.calibrate) {
		ret = calibrate(&o);
		goto done;
	}
	if (kt_root_dir(root, sizeof(root)))
		goto fail;
	/* build/suite, or build/arm64/suite for arm64 guests. */
	if (kt_guest_build_path(kt_arch_name(o.launch.arch), "suite", dir,
				sizeof(dir)) ||
	    kt_exec_list_dir(dir, kt_arch_name(o.launch.arch), progs,
			     MAX_PROGS, &nr_progs))
		goto fail;
	ret = gauntlet(&o, progs, nr_progs, root);
	kt_exec_free_list(progs, nr_progs);
done:
	if (ret < 0)
		goto fail;
	return ret;
fail:
	fprintf(stderr, "ktstr gauntlet: %s\n", kt_errmsg());
	return kt_exit_status();
}
