// SPDX-License-Identifier: GPL-2.0
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfmap.h"
#include "btfvalue.h"
#include "compiler.h"
#include "error.h"
#include "json.h"

static const struct {
	const char *type, *path;
} fields[KT_BM_NR_FIELDS] = {
	[KT_BM_IDR_XA_HEAD] = { "idr", "idr_rt.xa_head" },
	[KT_BM_XA_NODE_SHIFT] = { "xa_node", "shift" },
	[KT_BM_XA_NODE_SLOTS] = { "xa_node", "slots" },
	[KT_BM_MAP_TYPE] = { "bpf_map", "map_type" },
	[KT_BM_MAP_KEY_SIZE] = { "bpf_map", "key_size" },
	[KT_BM_MAP_VALUE_SIZE] = { "bpf_map", "value_size" },
	[KT_BM_MAP_MAX_ENTRIES] = { "bpf_map", "max_entries" },
	[KT_BM_MAP_FLAGS] = { "bpf_map", "map_flags" },
	[KT_BM_MAP_ID] = { "bpf_map", "id" },
	[KT_BM_MAP_NAME] = { "bpf_map", "name" },
	[KT_BM_MAP_BTF] = { "bpf_map", "btf" },
	[KT_BM_MAP_BTF_KEY] = { "bpf_map", "btf_key_type_id" },
	[KT_BM_MAP_BTF_VALUE] = { "bpf_map", "btf_value_type_id" },
	[KT_BM_STOPS_LINKS] = { "bpf_struct_ops_map", "links" },
	[KT_BM_STOPS_FUNCS_CNT] = { "bpf_struct_ops_map", "funcs_cnt" },
	[KT_BM_STOPS_DATA] = { "bpf_struct_ops_map", "kvalue.data" },
	[KT_BM_OPS_PRIV] = { "sched_ext_ops", "priv" },
	[KT_BM_LINK_PROG] = { "bpf_link", "prog" },
	[KT_BM_PROG_AUX] = { "bpf_prog", "aux" },
	[KT_BM_AUX_USED_MAPS] = { "bpf_prog_aux", "used_maps" },
	[KT_BM_AUX_USED_MAP_CNT] = { "bpf_prog_aux", "used_map_cnt" },
	[KT_BM_BTF_DATA] = { "btf", "data" },
	[KT_BM_BTF_DATA_SIZE] = { "btf", "data_size" },
	[KT_BM_BTF_BASE] = { "btf", "base_btf" },
	[KT_BM_BTF_ID] = { "btf", "id" },
	[KT_BM_ARRAY_ELEM_SIZE] = { "bpf_array", "elem_size" },
	[KT_BM_ARRAY_VALUE] = { "bpf_array", "value" },
	[KT_BM_HTAB_BUCKETS] = { "bpf_htab", "buckets" },
	[KT_BM_HTAB_N_BUCKETS] = { "bpf_htab", "n_buckets" },
	[KT_BM_BUCKET_HEAD] = { "bucket", "head.first" },
	[KT_BM_ELEM_NEXT] = { "htab_elem", "hash_node.next" },
	[KT_BM_ELEM_KEY] = { "htab_elem", "key" },
	[KT_BM_QS_HEAD] = { "bpf_queue_stack", "head" },
	[KT_BM_QS_TAIL] = { "bpf_queue_stack", "tail" },
	[KT_BM_QS_SIZE] = { "bpf_queue_stack", "size" },
	[KT_BM_QS_ELEMENTS] = { "bpf_queue_stack", "elements" },
	[KT_BM_ARENA_KERN_VM] = { "bpf_arena", "kern_vm" },
	[KT_BM_VM_ADDR] = { "vm_struct", "addr" },
};

/*
 * kernel/bpf/arena.c: BPF reaches arena offset X at kern_vm->addr +
 * GUARD_SZ / 2 + X, GUARD_SZ being 64 KiB (a 16-bit insn offset, rounded
 * to two pages); BTF does not describe a macro.
 */
#define ARENA_GUARD_HALF 0x8000ULL
#define ARENA_DATASEC ".addr_space.1"
#define PAGE 4096ULL

static void note_missing(struct kt_bpfmap_layout *l, const char *what)
{
	size_t n = strlen(l->missing);

	snprintf(l->missing + n, sizeof(l->missing) - n, "%s%s",
		 n ? ", " : "", what);
}

static int add_type(void *ctx, const char *name, int64_t value)
{
	struct kt_bpfmap_layout *l = ctx;
	const char *prefix = "BPF_MAP_TYPE_";
	unsigned int i;
	char *c;

	if (strncmp(name, prefix, strlen(prefix)))
		return 0;
	/* An alias after a _DEPRECATED name (CGROUP_STORAGE) replaces it. */
	for (i = 0; i < l->nr_types && l->map_types[i] != value; i++)
		;
	if (i == ARRAY_SIZE(l->map_types)) {
		l->types_cut = true;	/* the rest stay numbers */
		return 0;
	}
	if (i == l->nr_types)
		l->nr_types++;
	l->map_types[i] = value;
	snprintf(l->type_names[i], sizeof(l->type_names[0]), "%s",
		 name + strlen(prefix));
	for (c = l->type_names[i]; *c; c++)
		*c = tolower((unsigned char)*c);
	return 0;
}

