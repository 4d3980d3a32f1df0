// SPDX-License-Identifier: GPL-2.0
/*
 * Finding an arm64 kernel image in guest RAM, KASLR or not; kaslr.c
 * searches, this checks each copy of linux_banner it finds.
 *
 * 1. The loader puts the Image at a 64 KiB multiple and the kernel runs
 *    there (arm64 KASLR moves it only virtually), so the banner can be at
 *    one offset in each 64 KiB.  A match places _text; the Image header
 *    that starts it must say "ARM\x64", little-endian and 4 KiB pages.
 * 2. kimage_voffset, the kernel's own image va - pa (arch/arm64/mm/mmu.c),
 *    gives _text's run-time address, and so the virtual offset.
 * 3. swapper_pg_dir, the kernel's TTBR1 table, must map the banner's
 *    run-time address to the match, with 4 levels (48-bit VA) or with 5
 *    and LPA2 (52-bit VA): the one that does is the guest's.
 * 4. The linear map: pa = va - PAGE_OFFSET + memstart_addr
 *    (asm/memory.h), PAGE_OFFSET being -(1 << CONFIG_ARM64_VA_BITS).  A
 *    52-bit kernel on a CPU without LPA2 runs with 48 bits and moves
 *    memstart_addr down by _PAGE_OFFSET(48) - _PAGE_OFFSET(52), which
 *    makes it negative (arm64_memblock_init()); either way, the map
 *    starts at -(1 << VA bits) with RAM's start, which must be at or
 *    below the image.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "kaslr.h"
#include "kva.h"

/* Documentation/arch/arm64/booting.rst, "Call the kernel image". */
#define HEADER_FLAGS 0x30
#define HEADER_MAGIC 0x38
#define HEADER_LEN 0x40
#define FLAG_BE (1ULL << 0)
#define FLAG_PAGE_SIZE(f) (((f) >> 1) & 3)	/* 0: unset, 1: 4K, 2: 16K, 3: 64K */

#define KASLR_ALIGN (64ULL << 10)	/* kaslr_early.c: GENMASK(.., 16) */
#define PAGE_OFFSET_48 (-(1ULL << 48))
#define PAGE_OFFSET_52 (-(1ULL << 52))

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;	/* ktstr's hosts are little-endian, as the guests */
}

static int check_header(struct kt_kaslr_candidate *c)
{
	static const char *const sizes[] = { "4", "4", "16", "64" };
	uint8_t h[HEADER_LEN];
	uint64_t flags;

	c->k.image_pa = kt_kaslr_image_pa(c, KT_SYM_TEXT);
	if (kt_kaslr_read_sym(c, KT_SYM_TEXT, h, sizeof(h)))
		return -1;
	if (memcmp(h + HEADER_MAGIC, "ARM\x64", 4)) {
		snprintf(c->why, sizeof(c->why),
			 "no arm64 Image header (\"ARM\\x64\" at +0x38) at its _text, guest-physical 0x%llx",
			 (unsigned long long)c->k.image_pa);
		return -1;
	}
	flags = le64_at(h + HEADER_FLAGS);
	if (flags & FLAG_BE) {
		snprintf(c->why, sizeof(c->why),
			 "its Image header says big-endian: the monitor reads little-endian arm64 guests only");
		return -1;
	}
	if (FLAG_PAGE_SIZE(flags) > 1) {
		snprintf(c->why, sizeof(c->why),
			 "its Image header says %s KiB pages: the monitor walks the page tables of arm64 guests with 4 KiB pages only",
			 sizes[FLAG_PAGE_SIZE(flags)]);
		return -1;
	}
	return 0;
}

static int find_virtual(struct kt_kaslr_candidate *c)
{
	const struct kt_layout *l = c->l;
	struct kt_kaslr *k = &c->k;
	uint64_t text;

	if (kt_kaslr_read_sym(c, KT_SYM_KIMAGE_VOFFSET, &k->kimage_voffset,
			      8))
		return -1;
	text = k->image_pa + k->kimage_voffset;
	k->virt_offset = text - l->sym[KT_SYM_TEXT];
	if (text >= KT_ARM64_PAGE_END && !(k->virt_offset % KASLR_ALIGN))
		return 0;
	snprintf(c->why, sizeof(c->why),
		 "its kimage_voffset 0x%llx would put _text at 0x%llx, not a 64 KiB-aligned address of the kernel image region",
		 (unsigned long long)k->kimage_voffset,
		 (unsigned long long)text);
	return -1;
}

