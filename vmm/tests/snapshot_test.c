// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot cache without a VM: what the key covers, that an entry
 * has its name only when complete, that a restore gets its own copy,
 * and that nothing half made or over the bound stays behind.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cache.h"
#include "error.h"
#include "snapshot.h"

#define MIB (1 << 20)

FIXTURE(snap) {
	char root[64];		/* the snapshot cache */
	char files[64];		/* inputs and RAM files */
	char kernel[128], initrd[128], prefix[128], console[128];
};

/* 0, or -1 if the file could not be written. */
static int write_at(const char *path, off_t off, const char *data,
		    off_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600), ret = 0;

	if (fd < 0)
		return -1;
	if (size && ftruncate(fd, size))
		ret = -1;
	if (pwrite(fd, data, strlen(data), off) != (ssize_t)strlen(data))
		ret = -1;
	close(fd);
	return ret;
}

static int count_entries(const char *dir, const char *with)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && (!with || strstr(de->d_name, with)))
			n++;
	if (d)
		closedir(d);
	return n;
}

FIXTURE_SETUP(snap)
{
	snprintf(self->root, sizeof(self->root), "/tmp/ktstr-snaptest-XXXXXX");
	snprintf(self->files, sizeof(self->files), "/tmp/ktstr-snapfiles-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	ASSERT_NE(NULL, mkdtemp(self->files));
	setenv("KTSTR_SNAPSHOT_DIR", self->root, 1);
	unsetenv("KTSTR_SNAPSHOT_CACHE_MIB");
	snprintf(self->kernel, sizeof(self->kernel), "%s/vmlinuz", self->files);
	snprintf(self->initrd, sizeof(self->initrd), "%s/initrd", self->files);
	snprintf(self->prefix, sizeof(self->prefix), "%s/vm", self->files);
	snprintf(self->console, sizeof(self->console), "%s/console.log",
		 self->files);
	ASSERT_EQ(0, write_at(self->kernel, 0, "kernel", 0));
	ASSERT_EQ(0, write_at(self->initrd, 0, "initrd", 0));
	ASSERT_EQ(0, write_at(self->console, 0, "[    0.000000] Linux version\n", 0));
}

FIXTURE_TEARDOWN(snap)
{
	kt_remove_tree(self->root);
	kt_remove_tree(self->files);
	unsetenv("KTSTR_SNAPSHOT_DIR");
	unsetenv("KTSTR_SNAPSHOT_CACHE_MIB");
}

static char *const argv_a[] = { "qemu", "-smp", "4", NULL };
static char *const argv_b[] = { "qemu", "-smp", "8", NULL };

/* Guest RAM as QEMU leaves it: big, mostly holes. */
static void make_ram(struct __test_metadata *_metadata, const char *prefix,
		     unsigned int nodes, const char *tag)
{
	char path[256];
	unsigned int n;

	for (n = 0; n < nodes; n++) {
		snprintf(path, sizeof(path), "%s-ram%u", prefix, n);
		ASSERT_EQ(0, write_at(path, 0, tag, 64 * MIB));
		ASSERT_EQ(0, write_at(path, 40 * MIB + 7, tag, 0));
	}
}

static void read_at(const char *path, off_t off, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, len - 1, off);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

TEST_F(snap, key_covers_every_input)
{
	struct kt_snapshot a, b;

	ASSERT_EQ(0, kt_snapshot_key(&a, argv_a, self->kernel, self->initrd, 1))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_snapshot_key(&b, argv_a, self->kernel, self->initrd, 1));
	EXPECT_STREQ(a.key, b.key);
	EXPECT_EQ(64, strlen(a.key));
	EXPECT_EQ(0, strncmp(a.dir, self->root, strlen(self->root)));

	/* The command line: topology, memory, CPU model, accelerator. */
	ASSERT_EQ(0, kt_snapshot_key(&b, argv_b, self->kernel, self->initrd, 1));
	EXPECT_STRNE(a.key, b.key);

	/* The same bytes written again are another kernel as far as we know. */
	usleep(10000);
	ASSERT_EQ(0, write_at(self->kernel, 0, "kernel", 0));
	ASSERT_EQ(0, kt_snapshot_key(&b, argv_a, self->kernel, self->initrd, 1));
	EXPECT_STRNE(a.key, b.key);
	ASSERT_EQ(0, kt_snapshot_key(&a, argv_a, self->kernel, self->initrd, 1));

	usleep(10000);
	ASSERT_EQ(0, write_at(self->initrd, 0, "initrd2", 0));
	ASSERT_EQ(0, kt_snapshot_key(&b, argv_a, self->kernel, self->initrd, 1));
	EXPECT_STRNE(a.key, b.key);

	/* A file that is not there is an error naming it. */
	EXPECT_EQ(-1, kt_snapshot_key(&b, argv_a, "/nonexistent/vmlinuz",
				      self->initrd, 1));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "kernel /nonexistent/vmlinuz"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(snap, complete_only_under_its_name)
{
	char restored[256], path[PATH_MAX + 256], buf[64], state[512];
	struct kt_snapshot s;
	struct stat st;

	make_ram(_metadata, self->prefix, 2, "pristine");
	ASSERT_EQ(0, kt_snapshot_key(&s, argv_a, self->kernel, self->initrd, 2));
	EXPECT_FALSE(kt_snapshot_exists(&s));
	ASSERT_EQ(0, kt_snapshot_begin(&s)) TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(s.tmp, ".tmp-"));
	EXPECT_FALSE(kt_snapshot_exists(&s));
	kt_snapshot_tmp_state(&s, state, sizeof(state));
	ASSERT_EQ(0, write_at(state, 0, "device state", 0));
	ASSERT_EQ(0, kt_snapshot_commit(&s, self->prefix, self->console,
					"topology 1n1l4c1t\n"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(kt_snapshot_exists(&s));
	EXPECT_STREQ("", s.tmp);
	EXPECT_EQ(0, count_entries(self->root, ".tmp-"));

	/* The RAM keeps its holes in the cache and in each copy. */
	snprintf(path, sizeof(path), "%s/ram1", s.dir);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(64 * MIB, st.st_size);
	EXPECT_GT(MIB, st.st_blocks * 512);

	snprintf(restored, sizeof(restored), "%s/restored", self->files);
	snprintf(state, sizeof(state), "%s/state", self->files);
	snprintf(path, sizeof(path), "%s/console-copy", self->files);
	ASSERT_EQ(0, kt_snapshot_check_out(&s, restored, state, path))
		TH_LOG("%s", kt_errmsg());
	snprintf(path, sizeof(path), "%s-ram1", restored);
	read_at(path, 40 * MIB + 7, buf, 9);
	EXPECT_STREQ("pristine", buf);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(64 * MIB, st.st_size);
	EXPECT_GT(MIB, st.st_blocks * 512);
	read_at(state, 0, buf, sizeof(buf));
	EXPECT_STREQ("device state", buf);

	/* What a guest writes into its copy never reaches the entry. */
	ASSERT_EQ(0, write_at(path, 40 * MIB + 7, "modified", 0));
	snprintf(path, sizeof(path), "%s/ram1", s.dir);
	read_at(path, 40 * MIB + 7, buf, 9);
	EXPECT_STREQ("pristine", buf);
}

TEST_F(snap, the_same_entry_made_twice)
{
	struct kt_snapshot first, second;
	char state[512];

	make_ram(_metadata, self->prefix, 1, "x");
	ASSERT_EQ(0, kt_snapshot_key(&first, argv_a, self->kernel, self->initrd, 1));
	second = first;
	ASSERT_EQ(0, kt_snapshot_begin(&first));
	ASSERT_EQ(0, kt_snapshot_begin(&second));
	EXPECT_STRNE(first.tmp, second.tmp);
	kt_snapshot_tmp_state(&first, state, sizeof(state));
	ASSERT_EQ(0, write_at(state, 0, "s", 0));
	kt_snapshot_tmp_state(&second, state, sizeof(state));
	ASSERT_EQ(0, write_at(state, 0, "s", 0));
	ASSERT_EQ(0, kt_snapshot_commit(&first, self->prefix, self->console, ""));
	/* A concurrent run got there first: not an error, and no leftovers. */
	ASSERT_EQ(0, kt_snapshot_commit(&second, self->prefix, self->console, ""))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(1, count_entries(self->root, NULL));
}

TEST_F(snap, abort_and_failures_leave_nothing)
{
	char restored[256], state[256];
	struct kt_snapshot s;

	ASSERT_EQ(0, kt_snapshot_key(&s, argv_a, self->kernel, self->initrd, 1));
	ASSERT_EQ(0, kt_snapshot_begin(&s));
	kt_snapshot_abort(&s);
	EXPECT_EQ(0, count_entries(self->root, NULL));

	/* No RAM file to keep: the commit fails and names it. */
	ASSERT_EQ(0, kt_snapshot_begin(&s));
	EXPECT_EQ(-1, kt_snapshot_commit(&s, self->prefix, self->console, ""));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "vm-ram0")) TH_LOG("%s", kt_errmsg());
	EXPECT_FALSE(kt_snapshot_exists(&s));
	kt_snapshot_abort(&s);
	EXPECT_EQ(0, count_entries(self->root, NULL));

	/* An entry that went away under us is an error, not a crash. */
	snprintf(restored, sizeof(restored), "%s/r", self->files);
	snprintf(state, sizeof(state), "%s/state", self->files);
	EXPECT_EQ(-1, kt_snapshot_check_out(&s, restored, state, state));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "ram0")) TH_LOG("%s", kt_errmsg());
}