/*
 * Map types a kernel may not have (arenas came in 6.9): without them
 * the other maps are still read, and a map of that type says what its
 * kernel lacks.
 */
static bool optional(enum kt_bpfmap_fld f)
{
	return f == KT_BM_QS_HEAD || f == KT_BM_QS_TAIL || f == KT_BM_QS_SIZE ||
	       f == KT_BM_QS_ELEMENTS || f == KT_BM_ARENA_KERN_VM ||
	       f == KT_BM_VM_ADDR;
}

void kt_bpfmap_layout_resolve(struct kt_bpfmap_layout *l,
			      const struct kt_btf *btf,
			      const struct kt_symbols *syms)
{
	char name[128];
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->available = true;
	l->vmlinux = btf->btf;
	if (kt_symbols_find(syms, "map_idr", &l->map_idr)) {
		note_missing(l, "map_idr");
		l->available = false;
	}
	if (kt_symbols_find(syms, "scx_root", &l->scx_root)) {
		note_missing(l, "scx_root");
		l->available = false;
	}
	for (i = 0; i < KT_BM_NR_FIELDS; i++) {
		if (kt_btf_field(btf, fields[i].type, fields[i].path, &l->f[i])) {
			snprintf(name, sizeof(name), "%s.%s", fields[i].type,
				 fields[i].path);
			note_missing(l, name);
		}
	}
	for (i = 0; i < KT_BM_NR_FIELDS; i++)
		if (!l->f[i].available && !optional(i))
			l->available = false;
	l->bucket_size = kt_btf_struct_size(btf, "bucket");
	if (!l->bucket_size)
		note_missing(l, "struct bucket");
	if (kt_btf_walk_enum(btf, "bpf_map_type", add_type, l))
		note_missing(l, "enum bpf_map_type");
	if (l->types_cut)
		note_missing(l, "names of the map types past the first 64");
	l->read_budget = KT_BPFMAP_MAX_READ;
	l->available = l->available && l->bucket_size && l->nr_types;
}

static const char *type_name(const struct kt_bpfmap_layout *l, uint32_t type)
{
	unsigned int i;

	for (i = 0; i < l->nr_types; i++)
		if (l->map_types[i] == type)
			return l->type_names[i];
	return NULL;
}

static bool is_type(const struct kt_bpfmap_layout *l, uint32_t type,
		    const char *name)
{
	const char *n = type_name(l, type);

	return n && !strcmp(n, name);
}

/* One pass over the guest: what it reads with, and the maps it found. */
struct walk {
	const struct kt_target *t;
	const struct kt_bpfmap_layout *l;
	uint64_t maps[KT_BPFMAP_MAX_MAPS];
	unsigned int nr_maps;
	unsigned int idr_nodes;
	unsigned int unreadable;	/* map_idr entries and nodes */
	uint64_t read_left;		/* bytes of values and BTF */
	uint64_t stops_map;		/* the scheduler's struct_ops map */
	struct kt_bpfmap_cache *cache;	/* the caller's, or own */
	struct kt_bpfmap_cache own;
};

static int read_ptr(const struct walk *w, uint64_t addr, uint64_t *v)
{
	return kt_target_read(w->t, addr, v, 8);
}

/* Values and BTF: what one dump reads of them is bounded as a whole. */
static int read_bytes(struct walk *w, uint64_t addr, void *buf, uint64_t len)
{
	if (len > w->read_left)
		return kt_fail("%llu bytes at 0x%llx: past the %llu bytes of values and BTF one dump reads",
			       (unsigned long long)len, (unsigned long long)addr,
			       (unsigned long long)w->l->read_budget);
	w->read_left -= len;
	return kt_target_read(w->t, addr, buf, len);
}

static int read_field(const struct walk *w, uint64_t base,
		      enum kt_bpfmap_fld f, uint64_t *v)
{
	int64_t x;

	if (kt_target_read_field(w->t, base, &w->l->f[f], &x))
		return -1;
	*v = x;
	return 0;
}

static uint64_t fld(const struct walk *w, enum kt_bpfmap_fld f)
{
	return w->l->f[f].offset;
}

/* xarray internal entries: (v & 3) == 2; nodes are those above 4096. */
static bool xa_is_node(uint64_t v)
{
	return (v & 3) == 2 && v > 4096;
}

static int check_stops_map(struct walk *w, uint64_t map, uint64_t root);

