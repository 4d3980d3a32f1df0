// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr compare: real result sets from real VMs (a run against itself,
 * against a second run of the same test, against a run of the in-tree
 * stalling scheduler), the metrics and thresholds on written results
 * (the JSON fields kt_json_write() writes), baselines, and every error
 * path with its message.
 */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "baseline.h"
#include "compare.h"
#include "error.h"
#include "cli.h"
#include "scratch.h"

#define VM_TIMEOUT_S 900
#define TEST_NAME "fair.scx_simple.spin_overcommit"

static struct cli c;

FIXTURE(compare) {
	char dir[64];
};

FIXTURE_SETUP(compare)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "cmptest"));
}

FIXTURE_TEARDOWN(compare)
{
	SCRATCH_REMOVE(self->dir);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* What a written result holds: one group of two workers, a share check. */
struct figures {
	const char *result;
	double work0, work1;
	double gap_ms;
	int migrations, llc_migrations, node_migrations;
	double delay_ms;
	double p99_us;			/* < 0: no wake-ups measured */
	double expected, measured;	/* of a "share" check; expected < 0: none */
	int failed_verdicts;		/* < 0: no monitor */
};

static const struct figures base = {
	.result = "pass", .work0 = 1000, .work1 = 1000, .gap_ms = 10,
	.migrations = 8, .llc_migrations = 2, .node_migrations = 0,
	.delay_ms = 25, .p99_us = 800, .expected = 0.75, .measured = 0.73,
	.failed_verdicts = 0,
};

static json_t *group_record(const struct figures *f)
{
	double work = f->work0 + f->work1, mean = work / 2;
	json_t *summary = json_pack("{s:i, s:f, s:f, s:f, s:f, s:i, s:i, s:i, s:f}",
				    "workers", 2, "work", work,
				    "spread", fabs(f->work0 - f->work1) / mean,
				    "max_gap_ms", f->gap_ms,
				    "run_delay_ms_mean", f->delay_ms,
				    "migrations", f->migrations,
				    "llc_migrations", f->llc_migrations,
				    "node_migrations", f->node_migrations,
				    "cpu_ms", 2000.0);

	if (f->p99_us >= 0)
		json_object_set_new(summary, "lat_p99_us", json_real(f->p99_us));
	return json_pack("{s:s, s:s, s:s, s:o, s:[{s:f}, {s:f}]}", "type", "group",
			 "group", "spin", "kind", "spin", "summary", summary,
			 "workers", "work", f->work0, "work", f->work1);
}

static json_t *monitor_object(int failed)
{
	json_t *verdicts = json_array();
	int i;

	for (i = 0; i < 4; i++)
		json_array_append_new(verdicts, json_pack("{s:s, s:b}", "name", "v",
							  "failed", i < failed));
	return json_pack("{s:i, s:o}", "interval_ms", 100, "verdicts", verdicts);
}

/* A result as kt_json_write() writes it, into @dir. */
static void write_figures(const char *dir, const char *sched,
			  const struct figures *f)
{
	char name[128], path[512];
	json_t *res, *checks = json_array();

	snprintf(name, sizeof(name), "fair.%s.spin", sched);
	if (f->expected >= 0)
		json_array_append_new(checks, json_pack(
			"{s:s, s:s, s:s, s:b, s:{s:f, s:f, s:f}}", "type", "check",
			"check", "share", "group", "spin",
			"pass", fabs(f->measured - f->expected) <= 0.15,
			"values", "expected", f->expected, "measured", f->measured,
			"tolerance", 0.15));
	res = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:o, s:[o], s:[]}",
			"name", name, "result", f->result, "reason", "",
			"topology", "1n1l2c1t", "scheduler", sched,
			"kernel", "7.3-test", "accel", "tcg", "wall_s", 5.0,
			"output", "TAP version 13\n", "checks", checks,
			"groups", group_record(f), "values");
	if (f->failed_verdicts >= 0)
		json_object_set_new(res, "monitor", monitor_object(f->failed_verdicts));
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	json_dump_file(res, path, JSON_COMPACT);
	json_decref(res);
}

/* The base figures with other work, gap and result. */
static void write_result(const char *dir, const char *sched, const char *res,
			 unsigned int work0, unsigned int work1,
			 unsigned int gap_ms)
{
	struct figures f = base;

	f.result = res;
	f.work0 = work0;
	f.work1 = work1;
	f.gap_ms = gap_ms;
	write_figures(dir, sched, &f);
}

