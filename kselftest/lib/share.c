// SPDX-License-Identifier: GPL-2.0
/*
 * Proportional share: the CPU time competing tasks get should follow
 * their weights.  The expected share of each group comes from a model of
 * an ideal weighted-fair scheduler over the CPUs the tasks may use:
 *
 *  - a task's weight is the kernel's for its nice value
 *    (sched_prio_to_weight), a cgroup's is its cpu.weight; siblings in a
 *    cgroup share what the cgroup gets by their own weights;
 *  - a task can use at most one CPU, a group at most as many CPUs as it
 *    has tasks or may run on, and what a capped entity cannot use goes
 *    to the others (water-filling);
 *  - entities confined to fewer CPUs compete only there (weighted max-min
 *    fairness: progressive filling over the unions of their CPU sets).
 *
 * The measured share is each group's schedstat CPU time over that of all
 * the groups compared, so time the scheduler gave to anything else (the
 * test itself, kernel threads) does not count against anyone.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

#define MAX_ENTITIES (KTSTR_SHARE_MAX_GROUPS * 64)
/* Entities confined to distinct CPU sets; unions of them are enumerated. */
#define MAX_DISTINCT_SETS 8

/* kernel/sched/sched.h: WEIGHT_IDLEPRIO, a SCHED_IDLE task's weight. */
#define IDLE_POLICY_WEIGHT 3

/* kernel/sched/core.c: sched_prio_to_weight[], nice -20 .. 19. */
static const unsigned int nice_weights[40] = {
	88761, 71755, 56483, 46273, 36291,
	29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906,
	3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423,
	335, 272, 215, 172, 137,
	110, 87, 70, 56, 45,
	36, 29, 23, 18, 15,
};

unsigned int ktstr_nice_weight(int nice)
{
	if (nice < -20)
		nice = -20;
	if (nice > 19)
		nice = 19;
	return nice_weights[nice + 20];
}

/*
 * rate[i] = min(cap[i], level * weight[i]) with the rates adding up to
 * @total (or to all caps, if they add up to less): raise the level,
 * fixing entities at their cap as it reaches them.
 */
int ktstr_water_fill(const double *weight, const double *cap, unsigned int n,
		     double total, double *rate)
{
	double left = total, free_weight = 0, level;
	bool capped[MAX_ENTITIES] = { false };
	unsigned int i;
	bool again;

	if (n > MAX_ENTITIES)
		return ktstr_fail("water-fill: %u entities, at most %u", n,
				  MAX_ENTITIES);
	for (i = 0; i < n; i++) {
		if (!(weight[i] > 0) || !(cap[i] >= 0))
			return ktstr_fail("water-fill: entity %u has weight %g cap %g",
					  i, weight[i], cap[i]);
		free_weight += weight[i];
		rate[i] = 0;
	}
	do {
		again = false;
		level = free_weight > 0 ? left / free_weight : 0;
		for (i = 0; i < n; i++) {
			if (capped[i] || level * weight[i] < cap[i])
				continue;
			capped[i] = true;
			rate[i] = cap[i];
			left -= cap[i];
			free_weight -= weight[i];
			again = true;
		}
	} while (again && free_weight > 0);
	for (i = 0; i < n; i++)
		if (!capped[i])
			rate[i] = level * weight[i];
	return 0;
}

/* Is every CPU of @a in @b? */
static bool cpus_within(const cpu_set_t *a, const cpu_set_t *b)
{
	cpu_set_t outside;

	CPU_XOR(&outside, a, b);
	CPU_AND(&outside, &outside, a);
	return !CPU_COUNT(&outside);
}