/* Each map in the subtree of @entry, whatever its depth, to check_stops_map. */
static int walk_idr(struct walk *w, uint64_t entry, uint64_t root,
		    unsigned int depth)
{
	uint32_t nr_slots = w->l->f[KT_BM_XA_NODE_SLOTS].size / 8, i;
	uint64_t node, shift, slots[256];

	if (!entry || w->stops_map)
		return 0;
	if (!xa_is_node(entry)) {
		if ((entry & 3) == 2)
			return 0;	/* retry, sibling or zero entry */
		return check_stops_map(w, entry, root);
	}
	node = entry - 2;
	if (depth > KT_BPFMAP_MAX_IDR_DEPTH)
		return kt_fail("map_idr: nodes nested more than %d deep (a loop?)",
			       KT_BPFMAP_MAX_IDR_DEPTH);
	if (++w->idr_nodes > KT_BPFMAP_MAX_IDR_NODES)
		return kt_fail("map_idr: more than %d nodes (a loop?)",
			       KT_BPFMAP_MAX_IDR_NODES);
	if (!nr_slots || nr_slots > ARRAY_SIZE(slots))
		return kt_fail("xa_node.slots: %u slots", nr_slots);
	/* Maps come and go while the walk reads: a node freed is skipped. */
	if (read_field(w, node, KT_BM_XA_NODE_SHIFT, &shift) ||
	    kt_target_read(w->t, node + fld(w, KT_BM_XA_NODE_SLOTS), slots,
			   nr_slots * 8ULL)) {
		w->unreadable++;
		return 0;
	}
	for (i = 0; i < nr_slots && !w->stops_map; i++) {
		/* Below shift 0 every slot is a map, never a node. */
		if (!shift && xa_is_node(slots[i]))
			continue;
		if (walk_idr(w, slots[i], root, depth + 1))
			return -1;
	}
	return 0;
}

static int add_map(struct walk *w, uint64_t map)
{
	unsigned int i;

	for (i = 0; i < w->nr_maps; i++)
		if (w->maps[i] == map)
			return 0;
	if (w->nr_maps == KT_BPFMAP_MAX_MAPS)
		return kt_fail("the scheduler uses more than %d maps",
			       KT_BPFMAP_MAX_MAPS);
	w->maps[w->nr_maps++] = map;
	return 0;
}

/* A struct_ops map whose sched_ext_ops belongs to scx_root is ours. */
static int check_stops_map(struct walk *w, uint64_t map, uint64_t root)
{
	uint64_t type, priv;

	if (read_field(w, map, KT_BM_MAP_TYPE, &type)) {
		w->unreadable++;	/* freed while the walk read, say */
		return 0;
	}
	if (!is_type(w->l, type, "struct_ops"))
		return 0;
	if (read_ptr(w, map + fld(w, KT_BM_STOPS_DATA) +
		     fld(w, KT_BM_OPS_PRIV), &priv))
		return 0;	/* another subsystem's, smaller struct_ops */
	if (priv == root)
		w->stops_map = map;
	return 0;
}

/* The maps each of the struct_ops map's programs uses. */
static int collect_used_maps(struct walk *w)
{
	uint64_t links, funcs, link, prog, aux, maps, cnt, map;
	unsigned int i, j;

	if (read_field(w, w->stops_map, KT_BM_STOPS_LINKS, &links) ||
	    read_field(w, w->stops_map, KT_BM_STOPS_FUNCS_CNT, &funcs))
		return kt_fail("struct_ops map 0x%llx: %s",
			       (unsigned long long)w->stops_map, kt_errmsg());
	if (funcs > KT_BPFMAP_MAX_FUNCS)
		return kt_fail("struct_ops map: %llu programs, at most %d",
			       (unsigned long long)funcs, KT_BPFMAP_MAX_FUNCS);
	for (i = 0; i < funcs; i++) {
		if (read_ptr(w, links + i * 8ULL, &link))
			return kt_fail("struct_ops map: links[%u] at 0x%llx: %s",
				       i, (unsigned long long)(links + i * 8ULL),
				       kt_errmsg());
		if (!link)
			continue;	/* an op the scheduler leaves out */
		if (read_field(w, link, KT_BM_LINK_PROG, &prog) ||
		    read_field(w, prog, KT_BM_PROG_AUX, &aux) ||
		    read_field(w, aux, KT_BM_AUX_USED_MAPS, &maps) ||
		    read_field(w, aux, KT_BM_AUX_USED_MAP_CNT, &cnt))
			return kt_fail("program of struct_ops member %u: %s", i,
				       kt_errmsg());
		if (cnt > KT_BPFMAP_MAX_USED_MAPS)
			return kt_fail("program of struct_ops member %u uses %llu maps, at most %d",
				       i, (unsigned long long)cnt,
				       KT_BPFMAP_MAX_USED_MAPS);
		for (j = 0; j < cnt; j++) {
			if (read_ptr(w, maps + j * 8ULL, &map))
				return kt_fail("program of struct_ops member %u: used_maps[%u]: %s",
					       i, j, kt_errmsg());
			if (add_map(w, map))
				return -1;
		}
	}
	return 0;
}

