// SPDX-License-Identifier: GPL-2.0
/*
 * The guest image's kernel configs: each kernel's config where libbpf
 * looks for it in a guest running that kernel, /boot/config-<release>,
 * checked in the archive the system cpio unpacks.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "error.h"
#include "guest.h"

static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The file's text, or "(missing)". */
static const char *read_text(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return "(missing)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

FIXTURE(guest) {
	char dir[64];
	char out[128];		/* the archive, unpacked */
	char err[128];		/* stderr while adding */
	struct kt_kernel a, b;
	struct kt_initramfs *ir;
};

static void fake_kernel(struct kt_kernel *k, const char *dir,
			const char *version, const char *release,
			const char *config)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->version, sizeof(k->version), "%s", version);
	snprintf(k->release, sizeof(k->release), "%s", release);
	snprintf(k->config, sizeof(k->config), "%s/config-%s", dir, version);
	write_text(k->config, config);
}

FIXTURE_SETUP(guest)
{
	char tmpl[] = "/tmp/kt-guest-XXXXXX", root[96];

	ASSERT_NE(NULL, mkdtemp(tmpl));
	snprintf(self->dir, sizeof(self->dir), "%s", tmpl);
	snprintf(root, sizeof(root), "%s/cache", self->dir);
	ASSERT_EQ(0, setenv("KTSTR_CACHE_DIR", root, 1));
	snprintf(self->out, sizeof(self->out), "%s/out", self->dir);
	snprintf(self->err, sizeof(self->err), "%s/stderr", self->dir);
	ASSERT_EQ(0, mkdir(self->out, 0755));
	fake_kernel(&self->a, self->dir, "a", "7.3.4-test", "CONFIG_A=y\n");
	fake_kernel(&self->b, self->dir, "b", "6.19.0-other", "CONFIG_B=y\n");
	self->ir = kt_initramfs_new();
	ASSERT_NE(NULL, self->ir);
}

FIXTURE_TEARDOWN(guest)
{
	kt_initramfs_free(self->ir);
	if (self->dir[0] && run("rm -rf '%s'", self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

/* kt_guest_add_kernel_configs() with stderr caught in self->err. */
static int add_configs(struct _test_data_guest *self,
		       const struct kt_kernel *const *kernels, size_t count)
{
	int fd = open(self->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int saved = dup(STDERR_FILENO), ret;

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	ret = kt_guest_add_kernel_configs(self->ir, kernels, count);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	return ret;
}

static int build_and_unpack(struct _test_data_guest *self)
{
	char archive[PATH_MAX];

	if (kt_initramfs_build(self->ir, archive, sizeof(archive)))
		return -1;
	return run("cd '%s' && cpio -idm --quiet < '%s'", self->out, archive);
}

static const char *guest_file(struct _test_data_guest *self, const char *path)
{
	static char host[PATH_MAX];

	snprintf(host, sizeof(host), "%s%s", self->out, path);
	return read_text(host);
}

/* Two kernels, one image: each release its own config. */
TEST_F(guest, each_release_its_config)
{
	const struct kt_kernel *kernels[] = { &self->a, &self->b };
	char path[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, add_configs(self, kernels, 2)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, build_and_unpack(self));
	EXPECT_STREQ("CONFIG_A=y\n", guest_file(self, "/boot/config-7.3.4-test"));
	EXPECT_STREQ("CONFIG_B=y\n", guest_file(self, "/boot/config-6.19.0-other"));
	snprintf(path, sizeof(path), "%s/boot/config-7.3.4-test", self->out);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0644U, st.st_mode & 07777);
	EXPECT_STREQ("", read_text(self->err));
}

/* The same kernel twice (a gauntlet may list it so): one file, quietly. */
TEST_F(guest, same_release_same_config_once)
{
	const struct kt_kernel *kernels[] = { &self->a, &self->a };

	ASSERT_EQ(0, add_configs(self, kernels, 2));
	ASSERT_EQ(0, build_and_unpack(self));
	EXPECT_STREQ("CONFIG_A=y\n", guest_file(self, "/boot/config-7.3.4-test"));
	EXPECT_STREQ("", read_text(self->err));
}

/* Two kernels that call themselves the same with other configs: warned. */
TEST_F(guest, same_release_other_config_warned)
{
	const struct kt_kernel *kernels[] = { &self->a, &self->b };

	snprintf(self->b.release, sizeof(self->b.release), "%s",
		 self->a.release);
	ASSERT_EQ(0, add_configs(self, kernels, 2));
	ASSERT_EQ(0, build_and_unpack(self));
	EXPECT_STREQ("CONFIG_A=y\n", guest_file(self, "/boot/config-7.3.4-test"));
	EXPECT_STREQ("ktstr: warning: kernels a and b both call themselves 7.3.4-test, with different configs: guests of both read the config of a\n",
		     read_text(self->err));
}

/* Without a release or a config the guest goes without, said once. */
TEST_F(guest, unknown_release_or_config_warned)
{
	const struct kt_kernel *kernels[] = { &self->a, &self->b };

	self->a.release[0] = '\0';
	self->b.config[0] = '\0';
	ASSERT_EQ(0, add_configs(self, kernels, 2));
	ASSERT_EQ(0, build_and_unpack(self));
	EXPECT_STREQ("(missing)", guest_file(self, "/boot"));
	EXPECT_STREQ("ktstr: warning: kernel a: its release (uname -r) is unknown, so its guests have no /boot/config-$(uname -r): schedulers with __kconfig externs (scx_central) cannot load there\n"
		     "ktstr: warning: kernel b: no config was found for it, so its guests have no /boot/config-$(uname -r): schedulers with __kconfig externs (scx_central) cannot load there\n",
		     read_text(self->err));
}

/* A release that is not one path component is not made into one. */
TEST_F(guest, release_with_slash_refused)
{
	const struct kt_kernel *kernels[] = { &self->a };

	snprintf(self->a.release, sizeof(self->a.release), "../../etc/x");
	ASSERT_EQ(0, add_configs(self, kernels, 1));
	ASSERT_EQ(0, build_and_unpack(self));
	EXPECT_STREQ("(missing)", guest_file(self, "/etc/x"));
	EXPECT_NE(NULL, strstr(read_text(self->err), "kernel a: its release (uname -r) contains '/'"));
}

/* A config that went away after the kernel was resolved: named. */
TEST_F(guest, vanished_config_named)
{
	const struct kt_kernel *kernels[] = { &self->a };

	ASSERT_EQ(0, unlink(self->a.config));
	ASSERT_EQ(-1, add_configs(self, kernels, 1));
	EXPECT_NE(NULL, strstr(kt_errmsg(), self->a.config))
		TH_LOG("%s", kt_errmsg());
}

TEST_HARNESS_MAIN
