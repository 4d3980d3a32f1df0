// SPDX-License-Identifier: GPL-2.0
/*
 * Finding an x86-64 kernel image in guest RAM, KASLR or not (and the
 * search that arm64's, kaslr_arm64.c, shares).
 *
 * 1. The image moves by multiples of 2 MiB, physically and virtually, so
 *    linux_banner (whose exact bytes the vmlinux gives) can only start at
 *    one offset in each 2 MiB of RAM: the offset its link address has.
 *    One comparison per 2 MiB: 2048 for 4 GiB of RAM.
 * 2. The image is physically contiguous: a match places every image
 *    symbol, init_top_pgt among them.  Walking that table for each
 *    virtual address the banner can have (one per 2 MiB of the 1 GiB
 *    image region) finds the one that maps to the match: the virtual
 *    offset.  phys_base follows from both, and must equal the kernel's
 *    own variable.
 * 3. The direct map, vmalloc and vmemmap bases are read from the image
 *    and must be kernel addresses in that order.
 *
 * Another copy of the banner (a stale copy of the image, a vmlinux in
 * the guest's files) fails step 2: its page table, if any, does not map
 * it.  Two copies that pass are an error, not a choice, and so are more
 * copies than a guest has for a reason: each costs up to 512 page walks,
 * and a guest could plant one in every 2 MiB.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "kaslr.h"
#include "kva.h"

/* Nothing of the kernel lies below these, with 4- and 5-level paging. */
#define L4_LOWEST_KERNEL 0xffff800000000000ULL
#define L5_LOWEST_KERNEL 0xff00000000000000ULL

/* A copy or two of the image is normal; this many is not. */
#define MAX_MATCHES 16

/*
 * arm64: the image starts at a multiple of SEGMENT_ALIGN, 64 KiB (QEMU's
 * -kernel uses 2 MiB, an EFI stub may choose less; booting.rst).
 */
#define ARM64_IMAGE_ALIGN (64ULL << 10)

/* The alignment of the image's physical start. */
static uint64_t image_align(const struct kt_layout *l)
{
	return l->arch == KT_ARCH_ARM64 ? ARM64_IMAGE_ALIGN : KT_KASLR_ALIGN;
}

/* Where linux_banner is in any aligned block the image can start at. */
static uint64_t banner_phase(const struct kt_layout *l)
{
	uint64_t start = l->arch == KT_ARCH_ARM64 ? l->sym[KT_SYM_TEXT] :
						    KT_START_KERNEL_MAP;

	return (l->sym[KT_SYM_LINUX_BANNER] - start) & (image_align(l) - 1);
}

uint64_t kt_kaslr_image_pa(const struct kt_kaslr_candidate *c,
			   enum kt_sym s)
{
	return c->l->sym[s] - c->l->sym[KT_SYM_LINUX_BANNER] + c->k.banner_pa;
}

int kt_kaslr_read_sym(struct kt_kaslr_candidate *c, enum kt_sym s,
		      void *buf, unsigned int len)
{
	uint64_t pa = kt_kaslr_image_pa(c, s);

	if (!kt_guestmem_read(c->mem, pa, buf, len))
		return 0;
	snprintf(c->why, sizeof(c->why),
		 "its %s would be at guest-physical 0x%llx, which is not RAM",
		 kt_sym_name(s), (unsigned long long)pa);
	return -1;
}

static int read_paging(struct kt_kaslr_candidate *c)
{
	uint32_t l5 = 0;

	if (kt_kaslr_read_sym(c, KT_SYM_PAGE_OFFSET_BASE,
			      &c->k.page_offset_base, 8))
		return -1;
	if (c->l->has_sym[KT_SYM_PGTABLE_L5]) {
		if (kt_kaslr_read_sym(c, KT_SYM_PGTABLE_L5, &l5, sizeof(l5)))
			return -1;
	} else {
		l5 = c->k.page_offset_base < L4_LOWEST_KERNEL;
	}
	c->k.levels = l5 ? 5 : 4;
	c->k.top_pgt = kt_kaslr_image_pa(c, KT_SYM_INIT_TOP_PGT);
	return 0;
}

