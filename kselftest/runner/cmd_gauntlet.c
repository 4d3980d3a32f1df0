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
#include "execute.h"
#include "gauntlet.h"
#include "kernel_source.h"
#include "launch.h"
#include "plan.h"

#define MAX_PROGS 256
#define MAX_FILTERS 64
#define MAX_PRESET_ARGS 64

struct gauntlet_opts {
	struct kt_launch launch;
	struct kt_watch watch;		/* --no-monitor, --monitor-interval */
	struct kt_plan_opts plan;
	char *filters[MAX_FILTERS];
	const char *presets[MAX_PRESET_ARGS];
	struct kt_gauntlet_kernel kernels[KT_EXEC_MAX_KERNELS];
	struct kt_gauntlet_opts expand;
	double budget_s;
	unsigned int shard_k, shard_n;
	unsigned int jobs;
	const char *junit, *json, *baseline, *costs_path;
	char costs_default[PATH_MAX];
	bool list, calibrate;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ktstr gauntlet [options] [TEST...]\n\n"
		"Run each test (all, or those matching TEST as for 'ktstr run') on every\n"
		"topology preset its constraints allow, under each flag profile of its\n"
		"scheduler, on each --kernel.  Entries are named\n"
		"<test>/<preset>[/<profile>][/<kernel>].\n\n"
		"options:\n"
		"  --list           print the entries, boot nothing\n"
		"  --budget S       only what fits S seconds of wall time, most coverage first\n"
		"  --shard K/N      only the K-th of N disjoint parts (CI matrices)\n"
		"  -j N             run up to N VMs side by side (default 1)\n"
		"  --preset NAME    only this preset (repeatable)\n"
		"  --large          include the presets of %u or more vCPUs\n"
		"  --kernel K       a kernel to run on (repeatable, see 'ktstr kernel show')\n"
		"  --json DIR       write one JSON result per entry into DIR\n"
		"  --junit FILE     write JUnit XML\n"
		"  --baseline NAME  keep the results as baseline NAME for 'ktstr compare'\n"
		"  --costs FILE     the cost model (default $KTSTR_CACHE_DIR/gauntlet-costs)\n"
		"  --calibrate      measure this machine's boot times into the cost model\n"
		"  --opt-in         include tests that only run when asked\n"
		KT_WATCH_HELP
		"  --include, --accel, --timeout, --log-dir, --cmdline, --memory: as for 'ktstr run'\n"
		"\nexit status: 0 if no entry failed, 1 otherwise, 2 on bad arguments.\n",
		KT_PRESET_LARGE_CPUS);
}

static int parse_budget(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0) || v > 1e7)
		return kt_fail("--budget '%s': expected a number of seconds above 0",
			       s);
	*out = v;
	return 0;
}

static int add_kernel(struct gauntlet_opts *o, const char *spec)
{
	size_t i, n = o->expand.nr_kernels;

	if (n == KT_EXEC_MAX_KERNELS)
		return kt_fail("at most %d --kernel", KT_EXEC_MAX_KERNELS);
	if (!*spec)
		return kt_fail("--kernel: empty");
	o->kernels[n].spec = spec;
	kt_gauntlet_kernel_label(spec, o->kernels[n].label,
				 sizeof(o->kernels[n].label));
	for (i = 0; i < n; i++)
		if (!strcmp(o->kernels[i].label, o->kernels[n].label))
			return kt_fail("--kernel %s and %s have the same label '%s'",
				       o->kernels[i].spec, spec,
				       o->kernels[n].label);
	o->expand.nr_kernels++;
	return 0;
}

