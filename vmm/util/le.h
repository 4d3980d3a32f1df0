/* SPDX-License-Identifier: GPL-2.0 */
/* Little-endian integers in bytes, as an x86-64 guest stores them. */
#ifndef KTSTR_LE_H
#define KTSTR_LE_H

#include <stddef.h>
#include <stdint.h>

/* The @len (at most 8) bytes at @p as an unsigned integer. */
static inline uint64_t kt_load_le(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	while (len--)
		v = v << 8 | b[len];
	return v;
}

#endif
