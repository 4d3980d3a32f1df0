// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "error.h"
#include "kernel_source.h"
#include "sha256.h"

#define MAX_INDEX (4u << 20)		/* releases.json, sha256sums.asc */
#define CONNECT_TIMEOUT_S 20L

static int cache_subdir(const char *name, char *buf, size_t len)
{
	char cache[PATH_MAX - 64];

	if (kt_cache_dir(cache, sizeof(cache)))
		return -1;
	snprintf(buf, len, "%s/%s", cache, name);
	return kt_mkdir_p(buf, 0755);
}

/* "6.12.5", "7.3", "7.3-rc2": the forms kernel.org versions take. */
static bool looks_like_version(const char *s)
{
	unsigned int dots = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return false;
	for (; *p && *p != '-'; p++) {
		if (*p == '.')
			dots++;
		else if (!isdigit((unsigned char)*p))
			return false;
	}
	if (*p && strncmp(p, "-rc", 3))
		return false;
	return dots >= 1 && dots <= 2 && p[-1] != '.';
}

static bool is_source_tree(const char *dir)
{
	char path[PATH_MAX + 32];
	struct stat st;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return false;
	snprintf(path, sizeof(path), "%s/Kconfig", dir);
	if (access(path, F_OK))
		return false;
	snprintf(path, sizeof(path), "%s/arch/x86/boot/bzImage", dir);
	return access(path, F_OK) != 0;	/* built trees: kt_kernel_resolve */
}

int kt_kernel_spec_kind(const char *spec, enum kt_kernel_spec_kind *kind)
{
	const char *hash;

	*kind = KT_SPEC_RESOLVE;
	if (!spec || !*spec)
		return 0;
	if (!strncmp(spec, "git+", 4)) {
		hash = strrchr(spec, '#');
		if (!strstr(spec, "://") || !hash || !hash[1] ||
		    hash < strstr(spec, "://"))
			return kt_fail_usage("--kernel '%s': expected git+URL#REF, e.g. git+https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git#v7.3",
					     spec);
		*kind = KT_SPEC_GIT;
	} else if (is_source_tree(spec)) {
		*kind = KT_SPEC_SOURCE;
	} else if (looks_like_version(spec)) {
		*kind = KT_SPEC_VERSION;
	}
	return 0;
}

struct membuf {
	char *data;
	size_t len;
};

static size_t to_memory(void *p, size_t size, size_t n, void *arg)
{
	struct membuf *m = arg;
	size_t add = size * n;
	char *d;

	if (m->len + add > MAX_INDEX)
		return 0;
	d = realloc(m->data, m->len + add + 1);
	if (!d)
		return 0;
	memcpy(d + m->len, p, add);
	m->data = d;
	m->len += add;
	m->data[m->len] = '\0';
	return add;
}

static CURL *easy(const char *url, char *errbuf)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	return c;
}

static int curl_failed(const char *url, CURLcode rc, const char *errbuf)
{
	if (rc == CURLE_PARTIAL_FILE)
		return kt_fail("download %s: truncated (%s)", url, errbuf);
	return kt_fail("download %s: %s", url,
		       errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

static int fetch_text(const char *url, struct membuf *m)
{
	char errbuf[CURL_ERROR_SIZE];
	CURL *c = easy(url, errbuf);
	CURLcode rc;

	m->data = NULL;
	m->len = 0;
	if (!c)
		return kt_fail("libcurl: cannot start a transfer");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_memory);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, m);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK && m->data)
		return 0;
	free(m->data);
	m->data = NULL;
	if (rc == CURLE_OK)
		return kt_fail("download %s: empty", url);
	return curl_failed(url, rc, errbuf);
}

