// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 address translation (monitor/kva_arm64.c) against synthetic
 * memory: the virt machine's RAM at 1 GiB, and TTBR1 page tables of the
 * 4 KiB granule built here, descriptor by descriptor, with 4 levels
 * (48-bit VA) or 5 levels and FEAT_LPA2 (52-bit VA), as the Arm ARM lays
 * them out; then the ways a walk must fail.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "error.h"
#include "guestmem.h"
#include "kva.h"

#define RAM_BASE KT_GUESTMEM_VIRT_BASE
#define RAM_SIZE (64ULL << 20)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define VALID 0x1ULL
#define TABLE 0x2ULL			/* a page at level 3 */
#define AF (1ULL << 10)
#define SH_INNER (3ULL << 8)		/* shareability, without LPA2 */
#define UXN_PXN (3ULL << 53)
#define OA_48 0x0000fffffffff000ULL

struct image {
	uint8_t *ram;
	struct kt_guestmem mem;
	struct kt_kva kva;
	uint64_t next_table;		/* bump allocator, guest-physical */
};

static uint8_t *at(struct image *im, uint64_t pa)
{
	return im->ram + (pa - RAM_BASE);
}

static uint64_t new_table(struct image *im)
{
	uint64_t t = im->next_table;

	im->next_table += 4096;
	memset(at(im, t), 0, 4096);
	return t;
}

/* The descriptor bits of output address @pa. */
static uint64_t oa_bits(const struct image *im, uint64_t pa)
{
	if (!im->kva.lpa2)
		return pa & OA_48;
	return (pa & 0x0003fffffffff000ULL) | (((pa >> 50) & 3) << 8);
}

static unsigned int index_at(const struct image *im, uint64_t va, int level)
{
	unsigned int shift = 12 + 9 * (3 - level);

	if (level == -1)
		return (va >> 48) & 15;
	if (level == 0 && im->kva.levels == 4)
		return (va >> 39) & 511;
	return (va >> shift) & 511;
}

/*
 * Maps @va to @pa with a page (4 KiB) or a block (2 MiB, 1 GiB), making
 * the tables on the way; leaves carry the attributes the kernel's do
 * (AF, UXN/PXN, and the shareability bits where LPA2 does not use them
 * for the address), which the walk must mask.
 */
static void map(struct image *im, uint64_t va, uint64_t pa, uint64_t size)
{
	int leaf = size == GIB ? 1 : size == 2 * MIB ? 2 : 3;
	int level = im->kva.levels == 5 ? -1 : 0;
	uint64_t table = im->kva.top_pgt, *e;

	for (; level < leaf; level++) {
		e = (uint64_t *)at(im, table) + index_at(im, va, level);
		if (!(*e & VALID))
			*e = oa_bits(im, new_table(im)) | VALID | TABLE;
		table = *e & OA_48;
	}
	e = (uint64_t *)at(im, table) + index_at(im, va, leaf);
	*e = oa_bits(im, pa) | VALID | (leaf == 3 ? TABLE : 0) | AF |
	     UXN_PXN | (im->kva.lpa2 ? 0 : SH_INNER);
}

static void image_init(struct image *im, unsigned int levels)
{
	const void *base;
	uint64_t size = RAM_SIZE;

	im->ram = calloc(1, RAM_SIZE);
	base = im->ram;
	kt_guestmem_init(&im->mem, &base, &size, 1);
	kt_guestmem_set_arch(&im->mem, KT_ARCH_ARM64);
	memset(&im->kva, 0, sizeof(im->kva));
	im->kva.mem = &im->mem;
	im->kva.arch = KT_ARCH_ARM64;
	im->kva.levels = levels;
	im->kva.lpa2 = levels == 5;
	im->next_table = RAM_BASE + 0x1000;
	im->kva.top_pgt = new_table(im);
}

FIXTURE(kva) {
	struct image im;
};

FIXTURE_VARIANT(kva) {
	unsigned int levels;
	uint64_t vmalloc;		/* where the test maps its pages */
	uint64_t outside;		/* the first address below TTBR1's */
};

/* A 52-bit kernel on a CPU without LPA2, as QEMU's lpa2=off gives. */
FIXTURE_VARIANT_ADD(kva, four_level_48_bit) {
	.levels = 4,
	.vmalloc = 0xffff800100000000ULL,
	.outside = 0xfffeffffffffffffULL,
};

