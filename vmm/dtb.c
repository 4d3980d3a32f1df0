// SPDX-License-Identifier: GPL-2.0
/*
 * An arm64 guest's device tree.  QEMU's virt machine writes a tree that
 * fits the machine exactly (GIC, PCIe, timer, memory, PSCI, and the
 * phandles between them), but it knows no clusters beyond -smp's grid,
 * no capacities and (QEMU 10.0) no caches.  So QEMU writes its tree for
 * the very command line the guest boots with (-machine dumpdtb=), and
 * libfdt rewrites the CPUs' part of it; QEMU boots the result (-dtb),
 * adding only /memory and /chosen.
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argv.h"
#include "cache.h"
#include "dtb.h"
#include "error.h"
#include "sha256.h"

/* Bumped whenever what kt_dtb_edit() writes changes. */
#define FORMAT_TAG "ktstr-dtb-1"
#define TMP_MARK ".tmp-"
/* QEMU pads its tree to 1 MiB; anything far larger is not one. */
#define MAX_DTB_SIZE (16 << 20)
/* Room for what kt_dtb_edit() adds. */
#define GROW_BASE 8192
#define GROW_PER_CPU 1024
#define QEMU_ERR_MAX 4096

/*
 * The caches the guest is told of.  Only their sharing matters to the
 * scheduler (and to topo verify); the sizes are plausible ones.
 */
#define LINE_SIZE 64
#define L1_SIZE (64 << 10)
#define L1_WAYS 4
#define L2_SIZE (1 << 20)
#define L2_WAYS 8
#define L3_SIZE_PER_CORE (2 << 20)
#define L3_WAYS 16

static int fdt_fail(int err, const char *what)
{
	return kt_fail("device tree: %s: %s", what, fdt_strerror(err));
}

/* Every node below /cpus (and its CPUs) that is a cache, QEMU 11's too. */
static int remove_caches(void *fdt)
{
	int cpus, node, ret;

	for (;;) {
		cpus = fdt_path_offset(fdt, "/cpus");
		node = fdt_node_offset_by_compatible(fdt, cpus, "cache");
		if (node == -FDT_ERR_NOTFOUND)
			return 0;
		if (node < 0)
			return fdt_fail(node, "looking for caches");
		ret = fdt_del_node(fdt, node);
		if (ret)
			return fdt_fail(ret, "removing a cache node");
	}
}

static int cpu_node(const void *fdt, unsigned int cpu)
{
	char path[32];
	int off;

	snprintf(path, sizeof(path), "/cpus/cpu@%u", cpu);
	off = fdt_path_offset(fdt, path);
	if (off < 0)
		return kt_fail("QEMU's device tree has no %s: %s", path,
			       fdt_strerror(off));
	return off;
}

static int set_u32(void *fdt, int node, const char *name, uint32_t v)
{
	int ret = fdt_setprop_u32(fdt, node, name, v);

	return ret ? fdt_fail(ret, name) : 0;
}

/* The phandle of @node, given one if it has none. */
static int node_phandle(void *fdt, int node, uint32_t *phandle)
{
	int ret;

	*phandle = fdt_get_phandle(fdt, node);
	if (*phandle)
		return 0;
	ret = fdt_generate_phandle(fdt, phandle);
	if (ret)
		return fdt_fail(ret, "no phandle left");
	return set_u32(fdt, node, "phandle", *phandle);
}

static int set_cache_geometry(void *fdt, int node, const char *prefix,
			      unsigned int size, unsigned int ways)
{
	char name[32];
	int ret = 0;

	snprintf(name, sizeof(name), "%scache-size", prefix);
	ret = set_u32(fdt, node, name, size);
	snprintf(name, sizeof(name), "%scache-line-size", prefix);
	ret = ret ?: set_u32(fdt, node, name, LINE_SIZE);
	snprintf(name, sizeof(name), "%scache-sets", prefix);
	return ret ?: set_u32(fdt, node, name, size / LINE_SIZE / ways);
}