/* The summary line of a compare. */
static const char *summary_line(void)
{
	const char *s = strstr(c.out, "# compare: ");

	return s ? s : "(no summary)";
}

TEST_F_TIMEOUT(compare, real_runs_and_the_stalling_scheduler, VM_TIMEOUT_S)
{
	char cut[128];
	FILE *f;
	long len;

	/* A, and A again: two real runs of one test. */
	ASSERT_EQ(0, cli_run(&c, "./ktstr run --json %s/a1 " TEST_NAME, self->dir))
		TH_LOG("%s%s", c.out, c.err);
	ASSERT_EQ(0, cli_run(&c, "./ktstr run --json %s/a2 " TEST_NAME, self->dir))
		TH_LOG("%s%s", c.out, c.err);
	/* B: the same scenario under ktstr_stall, which starves the workers. */
	EXPECT_EQ(1, cli_run(&c, "./ktstr run --no-auto-repro --json %s/b --costs %s/costs --scheduler build/schedulers/ktstr_stall --topology 1n2l2c1t fair.ktstr_stall.spin_overcommit -- -c fair -t 3000",
			     self->dir, self->dir)) TH_LOG("%s%s", c.out, c.err);
	EXPECT_NE(NULL, strstr(c.out, "not ok 1 selftests: ktstr: fair.ktstr_stall.spin_overcommit/1n2l2c1t\n"))
		TH_LOG("%s", c.out);

	/* A run against itself: no change at all. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s/a1 %s/a1", self->dir, self->dir));
	EXPECT_STREQ("# compare: 1 pairs, 0 regressions, 0 improvements, 0 only in A, 0 only in B\n",
		     c.out);
	/* Against a second run: the noise stays within the thresholds. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s/a1 %s/a2", self->dir, self->dir))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "# compare: 1 pairs, 0 regressions,")) TH_LOG("%s", c.out);

	/* Against the stalling scheduler: the regression, exit 1. */
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare --pair-scheduler scx_simple=ktstr_stall %s/a1 %s/b",
			     self->dir, self->dir));
	EXPECT_NE(NULL, strstr(c.out, "REGRESSION  fair.spin_overcommit on 1n2l2c1t, scx_simple vs ktstr_stall, "))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": failed 0 -> 1\n")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": monitor_failed_verdicts 0 -> ")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, ")) TH_LOG("%s", c.out);
	EXPECT_EQ(NULL, strstr(summary_line(), " 0 regressions")) TH_LOG("%s", c.out);
	/* The other way round it is an improvement, and no failure. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare --pair-scheduler ktstr_stall=scx_simple %s/b %s/a1",
			     self->dir, self->dir)) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "improvement fair.spin_overcommit on 1n2l2c1t, ktstr_stall vs scx_simple, "))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), " 0 regressions, ")) TH_LOG("%s", c.out);
	/* Thresholds wider than the change: nothing to report. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare --pair-scheduler scx_simple=ktstr_stall --threshold failed=1,0%% --threshold monitor_failed_verdicts=100,0%% %s/a1 %s/b",
			     self->dir, self->dir)) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 0 regressions, ")) TH_LOG("%s", c.out);
	/* Without pairing the schedulers, nothing pairs: exit 1. */
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare %s/a1 %s/b", self->dir, self->dir));
	EXPECT_NE(NULL, strstr(c.out, "only in A  fair.spin_overcommit on 1n2l2c1t, scx_simple")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "only in B  fair.spin_overcommit on 1n2l2c1t, ktstr_stall")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.err, "ktstr compare: no result of A pairs with one of B")) TH_LOG("%s", c.err);

	/* A real result cut in half is refused, naming the file. */
	snprintf(cut, sizeof(cut), "%s/a2/" TEST_NAME ".json", self->dir);
	f = fopen(cut, "r+");
	ASSERT_NE(NULL, f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fclose(f);
	ASSERT_EQ(0, truncate(cut, len / 2));
	EXPECT_EQ(2, cli_run(&c, "./ktstr compare %s/a1 %s/a2", self->dir, self->dir));
	EXPECT_NE(NULL, strstr(c.err, TEST_NAME ".json: not valid JSON: ")) TH_LOG("%s", c.err);
	EXPECT_STREQ("", c.out);
}

