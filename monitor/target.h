/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A running guest kernel as the monitor sees it: its RAM, its address
 * translation and its per-CPU areas, checked against the symbol table
 * before anything is sampled.
 */
#ifndef KTSTR_MONITOR_TARGET_H
#define KTSTR_MONITOR_TARGET_H

#include <stdint.h>

#include "guestmem.h"
#include "kaslr.h"
#include "kva.h"
#include "layout.h"

#define KT_TARGET_MAX_CPUS 512

struct kt_target {
	const struct kt_layout *layout;
	struct kt_guestmem mem;
	struct kt_kva kva;
	struct kt_kaslr place;		/* where the kernel was found */
	double find_us;			/* how long finding it took */
	unsigned int nr_cpus;
	uint64_t cpu_offset[KT_TARGET_MAX_CPUS];
};

/*
 * Finds the kernel in @t->mem (already opened or initialized): where its
 * image is, physically and virtually, and its memory map, whether KASLR
 * moved them or not (kaslr.h); then the per-CPU offsets of up to
 * @max_cpus CPUs.
 */
int kt_target_setup(struct kt_target *t, const struct kt_layout *l,
		    unsigned int max_cpus);
/* kt_guestmem_open() and kt_target_setup(). */
int kt_target_attach(struct kt_target *t, const struct kt_layout *l,
		     const char *shm_prefix, unsigned int nodes,
		     unsigned int max_cpus);
void kt_target_detach(struct kt_target *t);

int kt_target_read(const struct kt_target *t, uint64_t va, void *buf,
		   uint64_t len);
/* An integer field of 1, 2, 4 or 8 bytes at @base + @f's offset. */
int kt_target_read_field(const struct kt_target *t, uint64_t base,
			 const struct kt_field *f, int64_t *value);
/* The run-time address of symbol @s: its link address moved by KASLR. */
uint64_t kt_target_sym(const struct kt_target *t, enum kt_sym s);
/* The run-time address of any symbol from its link address @addr. */
uint64_t kt_target_moved(const struct kt_target *t, uint64_t addr);
/* The address of per-CPU @addr (a run-time address) on @cpu. */
uint64_t kt_target_percpu(const struct kt_target *t, uint64_t addr,
			  unsigned int cpu);

#endif
