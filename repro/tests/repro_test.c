// SPDX-License-Identifier: GPL-2.0
/*
 * The AUTO-PROBE report from real repro VM output, and the error paths
 * of auto-repro that need no VM.  The fixtures: the TAP of a first VM in
 * which crash.ktstr_error and crash.ktstr_stall were kicked out
 * (crash_*.tap), and the agent's output from a VM that ran the same
 * tests under it (agent_*.out), both as the VMs printed them.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fixtures.h"
#include "cache.h"
#include "error.h"
#include "repro.h"

/* @s with each @from replaced by @to, malloc'd. */
static char *replace(const char *s, const char *from, const char *to)
{
	size_t n = 0, flen = strlen(from);
	const char *at, *p;
	char *out, *o;

	for (p = s; (at = strstr(p, from)); p = at + flen)
		n++;
	if (!n)
		return NULL;
	out = malloc(strlen(s) + n * strlen(to) + 1);
	if (!out)
		return NULL;
	for (o = out, p = s; (at = strstr(p, from)); p = at + flen)
		o += sprintf(o, "%.*s%s", (int)(at - p), p, to);
	memcpy(o, p, strlen(p) + 1);
	return out;
}

/* The address of "triggering task 0x...". */
static unsigned long long trigger_of(const char *text)
{
	const char *p = text ? strstr(text, "triggering task 0x") : NULL;

	return p ? strtoull(p + strlen("triggering task "), NULL, 16) : 0;
}

/* Does python3's json module load @json as an object? */
static int json_is_valid(const char *json)
{
	char path[] = "/tmp/ktstr-repro-test-XXXXXX", cmd[256];
	int fd = mkstemp(path), ret;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (!f)
		return 0;
	fputs(json, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d, dict) else 1)' %s",
		 path);
	ret = system(cmd) == 0;
	unlink(path);
	return ret;
}

FIXTURE(rep) {
	char vmlinux[4096];
	char *error_tap, *error_out, *stall_tap, *stall_out;
	struct kt_repro_result res;
};

FIXTURE_SETUP(rep)
{
	memset(&self->res, 0, sizeof(self->res));
	ASSERT_EQ(0, default_vmlinux(self->vmlinux, sizeof(self->vmlinux)));
	self->error_tap = read_fixture("crash_error.tap");
	self->error_out = read_fixture("agent_error.out");
	self->stall_tap = read_fixture("crash_stall.tap");
	self->stall_out = read_fixture("agent_stall.out");
	ASSERT_NE(NULL, self->error_tap);
	ASSERT_NE(NULL, self->error_out);
	ASSERT_NE(NULL, self->stall_tap);
	ASSERT_NE(NULL, self->stall_out);
}

FIXTURE_TEARDOWN(rep)
{
	kt_repro_result_free(&self->res);
	free(self->error_tap);
	free(self->error_out);
	free(self->stall_tap);
	free(self->stall_out);
}

