// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro end to end: `ktstr run` and `ktstr repro` on the crash
 * tests, real VMs, real schedulers, the real probe agent.  QEMU is run
 * through a wrapper ($KTSTR_QEMU) that counts the VMs booted, so "no
 * repro" means one VM; the TAP must parse with python3-tap.  After each
 * run no ktstr file may be left in /dev/shm or $TMPDIR and no QEMU of
 * that run may be alive.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kselftest/runner/tests/cli.h"
#include "kselftest/runner/tests/scratch.h"

#define RUN_TIMEOUT_S 600
#define MAX_SEEN 256

FIXTURE(rvm) {
	char dir[64];
	char tap[96], log[96], json[96], qemu[96], qemu_arm64[96], boots[96];
	char cmdlines[96], root[96];
	char *seen[MAX_SEEN];		/* ktstr files before the run */
	int nr_seen;
};

/* /dev/shm/ktstr-* and $TMPDIR/ktstr-<pid>-*: the VMs' files. */
static int list_files(char **out, int max)
{
	static const char *const dirs[] = { "/dev/shm", "/tmp" };
	char path[512];
	struct dirent *de;
	int n = 0;
	size_t i;

	for (i = 0; i < 2; i++) {
		DIR *d = opendir(dirs[i]);

		while (d && (de = readdir(d)) && n < max) {
			if (strncmp(de->d_name, "ktstr-", 6) ||
			    !isdigit((unsigned char)de->d_name[6]))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i],
				 de->d_name);
			out[n++] = strdup(path);
		}
		if (d)
			closedir(d);
	}
	return n;
}

/* A QEMU that counts each boot and keeps its arguments (one line a VM). */
static int write_qemu(struct _test_data_rvm *self, const char *path,
		      const char *qemu)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "#!/bin/sh\n"
		"case \" $* \" in *\" -kernel \"*) echo boot >> %s;\n"
		"  echo \"$*\" >> %s;; esac\n"
		"exec %s \"$@\"\n", self->boots, self->cmdlines, qemu);
	fclose(f);
	return chmod(path, 0755);
}

FIXTURE_SETUP(rvm)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "repro-vmtest"));
	snprintf(self->tap, sizeof(self->tap), "%s/out.tap", self->dir);
	snprintf(self->log, sizeof(self->log), "%s/err.log", self->dir);
	snprintf(self->json, sizeof(self->json), "%s/json", self->dir);
	snprintf(self->qemu, sizeof(self->qemu), "%s/qemu", self->dir);
	snprintf(self->boots, sizeof(self->boots), "%s/boots", self->dir);
	snprintf(self->cmdlines, sizeof(self->cmdlines), "%s/cmdlines",
		 self->dir);
	snprintf(self->qemu_arm64, sizeof(self->qemu_arm64), "%s/qemu-arm64",
		 self->dir);
	snprintf(self->root, sizeof(self->root), "%s/root", self->dir);
	ASSERT_EQ(0, write_qemu(self, self->qemu, "qemu-system-x86_64"));
	ASSERT_EQ(0, write_qemu(self, self->qemu_arm64, "qemu-system-aarch64"));
	self->nr_seen = list_files(self->seen, MAX_SEEN);
}

FIXTURE_TEARDOWN(rvm)
{
	int i;

	for (i = 0; i < self->nr_seen; i++)
		free(self->seen[i]);
	SCRATCH_REMOVE(self->dir);
}