/* The one virtual address in the image region that maps to the match. */
static int find_virtual(struct kt_kaslr_candidate *c)
{
	const uint64_t link = c->l->sym[KT_SYM_LINUX_BANNER];
	const struct kt_kva kva = {
		.mem = c->mem, .top_pgt = c->k.top_pgt, .levels = c->k.levels,
	};
	uint64_t va, pa, found = 0;
	unsigned int n = 0;

	for (va = KT_START_KERNEL_MAP + banner_phase(c->l);
	     va < KT_KERNEL_IMAGE_END; va += KT_KASLR_ALIGN)
		if (!kt_kva_try_walk(&kva, va, &pa) && pa == c->k.banner_pa) {
			found = va;
			n++;
		}
	if (n != 1) {
		snprintf(c->why, sizeof(c->why),
			 "its init_top_pgt (guest-physical 0x%llx, %u-level) maps it %s in the kernel image's 1 GiB",
			 (unsigned long long)c->k.top_pgt, c->k.levels,
			 n ? "more than once" : "nowhere");
		return -1;
	}
	c->k.virt_offset = found - link;
	c->k.phys_base = c->k.banner_pa - (found - KT_START_KERNEL_MAP);
	return 0;
}

static int check_phys_base(struct kt_kaslr_candidate *c)
{
	uint64_t v;

	if (!c->l->has_sym[KT_SYM_PHYS_BASE])
		return 0;
	if (kt_kaslr_read_sym(c, KT_SYM_PHYS_BASE, &v, sizeof(v)))
		return -1;
	if (v == c->k.phys_base)
		return 0;
	snprintf(c->why, sizeof(c->why),
		 "its phys_base reads 0x%llx where its page tables give 0x%llx",
		 (unsigned long long)v, (unsigned long long)c->k.phys_base);
	return -1;
}

/* Direct map, vmalloc, vmemmap: in this order, whatever KASLR chose. */
static int read_bases(struct kt_kaslr_candidate *c)
{
	const struct kt_layout *l = c->l;
	struct kt_kaslr *k = &c->k;
	uint64_t lowest = k->levels == 5 ? L5_LOWEST_KERNEL : L4_LOWEST_KERNEL;

	if ((l->has_sym[KT_SYM_VMALLOC_BASE] &&
	     kt_kaslr_read_sym(c, KT_SYM_VMALLOC_BASE,
			       &k->vmalloc_base, 8)) ||
	    (l->has_sym[KT_SYM_VMEMMAP_BASE] &&
	     kt_kaslr_read_sym(c, KT_SYM_VMEMMAP_BASE,
			       &k->vmemmap_base, 8)))
		return -1;
	if (k->page_offset_base >= lowest &&
	    (!l->has_sym[KT_SYM_VMALLOC_BASE] ||
	     k->vmalloc_base > k->page_offset_base) &&
	    (!l->has_sym[KT_SYM_VMEMMAP_BASE] ||
	     k->vmemmap_base > (k->vmalloc_base ?: k->page_offset_base)))
		return 0;
	snprintf(c->why, sizeof(c->why),
		 "its page_offset_base 0x%llx, vmalloc_base 0x%llx and vmemmap_base 0x%llx are not ascending %u-level kernel addresses",
		 (unsigned long long)k->page_offset_base,
		 (unsigned long long)k->vmalloc_base,
		 (unsigned long long)k->vmemmap_base, k->levels);
	return -1;
}

static int check_candidate(struct kt_kaslr_candidate *c)
{
	return read_paging(c) || find_virtual(c) || check_phys_base(c) ||
	       read_bases(c) ? -1 : 0;
}

struct scan {
	const struct kt_guestmem *mem;
	const struct kt_layout *l;
	unsigned int probes, matches, ok;
	struct kt_kaslr found[2];	/* the first two that check out */
	uint64_t first_pa;		/* the first match that did not */
	char first_why[320];
};

/* -1 with a message if the place cannot be read, or one match too many. */
static int probe(struct scan *s, uint64_t pa)
{
	struct kt_kaslr_candidate c = { .mem = s->mem, .l = s->l };
	char buf[KT_BANNER_MAX];

	s->probes++;
	if (kt_guestmem_peek(s->mem, pa, buf, s->l->banner_len))
		return kt_fail("the guest kernel cannot be looked for: %s",
			       kt_errmsg());
	if (memcmp(buf, s->l->banner, s->l->banner_len))
		return 0;
	if (s->matches == MAX_MATCHES)
		return kt_fail("the guest kernel is not findable: more than %d copies of linux_banner in its RAM (the %dth at guest-physical 0x%llx): refusing to check them all",
			       MAX_MATCHES, MAX_MATCHES + 1,
			       (unsigned long long)pa);
	s->matches++;
	c.k.banner_pa = pa;
	c.k.arch = s->l->arch;
	if (!(s->l->arch == KT_ARCH_ARM64 ? kt_kaslr_arm64_check(&c) :
					     check_candidate(&c))) {
		if (s->ok < 2)
			s->found[s->ok] = c.k;
		s->ok++;
	} else if (s->matches - s->ok == 1) {
		s->first_pa = pa;
		snprintf(s->first_why, sizeof(s->first_why), "%s", c.why);
	}
	return 0;
}