/* The metrics from written results: direction, both thresholds. */
TEST_F(compare, metrics_and_thresholds)
{
	char a[128], b[128];

	snprintf(a, sizeof(a), "%s/a", self->dir);
	snprintf(b, sizeof(b), "%s/b", self->dir);
	write_result(a, "scx_x", "pass", 1000, 1000, 10);
	/* Half the work, one worker behind, a gap of 900 ms. */
	write_result(b, "scx_x", "pass", 700, 300, 900);
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare %s %s", a, b));
	EXPECT_NE(NULL, strstr(c.out, "REGRESSION  fair.spin on 1n1l2c1t, scx_x, 7.3-test: work 2000 -> 1000\n"))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": fairness_spread 0 -> 0.8\n")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": longest_gap_ms 10 -> 900\n")) TH_LOG("%s", c.out);
	/* Migrations and delays moved less than their thresholds. */
	EXPECT_EQ(NULL, strstr(c.out, "migrations")) TH_LOG("%s", c.out);
	EXPECT_EQ(NULL, strstr(c.out, "run_delay_ms")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 3 regressions, 0 improvements")) TH_LOG("%s", c.out);
	/*
	 * The other way round: improvements, exit 0.  The relative change
	 * is taken from A's value: 900 -> 10 ms is 99%, not above 100%.
	 */
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s %s", b, a));
	EXPECT_NE(NULL, strstr(c.out, "improvement fair.spin on 1n1l2c1t, scx_x, 7.3-test: work 1000 -> 2000\n"))
		TH_LOG("%s", c.out);
	EXPECT_EQ(NULL, strstr(c.out, "longest_gap_ms")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 0 regressions, 2 improvements")) TH_LOG("%s", c.out);
	/*
	 * A change must pass both thresholds: 50% of work is above an
	 * absolute 100 but not above a relative 60%; gap's 890 ms is above
	 * a relative 100% but not an absolute 1000 ms.
	 */
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare --threshold work=100,60%% --threshold longest_gap_ms=1000,1%% %s %s",
			     a, b));
	EXPECT_EQ(NULL, strstr(c.out, ": work ")) TH_LOG("%s", c.out);
	EXPECT_EQ(NULL, strstr(c.out, ": longest_gap_ms ")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 1 regressions")) TH_LOG("%s", c.out);
	/* A fraction instead of a percentage means the same. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare --threshold work=100,0.6 --threshold longest_gap_ms=1000,0.01 --threshold fairness_spread=1,0 %s %s",
			     a, b)) TH_LOG("%s", c.out);
	/* A failed result is a regression of its own. */
	write_result(b, "scx_x", "fail", 1000, 1000, 10);
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare %s %s", a, b));
	EXPECT_NE(NULL, strstr(c.out, ": failed 0 -> 1\n")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 1 regressions")) TH_LOG("%s", c.out);
}

/* The new metrics: cross-LLC and cross-node migrations, p99, share error. */
TEST_F(compare, new_metrics)
{
	struct figures f = base;
	char a[128], b[128];

	snprintf(a, sizeof(a), "%s/a", self->dir);
	snprintf(b, sizeof(b), "%s/b", self->dir);
	write_figures(a, "scx_x", &base);
	f.llc_migrations = 200;
	f.node_migrations = 80;
	f.p99_us = 20000;
	f.measured = 0.31;	/* a failing share check counts as a passing one */
	write_figures(b, "scx_x", &f);
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare %s %s", a, b));
	EXPECT_NE(NULL, strstr(c.out, "REGRESSION  fair.spin on 1n1l2c1t, scx_x, 7.3-test: llc_migrations 2 -> 200\n"))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": node_migrations 0 -> 80\n")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": wake_latency_p99_us 800 -> 20000\n")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": share_error 0.02 -> 0.44\n")) TH_LOG("%s", c.out);
	/* All migrations moved by 0: only their parts changed. */
	EXPECT_EQ(NULL, strstr(c.out, ": migrations ")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 4 regressions, 0 improvements")) TH_LOG("%s", c.out);
	/* The other way round, improvements. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s %s", b, a));
	EXPECT_NE(NULL, strstr(c.out, "improvement fair.spin on 1n1l2c1t, scx_x, 7.3-test: share_error 0.44 -> 0.02\n"))
		TH_LOG("%s", c.out);
	/* The relative change is from A's value: 20000 -> 800 us is -96%. */
	EXPECT_EQ(NULL, strstr(c.out, "wake_latency_p99_us")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 0 regressions, 1 improvements")) TH_LOG("%s", c.out);
	/* Within the defaults: 4 ms more p99 and 4 points of share. */
	f = base;
	f.p99_us = 4800;
	f.measured = 0.69;
	f.llc_migrations = 40;
	write_figures(b, "scx_x", &f);
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s %s", a, b)) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 0 regressions, 0 improvements")) TH_LOG("%s", c.out);
	/* And above thresholds made tighter. */
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare --threshold wake_latency_p99_us=1000,100%% --threshold share_error=0.01,50%% --threshold llc_migrations=10,100%% %s %s",
			     a, b));
	EXPECT_NE(NULL, strstr(c.out, ": wake_latency_p99_us 800 -> 4800\n")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": share_error 0.02 -> 0.06\n")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": llc_migrations 2 -> 40\n")) TH_LOG("%s", c.out);
	/* A result without wake-ups or share checks leaves those out. */
	f = base;
	f.p99_us = -1;
	f.expected = -1;
	f.failed_verdicts = -1;
	write_figures(b, "scx_x", &f);
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare --threshold wake_latency_p99_us=0,0 --threshold share_error=0,0 --threshold monitor_failed_verdicts=0,0 %s %s",
			     a, b)) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 0 regressions, 0 improvements")) TH_LOG("%s", c.out);
}