/* Which distinct set each entity has; fails past MAX_DISTINCT_SETS. */
static int distinct_sets(const cpu_set_t *cpus, unsigned int n,
			 cpu_set_t *set, unsigned int *set_of,
			 unsigned int *nr_sets)
{
	unsigned int i, s;

	*nr_sets = 0;
	for (i = 0; i < n; i++) {
		for (s = 0; s < *nr_sets; s++)
			if (CPU_EQUAL(&set[s], &cpus[i]))
				break;
		if (s == *nr_sets) {
			if (s == MAX_DISTINCT_SETS)
				return ktstr_fail("share: more than %u distinct CPU sets",
						  MAX_DISTINCT_SETS);
			set[(*nr_sets)++] = cpus[i];
		}
		set_of[i] = s;
	}
	return 0;
}

/*
 * The level at which the entities confined within @u saturate its CPUs,
 * given those already fixed; HUGE_VAL if they never do.
 */
static double saturation_level(const double *weight, const double *rate,
			       const bool *fixed, const cpu_set_t *cpus,
			       unsigned int n, const cpu_set_t *u)
{
	double fixed_rate = 0, free_weight = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!cpus_within(&cpus[i], u))
			continue;
		if (fixed[i])
			fixed_rate += rate[i];
		else
			free_weight += weight[i];
	}
	if (free_weight <= 0)
		return HUGE_VAL;
	return (CPU_COUNT(u) - fixed_rate) / free_weight;
}

/*
 * Weighted max-min fairness of entities confined to CPU sets: every
 * entity not yet fixed gets level * weight; as the level rises an entity
 * is fixed at its cap, or all entities within a union of sets are fixed
 * when they fill its CPUs.  A rate vector is feasible exactly when no
 * union of sets holds more than its CPUs (Hall's condition), so the
 * unions are the only bottlenecks.
 */
int ktstr_fill_confined(const double *weight, const double *cap,
			const cpu_set_t *cpus, unsigned int n, double *rate)
{
	unsigned int set_of[MAX_ENTITIES], nr_sets, i, mask, s, left = n;
	cpu_set_t set[MAX_DISTINCT_SETS], u, best_u;
	bool fixed[MAX_ENTITIES] = { false };
	double level, best;
	int best_cap;

	if (n > MAX_ENTITIES)
		return ktstr_fail("share: %u entities, at most %u", n,
				  MAX_ENTITIES);
	if (distinct_sets(cpus, n, set, set_of, &nr_sets) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!(weight[i] > 0) || !(cap[i] >= 0))
			return ktstr_fail("share: entity %u has weight %g cap %g",
					  i, weight[i], cap[i]);
		rate[i] = 0;
	}
	while (left) {
		best = HUGE_VAL;
		best_cap = -1;
		CPU_ZERO(&best_u);
		for (i = 0; i < n; i++) {
			if (!fixed[i] && cap[i] / weight[i] < best) {
				best = cap[i] / weight[i];
				best_cap = i;
			}
		}
		for (mask = 1; mask < 1u << nr_sets; mask++) {
			CPU_ZERO(&u);
			for (s = 0; s < nr_sets; s++)
				if (mask & 1u << s)
					CPU_OR(&u, &u, &set[s]);
			level = saturation_level(weight, rate, fixed, cpus, n,
						 &u);
			if (level < best) {
				best = level;
				best_cap = -1;
				best_u = u;
			}
		}
		if (best_cap >= 0) {
			fixed[best_cap] = true;
			rate[best_cap] = cap[best_cap];
			left--;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (fixed[i] || !cpus_within(&cpus[i], &best_u))
				continue;
			fixed[i] = true;
			rate[i] = best * weight[i];
			left--;
		}
	}
	return 0;
}

/* ---- the check ----------------------------------------------------------- */

/*
 * One entity of the model: a task (a worker) or a cgroup level.  Tasks
 * of a group that is not a cgroup compete as themselves in the group's
 * parent; a cgroup group is one entity there, and its tasks and nested
 * cgroups share what it gets.
 */
struct entity {
	int parent;		/* entity index, -1 at the top */
	int group;		/* the group it reports under */
	double weight, cap, rate;
	cpu_set_t cpus;
	unsigned int tasks;
	bool is_cgroup;
};

struct model {
	struct entity e[MAX_ENTITIES];
	unsigned int n;
	int cgroup_entity[KTSTR_SHARE_MAX_GROUPS];
	unsigned int nr_cpus;
};