static int own_option(struct gauntlet_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case KT_OPT_KERNEL:
		return add_kernel(o, arg);
	case 'b':
		return parse_budget(arg, &o->budget_s);
	case 's':
		return kt_gauntlet_parse_shard(arg, &o->shard_k, &o->shard_n);
	case 'j':
		return kt_exec_parse_jobs(arg, &o->jobs);
	case 'P':
		if (o->expand.nr_presets == MAX_PRESET_ARGS)
			return kt_fail("at most %d --preset", MAX_PRESET_ARGS);
		o->presets[o->expand.nr_presets++] = arg;
		return 0;
	case 'L':
		o->expand.large = true;
		return 0;
	case 'l':
		o->list = true;
		return 0;
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
		o->costs_path = arg;
		return 0;
	case 'C':
		o->calibrate = true;
		return 0;
	case 'o':
		o->plan.opt_in = true;
		return 0;
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option options[KT_LAUNCH_MAX_OPTIONS];
	int opt, ret;

	kt_launch_options(own, options);
	kt_watch_add_options(options, ARRAY_SIZE(options));
	while ((opt = getopt_long(argc, argv, "hj:", options, NULL)) != -1) {
		ret = own_option(o, opt, optarg);
		if (ret < 0)
			return -1;
		if (!ret)
			continue;
		if (opt == KT_OPT_TOPOLOGY || opt == KT_OPT_DRY_RUN)
			return kt_fail("--topology and --dry-run are not for the gauntlet: use --preset and --list");
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
	for (; optind < argc && o->plan.nr_filters < MAX_FILTERS; optind++)
		o->filters[o->plan.nr_filters++] = argv[optind];
	o->plan.filters = o->filters;
	o->expand.presets = o->presets;
	o->expand.kernels = o->kernels;
	if (!o->costs_path) {
		if (kt_costs_default_path(o->costs_default,
					  sizeof(o->costs_default)))
			return -1;
		o->costs_path = o->costs_default;
	}
	if (o->calibrate && (o->list || o->budget_s || o->shard_n))
		return kt_fail("--calibrate runs on its own");
	return 0;
}

/* Estimates, then what this machine cannot hold, the budget, the shard. */
static void select_entries(struct gauntlet_opts *o, struct kt_gauntlet *g,
			   const struct kt_costs *c)
{
	unsigned long avail = kt_exec_available_mib();
	size_t i;

	for (i = 0; i < g->count; i++) {
		struct kt_gauntlet_entry *e = &g->v[i];
		unsigned long need = e->item.memory_mib ? e->item.memory_mib :
				     e->preset->topo.memory_mib;

		e->cost_s = kt_costs_estimate(c, e->test,
					      kt_topology_cpus(&e->preset->topo));
		e->selected = true;
		/* A listing stays the same on every machine (CI shards). */
		if ((!o->list || o->budget_s) && need + 1024 > avail) {
			e->selected = false;
			snprintf(e->left_out, sizeof(e->left_out),
				 "needs %luM, the host has %luM available",
				 need, avail);
		}
	}
	if (o->budget_s)
		kt_gauntlet_budget(g, o->budget_s, o->jobs);
	if (o->shard_n)
		kt_gauntlet_shard(g, o->shard_k, o->shard_n);
}

static void print_selection(const struct gauntlet_opts *o,
			    const struct kt_gauntlet *g, FILE *out)
{
	size_t i, chosen = 0;
	double total = 0;

	for (i = 0; i < g->count; i++) {
		const struct kt_gauntlet_entry *e = &g->v[i];

		if (e->selected) {
			chosen++;
			total += e->cost_s;
			fprintf(out, "# chose    %-56s %-10s est %5.1fs\n",
				e->item.name, e->preset->name, e->cost_s);
		}
	}
	for (i = 0; i < g->count; i++)
		if (!g->v[i].selected)
			fprintf(out, "# left out %-56s %s\n", g->v[i].item.name,
				g->v[i].left_out);
	fprintf(out, "# gauntlet: %zu of %zu entries, estimated %.0fs with -j %u",
		chosen, g->count, total / (o->jobs ? o->jobs : 1),
		o->jobs ? o->jobs : 1);
	if (o->budget_s)
		fprintf(out, " (budget %.0fs)", o->budget_s);
	if (o->shard_n)
		fprintf(out, ", shard %u/%u", o->shard_k, o->shard_n);
	fputc('\n', out);
}

static void print_list(const struct kt_gauntlet *g)
{
	size_t i;

	for (i = 0; i < g->count; i++)
		if (g->v[i].selected)
			printf("%-64s %-10s %-16s %5.1fs\n", g->v[i].item.name,
			       g->v[i].preset->name, g->v[i].item.scheduler,
			       g->v[i].cost_s);
}

struct observe_ctx {
	struct kt_costs *costs;
	const struct kt_gauntlet *g;
};

/* Each finished entry teaches the cost model its test's run time. */
static void observe(const struct kt_result *r, void *arg)
{
	struct observe_ctx *ctx = arg;
	size_t i;

	if (!r->wall_s)
		return;
	for (i = 0; i < ctx->g->count; i++)
		if (!strcmp(ctx->g->v[i].item.name, r->item->name))
			break;
	if (i < ctx->g->count)
		kt_costs_observe(ctx->costs, ctx->g->v[i].test,
				 kt_topology_cpus(&ctx->g->v[i].preset->topo),
				 r->wall_s);
}

static int selected_plan(const struct kt_gauntlet *g, struct kt_plan *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->items = calloc(g->count ? g->count : 1, sizeof(*p->items));
	if (!p->items)
		return kt_fail("out of memory");
	for (i = 0; i < g->count; i++)
		if (g->v[i].selected)
			p->items[p->count++] = g->v[i].item;
	return 0;
}

static int resolve_kernels(struct gauntlet_opts *o, struct kt_exec *e)
{
	size_t i, n = o->expand.nr_kernels ? o->expand.nr_kernels : 1;

	for (i = 0; i < n; i++) {
		struct kt_exec_kernel *k = &e->kernels[i];

		if (kt_kernel_obtain(o->expand.nr_kernels ? o->kernels[i].spec :
				     NULL, &k->kernel))
			return -1;
		k->boot_image = kt_kernel_boot_image(&k->kernel);
		if (!k->boot_image)
			return -1;
	}
	e->nr_kernels = n;
	return 0;
}

static int run_selected(struct gauntlet_opts *o, const struct kt_gauntlet *g,
			struct kt_costs *costs, char *const *progs,
			size_t nr_progs, const char *root)
{
	static struct kt_exec e;
	const struct kt_kernel *kernels[KT_EXEC_MAX_KERNELS];
	char initramfs[PATH_MAX], json_tmp[PATH_MAX];
	struct observe_ctx ctx = { costs, g };
	struct kt_plan p;
	unsigned int i;
	int ret;

	memset(&e, 0, sizeof(e));
	e.launch = &o->launch;
	e.jobs = o->jobs;
	e.junit = o->junit;
	e.json = o->json;
	e.watch = o->watch;
	if (resolve_kernels(o, &e))
		return -1;
	for (i = 0; i < e.nr_kernels; i++)
		kernels[i] = &e.kernels[i].kernel;
	if (kt_exec_build_image(&o->launch, kernels, e.nr_kernels, NULL, progs,
				nr_progs, root, initramfs, sizeof(initramfs)))
		return -1;
	e.initramfs = initramfs;
	if (o->baseline && !o->json) {
		if (kt_baseline_begin(o->baseline, json_tmp, sizeof(json_tmp)))
			return -1;
		e.json = json_tmp;
	}
	if (selected_plan(g, &p))
		return -1;
	ret = kt_exec_run(&e, &p, observe, &ctx);
	kt_plan_free(&p);
	if (kt_costs_save(o->costs_path, costs))
		fprintf(stderr, "ktstr gauntlet: %s\n", kt_errmsg());
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
	char dir[PATH_MAX];
	struct kt_presets presets;
	struct kt_costs costs;
	struct kt_gauntlet g;
	struct kt_plan base;
	int ret = -1;

	if (kt_plan_build(progs, nr_progs, &o->plan, &base))
		return -1;
	if (!base.count) {
		kt_plan_free(&base);
		return kt_fail("no test matches '%s'%s", o->filters[0],
			       o->plan.nr_filters > 1 ?
			       " or the other names given" : "");
	}
	if (kt_topology_dir(dir, sizeof(dir)) ||
	    kt_presets_load(dir, &presets))
		goto out_plan;
	if (kt_costs_load(o->costs_path, &costs))
		goto out_presets;
	if (kt_gauntlet_expand(&base, &presets, &o->expand, &g))
		goto out_costs;
	select_entries(o, &g, &costs);
	if (o->list) {
		print_list(&g);
		print_selection(o, &g, stderr);
		ret = 0;
	} else {
		print_selection(o, &g, stderr);
		ret = run_selected(o, &g, &costs, progs, nr_progs, root);
	}
	kt_gauntlet_free(&g);
out_costs:
	kt_costs_free(&costs);
out_presets:
	kt_presets_free(&presets);
out_plan:
	kt_plan_free(&base);
	return ret;
}

static int calibrate(struct gauntlet_opts *o)
{
	struct kt_costs costs;
	int ret;

	if (kt_costs_load(o->costs_path, &costs))
		return -1;
	ret = kt_calibrate_boot(&o->launch, &costs);
	if (!ret)
		ret = kt_costs_save(o->costs_path, &costs);
	if (!ret)
		printf("boot_base_s %.3f boot_per_cpu_s %.4f -> %s\n",
		       costs.boot_base_s, costs.boot_per_cpu_s, o->costs_path);
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
	if (ret < 0)
		fprintf(stderr, "ktstr gauntlet: %s\n", kt_errmsg());
	if (ret)
		return ret < 0 ? 2 : ret == 1 ? 0 : 2;
	if (o.calibrate) {
		ret = calibrate(&o);
		goto done;
	}
	if (kt_root_dir(root, sizeof(root)))
		goto fail;
	snprintf(dir, sizeof(dir), "%s/build/suite", root);
	if (kt_exec_list_dir(dir, progs, MAX_PROGS, &nr_progs))
		goto fail;
	ret = gauntlet(&o, progs, nr_progs, root);
	kt_exec_free_list(progs, nr_progs);
done:
	if (ret < 0)
		goto fail;
	return ret;
fail:
	fprintf(stderr, "ktstr gauntlet: %s\n", kt_errmsg());
	return 1;
}