static json_t *summary(int workers, double work, double spread, double gap,
		       int migr, int llc, int node, double delay, double p99)
{
	return json_pack("{s:i, s:f, s:f, s:f, s:i, s:i, s:i, s:f, s:f}",
			 "workers", workers, "work", work, "spread", spread,
			 "max_gap_ms", gap, "migrations", migr,
			 "llc_migrations", llc, "node_migrations", node,
			 "run_delay_ms_mean", delay, "lat_p99_us", p99);
}

static json_t *share_check(bool pass, const char *values)
{
	return json_pack("{s:s, s:b, s:o}", "check", "share", "pass", pass,
			 "values", json_loads(values, 0, NULL));
}

/* Over several groups and checks: the largest, or the sum, or the mean. */
TEST_F(compare, metrics_over_groups_and_checks)
{
	json_t *res = json_pack("{s:s, s:s, s:s, s:[{s:o}, {}, {s:o}], s:[o, o, o, {s:s, s:{s:i, s:i}}], s:{s:[{s:b}, {s:b}, {s:b}]}}",
		"name", "t.x.y", "result", "skip", "scheduler", "x",
		"groups",
		"summary", summary(3, 30, 0.5, 70, 5, 1, 1, 10, 300),
		"summary", summary(1, 12.5, 0, 90, 2, 2, 0, 30, 200),
		"checks",
		share_check(true, "{\"expected\": 0.5, \"measured\": 0.45}"),
		share_check(false, "{\"expected\": 0.25, \"measured\": 0.4}"),
		share_check(false, "{\"expected\": 0.25}"),
		"check", "latency", "values", "expected", 0, "measured", 9,
		"monitor", "verdicts", "failed", true, "failed", false, "failed", true);
	char path[128];
	const struct kt_result_metrics *m;
	struct kt_result_set set;

	ASSERT_NE(NULL, res);
	snprintf(path, sizeof(path), "%s/x.json", self->dir);
	ASSERT_EQ(0, json_dump_file(res, path, 0));
	json_decref(res);
	ASSERT_EQ(0, kt_result_set_load(self->dir, &set)) TH_LOG("%s", kt_errmsg());
	m = &set.v[0];
	EXPECT_STREQ("t.y", m->test);
	EXPECT_EQ(0, m->v[KT_METRIC_FAILED]);
	EXPECT_EQ(0.5, m->v[KT_METRIC_SPREAD]);
	EXPECT_EQ(90, m->v[KT_METRIC_GAP_MS]);
	EXPECT_EQ(42.5, m->v[KT_METRIC_WORK]);
	EXPECT_EQ(7, m->v[KT_METRIC_MIGRATIONS]);
	EXPECT_EQ(3, m->v[KT_METRIC_LLC_MIGRATIONS]);
	EXPECT_EQ(1, m->v[KT_METRIC_NODE_MIGRATIONS]);
	/* Per worker: (3 * 10 + 1 * 30) / 4. */
	EXPECT_EQ(15, m->v[KT_METRIC_RUN_DELAY_MS]);
	EXPECT_EQ(300, m->v[KT_METRIC_WAKE_P99_US]);
	/* Only share checks with both figures: |0.4 - 0.25|. */
	EXPECT_GT(1e-9, fabs(0.15 - m->v[KT_METRIC_SHARE_ERROR]));
	EXPECT_EQ(2, m->v[KT_METRIC_VERDICTS]);
	kt_result_set_free(&set);
}

/*
 * A matrix or gauntlet entry (<test>/<topology>) pairs with the same test
 * run on that topology by `ktstr run`: the topology is a field of its own.
 */