/* "./ktstr ARGS... > tap 2> log" with the counting QEMU; its status. */
static int run_ktstr(struct _test_data_rvm *self, const char *const *args)
{
	const char *argv[32] = { "./ktstr" };
	int status, i;
	pid_t pid;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	unlink(self->boots);
	unlink(self->cmdlines);
	pid = fork();
	if (pid == 0) {
		int out = open(self->tap, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(self->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (out < 0 || err < 0)
			_exit(127);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		setenv("KTSTR_QEMU", self->qemu, 1);
		setenv("KTSTR_QEMU_ARM64", self->qemu_arm64, 1);
		execv("./ktstr", (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static char *slurp(const char *path)
{
	static char buf[4][1 << 20];
	static int next;
	char *b = buf[next++ % 4];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(b, 1, sizeof(buf[0]) - 1, f) : 0;

	b[n] = '\0';
	if (f)
		fclose(f);
	return b;
}

/* VMs booted by the last run. */
static int boots(struct _test_data_rvm *self)
{
	const char *s = slurp(self->boots);
	int n = 0;

	for (; (s = strstr(s, "boot\n")); s += 5)
		n++;
	return n;
}

/* The pid in "ktstr-<pid>-..." of @path. */
static pid_t owner(const char *path)
{
	const char *base = strrchr(path, '/');

	return atoi(base + strlen("/ktstr-"));
}

/* Files the run left: new since setup, their ktstr process gone. */
static int files_left(struct _test_data_rvm *self, char *which, size_t len)
{
	char *now[MAX_SEEN];
	int n = list_files(now, MAX_SEEN), i, j, left = 0;
	bool old;

	which[0] = '\0';
	for (i = 0; i < n; i++) {
		for (j = 0, old = false; j < self->nr_seen && !old; j++)
			old = !strcmp(now[i], self->seen[j]);
		if (!old && kill(owner(now[i]), 0) && errno == ESRCH) {
			snprintf(which + strlen(which), len - strlen(which),
				 "%s ", now[i]);
			left++;
		}
		free(now[i]);
	}
	return left;
}

/* Processes whose environment has our KTSTR_QEMU: QEMUs of the run. */
static int qemus_alive(struct _test_data_rvm *self)
{
	char path[300], env[65536], want[128];
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0, fd;
	ssize_t len, i;

	snprintf(want, sizeof(want), "KTSTR_QEMU=%s", self->qemu);
	while (d && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/environ", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		len = read(fd, env, sizeof(env) - 1);
		close(fd);
		for (i = 0; i < len; i += strlen(env + i) + 1) {
			env[len] = '\0';
			if (!strcmp(env + i, want)) {
				n++;
				break;
			}
		}
	}
	if (d)
		closedir(d);
	return n;
}

#define EXPECT_CLEAN() do {						\
	char left_[4096];						\
									\
	EXPECT_EQ(0, files_left(self, left_, sizeof(left_)))		\
		TH_LOG("left: %s", left_);				\
	EXPECT_EQ(0, qemus_alive(self));				\
} while (0)

/* The JSON result's auto_repro: an object with the repro VM's calls. */
static int json_has_auto_repro(const char *dir, const char *test,
			       const char *function)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import sys, json\n"
		 "r = json.load(open(sys.argv[1] + \"/\" + sys.argv[2] + \".json\"))\n"
		 "a = r[\"auto_repro\"]\n"
		 "assert isinstance(a, dict), a\n"
		 "assert a[\"repro_vm_s\"] > 0, a\n"
		 "assert any(c[\"function\"] == sys.argv[3] for c in a[\"calls\"]), a\n"
		 "assert r[\"result\"] == \"fail\"' %s %s %s", dir, test, function);
	return system(cmd) == 0;
}

/*
 * What the report of crash.ktstr_error.unexpected_exit shows on every
 * arch: the test failed, two VMs, the trigger task's calls through the
 * BPF functions, decoded; the JSON result has it.
 */
static void expect_error_report(struct __test_metadata *_metadata,
				struct _test_data_rvm *self, const char *tap)
{
	EXPECT_NE(NULL, strstr(tap, "not ok 1 selftests: ktstr: crash.ktstr_error.unexpected_exit"))
		TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(tap, "# AUTO-PROBE: scheduler ktstr_error exited (scx_bpf_error); repro VM wall time "));
	EXPECT_NE(NULL, strstr(tap, "named in the exit message: comm ktstr-trigger"));
	EXPECT_NE(NULL, strstr(tap, " error_enqueue [ops.enqueue] tests/schedulers/ktstr_error.bpf.c:"));
	EXPECT_NE(NULL, strstr(tap, "task_struct *p = 0x"));
	EXPECT_NE(NULL, strstr(tap, " pid="));
	EXPECT_NE(NULL, strstr(tap, " comm=ktstr-trigger"));
	EXPECT_TRUE(strstr(tap, "=SCX_DSQ_") || strstr(tap, "(user DSQ "));
	EXPECT_NE(NULL, strstr(tap, " -> "));
	EXPECT_NE(NULL, strstr(tap, "cpus_mask=0xf (0-3)"));
	EXPECT_EQ(NULL, strstr(tap, "cpus_mask=0xff"));
	EXPECT_EQ(NULL, strstr(tap, "agent: skip"));
	EXPECT_EQ(NULL, strstr(tap, "no probe report"));
	EXPECT_EQ(2, boots(self));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
	EXPECT_TRUE(json_has_auto_repro(self->json,
					"crash.ktstr_error.unexpected_exit",
					"error_enqueue"));
	EXPECT_CLEAN();
}

#define CRASH_PATH "crash path (kernel log backtrace, outermost first): "

/*
 * The report's crash path is @frames, or ends with " -> " @frames: the
 * frames outside them are whatever led to the enqueue.
 */
static bool crash_path_ends(const char *tap, const char *frames)
{
	const char *path = strstr(tap, CRASH_PATH);
	size_t len, n = strlen(frames);

	if (!path)
		return false;
	path += strlen(CRASH_PATH);
	len = strcspn(path, "\n");
	if (len < n || strncmp(path + len - n, frames, n))
		return false;
	return len == n || (len >= n + 4 && !strncmp(path + len - n - 4, " -> ", 4));
}

TEST_F_TIMEOUT(rvm, scx_bpf_error_fails_with_a_probe_report, RUN_TIMEOUT_S)
{
	const char *const args[] = { "run", "--opt-in", "--json", self->json,
			       "crash.ktstr_error.unexpected_exit", NULL };
	const char *tap;

	EXPECT_EQ(1, run_ktstr(self, args)) TH_LOG("%s", slurp(self->log));
	tap = slurp(self->tap);
	/*
	 * The trigger task is enqueued by a wakeup (enqueue_task_scx) or,
	 * having renamed itself while it ran, when its slice ends
	 * (put_prev_task_scx, SCX_OPS_ENQ_LAST): either is its crash path.
	 * A wakeup from a timer or softirq puts the frames that woke it
	 * first (tmigr_handle_remote -> enqueue_task_scx -> ...).
	 */
	EXPECT_TRUE(crash_path_ends(tap, "enqueue_task_scx -> scx_do_enqueue_task -> error_enqueue [ops.enqueue] -> check_trigger [ops.enqueue]") ||
		    crash_path_ends(tap, "put_prev_task_scx -> scx_do_enqueue_task -> error_enqueue [ops.enqueue] -> check_trigger [ops.enqueue]"))
		TH_LOG("%s", tap);
	EXPECT_TRUE(strstr(tap, " enqueue_task_scx (kernel), CPU ") ||
		    strstr(tap, " put_prev_task_scx (kernel), CPU ") ||
		    strstr(tap, " scx_do_enqueue_task (kernel), CPU "))
		TH_LOG("%s", tap);
	expect_error_report(_metadata, self, tap);
}

TEST_F_TIMEOUT(rvm, no_exit_no_repro, RUN_TIMEOUT_S)
{
	const char *const args[] = { "run", "--opt-in", "--json", self->json,
			       "crash.ktstr_fifo.unexpected_exit", NULL };
	const char *tap;
	char cmd[512];

	EXPECT_EQ(0, run_ktstr(self, args)) TH_LOG("%s", slurp(self->tap));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "ok 1 selftests: ktstr: crash.ktstr_fifo.unexpected_exit"));
	EXPECT_EQ(NULL, strstr(tap, "AUTO-PROBE"));
	EXPECT_EQ(NULL, strstr(tap, "was kicked out"));
	EXPECT_EQ(1, boots(self));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import sys, json\n"
		 "r = json.load(open(sys.argv[1]))\n"
		 "sys.exit(0 if r[\"result\"] == \"pass\" and \"auto_repro\" not in r else 1)' %s/%s",
		 self->json, "crash.ktstr_fifo.unexpected_exit.json");
	EXPECT_EQ(0, system(cmd));
	EXPECT_CLEAN();
}

