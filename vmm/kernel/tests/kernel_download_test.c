// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel downloads against a real HTTP server on 127.0.0.1 (written
 * here, forked per fixture) serving a fixture releases.json,
 * sha256sums.asc and a kernel tarball: a good download, a truncated one
 * (the server announces more bytes than it sends), a bad checksum, a
 * missing release, bad specs.  The cache must hold the good one only.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "error.h"
#include "kernel_source.h"

/* Answers GET /PATH from @root; GET /truncated/PATH sends half of it. */
static void serve_one(int fd, const char *root)
{
	char req[1024], path[PATH_MAX + 1100], hdr[256], *body = NULL;
	bool truncated;
	const char *name;
	ssize_t n = read(fd, req, sizeof(req) - 1);
	size_t len = 0, send_len;
	FILE *f;

	if (n <= 0)
		return;
	req[n] = '\0';
	if (strncmp(req, "GET /", 5))
		return;
	req[strcspn(req + 4, " ") + 4] = '\0';
	name = req + 5;
	truncated = !strncmp(name, "truncated/", 10);
	if (truncated)
		name += 10;
	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = strstr(name, "..") ? NULL : fopen(path, "r");
	if (!f) {
		dprintf(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
		return;
	}
	body = malloc(1 << 22);
	len = fread(body, 1, 1 << 22, f);
	fclose(f);
	send_len = truncated ? len / 2 : len;
	snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		 len);
	if (write(fd, hdr, strlen(hdr)) < 0 || write(fd, body, send_len) < 0)
		perror("fixture server: write");
	free(body);
}

static pid_t start_server(const char *root, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, c;
	pid_t pid;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16) ||
	    getsockname(s, (struct sockaddr *)&a, &alen))
		return -1;
	*port = ntohs(a.sin_port);
	pid = fork();
	if (pid) {
		close(s);
		return pid;
	}
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		serve_one(c, root);
		close(c);
	}
}

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	if (system(cmd))
		fprintf(stderr, "failed: %s\n", cmd);
}

FIXTURE(download) {
	char dir[64], cache[128], www[128], base[64];
	pid_t server;
	int port;
};

/*
 * www/releases.json lists 6.12.5 (longterm) and 6.12.4 (whose tarball
 * holds the wrong directory); 7.1 is listed
 * with a wrong checksum; the tarballs hold linux-<v>/Makefile, Kconfig.
 */
