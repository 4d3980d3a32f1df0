// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../ktstr_sched_env.h"
#include "decls.h"
#include "error.h"
#include "guest.h"
#include "plan.h"
#include "topology.h"

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

static bool name_matches(const char *pattern, const char *name)
{
	return strpbrk(pattern, "*?[") ? !fnmatch(pattern, name, 0) :
					 strstr(name, pattern) != NULL;
}

/*
 * A matrix entry is named <test>/<preset>[/<profile>][/<kernel>]: with
 * @test_part a filter's part before its first '/' picks the test (the
 * plan), without it the whole filter picks the entry (the matrix).
 */
static bool any_filter_matches(const struct kt_plan_opts *o,
			       const char *name, bool test_part)
{
	char test[256];
	const char *f;
	size_t i;

	if (!o->nr_filters)
		return true;
	for (i = 0; i < o->nr_filters; i++) {
		f = o->filters[i];
		if (test_part) {
			snprintf(test, sizeof(test), "%.*s",
				 (int)strcspn(f, "/"), f);
			f = test;
		}
		if (name_matches(f, name))
			return true;
	}
	return false;
}

/*
 * --skip takes out what it matches.  One that names entries
 * (<test>/<preset>) cannot judge a test alone, so the plan keeps the
 * test and the matrix drops the entries.
 */
static bool skipped(const struct kt_plan_opts *o, const char *name,
		    bool test_part)
{
	size_t i;

	for (i = 0; i < o->nr_skips; i++) {
		if (test_part && strchr(o->skips[i], '/'))
			continue;
		if (name_matches(o->skips[i], name))
			return true;
	}
	return false;
}

static bool wanted(const struct kt_plan_opts *o, const char *name)
{
	return any_filter_matches(o, name, true) && !skipped(o, name, true);
}

bool kt_plan_wanted(const struct kt_plan_opts *o, const char *name)
{
	return any_filter_matches(o, name, false) && !skipped(o, name, false);
}

