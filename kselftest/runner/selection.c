// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "execute.h"
#include "selection.h"

static int no_match(const struct kt_plan_opts *po)
{
	if (!po->nr_filters && !po->nr_skips)
		return kt_fail(po->scheduler ?
			       "no test has an ordinary sched_ext variant for --scheduler" :
			       "no tests");
	return kt_plan_no_match(po, " (an entry is <test>/<preset>: --list shows them)");
}

/* A filter may name a whole entry, as <test>/<preset> in its results. */
static void keep_wanted(struct kt_gauntlet *g, const struct kt_plan_opts *po)
{
	size_t i, n = 0;

	for (i = 0; i < g->count; i++)
		if (kt_plan_wanted(po, g->v[i].item.name))
			g->v[n++] = g->v[i];
	g->count = n;
}

/* Estimates, then what this machine cannot hold, the budget, the shard. */
static void choose(struct kt_selection *s)
{
	const struct kt_selection_opts *o = s->o;
	unsigned long avail = kt_exec_available_mib();
	struct kt_gauntlet *g = &s->g;
	size_t i;

	for (i = 0; i < g->count; i++) {
		struct kt_gauntlet_entry *e = &g->v[i];
		unsigned long need = e->item.memory_mib ? e->item.memory_mib :
				     e->preset->topo.memory_mib;

		e->cost_s = kt_costs_estimate(&s->costs, e->test,
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

int kt_selection_build(char *const *progs, size_t nr_progs,
		       const struct kt_plan_opts *po,
		       const struct kt_selection_opts *o,
		       struct kt_selection *s)
{
	char dir[PATH_MAX];

	memset(s, 0, sizeof(*s));
	s->o = o;
	if (kt_plan_build(progs, nr_progs, po, &s->base))
		return -1;
	if (!s->base.count) {
		kt_plan_free(&s->base);
		return no_match(po);
	}
	if (kt_topology_dir(dir, sizeof(dir)) ||
	    kt_presets_load(dir, &s->presets))
		goto fail_plan;
	if (kt_costs_load(o->costs_path, &s->costs))
		goto fail_presets;
	if (kt_gauntlet_expand(&s->base, &s->presets, &o->expand, &s->g))
		goto fail_costs;
	keep_wanted(&s->g, po);
	if (!s->g.count) {
		kt_selection_free(s);
		return no_match(po);
	}
	choose(s);
	return 0;
fail_costs:
	kt_costs_free(&s->costs);
fail_presets:
	kt_presets_free(&s->presets);
fail_plan:
	kt_plan_free(&s->base);
	return -1;
}

void kt_selection_free(struct kt_selection *s)
{
	kt_gauntlet_free(&s->g);
	kt_costs_free(&s->costs);
	kt_presets_free(&s->presets);
	kt_plan_free(&s->base);
}

void kt_selection_list(const struct kt_selection *s, FILE *out)
{
	const struct kt_gauntlet *g = &s->g;
	size_t i;

	for (i = 0; i < g->count; i++)
		if (g->v[i].selected)
			fprintf(out, "%-64s %-14s %-16s %5.1fs\n",
				g->v[i].item.name, g->v[i].preset->name,
				g->v[i].item.scheduler, g->v[i].cost_s);
}

void kt_selection_report(const struct kt_selection *s, FILE *out)
{
	const struct kt_selection_opts *o = s->o;
	const struct kt_gauntlet *g = &s->g;
	unsigned int jobs = o->jobs ? o->jobs : 1;
	size_t i, chosen = 0;
	double total = 0;

	for (i = 0; i < g->count; i++) {
		const struct kt_gauntlet_entry *e = &g->v[i];

		if (e->selected) {
			chosen++;
			total += e->cost_s;
			fprintf(out, "# chose    %-56s %-14s est %5.1fs\n",
				e->item.name, e->preset->name, e->cost_s);
		}
	}
	for (i = 0; i < g->count; i++)
		if (!g->v[i].selected)
			fprintf(out, "# left out %-56s %s\n", g->v[i].item.name,
				g->v[i].left_out);
	fprintf(out, "# %s: %zu of %zu entries, estimated %.0fs with -j %u",
		o->what, chosen, g->count, total / jobs, jobs);
	if (o->budget_s)
		fprintf(out, " (budget %.0fs)", o->budget_s);
	if (o->shard_n)
		fprintf(out, ", shard %u/%u", o->shard_k, o->shard_n);
	fputc('\n', out);
}

int kt_selection_plan(const struct kt_selection *s, struct kt_plan *p)
{
	const struct kt_gauntlet *g = &s->g;
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

void kt_selection_observe(const struct kt_result *r, void *selection)
{
	struct kt_selection *s = selection;
	const struct kt_gauntlet_entry *e;
	size_t i;

	if (!r->wall_s)
		return;
	for (i = 0; i < s->g.count; i++) {
		e = &s->g.v[i];
		if (!strcmp(e->item.name, r->item->name)) {
			kt_costs_observe(&s->costs, e->test,
					 kt_topology_cpus(&e->preset->topo),
					 r->wall_s);
			return;
		}
	}
}

void kt_selection_save_costs(const struct kt_selection *s, const char *cmd)
{
	if (kt_costs_save(s->o->costs_path, &s->costs))
		fprintf(stderr, "%s: %s\n", cmd, kt_errmsg());
}