TEST_F_TIMEOUT(rvm, no_auto_repro, RUN_TIMEOUT_S)
{
	const char *const args[] = { "run", "--opt-in", "--no-auto-repro",
			       "crash.ktstr_error.unexpected_exit", NULL };
	const char *tap;

	EXPECT_EQ(1, run_ktstr(self, args)) TH_LOG("%s", slurp(self->log));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "not ok 1 selftests: ktstr: crash.ktstr_error.unexpected_exit"));
	EXPECT_NE(NULL, strstr(tap, "scheduler ktstr_error was kicked out: scx_bpf_error"));
	EXPECT_EQ(NULL, strstr(tap, "AUTO-PROBE"));
	EXPECT_EQ(1, boots(self));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
	EXPECT_CLEAN();
}

TEST_F_TIMEOUT(rvm, stall_shows_the_starved_task, RUN_TIMEOUT_S)
{
	const char *const args[] = { "run", "--opt-in", "--json", self->json,
			       "crash.ktstr_stall.unexpected_exit", NULL };
	const char *tap;

	EXPECT_EQ(1, run_ktstr(self, args)) TH_LOG("%s", slurp(self->log));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "# AUTO-PROBE: scheduler ktstr_stall exited (runnable task stall); repro VM wall time "))
		TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(tap, "crash path (kernel log backtrace, outermost first): empty (only generic frames)"));
	EXPECT_NE(NULL, strstr(tap, "exit fired: kind 1026 on CPU "));
	EXPECT_NE(NULL, strstr(tap, "named in the exit message: comm ktstr-starve"));
	EXPECT_NE(NULL, strstr(tap, " stall_enqueue [ops.enqueue] tests/schedulers/ktstr_stall.bpf.c:"));
	EXPECT_NE(NULL, strstr(tap, "scx.ddsp_dsq_id=SCX_DSQ_INVALID -> 0x1 (user DSQ 1)"));
	EXPECT_NE(NULL, strstr(tap, " comm=ktstr-starve"));
	EXPECT_EQ(NULL, strstr(tap, "no probe report"));
	EXPECT_EQ(2, boots(self));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
	EXPECT_TRUE(json_has_auto_repro(self->json,
					"crash.ktstr_stall.unexpected_exit",
					"stall_enqueue"));
	EXPECT_CLEAN();
}

