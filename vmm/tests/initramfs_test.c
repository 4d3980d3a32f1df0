// SPDX-License-Identifier: GPL-2.0
/*
 * The guest image: content addressing in the cache, cleanup on failure,
 * what comes out when the system cpio unpacks it, the kernels'
 * configs at /boot/config-<release>, and images for arm64 guests.
 */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "elfdeps.h"
#include "error.h"
#include "guest.h"
#include "initramfs.h"
#include "strlist.h"

#define BIG	(PATH_MAX * 2)

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

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

/* Entries of a directory, with the ones starting with @prefix. */
static int count_entries(const char *dir, const char *prefix, int *matching)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	*matching = 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			(*matching)++;
	}
	closedir(d);
	return n;
}

static int list_archive(const char *archive, struct kt_strlist *names)
{
	char cmd[BIG], line[BIG];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "cpio -t --quiet < '%s'", archive);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (kt_strlist_push(names, line) < 0)
			break;
	}
	return pclose(p);
}

FIXTURE(ir) {
	char dir[64];
	char cache[128];	/* $KTSTR_CACHE_DIR/initramfs */
	char src[128];		/* host files to add */
	char out[128];		/* extraction */
	struct kt_initramfs *ir;
};

FIXTURE_SETUP(ir)
{
	char tmpl[] = "/tmp/kt-initramfs-XXXXXX";
	char root[96];

	ASSERT_NE(NULL, mkdtemp(tmpl));
	snprintf(self->dir, sizeof(self->dir), "%s", tmpl);
	snprintf(root, sizeof(root), "%s/cache", self->dir);
	ASSERT_EQ(0, setenv("KTSTR_CACHE_DIR", root, 1));
	snprintf(self->cache, sizeof(self->cache), "%s/initramfs", root);
	snprintf(self->src, sizeof(self->src), "%s/src", self->dir);
	snprintf(self->out, sizeof(self->out), "%s/out", self->dir);
	ASSERT_EQ(0, mkdir(self->src, 0755));
	ASSERT_EQ(0, mkdir(self->out, 0755));
	self->ir = kt_initramfs_new();
	ASSERT_NE(NULL, self->ir);
}

