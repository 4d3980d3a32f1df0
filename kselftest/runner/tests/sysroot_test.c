// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest/sysroot.sh, the arm64 libraries of make ARCH=arm64: what it
 * refuses, and that a failed fetch leaves nothing in the cache; and what
 * make ARCH=arm64 refuses.  Each
 * test has a cache of its own; the configs are config/sysroot-arm64 with
 * one line changed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "cli.h"
#include "scratch.h"

#define SYSROOT "kselftest/sysroot.sh"
#define UNREACHABLE "http://127.0.0.1:1/debian"

FIXTURE(sysroot) {
	char dir[64];
	char cache[96];
	char conf[96];
};

FIXTURE_SETUP(sysroot)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "sysroot"));
	snprintf(self->cache, sizeof(self->cache), "%s/cache", self->dir);
	snprintf(self->conf, sizeof(self->conf), "%s/conf", self->dir);
	ASSERT_EQ(0, mkdir(self->cache, 0755));
}

FIXTURE_TEARDOWN(sysroot)
{
	SCRATCH_REMOVE(self->dir);
}

/* config/sysroot-arm64 with @key's line replaced by @key=@value, or gone. */
static int write_conf(const char *conf, const char *key, const char *value)
{
	char cmd[512];
	int n = snprintf(cmd, sizeof(cmd),
			 "sed '/^%s=/d' config/sysroot-arm64 > %s", key, conf);

	if (value)
		snprintf(cmd + n, sizeof(cmd) - n, " && echo '%s=%s' >> %s",
			 key, value, conf);
	return system(cmd);
}

/* Whether @dir holds anything: a failed fetch leaves an empty sysroot/. */
static bool holds_anything(const char *dir)
{
	struct dirent *de;
	bool any = false;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			any = true;
	closedir(d);
	return any;
}

static int run(struct cli *c, const char *cache, const char *conf,
	       const char *action)
{
	return cli_run(c, "KTSTR_CACHE_DIR=%s TMPDIR=%s/.. " SYSROOT " --config %s %s",
		       cache, cache, conf, action);
}

TEST(usage_errors_exit_2)
{
	static struct cli c;

	EXPECT_EQ(2, cli_run(&c, SYSROOT));
	EXPECT_STREQ("usage: sysroot.sh [--config FILE] dir|check|install\n", c.err);
	EXPECT_EQ(2, cli_run(&c, SYSROOT " fetch"));
	EXPECT_EQ(2, cli_run(&c, SYSROOT " --config"));
	EXPECT_EQ(2, cli_run(&c, SYSROOT " dir check"));
}

TEST_F(sysroot, dir_and_check_of_an_empty_cache)
{
	static struct cli c;
	char want[160];

	EXPECT_EQ(0, run(&c, self->cache, "config/sysroot-arm64", "dir"));
	snprintf(want, sizeof(want), "%s/sysroot/arm64-bookworm\n", self->cache);
	EXPECT_STREQ(want, c.out);
	EXPECT_EQ(1, run(&c, self->cache, "config/sysroot-arm64", "check"));
	EXPECT_STREQ("", c.err);
}

TEST_F(sysroot, config_errors_are_named)
{
	static struct cli c;
	char want[256];

	EXPECT_EQ(1, run(&c, self->cache, "/nonexistent/conf", "install"));
	EXPECT_STREQ("ktstr: cannot read /nonexistent/conf\n", c.err);
	ASSERT_EQ(0, write_conf(self->conf, "packages", NULL));
	EXPECT_EQ(1, run(&c, self->cache, self->conf, "install"));
	snprintf(want, sizeof(want), "ktstr: %s: needs arch=, suite= and packages=\n",
		 self->conf);
	EXPECT_STREQ(want, c.err);
	ASSERT_EQ(0, write_conf(self->conf, "suite", "../bookworm"));
	EXPECT_EQ(1, run(&c, self->cache, self->conf, "dir"));
	snprintf(want, sizeof(want), "ktstr: %s: arch= and suite= must be plain names\n",
		 self->conf);
	EXPECT_STREQ(want, c.err);
	EXPECT_FALSE(holds_anything(self->cache));
}

TEST_F(sysroot, unwritable_cache_is_named)
{
	static struct cli c;

	EXPECT_EQ(1, run(&c, "/proc/ktstr-cache", "config/sysroot-arm64", "install"));
	EXPECT_STREQ("ktstr: cannot write to /proc/ktstr-cache/sysroot (set KTSTR_CACHE_DIR)\n",
		     c.err);
}

/* apt only warns about an archive it cannot reach: that is an error. */
TEST_F(sysroot, unreachable_archive_leaves_nothing)
{
	static struct cli c;
	char sysroot[128];

	ASSERT_EQ(0, write_conf(self->conf, "mirror", UNREACHABLE));
	EXPECT_EQ(1, run(&c, self->cache, self->conf, "install"));
	EXPECT_NE(NULL, strstr(c.err, "Failed to fetch " UNREACHABLE "/dists/bookworm/InRelease"))
		TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "ktstr: no package list of bookworm/main for arm64 (from " UNREACHABLE " or http://deb.debian.org/debian-security)\n"))
		TH_LOG("%s", c.err);
	snprintf(sysroot, sizeof(sysroot), "%s/sysroot", self->cache);
	EXPECT_FALSE(holds_anything(sysroot));
	/* Its temporary directory went too (TMPDIR is the fixture's). */
	EXPECT_EQ(0, cli_run(&c, "{ ls %s | grep -c ktstr-sysroot || true; }", self->dir));
	EXPECT_STREQ("0\n", c.out);
}

