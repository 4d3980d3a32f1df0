// SPDX-License-Identifier: GPL-2.0
/*
 * The QMP client against a real QEMU: replies, QEMU's refusals, arguments,
 * replies too long to keep, QEMU exiting under a connection and before
 * one, nobody listening, and a stopped VM's state saved to a file and
 * loaded into a second QEMU given a copy of its RAM file.
 */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "error.h"
#include "qemu.h"
#include "qmp.h"

/* QEMU starts in well under a second, but the machine may be busy. */
#define CONNECT_MS 10000
#define REPLY_MS 10000
/* Well under any timeout above: how soon a dead QEMU must be noticed. */
#define PROMPT_MS 3000
/* In guest memory as the 64-bit words xp prints. */
#define MARK 0x6b74737472716d70ULL
#define MARK2 0x6b74737472716d71ULL
#define MARK_OFFSET 0x100000

FIXTURE(qmp) {
	char dir[64];
	char sock[2][128];
	char log[2][128];
	char shm[2][64];
	char arg_qmp[2][160];
	char arg_ram[2][160];
	pid_t pid[2];
	struct kt_qmp *q;
};

FIXTURE_SETUP(qmp)
{
	int i;

	snprintf(self->dir, sizeof(self->dir), "/tmp/qmp_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	for (i = 0; i < 2; i++) {
		snprintf(self->sock[i], sizeof(self->sock[i]), "%s/qmp%d",
			 self->dir, i);
		snprintf(self->log[i], sizeof(self->log[i]), "%s/qemu%d.log",
			 self->dir, i);
		snprintf(self->shm[i], sizeof(self->shm[i]),
			 "/dev/shm/ktstr-qmp-test.%d.%d", (int)getpid(), i);
		snprintf(self->arg_qmp[i], sizeof(self->arg_qmp[i]),
			 "unix:%s,server=on,wait=off", self->sock[i]);
		snprintf(self->arg_ram[i], sizeof(self->arg_ram[i]),
			 "memory-backend-file,id=ram0,size=64M,mem-path=%s,share=on",
			 self->shm[i]);
	}
}

static void stop_qemu(struct _test_data_qmp *self, int i)
{
	if (self->pid[i] <= 0)
		return;
	kill(self->pid[i], SIGKILL);
	waitpid(self->pid[i], NULL, 0);
	self->pid[i] = 0;
}

FIXTURE_TEARDOWN(qmp)
{
	char path[384];
	struct dirent *e;
	DIR *d;
	int i;

	kt_qmp_close(self->q);
	for (i = 0; i < 2; i++) {
		stop_qemu(self, i);
		/* QEMU leaves a memory-backend-file behind. */
		unlink(self->shm[i]);
	}
	d = opendir(self->dir);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", self->dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(self->dir);
}

