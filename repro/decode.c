// SPDX-License-Identifier: GPL-2.0
/*
 * BTF decoding of captured kernel memory, see decode.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "compiler.h"
#include "decode.h"
#include "error.h"
#include "fields.h"
#include "json.h"
#include "le.h"

#define MAX_CALLBACKS 96
#define MAX_DEPTH 3
#define VALUE_LEN 256

struct kt_decoder {
	struct btf *btf;
	const char *callbacks[MAX_CALLBACKS + 1];
};

/* Which enum names the bits of a field, by its path. */
static const struct {
	const char *type;
	const char *path;
	const char *enum_name;
} flag_fields[] = {
	{ "task_struct", "scx.flags", "scx_ent_flags" },
	{ "task_struct", "scx.dsq_flags", "scx_ent_dsq_flags" },
	{ "task_struct", "scx.ops_state", "scx_ops_state" },
	{ "sched_ext_entity", "flags", "scx_ent_flags" },
	{ "rq", "scx.flags", "scx_rq_flags" },
	{ "scx_rq", "flags", "scx_rq_flags" },
};

static void load_callbacks(struct kt_decoder *d)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i, n = 0;

	id = btf__find_by_name_kind(d->btf, "sched_ext_ops", BTF_KIND_STRUCT);
	if (id < 0)
		return;
	t = btf__type_by_id(d->btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t) && n < MAX_CALLBACKS; i++, m++) {
		const struct btf_type *mt = btf__type_by_id(d->btf, m->type);

		if (btf_is_ptr(mt))
			d->callbacks[n++] = btf__name_by_offset(d->btf,
								m->name_off);
	}
	d->callbacks[n] = NULL;
}

struct kt_decoder *kt_decoder_open(const char *vmlinux)
{
	struct kt_decoder *d = calloc(1, sizeof(*d));

	if (!d) {
		kt_fail("out of memory");
		return NULL;
	}
	/* An ELF vmlinux, or raw BTF such as an arm64 entry's vmlinux.btf. */
	d->btf = btf__parse(vmlinux, NULL);
	if (!d->btf) {
		kt_fail_errno("no BTF in %s", vmlinux);
		free(d);
		return NULL;
	}
	load_callbacks(d);
	return d;
}

void kt_decoder_free(struct kt_decoder *d)
{
	if (!d)
		return;
	btf__free(d->btf);
	free(d);
}

const char *const *kt_decoder_callbacks(struct kt_decoder *d)
{
	return d->callbacks;
}

/* Enum entry @i of @t as a 64-bit value, whatever the enum's kind. */
static uint64_t enum_value(const struct btf_type *t, int i)
{
	if (btf_is_enum64(t))
		return btf_enum64_value(btf_enum64(t) + i);
	return (uint32_t)btf_enum(t)[i].val;
}

static const char *enum_name_at(const struct btf *btf,
				const struct btf_type *t, int i)
{
	__u32 off = btf_is_enum64(t) ? btf_enum64(t)[i].name_off :
				       btf_enum(t)[i].name_off;

	return btf__name_by_offset(btf, off);
}

static const struct btf_type *find_enum(struct kt_decoder *d,
					const char *name)
{
	int id = btf__find_by_name_kind(d->btf, name, BTF_KIND_ENUM);

	if (id < 0)
		id = btf__find_by_name_kind(d->btf, name, BTF_KIND_ENUM64);
	return id < 0 ? NULL : btf__type_by_id(d->btf, id);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool single_bit(uint64_t v)
{
	return v && !(v & (v - 1));
}

/*
 * The multi-bit fields of a flags enum: a "<X>_MASK" whose members are
 * not all single bits holds a value (a state), not flags; so do the bits
 * below a "<X>_SHIFT" in an enum that has no mask.  Returns their union.
 */
static uint64_t value_fields(const struct btf *btf, const struct btf_type *t)
{
	uint64_t fields = 0, mask, v;
	int i, j, vlen = btf_vlen(t);
	bool has_mask = false, bits;

	for (i = 0; i < vlen; i++) {
		if (!ends_with(enum_name_at(btf, t, i), "_MASK"))
			continue;
		has_mask = true;
		mask = enum_value(t, i);
		bits = true;
		for (j = 0; j < vlen; j++) {
			v = enum_value(t, j);
			if (j != i && v && !(v & ~mask) &&
			    !ends_with(enum_name_at(btf, t, j), "_MASK"))
				bits &= single_bit(v);
		}
		if (!bits)
			fields |= mask;
	}
	for (i = 0; i < vlen && !has_mask; i++)
		if (ends_with(enum_name_at(btf, t, i), "_SHIFT"))
			fields |= (1ULL << enum_value(t, i)) - 1;
	return fields;
}

static bool is_meta(const char *name)
{
	return ends_with(name, "_MASK") || ends_with(name, "_SHIFT") ||
	       ends_with(name, "_BITS");
}

static void append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? "|" : "", s);
}