TEST_F(compare, topology_part_of_a_name_pairs)
{
	char a[128], b[128];

	snprintf(a, sizeof(a), "%s/a", self->dir);
	snprintf(b, sizeof(b), "%s/b", self->dir);
	write_result(a, "scx_x", "pass", 1000, 1000, 10);
	write_file(b, "fair.scx_x.spin@1n1l2c1t.json",
		   "{\n  \"name\": \"fair.scx_x.spin/1n1l2c1t\",\n"
		   "  \"result\": \"fail\",\n  \"topology\": \"1n1l2c1t\",\n"
		   "  \"scheduler\": \"scx_x\",\n  \"kernel\": \"7.3-test\",\n"
		   "  \"wall_s\": 5.0,\n  \"output\": \"\"\n}\n");
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare %s %s", a, b));
	EXPECT_NE(NULL, strstr(c.out, "REGRESSION  fair.spin on 1n1l2c1t, scx_x, 7.3-test: failed 0 -> 1\n"))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, ")) TH_LOG("%s", c.out);
}

/* A result of fair.scx_x.spin in @dir, booted as @boot says (JSON members). */
static void write_booted(const char *dir, const char *boot)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "{\"name\": \"fair.scx_x.spin\", \"result\": \"pass\", \"topology\": \"1n1l2c1t\", \"scheduler\": \"scx_x\", \"kernel\": \"7.3-test\"%s}\n",
		 boot);
	write_file(dir, "fair.scx_x.spin.json", text);
}

/*
 * Runs with and without KASLR, or from a bzImage and a vmlinux, pair but
 * are not comparable: one warning line.  The same boot, or a result
 * that does not say (before KASLR), gives none.
 */
TEST_F(compare, runs_booted_differently_are_a_warning)
{
	static const struct {
		const char *a, *b, *warning;
	} cases[] = {
		{ ", \"boot_image\": \"bzImage\", \"kaslr\": true",
		  ", \"boot_image\": \"vmlinux\", \"kaslr\": false",
		  "warning    1 of 1 pairs booted differently (first: fair.spin on 1n1l2c1t, A bzImage with KASLR on, B vmlinux with KASLR off): their figures are not comparable\n" },
		{ ", \"boot_image\": \"bzImage\", \"kaslr\": true",
		  ", \"boot_image\": \"bzImage\", \"kaslr\": false",
		  "(first: fair.spin on 1n1l2c1t, A bzImage with KASLR on, B bzImage with KASLR off)" },
		{ ", \"boot_image\": \"bzImage\", \"kaslr\": true",
		  ", \"boot_image\": \"bzImage\", \"kaslr\": true", NULL },
		{ ", \"boot_image\": \"bzImage\", \"kaslr\": true", "", NULL },
	};
	char a[128], b[128];
	unsigned int i;

	snprintf(a, sizeof(a), "%s/a", self->dir);
	snprintf(b, sizeof(b), "%s/b", self->dir);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		write_booted(a, cases[i].a);
		write_booted(b, cases[i].b);
		EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s %s", a, b))
			TH_LOG("%s", c.err);
		if (cases[i].warning) {
			EXPECT_NE(NULL, strstr(c.out, cases[i].warning))
				TH_LOG("%s", c.out);
		} else {
			EXPECT_EQ(NULL, strstr(c.out, "warning"))
				TH_LOG("%s", c.out);
		}
	}
	/* Recorded with the wrong type: named, as any field. */
	write_booted(b, ", \"kaslr\": \"yes\"");
	EXPECT_EQ(2, cli_run(&c, "./ktstr compare %s %s", a, b));
	EXPECT_NE(NULL, strstr(c.err, "kaslr")) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "true or false")) TH_LOG("%s", c.err);
}

static int cmp_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dots(const struct dirent *de)
{
	return strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
}

/* The entries of @dir, sorted, each followed by a space. */
static const char *listing(const char *dir)
{
	static char list[256];
	struct dirent **v;
	int i, nr = scandir(dir, &v, not_dots, cmp_name);
	size_t n = 0;

	list[0] = '\0';
	for (i = 0; i < nr; i++) {
		n += snprintf(list + n, sizeof(list) - n, "%s ", v[i]->d_name);
		free(v[i]);
	}
	if (nr >= 0)
		free(v);
	return list;
}

