// SPDX-License-Identifier: GPL-2.0
/*
 * Finding an arm64 guest kernel in its RAM (monitor/kaslr_arm64.c) and
 * reading it (kt_target), against a RAM file made of the real arm64
 * kernel: the loadable segments of the cache entry's vmlinux placed at a
 * physical address a test chooses, run at a virtual offset it chooses,
 * with swapper_pg_dir holding the page tables the kernel would have, 4
 * levels or 5 with LPA2, and the variables the kernel sets at boot
 * (kimage_voffset, memstart_addr, the per-CPU offsets).  Then each way
 * a copy of the banner is refused, and what the monitor refuses to do
 * with an arm64 kernel.  Without an arm64 kernel in the cache, skipped.
 */
#include <endian.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "error.h"
#include "kaslr.h"
#include "kernel.h"
#include "kva.h"
#include "monitor.h"
#include "target.h"

#define RAM_BASE KT_GUESTMEM_VIRT_BASE
#define RAM_SIZE (160ULL << 20)	/* unless a variant says */
#define MIB (1ULL << 20)
#define TABLES(g) (RAM_BASE + (g)->ram_size - 8 * MIB)	/* page tables */
#define PCPU_PA(cpu) (RAM_BASE + 0x20000 + (cpu) * 0x40000ULL)
#define VALID 0x1ULL
#define TABLE 0x2ULL
#define AF (1ULL << 10)
#define OA_48 0x0000fffffffff000ULL
#define PAGE_OFFSET_48 (-(1ULL << 48))
#define PAGE_OFFSET_52 (-(1ULL << 52))

struct guest {
	struct kt_kernel k;
	struct kt_btf btf;
	struct kt_symbols syms;
	struct kt_layout l;
	char prefix[64], path[80];
	int fd;
	uint8_t *ram;			/* the RAM file, writable */
	uint64_t ram_size;
	unsigned int levels;
	uint64_t next_table;
	uint64_t top;			/* swapper_pg_dir's guest-physical */
	uint64_t image_pa, voff, memstart;
};

static uint8_t *at(struct guest *g, uint64_t pa)
{
	return g->ram + (pa - RAM_BASE);
}

static void put64(struct guest *g, uint64_t pa, uint64_t v)
{
	memcpy(at(g, pa), &v, 8);
}

static uint64_t sym(struct guest *g, const char *name)
{
	uint64_t addr = 0;

	kt_symbols_find(&g->syms, name, &addr);
	return addr;
}

/* Guest-physical of image symbol @name. */
static uint64_t sym_pa(struct guest *g, const char *name)
{
	return g->image_pa + sym(g, name) - g->l.sym[KT_SYM_TEXT];
}

static uint64_t new_table(struct guest *g)
{
	uint64_t t = g->next_table;

	g->next_table += 4096;
	memset(at(g, t), 0, 4096);
	return t;
}

static unsigned int index_at(const struct guest *g, uint64_t va, int level)
{
	if (level == -1)
		return (va >> 48) & 15;
	return (va >> (12 + 9 * (3 - level))) & 511;
}

/* A 4 KiB page or a 2 MiB block; addresses below 1 PiB, LPA2 or not. */
static void map(struct guest *g, uint64_t va, uint64_t pa, uint64_t size)
{
	int leaf = size == 2 * MIB ? 2 : 3;
	int level = g->levels == 5 ? -1 : 0;
	uint64_t table = g->top, *e;

	for (; level < leaf; level++) {
		e = (uint64_t *)at(g, table) + index_at(g, va, level);
		if (!(*e & VALID))
			*e = new_table(g) | VALID | TABLE;
		table = *e & OA_48;
	}
	e = (uint64_t *)at(g, table) + index_at(g, va, leaf);
	*e = pa | VALID | (leaf == 3 ? TABLE : 0) | AF;
}