FIXTURE_TEARDOWN(ir)
{
	kt_initramfs_free(self->ir);
	if (self->dir[0] && run("rm -rf '%s'", self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

static int add_basics(struct kt_initramfs *ir, const char *hostname)
{
	if (kt_initramfs_add_dir(ir, "/proc", 0555) ||
	    kt_initramfs_add_chardev(ir, "/dev/console", 0600, 5, 1) ||
	    kt_initramfs_add_data(ir, "/etc/hostname", hostname,
				  strlen(hostname), 0644) ||
	    kt_initramfs_add_symlink(ir, "/bin/sh", "busybox"))
		return -1;
	return 0;
}

static int extract(const char *archive, const char *dir)
{
	return run("cd '%s' && cpio -idm --quiet --nonmatching 'dev/*' < '%s'",
		   dir, archive);
}

TEST_F(ir, same_content_same_file)
{
	char first[PATH_MAX], second[PATH_MAX];
	struct kt_initramfs *again;
	int tmp;

	ASSERT_EQ(0, add_basics(self->ir, "ktstr\n"));
	ASSERT_EQ(0, kt_initramfs_build(self->ir, first, sizeof(first))) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_EQ(0, strncmp(first, self->cache, strlen(self->cache)));
	EXPECT_EQ(0, access(first, R_OK));

	/* Same entries added in another order: the same image. */
	again = kt_initramfs_new();
	ASSERT_NE(NULL, again);
	ASSERT_EQ(0, kt_initramfs_add_symlink(again, "/bin/sh", "busybox"));
	ASSERT_EQ(0, add_basics(again, "ktstr\n"));
	ASSERT_EQ(0, kt_initramfs_build(again, second, sizeof(second)));
	kt_initramfs_free(again);
	EXPECT_STREQ(first, second);
	EXPECT_EQ(1, count_entries(self->cache, ".tmp-", &tmp));
	EXPECT_EQ(0, tmp);
}

TEST_F(ir, different_content_different_file)
{
	char first[PATH_MAX], second[PATH_MAX], third[PATH_MAX];
	struct kt_initramfs *other;
	int tmp;

	ASSERT_EQ(0, add_basics(self->ir, "ktstr\n"));
	ASSERT_EQ(0, kt_initramfs_build(self->ir, first, sizeof(first)));

	other = kt_initramfs_new();
	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, add_basics(other, "ktstR\n"));
	ASSERT_EQ(0, kt_initramfs_build(other, second, sizeof(second)));
	EXPECT_STRNE(first, second);

	/* A mode is content too. */
	ASSERT_EQ(0, kt_initramfs_add_dir(other, "/proc", 0755));
	ASSERT_EQ(0, kt_initramfs_build(other, third, sizeof(third)));
	kt_initramfs_free(other);
	EXPECT_STRNE(second, third);
	EXPECT_STRNE(first, third);
	EXPECT_EQ(3, count_entries(self->cache, ".tmp-", &tmp));
	EXPECT_EQ(0, tmp);
}

TEST_F(ir, missing_include_named_and_nothing_cached)
{
	char path[PATH_MAX + 32], out[PATH_MAX];
	int tmp;

	snprintf(path, sizeof(path), "%s/no-such-file", self->src);
	EXPECT_EQ(-1, kt_initramfs_add_tree(self->ir, path, path));
	EXPECT_NE(NULL, strstr(kt_errmsg(), path)) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_EQ(-1, kt_initramfs_add_file(self->ir, path, "/x", 0));
	EXPECT_NE(NULL, strstr(kt_errmsg(), path));
	EXPECT_EQ(0, count_entries(self->cache, ".tmp-", &tmp));
	/* The image is still usable without it. */
	ASSERT_EQ(0, add_basics(self->ir, "ktstr\n"));
	ASSERT_EQ(0, kt_initramfs_build(self->ir, out, sizeof(out)));
	EXPECT_EQ(1, count_entries(self->cache, ".tmp-", &tmp));
}

/* A host file gone by build time: error, and no file, not even a tmp. */
TEST_F(ir, failed_build_leaves_nothing)
{
	char path[PATH_MAX + 32], out[PATH_MAX];
	int tmp;

	snprintf(path, sizeof(path), "%s/vanishing", self->src);
	ASSERT_EQ(0, write_text(path, "soon gone\n"));
	ASSERT_EQ(0, kt_initramfs_add_file(self->ir, path, "/vanishing", 0));
	ASSERT_EQ(0, unlink(path));
	EXPECT_EQ(-1, kt_initramfs_build(self->ir, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), path)) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_EQ(0, count_entries(self->cache, ".tmp-", &tmp));
}

/*
 * Failing halfway through writing: a file size limit makes write() fail
 * with EFBIG after the hash is done.  The partial file must go.
 */
TEST_F(ir, write_failure_removes_tmp)
{
	struct rlimit lim = { 64 * 1024, 64 * 1024 };
	static char big[1024 * 1024];
	char out[PATH_MAX];
	int tmp;

	ASSERT_EQ(0, add_basics(self->ir, "ktstr\n"));
	ASSERT_EQ(0, kt_initramfs_add_data(self->ir, "/big", big, sizeof(big),
					   0644));
	signal(SIGXFSZ, SIG_IGN);
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &lim));
	EXPECT_EQ(-1, kt_initramfs_build(self->ir, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "too large")) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_EQ(0, count_entries(self->cache, ".tmp-", &tmp));
}

TEST_F(ir, directory_where_file_expected)
{
	EXPECT_EQ(-1, kt_initramfs_add_file(self->ir, self->src, "/x", 0));
	EXPECT_NE(NULL, strstr(kt_errmsg(), self->src));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "directory"));
}

TEST_F(ir, bad_guest_paths)
{
	EXPECT_EQ(-1, kt_initramfs_add_dir(self->ir, "relative/path", 0755));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "relative/path"));
	EXPECT_EQ(-1, kt_initramfs_add_dir(self->ir, "/a/..", 0755));
	EXPECT_EQ(-1, kt_initramfs_add_symlink(self->ir, "/bin/x", ""));
	/* A file cannot be a parent. */
	ASSERT_EQ(0, kt_initramfs_add_data(self->ir, "/etc/f", "x", 1, 0644));
	EXPECT_EQ(-1, kt_initramfs_add_data(self->ir, "/etc/f/g", "", 0,
					    0644));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/etc/f"));
}

