// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest/deps.sh (make deps, and the ensure-deps of make check, make
 * run_tests and make bench): what it finds missing in a cache of its
 * own, the arm64 kernel among it, and what it says when fetching that
 * fails.  It runs as a user would (as nobody when the test runs as root,
 * so that it installs nothing); an empty dpkg database (DPKG_ADMINDIR)
 * makes every package missing, so that it stops at its list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "cli.h"
#include "scratch.h"

#define DEPS "kselftest/deps.sh"
#define X86_RELEASE "7.3.4+deb13-cloud-amd64"
#define ARM64_RELEASE "7.3.4+deb13-cloud-arm64"

FIXTURE(deps) {
	char dir[64];
	char cache[96];
	char dpkg[96];
};

/* A cache entry with what vmm/kernel/default-kernel.sh looks for. */
static int add_kernel(const char *cache, const char *release,
		      const char *arch)
{
	static struct cli c;

	return cli_run(&c, "d=%s/kernels/%s && mkdir -p $d && echo version=%s > $d/metadata && %s%s%s touch $d/vmlinuz",
		       cache, release, release, arch ? "echo arch=" : "",
		       arch ? arch : "", arch ? " >> $d/metadata &&" : "");
}

/*
 * A cache with the x86 kernel and its source, no arm64 kernel and no
 * sysroot, readable by nobody; and an empty dpkg database.
 */
FIXTURE_SETUP(deps)
{
	static struct cli c;

	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "deps"));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->cache, sizeof(self->cache), "%s/cache", self->dir);
	snprintf(self->dpkg, sizeof(self->dpkg), "%s/dpkg", self->dir);
	ASSERT_EQ(0, add_kernel(self->cache, X86_RELEASE, NULL));
	ASSERT_EQ(0, cli_run(&c, "mkdir -p %s/source/linux-source-7.3 %s && touch %s/source/linux-source-7.3/Makefile %s/status",
			     self->cache, self->dpkg, self->cache, self->dpkg));
}

FIXTURE_TEARDOWN(deps)
{
	SCRATCH_REMOVE(self->dir);
}

/*
 * Runs deps.sh @action as a user, with @dpkg as its database ("": the
 * host's), the user's home being nobody's.
 */
static int deps(struct cli *c, const char *cache, const char *dpkg,
		const char *action)
{
	/* Not make's flags of make check: deps.sh may run make itself. */
	return cli_run(c, "%senv -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u DPKG_ADMINDIR HOME=/nonexistent %s%s KTSTR_CACHE_DIR=%s " DEPS " %s",
		       geteuid() ? "" : "setpriv --reuid=65534 --regid=65534 --clear-groups ",
		       *dpkg ? "DPKG_ADMINDIR=" : "", dpkg, cache, action);
}

TEST(usage_errors_exit_2)
{
	static struct cli c;

	EXPECT_EQ(2, cli_run(&c, DEPS));
	EXPECT_STREQ("usage: deps.sh install|ensure\n", c.err);
	EXPECT_EQ(2, cli_run(&c, DEPS " check"));
	EXPECT_STREQ("usage: deps.sh install|ensure\n", c.err);
}

TEST_F(deps, a_missing_arm64_kernel_is_listed)
{
	static struct cli c;
	char want[512];

	EXPECT_EQ(1, deps(&c, self->cache, self->dpkg, "ensure"));
	snprintf(want, sizeof(want),
		 ", qemu-system-arm, python3-tap, an arm64 kernel in %s/kernels, the arm64 sysroot in %s/sysroot\nktstr: to install it, run: sudo make deps\n",
		 self->cache, self->cache);
	EXPECT_NE(NULL, strstr(c.err, want)) TH_LOG("%s", c.err);
	EXPECT_STREQ("", c.out);
	/* Nothing was fetched or made. */
	EXPECT_EQ(0, cli_run(&c, "ls %s/kernels", self->cache));
	EXPECT_STREQ(X86_RELEASE "\n", c.out);

	/* An x86 kernel, however new, is not an arm64 one. */
	ASSERT_EQ(0, add_kernel(self->cache, "9.9.9-cloud-amd64", "x86_64"));
	EXPECT_EQ(1, deps(&c, self->cache, self->dpkg, "ensure"));
	EXPECT_NE(NULL, strstr(c.err, "an arm64 kernel in ")) TH_LOG("%s", c.err);
}

TEST_F(deps, an_arm64_kernel_in_the_cache_is_found)
{
	static struct cli c;
	char want[512];

	ASSERT_EQ(0, add_kernel(self->cache, ARM64_RELEASE, "arm64"));
	EXPECT_EQ(1, deps(&c, self->cache, self->dpkg, "install"));
	EXPECT_EQ(NULL, strstr(c.err, "arm64 kernel")) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "python3-tap, the arm64 sysroot in ")) TH_LOG("%s", c.err);
	snprintf(want, sizeof(want),
		 "deps: kernel: " X86_RELEASE " in %s/kernels\ndeps: source: present\ndeps: arm64 kernel: " ARM64_RELEASE " in %s/kernels\n",
		 self->cache, self->cache);
	EXPECT_NE(NULL, strstr(c.out, want)) TH_LOG("%s", c.out);
}

/*
 * With the host's packages all there, a user's missing arm64 kernel is
 * fetched with ./ktstr kernel fetch --arch arm64 (no privileges needed);
 * a cache the user cannot write to stops it, named, and nothing is
 * fetched.  Needs ./ktstr built (make check builds it first).
 */
TEST_F(deps, a_failed_arm64_fetch_is_named)
{
	static struct cli c;
	char want[512], kernels[128];

	if (access("ktstr", X_OK))
		SKIP(return, "no ./ktstr (make ktstr)");
	snprintf(kernels, sizeof(kernels), "%s/kernels", self->cache);
	ASSERT_EQ(0, chmod(kernels, 0555));
	EXPECT_EQ(1, deps(&c, self->cache, "", "ensure"));
	if (strstr(c.err, "ktstr: missing: "))
		SKIP(return, "the host lacks packages (make deps): %.200s", c.err);
	snprintf(want, sizeof(want),
		 "deps: building ./ktstr\ndeps: fetching the arm64 kernel into %s\n",
		 self->cache);
	EXPECT_STREQ(want, c.out);
	snprintf(want, sizeof(want),
		 "ktstr: cannot write to the cache %s (set KTSTR_CACHE_DIR)\n",
		 self->cache);
	EXPECT_STREQ(want, c.err);
	EXPECT_EQ(0, cli_run(&c, "ls %s/kernels", self->cache));
	EXPECT_STREQ(X86_RELEASE "\n", c.out);
}

TEST_HARNESS_MAIN