/* The vmlinux's loadable segments, at @g->image_pa on. */
static int copy_segments(struct guest *g)
{
	int fd = open(g->k.vmlinux, O_RDONLY), ret = -1;
	GElf_Phdr ph;
	size_t n, i;
	Elf *e;

	elf_version(EV_CURRENT);
	e = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_getphdrnum(e, &n))
		goto out;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (pread(fd, at(g, g->image_pa + ph.p_vaddr -
				 g->l.sym[KT_SYM_TEXT]),
			  ph.p_filesz, ph.p_offset) != (ssize_t)ph.p_filesz)
			goto out;
	}
	ret = 0;
out:
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * The kernel as it runs: its image at @pa, run @voff above its link
 * address, mapped by 4 KiB pages or 2 MiB blocks; the linear map of all
 * RAM; two CPUs' per-CPU offsets; and memstart_addr as the kernel sets
 * it, negative for a 52-bit kernel run with 48 bits.
 */
static int boot(struct guest *g, uint64_t pa, uint64_t voff,
		unsigned int levels, bool blocks)
{
	uint64_t text = g->l.sym[KT_SYM_TEXT], end = g->l.sym[KT_SYM_END];
	uint64_t size = (end - text + 2 * MIB - 1) & ~(2 * MIB - 1);
	uint64_t page_offset = levels == 5 ? PAGE_OFFSET_52 : PAGE_OFFSET_48;
	uint64_t off, step = blocks ? 2 * MIB : 4096, pcpu;
	unsigned int cpu;

	g->image_pa = pa;
	g->voff = voff;
	g->levels = levels;
	if (copy_segments(g))	/* into a new file: zeros elsewhere */
		return -1;
	g->next_table = TABLES(g);
	g->top = sym_pa(g, "swapper_pg_dir");
	memset(at(g, g->top), 0, 4096);
	for (off = 0; off < size; off += step)
		map(g, text + voff + off, pa + off, step);
	for (off = 0; off < g->ram_size; off += 2 * MIB)
		map(g, page_offset + off, RAM_BASE + off, 2 * MIB);
	put64(g, sym_pa(g, "kimage_voffset"), text + voff - pa);
	g->memstart = RAM_BASE;
	if (levels == 4)	/* CONFIG_ARM64_VA_BITS=52, no LPA2 */
		g->memstart -= PAGE_OFFSET_48 - PAGE_OFFSET_52;
	put64(g, sym_pa(g, "memstart_addr"), g->memstart);
	put64(g, sym_pa(g, "nr_cpu_ids"), 2);
	pcpu = sym(g, "__per_cpu_start") + voff;
	for (cpu = 0; cpu < 2; cpu++)
		put64(g, sym_pa(g, "__per_cpu_offset") + cpu * 8,
		      page_offset + PCPU_PA(cpu) - RAM_BASE - pcpu);
	return 0;
}