/* The "<X>_MASK" entry of @t that covers @ev, else @fields. */
static uint64_t mask_of(const struct btf *btf, const struct btf_type *t,
			uint64_t ev, uint64_t fields)
{
	int i;

	for (i = 0; i < btf_vlen(t); i++)
		if (ends_with(enum_name_at(btf, t, i), "_MASK") &&
		    (enum_value(t, i) & ev) == ev &&
		    !(enum_value(t, i) & ~fields))
			return enum_value(t, i);
	return fields;
}

void kt_decode_flags(struct kt_decoder *d, const char *enum_name, uint64_t v,
		     char *buf, size_t len)
{
	const struct btf_type *t = find_enum(d, enum_name);
	uint64_t fields, left = v, ev, mask;
	char hex[24];
	int i;

	buf[0] = '\0';
	if (!t) {
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
		return;
	}
	fields = value_fields(d->btf, t);
	for (i = 0; i < btf_vlen(t); i++) {
		const char *name = enum_name_at(d->btf, t, i);

		ev = enum_value(t, i);
		if (is_meta(name) || !ev)
			continue;
		if (ev & ~fields) {		/* a flag bit */
			if (single_bit(ev) && (left & ev)) {
				append(buf, len, name);
				left &= ~ev;
			}
			continue;
		}
		mask = mask_of(d->btf, t, ev, fields);	/* a field's value */
		if ((v & mask) == ev) {
			append(buf, len, name);
			left &= ~mask;
		}
	}
	if (left || !buf[0]) {
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)left);
		append(buf, len, hex);
	}
}

static uint64_t enum_lookup(struct kt_decoder *d, const char *enum_name,
			    const char *name, bool *found)
{
	const struct btf_type *t = find_enum(d, enum_name);
	int i;

	*found = false;
	for (i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(enum_name_at(d->btf, t, i), name)) {
			*found = true;
			return enum_value(t, i);
		}
	return 0;
}

void kt_decode_dsq_id(struct kt_decoder *d, uint64_t id, char *buf,
		      size_t len)
{
	const struct btf_type *t = find_enum(d, "scx_dsq_id_flags");
	uint64_t builtin, local_on, cpu_mask;
	bool b1, b2, b3;
	int i;

	builtin = enum_lookup(d, "scx_dsq_id_flags", "SCX_DSQ_FLAG_BUILTIN", &b1);
	local_on = enum_lookup(d, "scx_dsq_id_flags", "SCX_DSQ_LOCAL_ON", &b2);
	cpu_mask = enum_lookup(d, "scx_dsq_id_flags", "SCX_DSQ_LOCAL_CPU_MASK",
			       &b3);
	for (i = 0; t && i < btf_vlen(t); i++) {
		const char *name = enum_name_at(d->btf, t, i);

		if (enum_value(t, i) == id && strstr(name, "_FLAG_") == NULL &&
		    !is_meta(name) && strcmp(name, "SCX_DSQ_LOCAL_ON")) {
			snprintf(buf, len, "%s", name);
			return;
		}
	}
	if (b2 && b3 && (id & ~cpu_mask) == local_on)
		snprintf(buf, len, "SCX_DSQ_LOCAL_ON|%llu",
			 (unsigned long long)(id & cpu_mask));
	else if (b1 && (id & builtin))
		snprintf(buf, len, "0x%llx (builtin)", (unsigned long long)id);
	else
		snprintf(buf, len, "0x%llx (user DSQ %llu)",
			 (unsigned long long)id, (unsigned long long)id);
}

