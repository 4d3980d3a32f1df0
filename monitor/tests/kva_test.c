// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory and address translation against synthetic memory images:
 * page tables built here, entry by entry, the way the x86-64 kernel lays
 * them out, and walked by the monitor's code.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "error.h"
#include "guestmem.h"
#include "kva.h"

#define RAM_SIZE (64ULL << 20)
#define PRESENT 0x1ULL
#define RW 0x2ULL
#define PS 0x80ULL
#define NX (1ULL << 63)

struct image {
	uint8_t *ram;
	struct kt_guestmem mem;
	struct kt_kva kva;
	uint64_t next_table;		/* bump allocator for tables */
};

static uint64_t *entry(struct image *im, uint64_t table, unsigned int index)
{
	return (uint64_t *)(im->ram + table) + index;
}

static uint64_t new_table(struct image *im)
{
	uint64_t t = im->next_table;

	im->next_table += 4096;
	memset(im->ram + t, 0, 4096);
	return t;
}

/*
 * Maps @va to @pa with a page of @size (4 KiB, 2 MiB or 1 GiB), making
 * the tables on the way.  NX is set on leaves, as the kernel does for
 * data, to check that the walker masks it.
 */
static void map(struct image *im, uint64_t va, uint64_t pa, uint64_t size)
{
	unsigned int leaf_level = size == (1ULL << 30) ? 3 :
				  size == (2ULL << 20) ? 2 : 1;
	uint64_t table = im->kva.top_pgt, *e;
	int level;

	for (level = im->kva.levels; level > (int)leaf_level; level--) {
		e = entry(im, table, (va >> (12 + 9 * (level - 1))) & 511);
		if (!(*e & PRESENT))
			*e = new_table(im) | PRESENT | RW;
		table = *e & 0x000ffffffffff000ULL;
	}
	e = entry(im, table, (va >> (12 + 9 * (leaf_level - 1))) & 511);
	*e = pa | PRESENT | RW | NX | (leaf_level > 1 ? PS : 0);
}

static void image_init(struct image *im, unsigned int levels)
{
	const void *base;
	uint64_t size = RAM_SIZE;

	im->ram = calloc(1, RAM_SIZE);
	base = im->ram;
	kt_guestmem_init(&im->mem, &base, &size, 1);
	memset(&im->kva, 0, sizeof(im->kva));
	im->kva.mem = &im->mem;
	im->kva.levels = levels;
	im->kva.page_offset_base = levels == 5 ? 0xff11000000000000ULL :
						 0xffff888000000000ULL;
	im->kva.direct_map_end = im->kva.page_offset_base + (1ULL << 46);
	im->next_table = 0x1000;
	im->kva.top_pgt = new_table(im);
}

FIXTURE(kva) {
	struct image im;
};

FIXTURE_VARIANT(kva) {
	unsigned int levels;
	uint64_t vmalloc;		/* where the test maps its pages */
};

FIXTURE_VARIANT_ADD(kva, four_level) {
	.levels = 4,
	.vmalloc = 0xffffc90000000000ULL,
};

FIXTURE_VARIANT_ADD(kva, five_level) {
	.levels = 5,
	.vmalloc = 0xffa0000000000000ULL,
};

FIXTURE_SETUP(kva)
{
	image_init(&self->im, variant->levels);
}

FIXTURE_TEARDOWN(kva)
{
	free(self->im.ram);
}

TEST_F(kva, four_kib_two_mib_and_one_gib_pages)
{
	struct image *im = &self->im;
	uint64_t va4k = variant->vmalloc + 0x5000;
	uint64_t va2m = variant->vmalloc + (6ULL << 20);
	uint64_t va1g = variant->vmalloc + (2ULL << 30);
	uint64_t pa, size;

	map(im, va4k, 0x10000, 4096);
	map(im, va2m, 0x600000, 2ULL << 20);
	map(im, va1g, 0, 1ULL << 30);

	ASSERT_EQ(0, kt_kva_walk(&im->kva, va4k + 0x123, &pa, &size))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0x10123, pa);
	EXPECT_EQ(4096, size);
	ASSERT_EQ(0, kt_kva_walk(&im->kva, va2m + 0x1f1234, &pa, &size));
	EXPECT_EQ(0x600000 + 0x1f1234, pa);
	EXPECT_EQ(2ULL << 20, size);
	ASSERT_EQ(0, kt_kva_walk(&im->kva, va1g + 0x2300123, &pa, &size));
	EXPECT_EQ(0x2300123, pa);
	EXPECT_EQ(1ULL << 30, size);

	/* Through the reader: the bytes the guest put there. */
	memcpy(im->ram + 0x2300123, "one-gib", 8);
	{
		char buf[8];

		ASSERT_EQ(0, kt_kva_read(&im->kva, va1g + 0x2300123, buf, 8));
		EXPECT_STREQ("one-gib", buf);
	}
}

TEST_F(kva, a_read_follows_virtual_pages_to_scattered_frames)
{
	struct image *im = &self->im;
	uint64_t va = variant->vmalloc + 0x40000;
	char buf[17] = "";

	map(im, va, 0x20000, 4096);
	map(im, va + 4096, 0x50000, 4096);
	memcpy(im->ram + 0x20000 + 4088, "scattered", 8);
	memcpy(im->ram + 0x50000, " frames!", 8);
	ASSERT_EQ(0, kt_kva_read(&im->kva, va + 4088, buf, 16));
	EXPECT_STREQ("scattere frames!", buf);
}

