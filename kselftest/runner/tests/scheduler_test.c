// SPDX-License-Identifier: GPL-2.0
/*
 * `--scheduler BIN` without booting: the matrix each test runs on (its
 * constraints, its own topology when no matrix shape meets them, names,
 * --budget, --topology), its listing for the real suite, `ktstr gauntlet
 * --scheduler`, bad arguments, and the harness variant a real test
 * program adds for BIN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "scratch.h"

#include "error.h"
#include "selection.h"

static const char program[] =
	"#include \"ktstr_decl.h\"\n"
	"KTSTR_SCHEDULER(good, .binary = \"good\", .ops_name = \"good\");\n"
	"KTSTR_SCHED_PROFILE(good, fast, \"-s 1\");\n"
	"KTSTR_VARIANT(fair, eevdf, \"eevdf\");\n"
	"KTSTR_VARIANT(fair, good, \"good\");\n"
	"KTSTR_TEST(fair, spin, .topology = \"1n2l2c1t\");\n"
	"KTSTR_TEST(fair, numa, .min_nodes = 2);\n"
	"KTSTR_TEST(fair, smtless, .smt = KTSTR_SMT_NONE);\n"
	"KTSTR_TEST(fair, huge, .min_nodes = 4, .min_cpus = 8);\n"
	"KTSTR_TEST(global, plain);\n"
	"int main(void) { return 0; }\n";

/* Two matrix shapes and one that is not in the matrix. */
static const struct {
	const char *file, *text;
} presets[] = {
	{ "odd.topo", "description = odd\ntopology = 1n3l3c1t\nmatrix = yes\n" },
	{ "numa.topo", "description = numa\ntopology = 2n2l2c2t\nmatrix = yes\n" },
	{ "other.topo", "description = other\ntopology = 1n2l2c1t\nmatrix = no\n" },
};

FIXTURE(matrix) {
	char dir[64];
	char prog[128];
	char costs[128];
	char *progs[1];
	struct kt_plan_opts plan;
	struct kt_selection_opts sel;
	struct kt_selection s;
	bool built;
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

FIXTURE_SETUP(matrix)
{
	char cmd[512];
	size_t i;

	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "matrix"));
	write_file(self->dir, "t.c", program);
	for (i = 0; i < ARRAY_SIZE(presets); i++)
		write_file(self->dir, presets[i].file, presets[i].text);
	snprintf(self->prog, sizeof(self->prog), "%s/t", self->dir);
	snprintf(self->costs, sizeof(self->costs), "%s/costs", self->dir);
	snprintf(cmd, sizeof(cmd), "gcc -Ikselftest -o %s %s/t.c", self->prog,
		 self->dir);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, setenv("KTSTR_TOPOLOGY_DIR", self->dir, 1));
	self->progs[0] = self->prog;
	self->plan.scheduler = "/opt/build/good";
	self->sel.what = "matrix";
	self->sel.list = true;
	self->sel.expand.matrix = true;
	self->sel.expand.no_profiles = true;
	self->sel.costs_path = self->costs;
}

FIXTURE_TEARDOWN(matrix)
{
	if (self->built)
		kt_selection_free(&self->s);
	SCRATCH_REMOVE(self->dir);
	unsetenv("KTSTR_TOPOLOGY_DIR");
}

static const struct kt_gauntlet_entry *entry(const struct kt_selection *s,
					     const char *name)
{
	size_t i;

	for (i = 0; i < s->g.count; i++)
		if (!strcmp(s->g.v[i].item.name, name))
			return &s->g.v[i];
	return NULL;
}

/* Builds the selection of the fixture's program, to be freed once. */
#define build(self)							\
	((self)->built = !kt_selection_build((self)->progs, 1,		\
					     &(self)->plan, &(self)->sel, \
					     &(self)->s),		\
	 (self)->built ? 0 : -1)

