// SPDX-License-Identifier: GPL-2.0
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decls.h"
#include "error.h"
#include "plan.h"

void kt_plan_topology_for(unsigned int min_cpus, unsigned int min_llcs,
			  unsigned int min_nodes, unsigned int smt, char *buf,
			  size_t len)
{
	unsigned int nodes = min_nodes ? min_nodes : 1;
	unsigned int llcs = min_llcs > nodes ? min_llcs : nodes;
	unsigned int threads = smt == KTSTR_SMT_REQUIRED ? 2 : 1;
	unsigned int cpus = min_cpus > 2 ? min_cpus : 2;
	unsigned int cores;

	llcs = (llcs + nodes - 1) / nodes * nodes;
	cores = (cpus + llcs * threads - 1) / (llcs * threads);
	snprintf(buf, len, "%un%ul%uc%ut", nodes, llcs, cores, threads);
}

static bool wanted(const struct kt_plan_opts *o, const char *name)
{
	size_t i;

	if (!o->nr_filters)
		return true;
	for (i = 0; i < o->nr_filters; i++) {
		const char *f = o->filters[i];

		if (strpbrk(f, "*?[") ? !fnmatch(f, name, 0) :
					strstr(name, f) != NULL)
			return true;
	}
	return false;
}

static int push(struct kt_plan *p, const struct kt_run_item *item)
{
	struct kt_run_item *items;

	items = realloc(p->items, (p->count + 1) * sizeof(*items));
	if (!items)
		return kt_fail("out of memory");
	p->items = items;
	p->items[p->count++] = *item;
	return 0;
}

static void fill_item(struct kt_run_item *it, const char *prog,
		      const struct ktstr_test_decl *t,
		      const struct kt_plan_opts *o)
{
	memset(it, 0, sizeof(*it));
	snprintf(it->prog, sizeof(it->prog), "%s", prog);
	if (o->topology)
		snprintf(it->topology, sizeof(it->topology), "%s",
			 o->topology);
	else if (t->topology[0])
		snprintf(it->topology, sizeof(it->topology), "%s",
			 t->topology);
	else
		kt_plan_topology_for(t->min_cpus, t->min_llcs, t->min_nodes,
				     t->smt, it->topology,
				     sizeof(it->topology));
	it->test_timeout_s = t->timeout_s ? t->timeout_s :
			     KT_DEFAULT_TEST_TIMEOUT_S;
	it->vm_timeout_s = it->test_timeout_s + KT_BOOT_MARGIN_S;
	it->memory_mib = t->memory_mib;
	it->monitor = t->monitor;
	it->min_cpus = t->min_cpus;
	it->min_llcs = t->min_llcs;
	it->min_nodes = t->min_nodes;
	it->smt = t->smt;
}

static bool overridable(const struct kt_decls *d, const char *sched)
{
	const struct ktstr_sched_decl *s = kt_decls_sched(d, sched);

	return strcmp(sched, "eevdf") &&
	       (!s || !(s->flags & KTSTR_SCHED_EXPECT_EXIT));
}

/*
 * With --scheduler, each test runs once, under the user's scheduler, in
 * place of its first ordinary sched_ext variant; tests whose variants all
 * run EEVDF or a scheduler built to fail are not for it.
 */
static int plan_test(const char *prog, const struct kt_decls *d,
		     const struct ktstr_test_decl *t,
		     const struct kt_plan_opts *o, struct kt_plan *p)
{
	const char *base = strrchr(o->scheduler ? o->scheduler : "", '/');
	struct kt_run_item it;
	size_t i;
	bool any = false;

	for (i = 0; i < d->nr_variants; i++) {
		const struct ktstr_variant_decl *v = &d->variants[i];

		if (strcmp(v->fixture, t->fixture))
			continue;
		any = true;
		if (o->scheduler && !overridable(d, v->scheduler))
			continue;
		fill_item(&it, prog, t, o);
		snprintf(it.selector, sizeof(it.selector), "%s.%s.%s",
			 t->fixture, v->variant, t->test);
		if (o->scheduler) {
			base = base ? base + 1 : o->scheduler;
			snprintf(it.name, sizeof(it.name), "%s.%s.%s",
				 t->fixture, base, t->test);
			snprintf(it.scheduler, sizeof(it.scheduler), "%s",
				 base);
		} else {
			snprintf(it.name, sizeof(it.name), "%s",
				 it.selector);
			snprintf(it.scheduler, sizeof(it.scheduler), "%s",
				 v->scheduler);
		}
		if (wanted(o, it.name) && push(p, &it))
			return -1;
		if (o->scheduler)
			return 0;
	}
	if (any || o->scheduler)
		return 0;
	fill_item(&it, prog, t, o);
	snprintf(it.selector, sizeof(it.selector), "%s.%s", t->fixture,
		 t->test);
	snprintf(it.name, sizeof(it.name), "%s", it.selector);
	snprintf(it.scheduler, sizeof(it.scheduler), "eevdf");
	return wanted(o, it.name) ? push(p, &it) : 0;
}

int kt_plan_build(char *const *progs, size_t nr_progs,
		  const struct kt_plan_opts *o, struct kt_plan *p)
{
	struct kt_decls d;
	size_t i, j;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; !ret && i < nr_progs; i++) {
		if (kt_decls_read(progs[i], &d))
			return -1;
		for (j = 0; !ret && j < d.nr_tests; j++) {
			if ((d.tests[j].flags & KTSTR_OPT_IN) && !o->opt_in)
				continue;
			ret = plan_test(progs[i], &d, &d.tests[j], o, p);
		}
		kt_decls_free(&d);
	}
	if (ret)
		kt_plan_free(p);
	return ret;
}

void kt_plan_free(struct kt_plan *p)
{
	free(p->items);
	memset(p, 0, sizeof(*p));
}
