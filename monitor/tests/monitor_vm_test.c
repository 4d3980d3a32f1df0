// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests of the host monitor: real VMs, real schedulers.
 * What the monitor reads from guest memory must agree with what the
 * guest reads about itself; a starving scheduler must fail the run with
 * the stuck CPU named, and with the idle CPUs and the waiting tasks named
 * when the starved task could run elsewhere; bad input and a monitor that
 * cannot find the kernel must say so and leave nothing behind.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "kselftest_harness.h"
#include "kselftest/runner/tests/cli.h"
#include "kselftest/runner/tests/scratch.h"
#include "error.h"
#include "kernel.h"
#include "symbols.h"

#define VM_TEST_TIMEOUT_S 300

/*
 * The guest: 1, 2 and 3 spinners pinned to CPUs 1, 2 and 3, so each
 * CPU's runqueue holds a known, steady number of tasks, and on CPU 3 a
 * fourth at nice 10, which scx_simple's weighted vtime makes wait a few
 * hundred ms at a time; then marks, each the guest's own reading between
 * two jiffies timestamps: its scheduler state, and sched_ext's own dump
 * (SysRq-D, through the sched_ext_dump trace event) of every waiting
 * task's wait so far, stamped by shell builtins (no fork) to keep the
 * dump's jiffy within a few.
 */
#define AGREE_GUEST							\
	"for c in 1 2 3; do for k in $(seq $c); do "			\
	"taskset -c $c sh -c 'while :; do :; done' & done; done; "	\
	"taskset -c 3 sh -c 'renice 10 -p $$ >/dev/null; while :; do :; done' & " \
	"T=/sys/kernel/tracing; "					\
	"echo 1 > $T/events/sched_ext/sched_ext_dump/enable; "		\
	"stamp() { { read -r v; read -r v; } < /proc/schedstat; }; "	\
	"sleep 2; for i in 1 2 3 4 5 6; do "				\
	"echo \"KT_MARK begin $(sed -n 2p /proc/schedstat)\"; "	\
	"cat /sys/kernel/debug/sched/debug; echo KT_MARK events; "	\
	"cat /sys/kernel/sched_ext/root/events; "			\
	"echo \"KT_MARK state $(cat /sys/kernel/sched_ext/state) $(cat /sys/kernel/sched_ext/root/ops)\"; " \
	"echo \"KT_MARK end $(sed -n 2p /proc/schedstat)\"; "		\
	"sleep 0.2; echo > $T/trace; "					\
	"stamp; d=$v; echo D > /proc/sysrq-trigger; stamp; "		\
	"echo \"KT_MARK dump $d\"; echo \"KT_MARK dumped $v\"; "	\
	"cat $T/trace; sleep 0.2; done; kill $(jobs -p)"

FIXTURE(monitor) {
	char dir[64];
};

FIXTURE_SETUP(monitor)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "montest"));
}

FIXTURE_TEARDOWN(monitor)
{
	SCRATCH_REMOVE(self->dir);
}

/* One at a time: the outputs are large. */
static struct cli cli;

/*
 * Guest memory files whose ktstr process is gone: what a run left behind.
 * (Files of runs still going, ours or others', are not.)
 */
static int shm_leftovers(void)
{
	struct dirent *de;
	DIR *d = opendir("/dev/shm");
	int n = 0;
	long pid;

	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "ktstr-", 6))
			continue;
		pid = strtol(de->d_name + 6, NULL, 10);
		n += pid > 0 && kill(pid, 0) && errno == ESRCH;
	}
	if (d)
		closedir(d);
	return n;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