/* The string value of @key in the object around @at, or "". */
static void field_near(const char *obj, const char *end, const char *key,
		       char *buf, size_t len)
{
	char pat[64];
	const char *p, *q;

	buf[0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(obj, pat);
	if (!p || p > end)
		return;
	p = strchr(p + strlen(pat), '"');
	if (!p || p > end)
		return;
	q = strchr(p + 1, '"');
	if (q && q <= end)
		snprintf(buf, len, "%.*s", (int)(q - p - 1), p + 1);
}

static bool version_matches(const char *want, const char *have)
{
	size_t n = strlen(want);

	return !strcmp(want, have) ||
	       (!strncmp(want, have, n) && have[n] == '.');
}

/* The newest release in releases.json matching @version, with its URL. */
static void pick_release(const char *json, const char *version, char *found,
			 size_t found_len, char *url, size_t url_len)
{
	const char *obj = json, *end;
	char v[64], src[PATH_MAX];

	found[0] = '\0';
	while ((obj = strchr(obj, '{'))) {
		end = strchr(obj + 1, '}');
		if (!end)
			break;
		field_near(obj, end, "version", v, sizeof(v));
		field_near(obj, end, "source", src, sizeof(src));
		if (v[0] && src[0] && version_matches(version, v) &&
		    (!found[0] || strverscmp(v, found) > 0)) {
			snprintf(found, found_len, "%s", v);
			snprintf(url, url_len, "%s", src);
		}
		obj = end;
	}
}

static int checksum_of(const char *tar_url, char *sha, size_t len)
{
	const char *file = strrchr(tar_url, '/') + 1;
	char sums_url[PATH_MAX + 32], pat[256];
	struct membuf m;
	const char *p;

	snprintf(sums_url, sizeof(sums_url), "%.*ssha256sums.asc",
		 (int)(file - tar_url), tar_url);
	if (fetch_text(sums_url, &m))
		return -1;
	snprintf(pat, sizeof(pat), "  %s\n", file);
	p = strstr(m.data, pat);
	if (!p || p - m.data < 64 || (p - 64 != m.data && p[-65] != '\n')) {
		free(m.data);
		return kt_fail("%s lists no SHA-256 for %s", sums_url, file);
	}
	snprintf(sha, len, "%.64s", p - 64);
	free(m.data);
	return 0;
}

int kt_kernel_org_locate(const char *base_url, const char *version,
			 char *resolved, size_t resolved_len, char *url,
			 size_t url_len, char *sha256, size_t sha_len)
{
	char index[PATH_MAX];
	struct membuf m;

	if (!looks_like_version(version))
		return kt_fail("'%s' is not a kernel version such as 7.3 or 6.12.5",
			       version);
	snprintf(index, sizeof(index), "%s/releases.json", base_url);
	if (fetch_text(index, &m))
		return -1;
	pick_release(m.data, version, resolved, resolved_len, url, url_len);
	free(m.data);
	if (!resolved[0]) {
		/* Not current: kernel.org keeps every release at this path. */
		snprintf(resolved, resolved_len, "%s", version);
		snprintf(url, url_len, "%s/pub/linux/kernel/v%.*s.x/linux-%s.tar.xz",
			 base_url, (int)strcspn(version, "."), version, version);
	}
	if (!strrchr(url, '/'))
		return kt_fail("releases.json: bad source URL '%s'", url);
	return checksum_of(url, sha256, sha_len);
}

int kt_download(const char *url, const char *sha256, const char *path)
{
	char tmp[PATH_MAX + 32], errbuf[CURL_ERROR_SIZE];
	char got[KT_SHA256_HEX_LEN];
	CURLcode rc;
	FILE *f;
	CURL *c;
	int ret = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, getpid());
	f = fopen(tmp, "we");
	if (!f)
		return kt_fail_errno("download to %s", tmp);
	c = easy(url, errbuf);
	if (!c) {
		kt_fail("libcurl: cannot start a transfer");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		curl_failed(url, rc, errbuf);
		goto out;
	}
	if (fclose(f)) {
		f = NULL;
		kt_fail_errno("download to %s", tmp);
		goto out;
	}
	f = NULL;
	if (kt_sha256_file_hex(tmp, got))
		goto out;
	if (strcasecmp(got, sha256)) {
		kt_fail("download %s: bad checksum: SHA-256 %s, expected %s",
			url, got, sha256);
		goto out;
	}
	if (rename(tmp, path)) {
		kt_fail_errno("download to %s", path);
		goto out;
	}
	ret = 0;
out:
	if (f)
		fclose(f);
	if (ret)
		unlink(tmp);
	return ret;
}

/* The command as one line, for a message that names the tree it ran in. */
static void describe_argv(char *const argv[], char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; *argv && n + 1 < len; argv++)
		n += snprintf(buf + n, len - n, "%s%s", n ? " " : "", *argv);
}