FIXTURE_VARIANT_ADD(kva, five_level_52_bit_lpa2) {
	.levels = 5,
	.vmalloc = 0xffff800100000000ULL,
	.outside = 0xffefffffffffffffULL,
};

FIXTURE_SETUP(kva)
{
	image_init(&self->im, variant->levels);
}

FIXTURE_TEARDOWN(kva)
{
	free(self->im.ram);
}

TEST_F(kva, pages_and_blocks_of_1_gib_and_2_mib)
{
	struct image *im = &self->im;
	uint64_t va4k = variant->vmalloc + 0x5000;
	uint64_t va2m = variant->vmalloc + 6 * MIB;
	uint64_t va1g = variant->vmalloc + 2 * GIB;
	uint64_t pa, size;
	char buf[8];

	map(im, va4k, RAM_BASE + 0x10000, 4096);
	map(im, va2m, RAM_BASE + 0x600000, 2 * MIB);
	map(im, va1g, RAM_BASE, GIB);

	ASSERT_EQ(0, kt_kva_walk(&im->kva, va4k + 0x123, &pa, &size))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(RAM_BASE + 0x10123, pa);
	EXPECT_EQ(4096, size);
	ASSERT_EQ(0, kt_kva_walk(&im->kva, va2m + 0x1f1234, &pa, &size));
	EXPECT_EQ(RAM_BASE + 0x600000 + 0x1f1234, pa);
	EXPECT_EQ(2 * MIB, size);
	ASSERT_EQ(0, kt_kva_walk(&im->kva, va1g + 0x2300123, &pa, &size));
	EXPECT_EQ(RAM_BASE + 0x2300123, pa);
	EXPECT_EQ(GIB, size);

	/* Through the reader: the bytes the guest put there. */
	memcpy(at(im, RAM_BASE + 0x2300123), "one-gib", 8);
	ASSERT_EQ(0, kt_kva_read(&im->kva, va1g + 0x2300123, buf, 8));
	EXPECT_STREQ("one-gib", buf);
}

