// SPDX-License-Identifier: GPL-2.0
/*
 * Finding the guest kernel in its RAM, KASLR or not (monitor/kaslr.c),
 * against crafted RAM: a small kernel image placed where a test says,
 * physically and virtually, with the page tables, variables and banner
 * the x86-64 kernel has; then the ways it must refuse: no banner, a
 * banner whose page tables do not map it, a phys_base that disagrees,
 * bases out of order, and two images that both check out.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "error.h"
#include "guestmem.h"
#include "kaslr.h"
#include "kva.h"
#include "target.h"

#define RAM_SIZE (64ULL << 20)
#define MIB (1ULL << 20)
#define PRESENT 0x1ULL
#define RW 0x2ULL
#define PS 0x80ULL
#define NX (1ULL << 63)

/* The image, as offsets from _text, linked at 0xffffffff81000000. */
#define LINK_TEXT 0xffffffff81000000ULL
#define BANNER_OFF 0x200040ULL		/* in the image's second 2 MiB */
#define VARS_OFF 0x210000ULL
#define POB_OFF (VARS_OFF + 0x00)
#define VMALLOC_OFF (VARS_OFF + 0x08)
#define VMEMMAP_OFF (VARS_OFF + 0x10)
#define L5_OFF (VARS_OFF + 0x18)
#define NR_CPU_IDS_OFF (VARS_OFF + 0x1c)
#define PHYS_BASE_OFF (VARS_OFF + 0x20)
#define JIFFIES_OFF (VARS_OFF + 0x28)
#define PER_CPU_OFFSET_OFF (VARS_OFF + 0x100)
#define TOP_PGT_OFF 0x300000ULL		/* tables follow it */
#define IMAGE_SIZE 0x400000ULL

static const char banner[] =
	"Linux version 7.3.4-kaslr-test (ktstr@host) (gcc 14.2) #1 SMP PREEMPT_DYNAMIC\n";

struct bases {
	uint64_t page_offset, vmalloc, vmemmap;
};

/* What KASLR chose in these tests: PUD-aligned, ascending. */
static const struct bases l4_bases = {
	0xffff9a0c00000000ULL, 0xffffb5e2c0000000ULL, 0xffffe1f640000000ULL,
};
static const struct bases l5_bases = {
	0xff1d3e0000000000ULL, 0xffa4400000000000ULL, 0xffd5c00000000000ULL,
};

struct fake {
	uint8_t *ram;			/* guest-physical base.. */
	uint64_t base;
	struct kt_guestmem mem;
	struct kt_layout l;
	uint64_t next_table;
	unsigned int levels;
};

/* The host address of guest-physical @pa. */
static uint8_t *at(struct fake *f, uint64_t pa)
{
	return f->ram + (pa - f->base);
}

static void put64(struct fake *f, uint64_t pa, uint64_t v)
{
	memcpy(at(f, pa), &v, 8);
}

static uint64_t new_table(struct fake *f)
{
	uint64_t t = f->next_table;

	f->next_table += 4096;
	memset(at(f, t), 0, 4096);
	return t;
}

static void map(struct fake *f, uint64_t top, uint64_t va, uint64_t pa,
		uint64_t size)
{
	unsigned int leaf = size == 2 * MIB ? 2 : 1;
	uint64_t table = top, *e;
	int level;

	for (level = f->levels; level > (int)leaf; level--) {
		e = (uint64_t *)at(f, table) +
		    ((va >> (12 + 9 * (level - 1))) & 511);
		if (!(*e & PRESENT))
			*e = new_table(f) | PRESENT | RW;
		table = *e & 0x000ffffffffff000ULL;
	}
	e = (uint64_t *)at(f, table) + ((va >> (12 + 9 * (leaf - 1))) & 511);
	*e = pa | PRESENT | RW | NX | (leaf > 1 ? PS : 0);
}

