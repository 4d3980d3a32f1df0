// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr run -j: real VMs side by side.  Two at a time, never more; the
 * results in plan order although the second VM ends first; TAP that
 * python3-tap parses, JSON and JUnit of every test; a failing test
 * fails the run; nothing left in /dev/shm or TMPDIR, no QEMU left.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "cli.h"
#include "scratch.h"

#define VM_TIMEOUT_S 900
#define MAX_CHILDREN 16
#define POLL_US 20000

/* Plan order: the first runs longest, the second ends before it. */
#define FIRST "dynamic.eevdf.resize_move_destroy"
#define SECOND "lifecycle.eevdf.attach_run_detach"
#define THIRD "selfcheck.eevdf.deliberately_fails"

static struct cli c;

FIXTURE(jobs) {
	char dir[64], tmp[96];
};

FIXTURE_SETUP(jobs)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "jobstest"));
	snprintf(self->tmp, sizeof(self->tmp), "%s/tmp", self->dir);
	ASSERT_EQ(0, mkdir(self->tmp, 0700));
}

FIXTURE_TEARDOWN(jobs)
{
	SCRATCH_REMOVE(self->dir);
}

/*
 * The children of @pid, from /proc; returns how many.  The kernel lists
 * a pid it cannot name in /proc's namespace as 0 (a CI run saw one while
 * the guest image was built): not a child to watch.
 */
static unsigned int list_children(pid_t pid, pid_t *v, unsigned int max)
{
	char path[64];
	unsigned int n = 0;
	FILE *f;
	int child;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (n < max && fscanf(f, "%d", &child) == 1)
		if (child > 0)
			v[n++] = child;
	fclose(f);
	return n;
}

/*
 * A VM's supervisor is ktstr forked; anything else (busybox listing its
 * applets while the guest image is built) is a helper and not counted.
 */
static bool is_supervisor(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "ktstr\n");
}

struct seen {
	pid_t pid;		/* a child of ktstr: one VM's supervisor */
	unsigned int last;	/* the last poll it was there */
	bool vm;		/* it had a child (QEMU) at some poll */
};

static struct seen *find_seen(struct seen *s, unsigned int *nr, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < *nr; i++)
		if (s[i].pid == pid)
			return &s[i];
	if (*nr == MAX_CHILDREN)
		return NULL;
	s[*nr].pid = pid;
	return &s[(*nr)++];
}

static int cmp_seen(const void *a, const void *b)
{
	return ((const struct seen *)a)->pid - ((const struct seen *)b)->pid;
}

static bool anything_of(pid_t pid, const char *where)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ls -d %s/ktstr-%d-* 2>/dev/null | grep -q .",
		 where, pid);
	return system(cmd) == 0;
}

static bool qemu_of(pid_t pid)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "pgrep -f '[q]emu-system.*ktstr-%d-' > /dev/null",
		 pid);
	return system(cmd) == 0;
}

struct watch {
	struct seen seen[MAX_CHILDREN];
	unsigned int nr_seen, most, most_vms;
	unsigned int first_vm;		/* the first poll that saw a VM */
	pid_t run, killed;
	int status;
};

/*
 * The image build's popen() forks a child that is ktstr until it execs
 * busybox; a poll may catch it.  It is gone before any VM starts: drop
 * it, and count the supervisors only.
 */
static void drop_prebuild_children(struct watch *w)
{
	unsigned int i, n = 0;

	for (i = 0; i < w->nr_seen; i++)
		if (w->seen[i].vm || !w->first_vm ||
		    w->seen[i].last >= w->first_vm)
			w->seen[n++] = w->seen[i];
	w->nr_seen = n;
}

/*
 * Starts `./ktstr run ARGS...` with TMPDIR in the fixture and watches
 * its children until it exits; with @kill_first, SIGKILLs the first
 * test's supervisor once both VMs run.
 */
static void watch_run(const char *tmp, const char *tap, const char *err,
		      const char *const *argv, bool kill_first,
		      struct watch *w)
{
	pid_t v[MAX_CHILDREN], grandchild[4], pid;
	unsigned int polls = 0, n, i, vms, supervisors;

