// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests of `ktstr shell`: each boots a real kernel in QEMU.
 * They run ./ktstr from the repository root as a user would, and check
 * exit codes, the separation of the payload's output from the kernel's,
 * and that nothing is left behind however a VM ends.
 */
#include <dirent.h>
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
#include "ktstr_child.h"

/* A TCG boot takes seconds; leave room on a loaded 2-CPU machine. */
#define VM_TEST_TIMEOUT_S 240

#define MOUNT_CHECK "for m in /proc /sys /dev /sys/fs/cgroup /sys/fs/bpf /sys/kernel/debug /sys/kernel/tracing; do grep -q \" $m \" /proc/mounts || echo missing $m; done; cat /sys/kernel/sched_ext/state"

FIXTURE(vm) {
};

FIXTURE_SETUP(vm)
{
}

FIXTURE_TEARDOWN(vm)
{
}

struct run {
	int status;		/* exit code, or 128+signal */
	char out[8192];
	char err[16384];
};

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

static void collect(struct run *r, pid_t pid, const char *out,
		    const char *err)
{
	r->status = wait_status(pid);
	read_file(out, r->out, sizeof(r->out));
	read_file(err, r->err, sizeof(r->err));
	unlink(out);
	unlink(err);
}

static void run_ktstr(struct run *r, const char *const argv[])
{
	char out[] = "/tmp/ktstr-vmtest-out-XXXXXX";
	char err[] = "/tmp/ktstr-vmtest-err-XXXXXX";

	close(mkstemp(out));
	close(mkstemp(err));
	collect(r, start(argv, out, err), out, err);
}

/* Anything of ktstr process @pid still around: QEMU, shm, run dirs. */
static int leftovers(pid_t pid, char *what, size_t len)
{
	char prefix[64], path[PATH_MAX], cmd[4096];
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
		if (strstr(cmd, "qemu-system") && strstr(cmd, prefix))
			found += snprintf(what, len, "QEMU process %s",
					  de->d_name) > 0;
	}
	if (d)
		closedir(d);
	return found;
}

TEST_F_TIMEOUT(vm, exec_exit_status_is_returned, VM_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", "1n2l2c1t",
			 "--exec", "exit 7", NULL };
	struct run r;

	run_ktstr(&r, argv);
	EXPECT_EQ(7, r.status) TH_LOG("stderr: %s", r.err);
}

TEST_F_TIMEOUT(vm, stdout_and_stderr_are_separate_from_the_kernel_log, VM_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
			 "--exec", "echo to-stdout; echo to-stderr >&2; nproc",
			 NULL };
	struct run r;

	run_ktstr(&r, argv);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ("to-stdout\n2\n", r.out);
	EXPECT_NE(NULL, strstr(r.err, "to-stderr\n"));
	/* Kernel messages stay in the console log. */
	EXPECT_EQ(NULL, strstr(r.out, "Linux version"));
	EXPECT_EQ(NULL, strstr(r.err, "Linux version"));
	EXPECT_NE(NULL, strstr(r.err, "accel "));
}

TEST_F_TIMEOUT(vm, guest_has_the_filesystems_a_scheduler_test_needs, VM_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", "1n1l2c1t", "--exec",
			 MOUNT_CHECK, NULL };
	struct run r;

	run_ktstr(&r, argv);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ("disabled\n", r.out);
}

TEST_F_TIMEOUT(vm, include_copies_files_and_their_libraries, VM_TEST_TIMEOUT_S)
{
	char dir[] = "/tmp/ktstr-include-XXXXXX";
	char script[128], cmd[512];
	const char *const argv[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
			 "--include", dir, "--include", "/usr/bin/stat",
			 "--exec", cmd, NULL };
	struct run r;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/hello.sh", dir);
	f = fopen(script, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "#!/bin/sh\necho hello from $0\n");
	fclose(f);
	chmod(script, 0755);
	/* /usr/bin/stat is dynamic: it only runs if libc came along. */
	snprintf(cmd, sizeof(cmd), "%s && /usr/bin/stat -c %%s %s", script,
		 script);
	run_ktstr(&r, argv);
	unlink(script);
	rmdir(dir);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "hello from")) TH_LOG("out: %s", r.out);
	/* "#!/bin/sh\necho hello from $0\n" is 29 bytes. */
	EXPECT_NE(NULL, strstr(r.out, "\n29\n")) TH_LOG("out: %s", r.out);
}

