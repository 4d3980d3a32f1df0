/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots of guests whose /init is ready for a payload, kept in the
 * cache so that a VM which would boot exactly like an earlier one is
 * restored instead (Documentation/snapshots.md).  An entry:
 *
 *   $CACHE/snapshots/<key>/state        QEMU's CPU and device state
 *                          ram<N>       the guest's RAM, node by node
 *                          console.log  the boot's console, to the save
 *                          info         what it was made from
 *
 * <key> hashes everything that decides the guest's state at that point:
 * the QEMU command line with its per-run paths left out (topology, CPU
 * model, memory, accelerator, kernel command line), and the identity of
 * the QEMU binary, the kernel and the guest image.  An entry is made
 * under another name and renamed once complete, so a complete name
 * always holds a complete entry.
 */
#ifndef KTSTR_SNAPSHOT_H
#define KTSTR_SNAPSHOT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sha256.h"

#define KT_SNAPSHOT_DIR "snapshots"
/* The cache keeps at most this much, least recently used first out. */
#define KT_SNAPSHOT_CACHE_MIB_DEFAULT 4096

struct kt_snapshot {
	char key[KT_SHA256_HEX_LEN];
	char dir[PATH_MAX + 80];	/* the entry's name */
	char tmp[PATH_MAX + 160];	/* "" or the entry being made */
	unsigned int nr_ram;	/* RAM files: nodes with memory */
};

/*
 * Sets @s->key and @s->dir from @argv (the QEMU command line, built with
 * fixed paths where a run's own files go), @kernel and @initrd.
 */
int kt_snapshot_key(struct kt_snapshot *s, char *const *argv,
		    const char *kernel, const char *initrd,
		    unsigned int nr_ram);
bool kt_snapshot_exists(const struct kt_snapshot *s);

/*
 * Copies the entry for one restore: RAM into <shm_prefix>-ram<N>, the
 * state to @state and the boot console to @console (never the entry's
 * own files: each restore starts from an untouched copy).
 */
int kt_snapshot_check_out(const struct kt_snapshot *s, const char *shm_prefix,
			  const char *state, const char *console);
/* A broken entry: removed, so that the next run makes a new one. */
void kt_snapshot_drop(const struct kt_snapshot *s);

/* Starts a new entry; kt_snapshot_tmp_state() is where QEMU saves. */
int kt_snapshot_begin(struct kt_snapshot *s);
void kt_snapshot_tmp_state(const struct kt_snapshot *s, char *buf,
			   size_t len);
/*
 * Completes the entry with the RAM files at @shm_prefix, the boot console
 * @console and the text @info, and gives it its name; another run that
 * completed the same entry first is no error.  The cache is then trimmed
 * to its bound.
 */
int kt_snapshot_commit(struct kt_snapshot *s, const char *shm_prefix,
		       const char *console, const char *info);
/* Removes an entry being made, whatever state it is in. */
void kt_snapshot_abort(struct kt_snapshot *s);

struct kt_snapshot_entry {
	char name[KT_SHA256_HEX_LEN + 64];	/* the key */
	unsigned long long bytes;	/* on disk */
	time_t used;			/* made or last restored */
};

/* Complete entries, least recently used first (@out: free()). */
int kt_snapshot_list(struct kt_snapshot_entry **out, size_t *count);
/* The entry's info text. */
int kt_snapshot_info(const struct kt_snapshot_entry *e, char *buf,
		     size_t len);

/* Entries left half made by processes that died. */
void kt_snapshot_sweep_stale(void);
/* Removes every entry; returns how many, or -1. */
int kt_snapshot_clear(void);
/* The bound in bytes: $KTSTR_SNAPSHOT_CACHE_MIB, else the default. */
unsigned long long kt_snapshot_cache_bound(void);

#endif
