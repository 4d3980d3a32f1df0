// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests of `ktstr run`: real VMs, real schedulers.  The TAP
 * must parse with python3-tap (as CI systems parse it), JUnit and JSON
 * must be well formed, failures must fail the run, and the negative
 * tests must catch the broken schedulers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "scratch.h"

#define SUITE_TIMEOUT_S 2400
#define RUN_TIMEOUT_S 900

FIXTURE(run) {
	char dir[64];
	char tap[96];
	char log[96];
};

FIXTURE_SETUP(run)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "runtest"));
	snprintf(self->tap, sizeof(self->tap), "%s/out.tap", self->dir);
	snprintf(self->log, sizeof(self->log), "%s/err.log", self->dir);
}

FIXTURE_TEARDOWN(run)
{
	SCRATCH_REMOVE(self->dir);
}

/* Runs `./ktstr run ARGS > tap 2> log`; returns its exit status. */
static int run_ktstr(const char *args, const char *tap, const char *log)
{
	char cmd[1024];
	int status;

	snprintf(cmd, sizeof(cmd), "./ktstr run %s > %s 2> %s", args, tap,
		 log);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static char *slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

TEST_F_TIMEOUT(run, negative_tests_catch_broken_schedulers, RUN_TIMEOUT_S)
{
	char args[512], cmd[512];
	const char *tap;

	snprintf(args, sizeof(args),
		 "--junit %s/junit.xml --json %s/json negative lifecycle.eevdf",
		 self->dir, self->dir);
	EXPECT_EQ(0, run_ktstr(args, self->tap, self->log)) TH_LOG("%s", slurp(self->tap));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "ok 1 selftests: ktstr: lifecycle.eevdf.attach_run_detach"));
	EXPECT_NE(NULL, strstr(tap, "ok 2 selftests: ktstr: negative.ktstr_error.caught"));
	EXPECT_NE(NULL, strstr(tap, "ok 3 selftests: ktstr: negative.ktstr_stall.caught"));
	/* The exit kinds, as the library read them from the kernel log. */
	EXPECT_NE(NULL, strstr(tap, "scheduler ktstr_error: error: scx_bpf_error"));
	EXPECT_NE(NULL, strstr(tap, "scheduler ktstr_stall: stall: runnable task stall"));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import sys, json, glob, xml.etree.ElementTree as E\n"
		 "r = E.parse(sys.argv[1]).getroot()\n"
		 "assert r.get(\"tests\") == \"3\" and r.get(\"failures\") == \"0\", r.attrib\n"
		 "files = glob.glob(sys.argv[2] + \"/*.json\")\n"
		 "assert len(files) == 3, files\n"
		 "assert all(json.load(open(f))[\"result\"] == \"pass\" for f in files)' %s/junit.xml %s/json",
		 self->dir, self->dir);
	EXPECT_EQ(0, system(cmd));
}

TEST_F_TIMEOUT(run, a_failing_test_fails_the_run, RUN_TIMEOUT_S)
{
	const char *tap;

	EXPECT_EQ(1, run_ktstr("--opt-in selfcheck", self->tap, self->log));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "not ok 1 selftests: ktstr: selfcheck.eevdf.deliberately_fails"))
		TH_LOG("%s", tap);
	/* The assertion and the group's statistics are in the diagnostics. */
	EXPECT_NE(NULL, strstr(tap, "fairness: CPU time spread"));
	EXPECT_NE(NULL, strstr(tap, "worker 0 pid"));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
}

/*
 * The guest lies (tests/forgery.c): results, plans, SKIP, "Bail out!",
 * ktstr's own control messages, garbage bytes, a 64 KiB line and one
 * without its newline, on stdout, stderr, the console and the kernel
 * log.  The host's plan, results, exit status and JSON are what the
 * tests did, and its TAP parses as it says.
 */
