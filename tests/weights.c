// SPDX-License-Identifier: GPL-2.0
/*
 * Weights: tasks that compete for the CPUs get CPU time in proportion to
 * their weights (nice levels through the kernel's weight table, cgroup
 * cpu.weight, nested cgroups, SCHED_IDLE and SCHED_BATCH), as an ideal
 * weighted-fair scheduler would give it (kselftest/lib/share.c).  Each
 * mix is chosen so that ignored weights (everyone equal) and inverted
 * weights both miss the expected share by far more than the tolerance.
 * A scheduler that does not claim a kind of weight SKIPs its scenarios
 * with the reason (kselftest/lib/claims.c).
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

#define RUN_MS 3000
/* The renice happens a second in; shares are measured after it. */
#define RENICE_AFTER_US 1000000
#define RENICE_RUN_MS 4000

KTSTR_FIXTURE(weights);
KTSTR_RUN_UNDER(weights, eevdf, "eevdf");
KTSTR_RUN_UNDER(weights, scx_simple, "scx_simple");

#define MAX_GROUPS 4

struct mix {
	struct ktstr_work_spec spec[MAX_GROUPS];
	struct ktstr_share_group share[MAX_GROUPS];
	struct ktstr_workers *w[MAX_GROUPS];
	unsigned int n;
};

static void add_group(struct mix *m, const struct ktstr_work_spec *spec,
		      unsigned int cgroup_weight, int parent)
{
	m->spec[m->n] = *spec;
	m->share[m->n].name = spec->name;
	m->share[m->n].cgroup_weight = cgroup_weight;
	m->share[m->n].parent = parent;
	m->n++;
}

/* Runs the mix, then checks that every group progressed and got its share. */
static void run_mix(struct __test_metadata *_metadata, struct ktstr_fixture *k,
		    struct mix *m, unsigned int ms)
{
	unsigned int i;

	ASSERT_EQ(0, ktstr_workers_run(m->spec, m->n, ms, m->w))
		TH_LOG("%s", ktstr_errmsg());
	for (i = 0; i < m->n; i++)
		m->share[i].w = m->spec[i].nr_workers ? m->w[i] : NULL;
	ktstr_print_shares(m->share, m->n);
	for (i = 0; i < m->n; i++)
		if (m->spec[i].nr_workers)
			EXPECT_KTSTR(ktstr_check_progress, m->w[i],
				     &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_share, m->share, m->n, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &k->sched);
	ktstr_workers_free_all(m->w, m->n);
}

/*
 * One nice-0 and one nice-8 spinner per CPU: nice 0 should get
 * 1024 / (1024 + 172) = 86% of the CPU time; with weights ignored it
 * gets 50%, inverted 14%.
 */
KTSTR_TEST_F(weights, nice_proportional, 120, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SPIN,
					.nr_workers = self->k.topo.nr_cpus };
	struct mix m = { .n = 0 };
	char why[256];

	if (!ktstr_claimed(_metadata, &self->k, KTSTR_CLAIM_NICE, why, sizeof(why)))
		SKIP(return, "%s", why);
	spec.name = "nice 0";
	add_group(&m, &spec, 0, -1);
	spec.nice = 8;
	spec.name = "nice 8";
	add_group(&m, &spec, 0, -1);
	run_mix(_metadata, &self->k, &m, RUN_MS);
}

/*
 * Levels far apart, where the one-CPU cap decides: N/2 tasks at nice -10
 * and 3N/2 at nice 5 on N CPUs.  Each nice -10 task deserves 28 times a
 * nice-5 one, more than a whole CPU, but can use only one: they get N/2
 * CPUs (50%) and the nice-5 tasks share the rest.  A model without the
 * cap would expect 90% for nice -10; ignored weights give 25%, inverted
 * ones about 1%.  The cap binds from a weight ratio of 3 on, so a
 * scheduler that only approximates the weights still gets close:
 * scx_qmap's five FIFOs, which behave like a ratio of 2 here (with 2N
 * nice-5 tasks they gave nice -10 34% for an expected 50%), and
 * scx_simple, whose clock jumps with the lightest task's vtime.
 */
