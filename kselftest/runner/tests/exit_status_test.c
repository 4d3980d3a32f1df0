// SPDX-License-Identifier: GPL-2.0
/*
 * Every command's exit status for a bad argument: 2, with a message that
 * names the argument, however late the argument turns out to be wrong.
 * Beside them, failures that are not the command line's (a file or a
 * kernel that cannot be used, no test matching) keep status 1.  Runs
 * ./ktstr as a user would; nothing boots: run and repro are given
 * --list, the VM commands --dry-run.  gauntlet and compare have their
 * own tables in gauntlet_test and compare_test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "scratch.h"

#include "error.h"

/* Nothing here may run longer: all of it is refused before a VM. */
#define CLI_TIMEOUT "timeout 60 "

struct status_case {
	const char *args;	/* %1$s: the fixture's directory */
	int status;
	const char *message;
};

static const struct status_case cases[] = {
	{ "", 2, "Usage: ktstr <command>" },
	{ "bogus", 2, "ktstr: unknown command 'bogus'" },

	{ "run --list --bogus", 2, "unrecognized option '--bogus'" },
	{ "run --list --junit", 2, "option '--junit' requires an argument" },
	{ "run --list --topology 9n", 2, "ktstr run: topology '9n': expected the form <nodes>n<llcs>l<cores>c<threads>t" },
	{ "run --list --topology nosuch", 2, "ktstr run: topology 'nosuch': not a short form like 2n4l2c2t and no preset" },
	{ "run --list --topology 2n3l2c1t", 2, "ktstr run: 2n3l2c1t: 3 LLCs do not divide evenly over 2 NUMA nodes" },
	{ "run --list --topology ''", 2, "ktstr run: empty topology" },
	{ "run --list --memory lots", 2, "ktstr run: memory 'lots' is not a size such as 512M or 2G" },
	{ "run --list --memory 64M", 2, "ktstr run: memory 64M is too little" },
	{ "run --list --kernel git+nourl", 2, "ktstr run: --kernel 'git+nourl': expected git+URL#REF" },
	{ "run --list --accel xen", 2, "ktstr run: --accel 'xen': expected auto, kvm or tcg" },
	{ "run --list --cpu-model arm", 2, "ktstr run: --cpu-model 'arm': expected auto, intel or amd" },
	{ "run --list --timeout soon", 2, "ktstr run: --timeout 'soon': expected whole seconds" },
	{ "run --list --skip ''", 2, "ktstr run: --skip '': an empty pattern" },
	{ "run --list --scheduler /nonexistent/scx_x", 2, "ktstr run: --scheduler /nonexistent/scx_x: No such file or directory" },
	{ "run --list lifecycle -- -v", 2, "ktstr run: arguments after -- are for --scheduler" },
	{ "run --list no-such-test", 1, "ktstr run: no test matches 'no-such-test'" },
	{ "run --list --topology %1$s/broken.topo", 1, "ktstr run: %1$s/broken.topo:1: unknown key 'cpus'" },

	{ "repro", 2, "Usage: ktstr repro" },
	{ "repro --list --kprobe 'a;b' lifecycle", 2, "ktstr repro: --kprobe: 'a;b' is not a function name" },
	{ "repro --list --topology 9n lifecycle", 2, "ktstr run: topology '9n'" },

	{ "shell --dry-run --exec true", 2, "ktstr shell: --topology is required" },
	{ "shell --dry-run --exec true --topology 9n", 2, "ktstr shell: topology '9n': expected the form" },
	{ "shell --dry-run --exec true --topology nosuch", 2, "ktstr shell: topology 'nosuch': not a short form" },
	{ "shell --dry-run --exec true --topology 1n1l2c1t --memory 64M", 2, "ktstr shell: memory 64M is too little" },
	{ "shell --dry-run --exec true --topology 2n2l1c1t --memory 301M", 2, "ktstr shell: --memory: memory 301M does not split evenly over 2 nodes" },
	{ "shell --dry-run --exec true --topology 1n1l2c1t --kernel git+nourl", 2, "ktstr shell: --kernel 'git+nourl'" },
	{ "shell --dry-run --exec true --topology 1n1l2c1t extra", 2, "ktstr shell: unexpected argument 'extra'" },
	{ "shell --dry-run --exec \"$(head -c 8000 /dev/zero | tr '\\0' :)\" --topology 1n1l2c1t", 2, "ktstr shell: --exec command too long: 8000 bytes, at most 7936" },
	{ "shell --dry-run --exec true --topology 1n1l2c1t --kernel /nonexistent/bzImage", 1, "ktstr shell: kernel /nonexistent/bzImage: No such file or directory" },
	{ "shell --dry-run --exec true --topology 1n1l2c1t --nokaslr=1", 2, "shell: option '--nokaslr' doesn't allow an argument" },
	{ "shell --dry-run --exec true --topology %1$s/nonexistent.topo", 1, "ktstr shell: topology file %1$s/nonexistent.topo: No such file or directory" },

	{ "topo", 2, "ktstr topo: missing subcommand" },
	{ "topo bogus", 2, "ktstr topo: unknown subcommand 'bogus'" },
	{ "topo show", 2, "ktstr topo show: expected one topology" },
	{ "topo show 9n", 2, "ktstr topo show: topology '9n': expected the form" },
	{ "topo show nosuch", 2, "ktstr topo show: topology 'nosuch': not a short form" },
	{ "topo list extra", 2, "ktstr topo list: unexpected argument 'extra'" },
	{ "topo verify", 2, "ktstr topo verify: expected one topology" },
	{ "topo verify --dry-run 9n", 2, "ktstr topo verify: topology '9n': expected the form" },
	{ "topo verify --dry-run --memory lots 1n1l1c1t", 2, "ktstr topo verify: memory 'lots' is not a size" },
	{ "topo show %1$s/broken.topo", 1, "ktstr topo show: %1$s/broken.topo:1: unknown key 'cpus'" },

	{ "monitor --dry-run", 2, "ktstr monitor: --topology is required" },
	{ "monitor --dry-run --topology 9n", 2, "ktstr monitor: topology '9n': expected the form" },
	{ "monitor --dry-run --topology 1n1l1c1t --memory lots", 2, "ktstr monitor: memory 'lots' is not a size" },
	{ "monitor --dry-run --topology 1n1l1c1t --interval 0", 2, "ktstr monitor: --interval '0': expected milliseconds" },
	{ "monitor --dry-run --topology 1n1l1c1t --limit warp=9", 2, "ktstr monitor: --limit 'warp=9': no verdict 'warp'" },
	{ "monitor --dry-run --topology 1n1l1c1t --expect nosuch", 2, "ktstr monitor: --expect 'nosuch': no such verdict" },
	{ "monitor --dry-run --topology 1n1l1c1t --scheduler no_such_sched", 2, "ktstr monitor: --scheduler no_such_sched" },
	{ "monitor --dry-run --topology 1n1l1c1t -- -v", 2, "ktstr monitor: arguments after -- are for --scheduler" },

	{ "kernel", 2, "ktstr: kernel: missing subcommand" },
	{ "kernel bogus", 2, "ktstr: kernel: unknown subcommand or arguments: 'bogus'" },
	{ "kernel fetch --bogus", 2, "ktstr: kernel: fetch: unexpected argument '--bogus'" },
	{ "kernel install 7.3", 2, "ktstr: kernel: install: needs [--vmlinux ELF] VERSION IMAGE CONFIG SYSTEM_MAP" },
	{ "kernel install bad/name %1$s/bzImage %1$s/config ''", 2, "ktstr: kernel version 'bad/name': use letters, digits" },
	{ "kernel extract-vmlinux %1$s/bzImage", 2, "ktstr: kernel: extract-vmlinux: needs BZIMAGE OUT" },
	{ "kernel check-config", 2, "ktstr: kernel: check-config: needs FILE" },
	{ "kernel show no-such-kernel", 1, "ktstr: kernel 'no-such-kernel': no such cache entry" },

	{ "snapshot", 2, "ktstr: snapshot: missing subcommand" },
	{ "snapshot list extra", 2, "ktstr: snapshot: unknown subcommand or arguments: 'list'" },

	{ "compare %1$s", 2, "ktstr compare: expected two result sets, A and B; got 1" },
};

