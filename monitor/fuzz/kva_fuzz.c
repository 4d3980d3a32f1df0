// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor's view of guest memory, driven by a crafted guest: the
 * input is a header and a guest-physical RAM image (from 0), split into
 * NUMA nodes.  The page-table walker translates and reads a virtual
 * address from a root table the header names, with 4- or 5-level paging,
 * and the target setup finds the kernel (kaslr.c's search for its banner
 * and page tables), its paging mode and per-CPU offsets in the image, as
 * it does in a running guest's RAM.  With FLAG_ARM64 the same input is an
 * arm64 guest's: RAM from 1 GiB, arm64's walk (kva_arm64.c, LPA2 with 5
 * levels) and search (kaslr_arm64.c).
 *
 * The image is the guest's to fill: every table entry, every pointer and
 * count read from it is hostile.  monitor/fuzz/kva_corpus.py writes the
 * seeds, from a real guest's RAM snapshot.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "guestmem.h"
#include "kva.h"
#include "layout.h"
#include "target.h"

#define MAX_NODES 4
#define MAX_READ 8192
#define FUZZ_BANNER_MAX 256

enum { SYM_BANNER, SYM_PAGE_OFFSET_BASE, SYM_VMALLOC_BASE, SYM_INIT_TOP_PGT,
	SYM_PGTABLE_L5, SYM_PER_CPU_OFFSET, SYM_NR_CPU_IDS, NR_HDR_SYMS };

/* Little-endian, as kva_corpus.py packs it. */
struct kva_fuzz_header {
	uint8_t flags;
#define FLAG_L5 0x1		/* the walk: 5-level paging */
#define FLAG_VMALLOC_BASE 0x2	/* the kernel has these symbols */
#define FLAG_PGTABLE_L5 0x4
#define FLAG_NR_CPU_IDS 0x8
/*
 * An arm64 guest: the header's symbols are offsets from the arm64 image's
 * link address (_text), and init_top_pgt's, page_offset_base's and
 * vmalloc_base's stand for swapper_pg_dir, memstart_addr and
 * kimage_voffset.
 */
#define FLAG_ARM64 0x10
	uint8_t nr_nodes;	/* modulo MAX_NODES, plus 1 */
	uint16_t read_len;	/* bytes read at @va, modulo MAX_READ + 1 */
	uint32_t node0_pages;	/* node 0's size, with more than one node */
	uint64_t top_pgt;	/* the walk's root table, guest-physical */
	uint64_t va;
	/* Kernel-image symbols, as offsets from __START_KERNEL_map. */
	uint32_t sym[NR_HDR_SYMS];
	uint16_t max_cpus;
	uint16_t field_offset;	/* a field read at @va, then per CPU */
	uint8_t field_size;
	uint8_t cpu;
	uint8_t pad[6];
} __packed;

_Static_assert(sizeof(struct kva_fuzz_header) == 64, "kva_corpus.py packs 64");

#define ARM64_TEXT 0xffff800080000000ULL

static const enum kt_sym hdr_syms[NR_HDR_SYMS] = {
	[SYM_BANNER] = KT_SYM_LINUX_BANNER,
	[SYM_PAGE_OFFSET_BASE] = KT_SYM_PAGE_OFFSET_BASE,
	[SYM_VMALLOC_BASE] = KT_SYM_VMALLOC_BASE,
	[SYM_INIT_TOP_PGT] = KT_SYM_INIT_TOP_PGT,
	[SYM_PGTABLE_L5] = KT_SYM_PGTABLE_L5,
	[SYM_PER_CPU_OFFSET] = KT_SYM_PER_CPU_OFFSET,
	[SYM_NR_CPU_IDS] = KT_SYM_NR_CPU_IDS,
};

static const enum kt_sym hdr_syms_arm64[NR_HDR_SYMS] = {
	[SYM_BANNER] = KT_SYM_LINUX_BANNER,
	[SYM_PAGE_OFFSET_BASE] = KT_SYM_MEMSTART_ADDR,
	[SYM_VMALLOC_BASE] = KT_SYM_KIMAGE_VOFFSET,
	[SYM_INIT_TOP_PGT] = KT_SYM_SWAPPER_PG_DIR,
	[SYM_PGTABLE_L5] = KT_SYM_PGTABLE_L5,
	[SYM_PER_CPU_OFFSET] = KT_SYM_PER_CPU_OFFSET,
	[SYM_NR_CPU_IDS] = KT_SYM_NR_CPU_IDS,
};

/*
 * Each node's RAM in a buffer of its own, of exactly its size, so that
 * AddressSanitizer sees any read past a node's end.
 */
static int split_nodes(const struct kva_fuzz_header *h, const uint8_t *ram,
		       size_t size, uint8_t **bases, uint64_t *sizes)
{
	unsigned int nodes = h->nr_nodes % MAX_NODES + 1, n;
	size_t left = size, len;

	for (n = 0; n < nodes; n++) {
		if (n == nodes - 1)
			len = left;
		else if (n == 0)
			len = (uint64_t)h->node0_pages * 4096 < left ?
			      (uint64_t)h->node0_pages * 4096 : left;
		else
			len = left / 2 & ~4095UL;
		/* A node has memory: zero bytes of it would be no file. */
		bases[n] = malloc(len ? len : 1);
		if (!bases[n]) {
			while (n--)
				free(bases[n]);
			return -1;
		}
		memcpy(bases[n], ram + (size - left), len);
		sizes[n] = len ? len : 1;
		left -= len;
	}
	return nodes;
}