TEST_F_TIMEOUT(run, the_guest_cannot_forge_results, RUN_TIMEOUT_S)
{
	char cmd[2048], args[512];
	const char *tap;

	snprintf(args, sizeof(args),
		 "--opt-in --json %s/json --junit %s/junit.xml forgery",
		 self->dir, self->dir);
	EXPECT_EQ(1, run_ktstr(args, self->tap, self->log))
		TH_LOG("%s", slurp(self->log));
	tap = slurp(self->tap);
	EXPECT_EQ(0, strncmp(tap, "TAP version 13\n1..2\n", 20)) TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(tap, "\nnot ok 1 selftests: ktstr: forgery.eevdf.forged_success\n"))
		TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(tap, "\nok 2 selftests: ktstr: forgery.eevdf.forged_failure\n"))
		TH_LOG("%s", tap);
	/*
	 * The lies are there, nested as diagnostics; bytes that are no
	 * text escaped, a carriage return too (it would let a terminal
	 * print the next text over the "# ").
	 */
	EXPECT_NE(NULL, strstr(tap, "\n# ok 1 selftests: ktstr: forgery.eevdf.forged_failure"));
	EXPECT_NE(NULL, strstr(tap, "\n# Bail out! forged"));
	EXPECT_NE(NULL, strstr(tap, "\\x01\\x02\\x1b[2J\\x1b]0;forged\\x07\\x0d\\x7f\\xff\\xfe\\xc3(\\xe2\\x82\n"))
		TH_LOG("%s", tap);
	/*
	 * A NUL (U+2400 here) hides nothing after it: the long line, the
	 * one without its newline, and the harness's own result.
	 */
	EXPECT_NE(NULL, strstr(tap, "\n# \xe2\x90\x80xxxxxxxxxxxxxxxx"));
	EXPECT_NE(NULL, strstr(tap, "\n# ok 9 forged, unterminated"));
	EXPECT_NE(NULL, strstr(tap, "\n# not ok 1 forgery.eevdf.forged_success\n"));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap)) TH_LOG("%s", tap);
	/*
	 * Exactly the host's two results and one plan, no bail-out, and
	 * each JSON result valid and what the test did.
	 */
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import sys, json, glob\n"
		 "from tap.parser import Parser\n"
		 "lines = list(Parser().parse_file(sys.argv[1]))\n"
		 "tests = [(l.ok, l.description) for l in lines if l.category == \"test\"]\n"
		 "assert tests == [(False, \"selftests: ktstr: forgery.eevdf.forged_success\"), (True, \"selftests: ktstr: forgery.eevdf.forged_failure\")], tests\n"
		 "assert [l.expected_tests for l in lines if l.category == \"plan\"] == [2]\n"
		 "assert not [l for l in lines if l.category == \"bail\"]\n"
		 "res = {json.load(open(f))[\"name\"]: json.load(open(f))[\"result\"] for f in glob.glob(sys.argv[2] + \"/*.json\")}\n"
		 "assert res == {\"forgery.eevdf.forged_success\": \"fail\", \"forgery.eevdf.forged_failure\": \"pass\"}, res\n"
		 "import xml.etree.ElementTree as et\n"
		 "cases = et.parse(sys.argv[3]).getroot().iter(\"testcase\")\n"
		 "got = {c.get(\"name\"): c.find(\"failure\") is not None for c in cases}\n"
		 "assert got == {\"forgery.eevdf.forged_success\": True, \"forgery.eevdf.forged_failure\": False}, got' %s %s/json %s/junit.xml",
		 self->tap, self->dir, self->dir);
	EXPECT_EQ(0, system(cmd));
}

/*
 * A scheduler we did not write, over the matrix: one test on each matrix
 * shape, named <test>/<preset> by the host and <test> by the harness in
 * the guest, both after the binary; its ops name from its declaration.
 */
TEST_F_TIMEOUT(run, a_scheduler_we_did_not_write, RUN_TIMEOUT_S)
{
	char args[256];
	const char *tap;

	snprintf(args, sizeof(args),
		 "--costs %s/costs --scheduler build/schedulers/scx_qmap spin_overcommit",
		 self->dir);
	EXPECT_EQ(0, run_ktstr(args, self->tap, self->log))
		TH_LOG("%s", slurp(self->tap));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "\n1..3\n")) TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(tap, "\nok 1 selftests: ktstr: fair.scx_qmap.spin_overcommit/numa2-llc1-smt\n"));
	EXPECT_NE(NULL, strstr(tap, "\nok 2 selftests: ktstr: fair.scx_qmap.spin_overcommit/numa2-unbalanced\n"));
	EXPECT_NE(NULL, strstr(tap, "\nok 3 selftests: ktstr: fair.scx_qmap.spin_overcommit/odd-llc\n"));
	EXPECT_NE(NULL, strstr(tap, "\n# # Starting 1 tests from 1 test cases.\n"));
	EXPECT_NE(NULL, strstr(tap, "\n# #  RUN           fair.scx_qmap.spin_overcommit ...\n"));
	EXPECT_NE(NULL, strstr(tap, "\n# ok 1 fair.scx_qmap.spin_overcommit\n"));
	/* Not the variant the test declares first. */
	EXPECT_EQ(NULL, strstr(tap, "scx_simple")) TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(tap, "ops 'qmap', ignores cgroup-weight,capacity; ops and claims of the declared scheduler scx_qmap"));
	EXPECT_NE(NULL, strstr(tap, "scheduler: scx_qmap, 8 CPUs, 2 LLCs, 2 nodes"));
	EXPECT_NE(NULL, strstr(tap, "scheduler: scx_qmap, 9 CPUs, 3 LLCs, 1 nodes"));
	EXPECT_NE(NULL, strstr(tap, "scheduler: scx_qmap, 7 CPUs, 3 LLCs, 2 nodes"));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
	/* What it chose, on stderr. */
	EXPECT_NE(NULL, strstr(slurp(self->log), "# matrix: 3 of 3 entries"));
}