static int find_maps(struct walk *w)
{
	uint64_t root, root_at, head, head_at;

	if (!w->l->available)
		return kt_fail("this kernel lacks what reading BPF maps needs: %s",
			       w->l->missing);
	root_at = kt_target_moved(w->t, w->l->scx_root);
	head_at = kt_target_moved(w->t, w->l->map_idr) +
		  fld(w, KT_BM_IDR_XA_HEAD);
	if (read_ptr(w, root_at, &root))
		return kt_fail("scx_root at 0x%llx: %s",
			       (unsigned long long)root_at, kt_errmsg());
	if (!root)
		return kt_fail("no sched_ext scheduler is attached");
	if (read_ptr(w, head_at, &head))
		return kt_fail("map_idr at 0x%llx: %s",
			       (unsigned long long)head_at, kt_errmsg());
	if (walk_idr(w, head, root, 0))
		return -1;
	if (!w->stops_map && w->unreadable)
		return kt_fail("no struct_ops map in map_idr belongs to the attached scheduler (scx_root 0x%llx); %u map_idr entries could not be read",
			       (unsigned long long)root, w->unreadable);
	if (!w->stops_map)
		return kt_fail("no struct_ops map in map_idr belongs to the attached scheduler (scx_root 0x%llx)",
			       (unsigned long long)root);
	return add_map(w, w->stops_map) || collect_used_maps(w);
}

struct map_info {
	uint64_t addr;
	uint64_t type, key_size, value_size, max_entries, flags, id;
	uint64_t btf_addr, key_type, value_type;
	char name[17];
	struct btf *btf;
};

static struct btf *parse_btf(struct walk *w, uint64_t data, uint64_t size,
			     uint64_t base)
{
	libbpf_print_fn_t quiet;
	struct btf *btf;
	void *raw;

	if (!size || size > KT_BPFMAP_MAX_BTF) {
		kt_fail("its BTF at 0x%llx: %llu bytes, expected 1 to %u",
			(unsigned long long)data, (unsigned long long)size,
			KT_BPFMAP_MAX_BTF);
		return NULL;
	}
	raw = malloc(size);
	if (!raw) {
		kt_fail("out of memory");
		return NULL;
	}
	if (read_bytes(w, data, raw, size)) {
		kt_fail("its BTF (%llu bytes at 0x%llx): %s",
			(unsigned long long)size, (unsigned long long)data,
			kt_errmsg());
		free(raw);
		return NULL;
	}
	/*
	 * A program's BTF stands alone, or builds on the kernel's.  What
	 * is wrong with it is the map's error, not libbpf's lines on stderr.
	 */
	quiet = libbpf_set_print(NULL);
	btf = base ? btf__new_split(raw, size, (struct btf *)w->l->vmlinux) :
		     btf__new(raw, size);
	libbpf_set_print(quiet);
	free(raw);
	if (!btf) {
		kt_fail("its BTF (%llu bytes at 0x%llx) does not parse: %s",
			(unsigned long long)size, (unsigned long long)data,
			strerror(errno));
		return NULL;
	}
	return btf;
}

/* The BTF of struct btf @addr: parsed once, by this dump or an earlier. */
static struct btf *map_btf(struct walk *w, uint64_t addr)
{
	struct kt_bpfmap_cache *c = w->cache;
	struct kt_bpfmap_cached *e;
	uint64_t data, size, base, id;
	unsigned int i;

	if (read_field(w, addr, KT_BM_BTF_DATA, &data) ||
	    read_field(w, addr, KT_BM_BTF_DATA_SIZE, &size) ||
	    read_field(w, addr, KT_BM_BTF_BASE, &base) ||
	    read_field(w, addr, KT_BM_BTF_ID, &id))
		return NULL;
	for (i = 0; i < c->nr; i++) {
		e = &c->e[i];
		if (e->addr == addr && e->id == id && e->data == data &&
		    e->size == size) {
			e->used = true;
			return e->btf;
		}
	}
	if (c->nr == KT_BPFMAP_MAX_BTFS) {
		kt_fail("the scheduler's maps have more than %d BTF objects",
			KT_BPFMAP_MAX_BTFS);
		return NULL;
	}
	e = &c->e[c->nr];
	e->btf = parse_btf(w, data, size, base);
	if (!e->btf)
		return NULL;
	e->addr = addr;
	e->id = id;
	e->data = data;
	e->size = size;
	e->used = true;
	c->nr++;
	return e->btf;
}

static int read_info(struct walk *w, uint64_t addr, struct map_info *m)
{
	memset(m, 0, sizeof(*m));
	m->addr = addr;
	if (read_field(w, addr, KT_BM_MAP_TYPE, &m->type) ||
	    read_field(w, addr, KT_BM_MAP_KEY_SIZE, &m->key_size) ||
	    read_field(w, addr, KT_BM_MAP_VALUE_SIZE, &m->value_size) ||
	    read_field(w, addr, KT_BM_MAP_MAX_ENTRIES, &m->max_entries) ||
	    read_field(w, addr, KT_BM_MAP_FLAGS, &m->flags) ||
	    read_field(w, addr, KT_BM_MAP_ID, &m->id) ||
	    read_field(w, addr, KT_BM_MAP_BTF, &m->btf_addr) ||
	    read_field(w, addr, KT_BM_MAP_BTF_KEY, &m->key_type) ||
	    read_field(w, addr, KT_BM_MAP_BTF_VALUE, &m->value_type) ||
	    kt_target_read(w->t, addr + fld(w, KT_BM_MAP_NAME), m->name,
			   sizeof(m->name) - 1))
		return -1;
	if (m->key_size > KT_BPFMAP_MAX_VALUE ||
	    m->value_size > KT_BPFMAP_MAX_VALUE)
		return kt_fail("key of %llu bytes, value of %llu: at most %u each",
			       (unsigned long long)m->key_size,
			       (unsigned long long)m->value_size,
			       KT_BPFMAP_MAX_VALUE);
	return 0;
}