static void layout_init(struct fake *f)
{
	static const struct {
		enum kt_sym s;
		uint64_t off;
	} syms[] = {
		{ KT_SYM_TEXT, 0 }, { KT_SYM_END, IMAGE_SIZE },
		{ KT_SYM_LINUX_BANNER, BANNER_OFF },
		{ KT_SYM_PAGE_OFFSET_BASE, POB_OFF },
		{ KT_SYM_VMALLOC_BASE, VMALLOC_OFF },
		{ KT_SYM_VMEMMAP_BASE, VMEMMAP_OFF },
		{ KT_SYM_PGTABLE_L5, L5_OFF },
		{ KT_SYM_NR_CPU_IDS, NR_CPU_IDS_OFF },
		{ KT_SYM_PHYS_BASE, PHYS_BASE_OFF },
		{ KT_SYM_JIFFIES, JIFFIES_OFF },
		{ KT_SYM_PER_CPU_OFFSET, PER_CPU_OFFSET_OFF },
		{ KT_SYM_INIT_TOP_PGT, TOP_PGT_OFF },
	};
	unsigned int i;

	memset(&f->l, 0, sizeof(f->l));
	for (i = 0; i < ARRAY_SIZE(syms); i++) {
		f->l.sym[syms[i].s] = LINK_TEXT + syms[i].off;
		f->l.has_sym[syms[i].s] = true;
	}
	memcpy(f->l.banner, banner, sizeof(banner));
	f->l.banner_len = sizeof(banner);
}

static void fake_init(struct fake *f, unsigned int levels)
{
	const void *base;
	uint64_t size = RAM_SIZE;

	f->ram = calloc(1, RAM_SIZE);
	f->base = 0;
	base = f->ram;
	kt_guestmem_init(&f->mem, &base, &size, 1);
	f->levels = levels;
	layout_init(f);
}

/*
 * The image at guest-physical @pa, run at its link address plus @voff,
 * mapped by 2 MiB pages, or by 4 KiB ones around the banner (the kernel
 * splits pages where permissions change).
 */
static void place_image(struct fake *f, uint64_t pa, uint64_t voff,
			bool split)
{
	const struct bases *b = f->levels == 5 ? &l5_bases : &l4_bases;
	uint64_t top = pa + TOP_PGT_OFF, va = LINK_TEXT + voff, off;

	memset(at(f, pa), 0, IMAGE_SIZE);
	memcpy(at(f, pa + BANNER_OFF), banner, sizeof(banner));
	put64(f, pa + POB_OFF, b->page_offset);
	put64(f, pa + VMALLOC_OFF, b->vmalloc);
	put64(f, pa + VMEMMAP_OFF, b->vmemmap);
	put64(f, pa + L5_OFF, (f->levels == 5) | (2ULL << 32));	/* nr_cpu_ids 2 */
	put64(f, pa + PHYS_BASE_OFF, pa - (va - KT_START_KERNEL_MAP));
	put64(f, pa + JIFFIES_OFF, 4294967296ULL + 1234);
	put64(f, pa + PER_CPU_OFFSET_OFF, 0x100000);
	put64(f, pa + PER_CPU_OFFSET_OFF + 8, 0x200000);
	f->next_table = top + 4096;
	memset(at(f, top), 0, 4096);
	for (off = 0; off < IMAGE_SIZE; off += 2 * MIB) {
		uint64_t in;

		if (!split || off != (BANNER_OFF & ~(2 * MIB - 1))) {
			map(f, top, va + off, pa + off, 2 * MIB);
			continue;
		}
		for (in = 0; in < 2 * MIB; in += 4096)
			map(f, top, va + off + in, pa + off + in, 4096);
	}
}

FIXTURE(kaslr) {
	struct fake f;
};

FIXTURE_VARIANT(kaslr) {
	unsigned int levels;
	bool split;
};

FIXTURE_VARIANT_ADD(kaslr, four_level) { .levels = 4 };
FIXTURE_VARIANT_ADD(kaslr, four_level_4k_pages) { .levels = 4, .split = true };
FIXTURE_VARIANT_ADD(kaslr, five_level) { .levels = 5 };

FIXTURE_SETUP(kaslr)
{
	fake_init(&self->f, variant->levels);
}

FIXTURE_TEARDOWN(kaslr)
{
	free(self->f.ram);
}

TEST_F(kaslr, nokaslr_image_at_its_link_address)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	place_image(f, 0x1000000, 0, variant->split);
	ASSERT_EQ(0, kt_kaslr_find(&f->mem, &f->l, &k)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, k.virt_offset);
	EXPECT_EQ(0, k.phys_base);
	EXPECT_EQ(0x1000000 + BANNER_OFF, k.banner_pa);
	EXPECT_EQ(0x1000000 + TOP_PGT_OFF, k.top_pgt);
	EXPECT_EQ(variant->levels, k.levels);
	/* One place per 2 MiB of RAM, and the banner in one. */
	EXPECT_EQ(RAM_SIZE / (2 * MIB), k.probes);
	EXPECT_EQ(1, k.matches);
}