TEST_F(rep, error_report)
{
	const char *t, *p;

	ASSERT_EQ(0, kt_repro_report(self->error_tap, self->error_out,
				     self->vmlinux, 7.46, &self->res));
	t = self->res.text;
	ASSERT_NE(NULL, t);
	EXPECT_EQ(t, strstr(t, "AUTO-PROBE: scheduler ktstr_error exited (scx_bpf_error); repro VM wall time 7.5s\n"))
		TH_LOG("%s", t);
	EXPECT_NE(NULL, strstr(t, "crash path (kernel log backtrace, outermost first): enqueue_task_scx -> scx_do_enqueue_task -> error_enqueue [ops.enqueue] -> check_trigger [ops.enqueue]\n"));
	EXPECT_NE(NULL, strstr(t, "exit probe: tp_btf/sched_ext_exit"));
	EXPECT_NE(NULL, strstr(t, "exit fired: kind 1025 on CPU 0\n"));
	EXPECT_NE(NULL, strstr(t, ", named in the exit message: comm ktstr-trigger\n"));
	EXPECT_NE(NULL, strstr(t, " enqueue_task_scx (kernel), CPU 0, returned after the exit fired\n"));
	EXPECT_NE(NULL, strstr(t, " error_enqueue [ops.enqueue] tests/schedulers/ktstr_error.bpf.c:50, CPU 0, returned after the exit fired\n"));
	EXPECT_NE(NULL, strstr(t, "task_struct *p = 0x"));
	EXPECT_NE(NULL, strstr(t, "comm=ktstr-trigger"));
	EXPECT_NE(NULL, strstr(t, "scx.ddsp_dsq_id=SCX_DSQ_INVALID -> 0x0 (user DSQ 0)\n"));
	EXPECT_NE(NULL, strstr(t, "scx.local_dsq.id=SCX_DSQ_LOCAL"));
	EXPECT_NE(NULL, strstr(t, "enq_flags=SCX_ENQ_WAKEUP|"));
	/* the possible CPUs' bytes only: 4 CPUs */
	for (p = strstr(t, "cpus_mask="); p; p = strstr(p + 1, "cpus_mask="))
		EXPECT_EQ(0, strncmp(p, "cpus_mask=0xf (0-3)", 19));
	EXPECT_NE(NULL, strstr(t, "cpus_mask=0xf (0-3)"));
	/* the calls of that one task, the last 12 */
	EXPECT_NE(NULL, strstr(t, "\n  #12 check_trigger [ops.enqueue]"));
	EXPECT_EQ(NULL, strstr(t, "\n  #13 "));
	EXPECT_EQ(NULL, strstr(t, "comm=ktstr-probe"));
	/* fentry everywhere: no kprobe was asked for or needed */
	EXPECT_EQ(NULL, strstr(t, "kprobe"));
	EXPECT_TRUE(json_is_valid(self->res.json)) TH_LOG("%s", self->res.json);
	EXPECT_NE(NULL, strstr(self->res.json, "\"kind\":\"kernel\",\"mechanism\":\"fentry\""));
	EXPECT_NE(NULL, strstr(self->res.json, "\"raw_calls\":[]"));
	EXPECT_NE(NULL, strstr(self->res.json, "\"repro_vm_s\":7.46"));
	EXPECT_NE(NULL, strstr(self->res.json, "\"task_rule\":\"named in the exit message: comm ktstr-trigger\""));
}

TEST_F(rep, stall_report_shows_the_starved_task)
{
	const char *t;

	ASSERT_EQ(0, kt_repro_report(self->stall_tap, self->stall_out,
				     self->vmlinux, 9.6, &self->res));
	t = self->res.text;
	ASSERT_NE(NULL, t);
	EXPECT_EQ(t, strstr(t, "AUTO-PROBE: scheduler ktstr_stall exited (runnable task stall); repro VM wall time 9.6s\n"))
		TH_LOG("%s", t);
	EXPECT_NE(NULL, strstr(t, "crash path (kernel log backtrace, outermost first): empty (only generic frames)"));
	EXPECT_NE(NULL, strstr(t, "exit fired: kind 1026 on CPU 2\n"));
	/* nothing of it is in flight when the watchdog fires: by name */
	EXPECT_NE(NULL, strstr(t, ", named in the exit message: comm ktstr-starve\n"));
	EXPECT_NE(NULL, strstr(t, " stall_enqueue [ops.enqueue] tests/schedulers/ktstr_stall.bpf.c:37, CPU "));
	/* parked in the DSQ that no CPU consumes */
	EXPECT_NE(NULL, strstr(t, "scx.ddsp_dsq_id=SCX_DSQ_INVALID -> 0x1 (user DSQ 1)\n"));
	EXPECT_NE(NULL, strstr(t, "comm=ktstr-starve"));
	EXPECT_EQ(NULL, strstr(t, "comm=ktstr-probe"));
	EXPECT_TRUE(json_is_valid(self->res.json)) TH_LOG("%s", self->res.json);
}

/*
 * The agent's output of `ktstr repro --kprobe enqueue_task_scx --kprobe
 * hrtimer_try_to_cancel.part.0 --kprobe memcmp --kprobe no_such_fn_ktstr
 * --kprobe notify_die negative.ktstr_error.caught`: the first kprobe'd
 * with its BTF prototype, the second (not in BTF) with raw arguments.
 */