/* @len bytes at @addr decoded as BTF type @type, or raw without one. */
static json_t *read_value(struct walk *w, const struct map_info *m,
			  uint64_t addr, uint64_t len, uint64_t type)
{
	json_t *v = NULL;
	void *buf;

	buf = malloc(len ? len : 1);
	if (!buf) {
		kt_fail("out of memory");
		return NULL;
	}
	if (!read_bytes(w, addr, buf, len))
		v = m->btf && type ? kt_btfv_decode(m->btf, type, buf, len) :
			kt_btfv_raw(buf, len);
	free(buf);
	return v;
}

static bool is_zero(struct walk *w, uint64_t addr, uint64_t len)
{
	uint8_t buf[256];
	uint64_t n, i;

	while (len) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		if (read_bytes(w, addr, buf, n))
			return false;	/* read again, to say why */
		for (i = 0; i < n; i++)
			if (buf[i])
				return false;
		addr += n;
		len -= n;
	}
	return true;
}

static json_t *entry(json_t *key, json_t *value, const char *value_name)
{
	json_t *e = json_object();

	if (!e || !key || !value) {
		json_decref(e);
		json_decref(key);
		json_decref(value);
		return NULL;
	}
	json_object_set_new(e, "key", key);
	json_object_set_new(e, value_name, value);
	return e;
}

/* @entries (NULL: out of memory) as @obj's "entries". */
static int put_entries(json_t *obj, json_t *entries)
{
	if (!entries)
		return kt_fail("out of memory");
	return json_object_set_new(obj, "entries", entries);
}

/* Per CPU, what the __percpu pointer @pptr holds. */
static json_t *percpu_values(struct walk *w, const struct map_info *m,
			     uint64_t pptr)
{
	json_t *arr = json_array();
	unsigned int cpu;

	for (cpu = 0; arr && cpu < w->t->nr_cpus; cpu++)
		arr = kt_json_append(arr, read_value(w, m,
			kt_target_percpu(w->t, pptr, cpu), m->value_size,
			m->value_type));
	return arr;
}

/* Each value of a (per-CPU) array, those that are all zero left out. */
static int read_array(struct walk *w, const struct map_info *m, json_t *obj)
{
	bool percpu = is_type(w->l, m->type, "percpu_array");
	uint64_t elem_size, base = m->addr + fld(w, KT_BM_ARRAY_VALUE);
	uint64_t n = m->max_entries, i, pptr, zero = 0;
	json_t *entries = json_array(), *v;
	uint64_t at;

	if (read_field(w, m->addr, KT_BM_ARRAY_ELEM_SIZE, &elem_size))
		goto fail;
	if (elem_size != ((m->value_size + 7) & ~7ULL) && !percpu) {
		kt_fail("elem_size %llu does not fit value_size %llu",
			(unsigned long long)elem_size,
			(unsigned long long)m->value_size);
		goto fail;
	}
	if (n > KT_BPFMAP_MAX_ENTRIES)
		n = KT_BPFMAP_MAX_ENTRIES;
	for (i = 0; entries && i < n; i++) {
		if (percpu) {
			if (read_ptr(w, base + i * 8, &pptr))
				goto fail;
			v = percpu_values(w, m, pptr);
			if (!v)
				goto fail;
			entries = kt_json_append(entries,
						 entry(json_integer(i), v,
						       "values"));
			continue;
		}
		at = base + i * elem_size;
		if (is_zero(w, at, m->value_size)) {
			zero++;
			continue;
		}
		v = read_value(w, m, at, m->value_size, m->value_type);
		if (!v)
			goto fail;
		entries = kt_json_append(entries,
					 entry(json_integer(i), v, "value"));
	}
	if (put_entries(obj, entries))
		return -1;
	json_object_set_new(obj, "zero_entries", json_integer(zero));
	json_object_set_new(obj, "entries_not_read",
			    json_integer(m->max_entries - n));
	return 0;
fail:
	json_decref(entries);
	return -1;
}

/* A .bss/.data/.rodata map: one value, a DATASEC, decoded by variable. */
static bool is_datasec(const struct map_info *m)
{
	const struct btf_type *t;

	if (!m->btf || !m->value_type)
		return false;
	t = btf__type_by_id(m->btf, m->value_type);
	return t && btf_is_datasec(t);
}