/* Whether @levels-level translation maps the banner's run-time address. */
static bool maps_banner(const struct kt_kaslr_candidate *c,
			unsigned int levels)
{
	const struct kt_kva kva = {
		.mem = c->mem, .arch = KT_ARCH_ARM64, .top_pgt = c->k.top_pgt,
		.levels = levels, .lpa2 = levels == 5,
	};
	uint64_t pa;

	return !kt_kva_try_walk(&kva, c->l->sym[KT_SYM_LINUX_BANNER] +
				c->k.virt_offset, &pa) &&
	       pa == c->k.banner_pa;
}

static int find_paging(struct kt_kaslr_candidate *c)
{
	bool four, five;

	c->k.top_pgt = kt_kaslr_image_pa(c, KT_SYM_SWAPPER_PG_DIR);
	four = maps_banner(c, 4);
	five = maps_banner(c, 5);
	if (four != five) {
		c->k.levels = four ? 4 : 5;
		c->k.lpa2 = five;
		return 0;
	}
	snprintf(c->why, sizeof(c->why),
		 "its swapper_pg_dir (guest-physical 0x%llx) maps linux_banner's run-time address 0x%llx there with %s",
		 (unsigned long long)c->k.top_pgt,
		 (unsigned long long)(c->l->sym[KT_SYM_LINUX_BANNER] +
				      c->k.virt_offset),
		 four ? "both 4- and 5-level translation" :
			"neither 4- nor 5-level translation");
	return -1;
}

static int find_linear_map(struct kt_kaslr_candidate *c)
{
	struct kt_kaslr *k = &c->k;
	int64_t start = 0;

	if (kt_kaslr_read_sym(c, KT_SYM_MEMSTART_ADDR, &k->memstart_addr, 8))
		return -1;
	if (k->memstart_addr == ~0ULL) {
		snprintf(c->why, sizeof(c->why),
			 "its memstart_addr is still -1: the kernel has not set up its linear map yet");
		return -1;
	}
	k->page_offset_base = k->levels == 5 ? PAGE_OFFSET_52 : PAGE_OFFSET_48;
	start = (int64_t)k->memstart_addr;
	/* A 52-bit kernel run with 48 bits: see the top of this file. */
	if (start < 0 && k->levels == 4)
		start += (int64_t)(PAGE_OFFSET_48 - PAGE_OFFSET_52);
	k->direct_map_pa = start;
	if (start >= 0 && !(start & 4095) && (uint64_t)start <= k->image_pa)
		return 0;
	snprintf(c->why, sizeof(c->why),
		 "its memstart_addr 0x%llx would start the %u-level linear map at guest-physical 0x%llx, which is not a page at or below the image (0x%llx)",
		 (unsigned long long)k->memstart_addr, k->levels,
		 (unsigned long long)start, (unsigned long long)k->image_pa);
	return -1;
}

int kt_kaslr_arm64_check(struct kt_kaslr_candidate *c)
{
	return check_header(c) || find_virtual(c) || find_paging(c) ||
	       find_linear_map(c) ? -1 : 0;
}

int kt_kaslr_arm64_layout_ok(const struct kt_layout *l)
{
	uint64_t text = l->sym[KT_SYM_TEXT], end = l->sym[KT_SYM_END];
	uint64_t banner = l->sym[KT_SYM_LINUX_BANNER];

	if (text < KT_ARM64_PAGE_END || text % KASLR_ALIGN || end <= text ||
	    banner < text || banner >= end)
		return kt_fail("arm64 kernel symbols _text 0x%llx, linux_banner 0x%llx and _end 0x%llx are not an image in the kernel image region (at or above 0x%llx, _text 64 KiB-aligned)",
			       (unsigned long long)text,
			       (unsigned long long)banner,
			       (unsigned long long)end, KT_ARM64_PAGE_END);
	return 0;
}