TEST_F_TIMEOUT(vm, time_limit_stops_the_vm, VM_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
			 "--timeout", "2", "--exec", "sleep 600", NULL };
	char out[] = "/tmp/ktstr-vmtest-out-XXXXXX";
	char err[] = "/tmp/ktstr-vmtest-err-XXXXXX";
	char what[PATH_MAX] = "";
	struct run r;
	pid_t pid;

	close(mkstemp(out));
	close(mkstemp(err));
	pid = start(argv, out, err);
	collect(&r, pid, out, err);
	EXPECT_EQ(124, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "time limit of 2s exceeded"));
	EXPECT_EQ(0, leftovers(pid, what, sizeof(what))) TH_LOG("%s", what);
}

TEST_F_TIMEOUT(vm, guest_panic_is_detected, VM_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", "1n1l2c1t", "--exec",
			 "echo c > /proc/sysrq-trigger; sleep 600", NULL };
	struct run r;

	run_ktstr(&r, argv);
	EXPECT_EQ(125, r.status);
	EXPECT_NE(NULL, strstr(r.err, "VM panic: Kernel panic - not syncing"))
		TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "last console lines"));
}

TEST_F_TIMEOUT(vm, qemu_dying_is_detected, VM_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
			 "--exec", "sleep 600", NULL };
	char out[] = "/tmp/ktstr-vmtest-out-XXXXXX";
	char err[] = "/tmp/ktstr-vmtest-err-XXXXXX";
	char what[PATH_MAX] = "";
	struct run r;
	pid_t pid, qemu_killer;

	/* Kill QEMU from outside while the guest sleeps. */
	close(mkstemp(out));
	close(mkstemp(err));
	pid = start(argv, out, err);
	qemu_killer = fork();
	if (qemu_killer == 0) {
		char pattern[64];

		sleep(15);
		snprintf(pattern, sizeof(pattern), "ktstr-%d-", pid);
		execlp("pkill", "pkill", "-KILL", "-f", pattern, NULL);
		_exit(127);
	}
	collect(&r, pid, out, err);
	wait_status(qemu_killer);
	EXPECT_EQ(125, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "QEMU killed by signal 9"))
		TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(0, leftovers(pid, what, sizeof(what))) TH_LOG("%s", what);
}

static void interrupt_during_boot(struct __test_metadata *_metadata, int sig)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", "2n4l2c1t",
			 "--exec", "sleep 600", NULL };
	char out[] = "/tmp/ktstr-vmtest-out-XXXXXX";
	char err[] = "/tmp/ktstr-vmtest-err-XXXXXX";
	char what[PATH_MAX] = "";
	struct run r;
	pid_t pid;
	int i;

	close(mkstemp(out));
	close(mkstemp(err));
	pid = start(argv, out, err);
	/* Wait until QEMU runs and its memory files exist, then signal. */
	for (i = 0; i < 600 && !leftovers(pid, what, sizeof(what)); i++)
		usleep(50000);
	ASSERT_NE(0, leftovers(pid, what, sizeof(what)));
	usleep(500000);
	kill(pid, sig);
	collect(&r, pid, out, err);
	EXPECT_EQ(128 + sig, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(0, leftovers(pid, what, sizeof(what))) TH_LOG("%s", what);
}

TEST_F_TIMEOUT(vm, sigint_during_boot_leaves_nothing_behind, VM_TEST_TIMEOUT_S)
{
	interrupt_during_boot(_metadata, SIGINT);
}

TEST_F_TIMEOUT(vm, sigterm_during_boot_leaves_nothing_behind, VM_TEST_TIMEOUT_S)
{
	interrupt_during_boot(_metadata, SIGTERM);
}

