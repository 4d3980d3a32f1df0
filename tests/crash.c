// SPDX-License-Identifier: GPL-2.0
/*
 * Opt-in (`ktstr run --opt-in crash`): a test that does not expect its
 * scheduler to exit, with a task named so that ktstr_error calls
 * scx_bpf_error() and ktstr_stall starves it.  The test fails, and
 * auto-repro boots the probe VM; under ktstr_fifo nothing trips and the
 * test passes with no repro.
 */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

#define WATCH_MS 15000

KTSTR_FIXTURE(crash);
KTSTR_RUN_UNDER(crash, ktstr_error, "ktstr_error");
KTSTR_RUN_UNDER(crash, ktstr_stall, "ktstr_stall");
KTSTR_RUN_UNDER(crash, ktstr_fifo, "ktstr_fifo");

KTSTR_TEST_F(crash, unexpected_exit, 150, .topology = "1n2l2c1t",
	     .flags = KTSTR_OPT_IN)
{
	struct ktstr_sched *s = &self->k.sched;
	bool is_stall = !strcmp(s->name, "ktstr_stall");
	uint64_t deadline = ktstr_now_ns() + WATCH_MS * 1000000ULL;
	pid_t victim = fork();

	if (victim == 0) {
		prctl(PR_SET_NAME, is_stall ? "ktstr-starve" : "ktstr-trigger");
		for (;;)
			if (!is_stall)
				usleep(1000);
	}
	ASSERT_LT(0, victim);
	while (ktstr_now_ns() < deadline && ktstr_sched_alive(s))
		ktstr_sleep_ms(100);
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
}

TEST_HARNESS_MAIN