void kt_decode_cpumask(const uint8_t *bits, size_t len, char *buf, size_t n)
{
	size_t i, hi = len, pos;
	int cpu, start = -1, nr = (int)len * 8;
	bool any = false;

	while (hi > 1 && !bits[hi - 1])
		hi--;
	pos = snprintf(buf, n, "0x");
	for (i = hi; i-- > 0 && pos < n;)
		pos += snprintf(buf + pos, n - pos,
				i == hi - 1 ? "%x" : "%02x", bits[i]);
	if (pos < n)
		pos += snprintf(buf + pos, n - pos, " (");
	for (cpu = 0; cpu <= nr && pos < n; cpu++) {
		bool set = cpu < nr && (bits[cpu / 8] >> (cpu % 8) & 1);

		if (set && start < 0)
			start = cpu;
		if (set || start < 0)
			continue;
		pos += snprintf(buf + pos, n - pos, "%s%d", any ? "," : "",
				start);
		if (cpu - 1 > start && pos < n)
			pos += snprintf(buf + pos, n - pos, "-%d", cpu - 1);
		any = true;
		start = -1;
	}
	if (pos < n)
		snprintf(buf + pos, n - pos, "%s)", any ? "" : "none");
}

void kt_decode_scalar(struct kt_decoder *d, const char *param, uint64_t v,
		      char *buf, size_t len)
{
	if (param && ends_with(param, "enq_flags"))
		kt_decode_flags(d, "scx_enq_flags", v, buf, len);
	else if (param && ends_with(param, "dsq_id"))
		kt_decode_dsq_id(d, v, buf, len);
	else if (param && (ends_with(param, "cpu") || !strcmp(param, "kind")))
		snprintf(buf, len, "%lld", (long long)(int32_t)v);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
}

/* The walk over one struct's members, entry and exit side by side. */
struct walk {
	struct kt_decoder *d;
	const char *type;
	const struct kt_field_set *set;
	const struct kt_capture *cap[2];
	const char *indent;
	struct kt_strbuf *text;
	json_t *fields;			/* "path": value, or {"entry", "exit"} */
	char line[160];
	int changed;
	bool json_failed;		/* out of memory */
};

/* Where @off..@off+@size is in @c's data, or NULL; *@got: bytes there. */
static const uint8_t *captured(const struct kt_capture *c, size_t off,
			       size_t size, size_t *got)
{
	size_t pos = 0;
	unsigned int i;

	for (i = 0; c && i < c->nr_windows; pos += c->win[i].len, i++) {
		if (off < c->win[i].off || off >= c->win[i].off + c->win[i].len)
			continue;
		*got = c->win[i].off + c->win[i].len - off;
		if (*got > size)
			*got = size;
		if (pos + (off - c->win[i].off) + *got > c->data_len)
			return NULL;
		return c->data + pos + (off - c->win[i].off);
	}
	return NULL;
}

static bool listed(const char *const *list, const char *path)
{
	for (; list && *list; list++)
		if (!strcmp(*list, path))
			return true;
	return false;
}

/* Is @path a listed member, inside one, or on the way to one? */
static bool wanted(const char *const *list, const char *path)
{
	size_t n = strlen(path), m;

	for (; list && *list; list++) {
		m = strlen(*list);
		if (!strncmp(*list, path, n) && (*list)[n] == '.')
			return true;
		if (!strncmp(path, *list, m) && (path[m] == '.' || !path[m]))
			return true;
	}
	return false;
}

static const char *flag_enum(const char *type, const char *path)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flag_fields); i++)
		if (!strcmp(flag_fields[i].type, type) &&
		    !strcmp(flag_fields[i].path, path))
			return flag_fields[i].enum_name;
	return NULL;
}

static uint64_t load_int(const uint8_t *p, size_t size, bool is_signed)
{
	uint64_t v = kt_load_le(p, size > 8 ? 8 : size);

	if (is_signed && size < 8 && (v >> (size * 8 - 1) & 1))
		v |= ~0ULL << (size * 8);
	return v;
}

