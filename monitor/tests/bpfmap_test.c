// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler's BPF maps read from recorded guest memory: the bytes
 * `ktstr monitor --maps-record` read from real guests running scx_qmap
 * (an arena, .rodata/.data/.bss, arrays) and scx_flatcg (per-CPU arrays,
 * a hash map with a cgroup in it), with the default kernel's BTF and
 * symbols.  Then the same memory damaged the ways a guest could damage
 * it: BTF that does not parse, sizes past the bounds, loops in a hash
 * chain and in map_idr, no scheduler; and the BTF value decoder on types
 * built here.
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "bpfmap.h"
#include "btf.h"
#include "btfvalue.h"
#include "cache.h"
#include "error.h"
#include "kernel.h"
#include "layout.h"
#include "memimage.h"
#include "monitor.h"
#include "symbols.h"
#include "target.h"

/*
 * What the guest held when it was recorded: the first dump `ktstr monitor
 * --maps --maps-record` printed (Documentation/monitor.md has the command).
 */
#define QMAP_NR_ENQUEUED 9
#define QMAP_NR_DISPATCHED 9
#define QMAP_SLICE_NS 20000000

/* build/tests/<test> -> the source tree's monitor/tests/fixtures/@name. */
static int fixture_path(const char *name, char *buf, size_t len)
{
	char root[4096];

	if (kt_root_dir(root, sizeof(root)))
		return -1;
	snprintf(buf, len, "%s/../../monitor/tests/fixtures/%s", root, name);
	return 0;
}

/* A recorded guest, read with the default kernel's BTF and symbols. */
struct image {
	struct kt_kernel k;
	struct kt_btf btf;
	struct kt_symbols syms;
	struct kt_layout layout;
	struct kt_bpfmap_layout maps;
	struct kt_target t;
};

static void image_open(struct __test_metadata *_metadata, struct image *im,
		       const char *name)
{
	unsigned int nr_cpus;
	char path[4200];

	ASSERT_EQ(0, kt_kernel_resolve(NULL, &im->k)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_btf_load(&im->btf, im->k.vmlinux))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_symbols_load(&im->syms, im->k.vmlinux,
				     im->k.system_map));
	ASSERT_EQ(0, kt_layout_resolve(&im->layout, &im->btf, &im->syms));
	ASSERT_EQ(0, kt_layout_read_banner(&im->layout, im->k.vmlinux))
		TH_LOG("%s", kt_errmsg());
	kt_bpfmap_layout_resolve(&im->maps, &im->btf, &im->syms);
	ASSERT_TRUE(im->maps.available) TH_LOG("%s", im->maps.missing);
	ASSERT_EQ(0, fixture_path(name, path, sizeof(path)));
	ASSERT_EQ(0, kt_memimage_load_file(&im->t.mem, path, &nr_cpus))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_target_setup(&im->t, &im->layout, nr_cpus))
		TH_LOG("%s: recorded with another kernel? %s", path,
		       kt_errmsg());
}

static void image_close(struct image *im)
{
	kt_target_detach(&im->t);
	kt_symbols_free(&im->syms);
	kt_btf_free(&im->btf);
}

/* What holds of every scheduler's maps, and damage to any of them. */
FIXTURE(maps) {
	struct image im;
};

FIXTURE_VARIANT(maps) {
	const char *image, *rodata;
};

FIXTURE_VARIANT_ADD(maps, scx_qmap) {
	.image = "scx_qmap.mem", .rodata = "scx_qmap.rodata",
};

FIXTURE_VARIANT_ADD(maps, scx_flatcg) {
	.image = "scx_flatcg.mem", .rodata = "scx_flat.rodata",
};

FIXTURE_SETUP(maps)
{
	image_open(_metadata, &self->im, variant->image);
}

FIXTURE_TEARDOWN(maps)
{
	image_close(&self->im);
}

/* scx_qmap: its globals in a BPF arena. */
FIXTURE(qmap) {
	struct image im;
};

FIXTURE_SETUP(qmap)
{
	image_open(_metadata, &self->im, "scx_qmap.mem");
}

FIXTURE_TEARDOWN(qmap)
{
	image_close(&self->im);
}

/* scx_flatcg: per-CPU arrays, a hash map with a cgroup in it. */
FIXTURE(flatcg) {
	struct image im;
};

FIXTURE_SETUP(flatcg)
{
	image_open(_metadata, &self->im, "scx_flatcg.mem");
}

FIXTURE_TEARDOWN(flatcg)
{
	image_close(&self->im);
}

static json_t *find_map(const json_t *maps, const char *name)
{
	size_t i;
	json_t *m;

	json_array_foreach(maps, i, m)
		if (!strcmp(json_string_value(json_object_get(m, "name")),
			    name))
			return m;
	return NULL;
}

static uint64_t map_addr(const json_t *m)
{
	return strtoull(json_string_value(json_object_get(m, "addr")), NULL,
			16);
}

static uint32_t offset(struct __test_metadata *_metadata,
		       const struct kt_btf *b, const char *type,
		       const char *path)
{
	struct kt_field f;

	EXPECT_EQ(0, kt_btf_field(b, type, path, &f)) TH_LOG("%s", kt_errmsg());
	return f.offset;
}

static uint64_t peek(const struct kt_target *t, uint64_t va)
{
	uint64_t v = 0;

	kt_target_read(t, va, &v, 8);
	return v;
}

/* The guest's memory is ours here: damage it at a kernel address. */
static int poke(struct kt_target *t, uint64_t va, uint64_t v, unsigned int len)
{
	uint64_t pa;
	void *p;

	if (kt_kva_to_pa(&t->kva, va, &pa))
		return -1;
	p = (void *)kt_guestmem_ptr(&t->mem, pa, len);
	if (!p)
		return -1;
	memcpy(p, &v, len);
	return 0;
}

static json_t *dump(const struct kt_target *t, const struct kt_bpfmap_layout *l,
		    const char *name)
{
	return kt_bpfmap_dump(t, l, name ? &name : NULL, name ? 1 : 0);
}

static const char *map_error(const json_t *m)
{
	return json_string_value(json_object_get(m, "error"));
}

TEST_F(maps, the_scheduler_and_its_maps_are_found)
{
	json_t *all = dump(&self->im.t, &self->im.maps, NULL), *m;
	size_t i, stops = 0;

	ASSERT_NE(NULL, all) TH_LOG("%s", kt_errmsg());
	EXPECT_GE(json_array_size(all), 4);
	json_array_foreach(all, i, m) {
		EXPECT_EQ(NULL, map_error(m))
			TH_LOG("%s: %s",
			       json_string_value(json_object_get(m, "name")),
			       map_error(m));
		stops += !strcmp(json_string_value(json_object_get(m, "type")),
				 "struct_ops");
	}
	EXPECT_EQ(1, stops);
	json_decref(all);
}