/*
 * The offsets of "virtual offset 0x..., phys_base 0x..." in the monitor's
 * summary in @tap; -1 without one.
 */
static int kernel_place(const char *tap, unsigned long long *virt_offset,
			unsigned long long *phys_base)
{
	const char *s = strstr(tap, "# monitor: kernel found in ");

	s = s ? strstr(s, ": virtual offset ") : NULL;
	if (!s || sscanf(s, ": virtual offset 0x%llx, phys_base 0x%llx",
			 virt_offset, phys_base) != 2)
		return -1;
	return 0;
}

/* Both VMs' QEMU arguments (the wrapper's log): nokaslr in each, or in none. */
static bool every_boot_has(struct _test_data_rvm *self, bool nokaslr)
{
	const char *s = slurp(self->cmdlines), *end;
	int n = 0;

	for (; *s; s = *end ? end + 1 : end, n++) {
		end = strchr(s, '\n');
		if (!end)
			end = s + strlen(s);
		if ((memmem(s, end - s, " nokaslr", 8) != NULL) != nokaslr)
			return false;
	}
	return n == 2;
}

/*
 * On demand, for a test that expects its scheduler's exit: `ktstr repro`
 * on a negative test: a report, two VMs, and the first VM's monitor
 * found its kernel: moved by KASLR (@kaslr), or where it was linked.
 * The probe VM gets the same (its QEMU arguments).  KTSTR_NOKASLR of
 * the caller's environment does not count: only the options given.
 */
