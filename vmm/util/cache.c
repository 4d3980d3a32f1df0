// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "error.h"

int kt_mkdir_p(const char *path, unsigned int mode)
{
	char tmp[PATH_MAX];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return kt_fail("path too long: %s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) && errno != EEXIST)
			return kt_fail_errno("cannot create directory %s", tmp);
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return kt_fail_errno("cannot create directory %s", tmp);
	return 0;
}

void kt_remove_flat_dir(const char *dir)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* At most this many directories open at once while walking a tree. */
#define TREE_OPEN_DIRS 16

/* nftw() passes its callback no context: the walk's first error. */
static __thread int remove_tree_errno;

static int open_up_dir(const char *path, const struct stat *st, int type,
		       struct FTW *ftw)
{
	if ((type == FTW_D || type == FTW_DNR) &&
	    (st->st_mode & 0700) != 0700)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	if (remove(path) && !remove_tree_errno)
		remove_tree_errno = errno;
	return 0;
}

int kt_remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	remove_tree_errno = 0;
	if (nftw(path, open_up_dir, TREE_OPEN_DIRS, FTW_PHYS) ||
	    nftw(path, remove_entry, TREE_OPEN_DIRS, FTW_DEPTH | FTW_PHYS))
		return -1;
	if (remove_tree_errno) {
		errno = remove_tree_errno;
		return -1;
	}
	return 0;
}

int kt_cache_dir(char *buf, size_t len)
{
	const char *env = getenv("KTSTR_CACHE_DIR");
	int n;

	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(buf, len, "%s/ktstr", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.cache/ktstr", home);
	else
		return kt_fail("no cache directory: set KTSTR_CACHE_DIR or HOME");
	if (n < 0 || (size_t)n >= len)
		return kt_fail("cache directory path too long");
	return 0;
}

int kt_cache_path(char *buf, size_t len, const char *subpath)
{
	char root[PATH_MAX];
	char *slash;
	int n;

	if (kt_cache_dir(root, sizeof(root)))
		return -1;
	n = snprintf(buf, len, "%s/%s", root, subpath);
	if (n < 0 || (size_t)n >= len)
		return kt_fail("cache path too long: %s/%s", root, subpath);
	slash = strrchr(buf, '/');
	*slash = '\0';
	if (kt_mkdir_p(buf, 0755)) {
		*slash = '/';
		return -1;
	}
	*slash = '/';
	return 0;
}

int kt_root_dir(char *buf, size_t len)
{
	const char *env = getenv("KTSTR_ROOT");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		if (snprintf(buf, len, "%s", env) >= (int)len)
			return kt_fail("KTSTR_ROOT too long");
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return kt_fail_errno("cannot read /proc/self/exe");
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if (snprintf(buf, len, "%s", exe) >= (int)len)
		return kt_fail("executable path too long: %s", exe);
	return 0;
}

int kt_root_path(char *buf, size_t len, const char *rel)
{
	char root[PATH_MAX];
	int n;

	if (kt_root_dir(root, sizeof(root)))
		return -1;
	n = snprintf(buf, len, "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= len)
		return kt_fail("path too long: %s/%s", root, rel);
	return 0;
}