TEST_F(maps, rodata_globals_by_name)
{
	const char *name = variant->rodata;
	json_t *all = dump(&self->im.t, &self->im.maps, "rodata"), *m, *g;

	ASSERT_NE(NULL, all) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(1, json_array_size(all));
	m = json_array_get(all, 0);
	EXPECT_STREQ(name, json_string_value(json_object_get(m, "name")));
	g = json_object_get(m, "globals");
	ASSERT_TRUE(json_is_object(g)) TH_LOG("%s", map_error(m));
	if (!strcmp(variant->image, "scx_qmap.mem"))
		EXPECT_EQ(QMAP_SLICE_NS,
			  json_integer_value(json_object_get(g, "slice_ns")));
	json_decref(all);
}

TEST_F(qmap, arena_globals_by_name)
{
	json_t *all, *qa;

	all = dump(&self->im.t, &self->im.maps, "arena");
	ASSERT_NE(NULL, all) TH_LOG("%s", kt_errmsg());
	qa = json_object_get(json_object_get(json_array_get(all, 0),
					     "globals"), "qa");
	ASSERT_TRUE(json_is_object(qa))
		TH_LOG("%s", map_error(json_array_get(all, 0)));
	EXPECT_EQ(QMAP_NR_ENQUEUED,
		  json_integer_value(json_object_get(qa, "nr_enqueued")));
	EXPECT_EQ(QMAP_NR_DISPATCHED,
		  json_integer_value(json_object_get(qa, "nr_dispatched")));
	EXPECT_EQ(5, json_array_size(json_object_get(qa, "fifos")));
	json_decref(all);
}

TEST_F(flatcg, percpu_array_and_hash)
{
	json_t *all, *stats, *hash, *e;

	all = dump(&self->im.t, &self->im.maps, NULL);
	ASSERT_NE(NULL, all) TH_LOG("%s", kt_errmsg());
	stats = find_map(all, "stats");
	ASSERT_NE(NULL, stats);
	e = json_array_get(json_object_get(stats, "entries"), 0);
	EXPECT_EQ(self->im.t.nr_cpus,
		  json_array_size(json_object_get(e, "values")));
	hash = find_map(all, "cgv_node_stash");
	ASSERT_NE(NULL, hash);
	EXPECT_EQ(NULL, map_error(hash)) TH_LOG("%s", map_error(hash));
	EXPECT_GE(json_array_size(json_object_get(hash, "entries")), 1);
	json_decref(all);
}

/*
 * Globals only, their BTF kept from one read to the next: the same
 * again, and parsed anew once the BTF is another (its id changed).
 */
TEST_F(maps, globals_with_their_btf_kept)
{
	struct kt_bpfmap_cache cache = { 0 };
	json_t *a, *b, *all = dump(&self->im.t, &self->im.maps, "rodata");
	struct btf *first;
	uint64_t btf;
	size_t i;

	ASSERT_NE(NULL, all);
	btf = peek(&self->im.t, map_addr(json_array_get(all, 0)) +
		   offset(_metadata, &self->im.btf, "bpf_map", "btf"));
	json_decref(all);
	a = kt_bpfmap_globals(&self->im.t, &self->im.maps, &cache);
	ASSERT_NE(NULL, a) TH_LOG("%s", kt_errmsg());
	for (i = 0; i < json_array_size(a); i++)
		EXPECT_NE(NULL, json_object_get(json_array_get(a, i),
						"globals"));
	EXPECT_EQ(1, cache.nr);
	first = cache.e[0].btf;
	b = kt_bpfmap_globals(&self->im.t, &self->im.maps, &cache);
	EXPECT_TRUE(json_equal(a, b));
	EXPECT_EQ(first, cache.e[0].btf);
	json_decref(b);
	ASSERT_EQ(0, poke(&self->im.t, btf + offset(_metadata, &self->im.btf,
						    "btf", "id"), 9999, 4));
	b = kt_bpfmap_globals(&self->im.t, &self->im.maps, &cache);
	EXPECT_TRUE(json_equal(a, b));
	EXPECT_EQ(1, cache.nr);
	EXPECT_EQ(9999, cache.e[0].id);
	json_decref(a);
	json_decref(b);
	kt_bpfmap_cache_free(&cache);
}

TEST_F(maps, an_unknown_name_is_named)
{
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, "no_such_map"));
	EXPECT_NE(NULL, strstr(kt_errmsg(),
			       "no map named 'no_such_map' among the maps the scheduler's struct_ops programs use ("))
		TH_LOG("%s", kt_errmsg());
}

