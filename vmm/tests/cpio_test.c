// SPDX-License-Identifier: GPL-2.0
/*
 * The newc writer, checked two ways: a strict parser here that follows
 * buffer-format.rst (alignment, fields, trailer), and the system cpio,
 * which is what a human would use to look inside an image.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cpio.h"
#include "error.h"
#include "newc.h"

#define MAX_ENTS	32
#define BIG_LEN		(300UL * 1024 + 3)

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size + 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

static char big_byte(size_t i)
{
	return (char)(i * 7 + i / 251);
}

static int make_big_source(const char *path)
{
	static char data[BIG_LEN];
	size_t i;
	int fd;

	for (i = 0; i < BIG_LEN; i++)
		data[i] = big_byte(i);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, data, BIG_LEN) != BIG_LEN ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One of everything the initramfs needs, in a fixed order. */
static int write_sample(int out, const char *big_path)
{
	struct kt_cpio *c = kt_cpio_new(out);
	int big = make_big_source(big_path);
	int ret = -1;

	if (!c || big < 0)
		goto out;
	if (kt_cpio_add_dir(c, "etc", 0755) ||
	    kt_cpio_add_file(c, "/etc/hello", 0644, "hello\n", 6) ||
	    kt_cpio_add_file(c, "empty", 0600, "", 0) ||
	    kt_cpio_add_file(c, "odd1", 0644, "a", 1) ||
	    kt_cpio_add_file(c, "odd2", 0644, "ab", 2) ||
	    kt_cpio_add_file(c, "odd3", 0644, "abc", 3) ||
	    kt_cpio_add_file(c, "odd5", 04755, "abcde", 5) ||
	    kt_cpio_add_dir(c, "bin", 0700) ||
	    kt_cpio_add_symlink(c, "bin/sh", "busybox") ||
	    kt_cpio_add_dir(c, "dev", 0755) ||
	    kt_cpio_add_chardev(c, "dev/console", 0600, 5, 1) ||
	    kt_cpio_add_file_fd(c, "big", 0644, big, BIG_LEN))
		goto out;
	ret = kt_cpio_finish(c);
	c = NULL;
out:
	kt_cpio_abort(c);
	if (big >= 0)
		close(big);
	return ret;
}

static const char *const sample_names[] = {
	"etc", "etc/hello", "empty", "odd1", "odd2", "odd3", "odd5", "bin",
	"bin/sh", "dev", "dev/console", "big", "TRAILER!!!",
};

FIXTURE(cpio) {
	char dir[64];
	char archive[128];
	char big[128];
};

FIXTURE_SETUP(cpio)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/kt-cpio-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->archive, sizeof(self->archive), "%s/a.cpio",
		 self->dir);
	snprintf(self->big, sizeof(self->big), "%s/big.src", self->dir);
}

FIXTURE_TEARDOWN(cpio)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
}

static int write_sample_file(const char *path, const char *big_path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ret;

	if (fd < 0)
		return -1;
	ret = write_sample(fd, big_path);
	close(fd);
	return ret;
}

