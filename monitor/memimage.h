/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An excerpt of a guest's memory: the bytes a reader read from a running
 * guest and where, saved so that the reader can read them again without
 * the guest (unit-test fixtures, fuzzing seeds).  Loaded, it is guest
 * memory of the recorded size, zero except for what was recorded.
 *
 * The file: "KTMEMIM1", u64 RAM size, u32 CPUs, u32 number of ranges,
 * then each range as u64 guest-physical address, u32 length and the
 * bytes; little-endian; saved as one zstd frame (loaded either way).
 * The first read of a byte is the one kept; reads of zeros are not kept
 * (memory not recorded reads as zero).
 */
#ifndef KTSTR_MONITOR_MEMIMAGE_H
#define KTSTR_MONITOR_MEMIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "guestmem.h"

#define KT_MEMIMAGE_MAX_RAM (64ULL << 30)
#define KT_MEMIMAGE_MAX_RANGES (1U << 20)

struct kt_memimage_rec;

/* Records every read of @m from now on, until kt_memimage_rec_free(). */
struct kt_memimage_rec *kt_memimage_record(struct kt_guestmem *m);
/* Forgets what was recorded so far, and records on (again). */
void kt_memimage_rec_reset(struct kt_memimage_rec *r);
/* Records no more reads; what was recorded stays, to be saved. */
void kt_memimage_rec_stop(struct kt_memimage_rec *r);
/*
 * Writes what was recorded, with @nr_cpus, the guest's CPUs; an error if
 * kt_memimage_load() would refuse it (too many ranges or bytes, RAM past
 * KT_MEMIMAGE_MAX_RAM) or recording ran out of memory.
 */
int kt_memimage_save(const struct kt_memimage_rec *r, const char *path,
		     unsigned int nr_cpus);
/* Stops recording (the guest memory must still be there) and frees. */
void kt_memimage_rec_free(struct kt_memimage_rec *r);

/*
 * Guest memory from an excerpt, in anonymous memory that
 * kt_guestmem_close() unmaps; @what names the input in errors.
 */
int kt_memimage_load(struct kt_guestmem *m, const void *data, size_t len,
		     const char *what, unsigned int *nr_cpus);
int kt_memimage_load_file(struct kt_guestmem *m, const char *path,
			  unsigned int *nr_cpus);

#endif