/*
 * A package the archive does not have: apt's message, then ours, and no
 * sysroot.  Needs deb.debian.org (about 10 MB of package lists).
 */
TEST_F(sysroot, unknown_package_leaves_nothing)
{
	static struct cli c;
	char sysroot[128];

	if (cli_run(&c, "getent hosts deb.debian.org"))
		SKIP(return, "deb.debian.org cannot be resolved");
	ASSERT_EQ(0, write_conf(self->conf, "packages",
				"zlib1g ktstr-no-such-package"));
	EXPECT_EQ(1, run(&c, self->cache, self->conf, "install"));
	EXPECT_NE(NULL, strstr(c.err, "Unable to locate package ktstr-no-such-package"))
		TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "ktstr: cannot download the packages of "))
		TH_LOG("%s", c.err);
	snprintf(sysroot, sizeof(sysroot), "%s/sysroot", self->cache);
	EXPECT_FALSE(holds_anything(sysroot));
	EXPECT_EQ(1, run(&c, self->cache, self->conf, "check"));
}

/*
 * make ARCH=arm64 stops before it compiles anything when it cannot build
 * for arm64, saying what to do; each of these fails while the Makefile
 * is read.
 */
TEST_F(sysroot, cross_build_refusals)
{
	static struct cli c;
	char want[256];

	EXPECT_EQ(2, cli_run(&c, "make -s ARCH=riscv"));
	EXPECT_NE(NULL, strstr(c.err, "ARCH=riscv: ktstr builds for x86_64 (the host) or arm64"))
		TH_LOG("%s", c.err);
	EXPECT_EQ(2, cli_run(&c, "make -s ARCH=arm64 tests"));
	EXPECT_NE(NULL, strstr(c.err, "ARCH=arm64 builds the guest programs only: make ARCH=arm64 [all|clean]"))
		TH_LOG("%s", c.err);
	/* An empty cache: no sysroot. */
	EXPECT_EQ(2, cli_run(&c, "KTSTR_CACHE_DIR=%s make -s ARCH=arm64",
			     self->cache));
	snprintf(want, sizeof(want),
		 "no complete arm64 sysroot in %s/sysroot/arm64-bookworm: run kselftest/sysroot.sh install (or make deps)",
		 self->cache);
	EXPECT_NE(NULL, strstr(c.err, want)) TH_LOG("%s", c.err);
	EXPECT_EQ(2, cli_run(&c, "make -s ARCH=arm64 SYSROOT=%s", self->cache));
	snprintf(want, sizeof(want),
		 "SYSROOT=%s has no usr/include/bpf/libbpf.h: not an arm64 sysroot of kselftest/sysroot.sh",
		 self->cache);
	EXPECT_NE(NULL, strstr(c.err, want)) TH_LOG("%s", c.err);
	/* A sysroot that looks right, and no such compiler. */
	ASSERT_EQ(0, cli_run(&c, "mkdir -p %s/usr/include/bpf && touch %s/usr/include/bpf/libbpf.h",
			     self->cache, self->cache));
	EXPECT_EQ(2, cli_run(&c, "make -s ARCH=arm64 SYSROOT=%s CROSS_COMPILE=ktstr-none-",
			     self->cache));
	EXPECT_NE(NULL, strstr(c.err, "ktstr-none-gcc not found: install gcc-aarch64-linux-gnu (make deps)"))
		TH_LOG("%s", c.err);
}

/*
 * With the sysroot of the user's cache but no arm64 kernel in the cache
 * of the test, the build stops at the schedulers' vmlinux.h, which says
 * what to do (O= keeps it out of build/arm64).
 */
TEST_F(sysroot, cross_build_without_an_arm64_kernel)
{
	static struct cli c;
	char want[512];

	if (cli_run(&c, "kselftest/sysroot.sh check"))
		SKIP(return, "no arm64 sysroot in the cache (make deps)");
	ASSERT_EQ(0, cli_run(&c, "kselftest/sysroot.sh dir"));
	c.out[strcspn(c.out, "\n")] = '\0';
	EXPECT_EQ(2, cli_run(&c, "KTSTR_CACHE_DIR=%s make -s ARCH=arm64 SYSROOT=%s O=%s/o %s/o/tests/schedulers/vmlinux.h",
			     self->cache, c.out, self->dir, self->dir));
	snprintf(want, sizeof(want),
		 "ktstr: no vmlinux with BTF (VMLINUX_BTF=''); no arm64 kernel in %s/kernels (an entry with arch=arm64 and its vmlinux.btf): fetch one (Documentation/kernels.md) or set VMLINUX_BTF=",
		 self->cache);
	EXPECT_NE(NULL, strstr(c.err, want)) TH_LOG("%s", c.err);
}

TEST_HARNESS_MAIN