	memset(w, 0, sizeof(*w));
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		setenv("TMPDIR", tmp, 1);
		if (!freopen(tap, "w", stdout) || !freopen(err, "w", stderr))
			_exit(127);
		execv("./ktstr", (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &w->status, WNOHANG) == 0) {
		polls++;
		n = list_children(pid, v, MAX_CHILDREN);
		for (i = supervisors = 0; i < n; i++)
			if (is_supervisor(v[i]))
				v[supervisors++] = v[i];
		n = supervisors;
		w->most = n > w->most ? n : w->most;
		for (i = vms = 0; i < n; i++) {
			struct seen *s = find_seen(w->seen, &w->nr_seen, v[i]);

			if (!s)
				continue;
			s->last = polls;
			if (list_children(v[i], grandchild, 4)) {
				s->vm = true;
				vms++;
			}
		}
		w->most_vms = vms > w->most_vms ? vms : w->most_vms;
		if (vms && !w->first_vm)
			w->first_vm = polls;
		if (kill_first && !w->killed && vms == 2) {
			w->killed = v[0] < v[1] ? v[0] : v[1];
			kill(w->killed, SIGKILL);
		}
		usleep(POLL_US);
	}
	w->killed = w->killed ? w->killed : -1;
	drop_prebuild_children(w);
	qsort(w->seen, w->nr_seen, sizeof(w->seen[0]), cmp_seen);
	w->run = pid;
}

/* Nothing of @w's processes left: no QEMU, no shared memory, no run dir. */
static bool nothing_left(const struct watch *w, const char *tmp)
{
	char cmd[256];
	unsigned int i;
	bool clean = true;

	for (i = 0; i < w->nr_seen; i++)
		if (qemu_of(w->seen[i].pid) ||
		    anything_of(w->seen[i].pid, "/dev/shm") ||
		    anything_of(w->seen[i].pid, tmp)) {
			fprintf(stderr, "# left behind by %d\n", w->seen[i].pid);
			clean = false;
		}
	/* The run's own files are named after it. */
	if (anything_of(w->run, "/dev/shm") || anything_of(w->run, tmp))
		clean = false;
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", tmp);
	return clean && system(cmd) == 0;
}

TEST_F_TIMEOUT(jobs, two_vms_side_by_side_reported_in_plan_order, VM_TIMEOUT_S)
{
	static char json[128], junit[128];
	static const char *const argv[] = { "ktstr", "run", "-j", "2",
					    "--opt-in", "--json", json,
					    "--junit", junit, FIRST, SECOND,
					    THIRD, NULL };
	char tap[128], err[128], cmd[1024];
	static struct watch w;
	const char *t1, *t2, *t3;
	unsigned int i;

	snprintf(tap, sizeof(tap), "%s/out.tap", self->dir);
	snprintf(err, sizeof(err), "%s/err.log", self->dir);
	snprintf(json, sizeof(json), "%s/json", self->dir);
	snprintf(junit, sizeof(junit), "%s/junit.xml", self->dir);
	watch_run(self->tmp, tap, err, argv, false, &w);
	cli_slurp(tap, c.out);
	cli_slurp(err, c.err);
	/* The third test fails on purpose: the run fails. */
	EXPECT_TRUE(WIFEXITED(w.status));
	EXPECT_EQ(1, WEXITSTATUS(w.status)) TH_LOG("%s%s", c.out, c.err);

	/* One supervisor per test, two VMs at once, never three. */
	EXPECT_EQ(3, w.nr_seen);
	EXPECT_EQ(2, w.most);
	EXPECT_EQ(2, w.most_vms);
	for (i = 0; i < w.nr_seen; i++)
		EXPECT_TRUE(w.seen[i].vm) TH_LOG("child %d ran no VM", w.seen[i].pid);
	/* Forked in plan order; the second VM ended while the first ran. */
	ASSERT_LE(2, w.nr_seen);
	EXPECT_LT(w.seen[1].last, w.seen[0].last)
		TH_LOG("%s was last seen at poll %u, %s at %u", SECOND,
		       w.seen[1].last, FIRST, w.seen[0].last);

	/* Reported in plan order all the same, with their own output. */
	t1 = strstr(c.out, "\nok 1 selftests: ktstr: " FIRST "\n");
	t2 = strstr(c.out, "\nok 2 selftests: ktstr: " SECOND "\n");
	t3 = strstr(c.out, "\nnot ok 3 selftests: ktstr: " THIRD "\n");
	EXPECT_NE(NULL, t1) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, t2) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, t3) TH_LOG("%s", c.out);
	EXPECT_TRUE(t1 && t2 && t3 && t1 < t2 && t2 < t3);
	/* Each test's output is between its header and its result. */
	t2 = strstr(c.out, "# selftests: ktstr: " SECOND "\n");
	t3 = strstr(c.out, "# selftests: ktstr: " THIRD "\n");
	EXPECT_TRUE(t1 && t2 && t3 && t1 < t2 && t2 < t3);
	if (t2 && t3) {
		EXPECT_NE(NULL, memmem(t2, t3 - t2, "# ok 1 " SECOND "\n",
				       strlen("# ok 1 " SECOND "\n")));
		EXPECT_NE(NULL, strstr(t3, "# not ok 1 " THIRD "\n"));
	}
	EXPECT_NE(NULL, strstr(c.out, "# ktstr: 3 tests, 1 failed, ")) TH_LOG("%s", c.out);
	EXPECT_TRUE(cli_tap_is_valid(c.out)) TH_LOG("%s", c.out);

	/* JSON of every test; JUnit in plan order. */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && /usr/bin/python3 -c 'import sys, json, xml.etree.ElementTree as E\n"
		 "r = E.parse(\"junit.xml\").getroot()\n"
		 "names = [t.get(\"name\") for t in r.iter(\"testcase\")]\n"
		 "assert names == sys.argv[1:4], names\n"
		 "res = [json.load(open(\"json/%%s.json\" %% n))[\"result\"] for n in names]\n"
		 "assert res == [\"pass\", \"pass\", \"fail\"], res' %s %s %s",
		 self->dir, FIRST, SECOND, THIRD);
	EXPECT_EQ(0, system(cmd));

	EXPECT_TRUE(nothing_left(&w, self->tmp));
}