/* A guest whose init never starts: rdinit=/bin/cat waits on the console. */
TEST_F_TIMEOUT(vm, boot_stall_is_retried_then_reported, VM_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
				     "--cmdline", "rdinit=/bin/cat", "--exec",
				     "true", NULL };
	char out[] = "/tmp/ktstr-vmtest-out-XXXXXX";
	char err[] = "/tmp/ktstr-vmtest-err-XXXXXX";
	char what[PATH_MAX] = "";
	struct run r;
	pid_t pid;

	ASSERT_EQ(0, setenv("KTSTR_BOOT_SILENCE_S", "5", 1));
	close(mkstemp(out));
	close(mkstemp(err));
	pid = start(argv, out, err);
	collect(&r, pid, out, err);
	unsetenv("KTSTR_BOOT_SILENCE_S");
	EXPECT_EQ(125, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "VM boot-stall: the kernel console was silent for 5s"))
		TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "(boot attempt 3)"));
	EXPECT_EQ(0, leftovers(pid, what, sizeof(what))) TH_LOG("%s", what);
}

/*
 * An image over half the VM's memory would unpack only in part: refused.
 * It is built in a throwaway cache, with the kernel named by its entry.
 */
TEST_F_TIMEOUT(vm, image_too_large_for_memory_is_refused, VM_TEST_TIMEOUT_S)
{
	char dir[] = "/tmp/ktstr-bigimage-XXXXXX";
	char big[128], kernel[256], cmd[1024];
	struct run r;
	FILE *p;

	ASSERT_NE(NULL, mkdtemp(dir));
	p = popen("./ktstr kernel show | sed -n 's/^dir *//p'", "r");
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, fgets(kernel, sizeof(kernel), p));
	pclose(p);
	kernel[strcspn(kernel, "\n")] = '\0';
	snprintf(big, sizeof(big), "%s/big", dir);
	snprintf(cmd, sizeof(cmd),
		 "head -c 150M /dev/zero > %s && KTSTR_CACHE_DIR=%s/cache ./ktstr shell --topology 1n1l2c1t --memory 256M --kernel %s --include %s --exec true > %s/out 2>&1",
		 big, dir, kernel, big, dir);
	r.status = WEXITSTATUS(system(cmd));
	snprintf(cmd, sizeof(cmd), "%s/out", dir);
	read_file(cmd, r.err, sizeof(r.err));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
	EXPECT_EQ(1, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "too large for the VM's 256M of memory"))
		TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "use --memory 512M or more"));
}

TEST_F_TIMEOUT(vm, bad_topology_fails_before_booting, VM_TEST_TIMEOUT_S)
{
	const char *const argv[] = { "ktstr", "shell", "--topology", "2n3l2c1t",
			 "--exec", "true", NULL };
	struct run r;

	run_ktstr(&r, argv);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err,
			       "3 LLCs do not divide evenly over 2 NUMA nodes"))
		TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(NULL, strstr(r.err, "booting"));
}

TEST_F_TIMEOUT(vm, bad_options_are_named, VM_TEST_TIMEOUT_S)
{
	const char *const accel[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
			  "--accel", "xen", "--exec", "true", NULL };
	const char *const kernel[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
			   "--kernel", "/nonexistent/bzImage", "--exec",
			   "true", NULL };
	const char *const include[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
			    "--include", "/nonexistent/file", "--exec", "true",
			    NULL };
	const char *const timeout[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
			    "--timeout", "soon", "--exec", "true", NULL };
	const char *const memory[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
			   "--memory", "64M", "--exec", "true", NULL };
	struct run r;

	run_ktstr(&r, accel);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "--accel 'xen'")) TH_LOG("%s", r.err);
	run_ktstr(&r, kernel);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "/nonexistent/bzImage"))
		TH_LOG("%s", r.err);
	run_ktstr(&r, include);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "--include /nonexistent/file"))
		TH_LOG("%s", r.err);
	run_ktstr(&r, timeout);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "--timeout 'soon'")) TH_LOG("%s", r.err);
	run_ktstr(&r, memory);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "memory 64M is too little"))
		TH_LOG("%s", r.err);
}

/* The payload goes on the control port, within /init's bound. */
TEST_F_TIMEOUT(vm, exec_too_long_is_refused_before_booting, VM_TEST_TIMEOUT_S)
{
	static char command[8001];
	const char *const argv[] = { "ktstr", "shell", "--topology", "1n1l2c1t",
				     "--exec", command, NULL };
	struct run r;

	memset(command, ':', sizeof(command) - 1);
	run_ktstr(&r, argv);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "--exec command too long: 8000 bytes, at most 7936"))
		TH_LOG("stderr: %s", r.err);
}

TEST_HARNESS_MAIN