TEST_F(ir, tree_round_trip)
{
	char path[BIG], archive[PATH_MAX], buf[64], target[64];
	struct stat st;
	ssize_t n;

	static const char *const make[] = {
		"mkdir -p sub/deeper emptydir",
		"printf alpha > a.txt",
		"printf 12345 > sub/b.bin",
		": > sub/deeper/c",
		"ln -s sub/b.bin link",
		"ln -s /etc/hostname abs-link",
		"printf '#!/bin/sh\\necho hi\\n' > run.sh",
		"chmod 0755 run.sh",
		"chmod 0700 sub",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(make); i++)
		ASSERT_EQ(0, run("cd '%s' && %s", self->src, make[i]));
	ASSERT_EQ(0, kt_initramfs_add_tree(self->ir, self->src, "/opt/t")) {
		TH_LOG("%s", kt_errmsg());
	}
	ASSERT_EQ(0, kt_initramfs_build(self->ir, archive, sizeof(archive)));
	ASSERT_EQ(0, extract(archive, self->out));

	snprintf(path, sizeof(path), "%s/opt", self->out);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/opt/t/a.txt", self->out);
	ASSERT_EQ(0, read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("alpha", buf);
	snprintf(path, sizeof(path), "%s/opt/t/sub/b.bin", self->out);
	ASSERT_EQ(0, read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("12345", buf);
	snprintf(path, sizeof(path), "%s/opt/t/sub", self->out);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0700U, st.st_mode & 07777);
	snprintf(path, sizeof(path), "%s/opt/t/sub/deeper/c", self->out);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0, st.st_size);
	snprintf(path, sizeof(path), "%s/opt/t/emptydir", self->out);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/opt/t/run.sh", self->out);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0755U, st.st_mode & 07777);

	snprintf(path, sizeof(path), "%s/opt/t/link", self->out);
	n = readlink(path, target, sizeof(target) - 1);
	ASSERT_GT(n, 0);
	target[n] = '\0';
	EXPECT_STREQ("sub/b.bin", target);
	snprintf(path, sizeof(path), "%s/opt/t/abs-link", self->out);
	n = readlink(path, target, sizeof(target) - 1);
	ASSERT_GT(n, 0);
	target[n] = '\0';
	EXPECT_STREQ("/etc/hostname", target);
}

TEST_F(ir, parents_before_children)
{
	struct kt_strlist names = KT_STRLIST_INIT;
	char archive[PATH_MAX], parent[BIG], *slash;
	size_t i, j;

	ASSERT_EQ(0, run("cd '%s' && mkdir -p a/b/c a-b && %s", self->src,
			 ": > a/b/c/f && : > a-b/g && : > a.b"));
	ASSERT_EQ(0, kt_initramfs_add_tree(self->ir, self->src, "/x/y"));
	ASSERT_EQ(0, add_basics(self->ir, "ktstr\n"));
	ASSERT_EQ(0, kt_initramfs_build(self->ir, archive, sizeof(archive)));
	ASSERT_EQ(0, list_archive(archive, &names));
	ASSERT_GE(names.count, 12U);
	for (i = 0; i < names.count; i++) {
		EXPECT_NE('/', names.items[i][0]);
		if (i)
			EXPECT_LT(0, strcmp(names.items[i],
					    names.items[i - 1]));
		snprintf(parent, sizeof(parent), "%s", names.items[i]);
		slash = strrchr(parent, '/');
		if (!slash)
			continue;
		*slash = '\0';
		for (j = 0; j < i; j++)
			if (!strcmp(names.items[j], parent))
				break;
		EXPECT_LT(j, i) {
			TH_LOG("%s comes before its parent", names.items[i]);
		}
	}
	kt_strlist_free(&names);
}