void kt_plan_keep_wanted(struct kt_plan *p, const struct kt_plan_opts *o)
{
	size_t i, n = 0;

	for (i = 0; i < p->count; i++)
		if (kt_plan_wanted(o, p->items[i].name))
			p->items[n++] = p->items[i];
	p->count = n;
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

/* A bad topology is not this question's to report: running it fails. */
static bool declares_capacities(const char *topology)
{
	struct kt_topology t;

	return topology[0] && !kt_topology_parse(topology, &t) &&
	       kt_topology_has_capacities(&t);
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
	it->needs_capacities = declares_capacities(t->topology);
}

static bool overridable(const struct kt_decls *d, const char *sched)
{
	const struct ktstr_sched_decl *s = kt_decls_sched(d, sched);

	return strcmp(sched, "eevdf") &&
	       (!s || !(s->flags & KTSTR_SCHED_EXPECT_EXIT));
}

/*
 * --scheduler PATH: the guest starts PATH under the harness variant named
 * after it.  If a declared scheduler has the same binary, its ops name
 * and claims hold for PATH too, unless --scheduler-ignores says otherwise.
 */
static void user_scheduler(struct kt_run_item *it, const struct kt_decls *d,
			   const struct kt_plan_opts *o)
{
	const char *base = strrchr(o->scheduler, '/');
	const struct ktstr_sched_decl *s;

	base = base ? base + 1 : o->scheduler;
	s = kt_decls_sched_by_binary(d, base);
	ktstr_sched_variant_name(o->scheduler, it->scheduler,
				 sizeof(it->scheduler));
	snprintf(it->sched_binary, sizeof(it->sched_binary), "%s", base);
	if (s) {
		snprintf(it->sched_ops, sizeof(it->sched_ops), "%s",
			 s->ops_name);
		snprintf(it->sched_decl, sizeof(it->sched_decl), "%s",
			 s->name);
		it->sched_flags = s->flags & KTSTR_IGNORES_MASK;
	}
	if (o->ignores_given)
		it->sched_flags = o->ignores;
}

/*
 * With --scheduler, each test that has an ordinary sched_ext variant runs
 * once, as <fixture>.<PATH's variant>.<test>; tests whose variants all
 * run EEVDF or a scheduler built to fail are not for it.
 */
static int plan_user_scheduler(const char *prog, const struct kt_decls *d,
			       const struct ktstr_test_decl *t,
			       const struct kt_plan_opts *o, struct kt_plan *p)
{
	struct kt_run_item it;
	size_t i;

	for (i = 0; i < d->nr_variants; i++)
		if (!strcmp(d->variants[i].fixture, t->fixture) &&
		    overridable(d, d->variants[i].scheduler))
			break;
	if (i == d->nr_variants)
		return 0;
	fill_item(&it, prog, t, o);
	user_scheduler(&it, d, o);
	snprintf(it.selector, sizeof(it.selector), "%s.%s.%s", t->fixture,
		 it.scheduler, t->test);
	snprintf(it.name, sizeof(it.name), "%s", it.selector);
	return wanted(o, it.name) ? push(p, &it) : 0;
}

static int plan_test(const char *prog, const struct kt_decls *d,
		     const struct ktstr_test_decl *t,
		     const struct kt_plan_opts *o, struct kt_plan *p)
{
	struct kt_run_item it;
	size_t i;
	bool any = false;

	if (o->scheduler)
		return plan_user_scheduler(prog, d, t, o, p);
	for (i = 0; i < d->nr_variants; i++) {
		const struct ktstr_variant_decl *v = &d->variants[i];

		if (strcmp(v->fixture, t->fixture))
			continue;
		any = true;
		fill_item(&it, prog, t, o);
		snprintf(it.selector, sizeof(it.selector), "%s.%s.%s",
			 t->fixture, v->variant, t->test);
		snprintf(it.name, sizeof(it.name), "%s", it.selector);
		snprintf(it.scheduler, sizeof(it.scheduler), "%s",
			 v->scheduler);
		if (wanted(o, it.name) && push(p, &it))
			return -1;
	}
	if (any)
		return 0;
	fill_item(&it, prog, t, o);
	snprintf(it.selector, sizeof(it.selector), "%s.%s", t->fixture,
		 t->test);
	snprintf(it.name, sizeof(it.name), "%s", it.selector);
	snprintf(it.scheduler, sizeof(it.scheduler), "eevdf");
	return wanted(o, it.name) ? push(p, &it) : 0;
}

int kt_plan_scheduler_args(int argc, char **argv, char *buf, size_t len)
{
	size_t n = 0;
	int end, i;

	buf[0] = '\0';
	for (end = 1; end < argc && strcmp(argv[end], "--"); end++)
		;
	for (i = end + 1; i < argc && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", n ? " " : "", argv[i]);
	return end;
}

int kt_plan_parse_ignores(const char *list, struct kt_plan_opts *o)
{
	char bad[64];

	if (!*list)
		return kt_fail_usage("--scheduler-ignores: empty (say 'none' to claim everything)");
	if (ktstr_ignores_parse(list, &o->ignores, bad, sizeof(bad)))
		return kt_fail_usage("--scheduler-ignores '%s': '%s' is not a claim to waive (known: %s, or none)",
				     list, bad, KTSTR_IGNORES_WORDS);
	o->ignores_given = true;
	return 0;
}

int kt_plan_check_scheduler(const struct kt_plan_opts *o, const char *arch,
			    bool has_args)
{
	char name[KTSTR_SCHED_VARIANT_LEN], what[PATH_MAX + 16];
	struct stat st;

	if (!o->scheduler) {
		if (has_args)
			return kt_fail_usage("arguments after -- are for --scheduler");
		if (o->ignores_given)
			return kt_fail_usage("--scheduler-ignores is for --scheduler");
		return 0;
	}
	if (stat(o->scheduler, &st) || access(o->scheduler, X_OK))
		return kt_fail_usage("--scheduler %s: %s", o->scheduler,
				     strerror(errno));
	if (!S_ISREG(st.st_mode))
		return kt_fail_usage("--scheduler %s: not a file", o->scheduler);
	ktstr_sched_variant_name(o->scheduler, name, sizeof(name));
	if (!strcmp(name, "eevdf"))
		return kt_fail_usage("--scheduler %s: 'eevdf' names the kernel's own scheduler in test names; rename the binary",
				     o->scheduler);
	snprintf(what, sizeof(what), "--scheduler %s", o->scheduler);
	return kt_guest_check_program(arch, what, o->scheduler);
}

int kt_plan_add_skip(struct kt_plan_opts *o, char **slots, size_t max,
		     const char *pattern)
{
	if (!*pattern)
		return kt_fail_usage("--skip '': an empty pattern would leave out every test");
	if (o->nr_skips == max)
		return kt_fail_usage("--skip %s: at most %zu --skip", pattern, max);
	slots[o->nr_skips++] = (char *)pattern;
	o->skips = slots;
	return 0;
}

int kt_plan_no_match(const struct kt_plan_opts *o, const char *entry_hint)
{
	const char *skips = o->nr_skips ?
			    ", or --skip leaves out every one that does" : "";

	if (!o->nr_filters)
		return kt_fail("--skip leaves out every test");
	return kt_fail("no test matches '%s'%s%s%s", o->filters[0],
		       o->nr_filters > 1 ? " or the other names given" : "",
		       skips, strchr(o->filters[0], '/') ? entry_hint : "");
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
