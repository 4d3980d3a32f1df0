/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel type layouts from BTF (the .BTF section of a vmlinux, or a raw
 * file such as /sys/kernel/btf/vmlinux), read with libbpf.  Fields are
 * named by dotted paths through nested and anonymous members, so the
 * monitor names what it reads and never hard-codes an offset.
 */
#ifndef KTSTR_MONITOR_BTF_H
#define KTSTR_MONITOR_BTF_H

#include <stdbool.h>
#include <stdint.h>

struct btf;
struct btf_type;

struct kt_btf {
	struct btf *btf;
	char path[4096];
};

struct kt_field {
	uint32_t offset;	/* bytes from the start of the struct */
	uint32_t size;		/* bytes */
	uint32_t type_id;	/* the member's type, typedefs resolved */
	bool available;
};

int kt_btf_load(struct kt_btf *b, const char *path);

/* Typedefs and modifiers (const, volatile, ...) in a row, at most. */
#define KT_BTF_MAX_MODS 32
/*
 * The type under @*id's typedefs and modifiers, @*id set to its id; NULL
 * if there is none, or more than KT_BTF_MAX_MODS of them (a loop).
 */
const struct btf_type *kt_btf_skip_mods(const struct btf *btf, uint32_t *id);
void kt_btf_free(struct kt_btf *b);

/*
 * Looks up @path ("scx.local_dsq.nr") in struct or union @type.  A name
 * this kernel lacks is not an error: the field comes back unavailable and
 * kt_errmsg() says which component was missing.
 */
int kt_btf_field(const struct kt_btf *b, const char *type, const char *path,
		 struct kt_field *f);
/* The size of struct @type, or 0 if this kernel has no such struct. */
uint32_t kt_btf_struct_size(const struct kt_btf *b, const char *type);
/* The enumerator of @enum_type whose value is @value, or NULL. */
const char *kt_btf_enum_name(const struct kt_btf *b, const char *enum_type,
			     int64_t value);
/* The value of enumerator @name of @enum_type; -1 if there is none. */
int kt_btf_enum_value(const struct kt_btf *b, const char *enum_type,
		      const char *name, int64_t *value);
typedef int (*kt_btf_enumerator_fn_t)(void *ctx, const char *name,
				      int64_t value);

/* The enumerators of @enum_type in order; -1 if there is no such enum. */
int kt_btf_walk_enum(const struct kt_btf *b, const char *enum_type,
		     kt_btf_enumerator_fn_t fn, void *ctx);

typedef int (*kt_btf_member_fn_t)(void *ctx, const char *name,
				uint32_t offset, uint32_t size);

/*
 * The members of struct @type in order: calls @fn with each member's name
 * and offset; stops early if @fn returns non-zero.  -1 if no such struct.
 */
int kt_btf_walk_members(const struct kt_btf *b, const char *type,
			   kt_btf_member_fn_t fn, void *ctx);

#endif
