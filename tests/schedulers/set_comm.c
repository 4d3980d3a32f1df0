// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr-comm: run under a chosen comm (the task name in /proc/PID/comm),
 * to trip ktstr_error and ktstr_stall.
 *
 *   ktstr-comm NAME             rename itself to NAME and spin until killed
 *   ktstr-comm NAME CMD [ARG]...  run CMD with the comm NAME
 *
 * exec() sets the comm from the name of the file it runs, so a prctl()
 * before exec() would be lost: CMD is run through a symlink called NAME,
 * in a new directory under $TMPDIR (default /tmp, created if missing),
 * which is left behind.  argv[0] stays CMD, so busybox applets work.
 *
 * Static: it needs no library in the guest.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TASK_COMM_LEN 16

static const char usage[] =
"Usage: ktstr-comm NAME [CMD [ARG]...]\n"
"\n"
"Without CMD, set this task's comm to NAME and spin until killed.\n"
"With CMD, run CMD (searched in $PATH) with the comm NAME.\n"
"NAME is 1 to 15 characters, without '/'.\n";

/* CMD as a path: as given if it has a '/', else the first match in $PATH. */
static int find_cmd(const char *cmd, char *path, size_t len)
{
	const char *dirs = getenv("PATH");
	const char *p, *end;

	if (strchr(cmd, '/'))
		return snprintf(path, len, "%s", cmd) < (int)len ? 0 : -1;
	if (!dirs)
		dirs = "/bin:/usr/bin";
	for (p = dirs; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (snprintf(path, len, "%.*s/%s", (int)(end - p), p, cmd) >=
		    (int)len)
			continue;
		if (!access(path, X_OK))
			return 0;
	}
	return -1;
}

static int run_as(const char *name, char **cmd)
{
	char target[PATH_MAX], link[PATH_MAX], dir[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	char *abs;

	if (find_cmd(cmd[0], target, sizeof(target))) {
		fprintf(stderr, "ktstr-comm: %s: not found\n", cmd[0]);
		return 127;
	}
	if (!tmp)
		tmp = "/tmp";
	mkdir(tmp, 01777);
	abs = realpath(target, NULL);
	snprintf(dir, sizeof(dir), "%s/ktstr-comm.XXXXXX", tmp);
	if (!abs || !mkdtemp(dir) ||
	    snprintf(link, sizeof(link), "%s/%s", dir, name) >= (int)sizeof(link) ||
	    symlink(abs, link)) {
		fprintf(stderr, "ktstr-comm: %s: %s\n", cmd[0], strerror(errno));
		return 126;
	}
	execv(link, cmd);
	fprintf(stderr, "ktstr-comm: %s: %s\n", cmd[0], strerror(errno));
	return 126;
}

static void spin(const char *name)
{
	const struct timespec nap = { .tv_nsec = 1000 * 1000 };

	if (prctl(PR_SET_NAME, name)) {
		perror("ktstr-comm: prctl");
		exit(1);
	}
	/* Sleep once so that the scheduler enqueues us under the new name. */
	nanosleep(&nap, NULL);
	for (;;)
		;
}

int main(int argc, char **argv)
{
	const char *name = argv[1];

	if (argc < 2 || !strcmp(name, "-h") || !strcmp(name, "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!*name || strlen(name) >= TASK_COMM_LEN || strchr(name, '/')) {
		fprintf(stderr, "ktstr-comm: bad NAME '%s'\n", name);
		return 2;
	}
	if (argc == 2)
		spin(name);
	return run_as(name, argv + 2);
}