TEST_F(ir, later_add_replaces)
{
	char path[BIG], archive[PATH_MAX], buf[64];
	struct stat st;

	ASSERT_EQ(0, kt_initramfs_add_data(self->ir, "/etc/x", "one", 3,
					   0644));
	ASSERT_EQ(0, kt_initramfs_add_data(self->ir, "/etc//./x", "two", 3,
					   0600));
	ASSERT_EQ(0, kt_initramfs_add_symlink(self->ir, "/etc/y", "x"));
	ASSERT_EQ(0, kt_initramfs_add_dir(self->ir, "/etc/y", 0711));
	ASSERT_EQ(0, kt_initramfs_add_data(self->ir, "/a/b/../c", "c", 1,
					   0644));
	ASSERT_EQ(0, kt_initramfs_build(self->ir, archive, sizeof(archive)));
	ASSERT_EQ(0, extract(archive, self->out));

	snprintf(path, sizeof(path), "%s/etc/x", self->out);
	ASSERT_EQ(0, read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("two", buf);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600U, st.st_mode & 07777);
	snprintf(path, sizeof(path), "%s/etc/y", self->out);
	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0711U, st.st_mode & 07777);
	snprintf(path, sizeof(path), "%s/a/c", self->out);
	ASSERT_EQ(0, read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("c", buf);
}