/* Every name no map has, not only the first. */
TEST_F(maps, every_unknown_name_is_named)
{
	static const char *const names[] = { "nope1", "bss", "nope2" };

	EXPECT_EQ(NULL, kt_bpfmap_dump(&self->im.t, &self->im.maps, names, 3));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no map named 'nope1', 'nope2' among"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(maps, no_scheduler_attached)
{
	ASSERT_EQ(0, poke(&self->im.t,
			  kt_target_moved(&self->im.t, self->im.maps.scx_root),
			  0, 8));
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_STREQ("no sched_ext scheduler is attached", kt_errmsg());
}

/* The first map with BTF: its BTF's raw data, damaged. */
TEST_F(maps, btf_that_does_not_parse)
{
	json_t *all = dump(&self->im.t, &self->im.maps, "rodata"), *m;
	uint64_t btf, data;

	ASSERT_NE(NULL, all);
	btf = peek(&self->im.t, map_addr(json_array_get(all, 0)) +
		   offset(_metadata, &self->im.btf, "bpf_map", "btf"));
	data = peek(&self->im.t, btf + offset(_metadata, &self->im.btf, "btf",
					   "data"));
	json_decref(all);
	/* The header's type section runs far past the data. */
	ASSERT_EQ(0, poke(&self->im.t, data + 8, 0x7fff0000, 4));
	all = dump(&self->im.t, &self->im.maps, "rodata");
	ASSERT_NE(NULL, all);
	m = json_array_get(all, 0);
	ASSERT_NE(NULL, map_error(m));
	EXPECT_NE(NULL, strstr(map_error(m), "does not parse"));
	TH_LOG("%s", map_error(m));
	json_decref(all);
}

TEST_F(maps, btf_too_large)
{
	json_t *all = dump(&self->im.t, &self->im.maps, "rodata"), *m;
	uint64_t btf;

	ASSERT_NE(NULL, all);
	btf = peek(&self->im.t, map_addr(json_array_get(all, 0)) +
		   offset(_metadata, &self->im.btf, "bpf_map", "btf"));
	json_decref(all);
	ASSERT_EQ(0, poke(&self->im.t, btf + offset(_metadata, &self->im.btf, "btf",
						 "data_size"),
			  0xffffffff, 4));
	all = dump(&self->im.t, &self->im.maps, "rodata");
	m = json_array_get(all, 0);
	ASSERT_NE(NULL, map_error(m));
	EXPECT_NE(NULL, strstr(map_error(m), "4294967295 bytes, expected 1 to"))
		TH_LOG("%s", map_error(m));
	json_decref(all);
}

TEST_F(maps, value_size_too_large)
{
	json_t *all = dump(&self->im.t, &self->im.maps, "rodata"), *m;
	uint64_t addr;

	ASSERT_NE(NULL, all);
	addr = map_addr(json_array_get(all, 0));
	json_decref(all);
	ASSERT_EQ(0, poke(&self->im.t, addr + offset(_metadata, &self->im.btf,
						  "bpf_map", "value_size"),
			  0x7fffffff, 4));
	all = dump(&self->im.t, &self->im.maps, NULL);
	ASSERT_NE(NULL, all);
	/* The map is listed by its address, with what is wrong. */
	m = NULL;
	for (size_t i = 0; i < json_array_size(all); i++)
		if (map_error(json_array_get(all, i)) &&
		    strstr(map_error(json_array_get(all, i)), "2147483647"))
			m = json_array_get(all, i);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(addr, map_addr(m));
	EXPECT_EQ(NULL, json_object_get(m, "name"));
	EXPECT_NE(NULL, strstr(map_error(m), "value of 2147483647: at most"))
		TH_LOG("%s", map_error(m));
	json_decref(all);
}

/* A hash map's buckets, and the first element in them (odd if none). */
struct buckets {
	uint64_t at, first;
	uint32_t n, size;
};

static void find_buckets(struct __test_metadata *_metadata, struct image *im,
			 uint64_t htab, struct buckets *b)
{
	uint32_t i;

	b->size = kt_btf_struct_size(&im->btf, "bucket");
	b->at = peek(&im->t, htab + offset(_metadata, &im->btf, "bpf_htab",
					   "buckets"));
	b->n = peek(&im->t, htab + offset(_metadata, &im->btf, "bpf_htab",
					  "n_buckets"));
	b->first = 1;
	for (i = 0; i < b->n && (b->first & 1); i++)
		b->first = peek(&im->t, b->at + i * b->size);
}

/* A hash element whose next is itself: the walk stops, and says why. */
TEST_F(flatcg, a_loop_in_a_hash_chain)
{
	struct buckets b;
	json_t *all, *m;
	uint64_t htab;

	all = dump(&self->im.t, &self->im.maps, "cgv_node_stash");
	ASSERT_NE(NULL, all);
	htab = map_addr(json_array_get(all, 0));
	json_decref(all);
	find_buckets(_metadata, &self->im, htab, &b);
	ASSERT_FALSE(b.first & 1) TH_LOG("no element in %u buckets", b.n);
	ASSERT_EQ(0, poke(&self->im.t, b.first +
			  offset(_metadata, &self->im.btf, "htab_elem",
				 "hash_node.next"), b.first, 8));
	all = dump(&self->im.t, &self->im.maps, "cgv_node_stash");
	ASSERT_NE(NULL, all);
	m = json_array_get(all, 0);
	ASSERT_NE(NULL, map_error(m));
	EXPECT_NE(NULL, strstr(map_error(m), "more elements than max_entries 16384 allows (a loop?)"));
	TH_LOG("%s", map_error(m));
	json_decref(all);
}

/* The struct_ops map, found as the reader finds it. */
static uint64_t stops_map(struct __test_metadata *_metadata,
			  const struct image *im)
{
	json_t *all = kt_bpfmap_dump(&im->t, &im->maps, NULL, 0);
	uint64_t addr;

	EXPECT_NE(NULL, all);
	addr = map_addr(json_array_get(all, 0));
	EXPECT_STREQ("struct_ops", json_string_value(json_object_get(
		json_array_get(all, 0), "type")));
	json_decref(all);
	return addr;
}

/* Its sched_ext_ops no longer points at scx_root: not the scheduler's. */
TEST_F(maps, no_struct_ops_map_of_the_scheduler)
{
	uint64_t map = stops_map(_metadata, &self->im);

	ASSERT_EQ(0, poke(&self->im.t, map +
			  self->im.maps.f[KT_BM_STOPS_DATA].offset +
			  self->im.maps.f[KT_BM_OPS_PRIV].offset, 0x1234, 8));
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no struct_ops map in map_idr belongs to the attached scheduler"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(maps, too_many_struct_ops_programs)
{
	uint64_t map = stops_map(_metadata, &self->im);

	ASSERT_EQ(0, poke(&self->im.t, map +
			  self->im.maps.f[KT_BM_STOPS_FUNCS_CNT].offset,
			  100000, 4));
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_STREQ("struct_ops map: 100000 programs, at most 256",
		     kt_errmsg());
}

/* The bpf_prog_aux of the struct_ops map's first program. */
static uint64_t first_aux(struct __test_metadata *_metadata,
			  const struct image *im)
{
	uint64_t map = stops_map(_metadata, im), links, link = 0, prog;
	unsigned int i;

	links = peek(&im->t, map + im->maps.f[KT_BM_STOPS_LINKS].offset);
	for (i = 0; i < 64 && !link; i++)
		link = peek(&im->t, links + i * 8);
	EXPECT_NE(0, link);
	prog = peek(&im->t, link + offset(_metadata, &im->btf, "bpf_link",
					  "prog"));
	return peek(&im->t, prog + offset(_metadata, &im->btf, "bpf_prog",
					  "aux"));
}

/* The first program's used_map_cnt past the verifier's bound. */
TEST_F(maps, a_program_with_too_many_maps)
{
	uint64_t aux = first_aux(_metadata, &self->im);

	ASSERT_EQ(0, poke(&self->im.t, aux +
			  offset(_metadata, &self->im.btf, "bpf_prog_aux",
				 "used_map_cnt"), 65, 4));
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), " uses 65 maps, at most 64"))
		TH_LOG("%s", kt_errmsg());
}

/*
 * Map @name's field @type.@path set to @value (@len bytes), and the map
 * read again: its error, or NULL.  Freed by the caller.
 */
static char *error_after(struct __test_metadata *_metadata, struct image *im,
			 const char *name, const char *type, const char *path,
			 uint64_t value, unsigned int len)
{
	json_t *all = dump(&im->t, &im->maps, name);
	const char *error;
	char *copy = NULL;

	if (!all)
		return NULL;
	EXPECT_EQ(0, poke(&im->t, map_addr(json_array_get(all, 0)) +
			  offset(_metadata, &im->btf, type, path), value, len));
	json_decref(all);
	all = dump(&im->t, &im->maps, name);
	error = map_error(json_array_get(all, 0));
	if (error)
		copy = strdup(error);
	json_decref(all);
	return copy;
}