static void walk(const struct kva_fuzz_header *h, const struct kt_guestmem *m)
{
	struct kt_kva k = {
		.mem = m,
		.arch = h->flags & FLAG_ARM64 ? KT_ARCH_ARM64 : KT_ARCH_X86_64,
		.top_pgt = h->top_pgt,
		.levels = h->flags & FLAG_L5 ? 5 : 4,
		.lpa2 = h->flags & FLAG_L5,
	};
	static uint8_t buf[MAX_READ];
	uint64_t pa, page_size;

	k.page_offset_base = k.levels == 5 ? 0xff11000000000000ULL :
					     0xffff888000000000ULL;
	k.direct_map_end = k.page_offset_base + (1ULL << 46);
	if (k.arch == KT_ARCH_ARM64) {
		k.page_offset_base = -(1ULL << (k.levels == 5 ? 52 : 48));
		k.direct_map_end = KT_ARM64_PAGE_END;
		k.direct_map_pa = KT_GUESTMEM_VIRT_BASE;
		k.kimage_voffset = ARM64_TEXT - KT_GUESTMEM_VIRT_BASE;
	}
	kt_kva_walk(&k, h->va, &pa, &page_size);
	kt_kva_read(&k, h->va, buf, h->read_len % (MAX_READ + 1));
}

/*
 * What the kernel search looks for: the string the image holds where
 * its symbol says, as a nokaslr guest's RAM (the seeds) has it; the
 * search then scans the whole image for it, whatever the guest did.
 */
static void set_banner(struct kt_layout *l, const struct kt_guestmem *m,
		       uint64_t pa)
{
	char *nul;

	if (kt_guestmem_read(m, pa, l->banner, FUZZ_BANNER_MAX))
		return;
	nul = memchr(l->banner, '\0', FUZZ_BANNER_MAX);
	if (nul)
		l->banner_len = nul - l->banner + 1;
}

static void setup(const struct kva_fuzz_header *h, struct kt_target *t)
{
	static struct kt_layout l;
	static const uint8_t optional[NR_HDR_SYMS] = {
		[SYM_VMALLOC_BASE] = FLAG_VMALLOC_BASE,
		[SYM_PGTABLE_L5] = FLAG_PGTABLE_L5,
		[SYM_NR_CPU_IDS] = FLAG_NR_CPU_IDS,
	};
	struct kt_field f = {
		.offset = h->field_offset, .size = h->field_size,
		.available = true,
	};
	const enum kt_sym *syms = hdr_syms;
	uint64_t image = KT_START_KERNEL_MAP, ram = 0;
	unsigned int s;
	int64_t value;

	memset(&l, 0, sizeof(l));
	if (h->flags & FLAG_ARM64) {
		l.arch = KT_ARCH_ARM64;
		syms = hdr_syms_arm64;
		image = ARM64_TEXT;
		ram = KT_GUESTMEM_VIRT_BASE;
		l.sym[KT_SYM_TEXT] = ARM64_TEXT;
		l.sym[KT_SYM_END] = ARM64_TEXT + (1ULL << 32);
		l.has_sym[KT_SYM_TEXT] = l.has_sym[KT_SYM_END] = true;
	}
	for (s = 0; s < NR_HDR_SYMS; s++) {
		l.sym[syms[s]] = image + h->sym[s];
		l.has_sym[syms[s]] = !optional[s] || (h->flags & optional[s]);
	}
	set_banner(&l, &t->mem, ram + h->sym[SYM_BANNER]);
	if (kt_target_setup(t, &l, h->max_cpus % (KT_TARGET_MAX_CPUS + 8)))
		return;
	kt_target_read_field(t, h->va, &f, &value);
	if (h->cpu < t->nr_cpus)
		kt_target_read_field(t, kt_target_percpu(t, h->va, h->cpu),
				     &f, &value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_target t;
	const void *bases[MAX_NODES];
	uint8_t *own[MAX_NODES];
	uint64_t sizes[MAX_NODES];
	struct kva_fuzz_header h;
	int nodes, n;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	nodes = split_nodes(&h, data + sizeof(h), size - sizeof(h), own, sizes);
	if (nodes < 0)
		return 0;
	for (n = 0; n < nodes; n++)
		bases[n] = own[n];
	memset(&t, 0, sizeof(t));
	if (!kt_guestmem_init(&t.mem, bases, sizes, nodes)) {
		if (h.flags & FLAG_ARM64)
			kt_guestmem_set_arch(&t.mem, KT_ARCH_ARM64);
		walk(&h, &t.mem);
		setup(&h, &t);
	}
	for (n = 0; n < nodes; n++)
		free(own[n]);
	return 0;
}