static int read_globals(struct walk *w, const struct map_info *m,
			json_t *obj)
{
	json_t *v = read_value(w, m, m->addr + fld(w, KT_BM_ARRAY_VALUE),
			       m->value_size, m->value_type);

	if (!v)
		return -1;
	return json_object_set_new(obj, "globals", v);
}

/*
 * One element of a hash map: its key and value, decoded; only its next
 * pointer once @entries holds KT_BPFMAP_MAX_ENTRIES (@*not_read counts
 * those).
 */
static int read_elem(struct walk *w, const struct map_info *m, uint64_t elem,
		     json_t **entries, uint64_t *not_read)
{
	bool percpu = is_type(w->l, m->type, "percpu_hash") ||
		      is_type(w->l, m->type, "lru_percpu_hash");
	uint64_t key_at = elem + fld(w, KT_BM_ELEM_KEY);
	uint64_t value_at = key_at + ((m->key_size + 7) & ~7ULL), pptr;
	json_t *k, *v;

	if (json_array_size(*entries) >= KT_BPFMAP_MAX_ENTRIES) {
		(*not_read)++;
		return 0;
	}
	k = read_value(w, m, key_at, m->key_size, m->key_type);
	if (!k)
		return -1;
	if (percpu)
		v = read_ptr(w, value_at, &pptr) ? NULL :
		    percpu_values(w, m, pptr);
	else
		v = read_value(w, m, value_at, m->value_size, m->value_type);
	if (!v) {
		json_decref(k);
		return -1;
	}
	*entries = kt_json_append(*entries,
				  entry(k, v, percpu ? "values" : "value"));
	return *entries ? 0 : kt_fail("out of memory");
}

static int read_hash(struct walk *w, const struct map_info *m, json_t *obj)
{
	uint64_t buckets, n_buckets, b, elem, steps = 0, not_read = 0;
	uint64_t limit = m->max_entries + w->t->nr_cpus + 1;
	json_t *entries = json_array();

	if (!entries)
		return kt_fail("out of memory");
	if (read_field(w, m->addr, KT_BM_HTAB_BUCKETS, &buckets) ||
	    read_field(w, m->addr, KT_BM_HTAB_N_BUCKETS, &n_buckets))
		goto fail;
	if (!n_buckets || n_buckets > KT_BPFMAP_MAX_BUCKETS) {
		kt_fail("%llu buckets, expected 1 to %u",
			(unsigned long long)n_buckets, KT_BPFMAP_MAX_BUCKETS);
		goto fail;
	}
	for (b = 0; b < n_buckets; b++) {
		if (read_ptr(w, buckets + b * w->l->bucket_size +
			     fld(w, KT_BM_BUCKET_HEAD), &elem))
			goto fail;
		/* hlist_nulls: a list ends in an odd "nulls" marker. */
		while (!(elem & 1)) {
			if (++steps > limit) {
				kt_fail("bucket %llu: more elements than max_entries %llu allows (a loop?)",
					(unsigned long long)b,
					(unsigned long long)m->max_entries);
				goto fail;
			}
			if (steps > KT_BPFMAP_MAX_WALK) {
				kt_fail("bucket %llu: more than %u elements in the map, the most ktstr walks",
					(unsigned long long)b,
					KT_BPFMAP_MAX_WALK);
				goto fail;
			}
			if (read_elem(w, m, elem, &entries, &not_read) ||
			    read_ptr(w, elem + fld(w, KT_BM_ELEM_NEXT), &elem))
				goto fail;
		}
	}
	json_object_set_new(obj, "entries_not_read", json_integer(not_read));
	return json_object_set_new(obj, "entries", entries);
fail:
	json_decref(entries);
	return -1;
}

/* A queue from its tail (oldest) to its head; a stack from the top. */
static int read_queue(struct walk *w, const struct map_info *m, json_t *obj)
{
	bool stack = is_type(w->l, m->type, "stack");
	uint64_t head, tail, size, count, i, idx;
	uint64_t elements = m->addr + fld(w, KT_BM_QS_ELEMENTS);
	json_t *entries = json_array(), *v;

	if (!w->l->f[KT_BM_QS_ELEMENTS].available) {
		json_decref(entries);
		return kt_fail("this kernel has no struct bpf_queue_stack as ktstr knows it");
	}
	if (read_field(w, m->addr, KT_BM_QS_HEAD, &head) ||
	    read_field(w, m->addr, KT_BM_QS_TAIL, &tail) ||
	    read_field(w, m->addr, KT_BM_QS_SIZE, &size))
		goto fail;
	if (size != m->max_entries + 1 || head >= size || tail >= size) {
		kt_fail("head %llu, tail %llu, size %llu: not a queue of %llu",
			(unsigned long long)head, (unsigned long long)tail,
			(unsigned long long)size,
			(unsigned long long)m->max_entries);
		goto fail;
	}
	count = (head + size - tail) % size;
	for (i = 0; entries && i < count && i < KT_BPFMAP_MAX_ENTRIES; i++) {
		idx = stack ? (head + size - 1 - i) % size : (tail + i) % size;
		v = read_value(w, m, elements + idx * m->value_size,
			       m->value_size, m->value_type);
		if (!v)
			goto fail;
		entries = kt_json_append(entries, v);
	}
	json_object_set_new(obj, "entries_not_read", json_integer(count - i));
	return put_entries(obj, entries);
fail:
	json_decref(entries);
	return -1;
}