TEST_F_TIMEOUT(monitor, samples_agree_with_the_guest, VM_TEST_TIMEOUT_S)
{
	char args[2048], cmd[512];

	/* The guest script goes in as a file: no quoting inside quoting. */
	snprintf(cmd, sizeof(cmd), "%s/agree.sh", self->dir);
	ASSERT_EQ(0, write_text(cmd, AGREE_GUEST "\n"));
	/* --include keeps the host path: point the guest at it. */
	snprintf(args, sizeof(args),
		 "--topology 1n2l2c1t --scheduler scx_simple --interval 50 --limit imbalance=0 --quiet --json %s/m.json --include %s/agree.sh --exec 'taskset -c 0 sh %s/agree.sh'",
		 self->dir, self->dir, self->dir);
	ASSERT_EQ(0, cli_run(&cli, "./ktstr monitor %s", args))
		TH_LOG("%s", cli.err);
	/* The guest's output is on ktstr monitor's stderr. */
	snprintf(cmd, sizeof(cmd), "%s/guest.log", self->dir);
	ASSERT_EQ(0, write_text(cmd, cli.err));
	EXPECT_EQ(0, cli_run(&cli, "/usr/bin/python3 monitor/tests/agree.py %s/guest.log %s/m.json",
			     self->dir, self->dir)) TH_LOG("%s", cli.out);
	TH_LOG("%s", cli.out);
	EXPECT_NE(NULL, strstr(cli.out, "agree: 6 marks"));
	EXPECT_EQ(0, shm_leftovers());
}

TEST_F_TIMEOUT(monitor, starving_scheduler_fails_naming_the_cpu,
	       VM_TEST_TIMEOUT_S)
{
	const char *line;

	/*
	 * The kernel's watchdog at 30 s: the monitor, at its default limit,
	 * must see the 8 s stall first.
	 */
	EXPECT_EQ(1, cli_run(&cli, "./ktstr monitor --topology 1n2l2c1t --scheduler ktstr_stall --quiet --exec 'taskset -c 3 sh -c \"printf ktstr-starve > /proc/self/comm; sleep 0.2; while :; do :; done\" & sleep 8; cat /sys/kernel/sched_ext/state' -- -c ktstr-starve -t 30000"));
	/*
	 * Named with its wait and where it sits; what its CPU did meanwhile
	 * (idle, but for kworkers) follows.
	 */
	line = strstr(cli.err, "monitor: stall FAILED: cpu 3: pid ");
	ASSERT_NE(NULL, line) TH_LOG("%s", cli.err);
	EXPECT_NE(NULL, strstr(line, " (ktstr-starve) waited ")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " ms in DSQ 0x1 while the CPU "))
		TH_LOG("%s", line);
	/* Pinned to the CPU it starves on: the idle CPUs could not help. */
	EXPECT_NE(NULL, strstr(cli.err, "monitor: conservation ok"))
		TH_LOG("%s", cli.err);
	/* Still attached when the guest looked: not the kernel's doing. */
	EXPECT_NE(NULL, strstr(cli.err, "\nenabled\n")) TH_LOG("%s", cli.err);
	EXPECT_EQ(0, shm_leftovers());
}

/*
 * Free to run anywhere, the starved task waits in a DSQ that no CPU
 * consumes (ktstr_stall's DSQ 1) while the other CPUs idle.
 */
TEST_F_TIMEOUT(monitor, idle_cpus_beside_a_waiting_task_fail_naming_both,
	       VM_TEST_TIMEOUT_S)
{
	const char *line;

	EXPECT_EQ(1, cli_run(&cli, "./ktstr monitor --topology 1n2l2c1t --scheduler ktstr_stall --quiet --exec 'sh -c \"printf ktstr-starve > /proc/self/comm; sleep 0.2; while :; do :; done\" & sleep 5' -- -c ktstr-starve -t 30000"));
	line = strstr(cli.err, "monitor: conservation FAILED: cpu ");
	ASSERT_NE(NULL, line) TH_LOG("%s", cli.err);
	EXPECT_NE(NULL, strstr(line, "runnable sched_ext task(s) that may run there waited elsewhere (pid "))
		TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " (ktstr-starve) on cpu "))
		TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " in DSQ 0x1")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, ", limit 10)")) TH_LOG("%s", line);
	EXPECT_EQ(0, shm_leftovers());
}