KTSTR_TEST_F(weights, nice_levels, 120, .topology = "1n2l2c1t",
	     .min_cpus = 2)
{
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SPIN };
	struct mix m = { .n = 0 };
	char why[256];

	if (!ktstr_claimed(_metadata, &self->k, KTSTR_CLAIM_NICE, why, sizeof(why)))
		SKIP(return, "%s", why);
	spec.nr_workers = self->k.topo.nr_cpus / 2;
	spec.nice = -10;
	spec.name = "nice -10";
	add_group(&m, &spec, 0, -1);
	spec.nr_workers = (3 * self->k.topo.nr_cpus + 1) / 2;
	spec.nice = 5;
	spec.name = "nice 5";
	add_group(&m, &spec, 0, -1);
	run_mix(_metadata, &self->k, &m, RUN_MS);
}

/*
 * Weights that change while the tasks run: everyone starts at nice 0,
 * a second in one group goes to nice 8.  From then on the shares must
 * follow the new weights (86% : 14%), as in nice_proportional.
 */
KTSTR_TEST_F(weights, renice_midrun, 120, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_RENICE,
					.nr_workers = self->k.topo.nr_cpus,
					.period_us = RENICE_AFTER_US };
	struct mix m = { .n = 0 };
	char why[256];

	if (!ktstr_claimed(_metadata, &self->k, KTSTR_CLAIM_NICE, why, sizeof(why)))
		SKIP(return, "%s", why);
	spec.name = "stays at nice 0";
	add_group(&m, &spec, 0, -1);
	spec.nice = 8;
	spec.name = "reniced to 8";
	add_group(&m, &spec, 0, -1);
	run_mix(_metadata, &self->k, &m, RENICE_RUN_MS);
}

/* The groups' CPU time so far, for shares over part of a run. */
static void read_cpu(struct __test_metadata *_metadata,
		     struct ktstr_workers **w, unsigned int n, uint64_t *cpu)
{
	uint64_t delay;
	unsigned int i;

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, ktstr_workers_schedstat(w[i], &cpu[i], &delay))
			TH_LOG("%s", ktstr_errmsg());
}

/*
 * SCHED_OTHER, SCHED_BATCH (the same weight, no wake-up preemption) and
 * SCHED_IDLE (weight 3) spinners, one of each per CPU: 50%, 50% and
 * 0.15%.  Ignored weights give 33% each.
 *
 * A SCHED_IDLE task beside busy CPUs runs a few milliseconds every few
 * seconds, so it must not have to get anything done then: its group is
 * placed first, while the CPUs are free, and stopped last, when they
 * are free again (once, on 8 CPUs, a SCHED_IDLE group started last held
 * the test past its 120 s).  The shares are those of the window in
 * which all three groups ran, read with ktstr_workers_schedstat().
 */
KTSTR_TEST_F(weights, idle_batch_mix, 120, .topology = "1n2l2c1t",
	     .monitor = { .stall_ms = 15000 })
{
	struct ktstr_work_spec spec = { .nr_workers = self->k.topo.nr_cpus };
	uint64_t before[MAX_GROUPS], after[MAX_GROUPS], all = 0;
	double expected[MAX_GROUPS];
	struct mix m = { .n = 0 };
	char why[256];
	unsigned int i;

	if (!ktstr_claimed(_metadata, &self->k, KTSTR_CLAIM_NICE, why, sizeof(why)))
		SKIP(return, "%s", why);
	spec.kind = KTSTR_WORK_SCHED_IDLE;
	spec.name = "SCHED_IDLE";
	add_group(&m, &spec, 0, -1);
	spec.kind = KTSTR_WORK_SPIN;
	spec.name = "SCHED_OTHER";
	add_group(&m, &spec, 0, -1);
	spec.kind = KTSTR_WORK_SCHED_BATCH;
	spec.name = "SCHED_BATCH";
	add_group(&m, &spec, 0, -1);
	for (i = 0; i < m.n; i++) {
		m.w[i] = ktstr_workers_start(&m.spec[i]);
		ASSERT_NE(NULL, m.w[i]) TH_LOG("%s", ktstr_errmsg());
		m.share[i].w = m.w[i];
	}
	read_cpu(_metadata, m.w, m.n, before);
	ktstr_sleep_ms(RUN_MS);
	read_cpu(_metadata, m.w, m.n, after);
	for (i = m.n; i-- > 0;) {
		ASSERT_EQ(0, ktstr_workers_stop(m.w[i]));
		ktstr_print_stats(m.spec[i].name, m.w[i]);
		all += after[i] - before[i];
	}
	EXPECT_KTSTR(ktstr_check_progress, m.w[1], &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_progress, m.w[2], &ktstr_default_limits);
	ASSERT_EQ(0, ktstr_share_expected(m.share, m.n, expected))
		TH_LOG("%s", ktstr_errmsg());
	for (i = 0; i < m.n && all; i++)
		EXPECT_KTSTR(ktstr_check_share_of, m.spec[i].name,
			     (double)(after[i] - before[i]) / all, expected[i],
			     &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free_all(m.w, m.n);
}

static void make_cgroup(struct __test_metadata *_metadata,
			struct ktstr_cgroup *cg, const char *name,
			unsigned int weight)
{
	ASSERT_EQ(0, ktstr_cgroup_create(cg, name)) TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_cgroup_set_weight(cg, weight))
		TH_LOG("%s", ktstr_errmsg());
}