/*
 * scx_central has __kconfig externs: libbpf reads the booted kernel's
 * config from /boot/config-$(uname -r), which the image must hold.
 */
TEST_F_TIMEOUT(run, a_scheduler_that_reads_the_kernel_config, RUN_TIMEOUT_S)
{
	const char *tap;

	EXPECT_EQ(0, run_ktstr("lifecycle.scx_central", self->tap, self->log))
		TH_LOG("%s", slurp(self->tap));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "ok 1 selftests: ktstr: lifecycle.scx_central.attach_run_detach"));
	EXPECT_EQ(NULL, strstr(tap, "failed to open system Kconfig"));
}

TEST_F_TIMEOUT(run, bad_input_is_named, 60)
{
	EXPECT_EQ(1, run_ktstr("no-such-test", self->tap, self->log));
	EXPECT_NE(NULL, strstr(slurp(self->log), "no test matches 'no-such-test'"));
	EXPECT_EQ(2, run_ktstr("--scheduler /nonexistent/scx_x", self->tap, self->log));
	EXPECT_NE(NULL, strstr(slurp(self->log), "--scheduler /nonexistent/scx_x"));
	EXPECT_EQ(2, run_ktstr("lifecycle -- -v", self->tap, self->log));
	EXPECT_NE(NULL, strstr(slurp(self->log), "arguments after -- are for --scheduler"));
	EXPECT_EQ(0, run_ktstr("--list --topology 2n4l2c1t lifecycle", self->tap, self->log));
	EXPECT_NE(NULL, strstr(slurp(self->tap), "lifecycle.scx_simple.attach_run_detach"));
	EXPECT_NE(NULL, strstr(slurp(self->tap), "2n4l2c1t"));
}

/* A QEMU of ktstr's running below @pid (its child, or a -j child's). */
static bool qemu_of(pid_t pid)
{
	char cmd[384];

	snprintf(cmd, sizeof(cmd),
		 "for q in $(pgrep -f '[q]emu-system.*ktstr-'); do p=$q; while [ \"$p\" -gt 1 ]; do [ \"$p\" = %d ] && exit 0; p=$(ps -o ppid= -p \"$p\" | tr -d ' '); [ -n \"$p\" ] || break; done; done; exit 1",
		 pid);
	return system(cmd) == 0;
}

/*
 * What the run left: a QEMU whose command line names its TMPDIR @tmp,
 * anything in @tmp, or a file in /dev/shm that was not in @before and
 * whose owner (the PID in its name) is gone.  Other runs of ktstr on the
 * machine (a calibration beside make check) are none of these.
 */
static bool left_behind(const char *tmp, const char *before)
{
	char cmd[256], name[256];
	bool left = false;
	FILE *f;
	int pid;

	snprintf(cmd, sizeof(cmd), "pgrep -f '[q]emu-system.*%s/' > /dev/null",
		 tmp);
	if (system(cmd) == 0) {
		fprintf(stderr, "# a QEMU of the run is left\n");
		left = true;
	}
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", tmp);
	if (system(cmd) != 0) {
		fprintf(stderr, "# files left in %s\n", tmp);
		left = true;
	}
	f = popen("ls /dev/shm", "r");
	while (f && fgets(name, sizeof(name), f)) {
		name[strcspn(name, "\n")] = '\0';
		if (sscanf(name, "ktstr-%d-", &pid) != 1 || strstr(before, name) ||
		    kill(pid, 0) == 0)
			continue;
		fprintf(stderr, "# /dev/shm/%s left\n", name);
		left = true;
	}
	if (f)
		pclose(f);
	return left;
}