static pid_t spawn(const char *const argv[], const char *log)
{
	pid_t parent = getpid(), pid = fork();
	int fd;

	if (pid)
		return pid;
	/* A test killed on its timeout takes its QEMU along. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

/* No RAM, no devices: a QMP server and nothing else. */
static void start_bare(struct _test_data_qmp *self, const char *machine)
{
	const char *const argv[] = {
		kt_qemu_binary(), "-machine", machine, "-nodefaults",
		"-no-user-config", "-display", "none",
		"-qmp", self->arg_qmp[0], NULL,
	};

	self->pid[0] = spawn(argv, self->log[0]);
}

/*
 * A q35 VM whose RAM is a shared file, as ktstr runs them, stopped from
 * the start (-S): without a kernel it has nothing to run anyway.
 */
static void start_vm(struct _test_data_qmp *self, int i, bool incoming)
{
	const char *const argv[] = {
		kt_qemu_binary(), "-machine", "q35", "-m", "64",
		"-object", self->arg_ram[i], "-machine", "memory-backend=ram0",
		"-nodefaults", "-no-user-config", "-display", "none", "-S",
		"-qmp", self->arg_qmp[i],
		incoming ? "-incoming" : NULL, "defer", NULL,
	};

	self->pid[i] = spawn(argv, self->log[i]);
}

static const char *qemu_log(struct _test_data_qmp *self, int i)
{
	static char buf[4096];
	ssize_t n = 0;
	int fd;

	fd = open(self->log[i], O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static bool errmsg_has(const char *s)
{
	return strstr(kt_errmsg(), s);
}

/* The status string of query-status, or "" (freed on the next call). */
static const char *run_state(struct kt_qmp *q)
{
	static char status[64];
	const char *s = NULL;
	json_t *ret = NULL;

	status[0] = '\0';
	if (!kt_qmp_execute(q, "query-status", NULL, &ret, REPLY_MS) &&
	    !json_unpack(ret, "{s:s}", "status", &s))
		snprintf(status, sizeof(status), "%s", s);
	json_decref(ret);
	return status;
}

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = -1, err = -1;
	char buf[1 << 16];
	ssize_t n;

	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			break;
	if (out >= 0 && !n && !close(out))
		err = 0;
	else if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	return err;
}

static int write_at(const char *path, int flags, off_t off, const void *p,
		    size_t len)
{
	int fd = open(path, O_WRONLY | flags, 0600);
	ssize_t n = fd < 0 ? -1 : pwrite(fd, p, len, off);

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

#define CONNECT(i) do { \
	self->q = kt_qmp_connect(self->sock[i], self->pid[i], CONNECT_MS, NULL); \
	ASSERT_NE(NULL, self->q) \
		TH_LOG("%s; QEMU said: %s", kt_errmsg(), qemu_log(self, i)); \
} while (0)

TEST_F(qmp, query_status)
{
	json_t *ret = NULL;
	int major = 0;

	start_bare(self, "none");
	CONNECT(0);
	ASSERT_EQ(0, kt_qmp_execute(self->q, "query-status", NULL, &ret,
				    REPLY_MS)) TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(json_is_string(json_object_get(ret, "status")));
	EXPECT_TRUE(json_is_boolean(json_object_get(ret, "running")));
	json_decref(ret);
	EXPECT_STREQ("running", run_state(self->q));

	/* @ret may be NULL; the next command still gets its own reply. */
	ASSERT_EQ(0, kt_qmp_execute(self->q, "query-version", NULL, NULL,
				    REPLY_MS)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_qmp_execute(self->q, "query-version", NULL, &ret,
				    REPLY_MS)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, json_unpack(ret, "{s:{s:i}}", "qemu", "major", &major));
	EXPECT_LE(10, major);
	json_decref(ret);
}

TEST_F(qmp, qemu_refusal)
{
	json_t *ret = NULL;

	start_bare(self, "none");
	CONNECT(0);
	EXPECT_EQ(-1, kt_qmp_execute(self->q, "ktstr-no-such-command", NULL,
				     &ret, REPLY_MS));
	EXPECT_EQ(NULL, ret);
	/* QEMU's own words, after the command's name. */
	EXPECT_TRUE(errmsg_has("QMP ktstr-no-such-command: "))
		TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(errmsg_has("The command ktstr-no-such-command has not been found"))
		TH_LOG("%s", kt_errmsg());

	EXPECT_EQ(-1, kt_qmp_execute(self->q, "query-status",
				     json_pack("{s:i}", "ktstr-bogus", 1),
				     &ret, REPLY_MS));
	EXPECT_EQ(NULL, ret);
	EXPECT_TRUE(errmsg_has("QMP query-status: "))
		TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(errmsg_has("ktstr-bogus")) TH_LOG("%s", kt_errmsg());

	/* A refusal leaves the connection usable. */
	EXPECT_STREQ("running", run_state(self->q));
}

TEST_F(qmp, arguments)
{
	int major = -1, minor = -1, micro = -1;
	char version[64];
	json_t *ret = NULL;

	start_bare(self, "none");
	CONNECT(0);
	ASSERT_EQ(0, kt_qmp_execute(self->q, "query-version", NULL, &ret,
				    REPLY_MS)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, json_unpack(ret, "{s:{s:i, s:i, s:i}}", "qemu",
				 "major", &major, "minor", &minor,
				 "micro", &micro));
	json_decref(ret);
	snprintf(version, sizeof(version), "%d.%d.%d", major, minor, micro);

	/* Without its argument this command is refused. */
	ASSERT_EQ(0, kt_qmp_execute(self->q, "human-monitor-command",
				    json_pack("{s:s}", "command-line",
					      "info version"),
				    &ret, REPLY_MS)) TH_LOG("%s", kt_errmsg());
	ASSERT_TRUE(json_is_string(ret));
	EXPECT_EQ(0, strncmp(json_string_value(ret), version,
			     strlen(version)))
		TH_LOG("%s against %s", json_string_value(ret), version);
	json_decref(ret);
	EXPECT_EQ(-1, kt_qmp_execute(self->q, "human-monitor-command", NULL,
				     NULL, REPLY_MS));
	EXPECT_TRUE(errmsg_has("command-line")) TH_LOG("%s", kt_errmsg());
}

/*
 * A long reply arrives in many reads; one past the bound is refused and
 * the rest of it skipped, so the connection still works.
 */
TEST_F(qmp, long_replies)
{
	json_t *ret = NULL;
	const char *s, *nl;
	int lines = 0;

	start_vm(self, 0, false);
	CONNECT(0);
	/* 8 bytes a line, about 80 characters: some 400 KB. */
	ASSERT_EQ(0, kt_qmp_execute(self->q, "human-monitor-command",
				    json_pack("{s:s}", "command-line",
					      "xp /40000xb 0"),
				    &ret, REPLY_MS)) TH_LOG("%s", kt_errmsg());
	ASSERT_TRUE(json_is_string(ret));
	s = json_string_value(ret);
	EXPECT_LT(200000, strlen(s));
	for (nl = s; (nl = strchr(nl, '\n')); nl++)
		lines++;
	EXPECT_EQ(5000, lines);
	json_decref(ret);

	/* About 2 MB. */
	ret = NULL;
	EXPECT_EQ(-1, kt_qmp_execute(self->q, "human-monitor-command",
				     json_pack("{s:s}", "command-line",
					       "xp /200000xb 0"),
				     &ret, REPLY_MS));
	EXPECT_EQ(NULL, ret);
	EXPECT_TRUE(errmsg_has("QMP human-monitor-command: message longer than 1048576 bytes"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("prelaunch", run_state(self->q)) TH_LOG("%s", kt_errmsg());
}

/* The reply to a command given up on is not taken for the next one's. */
TEST_F(qmp, late_reply)
{
	start_vm(self, 0, false);
	CONNECT(0);
	/* Some 400 KB, which take QEMU tens of milliseconds. */
	EXPECT_EQ(-1, kt_qmp_execute(self->q, "human-monitor-command",
				     json_pack("{s:s}", "command-line",
					       "xp /40000xb 0"),
				     NULL, 1));
	EXPECT_TRUE(errmsg_has("QMP human-monitor-command: no reply within 1 ms"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("prelaunch", run_state(self->q)) TH_LOG("%s", kt_errmsg());
}

TEST_F(qmp, qemu_exits)
{
	int64_t t0;

	start_bare(self, "none");
	CONNECT(0);
	EXPECT_STREQ("running", run_state(self->q));
	stop_qemu(self, 0);
	t0 = now_ms();
	EXPECT_EQ(-1, kt_qmp_execute(self->q, "query-status", NULL, NULL,
				     REPLY_MS));
	EXPECT_GT(PROMPT_MS, now_ms() - t0);
	EXPECT_TRUE(errmsg_has("QMP query-status: QEMU closed the connection"))
		TH_LOG("%s", kt_errmsg());
	/* And again, with nothing left to read. */
	EXPECT_EQ(-1, kt_qmp_execute(self->q, "query-status", NULL, NULL,
				     REPLY_MS));
	EXPECT_TRUE(errmsg_has("QEMU closed the connection"))
		TH_LOG("%s", kt_errmsg());
}

/* QEMU refuses its command line: no waiting out the timeout for it. */
TEST_F(qmp, qemu_exits_before_listening)
{
	int64_t t0 = now_ms();
	char pid[32];
	int status;

	start_bare(self, "ktstr-no-such-machine");
	self->q = kt_qmp_connect(self->sock[0], self->pid[0], CONNECT_MS, NULL);
	EXPECT_EQ(NULL, self->q);
	EXPECT_GT(PROMPT_MS, now_ms() - t0);
	snprintf(pid, sizeof(pid), "(pid %d) exited", (int)self->pid[0]);
	EXPECT_TRUE(errmsg_has(pid)) TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(errmsg_has(self->sock[0])) TH_LOG("%s", kt_errmsg());
	/* Still ours to reap. */
	ASSERT_EQ(self->pid[0], waitpid(self->pid[0], &status, 0));
	self->pid[0] = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status));
}

TEST_F(qmp, nobody_listens)
{
	int64_t t0 = now_ms(), took;

	self->q = kt_qmp_connect(self->sock[0], 0, 300, NULL);
	took = now_ms() - t0;
	EXPECT_EQ(NULL, self->q);
	EXPECT_LE(300, took);
	EXPECT_GT(PROMPT_MS, took);
	EXPECT_TRUE(errmsg_has(self->sock[0])) TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(errmsg_has("no connection within 300 ms"))
		TH_LOG("%s", kt_errmsg());
}

/* The cancel hook of the tests below: 's' on the pipe is a stop. */
static bool stop_byte(void *arg)
{
	char c = 0;

	return read(*(int *)arg, &c, 1) == 1 && c == 's';
}

/*
 * A connection's waits end at its cancel fd when the hook says stop,
 * and only then: a byte that is no stop is read and the wait goes on.
 */
TEST_F(qmp, a_stop_on_the_cancel_fd_ends_a_wait)
{
	struct kt_qmp_cancel c = { .stop = stop_byte };
	int p[2];

	ASSERT_EQ(0, pipe(p));
	c.fd = p[0];
	c.arg = &p[0];
	ASSERT_EQ(1, write(p[1], "n", 1));
	self->q = kt_qmp_connect(self->sock[0], 0, 300, &c);
	EXPECT_EQ(NULL, self->q);
	EXPECT_TRUE(errmsg_has("no connection within 300 ms"))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(1, write(p[1], "s", 1));
	/* Not interrupted, this would wait its whole minute. */
	self->q = kt_qmp_connect(self->sock[0], 0, 60000, &c);
	EXPECT_EQ(NULL, self->q);
	EXPECT_TRUE(errmsg_has("QMP connect: interrupted"))
		TH_LOG("%s", kt_errmsg());
	close(p[0]);
	close(p[1]);
}

/*
 * Save, then load into a second QEMU with a copy of the RAM file.  Its
 * run state comes from the state file, its RAM from the copy: a mark
 * written into the copy after the save is not overwritten by the state.
 */
TEST_F(qmp, save_and_load)
{
	char state[128], xp[64], want[2][64];
	uint64_t mark = MARK, mark2 = MARK2;
	const char *s;
	json_t *ret = NULL;
	struct stat st;

	snprintf(state, sizeof(state), "%s/state", self->dir);
	start_vm(self, 0, false);
	CONNECT(0);
	ASSERT_EQ(0, write_at(self->shm[0], 0, MARK_OFFSET, &mark,
			      sizeof(mark)));
	ASSERT_EQ(0, kt_qmp_save_state(self->q, state, REPLY_MS))
		TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("postmigrate", run_state(self->q));
	ASSERT_EQ(0, stat(state, &st));
	EXPECT_LT(0, st.st_size);
	kt_qmp_close(self->q);
	self->q = NULL;
	stop_qemu(self, 0);

	ASSERT_EQ(0, copy_file(self->shm[0], self->shm[1]));
	ASSERT_EQ(0, write_at(self->shm[1], 0, MARK_OFFSET + 8, &mark2,
			      sizeof(mark2)));
	start_vm(self, 1, true);
	CONNECT(1);
	EXPECT_STREQ("inmigrate", run_state(self->q));
	ASSERT_EQ(0, kt_qmp_load_state(self->q, state, REPLY_MS))
		TH_LOG("%s; QEMU said: %s", kt_errmsg(), qemu_log(self, 1));
	EXPECT_STREQ("prelaunch", run_state(self->q));
	snprintf(xp, sizeof(xp), "xp /2xg %#x", MARK_OFFSET);
	snprintf(want[0], sizeof(want[0]), "%#llx", MARK);
	snprintf(want[1], sizeof(want[1]), "%#llx", MARK2);
	ASSERT_EQ(0, kt_qmp_execute(self->q, "human-monitor-command",
				    json_pack("{s:s}", "command-line", xp),
				    &ret, REPLY_MS)) TH_LOG("%s", kt_errmsg());
	s = json_string_value(ret);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, want[0])) TH_LOG("%s", s);
	EXPECT_NE(NULL, strstr(s, want[1])) TH_LOG("%s", s);
	json_decref(ret);
	ASSERT_EQ(0, kt_qmp_cont(self->q, REPLY_MS)) TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("running", run_state(self->q));
}

/* QEMU stays, and says why; the path is named. */
TEST_F(qmp, load_of_bad_state)
{
	char state[128];

	snprintf(state, sizeof(state), "%s/state", self->dir);
	ASSERT_EQ(0, write_at(state, O_CREAT | O_TRUNC, 0, "garbage", 7));
	start_vm(self, 0, true);
	CONNECT(0);
	EXPECT_EQ(-1, kt_qmp_load_state(self->q, state, REPLY_MS));
	EXPECT_TRUE(errmsg_has("QMP migrate-incoming from "))
		TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(errmsg_has(state)) TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(errmsg_has("load of migration failed"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("inmigrate", run_state(self->q));
}

TEST_F(qmp, load_of_missing_state)
{
	char state[128];

	snprintf(state, sizeof(state), "%s/state", self->dir);
	start_vm(self, 0, true);
	CONNECT(0);
	EXPECT_EQ(-1, kt_qmp_load_state(self->q, state, REPLY_MS));
	EXPECT_TRUE(errmsg_has("QMP migrate-incoming: "))
		TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(errmsg_has(state)) TH_LOG("%s", kt_errmsg());
}

TEST_HARNESS_MAIN
