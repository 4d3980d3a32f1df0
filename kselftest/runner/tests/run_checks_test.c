// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest/run-checks.sh, which runs make check's test programs and
 * ends with the line CI reads: "N passed, N failed, N skipped", after a
 * "# failed:" line for each failure.  CI logs are often read from their
 * tail only, so a test that failed inside one of run_test's nested TAPs
 * is named there with the lines that say why.  The nested TAP is real:
 * ./ktstr run of two broken schedulers (fixtures/suite-*-fail.tap), and
 * lib_test in a VM under one (fixtures/lib-nice-fail.tap), wrapped as
 * run_test's harness logs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "scratch.h"

#define FIXTURES "kselftest/runner/tests/fixtures"

FIXTURE(checks) {
	char dir[64];
	struct cli c;
};

FIXTURE_SETUP(checks)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "checks"));
}

FIXTURE_TEARDOWN(checks)
{
	SCRATCH_REMOVE(self->dir);
}

/* Writes the shell script @body as the test program @dir/@name. */
static int program(const char *dir, const char *name, const char *body)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "#!/bin/sh\n%s", body);
	if (fclose(f))
		return -1;
	return chmod(path, 0755);
}

/*
 * A harness program whose one test, run.@test, logged the TAP in @tap
 * and failed.
 */
static int logging_program(const char *dir, const char *name,
			   const char *test, const char *tap)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "echo 'TAP version 13'\n"
		 "echo '1..1'\n"
		 "echo '#  RUN           run.%s ...'\n"
		 "sed '1s/^/# run_test.c:387:%s:/; 2,$s/^/# /' %s\n"
		 "echo '#          FAIL  run.%s'\n"
		 "echo 'not ok 1 run.%s'\n"
		 "echo '# FAILED: 0 / 1 tests passed.'\n"
		 "echo '# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0'\n"
		 "exit 1\n", test, test, tap, test, test);
	return program(dir, name, body);
}

static int suite_program(const char *dir, const char *name, const char *tap)
{
	return logging_program(dir, name, "the_whole_suite", tap);
}

/* The text of @out from the first "# failed:" line on. */
static const char *tail_of(const char *out)
{
	const char *t = strstr(out, "\n# failed: ");

	return t ? t + 1 : "";
}

TEST_F(checks, a_failed_suite_test_is_named_with_why_in_the_tail)
{
	const char *tail;

	ASSERT_EQ(0, suite_program(self->dir, "check_test",
				   FIXTURES "/suite-check-fail.tap"));
	ASSERT_EQ(0, suite_program(self->dir, "monitor_test",
				   FIXTURES "/suite-monitor-fail.tap"));
	EXPECT_EQ(1, cli_run(&self->c, "kselftest/run-checks.sh %s/check_test %s/monitor_test",
			     self->dir, self->dir));
	tail = tail_of(self->c.out);
	EXPECT_NE(NULL, strstr(tail,
		"# failed: check_test: run.the_whole_suite\n"
		"# failed: check_test: (within) weights.ktstr_bad_nice.nice_proportional/1n2l2c1t\n"
		"#    share nice 0: FAIL expected 0.8562 measured 0.2014 tolerance 0.15\n"
		"#    share nice 8: FAIL expected 0.1438 measured 0.7986 tolerance 0.15\n"))
		TH_LOG("%s", tail);
	EXPECT_NE(NULL, strstr(tail,
		"#    tests/weights.c:58:nice_proportional:share: nice 0 got 20% of the CPU, expected 86% +- 15%\n"
		"# failed: monitor_test: run.the_whole_suite\n"
		"# failed: monitor_test: (within) fair.ktstr_bad_noslice.newcomers_get_their_share/1n2l2c1t\n"
		"#    monitor: stall FAILED: cpu 0: pid 11 (kworker/0:1) waited 4172 ms"))
		TH_LOG("%s", tail);
	/* Not the harness's summaries, nor the log line that opens the TAP. */
	EXPECT_EQ(NULL, strstr(tail, "FAIL  "));
	EXPECT_EQ(NULL, strstr(tail, "TAP version"));
	/* The passing monitor verdicts and checks are left out. */
	EXPECT_EQ(NULL, strstr(tail, " ok: "));
	EXPECT_NE(NULL, strstr(tail, "\n0 passed, 2 failed, 0 skipped\n"));
}

/*
 * A library test that failed in a VM is named too, by its own name, and
 * the check that failed comes before the five lines it logged first.
 */