static void repro_on_demand(struct __test_metadata *_metadata,
			    struct _test_data_rvm *self,
			    const char *const *args, bool kaslr)
{
	unsigned long long virt_offset, phys_base;
	const char *tap;

	unsetenv("KTSTR_NOKASLR");

	EXPECT_EQ(0, run_ktstr(self, args)) TH_LOG("%s", slurp(self->log));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "ok 1 selftests: ktstr: negative.ktstr_error.caught"));
	EXPECT_NE(NULL, strstr(tap, "# AUTO-PROBE: scheduler ktstr_error exited (scx_bpf_error); repro VM wall time "))
		TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(tap, " error_enqueue [ops.enqueue] "));
	ASSERT_EQ(0, kernel_place(tap, &virt_offset, &phys_base)) TH_LOG("%s", tap);
	/* KASLR leaves both 0 by chance about once in 10^5 boots. */
	EXPECT_EQ(kaslr, virt_offset || phys_base)
		TH_LOG("virtual offset 0x%llx, phys_base 0x%llx", virt_offset,
		       phys_base);
	EXPECT_NE(NULL, strstr(tap, kaslr ? ", moved by KASLR\n" :
				     ", not moved (no KASLR)\n")) TH_LOG("%s", tap);
	EXPECT_EQ(2, boots(self));
	EXPECT_TRUE(every_boot_has(self, !kaslr))
		TH_LOG("%s", slurp(self->cmdlines));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
	EXPECT_CLEAN();
}

/* KASLR on, the default: both VMs' kernels wherever it put them. */
TEST_F_TIMEOUT(rvm, repro_on_demand, RUN_TIMEOUT_S)
{
	const char *const args[] = { "repro", "negative.ktstr_error.caught", NULL };

	repro_on_demand(_metadata, self, args, true);
}

/* --nokaslr reaches both VMs: the kernel where it was linked. */
TEST_F_TIMEOUT(rvm, repro_on_demand_nokaslr, RUN_TIMEOUT_S)
{
	const char *const args[] = { "repro", "--nokaslr",
				     "negative.ktstr_error.caught", NULL };

	repro_on_demand(_metadata, self, args, false);
}

/*
 * The kprobe fallback, forced where fentry works: enqueue_task_scx (a
 * BTF FUNC, decoded as with fentry) and hrtimer_try_to_cancel.part.0 (in
 * /proc/kallsyms, not in BTF: raw arguments).  Nothing on the crash path
 * lacks BTF on this kernel (its callees are BTF FUNCs down to
 * scx_resolve_local_dsq.part.0, only called with sub-schedulers), hence
 * a kallsyms-only function off the path, forced.  And the skips: in
 * neither, blacklisted, notrace.
 */
TEST_F_TIMEOUT(rvm, repro_kprobe_fallback, RUN_TIMEOUT_S)
{
	const char *const args[] = { "repro", "--json", self->json,
			       "--kprobe", "enqueue_task_scx",
			       "--kprobe=hrtimer_try_to_cancel.part.0",
			       "--kprobe", "no_such_fn_ktstr",
			       "--kprobe", "notify_die", "--kprobe", "memcmp",
			       "negative.ktstr_error.caught", NULL };
	const char *tap, *k;
	char cmd[1024];

	EXPECT_EQ(0, run_ktstr(self, args)) TH_LOG("%s", slurp(self->log));
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "named in the exit message: comm ktstr-trigger"))
		TH_LOG("%s", tap);
	k = strstr(tap, " enqueue_task_scx (kernel, kprobe), CPU ");
	ASSERT_NE(NULL, k) TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(k, "#       rq *rq = 0x"));
	EXPECT_NE(NULL, strstr(k, "#       task_struct *p = 0x"));
	EXPECT_NE(NULL, strstr(k, " pid="));
	EXPECT_NE(NULL, strstr(k, " comm=ktstr-trigger"));
	EXPECT_NE(NULL, strstr(k, " -> "));
	/* the path's other kernel function: still fentry */
	EXPECT_NE(NULL, strstr(tap, " scx_do_enqueue_task (kernel), CPU "));
	EXPECT_NE(NULL, strstr(tap, "#   calls of functions kprobe'd without BTF, of any task (no task argument):\n"
				    "#   #1 hrtimer_try_to_cancel.part.0 (kernel, kprobe), CPU "));
	EXPECT_NE(NULL, strstr(tap, "#       raw args (no BTF prototype): arg0=0x"));
	EXPECT_NE(NULL, strstr(tap, "#   agent: skip no_such_fn_ktstr not in the kernel's BTF (inlined or static): no fentry, and not in /proc/kallsyms: no kprobe\n"));
	EXPECT_NE(NULL, strstr(tap, "#   agent: skip notify_die kprobe forced (-K), and in the kprobe blacklist (/sys/kernel/debug/kprobes/blacklist): no kprobe\n"));
	EXPECT_NE(NULL, strstr(tap, "#   agent: skip memcmp kprobe attach failed: "));
	EXPECT_EQ(NULL, strstr(tap, "agent: skip enqueue_task_scx"));
	EXPECT_EQ(NULL, strstr(tap, "agent: skip hrtimer_try_to_cancel"));
	EXPECT_EQ(2, boots(self));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import sys, json\n"
		 "a = json.load(open(sys.argv[1]))[\"auto_repro\"]\n"
		 "assert any(c[\"function\"] == \"enqueue_task_scx\" and c[\"mechanism\"] == \"kprobe\" for c in a[\"calls\"]), a\n"
		 "assert any(c[\"function\"] == \"hrtimer_try_to_cancel.part.0\" and c[\"raw\"] for c in a[\"raw_calls\"]), a' %s/%s",
		 self->json, "negative.ktstr_error.caught.json");
	EXPECT_EQ(0, system(cmd));
	EXPECT_CLEAN();
}

