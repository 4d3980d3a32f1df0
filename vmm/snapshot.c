// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "cache.h"
#include "error.h"
#include "argv.h"
#include "qemu.h"
#include "snapshot.h"

/* Bumped whenever an entry's layout or meaning changes. */
#define FORMAT_TAG "ktstr-snapshot-1"
#define TMP_MARK ".tmp-"
#define COPY_CHUNK (1 << 20)

static unsigned int tmp_counter;

static int snapshot_root(char *buf, size_t len);

int kt_snapshot_key(struct kt_snapshot *s, char *const *argv,
		    const char *kernel, const char *initrd,
		    unsigned int nr_ram)
{
	char qemu[PATH_MAX], root[PATH_MAX];
	struct kt_sha256 h;

	memset(s, 0, sizeof(*s));
	s->nr_ram = nr_ram;
	if (kt_sha256_init(&h))
		return -1;
	kt_sha256_update(&h, FORMAT_TAG, sizeof(FORMAT_TAG));
	for (; *argv; argv++)
		kt_sha256_update(&h, *argv, strlen(*argv) + 1);
	if (kt_find_in_path(kt_qemu_binary(), qemu, sizeof(qemu)) ||
	    kt_sha256_identity(&h, "qemu", qemu) ||
	    kt_sha256_identity(&h, "kernel", kernel) ||
	    kt_sha256_identity(&h, "initrd", initrd)) {
		kt_sha256_discard(&h);
		return -1;
	}
	if (kt_sha256_final_hex(&h, s->key) ||
	    snapshot_root(root, sizeof(root)))
		return -1;
	snprintf(s->dir, sizeof(s->dir), "%s/%s", root, s->key);
	return 0;
}

bool kt_snapshot_exists(const struct kt_snapshot *s)
{
	struct stat st;

	return !stat(s->dir, &st) && S_ISDIR(st.st_mode);
}

static int copy_range(int in, int out, off_t from, off_t to, char *buf,
		      const char *src, const char *dst)
{
	ssize_t n, w;

	while (from < to) {
		n = pread(in, buf, to - from < COPY_CHUNK ? to - from :
			  COPY_CHUNK, from);
		if (n <= 0)
			return n ? kt_fail_errno("reading %s", src) :
				   kt_fail("%s shrank while copied", src);
		for (w = 0; w < n;) {
			ssize_t k = pwrite(out, buf + w, n - w, from + w);

			if (k < 0)
				return kt_fail_errno("writing %s", dst);
			w += k;
		}
		from += n;
	}
	return 0;
}

/*
 * Data only: a guest's RAM is mostly never touched, and a hole reads as
 * the zeros it held.
 */