/* Half-made entries of dead processes go; those of live ones stay. */
TEST_F(snap, stale_entries_are_swept)
{
	char path[256];
	pid_t dead = fork();

	if (!dead)
		_exit(0);
	ASSERT_EQ(dead, waitpid(dead, NULL, 0));
	snprintf(path, sizeof(path), "%s/abc.tmp-%d-1", self->root, dead);
	ASSERT_EQ(0, mkdir(path, 0700));
	snprintf(path, sizeof(path), "%s/abc.tmp-%d-1/ram0", self->root, dead);
	ASSERT_EQ(0, write_at(path, 0, "x", 0));
	snprintf(path, sizeof(path), "%s/abc.tmp-%d-1", self->root, getppid());
	ASSERT_EQ(0, mkdir(path, 0700));
	snprintf(path, sizeof(path), "%s/abc.tmp-%d-2", self->root, getpid());
	ASSERT_EQ(0, mkdir(path, 0700));
	kt_snapshot_sweep_stale();
	EXPECT_EQ(2, count_entries(self->root, ".tmp-"));
	snprintf(path, sizeof(path), "%s/abc.tmp-%d-1", self->root, dead);
	EXPECT_NE(0, access(path, F_OK));
}

static void make_entry(struct __test_metadata *_metadata, const char *kernel,
		       const char *initrd, const char *prefix,
		       const char *console, char *const *argv, time_t used,
		       struct kt_snapshot *s)
{
	struct timeval tv[2] = { { .tv_sec = used }, { .tv_sec = used } };
	char state[512];

