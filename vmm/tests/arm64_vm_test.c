// SPDX-License-Identifier: GPL-2.0
/*
 * Integration: arm64 guests under TCG.  A few boots only (each takes
 * seconds): a command's output and status, and `ktstr topo verify` of
 * the two presets with CPU capacities and of a two-node shape.  Skipped
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
	run("./ktstr monitor --arch arm64 --topology tiny --exec true 2>&1", &o);
	EXPECT_EQ(2, o.status) TH_LOG("%s", o.text);
	EXPECT_NE(NULL, strstr(o.text, "the monitor reads x86_64 guests only"))
		TH_LOG("%s", o.text);
	unsetenv("KTSTR_QEMU_ARM64");
}

TEST_HARNESS_MAIN
