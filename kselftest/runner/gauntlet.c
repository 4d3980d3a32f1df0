// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ktstr_sched_env.h"
#include "decls.h"
#include "error.h"
#include "gauntlet.h"

#define MAX_PRESETS 128

static void add_feature(struct kt_preset *p, const char *fmt, unsigned int v)
{
	if (p->nr_features < KT_PRESET_MAX_FEATURES)
		snprintf(p->features[p->nr_features++],
			 sizeof(p->features[0]), fmt, v);
}

static bool default_distances(const struct kt_topology *t)
{
	unsigned int i, j;

	if (!t->has_distance)
		return true;
	for (i = 0; i < t->nodes; i++)
		for (j = 0; j < t->nodes; j++)
			if (i != j && t->distance[i][j] != 20)
				return false;
	return true;
}

/* Shapes declared node by node: what differs from a grid. */
static void describe_uneven(struct kt_preset *p)
{
	const struct kt_topology *t = &p->topo;
	bool sizes = false, smt_mix = false, unbalanced = false;
	bool cpuless = false, memless = false;
	unsigned int i;

	if (!t->uneven)
		return;
	for (i = 0; i < t->llcs; i++) {
		sizes |= t->llc[i].cores != t->llc[0].cores;
		smt_mix |= t->llc[i].threads != t->llc[0].threads;
	}
	for (i = 0; i < t->nodes; i++) {
		unbalanced |= kt_topology_node_cpus(t, i) &&
			      kt_topology_node_cpus(t, i) !=
			      kt_topology_node_cpus(t, 0);
		cpuless |= !kt_topology_node_cpus(t, i);
		memless |= !kt_topology_node_memory(t, i);
	}
	if (sizes)
		add_feature(p, "uneven-llcs", 0);
	if (smt_mix)
		add_feature(p, "smt-mix", 0);
	if (unbalanced)
		add_feature(p, "unbalanced", 0);
	if (cpuless)
		add_feature(p, "cpuless-node", 0);
	if (memless)
		add_feature(p, "memless-node", 0);
}

/* What a scheduler might get wrong on this shape. */
static void describe(struct kt_preset *p)
{
	const struct kt_topology *t = &p->topo;
	unsigned int cpus = kt_topology_cpus(t);

	add_feature(p, "llcs=%u", t->llcs);
	add_feature(p, t->threads > 1 ? "smt" : "no-smt", 0);
	add_feature(p, "nodes=%u", t->nodes);
	if (t->nodes > 1 && !default_distances(t))
		add_feature(p, "far", 0);
	if (t->cores % 2 || (t->llcs > 1 && t->llcs % 2))
		add_feature(p, "odd", 0);
	describe_uneven(p);
	p->large = cpus >= KT_PRESET_LARGE_CPUS;
	if (p->large)
		add_feature(p, "cpus>=%u", KT_PRESET_LARGE_CPUS);
}

static int cmp_preset(const void *a, const void *b)
{
	return strcmp(((const struct kt_preset *)a)->name,
		      ((const struct kt_preset *)b)->name);
}

static int load_one(const char *dir, const char *file, struct kt_preset *p)
{
	char path[PATH_MAX + 256];
	size_t len = strlen(file) - strlen(".topo");

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (kt_topology_parse_file(path, &p->topo))
		return -1;
	snprintf(p->name, sizeof(p->name), "%.*s", (int)len, file);
	describe(p);
	return 0;
}

int kt_presets_load(const char *dir, struct kt_presets *out)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t len;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!d)
		return kt_fail_errno("presets %s", dir);
	out->v = calloc(MAX_PRESETS, sizeof(*out->v));
	if (!out->v) {
		closedir(d);
		return kt_fail("out of memory");
	}
	while (!ret && (de = readdir(d)) && out->count < MAX_PRESETS) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".topo"))
			continue;
		ret = load_one(dir, de->d_name, &out->v[out->count]);
		out->count += !ret;
	}
	closedir(d);
	if (ret) {
		kt_presets_free(out);
		return -1;
	}
	if (!out->count) {
		kt_presets_free(out);
		return kt_fail("no presets (*.topo) in %s", dir);
	}
	qsort(out->v, out->count, sizeof(*out->v), cmp_preset);
	return 0;
}

