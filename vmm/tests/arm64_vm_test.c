// SPDX-License-Identifier: GPL-2.0
/*
 * Integration: arm64 guests under TCG.  A few boots only (each takes
 * seconds): a command's output and status, `ktstr topo verify` of the
 * two presets with CPU capacities and of a two-node shape, and the
 * monitor reading a guest with a scheduler of the arm64 build.  Skipped
 * where there is no arm64 kernel in the cache or no `make arm64` build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define BOOT_TIMEOUT_S 300

struct output {
	int status;
	char text[32768];
};

/* @cmd under sh, stdout and stderr together. */
static void run(const char *cmd, struct output *o)
{
	size_t n;
	FILE *p = popen(cmd, "r");

	o->text[0] = '\0';
	o->status = -1;
	if (!p)
		return;
	n = fread(o->text, 1, sizeof(o->text) - 1, p);
	o->text[n] = '\0';
	o->status = WEXITSTATUS(pclose(p));
}

/* The reason an arm64 guest cannot boot here, or NULL. */
static const char *cannot_boot(void)
{
	static struct output o;

	if (access("build/arm64/guest/init", R_OK))
		return "no build/arm64 (make arm64)";
	run("vmm/kernel/default-kernel.sh arm64", &o);
	if (o.status || !o.text[0])
		return "no arm64 kernel in the cache (ktstr kernel fetch --arch arm64)";
	return NULL;
}

FIXTURE(arm64) {
};

FIXTURE_SETUP(arm64)
{
	const char *why = cannot_boot();

	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(arm64)
{
}

TEST_F_TIMEOUT(arm64, exec_output_and_status, BOOT_TIMEOUT_S)
{
	struct output o;

	run("./ktstr shell --arch arm64 --topology tri-tier --exec 'uname -m; cat /sys/devices/system/cpu/cpu*/cpu_capacity | tr \"\\n\" ,; echo; echo oops >&2; exit 7' 2>&1",
	    &o);
	EXPECT_EQ(7, o.status) TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, "aarch64\n")) TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, "1024,1024,768,768,768,768,512,512,\n"))
		TH_LOG("%s", o.text);
	/* stderr came through its own port (ttyS2). */
	EXPECT_NE(NULL, strstr(o.text, "oops\n")) TH_LOG("%s", o.text);
}

FIXTURE_VARIANT(verify) {
	const char *spec;
};

FIXTURE(verify) {
};

FIXTURE_SETUP(verify)
{
	const char *why = cannot_boot();

	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(verify)
{
}

FIXTURE_VARIANT_ADD(verify, big_little) {
	.spec = "big-little",
};

FIXTURE_VARIANT_ADD(verify, tri_tier) {
	.spec = "tri-tier",
};

FIXTURE_VARIANT_ADD(verify, numa2_smt) {
	.spec = "2n4l2c2t",
};

TEST_F_TIMEOUT(verify, topo_verify, BOOT_TIMEOUT_S)
{
	struct output o;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "./ktstr topo verify --arch arm64 %s 2>&1",
		 variant->spec);
	run(cmd, &o);
	EXPECT_EQ(0, o.status) TH_LOG("%s", o.text);
	EXPECT_EQ(NULL, strstr(o.text, "not ok")) TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, "cluster siblings\n"))
		TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, "asymmetric capacity domain"))
		TH_LOG("%s", o.text);
	EXPECT_EQ(NULL, strstr(o.text, "CPU vendor")) TH_LOG("%s", o.text);
}

/*
 * Refused before anything boots: exit 2, and no QEMU is run (there is
 * none to run: a start would fail otherwise).
 */
