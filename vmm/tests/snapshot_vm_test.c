// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests of VM snapshots: each runs ./ktstr shell from the
 * repository root, as a user would, with $KTSTR_SNAPSHOT_DIR in a
 * directory of its own, and checks that a restored guest is a fresh
 * guest, that anything which changes the guest changes the entry, and
 * that an interrupted or broken entry costs nothing but a cold boot.
 * Every boot says in its console log (--log-dir) whether it was saved or
 * restored, and as which entry.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cache.h"
#include "ktstr_child.h"

/* A cold TCG boot takes 5-15 s on a loaded 2-CPU machine, a restore 1-2 s. */
#define SNAP_TEST_TIMEOUT_S 600
/* Each VM's own bound: a hung guest fails its test, not the whole run. */
#define VM_TIMEOUT "240"
/* A save takes a second or two: an interrupted one must end within this. */
#define INTERRUPT_GRACE_S 20
#define KEY_LEN 64
/* How far the guest's clock may be from the host's run, either way. */
#define CLOCK_SLACK_S 3
/* MemTotal of two boots of one VM: KASLR moves a few KiB (split_shape). */
#define MEM_SLACK_KB 1024

#define SAVED "saved as snapshot"
#define RESTORED "restored from snapshot"
#define COLD_NOTE "ktstr: booting cold:"

#define TINY "1n1l2c1t"
#define SCX_SIMPLE "build/schedulers/scx_simple"

/* What a guest may keep of an earlier one: each line names one trace. */
#define TRACES_CHECK "for f in /root/ktstr-marker /tmp/ktstr-marker; do if [ -e $f ]; then echo \"file $f: $(cat $f)\"; else echo \"no $f\"; fi; done; " \
	"if [ -d /sys/fs/cgroup/ktstr-leak ]; then echo cgroup ktstr-leak; else echo no cgroup; fi; " \
	"echo swappiness $(cat /proc/sys/vm/swappiness); " \
	"echo hostname $(cat /proc/sys/kernel/hostname); " \
	"echo rr_timeslice_ms $(cat /proc/sys/kernel/sched_rr_timeslice_ms); " \
	"echo sched_ext $(cat /sys/kernel/sched_ext/state); " \
	"if pidof scx_simple >/dev/null; then echo scx_simple running; else echo no scx_simple; fi"

#define NO_TRACES "no /root/ktstr-marker\n" \
	"no /tmp/ktstr-marker\n" \
	"no cgroup\n" \
	"swappiness 60\n" \
	"hostname ktstr\n" \
	"rr_timeslice_ms 100\n" \
	"sched_ext disabled\n" \
	"no scx_simple\n"

#define ALL_TRACES "file /root/ktstr-marker: left by B\n" \
	"file /tmp/ktstr-marker: left by B\n" \
	"cgroup ktstr-leak\n" \
	"swappiness 7\n" \
	"hostname leaked\n" \
	"rr_timeslice_ms 40\n" \
	"sched_ext enabled\n" \
	"scx_simple running\n"

/* %s: the scheduler's path in the guest. */
#define LEAVE_TRACES "echo left by B > /root/ktstr-marker && echo left by B > /tmp/ktstr-marker && " \
	"mkdir /sys/fs/cgroup/ktstr-leak && echo 7 > /proc/sys/vm/swappiness && " \
	"echo leaked > /proc/sys/kernel/hostname && echo 40 > /proc/sys/kernel/sched_rr_timeslice_ms && " \
	"{ %s > /tmp/scx.log 2>&1 & } ; " \
	"i=0; while [ \"$(cat /sys/kernel/sched_ext/state)\" != enabled ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done; " \
	"[ \"$(cat /sys/kernel/sched_ext/state)\" = enabled ] || cat /tmp/scx.log >&2; " \
	TRACES_CHECK

/*
 * How the guest sees its machine, then its clock and randomness (which
 * must differ between runs: split off before comparing).
 */
#define SHAPE_CHECK "echo online $(cat /sys/devices/system/cpu/online); echo nproc $(nproc); " \
	"echo cpus $(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l); " \
	"for c in /sys/devices/system/cpu/cpu[0-9]*; do t=$c/topology; " \
	"echo ${c##*/} package $(cat $t/physical_package_id) die $(cat $t/die_id 2>/dev/null) " \
	"cluster $(cat $t/cluster_id 2>/dev/null) core $(cat $t/core_id) threads $(cat $t/thread_siblings_list) " \
	"llc $(cat $c/cache/index3/shared_cpu_list 2>/dev/null); done; " \
	"for n in /sys/devices/system/node/node[0-9]*; do echo ${n##*/} cpus $(cat $n/cpulist) distance $(cat $n/distance); done; " \
	"awk '/^cpu/ { c = $1 } /^domain/ { print c, $1, $2, $3 }' /proc/schedstat; " \
	"echo controllers $(cat /sys/fs/cgroup/cgroup.controllers); " \
	"echo subtree_control $(cat /sys/fs/cgroup/cgroup.subtree_control); " \
	"echo cgroups $(ls /sys/fs/cgroup); " \
	"echo sched_ext $(cat /sys/kernel/sched_ext/state); " \
	"grep MemTotal /proc/meminfo; " \
	"echo clock $(date +%s); " \
	"echo random $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n')"