static bool is_dsq_id(const struct walk *w, const char *path)
{
	return ends_with(path, "dsq_id") ||
	       (!strcmp(w->type, "scx_dispatch_q") && !strcmp(path, "id")) ||
	       ends_with(path, "_dsq.id");
}

/* One leaf's value as text; false if @p is not a whole value. */
static bool format_leaf(struct walk *w, const char *path,
			const struct btf_type *t, const uint8_t *p, size_t got,
			size_t size, char *buf, size_t len)
{
	const char *name = btf__name_by_offset(w->d->btf, t->name_off);
	const char *flags = flag_enum(w->type, path);
	bool is_signed = false;
	uint64_t v;

	if (btf_is_struct(t) && !strcmp(name, "cpumask")) {
		kt_decode_cpumask(p, got, buf, len);
		return true;
	}
	if (got < size)
		return false;
	if (btf_is_array(t)) {
		snprintf(buf, len, "%.*s", (int)strnlen((const char *)p, got),
			 (const char *)p);
		return true;
	}
	if (btf_is_int(t))
		is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
	else if (btf_is_enum(t) || btf_is_enum64(t))
		is_signed = btf_kflag(t);
	v = load_int(p, size, is_signed);
	if (btf_is_ptr(t))
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
	else if (flags)
		kt_decode_flags(w->d, flags, v, buf, len);
	else if (is_dsq_id(w, path))
		kt_decode_dsq_id(w->d, v, buf, len);
	else if (ends_with(path, "enq_flags"))
		kt_decode_flags(w->d, "scx_enq_flags", v, buf, len);
	else if (is_signed)
		snprintf(buf, len, "%lld", (long long)v);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
	return true;
}

static void flush_line(struct walk *w)
{
	if (w->line[0])
		kt_sb_printf(w->text, "%s%s\n", w->indent, w->line);
	w->line[0] = '\0';
}

static void emit(struct walk *w, const char *path, const char *entry,
		 const char *exit)
{
	bool changed = exit && strcmp(entry, exit);
	char item[2 * VALUE_LEN + 160];
	size_t n = strlen(w->line);
	json_t *value;

	if (changed) {
		snprintf(item, sizeof(item), "%s=%s -> %s", path, entry, exit);
		flush_line(w);
		kt_sb_printf(w->text, "%s%s\n", w->indent, item);
		w->changed++;
	} else {
		snprintf(item, sizeof(item), "%s=%s", path, entry);
		if (n && n + strlen(item) + 1 >= sizeof(w->line) - 60)
			flush_line(w);
		n = strlen(w->line);
		snprintf(w->line + n, sizeof(w->line) - n, "%s%s",
			 n ? " " : "", item);
		if (strlen(w->line) >= sizeof(w->line) - 61)
			flush_line(w);
	}
	value = changed ? json_pack("{s:o, s:o}", "entry", kt_json_text(entry),
				    "exit", kt_json_text(exit)) :
			  kt_json_text(entry);
	if (json_object_set_new(w->fields, path, value))
		w->json_failed = true;
}

static void leaf(struct walk *w, const char *path, const struct btf_type *t,
		 size_t off, size_t size)
{
	char val[2][VALUE_LEN];
	const uint8_t *p[2];
	size_t got[2] = { 0, 0 };
	bool have[2] = { false, false };
	bool show;
	int i;

	for (i = 0; i < 2; i++) {
		p[i] = captured(w->cap[i], off, size, &got[i]);
		have[i] = p[i] && format_leaf(w, path, t, p[i], got[i], size,
					      val[i], VALUE_LEN);
	}
	if (!have[0])
		return;
	show = w->set ? listed(w->set->show, path) : true;
	if (have[1] && strcmp(val[0], val[1]))
		show = true;
	if (show)
		emit(w, path, val[0], have[1] ? val[1] : NULL);
}

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* atomic_t and friends: a struct of one member named "counter". */
static bool is_counter(const struct btf *btf, const struct btf_type *t)
{
	return btf_is_struct(t) && btf_vlen(t) == 1 &&
	       !strcmp(btf__name_by_offset(btf, btf_members(t)->name_off),
		       "counter");
}

