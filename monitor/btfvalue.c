// SPDX-License-Identifier: GPL-2.0
#include <bpf/btf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "btfvalue.h"
#include "error.h"
#include "le.h"

struct decoder {
	const struct btf *btf;
	unsigned int nodes;		/* JSON values made so far */
};

static json_t *decode(struct decoder *d, uint32_t id, const uint8_t *p,
		      size_t len, unsigned int depth);

/* Beyond int64, JSON integers (jansson's json_int_t) cannot go: text. */
static json_t *json_u64(uint64_t v)
{
	char buf[24];

	if (v <= INT64_MAX)
		return json_integer(v);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return json_string(buf);
}

static json_t *hex_bytes(const uint8_t *p, size_t len)
{
	char *buf = malloc(len * 2 + 3), *o;
	json_t *j;
	size_t i;

	if (!buf)
		return NULL;
	o = buf + sprintf(buf, "0x");
	/* Most significant byte first, as a number reads. */
	for (i = len; i--;)
		o += sprintf(o, "%02x", p[i]);
	j = json_string(buf);
	free(buf);
	return j;
}

json_t *kt_btfv_raw(const void *data, size_t len)
{
	if (len == 1 || len == 2 || len == 4 || len == 8)
		return json_u64(kt_load_le(data, len));
	return hex_bytes(data, len);
}

/* Says what does not fit; NULL, for the decoder to return. */
static json_t *too_small(const struct decoder *d, uint32_t id, uint64_t need,
			 size_t len)
{
	const char *name = btf__name_by_offset(d->btf,
					       btf__type_by_id(d->btf, id)->name_off);

	kt_fail("BTF type %u (%s) needs %llu bytes, the value has %zu", id,
		name && *name ? name : "anonymous", (unsigned long long)need,
		len);
	return NULL;
}

/* An integer of @bits bits at bit @bit_off of @p, sign-extended if asked. */
static json_t *bits_value(const uint8_t *p, size_t len, uint32_t bit_off,
			  uint32_t bits, bool is_signed, bool is_bool)
{
	unsigned __int128 w = 0;
	size_t bytes, i;
	uint64_t v;

	if (bits == 0 || bits > 64 || bit_off > 64)
		return NULL;
	bytes = (bit_off + bits + 7) / 8;
	if (bytes > len)
		return NULL;
	for (i = bytes; i--;)
		w = w << 8 | p[i];
	v = (uint64_t)(w >> bit_off);
	if (bits < 64)
		v &= (1ULL << bits) - 1;
	if (is_bool)
		return json_boolean(v);
	if (is_signed && bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ULL << bits;
	return is_signed ? json_integer((int64_t)v) : json_u64(v);
}

static json_t *decode_int(struct decoder *d, uint32_t id,
			  const struct btf_type *t, const uint8_t *p,
			  size_t len)
{
	uint32_t enc = btf_int_encoding(t), bits = btf_int_bits(t);
	uint32_t off = btf_int_offset(t);
	json_t *j;

	if (t->size > len)
		return too_small(d, id, t->size, len);
	if (bits > 64 || t->size > 8)
		return hex_bytes(p, t->size);	/* __int128 */
	j = bits_value(p, t->size, off, bits, enc & BTF_INT_SIGNED,
		       enc & BTF_INT_BOOL);
	if (!j)
		kt_fail("BTF integer type %u: %u bits at bit %u of %u bytes",
			id, bits, off, t->size);
	return j;
}

static json_t *decode_enum(struct decoder *d, uint32_t id,
			   const struct btf_type *t, const uint8_t *p,
			   size_t len)
{
	uint32_t size = t->size;
	int64_t v;
	int i;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		kt_fail("BTF enum %u: %u bytes", id, size);
		return NULL;
	}
	if (size > len)
		return too_small(d, id, size, len);
	v = kt_load_le(p, size);
	if (btf_kflag(t) && size < 8 && (v >> (size * 8 - 1)) & 1)
		v |= ~0ULL << (size * 8);
	for (i = 0; i < btf_vlen(t); i++) {
		int64_t e;
		uint32_t name_off;

		if (btf_is_enum(t)) {
			e = btf_kflag(t) ? (int64_t)btf_enum(t)[i].val :
			    (int64_t)(uint32_t)btf_enum(t)[i].val;
			name_off = btf_enum(t)[i].name_off;
		} else {
			e = btf_enum64_value(&btf_enum64(t)[i]);
			name_off = btf_enum64(t)[i].name_off;
		}
		if (size < 8)
			e &= (1LL << (size * 8)) - 1;
		if (e == (size < 8 ? v & ((1LL << (size * 8)) - 1) : v)) {
			const char *name = btf__name_by_offset(d->btf,
							       name_off);

			if (name && *name)
				return json_string(name);
		}
	}
	return json_integer(v);
}