TEST(refusals)
{
	struct output o;

	ASSERT_EQ(0, setenv("KTSTR_QEMU_ARM64", "/nonexistent/qemu-system-aarch64", 1));
	run("./ktstr shell --arch arm64 --cpu-model intel --topology tri-tier --exec true 2>&1",
	    &o);
	EXPECT_EQ(2, o.status) TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, "--cpu-model intel: an x86_64 CPU model"))
		TH_LOG("%s", o.text);
	run("./ktstr shell --topology big-little --exec true 2>&1", &o);
	EXPECT_EQ(2, o.status) TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, "topology big-little: node.0.llcs (line 6) declares clusters or CPU capacities"))
		TH_LOG("%s", o.text);
	run("./ktstr topo verify --arch sparc tri-tier 2>&1", &o);
	EXPECT_EQ(2, o.status) TH_LOG("%s", o.text);
	run("./ktstr shell --arch arm64 --accel kvm --topology tiny --exec true 2>&1",
	    &o);
	EXPECT_EQ(2, o.status) TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, "--accel kvm: arm64 guests run under TCG"))
		TH_LOG("%s", o.text);
	unsetenv("KTSTR_QEMU_ARM64");
}

/*
 * The monitor reads an arm64 guest: it finds the kernel, and the
 * scheduler named is the arm64 build's (build/arm64/schedulers), which
 * it sees enabled.
 */
TEST_F_TIMEOUT(arm64, monitor_reads_the_guest, BOOT_TIMEOUT_S)
{
	struct output o;

	run("./ktstr monitor --arch arm64 --topology tiny --scheduler ktstr_fifo --interval 500 --exec 'sleep 2' 2>&1",
	    &o);
	EXPECT_EQ(0, o.status) TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, "monitor: arm64 kernel found in "))
		TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, " SCX_ENABLED ktstr_fifo | cpu0: "))
		TH_LOG("%s", o.text);
	EXPECT_EQ(NULL, strstr(o.text, "monitor: error")) TH_LOG("%s", o.text);
}

/*
 * A scheduler built for the other machine is refused before anything
 * boots (exit 2), naming the file and both machines: the x86 build's
 * for an arm64 guest, the arm64 build's for an x86_64 one.
 */
TEST_F(arm64, a_scheduler_of_the_other_machine_is_refused)
{
	static const struct {
		const char *args, *message;
	} cases[] = {
		{ "monitor --arch arm64 --topology tiny --scheduler build/schedulers/ktstr_fifo --exec true",
		  "ktstr monitor: --scheduler build/schedulers/ktstr_fifo: %s/build/schedulers/ktstr_fifo is a program for x86_64, and arm64 guests run aarch64 programs ('make arm64' builds those in build/arm64/)\n" },
		{ "run --arch arm64 --list --scheduler build/schedulers/scx_simple",
		  "ktstr run: --scheduler build/schedulers/scx_simple: build/schedulers/scx_simple is a program for x86_64, and arm64 guests run aarch64 programs ('make arm64' builds those in build/arm64/)\n" },
		{ "gauntlet --list --scheduler build/arm64/schedulers/scx_simple",
		  "ktstr gauntlet: --scheduler build/arm64/schedulers/scx_simple: build/arm64/schedulers/scx_simple is a program for aarch64, and x86_64 guests run x86_64 programs ('make' builds those in build/)\n" },
		/* a name is looked for in the arm64 build */
		{ "monitor --arch arm64 --topology tiny --scheduler no_such_sched --exec true",
		  "ktstr monitor: --scheduler no_such_sched (%s/build/arm64/schedulers/no_such_sched): No such file or directory\n" },
	};
	char cmd[512], cwd[256], want[1024];
	struct output o;
	size_t i;

	ASSERT_EQ(0, setenv("KTSTR_QEMU_ARM64", "/nonexistent/qemu-system-aarch64", 1));
	ASSERT_EQ(0, access("build/schedulers/ktstr_fifo", X_OK));
	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(cmd, sizeof(cmd), "./ktstr %s 2>&1", cases[i].args);
		/* %s: this tree, where the monitor's paths are resolved */
		snprintf(want, sizeof(want), cases[i].message, cwd);
		run(cmd, &o);
		EXPECT_EQ(2, o.status) TH_LOG("%s: %s", cmd, o.text);
		EXPECT_NE(NULL, strstr(o.text, want))
			TH_LOG("%s: want %s in %s", cmd, want, o.text);
	}
	unsetenv("KTSTR_QEMU_ARM64");
}

TEST_HARNESS_MAIN
