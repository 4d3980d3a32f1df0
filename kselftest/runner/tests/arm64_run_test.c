// SPDX-License-Identifier: GPL-2.0
/*
 * Integration: `ktstr run --arch arm64` end to end, make check's bounded
 * share of the arm64 suite (Documentation/arm64.md).  A few suite tests
 * in arm64 guests under TCG, one VM at a time: they pass, the TAP
 * parses, the JUnit and JSON results name the arm64 guest and kernel,
 * and the host monitor found an arm64 kernel in each guest.  And what a
 * run refuses before it boots.  Skipped where there is no arm64 kernel
 * in the cache or no build/arm64 (make deps, make arm64).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "cli.h"
#include "scratch.h"

/*
 * The suite tests make check runs on arm64, 12 to 20 s each here: a
 * sched_ext scheduler's life, EEVDF keeping every CPU busy, and on the
 * big-little preset a CPU-bound task moved to a big CPU (EEVDF) and
 * light tasks spread to the LITTLE ones (scx_simple).  Keep the whole
 * under about 90 s.
 */
static const char * const arm64_checks[] = {
	"lifecycle.scx_simple.attach_run_detach",
	"conservation.eevdf.spinners_one_per_cpu",
	"capacity.eevdf.heavy_tasks_move_to_big",
	"capacity.scx_simple.light_tasks_not_all_on_big",
};

#define NR_CHECKS ARRAY_SIZE(arm64_checks)
#define RUN_TIMEOUT_S 600

FIXTURE(arm64_run) {
	char dir[64];
	char kernel[128];	/* the default arm64 kernel's release */
};

/* The release of the cache's default arm64 kernel, or "". */
static void default_arm64_kernel(char *buf, size_t len)
{
	static struct cli c;
	const char *slash;

	buf[0] = '\0';
	if (cli_run(&c, "vmm/kernel/default-kernel.sh arm64"))
		return;
	c.out[strcspn(c.out, "\n")] = '\0';
	slash = strrchr(c.out, '/');
	if (slash)
		snprintf(buf, len, "%s", slash + 1);
}

FIXTURE_SETUP(arm64_run)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "arm64run"));
	default_arm64_kernel(self->kernel, sizeof(self->kernel));
}

FIXTURE_TEARDOWN(arm64_run)
{
	SCRATCH_REMOVE(self->dir);
}

/* How many times @needle occurs in @text. */
static unsigned int occurrences(const char *text, const char *needle)
{
	unsigned int n = 0;

	while ((text = strstr(text, needle))) {
		n++;
		text += strlen(needle);
	}
	return n;
}

