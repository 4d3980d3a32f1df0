// SPDX-License-Identifier: GPL-2.0
/*
 * The guest agent of `ktstr verifier` (build/verifier-agent/ktstr-verifier)
 * on the host, around a real BPF loader (verifier/tests/loader): the
 * loads it sees must come out as they would without it, its tables must
 * say when they overflow, and a loader that will not stop must not hang
 * it.  The host has no sched_ext here, so the agent always ends with
 * "exited before sched_ext was enabled" (or the ready timeout) and exit
 * status 1; the loader's own output (on the agent's stderr) says how
 * its loads went.  Needs root (BPF_PROG_LOAD); SKIPs without it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kselftest/runner/tests/cli.h"

#define AGENT "build/verifier-agent/ktstr-verifier"
#define LOADER "build/verifier-agent/test-loader"

FIXTURE(agent) {
	char results[64];
	struct cli c;
};

FIXTURE_SETUP(agent)
{
	int fd;

	snprintf(self->results, sizeof(self->results), "/tmp/verifier-agent-test-XXXXXX");
	fd = mkstemp(self->results);
	ASSERT_LE(0, fd);
	close(fd);
	if (cli_run(&self->c, LOADER " loads 1") == 2)
		SKIP(return, "this process may not load BPF programs: %.200s", self->c.out);
}

FIXTURE_TEARDOWN(agent)
{
	unlink(self->results);
}

/* The agent's run on the loader with @args: its exit status. */
static int under_agent(struct cli *c, const char *results, const char *args)
{
	return cli_run(c, "KTSTR_RESULTS=%s " AGENT " --ready-timeout 60 " LOADER " %s",
		       results, args);
}

/*
 * Each way a loader may set its log (none, a size query, a level with no
 * buffer, its own buffer, attributes the kernel refuses): the same
 * outcome and the same attributes after the call, log_true_size too.
 */
TEST_F_TIMEOUT(agent, loads_come_back_as_the_loader_set_them, 120)
{
	static struct cli direct;
	char *records;

	ASSERT_EQ(0, cli_run(&direct, LOADER " attrs")) TH_LOG("%s", direct.err);
	EXPECT_EQ(1, under_agent(&self->c, self->results, "attrs"));
	EXPECT_EQ(0, strncmp(self->c.err, direct.out, strlen(direct.out)))
		TH_LOG("alone:\n%s\nunder the agent:\n%s", direct.out, self->c.err);
	EXPECT_NE(NULL, strstr(direct.out, "level 1 without buffer, short attr: loaded"));
	EXPECT_NE(NULL, strstr(direct.out, "size query: loaded, log_level 1, log_size 0, log_buf as set, log_true_size "));
	EXPECT_NE(NULL, strstr(self->c.err, "ktstr-verifier: " LOADER " exited with status 0 before sched_ext was enabled (12 BPF program loads seen)"))
		TH_LOG("%s", self->c.err);
	/* The program the verifier rejected is recorded, with its figures. */
	cli_slurp(self->results, self->c.out);
	records = self->c.out;
	EXPECT_NE(NULL, strstr(records, "{\"name\":\"test_loader\",\"prog_type\":\"socket_filter\",\"loaded\":false,\"error\":\"Permission denied\",\"stats\":{\"processed_insns\":1,"))
		TH_LOG("%s", records);
	EXPECT_NE(NULL, strstr(records, "\"kind\":\"run\",\"enabled\":false,\"ops\":\"\",\"loads\":12,\"kept\":0}"))
		TH_LOG("%s", records);
}

/* 1031 loads (the loader's probe, then 1030): 7 past the agent's 1024. */
TEST_F_TIMEOUT(agent, loads_past_the_table_fail_the_run, 120)
{
	EXPECT_EQ(1, under_agent(&self->c, self->results, "loads 1030"));
	EXPECT_NE(NULL, strstr(self->c.err, "1030 of 1030 loads loaded")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "ktstr-verifier: 7 BPF program loads of " LOADER " not read: more than 1024 loads, or more than 256 threads loading at once\n"))
		TH_LOG("%s", self->c.err);
}