FIXTURE_SETUP(download)
{
	char pub[256], json[4096];
	FILE *f;

	snprintf(self->dir, sizeof(self->dir), "/tmp/ktstr-dl-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->cache, sizeof(self->cache), "%s/cache", self->dir);
	snprintf(self->www, sizeof(self->www), "%s/www", self->dir);
	snprintf(pub, sizeof(pub), "%s/pub/linux/kernel", self->www);
	sh("mkdir -p %s/v6.x %s/../../../cache", pub, pub);
	sh("mkdir -p %s/v7.x", pub, "");
	sh("cd %s && mkdir -p t/linux-6.12.5 && echo 'all:' > t/linux-6.12.5/Makefile && touch t/linux-6.12.5/Kconfig && tar -C t -cJf %s/v6.x/linux-6.12.5.tar.xz linux-6.12.5",
	   self->dir, pub);
	sh("cd %s && mkdir -p t/linux-7.1 && echo 'all:' > t/linux-7.1/Makefile && touch t/linux-7.1/Kconfig && tar -C t -cJf %s/v7.x/linux-7.1.tar.xz linux-7.1",
	   self->dir, pub);
	/* 6.12.4's tarball, correctly listed, holds the wrong directory. */
	sh("cd %s && mkdir -p t/linux-6.12.4-rc && echo 'all:' > t/linux-6.12.4-rc/Makefile && tar -C t -cJf %s/v6.x/linux-6.12.4.tar.xz linux-6.12.4-rc",
	   self->dir, pub);
	sh("cd %s/v6.x && sha256sum linux-6.12.5.tar.xz linux-6.12.4.tar.xz > sha256sums.asc%s",
	   pub, "");
	/* 7.1's listed checksum is another file's. */
	sh("cd %s/v7.x && echo wrong | sha256sum | sed 's/-$/linux-7.1.tar.xz/' > sha256sums.asc%s",
	   pub, "");
	self->server = start_server(self->www, &self->port);
	ASSERT_LT(0, self->server);
	snprintf(self->base, sizeof(self->base), "http://127.0.0.1:%d",
		 self->port);
	snprintf(json, sizeof(json),
		 "{\"latest_stable\": {\"version\": \"7.1\"},\n \"releases\": [\n"
		 "  {\"moniker\": \"stable\", \"version\": \"7.1\", \"source\": \"%s/pub/linux/kernel/v7.x/linux-7.1.tar.xz\"},\n"
		 "  {\"moniker\": \"longterm\", \"version\": \"6.12.5\", \"source\": \"%s/pub/linux/kernel/v6.x/linux-6.12.5.tar.xz\"},\n"
		 "  {\"moniker\": \"longterm\", \"version\": \"6.12.4\", \"source\": \"%s/pub/linux/kernel/v6.x/linux-6.12.4.tar.xz\"}\n"
		 " ]}\n", self->base, self->base, self->base);
	snprintf(pub, sizeof(pub), "%s/releases.json", self->www);
	f = fopen(pub, "w");
	ASSERT_NE(NULL, f);
	fputs(json, f);
	fclose(f);
	setenv("KTSTR_CACHE_DIR", self->cache, 1);
}

FIXTURE_TEARDOWN(download)
{
	char cmd[128];

	kill(self->server, SIGKILL);
	waitpid(self->server, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		fprintf(stderr, "failed: %s\n", cmd);
}

/* The names in @dir, space separated. */
static void listing(const char *dir, char *buf, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t n = 0;

	buf[0] = '\0';
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n += snprintf(buf + n, len - n, "%s ", de->d_name);
	if (d)
		closedir(d);
}

TEST_F(download, good_truncated_bad_checksum)
{
	char resolved[64], url[4096], sha[80], tree[4096], path[4200],
	     list[1024];
	struct stat st;

	/* "6.12" resolves to the newest 6.12.x listed, with its checksum. */
	ASSERT_EQ(0, kt_kernel_org_locate(self->base, "6.12", resolved,
					  sizeof(resolved), url, sizeof(url),
					  sha, sizeof(sha))) TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("6.12.5", resolved);
	EXPECT_NE(NULL, strstr(url, "/pub/linux/kernel/v6.x/linux-6.12.5.tar.xz"));
	EXPECT_EQ(64, strlen(sha));

	/* Truncated: the server announces the whole length, sends half. */
	snprintf(path, sizeof(path), "%s/cut.tar.xz", self->dir);
	snprintf(url, sizeof(url), "%s/truncated/pub/linux/kernel/v6.x/linux-6.12.5.tar.xz",
		 self->base);
	EXPECT_EQ(-1, kt_download(url, sha, path));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "truncated")) TH_LOG("%s", kt_errmsg());
	EXPECT_NE(0, stat(path, &st));

	/* The version download: verified, unpacked into the source cache. */
	ASSERT_EQ(0, kt_kernel_fetch_release(self->base, "6.12.5", tree,
					     sizeof(tree))) TH_LOG("%s", kt_errmsg());
	snprintf(path, sizeof(path), "%s/Makefile", tree);
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_NE(NULL, strstr(tree, "/cache/source/linux-6.12.5"));

	/* A bad checksum: refused, nothing kept. */
	EXPECT_EQ(-1, kt_kernel_fetch_release(self->base, "7.1", tree,
					      sizeof(tree)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "bad checksum")) TH_LOG("%s", kt_errmsg());

	/* Verified, but no linux-6.12.4/ inside: refused, nothing kept. */
	EXPECT_EQ(-1, kt_kernel_fetch_release(self->base, "6.12.4", tree,
					      sizeof(tree)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "linux-6.12.4.tar.xz holds no linux-6.12.4/Makefile"))
		TH_LOG("%s", kt_errmsg());

	/* Not listed and not in the sums: refused before any download. */
	EXPECT_EQ(-1, kt_kernel_fetch_release(self->base, "6.1.9", tree,
					      sizeof(tree)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "v6.x/sha256sums.asc lists no SHA-256 for linux-6.1.9.tar.xz"))
		TH_LOG("%s", kt_errmsg());
	/* Nothing on the server: the HTTP error. */
	EXPECT_EQ(-1, kt_kernel_fetch_release(self->base, "8.0", tree,
					      sizeof(tree)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "v8.x/sha256sums.asc: ")) TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "404")) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(-1, kt_kernel_fetch_release(self->base, "6.x", tree,
					      sizeof(tree)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "'6.x' is not a kernel version")) TH_LOG("%s", kt_errmsg());

	/* The cache holds the good one only: no partial or temporary entry. */
	snprintf(path, sizeof(path), "%s/downloads", self->cache);
	listing(path, list, sizeof(list));
	EXPECT_STREQ("linux-6.12.5.tar.xz ", list);
	snprintf(path, sizeof(path), "%s/source", self->cache);
	listing(path, list, sizeof(list));
	EXPECT_STREQ("linux-6.12.5 ", list);
	listing(self->dir, list, sizeof(list));
	EXPECT_EQ(NULL, strstr(list, "tmp")) TH_LOG("%s", list);
}

