// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>

#include "error.h"
#include "kva.h"

#define PTE_PRESENT (1ULL << 0)
#define PTE_HUGE (1ULL << 7)		/* PS: a 2 MiB or 1 GiB leaf */
#define PTE_ADDR 0x000ffffffffff000ULL	/* bits 12..51 */

static bool canonical(uint64_t va, unsigned int levels)
{
	unsigned int bits = levels == 5 ? 57 : 48;
	int64_t s = (int64_t)(va << (64 - bits)) >> (64 - bits);

	return (uint64_t)s == va;
}

static int read_entry(const struct kt_kva *k, uint64_t table,
		      unsigned int index, uint64_t *entry)
{
	return kt_guestmem_try_read(k->mem, table + index * 8ULL, entry, 8);
}

/* The x86-64 MMU's walk; -1 and @e set, never a message. */
static int walk_x86(const struct kt_kva *k, uint64_t va, uint64_t *pa,
		    uint64_t *page_size, struct kt_kva_walk_error *e)
{
	uint64_t table = k->top_pgt, entry;
	int level;

	e->level = KT_KVA_NOT_KERNEL;
	if (!canonical(va, k->levels))
		return -1;
	/* Level 5..1 index bits: 48, 39, 30, 21, 12. */
	for (level = k->levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		e->level = level;
		e->entry = table + ((va >> shift) & 511) * 8ULL;
		if (read_entry(k, table, (va >> shift) & 511, &entry)) {
			e->level = KT_KVA_NOT_RAM;
			return -1;
		}
		e->entry = entry;
		if (!(entry & PTE_PRESENT))
			return -1;
		/* PS means a leaf at the PUD (1 GiB) and PMD (2 MiB) levels. */
		if (level == 1 || ((level == 2 || level == 3) &&
				   (entry & PTE_HUGE))) {
			uint64_t size = 1ULL << shift;

			*pa = (entry & PTE_ADDR & ~(size - 1)) |
			      (va & (size - 1));
			if (page_size)
				*page_size = size;
			return 0;
		}
		table = entry & PTE_ADDR;
	}
	return -1;	/* not reached: level 1 is always a leaf */
}

/* The guest's MMU's walk; -1 and @e set, never a message. */
static int walk(const struct kt_kva *k, uint64_t va, uint64_t *pa,
		uint64_t *page_size, struct kt_kva_walk_error *e)
{
	if (k->arch == KT_ARCH_ARM64)
		return kt_kva_arm64_walk(k, va, pa, page_size, e);
	return walk_x86(k, va, pa, page_size, e);
}

int kt_kva_walk(const struct kt_kva *k, uint64_t va, uint64_t *pa,
		uint64_t *page_size)
{
	struct kt_kva_walk_error e;

	if (!walk(k, va, pa, page_size, &e))
		return 0;
	if (e.level == KT_KVA_NOT_KERNEL && k->arch == KT_ARCH_ARM64)
		return kt_fail("0x%llx is not a kernel address of the guest's %u-level translation (TTBR1, %u-bit)",
			       (unsigned long long)va, k->levels,
			       k->levels == 5 ? 52 : 48);
	if (e.level == KT_KVA_NOT_KERNEL)
		return kt_fail("0x%llx is not a canonical address",
			       (unsigned long long)va);
	if (e.level == KT_KVA_NOT_RAM)
		return kt_fail("0x%llx: its page table entry at guest-physical 0x%llx is not RAM",
			       (unsigned long long)va,
			       (unsigned long long)e.entry);
	return kt_fail("0x%llx is not mapped (level %d entry 0x%llx)",
		       (unsigned long long)va, e.level,
		       (unsigned long long)e.entry);
}

int kt_kva_try_walk(const struct kt_kva *k, uint64_t va, uint64_t *pa)
{
	struct kt_kva_walk_error e;

	return walk(k, va, pa, NULL, &e);
}

uint64_t kt_kva_image_pa(const struct kt_kva *k, uint64_t va)
{
	/* arm64's __kimg_to_phys(); x86-64's __phys_addr_symbol(). */
	if (k->arch == KT_ARCH_ARM64)
		return va - k->kimage_voffset;
	return va - KT_START_KERNEL_MAP + k->phys_base;
}

int kt_kva_to_pa(const struct kt_kva *k, uint64_t va, uint64_t *pa)
{
	if (va >= k->page_offset_base && va < k->direct_map_end) {
		*pa = va - k->page_offset_base + k->direct_map_pa;
		return 0;
	}
	if (k->image_end ? va >= k->image_start && va < k->image_end :
			   va >= KT_START_KERNEL_MAP && va < KT_KERNEL_IMAGE_END) {
		*pa = kt_kva_image_pa(k, va);
		return 0;
	}
	return kt_kva_walk(k, va, pa, NULL);
}

int kt_kva_read(const struct kt_kva *k, uint64_t va, void *buf,
		uint64_t len)
{
	uint8_t *out = buf;
	uint64_t pa, chunk;

	while (len) {
		/* Contiguous in virtual memory, not always in physical. */
		chunk = 4096 - (va & 4095);
		if (chunk > len)
			chunk = len;
		if (kt_kva_to_pa(k, va, &pa) ||
		    kt_guestmem_read(k->mem, pa, out, chunk))
			return -1;
		out += chunk;
		va += chunk;
		len -= chunk;
	}
	return 0;
}
