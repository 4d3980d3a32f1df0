// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr compare: real result sets from real VMs (a run against itself,
 * against a second run of the same test, against a run of the in-tree
 * stalling scheduler), the metrics and thresholds on written results,
 * baselines, and every error path with its message.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "baseline.h"
#include "error.h"
#include "cli.h"

#define VM_TIMEOUT_S 900
#define TEST_NAME "fair.scx_simple.spin_overcommit"

static struct cli c;

FIXTURE(compare) {
	char dir[64];
};

FIXTURE_SETUP(compare)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ktstr-cmptest-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(compare)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		fprintf(stderr, "failed: %s\n", cmd);
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

/* A result as kt_json_write() lays it out: two workers of one group. */
static void write_result(const char *dir, const char *sched, const char *res,
			 unsigned int work0, unsigned int work1,
			 unsigned int gap_ms)
{
	char text[2048], name[128];

	snprintf(name, sizeof(name), "fair.%s.spin.json", sched);
	snprintf(text, sizeof(text),
		 "{\n  \"name\": \"fair.%s.spin\",\n  \"result\": \"%s\",\n"
		 "  \"topology\": \"1n1l2c1t\",\n  \"scheduler\": \"%s\",\n"
		 "  \"kernel\": \"7.3-test\",\n  \"wall_s\": 5.0,\n"
		 "  \"output\": \"# spin: 2 workers\\n"
		 "#   worker 0 pid 1 nice 0: work %u cpu 900ms run_delay 20ms max_gap %ums migrations 3 cpus 0-1\\n"
		 "#   worker 1 pid 2 nice 0: work %u cpu 900ms run_delay 30ms max_gap 10ms migrations 5 cpus 0-1\\n\"\n}\n",
		 sched, res, sched, work0, gap_ms, work1);
	write_file(dir, name, text);
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
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare %s/a1 %s/a2", self->dir, self->dir));
	EXPECT_NE(NULL, strstr(c.err, TEST_NAME ".json: malformed JSON (")) TH_LOG("%s", c.err);
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

TEST_F(compare, errors_are_named)
{
	static const struct bad_case bad[] = {
		{ "%1$s/nonexistent %1$s/a", 1, "'%1$s/nonexistent': no such result directory" },
		{ "%1$s/a no-such-baseline", 1, "'no-such-baseline': no such result directory, nor a baseline in %1$s/cache/baselines/no-such-baseline" },
		{ "%1$s/empty %1$s/a", 1, "results %1$s/empty: no *.json results" },
		{ "%1$s/a %1$s/empty", 1, "results %1$s/empty: no *.json results" },
		{ "%1$s/truncated %1$s/a", 1, "%1$s/truncated/x.json: malformed JSON (ends inside a string)" },
		{ "%1$s/unclosed %1$s/a", 1, "%1$s/unclosed/x.json: malformed JSON (truncated)" },
		{ "%1$s/mismatched %1$s/a", 1, "%1$s/mismatched/x.json: malformed JSON (unmatched bracket)" },
		{ "%1$s/array %1$s/a", 1, "%1$s/array/x.json: malformed JSON (not an object)" },
		{ "%1$s/trailing %1$s/a", 1, "%1$s/trailing/x.json: malformed JSON (text after the object)" },
		{ "%1$s/foreign %1$s/a", 1, "%1$s/foreign/x.json: not a ktstr result (no name or result)" },
		{ "%1$s/huge %1$s/a", 1, "%1$s/huge/x.json: larger than 16 MiB" },
		{ "--threshold nosuch=1,2%% %1$s/a %1$s/a", 2, "--threshold 'nosuch=1,2%%': expected METRIC=ABS,REL with METRIC one of" },
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
	write_file(path, "x.json", "{\"name\": \"a\", \"result\": \"pass\"}\n");
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
		if (bad[i].status == 1)
			EXPECT_NE(NULL, strstr(c.err, "ktstr compare: ")) TH_LOG("%s", c.err);
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