static int guest_init(struct guest *g)
{
	snprintf(g->prefix, sizeof(g->prefix), "/dev/shm/ktstr-kaslr64-%d",
		 getpid());
	snprintf(g->path, sizeof(g->path), "%s-ram0", g->prefix);
	g->fd = open(g->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (g->fd < 0 || ftruncate(g->fd, g->ram_size))
		return -1;
	g->ram = mmap(NULL, g->ram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->fd, 0);
	if (g->ram == MAP_FAILED)
		return -1;
	if (kt_btf_load(&g->btf, g->k.btf) ||
	    kt_symbols_load(&g->syms, g->k.vmlinux, g->k.system_map) ||
	    kt_layout_resolve_arch(&g->l, KT_ARCH_ARM64, &g->btf, &g->syms) ||
	    kt_layout_read_banner(&g->l, g->k.vmlinux))
		return -1;
	return 0;
}

static void guest_free(struct guest *g)
{
	if (g->ram && g->ram != MAP_FAILED)
		munmap(g->ram, g->ram_size);
	if (g->fd >= 0)
		close(g->fd);
	unlink(g->path);
	kt_symbols_free(&g->syms);
	kt_btf_free(&g->btf);
}

FIXTURE(arm64) {
	struct guest g;
	struct kt_target t;
	bool attached;
};

FIXTURE_VARIANT(arm64) {
	uint64_t ram_size;		/* 0: RAM_SIZE */
	uint64_t pa, voff;
	unsigned int levels;
	bool blocks;
};

/* QEMU's -kernel place, nokaslr, a 52-bit kernel on lpa2=off. */
FIXTURE_VARIANT_ADD(arm64, qemu_nokaslr_4_level) {
	.pa = RAM_BASE + 2 * MIB, .voff = 0, .levels = 4,
};

FIXTURE_VARIANT_ADD(arm64, kaslr_4_level_2_mib_blocks) {
	.pa = RAM_BASE + 4 * MIB, .voff = 0x2a7c00000ULL, .levels = 4,
	.blocks = true,
};

/* 4 GiB, mostly holes in the file: 65536 places to look at. */
FIXTURE_VARIANT_ADD(arm64, qemu_nokaslr_4_gib) {
	.ram_size = 4ULL << 30, .pa = RAM_BASE + 2 * MIB, .levels = 4,
};

/* An EFI stub's 64 KiB place, KASLR, LPA2 and 52-bit VA. */
FIXTURE_VARIANT_ADD(arm64, kaslr_5_level_lpa2) {
	.pa = RAM_BASE + 0x3a10000ULL, .voff = 0x1f3b50000ULL, .levels = 5,
};

FIXTURE_SETUP(arm64)
{
	self->g.fd = -1;
	self->g.ram_size = variant->ram_size ?: RAM_SIZE;
	if (kt_kernel_resolve_arch(NULL, KT_ARCH_ARM64, &self->g.k))
		SKIP(return, "no arm64 kernel in the cache: run './ktstr kernel fetch --arch arm64'");
	ASSERT_EQ(0, guest_init(&self->g)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, boot(&self->g, variant->pa, variant->voff,
			  variant->levels, variant->blocks));
}

FIXTURE_TEARDOWN(arm64)
{
	if (self->attached)
		kt_target_detach(&self->t);
	guest_free(&self->g);
}

static int attach(struct _test_data_arm64 *self)
{
	int ret = kt_target_attach(&self->t, &self->g.l, self->g.prefix, 1,
				   8);

	self->attached = !ret;
	return ret;
}

TEST_F(arm64, the_kernel_is_found_and_read)
{
	struct guest *g = &self->g;
	const struct kt_kaslr *k = &self->t.place;
	uint64_t banner = g->l.sym[KT_SYM_LINUX_BANNER] + variant->voff;
	uint64_t rq, pa, walked;
	char buf[32] = "";

	ASSERT_EQ(0, attach(self)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(KT_ARCH_ARM64, k->arch);
	EXPECT_EQ(variant->voff, k->virt_offset);
	EXPECT_EQ(variant->voff != 0, kt_kaslr_moved(k));
	EXPECT_EQ(variant->pa, k->image_pa);
	EXPECT_EQ(sym_pa(g, "linux_banner"), k->banner_pa);
	EXPECT_EQ(g->l.sym[KT_SYM_TEXT] + variant->voff - variant->pa,
		  k->kimage_voffset);
	EXPECT_EQ(variant->levels, k->levels);
	EXPECT_EQ(variant->levels == 5, k->lpa2);
	EXPECT_EQ(g->memstart, k->memstart_addr);
	EXPECT_EQ(variant->levels == 5 ? PAGE_OFFSET_52 : PAGE_OFFSET_48,
		  k->page_offset_base);
	EXPECT_EQ(RAM_BASE, k->direct_map_pa);
	EXPECT_EQ(1, k->matches);
	/* One place per 64 KiB of RAM, the image's included. */
	EXPECT_EQ(g->ram_size / (64 << 10), k->probes);
	EXPECT_EQ(2, self->t.nr_cpus);
	/* What it took, for the documentation: not an assertion. */
	ksft_print_msg("arm64 kernel found in %.1f ms (%u places compared in %llu MiB)\n",
		       self->t.find_us / 1000, k->probes,
		       (unsigned long long)(g->ram_size >> 20));

	/* The image by its offset, and by the page tables. */
	ASSERT_EQ(0, kt_target_read(&self->t, banner, buf, 14));
	EXPECT_STREQ("Linux version ", buf);
	ASSERT_EQ(0, kt_kva_walk(&self->t.kva, banner, &pa, NULL))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(k->banner_pa, pa);

	/* CPU 1's runqueue, through the linear map, as the tables map it. */
	rq = kt_target_percpu(&self->t, kt_target_sym(&self->t,
						      KT_SYM_RUNQUEUES), 1);
	memcpy(at(g, PCPU_PA(1) + sym(g, "runqueues") -
		  sym(g, "__per_cpu_start")), "rq of cpu 1", 12);
	ASSERT_EQ(0, kt_target_read(&self->t, rq, buf, 12))
		TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("rq of cpu 1", buf);
	ASSERT_EQ(0, kt_kva_to_pa(&self->t.kva, rq, &pa));
	ASSERT_EQ(0, kt_kva_walk(&self->t.kva, rq, &walked, NULL))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(walked, pa);
}

/* What the message says of the first copy of the banner found. */
static const char *refusal(struct _test_data_arm64 *self)
{
	static char msg[1024];

	if (!attach(self))
		return "found";
	snprintf(msg, sizeof(msg), "%s", kt_errmsg());
	return msg;
}

TEST_F(arm64, another_build_is_not_found)
{
	struct guest *g = &self->g;
	char want[PATH_MAX + 200];

	at(g, sym_pa(g, "linux_banner"))[20] ^= 1;
	snprintf(want, sizeof(want),
		 "the guest kernel is not in its RAM: no copy of this kernel's linux_banner of vmlinux %s (\"Linux version ",
		 g->k.vmlinux);
	EXPECT_NE(NULL, strstr(refusal(self), want)) TH_LOG("%s", kt_errmsg());
	snprintf(want, sizeof(want),
		 "at any of the %llu places a 64 KiB-aligned image could put it in %llu MiB",
		 (unsigned long long)(g->ram_size >> 16),
		 (unsigned long long)(g->ram_size >> 20));
	EXPECT_NE(NULL, strstr(kt_errmsg(), want)) TH_LOG("%s", kt_errmsg());
}

TEST_F(arm64, a_banner_without_an_image_header_is_refused)
{
	struct guest *g = &self->g;
	char want[200];

	memset(at(g, variant->pa + 0x38), 0, 4);
	snprintf(want, sizeof(want),
		 "but no arm64 Image header (\"ARM\\x64\" at +0x38) at its _text, guest-physical 0x%llx",
		 (unsigned long long)variant->pa);
	EXPECT_NE(NULL, strstr(refusal(self), want)) TH_LOG("%s", kt_errmsg());
}

TEST_F(arm64, pages_other_than_4_kib_are_refused)
{
	struct guest *g = &self->g;

	at(g, variant->pa + 0x30)[0] = 2 << 1;
	EXPECT_NE(NULL, strstr(refusal(self), "its Image header says 16 KiB pages: the monitor walks the page tables of arm64 guests with 4 KiB pages only"))
		TH_LOG("%s", kt_errmsg());
	at(g, variant->pa + 0x30)[0] = 3 << 1;
	EXPECT_NE(NULL, strstr(refusal(self), "says 64 KiB pages"));
	at(g, variant->pa + 0x30)[0] = 1;
	EXPECT_NE(NULL, strstr(refusal(self), "its Image header says big-endian: the monitor reads little-endian arm64 guests only"));
}

TEST_F(arm64, a_kimage_voffset_off_the_image_region_is_refused)
{
	struct guest *g = &self->g;

	put64(g, sym_pa(g, "kimage_voffset"), 0);
	EXPECT_NE(NULL, strstr(refusal(self), "its kimage_voffset 0x0 would put _text at 0x"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "not a 64 KiB-aligned address of the kernel image region"));
	/* In the region, but not where KASLR can put it. */
	put64(g, sym_pa(g, "kimage_voffset"),
	      g->l.sym[KT_SYM_TEXT] + variant->voff - variant->pa + 0x1000);
	EXPECT_NE(NULL, strstr(refusal(self), "not a 64 KiB-aligned address"));
}

TEST_F(arm64, page_tables_that_do_not_map_the_banner_are_refused)
{
	struct guest *g = &self->g;
	char want[300];

	memset(at(g, g->top), 0, 4096);
	snprintf(want, sizeof(want),
		 "its swapper_pg_dir (guest-physical 0x%llx) maps linux_banner's run-time address 0x%llx there with neither 4- nor 5-level translation",
		 (unsigned long long)g->top,
		 (unsigned long long)(g->l.sym[KT_SYM_LINUX_BANNER] +
				      variant->voff));
	EXPECT_NE(NULL, strstr(refusal(self), want)) TH_LOG("%s", kt_errmsg());
}

/*
 * Tables that both translations can walk to the banner: a top-level
 * entry for level -1's index that points back at the top table.
 */
TEST_F(arm64, page_tables_that_map_the_banner_both_ways_are_refused)
{
	struct guest *g = &self->g;
	uint64_t banner = g->l.sym[KT_SYM_LINUX_BANNER] + variant->voff;
	uint64_t *e;

	if (variant->levels == 5) {
		/* Level -1's entry points at level 0: make that the top. */
		g->top = ((uint64_t *)at(g, g->top))[index_at(g, banner, -1)] &
			 OA_48;
		memcpy(at(g, sym_pa(g, "swapper_pg_dir")), at(g, g->top), 4096);
		g->top = sym_pa(g, "swapper_pg_dir");
	}
	e = (uint64_t *)at(g, g->top) + index_at(g, banner, -1);
	*e = g->top | VALID | TABLE;
	EXPECT_NE(NULL, strstr(refusal(self), "there with both 4- and 5-level translation"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(arm64, a_linear_map_not_yet_set_up_or_above_the_image_is_refused)
{
	struct guest *g = &self->g;

	put64(g, sym_pa(g, "memstart_addr"), ~0ULL);
	EXPECT_NE(NULL, strstr(refusal(self), "its memstart_addr is still -1: the kernel has not set up its linear map yet"))
		TH_LOG("%s", kt_errmsg());
	put64(g, sym_pa(g, "memstart_addr"),
	      g->memstart + variant->pa + 64 * MIB);
	EXPECT_NE(NULL, strstr(refusal(self), "which is not a page at or below the image"))
		TH_LOG("%s", kt_errmsg());
}

/* A stale copy of the banner (a vmlinux in the guest's files) is not it. */
TEST_F(arm64, a_stale_copy_of_the_banner_is_not_the_kernel)
{
	struct guest *g = &self->g;
	uint64_t phase = sym_pa(g, "linux_banner") & 0xffff;

	memcpy(at(g, RAM_BASE + MIB + phase), at(g, sym_pa(g, "linux_banner")),
	       g->l.banner_len);
	ASSERT_EQ(0, attach(self)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(2, self->t.place.matches);
	EXPECT_EQ(sym_pa(g, "linux_banner"), self->t.place.banner_pa);
}

/* Symbols no arm64 image can have, refused before RAM is read. */
TEST_F(arm64, a_layout_out_of_the_image_region_is_refused)
{
	struct guest *g = &self->g;

	g->l.sym[KT_SYM_TEXT] += 0x1000;
	EXPECT_NE(NULL, strstr(refusal(self), "arm64 kernel symbols _text 0xffff800080001000, linux_banner 0x"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "are not an image in the kernel image region (at or above 0xffff800000000000, _text 64 KiB-aligned)"));
}

/* Without a symbol finding an arm64 kernel needs, the layout says which. */
TEST_F(arm64, a_kernel_without_swapper_pg_dir_is_refused)
{
	struct kt_symbol few[] = {	/* sorted by name, as loaded */
		{ 0xffff8000828d0000ULL, "_end" },
		{ 0xffff800080000000ULL, "_text" },
		{ 0xffff80008149b898ULL, "linux_banner" },
	};
	struct kt_symbols syms = { .by_name = few, .count = 3,
				   .source = "few.map" };
	struct kt_layout l;

	EXPECT_EQ(-1, kt_layout_resolve_arch(&l, KT_ARCH_ARM64, &self->g.btf,
					     &syms));
	EXPECT_STREQ("kernel symbol swapper_pg_dir not found in few.map",
		     kt_errmsg());
	/* An x86-64 kernel's needs are others. */
	EXPECT_EQ(-1, kt_layout_resolve_arch(&l, KT_ARCH_X86_64, &self->g.btf,
					     &syms));
	EXPECT_STREQ("kernel symbol page_offset_base not found in few.map",
		     kt_errmsg());
}

/* The monitor takes the arch from the kernel, and refuses what it cannot do. */
TEST(the_monitor_takes_the_arch_from_the_vmlinux)
{
	struct kt_monitor_config c = { .maps_record = "/tmp/x.memimage" };
	struct kt_monitor_kernel *mk;
	struct kt_kernel k;
	struct kt_monitor *m;
	enum kt_arch arch;

	if (kt_kernel_resolve_arch(NULL, KT_ARCH_ARM64, &k))
		SKIP(return, "no arm64 kernel in the cache: run './ktstr kernel fetch --arch arm64'");
	ASSERT_EQ(0, kt_vmlinux_arch(k.vmlinux, &arch));
	EXPECT_EQ(KT_ARCH_ARM64, arch);
	mk = kt_monitor_kernel_load(k.vmlinux, k.system_map);
	ASSERT_NE(NULL, mk) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(KT_ARCH_ARM64, kt_monitor_kernel_layout(mk)->arch);
	m = kt_monitor_new(mk, &c, 2);
	EXPECT_EQ(NULL, m);
	EXPECT_STREQ("--maps-record /tmp/x.memimage: recording is for x86-64 guests only, this kernel is arm64",
		     kt_errmsg());
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	c.maps_record = NULL;
	m = kt_monitor_new(mk, &c, 2);
	EXPECT_NE(NULL, m);
	kt_monitor_free(m);
	kt_monitor_kernel_free(mk);
}

/* An ELF header of @machine, @class and @data, in a file. */
static void elf_file(const char *path, unsigned int machine,
		     unsigned char class, unsigned char data)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, class, data,
			     EV_CURRENT },
		.e_type = ET_EXEC, .e_version = EV_CURRENT,
		.e_ehsize = sizeof(eh),
	};
	FILE *f = fopen(path, "w");

	eh.e_machine = data == ELFDATA2MSB ? htobe16(machine) : machine;
	fwrite(&eh, sizeof(eh), 1, f);
	fclose(f);
}

TEST(kernels_of_other_machines_are_refused)
{
	char path[] = "/tmp/ktstr-vmlinux-XXXXXX";
	enum kt_arch arch;
	char want[400];
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	elf_file(path, EM_RISCV, ELFCLASS64, ELFDATA2LSB);
	EXPECT_EQ(-1, kt_vmlinux_arch(path, &arch));
	snprintf(want, sizeof(want),
		 "vmlinux %s: a kernel for ELF machine 243 (64-bit, little-endian): the monitor reads x86-64 and arm64 (64-bit little-endian) kernels only",
		 path);
	EXPECT_STREQ(want, kt_errmsg());
	elf_file(path, EM_AARCH64, ELFCLASS64, ELFDATA2MSB);
	EXPECT_EQ(-1, kt_vmlinux_arch(path, &arch));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "ELF machine 183 (64-bit, big-endian)"))
		TH_LOG("%s", kt_errmsg());
	elf_file(path, EM_X86_64, ELFCLASS64, ELFDATA2LSB);
	EXPECT_EQ(0, kt_vmlinux_arch(path, &arch));
	EXPECT_EQ(KT_ARCH_X86_64, arch);
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_EQ(12, write(fd, "not an ELF\n", 12));
	close(fd);
	EXPECT_EQ(-1, kt_vmlinux_arch(path, &arch));
	snprintf(want, sizeof(want), "vmlinux %s: not an ELF file", path);
	EXPECT_STREQ(want, kt_errmsg());
	unlink(path);
}

TEST_HARNESS_MAIN
