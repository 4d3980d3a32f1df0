// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "target.h"

static int read_image(struct kt_target *t, enum kt_sym s, void *buf,
		      uint64_t len)
{
	uint64_t pa = kt_kva_image_pa(&t->kva, kt_target_sym(t, s));

	if (kt_guestmem_read(&t->mem, pa, buf, len))
		return kt_fail("reading %s at guest-physical 0x%llx: %s",
			       kt_sym_name(s), (unsigned long long)pa,
			       kt_errmsg());
	return 0;
}

/* Where KASLR (or nokaslr) put the image and the memory map: see kaslr.c. */
static int find_kernel(struct kt_target *t)
{
	const struct kt_layout *l = t->layout;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (kt_kaslr_find(&t->mem, l, &t->place))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	t->find_us = (t1.tv_sec - t0.tv_sec) * 1e6 +
		     (t1.tv_nsec - t0.tv_nsec) / 1e3;
	t->kva.arch = l->arch;
	t->kva.phys_base = t->place.phys_base;
	t->kva.page_offset_base = t->place.page_offset_base;
	t->kva.direct_map_end = t->place.vmalloc_base ?:
				t->place.page_offset_base + (1ULL << 46);
	t->kva.levels = t->place.levels;
	t->kva.top_pgt = t->place.top_pgt;
	if (l->arch == KT_ARCH_ARM64) {
		t->kva.direct_map_end = KT_ARM64_PAGE_END;
		t->kva.direct_map_pa = t->place.direct_map_pa;
		t->kva.kimage_voffset = t->place.kimage_voffset;
		t->kva.lpa2 = t->place.lpa2;
	}
	if (l->has_sym[KT_SYM_TEXT] && l->has_sym[KT_SYM_END] &&
	    l->sym[KT_SYM_TEXT] < l->sym[KT_SYM_END]) {
		t->kva.image_start = kt_target_sym(t, KT_SYM_TEXT);
		t->kva.image_end = kt_target_sym(t, KT_SYM_END);
	}
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
	kt_guestmem_set_arch(&t->mem, l->arch);
	if (find_kernel(t) || read_cpus(t, max_cpus))
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

uint64_t kt_target_sym(const struct kt_target *t, enum kt_sym s)
{
	return kt_target_moved(t, t->layout->sym[s]);
}

uint64_t kt_target_moved(const struct kt_target *t, uint64_t addr)
{
	/*
	 * Image addresses move with the image.  Per-CPU symbols of x86-64
	 * kernels before 6.15 are offsets from 0, which KASLR leaves alone;
	 * arm64's are image addresses.
	 */
	if (t->layout->arch == KT_ARCH_ARM64)
		return addr >= KT_ARM64_PAGE_END ?
		       addr + t->place.virt_offset : addr;
	return addr >= KT_START_KERNEL_MAP ? addr + t->place.virt_offset : addr;
}

uint64_t kt_target_percpu(const struct kt_target *t, uint64_t addr,
			  unsigned int cpu)
{
	return addr + t->cpu_offset[cpu];
}