/* An array's elem_size that does not fit its value_size. */
TEST_F(qmap, an_array_whose_elements_do_not_fit)
{
	char *e = error_after(_metadata, &self->im, "monitor_timer",
			      "bpf_array", "elem_size", 3, 4);

	EXPECT_STREQ("elem_size 3 does not fit value_size 16", e);
	free(e);
}

/* Arena globals larger than the arena. */
TEST_F(qmap, arena_smaller_than_its_globals)
{
	char *e = error_after(_metadata, &self->im, "arena", "bpf_map",
			      "max_entries", 1, 4);

	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e, " bytes in an arena of 1 pages")) TH_LOG("%s", e);
	free(e);
}

/* A kernel without arenas: that map says so, the others are read. */
TEST_F(qmap, a_kernel_without_arenas)
{
	json_t *all, *m;
	size_t i;

	self->im.maps.f[KT_BM_ARENA_KERN_VM].available = false;
	all = dump(&self->im.t, &self->im.maps, NULL);
	ASSERT_NE(NULL, all) TH_LOG("%s", kt_errmsg());
	json_array_foreach(all, i, m) {
		bool arena = !strcmp(json_string_value(json_object_get(m, "type")),
				     "arena");

		EXPECT_STREQ(arena ? "this kernel has no struct bpf_arena as ktstr knows it" :
			     "(none)", map_error(m) ?: "(none)");
	}
	json_decref(all);
}

/* A kernel without what finding maps needs: said, with what it lacks. */
TEST_F(qmap, a_kernel_without_map_idr)
{
	self->im.maps.available = false;
	snprintf(self->im.maps.missing, sizeof(self->im.maps.missing),
		 "map_idr");
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_STREQ("this kernel lacks what reading BPF maps needs: map_idr",
		     kt_errmsg());
}

/* A per-CPU pointer that points nowhere: the map says where. */
TEST_F(flatcg, a_per_cpu_pointer_to_nowhere)
{
	char *e = error_after(_metadata, &self->im, "stats", "bpf_array",
			      "pptrs", 0xdead000000000000ULL, 8);

	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e, "is not a canonical address")) TH_LOG("%s", e);
	free(e);
}

TEST_F(flatcg, too_many_buckets)
{
	char *e = error_after(_metadata, &self->im, "cgv_node_stash",
			      "bpf_htab", "n_buckets", 1U << 31, 4);

	EXPECT_STREQ("2147483648 buckets, expected 1 to 1048576", e);
	free(e);
}

/* map_idr's root node made to hold itself: bounded, and named. */
TEST_F(maps, a_loop_in_map_idr)
{
	uint64_t head_at = kt_target_moved(&self->im.t,
					   self->im.maps.map_idr) +
			   self->im.maps.f[KT_BM_IDR_XA_HEAD].offset;
	uint64_t head = peek(&self->im.t, head_at);
	uint64_t slots = self->im.maps.f[KT_BM_XA_NODE_SLOTS].offset;

	ASSERT_EQ(2, head & 3) TH_LOG("map_idr has a single entry");
	/* A node above the leaves (shift 6) whose first slot is itself. */
	ASSERT_EQ(0, poke(&self->im.t, head - 2 + self->im.maps.f[KT_BM_XA_NODE_SHIFT].offset,
			  6, 1));
	ASSERT_EQ(0, poke(&self->im.t, head - 2 + slots, head, 8));
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_STREQ("map_idr: nodes nested more than 12 deep (a loop?)",
		     kt_errmsg());
}

TEST(excerpts_that_do_not_load)
{
	static const char magic[] = "KTMEMIM1";
	uint8_t buf[64] = { 0 };
	struct kt_guestmem m;
	unsigned int cpus;

	EXPECT_EQ(-1, kt_memimage_load(&m, "junk", 4, "junk", &cpus));
	EXPECT_STREQ("junk: not a guest memory excerpt (no KTMEMIM1 header)",
		     kt_errmsg());
	memcpy(buf, magic, 8);
	buf[9] = 0x10;				/* 4 KiB of RAM */
	buf[20] = 1;				/* one range of 4 bytes ... */
	buf[24 + 8] = 4;
	EXPECT_EQ(-1, kt_memimage_load(&m, buf, 24 + 12, "short", &cpus));
	EXPECT_STREQ("short: range 0 runs past the end", kt_errmsg());
	buf[24 + 1] = 0x20;			/* ... at 8 KiB */
	EXPECT_EQ(-1, kt_memimage_load(&m, buf, 24 + 12 + 4, "outside",
				       &cpus));
	EXPECT_STREQ("outside: range 0 (4 bytes at 0x2000) is not in the guest's RAM",
		     kt_errmsg());
	buf[15] = 0x7f;				/* RAM past the bound */
	EXPECT_EQ(-1, kt_memimage_load(&m, buf, 40, "huge", &cpus));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "huge: RAM of")) TH_LOG("%s",
								 kt_errmsg());
}

/* Types built here: every kind the decoder reads, and what does not fit. */
FIXTURE(types) {
	struct btf *btf;
	int u32, s8, chr, chars, en, st, arr, ds, bf;
};

FIXTURE_SETUP(types)
{
	struct btf *b = btf__new_empty();
	int var;

	ASSERT_NE(NULL, b);
	self->btf = b;
	self->u32 = btf__add_int(b, "unsigned int", 4, 0);
	self->s8 = btf__add_int(b, "signed char", 1, BTF_INT_SIGNED);
	self->chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	self->chars = btf__add_array(b, self->u32, self->chr, 8);
	self->en = btf__add_enum(b, "color", 4);
	btf__add_enum_value(b, "RED", 0);
	btf__add_enum_value(b, "GREEN", 7);
	self->st = btf__add_struct(b, "pair", 16);
	btf__add_field(b, "n", self->u32, 0, 0);
	btf__add_field(b, "c", self->en, 32, 0);
	btf__add_field(b, "name", self->chars, 64, 0);
	self->bf = btf__add_struct(b, "bits", 4);
	btf__add_field(b, "lo", self->u32, 0, 3);
	btf__add_field(b, "neg", self->s8, 3, 4);
	self->arr = btf__add_array(b, self->u32, self->st, 2);
	var = btf__add_var(b, "nr_things", BTF_VAR_GLOBAL_ALLOCATED, self->u32);
	self->ds = btf__add_datasec(b, "x.bss", 8);
	btf__add_datasec_var_info(b, var, 4, 4);
}

FIXTURE_TEARDOWN(types)
{
	btf__free(self->btf);
}

static char *decoded(const struct btf *btf, int id, const void *p, size_t len)
{
	json_t *v = kt_btfv_decode(btf, id, p, len);
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	json_decref(v);
	return s;
}