/*
 * Ctrl-C stops the run, with one VM at a time or several: VMs stopped,
 * their files removed, status 130.  @tmp: an empty directory, the run's
 * TMPDIR.
 */
static void sigint_stops(struct __test_metadata *_metadata, const char *jobs,
			 const char *tmp)
{
	static char before[1 << 16];
	FILE *f = popen("ls /dev/shm", "r");
	size_t n = f ? fread(before, 1, sizeof(before) - 1, f) : 0;
	int status, i;
	pid_t pid;

	before[n] = '\0';
	if (f)
		pclose(f);
	pid = fork();
	if (pid == 0) {
		setenv("TMPDIR", tmp, 1);
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execl("./ktstr", "ktstr", "run", "-j", jobs, "lifecycle", NULL);
		_exit(127);
	}
	ASSERT_LT(0, pid);
	for (i = 0; i < 1200 && !qemu_of(pid); i++)
		usleep(50000);
	ASSERT_TRUE(qemu_of(pid));
	kill(pid, SIGINT);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(130, WEXITSTATUS(status));
	EXPECT_FALSE(left_behind(tmp, before));
}

TEST_F_TIMEOUT(run, sigint_stops_the_run, RUN_TIMEOUT_S)
{
	char tmp[128];

	snprintf(tmp, sizeof(tmp), "%s/tmp", self->dir);
	ASSERT_EQ(0, mkdir(tmp, 0700));
	sigint_stops(_metadata, "1", tmp);
}

TEST_F_TIMEOUT(run, sigint_stops_a_parallel_run, RUN_TIMEOUT_S)
{
	char tmp[128];

	snprintf(tmp, sizeof(tmp), "%s/tmp", self->dir);
	ASSERT_EQ(0, mkdir(tmp, 0700));
	sigint_stops(_metadata, "2", tmp);
}

/* The library's own tests, inside a VM of two nodes; their TAP if not. */
TEST_F_TIMEOUT(run, library_tests_in_a_vm, RUN_TIMEOUT_S)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "./ktstr shell --topology 2n4l2c1t --timeout 600 --include build/suite/lib_test --exec \"$PWD/build/suite/lib_test\" > %s 2>&1",
		 self->tap);
	EXPECT_EQ(0, system(cmd)) TH_LOG("%s", slurp(self->tap));
}

/*
 * make install gives a tree the kernel's run_kselftest.sh runs on the
 * machine it is on; here (no sched_ext on the host) the sched_ext
 * variants SKIP and EEVDF runs.
 */
TEST_F_TIMEOUT(run, kselftest_install_runs_with_run_kselftest, RUN_TIMEOUT_S)
{
	char cmd[512];
	const char *tap;

	snprintf(cmd, sizeof(cmd),
		 "make -s install INSTALL_PATH=%s/install > %s 2>&1 && %s/install/run_kselftest.sh -t ktstr:lifecycle > %s 2>&1",
		 self->dir, self->log, self->dir, self->tap);
	EXPECT_EQ(0, system(cmd)) TH_LOG("%s%s", slurp(self->log),
				       slurp(self->tap));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "ok 1 selftests: ktstr: lifecycle"));
	EXPECT_NE(NULL, strstr(tap, "ok 1 lifecycle.eevdf.attach_run_detach"));
}

/*
 * What `make run_tests` does: the whole suite passes.  Two VMs at a time
 * on a machine of two CPUs or more: single-threaded TCG keeps each to
 * one host CPU, so this halves the longest part of make check (90 of 90
 * passed in each calibration run at -j 2, Documentation/assertions.md).
 *
 * Less scx_flatcg's lifecycle: now and then (1 run in about 30) flatcg
 * loses its root cgroup from its tree and the test's own thread waits
 * there until the kernel's watchdog ends the scheduler.  That is a
 * finding of the suite, not of this program (Documentation/schedulers.md,
 * "A queued cgroup left out of the tree"), and `make run_tests` keeps it.
 */
TEST_F_TIMEOUT(run, the_whole_suite, SUITE_TIMEOUT_S)
{
	int status = run_ktstr(sysconf(_SC_NPROCESSORS_ONLN) >= 2 ?
			       "-j 2 --skip lifecycle.scx_flatcg" :
			       "--skip lifecycle.scx_flatcg",
			       self->tap, self->log);

	EXPECT_EQ(0, status) TH_LOG("%s", slurp(self->tap));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
}

TEST_HARNESS_MAIN