TEST_F(monitor, bad_options_are_named)
{
	static const struct {
		const char *args, *message;
	} cases[] = {
		{ "--topology 1n1l1c1t --interval 0", "--interval '0': expected milliseconds" },
		{ "--topology 1n1l1c1t --interval 10x", "--interval '10x'" },
		{ "--topology 1n1l1c1t --limit stall", "--limit 'stall': expected NAME=VALUE" },
		{ "--topology 1n1l1c1t --limit nosuch=3", "no verdict 'nosuch'" },
		{ "--topology 1n1l1c1t --limit stall=2.5", "--limit 'stall=2.5': a whole number of milliseconds" },
		{ "--topology 1n1l1c1t --limit imbalance=-1", "must be a number >= 0" },
		{ "--topology 1n1l1c1t --limit imbalance_window=1", "at least 2" },
		{ "--topology 1n1l1c1t --expect nosuch", "--expect 'nosuch': no such verdict" },
		{ "--topology 1n1l1c1t --scheduler no_such_sched", "--scheduler no_such_sched" },
		{ "--topology 1n1l1c1t -- -x", "arguments after -- are for --scheduler" },
		{ "--topology 1n1l1c1t --map a,,b", "--map 'a,,b': expected map names separated by commas" },
	};
	size_t i;

	/* The suite's runners take the monitor's interval too. */
	EXPECT_EQ(2, cli_run(&cli, "./ktstr run --monitor-interval 0 fair"));
	EXPECT_NE(NULL, strstr(cli.err, "ktstr run: --monitor-interval '0': expected milliseconds, 1 to 60000"))
		TH_LOG("%s", cli.err);
	EXPECT_EQ(2, cli_run(&cli, "./ktstr gauntlet --monitor-interval 5s"));
	EXPECT_NE(NULL, strstr(cli.err, "ktstr gauntlet: --monitor-interval '5s'"))
		TH_LOG("%s", cli.err);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(2, cli_run(&cli, "./ktstr monitor %s", cases[i].args))
			TH_LOG("%s", cases[i].args);
		EXPECT_NE(NULL, strstr(cli.err, cases[i].message))
			TH_LOG("%s: %s", cases[i].args, cli.err);
	}
	EXPECT_EQ(0, shm_leftovers());
}

/* Each value of @key ("  qa.nr_enqueued = ") in @out, in order. */
static int values_of(const char *out, const char *key, long long *v, int max)
{
	const char *p = out;
	int n = 0;

	while (n < max && (p = strstr(p, key))) {
		p += strlen(key);
		v[n++] = strtoll(p, NULL, 10);
	}
	return n;
}

/*
 * scx_qmap's globals read from the host while it schedules: its
 * counters, in its BPF arena, grow from one dump to the next, and its
 * .rodata holds what its loader set.
 */
TEST_F_TIMEOUT(monitor, maps_show_the_scheduler_globals_changing,
	       VM_TEST_TIMEOUT_S)
{
	long long enq[32], dsp[32];
	int n, m, i, grew = 0;

	ASSERT_EQ(0, cli_run(&cli, "./ktstr monitor --topology 1n2l2c1t --scheduler scx_qmap --interval 1000 --quiet --map arena --map rodata --exec 'for i in 1 2 3; do (while :; do :; done) & done; sleep 6; kill $(jobs -p)'"))
		TH_LOG("%s\n%s", cli.out, cli.err);
	n = values_of(cli.out, "\n    qa.nr_enqueued = ", enq, 32);
	m = values_of(cli.out, "\n    qa.nr_dispatched = ", dsp, 32);
	ASSERT_GE(n, 3) TH_LOG("%s", cli.out);
	EXPECT_EQ(n, m);
	for (i = 1; i < n; i++) {
		EXPECT_LE(enq[i - 1], enq[i]);
		grew += enq[i] > enq[i - 1] && dsp[i] > dsp[i - 1];
	}
	EXPECT_GE(grew, 2) TH_LOG("%s", cli.out);
	EXPECT_NE(NULL, strstr(cli.out, "  scx_qmap.rodata: array, id "))
		TH_LOG("%s", cli.out);
	EXPECT_NE(NULL, strstr(cli.out, "\n    slice_ns = 20000000\n"))
		TH_LOG("%s", cli.out);
	EXPECT_EQ(0, shm_leftovers());
}