static void walk_struct(struct walk *w, __u32 id, size_t base,
			const char *prefix, int depth)
{
	const struct btf *btf = w->d->btf;
	const struct btf_type *t = btf__type_by_id(btf, id), *mt;
	const struct btf_member *m = btf_members(t);
	char path[256];
	__u32 mid;
	size_t off;
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		if (btf_member_bitfield_size(t, i))
			continue;
		off = base + btf_member_bit_offset(t, i) / 8;
		if (*name)
			snprintf(path, sizeof(path), "%s%s%s", prefix,
				 *prefix ? "." : "", name);
		else
			snprintf(path, sizeof(path), "%s", prefix);
		mid = m->type;
		mt = skip_mods(btf, &mid);
		if (!mt)
			continue;
		if (is_counter(btf, mt)) {
			mid = btf_members(mt)->type;
			mt = skip_mods(btf, &mid);
		}
		/* a struct captured whole shows what changed anywhere */
		if (w->set && w->set->capture && *name &&
		    !wanted(w->set->show, path) &&
		    !wanted(w->set->capture, path))
			continue;
		if ((btf_is_struct(mt) || btf_is_union(mt)) &&
		    strcmp(btf__name_by_offset(btf, mt->name_off), "cpumask")) {
			if (depth < MAX_DEPTH)
				walk_struct(w, mid, off, path, depth + 1);
			continue;
		}
		leaf(w, path, mt, off, btf__resolve_size(btf, mid));
	}
}

int kt_decode_member(struct kt_decoder *d, const char *type,
		     const char *path, const struct kt_capture *c, void *buf,
		     size_t len)
{
	int id = btf__find_by_name_kind(d->btf, type, BTF_KIND_STRUCT);
	char name[128], *save = NULL, *part;
	const struct btf_type *t;
	const uint8_t *p;
	size_t off = 0, size, got = 0;
	__u32 mid;
	int i;

	if (id < 0)
		return kt_fail("no struct %s in the kernel's BTF", type);
	mid = id;
	snprintf(name, sizeof(name), "%s", path);
	for (part = strtok_r(name, ".", &save); part;
	     part = strtok_r(NULL, ".", &save)) {
		const struct btf_member *m;

		t = skip_mods(d->btf, &mid);
		if (!t || !btf_is_composite(t))
			return kt_fail("%s.%s: %s is not a struct", type, path,
				       part);
		m = btf_members(t);
		for (i = 0; i < btf_vlen(t); i++, m++)
			if (!strcmp(btf__name_by_offset(d->btf, m->name_off),
				    part))
				break;
		if (i == btf_vlen(t))
			return kt_fail("struct %s has no member %s", type, path);
		off += btf_member_bit_offset(t, i) / 8;
		mid = m->type;
	}
	size = btf__resolve_size(d->btf, mid);
	p = captured(c, off, size < len ? size : len, &got);
	if (!p)
		return kt_fail("%s.%s was not captured", type, path);
	memset(buf, 0, len);
	memcpy(buf, p, got);
	return got;
}

int kt_decode_struct(struct kt_decoder *d, const char *type,
		     const struct kt_capture *entry,
		     const struct kt_capture *exit, const char *indent,
		     struct kt_strbuf *text, json_t **json)
{
	struct walk w = {
		.d = d, .type = type, .set = kt_field_set_of(type),
		.cap = { entry, exit }, .indent = indent,
		.text = text, .fields = json_object(),
	};
	int id = btf__find_by_name_kind(d->btf, type, BTF_KIND_STRUCT);
	char addr[24];

	*json = NULL;
	if (id < 0) {
		json_decref(w.fields);
		return kt_fail("no struct %s in the kernel's BTF", type);
	}
	walk_struct(&w, id, 0, "", 0);
	flush_line(&w);
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)entry->addr);
	if (!w.fields || w.json_failed) {
		json_decref(w.fields);
		return kt_fail("struct %s: out of memory", type);
	}
	*json = json_pack("{s:o, s:s, s:o}", "type", kt_json_text(type),
			  "addr", addr, "fields", w.fields);
	return *json ? w.changed : kt_fail("struct %s: out of memory", type);
}
