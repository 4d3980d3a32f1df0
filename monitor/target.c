// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "target.h"

#define BANNER "Linux version "
/* 4-level paging puts the direct map at 0xffff888000000000. */
#define L4_LOWEST_KERNEL 0xffff800000000000ULL

static int read_image(struct kt_target *t, enum kt_sym s, void *buf,
		      uint64_t len)
{
	uint64_t pa = kt_kva_image_pa(&t->kva, t->layout->sym[s]);

	if (kt_guestmem_read(&t->mem, pa, buf, len))
		return kt_fail("reading %s at guest-physical 0x%llx: %s",
			       kt_sym_name(s), (unsigned long long)pa,
			       kt_errmsg());
	return 0;
}

/*
 * ktstr boots with nokaslr, so the image sits at the address its symbol
 * table was linked for (phys_base 0).  The banner proves it.
 */
static int find_image(struct kt_target *t)
{
	char banner[sizeof(BANNER)] = "";

	t->kva.phys_base = 0;
	if (read_image(t, KT_SYM_LINUX_BANNER, banner, sizeof(BANNER) - 1) ||
	    memcmp(banner, BANNER, sizeof(BANNER) - 1))
		return kt_fail("the guest kernel is not where its symbol table puts it (no \"%s\" at linux_banner): KASLR is on, or the symbols are of another kernel; ktstr boots with nokaslr, so do not pass 'kaslr' in --cmdline",
			       BANNER);
	return 0;
}

static int read_paging(struct kt_target *t)
{
	const struct kt_layout *l = t->layout;
	uint32_t l5 = 0;

	if (read_image(t, KT_SYM_PAGE_OFFSET_BASE, &t->kva.page_offset_base,
		       8))
		return -1;
	t->kva.direct_map_end = t->kva.page_offset_base + (1ULL << 46);
	if (l->has_sym[KT_SYM_VMALLOC_BASE] &&
	    read_image(t, KT_SYM_VMALLOC_BASE, &t->kva.direct_map_end, 8))
		return -1;
	if (l->has_sym[KT_SYM_PGTABLE_L5]) {
		if (read_image(t, KT_SYM_PGTABLE_L5, &l5, sizeof(l5)))
			return -1;
	} else {
		l5 = t->kva.page_offset_base < L4_LOWEST_KERNEL;
	}
	t->kva.levels = l5 ? 5 : 4;
	t->kva.top_pgt = kt_kva_image_pa(&t->kva,
					 l->sym[KT_SYM_INIT_TOP_PGT]);
	return 0;
}

static int read_cpus(struct kt_target *t, unsigned int max_cpus)
{
	uint32_t nr_cpu_ids = max_cpus;

	if (t->layout->has_sym[KT_SYM_NR_CPU_IDS] &&
	    read_image(t, KT_SYM_NR_CPU_IDS, &nr_cpu_ids, sizeof(nr_cpu_ids)))
		return -1;
	if (!nr_cpu_ids)
		return kt_fail("the guest kernel reports nr_cpu_ids 0");
	t->nr_cpus = nr_cpu_ids < max_cpus ? nr_cpu_ids : max_cpus;
	if (t->nr_cpus > KT_TARGET_MAX_CPUS)
		t->nr_cpus = KT_TARGET_MAX_CPUS;
	return read_image(t, KT_SYM_PER_CPU_OFFSET, t->cpu_offset,
			  t->nr_cpus * 8ULL);
}

int kt_target_setup(struct kt_target *t, const struct kt_layout *l,
		    unsigned int max_cpus)
{
	t->layout = l;
	t->kva.mem = &t->mem;
	if (find_image(t) || read_paging(t) || read_cpus(t, max_cpus))
		return -1;
	return 0;
}

int kt_target_attach(struct kt_target *t, const struct kt_layout *l,
		     const char *shm_prefix, unsigned int nodes,
		     unsigned int max_cpus)
{
	memset(t, 0, sizeof(*t));
	if (kt_guestmem_open(&t->mem, shm_prefix, nodes))
		return -1;
	if (kt_target_setup(t, l, max_cpus)) {
		kt_guestmem_close(&t->mem);
		return -1;
	}
	return 0;
}

void kt_target_detach(struct kt_target *t)
{
	kt_guestmem_close(&t->mem);
}

int kt_target_read(const struct kt_target *t, uint64_t va, void *buf,
		   uint64_t len)
{
	return kt_kva_read(&t->kva, va, buf, len);
}

int kt_target_read_field(const struct kt_target *t, uint64_t base,
			 const struct kt_field *f, int64_t *value)
{
	/* Zero-extended: the kernel's counters and flags are unsigned. */
	union {
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		int64_t s64;
	} v = { 0 };

	if (!f->available)
		return kt_fail("field not available in this kernel");
	if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)
		return kt_fail("a %u-byte field is not an integer", f->size);
	if (kt_target_read(t, base + f->offset, &v, f->size))
		return -1;
	*value = f->size == 1 ? v.u8 : f->size == 2 ? v.u16 :
		 f->size == 4 ? v.u32 : v.s64;
	return 0;
}

uint64_t kt_target_percpu(const struct kt_target *t, uint64_t addr,
			  unsigned int cpu)
{
	return addr + t->cpu_offset[cpu];
}