/*
 * A BPF queue map as ktstr_pidq fills it: six spinners on two CPUs keep
 * pids waiting in it, and the host reads them out, oldest first.  The
 * spinners' own pids (the guest prints them) must be among the entries.
 */
TEST_F_TIMEOUT(monitor, maps_show_the_pids_in_a_queue_map,
	       VM_TEST_TIMEOUT_S)
{
	long long spinner[6], entry[512];
	int nr_spinners, nr_entries, i, j, found = 0;
	const char *p;

	ASSERT_EQ(0, cli_run(&cli, "./ktstr monitor --topology 1n1l2c1t --scheduler ktstr_pidq --interval 500 --quiet --map pidq --exec 'for i in 1 2 3 4 5 6; do (while :; do :; done) & echo spinner $!; done; sleep 3; kill $(jobs -p)'"))
		TH_LOG("%s\n%s", cli.out, cli.err);
	nr_spinners = values_of(cli.err, "spinner ", spinner, 6);
	ASSERT_EQ(6, nr_spinners) TH_LOG("%s", cli.err);
	p = strstr(cli.out, "  pidq: queue, id ");
	ASSERT_NE(NULL, p) TH_LOG("%s", cli.out);
	EXPECT_NE(NULL, strstr(p, ", key 0 B, value 4 B, max_entries 4096\n"));
	nr_entries = values_of(p, "\n    [1] = ", entry, 512);
	ASSERT_GE(nr_entries, 1) TH_LOG("%s", cli.out);
	nr_entries = values_of(p, "] = ", entry, 512);
	for (i = 0; i < nr_spinners; i++)
		for (j = 0; j < nr_entries; j++)
			if (entry[j] == spinner[i]) {
				found++;
				break;
			}
	EXPECT_GE(found, 3) TH_LOG("%s\n%s", cli.out, cli.err);
	EXPECT_EQ(0, shm_leftovers());
}

/*
 * --maps-record without a scheduler to record, and into a directory that
 * does not exist: the run fails, says why, and leaves no file.
 */
TEST_F_TIMEOUT(monitor, maps_record_errors_are_named, VM_TEST_TIMEOUT_S)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/x.mem", self->dir);
	EXPECT_EQ(1, cli_run(&cli, "./ktstr monitor --topology 1n1l1c1t --quiet --interval 500 --maps-record %s --exec 'sleep 1'",
			     path));
	EXPECT_NE(NULL, strstr(cli.out, "\n  no sched_ext scheduler is attached\n"))
		TH_LOG("%s", cli.out);
	EXPECT_NE(NULL, strstr(cli.err, "no map dump found the scheduler's maps"))
		TH_LOG("%s", cli.err);
	EXPECT_NE(0, access(path, F_OK));
	snprintf(path, sizeof(path), "%s/no/such/dir/x.mem", self->dir);
	EXPECT_EQ(1, cli_run(&cli, "./ktstr monitor --topology 1n2l2c1t --quiet --interval 500 --scheduler scx_simple --maps-record %s --exec 'sleep 1'",
			     path));
	EXPECT_NE(NULL, strstr(cli.err, "--maps-record: "))
		TH_LOG("%s", cli.err);
	EXPECT_NE(NULL, strstr(cli.err, "x.mem: No such file or directory"))
		TH_LOG("%s", cli.err);
	EXPECT_EQ(0, shm_leftovers());
}