/* A VM's supervisor that dies fails its test only, and leaves nothing. */
TEST_F_TIMEOUT(jobs, a_dead_supervisor_fails_its_test_only, VM_TIMEOUT_S)
{
	char tap[128], err[128];
	static const char *const argv[] = { "ktstr", "run", "-j", "2", FIRST,
					    SECOND, NULL };
	static struct watch w;

	snprintf(tap, sizeof(tap), "%s/out.tap", self->dir);
	snprintf(err, sizeof(err), "%s/err.log", self->dir);
	watch_run(self->tmp, tap, err, argv, true, &w);
	cli_slurp(tap, c.out);
	cli_slurp(err, c.err);
	ASSERT_LT(0, w.killed) TH_LOG("never saw two VMs: %s%s", c.out, c.err);
	EXPECT_TRUE(WIFEXITED(w.status));
	EXPECT_EQ(1, WEXITSTATUS(w.status)) TH_LOG("%s%s", c.out, c.err);
	EXPECT_NE(NULL, strstr(c.out, "the process running this VM died (status 0x9)"))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "\nnot ok 1 selftests: ktstr: " FIRST "\n"))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "\nok 2 selftests: ktstr: " SECOND "\n"))
		TH_LOG("%s", c.out);
	EXPECT_TRUE(cli_tap_is_valid(c.out)) TH_LOG("%s", c.out);
	EXPECT_TRUE(nothing_left(&w, self->tmp));
}

/* What -j takes: 1 up to the host's CPUs, or auto. */
TEST(jobs_out_of_range_are_refused)
{
	char message[128];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	EXPECT_EQ(2, cli_run(&c, "./ktstr run -j 0 lifecycle"));
	EXPECT_NE(NULL, strstr(c.err, "ktstr run: -j '0': not a number of VMs (1 or more)"))
		TH_LOG("%s", c.err);
	EXPECT_STREQ("", c.out);
	EXPECT_EQ(2, cli_run(&c, "./ktstr run -j 99 lifecycle"));
	snprintf(message, sizeof(message),
		 "ktstr run: -j 99: more VMs than the host's %ld CPUs", cpus);
	EXPECT_NE(NULL, strstr(c.err, message)) TH_LOG("%s", c.err);
	EXPECT_STREQ("", c.out);
	EXPECT_EQ(2, cli_run(&c, "./ktstr run --jobs two lifecycle"));
	EXPECT_NE(NULL, strstr(c.err, "ktstr run: -j 'two': not a number of VMs"))
		TH_LOG("%s", c.err);
	EXPECT_EQ(2, cli_run(&c, "./ktstr run -j 1x lifecycle"));
	EXPECT_NE(NULL, strstr(c.err, "-j '1x'")) TH_LOG("%s", c.err);
	/* -j 1 is the serial run: the plan is listed as without it. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr run -j 1 --list lifecycle.eevdf"));
	EXPECT_NE(NULL, strstr(c.out, "lifecycle.eevdf.attach_run_detach")) TH_LOG("%s", c.out);
	/* auto is the default said out loud, in both commands. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr run -j auto --list lifecycle.eevdf"));
	EXPECT_NE(NULL, strstr(c.out, "lifecycle.eevdf.attach_run_detach")) TH_LOG("%s", c.out);
	EXPECT_EQ(0, cli_run(&c, "./ktstr gauntlet -j auto --list --preset tiny lifecycle.eevdf"));
	EXPECT_EQ(2, cli_run(&c, "./ktstr gauntlet -j automatic --list lifecycle.eevdf"));
	EXPECT_NE(NULL, strstr(c.err, "-j 'automatic': not a number of VMs (1 or more) or auto"))
		TH_LOG("%s", c.err);
}

TEST_HARNESS_MAIN
