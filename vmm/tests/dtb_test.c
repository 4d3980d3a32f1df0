// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 guest's device tree: QEMU's own (QEMU runs only to write it,
 * no guest), rewritten for the declared topology, and kept in the cache;
 * and everything in the way, which must leave nothing behind.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "dtb.h"
#include "error.h"

#define TREE_SIZE 65536

FIXTURE(dtb) {
	char cache[64];
	char dir[96];		/* <cache>/dtb */
	char fake[96];		/* a fake QEMU, when a test makes one */
	char tree[96];		/* the tree it writes */
	struct kt_qemu_spec spec;
	struct kt_topology topo;
	void *fdt;
};

FIXTURE_SETUP(dtb)
{
	snprintf(self->cache, sizeof(self->cache), "/tmp/ktstr-dtb-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->cache));
	snprintf(self->dir, sizeof(self->dir), "%s/dtb", self->cache);
	snprintf(self->fake, sizeof(self->fake), "%s/qemu", self->cache);
	snprintf(self->tree, sizeof(self->tree), "%s/tree", self->cache);
	ASSERT_EQ(0, setenv("KTSTR_CACHE_DIR", self->cache, 1));
	unsetenv("KTSTR_QEMU_ARM64");
	memset(&self->spec, 0, sizeof(self->spec));
	self->spec.arch = KT_ARCH_ARM64;
	self->spec.topo = &self->topo;
	self->spec.accel = KT_ACCEL_TCG;
	self->fdt = NULL;
}

FIXTURE_TEARDOWN(dtb)
{
	char cmd[128];

	free(self->fdt);
	unsetenv("KTSTR_QEMU_ARM64");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->cache);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->cache);
}

/* Names in @dir; 0 if there is no such directory. */
static unsigned int dir_entries(const char *dir)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.' || strncmp(de->d_name, ".tmp-", 5) == 0;
	if (d)
		closedir(d);
	return n;
}

static void *load(const char *path)
{
	void *buf = calloc(1, 1 << 20);
	int fd = open(path, O_RDONLY);

	if (fd >= 0 && buf && read(fd, buf, 1 << 20) > 0 &&
	    !fdt_check_header(buf)) {
		close(fd);
		return buf;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static uint32_t get_u32(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path);
	const fdt32_t *v;
	int len;

	if (node < 0)
		return ~0U;
	v = fdt_getprop(fdt, node, name, &len);
	return v && len == 4 ? fdt32_to_cpu(*v) : ~0U;
}

/* The node a phandle property of @path points at, as an offset. */
static int follow(const void *fdt, const char *path, const char *name)
{
	return fdt_node_offset_by_phandle(fdt, get_u32(fdt, path, name));
}

TEST_F(dtb, tri_tier_from_qemus_tree)
{
	char path[PATH_MAX];
	struct stat first, again;
	int l2, l3a, l3b;

	ASSERT_EQ(0, kt_topology_parse_text("node.0.llcs = 2c@1024|4c@768|2c@512\n",
					    "t", &self->topo));
	self->topo.memory_mib = 512;
	ASSERT_EQ(0, kt_dtb_build(&self->spec, path, sizeof(path)))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, strncmp(path, self->dir, strlen(self->dir)));
	EXPECT_EQ(1, dir_entries(self->dir));
	self->fdt = load(path);
	ASSERT_NE(NULL, self->fdt);

	/* socket (node) 0, clusters of 2, 4 and 2 cores. */
	EXPECT_EQ(fdt_get_phandle(self->fdt, fdt_path_offset(self->fdt, "/cpus/cpu@2")),
		  get_u32(self->fdt, "/cpus/cpu-map/socket0/cluster1/core0", "cpu"));
	EXPECT_EQ(fdt_get_phandle(self->fdt, fdt_path_offset(self->fdt, "/cpus/cpu@7")),
		  get_u32(self->fdt, "/cpus/cpu-map/socket0/cluster2/core1", "cpu"));
	EXPECT_GT(0, fdt_path_offset(self->fdt, "/cpus/cpu-map/socket0/cluster3"));
	EXPECT_GT(0, fdt_path_offset(self->fdt, "/cpus/cpu-map/socket1"));
	EXPECT_EQ(1024, get_u32(self->fdt, "/cpus/cpu@1", "capacity-dmips-mhz"));
	EXPECT_EQ(768, get_u32(self->fdt, "/cpus/cpu@5", "capacity-dmips-mhz"));
	EXPECT_EQ(512, get_u32(self->fdt, "/cpus/cpu@6", "capacity-dmips-mhz"));
	EXPECT_EQ(0, get_u32(self->fdt, "/cpus/cpu@6", "numa-node-id"));
	EXPECT_EQ(65536, get_u32(self->fdt, "/cpus/cpu@6", "d-cache-size"));

	/* cpu -> its own L2 -> the one L3. */
	l2 = follow(self->fdt, "/cpus/cpu@0", "next-level-cache");
	ASSERT_LE(0, l2);
	EXPECT_EQ(0, strcmp("l2-cache-0", fdt_get_name(self->fdt, l2, NULL)));
	EXPECT_EQ(2, get_u32(self->fdt, "/cpus/l2-cache-0", "cache-level"));
	l3a = follow(self->fdt, "/cpus/l2-cache-0", "next-level-cache");
	l3b = follow(self->fdt, "/cpus/l2-cache-7", "next-level-cache");
	ASSERT_LE(0, l3a);
	EXPECT_EQ(l3a, l3b);
	EXPECT_EQ(3, get_u32(self->fdt, "/cpus/l3-cache-0", "cache-level"));

	/* Made once: the second run finds it. */
	ASSERT_EQ(0, stat(path, &first));
	ASSERT_EQ(0, kt_dtb_build(&self->spec, path, sizeof(path)));
	ASSERT_EQ(0, stat(path, &again));
	EXPECT_EQ(first.st_ino, again.st_ino);
	EXPECT_EQ(first.st_mtim.tv_nsec, again.st_mtim.tv_nsec);
}