TEST_F(rep, kprobe_report)
{
	char *out = read_fixture("agent_error_kprobe.out"), cmd[1024];
	char path[] = "/tmp/ktstr-repro-test-XXXXXX";
	const char *t, *k, *head;
	int fd;
	FILE *f;

	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, kt_repro_report(self->error_tap, out, self->vmlinux, 8.9,
				     &self->res));
	free(out);
	t = self->res.text;
	ASSERT_NE(NULL, t);
	EXPECT_NE(NULL, strstr(t, "  agent: skip no_such_fn_ktstr not in the kernel's BTF (inlined or static): no fentry, and not in /proc/kallsyms: no kprobe\n"))
		TH_LOG("%s", t);
	EXPECT_NE(NULL, strstr(t, "  agent: skip notify_die kprobe forced (-K), and in the kprobe blacklist (/sys/kernel/debug/kprobes/blacklist): no kprobe\n"));
	EXPECT_NE(NULL, strstr(t, "  agent: skip memcmp kprobe attach failed: Invalid argument (not in available_filter_functions: "));
	EXPECT_NE(NULL, strstr(t, ", named in the exit message: comm ktstr-trigger\n"));
	/* kprobe'd with the BTF prototype: decoded, entry -> exit */
	head = "  #9 enqueue_task_scx (kernel, kprobe), CPU 1, returned after the exit fired\n"
	       "      rq *rq = 0xffff88801dcb25c0\n"
	       "        nr_running=0 -> 1\n";
	k = strstr(t, head);
	ASSERT_NE(NULL, k) TH_LOG("%s", t);
	EXPECT_NE(NULL, strstr(k, "      task_struct *p = 0xffff888005b30000\n"));
	EXPECT_NE(NULL, strstr(k, "        scx.dsq_seq=5 -> 442\n"));
	EXPECT_NE(NULL, strstr(k, "pid=128 comm=ktstr-trigger\n      core_enq_flags=SCX_ENQ_WAKEUP|SCX_ENQ_CPU_SELECTED|0x8\n  #10 scx_do_enqueue_task (kernel), CPU 1"));
	/* kprobe'd without BTF: raw registers, no task, a section of its own */
	k = strstr(t, "  calls of functions kprobe'd without BTF, of any task (no task argument):\n"
		      "  #1 hrtimer_try_to_cancel.part.0 (kernel, kprobe), CPU 3\n"
		      "      raw args (no BTF prototype): arg0=0xffffc9000045fa10 arg1=0xffff8880047fc680 arg2=0xe84 arg3=0x1 arg4=0x1 arg5=0x1\n"
		      "      returned 0x1\n");
	EXPECT_NE(NULL, k);
	EXPECT_NE(NULL, strstr(t, "\n  #4 hrtimer_try_to_cancel.part.0 (kernel, kprobe), CPU 3\n"));
	EXPECT_EQ(NULL, strstr(t, "\n  #5 hrtimer_try_to_cancel.part.0"));
	EXPECT_EQ(NULL, strstr(t, " memcmp (kernel"));

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	f = fdopen(fd, "w");
	ASSERT_NE(NULL, f);
	fputs(self->res.json, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import json, sys\n"
		 "a = json.load(open(sys.argv[1]))\n"
		 "m = {c[\"function\"]: c[\"mechanism\"] for c in a[\"calls\"]}\n"
		 "assert m[\"enqueue_task_scx\"] == \"kprobe\", m\n"
		 "assert m[\"scx_do_enqueue_task\"] == \"fentry\", m\n"
		 "r = a[\"raw_calls\"]\n"
		 "assert len(r) == 4 and all(c[\"raw\"] and c[\"mechanism\"] == \"kprobe\" for c in r), r\n"
		 "assert r[0][\"args\"][0] == {\"name\": \"arg0\", \"value\": \"0xffffc9000045fa10\"}, r\n"
		 "assert r[0][\"ret\"] == \"0x1\", r' %s", path);
	EXPECT_EQ(0, system(cmd)) TH_LOG("%s", self->res.json);
	unlink(path);
}