/* The BTF of the scheduler's object: any of its maps that has one. */
static struct btf *object_btf(struct walk *w)
{
	struct map_info m;
	unsigned int i;

	for (i = 0; i < w->nr_maps; i++)
		if (!read_info(w, w->maps[i], &m) && m.btf_addr)
			return map_btf(w, m.btf_addr);
	kt_fail("none of the scheduler's maps has BTF");
	return NULL;
}

/*
 * The arena's globals (__arena_global, the DATASEC ".addr_space.1"):
 * libbpf puts them in the arena's last pages when the kernel allows
 * (libbpf 1.6), at its start before; the first of these that is mapped.
 */
static int read_arena(struct walk *w, struct map_info *m, json_t *obj)
{
	uint64_t kern_vm, start, size, end_off, at;
	const struct btf_type *t;
	json_t *v;
	int id;

	if (!w->l->f[KT_BM_ARENA_KERN_VM].available ||
	    !w->l->f[KT_BM_VM_ADDR].available)
		return kt_fail("this kernel has no struct bpf_arena as ktstr knows it");
	if (!m->btf)
		m->btf = object_btf(w);
	if (!m->btf)
		return -1;
	id = kt_btfv_find_datasec(m->btf, ARENA_DATASEC);
	if (id < 0)
		return 0;	/* no globals in the arena */
	t = btf__type_by_id(m->btf, id);
	size = t->size;
	if (read_field(w, m->addr, KT_BM_ARENA_KERN_VM, &kern_vm) ||
	    read_field(w, kern_vm, KT_BM_VM_ADDR, &start))
		return -1;
	start += ARENA_GUARD_HALF;
	if (size > m->max_entries * PAGE || size > KT_BPFMAP_MAX_VALUE)
		return kt_fail("arena globals of %llu bytes in an arena of %llu pages",
			       (unsigned long long)size,
			       (unsigned long long)m->max_entries);
	end_off = m->max_entries * PAGE - ((size + PAGE - 1) & ~(PAGE - 1));
	at = start + end_off;
	if (kt_target_read(w->t, at, &(uint8_t){ 0 }, 1))
		at = start;
	v = read_value(w, m, at, size, id);
	if (!v)
		return -1;
	json_object_set_new(obj, "arena_offset", json_integer(at - start));
	return json_object_set_new(obj, "globals", v);
}

static int read_contents(struct walk *w, struct map_info *m, json_t *obj)
{
	const char *type = type_name(w->l, m->type);

	if (!type)
		return 0;
	if (!strcmp(type, "array") && is_datasec(m))
		return read_globals(w, m, obj);
	if (!strcmp(type, "array") || !strcmp(type, "percpu_array"))
		return read_array(w, m, obj);
	if (!strcmp(type, "hash") || !strcmp(type, "lru_hash") ||
	    !strcmp(type, "percpu_hash") || !strcmp(type, "lru_percpu_hash"))
		return read_hash(w, m, obj);
	if (!strcmp(type, "queue") || !strcmp(type, "stack"))
		return read_queue(w, m, obj);
	if (!strcmp(type, "arena"))
		return read_arena(w, m, obj);
	return 0;	/* struct_ops, storage, ringbuf: not decoded */
}

static json_t *map_json(struct walk *w, struct map_info *m)
{
	const char *type = type_name(w->l, m->type);
	json_t *obj = json_object();
	char addr[24];

	if (!obj)
		return NULL;
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)m->addr);
	json_object_set_new(obj, "name", kt_json_text(m->name));
	if (type)
		json_object_set_new(obj, "type", json_string(type));
	else
		json_object_set_new(obj, "type", json_integer(m->type));
	json_object_set_new(obj, "id", json_integer(m->id));
	json_object_set_new(obj, "key_size", json_integer(m->key_size));
	json_object_set_new(obj, "value_size", json_integer(m->value_size));
	json_object_set_new(obj, "max_entries", json_integer(m->max_entries));
	json_object_set_new(obj, "flags", json_integer(m->flags));
	json_object_set_new(obj, "addr", json_string(addr));
	if (m->btf_addr && !m->btf)
		m->btf = map_btf(w, m->btf_addr);
	if ((m->btf_addr && !m->btf) || read_contents(w, m, obj))
		json_object_set_new(obj, "error", kt_json_text(kt_errmsg()));
	return obj;
}

/* "scx_qmap.bss" is asked for as itself or as "bss". */
static bool name_matches(const char *map, const char *want)
{
	const char *dot = strchr(map, '.');

	return !strcmp(map, want) || (dot && !strcmp(dot + 1, want));
}