TEST_F(dtb, two_nodes_with_smt)
{
	char path[PATH_MAX], path2[PATH_MAX];

	ASSERT_EQ(0, kt_topology_parse_text("node.0.llcs = 2c2t\nnode.1.llcs = 1c 2c\n",
					    "t", &self->topo));
	self->topo.memory_mib = 512;
	ASSERT_EQ(0, kt_dtb_build(&self->spec, path, sizeof(path)))
		TH_LOG("%s", kt_errmsg());
	self->fdt = load(path);
	ASSERT_NE(NULL, self->fdt);
	EXPECT_EQ(fdt_get_phandle(self->fdt, fdt_path_offset(self->fdt, "/cpus/cpu@3")),
		  get_u32(self->fdt, "/cpus/cpu-map/socket0/cluster0/core1/thread1", "cpu"));
	/* Node 1: two LLCs, so two clusters; no thread level. */
	EXPECT_EQ(fdt_get_phandle(self->fdt, fdt_path_offset(self->fdt, "/cpus/cpu@6")),
		  get_u32(self->fdt, "/cpus/cpu-map/socket1/cluster1/core1", "cpu"));
	EXPECT_EQ(1, get_u32(self->fdt, "/cpus/cpu@4", "numa-node-id"));
	EXPECT_NE(follow(self->fdt, "/cpus/l2-cache-2", "next-level-cache"),
		  follow(self->fdt, "/cpus/l2-cache-3", "next-level-cache"));
	/* SMT siblings share their core's L2. */
	EXPECT_EQ(follow(self->fdt, "/cpus/cpu@0", "next-level-cache"),
		  follow(self->fdt, "/cpus/cpu@1", "next-level-cache"));

	/* Another topology is another tree. */
	ASSERT_EQ(0, kt_topology_parse_text("node.0.llcs = 2c2t\nnode.1.llcs = 3c\n",
					    "t", &self->topo));
	self->topo.memory_mib = 512;
	ASSERT_EQ(0, kt_dtb_build(&self->spec, path2, sizeof(path2)));
	EXPECT_STRNE(path, path2);
	EXPECT_EQ(2, dir_entries(self->dir));
}

static void write_fake_qemu(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");

	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
}

/* A fake QEMU that writes @tree where -machine dumpdtb= says. */
static void fake_dump(const char *fake, const char *tree)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "for a; do case \"$a\" in *dumpdtb=*) cp %s \"${a##*dumpdtb=}\";; esac; done",
		 tree);
	write_fake_qemu(fake, body);
}

static void write_tree(const char *path, const void *fdt)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (write(fd, fdt, fdt_totalsize(fdt)) < 0)
		perror(path);
	close(fd);
}