struct dirs {
	char work[64];		/* everything of the test's, removed at the end */
	char snapdir[128];	/* $KTSTR_SNAPSHOT_DIR */
	char logdir[128];	/* --log-dir */
	char out[128], err[128];
	pid_t child;		/* a ktstr still running, or 0 */
};

FIXTURE(snap) {
	struct dirs d;
};

FIXTURE_SETUP(snap)
{
	struct dirs *d = &self->d;

	snprintf(d->work, sizeof(d->work), "/tmp/ktstr-snaptest-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(d->work));
	snprintf(d->snapdir, sizeof(d->snapdir), "%s/snapshots", d->work);
	snprintf(d->logdir, sizeof(d->logdir), "%s/log", d->work);
	snprintf(d->out, sizeof(d->out), "%s/stdout", d->work);
	snprintf(d->err, sizeof(d->err), "%s/stderr", d->work);
	ASSERT_EQ(0, mkdir(d->snapdir, 0700));
	ASSERT_EQ(0, mkdir(d->logdir, 0700));
	/* Never the user's cache, and nothing that turns snapshots off. */
	ASSERT_EQ(0, setenv("KTSTR_SNAPSHOT_DIR", d->snapdir, 1));
	unsetenv("KTSTR_NO_SNAPSHOT");
	unsetenv("KTSTR_SNAPSHOT_CACHE_MIB");
}

/* Also after a failed ASSERT: the harness runs it before it aborts. */
FIXTURE_TEARDOWN(snap)
{
	struct dirs *d = &self->d;

	if (d->child > 0) {
		kill(d->child, SIGTERM);
		waitpid(d->child, NULL, 0);
		d->child = 0;
	}
	if (d->work[0])
		kt_remove_tree(d->work);
}

enum boot { BOOT_UNKNOWN, BOOT_SAVED, BOOT_RESTORED };

struct run {
	int status;		/* exit code, or 128+signal */
	double secs;
	time_t before, after;	/* the host's clock around the run */
	enum boot boot;		/* as the console log says */
	char key[KEY_LEN + 1];	/* the entry saved or restored */
	char out[16384];
	char err[16384];
	char notes[4096];	/* the console's "ktstr: " lines */
};

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/*
 * @err without the middle of the console tail that ktstr adds to a VM
 * failure: its last lines are enough here.
 */
static const char *brief(const char *err)
{
	static char buf[4096];
	const char *tail = strstr(err, "ktstr: last console lines:");
	size_t rest;

	if (!tail)
		return err;
	rest = strlen(tail);
	snprintf(buf, sizeof(buf), "%.*s[console tail]\n...%s", (int)(tail - err),
		 err, tail + (rest > 800 ? rest - 800 : 0));
	return buf;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The "ktstr: " lines of the console log: where its boot came from. */
static void read_notes(const char *console, struct run *r)
{
	char line[1024];
	size_t n = 0;
	FILE *f = fopen(console, "r");
	const char *p;

	r->notes[0] = '\0';
	r->boot = BOOT_UNKNOWN;
	r->key[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "ktstr: ", 7))
			continue;
		n += snprintf(r->notes + n, n < sizeof(r->notes) ?
			      sizeof(r->notes) - n : 0, "%s", line);
		if (n >= sizeof(r->notes))
			n = sizeof(r->notes) - 1;
		if (!strncmp(line + 7, SAVED " ", strlen(SAVED " "))) {
			r->boot = BOOT_SAVED;
			p = line + 7 + strlen(SAVED " ");
		} else if (!strncmp(line + 7, RESTORED " ",
				    strlen(RESTORED " "))) {
			r->boot = BOOT_RESTORED;
			p = line + 7 + strlen(RESTORED " ");
		} else {
			continue;
		}
		snprintf(r->key, sizeof(r->key), "%.*s", KEY_LEN, p);
	}
	fclose(f);
}

static const char *boot_name(enum boot b)
{
	return b == BOOT_SAVED ? "saved" : b == BOOT_RESTORED ? "restored" :
	       "no snapshot";
}

/*
 * ktstr shell --topology @topo [@opts...] --log-dir ... --exec @cmd, its
 * output and what its console log says.
 */
static void shell(struct __test_metadata *_metadata, struct dirs *d,
		  struct run *r, const char *label, const char *topo,
		  const char *const opts[], const char *cmd)
{
	const char *argv[32] = { "ktstr", "shell", "--topology", topo,
				 "--timeout", VM_TIMEOUT, "--log-dir",
				 d->logdir };
	char console[256];
	size_t n = 8;
	double t0;

	while (opts && *opts && n < ARRAY_SIZE(argv) - 3)
		argv[n++] = *opts++;
	argv[n++] = "--exec";
	argv[n++] = cmd;
	argv[n] = NULL;
	snprintf(console, sizeof(console), "%s/console.log", d->logdir);
	unlink(console);
	r->before = time(NULL);
	t0 = now_s();
	d->child = start(argv, d->out, d->err);
	r->status = wait_status(d->child);
	d->child = 0;
	r->secs = now_s() - t0;
	r->after = time(NULL);
	read_file(d->out, r->out, sizeof(r->out));
	read_file(d->err, r->err, sizeof(r->err));
	read_notes(console, r);
	TH_LOG("%s: exit %d, %s%s%.12s, %.1f s", label, r->status,
	       boot_name(r->boot), r->key[0] ? " " : "", r->key, r->secs);
}