/*
 * A test that fails under ktstr_error (it calls scx_bpf_error() on a
 * task named ktstr-trigger): its TAP and its JSON result carry the
 * scheduler's globals as the monitor last read them, the trigger's
 * name among them.
 */
TEST_F_TIMEOUT(monitor, a_failed_test_carries_the_scheduler_globals,
	       VM_TEST_TIMEOUT_S)
{
	json_t *result, *g, *maps, *m, *data = NULL;
	char path[256];
	size_t i;

	EXPECT_EQ(1, cli_run(&cli, "./ktstr run --opt-in --no-auto-repro --json %s crash.ktstr_error",
			     self->dir));
	EXPECT_NE(NULL, strstr(cli.out, "\n# monitor: scheduler globals at "))
		TH_LOG("%s", cli.out);
	EXPECT_NE(NULL, strstr(cli.out, "\n# monitor:     trigger_comm = \"ktstr-trigger\"\n"))
		TH_LOG("%s", cli.out);
	EXPECT_EQ(NULL, strstr(cli.out, ".rodata: array"));
	snprintf(path, sizeof(path), "%s/crash.ktstr_error.unexpected_exit.json",
		 self->dir);
	result = json_load_file(path, 0, NULL);
	ASSERT_NE(NULL, result) TH_LOG("%s", path);
	g = json_object_get(json_object_get(result, "monitor"),
			    "scheduler_globals");
	ASSERT_NE(NULL, g) TH_LOG("%s", json_dumps(result, 0));
	EXPECT_TRUE(json_is_real(json_object_get(g, "t")));
	maps = json_object_get(g, "maps");
	/* libbpf names it from the object's name, cut to 8 characters. */
	json_array_foreach(maps, i, m)
		if (!strcmp(json_string_value(json_object_get(m, "name")),
			    "ktstr_er.data"))
			data = json_object_get(m, "globals");
	ASSERT_NE(NULL, data) TH_LOG("%s", json_dumps(maps, 0));
	EXPECT_STREQ("ktstr-trigger",
		     json_string_value(json_object_get(data, "trigger_comm")));
	json_decref(result);
	EXPECT_EQ(0, shm_leftovers());
}

/*
 * A copy of @vmlinux whose linux_banner differs in its last character
 * (the build date's), as another build of the same source would: its
 * bytes found where the symbol table and the ELF reader say, then in the
 * file, which must hold them once.
 */
static int other_build(const char *vmlinux, const char *system_map,
		       const char *out)
{
	struct kt_symbols syms;
	char banner[512], *data = NULL, *at;
	size_t got, len, size = 0;
	uint64_t addr;
	FILE *f;
	int ret = -1;

	if (kt_symbols_load_map(&syms, system_map))
		return -1;
	if (kt_symbols_find(&syms, "linux_banner", &addr) ||
	    kt_vmlinux_read(vmlinux, addr, banner, sizeof(banner) - 1, &got))
		goto out;
	banner[got] = '\0';
	len = strcspn(banner, "\n");
	f = fopen(vmlinux, "r");
	if (!f || len < 2 || banner[len] != '\n')
		goto close;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc(size);
	if (!data || fread(data, 1, size, f) != size)
		goto close;
	at = memmem(data, size, banner, len + 1);
	if (!at || memmem(at + 1, data + size - at - 1, banner, len + 1))
		goto close;
	at[len - 1] = at[len - 1] == '#' ? '%' : '#';
	fclose(f);
	f = fopen(out, "w");
	ret = f && fwrite(data, 1, size, f) == size ? 0 : -1;
close:
	if (f && fclose(f))
		ret = -1;
out:
	free(data);
	kt_symbols_free(&syms);
	return ret;
}