TEST_F(checks, a_failed_library_test_is_named_with_its_check_first)
{
	const char *tail;

	ASSERT_EQ(0, logging_program(self->dir, "run_test", "library_tests_in_a_vm",
				     FIXTURES "/lib-nice-fail.tap"));
	EXPECT_EQ(1, cli_run(&self->c, "kselftest/run-checks.sh %s/run_test",
			     self->dir));
	tail = tail_of(self->c.out);
	EXPECT_NE(NULL, strstr(tail,
		"# failed: run_test: run.library_tests_in_a_vm\n"
		"# failed: run_test: (within) work.nice_sweep.runs\n"
		"#    tests/lib_test.c:470:runs:Expected first->work (26) > last->work (598)\n"
		"#    tests/lib_test.c:457:runs:nice-sweep: start 57 ms, stop 81 ms\n"
		"#    tests/lib_test.c:344:runs:worker 0 pid 126 nice 0: work 26 "))
		TH_LOG("%s", tail);
	EXPECT_NE(NULL, strstr(tail, "#    tests/lib_test.c:344:runs:worker 3 pid 129 nice 19: work 598 "));
	EXPECT_EQ(NULL, strstr(tail, "Test failed"));
	EXPECT_NE(NULL, strstr(tail, "\n0 passed, 1 failed, 0 skipped\n"));
}

/* However many lines a test failed with, the tail gives it six. */
TEST_F(checks, reasons_are_capped)
{
	ASSERT_EQ(0, program(self->dir, "many_test",
			     "echo 'TAP version 13'; echo '1..1'\n"
			     "echo '# # selftests: ktstr: t'\n"
			     "for i in 1 2 3 4 5 6 7 8 9; do echo \"# # # check $i: FAIL\"; done\n"
			     "echo '# not ok 1 selftests: ktstr: t'\n"
			     "echo 'not ok 1 run.the_whole_suite'\n"
			     "echo '# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0'\n"
			     "exit 1\n"));
	EXPECT_EQ(1, cli_run(&self->c, "kselftest/run-checks.sh %s/many_test",
			     self->dir));
	EXPECT_NE(NULL, strstr(self->c.out, "#    check 6: FAIL\n0 passed, 1 failed, 0 skipped\n"))
		TH_LOG("%s", tail_of(self->c.out));
	EXPECT_EQ(NULL, strstr(self->c.out, "#    check 7: FAIL"));
}

TEST_F(checks, passes_and_skips_are_counted_and_nothing_is_named)
{
	ASSERT_EQ(0, program(self->dir, "good_test",
			     "echo 'TAP version 13'; echo '1..3'\n"
			     "echo 'ok 1 a'; echo 'ok 2 b'; echo 'ok 3 c # SKIP no arm64'\n"
			     "echo '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:1 error:0'\n"));
	EXPECT_EQ(0, cli_run(&self->c, "kselftest/run-checks.sh %s/good_test %s/good_test",
			     self->dir, self->dir));
	EXPECT_EQ(NULL, strstr(self->c.out, "# failed:"));
	EXPECT_NE(NULL, strstr(self->c.out, "\n4 passed, 0 failed, 2 skipped\n"))
		TH_LOG("%s", self->c.out);
}

/*
 * A program that dies before its totals is one failure, and so is one
 * that exits non-zero though its totals say all passed.
 */
TEST_F(checks, a_program_that_dies_or_exits_nonzero_fails)
{
	ASSERT_EQ(0, program(self->dir, "dead_test",
			     "echo 'TAP version 13'; echo '1..2'; echo 'ok 1 a'\n"
			     "kill -SEGV $$\n"));
	ASSERT_EQ(0, program(self->dir, "liar_test",
			     "echo 'TAP version 13'; echo '1..1'; echo 'ok 1 a'\n"
			     "echo '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0'\n"
			     "exit 3\n"));
	EXPECT_EQ(1, cli_run(&self->c, "kselftest/run-checks.sh %s/dead_test %s/liar_test",
			     self->dir, self->dir));
	EXPECT_NE(NULL, strstr(self->c.out, "# failed: dead_test: no totals (exit status 139)\n"))
		TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, "# liar_test: exited with status 3\n"));
	EXPECT_NE(NULL, strstr(self->c.out, "\n1 passed, 2 failed, 0 skipped\n"))
		TH_LOG("%s", self->c.out);
}

TEST_HARNESS_MAIN