void kt_presets_free(struct kt_presets *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

bool kt_preset_allows(const struct kt_preset *p, const struct kt_run_item *it)
{
	const struct kt_topology *t = &p->topo;

	if (kt_topology_cpus(t) < it->min_cpus || t->llcs < it->min_llcs ||
	    kt_topology_cpu_nodes(t) < it->min_nodes)
		return false;
	/* A test of big and small CPUs, on shapes that have them. */
	if (it->needs_capacities && !kt_topology_has_capacities(t))
		return false;
	/* A test that needs SMT needs a sibling for every CPU. */
	if (it->smt == KTSTR_SMT_REQUIRED && kt_topology_min_threads(t) < 2)
		return false;
	if (it->smt == KTSTR_SMT_NONE && t->threads > 1)
		return false;
	return true;
}

void kt_gauntlet_kernel_label(const char *spec, char *buf, size_t len)
{
	const char *s = spec, *hash = strrchr(spec, '#');
	size_t n;
	char *c;

	if (!strncmp(spec, "git+", 4) && hash) {
		s = hash + 1;		/* git+URL#REF: the ref */
	} else {
		n = strlen(spec);
		while (n > 1 && spec[n - 1] == '/')
			n--;
		for (s = spec + n; s > spec && s[-1] != '/'; s--)
			;
		snprintf(buf, len, "%.*s", (int)(spec + n - s), s);
		goto clean;
	}
	snprintf(buf, len, "%s", s);
clean:
	for (c = buf; *c; c++)
		if (*c == '/' || *c == ' ')
			*c = '_';
}

static int push(struct kt_gauntlet *g, const struct kt_gauntlet_entry *e)
{
	struct kt_gauntlet_entry *v = realloc(g->v, (g->count + 1) * sizeof(*v));

	if (!v)
		return kt_fail("out of memory");
	g->v = v;
	g->v[g->count++] = *e;
	return 0;
}

static bool preset_chosen(const struct kt_gauntlet_opts *o,
			  const struct kt_preset *p)
{
	size_t i;

	if (o->own_topology || kt_topology_check_arch(&p->topo, o->arch))
		return false;
	if (o->matrix)
		return p->topo.matrix;
	if (!o->nr_presets)
		return o->large || !p->large;
	for (i = 0; i < o->nr_presets; i++)
		if (!strcmp(o->presets[i], p->name))
			return true;
	return false;
}

/* Sets the item up to start its scheduler with the profile's flags. */
static void apply_profile(struct kt_run_item *it,
			  const struct ktstr_sched_decl *s,
			  const struct ktstr_profile_decl *pr)
{
	snprintf(it->sched_binary, sizeof(it->sched_binary), "%s", s->binary);
	snprintf(it->sched_args, sizeof(it->sched_args), "%.127s%s%.255s",
		 s->args, s->args[0] ? " " : "", pr->args);
	snprintf(it->sched_ops, sizeof(it->sched_ops), "%s", s->ops_name);
	snprintf(it->sched_decl, sizeof(it->sched_decl), "%s", s->name);
	it->sched_flags = (s->flags | pr->flags) & KTSTR_IGNORES_MASK;
}

static int expand_one(const struct kt_run_item *base,
		      const struct kt_preset *p,
		      const struct ktstr_profile_decl *pr,
		      const struct ktstr_sched_decl *s,
		      const struct kt_gauntlet_opts *o, struct kt_gauntlet *g)
{
	struct kt_gauntlet_entry e;
	size_t k, nr_kernels = o->nr_kernels ? o->nr_kernels : 1;
	int n;

	for (k = 0; k < nr_kernels; k++) {
		memset(&e, 0, sizeof(e));
		e.item = *base;
		e.preset = p;
		if (!p->own)
			snprintf(e.item.topology, sizeof(e.item.topology),
				 "%s", p->name);
		n = snprintf(e.test, sizeof(e.test), "%s%s%s", base->name,
			     pr ? "/" : "", pr ? pr->name : "");
		if (o->nr_kernels > 1)
			snprintf(e.test + n, sizeof(e.test) - n, "/%s",
				 o->kernels[k].label);
		if (pr) {
			snprintf(e.profile, sizeof(e.profile), "%s", pr->name);
			apply_profile(&e.item, s, pr);
		}
		e.item.kernel = k;
		/* <test>/<preset>[/<profile>][/<kernel>] */
		snprintf(e.item.name, sizeof(e.item.name),
			 "%.100s/%.30s%s%.24s%s%.30s",
			 base->name, p->name, pr ? "/" : "",
			 pr ? pr->name : "", o->nr_kernels > 1 ? "/" : "",
			 o->nr_kernels > 1 ? o->kernels[k].label : "");
		if (push(g, &e))
			return -1;
	}
	return 0;
}

/*
 * The preset of a test's own topology (a short form, a preset's name or
 * a file), named as the topology names itself: one per distinct name.
 */
static const struct kt_preset *own_preset(struct kt_gauntlet *g,
					  const char *topology)
{
	struct kt_preset *p, **v;
	struct kt_topology t;
	size_t i;

	if (kt_topology_parse(topology, &t))
		return NULL;
	for (i = 0; i < g->nr_own; i++)
		if (!strcmp(g->own[i]->name, t.name))
			return g->own[i];
	v = realloc(g->own, (g->nr_own + 1) * sizeof(*v));
	p = calloc(1, sizeof(*p));
	if (!v || !p) {
		free(p);
		if (v)
			g->own = v;
		return kt_fail("out of memory"), NULL;
	}
	g->own = v;
	p->topo = t;
	snprintf(p->name, sizeof(p->name), "%s", t.name);
	p->own = true;
	describe(p);
	g->own[g->nr_own++] = p;
	return p;
}

static int expand_item(const struct kt_run_item *base,
		       const struct kt_decls *d, const struct kt_presets *ps,
		       const struct kt_gauntlet_opts *o, struct kt_gauntlet *g)
{
	const struct ktstr_sched_decl *s = o->no_profiles ? NULL :
		kt_decls_sched(d, base->scheduler);
	const struct kt_preset *p;
	size_t i, j, before = g->count;

	for (i = 0; i < ps->count; i++) {
		p = &ps->v[i];
		if (!preset_chosen(o, p) || !kt_preset_allows(p, base))
			continue;
		if (expand_one(base, p, NULL, s, o, g))
			return -1;
		for (j = 0; s && j < d->nr_profiles; j++)
			if (!strcmp(d->profiles[j].scheduler, s->name) &&
			    expand_one(base, p, &d->profiles[j], s, o, g))
				return -1;
	}
	if (g->count > before || !(o->matrix || o->own_topology))
		return 0;
	p = own_preset(g, base->topology);
	if (!p)
		return -1;
	/* Its own shape is another arch's (capacities on x86_64): none. */
	if (kt_topology_check_arch(&p->topo, o->arch))
		return 0;
	return expand_one(base, p, NULL, s, o, g);
}

static int check_presets(const struct kt_presets *presets,
			 const struct kt_gauntlet_opts *o)
{
	size_t i, j;

	for (i = 0; i < o->nr_presets; i++) {
		for (j = 0; j < presets->count; j++)
			if (!strcmp(o->presets[i], presets->v[j].name))
				break;
		if (j == presets->count)
			return kt_fail_usage("unknown preset '%s' (ktstr topo list shows them)",
					     o->presets[i]);
	}
	for (j = 0; o->matrix && j < presets->count; j++)
		if (presets->v[j].topo.matrix)
			return 0;
	if (o->matrix)
		return kt_fail("no preset is in the matrix ('matrix = yes' in a .topo file)");
	return 0;
}

int kt_gauntlet_expand(const struct kt_plan *base,
		       const struct kt_presets *presets,
		       const struct kt_gauntlet_opts *o, struct kt_gauntlet *g)
{
	const char *prog = NULL;
	struct kt_decls d = { 0 };
	size_t i;
	int ret = 0;

	memset(g, 0, sizeof(*g));
	if (check_presets(presets, o))
		return -1;
	for (i = 0; !ret && i < base->count; i++) {
		const struct kt_run_item *it = &base->items[i];

		if (!prog || strcmp(prog, it->prog)) {
			kt_decls_free(&d);
			if (kt_decls_read(it->prog, &d)) {
				ret = -1;
				break;
			}
			prog = it->prog;
		}
		ret = expand_item(it, &d, presets, o, g);
	}
	kt_decls_free(&d);
	if (ret)
		kt_gauntlet_free(g);
	return ret;
}

void kt_gauntlet_free(struct kt_gauntlet *g)
{
	while (g->nr_own)
		free(g->own[--g->nr_own]);
	free(g->own);
	free(g->v);
	memset(g, 0, sizeof(*g));
}

/* The (test, feature) pairs covered so far, as "test\tfeature" strings. */
struct coverage {
	char (*pairs)[224];
	size_t count, cap;
};

static bool covered(const struct coverage *c, const char *test,
		    const char *feature)
{
	char key[224];
	size_t i;

	snprintf(key, sizeof(key), "%s\t%s", test, feature);
	for (i = 0; i < c->count; i++)
		if (!strcmp(c->pairs[i], key))
			return true;
	return false;
}

static unsigned int gain(const struct coverage *c,
			 const struct kt_gauntlet_entry *e)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->preset->nr_features; i++)
		n += !covered(c, e->test, e->preset->features[i]);
	return n;
}