/* The top of the 52-bit space, which only level -1 reaches. */
TEST_F(kva, the_lowest_kernel_address_of_the_va_size)
{
	struct image *im = &self->im;
	uint64_t lowest = variant->outside + 1, pa;

	map(im, lowest, RAM_BASE + 0x30000, 4096);
	ASSERT_EQ(0, kt_kva_walk(&im->kva, lowest + 8, &pa, NULL))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(RAM_BASE + 0x30008, pa);
	EXPECT_EQ(-1, kt_kva_walk(&im->kva, variant->outside, &pa, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not a kernel address of the guest's"))
		TH_LOG("%s", kt_errmsg());
	/* User addresses are TTBR0's: never the kernel's tables. */
	EXPECT_EQ(-1, kt_kva_walk(&im->kva, 0x0000ffff00001000ULL, &pa, NULL));
	EXPECT_STREQ(variant->levels == 5 ?
		     "0xffff00001000 is not a kernel address of the guest's 5-level translation (TTBR1, 52-bit)" :
		     "0xffff00001000 is not a kernel address of the guest's 4-level translation (TTBR1, 48-bit)",
		     kt_errmsg());
}

TEST_F(kva, a_read_follows_virtual_pages_to_scattered_frames)
{
	struct image *im = &self->im;
	uint64_t va = variant->vmalloc + 0x40000;
	char buf[17] = "";

	map(im, va, RAM_BASE + 0x20000, 4096);
	map(im, va + 4096, RAM_BASE + 0x50000, 4096);
	memcpy(at(im, RAM_BASE + 0x20000 + 4088), "scattered", 8);
	memcpy(at(im, RAM_BASE + 0x50000), " frames!", 8);
	ASSERT_EQ(0, kt_kva_read(&im->kva, va + 4088, buf, 16));
	EXPECT_STREQ("scattere frames!", buf);
}

/* The level 3 descriptor of @va, whose tables map() made. */
static uint64_t *page_desc(struct image *im, uint64_t va)
{
	int level = im->kva.levels == 5 ? -1 : 0;
	uint64_t table = im->kva.top_pgt;

	for (; level < 3; level++)
		table = ((uint64_t *)at(im, table))[index_at(im, va, level)] &
			OA_48;
	return (uint64_t *)at(im, table) + index_at(im, va, 3);
}

/* Under LPA2, descriptor bits 9:8 are output address bits 51:50. */
TEST_F(kva, lpa2_puts_address_bits_51_50_in_bits_9_8)
{
	struct image *im = &self->im;
	uint64_t va = variant->vmalloc + 0x70000, pa;

	map(im, va, RAM_BASE + 0x70000, 4096);
	ASSERT_EQ(0, kt_kva_walk(&im->kva, va, &pa, NULL));
	EXPECT_EQ(RAM_BASE + 0x70000, pa);
	/* The same bits: shareability, or an address of 3 PiB and more. */
	*page_desc(im, va) |= SH_INNER;
	ASSERT_EQ(0, kt_kva_walk(&im->kva, va, &pa, NULL));
	EXPECT_EQ(variant->levels == 5 ? (3ULL << 50) | (RAM_BASE + 0x70000) :
		  RAM_BASE + 0x70000, pa);
}

TEST_F(kva, invalid_and_reserved_descriptors_are_not_mappings)
{
	struct image *im = &self->im;
	uint64_t va = variant->vmalloc, pa, *e;
	char c;

	map(im, va, RAM_BASE + 0x10000, 4096);
	EXPECT_EQ(-1, kt_kva_walk(&im->kva, va + 4096, &pa, NULL));
	EXPECT_STREQ("0xffff800100001000 is not mapped (level 3 entry 0x0)",
		     kt_errmsg());
	EXPECT_EQ(-1, kt_kva_walk(&im->kva, va + (1ULL << 39), &pa, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not mapped (level 0 entry 0x0)"))
		TH_LOG("%s", kt_errmsg());

	/* Bits 1:0 = 01 at level 3 is reserved, not a page. */
	e = page_desc(im, va);
	*e &= ~TABLE;
	EXPECT_EQ(-1, kt_kva_walk(&im->kva, va, &pa, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not mapped (level 3 entry"))
		TH_LOG("%s", kt_errmsg());

	/* A table whose address is not RAM cannot be read. */
	e = (uint64_t *)at(im, im->kva.top_pgt) +
	    index_at(im, va, variant->levels == 5 ? -1 : 0);
	*e = oa_bits(im, 0x10000000ULL) | VALID | TABLE;
	EXPECT_EQ(-1, kt_kva_walk(&im->kva, va, &pa, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not RAM"))
		TH_LOG("%s", kt_errmsg());

	/* A leaf past the end of RAM maps, but cannot be read. */
	*e = 0;
	map(im, va + 8192, RAM_BASE + RAM_SIZE, 4096);
	EXPECT_EQ(-1, kt_kva_read(&im->kva, va + 8192, &c, 1));
	EXPECT_STREQ("guest-physical 0x44000000 is not RAM", kt_errmsg());
}

/* Level 0 blocks (512 GiB) exist only under LPA2. */
TEST_F(kva, a_level_0_block_maps_only_under_lpa2)
{
	struct image *im = &self->im;
	uint64_t va = 0xffff800000000000ULL, pa, *e, table = im->kva.top_pgt;

	if (variant->levels == 5) {
		e = (uint64_t *)at(im, table) + index_at(im, va, -1);
		*e = oa_bits(im, new_table(im)) | VALID | TABLE;
		table = *e & OA_48;
	}
	e = (uint64_t *)at(im, table) + index_at(im, va, 0);
	*e = VALID | AF;	/* a block at guest-physical 0 */
	if (variant->levels == 5) {
		ASSERT_EQ(0, kt_kva_walk(&im->kva, va + RAM_BASE + 8, &pa, NULL))
			TH_LOG("%s", kt_errmsg());
		EXPECT_EQ(RAM_BASE + 8, pa);
	} else {
		EXPECT_EQ(-1, kt_kva_walk(&im->kva, va + RAM_BASE, &pa, NULL));
		EXPECT_NE(NULL, strstr(kt_errmsg(), "is not mapped (level 0 entry 0x401)"))
			TH_LOG("%s", kt_errmsg());
	}
}

/* The linear map and the image, by their offsets: no tables needed. */
TEST_F(kva, the_linear_map_and_the_image_need_no_tables)
{
	struct image *im = &self->im;
	uint64_t pa;

	im->kva.page_offset_base = variant->outside + 1;
	im->kva.direct_map_end = KT_ARM64_PAGE_END;
	im->kva.direct_map_pa = RAM_BASE;
	im->kva.kimage_voffset = 0xffff800080000000ULL - (RAM_BASE + 2 * MIB);
	im->kva.image_start = 0xffff800080000000ULL;
	im->kva.image_end = 0xffff800080000000ULL + 32 * MIB;
	ASSERT_EQ(0, kt_kva_to_pa(&im->kva, variant->outside + 1 + 0x123456,
				  &pa));
	EXPECT_EQ(RAM_BASE + 0x123456, pa);
	ASSERT_EQ(0, kt_kva_to_pa(&im->kva, 0xffff800080000040ULL, &pa));
	EXPECT_EQ(RAM_BASE + 2 * MIB + 0x40, pa);
	EXPECT_EQ(RAM_BASE + 2 * MIB + 0x40,
		  kt_kva_image_pa(&im->kva, 0xffff800080000040ULL));
	/* Past the image: the tables, which map nothing there. */
	EXPECT_EQ(-1, kt_kva_to_pa(&im->kva, 0xffff800080000000ULL + 32 * MIB,
				   &pa));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not mapped"));
}

/* A walker asked for a number of levels arm64 4K has not is refused. */
TEST(kva_arm64_needs_4_or_5_levels)
{
	struct kt_kva k = { .arch = KT_ARCH_ARM64, .levels = 3 };
	uint64_t pa;

	EXPECT_EQ(-1, kt_kva_walk(&k, 0xffffff8000000000ULL, &pa, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not a kernel address of the guest's 3-level translation"))
		TH_LOG("%s", kt_errmsg());
}

TEST(guestmem_of_the_virt_machine_starts_at_1_gib)
{
	uint64_t sizes[2] = { 2 * GIB, 2 * GIB };
	const void *bases[2];
	struct kt_guestmem m;
	uint8_t *n0, *n1;
	char buf[8];

	/* 4 GiB of address space, untouched: no memory is used. */
	n0 = mmap(NULL, sizes[0], PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	n1 = mmap(NULL, sizes[1], PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, n0);
	ASSERT_NE(MAP_FAILED, n1);
	bases[0] = n0;
	bases[1] = n1;
	ASSERT_EQ(0, kt_guestmem_init(&m, bases, sizes, 2));
	kt_guestmem_set_arch(&m, KT_ARCH_ARM64);
	EXPECT_EQ(RAM_BASE, m.ram_base);
	/* Nothing below 1 GiB: flash and devices. */
	EXPECT_EQ(NULL, kt_guestmem_ptr(&m, 0x1000, 8));
	EXPECT_EQ(NULL, kt_guestmem_ptr(&m, RAM_BASE - 8, 8));
	EXPECT_EQ(n0, kt_guestmem_ptr(&m, RAM_BASE, 8));
	/* One block, in node order, on past 4 GiB with no hole. */
	EXPECT_EQ(n0 + 2 * GIB - 8, kt_guestmem_ptr(&m, RAM_BASE + 2 * GIB - 8, 8));
	EXPECT_EQ(n1, kt_guestmem_ptr(&m, RAM_BASE + 2 * GIB, 8));
	EXPECT_EQ(n1 + GIB + 0x1000, kt_guestmem_ptr(&m, 4 * GIB + 0x1000, 8));
	EXPECT_EQ(n1 + 2 * GIB - 8, kt_guestmem_ptr(&m, RAM_BASE + 4 * GIB - 8, 8));
	EXPECT_EQ(NULL, kt_guestmem_ptr(&m, RAM_BASE + 4 * GIB, 1));
	EXPECT_EQ(-1, kt_guestmem_read(&m, RAM_BASE - 4, buf, 8));
	EXPECT_STREQ("guest-physical 0x3ffffffc is not RAM", kt_errmsg());
	/* And back to q35's. */
	kt_guestmem_set_arch(&m, KT_ARCH_X86_64);
	EXPECT_EQ(n0, kt_guestmem_ptr(&m, 0, 8));
	EXPECT_EQ(n1, kt_guestmem_ptr(&m, 4 * GIB, 8));
	munmap(n0, sizes[0]);
	munmap(n1, sizes[1]);
}

TEST_HARNESS_MAIN