TEST_F(kaslr, randomized_image_and_bases_are_found)
{
	const struct bases *b = variant->levels == 5 ? &l5_bases : &l4_bases;
	struct fake *f = &self->f;
	struct kt_kaslr k;

	/* 38 MiB up physically, 420 MiB up virtually. */
	place_image(f, 38 * MIB, 420 * MIB, variant->split);
	ASSERT_EQ(0, kt_kaslr_find(&f->mem, &f->l, &k)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(420 * MIB, k.virt_offset);
	/* Below its virtual place: phys_base wraps, as the kernel's does. */
	EXPECT_EQ(38 * MIB - (16 * MIB + 420 * MIB), k.phys_base);
	EXPECT_EQ(38 * MIB + BANNER_OFF, k.banner_pa);
	EXPECT_EQ(b->page_offset, k.page_offset_base);
	EXPECT_EQ(b->vmalloc, k.vmalloc_base);
	EXPECT_EQ(b->vmemmap, k.vmemmap_base);
}

TEST_F(kaslr, the_target_reads_symbols_where_kaslr_moved_them)
{
	struct fake *f = &self->f;
	struct kt_target t = { 0 };
	uint64_t jiffies, pa;

	place_image(f, 20 * MIB, 102 * MIB, variant->split);
	t.mem = f->mem;
	ASSERT_EQ(0, kt_target_setup(&t, &f->l, 8)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(2, t.nr_cpus);
	EXPECT_EQ(0x200000, t.cpu_offset[1]);
	EXPECT_EQ(LINK_TEXT + JIFFIES_OFF + 102 * MIB,
		  kt_target_sym(&t, KT_SYM_JIFFIES));
	ASSERT_EQ(0, kt_target_read(&t, kt_target_sym(&t, KT_SYM_JIFFIES),
				    &jiffies, 8)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(4294967296ULL + 1234, jiffies);
	/* A zero-based per-CPU symbol (x86-64 before 6.15) does not move. */
	f->l.sym[KT_SYM_RUNQUEUES] = 0x2f3c0;
	EXPECT_EQ(0x2f3c0, kt_target_sym(&t, KT_SYM_RUNQUEUES));
	EXPECT_EQ(0x2f3c0 + 0x200000,
		  kt_target_percpu(&t, kt_target_sym(&t, KT_SYM_RUNQUEUES), 1));
	/* The image's own range by offset, the direct map by its base. */
	ASSERT_EQ(0, kt_kva_to_pa(&t.kva, LINK_TEXT + 102 * MIB + 0x1234, &pa));
	EXPECT_EQ(20 * MIB + 0x1234, pa);
	ASSERT_EQ(0, kt_kva_to_pa(&t.kva, t.place.page_offset_base + 0x5000,
				  &pa));
	EXPECT_EQ(0x5000, pa);
	/* Past _end the shortcut stops: the page tables say it is unmapped. */
	EXPECT_EQ(-1, kt_kva_to_pa(&t.kva, LINK_TEXT + 102 * MIB + IMAGE_SIZE,
				   &pa));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is not mapped")) TH_LOG("%s", kt_errmsg());
}

TEST_F(kaslr, a_stale_copy_of_the_image_is_not_taken)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	/*
	 * A byte copy of the whole image 8 MiB up: its init_top_pgt points
	 * at the real tables, which map the banner's address to the real one.
	 */
	place_image(f, 16 * MIB, 6 * MIB, variant->split);
	memcpy(f->ram + 24 * MIB, f->ram + 16 * MIB, IMAGE_SIZE);
	ASSERT_EQ(0, kt_kaslr_find(&f->mem, &f->l, &k)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(2, k.matches);
	EXPECT_EQ(16 * MIB + BANNER_OFF, k.banner_pa);
	EXPECT_EQ(6 * MIB, k.virt_offset);
}

TEST_F(kaslr, two_images_that_check_out_are_an_error)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	place_image(f, 16 * MIB, 0, variant->split);
	place_image(f, 40 * MIB, 200 * MIB, variant->split);
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "the guest kernel is in its RAM twice, with linux_banner at guest-physical 0x1200040 (virtual offset 0x0) and 0x2a00040 (virtual offset 0xc800000): refusing to guess"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(kaslr, no_banner_is_an_error_naming_it)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	/* The banner 4 KiB off its 2 MiB phase: no image can put it there. */
	memcpy(f->ram + 16 * MIB + BANNER_OFF + 4096, banner, sizeof(banner));
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "the guest kernel is not in its RAM: no copy of this kernel's linux_banner (\"Linux version 7.3.4-kaslr-test (ktstr@host) (gcc...\") at any of the 32 places a 2 MiB-aligned image could put it in 64 MiB"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(kaslr, a_banner_its_page_tables_do_not_map_is_refused)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	place_image(f, 16 * MIB, 0, variant->split);
	memset(f->ram + 16 * MIB + TOP_PGT_OFF, 0, 4096);
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "linux_banner is at guest-physical 0x1200040, but its init_top_pgt (guest-physical 0x1300000"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "maps it nowhere in the kernel image's 1 GiB"));
}