/* /cpus/<name>: a unified cache of @level; its phandle in @phandle. */
static int add_cache(void *fdt, const char *name, unsigned int level,
		     unsigned int size, unsigned int ways, uint32_t next,
		     uint32_t *phandle)
{
	int node, ret;

	node = fdt_add_subnode(fdt, fdt_path_offset(fdt, "/cpus"), name);
	if (node < 0)
		return fdt_fail(node, name);
	ret = fdt_setprop_string(fdt, node, "compatible", "cache");
	ret = ret ?: fdt_setprop_empty(fdt, node, "cache-unified");
	if (ret)
		return fdt_fail(ret, name);
	if (set_u32(fdt, node, "cache-level", level) ||
	    set_cache_geometry(fdt, node, "", size, ways) ||
	    (next && set_u32(fdt, node, "next-level-cache", next)))
		return -1;
	return node_phandle(fdt, node, phandle);
}

/* L1 on the CPU node itself; the CPU's node, capacity and next level. */
static int edit_cpu(void *fdt, unsigned int cpu, const struct kt_cpu_place *p,
		    uint32_t l2)
{
	int node = cpu_node(fdt, cpu);

	if (node < 0)
		return -1;
	return set_u32(fdt, node, "numa-node-id", p->node) ?:
	       set_u32(fdt, node, "capacity-dmips-mhz", p->capacity) ?:
	       set_cache_geometry(fdt, node, "i-", L1_SIZE, L1_WAYS) ?:
	       set_cache_geometry(fdt, node, "d-", L1_SIZE, L1_WAYS) ?:
	       set_u32(fdt, node, "next-level-cache", l2);
}

/* An L3 per LLC, an L2 per core, the CPUs' L1s pointing at them. */
static int add_caches(void *fdt, const struct kt_topology *t)
{
	unsigned int cpu, n = kt_topology_cpus(t), llc = ~0U, core = ~0U;
	uint32_t l3 = 0, l2 = 0;
	struct kt_cpu_place p;
	char name[32];

	for (cpu = 0; cpu < n; cpu++) {
		kt_topology_place(t, cpu, &p);
		if (p.llc != llc) {
			llc = p.llc;
			snprintf(name, sizeof(name), "l3-cache-%u", llc);
			if (add_cache(fdt, name, 3, L3_SIZE_PER_CORE *
				      kt_topology_llc(t, llc).cores, L3_WAYS, 0,
				      &l3))
				return -1;
		}
		if (p.core != core) {
			core = p.core;
			snprintf(name, sizeof(name), "l2-cache-%u", core);
			if (add_cache(fdt, name, 2, L2_SIZE, L2_WAYS, l3, &l2))
				return -1;
		}
		if (edit_cpu(fdt, cpu, &p, l2))
			return -1;
	}
	return 0;
}

static int subnode(void *fdt, int parent, const char *fmt, unsigned int i)
{
	char name[32];
	int node;

	snprintf(name, sizeof(name), fmt, i);
	node = fdt_subnode_offset(fdt, parent, name);
	if (node == -FDT_ERR_NOTFOUND)
		node = fdt_add_subnode(fdt, parent, name);
	return node < 0 ? fdt_fail(node, name) : node;
}

/* cpu-map/socketS/clusterC/coreK[/threadT]: cpu = <the CPU's phandle>. */
static int add_map_entry(void *fdt, const unsigned int idx[4], bool smt,
			 int cpu)
{
	static const char * const names[] = { "socket%u", "cluster%u",
					      "core%u", "thread%u" };
	int node, i;
	uint32_t phandle;

	node = cpu_node(fdt, cpu);
	if (node < 0 || node_phandle(fdt, node, &phandle))
		return -1;
	node = subnode(fdt, fdt_path_offset(fdt, "/cpus"), "cpu-map", 0);
	for (i = 0; i < (smt ? 4 : 3) && node >= 0; i++)
		node = subnode(fdt, node, names[i], idx[i]);
	if (node < 0)
		return -1;
	return set_u32(fdt, node, "cpu", phandle);
}

/*
 * A socket per node with CPUs, numbered in node order; clusters within
 * their socket and cores within their cluster, numbered from 0 (the
 * kernel reads socket0, socket1, ... until one is missing).  CPUs come
 * in node order, clusters and cores in CPU order.
 */