TEST_F_TIMEOUT(arm64_run, the_subset_passes_on_arm64, RUN_TIMEOUT_S)
{
	static struct cli c;
	char names[1024] = "", line[256], tap[96];
	size_t i, n = 0;

	if (access("build/arm64/suite", X_OK))
		SKIP(return, "no build/arm64 (make arm64)");
	if (!self->kernel[0])
		SKIP(return, "no arm64 kernel in the cache (./ktstr kernel fetch --arch arm64)");
	for (i = 0; i < NR_CHECKS; i++)
		n += snprintf(names + n, sizeof(names) - n, " %s",
			      arm64_checks[i]);
	EXPECT_EQ(0, cli_run(&c, "./ktstr run --arch arm64 -j 1 --junit %s/junit.xml --json %s/json%s",
			     self->dir, self->dir, names))
		TH_LOG("%s\n%s", c.out, c.err);
	/* The plan's order is the suite's: each by name, not by number. */
	for (i = 0; i < NR_CHECKS; i++) {
		snprintf(line, sizeof(line), " selftests: ktstr: %s\n",
			 arm64_checks[i]);
		EXPECT_NE(NULL, strstr(c.out, line)) TH_LOG("%s", c.out);
	}
	EXPECT_EQ(0, occurrences(c.out, "\nnot ok ")) TH_LOG("%s", c.out);
	snprintf(line, sizeof(line), "1..%zu\n", NR_CHECKS);
	EXPECT_NE(NULL, strstr(c.out, line)) TH_LOG("%s", c.out);
	EXPECT_TRUE(cli_tap_is_valid(c.out));
	/* The monitor read each guest as arm64. */
	EXPECT_EQ(NR_CHECKS, occurrences(c.out, "\n# monitor: arm64 kernel found in "))
		TH_LOG("%s", c.out);

	snprintf(tap, sizeof(tap), "%s/junit.xml", self->dir);
	EXPECT_EQ(0, cli_run(&c,
		"/usr/bin/python3 -c 'import sys, json, glob, xml.etree.ElementTree as E\n"
		"dir, kernel, names = sys.argv[1], sys.argv[2], sys.argv[3:]\n"
		"r = E.parse(dir + \"/junit.xml\").getroot()\n"
		"assert r.get(\"tests\") == str(len(names)) and r.get(\"failures\") == \"0\" and r.get(\"skipped\") == \"0\", r.attrib\n"
		"for t in r.iter(\"testcase\"):\n"
		"    p = {e.get(\"name\"): e.get(\"value\") for e in t.iter(\"property\")}\n"
		"    assert p == {\"arch\": \"arm64\", \"kernel\": kernel}, (t.get(\"name\"), p)\n"
		"assert sorted(t.get(\"name\") for t in r.iter(\"testcase\")) == sorted(names)\n"
		"for n in names:\n"
		"    j = json.load(open(dir + \"/json/\" + n + \".json\"))\n"
		"    got = (j[\"result\"], j[\"arch\"], j[\"kernel\"], j[\"boot_image\"], j[\"monitor\"][\"kernel\"][\"arch\"])\n"
		"    assert got == (\"pass\", \"arm64\", kernel, \"Image\", \"arm64\"), (n, got)\n"
		"assert len(glob.glob(dir + \"/json/*.json\")) == len(names)\n"
		"' %s %s%s", self->dir, self->kernel, names))
		TH_LOG("%s", c.err);
}

/*
 * The capacity check can fail: scx_simple, held to the claim it does
 * not make (its idle CPU is the kernel's, blind to capacity), leaves
 * CPU-bound tasks on the LITTLE CPUs they started on.
 */
TEST_F_TIMEOUT(arm64_run, capacity_blind_placement_fails, RUN_TIMEOUT_S)
{
	static struct cli c;

	if (access("build/arm64/schedulers/scx_simple", X_OK))
		SKIP(return, "no build/arm64 (make arm64)");
	if (!self->kernel[0])
		SKIP(return, "no arm64 kernel in the cache (./ktstr kernel fetch --arch arm64)");
	EXPECT_EQ(1, cli_run(&c, "./ktstr run --arch arm64 -j 1 --scheduler build/arm64/schedulers/scx_simple --scheduler-ignores none 'capacity.*.heavy_tasks_move_to_big*'"))
		TH_LOG("%s\n%s", c.out, c.err);
	EXPECT_NE(NULL, strstr(c.out, "\nnot ok 1 selftests: ktstr: capacity.scx_simple.heavy_tasks_move_to_big/big-little\n"))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "heavy_on_big: "))
		TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "CPU-bound tasks stayed on smaller CPUs while big ones were free"))
		TH_LOG("%s", c.out);
	EXPECT_TRUE(cli_tap_is_valid(c.out));
}

/*
 * Refused before anything boots or is written: an x86-only option, and
 * a tree without build/arm64, which names the make to run.
 */
TEST_F(arm64_run, refusals_name_what_to_do)
{
	static struct cli c;
	char want[256];

	EXPECT_EQ(2, cli_run(&c, "./ktstr run --arch arm64 --cpu-model intel --json %s/json %s",
			     self->dir, arm64_checks[0]));
	EXPECT_STREQ("ktstr run: --cpu-model intel: an x86_64 CPU model; arm64 guests run QEMU's 'max' CPU (drop --cpu-model or --arch arm64)\n",
		     c.err);
	EXPECT_EQ(1, cli_run(&c, "KTSTR_ROOT=%s ./ktstr run --arch arm64 --json %s/json %s",
			     self->dir, self->dir, arm64_checks[0]));
	snprintf(want, sizeof(want),
		 "ktstr run: %s/build/arm64/suite (run 'make arm64'): No such file or directory\n",
		 self->dir);
	EXPECT_STREQ(want, c.err);
	EXPECT_EQ(0, cli_run(&c, "ls -A %s", self->dir));
	EXPECT_STREQ("", c.out);
}

TEST_HARNESS_MAIN