TEST_F(types, structs_enums_text_and_sections)
{
	uint8_t pair[32] = { 5, 0, 0, 0, 7, 0, 0, 0, 'q', 'm', 'a', 'p', 0,
			     'x', 0, 0, 9, 0, 0, 0, 3 };
	uint8_t bss[8] = { 0, 0, 0, 0, 42, 0, 0, 0 };
	char *s;

	s = decoded(self->btf, self->arr, pair, 32);
	EXPECT_STREQ("[{\"n\":5,\"c\":\"GREEN\",\"name\":\"qmap\"},{\"n\":9,\"c\":3,\"name\":\"\"}]",
		     s) TH_LOG("%s", kt_errmsg());
	free(s);
	s = decoded(self->btf, self->ds, bss, 8);
	EXPECT_STREQ("{\"nr_things\":42}", s);
	free(s);
}

TEST_F(types, bitfields_signed_and_not)
{
	uint8_t v[4] = { 0x7d };	/* lo 5, neg 0b1111: -1 */
	char *s = decoded(self->btf, self->bf, v, 4);

	EXPECT_STREQ("{\"lo\":5,\"neg\":-1}", s);
	free(s);
}

TEST_F(types, a_type_larger_than_the_value)
{
	uint8_t v[16] = { 0 };
	char want[128];

	snprintf(want, sizeof(want),
		 "BTF type %d (anonymous) needs 32 bytes, the value has 16",
		 self->arr);
	EXPECT_EQ(NULL, kt_btfv_decode(self->btf, self->arr, v, 16));
	EXPECT_STREQ(want, kt_errmsg());
	EXPECT_EQ(NULL, kt_btfv_decode(self->btf, 999, v, 16));
	EXPECT_STREQ("BTF type 999 does not exist", kt_errmsg());
}

TEST_F(types, a_datasec_variable_past_its_section)
{
	uint8_t v[4] = { 0 };

	EXPECT_EQ(NULL, kt_btfv_decode(self->btf, self->ds, v, 4));
	EXPECT_STREQ("variable nr_things: 4 bytes at 4, the section has 4",
		     kt_errmsg());
}

/*
 * Typedefs that name each other (btf__new() lets them by): as a bit
 * field's type and as a char array's element, an error, not a hang.
 */
TEST(typedef_loops_are_bounded)
{
	struct btf *b = btf__new_empty();
	uint8_t v[8] = { 0 };
	int u32, st, t1, arr;
	char want[128];

	ASSERT_NE(NULL, b);
	u32 = btf__add_int(b, "unsigned int", 4, 0);
	t1 = btf__add_typedef(b, "t1", u32 + 2);
	ASSERT_EQ(t1 + 1, btf__add_typedef(b, "t2", t1));
	st = btf__add_struct(b, "loopy", 4);
	ASSERT_EQ(0, btf__add_field(b, "bits", t1, 0, 3));
	EXPECT_EQ(NULL, kt_btfv_decode(b, st, v, 4));
	snprintf(want, sizeof(want),
		 "BTF type %d: member 0's type %d does not resolve (a loop of typedefs?)",
		 st, t1);
	EXPECT_STREQ(want, kt_errmsg());
	arr = btf__add_array(b, u32, t1, 4);
	EXPECT_EQ(NULL, kt_btfv_decode(b, arr, v, 8));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "has no size")) TH_LOG("%s", kt_errmsg());
	btf__free(b);
}

/* A struct that holds itself (BTF the guest made up): nesting is bounded. */
TEST(nesting_is_bounded)
{
	struct btf *b = btf__new_empty();
	uint8_t v[8] = { 0 };
	int st;

	ASSERT_NE(NULL, b);
	st = btf__add_struct(b, "loop", 8);
	ASSERT_EQ(0, btf__add_field(b, "self", st, 0, 0));
	EXPECT_EQ(NULL, kt_btfv_decode(b, st, v, 8));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "nested more than 24 deep"))
		TH_LOG("%s", kt_errmsg());
	btf__free(b);
}

/* The address of map @name, as a dump lists it. */
static uint64_t addr_of(const struct image *im, const char *name)
{
	json_t *all = dump(&im->t, &im->maps, name);
	uint64_t addr = all ? map_addr(json_array_get(all, 0)) : 0;

	json_decref(all);
	return addr;
}

/* The map's header unreadable: asked for by name, it is not "no such". */
TEST_F(maps, a_named_map_whose_header_is_unreadable)
{
	uint64_t addr = addr_of(&self->im, "bss");

	ASSERT_NE(0, addr);
	ASSERT_EQ(0, poke(&self->im.t, addr + offset(_metadata, &self->im.btf,
						  "bpf_map", "value_size"),
			  0x7fffffff, 4));
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, "bss"));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "; 1 more could not be read, their names unknown: map at 0x"))
		TH_LOG("%s", kt_errmsg());
}

/* Where map_idr holds @value: the slot's address, or 0. */
static uint64_t idr_slot(const struct image *im, uint64_t entry,
			 uint64_t value, unsigned int depth)
{
	const struct kt_bpfmap_layout *l = &im->maps;
	uint64_t node = entry - 2, slot, v, at;
	unsigned int i;

	if ((entry & 3) != 2 || entry < 4096 || depth > 12)
		return 0;
	for (i = 0; i < l->f[KT_BM_XA_NODE_SLOTS].size / 8; i++) {
		slot = node + l->f[KT_BM_XA_NODE_SLOTS].offset + i * 8;
		v = peek(&im->t, slot);
		if (v == value)
			return slot;
		at = idr_slot(im, v, value, depth + 1);
		if (at)
			return at;
	}
	return 0;
}

static uint64_t idr_head(const struct image *im)
{
	return peek(&im->t, kt_target_moved(&im->t, im->maps.map_idr) +
		    im->maps.f[KT_BM_IDR_XA_HEAD].offset);
}

/*
 * A map freed while the walk reads map_idr: skipped.  If it was the
 * scheduler's, that is said with the count.
 */
TEST_F(maps, unreadable_map_idr_entries_are_skipped)
{
	uint64_t stops = stops_map(_metadata, &self->im);
	uint64_t other = addr_of(&self->im, "bss"), slot;
	json_t *all;

	slot = idr_slot(&self->im, idr_head(&self->im), other, 0);
	ASSERT_NE(0, slot);
	ASSERT_EQ(0, poke(&self->im.t, slot, 0xdead000000000000ULL, 8));
	all = dump(&self->im.t, &self->im.maps, NULL);
	ASSERT_NE(NULL, all) TH_LOG("%s", kt_errmsg());
	json_decref(all);
	slot = idr_slot(&self->im, idr_head(&self->im), stops, 0);
	ASSERT_NE(0, slot);
	ASSERT_EQ(0, poke(&self->im.t, slot, 0xdead000000000000ULL, 8));
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "); 2 map_idr entries could not be read"))
		TH_LOG("%s", kt_errmsg());
}

