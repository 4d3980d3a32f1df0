/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ./ktstr run as a child of a test, as a user runs it: no stdin, its
 * stdout and stderr in files, its exit status as a shell reports it.
 */
#ifndef KTSTR_VMM_TESTS_KTSTR_CHILD_H
#define KTSTR_VMM_TESTS_KTSTR_CHILD_H

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static inline pid_t start(const char *const argv[], const char *out,
			  const char *err)
{
	pid_t pid = fork();

	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int in = open("/dev/null", O_RDONLY);

		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		execv("./ktstr", (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* 128 + the signal if it was killed, as a shell says; -1 if not ours. */
static inline int wait_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

#endif
