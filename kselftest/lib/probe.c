// SPDX-License-Identifier: GPL-2.0
/*
 * The auto-repro probe agent in a repro VM: when the host sets
 * KTSTR_PROBE_AGENT (a command line), it is started once the scheduler is
 * attached, and the test goes on only when the agent has attached its
 * probes (it creates KTSTR_PROBE_READY), so that the crash happens
 * under the probes.  It is stopped with the scheduler.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "ktstr.h"

#define PROBE_READY_TIMEOUT_S 240
#define PROBE_STOP_TIMEOUT_S 20

static pid_t agent_pid;

void ktstr_probe_start(void)
{
	const char *cmd = getenv("KTSTR_PROBE_AGENT");
	const char *ready = getenv("KTSTR_PROBE_READY");
	uint64_t deadline;

	if (!cmd || !*cmd || !ready || agent_pid > 0)
		return;
	unlink(ready);
	agent_pid = fork();
	if (agent_pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (agent_pid < 0)
		return;
	deadline = ktstr_now_ns() + PROBE_READY_TIMEOUT_S * 1000000000ULL;
	while (access(ready, F_OK) && ktstr_now_ns() < deadline) {
		if (waitpid(agent_pid, NULL, WNOHANG) == agent_pid) {
			printf("# probe agent exited before attaching\n");
			agent_pid = 0;
			return;
		}
		ktstr_sleep_ms(100);
	}
	printf("# probe agent %s\n", access(ready, F_OK) ?
		       "did not attach in time" : "attached");
}

void ktstr_probe_stop(void)
{
	uint64_t deadline = ktstr_now_ns() +
			    PROBE_STOP_TIMEOUT_S * 1000000000ULL;

	if (agent_pid <= 0)
		return;
	/* It stops by itself after an exit; else now. */
	while (waitpid(agent_pid, NULL, WNOHANG) != agent_pid) {
		if (ktstr_now_ns() > deadline) {
			kill(agent_pid, SIGKILL);
			waitpid(agent_pid, NULL, 0);
			break;
		}
		kill(agent_pid, SIGTERM);
		ktstr_sleep_ms(100);
	}
	agent_pid = 0;
}