TEST_F(matrix, each_test_on_the_matrix_shapes_it_allows)
{
	const struct kt_gauntlet_entry *e;

	ASSERT_EQ(0, build(self)) TH_LOG("%s", kt_errmsg());
	/* global.plain runs EEVDF only: not for --scheduler. */
	EXPECT_EQ(5, self->s.g.count);
	e = entry(&self->s, "fair.good.spin/odd");
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("odd", e->item.topology);
	EXPECT_STREQ("fair.good.spin", e->item.selector);
	EXPECT_STREQ("fair.good.spin", e->test);
	EXPECT_STREQ("good", e->item.scheduler);
	EXPECT_STREQ("good", e->item.sched_ops);
	EXPECT_TRUE(e->selected);
	EXPECT_NE(NULL, entry(&self->s, "fair.good.spin/numa"));
	/* Constraints: two nodes only on numa; no SMT only on odd. */
	EXPECT_NE(NULL, entry(&self->s, "fair.good.numa/numa"));
	EXPECT_EQ(NULL, entry(&self->s, "fair.good.numa/odd"));
	EXPECT_NE(NULL, entry(&self->s, "fair.good.smtless/odd"));
	EXPECT_EQ(NULL, entry(&self->s, "fair.good.smtless/numa"));
	/* Nothing on a preset outside the matrix, no profile of ours. */
	EXPECT_EQ(NULL, entry(&self->s, "fair.good.spin/other"));
	EXPECT_EQ(NULL, entry(&self->s, "fair.good.spin/odd/fast"));
	/* Four nodes: no matrix shape has them, so its own topology. */
	e = entry(&self->s, "fair.good.huge/4n4l2c1t");
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("4n4l2c1t", e->item.topology);
	EXPECT_TRUE(e->preset->own);
}

/* --topology T: every test on T alone, whatever its constraints. */
TEST_F(matrix, topology_is_the_only_shape)
{
	const struct kt_gauntlet_entry *e;
	size_t i;

	self->plan.topology = "other";
	self->sel.expand.matrix = false;
	self->sel.expand.own_topology = true;
	ASSERT_EQ(0, build(self)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(4, self->s.g.count);
	for (i = 0; i < self->s.g.count; i++)
		EXPECT_STREQ("other", self->s.g.v[i].item.topology);
	e = entry(&self->s, "fair.good.huge/other");
	ASSERT_NE(NULL, e);
	EXPECT_EQ(4, kt_topology_cpus(&e->preset->topo));
	self->plan.topology = "2n2l1c1t";
	kt_selection_free(&self->s);
	ASSERT_EQ(0, build(self)) TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, entry(&self->s, "fair.good.spin/2n2l1c1t"));
}

/*
 * The gauntlet's cost model and coverage-first choice.  Features: odd
 * has 4 (llcs=3, no-smt, nodes=1, odd), numa 3, 4n4l2c1t 3.  Each entry
 * costs 1 s of boot plus its test's run: spin 9 s measured, numa 19 s
 * measured under another scheduler (eevdf), the others 10 s by default.
 * Within 25 s: spin/odd (0.4 pairs/s), then smtless/odd (4 in 11 s);
 * nothing else fits the 4 s left.
 */
TEST_F(matrix, budget_chooses_coverage_per_second)
{
	const struct kt_gauntlet_entry *e;
	size_t i, chosen = 0;

	write_file(self->dir, "costs",
		   "{\"version\": 1, \"boot_base_s\": 1, \"boot_per_cpu_s\": 0, \"calibrated\": true,\n"
		   " \"tests\": {\"fair.good.spin\": 9, \"fair.eevdf.numa\": 19}}\n");
	self->sel.budget_s = 25;
	ASSERT_EQ(0, build(self)) TH_LOG("%s", kt_errmsg());
	for (i = 0; i < self->s.g.count; i++)
		chosen += self->s.g.v[i].selected;
	EXPECT_EQ(2, chosen);
	EXPECT_TRUE(entry(&self->s, "fair.good.spin/odd")->selected);
	EXPECT_TRUE(entry(&self->s, "fair.good.smtless/odd")->selected);
	e = entry(&self->s, "fair.good.numa/numa");
	ASSERT_NE(NULL, e);
	EXPECT_FALSE(e->selected);
	/* Never run under "good": the longest any scheduler took. */
	EXPECT_EQ(20, (int)e->cost_s);
	EXPECT_NE(NULL, strstr(e->left_out, "over the budget")) TH_LOG("%s", e->left_out);
	EXPECT_EQ(11, (int)entry(&self->s, "fair.good.huge/4n4l2c1t")->cost_s);
}

TEST_F(matrix, no_matrix_presets_is_an_error)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/odd.topo", self->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/numa.topo", self->dir);
	unlink(path);
	EXPECT_EQ(-1, build(self));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no preset is in the matrix ('matrix = yes'"))
		TH_LOG("%s", kt_errmsg());
}

