/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attached sched_ext scheduler's BPF maps, read from guest memory:
 * the scheduler's struct_ops map is found in the kernel's map_idr (its
 * sched_ext_ops points back at scx_root), its maps are those its
 * programs use (prog->aux->used_maps), and each map's contents are
 * decoded with the map's own BTF, copied out of the guest and parsed
 * with libbpf.  Nothing is loaded into the guest.
 *
 * Everything read is the guest's: every count, size and pointer chase
 * is bounded, and a map that cannot be read carries an error of its own
 * while the others are still decoded.
 */
#ifndef KTSTR_MONITOR_BPFMAP_H
#define KTSTR_MONITOR_BPFMAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "btf.h"
#include "symbols.h"
#include "target.h"

/* Bounds on what the guest can make the host read. */
#define KT_BPFMAP_MAX_MAPS 64		/* maps of one scheduler */
#define KT_BPFMAP_MAX_IDR_NODES 4096	/* xa_nodes of map_idr */
#define KT_BPFMAP_MAX_IDR_DEPTH 12	/* their nesting */
#define KT_BPFMAP_MAX_FUNCS 256		/* struct_ops members */
#define KT_BPFMAP_MAX_USED_MAPS 64	/* MAX_USED_MAPS of the verifier */
#define KT_BPFMAP_MAX_BTF (16U << 20)	/* bytes of a map's BTF */
#define KT_BPFMAP_MAX_VALUE (4U << 20)	/* bytes of one key or value */
#define KT_BPFMAP_MAX_ENTRIES 1024	/* entries decoded of one map */
#define KT_BPFMAP_MAX_BUCKETS (1U << 20)
#define KT_BPFMAP_MAX_WALK (1U << 20)	/* hash elements walked */
#define KT_BPFMAP_MAX_READ (64ULL << 20) /* bytes of values, BTF a dump */

enum kt_bpfmap_fld {
	KT_BM_IDR_XA_HEAD,
	KT_BM_XA_NODE_SHIFT,
	KT_BM_XA_NODE_SLOTS,
	KT_BM_MAP_TYPE,
	KT_BM_MAP_KEY_SIZE,
	KT_BM_MAP_VALUE_SIZE,
	KT_BM_MAP_MAX_ENTRIES,
	KT_BM_MAP_FLAGS,
	KT_BM_MAP_ID,
	KT_BM_MAP_NAME,
	KT_BM_MAP_BTF,
	KT_BM_MAP_BTF_KEY,
	KT_BM_MAP_BTF_VALUE,
	KT_BM_STOPS_LINKS,
	KT_BM_STOPS_FUNCS_CNT,
	KT_BM_STOPS_DATA,		/* the kernel's sched_ext_ops */
	KT_BM_OPS_PRIV,			/* sched_ext_ops.priv: its scx_sched */
	KT_BM_LINK_PROG,
	KT_BM_PROG_AUX,
	KT_BM_AUX_USED_MAPS,
	KT_BM_AUX_USED_MAP_CNT,
	KT_BM_BTF_DATA,
	KT_BM_BTF_DATA_SIZE,
	KT_BM_BTF_BASE,
	KT_BM_BTF_ID,
	KT_BM_ARRAY_ELEM_SIZE,
	KT_BM_ARRAY_VALUE,
	KT_BM_HTAB_BUCKETS,
	KT_BM_HTAB_N_BUCKETS,
	KT_BM_BUCKET_HEAD,
	KT_BM_ELEM_NEXT,
	KT_BM_ELEM_KEY,
	KT_BM_QS_HEAD,
	KT_BM_QS_TAIL,
	KT_BM_QS_SIZE,
	KT_BM_QS_ELEMENTS,
	KT_BM_ARENA_KERN_VM,
	KT_BM_VM_ADDR,
	KT_BM_NR_FIELDS,
};

/* Where the maps are, resolved once per kernel from its BTF and symbols. */
struct kt_bpfmap_layout {
	const struct btf *vmlinux;	/* base of split BTF */
	uint64_t map_idr, scx_root;
	struct kt_field f[KT_BM_NR_FIELDS];
	uint32_t bucket_size;
	int64_t map_types[64];		/* BPF_MAP_TYPE_* values, by name */
	char type_names[64][32];	/* "array", "percpu_hash", ... */
	unsigned int nr_types;
	bool types_cut;			/* more than 64: the rest unnamed */
	uint64_t read_budget;		/* KT_BPFMAP_MAX_READ */
	bool available;
	char missing[1024];
};

/*
 * Never fails: what this kernel lacks is in @l->missing, and @l->available
 * says whether maps can be read at all (queues and arenas are optional).
 */
void kt_bpfmap_layout_resolve(struct kt_bpfmap_layout *l,
			      const struct kt_btf *btf,
			      const struct kt_symbols *syms);

/*
 * The maps of the attached scheduler as a JSON array, one object a map:
 * name, type, id, key_size, value_size, max_entries, flags, addr, and
 * "entries" (arrays, hashes, queues), "globals" (a DATASEC: .bss, .data,
 * .rodata; the arena's own globals) or "error".  @names (NULL: every
 * map) picks maps by name, or by the part after the object's name
 * ("bss" for "scx_qmap.bss").  NULL with kt_errmsg() if the scheduler's
 * maps cannot be found at all, or a name matches no map.
 */
json_t *kt_bpfmap_dump(const struct kt_target *t,
		       const struct kt_bpfmap_layout *l,
		       const char *const *names, unsigned int nr_names);

/*
 * Maps' BTF parsed by one dump and kept for the next: a loaded BTF does
 * not change, and is known again by its address, id, data and size.
 * Zeroed to start; what a dump did not use is freed at its end.
 */
#define KT_BPFMAP_MAX_BTFS 8
struct kt_bpfmap_cache {
	struct kt_bpfmap_cached {
		uint64_t addr, id, data, size;
		struct btf *btf;
		bool used;
	} e[KT_BPFMAP_MAX_BTFS];
	unsigned int nr;
};

void kt_bpfmap_cache_free(struct kt_bpfmap_cache *c);

/*
 * Only the maps that hold globals: sections (DATASEC) and arenas;
 * @cache (or NULL) keeps their BTF parsed from one call to the next.
 */
json_t *kt_bpfmap_globals(const struct kt_target *t,
			  const struct kt_bpfmap_layout *l,
			  struct kt_bpfmap_cache *cache);

/* Prints a dump, one line a value, indented by @indent. */
void kt_bpfmap_print(FILE *f, const json_t *maps, const char *indent);
/*
 * The same, @max_lines of it at most, then one line saying how many more
 * there are (in the JSON result, where a dump is whole).
 */
void kt_bpfmap_print_lines(FILE *f, const json_t *maps, const char *indent,
			   size_t max_lines);

#endif