TEST_F(cpio, format)
{
	struct newc_ent e[MAX_ENTS];
	size_t len, i, j;
	char *buf;
	int n;

	ASSERT_EQ(0, write_sample_file(self->archive, self->big)) {
		TH_LOG("%s", kt_errmsg());
	}
	buf = slurp(self->archive, &len);
	ASSERT_NE(NULL, buf);
	n = newc_parse(buf, len, e, MAX_ENTS);
	ASSERT_EQ(ARRAY_SIZE(sample_names), (size_t)n);
	/* Nothing after the trailer, and the archive ends aligned. */
	EXPECT_EQ(len, newc_align4(e[n - 1].data_off));

	for (i = 0; i < (size_t)n; i++) {
		EXPECT_STREQ(sample_names[i], e[i].name);
		EXPECT_EQ(0UL, e[i].hdr_off % 4);
		EXPECT_EQ(0UL, e[i].data_off % 4);
		EXPECT_EQ(0UL, e[i].uid);
		EXPECT_EQ(0UL, e[i].gid);
		EXPECT_EQ(0UL, e[i].mtime);
		for (j = 0; j < i; j++)
			EXPECT_NE(e[j].ino, e[i].ino);
	}

	EXPECT_EQ(S_IFDIR | 0755UL, e[0].mode);
	EXPECT_EQ(S_IFREG | 0644UL, e[1].mode);
	EXPECT_EQ(6UL, e[1].size);
	EXPECT_EQ(0, memcmp(buf + e[1].data_off, "hello\n", 6));
	EXPECT_EQ(S_IFREG | 0600UL, e[2].mode);
	EXPECT_EQ(0UL, e[2].size);
	EXPECT_EQ(0, memcmp(buf + e[5].data_off, "abc", 3));
	/* Padding after odd-sized data is zero. */
	EXPECT_EQ('\0', buf[e[5].data_off + 3]);
	EXPECT_EQ(S_IFREG | 04755UL, e[6].mode);
	EXPECT_EQ(S_IFDIR | 0700UL, e[7].mode);
	EXPECT_EQ(S_IFLNK | 0777UL, e[8].mode);
	EXPECT_EQ(7UL, e[8].size);
	EXPECT_EQ(0, memcmp(buf + e[8].data_off, "busybox", 7));
	EXPECT_EQ(S_IFCHR | 0600UL, e[10].mode);
	EXPECT_EQ(5UL, e[10].rmajor);
	EXPECT_EQ(1UL, e[10].rminor);
	EXPECT_EQ(0UL, e[10].size);
	EXPECT_EQ(BIG_LEN, e[11].size);
	for (i = 0; i < BIG_LEN; i++)
		if (buf[e[11].data_off + i] != big_byte(i))
			break;
	EXPECT_EQ(BIG_LEN, i);
	EXPECT_EQ(0UL, e[12].size);
	free(buf);
}

TEST_F(cpio, reproducible)
{
	char second[160];
	size_t len1, len2;
	char *a, *b;

	snprintf(second, sizeof(second), "%s/b.cpio", self->dir);
	ASSERT_EQ(0, write_sample_file(self->archive, self->big));
	ASSERT_EQ(0, write_sample_file(second, self->big));
	a = slurp(self->archive, &len1);
	b = slurp(second, &len2);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(len1, len2);
	EXPECT_EQ(0, memcmp(a, b, len1));
	free(a);
	free(b);
}

/* GNU cpio lists the same names, in order, with the right types. */
TEST_F(cpio, system_cpio_lists)
{
	char cmd[512], line[512];
	size_t i = 0;
	FILE *p;

	ASSERT_EQ(0, write_sample_file(self->archive, self->big));
	snprintf(cmd, sizeof(cmd), "cpio -t --quiet < '%s'", self->archive);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		ASSERT_LT(i, ARRAY_SIZE(sample_names) - 1);
		EXPECT_STREQ(sample_names[i], line);
		i++;
	}
	EXPECT_EQ(0, pclose(p));
	EXPECT_EQ(ARRAY_SIZE(sample_names) - 1, i);

	snprintf(cmd, sizeof(cmd), "cpio -tv --quiet < '%s' | grep -q '%s'",
		 self->archive, "^crw------- .* 5, *1 .*dev/console$");
	EXPECT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "cpio -tv --quiet < '%s' | grep -q '%s'",
		 self->archive, "^lrwxrwxrwx .*bin/sh -> busybox$");
	EXPECT_EQ(0, system(cmd));
}

/* GNU cpio extracts it; device nodes need root, so leave them out. */
TEST_F(cpio, system_cpio_extracts)
{
	char cmd[512], path[256], target[64];
	struct stat st;
	size_t len;
	char *buf;
	ssize_t n;

	ASSERT_EQ(0, write_sample_file(self->archive, self->big));
	snprintf(cmd, sizeof(cmd), "mkdir '%s/x' && cd '%s/x' && %s",
		 self->dir, self->dir,
		 "cpio -id --quiet --nonmatching 'dev/*' < ../a.cpio");
	ASSERT_EQ(0, system(cmd));

	snprintf(path, sizeof(path), "%s/x/etc/hello", self->dir);
	buf = slurp(path, &len);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(6UL, len);
	EXPECT_EQ(0, memcmp(buf, "hello\n", 6));
	free(buf);

	snprintf(path, sizeof(path), "%s/x/empty", self->dir);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0600UL, st.st_mode & 07777);

	snprintf(path, sizeof(path), "%s/x/odd5", self->dir);
	buf = slurp(path, &len);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(5UL, len);
	EXPECT_EQ(0, memcmp(buf, "abcde", 5));
	free(buf);

	snprintf(path, sizeof(path), "%s/x/bin/sh", self->dir);
	n = readlink(path, target, sizeof(target) - 1);
	ASSERT_EQ(7, n);
	target[n] = '\0';
	EXPECT_STREQ("busybox", target);

	snprintf(cmd, sizeof(cmd), "cmp -s '%s/x/big' '%s'", self->dir,
		 self->big);
	EXPECT_EQ(0, system(cmd));
}