static int run_argv(char *const argv[])
{
	char cmd[1024];
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return kt_fail_errno("fork");
	if (!pid) {
		/* stdout is the command's (TAP for ktstr run): builds talk on stderr. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return kt_fail_errno("waitpid");
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	describe_argv(argv, cmd, sizeof(cmd));
	if (WIFEXITED(status))
		return kt_fail("'%s' failed with exit status %d", cmd,
			       WEXITSTATUS(status));
	return kt_fail("'%s' was killed by signal %d", cmd,
		       WTERMSIG(status));
}

/* Unpacks @tarball (holding linux-@version/) to @tree, atomically. */
static int unpack(const char *tarball, const char *version, const char *tree)
{
	char work[PATH_MAX + 32], inner[PATH_MAX + 128], probe[PATH_MAX + 160];
	char *const tar[] = { "tar", "-xf", (char *)tarball, "-C", work, NULL };
	int ret;

	snprintf(work, sizeof(work), "%s.tmp-%d", tree, getpid());
	if (mkdir(work, 0755))
		return kt_fail_errno("unpacking into %s", work);
	ret = run_argv(tar);
	snprintf(inner, sizeof(inner), "%s/linux-%s", work, version);
	snprintf(probe, sizeof(probe), "%s/Makefile", inner);
	if (!ret && access(probe, F_OK))
		ret = kt_fail("%s holds no linux-%s/Makefile", tarball, version);
	if (!ret && rename(inner, tree))
		ret = kt_fail_errno("unpacking into %s", tree);
	kt_remove_tree(work);
	return ret;
}

int kt_kernel_fetch_release(const char *base_url, const char *version,
			    char *tree, size_t len)
{
	char resolved[64], url[PATH_MAX], sha[80], dl[PATH_MAX], src[PATH_MAX];
	char tarball[PATH_MAX + 96];

	if (kt_kernel_org_locate(base_url, version, resolved, sizeof(resolved),
				 url, sizeof(url), sha, sizeof(sha)) ||
	    cache_subdir("downloads", dl, sizeof(dl)) ||
	    cache_subdir("source", src, sizeof(src)))
		return -1;
	snprintf(tree, len, "%s/linux-%s", src, resolved);
	if (!access(tree, F_OK))
		return 0;
	snprintf(tarball, sizeof(tarball), "%s/%s", dl, strrchr(url, '/') + 1);
	/* A tarball in the cache was verified when it was renamed there. */
	if (access(tarball, F_OK) && kt_download(url, sha, tarball))
		return -1;
	if (!unpack(tarball, resolved, tree))
		return 0;
	/* Verified but not a kernel tree: nothing of it stays. */
	unlink(tarball);
	return -1;
}

static int config_fragments(char *const *out, size_t max, size_t *n)
{
	char root[PATH_MAX], dir[PATH_MAX + 32], path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;

	*n = 0;
	if (kt_root_dir(root, sizeof(root)))
		return -1;
	snprintf(dir, sizeof(dir), "%s/config/kernel", root);
	d = opendir(dir);
	if (!d)
		return kt_fail_errno("config fragments %s", dir);
	while ((de = readdir(d)) && *n < max) {
		size_t l = strlen(de->d_name);

		if (l < 8 || strcmp(de->d_name + l - 7, ".config"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		((char **)out)[(*n)++] = strdup(path);
	}
	closedir(d);
	return *n ? 0 : kt_fail("no *.config fragments in %s", dir);
}

static int make_in(const char *tree, const char *target)
{
	char jobs[32];
	char *const argv[] = { "make", "-C", (char *)tree, jobs,
			       (char *)target, NULL };

	snprintf(jobs, sizeof(jobs), "-j%ld", sysconf(_SC_NPROCESSORS_ONLN));
	return run_argv(argv);
}

/* .config (defconfig if none) + ktstr's fragments, then olddefconfig. */
static int configure(const char *tree)
{
	char config[PATH_MAX + 16], merge[PATH_MAX + 64];
	char *argv[40] = { merge, "-m", "-O", (char *)tree, config };
	char *frags[32];
	size_t n, i;
	int ret;

	snprintf(config, sizeof(config), "%s/.config", tree);
	snprintf(merge, sizeof(merge), "%s/scripts/kconfig/merge_config.sh",
		 tree);
	if (access(config, F_OK) && make_in(tree, "defconfig"))
		return -1;
	if (config_fragments(frags, 32, &n))
		return -1;
	for (i = 0; i < n; i++)
		argv[5 + i] = frags[i];
	argv[5 + n] = NULL;
	ret = run_argv(argv);
	for (i = 0; i < n; i++)
		free(frags[i]);
	return ret ? ret : make_in(tree, "olddefconfig");
}

int kt_kernel_build_tree(const char *tree, const char *version,
			 const char *origin)
{
	char config[PATH_MAX + 16], image[PATH_MAX + 32], map[PATH_MAX + 16];

	snprintf(config, sizeof(config), "%s/.config", tree);
	snprintf(image, sizeof(image), "%s/arch/x86/boot/bzImage", tree);
	snprintf(map, sizeof(map), "%s/System.map", tree);
	if (configure(tree) || kt_kernel_check_config(config) ||
	    make_in(tree, "bzImage"))
		return -1;
	return kt_kernel_install(version, image, config, map, origin, NULL);
}

static const char *kernel_org(void)
{
	const char *env = getenv("KTSTR_KERNEL_ORG");

	return env && *env ? env : KT_KERNEL_ORG_DEFAULT;
}

static int obtain_version(const char *spec, struct kt_kernel *k)
{
	char tree[PATH_MAX], key[160], origin[PATH_MAX + 64];
	const char *v;

	/* "7.3" may already be a cache entry: Debian's, or one we built. */
	if (!kt_kernel_resolve(spec, k))
		return 0;
	if (kt_kernel_fetch_release(kernel_org(), spec, tree, sizeof(tree)))
		return -1;
	v = strrchr(tree, '/') + strlen("/linux-");
	snprintf(key, sizeof(key), "%s-ktstr", v);
	if (!kt_kernel_resolve(key, k))
		return 0;
	snprintf(origin, sizeof(origin), "kernel.org %s, built by ktstr", v);
	if (kt_kernel_build_tree(tree, key, origin))
		return -1;
	return kt_kernel_resolve(key, k);
}

static int obtain_git(const char *spec, struct kt_kernel *k)
{
	const char *hash = strrchr(spec, '#');
	char url[PATH_MAX], ref[128], src[PATH_MAX], tree[PATH_MAX + 160];
	char work[PATH_MAX + 200], key[160], *c;
	char *const clone[] = { "git", "clone", "--depth", "1", "--branch", ref,
				url, work, NULL };

	snprintf(url, sizeof(url), "%.*s", (int)(hash - spec - 4), spec + 4);
	snprintf(ref, sizeof(ref), "%s", hash + 1);
	snprintf(key, sizeof(key), "git-%s-ktstr", ref);
	for (c = key; *c; c++)
		if (*c == '/')
			*c = '_';
	if (!kt_kernel_resolve(key, k))
		return 0;
	if (cache_subdir("source", src, sizeof(src)))
		return -1;
	snprintf(tree, sizeof(tree), "%s/%.*s", src,
		 (int)(strlen(key) - strlen("-ktstr")), key);
	if (access(tree, F_OK)) {
		snprintf(work, sizeof(work), "%s.tmp-%d", tree, getpid());
		if (run_argv(clone) || rename(work, tree)) {
			kt_remove_tree(work);
			return kt_fail("git clone %s at %s failed", url, ref);
		}
	}
	if (kt_kernel_build_tree(tree, key, spec))
		return -1;
	return kt_kernel_resolve(key, k);
}

static int obtain_source(const char *tree, struct kt_kernel *k)
{
	char real[PATH_MAX], key[160], *c;

	if (!realpath(tree, real))
		return kt_fail_errno("--kernel %s", tree);
	snprintf(key, sizeof(key), "tree%.140s-ktstr", real);
	for (c = key; *c; c++)
		if (*c == '/')
			*c = '_';
	if (kt_kernel_build_tree(real, key, real))
		return -1;
	return kt_kernel_resolve(key, k);
}

int kt_kernel_obtain(const char *spec, struct kt_kernel *k)
{
	enum kt_kernel_spec_kind kind;

	if (kt_kernel_spec_kind(spec, &kind))
		return -1;
	switch (kind) {
	case KT_SPEC_VERSION:
		return obtain_version(spec, k);
	case KT_SPEC_GIT:
		return obtain_git(spec, k);
	case KT_SPEC_SOURCE:
		return obtain_source(spec, k);
	default:
		return kt_kernel_resolve(spec, k);
	}
}