FIXTURE(status) {
	char dir[64];
};

/* A preset file that does not parse: its content is no argument. */
FIXTURE_SETUP(status)
{
	char path[128];
	FILE *f;

	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "status"));
	snprintf(path, sizeof(path), "%s/broken.topo", self->dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("cpus = 4\n", f);
	ASSERT_EQ(0, fclose(f));
}

FIXTURE_TEARDOWN(status)
{
	SCRATCH_REMOVE(self->dir);
}

TEST_F(status, bad_arguments_exit_2_other_failures_1)
{
	static struct cli c;
	char args[512], message[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(args, sizeof(args), cases[i].args, self->dir);
		snprintf(message, sizeof(message), cases[i].message, self->dir);
		EXPECT_EQ(cases[i].status,
			  cli_run(&c, CLI_TIMEOUT "./ktstr %s </dev/null", args))
			TH_LOG("ktstr %.200s: %s", args, c.err);
		EXPECT_NE(NULL, strstr(c.err, message))
			TH_LOG("ktstr %.200s: expected '%s' in: %s", args,
			       message, c.err);
		EXPECT_STREQ("", c.out) TH_LOG("ktstr %.200s", args);
		EXPECT_EQ(NULL, strstr(c.err, "booting"))
			TH_LOG("ktstr %.200s: %s", args, c.err);
	}
}