/*
 * 2000 threads, 50 at a time, every 4th with a load: more than the agent
 * tracks at once, but they come and go, so it keeps up.
 */
TEST_F_TIMEOUT(agent, threads_that_come_and_go, 300)
{
	EXPECT_EQ(1, under_agent(&self->c, self->results, "threads 2000 50"));
	EXPECT_NE(NULL, strstr(self->c.err, "2000 threads, 500 of 500 loads loaded")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.err, "at once")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.err, "not read")) TH_LOG("%s", self->c.err);
}

/* 1100 threads at once: more than the agent tracks; the run fails, saying so. */
TEST_F_TIMEOUT(agent, too_many_threads_at_once, 300)
{
	EXPECT_EQ(1, under_agent(&self->c, self->results, "threads 1100 1100"));
	EXPECT_NE(NULL, strstr(self->c.err, "1100 threads, 275 of 275 loads loaded")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "ktstr-verifier: " LOADER " ran more than 1024 threads at once; "))
		TH_LOG("%s", self->c.err);
}

/*
 * A 16 KiB thread stack has no room for the agent's 32 KiB log: the load
 * goes on without one, and the writable mapping below is not touched.
 */
TEST_F_TIMEOUT(agent, no_room_below_a_small_stack, 120)
{
	EXPECT_EQ(1, under_agent(&self->c, self->results, "small-stack"));
	EXPECT_NE(NULL, strstr(self->c.err, "small stack: 1 loaded, the neighbour untouched"))
		TH_LOG("%s", self->c.err);
}

/*
 * A child of the loader stops itself with SIGSTOP: traced, it must stay
 * stopped (PTRACE_LISTEN) until its parent sends SIGCONT, as untraced.
 */
TEST_F_TIMEOUT(agent, a_stopped_child_stays_stopped, 120)
{
	EXPECT_EQ(1, under_agent(&self->c, self->results, "stopped-child"));
	EXPECT_NE(NULL, strstr(self->c.err, "stopped child: stayed stopped until SIGCONT, then exited with status 0\n"))
		TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "exited with status 0 before sched_ext was enabled (2 BPF program loads seen)"))
		TH_LOG("%s", self->c.err);
}

/* Is @pid gone (or a zombie, reaped by someone else)? */
static bool gone(pid_t pid)
{
	char path[64], stat[256] = "";
	const char *state;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (!fgets(stat, sizeof(stat), f))
		stat[0] = '\0';
	fclose(f);
	state = strrchr(stat, ')');
	return state && (state[2] == 'Z' || state[2] == 'X');
}

/*
 * A loader that ignores SIGINT, with a child that does too: at the ready
 * timeout, both get SIGKILL after the agent's 30 s, and the agent ends.
 */
TEST_F_TIMEOUT(agent, a_loader_that_ignores_sigint_is_killed, 120)
{
	const char *line;
	int i, child = 0;

	EXPECT_EQ(1, cli_run(&self->c, AGENT " --ready-timeout 1 " LOADER " ignore-sigint"));
	EXPECT_NE(NULL, strstr(self->c.err, "ktstr-verifier: sched_ext was not enabled within 1 s of starting " LOADER "\n"))
		TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "ktstr-verifier: " LOADER " did not exit within 30 s of SIGINT; killed\n"))
		TH_LOG("%s", self->c.err);
	line = strstr(self->c.err, "child ");
	ASSERT_NE(NULL, line) TH_LOG("%s", self->c.err);
	child = strtol(line + strlen("child "), NULL, 10);
	ASSERT_LT(0, child);
	for (i = 0; i < 50 && !gone(child); i++)
		usleep(100 * 1000);
	EXPECT_TRUE(gone(child)) TH_LOG("the loader's child %d is still there", child);
	if (!gone(child))
		kill(child, SIGKILL);
}

TEST_HARNESS_MAIN
