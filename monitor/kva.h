/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 kernel virtual addresses to guest-physical ones, the way the
 * guest's MMU does it: the direct map and the kernel image by their
 * offsets (found by kaslr.c), everything else (vmalloc, per-CPU chunks,
 * BPF maps) by walking the kernel's own page tables from init_top_pgt.
 */
#ifndef KTSTR_MONITOR_KVA_H
#define KTSTR_MONITOR_KVA_H

#include <stdint.h>

#include "guestmem.h"

/* __START_KERNEL_map and KERNEL_IMAGE_SIZE: where the image can be. */
#define KT_START_KERNEL_MAP 0xffffffff80000000ULL
#define KT_KERNEL_IMAGE_SIZE (1ULL << 30)
#define KT_KERNEL_IMAGE_END (KT_START_KERNEL_MAP + KT_KERNEL_IMAGE_SIZE)

struct kt_kva {
	const struct kt_guestmem *mem;
	uint64_t page_offset_base;	/* start of the direct map */
	uint64_t direct_map_end;	/* vmalloc_base */
	uint64_t phys_base;		/* kernel image: pa = va - map + this */
	uint64_t image_start;		/* its run-time [_text, _end); */
	uint64_t image_end;		/* 0: all of the image region */
	uint64_t top_pgt;		/* guest-physical top-level table */
	unsigned int levels;		/* 4 or 5 */
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

#endif
