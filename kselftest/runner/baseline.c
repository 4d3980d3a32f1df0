// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "cache.h"
#include "error.h"

int kt_baseline_check_name(const char *name)
{
	const char *c;

	if (!*name || name[0] == '.' || strlen(name) > 64)
		return kt_fail_usage("baseline name '%s': 1 to 64 characters, not starting with '.'",
				     name);
	for (c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr(".-_", *c))
			return kt_fail_usage("baseline name '%s': only letters, digits, '.', '-' and '_'",
					     name);
	return 0;
}

int kt_baseline_path(const char *name, char *buf, size_t len)
{
	char cache[PATH_MAX];

	if (kt_baseline_check_name(name) || kt_cache_dir(cache, sizeof(cache)))
		return -1;
	snprintf(buf, len, "%s/baselines/%s", cache, name);
	return 0;
}

int kt_baseline_begin(const char *name, char *dir, size_t len)
{
	char cache[PATH_MAX - 128], parent[PATH_MAX];

	if (kt_baseline_check_name(name) || kt_cache_dir(cache, sizeof(cache)))
		return -1;
	snprintf(parent, sizeof(parent), "%s/baselines", cache);
	if (kt_mkdir_p(parent, 0755))
		return -1;
	snprintf(dir, len, "%s/.tmp-%s-%d", parent, name, getpid());
	if (mkdir(dir, 0755) && errno != EEXIST)
		return kt_fail_errno("baseline %s", dir);
	return 0;
}

static int remove_flat_dir(const char *dir)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : kt_fail_errno("%s", dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir) ? kt_fail_errno("%s", dir) : 0;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "r"), *out;
	size_t n;
	int ret = 0;

	if (!in)
		return kt_fail_errno("%s", from);
	out = fopen(to, "w");
	if (!out) {
		fclose(in);
		return kt_fail_errno("%s", to);
	}
	while ((n = fread(buf, 1, sizeof(buf), in)))
		if (fwrite(buf, 1, n, out) != n)
			ret = kt_fail_errno("%s", to);
	fclose(in);
	if (fclose(out) && !ret)
		ret = kt_fail_errno("%s", to);
	return ret;
}

static int copy_results(const char *from, const char *to)
{
	char a[PATH_MAX + 256], b[PATH_MAX + 256];
	struct dirent *de;
	DIR *d = opendir(from);
	int ret = 0;

	if (!d)
		return kt_fail_errno("results %s", from);
	while (!ret && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		snprintf(a, sizeof(a), "%s/%s", from, de->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
		ret = copy_file(a, b);
	}
	closedir(d);
	return ret;
}

int kt_baseline_commit(const char *name, const char *dir, bool owned)
{
	char final[PATH_MAX + 96], work[PATH_MAX + 96], old[PATH_MAX + 128];

	if (kt_baseline_path(name, final, sizeof(final)))
		return -1;
	if (owned) {
		snprintf(work, sizeof(work), "%s", dir);
	} else if (kt_baseline_begin(name, work, sizeof(work)) ||
		   copy_results(dir, work)) {
		remove_flat_dir(work);
		return -1;
	}
	snprintf(old, sizeof(old), "%s.old-%d", final, getpid());
	if (rename(final, old) && errno != ENOENT) {
		remove_flat_dir(work);
		return kt_fail_errno("baseline %s", final);
	}
	if (rename(work, final)) {
		int err = errno;

		rename(old, final);
		remove_flat_dir(work);
		errno = err;
		return kt_fail_errno("baseline %s", final);
	}
	return remove_flat_dir(old);
}

int kt_baseline_resolve(const char *spec, char *buf, size_t len)
{
	struct stat st;

	/* A directory of results, or a file: a `ktstr verifier` report. */
	if (!stat(spec, &st) && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
		snprintf(buf, len, "%s", spec);
		return 0;
	}
	if (strchr(spec, '/') || kt_baseline_check_name(spec))
		return kt_fail("'%s': no such result directory", spec);
	if (kt_baseline_path(spec, buf, len))
		return -1;
	if (stat(buf, &st) || !S_ISDIR(st.st_mode))
		return kt_fail("'%s': no such result directory, nor a baseline in %s",
			       spec, buf);
	return 0;
}