TEST_F(download, nothing_listens)
{
	char resolved[64], url[4096], sha[80];

	EXPECT_EQ(-1, kt_kernel_org_locate("http://127.0.0.1:1", "7.3",
					   resolved, sizeof(resolved), url,
					   sizeof(url), sha, sizeof(sha)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "download http://127.0.0.1:1/releases.json: "))
		TH_LOG("%s", kt_errmsg());
}

/* @cmd's stdout and stderr, then "rc <exit status>". */
static void output_of(const char *cmd, char *out, size_t len)
{
	char sh[1024];
	FILE *p;
	size_t n = 0;

	snprintf(sh, sizeof(sh), "%s 2>&1; echo \"rc $?\"", cmd);
	p = popen(sh, "r");
	if (p) {
		n = fread(out, 1, len - 1, p);
		pclose(p);
	}
	out[n] = '\0';
}

/*
 * ktstr shell and ktstr run take a version too: fetched from the server,
 * then built.  The fixture's tarball holds no real kernel, so the build
 * must fail, say so, and leave no cache entry; an unlisted version is
 * named.
 */
TEST_F(download, shell_and_run_take_a_version)
{
	char out[8192] = "", list[4096], kernels[256];

	setenv("KTSTR_KERNEL_ORG", self->base, 1);
	output_of("./ktstr shell --kernel 6.12.5 --topology 1n1l1c1t --exec true",
		  out, sizeof(out));
	EXPECT_NE(NULL, strstr(out, "rc 1")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "ktstr shell: ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "linux-6.12.5")) TH_LOG("%s", out);
	snprintf(kernels, sizeof(kernels), "%s/kernels", self->cache);
	listing(kernels, list, sizeof(list));
	EXPECT_STREQ("", list);
	output_of("./ktstr run --kernel 6.9.99 fair.eevdf.spin_overcommit",
		  out, sizeof(out));
	EXPECT_NE(NULL, strstr(out, "rc 1")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "ktstr run: ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "6.9.99")) TH_LOG("%s", out);
	unsetenv("KTSTR_KERNEL_ORG");
}

TEST(bad_specs)
{
	enum kt_kernel_spec_kind kind;

	EXPECT_EQ(-1, kt_kernel_spec_kind("git+nourl", &kind));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "expected git+URL#REF")) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(-1, kt_kernel_spec_kind("git+https://example.org/linux.git", &kind));
	EXPECT_EQ(-1, kt_kernel_spec_kind("git+https://example.org/linux.git#", &kind));
	ASSERT_EQ(0, kt_kernel_spec_kind("git+https://example.org/linux.git#v7.3", &kind));
	EXPECT_EQ(KT_SPEC_GIT, kind);
	ASSERT_EQ(0, kt_kernel_spec_kind("6.12.5", &kind));
	EXPECT_EQ(KT_SPEC_VERSION, kind);
	ASSERT_EQ(0, kt_kernel_spec_kind("7.3", &kind));
	EXPECT_EQ(KT_SPEC_VERSION, kind);
	ASSERT_EQ(0, kt_kernel_spec_kind("7.3.4+deb13-cloud-amd64", &kind));
	EXPECT_EQ(KT_SPEC_RESOLVE, kind);
	ASSERT_EQ(0, kt_kernel_spec_kind("7.", &kind));
	EXPECT_EQ(KT_SPEC_RESOLVE, kind);
}

TEST_HARNESS_MAIN