/* A call without BTF made inside a call of the task is the task's. */
TEST_F(rep, raw_call_inside_a_call_of_the_task)
{
	char *out = read_fixture("agent_error_kprobe.out"), *moved;
	const char *t;

	ASSERT_NE(NULL, out);
	/* its first call, on CPU 3, put on CPU 1 inside the #9 enqueue */
	moved = replace(out, "KTSTR-PROBE call E 3090 3090 8 3 ",
			"KTSTR-PROBE call E 3090 3090 8 1 ");
	free(out);
	ASSERT_NE(NULL, moved);
	ASSERT_EQ(0, kt_repro_report(self->error_tap, moved, self->vmlinux, 1,
				     &self->res));
	free(moved);
	t = self->res.text;
	EXPECT_NE(NULL, strstr(t, "hrtimer_try_to_cancel.part.0 (kernel, kprobe), CPU 1\n"))
		TH_LOG("%s", t);
	EXPECT_EQ(NULL, strstr(t, "\n  #4 hrtimer_try_to_cancel.part.0"));
}

/* $KTSTR_REPRO_KPROBE goes on a shell command line: names only. */
TEST_F(rep, forced_kprobe_names)
{
	struct kt_vm_opts vo = { .kernel = "/nonexistent", .command = "true" };

	EXPECT_TRUE(kt_repro_func_name_ok("hrtimer_try_to_cancel.part.0", 28));
	EXPECT_FALSE(kt_repro_func_name_ok("a;b", 3));
	EXPECT_FALSE(kt_repro_func_name_ok("", 0));
	setenv("KTSTR_REPRO_KPROBE", "enqueue_task_scx,x'y", 1);
	EXPECT_EQ(-1, kt_repro_run(&vo, "true", self->error_tap, self->vmlinux,
				   &self->res));
	unsetenv("KTSTR_REPRO_KPROBE");
	EXPECT_STREQ("KTSTR_REPRO_KPROBE: 'x'y' is not a function name",
		     kt_errmsg());
}

/* A message naming a task not seen: the one in flight, the same task. */
TEST_F(rep, in_flight_when_the_named_task_is_not_seen)
{
	struct kt_repro_result named;
	char *tap = replace(self->error_tap, "comm=ktstr-trigger\n",
			    "comm=not-seen\n");

	ASSERT_NE(NULL, tap);
	ASSERT_EQ(0, kt_repro_report(self->error_tap, self->error_out,
				     self->vmlinux, 1, &named));
	ASSERT_EQ(0, kt_repro_report(tap, self->error_out, self->vmlinux, 1,
				     &self->res));
	free(tap);
	EXPECT_NE(NULL, strstr(self->res.text, ", in flight on CPU 0 when the exit fired; the task the message names was not seen\n"))
		TH_LOG("%s", self->res.text);
	EXPECT_NE(0, trigger_of(named.text));
	EXPECT_EQ(trigger_of(named.text), trigger_of(self->res.text));
	kt_repro_result_free(&named);
}

/* The stall's message names a task the agent did not see: all tasks. */
TEST_F(rep, no_trigger_shows_all_tasks)
{
	char *tap = replace(self->stall_tap, "ktstr-starve[",
			    "someone-else[");

	ASSERT_NE(NULL, tap);
	ASSERT_EQ(0, kt_repro_report(tap, self->stall_out, self->vmlinux, 1,
				     &self->res));
	free(tap);
	EXPECT_NE(NULL, strstr(self->res.text, "triggering task 0x0, none: the task the message names was not seen and no call was in flight on CPU 2; all tasks\n"))
		TH_LOG("%s", self->res.text);
}

TEST_F(rep, the_agent_failed)
{
	ASSERT_EQ(0, kt_repro_report(self->error_tap,
				     "KTSTR-PROBE error the kernel has no BTF (/sys/kernel/btf/vmlinux)\n",
				     self->vmlinux, 1, &self->res));
	EXPECT_NE(NULL, strstr(self->res.text, "  agent: error the kernel has no BTF (/sys/kernel/btf/vmlinux)\n"))
		TH_LOG("%s", self->res.text);
	EXPECT_NE(NULL, strstr(self->res.text, "  no probe report: the agent failed (its error above)\n"));
	EXPECT_NE(NULL, strstr(self->res.text, "  exit probe: none (the agent did not report)\n"));
	EXPECT_TRUE(json_is_valid(self->res.json)) TH_LOG("%s", self->res.json);
}