TEST_F(dtb, qemu_fails)
{
	char path[PATH_MAX];

	ASSERT_EQ(0, kt_topology_parse_text("node.0.llcs = 2c\n", "t",
					    &self->topo));
	self->topo.memory_mib = 256;
	write_fake_qemu(self->fake, "echo 'qemu: no such machine' >&2; exit 1");
	ASSERT_EQ(0, setenv("KTSTR_QEMU_ARM64", self->fake, 1));
	EXPECT_EQ(-1, kt_dtb_build(&self->spec, path, sizeof(path)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "could not write the machine's device tree (-machine dumpdtb=): qemu: no such machine"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, dir_entries(self->dir));

	/* Exit 0 and no tree is no better. */
	write_fake_qemu(self->fake, "exit 0");
	EXPECT_EQ(-1, kt_dtb_build(&self->spec, path, sizeof(path)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no message"));
	EXPECT_EQ(0, dir_entries(self->dir));

	ASSERT_EQ(0, setenv("KTSTR_QEMU_ARM64", "/nonexistent/qemu", 1));
	EXPECT_EQ(-1, kt_dtb_build(&self->spec, path, sizeof(path)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/nonexistent/qemu"));
	EXPECT_EQ(0, dir_entries(self->dir));

	/* Something that is not a device tree. */
	ASSERT_EQ(0, system("head -c 4096 /dev/urandom > /tmp/ktstr-dtb-junk"));
	fake_dump(self->fake, "/tmp/ktstr-dtb-junk");
	ASSERT_EQ(0, setenv("KTSTR_QEMU_ARM64", self->fake, 1));
	EXPECT_EQ(-1, kt_dtb_build(&self->spec, path, sizeof(path)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "not a device tree"));
	EXPECT_EQ(0, dir_entries(self->dir));
	unlink("/tmp/ktstr-dtb-junk");
}

/* A tree of @cpus CPUs, with caches of QEMU 11's kind. */
static void *small_tree(unsigned int cpus, bool qemu_caches)
{
	void *fdt = calloc(1, TREE_SIZE);
	char name[32];
	unsigned int i;
	int root, node, cache;

	fdt_create_empty_tree(fdt, TREE_SIZE);
	root = fdt_add_subnode(fdt, 0, "cpus");
	for (i = cpus; i-- > 0;) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		node = fdt_add_subnode(fdt, root, name);
		fdt_setprop_string(fdt, node, "device_type", "cpu");
		if (!qemu_caches)
			continue;
		cache = fdt_add_subnode(fdt, node, "l2-cache");
		fdt_setprop_string(fdt, cache, "compatible", "cache");
		fdt_setprop_u32(fdt, cache, "phandle", 100 + i);
		fdt_setprop_u32(fdt, node, "next-level-cache", 100 + i);
	}
	if (qemu_caches) {
		cache = fdt_add_subnode(fdt, fdt_path_offset(fdt, "/cpus"),
					"l3-cache");
		fdt_setprop_string(fdt, cache, "compatible", "cache");
	}
	return fdt;
}

TEST_F(dtb, cpu_node_missing)
{
	char path[PATH_MAX];

	ASSERT_EQ(0, kt_topology_parse_text("node.0.llcs = 4c\n", "t",
					    &self->topo));
	self->topo.memory_mib = 256;
	self->fdt = small_tree(3, false);
	write_tree(self->tree, self->fdt);
	fake_dump(self->fake, self->tree);
	ASSERT_EQ(0, setenv("KTSTR_QEMU_ARM64", self->fake, 1));
	EXPECT_EQ(-1, kt_dtb_build(&self->spec, path, sizeof(path)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "QEMU's device tree has no /cpus/cpu@3"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, dir_entries(self->dir));

	/* No /cpus at all. */
	fdt_create_empty_tree(self->fdt, TREE_SIZE);
	EXPECT_EQ(-1, kt_dtb_edit(self->fdt, TREE_SIZE, &self->topo));
	EXPECT_STREQ("QEMU's device tree has no /cpus", kt_errmsg());
}

/* Caches already in the tree (QEMU 11 makes them) are replaced. */
TEST_F(dtb, replaces_qemus_caches)
{
	int l2;

	ASSERT_EQ(0, kt_topology_parse_text("node.0.llcs = 2c\n", "t",
					    &self->topo));
	self->fdt = small_tree(2, true);
	ASSERT_EQ(0, kt_dtb_edit(self->fdt, TREE_SIZE, &self->topo))
		TH_LOG("%s", kt_errmsg());
	EXPECT_GT(0, fdt_path_offset(self->fdt, "/cpus/cpu@0/l2-cache"));
	EXPECT_GT(0, fdt_path_offset(self->fdt, "/cpus/l3-cache"));
	l2 = follow(self->fdt, "/cpus/cpu@1", "next-level-cache");
	ASSERT_LE(0, l2);
	EXPECT_STREQ("l2-cache-1", fdt_get_name(self->fdt, l2, NULL));
	/* The CPUs had no phandles: they got new ones for cpu-map. */
	EXPECT_NE(0, get_u32(self->fdt, "/cpus/cpu-map/socket0/cluster0/core1", "cpu"));
	EXPECT_EQ(fdt_get_phandle(self->fdt, fdt_path_offset(self->fdt, "/cpus/cpu@1")),
		  get_u32(self->fdt, "/cpus/cpu-map/socket0/cluster0/core1", "cpu"));
}

TEST_F(dtb, cache_not_writable)
{
	char path[PATH_MAX], file[PATH_MAX + 8];

	ASSERT_EQ(0, kt_topology_parse_text("node.0.llcs = 2c\n", "t",
					    &self->topo));
	self->topo.memory_mib = 256;
	/* A file where the dtb directory would go: even root cannot. */
	snprintf(file, sizeof(file), "%s/dtb", self->cache);
	ASSERT_EQ(0, close(open(file, O_WRONLY | O_CREAT, 0644)));
	EXPECT_EQ(-1, kt_dtb_build(&self->spec, path, sizeof(path)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), file)) TH_LOG("%s", kt_errmsg());
	unlink(file);

	/* The tree cannot be renamed into place: a directory is there. */
	ASSERT_EQ(0, kt_dtb_build(&self->spec, path, sizeof(path)));
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(file, sizeof(file), "%s/x", path);
	ASSERT_EQ(0, mkdir(file, 0755));
	EXPECT_EQ(-1, kt_dtb_build(&self->spec, path, sizeof(path)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "cannot rename")) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(1, dir_entries(self->dir));
}

TEST_HARNESS_MAIN
