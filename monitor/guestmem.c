// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "guestmem.h"

/*
 * hw/i386/pc_q35.c: RAM of 2.75 GiB or more is split at 2 GiB, leaving
 * room below 4 GiB for PCI and MMCONFIG; less stays whole below 4 GiB.
 */
uint64_t kt_guestmem_q35_below_4g(uint64_t ram_size)
{
	return ram_size >= 0xb0000000ULL ? 0x80000000ULL : ram_size;
}

static void set_layout(struct kt_guestmem *m)
{
	unsigned int n;

	m->ram_size = 0;
	for (n = 0; n < m->nr_nodes; n++)
		m->ram_size += m->node[n].size;
	kt_guestmem_set_arch(m, KT_ARCH_X86_64);
}

void kt_guestmem_set_arch(struct kt_guestmem *m, enum kt_arch arch)
{
	if (arch == KT_ARCH_ARM64) {
		/* hw/arm/virt.c: one block from VIRT_MEM, up to 255 GiB. */
		m->ram_base = KT_GUESTMEM_VIRT_BASE;
		m->below_4g = m->ram_size;
		return;
	}
	m->ram_base = 0;
	m->below_4g = kt_guestmem_q35_below_4g(m->ram_size);
}

static int check_nodes(unsigned int nodes)
{
	if (!nodes || nodes > KT_GUESTMEM_MAX_NODES)
		return kt_fail("guest memory: %u nodes, expected 1 to %d",
			       nodes, KT_GUESTMEM_MAX_NODES);
	return 0;
}

int kt_guestmem_init(struct kt_guestmem *m, const void *const *bases,
		     const uint64_t *sizes, unsigned int nodes)
{
	unsigned int n;

	memset(m, 0, sizeof(*m));
	if (check_nodes(nodes))
		return -1;
	for (n = 0; n < nodes; n++) {
		m->node[n].base = bases[n];
		m->node[n].size = sizes[n];
		m->node[n].fd = -1;
	}
	m->nr_nodes = nodes;
	set_layout(m);
	return 0;
}

static int map_node(struct kt_guestmem_node *node, const char *path)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("guest memory %s", path);
	if (fstat(fd, &st) || st.st_size <= 0) {
		close(fd);
		return kt_fail("guest memory %s: empty or unreadable", path);
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return kt_fail_errno("guest memory %s: mmap", path);
	}
	node->path = strdup(path);
	if (!node->path) {
		munmap(p, st.st_size);
		close(fd);
		return kt_fail("guest memory %s: out of memory", path);
	}
	node->base = p;
	node->size = st.st_size;
	node->mapped = true;
	node->fd = fd;
	return 0;
}

int kt_guestmem_open(struct kt_guestmem *m, const char *shm_prefix,
		     unsigned int nodes)
{
	char path[4096];
	unsigned int n;

	memset(m, 0, sizeof(*m));
	if (check_nodes(nodes))
		return -1;
	for (n = 0; n < nodes; n++) {
		snprintf(path, sizeof(path), "%s-ram%u", shm_prefix, n);
		m->nr_nodes = n;
		if (map_node(&m->node[n], path)) {
			kt_guestmem_close(m);
			return -1;
		}
	}
	m->nr_nodes = nodes;
	set_layout(m);
	return 0;
}

void kt_guestmem_close(struct kt_guestmem *m)
{
	unsigned int n;

	for (n = 0; n < m->nr_nodes; n++) {
		if (m->node[n].mapped)
			munmap((void *)m->node[n].base, m->node[n].size);
		if (m->node[n].mapped && m->node[n].fd >= 0)
			close(m->node[n].fd);
		free(m->node[n].path);
	}
	memset(m, 0, sizeof(*m));
}

/* Offset into the RAM block of @gpa, or -1 in a hole. */
static int64_t ram_offset(const struct kt_guestmem *m, uint64_t gpa)
{
	if (gpa >= m->ram_base && gpa - m->ram_base < m->below_4g)
		return gpa - m->ram_base;
	if (gpa >= KT_GUESTMEM_4G &&
	    gpa - KT_GUESTMEM_4G < m->ram_size - m->below_4g)
		return gpa - KT_GUESTMEM_4G + m->below_4g;
	return -1;
}

/* The node holding [@gpa, @gpa + @len) and the offset in it, or NULL. */
static const struct kt_guestmem_node *find_node(const struct kt_guestmem *m,
						uint64_t gpa, uint64_t len,
						uint64_t *node_off)
{
	int64_t off = ram_offset(m, gpa);
	unsigned int n;

	if (off < 0 || ram_offset(m, gpa + len - 1) != off + (int64_t)len - 1)
		return NULL;
	for (n = 0; n < m->nr_nodes; n++) {
		if ((uint64_t)off < m->node[n].size) {
			if (off + len > m->node[n].size)
				return NULL;
			*node_off = off;
			return &m->node[n];
		}
		off -= m->node[n].size;
	}
	return NULL;
}

const void *kt_guestmem_ptr(const struct kt_guestmem *m, uint64_t gpa,
			    uint64_t len)
{
	const struct kt_guestmem_node *node;
	uint64_t off;

	node = find_node(m, gpa, len, &off);
	return node ? node->base + off : NULL;
}

int kt_guestmem_peek(const struct kt_guestmem *m, uint64_t gpa, void *buf,
		     uint64_t len)
{
	const struct kt_guestmem_node *node;
	uint64_t off;
	ssize_t n;

	node = find_node(m, gpa, len, &off);
	if (!node || !node->mapped || node->fd < 0)
		return kt_guestmem_read(m, gpa, buf, len);
	n = pread(node->fd, buf, len, off);
	if (n < 0)
		return kt_fail_errno("guest memory %s: reading guest-physical 0x%llx (offset 0x%llx)",
				     node->path, (unsigned long long)gpa,
				     (unsigned long long)off);
	if (n != (ssize_t)len)
		return kt_fail("guest memory %s: reading guest-physical 0x%llx (offset 0x%llx): %zd of %llu bytes: the file is shorter than when it was mapped",
			       node->path, (unsigned long long)gpa,
			       (unsigned long long)off, n,
			       (unsigned long long)len);
	/* A recording (memimage.c) needs what the scan read too. */
	if (m->on_read)
		m->on_read(m->on_read_ctx, gpa, buf, len);
	return 0;
}

static int copy(const struct kt_guestmem *m, uint64_t gpa, void *buf,
		uint64_t len, bool quiet)
{
	uint8_t *out = buf;
	const void *p;
	uint64_t chunk;

	while (len) {
		/* Never across a page: pages never straddle nodes or holes. */
		chunk = 4096 - (gpa & 4095);
		if (chunk > len)
			chunk = len;
		p = kt_guestmem_ptr(m, gpa, chunk);
		if (!p && quiet)
			return -1;
		if (!p)
			return kt_fail("guest-physical 0x%llx is not RAM",
				       (unsigned long long)gpa);
		memcpy(out, p, chunk);
		if (m->on_read)
			m->on_read(m->on_read_ctx, gpa, out, chunk);
		out += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int kt_guestmem_read(const struct kt_guestmem *m, uint64_t gpa, void *buf,
		     uint64_t len)
{
	return copy(m, gpa, buf, len, false);
}

int kt_guestmem_try_read(const struct kt_guestmem *m, uint64_t gpa,
			 void *buf, uint64_t len)
{
	return copy(m, gpa, buf, len, true);
}