TEST_F(rep, the_agent_did_not_finish)
{
	char *cut = strstr(self->error_out, "KTSTR-PROBE end");

	ASSERT_NE(NULL, cut);
	*cut = '\0';
	ASSERT_EQ(0, kt_repro_report(self->error_tap, self->error_out,
				     self->vmlinux, 1, &self->res));
	EXPECT_NE(NULL, strstr(self->res.text, "  no probe report: the agent did not finish (see the repro VM's output)\n"))
		TH_LOG("%s", self->res.text);
	EXPECT_EQ(NULL, strstr(self->res.text, "#1 "));
	EXPECT_TRUE(json_is_valid(self->res.json)) TH_LOG("%s", self->res.json);
}

TEST_F(rep, no_exit_in_the_repro_vm)
{
	char *out = replace(self->error_out, "KTSTR-PROBE exit ",
			    "KTSTR-PROBE not-an-exit ");

	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, kt_repro_report(self->error_tap, out, self->vmlinux, 1,
				     &self->res));
	free(out);
	EXPECT_NE(NULL, strstr(self->res.text, "  no probe report: the scheduler did not exit in the repro VM\n"))
		TH_LOG("%s", self->res.text);
	EXPECT_TRUE(json_is_valid(self->res.json)) TH_LOG("%s", self->res.json);
}

TEST_F(rep, no_btf)
{
	ASSERT_EQ(0, kt_repro_report(self->error_tap, self->error_out,
				     "/nonexistent/vmlinux", 1, &self->res));
	EXPECT_NE(NULL, strstr(self->res.text, "  no probe report: no BTF in /nonexistent/vmlinux"))
		TH_LOG("%s", self->res.text);
	EXPECT_TRUE(json_is_valid(self->res.json)) TH_LOG("%s", self->res.json);
}

TEST_F(rep, no_exit_report_in_the_log)
{
	struct kt_vm_opts vo = { .kernel = "/nonexistent", .command = "true" };

	ASSERT_EQ(0, kt_repro_report("# scheduler ktstr_error was kicked out: x\n",
				     self->error_out, self->vmlinux, 1,
				     &self->res));
	EXPECT_STREQ("AUTO-PROBE: skipped: no sched_ext exit report (\"sched_ext: BPF scheduler \"...\") in the kernel log\n",
		     self->res.text);
	kt_repro_result_free(&self->res);
	/* before any VM: the kernel here does not exist */
	ASSERT_EQ(0, kt_repro_run(&vo, "true", "no report", self->vmlinux,
				  &self->res));
	EXPECT_NE(NULL, strstr(self->res.text, "AUTO-PROBE: skipped: no sched_ext exit report"));
	EXPECT_EQ(NULL, self->res.json);
}

/* No /dev/shm/ktstr-<this pid>-* file is left. */
static int shm_left(void)
{
	char prefix[32];
	struct dirent *de;
	DIR *d = opendir("/dev/shm");
	int n = 0;

	snprintf(prefix, sizeof(prefix), "ktstr-%d-", getpid());
	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return n;
}