static int add_entity(struct model *m, int parent, int group)
{
	if (m->n == MAX_ENTITIES)
		return ktstr_fail("share: more than %u tasks and cgroups",
				  MAX_ENTITIES);
	memset(&m->e[m->n], 0, sizeof(m->e[m->n]));
	m->e[m->n].parent = parent;
	m->e[m->n].group = group;
	return m->n++;
}

/* The cgroup entity a group's tasks (or its own entity) hang under. */
static int parent_entity(const struct model *m,
			 const struct ktstr_share_group *g, unsigned int n,
			 unsigned int i)
{
	int p = g[i].parent;

	if (p < 0)
		return -1;
	if ((unsigned int)p >= n || (unsigned int)p >= i ||
	    !g[p].cgroup_weight)
		return ktstr_fail("share: group %u's parent %d is not an earlier cgroup group",
				  i, p), -2;
	return m->cgroup_entity[p];
}

static int add_tasks(struct model *m, const struct ktstr_workers *w,
		     int parent, int group)
{
	unsigned int t, nr = ktstr_workers_count(w);
	int e;

	for (t = 0; t < nr; t++) {
		const struct ktstr_worker_stats *st = ktstr_worker_stats(w, t);

		e = add_entity(m, parent, group);
		if (e < 0)
			return -1;
		m->e[e].weight = w->spec.kind == KTSTR_WORK_SCHED_IDLE ?
				 IDLE_POLICY_WEIGHT : ktstr_nice_weight(st->nice);
		m->e[e].cpus = st->cpus_allowed;
		m->e[e].tasks = 1;
		if (!CPU_COUNT(&m->e[e].cpus))
			return ktstr_fail("share: %s worker %u has no allowed CPUs (not started?)",
					  ktstr_workers_name(w), t);
	}
	return 0;
}

static int build_model(struct model *m, const struct ktstr_share_group *g,
		       unsigned int n)
{
	unsigned int i;
	int parent, e;

	m->n = 0;
	for (i = 0; i < n; i++) {
		parent = parent_entity(m, g, n, i);
		if (parent == -2)
			return -1;
		m->cgroup_entity[i] = -1;
		if (g[i].cgroup_weight) {
			e = add_entity(m, parent, i);
			if (e < 0)
				return -1;
			m->e[e].is_cgroup = true;
			m->e[e].weight = g[i].cgroup_weight;
			m->cgroup_entity[i] = e;
			parent = e;
		}
		if (g[i].w && add_tasks(m, g[i].w, parent, i) < 0)
			return -1;
	}
	return 0;
}

/*
 * Bottom up (children come after their parents): a cgroup's CPUs are
 * its tasks', its cap what they can use there.
 */
static void cgroup_caps(struct model *m)
{
	int i, p;

	for (i = 0; i < (int)m->n; i++)
		if (m->e[i].is_cgroup)
			CPU_ZERO(&m->e[i].cpus);
	for (i = m->n - 1; i >= 0; i--) {
		struct entity *e = &m->e[i];

		if (!e->is_cgroup)
			e->cap = 1;
		else
			e->cap = e->tasks < (unsigned int)CPU_COUNT(&e->cpus) ?
				 e->tasks : CPU_COUNT(&e->cpus);
		p = e->parent;
		if (p >= 0) {
			m->e[p].tasks += e->tasks;
			CPU_OR(&m->e[p].cpus, &m->e[p].cpus, &e->cpus);
		}
	}
}