/* Baselines: kept by name, replaced whole, found by compare. */
TEST_F(compare, baselines)
{
	char a[128], b[128], cache[128], base[256], work[4096];

	snprintf(a, sizeof(a), "%s/a", self->dir);
	snprintf(b, sizeof(b), "%s/b", self->dir);
	snprintf(cache, sizeof(cache), "%s/cache", self->dir);
	write_result(a, "scx_x", "pass", 1000, 1000, 10);
	write_result(b, "scx_x", "fail", 1000, 1000, 10);
	setenv("KTSTR_CACHE_DIR", cache, 1);
	ASSERT_EQ(0, kt_baseline_commit("before", a, false)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, cli_run(&c, "KTSTR_CACHE_DIR=%s ./ktstr compare before %s", cache, a))
		TH_LOG("%s%s", c.out, c.err);
	EXPECT_NE(NULL, strstr(summary_line(), "1 pairs, 0 regressions")) TH_LOG("%s", c.out);
	/* Replaced by the failing set: the name now holds that one only. */
	ASSERT_EQ(0, kt_baseline_commit("before", b, false)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(1, cli_run(&c, "KTSTR_CACHE_DIR=%s ./ktstr compare %s before", cache, a));
	EXPECT_NE(NULL, strstr(c.out, ": failed 0 -> 1\n")) TH_LOG("%s", c.out);
	/* A work directory of kt_baseline_begin() is renamed into place. */
	ASSERT_EQ(0, kt_baseline_begin("after", work, sizeof(work)));
	write_result(work, "scx_x", "pass", 1000, 1000, 10);
	ASSERT_EQ(0, kt_baseline_commit("after", work, true)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, cli_run(&c, "KTSTR_CACHE_DIR=%s ./ktstr compare after %s", cache, a))
		TH_LOG("%s%s", c.out, c.err);
	/* No work or old directories left beside them. */
	snprintf(base, sizeof(base), "%s/baselines", cache);
	EXPECT_STREQ("after before ", listing(base));
	snprintf(base, sizeof(base), "%s/baselines/before", cache);
	EXPECT_STREQ("fair.scx_x.spin.json ", listing(base));
	/* Bad names, and a missing source, leave nothing. */
	EXPECT_EQ(-1, kt_baseline_commit("../x", a, false));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "baseline name '../x'")) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(-1, kt_baseline_commit("gone", "/nonexistent/results", false));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "results /nonexistent/results")) TH_LOG("%s", kt_errmsg());
	snprintf(base, sizeof(base), "%s/baselines", cache);
	EXPECT_STREQ("after before ", listing(base));
	unsetenv("KTSTR_CACHE_DIR");
}

struct bad_case {
	const char *args;	/* %1$s: the test's directory */
	int status;
	const char *message;
};

/* Results with a field of the wrong type, each in a directory of its name. */
static const struct {
	const char *dir, *text, *message;
} bad_fields[] = {
	{ "name", "{\"name\": 7, \"result\": \"pass\"}", "field name: not a string" },
	{ "result", "{\"name\": \"a.b.c\", \"result\": \"maybe\"}",
	  "field result: not pass, fail or skip" },
	{ "kernel", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"kernel\": [7]}",
	  "field kernel: not a string" },
	{ "groups", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"groups\": {}}",
	  "field groups: not an array" },
	{ "group", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"groups\": [{}, 5]}",
	  "field groups[1]: not an object" },
	{ "summary", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"groups\": [{\"summary\": \"x\"}]}",
	  "field groups[0].summary: not an object" },
	{ "spread", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"groups\": [{\"summary\": {\"spread\": \"0.5\"}}]}",
	  "field groups[0].summary.spread: not a number" },
	{ "workers", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"groups\": [{\"summary\": {\"workers\": true}}]}",
	  "field groups[0].summary.workers: not a number" },
	{ "checks", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"checks\": 1}",
	  "field checks: not an array" },
	{ "check", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"checks\": [{\"check\": 3}]}",
	  "field checks[0].check: not a string" },
	{ "values", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"checks\": [{\"check\": \"share\", \"values\": []}]}",
	  "field checks[0].values: not an object" },
	{ "measured", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"checks\": [{\"check\": \"x\"}, {\"check\": \"share\", \"values\": {\"expected\": 0.5, \"measured\": \"31%\"}}]}",
	  "field checks[1].values.measured: not a number" },
	{ "monitor", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"monitor\": []}",
	  "field monitor: not an object" },
	{ "verdicts", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"monitor\": {\"verdicts\": {}}}",
	  "field monitor.verdicts: not an array" },
	{ "failed", "{\"name\": \"a.b.c\", \"result\": \"pass\", \"monitor\": {\"verdicts\": [{\"failed\": false}, {\"failed\": \"yes\"}]}}",
	  "field monitor.verdicts[1].failed: not true or false" },
};