static void on_alarm(int sig)
{
}

/*
 * Through a pipe to a slow reader, with a timer firing all the time and
 * no SA_RESTART: writes come back short or fail with EINTR, and the
 * archive must still be byte-for-byte the same as one written to a file.
 */
TEST_F(cpio, short_writes_and_eintr)
{
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	char piped[160], cmd[400];
	int pfd[2], status;
	pid_t pid;

	ASSERT_EQ(0, write_sample_file(self->archive, self->big));
	snprintf(piped, sizeof(piped), "%s/piped.cpio", self->dir);
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(pfd[1]);
		dup2(pfd[0], 0);
		/* Small reads keep the pipe full and the writer blocked. */
		execlp("sh", "sh", "-c", "dd bs=512 status=none > \"$0\"",
		       piped, (char *)NULL);
		_exit(127);
	}
	close(pfd[0]);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(0, write_sample(pfd[1], self->big)) {
		TH_LOG("%s", kt_errmsg());
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	close(pfd[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	snprintf(cmd, sizeof(cmd), "cmp '%s' '%s'", self->archive, piped);
	EXPECT_EQ(0, system(cmd));
}

TEST_F(cpio, source_shorter_than_promised)
{
	struct kt_cpio *c;
	int out, src;

	out = open(self->archive, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_GE(out, 0);
	src = open(self->big, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(src, 0);
	ASSERT_EQ(3, write(src, "abc", 3));
	ASSERT_EQ(0, lseek(src, 0, SEEK_SET));
	c = kt_cpio_new(out);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(-1, kt_cpio_add_file_fd(c, "usr/bin/shrunk", 0755, src, 10));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "usr/bin/shrunk"));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "3 of 10"));
	/* The archive is broken now: no more entries, no trailer. */
	EXPECT_EQ(-1, kt_cpio_add_dir(c, "etc", 0755));
	EXPECT_EQ(-1, kt_cpio_finish(c));
	close(src);
	close(out);
}

TEST_F(cpio, bad_names)
{
	struct kt_cpio *c;
	int out;

	out = open(self->archive, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_GE(out, 0);
	c = kt_cpio_new(out);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(-1, kt_cpio_add_dir(c, "", 0755));
	EXPECT_EQ(-1, kt_cpio_add_dir(c, "//", 0755));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "'//'"));
	EXPECT_EQ(-1, kt_cpio_add_symlink(c, "bin/sh", ""));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "bin/sh"));
	/* The end marker: the kernel would unpack nothing after it. */
	EXPECT_EQ(-1, kt_cpio_add_file(c, "/TRAILER!!!", 0644, "x", 1));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "end marker"));
	/* Rejected names write nothing: the archive is still usable. */
	EXPECT_EQ(0, kt_cpio_add_dir(c, "/etc", 0755));
	EXPECT_EQ(0, kt_cpio_finish(c));
	close(out);
}

TEST_F(cpio, write_error)
{
	struct kt_cpio *c;
	int out;

	out = open("/dev/full", O_WRONLY);
	if (out < 0)
		SKIP(return, "no /dev/full");
	c = kt_cpio_new(out);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(-1, kt_cpio_add_file(c, "f", 0644, "x", 1));
	EXPECT_NE(NULL, strstr(kt_errmsg(), strerror(ENOSPC)));
	kt_cpio_abort(c);
	close(out);
}

TEST_HARNESS_MAIN