/* The lines of @text that hold @needle. */
static unsigned int count_lines(const char *text, const char *needle)
{
	unsigned int n = 0;
	const char *line, *end;

	for (line = text; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (memmem(line, end - line, needle, strlen(needle)))
			n++;
	}
	return n;
}

FIXTURE(cli) {
	struct cli c;
	char costs[64];
};

FIXTURE_SETUP(cli)
{
	int fd;

	snprintf(self->costs, sizeof(self->costs), "/tmp/ktstr-sched-costs-XXXXXX");
	fd = mkstemp(self->costs);
	ASSERT_LE(0, fd);
	close(fd);
	/* A name of its own, but no file: the model's defaults (an empty file is no model). */
	unlink(self->costs);
}

FIXTURE_TEARDOWN(cli)
{
	unlink(self->costs);
}

/*
 * Each of @listed begins a line of @out (a name and the blank after it),
 * none of @absent is anywhere in it.  The lists end with NULL.
 */
static void expect_listing(struct __test_metadata *_metadata,
			   const char *out, const char *const *listed,
			   const char *const *absent)
{
	char line[160];

	for (; *listed; listed++) {
		snprintf(line, sizeof(line), "%s ", *listed);
		EXPECT_NE(NULL, strstr(out, line)) TH_LOG("%s not in:\n%s", line, out);
	}
	for (; *absent; absent++)
		EXPECT_EQ(NULL, strstr(out, *absent)) TH_LOG("%s in:\n%s", *absent, out);
}

/* The real suite over the real matrix presets. */
TEST_F(cli, run_list_shows_the_matrix)
{
	static const char *const listed[] = {
		/* Every ordinary test on the shapes its constraints allow. */
		"fair.scx_qmap.spin_overcommit/odd-llc",
		"fair.scx_qmap.spin_overcommit/numa2-llc1-smt",
		"cpuset.scx_qmap.overlapping_numa/numa2-llc1-smt",
		NULL,
	};
	static const char *const absent[] = {
		"cpuset.scx_qmap.overlapping_numa/odd-llc",
		/* Not EEVDF, not the schedulers built to fail, no other variant. */
		"eevdf", "negative.", "scx_simple", NULL,
	};
	struct cli *c = &self->c;

	ASSERT_EQ(0, cli_run(c, "./ktstr run --list --costs %s --scheduler build/schedulers/scx_qmap",
			     self->costs)) TH_LOG("%s", c->err);
	EXPECT_LT(8, count_lines(c->out, " "));
	expect_listing(_metadata, c->out, listed, absent);
	EXPECT_EQ(count_lines(c->out, "/odd-llc ") +
		  count_lines(c->out, "/numa2-llc1-smt ") +
		  count_lines(c->out, "/numa2-unbalanced "),
		  count_lines(c->out, " scx_qmap "));
	EXPECT_NE(NULL, strstr(c->err, "# matrix: ")) TH_LOG("%s", c->err);
	EXPECT_NE(NULL, strstr(c->err, "(budget 1200s)")) TH_LOG("%s", c->err);
}

TEST_F(cli, run_topology_and_budget)
{
	struct cli *c = &self->c;
	FILE *f;

	ASSERT_EQ(0, cli_run(c, "./ktstr run --list --costs %s --scheduler build/schedulers/scx_qmap --topology tiny fair",
			     self->costs)) TH_LOG("%s", c->err);
	EXPECT_EQ(4, count_lines(c->out, "/tiny "));
	EXPECT_EQ(4, count_lines(c->out, "fair.scx_qmap."));
	/*
	 * 3 + 0.1 x 7 vCPUs + 10 s: two entries of numa2-unbalanced, the
	 * shape with the most to cover, fit 30 s.
	 */
	f = fopen(self->costs, "w");
	ASSERT_NE(NULL, f);
	fputs("{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": 0.1, \"calibrated\": true, \"tests\": {}}\n",
	      f);
	fclose(f);
	ASSERT_EQ(0, cli_run(c, "./ktstr run -j 1 --list --costs %s --budget 30 --scheduler build/schedulers/scx_qmap fair",
			     self->costs)) TH_LOG("%s", c->err);
	EXPECT_EQ(2, count_lines(c->out, "/numa2-unbalanced ")) TH_LOG("%s", c->out);
	EXPECT_EQ(2, count_lines(c->out, " "));
	EXPECT_NE(NULL, strstr(c->err, "# matrix: 2 of 12 entries")) TH_LOG("%s", c->err);
	EXPECT_NE(NULL, strstr(c->err, "(budget 30s)"));
	EXPECT_EQ(10, count_lines(c->err, "# left out "));
}