/* Why arm64 guests cannot run here (as arm64_vm_test says), or NULL. */
static const char *no_arm64(void)
{
	if (access("build/arm64/guest/init", R_OK) ||
	    access("build/arm64/suite/crash", X_OK) ||
	    access("build/arm64/repro-agent/ktstr-probe", X_OK))
		return "no build/arm64 (make arm64)";
	if (system("test -n \"$(vmm/kernel/default-kernel.sh arm64 2>/dev/null)\""))
		return "no arm64 kernel in the cache (ktstr kernel fetch --arch arm64)";
	return NULL;
}

/*
 * The crash in an arm64 guest, and its probe VM an arm64 guest with the
 * arm64 build's agent: fentry on the path's kernel functions, the BPF
 * functions, and a kprobe forced on enqueue_task_scx, whose arguments
 * come from x0 and x1 and decode through the arm64 kernel's BTF as
 * fentry's do.  The first VM's monitor found the arm64 kernel.
 */
TEST_F_TIMEOUT(rvm, arm64_scx_bpf_error_fails_with_a_probe_report, RUN_TIMEOUT_S)
{
	const char *const args[] = { "run", "--arch", "arm64", "--opt-in",
			       "--json", self->json,
			       "crash.ktstr_error.unexpected_exit", NULL };
	const char *why = no_arm64(), *tap, *k;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, setenv("KTSTR_REPRO_KPROBE", "enqueue_task_scx", 1));
	EXPECT_EQ(1, run_ktstr(self, args)) TH_LOG("%s", slurp(self->log));
	unsetenv("KTSTR_REPRO_KPROBE");
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "# monitor: arm64 kernel found in "))
		TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(tap, "-> error_enqueue [ops.enqueue] -> check_trigger [ops.enqueue]\n"))
		TH_LOG("%s", tap);
	k = strstr(tap, " enqueue_task_scx (kernel, kprobe), CPU ");
	ASSERT_NE(NULL, k) TH_LOG("%s", tap);
	EXPECT_NE(NULL, strstr(k, "#       rq *rq = 0x"));
	EXPECT_NE(NULL, strstr(k, "#       task_struct *p = 0x"));
	EXPECT_NE(NULL, strstr(k, " comm=ktstr-trigger"));
	EXPECT_NE(NULL, strstr(slurp(self->cmdlines), "-machine virt,"));
	expect_error_report(_metadata, self, tap);
}

/*
 * A ktstr tree at self->root whose @build ("build", "build/arm64") has
 * all but the probe agent: links to this tree's programs, topologies,
 * guest helpers and kernel config fragments.
 */
static int root_without_agent(struct _test_data_rvm *self, const char *build)
{
	char cwd[256], cmd[2048];

	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "set -e; mkdir -p %s/%s; for d in topologies vmm config; do ln -s %s/$d %s/$d; done; "
		 "for d in guest suite schedulers; do ln -s %s/%s/$d %s/%s/$d; done",
		 self->root, build, cwd, self->root, cwd, build, self->root,
		 build);
	return system(cmd);
}