TEST_F(kaslr, a_phys_base_that_disagrees_is_refused)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	place_image(f, 16 * MIB, 0, variant->split);
	put64(f, 16 * MIB + PHYS_BASE_OFF, 2 * MIB);
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "its phys_base reads 0x200000 where its page tables give 0x0"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(kaslr, bases_out_of_order_are_refused)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	const struct bases *b = variant->levels == 5 ? &l5_bases : &l4_bases;

	place_image(f, 16 * MIB, 0, variant->split);
	/* vmemmap below the direct map. */
	put64(f, 16 * MIB + VMEMMAP_OFF, b->page_offset - 4096);
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "are not ascending"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(kaslr, a_banner_its_page_tables_map_twice_is_refused)
{
	uint64_t chunk = BANNER_OFF & ~(2 * MIB - 1);
	struct fake *f = &self->f;
	struct kt_kaslr k;

	place_image(f, 16 * MIB, 0, variant->split);
	/* The banner's 2 MiB also at 100 MiB up: which one is the kernel's? */
	map(f, 16 * MIB + TOP_PGT_OFF, LINK_TEXT + 100 * MIB + chunk,
	    16 * MIB + chunk, 2 * MIB);
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "linux_banner is at guest-physical 0x1200040, but its init_top_pgt (guest-physical 0x1300000"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "maps it more than once in the kernel image's 1 GiB"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(kaslr, a_symbol_the_image_would_put_outside_ram_is_refused)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	place_image(f, 16 * MIB, 0, variant->split);
	/* 100 MiB into the image: past the end of 64 MiB of RAM. */
	f->l.sym[KT_SYM_PAGE_OFFSET_BASE] = LINK_TEXT + 100 * MIB;
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "linux_banner is at guest-physical 0x1200040, but its page_offset_base would be at guest-physical 0x7400000, which is not RAM"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(NULL, strstr(kt_errmsg(), "no other copy"));
}

/* Two copies, neither checks out: the first is told, the other counted. */
TEST_F(kaslr, no_copy_that_checks_out_is_an_error_naming_the_first)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	place_image(f, 16 * MIB, 0, variant->split);
	memset(f->ram + 16 * MIB + TOP_PGT_OFF, 0, 4096);
	memcpy(f->ram + 40 * MIB + BANNER_OFF, banner, sizeof(banner));
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "linux_banner is at guest-physical 0x1200040, but its init_top_pgt (guest-physical 0x1300000"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "maps it nowhere in the kernel image's 1 GiB (and no other copy of it checks out)"))
		TH_LOG("%s", kt_errmsg());
}

/*
 * A guest can plant the banner in every 2 MiB, each copy costing 512
 * page walks: past 16 the scan stops.  Sixteen are still looked at.
 */
TEST_F(kaslr, too_many_copies_of_the_banner_stop_the_scan)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;
	unsigned int i;

	place_image(f, 40 * MIB, 0, variant->split);
	for (i = 0; i < 15; i++)
		memcpy(f->ram + i * 2 * MIB + BANNER_OFF, banner,
		       sizeof(banner));
	ASSERT_EQ(0, kt_kaslr_find(&f->mem, &f->l, &k)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(16, k.matches);
	EXPECT_EQ(40 * MIB + BANNER_OFF, k.banner_pa);
	memcpy(f->ram + 15 * 2 * MIB + BANNER_OFF, banner, sizeof(banner));
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_STREQ("the guest kernel is not findable: more than 16 copies of linux_banner in its RAM (the 17th at guest-physical 0x2a00040): refusing to check them all",
		     kt_errmsg());
}