/*
 * Without -j, under TCG: a VM per host CPU (at most 4), and the budget
 * plans for that many.
 */
TEST_F(cli, jobs_default_to_host_cpus_under_tcg)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct cli *c = &self->c;
	char want[64];

	snprintf(want, sizeof(want), "with -j %ld (budget",
		 cpus < 2 ? 1 : cpus > 4 ? 4 : cpus);
	ASSERT_EQ(0, cli_run(c, "./ktstr run --accel tcg --list --costs %s --scheduler build/schedulers/scx_qmap fair",
			     self->costs)) TH_LOG("%s", c->err);
	EXPECT_NE(NULL, strstr(c->err, want)) TH_LOG("%s", c->err);
	ASSERT_EQ(0, cli_run(c, "./ktstr run -j 1 --accel tcg --list --costs %s --scheduler build/schedulers/scx_qmap fair",
			     self->costs)) TH_LOG("%s", c->err);
	EXPECT_NE(NULL, strstr(c->err, "with -j 1 (budget")) TH_LOG("%s", c->err);
}

/* The whole preset matrix under a user's binary: no flag profiles. */
TEST_F(cli, gauntlet_scheduler_lists_every_preset)
{
	static const char *const listed[] = {
		"fair.scx_simple.spin_overcommit/llc7",
		"fair.scx_simple.spin_overcommit/numa4",
		"cpuset.scx_simple.overlapping_numa/numa2-far",
		NULL,
	};
	static const char *const absent[] = {
		"cpuset.scx_simple.overlapping_numa/llc5",
		"/fifo", "eevdf", "ktstr_llc_vtime", NULL,
	};
	struct cli *c = &self->c;

	ASSERT_EQ(0, cli_run(c, "./ktstr gauntlet --list --costs %s --scheduler build/schedulers/scx_simple fair. cpuset.",
			     self->costs)) TH_LOG("%s", c->err);
	expect_listing(_metadata, c->out, listed, absent);
}

struct bad_arg {
	const char *args;
	const char *message;
};

TEST_F(cli, bad_arguments_exit_2)
{
	static const struct bad_arg bad[] = {
		{ "run --list --scheduler build/schedulers/scx_qmap --scheduler-ignores nicety",
		  "ktstr run: --scheduler-ignores 'nicety': 'nicety' is not a claim to waive (known: nice, cgroup-weight, capacity, or none)" },
		{ "run --list --scheduler build/schedulers/scx_qmap --scheduler-ignores ''",
		  "--scheduler-ignores: empty" },
		{ "run --list --scheduler-ignores nice",
		  "ktstr run: --scheduler-ignores is for --scheduler" },
		{ "gauntlet --list --scheduler build/schedulers/scx_qmap --scheduler-ignores nice,fifo",
		  "ktstr gauntlet: --scheduler-ignores 'nice,fifo': 'fifo' is not a claim" },
		{ "gauntlet --list -- -v", "ktstr gauntlet: arguments after -- are for --scheduler" },
		{ "gauntlet --list --scheduler build/schedulers", "--scheduler build/schedulers: not a file" },
		{ "run --list --budget 60", "--budget and --costs are for --scheduler's matrix" },
		{ "run --list --scheduler build/schedulers/scx_qmap --budget 0",
		  "--budget '0': expected a number of seconds above 0" },
	};
	struct cli *c = &self->c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(2, cli_run(c, "./ktstr %s", bad[i].args)) TH_LOG("%s", bad[i].args);
		EXPECT_NE(NULL, strstr(c->err, bad[i].message))
			TH_LOG("%s: %s", bad[i].args, c->err);
		EXPECT_STREQ("", c->out);
	}
}

/*
 * A failed entry is rerun by the name its result carries: the part
 * before '/' picks the test, the whole name (or glob) the shape.
 */