static int copy_sparse(const char *src, const char *dst)
{
	int in, out = -1, ret = -1;
	off_t data, hole = 0;
	struct stat st;
	char *buf = NULL;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return kt_fail_errno("%s", src);
	if (fstat(in, &st)) {
		kt_fail_errno("%s", src);
		goto out;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	buf = malloc(COPY_CHUNK);
	if (out < 0 || !buf || ftruncate(out, st.st_size)) {
		kt_fail_errno("cannot create %s", dst);
		goto out;
	}
	for (;;) {
		data = lseek(in, hole, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break;
		hole = data < 0 ? -1 : lseek(in, data, SEEK_HOLE);
		if (data < 0 || hole < 0) {
			kt_fail_errno("%s", src);
			goto out;
		}
		if (copy_range(in, out, data, hole, buf, src, dst))
			goto out;
	}
	ret = 0;
out:
	free(buf);
	if (out >= 0 && close(out) && !ret)
		ret = kt_fail_errno("writing %s", dst);
	close(in);
	return ret;
}

static void ram_path(char *buf, size_t len, const char *dir, unsigned int n)
{
	snprintf(buf, len, "%s/ram%u", dir, n);
}

int kt_snapshot_check_out(const struct kt_snapshot *s, const char *shm_prefix,
			  const char *state, const char *console)
{
	char from[PATH_MAX + 256], to[PATH_MAX + 256];
	unsigned int n;

	/* Last use, for trimming: the entry's own time. */
	utimes(s->dir, NULL);
	for (n = 0; n < s->nr_ram; n++) {
		ram_path(from, sizeof(from), s->dir, n);
		snprintf(to, sizeof(to), "%s-ram%u", shm_prefix, n);
		if (copy_sparse(from, to))
			return -1;
	}
	snprintf(from, sizeof(from), "%s/state", s->dir);
	if (copy_sparse(from, state))
		return -1;
	snprintf(from, sizeof(from), "%s/console.log", s->dir);
	return copy_sparse(from, console);
}

/* Renamed out of the way first: nobody starts restoring a half-removed entry. */
static void remove_entry(const char *dir)
{
	char doomed[PATH_MAX + 64];

	snprintf(doomed, sizeof(doomed), "%s" TMP_MARK "%d-gone%u", dir,
		 (int)getpid(), ++tmp_counter);
	if (!rename(dir, doomed))
		kt_remove_flat_dir(doomed);
}

void kt_snapshot_drop(const struct kt_snapshot *s)
{
	remove_entry(s->dir);
}

int kt_snapshot_begin(struct kt_snapshot *s)
{
	char root[PATH_MAX];

	if (snapshot_root(root, sizeof(root)) || kt_mkdir_p(root, 0755))
		return -1;
	snprintf(s->tmp, sizeof(s->tmp), "%s" TMP_MARK "%d-%u", s->dir,
		 (int)getpid(), ++tmp_counter);
	if (mkdir(s->tmp, 0700)) {
		kt_fail_errno("cannot create %s", s->tmp);
		s->tmp[0] = '\0';
		return -1;
	}
	return 0;
}

void kt_snapshot_tmp_state(const struct kt_snapshot *s, char *buf,
			   size_t len)
{
	snprintf(buf, len, "%s/state", s->tmp);
}

void kt_snapshot_abort(struct kt_snapshot *s)
{
	if (!s->tmp[0])
		return;
	kt_remove_flat_dir(s->tmp);
	s->tmp[0] = '\0';
}

static int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return kt_fail_errno("cannot create %s", path);
	if (write(fd, text, len) != (ssize_t)len)
		ret = kt_fail_errno("writing %s", path);
	if (close(fd) && !ret)
		ret = kt_fail_errno("writing %s", path);
	return ret;
}


static unsigned long long dir_bytes(const char *dir)
{
	char path[PATH_MAX + 600];
	unsigned long long sum = 0;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] != '.' && !stat(path, &st))
			sum += (unsigned long long)st.st_blocks * 512;
	}
	if (d)
		closedir(d);
	return sum;
}

unsigned long long kt_snapshot_cache_bound(void)
{
	const char *env = getenv("KTSTR_SNAPSHOT_CACHE_MIB");
	char *end;
	unsigned long long mib = KT_SNAPSHOT_CACHE_MIB_DEFAULT;

	if (env && *env) {
		errno = 0;
		mib = strtoull(env, &end, 10);
		if (errno || *end)
			mib = KT_SNAPSHOT_CACHE_MIB_DEFAULT;
	}
	return mib << 20;
}

static int by_use(const void *a, const void *b)
{
	const struct kt_snapshot_entry *x = a, *y = b;

	return x->used < y->used ? -1 : x->used > y->used;
}

/* Complete entries, least recently used first. */
static int list_in(const char *root, struct kt_snapshot_entry **out, size_t *count)
{
	char path[PATH_MAX + 300];
	struct kt_snapshot_entry *e = NULL, *grown;
	struct dirent *de;
	struct stat st;
	size_t n = 0, cap = 0;
	DIR *d = opendir(root);

	*out = NULL;
	*count = 0;
	if (!d)
		return errno == ENOENT ? 0 : kt_fail_errno("%s", root);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strstr(de->d_name, TMP_MARK) ||
		    strlen(de->d_name) >= sizeof(e->name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(e, cap * sizeof(*e));
			if (!grown) {
				free(e);
				closedir(d);
				return kt_fail("out of memory listing %s",
					       root);
			}
			e = grown;
		}
		snprintf(e[n].name, sizeof(e[n].name), "%s", de->d_name);
		e[n].bytes = dir_bytes(path);
		e[n].used = st.st_mtime;
		n++;
	}
	closedir(d);
	qsort(e, n, sizeof(*e), by_use);
	*out = e;
	*count = n;
	return 0;
}