TEST_F(ir, replacing_a_parent_fails_at_build)
{
	char archive[PATH_MAX];
	int tmp;

	ASSERT_EQ(0, kt_initramfs_add_data(self->ir, "/opt/d/f", "f", 1,
					   0644));
	ASSERT_EQ(0, kt_initramfs_add_data(self->ir, "/opt/d", "d", 1,
					   0644));
	EXPECT_EQ(-1, kt_initramfs_build(self->ir, archive, sizeof(archive)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/opt/d/f")) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_EQ(0, count_entries(self->cache, ".tmp-", &tmp));
}

TEST_F(ir, program_brings_its_libraries)
{
	struct kt_strlist deps = KT_STRLIST_INIT, names = KT_STRLIST_INIT;
	char archive[PATH_MAX];
	size_t i;

	ASSERT_EQ(0, kt_elf_deps("/bin/ls", &deps));
	ASSERT_EQ(0, kt_initramfs_add_file(self->ir, "/bin/ls", "/bin/ls",
					   0)) {
		TH_LOG("%s", kt_errmsg());
	}
	ASSERT_EQ(0, kt_initramfs_build(self->ir, archive, sizeof(archive)));
	ASSERT_EQ(0, list_archive(archive, &names));
	EXPECT_TRUE(kt_strlist_contains(&names, "bin/ls"));
	for (i = 0; i < deps.count; i++)
		EXPECT_TRUE(kt_strlist_contains(&names, deps.items[i] + 1)) {
			TH_LOG("%s missing", deps.items[i]);
		}
	if (!access("/etc/ld.so.cache", R_OK))
		EXPECT_TRUE(kt_strlist_contains(&names, "etc/ld.so.cache"));
	kt_strlist_free(&deps);
	kt_strlist_free(&names);
}

/* What the caller put at a library's path wins over the automatic copy. */
TEST_F(ir, libraries_do_not_replace)
{
	struct kt_strlist deps = KT_STRLIST_INIT;
	char archive[PATH_MAX], path[BIG], buf[64];
	const char *lib;

	ASSERT_EQ(0, kt_elf_deps("/bin/ls", &deps));
	ASSERT_GE(deps.count, 2U);
	lib = deps.items[deps.count - 1];
	ASSERT_EQ(0, kt_initramfs_add_data(self->ir, lib, "mine", 4, 0644));
	ASSERT_EQ(0, kt_initramfs_add_file(self->ir, "/bin/ls", "/bin/ls",
					   0));
	ASSERT_EQ(0, kt_initramfs_build(self->ir, archive, sizeof(archive)));
	ASSERT_EQ(0, extract(archive, self->out));
	snprintf(path, sizeof(path), "%s%s", self->out, lib);
	ASSERT_EQ(0, read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("mine", buf);
	kt_strlist_free(&deps);
}

/* $ORIGIN follows /proc/self/exe: keep a symlinked program's real path. */
TEST_F(ir, symlinked_program_kept_at_real_path)
{
	struct kt_strlist names = KT_STRLIST_INIT;
	char archive[PATH_MAX], link[BIG], real[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/ls-link", self->src);
	ASSERT_EQ(0, symlink("/bin/ls", link));
	ASSERT_NE(NULL, realpath("/bin/ls", real));
	ASSERT_EQ(0, kt_initramfs_add_file(self->ir, link,
					   "/usr/local/bin/myls", 0));
	ASSERT_EQ(0, kt_initramfs_build(self->ir, archive, sizeof(archive)));
	ASSERT_EQ(0, list_archive(archive, &names));
	EXPECT_TRUE(kt_strlist_contains(&names, real + 1));
	ASSERT_EQ(0, extract(archive, self->out));
	snprintf(link, sizeof(link), "%s/usr/local/bin/myls", self->out);
	n = readlink(link, target, sizeof(target) - 1);
	ASSERT_GT(n, 0);
	target[n] = '\0';
	EXPECT_STREQ(real, target);
	kt_strlist_free(&names);
}

TEST_F(ir, output_buffer_too_small)
{
	char small[16];

	ASSERT_EQ(0, add_basics(self->ir, "ktstr\n"));
	EXPECT_EQ(-1, kt_initramfs_build(self->ir, small, sizeof(small)));
}

/* ------------------------------------------------------------------ */
/*
 * The guest image's kernel configs: each kernel's config where libbpf
 * looks for it in a guest running that kernel, /boot/config-<release>.
 */

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
	return extract(archive, self->out);
}

/* The text of @path in the unpacked guest, or "(missing)". */
static const char *guest_file(struct _test_data_guest *self, const char *path)
{
	static char host[PATH_MAX], text[4096];

	snprintf(host, sizeof(host), "%s%s", self->out, path);
	return read_text(host, text, sizeof(text)) ? "(missing)" : text;
}

/* What was printed on stderr. */
static const char *err_text(struct _test_data_guest *self)
{
	static char text[4096];

	return read_text(self->err, text, sizeof(text)) ? "(missing)" : text;
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
	EXPECT_STREQ("", err_text(self));
}

/* The same kernel twice (a gauntlet may list it so): one file, quietly. */
TEST_F(guest, same_release_same_config_once)
{
	const struct kt_kernel *kernels[] = { &self->a, &self->a };

	ASSERT_EQ(0, add_configs(self, kernels, 2));
	ASSERT_EQ(0, build_and_unpack(self));
	EXPECT_STREQ("CONFIG_A=y\n", guest_file(self, "/boot/config-7.3.4-test"));
	EXPECT_STREQ("", err_text(self));
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
		     err_text(self));
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
		     err_text(self));
}

/* A release that is not one path component is not made into one. */
TEST_F(guest, release_with_slash_refused)
{
	const struct kt_kernel *kernels[] = { &self->a };

	snprintf(self->a.release, sizeof(self->a.release), "../../etc/x");
	ASSERT_EQ(0, add_configs(self, kernels, 1));
	ASSERT_EQ(0, build_and_unpack(self));
	EXPECT_STREQ("(missing)", guest_file(self, "/etc/x"));
	EXPECT_NE(NULL, strstr(err_text(self), "kernel a: its release (uname -r) contains '/'"));
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

/*
 * Guest images for another architecture (make ARCH=arm64): an image
 * takes only programs for its machine, --include included, and an arm64
 * image no dynamically linked ones (no host libraries go into it); the
 * arm64 image is assembled from build/arm64.  The aarch64 programs are
 * compiled here with gcc-aarch64-linux-gnu (make deps).
 */

FIXTURE(arch) {
	char dir[64];
	char a64_static[128];
	char a64_dynamic[128];
	char bpf_obj[128];
	char root[128];		/* $KTSTR_ROOT: a ktstr tree with build/arm64 */
	struct kt_initramfs *ir;
};

FIXTURE_SETUP(arch)
{
	char tmpl[] = "/tmp/kt-guest-arch-XXXXXX", path[256];

	ASSERT_NE(NULL, mkdtemp(tmpl));
	snprintf(self->dir, sizeof(self->dir), "%s", tmpl);
	snprintf(path, sizeof(path), "%s/cache", self->dir);
	ASSERT_EQ(0, setenv("KTSTR_CACHE_DIR", path, 1));
	snprintf(self->a64_static, sizeof(self->a64_static), "%s/a64-static",
		 self->dir);
	snprintf(self->a64_dynamic, sizeof(self->a64_dynamic),
		 "%s/a64-dynamic", self->dir);
	snprintf(self->bpf_obj, sizeof(self->bpf_obj), "%s/prog.bpf.o",
		 self->dir);
	snprintf(self->root, sizeof(self->root), "%s/root", self->dir);
	ASSERT_EQ(0, run("echo 'int main(void) { return 0; }' > %s/t.c",
			 self->dir));
	ASSERT_EQ(0, run("aarch64-linux-gnu-gcc -static -o %s %s/t.c",
			 self->a64_static, self->dir))
		TH_LOG("make deps installs gcc-aarch64-linux-gnu");
	ASSERT_EQ(0, run("aarch64-linux-gnu-gcc -o %s %s/t.c",
			 self->a64_dynamic, self->dir));
	ASSERT_EQ(0, run("clang-16 -target bpf -c -o %s %s/t.c", self->bpf_obj,
			 self->dir));
	self->ir = kt_initramfs_new();
	ASSERT_NE(NULL, self->ir);
}

FIXTURE_TEARDOWN(arch)
{
	kt_initramfs_free(self->ir);
	unsetenv("KTSTR_ROOT");
	if (self->dir[0] && run("rm -rf '%s'", self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

/* The names in the archive that @ir builds into. */
static int build_and_list(struct kt_initramfs *ir, struct kt_strlist *names)
{
	char archive[PATH_MAX];

	if (kt_initramfs_build(ir, archive, sizeof(archive)))
		return -1;
	return list_archive(archive, names);
}

static bool any_starts_with(const struct kt_strlist *names, const char *prefix)
{
	size_t i;

	for (i = 0; i < names->count; i++)
		if (!strncmp(names->items[i], prefix, strlen(prefix)))
			return true;
	return false;
}

/* The host's image: an aarch64 program is not one it can run. */
TEST_F(arch, include_for_another_machine_refused)
{
	char want[512];

	EXPECT_EQ(-1, kt_guest_add_includes(self->ir, &(char *){ self->a64_static }, 1));
	snprintf(want, sizeof(want),
		 "--include %s: %s is a program for aarch64, and the guest runs x86_64 programs",
		 self->a64_static, self->a64_static);
	EXPECT_STREQ(want, kt_errmsg());
	/* Also inside an included directory, where it has an execute bit. */
	EXPECT_EQ(-1, kt_guest_add_includes(self->ir, &(char *){ self->dir }, 1));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is a program for aarch64"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(arch, arm64_image_refuses_host_programs)
{
	kt_initramfs_set_machine(self->ir, EM_AARCH64);
	EXPECT_EQ(-1, kt_initramfs_add_file(self->ir, "/bin/true", "/bin/true", 0));
	EXPECT_STREQ("/bin/true is a program for x86_64, and the guest runs aarch64 programs",
		     kt_errmsg());
}

/* Its loader and libraries would have to be the host's x86 ones. */
TEST_F(arch, arm64_image_refuses_dynamic_programs)
{
	char want[256];

	kt_initramfs_set_machine(self->ir, EM_AARCH64);
	EXPECT_EQ(-1, kt_initramfs_add_file(self->ir, self->a64_dynamic, "/p", 0));
	snprintf(want, sizeof(want),
		 "%s is dynamically linked, and an aarch64 guest has no libraries: link it statically",
		 self->a64_dynamic);
	EXPECT_STREQ(want, kt_errmsg());
}

/* Static programs, BPF objects and scripts; no host library comes along. */
TEST_F(arch, arm64_image_takes_static_programs_and_data)
{
	struct kt_strlist names = KT_STRLIST_INIT;

	kt_initramfs_set_machine(self->ir, EM_AARCH64);
	ASSERT_EQ(0, kt_initramfs_add_file(self->ir, self->a64_static, "/p", 0))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_initramfs_add_file(self->ir, self->bpf_obj, "/p.bpf.o", 0755))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_initramfs_add_file(self->ir, "/usr/bin/ldd", "/ldd", 0))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, build_and_list(self->ir, &names));
	EXPECT_TRUE(kt_strlist_contains(&names, "p"));
	EXPECT_TRUE(kt_strlist_contains(&names, "p.bpf.o"));
	EXPECT_TRUE(kt_strlist_contains(&names, "ldd"));
	EXPECT_FALSE(any_starts_with(&names, "lib"));
	EXPECT_FALSE(any_starts_with(&names, "etc/ld.so"));
	kt_strlist_free(&names);
}

/* A ktstr tree whose build/arm64 has an init and a busybox. */
static int make_root(struct _test_data_arch *self)
{
	return run("mkdir -p %s/build/arm64/guest %s/vmm/guest", self->root,
		   self->root) ||
	       run("cp vmm/guest/topo-dump.sh %s/vmm/guest/", self->root) ||
	       run("cp %s %s/build/arm64/guest/init", self->a64_static,
		   self->root) ||
	       run("cp %s %s/build/arm64/guest/busybox", self->a64_static,
		   self->root);
}

TEST_F(arch, arm64_image_from_build_arm64)
{
	struct kt_strlist names = KT_STRLIST_INIT;
	struct kt_initramfs *ir;
	char applets[256];

	ASSERT_EQ(0, make_root(self));
	snprintf(applets, sizeof(applets),
		 "%s/build/arm64/guest/busybox.applets", self->root);
	ASSERT_EQ(0, run("printf 'bin/sh\\nusr/bin/ls\\n' > %s", applets));
	ASSERT_EQ(0, setenv("KTSTR_ROOT", self->root, 1));
	ir = kt_guest_image_for("arm64");
	ASSERT_NE(NULL, ir) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, build_and_list(ir, &names));
	kt_initramfs_free(ir);
	EXPECT_TRUE(kt_strlist_contains(&names, "init"));
	EXPECT_TRUE(kt_strlist_contains(&names, "bin/busybox"));
	EXPECT_TRUE(kt_strlist_contains(&names, "bin/sh"));
	EXPECT_TRUE(kt_strlist_contains(&names, "usr/bin/ls"));
	EXPECT_TRUE(kt_strlist_contains(&names, "ktstr/topo-dump.sh"));
	EXPECT_FALSE(any_starts_with(&names, "lib"));
	kt_strlist_free(&names);

	/* Without the host's list, /init makes the links. */
	ASSERT_EQ(0, unlink(applets));
	ir = kt_guest_image_for("arm64");
	ASSERT_NE(NULL, ir) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, build_and_list(ir, &names));
	kt_initramfs_free(ir);
	EXPECT_TRUE(kt_strlist_contains(&names, "bin/busybox"));
	EXPECT_FALSE(kt_strlist_contains(&names, "bin/sh"));
	kt_strlist_free(&names);
}

TEST_F(arch, arm64_build_missing_is_named)
{
	char want[512];

	ASSERT_EQ(0, make_root(self));
	ASSERT_EQ(0, setenv("KTSTR_ROOT", self->root, 1));
	ASSERT_EQ(0, run("rm %s/build/arm64/guest/busybox", self->root));
	EXPECT_EQ(NULL, kt_guest_image_for("arm64"));
	snprintf(want, sizeof(want),
		 "arm64 busybox %s/build/arm64/guest/busybox (run 'make ARCH=arm64'): No such file or directory",
		 self->root);
	EXPECT_STREQ(want, kt_errmsg());
	ASSERT_EQ(0, run("rm %s/build/arm64/guest/init", self->root));
	EXPECT_EQ(NULL, kt_guest_image_for("arm64"));
	snprintf(want, sizeof(want),
		 "guest init %s/build/arm64/guest/init (run 'make ARCH=arm64'): No such file or directory",
		 self->root);
	EXPECT_STREQ(want, kt_errmsg());
}

TEST(unknown_arch_is_a_usage_error)
{
	char path[PATH_MAX];

	EXPECT_EQ(NULL, kt_guest_image_for("riscv64"));
	EXPECT_STREQ("--arch riscv64: ktstr builds guests for x86_64 and arm64",
		     kt_errmsg());
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	EXPECT_EQ(-1, kt_guest_build_path("riscv64", "suite", path, sizeof(path)));
}

TEST(build_paths_per_arch)
{
	char path[PATH_MAX];

	ASSERT_EQ(0, setenv("KTSTR_ROOT", "/srv/ktstr", 1));
	ASSERT_EQ(0, kt_guest_build_path(NULL, "suite", path, sizeof(path)));
	EXPECT_STREQ("/srv/ktstr/build/suite", path);
	ASSERT_EQ(0, kt_guest_build_path("x86_64", "schedulers", path, sizeof(path)));
	EXPECT_STREQ("/srv/ktstr/build/schedulers", path);
	ASSERT_EQ(0, kt_guest_build_path("arm64", "suite", path, sizeof(path)));
	EXPECT_STREQ("/srv/ktstr/build/arm64/suite", path);
	EXPECT_EQ(-1, kt_guest_build_path("arm64", "suite", path, 20));
	unsetenv("KTSTR_ROOT");
}

TEST_HARNESS_MAIN