/* A char array as text: up to its NUL, other bytes than ASCII escaped. */
static json_t *char_text(const uint8_t *p, size_t n)
{
	char *buf = malloc(n * 4 + 1), *o = buf;
	json_t *j;
	size_t i;

	if (!buf)
		return NULL;
	for (i = 0; i < n && p[i]; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			*o++ = p[i];
		else
			o += sprintf(o, "\\x%02x", p[i]);
	}
	*o = 0;
	j = json_string(buf);
	free(buf);
	return j;
}

static bool is_char(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = kt_btf_skip_mods(btf, &id);
	const char *name;

	if (!t || !btf_is_int(t) || t->size != 1)
		return false;
	if (btf_int_encoding(t) & BTF_INT_CHAR)
		return true;
	name = btf__name_by_offset(btf, t->name_off);
	return name && !strcmp(name, "char");
}

static json_t *decode_array(struct decoder *d, uint32_t id,
			    const struct btf_type *t, const uint8_t *p,
			    size_t len, unsigned int depth)
{
	const struct btf_array *a = btf_array(t);
	int64_t esize = kt_btfv_size(d->btf, a->type);
	json_t *arr, *e;
	uint32_t i, n;

	if (esize < 0)
		return NULL;
	if (esize && a->nelems > len / esize)
		return too_small(d, id, (uint64_t)esize * a->nelems, len);
	if (is_char(d->btf, a->type))
		return char_text(p, a->nelems);
	arr = json_array();
	if (!arr)
		return NULL;
	n = a->nelems < KT_BTFV_MAX_ELEMS ? a->nelems : KT_BTFV_MAX_ELEMS;
	for (i = 0; i < n; i++) {
		e = decode(d, a->type, p + i * esize, len - i * esize,
			   depth + 1);
		if (!e || json_array_append_new(arr, e)) {
			json_decref(arr);
			return NULL;
		}
	}
	if (n < a->nelems) {
		char more[48];

		snprintf(more, sizeof(more), "... %u more", a->nelems - n);
		json_array_append_new(arr, json_string(more));
	}
	return arr;
}

static int add_member(struct decoder *d, json_t *obj, const char *name,
		      json_t *v)
{
	char key[64];
	int n;

	if (!v)
		return -1;
	/* An anonymous struct or union: its members are the outer one's. */
	if (!name || !*name) {
		if (json_is_object(v)) {
			int ret = json_object_update(obj, v);

			json_decref(v);
			return ret;
		}
		name = "(anon)";
	}
	snprintf(key, sizeof(key), "%s", name);
	for (n = 2; json_object_get(obj, key) && n < 100; n++)
		snprintf(key, sizeof(key), "%s#%d", name, n);
	return json_object_set_new(obj, key, v);
}