static bool is_key(const char *s)
{
	return strlen(s) == KEY_LEN && strspn(s, "0123456789abcdef") == KEY_LEN;
}

/* Complete entries and entries being made in the snapshot directory. */
static int count_entries(const char *dir, int *tmp)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	*tmp = 0;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (strstr(de->d_name, ".tmp-"))
			(*tmp)++;
		else
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* The name of an entry being made, if there is one. */
static bool find_tmp_entry(const char *dir, char *name, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	bool found = false;

	while (d && !found && (de = readdir(d))) {
		if (strstr(de->d_name, ".tmp-")) {
			snprintf(name, len, "%s/%s", dir, de->d_name);
			found = true;
		}
	}
	if (d)
		closedir(d);
	return found;
}

static bool entry_has(const char *snapdir, const char *key, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/%s", snapdir, key, file);
	return !access(path, F_OK);
}

/* All of an entry's files are there (one memory node). */
static bool entry_complete(const char *snapdir, const char *key)
{
	return entry_has(snapdir, key, "state") &&
	       entry_has(snapdir, key, "ram0") &&
	       entry_has(snapdir, key, "console.log") &&
	       entry_has(snapdir, key, "info");
}

static int write_bytes(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len)
		ret = -1;
	if (close(fd))
		ret = -1;
	return ret;
}

/* As cp does: truncate @to (if it exists) and write @from's bytes. */
static int copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	int in, out, ret = 0;
	ssize_t n;

	in = open(from, O_RDONLY);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			ret = -1;
			break;
		}
	if (n < 0 || close(out))
		ret = -1;
	close(in);
	return ret;
}

/* A line of `./ktstr kernel show` for the default kernel: "boot", "config". */
static int kernel_show(const char *field, char *out, size_t len)
{
	char line[PATH_MAX + 64];
	size_t n = strlen(field);
	int found = -1;
	FILE *p = popen("./ktstr kernel show", "r");

	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		if (strncmp(line, field, n) || line[n] != ' ')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, len, "%s", line + n + strspn(line + n, " "));
		found = 0;
	}
	pclose(p);
	return found;
}

/* Anything of ktstr process @pid still around: QEMU, shm, run dirs. */
static int leftovers(pid_t pid, char *what, size_t len)
{
	char prefix[64], path[PATH_MAX], cmd[4096], status[4096];
	struct dirent *de;
	DIR *d;
	int found = 0;

	snprintf(prefix, sizeof(prefix), "ktstr-%d-", pid);
	d = opendir("/dev/shm");
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			found += snprintf(what, len, "/dev/shm/%s", de->d_name) > 0;
	if (d)
		closedir(d);
	d = opendir("/tmp");
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			found += snprintf(what, len, "/tmp/%s", de->d_name) > 0;
	if (d)
		closedir(d);
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		const char *p;
		ssize_t n, i;
		int fd;

		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		for (i = 0; i < n; i++)
			if (!cmd[i])
				cmd[i] = ' ';
		cmd[n > 0 ? n : 0] = '\0';
		if (!strstr(cmd, "qemu-system"))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		read_file(path, status, sizeof(status));
		p = strstr(status, "\nPPid:");
		/* Its own files in its command line, or still its child. */
		if (strstr(cmd, prefix) || (p && atoi(p + 6) == pid))
			found += snprintf(what, len, "QEMU process %s",
					  de->d_name) > 0;
	}
	if (d)
		closedir(d);
	return found;
}

