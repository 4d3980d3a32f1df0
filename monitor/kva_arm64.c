// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 MMU's walk of a kernel address through the kernel's TTBR1
 * tables (swapper_pg_dir), 4 KiB granule only (the Arm ARM, "VMSAv8-64
 * translation"; arch/arm64/include/asm/pgtable-hwdef.h):
 *
 * - 4 levels (0 to 3) translate 48-bit addresses; with FEAT_LPA2, a
 *   level -1 of 16 entries makes 5 levels for 52-bit addresses.  A level
 *   resolves 9 bits, from bit 39 at level 0 down to bit 12 at level 3.
 * - A descriptor is valid with bit 0.  Bit 1 set is a table (levels -1
 *   to 2) or a page (level 3); clear, a block of 1 GiB (level 1) or
 *   2 MiB (level 2), or 512 GiB at level 0 under LPA2.  Clear at level 3
 *   is reserved, and so not a mapping.
 * - The output address is bits 47:12.  Under LPA2 it is bits 49:12, and
 *   bits 9:8 (the shareability field without LPA2) hold its bits 51:50.
 */
#include "kva.h"

#define DESC_VALID (1ULL << 0)
#define DESC_TABLE (1ULL << 1)		/* or a page, at level 3 */
#define DESC_OA_48 0x0000fffffffff000ULL	/* bits 47:12 */
#define DESC_OA_50 0x0003fffffffff000ULL	/* bits 49:12, LPA2 */
#define LPA2_OA_HI_SHIFT 8		/* bits 9:8 hold OA 51:50 */

/* The guest's VA size: 48 bits with 4 levels, 52 with 5 (LPA2). */
static unsigned int va_bits(const struct kt_kva *k)
{
	return k->levels == 5 ? 52 : 48;
}

static uint64_t output_address(const struct kt_kva *k, uint64_t desc)
{
	if (!k->lpa2)
		return desc & DESC_OA_48;
	return (desc & DESC_OA_50) |
	       (((desc >> LPA2_OA_HI_SHIFT) & 3) << 50);
}

/* TTBR1 translates addresses whose bits above VA_BITS are all ones. */
static bool in_ttbr1(const struct kt_kva *k, uint64_t va)
{
	return (va >> va_bits(k)) == (~0ULL >> va_bits(k));
}

/* A block at @level, the only leaves above level 3. */
static bool block_allowed(const struct kt_kva *k, int level)
{
	return level == 1 || level == 2 || (level == 0 && k->lpa2);
}

int kt_kva_arm64_walk(const struct kt_kva *k, uint64_t va, uint64_t *pa,
		      uint64_t *page_size, struct kt_kva_walk_error *e)
{
	int level = k->levels == 5 ? -1 : 0;
	uint64_t table = k->top_pgt, desc, size;
	unsigned int shift, bits;

	e->level = KT_KVA_NOT_KERNEL;
	if ((k->levels != 4 && k->levels != 5) || !in_ttbr1(k, va))
		return -1;
	for (; level <= 3; level++) {
		shift = 12 + 9 * (3 - level);
		/* The top level resolves what is left: 9 bits, or 4. */
		bits = va_bits(k) - shift < 9 ? va_bits(k) - shift : 9;
		e->level = KT_KVA_NOT_RAM;
		e->entry = table + ((va >> shift) & ((1ULL << bits) - 1)) * 8;
		if (kt_guestmem_try_read(k->mem, e->entry, &desc, 8))
			return -1;
		e->level = level;
		e->entry = desc;
		if (!(desc & DESC_VALID))
			return -1;
		if (level < 3 && (desc & DESC_TABLE)) {
			table = output_address(k, desc);
			continue;
		}
		if (level == 3 ? !(desc & DESC_TABLE) :
				 !block_allowed(k, level))
			return -1;
		size = 1ULL << shift;
		*pa = (output_address(k, desc) & ~(size - 1)) |
		      (va & (size - 1));
		if (page_size)
			*page_size = size;
		return 0;
	}
	return -1;	/* not reached: level 3 is always a leaf or invalid */
}
