/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a running x86-64 guest kernel is: the physical and virtual
 * offsets its image was given at boot (KASLR, or none with nokaslr), its
 * top-level page table, and the bases of its direct map, vmalloc area and
 * vmemmap, which KASLR randomizes too.  Found in guest RAM alone, from
 * what the host knows of the kernel (linux_banner's bytes and the symbol
 * table), never assumed.  The monitor's x86-64 specifics are here, in
 * kva.c (page tables), target.c (per-CPU symbols that do not move) and
 * guestmem.c (q35's RAM below and above 4 GiB); see
 * Documentation/monitor.md, "Finding the kernel".
 */
#ifndef KTSTR_MONITOR_KASLR_H
#define KTSTR_MONITOR_KASLR_H

#include <stdbool.h>
#include <stdint.h>

#include "guestmem.h"
#include "layout.h"

/*
 * x86-64 loads the image at a multiple of CONFIG_PHYSICAL_ALIGN (2 MiB or
 * a multiple of it) and KASLR moves it virtually by such multiples too,
 * within KT_KERNEL_IMAGE_SIZE (kva.h) above __START_KERNEL_map.
 */
#define KT_KASLR_ALIGN (2ULL << 20)

struct kt_kaslr {
	uint64_t virt_offset;	/* run-time minus link-time image address */
	uint64_t phys_base;	/* the kernel's: pa = va - __START_KERNEL_map + this */
	uint64_t banner_pa;	/* where linux_banner was found */
	uint64_t top_pgt;	/* guest-physical init_top_pgt */
	unsigned int levels;	/* paging: 4 or 5 */
	uint64_t page_offset_base;
	uint64_t vmalloc_base;	/* 0: the kernel has no such variable */
	uint64_t vmemmap_base;	/* 0: the kernel has no such variable */
	unsigned int probes;	/* RAM positions compared with the banner */
	unsigned int matches;	/* of which held it */
};

/* Whether KASLR moved the image: nokaslr leaves both offsets 0. */
static inline bool kt_kaslr_moved(const struct kt_kaslr *k)
{
	return k->virt_offset || k->phys_base;
}

/*
 * Finds the kernel that @l describes in @m.  -1 with a message naming
 * what was not found, or both places if two images check out: never a
 * guess.
 */
int kt_kaslr_find(const struct kt_guestmem *m, const struct kt_layout *l,
		  struct kt_kaslr *k);

#endif
