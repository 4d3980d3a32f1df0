/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a running guest kernel is: the physical and virtual offsets its
 * image was given at boot (KASLR, or none with nokaslr), its top-level
 * page table, and the bases of its direct map, vmalloc area and vmemmap,
 * which KASLR randomizes too.  Found in guest RAM alone, from what the
 * host knows of the kernel (linux_banner's bytes and the symbol table),
 * never assumed.  The monitor's x86-64 specifics are here, in kva.c
 * (page tables), target.c (per-CPU symbols that do not move) and
 * guestmem.c (q35's RAM below and above 4 GiB); its arm64 ones in
 * kaslr_arm64.c and kva_arm64.c.  See Documentation/monitor.md, "Finding
 * the kernel", and Documentation/arm64.md.
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
	enum kt_arch arch;
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
	/* arm64 (kaslr_arm64.c); page_offset_base is PAGE_OFFSET there. */
	uint64_t image_pa;	/* where _text is */
	uint64_t kimage_voffset;	/* the kernel's: pa = va - this */
	uint64_t memstart_addr;	/* the kernel's (negative: see there) */
	uint64_t direct_map_pa;	/* what page_offset_base maps */
	bool lpa2;		/* 52-bit descriptors */
};

/*
 * Whether KASLR moved the image: nokaslr leaves both offsets 0 on
 * x86-64; an arm64 image is where its loader put it, and KASLR moves it
 * only virtually.
 */
static inline bool kt_kaslr_moved(const struct kt_kaslr *k)
{
	if (k->arch == KT_ARCH_ARM64)
		return k->virt_offset;
	return k->virt_offset || k->phys_base;
}

/*
 * Finds the kernel that @l describes in @m.  -1 with a message naming
 * what was not found, or both places if two images check out: never a
 * guess.
 */
int kt_kaslr_find(const struct kt_guestmem *m, const struct kt_layout *l,
		  struct kt_kaslr *k);

/*
 * For the finders of each arch: one place where linux_banner's bytes
 * are, checked as the image it would be part of.
 */
struct kt_kaslr_candidate {
	const struct kt_guestmem *mem;
	const struct kt_layout *l;
	struct kt_kaslr k;	/* k.banner_pa: where the banner was */
	char why[320];		/* why it is not the running kernel */
};

/* Where image symbol @s is if the banner is at c->k.banner_pa. */
uint64_t kt_kaslr_image_pa(const struct kt_kaslr_candidate *c,
			   enum kt_sym s);
/* Reads image symbol @s; -1 with c->why set if that is not RAM. */
int kt_kaslr_read_sym(struct kt_kaslr_candidate *c, enum kt_sym s,
		      void *buf, unsigned int len);
/* 0 if @c is the running arm64 kernel, else -1 with c->why set. */
int kt_kaslr_arm64_check(struct kt_kaslr_candidate *c);
/* Refuses an arm64 layout that no image could have. */
int kt_kaslr_arm64_layout_ok(const struct kt_layout *l);

#endif
