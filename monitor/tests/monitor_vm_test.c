// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests of the host monitor: real VMs, real schedulers.
 * What the monitor reads from guest memory must agree with what the
 * guest reads about itself; a starving scheduler must fail the run with
 * the stuck CPU named; bad input and a monitor that cannot find the
 * kernel must say so and leave nothing behind.
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

#include "kselftest_harness.h"

#define VM_TEST_TIMEOUT_S 300

/*
 * The guest: 1, 2 and 3 spinners pinned to CPUs 1, 2 and 3, so each
 * CPU's runqueue holds a known, steady number of tasks; then marks, each
 * the guest's own reading between two jiffies timestamps.
 */
#define AGREE_GUEST							\
	"for c in 1 2 3; do for k in $(seq $c); do "			\
	"taskset -c $c sh -c 'while :; do :; done' & done; done; "	\
	"sleep 2; for i in 1 2 3 4 5 6; do "				\
	"echo \"KT_MARK begin $(sed -n 2p /proc/schedstat)\"; "	\
	"cat /sys/kernel/debug/sched/debug; echo KT_MARK events; "	\
	"cat /sys/kernel/sched_ext/root/events; "			\
	"echo \"KT_MARK state $(cat /sys/kernel/sched_ext/state) $(cat /sys/kernel/sched_ext/root/ops)\"; " \
	"echo \"KT_MARK end $(sed -n 2p /proc/schedstat)\"; "		\
	"sleep 0.4; done; kill $(jobs -p)"

FIXTURE(monitor) {
	char dir[64];
	char out[128];
	char err[128];
};

FIXTURE_SETUP(monitor)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ktstr-montest-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->out, sizeof(self->out), "%s/out", self->dir);
	snprintf(self->err, sizeof(self->err), "%s/err", self->dir);
}

FIXTURE_TEARDOWN(monitor)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	system(cmd);
}

/* `./ktstr monitor ARGS > out 2> err`; its exit status. */
static int run_monitor(const char *args, const char *out, const char *err)
{
	char cmd[4096];
	int status;

	snprintf(cmd, sizeof(cmd), "./ktstr monitor %s > %s 2> %s", args,
		 out, err);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static char *slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

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

TEST_F_TIMEOUT(monitor, samples_agree_with_the_guest, VM_TEST_TIMEOUT_S)
{
	char args[2048], cmd[512];
	const char *tail;

	/* The guest script goes in as a file: no quoting inside quoting. */
	snprintf(cmd, sizeof(cmd), "%s/agree.sh", self->dir);
	{
		FILE *f = fopen(cmd, "w");

		ASSERT_NE(NULL, f);
		fputs(AGREE_GUEST "\n", f);
		fclose(f);
	}
	/* --include keeps the host path: point the guest at it. */
	snprintf(args, sizeof(args),
		 "--topology 1n2l2c1t --scheduler scx_simple --interval 50 --limit imbalance=0 --quiet --json %s/m.json --include %s/agree.sh --exec 'taskset -c 0 sh %s/agree.sh'",
		 self->dir, self->dir, self->dir);
	ASSERT_EQ(0, run_monitor(args, self->out, self->err))
		TH_LOG("%s", slurp(self->err));
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 monitor/tests/agree.py %s %s/m.json > %s/agree.log 2>&1",
		 self->err, self->dir, self->dir);
	snprintf(args, sizeof(args), "%s/agree.log", self->dir);
	EXPECT_EQ(0, system(cmd)) TH_LOG("%s", slurp(args));
	tail = slurp(args);
	TH_LOG("%s", tail);
	EXPECT_NE(NULL, strstr(tail, "agree: 6 marks"));
	EXPECT_EQ(0, shm_leftovers());
}

TEST_F_TIMEOUT(monitor, starving_scheduler_fails_naming_the_cpu,
	       VM_TEST_TIMEOUT_S)
{
	const char *err;

	/* The kernel's watchdog at 30 s: the monitor must see it first. */
	EXPECT_EQ(1, run_monitor("--topology 1n2l2c1t --scheduler ktstr_stall --quiet --exec 'taskset -c 3 sh -c \"printf ktstr-starve > /proc/self/comm; sleep 0.2; while :; do :; done\" & sleep 5; cat /sys/kernel/sched_ext/state' -- -c ktstr-starve -t 30000",
			     self->out, self->err));
	err = slurp(self->err);
	EXPECT_NE(NULL, strstr(err, "monitor: stall FAILED: cpu 3:")) TH_LOG("%s", err);
	/* Still attached when the guest looked: not the kernel's doing. */
	EXPECT_NE(NULL, strstr(err, "\nenabled\n")) TH_LOG("%s", err);
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
		{ "--topology 1n1l1c1t --limit stall=2.5", "a whole number of samples" },
		{ "--topology 1n1l1c1t --limit imbalance=-1", "must be a number >= 0" },
		{ "--topology 1n1l1c1t --limit imbalance_window=1", "at least 2" },
		{ "--topology 1n1l1c1t --expect nosuch", "--expect 'nosuch': no such verdict" },
		{ "--topology 1n1l1c1t --scheduler no_such_sched", "--scheduler no_such_sched" },
		{ "--topology 1n1l1c1t -- -x", "arguments after -- are for --scheduler" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(2, run_monitor(cases[i].args, self->out, self->err))
			TH_LOG("%s", cases[i].args);
		EXPECT_NE(NULL, strstr(slurp(self->err), cases[i].message))
			TH_LOG("%s: %s", cases[i].args, slurp(self->err));
	}
	EXPECT_EQ(0, shm_leftovers());
}

/*
 * Symbols of "another kernel" (every address 2 MiB off, as a moved image
 * would be): the monitor must refuse to guess, say why, and the VM must
 * still be cleaned up.
 */
TEST_F_TIMEOUT(monitor, symbols_that_do_not_match_are_refused,
	       VM_TEST_TIMEOUT_S)
{
	char cmd[2048], args[512];
	const char *err;

	snprintf(cmd, sizeof(cmd),
		 "k=$(ls -d ${KTSTR_CACHE_DIR:-$HOME/.cache/ktstr}/kernels/*/ | sort -V | tail -n 1) &&\n"
		 "cp $k/vmlinuz $k/config %s/ && ln -s $k/vmlinux %s/ &&\n"
		 "perl -ane 'printf \"%%016x %%s %%s\\n\", hex($F[0]) + 2097152, $F[1], $F[2]' $k/System.map > %s/System.map",
		 self->dir, self->dir, self->dir);
	ASSERT_EQ(0, system(cmd));
	snprintf(args, sizeof(args),
		 "--topology 1n1l2c1t --kernel %s/vmlinuz --quiet --exec true",
		 self->dir);
	EXPECT_EQ(1, run_monitor(args, self->out, self->err));
	err = slurp(self->err);
	EXPECT_NE(NULL, strstr(err, "monitor: could not watch the guest: the guest kernel is not where its symbol table puts it"))
		TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "KASLR is on, or the symbols are of another kernel"));
	EXPECT_EQ(0, shm_leftovers());
	EXPECT_EQ(0, system("! pgrep -f '[q]emu-system.*ktstr-montest' >/dev/null"));
}

TEST_HARNESS_MAIN