static bool wanted(const char *name, const char *const *names,
		   unsigned int nr, bool *seen)
{
	unsigned int i;
	bool any = false;

	if (!names)
		return true;
	for (i = 0; i < nr; i++)
		if (name_matches(name, names[i]))
			seen[i] = any = true;
	return any;
}

/*
 * Every name that matched no map is an error, with the names there are:
 * the maps of the scheduler's struct_ops programs, and how many of them
 * could not be read (one of those may be the one asked for).
 */
static int check_seen(const char *const *names, unsigned int nr,
		      const bool *seen, const json_t *all,
		      unsigned int unreadable, const char *first_error)
{
	char missing[512] = "", list[1024] = "", more[600] = "";
	size_t i, n = 0, len;
	json_t *m;

	for (i = 0; i < nr; i++) {
		if (seen[i])
			continue;
		len = strlen(missing);
		snprintf(missing + len, sizeof(missing) - len, "%s'%s'",
			 n++ ? ", " : "", names[i]);
	}
	if (!n)
		return 0;
	json_array_foreach(all, i, m) {
		len = strlen(list);
		snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
			 json_string_value(json_object_get(m, "name")));
	}
	if (unreadable)
		snprintf(more, sizeof(more),
			 "; %u more could not be read, their names unknown: %s",
			 unreadable, first_error);
	return kt_fail("no map named %s among the maps the scheduler's struct_ops programs use (%s%s)",
		       missing, list, more);
}

/* What this dump did not use goes: its scheduler is gone. */
static void trim_cache(struct kt_bpfmap_cache *c)
{
	unsigned int i, kept = 0;

	for (i = 0; i < c->nr; i++) {
		if (!c->e[i].used) {
			btf__free(c->e[i].btf);
			continue;
		}
		c->e[kept] = c->e[i];
		c->e[kept++].used = false;
	}
	c->nr = kept;
}

void kt_bpfmap_cache_free(struct kt_bpfmap_cache *c)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		btf__free(c->e[i].btf);
	c->nr = 0;
}

/*
 * Globals: a .bss/.data/.rodata section, or an arena's own.  An array
 * whose BTF cannot be had may be one: kept, map_json() says why.
 */
static bool holds_globals(struct walk *w, struct map_info *m)
{
	if (is_type(w->l, m->type, "arena"))
		return true;
	if (!is_type(w->l, m->type, "array") || !m->btf_addr)
		return false;
	m->btf = map_btf(w, m->btf_addr);
	return !m->btf || is_datasec(m);
}

static json_t *dump(const struct kt_target *t,
		    const struct kt_bpfmap_layout *l,
		    const char *const *names, unsigned int nr_names,
		    bool globals_only, struct kt_bpfmap_cache *cache)
{
	struct walk *w = calloc(1, sizeof(*w));
	json_t *out = NULL, *all = NULL, *obj;
	bool *seen = calloc(nr_names + 1, sizeof(*seen));
	char addr[24], first_error[512] = "";
	unsigned int i, unreadable = 0;
	struct map_info m;

	if (!w || !seen) {
		kt_fail("out of memory");
		goto done;
	}
	w->t = t;
	w->l = l;
	w->cache = cache ? cache : &w->own;
	w->read_left = l->read_budget;
	if (find_maps(w))
		goto done;
	out = json_array();
	all = json_array();
	for (i = 0; out && all && i < w->nr_maps; i++) {
		if (read_info(w, w->maps[i], &m)) {
			snprintf(addr, sizeof(addr), "0x%llx",
				 (unsigned long long)w->maps[i]);
			if (!unreadable++)
				snprintf(first_error, sizeof(first_error),
					 "map at %s: %s", addr, kt_errmsg());
			obj = json_pack("{s:s, s:o}", "addr", addr, "error",
					kt_json_text(kt_errmsg()));
			out = kt_json_append(out, obj);
			continue;
		}
		all = kt_json_append(all, json_pack("{s:o}", "name",
						    kt_json_text(m.name)));
		if (!wanted(m.name, names, nr_names, seen) ||
		    (globals_only && !holds_globals(w, &m)))
			continue;
		out = kt_json_append(out, map_json(w, &m));
	}
	if (!out || !all) {
		kt_fail("out of memory");
		json_decref(out);
		out = NULL;
	} else if (check_seen(names, nr_names, seen, all, unreadable,
				     first_error)) {
		json_decref(out);
		out = NULL;
	}
done:
	json_decref(all);
	if (w) {
		trim_cache(w->cache);
		kt_bpfmap_cache_free(&w->own);
	}
	free(w);
	free(seen);
	return out;
}

json_t *kt_bpfmap_dump(const struct kt_target *t,
		       const struct kt_bpfmap_layout *l,
		       const char *const *names, unsigned int nr_names)
{
	return dump(t, l, names, nr_names, false, NULL);
}

json_t *kt_bpfmap_globals(const struct kt_target *t,
			  const struct kt_bpfmap_layout *l,
			  struct kt_bpfmap_cache *cache)
{
	return dump(t, l, NULL, 0, true, cache);
}