/*
 * KASLR by default: the bzImage (its decompressor randomizes) and no
 * nokaslr; --nokaslr or KTSTR_NOKASLR=1: both the other way, the
 * vmlinux's PVH entry booted.  What QEMU would be given, booting nothing.
 */
TEST(kaslr_unless_asked)
{
	static struct cli c;

	/* The default is the subject: not what the caller's shell exports. */
	ASSERT_EQ(0, unsetenv("KTSTR_NOKASLR"));

	ASSERT_EQ(0, cli_run(&c, CLI_TIMEOUT "./ktstr shell --dry-run --exec true --topology 1n1l2c1t"))
		TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.out, "/vmlinuz ")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "panic=-1 mitigations=off")) TH_LOG("%s", c.out);
	EXPECT_EQ(NULL, strstr(c.out, "nokaslr")) TH_LOG("%s", c.out);
	ASSERT_EQ(0, cli_run(&c, CLI_TIMEOUT "./ktstr shell --dry-run --exec true --topology 1n1l2c1t --nokaslr"))
		TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.out, "/vmlinux ")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "panic=-1 nokaslr mitigations=off")) TH_LOG("%s", c.out);
	ASSERT_EQ(0, cli_run(&c, "KTSTR_NOKASLR=1 " CLI_TIMEOUT "./ktstr shell --dry-run --exec true --topology 1n1l2c1t"))
		TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.out, "panic=-1 nokaslr mitigations=off")) TH_LOG("%s", c.out);
}

/* make bench BENCH_SECTIONS=...: a section it does not have, before any work. */
TEST(bench_refuses_an_unknown_section)
{
	static struct cli c;

	EXPECT_EQ(2, cli_run(&c, "BENCH_SECTIONS='boot nope' TMPDIR=/nonexistent kselftest/bench.sh"));
	EXPECT_STREQ("bench: BENCH_SECTIONS: no section 'nope' (sections: boot ready vcpus suite fair matrix repro monitor gauntlet)\n",
		     c.err);
	EXPECT_STREQ("", c.out);
}

/*
 * make bench's boot section times an arm64 guest too: without build/arm64
 * or an arm64 kernel it stops before any work, saying what to run.  A
 * copy of bench.sh in a tree of its own (bench.sh works in its tree).
 */
TEST(bench_names_what_an_arm64_boot_needs)
{
	static struct cli c;
	char dir[64];

	ASSERT_NE(NULL, scratch_make(dir, sizeof(dir), "bench"));
	ASSERT_EQ(0, cli_run(&c, "mkdir %s/kselftest %s/cache && cp kselftest/bench.sh %s/kselftest && ln -s $PWD/vmm %s/vmm",
			     dir, dir, dir, dir));
	EXPECT_EQ(1, cli_run(&c, "BENCH_SECTIONS=boot %s/kselftest/bench.sh", dir));
	EXPECT_STREQ("bench: no build/arm64/guest/init: run 'make arm64'\n", c.err);
	EXPECT_STREQ("", c.out);
	ASSERT_EQ(0, cli_run(&c, "mkdir -p %s/build/arm64/guest && install -m 755 /dev/null %s/build/arm64/guest/init",
			     dir, dir));
	EXPECT_EQ(1, cli_run(&c, "BENCH_SECTIONS=boot KTSTR_CACHE_DIR=%s/cache %s/kselftest/bench.sh",
			     dir, dir));
	EXPECT_STREQ("bench: no arm64 kernel in the cache: run './ktstr kernel fetch --arch arm64' (or make deps)\n",
		     c.err);
	SCRATCH_REMOVE(dir);
}

/* The kind belongs to the last error: a later failure of another kind wins. */
TEST(kind_of_the_last_error)
{
	EXPECT_EQ(-1, kt_fail_usage("--x '%s': bad", "y"));
	EXPECT_STREQ("--x 'y': bad", kt_errmsg());
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	EXPECT_EQ(-1, kt_fail("cannot read %s", "z"));
	EXPECT_EQ(KT_EXIT_FAILURE, kt_exit_status());
	EXPECT_EQ(-1, kt_fail_mark_usage());
	EXPECT_STREQ("cannot read z", kt_errmsg());
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	errno = ENOENT;
	EXPECT_EQ(-1, kt_fail_errno("open %s", "z"));
	EXPECT_EQ(KT_EXIT_FAILURE, kt_exit_status());
}

TEST_HARNESS_MAIN