TEST_F(cli, run_picks_an_entry_by_its_full_name)
{
	static const char *const one[] = {
		"conservation.scx_qmap.bursty_wakeups/numa2-llc1-smt", NULL,
	};
	static const char *const not_one[] = { "/odd-llc", "/numa2-unbalanced", NULL };
	static const char *const odd[] = { "fair.scx_qmap.spin_overcommit/odd-llc", NULL };
	static const char *const not_odd[] = { "/numa2-", NULL };
	struct cli *c = &self->c;

	ASSERT_EQ(0, cli_run(c, "./ktstr run --list --costs %s --scheduler build/schedulers/scx_qmap conservation.scx_qmap.bursty_wakeups/numa2-llc1-smt",
			     self->costs)) TH_LOG("%s", c->err);
	EXPECT_EQ(1, count_lines(c->out, " scx_qmap ")) TH_LOG("%s", c->out);
	expect_listing(_metadata, c->out, one, not_one);
	ASSERT_EQ(0, cli_run(c, "./ktstr run --list --costs %s --scheduler build/schedulers/scx_qmap '*/odd-llc'",
			     self->costs)) TH_LOG("%s", c->err);
	EXPECT_LT(8, count_lines(c->out, "/odd-llc ")) TH_LOG("%s", c->out);
	expect_listing(_metadata, c->out, odd, not_odd);
	EXPECT_EQ(1, cli_run(c, "./ktstr run --list --costs %s --scheduler build/schedulers/scx_qmap bursty_wakeups/no-such-shape",
			     self->costs));
	EXPECT_NE(NULL, strstr(c->err, "ktstr run: no test matches 'bursty_wakeups/no-such-shape' (an entry is <test>/<preset>: --list shows them)"))
		TH_LOG("%s", c->err);
	EXPECT_STREQ("", c->out);
	/* Without --scheduler nothing is a matrix entry. */
	EXPECT_EQ(1, cli_run(c, "./ktstr run --list fair.eevdf.spin_overcommit/odd-llc"));
	EXPECT_NE(NULL, strstr(c->err, "no test matches 'fair.eevdf.spin_overcommit/odd-llc' (<test>/<preset> names an entry of a matrix"))
		TH_LOG("%s", c->err);
	EXPECT_STREQ("", c->out);
}

/* A budget that holds nothing runs nothing, and says so. */
TEST_F(cli, empty_selection_is_an_error)
{
	struct cli *c = &self->c;

	EXPECT_EQ(1, cli_run(c, "./ktstr run --costs %s --budget 1 --scheduler build/schedulers/scx_qmap fair",
			     self->costs));
	EXPECT_NE(NULL, strstr(c->err, "ktstr run: --budget 1 holds no entry of the matrix"))
		TH_LOG("%s", c->err);
	EXPECT_STREQ("", c->out);
}

/*
 * A real test program: with $KTSTR_SCHEDULER its fixtures have a variant
 * named after the binary, so the harness names the test as the host
 * does; without, a kselftest install sees only the declared variants.
 */
TEST(runtime_variant_of_a_real_test_program)
{
	static struct cli c;

	ASSERT_EQ(4, cli_run(&c, "build/suite/fair -l"));
	EXPECT_EQ(NULL, strstr(c.err, "scx_mine")) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "scx_simple")) TH_LOG("%s", c.err);
	ASSERT_EQ(4, cli_run(&c, "KTSTR_SCHEDULER=/opt/scx-mine.v2 build/suite/fair -l"));
	EXPECT_NE(NULL, strstr(c.err, " scx_mine_v2 ")) TH_LOG("%s", c.err);
	/* A declared variant of that name already runs the binary. */
	ASSERT_EQ(4, cli_run(&c, "KTSTR_SCHEDULER=/x/scx_simple build/suite/fair -l"));
	EXPECT_EQ(1, count_lines(c.err, " scx_simple ")) TH_LOG("%s", c.err);

	cli_run(&c, "KTSTR_SCHEDULER=/opt/scx-mine.v2 build/suite/fair -r fair.scx_mine_v2.spin_overcommit");
	EXPECT_NE(NULL, strstr(c.out, "1..1\n")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "#  RUN           fair.scx_mine_v2.spin_overcommit ..."))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, " 1 fair.scx_mine_v2.spin_overcommit")) TH_LOG("%s", c.out);
	EXPECT_EQ(NULL, strstr(c.out, "scx_simple")) TH_LOG("%s", c.out);
	cli_run(&c, "build/suite/fair -r fair.scx_mine_v2.spin_overcommit");
	EXPECT_NE(NULL, strstr(c.out, "1..0\n")) TH_LOG("%s", c.out);
}

TEST_HARNESS_MAIN
