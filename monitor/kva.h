/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel virtual addresses to guest-physical ones, the way the guest's
 * MMU does it: the direct (linear) map and the kernel image by their
 * offsets (found by kaslr.c or kaslr_arm64.c), everything else (vmalloc,
 * per-CPU chunks, BPF maps) by walking the kernel's own page tables, from
 * init_top_pgt on x86-64 (kva.c) and swapper_pg_dir on arm64
 * (kva_arm64.c).
 */
#ifndef KTSTR_MONITOR_KVA_H
#define KTSTR_MONITOR_KVA_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "guestmem.h"

/* __START_KERNEL_map and KERNEL_IMAGE_SIZE: where the image can be. */
#define KT_START_KERNEL_MAP 0xffffffff80000000ULL
#define KT_KERNEL_IMAGE_SIZE (1ULL << 30)
#define KT_KERNEL_IMAGE_END (KT_START_KERNEL_MAP + KT_KERNEL_IMAGE_SIZE)

/*
 * arm64 with 4 KiB pages (arch/arm64/include/asm/memory.h): the kernel
 * image is linked above _PAGE_END(VA_BITS_MIN), VA_BITS_MIN being 48, and
 * the linear map ends there.
 */
#define KT_ARM64_PAGE_END 0xffff800000000000ULL

struct kt_kva {
	const struct kt_guestmem *mem;
	enum kt_arch arch;		/* x86_64 unless set */
	uint64_t page_offset_base;	/* start of the direct map */
	uint64_t direct_map_end;	/* vmalloc_base */
	uint64_t direct_map_pa;		/* what page_offset_base maps: arm64 */
	uint64_t phys_base;		/* kernel image: pa = va - map + this */
	uint64_t kimage_voffset;	/* arm64 image: pa = va - this */
	uint64_t image_start;		/* its run-time [_text, _end); */
	uint64_t image_end;		/* 0: all of the image region */
	uint64_t top_pgt;		/* guest-physical top-level table */
	unsigned int levels;		/* 4 or 5 */
	bool lpa2;			/* arm64: 52-bit descriptors (5 levels) */
};

/* Page-table translation only; @page_size gets 4 KiB, 2 MiB or 1 GiB. */
int kt_kva_walk(const struct kt_kva *k, uint64_t va, uint64_t *pa,
		uint64_t *page_size);
/* The same, -1 without a message: for a search, where most walks fail. */
int kt_kva_try_walk(const struct kt_kva *k, uint64_t va, uint64_t *pa);
/* Any kernel address; -1 with a message naming it if unmapped. */
int kt_kva_to_pa(const struct kt_kva *k, uint64_t va, uint64_t *pa);
int kt_kva_read(const struct kt_kva *k, uint64_t va, void *buf,
		uint64_t len);
/* A kernel-image address before page tables are known. */
uint64_t kt_kva_image_pa(const struct kt_kva *k, uint64_t va);

/* The arm64 MMU's walk (kva_arm64.c), as kt_kva_walk() calls it. */
struct kt_kva_walk_error {
	int level;		/* KT_KVA_NOT_KERNEL, _NOT_RAM or the level */
	uint64_t entry;		/* the invalid entry, or its address */
};

#define KT_KVA_NOT_KERNEL 100	/* not in the page tables' address range */
#define KT_KVA_NOT_RAM 101	/* an entry's address is not RAM */

int kt_kva_arm64_walk(const struct kt_kva *k, uint64_t va, uint64_t *pa,
		      uint64_t *page_size, struct kt_kva_walk_error *e);

#endif