/* ktstr repro without the arm64 agent: said before anything boots. */
TEST_F_TIMEOUT(rvm, arm64_repro_needs_the_arm64_agent, 120)
{
	const char *const args[] = { "repro", "--arch", "arm64",
			       "crash.ktstr_error.unexpected_exit", NULL };
	const char *why = no_arm64();
	char want[256];

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, root_without_agent(self, "build/arm64"));
	ASSERT_EQ(0, setenv("KTSTR_ROOT", self->root, 1));
	EXPECT_EQ(1, run_ktstr(self, args)) TH_LOG("%s", slurp(self->log));
	unsetenv("KTSTR_ROOT");
	snprintf(want, sizeof(want),
		 "ktstr run: no probe agent for arm64 guests: %s/build/arm64/repro-agent/ktstr-probe (run 'make arm64'): No such file or directory\n",
		 self->root);
	EXPECT_STREQ(want, slurp(self->log));
	EXPECT_EQ(0, boots(self));
	EXPECT_CLEAN();
}

/*
 * ktstr run without the agent: the test fails as it would, and its
 * AUTO-PROBE section says why there is no probe VM.
 */
TEST_F_TIMEOUT(rvm, auto_repro_without_the_agent_says_so, RUN_TIMEOUT_S)
{
	const char *const args[] = { "run", "--opt-in",
			       "crash.ktstr_error.unexpected_exit", NULL };
	const char *tap;
	char want[256];

	ASSERT_EQ(0, root_without_agent(self, "build"));
	ASSERT_EQ(0, setenv("KTSTR_ROOT", self->root, 1));
	EXPECT_EQ(1, run_ktstr(self, args)) TH_LOG("%s", slurp(self->log));
	unsetenv("KTSTR_ROOT");
	tap = slurp(self->tap);
	EXPECT_NE(NULL, strstr(tap, "not ok 1 selftests: ktstr: crash.ktstr_error.unexpected_exit"))
		TH_LOG("%s", tap);
	snprintf(want, sizeof(want),
		 "# AUTO-PROBE: skipped: no probe agent for x86_64 guests: %s/build/repro-agent/ktstr-probe (run 'make'): No such file or directory\n",
		 self->root);
	EXPECT_NE(NULL, strstr(tap, want)) TH_LOG("%s", tap);
	EXPECT_EQ(1, boots(self));
	EXPECT_TRUE(cli_tap_file_is_valid(self->tap));
	EXPECT_CLEAN();
}

/* Bad input: a message, exit status 1 or 2, and no VM. */
TEST_F_TIMEOUT(rvm, repro_errors, 120)
{
	static const struct {
		const char *args[5];
		int status;
		const char *message;
	} cases[] = {
		{ { "repro", "no-such-test" }, 1,
		  "ktstr run: no test matches 'no-such-test'\n" },
		{ { "repro", "lifecycle.eevdf.attach_run_detach" }, 1,
		  "ktstr run: lifecycle.eevdf.attach_run_detach runs no sched_ext scheduler (EEVDF): there is no exit to probe\n" },
		{ { "repro" }, 2,
		  "Usage: ktstr repro [--kprobe FUNC]... [ktstr run options] TEST...\n" },
		{ { "repro", "--no-auto-repro", "crash" }, 2,
		  "ktstr repro: --no-auto-repro: the probe VM is what ktstr repro runs\n" },
		{ { "repro", "--bogus", "crash" }, 2,
		  "unrecognized option '--bogus'" },
		{ { "repro", "--timeout", "x", "crash" }, 2, "--timeout" },
		{ { "repro", "--kprobe", "a;b", "crash" }, 2,
		  "ktstr repro: --kprobe: 'a;b' is not a function name\n" },
		{ { "repro", "crash", "--kprobe" }, 2,
		  "ktstr repro: --kprobe needs a function name\n" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(cases[i].status, run_ktstr(self, cases[i].args))
			TH_LOG("case %zu: %s", i, slurp(self->log));
		EXPECT_NE(NULL, strstr(slurp(self->log), cases[i].message))
			TH_LOG("case %zu: %s", i, slurp(self->log));
		EXPECT_EQ(0, boots(self));
		EXPECT_EQ(NULL, strstr(slurp(self->tap), "AUTO-PROBE"));
	}
	EXPECT_CLEAN();
}

TEST_HARNESS_MAIN