/*
 * Symbols and vmlinux of another build (this one's with a byte of its
 * banner changed, as another build's date or builder would): the guest
 * boots, the monitor must say what it did not find instead of guessing,
 * and the VM must still be cleaned up.
 */
TEST_F_TIMEOUT(monitor, another_builds_symbols_are_refused,
	       VM_TEST_TIMEOUT_S)
{
	static struct kt_kernel k;
	char cmd[3 * PATH_MAX + 256], out[128];

	/* The bzImage is the kernel booted: with KASLR, whatever the caller's. */
	ASSERT_EQ(0, setenv("KTSTR_NOKASLR", "0", 1));
	/* The default kernel, as ktstr resolves it. */
	ASSERT_EQ(0, kt_kernel_resolve(NULL, &k)) TH_LOG("%s", kt_errmsg());
	snprintf(cmd, sizeof(cmd), "cp '%s' %s/vmlinuz && cp '%s' '%s' %s/",
		 k.bzimage, self->dir, k.config, k.system_map, self->dir);
	ASSERT_EQ(0, system(cmd));
	snprintf(out, sizeof(out), "%s/vmlinux", self->dir);
	ASSERT_EQ(0, other_build(k.vmlinux, k.system_map, out))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(1, cli_run(&cli, "./ktstr monitor --topology 1n1l2c1t --kernel %s/vmlinuz --no-snapshot --quiet --exec true",
			     self->dir));
	snprintf(cmd, sizeof(cmd), "monitor: could not watch the guest: the guest kernel is not in its RAM: no copy of this kernel's linux_banner of vmlinux %s/vmlinux (\"Linux version ",
		 self->dir);
	EXPECT_NE(NULL, strstr(cli.err, cmd)) TH_LOG("%s", cli.err);
	EXPECT_NE(NULL, strstr(cli.err, "the guest runs another kernel than these symbols are of"));
	EXPECT_EQ(0, shm_leftovers());
	EXPECT_EQ(0, system("! pgrep -f '[q]emu-system.*ktstr-montest' >/dev/null"));
}

/* Where the monitor found the kernel, and where the guest says it is. */
struct place {
	unsigned long long virt_offset, phys_base, banner_pa;
	unsigned long long text_va, banner_va, code_pa;	/* the guest's */
};

#define PLACE_GUEST "--exec 'grep -E \" (_text|linux_banner)$\" /proc/kallsyms; grep \"Kernel code\" /proc/iomem; sleep 1'"
#define LINK_TEXT 0xffffffff81000000ULL

static void guest_place(const char *out, struct place *p)
{
	unsigned long long a, b;
	char type, name[64];
	const char *line;

	for (line = out; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		while (*line == ' ')
			line++;
		if (sscanf(line, "%llx %c %63s", &a, &type, name) == 3 &&
		    !strcmp(name, "_text"))
			p->text_va = a;
		if (sscanf(line, "%llx %c %63s", &a, &type, name) == 3 &&
		    !strcmp(name, "linux_banner"))
			p->banner_va = a;
		if (sscanf(line, "%llx-%llx : Kernel cod%c", &a, &b, &type) == 3)
			p->code_pa = a;
	}
}

static int boot_for_place(const char *env, const char *opts, struct place *p)
{
	const char *s;

	memset(p, 0, sizeof(*p));
	if (cli_run(&cli, "%s ./ktstr monitor --topology 1n1l2c1t %s --quiet " PLACE_GUEST,
		    env, opts))
		return -1;
	s = strstr(cli.err, "monitor: kernel found in ");
	if (!s)
		return -1;
	s = strstr(s, "virtual offset ");
	if (!s || sscanf(s, "virtual offset 0x%llx, phys_base 0x%llx, linux_banner at guest-physical 0x%llx",
			 &p->virt_offset, &p->phys_base, &p->banner_pa) != 3)
		return -1;
	guest_place(cli.err, p);
	return 0;
}