static json_t *decode_composite(struct decoder *d, uint32_t id,
				const struct btf_type *t, const uint8_t *p,
				size_t len, unsigned int depth)
{
	const struct btf_member *m = btf_members(t);
	json_t *obj, *v;
	int i;

	if (t->size > len)
		return too_small(d, id, t->size, len);
	obj = json_object();
	if (!obj)
		return NULL;
	for (i = 0; i < btf_vlen(t); i++, m++) {
		uint32_t bit_off = btf_member_bit_offset(t, i);
		uint32_t bits = btf_member_bitfield_size(t, i);
		const char *name = btf__name_by_offset(d->btf, m->name_off);
		uint32_t off = bit_off / 8;

		if (off > t->size) {
			kt_fail("BTF type %u: member %d at byte %u of %u", id,
				i, off, t->size);
			goto fail;
		}
		if (bits) {
			uint32_t mid = m->type;
			const struct btf_type *mt = kt_btf_skip_mods(d->btf,
								     &mid);
			bool is_signed;

			if (!mt) {
				kt_fail("BTF type %u: member %d's type %u does not resolve (a loop of typedefs?)",
					id, i, m->type);
				goto fail;
			}
			is_signed = btf_is_int(mt) &&
				    (btf_int_encoding(mt) & BTF_INT_SIGNED);
			v = bits_value(p + off, t->size - off, bit_off % 8,
				       bits, is_signed, false);
			if (!v) {
				kt_fail("BTF type %u: a %u-bit field at bit %u does not fit its %u bytes",
					id, bits, bit_off, t->size);
				goto fail;
			}
		} else {
			v = decode(d, m->type, p + off, t->size - off,
				   depth + 1);
		}
		if (add_member(d, obj, name, v))
			goto fail;
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

static json_t *decode_datasec(struct decoder *d, uint32_t id,
			      const struct btf_type *t, const uint8_t *p,
			      size_t len, unsigned int depth)
{
	const struct btf_var_secinfo *vs = btf_var_secinfos(t);
	json_t *obj = json_object(), *v;
	int i;

	if (!obj)
		return NULL;
	for (i = 0; i < btf_vlen(t); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(d->btf, vs->type);
		const char *name;

		if (!var || !btf_is_var(var))
			continue;	/* a function in a section: no value */
		name = btf__name_by_offset(d->btf, var->name_off);
		if (vs->offset > len || vs->size > len - vs->offset) {
			kt_fail("variable %s: %u bytes at %u, the section has %zu",
				name ? name : "?", vs->size, vs->offset, len);
			goto fail;
		}
		v = decode(d, var->type, p + vs->offset, vs->size, depth + 1);
		if (add_member(d, obj, name, v))
			goto fail;
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

static json_t *decode(struct decoder *d, uint32_t id, const uint8_t *p,
		      size_t len, unsigned int depth)
{
	const struct btf_type *t = btf__type_by_id(d->btf, id);

	if (!t) {
		kt_fail("BTF type %u does not exist", id);
		return NULL;
	}
	if (depth > KT_BTFV_MAX_DEPTH) {
		kt_fail("BTF type %u: nested more than %d deep", id,
			KT_BTFV_MAX_DEPTH);
		return NULL;
	}
	if (++d->nodes > KT_BTFV_MAX_NODES) {
		kt_fail("value too large: over %u values in it",
			KT_BTFV_MAX_NODES);
		return NULL;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return decode_int(d, id, t, p, len);
	case BTF_KIND_PTR:
		if (len < 8)
			return too_small(d, id, 8, len);
		return hex_bytes(p, 8);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return decode_enum(d, id, t, p, len);
	case BTF_KIND_FLOAT:
		if (t->size > len)
			return too_small(d, id, t->size, len);
		if (t->size == 8) {
			double v;

			memcpy(&v, p, 8);
			return json_real(v);
		}
		if (t->size == 4) {
			float v;

			memcpy(&v, p, 4);
			return json_real(v);
		}
		return hex_bytes(p, t->size);
	case BTF_KIND_ARRAY:
		return decode_array(d, id, t, p, len, depth);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return decode_composite(d, id, t, p, len, depth);
	case BTF_KIND_DATASEC:
		return decode_datasec(d, id, t, p, len, depth);
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
		return decode(d, t->type, p, len, depth + 1);
	default:
		kt_fail("BTF type %u of kind %u has no value", id,
			btf_kind(t));
		return NULL;
	}
}

json_t *kt_btfv_decode(const struct btf *btf, uint32_t type_id,
		       const void *data, size_t len)
{
	struct decoder d = { .btf = btf };

	return decode(&d, type_id, data, len, 0);
}

int kt_btfv_find_datasec(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_DATASEC);

	return id < 0 ? -1 : id;
}

int64_t kt_btfv_size(const struct btf *btf, uint32_t type_id)
{
	long long size = btf__resolve_size(btf, type_id);

	if (size < 0)
		return kt_fail("BTF type %u has no size", type_id);
	return size;
}