/* Shares @total among the children of @parent (-1: the top level). */
static int fill_level(struct model *m, int parent, double total)
{
	double weight[MAX_ENTITIES], cap[MAX_ENTITIES], rate[MAX_ENTITIES];
	static cpu_set_t cpus[MAX_ENTITIES];
	unsigned int idx[MAX_ENTITIES], k = 0, i;
	int rc;

	for (i = 0; i < m->n; i++) {
		if (m->e[i].parent != parent)
			continue;
		idx[k] = i;
		weight[k] = m->e[i].weight;
		cap[k] = m->e[i].cap;
		cpus[k] = m->e[i].cpus;
		k++;
	}
	if (!k)
		return 0;
	/* Inside a cgroup its children share what it got, on its CPUs. */
	if (parent < 0)
		rc = ktstr_fill_confined(weight, cap, cpus, k, rate);
	else
		rc = ktstr_water_fill(weight, cap, k, total, rate);
	if (rc < 0)
		return -1;
	for (i = 0; i < k; i++) {
		m->e[idx[i]].rate = rate[i];
		if (m->e[idx[i]].is_cgroup &&
		    fill_level(m, idx[i], rate[i]) < 0)
			return -1;
	}
	return 0;
}

int ktstr_share_expected(const struct ktstr_share_group *g, unsigned int n,
			 double *expected)
{
	static struct model m;
	double sum[KTSTR_SHARE_MAX_GROUPS] = { 0 }, all = 0;
	unsigned int i;
	int p;

	if (!n || n > KTSTR_SHARE_MAX_GROUPS)
		return ktstr_fail("share: %u groups, want 1-%u", n,
				  KTSTR_SHARE_MAX_GROUPS);
	if (build_model(&m, g, n) < 0)
		return -1;
	cgroup_caps(&m);
	if (fill_level(&m, -1, 0) < 0)
		return -1;
	for (i = 0; i < m.n; i++) {
		if (m.e[i].is_cgroup)
			continue;
		all += m.e[i].rate;
		/* A task counts for its group and every cgroup above it. */
		sum[m.e[i].group] += m.e[i].rate;
		for (p = m.e[i].parent; p >= 0; p = m.e[p].parent)
			if (m.e[p].group != m.e[i].group)
				sum[m.e[p].group] += m.e[i].rate;
	}
	if (!(all > 0))
		return ktstr_fail("share: the groups have no tasks");
	for (i = 0; i < n; i++)
		expected[i] = sum[i] / all;
	return 0;
}

/* Each group's CPU time, its own tasks' and its nested groups'. */
static void measured_shares(const struct ktstr_share_group *g, unsigned int n,
			    double *measured)
{
	double cpu[KTSTR_SHARE_MAX_GROUPS] = { 0 }, all = 0, own;
	unsigned int i, t;
	int p;

	for (i = 0; i < n; i++) {
		own = 0;
		for (t = 0; g[i].w && t < ktstr_workers_count(g[i].w); t++)
			own += ktstr_worker_stats(g[i].w, t)->cpu_ns;
		all += own;
		cpu[i] += own;
		for (p = g[i].parent; p >= 0; p = g[p].parent)
			cpu[p] += own;
	}
	for (i = 0; i < n; i++)
		measured[i] = all > 0 ? cpu[i] / all : 0;
}

static const char *group_name(const struct ktstr_share_group *g)
{
	if (g->name)
		return g->name;
	return g->w ? ktstr_workers_name(g->w) : "cgroup";
}

static size_t describe_shares(const struct ktstr_share_group *g,
			      unsigned int n, const double *expected,
			      const double *measured, char *why, size_t len,
			      size_t at)
{
	unsigned int i, t;
	double cpu;

	for (i = 0; i < n; i++) {
		cpu = 0;
		for (t = 0; g[i].w && t < ktstr_workers_count(g[i].w); t++)
			cpu += ktstr_worker_stats(g[i].w, t)->cpu_ns;
		at = ktstr_append(why, len, at, "\n  %s: %u tasks, ",
				  group_name(&g[i]),
				  g[i].w ? ktstr_workers_count(g[i].w) : 0);
		if (g[i].cgroup_weight)
			at = ktstr_append(why, len, at, "cpu.weight %u",
					  g[i].cgroup_weight);
		else if (g[i].w && g[i].w->spec.kind == KTSTR_WORK_SCHED_IDLE)
			at = ktstr_append(why, len, at, "SCHED_IDLE");
		else if (g[i].w && ktstr_workers_count(g[i].w))
			at = ktstr_append(why, len, at, "nice %d",
					  ktstr_worker_stats(g[i].w, 0)->nice);
		at = ktstr_append(why, len, at,
				  ", cpu %.0fms, share %.1f%% expected %.1f%%",
				  cpu / 1e6, 100 * measured[i],
				  100 * expected[i]);
	}
	return at;
}