/*
 * A tree shallow and wide: the root's slots all one node, its slots all
 * one leaf node; 1 + 64 + 64 * 64 nodes, past the bound.
 */
TEST_F(maps, map_idr_with_too_many_nodes)
{
	const struct kt_bpfmap_layout *l = &self->im.maps;
	uint64_t a = idr_head(&self->im) - 2, b = a + 1024, c = a + 2048;
	uint32_t shift = l->f[KT_BM_XA_NODE_SHIFT].offset;
	uint32_t slots = l->f[KT_BM_XA_NODE_SLOTS].offset, i;

	ASSERT_EQ(64, l->f[KT_BM_XA_NODE_SLOTS].size / 8);
	ASSERT_EQ(0, poke(&self->im.t, a + shift, 6, 1));
	ASSERT_EQ(0, poke(&self->im.t, b + shift, 6, 1));
	ASSERT_EQ(0, poke(&self->im.t, c + shift, 0, 1));
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, poke(&self->im.t, a + slots + i * 8, b + 2, 8));
		ASSERT_EQ(0, poke(&self->im.t, b + slots + i * 8, c + 2, 8));
		ASSERT_EQ(0, poke(&self->im.t, c + slots + i * 8, 0, 8));
	}
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_STREQ("map_idr: more than 4096 nodes (a loop?)", kt_errmsg());
}

/* What cannot be read names what it was. */
TEST_F(maps, unreadable_roots_are_named)
{
	struct kt_bpfmap_layout l = self->im.maps;

	l.scx_root = 0x10;
	EXPECT_EQ(NULL, dump(&self->im.t, &l, NULL));
	EXPECT_EQ(0, strncmp(kt_errmsg(), "scx_root at 0x", 14))
		TH_LOG("%s", kt_errmsg());
	l = self->im.maps;
	l.map_idr = 0x10;
	EXPECT_EQ(NULL, dump(&self->im.t, &l, NULL));
	EXPECT_EQ(0, strncmp(kt_errmsg(), "map_idr at 0x", 13))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(maps, unreadable_links_are_named)
{
	uint64_t map = stops_map(_metadata, &self->im);

	ASSERT_EQ(0, poke(&self->im.t, map +
			  self->im.maps.f[KT_BM_STOPS_LINKS].offset,
			  0xdead000000000000ULL, 8));
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "struct_ops map: links[0] at 0xdead000000000000: "))
		TH_LOG("%s", kt_errmsg());
}

/* The first program's used_maps pointing nowhere. */
TEST_F(maps, unreadable_used_maps_are_named)
{
	uint64_t aux = first_aux(_metadata, &self->im);

	ASSERT_EQ(0, poke(&self->im.t, aux +
			  offset(_metadata, &self->im.btf, "bpf_prog_aux",
				 "used_maps"), 0xdead000000000000ULL, 8));
	EXPECT_EQ(NULL, dump(&self->im.t, &self->im.maps, NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), ": used_maps[0]: "))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(maps, unreadable_btf_data_is_named)
{
	uint64_t map = addr_of(&self->im, "rodata"), btf;
	char *e;

	ASSERT_NE(0, map);
	btf = peek(&self->im.t, map + offset(_metadata, &self->im.btf,
					     "bpf_map", "btf"));
	ASSERT_EQ(0, poke(&self->im.t, btf + offset(_metadata, &self->im.btf,
						 "btf", "data"),
			  0xdead000000000000ULL, 8));
	e = error_after(_metadata, &self->im, "rodata", "bpf_map",
			"map_flags", 0, 0);
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e, " at 0xdead000000000000): ")) TH_LOG("%s", e);
	free(e);
}

/*
 * Globals only: a section whose BTF does not parse is still listed (it
 * may hold them), with why.
 */
TEST_F(maps, globals_whose_btf_does_not_parse)
{
	uint64_t map = addr_of(&self->im, "rodata"), btf, data;
	json_t *all;
	size_t i, broken = 0;

	ASSERT_NE(0, map);
	btf = peek(&self->im.t, map + offset(_metadata, &self->im.btf,
					     "bpf_map", "btf"));
	data = peek(&self->im.t, btf + offset(_metadata, &self->im.btf, "btf",
					      "data"));
	ASSERT_EQ(0, poke(&self->im.t, data + 8, 0x7fff0000, 4));
	all = kt_bpfmap_globals(&self->im.t, &self->im.maps, NULL);
	ASSERT_NE(NULL, all) TH_LOG("%s", kt_errmsg());
	for (i = 0; i < json_array_size(all); i++)
		broken += map_error(json_array_get(all, i)) &&
			  strstr(map_error(json_array_get(all, i)),
				 "does not parse");
	EXPECT_GE(broken, 1);
	EXPECT_NE(NULL, find_map(all, variant->rodata));
	json_decref(all);
}

/* Values and BTF past what one dump reads: the map that went past says so. */
TEST_F(maps, a_dump_reads_a_bounded_amount)
{
	json_t *all, *m;
	size_t i, cut = 0;

	self->im.maps.read_budget = 4096;
	all = dump(&self->im.t, &self->im.maps, NULL);
	ASSERT_NE(NULL, all) TH_LOG("%s", kt_errmsg());
	json_array_foreach(all, i, m)
		cut += map_error(m) &&
		       strstr(map_error(m), "past the 4096 bytes of values and BTF one dump reads");
	EXPECT_GE(cut, 1);
	json_decref(all);
}

/* A map type the kernel has: its value. */
static uint32_t map_type(const struct kt_bpfmap_layout *l, const char *name)
{
	unsigned int i;

	for (i = 0; i < l->nr_types; i++)
		if (!strcmp(l->type_names[i], name))
			return l->map_types[i];
	return 0;
}

/*
 * No fixture has a queue: monitor_timer made into one, its elements
 * 8-byte numbers without BTF, 2 of 3 slots used, tail at slot 0.
 */
static uint64_t make_queue(struct __test_metadata *_metadata,
			   struct image *im, const char *type, uint32_t size)
{
	const struct kt_bpfmap_layout *l = &im->maps;
	uint64_t map = addr_of(im, "monitor_timer"), elems;