static void cover(struct coverage *c, const struct kt_gauntlet_entry *e)
{
	unsigned int i;

	for (i = 0; i < e->preset->nr_features; i++) {
		if (covered(c, e->test, e->preset->features[i]))
			continue;
		if (c->count == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 64;
			void *v = realloc(c->pairs, cap * sizeof(*c->pairs));

			if (!v)
				return;
			c->pairs = v;
			c->cap = cap;
		}
		snprintf(c->pairs[c->count++], sizeof(c->pairs[0]), "%s\t%s",
			 e->test, e->preset->features[i]);
	}
}

/* Is @a a better pick than @b? */
static bool better(const struct kt_gauntlet_entry *a, unsigned int gain_a,
		   const struct kt_gauntlet_entry *b, unsigned int gain_b)
{
	double ra = gain_a / a->cost_s, rb = gain_b / b->cost_s;

	if (ra != rb)
		return ra > rb;
	if (a->cost_s != b->cost_s)
		return a->cost_s < b->cost_s;
	return strcmp(a->item.name, b->item.name) < 0;
}

void kt_gauntlet_budget(struct kt_gauntlet *g, double budget_s,
			unsigned int jobs)
{
	struct coverage cov = { 0 };
	double left = budget_s * (jobs ? jobs : 1);
	size_t i, best;
	unsigned int best_gain, n;

	for (i = 0; i < g->count; i++)
		g->v[i].selected = false;
	for (;;) {
		best = g->count;
		best_gain = 0;
		for (i = 0; i < g->count; i++) {
			if (g->v[i].selected || g->v[i].cost_s > left)
				continue;
			n = gain(&cov, &g->v[i]);
			if (n && (best == g->count ||
				  better(&g->v[i], n, &g->v[best], best_gain))) {
				best = i;
				best_gain = n;
			}
		}
		if (best == g->count)
			break;
		g->v[best].selected = true;
		left -= g->v[best].cost_s;
		cover(&cov, &g->v[best]);
	}
	for (i = 0; i < g->count; i++) {
		if (g->v[i].selected)
			continue;
		if (!gain(&cov, &g->v[i]))
			snprintf(g->v[i].left_out, sizeof(g->v[i].left_out),
				 "adds no (test, feature) pair the chosen do not");
		else
			snprintf(g->v[i].left_out, sizeof(g->v[i].left_out),
				 "over the budget (%.0fs of %.0fs left)",
				 g->v[i].cost_s, left);
	}
	free(cov.pairs);
}