static int share_figures(const struct ktstr_share_group *g, unsigned int n,
			 double *expected, double *measured, char *why,
			 size_t len)
{
	if (ktstr_share_expected(g, n, expected) < 0) {
		snprintf(why, len, "share: no expected shares: %s",
			 ktstr_errmsg());
		return -1;
	}
	measured_shares(g, n, measured);
	return 0;
}

bool ktstr_check_share(const struct ktstr_share_group *g, unsigned int n,
		       const struct ktstr_limits *l, char *why, size_t len)
{
	double expected[KTSTR_SHARE_MAX_GROUPS], measured[KTSTR_SHARE_MAX_GROUPS];
	double tol = l->share_tolerance;
	unsigned int i, bad = n;
	bool ok;
	size_t at;

	if (share_figures(g, n, expected, measured, why, len) < 0) {
		ktstr_result_check("share", NULL, false, why, NULL);
		return false;
	}
	/* The group furthest off is the one the reason names. */
	for (i = 0; i < n; i++)
		if (fabs(measured[i] - expected[i]) > tol &&
		    (bad == n || fabs(measured[i] - expected[i]) >
				 fabs(measured[bad] - expected[bad])))
			bad = i;
	ok = bad == n;
	if (!ok) {
		at = snprintf(why, len,
			      "share: %s got %.0f%% of the CPU, expected %.0f%% +- %.0f%%",
			      group_name(&g[bad]), 100 * measured[bad],
			      100 * expected[bad], 100 * tol);
		describe_shares(g, n, expected, measured, why, len, at);
	}
	for (i = 0; i < n; i++)
		ktstr_report_check("share", group_name(&g[i]),
				   fabs(measured[i] - expected[i]) <= tol,
				   i == bad ? why : NULL,
				   KTSTR_KV({ "expected", expected[i] },
					    { "measured", measured[i] },
					    { "tolerance", tol }));
	return ok;
}

bool ktstr_check_share_of(const char *group, double measured,
			  double expected, const struct ktstr_limits *l,
			  char *why, size_t len)
{
	double tol = l->share_tolerance;
	double above = l->share_tolerance_above > 0 ?
		       l->share_tolerance_above : tol;
	bool ok = measured - expected <= above && expected - measured <= tol;

	if (!ok && above == tol)
		snprintf(why, len,
			 "share: %s got %.0f%% of the CPU, expected %.0f%% +- %.0f%%",
			 group, 100 * measured, 100 * expected, 100 * tol);
	else if (!ok)
		snprintf(why, len,
			 "share: %s got %.0f%% of the CPU, expected %.0f%% - %.0f%% + %.0f%%",
			 group, 100 * measured, 100 * expected, 100 * tol,
			 100 * above);
	ktstr_report_check("share", group, ok, why,
			   KTSTR_KV({ "expected", expected },
				    { "measured", measured },
				    { "tolerance", tol },
				    { "tolerance_above", above }));
	return ok;
}

void ktstr_print_shares(const struct ktstr_share_group *g, unsigned int n)
{
	double expected[KTSTR_SHARE_MAX_GROUPS], measured[KTSTR_SHARE_MAX_GROUPS];
	char buf[KTSTR_WHY_LEN];
	size_t at;

	if (share_figures(g, n, expected, measured, buf, sizeof(buf)) < 0) {
		ktstr_print_lines(buf);
		return;
	}
	at = snprintf(buf, sizeof(buf), "shares of %u groups:", n);
	describe_shares(g, n, expected, measured, buf, sizeof(buf), at);
	ktstr_print_lines(buf);
}