	EXPECT_NE(0, map);
	EXPECT_NE(0, map_type(l, type));
	elems = map + l->f[KT_BM_QS_ELEMENTS].offset;
	EXPECT_EQ(0, poke(&im->t, map + l->f[KT_BM_MAP_TYPE].offset,
			  map_type(l, type), 4));
	EXPECT_EQ(0, poke(&im->t, map + l->f[KT_BM_MAP_MAX_ENTRIES].offset, 3,
			  4));
	EXPECT_EQ(0, poke(&im->t, map + l->f[KT_BM_MAP_VALUE_SIZE].offset, 8,
			  4));
	EXPECT_EQ(0, poke(&im->t, map + l->f[KT_BM_MAP_BTF_VALUE].offset, 0,
			  4));
	EXPECT_EQ(0, poke(&im->t, map + l->f[KT_BM_QS_HEAD].offset, 2, 4));
	EXPECT_EQ(0, poke(&im->t, map + l->f[KT_BM_QS_TAIL].offset, 0, 4));
	EXPECT_EQ(0, poke(&im->t, map + l->f[KT_BM_QS_SIZE].offset, size, 4));
	EXPECT_EQ(0, poke(&im->t, elems, 0x11, 8));
	EXPECT_EQ(0, poke(&im->t, elems + 8, 0x22, 8));
	EXPECT_EQ(0, poke(&im->t, elems + 16, 0x33, 8));
	return map;
}

static char *entries_of(const struct image *im, const char *name)
{
	json_t *all = dump(&im->t, &im->maps, name);
	json_t *m = json_array_get(all, 0);
	char *s = NULL;

	if (json_object_get(m, "entries"))
		s = json_dumps(json_object_get(m, "entries"), JSON_COMPACT);
	else if (map_error(m))
		s = strdup(map_error(m));
	json_decref(all);
	return s;
}

/* A queue from its tail, the same ring as a stack from its top. */
TEST_F(qmap, a_queue_and_a_stack_in_order)
{
	char *queue, *stack;

	make_queue(_metadata, &self->im, "queue", 4);
	queue = entries_of(&self->im, "monitor_timer");
	make_queue(_metadata, &self->im, "stack", 4);
	stack = entries_of(&self->im, "monitor_timer");
	EXPECT_STREQ("[17,34]", queue);
	EXPECT_STREQ("[34,17]", stack);
	free(queue);
	free(stack);
}

TEST_F(qmap, a_queue_whose_ring_does_not_fit)
{
	char *s;

	make_queue(_metadata, &self->im, "queue", 9);
	s = entries_of(&self->im, "monitor_timer");
	EXPECT_STREQ("head 2, tail 0, size 9: not a queue of 3", s);
	free(s);
	self->im.maps.f[KT_BM_QS_ELEMENTS].available = false;
	s = entries_of(&self->im, "monitor_timer");
	EXPECT_STREQ("this kernel has no struct bpf_queue_stack as ktstr knows it",
		     s);
	free(s);
}

/*
 * The arena's last pages not mapped (an arena made far larger than it
 * is): its globals are taken from its start, here moved to where they
 * are.
 */
TEST_F(qmap, arena_globals_at_its_start)
{
	const struct kt_bpfmap_layout *l = &self->im.maps;
	uint64_t map = addr_of(&self->im, "arena"), kern_vm, start, off;
	json_t *all, *before;

	ASSERT_NE(0, map);
	all = dump(&self->im.t, l, "arena");
	ASSERT_NE(NULL, all);
	off = json_integer_value(json_object_get(json_array_get(all, 0),
						 "arena_offset"));
	before = json_incref(json_object_get(json_array_get(all, 0),
					     "globals"));
	json_decref(all);
	kern_vm = peek(&self->im.t, map + l->f[KT_BM_ARENA_KERN_VM].offset);
	start = peek(&self->im.t, kern_vm + l->f[KT_BM_VM_ADDR].offset);
	ASSERT_EQ(0, poke(&self->im.t, kern_vm + l->f[KT_BM_VM_ADDR].offset,
			  start + off, 8));
	ASSERT_EQ(0, poke(&self->im.t, map + l->f[KT_BM_MAP_MAX_ENTRIES].offset,
			  1U << 24, 4));
	all = dump(&self->im.t, l, "arena");
	ASSERT_NE(NULL, all);
	EXPECT_EQ(0, json_integer_value(json_object_get(json_array_get(all, 0),
							"arena_offset")))
		TH_LOG("%s", map_error(json_array_get(all, 0)));
	EXPECT_TRUE(json_equal(before, json_object_get(json_array_get(all, 0),
						       "globals")));
	json_decref(before);
	json_decref(all);
}

/*
 * Buckets past the first 1100 made to hold the map's first chain: past
 * 1024 entries, elements are counted, not decoded, and the print says
 * how many.
 */
TEST_F(flatcg, hash_entries_past_the_bound_are_counted)
{
	uint64_t htab = addr_of(&self->im, "cgv_node_stash"), next, at;
	uint64_t chain = 0, total, not_read;
	struct buckets b;
	char *text = NULL;
	size_t len = 0;
	json_t *all, *m;
	uint32_t i;
	FILE *f;

	ASSERT_NE(0, htab);
	find_buckets(_metadata, &self->im, htab, &b);
	ASSERT_GT(b.n, 1200);
	ASSERT_FALSE(b.first & 1);
	all = dump(&self->im.t, &self->im.maps, "cgv_node_stash");
	total = json_array_size(json_object_get(json_array_get(all, 0),
						"entries"));
	json_decref(all);
	for (next = b.first; !(next & 1); chain++)
		next = peek(&self->im.t, next + offset(_metadata, &self->im.btf,
						       "htab_elem",
						       "hash_node.next"));
	for (i = b.n - 1100; i < b.n; i++) {
		at = b.at + i * b.size;
		if (peek(&self->im.t, at) & 1)
			total += chain;
		ASSERT_EQ(0, poke(&self->im.t, at, b.first, 8));
	}
	all = dump(&self->im.t, &self->im.maps, "cgv_node_stash");
	ASSERT_NE(NULL, all);
	m = json_array_get(all, 0);
	EXPECT_EQ(NULL, map_error(m)) TH_LOG("%s", map_error(m));
	EXPECT_EQ(1024, json_array_size(json_object_get(m, "entries")));
	not_read = json_integer_value(json_object_get(m, "entries_not_read"));
	EXPECT_EQ(total - 1024, not_read);
	f = open_memstream(&text, &len);
	ASSERT_NE(NULL, f);
	kt_bpfmap_print(f, all, "");
	fclose(f);
	EXPECT_NE(NULL, strstr(text, " entries past the first 1024 not read"))
		TH_LOG("%s", text);
	free(text);
	json_decref(all);
}