TEST_F(compare, errors_are_named)
{
	static const struct bad_case bad[] = {
		{ "%1$s/nonexistent %1$s/a", 2, "'%1$s/nonexistent': no such result directory" },
		{ "%1$s/a no-such-baseline", 2, "'no-such-baseline': no such result directory, nor a baseline in %1$s/cache/baselines/no-such-baseline" },
		{ "%1$s/empty %1$s/a", 2, "results %1$s/empty: no *.json results" },
		{ "%1$s/a %1$s/empty", 2, "results %1$s/empty: no *.json results" },
		{ "%1$s/truncated %1$s/a", 2, "%1$s/truncated/x.json: not valid JSON: " },
		{ "%1$s/unclosed %1$s/a", 2, "%1$s/unclosed/x.json: not valid JSON: " },
		{ "%1$s/mismatched %1$s/a", 2, "%1$s/mismatched/x.json: not valid JSON: ']' expected near '}' (line 3, column 20)" },
		{ "%1$s/array %1$s/a", 2, "%1$s/array/x.json: not a ktstr result (not a JSON object)" },
		{ "%1$s/trailing %1$s/a", 2, "%1$s/trailing/x.json: not valid JSON: end of file expected near '}' (line 5, column 1)" },
		{ "%1$s/foreign %1$s/a", 2, "%1$s/foreign/x.json: not a ktstr result: no field name" },
		{ "%1$s/no-result %1$s/a", 2, "%1$s/no-result/x.json: not a ktstr result: no field result" },
		{ "%1$s/twice %1$s/a", 2, "%1$s/twice/x.json: not valid JSON: duplicate object key near '\"result\"' (line 1, column 54)" },
		{ "%1$s/huge %1$s/a", 2, "%1$s/huge/x.json: larger than 16 MiB" },
		{ "--threshold nosuch=1,2%% %1$s/a %1$s/a", 2, "--threshold 'nosuch=1,2%%': expected METRIC=ABS,REL with METRIC one of failed, fairness_spread, longest_gap_ms, work, migrations, llc_migrations, node_migrations, run_delay_ms, wake_latency_p99_us, share_error, monitor_failed_verdicts" },
		{ "--threshold wake_delay_ms=1,2%% %1$s/a %1$s/a", 2, "--threshold 'wake_delay_ms=1,2%%': expected METRIC=ABS,REL" },
		{ "--threshold work %1$s/a %1$s/a", 2, "--threshold 'work': expected METRIC=ABS,REL" },
		{ "--threshold work=x,10%% %1$s/a %1$s/a", 2, "--threshold 'work=x,10%%': ABS must be a number >= 0" },
		{ "--threshold work=-1,10%% %1$s/a %1$s/a", 2, "ABS must be a number >= 0" },
		{ "--threshold work=1 %1$s/a %1$s/a", 2, "--threshold 'work=1': expected METRIC=ABS,REL" },
		{ "--threshold work=nan,10%% %1$s/a %1$s/a", 2, "--threshold 'work=nan,10%%': ABS must be a number >= 0" },
		{ "--threshold work=1, %1$s/a %1$s/a", 2, "--threshold 'work=1,': REL must be a fraction" },
		{ "--threshold work=1,ten %1$s/a %1$s/a", 2, "--threshold 'work=1,ten': REL must be a fraction or a percentage >= 0" },
		{ "--threshold work=1,-5%% %1$s/a %1$s/a", 2, "REL must be a fraction or a percentage >= 0" },
		{ "--pair-scheduler scx_x %1$s/a %1$s/a", 2, "--pair-scheduler 'scx_x': expected SCHED_A=SCHED_B" },
		{ "--pair-scheduler =b %1$s/a %1$s/a", 2, "--pair-scheduler '=b': expected SCHED_A=SCHED_B" },
		{ "%1$s/a", 2, "Usage: ktstr compare [options] A B" },
		{ "%1$s/a %1$s/a %1$s/a", 2, "Usage: ktstr compare [options] A B" },
		{ "--bogus %1$s/a %1$s/a", 2, "Usage: ktstr compare [options] A B" },
	};
	char path[128], args[512], message[512], *big;
	size_t i;

	snprintf(path, sizeof(path), "%s/a", self->dir);
	write_result(path, "scx_x", "pass", 1000, 1000, 10);
	snprintf(path, sizeof(path), "%s/empty", self->dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	/* Not results: ignored, the directory still counts as empty. */
	write_file(path, "notes.txt", "{}");
	write_file(path, ".hidden.json", "{}");
	snprintf(path, sizeof(path), "%s/truncated", self->dir);
	write_file(path, "x.json", "{\n  \"name\": \"fair.scx_x.sp");
	snprintf(path, sizeof(path), "%s/unclosed", self->dir);
	write_file(path, "x.json", "{\n  \"name\": \"fair.scx_x.spin\",\n  \"result\": \"pass\",\n  \"monitor\": {\"v\": [1, 2]\n");
	snprintf(path, sizeof(path), "%s/mismatched", self->dir);
	write_file(path, "x.json", "{\n  \"name\": \"fair.scx_x.spin\",\n  \"result\": [\"pass\"}\n}\n");
	snprintf(path, sizeof(path), "%s/array", self->dir);
	write_file(path, "x.json", "[{\"name\": \"fair.scx_x.spin\"}]\n");
	snprintf(path, sizeof(path), "%s/trailing", self->dir);
	write_file(path, "x.json", "{\n  \"name\": \"fair.scx_x.spin\",\n  \"result\": \"pass\"\n}\n}\n");
	snprintf(path, sizeof(path), "%s/foreign", self->dir);
	write_file(path, "x.json", "{\"id\": \"a\", \"status\": \"pass\"}\n");
	snprintf(path, sizeof(path), "%s/no-result", self->dir);
	write_file(path, "x.json", "{\"name\": \"fair.scx_x.spin\", \"status\": \"pass\"}\n");
	/* Which of the two would count is anyone's guess: refused. */
	snprintf(path, sizeof(path), "%s/twice", self->dir);
	write_file(path, "x.json", "{\"name\": \"fair.scx_x.spin\", \"result\": \"fail\", \"result\": \"pass\"}\n");
	for (i = 0; i < ARRAY_SIZE(bad_fields); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir, bad_fields[i].dir);
		write_file(path, "x.json", bad_fields[i].text);
	}
	/* 17 MiB: more than compare reads. */
	big = malloc(17 << 20);
	ASSERT_NE(NULL, big);
	memset(big, ' ', 17 << 20);
	big[0] = '{';
	big[(17 << 20) - 2] = '}';
	big[(17 << 20) - 1] = '\0';
	snprintf(path, sizeof(path), "%s/huge", self->dir);
	write_file(path, "x.json", big);
	free(big);
	/* No baseline of the name there either. */
	snprintf(path, sizeof(path), "%s/cache", self->dir);
	setenv("KTSTR_CACHE_DIR", path, 1);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(args, sizeof(args), bad[i].args, self->dir);
		snprintf(message, sizeof(message), bad[i].message, self->dir);
		EXPECT_EQ(bad[i].status, cli_run(&c, "./ktstr compare %s", args))
			TH_LOG("%s: %s%s", args, c.out, c.err);
		EXPECT_NE(NULL, strstr(c.err, message))
			TH_LOG("%s: expected '%s' in: %s", args, message, c.err);
		EXPECT_STREQ("", c.out) TH_LOG("%s", args);
		if (!strstr(bad[i].message, "Usage"))
			EXPECT_NE(NULL, strstr(c.err, "ktstr compare: ")) TH_LOG("%s", c.err);
	}
	/* Each field of the wrong type: exit 2, the file and the field named. */
	for (i = 0; i < ARRAY_SIZE(bad_fields); i++) {
		snprintf(message, sizeof(message), "ktstr compare: %s/%s/x.json: %s",
			 self->dir, bad_fields[i].dir, bad_fields[i].message);
		EXPECT_EQ(2, cli_run(&c, "./ktstr compare %s/%s %s/a", self->dir,
				     bad_fields[i].dir, self->dir)) TH_LOG("%s", c.err);
		EXPECT_NE(NULL, strstr(c.err, message))
			TH_LOG("expected '%s' in: %s", message, c.err);
		EXPECT_STREQ("", c.out);
	}
	unsetenv("KTSTR_CACHE_DIR");
	/* Compare wrote nothing into the cache it looked in. */
	snprintf(path, sizeof(path), "%s/cache", self->dir);
	EXPECT_NE(0, access(path, F_OK));
	/* Help goes to stdout, exit 0. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare --help"));
	EXPECT_NE(NULL, strstr(c.out, "monitor_failed_verdicts")) TH_LOG("%s", c.out);
}

TEST_HARNESS_MAIN