/* The QEMU that ktstr process @pid runs, or 0. */
static pid_t qemu_of(pid_t pid)
{
	char path[300], status[4096];
	struct dirent *de;
	const char *p;
	pid_t found = 0;
	DIR *d = opendir("/proc");

	while (d && !found && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		read_file(path, status, sizeof(status));
		if (strncmp(status, "Name:\tqemu-system", 17))
			continue;
		p = strstr(status, "\nPPid:");
		if (p && atoi(p + 6) == pid)
			found = atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * The output of SHAPE_CHECK without its clock, random and MemTotal
 * lines, which it returns apart: KASLR places each cold boot's kernel
 * elsewhere, and what the kernel reserves around it changes MemTotal
 * by a few KiB.
 */
static void split_shape(const char *out, char *shape, size_t len,
			long long *clock, char *random, size_t random_len,
			long long *mem_kb)
{
	const char *line, *end;
	size_t n = 0;

	*clock = -1;
	*mem_kb = -1;
	*random = '\0';
	*shape = '\0';
	for (line = out; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if (!strncmp(line, "clock ", 6))
			*clock = atoll(line + 6);
		else if (!strncmp(line, "MemTotal:", 9))
			*mem_kb = atoll(line + 9);
		else if (!strncmp(line, "random ", 7))
			snprintf(random, random_len, "%.*s",
				 (int)(end - line - 7), line + 7);
		else if (n < len)
			n += snprintf(shape + n, len - n, "%.*s\n",
				      (int)(end - line), line);
	}
}

/*
 * A guest restored from an entry starts where the entry's guest was when
 * it was saved: nothing a test run does in it may reach the next one.
 */
TEST_F_TIMEOUT(snap, restored_tests_share_no_state, SNAP_TEST_TIMEOUT_S)
{
	char cwd[PATH_MAX], scx[PATH_MAX + 64], leave[8192], key[KEY_LEN + 1];
	char ram[512], state[512];
	struct stat ram_st, state_st, st;
	const char *const opts[] = { "--include", scx, NULL };
	struct run r;
	int tmp;

	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	/* --include puts a file at its own absolute path in the guest. */
	snprintf(scx, sizeof(scx), "%s/%s", cwd, SCX_SIMPLE);
	ASSERT_EQ(0, access(scx, X_OK)) TH_LOG("%s: run 'make'", scx);
	snprintf(leave, sizeof(leave), LEAVE_TRACES, scx);

	/* A: cold, saved; what a fresh guest looks like. */
	shell(_metadata, &self->d, &r, "A", TINY, opts, TRACES_CHECK);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	ASSERT_EQ(BOOT_SAVED, r.boot) TH_LOG("console notes: %s", r.notes);
	ASSERT_TRUE(is_key(r.key)) TH_LOG("key '%s'", r.key);
	EXPECT_STREQ(NO_TRACES, r.out);
	EXPECT_EQ(NULL, strstr(r.err, COLD_NOTE)) TH_LOG("stderr: %s", brief(r.err));
	snprintf(key, sizeof(key), "%s", r.key);
	ASSERT_EQ(1, count_entries(self->d.snapdir, &tmp));
	EXPECT_EQ(0, tmp);
	snprintf(ram, sizeof(ram), "%s/%s/ram0", self->d.snapdir, key);
	snprintf(state, sizeof(state), "%s/%s/state", self->d.snapdir, key);
	ASSERT_EQ(0, stat(ram, &ram_st));
	ASSERT_EQ(0, stat(state, &state_st));

	/* B: restored; leaves files, a cgroup, sysctls and a scheduler. */
	shell(_metadata, &self->d, &r, "B", TINY, opts, leave);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	ASSERT_EQ(BOOT_RESTORED, r.boot) TH_LOG("console notes: %s", r.notes);
	EXPECT_STREQ(key, r.key);
	EXPECT_STREQ(ALL_TRACES, r.out) TH_LOG("stderr: %s", brief(r.err));

	/* The entry itself is never written by a restore. */
	ASSERT_EQ(0, stat(ram, &st));
	EXPECT_EQ(ram_st.st_size, st.st_size);
	EXPECT_EQ(ram_st.st_mtim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(ram_st.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
	ASSERT_EQ(0, stat(state, &st));
	EXPECT_EQ(state_st.st_size, st.st_size);
	EXPECT_EQ(state_st.st_mtim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(state_st.st_mtim.tv_nsec, st.st_mtim.tv_nsec);

	/* C: restored again; none of B's traces. */
	shell(_metadata, &self->d, &r, "C", TINY, opts, TRACES_CHECK);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	ASSERT_EQ(BOOT_RESTORED, r.boot) TH_LOG("console notes: %s", r.notes);
	EXPECT_STREQ(key, r.key);
	EXPECT_STREQ(NO_TRACES, r.out);
	EXPECT_EQ(1, count_entries(self->d.snapdir, &tmp));
	EXPECT_EQ(0, tmp);
}

/*
 * A restored guest has the shape, cgroups and scheduler state of a cold
 * boot of the same VM, but the host's clock of now and randomness of its
 * own.
 */
TEST_F_TIMEOUT(snap, restored_guest_is_a_fresh_guest, SNAP_TEST_TIMEOUT_S)
{
	static const char *const no_snapshot[] = { "--no-snapshot", NULL };
	static char shape[4][8192];
	static const char *const names[4] = { "saving boot", "cold boot",
					      "restore 1", "restore 2" };
	char random[4][64], key[KEY_LEN + 1];
	long long clock, mem_kb[4];
	struct run r;
	int i, tmp;

	for (i = 0; i < 4; i++) {
		if (i == 2)
			/* The entry is older than the restore: its clock too. */
			sleep(3);
		shell(_metadata, &self->d, &r, names[i], "2n2l2c1t",
		      i == 1 ? no_snapshot : NULL, SHAPE_CHECK);
		ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
		EXPECT_EQ(NULL, strstr(r.err, COLD_NOTE))
			TH_LOG("stderr: %s", brief(r.err));
		if (i == 0) {
			ASSERT_EQ(BOOT_SAVED, r.boot)
				TH_LOG("console notes: %s", r.notes);
			snprintf(key, sizeof(key), "%s", r.key);
		} else if (i == 1) {
			/* --no-snapshot: no restore, nothing saved. */
			EXPECT_EQ(BOOT_UNKNOWN, r.boot)
				TH_LOG("console notes: %s", r.notes);
			EXPECT_STREQ("", r.notes);
		} else {
			ASSERT_EQ(BOOT_RESTORED, r.boot)
				TH_LOG("console notes: %s", r.notes);
			EXPECT_STREQ(key, r.key);
		}
		split_shape(r.out, shape[i], sizeof(shape[i]), &clock,
			    random[i], sizeof(random[i]), &mem_kb[i]);
		EXPECT_LT(MEM_SLACK_KB, mem_kb[i]) TH_LOG("%s", r.out);
		EXPECT_GE(MEM_SLACK_KB, llabs(mem_kb[i] - mem_kb[0]))
			TH_LOG("%s: MemTotal %lld kB, the saving boot's %lld kB",
			       names[i], mem_kb[i], mem_kb[0]);
		EXPECT_TRUE(clock >= (long long)r.before - CLOCK_SLACK_S &&
			    clock <= (long long)r.after + CLOCK_SLACK_S)
			TH_LOG("%s: guest clock %lld, host %lld..%lld",
			       names[i], clock, (long long)r.before,
			       (long long)r.after);
		EXPECT_EQ(32, strlen(random[i]))
			TH_LOG("%s: random '%s'", names[i], random[i]);
	}
	EXPECT_EQ(1, count_entries(self->d.snapdir, &tmp));
	EXPECT_EQ(0, tmp);

	/* The shape is the topology's, and the same however it booted. */
	EXPECT_NE(NULL, strstr(shape[1], "online 0-3\nnproc 4\ncpus 4\n"))
		TH_LOG("%s", shape[1]);
	EXPECT_NE(NULL, strstr(shape[1], "node0 cpus 0-1 distance 10 20\nnode1 cpus 2-3 distance 20 10\n"))
		TH_LOG("%s", shape[1]);
	EXPECT_NE(NULL, strstr(shape[1], "\nsched_ext disabled\n"))
		TH_LOG("%s", shape[1]);
	EXPECT_STREQ(shape[1], shape[0]) TH_LOG("the saving boot differs");
	EXPECT_STREQ(shape[1], shape[2]) TH_LOG("restore 1 differs");
	EXPECT_STREQ(shape[1], shape[3]) TH_LOG("restore 2 differs");

	/* Each restore is reseeded, not replayed. */
	EXPECT_STRNE(random[2], random[3]);
	EXPECT_STRNE(random[0], random[2]);
	EXPECT_STRNE(random[0], random[3]);
}

/*
 * An entry is only ever restored into the very VM it was saved from:
 * another topology, guest image or kernel, even the same kernel file
 * written again, makes a new one.
 */
TEST_F_TIMEOUT(snap, changed_inputs_invalidate_the_snapshot, SNAP_TEST_TIMEOUT_S)
{
	char keys[8][KEY_LEN + 1], extra[256], kdir[256], kernel[PATH_MAX + 300];
	char boot[PATH_MAX], config[PATH_MAX], path[PATH_MAX + 256], cmd[512];
	const char *const include[] = { "--include", extra, NULL };
	const char *const other_kernel[] = { "--kernel", kernel, NULL };
	struct stat before, after;
	struct run r;
	int nkeys = 0, i, j, tmp;

	shell(_metadata, &self->d, &r, "original", TINY, NULL, "echo ok");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	ASSERT_EQ(BOOT_SAVED, r.boot) TH_LOG("console notes: %s", r.notes);
	ASSERT_TRUE(is_key(r.key));
	snprintf(keys[nkeys++], sizeof(keys[0]), "%s", r.key);
	/* Restores work at all: what follows does not restore for cause. */
	shell(_metadata, &self->d, &r, "original again", TINY, NULL, "echo ok");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	ASSERT_EQ(BOOT_RESTORED, r.boot) TH_LOG("console notes: %s", r.notes);
	ASSERT_STREQ(keys[0], r.key);

	/* (a) Another topology of as many vCPUs. */
	shell(_metadata, &self->d, &r, "other topology", "1n2l1c1t", NULL,
	      "echo ok");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("ok\n", r.out);
	EXPECT_EQ(BOOT_SAVED, r.boot) TH_LOG("console notes: %s", r.notes);
	snprintf(keys[nkeys++], sizeof(keys[0]), "%s", r.key);
	EXPECT_EQ(nkeys, count_entries(self->d.snapdir, &tmp));

	/* (b) Another guest image: one more small file in it. */
	snprintf(extra, sizeof(extra), "%s/extra.txt", self->d.work);
	ASSERT_EQ(0, write_bytes(extra, "extra file\n", 11));
	snprintf(cmd, sizeof(cmd), "cat %s", extra);
	shell(_metadata, &self->d, &r, "other image", TINY, include, cmd);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("extra file\n", r.out);
	EXPECT_EQ(BOOT_SAVED, r.boot) TH_LOG("console notes: %s", r.notes);
	snprintf(keys[nkeys++], sizeof(keys[0]), "%s", r.key);
	EXPECT_EQ(nkeys, count_entries(self->d.snapdir, &tmp));

	/* (c) Another kernel file of the same bytes, with its config. */
	ASSERT_EQ(0, kernel_show("boot", boot, sizeof(boot)))
		TH_LOG("no 'boot' line in ./ktstr kernel show");
	ASSERT_EQ(0, kernel_show("config", config, sizeof(config)))
		TH_LOG("no 'config' line in ./ktstr kernel show");
	snprintf(kdir, sizeof(kdir), "%s/kernel", self->d.work);
	ASSERT_EQ(0, mkdir(kdir, 0755));
	snprintf(kernel, sizeof(kernel), "%s/%s", kdir, strrchr(boot, '/') + 1);
	ASSERT_EQ(0, copy_file(boot, kernel)) TH_LOG("copying %s", boot);
	snprintf(path, sizeof(path), "%s/config", kdir);
	ASSERT_EQ(0, copy_file(config, path)) TH_LOG("copying %s", config);
	shell(_metadata, &self->d, &r, "copied kernel", TINY, other_kernel,
	      "echo ok");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("ok\n", r.out);
	EXPECT_EQ(BOOT_SAVED, r.boot) TH_LOG("console notes: %s", r.notes);
	snprintf(keys[nkeys++], sizeof(keys[0]), "%s", r.key);
	EXPECT_EQ(nkeys, count_entries(self->d.snapdir, &tmp));

	/* The same file written again, as cp does: same inode and bytes. */
	ASSERT_EQ(0, stat(kernel, &before));
	ASSERT_EQ(0, copy_file(boot, kernel));
	ASSERT_EQ(0, stat(kernel, &after));
	EXPECT_EQ(before.st_ino, after.st_ino);
	EXPECT_EQ(before.st_size, after.st_size);
	shell(_metadata, &self->d, &r, "copied kernel rewritten", TINY,
	      other_kernel, "echo ok");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("ok\n", r.out);
	EXPECT_EQ(BOOT_SAVED, r.boot) TH_LOG("console notes: %s", r.notes);
	snprintf(keys[nkeys++], sizeof(keys[0]), "%s", r.key);
	EXPECT_EQ(nkeys, count_entries(self->d.snapdir, &tmp));

	for (i = 0; i < nkeys; i++)
		for (j = i + 1; j < nkeys; j++)
			EXPECT_STRNE(keys[i], keys[j])
				TH_LOG("runs %d and %d share an entry", i, j);

	/* The original, unchanged, still restores its own entry. */
	shell(_metadata, &self->d, &r, "original at last", TINY, NULL, "echo ok");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("ok\n", r.out);
	EXPECT_EQ(BOOT_RESTORED, r.boot) TH_LOG("console notes: %s", r.notes);
	EXPECT_STREQ(keys[0], r.key);
	EXPECT_EQ(nkeys, count_entries(self->d.snapdir, &tmp));
	EXPECT_EQ(0, tmp);
}

/*
 * SIGINT to ktstr while the entry is being made: as soon as it appears
 * (@boot_ms < 0), or @boot_ms after QEMU started booting the guest to
 * save.  The run is interrupted and leaves no entry, whole or half, and
 * nothing else of its own.
 */
static void interrupt_save(struct __test_metadata *_metadata,
			   struct dirs *d, int boot_ms)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", TINY,
				     "--timeout", VM_TIMEOUT, "--exec", "true",
				     NULL };
	char entry[512], state[600], what[PATH_MAX] = "";
	bool seen = false;
	struct run r;
	pid_t pid, qemu = 0;
	int tmp, n;

	pid = d->child = start(argv, d->out, d->err);
	/* Until the entry being made appears (and QEMU), or ktstr is gone. */
	while (waitpid(pid, &r.status, WNOHANG) == 0) {
		seen = find_tmp_entry(d->snapdir, entry, sizeof(entry));
		if (seen && boot_ms >= 0)
			qemu = qemu_of(pid);
		if (seen && (boot_ms < 0 || qemu > 0))
			break;
		usleep(1000);
	}
	if (!seen || (boot_ms >= 0 && qemu <= 0)) {
		d->child = 0;
		read_file(d->err, r.err, sizeof(r.err));
		ASSERT_TRUE(false)
			TH_LOG("ktstr exited before a %s/*.tmp-* entry %s; stderr: %s",
			       d->snapdir, seen ? "and QEMU were seen" :
			       "appeared", brief(r.err));
	}
	if (boot_ms > 0)
		usleep(boot_ms * 1000);
	snprintf(state, sizeof(state), "%s/state", entry);
	qemu = qemu_of(pid);
	if (boot_ms < 0)
		TH_LOG("SIGINT as soon as %s appeared (QEMU %s)", entry,
		       qemu > 0 ? "running" : "not started yet");
	else
		TH_LOG("SIGINT %d ms into the boot of QEMU %d, with %s there%s",
		       boot_ms, qemu, entry,
		       access(state, F_OK) ? "" : " (and its state file)");
	kill(pid, SIGINT);
	r.status = wait_status(pid);
	d->child = 0;
	read_file(d->err, r.err, sizeof(r.err));
	EXPECT_EQ(128 + SIGINT, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_NE(NULL, strstr(r.err, "interrupted by signal 2"))
		TH_LOG("stderr: %s", brief(r.err));
	n = count_entries(d->snapdir, &tmp);
	EXPECT_EQ(0, n) TH_LOG("a complete entry was left");
	EXPECT_EQ(0, tmp) TH_LOG("an entry being made was left");
	EXPECT_EQ(0, leftovers(pid, what, sizeof(what))) TH_LOG("%s", what);
}

TEST_F_TIMEOUT(snap, interrupt_while_saving_leaves_nothing, SNAP_TEST_TIMEOUT_S)
{
	/* The entry appears before QEMU starts: no QEMU yet, or just. */
	interrupt_save(_metadata, &self->d, -1);
	/* Half way through the cold boot that is to be saved. */
	interrupt_save(_metadata, &self->d, 1000);
}

/*
 * ^C on a terminal signals ktstr and its QEMU at once.  Sent while QEMU
 * saves the guest (the entry being made has its state file), it is still
 * an interruption: 130, no half entry, nothing left behind; a complete
 * entry, if the save got that far, must be one that restores.
 */
TEST_F_TIMEOUT(snap, ctrl_c_while_saving_is_an_interrupt, SNAP_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", TINY,
				     "--timeout", VM_TIMEOUT, "--exec", "true",
				     NULL };
	char entry[512], state[600], what[PATH_MAX] = "";
	bool seen = false;
	struct run r;
	pid_t pid, qemu;
	int tmp, n;
	double t0;

	pid = self->d.child = start(argv, self->d.out, self->d.err);
	while (waitpid(pid, &r.status, WNOHANG) == 0) {
		if (find_tmp_entry(self->d.snapdir, entry, sizeof(entry))) {
			snprintf(state, sizeof(state), "%s/state", entry);
			if (!access(state, F_OK)) {
				seen = true;
				break;
			}
		}
		usleep(1000);
	}
	if (!seen) {
		self->d.child = 0;
		read_file(self->d.err, r.err, sizeof(r.err));
		SKIP(return, "the save was over before its state file was seen (exit %d): %s",
		     WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1, r.err);
	}
	qemu = qemu_of(pid);
	TH_LOG("SIGINT to ktstr %d and QEMU %d with %s there", pid, qemu,
	       state);
	t0 = now_s();
	kill(pid, SIGINT);
	if (qemu > 0)
		kill(qemu, SIGINT);
	r.status = wait_status(pid);
	r.secs = now_s() - t0;
	self->d.child = 0;
	read_file(self->d.err, r.err, sizeof(r.err));
	TH_LOG("ktstr exited %d, %.1f s after the SIGINT", r.status, r.secs);
	EXPECT_EQ(128 + SIGINT, r.status) TH_LOG("stderr: %s", brief(r.err));
	/* A ^C is answered at once, not after QMP time limits. */
	EXPECT_GT(INTERRUPT_GRACE_S, r.secs);
	n = count_entries(self->d.snapdir, &tmp);
	EXPECT_EQ(0, tmp) TH_LOG("an entry being made was left");
	EXPECT_EQ(0, leftovers(pid, what, sizeof(what))) TH_LOG("%s", what);
	EXPECT_GE(1, n);
	if (n != 1)
		return;
	/* The save got through: the entry must restore. */
	shell(_metadata, &self->d, &r, "after the interrupted save", TINY, NULL,
	      "echo ok");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("ok\n", r.out);
	EXPECT_EQ(BOOT_RESTORED, r.boot) TH_LOG("console notes: %s", r.notes);
}

/*
 * ^C while a guest is being restored: QEMU dies with it, which must not
 * pass for a broken entry.  The run is interrupted (130, the payload
 * never runs, no cold boot instead) and the entry stays, and restores.
 */
TEST_F_TIMEOUT(snap, ctrl_c_while_restoring_is_an_interrupt, SNAP_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", TINY,
				     "--timeout", VM_TIMEOUT, "--exec",
				     "echo payload-ran", NULL };
	char key[KEY_LEN + 1], what[PATH_MAX] = "";
	struct run r;
	pid_t pid, qemu = 0;
	int tmp;
	double t0;

	shell(_metadata, &self->d, &r, "saving", TINY, NULL, "echo payload-ran");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	ASSERT_EQ(BOOT_SAVED, r.boot) TH_LOG("console notes: %s", r.notes);
	snprintf(key, sizeof(key), "%s", r.key);

	pid = self->d.child = start(argv, self->d.out, self->d.err);
	/* QEMU starts once the entry is copied out: it is restoring. */
	while (waitpid(pid, &r.status, WNOHANG) == 0 && !(qemu = qemu_of(pid)))
		usleep(1000);
	if (qemu <= 0) {
		self->d.child = 0;
		read_file(self->d.err, r.err, sizeof(r.err));
		ASSERT_LT(0, qemu)
			TH_LOG("ktstr exited before its QEMU was seen; stderr: %s",
			       brief(r.err));
	}
	TH_LOG("SIGINT to ktstr %d and QEMU %d while restoring", pid, qemu);
	t0 = now_s();
	kill(pid, SIGINT);
	kill(qemu, SIGINT);
	r.status = wait_status(pid);
	r.secs = now_s() - t0;
	self->d.child = 0;
	read_file(self->d.out, r.out, sizeof(r.out));
	read_file(self->d.err, r.err, sizeof(r.err));
	TH_LOG("ktstr exited %d, %.1f s after the SIGINT", r.status, r.secs);
	EXPECT_EQ(128 + SIGINT, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("", r.out) TH_LOG("the payload ran after the interrupt");
	EXPECT_EQ(NULL, strstr(r.err, COLD_NOTE))
		TH_LOG("stderr: %s", brief(r.err));
	EXPECT_GT(INTERRUPT_GRACE_S, r.secs);
	EXPECT_TRUE(entry_complete(self->d.snapdir, key))
		TH_LOG("the interrupt removed a good entry");
	EXPECT_EQ(0, leftovers(pid, what, sizeof(what))) TH_LOG("%s", what);
	EXPECT_GE(1, count_entries(self->d.snapdir, &tmp));
	EXPECT_EQ(0, tmp);

	shell(_metadata, &self->d, &r, "after", TINY, NULL, "echo payload-ran");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("payload-ran\n", r.out);
	EXPECT_EQ(BOOT_RESTORED, r.boot) TH_LOG("console notes: %s", r.notes);
}

/*
 * An entry QEMU cannot load (its state truncated to garbage) costs one
 * cold boot, said on stderr, and is removed; the next run saves a good
 * one.
 */
TEST_F_TIMEOUT(snap, broken_entry_falls_back_to_a_cold_boot, SNAP_TEST_TIMEOUT_S)
{
	char key[KEY_LEN + 1], state[512], line[1024] = "";
	const char *cold;
	struct stat st;
	struct run r;
	int tmp;

	shell(_metadata, &self->d, &r, "saving", TINY, NULL, "echo payload-ran");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	ASSERT_EQ(BOOT_SAVED, r.boot) TH_LOG("console notes: %s", r.notes);
	snprintf(key, sizeof(key), "%s", r.key);
	snprintf(state, sizeof(state), "%s/%s/state", self->d.snapdir, key);
	ASSERT_EQ(0, write_bytes(state, "garbage", 7));

	shell(_metadata, &self->d, &r, "broken entry", TINY, NULL,
	      "echo payload-ran");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("payload-ran\n", r.out);
	cold = strstr(r.err, COLD_NOTE);
	if (cold)
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(cold, "\n"),
			 cold);
	EXPECT_NE(NULL, cold) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_NE(NULL, strstr(line, "snapshot")) TH_LOG("%s", line);
	TH_LOG("%s", line);
	/* Gone, or replaced by a good one already. */
	if (!stat(state, &st))
		EXPECT_NE(7, st.st_size) TH_LOG("the broken entry is still there");
	EXPECT_GE(1, count_entries(self->d.snapdir, &tmp));
	EXPECT_EQ(0, tmp);

	shell(_metadata, &self->d, &r, "after", TINY, NULL, "echo payload-ran");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("payload-ran\n", r.out);
	EXPECT_EQ(NULL, strstr(r.err, COLD_NOTE)) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_NE(BOOT_UNKNOWN, r.boot) TH_LOG("console notes: %s", r.notes);
	EXPECT_STREQ(key, r.key);
	EXPECT_TRUE(entry_complete(self->d.snapdir, key));

	shell(_metadata, &self->d, &r, "after, again", TINY, NULL,
	      "echo payload-ran");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("payload-ran\n", r.out);
	EXPECT_EQ(BOOT_RESTORED, r.boot) TH_LOG("console notes: %s", r.notes);
	EXPECT_STREQ(key, r.key);
}

/*
 * An entry that lost a file cannot even be copied for a restore: it must
 * be made again (or at least not claimed as saved while it stays broken).
 */
TEST_F_TIMEOUT(snap, entry_missing_a_file_is_replaced, SNAP_TEST_TIMEOUT_S)
{
	char key[KEY_LEN + 1], state[512];
	struct run r;
	int tmp;

	shell(_metadata, &self->d, &r, "saving", TINY, NULL, "echo payload-ran");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	ASSERT_EQ(BOOT_SAVED, r.boot) TH_LOG("console notes: %s", r.notes);
	snprintf(key, sizeof(key), "%s", r.key);
	snprintf(state, sizeof(state), "%s/%s/state", self->d.snapdir, key);
	ASSERT_EQ(0, unlink(state));

	shell(_metadata, &self->d, &r, "entry without state", TINY, NULL,
	      "echo payload-ran");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("payload-ran\n", r.out);
	/* A run that says it saved the entry left a complete one. */
	if (r.boot == BOOT_SAVED)
		EXPECT_TRUE(entry_complete(self->d.snapdir, r.key))
			TH_LOG("console says '%s %.12s' but the entry still has no state",
			       SAVED, r.key);
	EXPECT_GE(1, count_entries(self->d.snapdir, &tmp));
	EXPECT_EQ(0, tmp);

	shell(_metadata, &self->d, &r, "after", TINY, NULL, "echo payload-ran");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	EXPECT_STREQ("payload-ran\n", r.out);
	if (r.boot != BOOT_RESTORED) {
		/* At most one more cold boot to replace it. */
		shell(_metadata, &self->d, &r, "after, again", TINY, NULL,
		      "echo payload-ran");
		EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", brief(r.err));
	}
	EXPECT_EQ(BOOT_RESTORED, r.boot)
		TH_LOG("the entry is never replaced; console notes: %s",
		       r.notes);
	EXPECT_TRUE(entry_complete(self->d.snapdir, key));
}

TEST_HARNESS_MAIN