/* A repro VM that cannot run: why, and nothing left behind. */
TEST_F(rep, the_repro_vm_cannot_start)
{
	char dir[] = "/tmp/ktstr-repro-test-XXXXXX", initramfs[64];
	struct kt_topology topo;
	struct kt_vm_opts vo = { 0 };
	char *cmd;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(initramfs, sizeof(initramfs), "%s/initramfs", dir);
	f = fopen(initramfs, "w");
	ASSERT_NE(NULL, f);
	fputs("not really", f);
	fclose(f);
	ASSERT_EQ(0, kt_topology_parse("1n2l2c1t", &topo));
	vo.topo = &topo;
	vo.kernel = initramfs;
	vo.initramfs = initramfs;
	vo.stdout_fd = vo.stderr_fd = -1;
	vo.accel = KT_ACCEL_TCG;
	vo.timeout_s = 30;

	/* QEMU cannot be run: the report says so */
	setenv("KTSTR_QEMU", "/nonexistent/qemu-system-x86_64", 1);
	EXPECT_EQ(0, kt_repro_run(&vo, "true", self->error_tap, self->vmlinux,
				  &self->res));
	unsetenv("KTSTR_QEMU");
	ASSERT_NE(NULL, self->res.text);
	EXPECT_NE(NULL, strstr(self->res.text, "\n  repro VM: qemu-failed: "))
		TH_LOG("%s", self->res.text);
	EXPECT_NE(NULL, strstr(self->res.text, "\n  no probe report: the agent did not finish"));
	EXPECT_EQ(0, shm_left());
	kt_repro_result_free(&self->res);

	/* the first VM's payload and the agent's command line do not fit */
	cmd = malloc(64 * 1024);
	ASSERT_NE(NULL, cmd);
	memset(cmd, 'x', 64 * 1024 - 1);
	cmd[64 * 1024 - 1] = '\0';
	EXPECT_EQ(-1, kt_repro_run(&vo, cmd, self->error_tap, self->vmlinux,
				   &self->res));
	free(cmd);
	EXPECT_NE(NULL, strstr(kt_errmsg(), "command too long"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, shm_left());
	unlink(initramfs);
	rmdir(dir);
}

TEST(wanted)
{
	EXPECT_FALSE(kt_repro_wanted(NULL, true));
	EXPECT_FALSE(kt_repro_wanted("# ok 1 all fine\n", true));
	EXPECT_TRUE(kt_repro_wanted("# # scheduler ktstr_error was kicked out: scx_bpf_error\n", false));
	/* an expected exit: only for ktstr repro */
	EXPECT_FALSE(kt_repro_wanted("# # scheduler ktstr_stall: stall: runnable task stall\n", false));
	EXPECT_TRUE(kt_repro_wanted("# # scheduler ktstr_stall: stall: runnable task stall\n", true));
	EXPECT_TRUE(kt_repro_wanted("# # scheduler ktstr_error: error: scx_bpf_error\n", true));
}

TEST(agent_path)
{
	char root[4096], path[4200];

	ASSERT_EQ(0, kt_root_dir(root, sizeof(root)));
	/* build/tests: the agent is in build/repro-agent, one level up */
	setenv("KTSTR_ROOT", "/nonexistent", 1);
	EXPECT_EQ(-1, kt_repro_agent_path("x86_64", path, sizeof(path)));
	EXPECT_STREQ("no probe agent for x86_64 guests: /nonexistent/build/repro-agent/ktstr-probe (run 'make'): No such file or directory",
		     kt_errmsg());
	EXPECT_EQ(-1, kt_repro_agent_path("arm64", path, sizeof(path)));
	EXPECT_STREQ("no probe agent for arm64 guests: /nonexistent/build/arm64/repro-agent/ktstr-probe (run 'make arm64'): No such file or directory",
		     kt_errmsg());
	EXPECT_EQ(-1, kt_repro_agent_path("sparc", path, sizeof(path)));
	EXPECT_STREQ("--arch sparc: ktstr builds guests for x86_64 and arm64",
		     kt_errmsg());
	snprintf(path, sizeof(path), "%s/../..", root);
	setenv("KTSTR_ROOT", path, 1);
	EXPECT_EQ(0, kt_repro_agent_path("x86_64", path, sizeof(path)))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(path, "/build/repro-agent/ktstr-probe"));
	/* a root that leaves no room for the agent's name */
	memset(root, 'r', 4070);
	root[0] = '/';
	root[4070] = '\0';
	setenv("KTSTR_ROOT", root, 1);
	EXPECT_EQ(-1, kt_repro_agent_path("x86_64", path, 4096));
	EXPECT_EQ(0, strncmp(kt_errmsg(), "path too long: /rrr", 19));
	unsetenv("KTSTR_ROOT");
}

TEST_HARNESS_MAIN
