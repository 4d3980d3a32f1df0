/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bytes of a BPF map, decoded by their BTF type into JSON: integers,
 * enums by name, char arrays as text, structs and unions by member name,
 * a DATASEC (a .bss, .data, .rodata or arena section) by variable name.
 * The bytes and the BTF both come from the guest: every size and offset
 * is checked against the bytes there are, nesting and the number of
 * values decoded are bounded, and what does not fit is an error.
 */
#ifndef KTSTR_MONITOR_BTFVALUE_H
#define KTSTR_MONITOR_BTFVALUE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct btf;

#define KT_BTFV_MAX_DEPTH 24
/* JSON values one decode may make: a 1024-CPU array of structs fits. */
#define KT_BTFV_MAX_NODES (1U << 18)
/* Elements of one array decoded; the rest are counted, not decoded. */
#define KT_BTFV_MAX_ELEMS 4096

/*
 * The value of type @type_id of @btf in @len bytes at @data; NULL with
 * kt_errmsg() saying why (a type that does not fit, a bad type id).
 */
json_t *kt_btfv_decode(const struct btf *btf, uint32_t type_id,
		       const void *data, size_t len);
/* Bytes without a type: an integer for 1, 2, 4 or 8, else hex text. */
json_t *kt_btfv_raw(const void *data, size_t len);
/* The DATASEC named @name ("scx_qmap.bss", ".addr_space.1"), or -1. */
int kt_btfv_find_datasec(const struct btf *btf, const char *name);
/* The size in bytes of type @type_id, or -1 with a message. */
int64_t kt_btfv_size(const struct btf *btf, uint32_t type_id);

#endif