static int add_cpu_map(void *fdt, const struct kt_topology *t)
{
	unsigned int cpu, n = kt_topology_cpus(t), idx[4] = { 0 };
	unsigned int node_cluster = 0, cluster_core = 0;
	struct kt_cpu_place p, prev = { 0 };
	int map;

	map = fdt_subnode_offset(fdt, fdt_path_offset(fdt, "/cpus"), "cpu-map");
	if (map >= 0 && fdt_del_node(fdt, map))
		return kt_fail("device tree: cannot remove QEMU's cpu-map");
	for (cpu = 0; cpu < n; prev = p, cpu++) {
		kt_topology_place(t, cpu, &p);
		if (cpu && p.node != prev.node)
			idx[0]++;
		if (!cpu || p.node != prev.node)
			node_cluster = p.cluster;
		if (!cpu || p.cluster != prev.cluster)
			cluster_core = p.core;
		idx[1] = p.cluster - node_cluster;
		idx[2] = p.core - cluster_core;
		idx[3] = p.thread;
		if (add_map_entry(fdt, idx, kt_topology_llc(t, p.llc).threads > 1,
				  cpu))
			return -1;
	}
	return 0;
}

int kt_dtb_edit(void *fdt, size_t size, const struct kt_topology *t)
{
	unsigned int cpu;
	int ret;

	ret = fdt_open_into(fdt, fdt, size);
	if (ret)
		return fdt_fail(ret, "QEMU's tree");
	if (fdt_path_offset(fdt, "/cpus") < 0)
		return kt_fail("QEMU's device tree has no /cpus");
	for (cpu = 0; cpu < kt_topology_cpus(t); cpu++)
		if (cpu_node(fdt, cpu) < 0)
			return -1;
	if (remove_caches(fdt) || add_caches(fdt, t) || add_cpu_map(fdt, t))
		return -1;
	ret = fdt_pack(fdt);
	return ret ? fdt_fail(ret, "packing") : 0;
}

/*
 * What the tree depends on: the QEMU binary (which version of which
 * file), the machine's command line (with a fixed name for the dump)
 * and where each CPU is declared to be.
 */
static int dtb_key(const struct kt_qemu_spec *spec, char key[KT_SHA256_HEX_LEN])
{
	struct kt_qemu_spec k = *spec;
	char qemu[PATH_MAX], line[160];
	struct kt_argv a = { 0 };
	struct kt_cpu_place p;
	struct kt_sha256 h;
	unsigned int cpu;
	size_t i;
	int n;

	k.dump_dtb = "DTB";
	if (kt_qemu_argv(&k, &a))
		return -1;
	if (kt_sha256_init(&h)) {
		kt_argv_free(&a);
		return -1;
	}
	kt_sha256_update(&h, FORMAT_TAG, sizeof(FORMAT_TAG));
	for (i = 0; i < a.count; i++)
		kt_sha256_update(&h, a.items[i], strlen(a.items[i]) + 1);
	kt_argv_free(&a);
	for (cpu = 0; cpu < kt_topology_cpus(spec->topo); cpu++) {
		kt_topology_place(spec->topo, cpu, &p);
		n = snprintf(line, sizeof(line),
			     "cpu %u node %u llc %u cluster %u core %u thread %u capacity %u smt %u",
			     cpu, p.node, p.llc, p.cluster, p.core, p.thread,
			     p.capacity, kt_topology_llc(spec->topo, p.llc).threads);
		kt_sha256_update(&h, line, n + 1);
	}
	if (kt_find_in_path(kt_qemu_binary_arch(spec->arch), qemu,
			    sizeof(qemu)) ||
	    kt_sha256_identity(&h, "qemu", qemu)) {
		kt_sha256_discard(&h);
		return -1;
	}
	return kt_sha256_final_hex(&h, key);
}

/* The last line QEMU wrote on stderr, for the error message. */
static void last_line(char *buf)
{
	char *end = buf + strlen(buf), *start;

	while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	start = strrchr(buf, '\n');
	if (start)
		memmove(buf, start + 1, strlen(start + 1) + 1);
}