TEST_F(kva, unmapped_and_non_canonical_addresses_are_errors)
{
	struct image *im = &self->im;
	uint64_t pa;

	map(im, variant->vmalloc, 0x10000, 4096);
	EXPECT_EQ(-1, kt_kva_walk(&im->kva, variant->vmalloc + 4096, &pa,
				  NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not mapped (level 1"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(-1, kt_kva_walk(&im->kva, variant->vmalloc + (1ULL << 39),
				  &pa, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not mapped"));
	/* The first address past the lower half, for 48 and 57 bits. */
	EXPECT_EQ(-1, kt_kva_walk(&im->kva, variant->levels == 5 ?
				  0x0100000000000000ULL : 0x0000800000000000ULL,
				  &pa, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "not a canonical address"))
		TH_LOG("%s", kt_errmsg());
	/* A leaf past the end of RAM cannot be read. */
	map(im, variant->vmalloc + 8192, 0x7f000000, 4096);
	{
		char c;

		EXPECT_EQ(-1, kt_kva_read(&im->kva, variant->vmalloc + 8192,
					  &c, 1));
		EXPECT_NE(NULL, strstr(kt_errmsg(), "is not RAM"));
	}
}

TEST_F(kva, direct_map_and_kernel_image_need_no_tables)
{
	struct image *im = &self->im;
	uint64_t pa;

	ASSERT_EQ(0, kt_kva_to_pa(&im->kva, im->kva.page_offset_base + 0x123456,
				  &pa));
	EXPECT_EQ(0x123456, pa);
	ASSERT_EQ(0, kt_kva_to_pa(&im->kva, 0xffffffff81000040ULL, &pa));
	EXPECT_EQ(0x1000040, pa);
	im->kva.phys_base = 0x200000;
	ASSERT_EQ(0, kt_kva_to_pa(&im->kva, 0xffffffff81000040ULL, &pa));
	EXPECT_EQ(0x1200040, pa);
}

TEST(guestmem_nodes_and_the_q35_hole)
{
	uint64_t sizes[2] = { 2ULL << 30, 2ULL << 30 };
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
	EXPECT_EQ(4ULL << 30, m.ram_size);
	EXPECT_EQ(2ULL << 30, m.below_4g);
	EXPECT_EQ(512ULL << 20, kt_guestmem_q35_below_4g(512ULL << 20));
	EXPECT_EQ(0xa0000000ULL, kt_guestmem_q35_below_4g(0xa0000000ULL));
	EXPECT_EQ(2ULL << 30, kt_guestmem_q35_below_4g(0xb0000000ULL));

	EXPECT_EQ(n0 + 0x1000, kt_guestmem_ptr(&m, 0x1000, 8));
	/* Below 4 GiB, the first 2 GiB of RAM: all of node 0. */
	EXPECT_EQ(n0 + (2ULL << 30) - 8,
		  kt_guestmem_ptr(&m, (2ULL << 30) - 8, 8));
	/* The PCI hole is not RAM. */
	EXPECT_EQ(NULL, kt_guestmem_ptr(&m, 3ULL << 30, 8));
	/* RAM resumes at 4 GiB with node 1. */
	EXPECT_EQ(n1, kt_guestmem_ptr(&m, 4ULL << 30, 8));
	EXPECT_EQ(n1 + (2ULL << 30) - 8,
		  kt_guestmem_ptr(&m, (6ULL << 30) - 8, 8));
	EXPECT_EQ(NULL, kt_guestmem_ptr(&m, 6ULL << 30, 1));
	/* A read does not run off the end of RAM or into the hole. */
	EXPECT_EQ(-1, kt_guestmem_read(&m, (2ULL << 30) - 4, buf, 8));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not RAM"));
	munmap(n0, sizes[0]);
	munmap(n1, sizes[1]);
}

TEST(guestmem_reads_across_nodes)
{
	static uint8_t node0[8192], node1[8192];
	uint64_t sizes[2] = { sizeof(node0), sizeof(node1) };
	const void *bases[2] = { node0, node1 };
	struct kt_guestmem m;
	char buf[12] = "";

	memcpy(node0 + 8192 - 6, "across", 6);
	memcpy(node1, "nodes", 5);
	ASSERT_EQ(0, kt_guestmem_init(&m, bases, sizes, 2));
	ASSERT_EQ(0, kt_guestmem_read(&m, 8192 - 6, buf, 11));
	EXPECT_STREQ("acrossnodes", buf);
}

TEST(guestmem_open_names_the_missing_file)
{
	struct kt_guestmem m;

	EXPECT_EQ(-1, kt_guestmem_open(&m, "/dev/shm/ktstr-no-such-vm", 2));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "guest memory /dev/shm/ktstr-no-such-vm-ram0"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(-1, kt_guestmem_open(&m, "/dev/shm/x", 0));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "0 nodes"));
}

/* Finding the kernel and reading through kt_target: kaslr_test.c. */

TEST_HARNESS_MAIN