/* Least recently used out until the rest fits, but never @keep. */
static void trim(const char *root, const char *keep)
{
	unsigned long long total = 0, bound = kt_snapshot_cache_bound();
	char path[PATH_MAX + 300];
	struct kt_snapshot_entry *e;
	size_t n, i;

	if (list_in(root, &e, &n))
		return;
	for (i = 0; i < n; i++)
		total += e[i].bytes;
	for (i = 0; i < n && total > bound; i++) {
		if (!strcmp(e[i].name, keep))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, e[i].name);
		remove_entry(path);
		total -= e[i].bytes;
	}
	free(e);
}

int kt_snapshot_commit(struct kt_snapshot *s, const char *shm_prefix,
		       const char *console, const char *info)
{
	char from[PATH_MAX + 256], to[PATH_MAX + 256], root[PATH_MAX];
	unsigned int n;

	for (n = 0; n < s->nr_ram; n++) {
		snprintf(from, sizeof(from), "%s-ram%u", shm_prefix, n);
		ram_path(to, sizeof(to), s->tmp, n);
		if (copy_sparse(from, to))
			return -1;
	}
	snprintf(to, sizeof(to), "%s/console.log", s->tmp);
	if (copy_sparse(console, to))
		return -1;
	snprintf(to, sizeof(to), "%s/info", s->tmp);
	if (write_file(to, info))
		return -1;
	if (rename(s->tmp, s->dir)) {
		/* Another run made the same entry first: use either. */
		if (errno != EEXIST && errno != ENOTEMPTY)
			return kt_fail_errno("cannot rename %s to %s", s->tmp,
					     s->dir);
		kt_snapshot_abort(s);
	}
	s->tmp[0] = '\0';
	if (!snapshot_root(root, sizeof(root)))
		trim(root, s->key);
	return 0;
}

/*
 * $KTSTR_SNAPSHOT_DIR, else snapshots/ in the cache.  Only a save creates
 * it: a run that saves nothing leaves no trace in the cache.
 */
static int snapshot_root(char *buf, size_t len)
{
	const char *env = getenv("KTSTR_SNAPSHOT_DIR");
	char cache[PATH_MAX];

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	if (kt_cache_dir(cache, sizeof(cache)))
		return -1;
	if (snprintf(buf, len, "%s/" KT_SNAPSHOT_DIR, cache) >= (int)len)
		return kt_fail("path too long: %s/" KT_SNAPSHOT_DIR, cache);
	return 0;
}

void kt_snapshot_sweep_stale(void)
{
	char root[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *de;
	const char *mark;
	DIR *d;
	long pid;

	if (snapshot_root(root, sizeof(root)))
		return;
	d = opendir(root);
	while (d && (de = readdir(d))) {
		mark = strstr(de->d_name, TMP_MARK);
		if (!mark)
			continue;
		pid = strtol(mark + strlen(TMP_MARK), NULL, 10);
		/* Ours are in use; so are those of processes alive. */
		if (pid <= 0 || pid == getpid() || kill(pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
		kt_remove_flat_dir(path);
	}
	if (d)
		closedir(d);
}

int kt_snapshot_list(struct kt_snapshot_entry **out, size_t *count)
{
	char root[PATH_MAX];

	if (snapshot_root(root, sizeof(root)))
		return -1;
	return list_in(root, out, count);
}

int kt_snapshot_info(const struct kt_snapshot_entry *e, char *buf,
		     size_t len)
{
	char root[PATH_MAX], path[PATH_MAX + 300];
	ssize_t n;
	int fd;

	if (snapshot_root(root, sizeof(root)))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/info", root, e->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("%s", path);
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return kt_fail_errno("%s", path);
	buf[n] = '\0';
	return 0;
}

int kt_snapshot_clear(void)
{
	char root[PATH_MAX], path[PATH_MAX + 300];
	struct kt_snapshot_entry *e;
	size_t n, i;

	if (snapshot_root(root, sizeof(root)) ||
	    list_in(root, &e, &n))
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, e[i].name);
		remove_entry(path);
	}
	free(e);
	kt_snapshot_sweep_stale();
	return n;
}