/* Each place in [@start, @end) where the banner can be. */
static int scan_range(struct scan *s, uint64_t start, uint64_t end)
{
	uint64_t pa, align = image_align(s->l);

	for (pa = (start & ~(align - 1)) + banner_phase(s->l);
	     pa + s->l->banner_len <= end; pa += align)
		if (pa >= start && probe(s, pa))
			return -1;
	return 0;
}

/* "Linux version 7.3.4+deb13-cloud-amd64 (...": the first line, cut. */
static const char *banner_text(const struct kt_layout *l, char *buf,
			       size_t len)
{
	size_t n = strcspn(l->banner, "\n");

	if (n > 48)
		snprintf(buf, len, "%.48s...", l->banner);
	else
		snprintf(buf, len, "%.*s", (int)n, l->banner);
	return buf;
}

/* " of vmlinux PATH", if the layout knows where its banner came from. */
static const char *banner_source(const struct kt_layout *l, char *buf,
				 size_t len)
{
	if (!l->banner_from[0])
		return "";
	snprintf(buf, len, " of vmlinux %s", l->banner_from);
	return buf;
}

static int report(const struct scan *s)
{
	char text[64], from[600];

	if (!s->matches)
		return kt_fail("the guest kernel is not in its RAM: no copy of this kernel's linux_banner%s (\"%s\") at any of the %u places a %s-aligned image could put it in %llu MiB: the guest runs another kernel than these symbols are of (a vmlinux and boot image of different builds?)",
			       banner_source(s->l, from, sizeof(from)),
			       banner_text(s->l, text, sizeof(text)), s->probes,
			       s->l->arch == KT_ARCH_ARM64 ? "64 KiB" : "2 MiB",
			       (unsigned long long)(s->mem->ram_size >> 20));
	if (!s->ok)
		return kt_fail("the guest kernel is not in its RAM: linux_banner%s is at guest-physical 0x%llx, but %s%s",
			       banner_source(s->l, from, sizeof(from)),
			       (unsigned long long)s->first_pa, s->first_why,
			       s->matches > 1 ? " (and no other copy of it checks out)" : "");
	return kt_fail("the guest kernel is in its RAM twice, with linux_banner at guest-physical 0x%llx (virtual offset 0x%llx) and 0x%llx (virtual offset 0x%llx): refusing to guess which one runs",
		       (unsigned long long)s->found[0].banner_pa,
		       (unsigned long long)s->found[0].virt_offset,
		       (unsigned long long)s->found[1].banner_pa,
		       (unsigned long long)s->found[1].virt_offset);
}

/* What the search needs of the layout. */
static int check_layout(const struct kt_layout *l)
{
	uint64_t banner = l->sym[KT_SYM_LINUX_BANNER];

	if (!l->banner_len || l->banner_len > KT_BANNER_MAX)
		return kt_fail("no linux_banner bytes to look for in guest RAM");
	if (l->arch == KT_ARCH_ARM64)
		return kt_kaslr_arm64_layout_ok(l);
	if (banner < KT_START_KERNEL_MAP ||
	    banner >= KT_KERNEL_IMAGE_END)
		return kt_fail("linux_banner's address 0x%llx is outside the x86-64 kernel image region",
			       (unsigned long long)banner);
	return 0;
}

int kt_kaslr_find(const struct kt_guestmem *m, const struct kt_layout *l,
		  struct kt_kaslr *k)
{
	struct scan s = { .mem = m, .l = l };

	if (check_layout(l))
		return -1;
	if (scan_range(&s, m->ram_base, m->ram_base + m->below_4g) ||
	    scan_range(&s, KT_GUESTMEM_4G,
		       KT_GUESTMEM_4G + (m->ram_size - m->below_4g)))
		return -1;
	if (s.ok != 1)
		return report(&s);
	*k = s.found[0];
	k->probes = s.probes;
	k->matches = s.matches;
	return 0;
}
