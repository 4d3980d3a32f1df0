// SPDX-License-Identifier: GPL-2.0
/*
 * The host monitor's stall verdict catches a scheduler that starves a
 * task, before the kernel's own watchdog does: ktstr_stall_slow never
 * dispatches tasks named ktstr-starve and sets the kernel's watchdog to
 * 30 s.  The guest starves one task on the last CPU and checks that the
 * kernel has not kicked the scheduler out; the host monitor, told to
 * expect a stall, fails the test unless it saw one.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

/* Well past the monitor's 20 samples at 100 ms, well short of 30 s. */
#define STARVE_MS 6000

KTSTR_FIXTURE(monitor);
KTSTR_RUN_UNDER(monitor, ktstr_stall_slow, "ktstr_stall_slow");

/*
 * A child that moves to @cpu, takes the starved name and spins: at its
 * wakeup the scheduler parks it for good, on that CPU's runqueue.
 */
static pid_t starve_on(unsigned int cpu)
{
	cpu_set_t set;
	pid_t pid = fork();

	if (pid)
		return pid;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	prctl(PR_SET_NAME, "ktstr-starve");
	/*
	 * A task alone on its CPU keeps running past its slice without being
	 * enqueued again; a sleep makes sure the next enqueue sees the name.
	 */
	usleep(100000);
	for (;;)
		;
}

KTSTR_TEST_F(monitor, stall_seen_from_the_host, 120,
	     .topology = "1n2l2c1t",
	     .monitor = { .expect = KTSTR_MON_STALL, .stall_ms = 3000 })
{
	struct ktstr_sched *s = &self->k.sched;
	unsigned int cpu = self->k.topo.nr_cpus - 1;
	pid_t victim;

	victim = starve_on(cpu);
	ASSERT_LT(0, victim);
	ksft_print_msg("victim pid %d starved on cpu %u\n", victim, cpu);
	ktstr_sleep_ms(STARVE_MS);
	/* Still attached: what catches the stall is not the kernel. */
	EXPECT_TRUE(ktstr_sched_alive(s))
		TH_LOG("the kernel's watchdog ended %s first: %s", s->name,
		       s->exit_reason);
	/* The kill lands once the scheduler is gone and the task runs. */
	kill(victim, SIGKILL);
	EXPECT_EQ(0, ktstr_sched_stop(s)) TH_LOG("%s", ktstr_errmsg());
	waitpid(victim, NULL, 0);
}

TEST_HARNESS_MAIN