/* QEMU writes its own tree for @spec's machine to @out. */
static int dump_tree(const struct kt_qemu_spec *spec, const char *out)
{
	struct kt_qemu_spec k = *spec;
	struct kt_argv a = { 0 };
	char err[QEMU_ERR_MAX];
	size_t used = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	k.dump_dtb = out;
	if (kt_qemu_argv(&k, &a))
		return -1;
	if (pipe2(fds, O_CLOEXEC)) {
		kt_argv_free(&a);
		return kt_fail_errno("pipe");
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		execvp(a.items[0], a.items);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", a.items[0],
			strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && (n = read(fds[0], err + used,
				    sizeof(err) - 1 - used)) > 0)
		used += n;
	err[used] = '\0';
	close(fds[0]);
	if (pid < 0) {
		kt_fail_errno("cannot start %s", a.items[0]);
		kt_argv_free(&a);
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	last_line(err);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || access(out, R_OK)) {
		kt_fail("%s could not write the machine's device tree (-machine dumpdtb=): %s",
			a.items[0], err[0] ? err : "no message");
		kt_argv_free(&a);
		return -1;
	}
	kt_argv_free(&a);
	return 0;
}

/* @path, whole, with room to grow by @extra. */
static void *read_tree(const char *path, size_t extra, size_t *size)
{
	struct stat st;
	void *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		kt_fail_errno("QEMU's device tree %s", path);
		goto fail;
	}
	if (st.st_size < (off_t)sizeof(struct fdt_header) ||
	    st.st_size > MAX_DTB_SIZE) {
		kt_fail("QEMU's device tree %s: %lld bytes, not a device tree",
			path, (long long)st.st_size);
		goto fail;
	}
	*size = st.st_size + extra;
	buf = calloc(1, *size);
	if (!buf) {
		kt_fail("out of memory");
		goto fail;
	}
	if (read(fd, buf, st.st_size) != st.st_size ||
	    fdt_check_header(buf)) {
		free(buf);
		kt_fail("QEMU's device tree %s: not a device tree", path);
		goto fail;
	}
	close(fd);
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int write_tree(const void *fdt, const char *tmp, const char *path)
{
	size_t size = fdt_totalsize(fdt);
	int fd, ret = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return kt_fail_errno("cannot create %s", tmp);
	if (write(fd, fdt, size) != (ssize_t)size)
		ret = kt_fail_errno("writing %s", tmp);
	if (close(fd) && !ret)
		ret = kt_fail_errno("writing %s", tmp);
	if (!ret && rename(tmp, path))
		ret = kt_fail_errno("cannot rename %s to %s", tmp, path);
	return ret;
}

static int make_tree(const struct kt_qemu_spec *spec, const char *dir,
		     const char *key, const char *path)
{
	char dump[PATH_MAX + 128], tmp[PATH_MAX + 128];
	unsigned int cpus = kt_topology_cpus(spec->topo);
	size_t size;
	void *fdt;
	int ret;

	snprintf(dump, sizeof(dump), "%s/" TMP_MARK "%d-%s.qemu", dir,
		 getpid(), key);
	snprintf(tmp, sizeof(tmp), "%s/" TMP_MARK "%d-%s.dtb", dir, getpid(),
		 key);
	ret = dump_tree(spec, dump);
	fdt = ret ? NULL : read_tree(dump, GROW_BASE + GROW_PER_CPU * cpus,
				     &size);
	if (fdt) {
		ret = kt_dtb_edit(fdt, size, spec->topo) ?:
		      write_tree(fdt, tmp, path);
		free(fdt);
	} else {
		ret = -1;
	}
	unlink(dump);
	unlink(tmp);
	return ret;
}

int kt_dtb_build(const struct kt_qemu_spec *spec, char *path, size_t len)
{
	char dir[PATH_MAX], key[KT_SHA256_HEX_LEN];
	struct stat st;

	if (kt_cache_path(dir, sizeof(dir), "dtb") || kt_mkdir_p(dir, 0755) ||
	    dtb_key(spec, key))
		return -1;
	if (snprintf(path, len, "%s/%s.dtb", dir, key) >= (int)len)
		return kt_fail("device tree path too long");
	if (!stat(path, &st) && S_ISREG(st.st_mode))
		return 0;
	return make_tree(spec, dir, key, path);
}
