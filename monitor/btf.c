// SPDX-License-Identifier: GPL-2.0
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "btf.h"
#include "error.h"

int kt_btf_load(struct kt_btf *b, const char *path)
{
	memset(b, 0, sizeof(*b));
	/* btf__parse() takes an ELF file with .BTF or a raw BTF blob. */
	b->btf = btf__parse(path, NULL);
	if (!b->btf) {
		b->btf = NULL;
		return kt_fail("BTF of %s: %s", path,
			       errno == ENOENT ? "no .BTF section or no such file" :
			       strerror(errno));
	}
	snprintf(b->path, sizeof(b->path), "%s", path);
	return 0;
}

void kt_btf_free(struct kt_btf *b)
{
	btf__free(b->btf);
	b->btf = NULL;
}

static int find_composite(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
	return id;
}

const struct btf_type *kt_btf_skip_mods(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);
	unsigned int depth = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		if (++depth > KT_BTF_MAX_MODS)
			return NULL;	/* a loop: btf__new() lets one by */
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/*
 * Member @name of composite @id, searching anonymous members too: their
 * fields are reached as if they belonged to the outer struct.
 */
static bool find_member(const struct btf *btf, uint32_t id, const char *name,
			uint32_t *bit_offset, uint32_t *member_type)
{
	const struct btf_type *t = kt_btf_skip_mods(btf, &id);
	const struct btf_member *m;
	int i, n;

	if (!t || !btf_is_composite(t))
		return false;
	m = btf_members(t);
	n = btf_vlen(t);
	for (i = 0; i < n; i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		uint32_t off = btf_member_bit_offset(t, i), inner_off;

		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			*bit_offset = off;
			*member_type = m->type;
			return true;
		}
		if (find_member(btf, m->type, name, &inner_off, member_type)) {
			*bit_offset = off + inner_off;
			return true;
		}
	}
	return false;
}

int kt_btf_field(const struct kt_btf *b, const char *type, const char *path,
		 struct kt_field *f)
{
	char buf[256], *part, *save = NULL;
	uint32_t id, bits = 0, off, member;
	int top = find_composite(b->btf, type);
	long long size;

	memset(f, 0, sizeof(*f));
	if (top < 0)
		return kt_fail("this kernel has no struct %s", type);
	id = top;
	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part;
	     part = strtok_r(NULL, ".", &save)) {
		if (!find_member(b->btf, id, part, &off, &member))
			return kt_fail("struct %s has no field %s (%s)", type,
				       path, part);
		bits += off;
		id = member;
	}
	if (bits % 8)
		return kt_fail("%s.%s is a bitfield", type, path);
	kt_btf_skip_mods(b->btf, &id);
	size = btf__resolve_size(b->btf, id);
	if (size < 0)
		return kt_fail("%s.%s has no size", type, path);
	f->offset = bits / 8;
	f->size = size;
	f->type_id = id;
	f->available = true;
	return 0;
}

uint32_t kt_btf_struct_size(const struct kt_btf *b, const char *type)
{
	int id = find_composite(b->btf, type);

	return id < 0 ? 0 : btf__type_by_id(b->btf, id)->size;
}

int kt_btf_walk_enum(const struct kt_btf *b, const char *enum_type,
		     kt_btf_enumerator_fn_t fn, void *ctx)
{
	const struct btf_type *t;
	const char *name;
	int64_t value;
	int id, i;

	id = btf__find_by_name_kind(b->btf, enum_type, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(b->btf, enum_type,
					    BTF_KIND_ENUM64);
	if (id < 0)
		return kt_fail("this kernel has no enum %s", enum_type);
	t = btf__type_by_id(b->btf, id);
	for (i = 0; i < btf_vlen(t); i++) {
		if (btf_is_enum(t)) {
			name = btf__name_by_offset(b->btf,
						   btf_enum(t)[i].name_off);
			value = btf_enum(t)[i].val;
		} else {
			name = btf__name_by_offset(b->btf,
						   btf_enum64(t)[i].name_off);
			value = btf_enum64_value(&btf_enum64(t)[i]);
		}
		if (fn(ctx, name, value))
			break;
	}
	return 0;
}

struct enum_lookup {
	int64_t value;
	const char *name;
};

static int match_value(void *ctx, const char *name, int64_t value)
{
	struct enum_lookup *l = ctx;

	if (value != l->value)
		return 0;
	l->name = name;
	return 1;
}

const char *kt_btf_enum_name(const struct kt_btf *b, const char *enum_type,
			     int64_t value)
{
	struct enum_lookup l = { .value = value };

	if (kt_btf_walk_enum(b, enum_type, match_value, &l))
		return NULL;
	return l.name;
}

struct enum_value_lookup {
	const char *name;
	int64_t value;
	bool found;
};

static int match_name(void *ctx, const char *name, int64_t value)
{
	struct enum_value_lookup *l = ctx;

	if (strcmp(name, l->name))
		return 0;
	l->value = value;
	l->found = true;
	return 1;
}

int kt_btf_enum_value(const struct kt_btf *b, const char *enum_type,
		      const char *name, int64_t *value)
{
	struct enum_value_lookup l = { .name = name };

	if (kt_btf_walk_enum(b, enum_type, match_name, &l))
		return -1;
	if (!l.found)
		return kt_fail("enum %s has no %s", enum_type, name);
	*value = l.value;
	return 0;
}

int kt_btf_walk_members(const struct kt_btf *b, const char *type,
			   kt_btf_member_fn_t fn, void *ctx)
{
	int id = find_composite(b->btf, type), i;
	const struct btf_member *m;
	const struct btf_type *t;

	if (id < 0)
		return kt_fail("this kernel has no struct %s", type);
	t = btf__type_by_id(b->btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		long long size = btf__resolve_size(b->btf, m->type);

		if (fn(ctx, btf__name_by_offset(b->btf, m->name_off),
		       btf_member_bit_offset(t, i) / 8,
		       size < 0 ? 0 : size))
			break;
	}
	return 0;
}
