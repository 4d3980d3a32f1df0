/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-physical memory, read from the host: each NUMA node's RAM is a
 * shared file (QEMU memory-backend-file) that the host maps read-only.
 *
 * The nodes' RAM is one block, in node order.  QEMU's q35 machine (x86-64
 * guests) puts the start of that block at guest-physical 0 and, when the
 * RAM does not fit below the PCI hole, the rest at 4 GiB; its virt machine
 * (arm64 guests) puts all of it at 1 GiB (kt_guestmem_set_arch()).
 */
#ifndef KTSTR_MONITOR_GUESTMEM_H
#define KTSTR_MONITOR_GUESTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"

#define KT_GUESTMEM_MAX_NODES 64
#define KT_GUESTMEM_4G 0x100000000ULL
/* hw/arm/virt.c: VIRT_MEM, where the virt machine's RAM starts. */
#define KT_GUESTMEM_VIRT_BASE 0x40000000ULL

struct kt_guestmem_node {
	const uint8_t *base;
	uint64_t size;
	bool mapped;		/* ours to munmap */
	int fd;			/* if mapped: the file, for kt_guestmem_peek() */
	char *path;		/* if mapped: its name, for errors; malloc'd */
};

struct kt_guestmem {
	unsigned int nr_nodes;
	struct kt_guestmem_node node[KT_GUESTMEM_MAX_NODES];
	uint64_t ram_size;
	uint64_t ram_base;	/* where the block starts: 0, or 1 GiB on virt */
	/* Bytes of RAM at @ram_base; q35 puts the rest at 4 GiB. */
	uint64_t below_4g;
	/*
	 * Called with the bytes of each kt_guestmem_read(), as read: how a
	 * reader's excerpt of a guest is recorded (memimage.h).
	 */
	void (*on_read)(void *ctx, uint64_t gpa, const void *buf,
			uint64_t len);
	void *on_read_ctx;
};

/*
 * Maps <shm_prefix>-ram<K> for K < @nodes, the nodes with memory in node
 * order (a node without memory has no file); all must exist.
 */
int kt_guestmem_open(struct kt_guestmem *m, const char *shm_prefix,
		     unsigned int nodes);
/* The same layout over memory the caller owns (tests, core files). */
int kt_guestmem_init(struct kt_guestmem *m, const void *const *bases,
		     const uint64_t *sizes, unsigned int nodes);
void kt_guestmem_close(struct kt_guestmem *m);

/* How q35 splits @ram_size bytes of RAM around the hole below 4 GiB. */
uint64_t kt_guestmem_q35_below_4g(uint64_t ram_size);
/*
 * Lays the RAM out as QEMU's machine for @arch guests does: q35's (the
 * default of kt_guestmem_open() and kt_guestmem_init()), or virt's.
 */
void kt_guestmem_set_arch(struct kt_guestmem *m, enum kt_arch arch);

/*
 * Host address of guest-physical @gpa, if [@gpa, @gpa + @len) is RAM of
 * one node; NULL otherwise.
 */
const void *kt_guestmem_ptr(const struct kt_guestmem *m, uint64_t gpa,
			    uint64_t len);
/* Copies @len bytes at @gpa, across nodes; -1 if any byte is not RAM. */
int kt_guestmem_read(const struct kt_guestmem *m, uint64_t gpa, void *buf,
		     uint64_t len);
/*
 * The same without a message: for a search where a miss is expected and
 * formatting one for each would cost more than the search.
 */
int kt_guestmem_try_read(const struct kt_guestmem *m, uint64_t gpa,
			 void *buf, uint64_t len);
/*
 * The same for a scan of pages the guest may never have touched: read
 * through the file (pread), where a hole reads as zeros, rather than
 * through the mapping, where the host would allocate a page of the shared
 * memory file for each one looked at.  A failed read names the file.
 */
int kt_guestmem_peek(const struct kt_guestmem *m, uint64_t gpa, void *buf,
		     uint64_t len);

#endif