/* The vmlinux the banner came from, named when it is not found. */
TEST_F(kaslr, the_vmlinux_of_the_banner_is_named)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	snprintf(f->l.banner_from, sizeof(f->l.banner_from),
		 "/build/linux/vmlinux");
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no copy of this kernel's linux_banner of vmlinux /build/linux/vmlinux (\"Linux version"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "the guest runs another kernel than these symbols are of (a vmlinux and boot image of different builds?)"))
		TH_LOG("%s", kt_errmsg());
	place_image(f, 16 * MIB, 0, variant->split);
	memset(f->ram + 16 * MIB + TOP_PGT_OFF, 0, 4096);
	EXPECT_EQ(-1, kt_kaslr_find(&f->mem, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "linux_banner of vmlinux /build/linux/vmlinux is at guest-physical 0x1200040, but"))
		TH_LOG("%s", kt_errmsg());
}

TEST(kaslr_bad_layouts_are_named)
{
	struct fake f;
	struct kt_kaslr k;

	fake_init(&f, 4);
	f.l.banner_len = 0;
	EXPECT_EQ(-1, kt_kaslr_find(&f.mem, &f.l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no linux_banner bytes"));
	layout_init(&f);
	f.l.sym[KT_SYM_LINUX_BANNER] = 0xffff888000001000ULL;
	EXPECT_EQ(-1, kt_kaslr_find(&f.mem, &f.l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "linux_banner's address 0xffff888000001000 is outside"))
		TH_LOG("%s", kt_errmsg());
	free(f.ram);
}

/*
 * Through real shared-memory files, as the monitor maps the guest's RAM,
 * one per NUMA node: the scan reads with pread, so the holes it looks at
 * (most of a guest's RAM) stay holes: no host memory is spent on them.
 * Teardown removes the files whatever a test asserted.
 */
FIXTURE(ramfile) {
	char prefix[64], path[2][80];
	int fd[2];
	struct fake f;
	struct kt_guestmem m;
	bool opened;
};

FIXTURE_SETUP(ramfile)
{
	unsigned int n;

	snprintf(self->prefix, sizeof(self->prefix),
		 "/dev/shm/ktstr-kaslrtest-%d", getpid());
	for (n = 0; n < 2; n++) {
		snprintf(self->path[n], sizeof(self->path[n]), "%s-ram%u",
			 self->prefix, n);
		self->fd[n] = -1;
	}
	fake_init(&self->f, 4);
}

FIXTURE_TEARDOWN(ramfile)
{
	unsigned int n;

	if (self->opened)
		kt_guestmem_close(&self->m);
	for (n = 0; n < 2; n++) {
		if (self->fd[n] >= 0)
			close(self->fd[n]);
		unlink(self->path[n]);
	}
	free(self->f.ram);
}

/* Node @n's file, @size bytes of holes. */
static int ram_file(struct _test_data_ramfile *self, unsigned int n,
		    uint64_t size)
{
	self->fd[n] = open(self->path[n], O_RDWR | O_CREAT | O_EXCL, 0600);
	if (self->fd[n] < 0 || ftruncate(self->fd[n], size))
		return -1;
	return 0;
}

static int ram_open(struct _test_data_ramfile *self, unsigned int nodes)
{
	if (kt_guestmem_open(&self->m, self->prefix, nodes))
		return -1;
	self->opened = true;
	return 0;
}

static long long blocks(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : (long long)st.st_blocks;
}

TEST_F(ramfile, a_scan_allocates_nothing)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;

	place_image(f, 30 * MIB, 64 * MIB, false);
	ASSERT_EQ(0, ram_file(self, 0, RAM_SIZE));
	/* An empty guest first: nothing found, nothing allocated. */
	ASSERT_EQ(0, ram_open(self, 1)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(-1, kt_kaslr_find(&self->m, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no copy of this kernel's linux_banner"));
	EXPECT_EQ(0, blocks(self->fd[0]));
	/* Then the image, and only its pages are there. */
	ASSERT_EQ(IMAGE_SIZE, pwrite(self->fd[0], f->ram + 30 * MIB,
				     IMAGE_SIZE, 30 * MIB));
	ASSERT_EQ(0, kt_kaslr_find(&self->m, &f->l, &k)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(64 * MIB, k.virt_offset);
	/* Its 4 MiB, or up to two 2 MiB pages more with shmem THP. */
	EXPECT_LE(IMAGE_SIZE / 512, blocks(self->fd[0]));
	EXPECT_GE((IMAGE_SIZE + 4 * MIB) / 512, blocks(self->fd[0]));
}

/*
 * 4 GiB of RAM in two nodes, as q35 splits it: node 0 at guest-physical
 * 0, node 1 at 4 GiB, the image in node 1.  Sparse files: 2048 places
 * looked at, nothing allocated but the image.
 */
TEST_F(ramfile, an_image_above_4_gib_in_the_second_node_is_found)
{
	const uint64_t node = 2048 * MIB, pa = KT_GUESTMEM_4G + 40 * MIB;
	struct fake *f = &self->f;
	struct kt_kaslr k;

	f->base = KT_GUESTMEM_4G + 32 * MIB;
	place_image(f, pa, 300 * MIB, true);
	ASSERT_EQ(0, ram_file(self, 0, node));
	ASSERT_EQ(0, ram_file(self, 1, node));
	ASSERT_EQ(IMAGE_SIZE, pwrite(self->fd[1], at(f, pa), IMAGE_SIZE,
				     pa - KT_GUESTMEM_4G));
	ASSERT_EQ(0, ram_open(self, 2)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(2 * node, self->m.ram_size);
	EXPECT_EQ(node, self->m.below_4g);
	ASSERT_EQ(0, kt_kaslr_find(&self->m, &f->l, &k)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(pa + BANNER_OFF, k.banner_pa);
	EXPECT_EQ(300 * MIB, k.virt_offset);
	EXPECT_EQ(pa - (LINK_TEXT + 300 * MIB - KT_START_KERNEL_MAP),
		  k.phys_base);
	EXPECT_EQ(2 * node / (2 * MIB), k.probes);
	EXPECT_EQ(0, blocks(self->fd[0]));
	EXPECT_GE((IMAGE_SIZE + 4 * MIB) / 512, blocks(self->fd[1]));
}

/*
 * A banner across the end of node 0's file and the start of node 1's:
 * matched (then refused: no page tables), so read across the two files.
 */
TEST_F(ramfile, a_banner_across_two_nodes_files_is_matched)
{
	const uint64_t node = 32 * MIB, split = 0x20;
	struct fake *f = &self->f;
	struct kt_kaslr k;

	/* linux_banner 0x20 bytes before the end of a 2 MiB. */
	f->l.sym[KT_SYM_LINUX_BANNER] = LINK_TEXT + 2 * MIB - split;
	ASSERT_EQ(0, ram_file(self, 0, node));
	ASSERT_EQ(0, ram_file(self, 1, node));
	ASSERT_EQ((ssize_t)split, pwrite(self->fd[0], banner, split, node - split));
	ASSERT_EQ((ssize_t)(sizeof(banner) - split),
		  pwrite(self->fd[1], banner + split, sizeof(banner) - split,
			 0));
	ASSERT_EQ(0, ram_open(self, 2)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(-1, kt_kaslr_find(&self->m, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "linux_banner is at guest-physical 0x1ffffe0, but its init_top_pgt"))
		TH_LOG("%s", kt_errmsg());
}

/* A read that fails is no "not found": the file and errno are told. */
TEST_F(ramfile, a_failed_read_names_the_file)
{
	struct fake *f = &self->f;
	struct kt_kaslr k;
	int pipe_fd[2];

	ASSERT_EQ(0, ram_file(self, 0, RAM_SIZE));
	ASSERT_EQ(0, ram_open(self, 1)) TH_LOG("%s", kt_errmsg());
	/* The node's descriptor now a pipe: pread fails with ESPIPE. */
	ASSERT_EQ(0, pipe(pipe_fd));
	ASSERT_LE(0, dup2(pipe_fd[0], self->m.node[0].fd));
	close(pipe_fd[0]);
	close(pipe_fd[1]);
	EXPECT_EQ(-1, kt_kaslr_find(&self->m, &f->l, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "the guest kernel cannot be looked for: guest memory /dev/shm/ktstr-kaslrtest-"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "-ram0: reading guest-physical 0x40 (offset 0x40): Illegal seek"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(ramfile, a_file_cut_short_is_a_read_error)
{
	char buf[16];

	ASSERT_EQ(0, ram_file(self, 0, RAM_SIZE));
	ASSERT_EQ(0, ram_open(self, 1)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, ftruncate(self->fd[0], MIB));
	EXPECT_EQ(0, kt_guestmem_peek(&self->m, 4096, buf, sizeof(buf)));
	EXPECT_EQ(-1, kt_guestmem_peek(&self->m, 2 * MIB, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "-ram0: reading guest-physical 0x200000 (offset 0x200000): 0 of 16 bytes: the file is shorter than when it was mapped"))
		TH_LOG("%s", kt_errmsg());
}

TEST_HARNESS_MAIN