/* The monitor's offsets are the guest's own (/proc/kallsyms, /proc/iomem). */
static void check_place(struct __test_metadata *_metadata,
			const struct place *p)
{
	ASSERT_NE(0, p->text_va) TH_LOG("%s", cli.err);
	ASSERT_NE(0, p->banner_va) TH_LOG("%s", cli.err);
	ASSERT_NE(0, p->code_pa) TH_LOG("%s", cli.err);
	EXPECT_EQ(p->text_va - LINK_TEXT, p->virt_offset) TH_LOG("%s", cli.err);
	EXPECT_EQ(p->code_pa + (p->banner_va - p->text_va), p->banner_pa);
	EXPECT_EQ(p->code_pa - (p->text_va - 0xffffffff80000000ULL),
		  p->phys_base);
	/* And it read the guest: samples, no error. */
	EXPECT_EQ(NULL, strstr(cli.err, "could not watch")) TH_LOG("%s", cli.err);
	EXPECT_EQ(NULL, strstr(cli.err, "monitor: 0 samples")) TH_LOG("%s", cli.err);
}

/*
 * KASLR is on by default: two cold boots put the kernel at different
 * offsets, each found; a restored snapshot keeps its saved boot's; with
 * --nokaslr the kernel is where it was linked.  (Two KASLR boots agree
 * on both offsets by chance about once in 10^5.)
 */
TEST_F_TIMEOUT(monitor, kaslr_moves_the_kernel_and_the_monitor_follows,
	       3 * VM_TEST_TIMEOUT_S)
{
	struct place a, b, saved, restored, fixed;
	char env[128];

	/*
	 * KASLR even when the run asks for none (make check KTSTR_NOKASLR=1),
	 * and the snapshot below whatever KTSTR_NO_SNAPSHOT says.
	 */
	ASSERT_EQ(0, setenv("KTSTR_NOKASLR", "0", 1));
	ASSERT_EQ(0, unsetenv("KTSTR_NO_SNAPSHOT"));
	ASSERT_EQ(0, boot_for_place("", "--no-snapshot", &a)) TH_LOG("%s", cli.err);
	check_place(_metadata, &a);
	TH_LOG("boot 1: virtual offset 0x%llx, _text at guest-physical 0x%llx",
	       a.virt_offset, a.code_pa);
	ASSERT_EQ(0, boot_for_place("", "--no-snapshot", &b)) TH_LOG("%s", cli.err);
	check_place(_metadata, &b);
	TH_LOG("boot 2: virtual offset 0x%llx, _text at guest-physical 0x%llx",
	       b.virt_offset, b.code_pa);
	EXPECT_TRUE(a.virt_offset != b.virt_offset || a.code_pa != b.code_pa);

	snprintf(env, sizeof(env), "KTSTR_SNAPSHOT_DIR=%s/snap", self->dir);
	ASSERT_EQ(0, boot_for_place(env, "", &saved)) TH_LOG("%s", cli.err);
	check_place(_metadata, &saved);
	ASSERT_EQ(0, boot_for_place(env, "", &restored)) TH_LOG("%s", cli.err);
	check_place(_metadata, &restored);
	/* One entry, saved by the first, restored by the second: same place. */
	snprintf(env, sizeof(env), "test $(ls %s/snap | wc -l) = 1", self->dir);
	EXPECT_EQ(0, system(env));
	EXPECT_EQ(saved.virt_offset, restored.virt_offset);
	EXPECT_EQ(saved.banner_pa, restored.banner_pa);

	ASSERT_EQ(0, boot_for_place("", "--no-snapshot --nokaslr", &fixed))
		TH_LOG("%s", cli.err);
	check_place(_metadata, &fixed);
	EXPECT_EQ(0, fixed.virt_offset);
	EXPECT_EQ(0, fixed.phys_base);
	EXPECT_EQ(0x1000000, fixed.code_pa);
	EXPECT_EQ(0, shm_leftovers());
}

TEST_HARNESS_MAIN