/* A chain that loops in a map that claims 2^30 entries: walked so far. */
TEST_F(flatcg, a_hash_walk_is_bounded)
{
	uint64_t htab = addr_of(&self->im, "cgv_node_stash");
	struct buckets b;
	char *e;

	ASSERT_NE(0, htab);
	find_buckets(_metadata, &self->im, htab, &b);
	ASSERT_FALSE(b.first & 1);
	ASSERT_EQ(0, poke(&self->im.t, b.first +
			  offset(_metadata, &self->im.btf, "htab_elem",
				 "hash_node.next"), b.first, 8));
	e = error_after(_metadata, &self->im, "cgv_node_stash", "bpf_map",
			"max_entries", 1U << 30, 4);
	ASSERT_NE(NULL, e);
	EXPECT_NE(NULL, strstr(e, ": more than 1048576 elements in the map, the most ktstr walks"))
		TH_LOG("%s", e);
	free(e);
}

/* A failed test's globals in TAP, cut, and the error of the last read. */
TEST_F(qmap, globals_reported_with_their_error)
{
	json_t *g = kt_bpfmap_globals(&self->im.t, &self->im.maps, NULL);
	json_t *mon = json_object(), *sg;
	size_t len = 0, lines = 0, i;
	char *text = NULL;
	FILE *f;

	ASSERT_NE(NULL, g) TH_LOG("%s", kt_errmsg());
	f = open_memstream(&text, &len);
	ASSERT_NE(NULL, f);
	kt_monitor_report_globals(f, mon, g, 1.5, "boom");
	fclose(f);
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	EXPECT_EQ(0, strncmp(text, "monitor: scheduler globals at 1.5s, ", 36));
	EXPECT_NE(NULL, strstr(text, "\nmonitor: scheduler globals: boom\n"));
	EXPECT_LE(lines, KT_MONITOR_GLOBALS_LINES + 3) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, " more lines in the JSON result)\n"))
		TH_LOG("%s", text);
	sg = json_object_get(mon, "scheduler_globals");
	EXPECT_STREQ("boom", json_string_value(json_object_get(sg, "error")));
	EXPECT_TRUE(json_equal(g, json_object_get(sg, "maps")));
	free(text);
	json_decref(mon);
	/* None read at all: the error alone. */
	mon = json_object();
	text = NULL;
	f = open_memstream(&text, &len);
	ASSERT_NE(NULL, f);
	kt_monitor_report_globals(f, mon, NULL, 0, "no sched_ext scheduler is attached");
	fclose(f);
	EXPECT_STREQ("monitor: scheduler globals: no sched_ext scheduler is attached\n",
		     text);
	sg = json_object_get(mon, "scheduler_globals");
	EXPECT_EQ(NULL, json_object_get(sg, "maps"));
	EXPECT_STREQ("no sched_ext scheduler is attached",
		     json_string_value(json_object_get(sg, "error")));
	free(text);
	json_decref(mon);
	json_decref(g);
}

TEST_F(flatcg, a_print_cut_at_a_number_of_lines)
{
	json_t *all = dump(&self->im.t, &self->im.maps, NULL);
	char *whole = NULL, *cut = NULL, want[96];
	size_t wlen = 0, clen = 0, i, lines = 0;
	FILE *f;

	ASSERT_NE(NULL, all);
	f = open_memstream(&whole, &wlen);
	kt_bpfmap_print(f, all, "  ");
	fclose(f);
	f = open_memstream(&cut, &clen);
	kt_bpfmap_print_lines(f, all, "  ", 5);
	fclose(f);
	for (i = 0; i < wlen; i++)
		lines += whole[i] == '\n';
	ASSERT_GT(lines, 5);
	snprintf(want, sizeof(want), "  ... (%zu more lines in the JSON result)\n",
		 lines - 5);
	EXPECT_NE(NULL, strstr(cut, want)) TH_LOG("%s", cut);
	EXPECT_EQ(0, strncmp(whole, cut, clen - strlen(want)));
	free(whole);
	free(cut);
	json_decref(all);
}

/* More BPF_MAP_TYPE_* than the layout names: the rest are numbers. */
TEST(more_map_types_than_named)
{
	struct kt_symbols syms = { 0 };
	struct kt_bpfmap_layout l;
	struct kt_btf b = { .btf = btf__new_empty() };
	char name[48];
	int i;

	ASSERT_NE(NULL, b.btf);
	ASSERT_LT(0, btf__add_enum(b.btf, "bpf_map_type", 4));
	for (i = 0; i < 70; i++) {
		snprintf(name, sizeof(name), "BPF_MAP_TYPE_T%d", i);
		ASSERT_EQ(0, btf__add_enum_value(b.btf, name, i));
	}
	kt_bpfmap_layout_resolve(&l, &b, &syms);
	EXPECT_EQ(64, l.nr_types);
	EXPECT_STREQ("t63", l.type_names[63]);
	EXPECT_NE(NULL, strstr(l.missing, "names of the map types past the first 64"))
		TH_LOG("%s", l.missing);
	EXPECT_EQ(NULL, strstr(l.missing, "enum bpf_map_type"));
	btf__free(b.btf);
}

/* What kt_memimage_load() refuses is not saved. */
TEST(excerpts_that_would_not_load_are_not_saved)
{
	char path[] = "/tmp/ktstr-memimage-XXXXXX";
	struct kt_memimage_rec *r;
	struct kt_guestmem g;
	uint8_t *big, one = 1;
	uint32_t i;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	unlink(path);
	memset(&g, 0, sizeof(g));
	g.ram_size = 128ULL << 30;
	r = kt_memimage_record(&g);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(-1, kt_memimage_save(r, path, 1));
	EXPECT_NE(NULL, strstr(kt_errmsg(), ": a guest of 137438953472 bytes of RAM: an excerpt holds whole pages up to 68719476736"))
		TH_LOG("%s", kt_errmsg());
	kt_memimage_rec_free(r);
	g.ram_size = 1 << 20;
	r = kt_memimage_record(&g);
	big = calloc(1, (256U << 20) + 1);
	ASSERT_NE(NULL, big);
	big[0] = 1;
	g.on_read(g.on_read_ctx, 0, big, (256U << 20) + 1);
	free(big);
	EXPECT_EQ(-1, kt_memimage_save(r, path, 1));
	EXPECT_NE(NULL, strstr(kt_errmsg(), ": more than 268435456 bytes read, more than an excerpt holds"))
		TH_LOG("%s", kt_errmsg());
	kt_memimage_rec_free(r);
	r = kt_memimage_record(&g);
	for (i = 0; i <= KT_MEMIMAGE_MAX_RANGES; i++)
		g.on_read(g.on_read_ctx, i * 2ULL, &one, 1);
	EXPECT_EQ(-1, kt_memimage_save(r, path, 1));
	EXPECT_NE(NULL, strstr(kt_errmsg(), ": more than 1048576 ranges read, more than an excerpt holds"))
		TH_LOG("%s", kt_errmsg());
	kt_memimage_rec_free(r);
	EXPECT_NE(0, access(path, F_OK));
}

TEST_HARNESS_MAIN