int kt_gauntlet_parse_budget(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0) || v > 1e7)
		return kt_fail_usage("--budget '%s': expected a number of seconds above 0",
				     s);
	*out = v;
	return 0;
}

int kt_gauntlet_parse_shard(const char *s, unsigned int *k, unsigned int *n)
{
	char *end;
	long a, b;

	errno = 0;
	a = strtol(s, &end, 10);
	if (errno || end == s || *end != '/')
		return kt_fail_usage("--shard '%s': expected K/N, e.g. 2/5", s);
	s = end + 1;
	b = strtol(s, &end, 10);
	if (errno || end == s || *end || b < 1 || b > 1000)
		return kt_fail_usage("--shard: N must be a number from 1 to 1000, not '%s'",
				     s);
	if (a < 1 || a > b)
		return kt_fail_usage("--shard %ld/%ld: K must be from 1 to %ld", a, b,
				     b);
	*k = a;
	*n = b;
	return 0;
}

/*
 * FNV-1a of the name: a shard depends on nothing but the name and N, so
 * every machine of a CI matrix puts every entry in the same shard, and
 * adding a test moves no other entry.
 */
unsigned int kt_gauntlet_shard_of(const char *name, unsigned int n)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % n + 1;
}

void kt_gauntlet_shard(struct kt_gauntlet *g, unsigned int k, unsigned int n)
{
	size_t i;

	for (i = 0; i < g->count; i++) {
		if (!g->v[i].selected ||
		    kt_gauntlet_shard_of(g->v[i].item.name, n) == k)
			continue;
		g->v[i].selected = false;
		snprintf(g->v[i].left_out, sizeof(g->v[i].left_out),
			 "in shard %u/%u",
			 kt_gauntlet_shard_of(g->v[i].item.name, n), n);
	}
}
