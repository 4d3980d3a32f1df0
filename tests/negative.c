// SPDX-License-Identifier: GPL-2.0
/*
 * Broken schedulers must be caught: ktstr_error calls scx_bpf_error() when
 * it enqueues a task named ktstr-trigger; ktstr_stall never dispatches
 * tasks named ktstr-starve, so the sched_ext watchdog kicks it out.  Each
 * test provokes its scheduler and checks the exit kind and message.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

#define KICKOUT_TIMEOUT_MS 60000

KTSTR_FIXTURE(negative);
KTSTR_RUN_UNDER(negative, ktstr_error, "ktstr_error");
KTSTR_RUN_UNDER(negative, ktstr_stall, "ktstr_stall");

/* A child named @comm that spins (or just sleeps) until killed. */
static pid_t spawn_named(const char *comm, bool spin)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_NAME, comm);
		for (;;)
			if (!spin)
				usleep(1000);
	}
	return pid;
}

static bool wait_kicked_out(struct ktstr_sched *s, unsigned int timeout_ms)
{
	uint64_t deadline = ktstr_now_ns() + timeout_ms * 1000000ULL;

	while (ktstr_now_ns() < deadline) {
		if (!ktstr_sched_alive(s))
			return true;
		ktstr_sleep_ms(100);
	}
	return false;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * The stall is the point here and the kernel's watchdog must end it;
 * tests/monitor.c checks that the host monitor sees such a stall too.
 */
KTSTR_TEST_F(negative, caught, 150, .topology = "1n2l2c1t",
	     .monitor = { .off = KTSTR_MON_STALL | KTSTR_MON_CONSERVATION })
{
	struct ktstr_sched *s = &self->k.sched;
	bool is_error = !strcmp(s->name, "ktstr_error");
	pid_t victim;

	self->k.expect_exit = true;
	victim = spawn_named(is_error ? "ktstr-trigger" : "ktstr-starve",
			     !is_error);
	ASSERT_LT(0, victim);
	ASSERT_TRUE(wait_kicked_out(s, KICKOUT_TIMEOUT_MS))
		TH_LOG("%s still attached after %ds", s->name,
		       KICKOUT_TIMEOUT_MS / 1000);
	reap(victim);
	ktstr_report_exit(s);
	if (is_error) {
		EXPECT_EQ(KTSTR_SCHED_ERROR, s->exit_kind)
			TH_LOG("exit: %s", s->exit_reason);
		EXPECT_NE(NULL, strstr(s->exit_reason, "scx_bpf_error"));
		EXPECT_NE(NULL, strstr(s->exit_reason, "ktstr-trigger"))
			TH_LOG("exit: %s", s->exit_reason);
	} else {
		EXPECT_EQ(KTSTR_SCHED_STALL, s->exit_kind)
			TH_LOG("exit: %s", s->exit_reason);
		EXPECT_NE(NULL, strstr(s->exit_reason, "runnable task stall"));
		EXPECT_NE(NULL, strstr(s->exit_reason, "ktstr-starve"))
			TH_LOG("exit: %s", s->exit_reason);
	}
}

TEST_HARNESS_MAIN