	ASSERT_EQ(0, kt_snapshot_key(s, argv, kernel, initrd, 1));
	ASSERT_EQ(0, kt_snapshot_begin(s));
	kt_snapshot_tmp_state(s, state, sizeof(state));
	ASSERT_EQ(0, write_at(state, 0, "s", 0));
	ASSERT_EQ(0, kt_snapshot_commit(s, prefix, console, ""));
	ASSERT_EQ(0, utimes(s->dir, tv));
}

/* Over the bound, the least recently used go first; the new one stays. */
TEST_F(snap, the_cache_keeps_its_bound)
{
	static char *const argv_c[] = { "qemu", "-smp", "16", NULL };
	struct kt_snapshot a, b, c;
	struct kt_snapshot_entry *e;
	size_t n;

	/* About 1.2 MiB of data each. */
	make_ram(_metadata, self->prefix, 1, "x");
	{
		char path[256], block[4096];
		int fd, i;

		snprintf(path, sizeof(path), "%s-ram0", self->prefix);
		fd = open(path, O_WRONLY);
		memset(block, 'r', sizeof(block));
		for (i = 0; i < 300; i++)
			ASSERT_EQ(sizeof(block), pwrite(fd, block, sizeof(block),
							(off_t)i * 8192));
		close(fd);
	}
	make_entry(_metadata, self->kernel, self->initrd, self->prefix,
		   self->console, argv_a, 1000, &a);
	make_entry(_metadata, self->kernel, self->initrd, self->prefix,
		   self->console, argv_b, 2000, &b);
	ASSERT_EQ(0, kt_snapshot_list(&e, &n));
	EXPECT_EQ(2, n);
	EXPECT_STREQ(a.key, e[0].name);
	EXPECT_LT(MIB, e[0].bytes);
	free(e);

	setenv("KTSTR_SNAPSHOT_CACHE_MIB", "3", 1);
	EXPECT_EQ(3ull * MIB, kt_snapshot_cache_bound());
	make_entry(_metadata, self->kernel, self->initrd, self->prefix,
		   self->console, argv_c, 3000, &c);
	EXPECT_FALSE(kt_snapshot_exists(&a));
	EXPECT_TRUE(kt_snapshot_exists(&b));
	EXPECT_TRUE(kt_snapshot_exists(&c));
	EXPECT_EQ(0, count_entries(self->root, ".tmp-"));

	EXPECT_EQ(2, kt_snapshot_clear());
	EXPECT_EQ(0, count_entries(self->root, NULL));
}

TEST_HARNESS_MAIN