static void remove_cgroups(struct __test_metadata *_metadata,
			   struct ktstr_cgroup *cg, unsigned int n)
{
	/* Children first: a cgroup with children cannot go. */
	while (n--)
		EXPECT_EQ(0, ktstr_cgroup_remove(&cg[n]))
			TH_LOG("%s", ktstr_errmsg());
}

/*
 * Two cgroups of N spinners each, cpu.weight 400 and 50: 89% : 11%.
 * Ignored weights give 50% each, inverted 11% : 89%.
 */
KTSTR_TEST_F(weights, cgroup_weight_proportional, 120,
	     .topology = "1n2l2c1t")
{
	static const unsigned int weight[] = { 400, 50 };
	static const char * const name[] = { "cg_heavy", "cg_light" };
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SPIN,
					.nr_workers = self->k.topo.nr_cpus };
	struct ktstr_cgroup cg[2];
	struct mix m = { .n = 0 };
	char why[256];
	unsigned int i;

	if (!ktstr_claimed(_metadata, &self->k, KTSTR_CLAIM_CGROUP_WEIGHT, why, sizeof(why)))
		SKIP(return, "%s", why);
	for (i = 0; i < 2; i++) {
		make_cgroup(_metadata, &cg[i], name[i], weight[i]);
		spec.cgroup = &cg[i];
		spec.name = name[i];
		add_group(&m, &spec, weight[i], -1);
	}
	run_mix(_metadata, &self->k, &m, RUN_MS);
	remove_cgroups(_metadata, cg, 2);
}

/*
 * A hierarchy: "nest" (weight 100) holds "hi" (900) and "lo" (100), next
 * to "flat" (100); N spinners in each leaf.  flat and nest get 50% each,
 * nest's half goes 90 : 10, so flat 50%, hi 45%, lo 5%.  Ignored weights
 * give 33% each; weights taken as flat (no hierarchy) give flat 9%.
 */
KTSTR_TEST_F(weights, cgroup_nested_weights, 120, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SPIN,
					.nr_workers = self->k.topo.nr_cpus };
	struct ktstr_work_spec level = { 0 };
	struct ktstr_cgroup cg[4];
	struct mix m = { .n = 0 };
	char why[256];

	if (!ktstr_claimed(_metadata, &self->k, KTSTR_CLAIM_CGROUP_WEIGHT, why, sizeof(why)))
		SKIP(return, "%s", why);
	make_cgroup(_metadata, &cg[0], "flat", 100);
	make_cgroup(_metadata, &cg[1], "nest", 100);
	make_cgroup(_metadata, &cg[2], "nest/hi", 900);
	make_cgroup(_metadata, &cg[3], "nest/lo", 100);
	spec.cgroup = &cg[0];
	spec.name = "flat";
	add_group(&m, &spec, 100, -1);
	level.name = "nest";
	add_group(&m, &level, 100, -1);
	spec.cgroup = &cg[2];
	spec.name = "nest/hi";
	add_group(&m, &spec, 900, 1);
	spec.cgroup = &cg[3];
	spec.name = "nest/lo";
	add_group(&m, &spec, 100, 1);
	run_mix(_metadata, &self->k, &m, RUN_MS);
	remove_cgroups(_metadata, cg, 4);
}

TEST_HARNESS_MAIN
